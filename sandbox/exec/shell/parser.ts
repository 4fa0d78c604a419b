/**
 * Lexer and recursive-descent parser for the POSIX shell language (plus the bash/ash extensions probes use).
 * The script is parsed one top-level line at a time, as real shells do: commands before a syntax error on a
 * later line run. Anything outside the supported subset is a syntax error that names it.
 */
import type {
  AndOr,
  Command,
  ForCommand,
  GroupCommand,
  IfCommand,
  LoopCommand,
  ParamOp,
  Pipeline,
  Redirect,
  RedirectOp,
  Script,
  SimpleCommand,
  Word,
  WordPart,
} from './ast.ts';

export type ShellFlavour = 'busybox' | 'dash' | 'bash';

export type SyntaxProblem =
  | { kind: 'unexpected'; token: string }
  | { kind: 'eof'; expecting: string | null }
  | { kind: 'unterminated'; quote: string }
  | { kind: 'bad-substitution'; text: string }
  | { kind: 'bad-for-variable'; name: string }
  | { kind: 'unsupported'; what: string };

export class ShellSyntaxError extends Error {
  readonly problem: SyntaxProblem;
  readonly line: number;
  constructor(problem: SyntaxProblem, line: number) {
    super(problem.kind);
    this.problem = problem;
    this.line = line;
  }
}

type Token =
  | { kind: 'word'; word: Word; text: string; line: number }
  | { kind: 'op'; op: string; fd: number | null; line: number }
  | { kind: 'newline'; line: number }
  | { kind: 'eof'; line: number };

const KEYWORDS = new Set([
  'if',
  'then',
  'else',
  'elif',
  'fi',
  'do',
  'done',
  'case',
  'esac',
  'while',
  'until',
  'for',
  'in',
  '{',
  '}',
  '!',
  'function',
  'select',
  'coproc',
  'time',
  '[[',
]);
const BASH_KEYWORDS = ['function', 'select', 'coproc', 'time', '[['];
const REDIRECT_OPS = new Set(['<', '>', '>>', '>|', '<>', '<&', '>&', '&>', '&>>', '<<<', '<<', '<<-']);
const METACHARS = ' \t\n;&|()<>';
const NAME = /^[A-Za-z_][A-Za-z0-9_]*/;

class WordBuilder {
  readonly parts: WordPart[] = [];

  lit(value: string, quoted: boolean): void {
    const last = this.parts[this.parts.length - 1];
    if (last !== undefined && last.type === 'lit' && last.quoted === quoted) {
      last.value += value;
    } else {
      this.parts.push({ type: 'lit', value, quoted });
    }
  }

  push(part: WordPart): void {
    this.parts.push(part);
  }
}

export class Parser {
  private readonly src: string;
  private readonly flavour: ShellFlavour;
  private pos: number;
  private line: number;
  private peeked: { token: Token; pos: number; line: number } | null = null;

  constructor(
    src: string,
    flavour: ShellFlavour,
    start: { pos: number; line: number } = { pos: 0, line: 1 },
  ) {
    this.src = src;
    this.flavour = flavour;
    this.pos = start.pos;
    this.line = start.line;
  }

  private fail(problem: SyntaxProblem, line = this.line): never {
    throw new ShellSyntaxError(problem, line);
  }

  private unsupported(what: string, line = this.line): never {
    this.fail({ kind: 'unsupported', what }, line);
  }

  // ------------------------------------------------------------------------------------------------------
  // Lexer

  private peek(): Token {
    if (this.peeked === null) {
      const saved = { pos: this.pos, line: this.line };
      const token = this.lex();
      this.peeked = { token, pos: this.pos, line: this.line };
      this.pos = saved.pos;
      this.line = saved.line;
    }
    return this.peeked.token;
  }

  private next(): Token {
    const token = this.peek();
    const peeked = this.peeked as { pos: number; line: number };
    this.pos = peeked.pos;
    this.line = peeked.line;
    this.peeked = null;
    return token;
  }

  private operators(): string[] {
    const common = [
      '&&',
      '||',
      ';;',
      '<<-',
      '<<',
      '<>',
      '<&',
      '>&',
      '>>',
      '>|',
      ';',
      '&',
      '|',
      '(',
      ')',
      '<',
      '>',
    ];
    if (this.flavour === 'dash') {
      return common;
    }
    // bash and busybox ash (bash compatibility) both know these.
    return ['&>>', '<<<', '&>', '|&', ...common];
  }

  private lex(): Token {
    for (;;) {
      const char = this.src[this.pos];
      if (char === ' ' || char === '\t') {
        this.pos++;
      } else if (char === '\\' && this.src[this.pos + 1] === '\n') {
        this.pos += 2;
        this.line++;
      } else if (char === '#') {
        while (this.pos < this.src.length && this.src[this.pos] !== '\n') {
          this.pos++;
        }
      } else {
        break;
      }
    }
    const line = this.line;
    if (this.pos >= this.src.length) {
      return { kind: 'eof', line };
    }
    if (this.src[this.pos] === '\n') {
      this.pos++;
      this.line++;
      return { kind: 'newline', line };
    }
    const io = /^(\d+)(?=[<>])/.exec(this.src.slice(this.pos, this.pos + 12));
    let fd: number | null = null;
    if (io !== null) {
      fd = Number(io[1]);
      this.pos += (io[1] as string).length;
    }
    for (const op of this.operators()) {
      if (this.src.startsWith(op, this.pos)) {
        this.pos += op.length;
        return { kind: 'op', op, fd, line };
      }
    }
    const start = this.pos;
    const builder = new WordBuilder();
    this.readUnquoted(builder, null);
    return { kind: 'word', word: { parts: builder.parts }, text: this.src.slice(start, this.pos), line };
  }

  /** A word outside double quotes: ends at a metacharacter, or (inside ${...}) at one of `stops`. */
  private readUnquoted(builder: WordBuilder, stops: string | null): void {
    while (this.pos < this.src.length) {
      const char = this.src[this.pos] as string;
      if (stops === null ? METACHARS.includes(char) : stops.includes(char)) {
        return;
      }
      if (char === '\\') {
        const next = this.src[this.pos + 1];
        if (next === undefined) {
          builder.lit('\\', true);
          this.pos++;
        } else if (next === '\n') {
          this.pos += 2;
          this.line++;
        } else {
          builder.lit(next, true);
          this.pos += 2;
        }
      } else if (char === "'") {
        const end = this.src.indexOf("'", this.pos + 1);
        if (end < 0) {
          this.fail({ kind: 'unterminated', quote: "'" });
        }
        const text = this.src.slice(this.pos + 1, end);
        this.line += text.split('\n').length - 1;
        builder.lit(text, true);
        this.pos = end + 1;
      } else if (char === '"') {
        const startLine = this.line;
        this.pos++;
        const before = builder.parts.length;
        this.readQuoted(builder, '"');
        if (this.src[this.pos] !== '"') {
          this.fail({ kind: 'unterminated', quote: '"' }, startLine);
        }
        this.pos++;
        if (builder.parts.length === before) {
          builder.push({ type: 'lit', value: '', quoted: true });
        }
      } else if (char === '$') {
        this.readDollar(builder, false);
      } else if (char === '`') {
        this.readBackquote(builder, false);
      } else {
        if (char === '\n') {
          this.line++;
        }
        builder.lit(char, false);
        this.pos++;
      }
    }
  }

  /** Double-quote rules up to (not including) one of `stops`. */
  private readQuoted(builder: WordBuilder, stops: string): void {
    while (this.pos < this.src.length) {
      const char = this.src[this.pos] as string;
      if (stops.includes(char)) {
        return;
      }
      if (char === '\\') {
        const next = this.src[this.pos + 1];
        if (next === '\n') {
          this.pos += 2;
          this.line++;
        } else if (next !== undefined && ('$`"\\'.includes(next) || (stops !== '"' && next === '}'))) {
          builder.lit(next, true);
          this.pos += 2;
        } else {
          builder.lit('\\', true);
          this.pos++;
        }
      } else if (char === '$') {
        this.readDollar(builder, true);
      } else if (char === '`') {
        this.readBackquote(builder, true);
      } else {
        if (char === '\n') {
          this.line++;
        }
        builder.lit(char, true);
        this.pos++;
      }
    }
  }

  private readDollar(builder: WordBuilder, quoted: boolean): void {
    const next = this.src[this.pos + 1];
    if (next === '{') {
      this.readBraced(builder, quoted);
      return;
    }
    if (next === '(') {
      if (this.src[this.pos + 2] === '(' && this.readArithmetic(builder, quoted)) {
        return;
      }
      this.readCommandSubstitution(builder, quoted);
      return;
    }
    if (next === "'" && !quoted && this.flavour !== 'dash') {
      this.readAnsiC(builder);
      return;
    }
    const rest = this.src.slice(this.pos + 1);
    const name = NAME.exec(rest)?.[0] ?? (next !== undefined && /[0-9@*#?$!-]/.test(next) ? next : null);
    if (name === null) {
      builder.lit('$', quoted);
      this.pos++;
      return;
    }
    builder.push({ type: 'param', name, op: null, arg: null, replacement: null, quoted });
    this.pos += 1 + name.length;
  }

  private readBraced(builder: WordBuilder, quoted: boolean): void {
    const start = this.pos;
    const line = this.line;
    this.pos += 2;
    const badSubstitution = (): never => {
      const end = this.src.indexOf('}', start);
      this.fail(
        { kind: 'bad-substitution', text: this.src.slice(start, end < 0 ? undefined : end + 1) },
        line,
      );
    };
    const rest = this.src.slice(this.pos);
    const special = /^([0-9]+|[@*#?$!-])/;
    if (
      rest.startsWith('#') &&
      rest[1] !== '}' &&
      (NAME.test(rest.slice(1)) || special.test(rest.slice(1)))
    ) {
      const name = NAME.exec(rest.slice(1))?.[0] ?? special.exec(rest.slice(1))?.[0] ?? '';
      this.pos += 1 + name.length;
      if (this.src[this.pos] !== '}') {
        badSubstitution();
      }
      this.pos++;
      builder.push({ type: 'param', name, op: 'length', arg: null, replacement: null, quoted });
      return;
    }
    const name = NAME.exec(rest)?.[0] ?? special.exec(rest)?.[0];
    if (name === undefined) {
      if (this.pos >= this.src.length) {
        this.fail({ kind: 'unterminated', quote: '${' }, line);
      }
      badSubstitution();
      return;
    }
    this.pos += name.length;
    if (this.src[this.pos] === '}') {
      this.pos++;
      builder.push({ type: 'param', name, op: null, arg: null, replacement: null, quoted });
      return;
    }
    const ops: ParamOp[] = [':-', ':=', ':+', ':?', '##', '%%', '-', '=', '+', '?', '#', '%'];
    if (this.flavour !== 'dash') {
      ops.unshift('//', '/#', '/%');
      ops.push('/');
    }
    const op = ops.find((candidate) => this.src.startsWith(candidate, this.pos));
    if (op === undefined) {
      if (this.pos >= this.src.length) {
        this.fail({ kind: 'unterminated', quote: '${' }, line);
      }
      badSubstitution();
      return;
    }
    this.pos += op.length;
    const isReplace = op === '/' || op === '//' || op === '/#' || op === '/%';
    const readArg = (stops: string): Word => {
      const argBuilder = new WordBuilder();
      if (quoted) {
        this.readQuoted(argBuilder, stops);
      } else {
        this.readUnquoted(argBuilder, stops);
      }
      return { parts: argBuilder.parts };
    };
    const arg = readArg(isReplace ? '/}' : '}');
    let replacement: Word | null = null;
    if (isReplace && this.src[this.pos] === '/') {
      this.pos++;
      replacement = readArg('}');
    }
    if (this.src[this.pos] !== '}') {
      this.fail({ kind: 'unterminated', quote: '${' }, line);
    }
    this.pos++;
    builder.push({ type: 'param', name, op, arg, replacement, quoted });
  }

  /** $((...)); false when the text is `$( (...) ...)`, a command substitution starting with a subshell. */
  private readArithmetic(builder: WordBuilder, quoted: boolean): boolean {
    const line = this.line;
    let depth = 0;
    for (let i = this.pos + 3; i < this.src.length; i++) {
      const char = this.src[i];
      if (char === '(') {
        depth++;
      } else if (char === ')') {
        if (depth > 0) {
          depth--;
          continue;
        }
        if (this.src[i + 1] !== ')') {
          return false;
        }
        const text = this.src.slice(this.pos + 3, i);
        const inner = new Parser(text, this.flavour, { pos: 0, line });
        const expression = new WordBuilder();
        inner.readQuoted(expression, '');
        this.line += text.split('\n').length - 1;
        this.pos = i + 2;
        builder.push({ type: 'arith', expression: { parts: expression.parts }, quoted });
        return true;
      }
    }
    this.fail({ kind: 'unterminated', quote: '$((' }, line);
  }

  private readCommandSubstitution(builder: WordBuilder, quoted: boolean): void {
    const line = this.line;
    const inner = new Parser(this.src, this.flavour, { pos: this.pos + 2, line: this.line });
    const body = inner.parseList([], [')']);
    const close = inner.next();
    if (close.kind !== 'op' || close.op !== ')') {
      if (close.kind === 'eof') {
        this.fail({ kind: 'unterminated', quote: '$(' }, line);
      }
      inner.unexpected(close);
    }
    this.pos = inner.pos;
    this.line = inner.line;
    builder.push({ type: 'command', body, quoted });
  }

  private readBackquote(builder: WordBuilder, quoted: boolean): void {
    const line = this.line;
    let text = '';
    this.pos++;
    for (;;) {
      const char = this.src[this.pos];
      if (char === undefined) {
        this.fail({ kind: 'unterminated', quote: '`' }, line);
      }
      if (char === '`') {
        this.pos++;
        break;
      }
      const next = this.src[this.pos + 1];
      if (char === '\\' && next !== undefined && ('$`\\'.includes(next) || (quoted && next === '"'))) {
        text += next;
        this.pos += 2;
        continue;
      }
      if (char === '\n') {
        this.line++;
      }
      text += char;
      this.pos++;
    }
    const body = new Parser(text, this.flavour, { pos: 0, line }).parseAll();
    builder.push({ type: 'command', body, quoted });
  }

  private readAnsiC(builder: WordBuilder): void {
    const line = this.line;
    this.pos += 2;
    let out = '';
    const simple: Record<string, string> = {
      n: '\n',
      t: '\t',
      r: '\r',
      a: '\x07',
      b: '\b',
      e: '\x1b',
      E: '\x1b',
      f: '\f',
      v: '\v',
      '\\': '\\',
      "'": "'",
      '"': '"',
      '?': '?',
    };
    for (;;) {
      const char = this.src[this.pos];
      if (char === undefined) {
        this.fail({ kind: 'unterminated', quote: "'" }, line);
      }
      if (char === "'") {
        this.pos++;
        break;
      }
      if (char !== '\\') {
        if (char === '\n') {
          this.line++;
        }
        out += char;
        this.pos++;
        continue;
      }
      const next = this.src[this.pos + 1] ?? '';
      const mapped = simple[next];
      if (mapped !== undefined) {
        out += mapped;
        this.pos += 2;
        continue;
      }
      const octal = /^[0-7]{1,3}/.exec(this.src.slice(this.pos + 1))?.[0];
      if (octal !== undefined) {
        out += String.fromCharCode(parseInt(octal, 8) & 0xff);
        this.pos += 1 + octal.length;
        continue;
      }
      const hex = /^x([0-9a-fA-F]{1,2})/.exec(this.src.slice(this.pos + 1));
      if (hex !== null) {
        out += String.fromCharCode(parseInt(hex[1] as string, 16));
        this.pos += 1 + hex[0].length;
        continue;
      }
      out += `\\${next}`;
      this.pos += 2;
    }
    builder.lit(out, true);
  }

  // ------------------------------------------------------------------------------------------------------
  // Parser

  private tokenName(token: Token): string {
    switch (token.kind) {
      case 'word':
        return token.text;
      case 'op':
        return `${token.fd ?? ''}${token.op}`;
      case 'newline':
        return 'newline';
      default:
        return 'end of file';
    }
  }

  unexpected(token: Token, expecting: string | null = null): never {
    if (token.kind === 'eof') {
      this.fail({ kind: 'eof', expecting }, token.line);
    }
    this.fail({ kind: 'unexpected', token: this.tokenName(token) }, token.line);
  }

  private keyword(token: Token): string | null {
    if (token.kind !== 'word' || token.word.parts.length !== 1) {
      return null;
    }
    const part = token.word.parts[0];
    if (part === undefined || part.type !== 'lit' || part.quoted || !KEYWORDS.has(part.value)) {
      return null;
    }
    // What bash alone reserves is an ordinary command name elsewhere (ash keeps [[ and function).
    const bashOnly = this.flavour === 'dash' ? BASH_KEYWORDS : ['select', 'coproc', 'time'];
    return this.flavour !== 'bash' && bashOnly.includes(part.value) ? null : part.value;
  }

  private skipNewlines(): void {
    while (this.peek().kind === 'newline') {
      this.next();
    }
  }

  /** The next top-level command line, or null at the end of the script. */
  parseNext(): Script | null {
    this.skipNewlines();
    if (this.peek().kind === 'eof') {
      return null;
    }
    const items: AndOr[] = [];
    for (;;) {
      items.push(this.parseAndOr());
      const token = this.peek();
      if (token.kind === 'op' && token.op === ';') {
        this.next();
        const after = this.peek();
        if (after.kind === 'newline' || after.kind === 'eof') {
          if (after.kind === 'newline') {
            this.next();
          }
          return { items };
        }
        continue;
      }
      if (token.kind === 'op' && token.op === '&') {
        this.unsupported('background jobs (&)', token.line);
      }
      if (token.kind === 'newline') {
        this.next();
        return { items };
      }
      if (token.kind === 'eof') {
        return { items };
      }
      this.unexpected(token);
    }
  }

  /** The whole script at once (for `...`, eval and sourced files). */
  parseAll(): Script {
    const items: AndOr[] = [];
    for (let script = this.parseNext(); script !== null; script = this.parseNext()) {
      items.push(...script.items);
    }
    return { items };
  }

  /** A compound list, up to (not including) one of the given keywords or operators. */
  parseList(
    stopWords: string[],
    stopOps: string[],
    expecting: string | null = stopWords[0] ?? stopOps[0] ?? null,
  ): Script {
    const items: AndOr[] = [];
    const atStop = (): boolean => {
      const token = this.peek();
      const keyword = this.keyword(token);
      return (
        token.kind === 'eof' ||
        (keyword !== null && stopWords.includes(keyword)) ||
        (token.kind === 'op' && stopOps.includes(token.op))
      );
    };
    this.skipNewlines();
    while (!atStop()) {
      items.push(this.parseAndOr());
      const token = this.peek();
      if (token.kind === 'op' && token.op === ';') {
        this.next();
        this.skipNewlines();
        continue;
      }
      if (token.kind === 'newline') {
        this.skipNewlines();
        continue;
      }
      if (token.kind === 'op' && token.op === '&') {
        this.unsupported('background jobs (&)', token.line);
      }
      break;
    }
    if (items.length === 0) {
      this.unexpected(this.peek(), expecting);
    }
    return { items };
  }

  private expectKeyword(word: string): void {
    const token = this.peek();
    if (this.keyword(token) !== word) {
      this.unexpected(token, word);
    }
    this.next();
  }

  private parseAndOr(): AndOr {
    const first = this.parsePipeline();
    const rest: AndOr['rest'] = [];
    for (;;) {
      const token = this.peek();
      if (token.kind === 'op' && (token.op === '&&' || token.op === '||')) {
        this.next();
        this.skipNewlines();
        rest.push({ op: token.op, pipeline: this.parsePipeline() });
        continue;
      }
      return { first, rest };
    }
  }

  private parsePipeline(): Pipeline {
    const line = this.peek().line;
    let negated = false;
    let timed = false;
    if (this.keyword(this.peek()) === 'time') {
      this.next();
      timed = true;
    }
    if (this.keyword(this.peek()) === '!') {
      this.next();
      negated = true;
    }
    const commands: Command[] = [this.parseCommand()];
    for (;;) {
      const token = this.peek();
      if (token.kind === 'op' && (token.op === '|' || token.op === '|&')) {
        this.next();
        if (token.op === '|&') {
          const last = commands[commands.length - 1] as Command;
          last.redirects.push({
            fd: 2,
            op: '>&',
            target: { parts: [{ type: 'lit', value: '1', quoted: false }] },
          });
        }
        this.skipNewlines();
        commands.push(this.parseCommand());
        continue;
      }
      return { negated, timed, commands, line };
    }
  }

  private parseCommand(): Command {
    const token = this.peek();
    const keyword = this.keyword(token);
    if (keyword !== null) {
      switch (keyword) {
        case 'if':
          return this.parseIf();
        case 'while':
        case 'until':
          return this.parseLoop(keyword);
        case 'for':
          return this.parseFor();
        case '{':
          return this.parseGroup();
        case 'case':
          return this.unsupported("'case' statements", token.line);
        case 'function':
          return this.unsupported('function definitions', token.line);
        case 'select':
        case 'coproc':
          return this.unsupported(`'${keyword}'`, token.line);
        case '[[':
          return this.unsupported("'[[ ... ]]' conditional expressions (use [ ... ])", token.line);
        case 'in':
          break;
        default:
          return this.unexpected(token);
      }
    }
    if (token.kind === 'op' && token.op === '(') {
      return this.parseSubshell();
    }
    if (token.kind === 'op' && !REDIRECT_OPS.has(token.op)) {
      return this.unexpected(token);
    }
    if (token.kind === 'newline' || token.kind === 'eof') {
      return this.unexpected(token);
    }
    return this.parseSimple();
  }

  private parseRedirects(): Redirect[] {
    const redirects: Redirect[] = [];
    for (;;) {
      const token = this.peek();
      if (token.kind === 'op' && REDIRECT_OPS.has(token.op)) {
        this.next();
        redirects.push(this.parseRedirect(token));
        continue;
      }
      return redirects;
    }
  }

  private parseRedirect(token: Token & { kind: 'op' }): Redirect {
    if (token.op === '<<' || token.op === '<<-') {
      this.unsupported('here-documents (<<)', token.line);
    }
    const target = this.next();
    if (target.kind !== 'word') {
      this.unexpected(target);
    }
    return { fd: token.fd, op: token.op as RedirectOp, target: target.word };
  }

  private parseIf(): IfCommand {
    const line = this.next().line;
    const clauses: IfCommand['clauses'] = [];
    let condition = this.parseList(['then'], []);
    this.expectKeyword('then');
    let body = this.parseList(['elif', 'else', 'fi'], [], 'fi');
    clauses.push({ condition, body });
    let otherwise: Script | null = null;
    for (;;) {
      const keyword = this.keyword(this.peek());
      if (keyword === 'elif') {
        this.next();
        condition = this.parseList(['then'], []);
        this.expectKeyword('then');
        body = this.parseList(['elif', 'else', 'fi'], [], 'fi');
        clauses.push({ condition, body });
        continue;
      }
      if (keyword === 'else') {
        this.next();
        otherwise = this.parseList(['fi'], []);
      }
      break;
    }
    this.expectKeyword('fi');
    return { type: 'if', clauses, otherwise, redirects: this.parseRedirects(), line };
  }

  private parseLoop(kind: 'while' | 'until'): LoopCommand {
    const line = this.next().line;
    const condition = this.parseList(['do'], []);
    this.expectKeyword('do');
    const body = this.parseList(['done'], []);
    this.expectKeyword('done');
    return { type: kind, condition, body, redirects: this.parseRedirects(), line };
  }

  private parseFor(): ForCommand {
    const line = this.next().line;
    const nameToken = this.next();
    const name = nameToken.kind === 'word' ? nameToken.text : '';
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) {
      if (nameToken.kind === 'op' && nameToken.op === '(' && this.src[this.pos] === '(') {
        this.unsupported("arithmetic 'for ((...))' loops", line);
      }
      this.fail({ kind: 'bad-for-variable', name }, line);
    }
    let items: Word[] | null = null;
    this.skipNewlines();
    if (this.keyword(this.peek()) === 'in') {
      this.next();
      items = [];
      for (;;) {
        const token = this.peek();
        if (token.kind === 'word') {
          this.next();
          items.push(token.word);
          continue;
        }
        break;
      }
      const end = this.peek();
      if (end.kind === 'op' && end.op === ';') {
        this.next();
      } else if (end.kind !== 'newline') {
        this.unexpected(end, 'do');
      }
    } else if (this.peek().kind === 'op' && (this.peek() as { op: string }).op === ';') {
      this.next();
    }
    this.skipNewlines();
    this.expectKeyword('do');
    const body = this.parseList(['done'], []);
    this.expectKeyword('done');
    return { type: 'for', variable: name, items, body, redirects: this.parseRedirects(), line };
  }

  private parseGroup(): GroupCommand {
    const line = this.next().line;
    const body = this.parseList(['}'], []);
    this.expectKeyword('}');
    return { type: 'group', body, redirects: this.parseRedirects(), line };
  }

  private parseSubshell(): GroupCommand {
    const open = this.next();
    if (this.src[this.pos] === '(' && open.kind === 'op') {
      this.unsupported('arithmetic commands ((...)) (use [ ... ] or $((...)))', open.line);
    }
    const body = this.parseList([], [')']);
    const close = this.next();
    if (close.kind !== 'op' || close.op !== ')') {
      this.unexpected(close, ')');
    }
    return { type: 'subshell', body, redirects: this.parseRedirects(), line: open.line };
  }

  private parseSimple(): SimpleCommand {
    const line = this.peek().line;
    const command: SimpleCommand = { type: 'simple', assignments: [], words: [], redirects: [], line };
    for (;;) {
      const token = this.peek();
      if (token.kind === 'op' && REDIRECT_OPS.has(token.op)) {
        this.next();
        command.redirects.push(this.parseRedirect(token));
        continue;
      }
      if (token.kind !== 'word') {
        break;
      }
      this.next();
      const first = token.word.parts[0];
      const assignment =
        command.words.length === 0 && first !== undefined && first.type === 'lit' && !first.quoted
          ? /^([A-Za-z_][A-Za-z0-9_]*)(\+?)=/.exec(first.value)
          : null;
      if (assignment !== null && first !== undefined && first.type === 'lit') {
        if (assignment[2] === '+' && this.flavour === 'dash') {
          command.words.push(token.word);
          continue;
        }
        const next = this.peek();
        if (next.kind === 'op' && next.op === '(' && token.text.endsWith('=')) {
          this.unsupported('array assignments', token.line);
        }
        const rest = first.value.slice(assignment[0].length);
        const parts: WordPart[] = rest !== '' ? [{ type: 'lit', value: rest, quoted: false }] : [];
        parts.push(...token.word.parts.slice(1));
        const value: Word = { parts };
        if (assignment[2] === '+') {
          value.parts.unshift({
            type: 'param',
            name: assignment[1] as string,
            op: null,
            arg: null,
            replacement: null,
            quoted: true,
          });
        }
        command.assignments.push({ name: assignment[1] as string, value });
        continue;
      }
      if (this.flavour === 'bash') {
        for (const part of token.word.parts) {
          if (part.type === 'lit' && !part.quoted && /\{[^{}\s]*(,|\.\.)[^{}\s]*\}/.test(part.value)) {
            this.unsupported('brace expansion {a,b}', token.line);
          }
        }
      }
      command.words.push(token.word);
      const after = this.peek();
      if (command.words.length === 1 && after.kind === 'op' && after.op === '(') {
        this.unsupported('function definitions', token.line);
      }
    }
    if (command.words.length === 0 && command.assignments.length === 0 && command.redirects.length === 0) {
      this.unexpected(this.peek());
    }
    return command;
  }
}
