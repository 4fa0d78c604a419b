/** The shell's syntax tree. Words keep their quoting so that expansion never re-parses anything. */

export type ParamOp =
  | ':-'
  | '-'
  | ':='
  | '='
  | ':+'
  | '+'
  | ':?'
  | '?'
  | '#'
  | '##'
  | '%'
  | '%%'
  | '/'
  | '//'
  | '/#'
  | '/%'
  | 'length';

export type WordPart =
  /** Text; `quoted` parts are neither split nor globbed. */
  | { type: 'lit'; value: string; quoted: boolean }
  | {
      type: 'param';
      name: string;
      op: ParamOp | null;
      /** The word after the operator (default value, pattern). */
      arg: Word | null;
      /** The replacement of ${name/pattern/replacement}. */
      replacement: Word | null;
      quoted: boolean;
    }
  | { type: 'command'; body: Script; quoted: boolean }
  /** $((expression)): the expression is expanded like a double-quoted string, then evaluated. */
  | { type: 'arith'; expression: Word; quoted: boolean };

export interface Word {
  parts: WordPart[];
}

export type RedirectOp = '<' | '>' | '>>' | '>|' | '<>' | '<&' | '>&' | '&>' | '&>>' | '<<<';

export interface Redirect {
  /** The explicit descriptor (2 in 2>&1), or null for the operator's default. */
  fd: number | null;
  op: RedirectOp;
  target: Word;
}

export interface SimpleCommand {
  type: 'simple';
  assignments: Array<{ name: string; value: Word }>;
  words: Word[];
  redirects: Redirect[];
  line: number;
}

export interface GroupCommand {
  type: 'group' | 'subshell';
  body: Script;
  redirects: Redirect[];
  line: number;
}

export interface IfCommand {
  type: 'if';
  clauses: Array<{ condition: Script; body: Script }>;
  otherwise: Script | null;
  redirects: Redirect[];
  line: number;
}

export interface LoopCommand {
  type: 'while' | 'until';
  condition: Script;
  body: Script;
  redirects: Redirect[];
  line: number;
}

export interface ForCommand {
  type: 'for';
  variable: string;
  /** null: `for x; do` iterates over "$@". */
  items: Word[] | null;
  body: Script;
  redirects: Redirect[];
  line: number;
}

export type Command = SimpleCommand | GroupCommand | IfCommand | LoopCommand | ForCommand;

export interface Pipeline {
  negated: boolean;
  /** bash's `time` keyword. */
  timed: boolean;
  commands: Command[];
  line: number;
}

export interface AndOr {
  first: Pipeline;
  rest: Array<{ op: '&&' | '||'; pipeline: Pipeline }>;
}

export interface Script {
  items: AndOr[];
}
