/**
 * getopt(3)/getopt_long(3) as the C tools use it: clustered short options, attached or separate arguments,
 * `--name=value` or `--name value`, unique prefixes of long names, and `--` ending the options.
 */

export interface OptionSpec {
  /** Short letters that take no argument, e.g. 'qS'. */
  flags: string;
  /** Short letters that take an argument, e.g. 'OoT'. */
  withArg: string;
  /** Long option name → the short letter (or a pseudo-letter) it stands for, and whether it takes an argument. */
  long?: Record<string, { key: string; arg: boolean }>;
  /** Stop at the first operand (the '+' of getopt strings), as timeout and env need. */
  stopAtOperand?: boolean;
}

export interface ParsedOptions {
  /** Every occurrence in order, as [key, value]. */
  options: Array<[string, string]>;
  operands: string[];
}

export class GetoptError extends Error {
  readonly kind: 'unknown' | 'missing' | 'ambiguous';
  readonly option: string;
  constructor(kind: 'unknown' | 'missing' | 'ambiguous', option: string) {
    super(`${kind} option ${option}`);
    this.kind = kind;
    this.option = option;
  }
}

export function getopt(args: string[], spec: OptionSpec): ParsedOptions {
  const options: Array<[string, string]> = [];
  const operands: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const arg = args[i] as string;
    if (arg === '--') {
      operands.push(...args.slice(i + 1));
      break;
    }
    if (arg.startsWith('--') && spec.long !== undefined) {
      const eq = arg.indexOf('=');
      const name = arg.slice(2, eq >= 0 ? eq : undefined);
      const longs = spec.long;
      const matches = Object.keys(longs).filter((candidate) => candidate.startsWith(name));
      const exact = longs[name];
      const chosen = exact !== undefined ? name : matches.length === 1 ? matches[0] : undefined;
      if (chosen === undefined) {
        throw new GetoptError(
          matches.length > 1 ? 'ambiguous' : 'unknown',
          arg.slice(0, eq >= 0 ? eq : undefined),
        );
      }
      const entry = longs[chosen] as { key: string; arg: boolean };
      if (entry.arg) {
        const value = eq >= 0 ? arg.slice(eq + 1) : args[i + 1];
        if (eq < 0) {
          i++;
        }
        if (value === undefined) {
          throw new GetoptError('missing', `--${chosen}`);
        }
        options.push([entry.key, value]);
      } else {
        options.push([entry.key, '']);
      }
      continue;
    }
    if (arg.startsWith('-') && arg.length > 1) {
      for (let j = 1; j < arg.length; j++) {
        const letter = arg[j] as string;
        if (spec.withArg.includes(letter)) {
          let value = arg.slice(j + 1);
          if (value === '') {
            const next = args[i + 1];
            if (next === undefined) {
              throw new GetoptError('missing', letter);
            }
            value = next;
            i++;
          }
          options.push([letter, value]);
          break;
        }
        if (!spec.flags.includes(letter)) {
          throw new GetoptError('unknown', letter);
        }
        options.push([letter, '']);
      }
      continue;
    }
    operands.push(arg);
    if (spec.stopAtOperand) {
      operands.push(...args.slice(i + 1));
      break;
    }
  }
  return { options, operands };
}
