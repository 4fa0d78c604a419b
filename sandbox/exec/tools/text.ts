/** echo, printf and test: shared by the shells' builtins and the /bin programs. */
import type { VirtualFs } from '../fs.ts';

/** Backslash escapes of `echo -e` and printf's %b; `stop` is set by \c. */
export function interpretEscapes(text: string, style: 'echo' | 'printf-b'): { text: string; stop: boolean } {
  let out = '';
  for (let i = 0; i < text.length; i++) {
    const char = text[i] as string;
    if (char !== '\\' || i + 1 >= text.length) {
      out += char;
      continue;
    }
    const next = text[i + 1] as string;
    i++;
    switch (next) {
      case 'a':
        out += '\x07';
        break;
      case 'b':
        out += '\b';
        break;
      case 'c':
        return { text: out, stop: true };
      case 'e':
      case 'E':
        out += '\x1b';
        break;
      case 'f':
        out += '\f';
        break;
      case 'n':
        out += '\n';
        break;
      case 'r':
        out += '\r';
        break;
      case 't':
        out += '\t';
        break;
      case 'v':
        out += '\v';
        break;
      case '\\':
        out += '\\';
        break;
      case 'x': {
        const hex = /^[0-9a-fA-F]{1,2}/.exec(text.slice(i + 1))?.[0];
        if (hex === undefined) {
          out += '\\x';
        } else {
          out += String.fromCharCode(parseInt(hex, 16));
          i += hex.length;
        }
        break;
      }
      case '0': {
        const octal = /^[0-7]{0,3}/.exec(text.slice(i + 1))?.[0] ?? '';
        out += String.fromCharCode(parseInt(octal || '0', 8) & 0xff);
        i += octal.length;
        break;
      }
      default:
        if (style === 'printf-b' && /[1-7]/.test(next)) {
          const octal = /^[0-7]{1,3}/.exec(text.slice(i))?.[0] ?? next;
          out += String.fromCharCode(parseInt(octal, 8) & 0xff);
          i += octal.length - 1;
        } else {
          out += `\\${next}`;
        }
    }
  }
  return { text: out, stop: false };
}

export type EchoStyle = 'bash' | 'dash' | 'busybox' | 'gnu';

/** echo as each implementation parses its options and escapes. */
export function echo(args: string[], style: EchoStyle): string {
  let newline = true;
  let escapes = style === 'dash';
  let i = 0;
  if (style === 'dash') {
    if (args[0] === '-n') {
      newline = false;
      i = 1;
    }
  } else {
    for (; i < args.length; i++) {
      const arg = args[i] as string;
      if (!/^-[neE]+$/.test(arg)) {
        break;
      }
      for (const flag of arg.slice(1)) {
        if (flag === 'n') {
          newline = false;
        } else {
          escapes = flag === 'e';
        }
      }
    }
  }
  const text = args.slice(i).join(' ');
  if (!escapes) {
    return newline ? `${text}\n` : text;
  }
  const interpreted = interpretEscapes(text, 'echo');
  return interpreted.stop || !newline ? interpreted.text : `${interpreted.text}\n`;
}

function formatEscapes(format: string): string {
  let out = '';
  for (let i = 0; i < format.length; i++) {
    const char = format[i] as string;
    if (char !== '\\' || i + 1 >= format.length) {
      out += char;
      continue;
    }
    const next = format[i + 1] as string;
    if (/[0-7]/.test(next)) {
      const octal = /^[0-7]{1,3}/.exec(format.slice(i + 1))?.[0] ?? '0';
      out += String.fromCharCode(parseInt(octal, 8) & 0xff);
      i += octal.length;
      continue;
    }
    if (next === '"' || next === "'" || next === '?') {
      out += next;
      i++;
      continue;
    }
    const single = interpretEscapes(`\\${next}`, 'echo');
    if (next === 'x') {
      const hex = /^[0-9a-fA-F]{1,2}/.exec(format.slice(i + 2))?.[0];
      if (hex !== undefined) {
        out += String.fromCharCode(parseInt(hex, 16));
        i += 1 + hex.length;
        continue;
      }
    }
    out += next === 'c' ? '\\c' : single.text;
    i++;
  }
  return out;
}

function parseNumber(arg: string): number | null {
  const trimmed = arg.trim();
  if (trimmed === '') {
    return 0;
  }
  if (/^['"]/.test(trimmed)) {
    return trimmed.length > 1 ? (trimmed.codePointAt(1) ?? 0) : 0;
  }
  if (/^[+-]?0[xX][0-9a-fA-F]+$/.test(trimmed)) {
    return Number.parseInt(trimmed, 16);
  }
  if (/^[+-]?0[0-7]+$/.test(trimmed)) {
    return Number.parseInt(trimmed, 8);
  }
  if (/^[+-]?\d+$/.test(trimmed)) {
    return Number(trimmed);
  }
  return null;
}

function pad(text: string, width: number, left: boolean, zero: boolean): string {
  if (text.length >= width) {
    return text;
  }
  if (left) {
    return text.padEnd(width);
  }
  if (zero) {
    const sign = /^[+\- ]/.test(text) ? (text[0] as string) : '';
    return sign + text.slice(sign.length).padStart(width - sign.length, '0');
  }
  return text.padStart(width);
}

/**
 * printf(1): the format is reused while arguments remain. Invalid numbers are reported through `onError`
 * and count as 0, as all shells do.
 */
export function printf(
  format: string,
  args: string[],
  onError: (message: string) => void,
): { output: string; failed: boolean } {
  let out = '';
  let failed = false;
  let index = 0;
  const nextArg = (): string | undefined => args[index++];
  const numberArg = (): number => {
    const arg = nextArg();
    if (arg === undefined) {
      return 0;
    }
    const value = parseNumber(arg);
    if (value === null) {
      const leading = /^\s*[+-]?\d+/.exec(arg)?.[0];
      onError(`${arg}: invalid number`);
      failed = true;
      return leading !== undefined ? Number(leading) : 0;
    }
    return value;
  };
  const text = formatEscapes(format);
  for (;;) {
    const before = index;
    for (let i = 0; i < text.length; i++) {
      const char = text[i] as string;
      if (char === '\\' && text[i + 1] === 'c') {
        return { output: out, failed };
      }
      if (char !== '%') {
        out += char;
        continue;
      }
      const spec = /^%([-+ #0]*)(\*|\d+)?(?:\.(\*|\d*))?([diouxXfFeEgGcsb%])/.exec(text.slice(i));
      if (spec === null) {
        out += char;
        continue;
      }
      i += spec[0].length - 1;
      const flags = spec[1] ?? '';
      const conversion = spec[4] as string;
      if (conversion === '%') {
        out += '%';
        continue;
      }
      const width = spec[2] === '*' ? numberArg() : spec[2] !== undefined ? Number(spec[2]) : 0;
      const precisionText = spec[3];
      const precision =
        precisionText === '*'
          ? numberArg()
          : precisionText !== undefined
            ? Number(precisionText || '0')
            : null;
      const left = flags.includes('-') || width < 0;
      const zero = flags.includes('0') && !left;
      const absWidth = Math.abs(width);
      switch (conversion) {
        case 's':
        case 'b': {
          let value = nextArg() ?? '';
          if (conversion === 'b') {
            const interpreted = interpretEscapes(value, 'printf-b');
            value = interpreted.text;
            if (interpreted.stop) {
              return { output: out + value, failed };
            }
          }
          if (precision !== null) {
            value = value.slice(0, precision);
          }
          out += pad(value, absWidth, left, false);
          break;
        }
        case 'c':
          out += pad((nextArg() ?? '').slice(0, 1), absWidth, left, false);
          break;
        case 'd':
        case 'i':
        case 'o':
        case 'u':
        case 'x':
        case 'X': {
          const value = Math.trunc(numberArg());
          let digits: string;
          if (conversion === 'o') {
            digits = Math.abs(value).toString(8);
          } else if (conversion === 'x' || conversion === 'X') {
            digits = (value < 0 ? BigInt.asUintN(64, BigInt(value)) : BigInt(value)).toString(16);
            if (conversion === 'X') {
              digits = digits.toUpperCase();
            }
          } else if (conversion === 'u' && value < 0) {
            digits = BigInt.asUintN(64, BigInt(value)).toString();
          } else {
            digits = Math.abs(value).toString();
          }
          if (precision !== null) {
            digits = digits.padStart(precision, '0');
          }
          if (flags.includes('#') && value !== 0) {
            digits =
              conversion === 'o'
                ? `0${digits}`
                : conversion === 'x'
                  ? `0x${digits}`
                  : conversion === 'X'
                    ? `0X${digits}`
                    : digits;
          }
          const sign =
            (conversion === 'd' || conversion === 'i') && value < 0
              ? '-'
              : flags.includes('+')
                ? '+'
                : flags.includes(' ')
                  ? ' '
                  : '';
          out += pad(sign + digits, absWidth, left, zero && precision === null);
          break;
        }
        default: {
          const arg = nextArg();
          let value = arg === undefined ? 0 : Number(arg.trim());
          if (arg !== undefined && Number.isNaN(value)) {
            onError(`${arg}: invalid number`);
            failed = true;
            value = 0;
          }
          const digits = precision ?? 6;
          let formatted: string;
          if (conversion === 'e' || conversion === 'E') {
            formatted = value.toExponential(digits).replace(/e([+-])(\d)$/, 'e$10$2');
          } else if (conversion === 'g' || conversion === 'G') {
            formatted = String(Number(value.toPrecision(digits === 0 ? 1 : digits)));
          } else {
            formatted = value.toFixed(digits);
          }
          if (conversion === conversion.toUpperCase()) {
            formatted = formatted.toUpperCase();
          }
          const sign = value >= 0 && flags.includes('+') ? '+' : value >= 0 && flags.includes(' ') ? ' ' : '';
          out += pad(sign + formatted, absWidth, left, zero);
        }
      }
    }
    if (index >= args.length || index === before) {
      return { output: out, failed };
    }
  }
}

export type TestStyle = 'bash' | 'dash' | 'busybox' | 'gnu';

export class TestSyntaxError extends Error {}

/**
 * test(1) / [: POSIX's rules for up to four arguments, then -a/-o/!/( ) with the usual precedence.
 * Returns 0 (true) or 1 (false); throws TestSyntaxError (status 2) with the implementation's message.
 */
export function evaluateTest(args: string[], fs: VirtualFs, cwd: string, style: TestStyle): number {
  const path = (p: string): string => (p.startsWith('/') ? p : `${cwd.replace(/\/$/, '')}/${p}`);
  const integer = (text: string): number => {
    if (!/^\s*[+-]?\d+\s*$/.test(text)) {
      const message =
        style === 'bash'
          ? `${text}: integer expression expected`
          : style === 'dash'
            ? `Illegal number: ${text}`
            : style === 'busybox'
              ? `${text}: bad number`
              : `invalid integer '${text}'`;
      throw new TestSyntaxError(message);
    }
    return Number(text);
  };
  const unary: Record<string, (operand: string) => boolean> = {
    '-n': (s) => s !== '',
    '-z': (s) => s === '',
    '-e': (s) => fs.kind(path(s)) !== null,
    '-f': (s) => fs.kind(path(s)) === 'file',
    '-d': (s) => fs.kind(path(s)) === 'dir',
    '-s': (s) => fs.kind(path(s)) === 'file' && fs.size(path(s)) > 0,
    '-r': (s) => fs.kind(path(s)) !== null,
    '-w': (s) => fs.kind(path(s)) !== null,
    '-x': (s) => fs.kind(path(s)) === 'dir',
    '-c': (s) => fs.kind(path(s)) === 'device',
    '-b': () => false,
    '-p': () => false,
    '-S': () => false,
    '-h': () => false,
    '-L': () => false,
    '-t': () => false,
    '-g': () => false,
    '-u': () => false,
    '-k': () => false,
    '-O': (s) => fs.kind(path(s)) !== null,
    '-G': (s) => fs.kind(path(s)) !== null,
  };
  const binary: Record<string, (a: string, b: string) => boolean> = {
    '=': (a, b) => a === b,
    '==': (a, b) => a === b,
    '!=': (a, b) => a !== b,
    '<': (a, b) => a < b,
    '>': (a, b) => a > b,
    '-eq': (a, b) => integer(a) === integer(b),
    '-ne': (a, b) => integer(a) !== integer(b),
    '-lt': (a, b) => integer(a) < integer(b),
    '-le': (a, b) => integer(a) <= integer(b),
    '-gt': (a, b) => integer(a) > integer(b),
    '-ge': (a, b) => integer(a) >= integer(b),
  };
  let pos = 0;
  const peek = (offset = 0): string | undefined => args[pos + offset];
  const primary = (): boolean => {
    const token = peek();
    if (token === undefined) {
      throw new TestSyntaxError('argument expected');
    }
    if (token === '!') {
      pos++;
      return !primary();
    }
    if (token === '(' && args.length - pos > 1) {
      pos++;
      const value = orExpr();
      if (peek() !== ')') {
        throw new TestSyntaxError(style === 'bash' ? "`)' expected" : 'closing paren expected');
      }
      pos++;
      return value;
    }
    const op = peek(1);
    if (op !== undefined && binary[op] !== undefined && peek(2) !== undefined) {
      pos += 3;
      return (binary[op] as (a: string, b: string) => boolean)(token, args[pos - 1] as string);
    }
    if (unary[token] !== undefined && op !== undefined) {
      pos += 2;
      return (unary[token] as (s: string) => boolean)(op);
    }
    pos++;
    return token !== '';
  };
  const andExpr = (): boolean => {
    let value = primary();
    while (peek() === '-a') {
      pos++;
      const right = primary();
      value = value && right;
    }
    return value;
  };
  const orExpr = (): boolean => {
    let value = andExpr();
    while (peek() === '-o') {
      pos++;
      const right = andExpr();
      value = value || right;
    }
    return value;
  };
  if (args.length === 0) {
    return 1;
  }
  // POSIX fixes the meaning for small argument counts, whatever the words look like.
  if (args.length === 1) {
    return (args[0] as string) !== '' ? 0 : 1;
  }
  if (args.length === 2 && args[0] === '!') {
    return (args[1] as string) === '' ? 0 : 1;
  }
  if (args.length === 3 && binary[args[1] as string] !== undefined) {
    return (binary[args[1] as string] as (a: string, b: string) => boolean)(
      args[0] as string,
      args[2] as string,
    )
      ? 0
      : 1;
  }
  const result = orExpr();
  if (pos < args.length) {
    throw new TestSyntaxError(style === 'bash' ? 'too many arguments' : `${args[pos]}: unknown operand`);
  }
  return result ? 0 : 1;
}
