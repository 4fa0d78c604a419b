/**
 * Writing to the terminal: colour only on a TTY and never when NO_COLOR is set (no-color.org), or
 * when `--no-color` says so; writes that finish before the process exits (a pipe would otherwise
 * lose the end of a long report).
 */

export interface Colors {
  readonly red: (text: string) => string;
  readonly yellow: (text: string) => string;
  readonly blue: (text: string) => string;
  readonly green: (text: string) => string;
  readonly dim: (text: string) => string;
  readonly bold: (text: string) => string;
  readonly underline: (text: string) => string;
}

const plain = (text: string) => text;

const NO_COLORS: Colors = {
  red: plain,
  yellow: plain,
  blue: plain,
  green: plain,
  dim: plain,
  bold: plain,
  underline: plain,
};

function sgr(open: number, close: number): (text: string) => string {
  return (text) => `\u001b[${open}m${text}\u001b[${close}m`;
}

const ANSI: Colors = {
  red: sgr(31, 39),
  yellow: sgr(33, 39),
  blue: sgr(34, 39),
  green: sgr(32, 39),
  dim: sgr(2, 22),
  bold: sgr(1, 22),
  underline: sgr(4, 24),
};

export function colorsFor(options: {
  readonly isTTY: boolean;
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly noColor: boolean;
}): Colors {
  const noColorEnv = options.env.NO_COLOR !== undefined && options.env.NO_COLOR !== '';
  return options.isTTY && !noColorEnv && !options.noColor ? ANSI : NO_COLORS;
}

/** Writes and resolves once the stream took it all. */
export function write(stream: NodeJS.WritableStream, text: string): Promise<void> {
  return new Promise((resolve, reject) => {
    stream.write(text, (error) => (error ? reject(error) : resolve()));
  });
}
