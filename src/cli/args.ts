/**
 * Command-line flags, read with node:util's parseArgs (strict: an unknown flag is a usage error,
 * as with kubectl) and turned into the one-line errors of errors.ts.
 */
import { parseArgs } from 'node:util';
import type { ParseArgsConfig } from 'node:util';
import { usageError } from './errors.ts';

export type Options = NonNullable<ParseArgsConfig['options']>;

export interface Parsed {
  readonly values: Record<string, string | boolean | string[] | undefined>;
  readonly positionals: string[];
}

export function parse(command: string, args: readonly string[], options: Options): Parsed {
  try {
    const { values, positionals } = parseArgs({
      args: [...args],
      options: { help: { type: 'boolean', short: 'h' }, ...options },
      allowPositionals: true,
      strict: true,
      allowNegative: false,
    });
    return { values: values as Parsed['values'], positionals };
  } catch (error) {
    // parseArgs's messages name the flag ("Unknown option '--foo'"); the rest of them is advice
    // meant for scripts, not for the user.
    const message = error instanceof Error ? error.message.split('. ')[0]!.replace(/\.$/, '') : String(error);
    throw usageError(command, message.charAt(0).toLowerCase() + message.slice(1));
  }
}

export function stringFlag(parsed: Parsed, name: string): string | undefined {
  const value = parsed.values[name];
  return typeof value === 'string' ? value : undefined;
}

export function booleanFlag(parsed: Parsed, name: string): boolean {
  return parsed.values[name] === true;
}

/** A flag whose value must be one of `choices`. */
export function choiceFlag<T extends string>(
  command: string,
  parsed: Parsed,
  name: string,
  choices: readonly T[],
  fallback: T,
): T {
  const value = stringFlag(parsed, name);
  if (value === undefined) {
    return fallback;
  }
  if (!(choices as readonly string[]).includes(value)) {
    throw usageError(command, `--${name} must be one of ${choices.join(', ')} (got "${value}")`);
  }
  return value as T;
}

/** A repeatable flag of comma-separated values. */
export function listFlag(parsed: Parsed, name: string): string[] {
  const value = parsed.values[name];
  const items = Array.isArray(value) ? value : typeof value === 'string' ? [value] : [];
  return items
    .flatMap((item) => item.split(','))
    .map((item) => item.trim())
    .filter((item) => item !== '');
}
