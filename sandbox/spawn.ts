/**
 * Runs the sandbox in a process of its own (as `npm run sandbox` does), for benchmarks and the
 * end-to-end suite, where sharing a process with the client would distort what is measured.
 */
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { chownSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

/**
 * V8's young generation grows to 64 MB semi-spaces under the sandbox's allocation bursts and keeps
 * that memory; 8 MB keeps resident memory at 10,000 Pods near 330 MB instead of 450 MB, and start-up
 * is no slower.
 */
export const SANDBOX_NODE_FLAGS = ['--max-semi-space-size=8'];

export interface SandboxProcess {
  readonly process: ChildProcess;
  readonly stateDir: string;
  readonly kubeconfigPath: string;
  readonly admin: { url: string; token: string; server: string };
  /** What the sandbox printed about ports: where privileged ones are served and why (none when it may listen on any). */
  readonly portSummary: readonly string[];
  readonly startupMs: number;
  /** What the sandbox has printed on stdout so far (the ready line and the summary after it). */
  output(): string;
  /** Resident memory of the sandbox process, from /proc. */
  rssBytes(): number;
  /** Its peak resident memory so far (VmHWM), from /proc. */
  peakRssBytes(): number;
  /** The CPU time it has used (user + system), from /proc. */
  cpuSeconds(): number;
  stop(): Promise<void>;
}

export async function spawnSandbox(
  args: string[],
  options: {
    timeoutMs?: number;
    /**
     * Runs the sandbox as this user (the caller must be root): its state folder is handed to it
     * and is its HOME, so it writes nothing elsewhere.
     */
    user?: { uid: number; gid: number };
  } = {},
): Promise<SandboxProcess> {
  const stateDir = mkdtempSync(join(tmpdir(), 'kubereach-sandbox-'));
  const user = options.user;
  if (user !== undefined) {
    chownSync(stateDir, user.uid, user.gid);
  }
  const child = spawn(
    process.execPath,
    [...SANDBOX_NODE_FLAGS, resolve(import.meta.dirname, 'cli.ts'), ...args, '--state-dir', stateDir],
    {
      stdio: ['ignore', 'pipe', 'inherit'],
      ...(user === undefined
        ? {}
        : { uid: user.uid, gid: user.gid, env: { ...process.env, HOME: stateDir } }),
    },
  );
  let output = '';
  child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  // A test process that ends (or is killed by its runner) takes its sandbox with it.
  const killOnExit = () => child.kill('SIGKILL');
  process.once('exit', killOnExit);
  const timeoutMs = options.timeoutMs ?? 120_000;
  let readyLine: string;
  try {
    readyLine = await new Promise<string>((resolveLine, reject) => {
      const timer = setTimeout(() => {
        // What it did meanwhile tells a slow machine from a stuck sandbox.
        let cpu = 'its CPU time unknown';
        try {
          cpu = `${cpuSecondsOf(child.pid!).toFixed(1)} s of CPU used`;
        } catch {
          // It has gone already.
        }
        reject(
          new Error(
            `sandbox (${args.join(' ')}) did not start within ${timeoutMs / 1000} s (${cpu}); it printed: ${JSON.stringify(output)}`,
          ),
        );
      }, timeoutMs);
      child.stdout!.on('data', () => {
        const line = output.split('\n').find((l) => l.includes(' ready in '));
        if (line) {
          clearTimeout(timer);
          resolveLine(line);
        }
      });
      child.once('exit', (code, signal) => {
        clearTimeout(timer);
        reject(new Error(`sandbox exited with ${code ?? signal} before it was ready:\n${output}`));
      });
    });
  } catch (error) {
    // Never leave a half-started sandbox behind: it would keep the caller's process alive.
    process.removeListener('exit', killOnExit);
    if (child.exitCode === null && child.signalCode === null) {
      const exited = new Promise((done) => child.once('exit', done));
      child.kill('SIGKILL');
      await exited;
    }
    rmSync(stateDir, { recursive: true, force: true });
    throw error;
  }
  child.stdout!.resume();
  const { ports, ...admin } = JSON.parse(readFileSync(join(stateDir, 'admin.json'), 'utf8')) as {
    url: string;
    token: string;
    server: string;
    ports?: string[];
  };
  return {
    process: child,
    stateDir,
    kubeconfigPath: join(stateDir, 'kubeconfig'),
    admin,
    portSummary: ports ?? [],
    startupMs: Number(/ready in (\d+) ms/.exec(readyLine)?.[1]),
    output: () => output,
    rssBytes: () =>
      Number(/VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${child.pid}/status`, 'utf8'))?.[1]) * 1024,
    peakRssBytes: () =>
      Number(/VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${child.pid}/status`, 'utf8'))?.[1]) * 1024,
    cpuSeconds: () => cpuSecondsOf(child.pid!),
    async stop() {
      process.removeListener('exit', killOnExit);
      if (child.exitCode === null && child.signalCode === null) {
        const exited = new Promise((done) => child.once('exit', done));
        child.kill('SIGTERM');
        await exited;
      }
      rmSync(stateDir, { recursive: true, force: true });
    },
  };
}

/** The CPU time (user + system) of a process: fields 14 and 15 of /proc/PID/stat, in clock ticks (100/s). */
function cpuSecondsOf(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100;
}
