/**
 * Word expansion: parameters, command substitution, field splitting. Expansion results are data: nothing
 * produced here is ever parsed again, whatever quotes, semicolons or `$(...)` the values contain. There is no
 * pathname expansion: the emulated file system is nearly empty, and an unmatched pattern stays as written.
 */
import { ArithmeticError, evaluateArithmetic } from './arith.ts';
import type { Script, Word, WordPart } from './ast.ts';

export interface ExpandHost {
  /** Variables and special parameters; undefined when unset. */
  lookup(name: string): string | undefined;
  positional(): string[];
  assign(name: string, value: string): void;
  substitute(body: Script): Promise<string>;
  readonly nounset: boolean;
  readonly flavour: 'busybox' | 'dash' | 'bash';
}

/** A failed expansion (${x?}, set -u): the shell reports it and, being non-interactive, exits. */
export class ExpansionError extends Error {}

type Segment =
  | { kind: 'text'; text: string; split: boolean; quoted: boolean }
  /** "$@": separate fields glued to the text around them. */
  | { kind: 'fields'; fields: string[] };

function ifsOf(host: ExpandHost): string {
  return host.lookup('IFS') ?? ' \t\n';
}

function isSpecial(name: string): boolean {
  return /^([0-9]+|[@*#?$!-])$/.test(name);
}

function globToRegExp(segments: Segment[]): string {
  let source = '';
  for (const segment of segments) {
    const text = segment.kind === 'fields' ? segment.fields.join(' ') : segment.text;
    if (segment.kind === 'fields' || segment.quoted) {
      source += text.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
      continue;
    }
    for (let i = 0; i < text.length; i++) {
      const char = text[i] as string;
      if (char === '*') {
        source += '[\\s\\S]*';
      } else if (char === '?') {
        source += '[\\s\\S]';
      } else if (char === '\\' && i + 1 < text.length) {
        source += (text[++i] as string).replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
      } else if (char === '[') {
        const end = text.indexOf(']', i + 2);
        if (end < 0) {
          source += '\\[';
          continue;
        }
        let body = text.slice(i + 1, end);
        const negate = body.startsWith('!') || body.startsWith('^');
        body = (negate ? body.slice(1) : body)
          .replace(/\\/g, '\\\\')
          .replace(/\[:(\w+):\]/g, (_m, cls: string) => {
            const classes: Record<string, string> = {
              alpha: 'A-Za-z',
              digit: '0-9',
              alnum: 'A-Za-z0-9',
              upper: 'A-Z',
              lower: 'a-z',
              space: ' \\t\\n\\r\\f\\v',
              xdigit: '0-9A-Fa-f',
              punct: '!-\\/:-@\\[-`{-~',
            };
            return classes[cls] ?? '';
          });
        source += `[${negate ? '^' : ''}${body}]`;
        i = end;
      } else {
        source += char.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
      }
    }
  }
  return source;
}

function removeAffix(value: string, pattern: RegExp, op: '#' | '##' | '%' | '%%'): string {
  const n = value.length;
  if (op === '#') {
    for (let i = 0; i <= n; i++) {
      if (pattern.test(value.slice(0, i))) {
        return value.slice(i);
      }
    }
  } else if (op === '##') {
    for (let i = n; i >= 0; i--) {
      if (pattern.test(value.slice(0, i))) {
        return value.slice(i);
      }
    }
  } else if (op === '%') {
    for (let i = n; i >= 0; i--) {
      if (pattern.test(value.slice(i))) {
        return value.slice(0, i);
      }
    }
  } else {
    for (let i = 0; i <= n; i++) {
      if (pattern.test(value.slice(i))) {
        return value.slice(0, i);
      }
    }
  }
  return value;
}

function replace(value: string, pattern: RegExp, replacement: string, op: '/' | '//' | '/#' | '/%'): string {
  if (op === '/%') {
    for (let start = 0; start <= value.length; start++) {
      if (pattern.test(value.slice(start))) {
        return value.slice(0, start) + replacement;
      }
    }
    return value;
  }
  // The longest match starting at `start`, empty matches not counting.
  const matchEnd = (start: number): number => {
    for (let end = value.length; end > start; end--) {
      if (pattern.test(value.slice(start, end))) {
        return end;
      }
    }
    return -1;
  };
  if (op === '/#') {
    const end = matchEnd(0);
    return end > 0 ? replacement + value.slice(end) : value;
  }
  let out = '';
  let start = 0;
  while (start < value.length) {
    const end = matchEnd(start);
    if (end > start) {
      out += replacement;
      start = end;
      if (op === '/') {
        return out + value.slice(start);
      }
      continue;
    }
    out += value[start] ?? '';
    start++;
  }
  return out;
}

async function parameter(
  part: WordPart & { type: 'param' },
  host: ExpandHost,
  context: { splitLiterals: boolean },
): Promise<Segment[]> {
  const { name, op, quoted } = part;
  const positional = host.positional();
  if ((name === '@' || name === '*') && op === null) {
    if (quoted && name === '@') {
      return [{ kind: 'fields', fields: positional }];
    }
    const ifs = ifsOf(host);
    const joined = positional.join(quoted ? ifs.slice(0, 1) : ' ');
    return [{ kind: 'text', text: joined, split: !quoted, quoted }];
  }
  const value = name === '@' || name === '*' ? positional.join(' ') : host.lookup(name);
  const argSegments = async (): Promise<Segment[]> =>
    part.arg === null
      ? []
      : segmentsOf(part.arg.parts, host, { splitLiterals: !quoted || context.splitLiterals });
  const argText = async (): Promise<string> => joinSegments(await argSegments());
  const text = (t: string): Segment[] => [{ kind: 'text', text: t, split: !quoted, quoted }];
  const unset = value === undefined;
  const empty = value === undefined || value === '';
  switch (op) {
    case null:
      break;
    case 'length':
      return text(String(name === '@' || name === '*' ? positional.length : (value ?? '').length));
    case ':-':
    case '-':
      return (op === ':-' ? empty : unset) ? argSegments() : text(value ?? '');
    case ':=':
    case '=':
      if (op === ':=' ? empty : unset) {
        if (isSpecial(name)) {
          throw new ExpansionError(
            `${host.flavour === 'bash' ? `$${name}` : name}: cannot assign in this way`,
          );
        }
        const assigned = await argText();
        host.assign(name, assigned);
        return text(assigned);
      }
      return text(value ?? '');
    case ':+':
    case '+':
      return (op === ':+' ? empty : unset) ? [] : argSegments();
    case ':?':
    case '?':
      if (op === ':?' ? empty : unset) {
        const message = await argText();
        throw new ExpansionError(
          `${name}: ${message !== '' ? message : host.flavour === 'bash' ? 'parameter null or not set' : op === '?' ? 'parameter not set' : 'parameter null or not set'}`,
        );
      }
      return text(value ?? '');
    case '#':
    case '##':
    case '%':
    case '%%': {
      const pattern = new RegExp(`^${globToRegExp(await argSegments())}$`);
      return text(removeAffix(value ?? '', pattern, op));
    }
    default: {
      const pattern = new RegExp(`^${globToRegExp(await argSegments())}$`);
      const replacement =
        part.replacement === null
          ? ''
          : joinSegments(await segmentsOf(part.replacement.parts, host, { splitLiterals: false }));
      return text(replace(value ?? '', pattern, replacement, op));
    }
  }
  if (unset && host.nounset && name !== '@' && name !== '*') {
    throw new ExpansionError(
      host.flavour === 'bash' ? `${name}: unbound variable` : `${name}: parameter not set`,
    );
  }
  return text(value ?? '');
}

async function segmentsOf(
  parts: WordPart[],
  host: ExpandHost,
  context: { splitLiterals: boolean },
): Promise<Segment[]> {
  const segments: Segment[] = [];
  for (const part of parts) {
    switch (part.type) {
      case 'lit':
        segments.push({
          kind: 'text',
          text: part.value,
          split: !part.quoted && context.splitLiterals,
          quoted: part.quoted,
        });
        break;
      case 'param':
        segments.push(...(await parameter(part, host, context)));
        break;
      case 'command': {
        const output = await host.substitute(part.body);
        segments.push({ kind: 'text', text: output, split: !part.quoted, quoted: part.quoted });
        break;
      }
      case 'arith': {
        const expression = joinSegments(
          await segmentsOf(part.expression.parts, host, { splitLiterals: false }),
        );
        let value: bigint;
        try {
          value = evaluateArithmetic(expression, host);
        } catch (error) {
          if (!(error instanceof ArithmeticError)) {
            throw error;
          }
          throw new ExpansionError(
            host.flavour === 'bash'
              ? `${expression.trim()}: ${error.message}`
              : host.flavour === 'dash'
                ? `arithmetic expression: ${error.message}: "${expression}"`
                : error.message,
          );
        }
        segments.push({ kind: 'text', text: String(value), split: !part.quoted, quoted: part.quoted });
        break;
      }
    }
  }
  return segments;
}

function joinSegments(segments: Segment[]): string {
  return segments
    .map((segment) => (segment.kind === 'fields' ? segment.fields.join(' ') : segment.text))
    .join('');
}

function tilde(word: Word, host: ExpandHost): WordPart[] {
  const first = word.parts[0];
  if (first === undefined || first.type !== 'lit' || first.quoted || !/^~(\/|$)/.test(first.value)) {
    return word.parts;
  }
  const home = host.lookup('HOME') ?? '/root';
  return [
    { type: 'lit', value: home, quoted: true },
    { ...first, value: first.value.slice(1) },
    ...word.parts.slice(1),
  ];
}

function split(segments: Segment[], ifs: string): string[] {
  const fields: string[] = [];
  let current = '';
  let has = false;
  const isWhitespace = (char: string): boolean => char === ' ' || char === '\t' || char === '\n';
  for (const segment of segments) {
    if (segment.kind === 'fields') {
      segment.fields.forEach((field, index) => {
        if (index > 0) {
          fields.push(current);
          current = '';
        }
        current += field;
        has = true;
      });
      continue;
    }
    if (!segment.split || ifs === '') {
      current += segment.text;
      has ||= segment.quoted || segment.text !== '';
      continue;
    }
    for (const char of segment.text) {
      if (!ifs.includes(char)) {
        current += char;
        has = true;
      } else if (isWhitespace(char)) {
        if (has) {
          fields.push(current);
          current = '';
          has = false;
        }
      } else {
        fields.push(current);
        current = '';
        has = false;
      }
    }
  }
  if (has) {
    fields.push(current);
  }
  return fields;
}

/** Expands a command word into fields (zero, one or more). */
export async function expandFields(word: Word, host: ExpandHost): Promise<string[]> {
  const segments = await segmentsOf(tilde(word, host), host, { splitLiterals: false });
  return split(segments, ifsOf(host));
}

/** Expands without field splitting: assignments, redirection targets, here-strings. */
export async function expandString(word: Word, host: ExpandHost): Promise<string> {
  return joinSegments(await segmentsOf(tilde(word, host), host, { splitLiterals: false }));
}
