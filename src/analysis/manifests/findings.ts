/**
 * What a check returns: a finding placed by path (relative to its object), with the quick fixes
 * that would resolve it described by intent. `analyze.ts` turns paths into spans and intents into
 * text edits, against the YAML as written.
 */
import type { DiagnosticCode, Severity } from './codes.ts';
import type { Path } from './document.ts';

export interface At {
  readonly path: Path;
  /** The key of the last segment, or its value (the default). */
  readonly part?: 'key' | 'value';
}

export type FixSpec =
  /** Replace a scalar value with `text` (YAML, already quoted if needed). */
  | {
      readonly kind: 'replace-value';
      readonly title: string;
      readonly path: Path;
      readonly text: string;
      readonly preferred?: boolean;
    }
  /** Quote a scalar exactly as written (`1.0` stays "1.0", not "1"). */
  | {
      readonly kind: 'quote-value';
      readonly title: string;
      readonly path: Path;
      readonly preferred?: boolean;
    }
  /** Rename the key at `path`. */
  | {
      readonly kind: 'rename-key';
      readonly title: string;
      readonly path: Path;
      readonly key: string;
      readonly preferred?: boolean;
    }
  /** Add `key: value` to the mapping at `mapPath`, first or last. */
  | {
      readonly kind: 'insert-pair';
      readonly title: string;
      readonly mapPath: Path;
      readonly key: string;
      readonly value: string;
      readonly first?: boolean;
      readonly preferred?: boolean;
    }
  /** Make the value at `path` (a key of the mapping at its parent path) this map of strings. */
  | {
      readonly kind: 'set-map';
      readonly title: string;
      readonly path: Path;
      readonly entries: Readonly<Record<string, string>>;
      readonly preferred?: boolean;
    };

export interface Finding {
  readonly code: DiagnosticCode;
  /** Defaults to the code's severity. */
  readonly severity?: Severity;
  readonly message: string;
  readonly at: At;
  readonly fixes?: readonly FixSpec[];
  /**
   * The same claim made from another source can be said once with this one (see merge.ts): the
   * workspace and the cluster both finding that nothing declares a targetPort.
   */
  readonly claim?: Claim;
}

/** A finding's message in parts, so that two sources of the same claim make one sentence. */
export interface Claim {
  /** Findings with the same key, at the same place, make the same claim. */
  readonly key: string;
  /** What is claimed: `Nothing declares a TCP port named "metrics"`. */
  readonly what: string;
  /** Where this source looked: `no container of Deployment backend in the workspace`. */
  readonly evidence: string;
  /** What follows, as a sentence: `Traffic to this port has nowhere to go.` */
  readonly consequence: string;
}

const YAML_WORDS = /^(?:true|false|yes|no|on|off|y|n|null|~)$/i;

/** A string as a YAML scalar: plain when it reads back as the same string, else double-quoted. */
export function yamlString(value: string): string {
  if (
    /^[A-Za-z_/][-A-Za-z0-9_./]*$/.test(value) &&
    !YAML_WORDS.test(value) &&
    !/^[-+]?(?:\.inf|\.nan)$/i.test(value)
  ) {
    return value;
  }
  return JSON.stringify(value);
}

/** `app=web,tier=api`, the way kubectl prints a map selector. */
export function formatSelector(selector: Readonly<Record<string, string>>): string {
  const entries = Object.entries(selector);
  return entries.length === 0 ? '(empty)' : entries.map(([key, value]) => `${key}=${value}`).join(',');
}

/** "a", "a and b", "a, b and c", "a, b, c and 2 more". */
export function listWords(items: readonly string[], max = 3): string {
  if (items.length <= 1) {
    return items.join('');
  }
  if (items.length > max + 1) {
    return `${items.slice(0, max).join(', ')} and ${items.length - max} more`;
  }
  return `${items.slice(0, -1).join(', ')} and ${items.at(-1)}`;
}

export function plural(count: number, word: string, many = `${word}s`): string {
  return `${count} ${count === 1 ? word : many}`;
}
