/**
 * The shell interpreter: busybox ash, dash and bash, told apart where probes can see the difference (error
 * messages, echo, `command -v`, /dev/tcp). Commands run as emulated processes; nothing reaches the host.
 */
import { isIPv4 } from 'node:net';
import { resolveHost } from '../dns.ts';
import { FsError, strerror, VirtualFs } from '../fs.ts';
import { abortable, BadFdError, bufferInput, BrokenPipeError, collectOutput, createPipe } from '../io.ts';
import type { FdTable, OpenFile } from '../io.ts';
import { connectTcp, NetError, SocketReader, socketWriter } from '../net/socket.ts';
import { KillSignal, signalNumber, signalText, writeErr, writeFd } from '../process.ts';
import type { ExitInfo, Proc, SignalName } from '../process.ts';
import { echo, evaluateTest, printf, TestSyntaxError } from '../tools/text.ts';
import type { AndOr, Command, Pipeline, Redirect, Script, SimpleCommand } from './ast.ts';
import { expandFields, expandString, ExpansionError } from './expand.ts';
import type { ExpandHost } from './expand.ts';
import { Parser, ShellSyntaxError } from './parser.ts';
import type { ShellFlavour, SyntaxProblem } from './parser.ts';

/** Ends the shell (exit, exec, fatal errors) with this status. */
class ExitShell extends Error {
  readonly info: ExitInfo;
  constructor(info: ExitInfo) {
    super('exit');
    this.info = info;
  }
}

class LoopControl extends Error {
  readonly kind: 'break' | 'continue';
  levels: number;
  constructor(kind: 'break' | 'continue', levels: number) {
    super(kind);
    this.kind = kind;
    this.levels = levels;
  }
}

class ReturnFromSource extends Error {
  readonly code: number;
  constructor(code: number) {
    super('return');
    this.code = code;
  }
}

interface Variable {
  value: string;
  exported: boolean;
}

interface Options {
  errexit: boolean;
  nounset: boolean;
  xtrace: boolean;
  pipefail: boolean;
  allexport: boolean;
  noglob: boolean;
}

type Builtin = (shell: Shell, argv: string[], io: Proc) => Promise<number>;

const SPECIAL_BUILTINS = new Set([
  ':',
  '.',
  'break',
  'continue',
  'eval',
  'exec',
  'exit',
  'export',
  'readonly',
  'return',
  'set',
  'shift',
  'trap',
  'unset',
  'times',
]);
const KEYWORD_NAMES = [
  'if',
  'then',
  'else',
  'elif',
  'fi',
  'case',
  'esac',
  'for',
  'while',
  'until',
  'do',
  'done',
  'in',
  '{',
  '}',
  '!',
];
const UNSUPPORTED_BUILTINS: Record<ShellFlavour, string[]> = {
  bash: [
    'declare',
    'typeset',
    'local',
    'let',
    'shopt',
    'mapfile',
    'readarray',
    'pushd',
    'popd',
    'dirs',
    'disown',
    'jobs',
    'fg',
    'bg',
    'getopts',
    'alias',
    'unalias',
    'ulimit',
    'caller',
    'compgen',
    'complete',
    'enable',
    'help',
    'history',
    'logout',
    'suspend',
    'builtin',
    'kill',
  ],
  dash: ['alias', 'unalias', 'getopts', 'jobs', 'fg', 'bg', 'kill', 'local', 'ulimit'],
  busybox: ['alias', 'unalias', 'getopts', 'jobs', 'fg', 'bg', 'kill', 'local', 'ulimit', 'let'],
};

function shellQuote(word: string): string {
  return /^[A-Za-z0-9_@%+=:,./-]+$/.test(word) ? word : `'${word.replace(/'/g, "'\\''")}'`;
}

export interface ShellSetup {
  flavour: ShellFlavour;
  /** $0 */
  arg0: string;
  /** busybox prints "line N:" in messages only when $0 was given (or a script file runs). */
  named: boolean;
  positional: string[];
  options: Partial<Options>;
  source: string;
}

export class Shell implements ExpandHost {
  readonly flavour: ShellFlavour;
  readonly proc: Proc;
  readonly arg0: string;
  readonly named: boolean;
  readonly pid: number;
  private readonly source: string;
  positionalParams: string[];
  vars: Map<string, Variable>;
  opts: Options;
  fds: FdTable;
  cwd: string;
  status = 0;
  lineno = 1;
  private loopDepth = 0;
  private conditionDepth = 0;
  private sourceDepth = 0;
  private substitutionStatus: number | null = null;
  private exitTrap: string | null = null;
  private readonly hashed: Set<string>;
  private readonly invokedName: string;
  private pendingExports = new Set<string>();
  private lastArgv: string[] | null = null;

  constructor(proc: Proc, setup: ShellSetup) {
    this.proc = proc;
    this.flavour = setup.flavour;
    this.arg0 = setup.arg0;
    this.named = setup.named;
    this.source = setup.source;
    this.positionalParams = setup.positional;
    this.pid = proc.sys.nextPid();
    this.fds = proc.fds.clone();
    this.cwd = proc.cwd;
    this.hashed = new Set();
    const invoked = proc.argv[0] ?? 'sh';
    this.invokedName = invoked.slice(invoked.lastIndexOf('/') + 1);
    this.opts = {
      errexit: false,
      nounset: false,
      xtrace: false,
      pipefail: false,
      allexport: false,
      noglob: false,
      ...setup.options,
    };
    this.vars = new Map();
    for (const [name, value] of Object.entries(proc.env)) {
      this.vars.set(name, { value, exported: true });
    }
    const defaults: Record<string, string> = {
      IFS: ' \t\n',
      PS1: '\\w \\$ ',
      PS2: '> ',
      PS4: '+ ',
      OPTIND: '1',
      PPID: '1',
      PWD: this.cwd,
    };
    if (this.flavour === 'bash') {
      Object.assign(defaults, {
        BASH: '/bin/bash',
        BASH_VERSION: '5.2.21(1)-release',
        SHLVL: '1',
        HOSTNAME: proc.sys.ctx.pod.hostname,
      });
    }
    for (const [name, value] of Object.entries(defaults)) {
      if (!this.vars.has(name)) {
        this.vars.set(name, { value, exported: name === 'PWD' || name === 'SHLVL' });
      }
    }
  }

  get nounset(): boolean {
    return this.opts.nounset;
  }

  private get signal(): AbortSignal {
    return this.proc.signal;
  }

  private clone(): Shell {
    const copy = Object.create(Shell.prototype) as Shell;
    Object.assign(copy, this);
    copy.vars = new Map([...this.vars].map(([name, variable]) => [name, { ...variable }]));
    copy.positionalParams = [...this.positionalParams];
    copy.opts = { ...this.opts };
    copy.fds = this.fds.clone();
    copy.pendingExports = new Set(this.pendingExports);
    copy.exitTrap = null;
    return copy;
  }

  // ------------------------------------------------------------------------------------------------------
  // Messages

  /** "sh: line 1: " (busybox), "sh: 1: " (dash), "bash: line 1: " (bash). */
  private prefix(): string {
    switch (this.flavour) {
      case 'bash':
        return `${this.arg0}: line ${this.lineno}: `;
      case 'dash':
        return `${this.arg0}: ${this.lineno}: `;
      default:
        return this.named ? `${this.arg0}: line ${this.lineno}: ` : `${this.arg0}: `;
    }
  }

  private async error(message: string): Promise<void> {
    await writeErr(this.io([]), `${this.prefix()}${message}\n`);
  }

  /** An error of a builtin, with the builtin's name where each shell puts it. */
  private async builtinError(name: string, message: string): Promise<void> {
    const text =
      this.flavour === 'busybox'
        ? `${this.arg0}: ${name}: line ${this.lineno}: ${message}`
        : `${this.prefix()}${name}: ${message}`;
    await writeErr(this.io([]), `${text}\n`);
  }

  private syntaxMessage(problem: SyntaxProblem, line: number): string {
    this.lineno = line;
    const sourceLine = this.source.split('\n')[line - 1] ?? '';
    if (problem.kind === 'unsupported') {
      const text = `${problem.what} is not supported by the KubeReach sandbox shell`;
      return this.flavour === 'bash'
        ? `${this.arg0}: -c: line ${line}: syntax error: ${text}`
        : this.flavour === 'dash'
          ? `${this.arg0}: ${line}: Syntax error: ${text}`
          : `${this.prefix()}syntax error: ${text}`;
    }
    switch (this.flavour) {
      case 'bash':
        switch (problem.kind) {
          case 'unexpected':
            return `${this.arg0}: -c: line ${line}: syntax error near unexpected token \`${problem.token}'\n${this.arg0}: -c: line ${line}: \`${sourceLine}'`;
          case 'eof':
            return `${this.arg0}: -c: line ${line}: syntax error: unexpected end of file`;
          case 'unterminated':
            return `${this.arg0}: -c: line ${line}: unexpected EOF while looking for matching \`${{ '$(': ')', '$((': ')', '${': '}' }[problem.quote] ?? problem.quote}'`;
          case 'bad-substitution':
            return `${this.arg0}: line ${line}: ${problem.text}: bad substitution`;
          default:
            return problem.name === ''
              ? `${this.arg0}: -c: line ${line}: syntax error: unexpected end of file`
              : `${this.arg0}: -c: line ${line}: \`${problem.name}': not a valid identifier`;
        }
      case 'dash':
        switch (problem.kind) {
          case 'unexpected':
            return `${this.arg0}: ${line}: Syntax error: "${problem.token}" unexpected`;
          case 'eof':
            return `${this.arg0}: ${line}: Syntax error: end of file unexpected${problem.expecting !== null ? ` (expecting "${problem.expecting}")` : ''}`;
          case 'unterminated':
            return `${this.arg0}: ${line}: Syntax error: ${
              {
                "'": 'Unterminated quoted string',
                '"': 'Unterminated quoted string',
                '`': 'EOF in backquote substitution',
                '$(': 'end of file unexpected (expecting ")")',
                '$((': "Missing '))'",
              }[problem.quote] ?? "Missing '}'"
            }`;
          case 'bad-substitution':
            return `${this.arg0}: ${line}: Syntax error: Bad substitution`;
          default:
            return `${this.arg0}: ${line}: Syntax error: Bad for loop variable`;
        }
      default:
        switch (problem.kind) {
          case 'unexpected':
            return `${this.prefix()}syntax error: unexpected ${problem.token === 'newline' ? 'newline' : `"${problem.token}"`}`;
          case 'eof':
            return `${this.prefix()}syntax error: unexpected end of file${problem.expecting !== null ? ` (expecting "${problem.expecting}")` : ''}`;
          case 'unterminated':
            return `${this.prefix()}syntax error: ${
              {
                "'": 'unterminated quoted string',
                '"': 'unterminated quoted string',
                '`': 'EOF in backquote substitution',
                '$(': 'unexpected end of file (expecting ")")',
                '$((': "missing '))'",
              }[problem.quote] ?? "missing '}'"
            }`;
          case 'bad-substitution':
            return `${this.prefix()}syntax error: bad substitution`;
          default:
            return `${this.prefix()}syntax error: bad for loop variable`;
        }
    }
  }

  // ------------------------------------------------------------------------------------------------------
  // Variables (ExpandHost)

  lookup(name: string): string | undefined {
    switch (name) {
      case '?':
        return String(this.status);
      case '$':
        return String(this.pid);
      case '!':
        return this.flavour === 'bash' ? undefined : '';
      case '#':
        return String(this.positionalParams.length);
      case '-':
        return `${this.opts.errexit ? 'e' : ''}${this.opts.nounset ? 'u' : ''}${this.opts.xtrace ? 'x' : ''}${this.flavour === 'bash' ? 'hBc' : 'c'}`;
      case '0':
        return this.arg0;
      case 'LINENO':
        return this.vars.get('LINENO')?.value ?? String(this.lineno);
      case 'RANDOM':
        return this.flavour === 'dash'
          ? this.vars.get(name)?.value
          : String(Math.floor(Math.random() * 32768));
      default:
        if (/^[0-9]+$/.test(name)) {
          return this.positionalParams[Number(name) - 1];
        }
        return this.vars.get(name)?.value;
    }
  }

  positional(): string[] {
    return this.positionalParams;
  }

  assign(name: string, value: string): void {
    const existing = this.vars.get(name);
    const exported = existing?.exported ?? (this.pendingExports.has(name) || this.opts.allexport);
    this.vars.set(name, { value, exported });
    if (name === 'PWD') {
      this.cwd = value;
    }
  }

  async substitute(body: Script): Promise<string> {
    const sub = this.clone();
    const { output, chunks } = collectOutput();
    sub.fds.set(1, { label: 'pipe', output });
    try {
      await sub.runBody(body);
    } catch (error) {
      if (!(error instanceof ExitShell)) {
        throw error;
      }
      sub.status = error.info.code;
    }
    this.substitutionStatus = sub.status;
    return Buffer.concat(chunks).toString().replace(/\n+$/, '');
  }

  private environment(extra: Array<{ name: string; value: string }> = []): Record<string, string> {
    const env: Record<string, string> = {};
    for (const [name, variable] of this.vars) {
      if (variable.exported) {
        env[name] = variable.value;
      }
    }
    for (const { name, value } of extra) {
      env[name] = value;
    }
    return env;
  }

  /** A process view of the shell for builtins and messages: its descriptors, environment, kill switch. */
  private io(argv: string[], fds: FdTable = this.fds): Proc {
    return { sys: this.proc.sys, argv, env: this.environment(), fds, signal: this.signal, cwd: this.cwd };
  }

  // ------------------------------------------------------------------------------------------------------
  // Running

  /** Runs the script line by line; resolves with the exit status. */
  async run(): Promise<ExitInfo> {
    const parser = new Parser(this.source, this.flavour);
    let info: ExitInfo;
    try {
      for (;;) {
        let script: Script | null;
        try {
          script = parser.parseNext();
        } catch (error) {
          if (!(error instanceof ShellSyntaxError)) {
            throw error;
          }
          await writeErr(this.io([]), `${this.syntaxMessage(error.problem, error.line)}\n`);
          this.status = 2;
          throw new ExitShell({ code: 2 });
        }
        if (script === null) {
          break;
        }
        await this.runBody(script);
      }
      info = { code: this.status };
    } catch (error) {
      if (!(error instanceof ExitShell)) {
        throw error;
      }
      info = error.info;
    }
    return this.runExitTrap(info);
  }

  private async runExitTrap(info: ExitInfo): Promise<ExitInfo> {
    const trap = this.exitTrap;
    if (trap === null || this.signal.aborted) {
      return info;
    }
    this.exitTrap = null;
    this.status = info.code;
    try {
      await this.evalString(trap);
    } catch (error) {
      if (error instanceof ExitShell) {
        return error.info;
      }
      throw error;
    }
    return info;
  }

  private async evalString(text: string): Promise<void> {
    let script: Script;
    try {
      script = new Parser(text, this.flavour, { pos: 0, line: this.lineno }).parseAll();
    } catch (error) {
      if (error instanceof ShellSyntaxError) {
        await writeErr(this.io([]), `${this.syntaxMessage(error.problem, error.line)}\n`);
        this.status = 2;
        return;
      }
      throw error;
    }
    await this.runBody(script);
  }

  private checkAlive(): void {
    if (this.signal.aborted) {
      throw this.signal.reason;
    }
  }

  async runBody(script: Script): Promise<void> {
    for (const item of script.items) {
      await this.runAndOr(item);
    }
  }

  private async runAndOr(item: AndOr): Promise<void> {
    const last = item.rest.length;
    await this.runPipeline(item.first, last > 0);
    for (let i = 0; i < item.rest.length; i++) {
      const { op, pipeline } = item.rest[i] as AndOr['rest'][number];
      if ((op === '&&') === (this.status === 0)) {
        await this.runPipeline(pipeline, i < last - 1);
      }
    }
  }

  private async runPipeline(pipeline: Pipeline, tested: boolean): Promise<void> {
    this.checkAlive();
    this.lineno = pipeline.line;
    let info: ExitInfo;
    const started = this.proc.sys.now();
    if (pipeline.negated) {
      this.conditionDepth++;
    }
    try {
      if (pipeline.commands.length === 1) {
        info = await this.runCommand(pipeline.commands[0] as Command);
      } else {
        info = await this.runConcurrently(pipeline.commands);
      }
    } finally {
      if (pipeline.negated) {
        this.conditionDepth--;
      }
    }
    this.checkAlive();
    if (info.signal !== undefined && info.signal !== 'PIPE' && info.signal !== 'INT') {
      await this.reportDeath(info.signal, pipeline);
    }
    if (pipeline.timed) {
      const seconds = (this.proc.sys.now() - started) / 1000;
      const real = `${Math.floor(seconds / 60)}m${(seconds % 60).toFixed(3)}s`;
      await writeErr(this.io([]), `\nreal\t${real}\nuser\t0m0.000s\nsys\t0m0.000s\n`);
    }
    this.status = pipeline.negated ? (info.code === 0 ? 1 : 0) : info.code;
    if (this.opts.errexit && !tested && !pipeline.negated && this.conditionDepth === 0 && this.status !== 0) {
      throw new ExitShell({ code: this.status });
    }
  }

  private async reportDeath(signal: SignalName, pipeline: Pipeline): Promise<void> {
    if (this.flavour !== 'bash') {
      await writeErr(this.io([]), `${signalText(signal)}\n`);
      return;
    }
    const last = pipeline.commands[pipeline.commands.length - 1];
    const text = last !== undefined && last.type === 'simple' ? (this.lastArgv ?? []).join(' ') : '';
    await writeErr(
      this.io([]),
      `${this.prefix()}${String(this.proc.sys.nextPid()).padStart(5)} ${signalText(signal).padEnd(23)} ${text}\n`,
    );
  }

  private async runConcurrently(commands: Command[]): Promise<ExitInfo> {
    const pipes = commands.slice(1).map(() => createPipe());
    const results = await Promise.all(
      commands.map(async (command, index) => {
        const sub = this.clone();
        const upstream = pipes[index - 1];
        const downstream = pipes[index];
        if (upstream !== undefined) {
          sub.fds.set(0, { label: 'pipe', input: upstream.input });
        }
        if (downstream !== undefined) {
          sub.fds.set(1, { label: 'pipe', output: downstream.output });
        }
        try {
          return await sub.runAsProcess(command);
        } finally {
          downstream?.output.close();
          upstream?.input.close();
          if (index === commands.length - 1) {
            this.lastArgv = sub.lastArgv;
          }
        }
      }),
    );
    if (this.opts.pipefail) {
      const failed = [...results].reverse().find((result) => result.code !== 0);
      if (failed !== undefined) {
        return failed;
      }
    }
    return results[results.length - 1] as ExitInfo;
  }

  /** Runs a command as a subshell process (pipeline element). */
  private async runAsProcess(command: Command): Promise<ExitInfo> {
    try {
      return await this.runCommand(command);
    } catch (error) {
      if (error instanceof ExitShell) {
        return error.info;
      }
      if (error instanceof BrokenPipeError) {
        return { code: 128 + signalNumber('PIPE'), signal: 'PIPE' };
      }
      if (error instanceof LoopControl || error instanceof ReturnFromSource) {
        return { code: this.status };
      }
      throw error;
    }
  }

  private async runCommand(command: Command): Promise<ExitInfo> {
    switch (command.type) {
      case 'simple':
        return this.runSimple(command);
      case 'group':
        return this.withRedirects(command.redirects, async () => {
          await this.runBody(command.body);
          return { code: this.status };
        });
      case 'subshell': {
        const sub = this.clone();
        const opened = await sub.openRedirects(command.redirects, sub.fds);
        if (opened === null) {
          return { code: this.flavour === 'bash' ? 1 : 2 };
        }
        sub.fds = opened.table;
        try {
          await sub.runBody(command.body);
          const info = await sub.runExitTrap({ code: sub.status });
          return info;
        } catch (error) {
          if (error instanceof ExitShell) {
            return sub.runExitTrap(error.info);
          }
          throw error;
        } finally {
          opened.cleanup();
        }
      }
      case 'if':
        return this.withRedirects(command.redirects, async () => {
          for (const clause of command.clauses) {
            await this.asCondition(() => this.runBody(clause.condition));
            if (this.status === 0) {
              await this.runBody(clause.body);
              return { code: this.status };
            }
          }
          if (command.otherwise !== null) {
            await this.runBody(command.otherwise);
            return { code: this.status };
          }
          return { code: 0 };
        });
      case 'while':
      case 'until':
        return this.withRedirects(command.redirects, async () => {
          let status = 0;
          this.loopDepth++;
          try {
            for (;;) {
              this.checkAlive();
              await this.asCondition(() => this.runBody(command.condition));
              if ((this.status === 0) !== (command.type === 'while')) {
                break;
              }
              const control = await this.loopBody(command.body);
              status = this.status;
              if (control === 'break') {
                break;
              }
              // Yield to the event loop so that a busy `while true` loop can still be killed.
              await new Promise<void>((resolve) => setImmediate(resolve));
            }
          } finally {
            this.loopDepth--;
          }
          return { code: status };
        });
      case 'for':
        return this.withRedirects(command.redirects, async () => {
          const items: string[] = [];
          if (command.items === null) {
            items.push(...this.positionalParams);
          } else {
            for (const word of command.items) {
              const fields = await this.expand(() => expandFields(word, this));
              if (fields === null) {
                return { code: this.status };
              }
              items.push(...fields);
            }
          }
          let status = 0;
          this.loopDepth++;
          try {
            for (const item of items) {
              this.checkAlive();
              this.assign(command.variable, item);
              const control = await this.loopBody(command.body);
              status = this.status;
              if (control === 'break') {
                break;
              }
            }
          } finally {
            this.loopDepth--;
          }
          return { code: status };
        });
    }
  }

  private async asCondition(run: () => Promise<void>): Promise<void> {
    this.conditionDepth++;
    try {
      await run();
    } finally {
      this.conditionDepth--;
    }
  }

  private async loopBody(body: Script): Promise<'break' | 'continue' | null> {
    try {
      await this.runBody(body);
      return null;
    } catch (error) {
      if (!(error instanceof LoopControl)) {
        throw error;
      }
      if (error.levels > 1) {
        error.levels--;
        throw error;
      }
      return error.kind;
    }
  }

  private async withRedirects(redirects: Redirect[], run: () => Promise<ExitInfo>): Promise<ExitInfo> {
    if (redirects.length === 0) {
      return run();
    }
    const saved = this.fds;
    const opened = await this.openRedirects(redirects, saved);
    if (opened === null) {
      return { code: this.flavour === 'bash' ? 1 : 2 };
    }
    this.fds = opened.table;
    try {
      return await run();
    } finally {
      this.fds = saved;
      opened.cleanup();
    }
  }

  /** Runs an expansion, reporting a failure; a non-interactive shell exits on one. */
  private async expand<T>(run: () => Promise<T>): Promise<T | null> {
    try {
      return await run();
    } catch (error) {
      if (error instanceof ExpansionError) {
        if (this.flavour === 'bash' && /bad substitution/.test(error.message)) {
          await this.error(error.message);
          this.status = 1;
          return null;
        }
        await this.error(error.message);
        throw new ExitShell({ code: this.flavour === 'bash' ? 1 : 2 });
      }
      throw error;
    }
  }

  // ------------------------------------------------------------------------------------------------------
  // Redirections

  private async openPath(
    path: string,
    mode: 'r' | 'w' | 'a' | 'rw',
    table: FdTable,
  ): Promise<OpenFile | null> {
    const tcp = /^\/dev\/(tcp|udp)\/([^/]+)\/([^/]+)$/.exec(path);
    if (tcp !== null && this.flavour === 'bash') {
      return this.openDevTcp(path, tcp[1] as string, tcp[2] as string, tcp[3] as string);
    }
    try {
      return this.proc.sys.fs.open(VirtualFs.normalize(this.cwd, path), mode, table);
    } catch (error) {
      if (!(error instanceof FsError)) {
        throw error;
      }
      const writing = mode !== 'r';
      const missing = error.code === 'ENOENT' || error.code === 'ENOTDIR';
      if (this.flavour === 'bash') {
        await this.error(`${path}: ${error.message}`);
      } else if (this.flavour === 'dash') {
        await this.error(
          writing
            ? `cannot create ${path}: ${missing ? 'Directory nonexistent' : error.message}`
            : `cannot open ${path}: ${missing ? 'No such file' : error.message}`,
        );
      } else {
        await this.error(
          writing
            ? `can't create ${path}: ${missing ? 'nonexistent directory' : error.message}`
            : `can't open ${path}: ${missing ? 'no such file' : error.message}`,
        );
      }
      return null;
    }
  }

  /** bash's /dev/tcp/HOST/PORT (lib/sh/netopen.c): getaddrinfo, then a blocking connect. */
  private async openDevTcp(
    path: string,
    protocol: string,
    host: string,
    portText: string,
  ): Promise<OpenFile | null> {
    const io = this.io([]);
    if (protocol === 'udp') {
      await writeErr(io, `${this.prefix()}${path}: /dev/udp is not supported by the KubeReach sandbox\n`);
      return null;
    }
    const services: Record<string, number> = { http: 80, https: 443, ssh: 22, domain: 53, smtp: 25, ftp: 21 };
    const port = /^\d+$/.test(portText) ? Number(portText) : services[portText];
    const addresses = port === undefined ? [] : await resolveHost(this.proc.sys, host, this.signal);
    if (port === undefined || addresses.length === 0 || port > 65535) {
      const reason =
        port === undefined ? 'Servname not supported for ai_socktype' : 'Name or service not known';
      await writeErr(io, `${this.prefix()}${port === undefined ? portText : host}: ${reason}\n`);
      await this.error(`${path}: Invalid argument`);
      return null;
    }
    let lastCode = 'ECONNREFUSED';
    for (const ip of addresses.filter((address) => isIPv4(address))) {
      try {
        const socket = await connectTcp(this.proc.sys, ip, port, 130_000, this.signal);
        this.proc.sys.onCleanup(() => socket.destroy());
        return {
          label: path,
          input: new SocketReader(socket),
          output: socketWriter(socket),
          dispose: () => socket.destroy(),
        };
      } catch (error) {
        if (!(error instanceof NetError)) {
          throw error;
        }
        lastCode = error.code;
        await writeErr(io, `${this.arg0}: connect: ${strerror(error.code)}\n`);
      }
    }
    await this.error(`${path}: ${strerror(lastCode)}`);
    return null;
  }

  /** Opens a command's redirections on a copy of `base`; null (reported) when one fails. */
  private async openRedirects(
    redirects: Redirect[],
    base: FdTable,
  ): Promise<{ table: FdTable; cleanup: () => void } | null> {
    const table = base.clone();
    const opened: OpenFile[] = [];
    const cleanup = (): void => {
      for (const file of opened) {
        if (![...table.entries()].some(([, entry]) => entry === file) || table !== this.fds) {
          file.dispose?.();
        }
      }
    };
    for (const redirect of redirects) {
      let target: string;
      if (this.flavour === 'bash' && redirect.op !== '<<<') {
        const fields = await this.expand(() => expandFields(redirect.target, this));
        if (fields === null) {
          cleanup();
          return null;
        }
        if (fields.length !== 1) {
          await this.error(`${fields.join(' ') || '$'}: ambiguous redirect`);
          cleanup();
          return null;
        }
        target = fields[0] as string;
      } else {
        const value = await this.expand(() => expandString(redirect.target, this));
        if (value === null) {
          cleanup();
          return null;
        }
        target = value;
      }
      const op = redirect.op;
      const fd = redirect.fd ?? (op === '<' || op === '<>' || op === '<&' || op === '<<<' ? 0 : 1);
      if (op === '<<<') {
        table.set(fd, { label: 'here-string', input: bufferInput(Buffer.from(`${target}\n`)) });
        continue;
      }
      if (op === '<&' || op === '>&') {
        if (target === '-') {
          table.set(fd, undefined);
          continue;
        }
        if (/^\d+$/.test(target)) {
          const source = table.get(Number(target));
          if (source === undefined) {
            await this.error(
              this.flavour === 'dash' ? `${target}: Bad file descriptor` : `${target}: Bad file descriptor`,
            );
            cleanup();
            return null;
          }
          table.set(fd, source);
          continue;
        }
        if (op === '>&' && redirect.fd === null && this.flavour !== 'dash') {
          const file = await this.openPath(target, 'w', table);
          if (file === null) {
            cleanup();
            return null;
          }
          opened.push(file);
          table.set(1, file);
          table.set(2, file);
          continue;
        }
        await this.error(`${target}: ambiguous redirect`);
        cleanup();
        return null;
      }
      const mode = op === '<' ? 'r' : op === '>>' || op === '&>>' ? 'a' : op === '<>' ? 'rw' : 'w';
      const file = await this.openPath(target, mode, table);
      if (file === null) {
        cleanup();
        return null;
      }
      opened.push(file);
      if (op === '&>' || op === '&>>') {
        table.set(1, file);
        table.set(2, file);
      } else {
        table.set(fd, file);
      }
    }
    return { table, cleanup };
  }

  // ------------------------------------------------------------------------------------------------------
  // Simple commands

  private async runSimple(command: SimpleCommand): Promise<ExitInfo> {
    this.lineno = command.line;
    this.substitutionStatus = null;
    const argv: string[] = [];
    for (const word of command.words) {
      const fields = await this.expand(() => expandFields(word, this));
      if (fields === null) {
        return { code: this.status };
      }
      argv.push(...fields);
    }
    const assignments: Array<{ name: string; value: string }> = [];
    for (const assignment of command.assignments) {
      const value = await this.expand(() => expandString(assignment.value, this));
      if (value === null) {
        return { code: this.status };
      }
      assignments.push({ name: assignment.name, value });
    }
    this.lastArgv = argv;
    if (this.opts.xtrace && (argv.length > 0 || assignments.length > 0)) {
      const words = [...assignments.map(({ name, value }) => `${name}=${value}`), ...argv];
      const shown = this.flavour === 'bash' ? words.map(shellQuote) : words;
      await writeErr(this.io([]), `${this.lookup('PS4') ?? '+ '}${shown.join(' ')}\n`);
    }
    if (argv.length === 0) {
      for (const { name, value } of assignments) {
        this.assign(name, value);
      }
      const opened = await this.openRedirects(command.redirects, this.fds);
      if (opened === null) {
        return { code: this.flavour === 'bash' ? 1 : 2 };
      }
      opened.cleanup();
      return { code: this.substitutionStatus ?? 0 };
    }
    const name = argv[0] as string;
    if (name === 'exec') {
      return this.exec(argv, assignments, command.redirects);
    }
    const builtin = this.builtin(name);
    if (builtin !== null) {
      const opened = await this.openRedirects(command.redirects, this.fds);
      if (opened === null) {
        if (SPECIAL_BUILTINS.has(name) && this.flavour !== 'bash') {
          throw new ExitShell({ code: 2 });
        }
        return { code: this.flavour === 'bash' ? 1 : 2 };
      }
      const special = SPECIAL_BUILTINS.has(name);
      const saved = special
        ? []
        : assignments.map(({ name: variable }) => [variable, this.vars.get(variable)] as const);
      for (const { name: variable, value } of assignments) {
        this.assign(variable, value);
      }
      const savedFds = this.fds;
      this.fds = opened.table;
      try {
        return { code: await builtin(this, argv, this.io(argv, opened.table)) };
      } catch (error) {
        if (error instanceof BrokenPipeError) {
          return { code: 1 };
        }
        if (error instanceof BadFdError) {
          // echo >&- : the builtin's write(2) fails, the shell carries on.
          if (this.flavour === 'bash') {
            await this.builtinError(name, 'write error: Bad file descriptor');
          } else if (this.flavour === 'busybox') {
            await writeErr(this.io([]), `${this.invokedName}: write error: Bad file descriptor\n`);
          }
          return { code: 1 };
        }
        throw error;
      } finally {
        if (this.fds === opened.table) {
          this.fds = savedFds;
        }
        opened.cleanup();
        for (const [variable, previous] of saved) {
          if (previous === undefined) {
            this.vars.delete(variable);
          } else {
            this.vars.set(variable, previous);
          }
        }
      }
    }
    return this.runProgram(argv, assignments, command.redirects);
  }

  private async notFound(name: string): Promise<ExitInfo> {
    if (this.flavour === 'bash') {
      await this.error(
        name.includes('/') ? `${name}: No such file or directory` : `${name}: command not found`,
      );
    } else {
      await this.error(`${name}: not found`);
    }
    return { code: 127 };
  }

  private async runProgram(
    argv: string[],
    assignments: Array<{ name: string; value: string }>,
    redirects: Redirect[],
  ): Promise<ExitInfo> {
    const name = argv[0] as string;
    const program = this.proc.sys.findProgram(name);
    const opened = await this.openRedirects(redirects, this.fds);
    if (opened === null) {
      return { code: this.flavour === 'bash' ? 1 : 2 };
    }
    try {
      if (program === null) {
        return await this.notFound(name);
      }
      this.hashed.add(name);
      return await this.proc.sys.spawn(program, argv, {
        env: this.environment(assignments),
        fds: opened.table,
        signal: this.signal,
        cwd: this.cwd,
      });
    } finally {
      opened.cleanup();
    }
  }

  private async exec(
    argv: string[],
    assignments: Array<{ name: string; value: string }>,
    redirects: Redirect[],
  ): Promise<ExitInfo> {
    let args = argv.slice(1);
    if (args[0] === '--') {
      args = args.slice(1);
    }
    if (args.length === 0) {
      const opened = await this.openRedirects(redirects, this.fds);
      if (opened === null) {
        if (this.flavour !== 'bash') {
          throw new ExitShell({ code: 2 });
        }
        return { code: 1 };
      }
      for (const [fd, file] of this.fds.entries()) {
        if (
          opened.table.get(fd) !== file &&
          ![...opened.table.entries()].some(([, entry]) => entry === file)
        ) {
          file.dispose?.();
        }
      }
      this.fds = opened.table;
      for (const { name, value } of assignments) {
        this.assign(name, value);
      }
      return { code: 0 };
    }
    const program = this.proc.sys.findProgram(args[0] as string);
    if (program === null) {
      if (this.flavour === 'bash') {
        await this.error(`exec: ${args[0]}: not found`);
      } else {
        await this.builtinError('exec', `${args[0]}: not found`);
      }
      throw new ExitShell({ code: 127 });
    }
    const info = await this.runProgram(args, assignments, redirects);
    throw new ExitShell(info);
  }

  // ------------------------------------------------------------------------------------------------------
  // Builtins

  private builtin(name: string): Builtin | null {
    if (UNSUPPORTED_BUILTINS[this.flavour].includes(name)) {
      return async (shell) => {
        await shell.builtinError(name, 'this builtin is not supported by the KubeReach sandbox shell');
        return 2;
      };
    }
    if (name === 'source' && this.flavour === 'dash') {
      return null;
    }
    return BUILTINS[name] ?? null;
  }

  private describe(name: string): { kind: 'keyword' | 'special' | 'builtin' | 'file'; path?: string } | null {
    if (KEYWORD_NAMES.includes(name) || (this.flavour === 'bash' && name === '[[')) {
      return { kind: 'keyword' };
    }
    if (name !== 'exec' && this.builtin(name) === null) {
      const program = this.proc.sys.findProgram(name);
      if (program === null) {
        return null;
      }
      return { kind: 'file', path: name.includes('/') ? name : (this.proc.sys.pathOf(program) ?? name) };
    }
    return { kind: SPECIAL_BUILTINS.has(name) ? 'special' : 'builtin' };
  }

  async builtinCommand(argv: string[], io: Proc): Promise<number> {
    let args = argv.slice(1);
    let mode: 'v' | 'V' | null = null;
    while (args[0]?.startsWith('-') && args[0] !== '-' && args[0] !== '--') {
      for (const flag of (args[0] as string).slice(1)) {
        if (flag === 'v' || flag === 'V') {
          mode = flag;
        } else if (flag !== 'p') {
          await this.builtinError('command', `-${flag}: invalid option`);
          return 2;
        }
      }
      args = args.slice(1);
    }
    if (args[0] === '--') {
      args = args.slice(1);
    }
    if (mode === null) {
      if (args.length === 0) {
        return 0;
      }
      const name = args[0] as string;
      const builtin = this.builtin(name);
      if (builtin !== null && name !== 'exec') {
        return builtin(this, args, io);
      }
      const info = await this.runProgram(args, [], []);
      if (info.signal !== undefined) {
        throw new KillSignal(info.signal);
      }
      return info.code;
    }
    let status = 0;
    let out = '';
    for (const name of args) {
      const found = this.describe(name);
      if (found === null) {
        status = this.flavour === 'bash' ? 1 : 127;
        if (mode === 'V') {
          if (this.flavour === 'bash') {
            await writeFd(io, 1, out);
            out = '';
            await this.builtinError('command', `${name}: not found`);
          } else {
            out += `${name}: not found\n`;
          }
        }
        continue;
      }
      if (mode === 'v') {
        out += `${found.kind === 'file' ? found.path : name}\n`;
      } else {
        out += this.describeText(name, found);
      }
    }
    await writeFd(io, 1, out);
    return status;
  }

  private describeText(name: string, found: { kind: string; path?: string }): string {
    switch (found.kind) {
      case 'keyword':
        return `${name} is a shell keyword\n`;
      case 'special':
        return this.flavour === 'bash'
          ? `${name} is a shell builtin\n`
          : `${name} is a special shell builtin\n`;
      case 'builtin':
        return `${name} is a shell builtin\n`;
      default:
        return this.flavour === 'bash' && this.hashed.has(name)
          ? `${name} is hashed (${found.path})\n`
          : `${name} is ${found.path}\n`;
    }
  }

  async builtinType(argv: string[], io: Proc): Promise<number> {
    let status = 0;
    for (const name of argv.slice(1)) {
      if (name.startsWith('-')) {
        continue;
      }
      const found = this.describe(name);
      if (found === null) {
        if (this.flavour === 'bash') {
          await this.builtinError('type', `${name}: not found`);
          status = 1;
        } else {
          await writeFd(io, 1, `${name}: not found\n`);
          status = 127;
        }
        continue;
      }
      await writeFd(io, 1, this.describeText(name, found));
    }
    return status;
  }

  async builtinSet(argv: string[], io: Proc): Promise<number> {
    const args = argv.slice(1);
    if (args.length === 0) {
      const lines = [...this.vars]
        .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
        .map(([name, variable]) => `${name}=${shellQuote(variable.value)}\n`);
      await writeFd(io, 1, lines.join(''));
      return 0;
    }
    const names: Record<string, keyof Options> = {
      e: 'errexit',
      u: 'nounset',
      x: 'xtrace',
      a: 'allexport',
      f: 'noglob',
      errexit: 'errexit',
      nounset: 'nounset',
      xtrace: 'xtrace',
      allexport: 'allexport',
      noglob: 'noglob',
      pipefail: 'pipefail',
    };
    for (let i = 0; i < args.length; i++) {
      const arg = args[i] as string;
      if (arg === '--' || arg === '-') {
        this.positionalParams = args.slice(i + 1);
        return 0;
      }
      if (!/^[-+]/.test(arg)) {
        this.positionalParams = args.slice(i);
        return 0;
      }
      const on = arg[0] === '-';
      if (arg.slice(1) === 'o') {
        const optionName = args[++i];
        if (optionName === undefined) {
          await writeFd(
            io,
            1,
            Object.entries(this.opts)
              .map(([key, value]) => `${key.padEnd(16)}${value ? 'on' : 'off'}\n`)
              .join(''),
          );
          return 0;
        }
        const option = names[optionName];
        if (
          option === undefined ||
          (option === 'pipefail' && this.flavour === 'dash') ||
          optionName.length === 1
        ) {
          await this.builtinError(
            'set',
            this.flavour === 'dash'
              ? `Illegal option -o ${optionName}`
              : `${optionName}: invalid option name`,
          );
          return 2;
        }
        this.opts[option] = on;
        continue;
      }
      for (const letter of arg.slice(1)) {
        const option = names[letter];
        if (option === undefined) {
          if ('vhmbCBHTPkn'.includes(letter)) {
            continue;
          }
          await this.builtinError(
            'set',
            this.flavour === 'dash'
              ? `Illegal option ${arg[0]}${letter}`
              : `${arg[0]}${letter}: invalid option`,
          );
          return 2;
        }
        this.opts[option] = on;
      }
    }
    return 0;
  }

  async builtinExit(argv: string[]): Promise<number> {
    const arg = argv[1];
    if (arg === undefined) {
      throw new ExitShell({ code: this.status });
    }
    if (!/^-?\d+$/.test(arg)) {
      await this.builtinError(
        'exit',
        this.flavour === 'bash' ? `${arg}: numeric argument required` : `Illegal number: ${arg}`,
      );
      throw new ExitShell({ code: 2 });
    }
    throw new ExitShell({ code: ((Number(arg) % 256) + 256) % 256 });
  }

  async builtinShift(argv: string[]): Promise<number> {
    const count = argv[1] === undefined ? 1 : Number(argv[1]);
    if (!Number.isInteger(count) || count < 0 || count > this.positionalParams.length) {
      if (this.flavour !== 'bash') {
        await this.builtinError('shift', "can't shift that many");
        return 2;
      }
      return 1;
    }
    this.positionalParams = this.positionalParams.slice(count);
    return 0;
  }

  async builtinExport(argv: string[], io: Proc, exported: boolean): Promise<number> {
    const args = argv.slice(1).filter((arg) => arg !== '-p' && arg !== '--');
    if (args.length === 0) {
      const lines = [...this.vars]
        .filter(([, variable]) => variable.exported || !exported)
        .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
        .map(([name, variable]) =>
          this.flavour === 'bash'
            ? `declare -${exported ? 'x' : 'r'} ${name}="${variable.value.replace(/(["\\$`])/g, '\\$1')}"\n`
            : `${exported ? 'export' : 'readonly'} ${name}=${shellQuote(variable.value)}\n`,
        );
      await writeFd(io, 1, lines.join(''));
      return 0;
    }
    let status = 0;
    for (const arg of args) {
      const eq = arg.indexOf('=');
      const name = eq >= 0 ? arg.slice(0, eq) : arg;
      if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) {
        await this.builtinError(
          exported ? 'export' : 'readonly',
          this.flavour === 'bash' ? `\`${arg}': not a valid identifier` : `${name}: bad variable name`,
        );
        status = this.flavour === 'bash' ? 1 : 2;
        continue;
      }
      const existing = this.vars.get(name);
      if (eq >= 0) {
        this.vars.set(name, {
          value: arg.slice(eq + 1),
          exported: exported || (existing?.exported ?? false),
        });
      } else if (existing !== undefined) {
        existing.exported ||= exported;
      } else if (exported) {
        // An exported variable without a value is not in the environment until it gets one.
        this.pendingExports.add(name);
      }
    }
    return status;
  }

  async builtinCd(argv: string[], io: Proc): Promise<number> {
    const target =
      argv.filter((arg, index) => index > 0 && !/^-[LP]$/.test(arg))[0] ?? this.lookup('HOME') ?? '/';
    const destination = target === '-' ? (this.lookup('OLDPWD') ?? this.cwd) : target;
    const path = VirtualFs.normalize(this.cwd, destination);
    if (this.proc.sys.fs.kind(path) !== 'dir') {
      const reason = this.proc.sys.fs.kind(path) === null ? 'No such file or directory' : 'Not a directory';
      await this.builtinError(
        'cd',
        this.flavour === 'bash'
          ? `${destination}: ${reason}`
          : this.flavour === 'dash'
            ? `can't cd to ${destination}`
            : `can't cd to ${destination}: ${reason}`,
      );
      return this.flavour === 'dash' ? 2 : 1;
    }
    this.assign('OLDPWD', this.cwd);
    this.cwd = path;
    this.assign('PWD', path);
    if (target === '-') {
      await writeFd(io, 1, `${path}\n`);
    }
    return 0;
  }

  async builtinRead(argv: string[], io: Proc): Promise<number> {
    let raw = false;
    let prompt: string | null = null;
    let timeoutMs: number | null = null;
    const names: string[] = [];
    for (let i = 1; i < argv.length; i++) {
      const arg = argv[i] as string;
      if (arg === '-r') {
        raw = true;
      } else if (arg === '-p') {
        prompt = argv[++i] ?? '';
      } else if (arg === '-t') {
        timeoutMs = Number(argv[++i] ?? '0') * 1000;
      } else if (/^-[a-zA-Z]/.test(arg) && names.length === 0) {
        await this.builtinError('read', `${arg}: option not supported by the KubeReach sandbox shell`);
        return 2;
      } else {
        names.push(arg);
      }
    }
    if (names.length === 0) {
      names.push('REPLY');
    }
    if (prompt !== null) {
      await writeErr(io, prompt);
    }
    const input = io.fds.get(0)?.input;
    if (input === undefined) {
      await this.builtinError(
        'read',
        this.flavour === 'bash' ? 'read error: 0: Bad file descriptor' : 'Bad file descriptor',
      );
      return 1;
    }
    let line: string;
    let eof = false;
    const bytes: Buffer[] = [];
    const timer = timeoutMs !== null ? AbortSignal.timeout(Math.max(1, timeoutMs)) : null;
    const signal = timer !== null ? AbortSignal.any([this.signal, timer]) : this.signal;
    try {
      for (;;) {
        const chunk = await abortable(input.read(), signal);
        if (chunk === null) {
          eof = true;
          break;
        }
        const newline = chunk.indexOf(0x0a);
        if (newline >= 0) {
          bytes.push(chunk.subarray(0, newline));
          input.unshift?.(chunk.subarray(newline + 1));
          break;
        }
        bytes.push(chunk);
      }
    } catch (error) {
      if (timer?.aborted && !this.signal.aborted) {
        return this.flavour === 'bash' ? 142 : 1;
      }
      throw error;
    }
    line = Buffer.concat(bytes).toString();
    if (!raw) {
      line = line.replace(/\\(.)/g, '$1');
    }
    const ifs = this.lookup('IFS') ?? ' \t\n';
    const whitespace = [...ifs].filter((c) => ' \t\n'.includes(c)).join('');
    const trimmed =
      whitespace === '' ? line : line.replace(new RegExp(`^[${whitespace}]+|[${whitespace}]+$`, 'g'), '');
    let rest = trimmed;
    names.forEach((name, index) => {
      if (index === names.length - 1) {
        this.assign(name, rest);
        return;
      }
      const match = new RegExp(
        `^([^${ifs.replace(/[\]\\^-]/g, '\\$&')}]*)[${ifs.replace(/[\]\\^-]/g, '\\$&')}]*`,
      ).exec(rest);
      this.assign(name, match?.[1] ?? '');
      rest = rest.slice(match?.[0].length ?? rest.length);
    });
    // Like read(1) at end of file: the variables get what was read, the status says there was no newline.
    return eof ? 1 : 0;
  }

  async builtinSource(argv: string[]): Promise<number> {
    const file = argv[1];
    if (file === undefined) {
      await this.builtinError(
        argv[0] as string,
        this.flavour === 'bash' ? 'filename argument required' : 'missing argument',
      );
      return 2;
    }
    let text: string;
    try {
      text = this.proc.sys.fs.readFile(VirtualFs.normalize(this.cwd, file)).toString();
    } catch (error) {
      if (!(error instanceof FsError)) {
        throw error;
      }
      if (this.flavour === 'bash') {
        await this.error(`${file}: ${error.message}`);
        return 1;
      }
      await this.builtinError(
        argv[0] as string,
        this.flavour === 'dash'
          ? `cannot open ${file}: No such file`
          : `can't open '${file}': ${error.message}`,
      );
      throw new ExitShell({ code: 2 });
    }
    this.sourceDepth++;
    try {
      await this.evalString(text);
    } catch (error) {
      if (error instanceof ReturnFromSource) {
        return error.code;
      }
      throw error;
    } finally {
      this.sourceDepth--;
    }
    return this.status;
  }

  async builtinReturn(argv: string[]): Promise<number> {
    const code = argv[1] !== undefined ? Number(argv[1]) & 255 : this.status;
    if (this.sourceDepth > 0) {
      throw new ReturnFromSource(code);
    }
    if (this.flavour === 'bash') {
      await this.builtinError('return', "can only `return' from a function or sourced script");
      return 1;
    }
    throw new ExitShell({ code });
  }

  async builtinLoop(argv: string[], kind: 'break' | 'continue'): Promise<number> {
    const levels = argv[1] !== undefined ? Number(argv[1]) : 1;
    if (this.loopDepth === 0) {
      if (this.flavour === 'bash') {
        await this.builtinError(kind, "only meaningful in a `for', `while', or `until' loop");
      }
      return 0;
    }
    if (!Number.isInteger(levels) || levels < 1) {
      await this.builtinError(
        kind,
        this.flavour === 'bash' ? `${argv[1]}: loop count out of range` : `Illegal number: ${argv[1]}`,
      );
      return this.flavour === 'bash' ? 1 : 2;
    }
    throw new LoopControl(kind, Math.min(levels, this.loopDepth));
  }

  async builtinTrap(argv: string[], io: Proc): Promise<number> {
    const args = argv.slice(1);
    if (args.length === 0) {
      if (this.exitTrap !== null) {
        await writeFd(io, 1, `trap -- ${shellQuote(this.exitTrap)} EXIT\n`);
      }
      return 0;
    }
    const [action, ...signals] = args.length === 1 ? ['-', ...args] : args;
    for (const signal of signals) {
      if (signal === 'EXIT' || signal === '0') {
        this.exitTrap = action === '-' || action === undefined ? null : action;
      }
    }
    return 0;
  }

  async builtinTest(argv: string[], io: Proc): Promise<number> {
    let args = argv.slice(1);
    const name = argv[0] as string;
    const report = async (message: string): Promise<void> => {
      if (this.flavour === 'busybox') {
        await writeErr(io, `${this.invokedName}: ${message}\n`);
      } else {
        await this.builtinError(name, message);
      }
    };
    if (name === '[') {
      if (args[args.length - 1] !== ']') {
        await report(this.flavour === 'bash' ? "missing `]'" : 'missing ]');
        return 2;
      }
      args = args.slice(0, -1);
    }
    try {
      return evaluateTest(args, this.proc.sys.fs, this.cwd, this.flavour);
    } catch (error) {
      if (error instanceof TestSyntaxError) {
        await report(error.message);
        return 2;
      }
      throw error;
    }
  }

  async builtinPrintf(argv: string[], io: Proc): Promise<number> {
    const [format, ...args] = argv.slice(1);
    if (format === undefined) {
      await this.builtinError(
        'printf',
        this.flavour === 'bash'
          ? 'usage: printf [-v var] format [arguments]'
          : 'usage: printf format [arg ...]',
      );
      return 2;
    }
    const errors: string[] = [];
    const result = printf(format, args, (message) => errors.push(message));
    await writeFd(io, 1, result.output);
    for (const message of errors) {
      await this.builtinError('printf', message);
    }
    return result.failed ? 1 : 0;
  }

  async builtinEval(argv: string[]): Promise<number> {
    const text = argv.slice(1).join(' ');
    if (text.trim() === '') {
      return 0;
    }
    await this.evalString(text);
    return this.status;
  }

  async builtinUnset(argv: string[]): Promise<number> {
    for (const name of argv.slice(1)) {
      if (name !== '-v' && name !== '-f') {
        this.vars.delete(name);
      }
    }
    return 0;
  }

  async echoBuiltin(argv: string[], io: Proc): Promise<number> {
    await writeFd(io, 1, echo(argv.slice(1), this.flavour));
    return 0;
  }

  async builtinPwd(io: Proc): Promise<number> {
    await writeFd(io, 1, `${this.cwd}\n`);
    return 0;
  }
}

const BUILTINS: Record<string, Builtin> = {
  ':': () => Promise.resolve(0),
  true: () => Promise.resolve(0),
  false: () => Promise.resolve(1),
  echo: (shell, argv, io) => shell.echoBuiltin(argv, io),
  printf: (shell, argv, io) => shell.builtinPrintf(argv, io),
  test: (shell, argv, io) => shell.builtinTest(argv, io),
  '[': (shell, argv, io) => shell.builtinTest(argv, io),
  exit: (shell, argv) => shell.builtinExit(argv),
  set: (shell, argv, io) => shell.builtinSet(argv, io),
  shift: (shell, argv) => shell.builtinShift(argv),
  export: (shell, argv, io) => shell.builtinExport(argv, io, true),
  readonly: (shell, argv, io) => shell.builtinExport(argv, io, false),
  unset: (shell, argv) => shell.builtinUnset(argv),
  cd: (shell, argv, io) => shell.builtinCd(argv, io),
  pwd: (shell, _argv, io) => shell.builtinPwd(io),
  read: (shell, argv, io) => shell.builtinRead(argv, io),
  command: (shell, argv, io) => shell.builtinCommand(argv, io),
  type: (shell, argv, io) => shell.builtinType(argv, io),
  eval: (shell, argv) => shell.builtinEval(argv),
  '.': (shell, argv) => shell.builtinSource(argv),
  source: (shell, argv) => shell.builtinSource(argv),
  return: (shell, argv) => shell.builtinReturn(argv),
  break: (shell, argv) => shell.builtinLoop(argv, 'break'),
  continue: (shell, argv) => shell.builtinLoop(argv, 'continue'),
  trap: (shell, argv, io) => shell.builtinTrap(argv, io),
  wait: () => Promise.resolve(0),
  hash: () => Promise.resolve(0),
  times: async (_shell, _argv, io) => {
    await writeFd(io, 1, '0m0.000s 0m0.000s\n0m0.000s 0m0.000s\n');
    return 0;
  },
  umask: async (_shell, argv, io) => {
    if (argv.length === 1) {
      await writeFd(io, 1, '0022\n');
    }
    return 0;
  },
};
