/**
 * Disabling diagnostics with a comment, the same in the editor and in `kubereach check`, because
 * both read them here, in the analysis:
 *
 * - `# kubereach-disable-line KR1003` at the end of the line a diagnostic starts on;
 * - `# kubereach-disable-next-line KR1003` on the line before it;
 * - `# kubereach-disable KR3001` anywhere in a YAML document (between `---`): the whole document.
 *
 * Codes are separated by commas or spaces; with none, every code is disabled. Anything after
 * ` -- ` is a reason for the reader (as in ESLint). A `#` counts as a comment at the start of a
 * line or after a space, as YAML reads it; a directive inside a quoted scalar would count too,
 * which is a price paid for reading a chunk's text once rather than walking its syntax tree.
 */

/** Codes disabled somewhere: 'all', or the listed ones. */
export type DisabledCodes = 'all' | ReadonlySet<string>;

export interface Suppressions {
  /** For the whole YAML document. */
  readonly document: DisabledCodes | undefined;
  /** By chunk-relative line (0-based): what is disabled on that line. */
  readonly lines: ReadonlyMap<number, DisabledCodes>;
}

const NONE: Suppressions = { document: undefined, lines: new Map() };

const DIRECTIVE = /(?:^|\s)#\s*kubereach-disable(-next-line|-line)?(?=\s|$)([^\n]*)/;

function codesOf(rest: string): DisabledCodes {
  const reason = rest.indexOf(' -- ');
  const listed = (reason < 0 ? rest : rest.slice(0, reason)).split(/[\s,]+/).filter((token) => token !== '');
  return listed.length === 0 ? 'all' : new Set(listed.map((code) => code.toUpperCase()));
}

function merge(a: DisabledCodes | undefined, b: DisabledCodes): DisabledCodes {
  if (a === undefined) {
    return b;
  }
  if (a === 'all' || b === 'all') {
    return 'all';
  }
  return new Set([...a, ...b]);
}

/** The directives of one chunk's text. */
export function suppressionsOf(text: string): Suppressions {
  if (!text.includes('kubereach-disable')) {
    return NONE;
  }
  let document: DisabledCodes | undefined;
  const lines = new Map<number, DisabledCodes>();
  const all = text.split('\n');
  for (let line = 0; line < all.length; line++) {
    const match = DIRECTIVE.exec(all[line]!.replace(/\r$/, ''));
    if (match === null) {
      continue;
    }
    const codes = codesOf(match[2] ?? '');
    if (match[1] === '-line') {
      lines.set(line, merge(lines.get(line), codes));
    } else if (match[1] === '-next-line') {
      lines.set(line + 1, merge(lines.get(line + 1), codes));
    } else {
      document = merge(document, codes);
    }
  }
  return { document, lines };
}

export function disables(codes: DisabledCodes | undefined, code: string): boolean {
  return codes !== undefined && (codes === 'all' || codes.has(code));
}

/** Whether a diagnostic with this code, starting on this chunk-relative line, is disabled. */
export function isSuppressed(suppressions: Suppressions, code: string, line: number): boolean {
  return disables(suppressions.document, code) || disables(suppressions.lines.get(line), code);
}
