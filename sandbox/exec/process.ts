/**
 * The emulated process model: a tool is an async function of its argv, environment, descriptors and a kill
 * signal, resolving with its exit code. `System` is what all processes of one exec share.
 */
import { abortable, BadFdError, BrokenPipeError } from './io.ts';
import type { FdTable } from './io.ts';
import type { VirtualFs } from './fs.ts';
import type { ExecContext } from './types.ts';

export type SignalName = 'TERM' | 'KILL' | 'INT' | 'HUP' | 'PIPE';

const SIGNAL_NUMBERS: Record<SignalName, number> = { HUP: 1, INT: 2, KILL: 9, PIPE: 13, TERM: 15 };
const SIGNAL_TEXT: Record<SignalName, string> = {
  HUP: 'Hangup',
  INT: 'Interrupt',
  KILL: 'Killed',
  PIPE: 'Broken pipe',
  TERM: 'Terminated',
};

export function signalNumber(name: SignalName): number {
  return SIGNAL_NUMBERS[name];
}

export function signalText(name: SignalName): string {
  return SIGNAL_TEXT[name];
}

export function parseSignal(spec: string): SignalName | null {
  const upper = spec.toUpperCase().replace(/^SIG/, '');
  for (const [name, number] of Object.entries(SIGNAL_NUMBERS)) {
    if (upper === name || upper === String(number)) {
      return name as SignalName;
    }
  }
  return null;
}

/** The abort reason of a killed process. */
export class KillSignal extends Error {
  readonly signal: SignalName;
  constructor(signal: SignalName) {
    super(`killed by SIG${signal}`);
    this.signal = signal;
  }
}

export interface ExitInfo {
  code: number;
  /** Set when the process died of a signal rather than exiting. */
  signal?: SignalName;
}

export interface Proc {
  readonly sys: System;
  readonly argv: string[];
  readonly env: Record<string, string>;
  readonly fds: FdTable;
  readonly signal: AbortSignal;
  readonly cwd: string;
}

export type Tool = (proc: Proc) => Promise<number>;

export interface DnsConfig {
  nameserver: string;
  clusterDomain: string;
  search: string[];
}

/** Utilities every image with a shell is assumed to have (busybox applets or coreutils). */
export const BASE_UTILITIES: ReadonlySet<string> = new Set([
  'cat',
  'echo',
  'env',
  'false',
  'grep',
  'head',
  'hostname',
  'ls',
  'printenv',
  'printf',
  'sleep',
  'tail',
  'test',
  '[',
  'timeout',
  'true',
  'wc',
  'which',
]);

const SHELL_NAMES = new Set(['sh', 'bash', 'ash', 'dash']);

export class System {
  readonly ctx: ExecContext;
  readonly fs: VirtualFs;
  readonly now: () => number;
  readonly dns: DnsConfig;
  private readonly registry: ReadonlyMap<string, Tool>;
  private readonly cleanups: Array<() => void> = [];
  private pid = 40;

  constructor(ctx: ExecContext, fs: VirtualFs, dns: DnsConfig, registry: ReadonlyMap<string, Tool>) {
    this.ctx = ctx;
    this.fs = fs;
    this.dns = dns;
    this.registry = registry;
    const now = ctx.now;
    this.now = now !== undefined ? () => now() : () => performance.now();
  }

  flavour(tool: 'sh' | 'utils' | 'wget' | 'nc' | 'nslookup'): string {
    const hint = this.ctx.flavours?.[tool];
    if (hint !== undefined) {
      return hint;
    }
    if (tool === 'utils') {
      return this.flavour('sh') === 'busybox' ? 'busybox' : 'gnu';
    }
    return 'busybox';
  }

  /** Registers what must be released when the exec ends (sockets kept open by `exec 3<>/dev/tcp/...`). */
  onCleanup(release: () => void): void {
    this.cleanups.push(release);
  }

  cleanup(): void {
    for (const release of this.cleanups.splice(0)) {
      release();
    }
  }

  nextPid(): number {
    this.pid += 1 + (this.pid % 3);
    return this.pid;
  }

  private hasShell(): boolean {
    return [...SHELL_NAMES].some((name) => this.ctx.tools.has(name));
  }

  /** Whether the image has this executable (by base name). */
  has(name: string): boolean {
    return this.ctx.tools.has(name) || (BASE_UTILITIES.has(name) && this.hasShell());
  }

  /** Where `which` finds it: the layout of a busybox image or of a Debian-like one. */
  pathOf(name: string): string | null {
    if (!this.has(name)) {
      return null;
    }
    if (this.flavour('utils') === 'busybox') {
      const inBin = new Set([
        'sh',
        'ash',
        'bash',
        'cat',
        'echo',
        'false',
        'grep',
        'hostname',
        'ls',
        'sleep',
        'true',
      ]);
      return `${inBin.has(name) ? '/bin' : '/usr/bin'}/${name}`;
    }
    return `/usr/bin/${name}`;
  }

  /**
   * Resolves argv[0] like execvp: a bare name through $PATH, a path as is. Returns the base name of the
   * program, or null when there is no such file.
   */
  findProgram(command: string): string | null {
    if (!command.includes('/')) {
      return this.has(command) ? command : null;
    }
    const base = command.slice(command.lastIndexOf('/') + 1);
    const dir = command.slice(0, command.lastIndexOf('/')).replace(/^\.?$/, '/');
    const plausible = ['/bin', '/usr/bin', '/sbin', '/usr/sbin', '/usr/local/bin', '/usr/local/sbin'];
    return base !== '' && this.has(base) && plausible.includes(dir.replace(/\/+$/, '') || '/') ? base : null;
  }

  /** Runs a program (never a shell builtin). The caller has checked that it exists. */
  async spawn(
    name: string,
    argv: string[],
    options: { env: Record<string, string>; fds: FdTable; signal: AbortSignal; cwd: string },
  ): Promise<ExitInfo> {
    const tool = this.registry.get(name);
    const proc: Proc = {
      sys: this,
      argv,
      env: options.env,
      fds: options.fds,
      signal: options.signal,
      cwd: options.cwd,
    };
    if (tool === undefined) {
      await writeErr(
        proc,
        `${argv[0]}: this program exists in the image but the KubeReach sandbox does not emulate it\n`,
      );
      return { code: 126 };
    }
    return runTool(tool, proc);
  }
}

/** Runs a tool to completion, or returns as soon as it is killed; maps broken pipes to SIGPIPE deaths. */
export async function runTool(tool: Tool, proc: Proc): Promise<ExitInfo> {
  if (proc.signal.aborted) {
    return killedBy(proc.signal.reason);
  }
  const run = tool(proc).then(
    (code): ExitInfo => ({ code }),
    async (error: unknown): Promise<ExitInfo> => {
      if (proc.signal.aborted) {
        return killedBy(proc.signal.reason);
      }
      if (error instanceof KillSignal) {
        // The program replaced itself with one that died of this signal (exec, busybox timeout).
        return killedBy(error);
      }
      if (error instanceof BrokenPipeError) {
        return { code: 128 + SIGNAL_NUMBERS.PIPE, signal: 'PIPE' };
      }
      if (error instanceof BadFdError) {
        return { code: 1 };
      }
      const message = error instanceof Error ? (error.stack ?? error.message) : String(error);
      await writeErr(proc, `${proc.argv[0]}: KubeReach sandbox internal error: ${message}\n`).catch(() => {});
      return { code: 70 };
    },
  );
  try {
    return await abortable(run, proc.signal);
  } catch {
    return killedBy(proc.signal.reason);
  }
}

export function killedBy(reason: unknown): ExitInfo {
  const signal = reason instanceof KillSignal ? reason.signal : 'TERM';
  return { code: 128 + SIGNAL_NUMBERS[signal], signal };
}

export function toBuffer(data: string | Buffer): Buffer {
  return typeof data === 'string' ? Buffer.from(data) : data;
}

/** Writes to a descriptor; throws BadFdError when it is closed or read-only. */
export async function writeFd(proc: Proc, fd: number, data: string | Buffer): Promise<void> {
  const output = proc.fds.get(fd)?.output;
  if (output === undefined) {
    throw new BadFdError();
  }
  const chunk = toBuffer(data);
  if (chunk.length > 0) {
    await abortable(output.write(chunk), proc.signal);
  }
}

export function writeOut(proc: Proc, data: string | Buffer): Promise<void> {
  return writeFd(proc, 1, data);
}

/** Diagnostics are best effort, like a write(2) to a closed stderr whose failure nobody checks. */
export async function writeErr(proc: Proc, data: string | Buffer): Promise<void> {
  try {
    await writeFd(proc, 2, data);
  } catch (error) {
    if (error instanceof BadFdError || error instanceof BrokenPipeError) {
      return;
    }
    throw error;
  }
}

/** A sleep that ends early, rejecting, when the process is killed. */
export function sleep(ms: number, signal: AbortSignal): Promise<void> {
  if (signal.aborted) {
    return Promise.reject(signal.reason);
  }
  return new Promise((resolve, reject) => {
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(signal.reason);
    };
    const timer = setTimeout(
      () => {
        signal.removeEventListener('abort', onAbort);
        resolve();
      },
      Math.max(0, ms),
    );
    signal.addEventListener('abort', onAbort, { once: true });
  });
}

/** A child kill switch: aborts with the parent, and on its own when the child is killed alone. */
export function childController(parent: AbortSignal): { controller: AbortController; release: () => void } {
  const controller = new AbortController();
  const onAbort = (): void => controller.abort(parent.reason);
  if (parent.aborted) {
    controller.abort(parent.reason);
  } else {
    parent.addEventListener('abort', onAbort, { once: true });
  }
  return { controller, release: () => parent.removeEventListener('abort', onAbort) };
}
