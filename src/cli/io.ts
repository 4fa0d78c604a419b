/** What a command gets of the process: output streams, the working directory, the version, colours. */
import type { Colors } from './terminal.ts';

export interface CliIo {
  readonly cwd: string;
  readonly version: string;
  readonly env: Readonly<Record<string, string | undefined>>;
  out(text: string): Promise<void>;
  err(text: string): Promise<void>;
  /** Colours for stdout (none off a terminal, with NO_COLOR, or with `--no-color`). */
  colors(noColor: boolean): Colors;
}
