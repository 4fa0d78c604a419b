/**
 * curl's URL globbing (src/tool_urlglob.c): `[1-3]`, `[a-c]`, `[01-10]`, `[1-10:2]` ranges and
 * `{a,b}` sets expand one URL into several, fetched one after the other, the last pattern varying
 * fastest. `\[`, `\]`, `\{`, `\}` are literal; `[]` and an IPv6 literal (`[::1]`) are not globs.
 * A malformed glob is curl's error 3 with the position (1-based, as curl counts it, including its
 * quirk of not counting a set's closing brace) and a caret under it. `--globoff` (`-g`) turns it off.
 *
 * The expansion is lazy: `amount` is known at once (curl's "range overflow" past 2^63 - 1), and
 * the URLs are generated one at a time.
 */
import { isIP } from 'node:net';

/** curl's GLOB_PATTERN_NUM: patterns (fixed parts included) per URL. */
const GLOB_PATTERN_NUM = 100;
/** curl's MAX_IP6LEN: the longest bracketed text tried as an IPv6 literal. */
const MAX_IP6LEN = 128;
const CURL_OFF_T_MAX = (1n << 63n) - 1n;
const ULONG_MAX = (1n << 64n) - 1n;
const INT_MAX = 2147483647n;

export class GlobError extends Error {
  /** 1-based column in the URL; 0 when curl gives none. */
  readonly position: number;
  constructor(message: string, position: number) {
    super(message);
    this.position = position;
  }
}

type Pattern =
  | { readonly kind: 'fixed'; readonly text: string }
  | { readonly kind: 'set'; readonly elements: readonly string[]; readonly index: number }
  | {
      readonly kind: 'chars';
      readonly min: number;
      readonly max: number;
      readonly step: number;
      readonly index: number;
    }
  | {
      readonly kind: 'numbers';
      readonly min: bigint;
      readonly max: bigint;
      readonly step: bigint;
      readonly pad: number;
      readonly index: number;
    };

export interface UrlGlob {
  /** How many URLs the glob gives (1 without patterns). */
  readonly amount: bigint;
  /** The URLs in curl's order; `values[n]` is what glob `#n+1` stands for in that URL. */
  urls(): Generator<{ readonly url: string; readonly values: readonly string[] }>;
}

const isAlpha = (c: string | undefined): boolean => c !== undefined && /^[A-Za-z]$/.test(c);
const isDigit = (c: string | undefined): boolean => c !== undefined && c >= '0' && c <= '9';

/** C's strtoul: the value, where it stopped (`start` when nothing was read), and ERANGE. */
function strtoul(text: string, start: number): { value: bigint; end: number; overflow: boolean } {
  let i = start;
  while (i < text.length && /[ \t\n\v\f\r]/.test(text[i]!)) {
    i++;
  }
  let negative = false;
  if (text[i] === '+' || text[i] === '-') {
    negative = text[i] === '-';
    i++;
  }
  const digits = i;
  let value = 0n;
  let overflow = false;
  while (isDigit(text[i])) {
    value = value * 10n + BigInt(text.charCodeAt(i) - 48);
    if (value > ULONG_MAX) {
      overflow = true;
    }
    i++;
  }
  if (i === digits) {
    return { value: 0n, end: start, overflow: false };
  }
  if (overflow) {
    return { value: ULONG_MAX, end: i, overflow: true };
  }
  return { value: negative && value !== 0n ? ULONG_MAX + 1n - value : value, end: i, overflow: false };
}

/** curl's peek_ipv6: `[…]` that parses as an IPv6 host is copied as it is. */
function ipv6Length(url: string, at: number): number {
  const close = url.indexOf(']', at);
  if (close < 0 || close - at + 1 >= MAX_IP6LEN) {
    return 0;
  }
  const inner = url.slice(at + 1, close).replace(/%(25)?[A-Za-z0-9._~-]+$/, '');
  return isIP(inner) === 6 ? close - at + 1 : 0;
}

/** Parses `url` as curl does; throws `GlobError`. */
export function parseGlob(url: string): UrlGlob {
  const patterns: Pattern[] = [];
  let amount = 1n;
  let globIndex = 0;
  let i = 0;
  let pos = 1;
  const multiply = (by: bigint, position: number): void => {
    amount *= by;
    if (amount > CURL_OFF_T_MAX) {
      throw new GlobError('range overflow', position);
    }
  };

  const set = (): void => {
    const opos = pos - 1;
    const elements: string[] = [];
    let buffer = '';
    const first = i;
    for (;;) {
      const c = url[i];
      if (c === undefined) {
        throw new GlobError('unmatched brace', opos);
      }
      if (c === '{' || c === '[') {
        throw new GlobError('nested brace', pos);
      }
      if (c === '}' || c === ',') {
        if (c === '}') {
          if (i === first) {
            throw new GlobError('empty string within braces', pos);
          }
          multiply(BigInt(elements.length + 1), 0);
        }
        elements.push(buffer);
        buffer = '';
        i++;
        if (c === '}') {
          break;
        }
        pos++;
        continue;
      }
      if (c === ']') {
        throw new GlobError('unexpected close bracket', pos);
      }
      if (c === '\\' && url[i + 1] !== undefined) {
        i++;
        pos++;
      }
      buffer += url[i];
      i++;
      pos++;
    }
    patterns.push({ kind: 'set', elements, index: globIndex++ });
  };

  const range = (): void => {
    const start = i;
    if (isAlpha(url[i])) {
      const min = url[i]!;
      const dash = url[i + 1];
      const max = url[i + 2];
      const end = url[i + 3];
      let ok = dash === '-' && max !== undefined && end !== undefined;
      let step = 1n;
      if (ok) {
        if (end === ':') {
          const parsed = strtoul(url, i + 4);
          if (parsed.overflow || parsed.end === i + 4 || url[parsed.end] !== ']') {
            step = 0n;
          } else {
            step = parsed.value;
            i = parsed.end + 1;
          }
        } else if (end !== ']') {
          ok = false;
        } else {
          i += 4;
        }
      }
      pos += i - start;
      const lo = min.charCodeAt(0);
      const hi = (max ?? '\0').charCodeAt(0);
      if (
        !ok ||
        step === 0n ||
        step > INT_MAX ||
        (lo === hi && step !== 1n) ||
        (lo !== hi && (lo > hi || step > BigInt(hi - lo) || hi - lo > 25))
      ) {
        throw new GlobError('bad range', pos);
      }
      patterns.push({ kind: 'chars', min: lo, max: hi, step: Number(step), index: globIndex++ });
      multiply(BigInt(Math.floor((hi - lo) / Number(step)) + 1), pos);
      return;
    }
    if (!isDigit(url[i])) {
      throw new GlobError('bad range specification', pos);
    }
    let pad = 0;
    if (url[i] === '0') {
      for (let j = i; isDigit(url[j]); j++) {
        pad++;
      }
    }
    let well = false;
    let min = 0n;
    let max = 0n;
    let step = 0n;
    const first = strtoul(url, i);
    if (!first.overflow && first.end !== i && url[first.end] === '-') {
      min = first.value;
      i = first.end + 1;
      while (url[i] === ' ' || url[i] === '\t') {
        i++;
      }
      if (isDigit(url[i])) {
        const second = strtoul(url, i);
        let end: number | null = second.overflow ? null : second.end;
        max = second.value;
        if (end !== null && url[end] === ':') {
          i = end + 1;
          const third = strtoul(url, i);
          step = third.value;
          end = third.overflow ? null : third.end;
        } else {
          step = 1n;
        }
        if (end !== null && url[end] === ']') {
          i = end + 1;
          well = true;
        }
      }
    }
    pos += i - start;
    if (
      !well ||
      step === 0n ||
      (min === max && step !== 1n) ||
      (min !== max && (min > max || step > max - min))
    ) {
      throw new GlobError('bad range', pos);
    }
    patterns.push({ kind: 'numbers', min, max, step, pad, index: globIndex++ });
    multiply((max - min) / step + 1n, pos);
  };

  while (i < url.length) {
    let literal = '';
    let length = 0;
    while (i < url.length && url[i] !== '{') {
      const c = url[i]!;
      if (c === '[') {
        const skip = ipv6Length(url, i) || (url[i + 1] === ']' ? 2 : 0);
        if (skip > 0) {
          literal += url.slice(i, i + skip);
          i += skip;
          length += skip;
          continue;
        }
        break;
      }
      if (c === '}' || c === ']') {
        throw new GlobError('unmatched close brace/bracket', pos);
      }
      if (c === '\\' && ['{', '[', '}', ']'].includes(url[i + 1] ?? '')) {
        i++;
        pos++;
      }
      literal += url[i];
      i++;
      pos++;
      length++;
    }
    if (length > 0) {
      patterns.push({ kind: 'fixed', text: literal });
    } else if (url[i] === '{') {
      i++;
      pos++;
      set();
    } else if (url[i] === '[') {
      i++;
      pos++;
      range();
    }
    if (patterns.length >= GLOB_PATTERN_NUM) {
      throw new GlobError('too many globs', pos);
    }
  }

  return {
    amount,
    *urls() {
      const globs = patterns.filter((p) => p.kind !== 'fixed');
      const counters = globs.map(() => 0n);
      const sizes = globs.map((p) =>
        p.kind === 'set'
          ? BigInt(p.elements.length)
          : p.kind === 'chars'
            ? BigInt(Math.floor((p.max - p.min) / p.step) + 1)
            : p.kind === 'numbers'
              ? (p.max - p.min) / p.step + 1n
              : 1n,
      );
      for (let n = 0n; n < amount; n++) {
        const values: string[] = [];
        let url = '';
        let g = 0;
        for (const pattern of patterns) {
          if (pattern.kind === 'fixed') {
            url += pattern.text;
            continue;
          }
          const at = counters[g]!;
          let value: string;
          if (pattern.kind === 'set') {
            value = pattern.elements[Number(at)]!;
          } else if (pattern.kind === 'chars') {
            value = String.fromCharCode(pattern.min + Number(at) * pattern.step);
          } else {
            value = String(pattern.min + at * pattern.step).padStart(pattern.pad, '0');
          }
          values[pattern.index] = value;
          url += value;
          g++;
        }
        yield { url, values };
        // The last pattern varies fastest.
        for (let k = counters.length - 1; k >= 0; k--) {
          counters[k]!++;
          if (counters[k]! < sizes[k]!) {
            break;
          }
          counters[k] = 0n;
        }
      }
    },
  };
}

/** curl's message for a glob error, as it prints it after `curl: (3) `. */
export function globErrorText(error: GlobError, url: string): string {
  if (error.position === 0) {
    return error.message;
  }
  return `${error.message} in URL position ${error.position}:\n${url}\n${' '.repeat(Math.max(1, error.position - 1))}^`;
}

/** curl's `#N` in an output file name: the value glob N had in this URL (out of range: kept as is). */
export function outputName(template: string, values: readonly string[]): string {
  return template.replace(/#(\d+)/g, (match, digits: string) => {
    const n = Number(digits);
    return n >= 1 && n <= values.length && values[n - 1] !== undefined ? values[n - 1]! : match;
  });
}
