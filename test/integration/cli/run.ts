/**
 * Runs the built `kubereach` (dist/cli.js, or the bin) in its own process, as a user or a CI job
 * does, bounded in time, and hands back its exit status and both outputs.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

export const root = resolve(import.meta.dirname, '../../..');
export const cliPath = resolve(root, 'dist/cli.js');
export const binPath = resolve(root, 'bin/kubereach.cjs');

export interface CliResult {
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

export interface RunOptions {
  readonly cwd?: string;
  /** Added to a clean environment: PATH, and a fresh HOME with no kubeconfig. */
  readonly env?: Record<string, string>;
  readonly script?: string;
  readonly node?: string;
  readonly timeoutMs?: number;
}

export function runCli(args: readonly string[], options: RunOptions = {}): Promise<CliResult> {
  const home = mkdtempSync(join(tmpdir(), 'kubereach-cli-home-'));
  return new Promise((resolvePromise, reject) => {
    const child = spawn(options.node ?? process.execPath, [options.script ?? cliPath, ...args], {
      cwd: options.cwd ?? root,
      env: { PATH: process.env.PATH ?? '', HOME: home, ...options.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`kubereach ${args.join(' ')} did not finish in ${options.timeoutMs ?? 60_000} ms`));
    }, options.timeoutMs ?? 60_000);
    child.once('error', reject);
    child.once('close', (status) => {
      clearTimeout(timer);
      resolvePromise({ status, stdout, stderr });
    });
  });
}

/** An error as the CLI must print it: one `error: …` line (and a usage hint), never a stack. */
export function assertOneLineError(result: CliResult, pattern: RegExp): void {
  if (result.status !== 2) {
    throw new Error(`expected exit status 2, got ${result.status}: ${result.stderr}`);
  }
  const lines = result.stderr.trimEnd().split('\n');
  if (!pattern.test(lines[0] ?? '') || !lines[0]!.startsWith('error: ')) {
    throw new Error(`expected one error line matching ${pattern}, got: ${result.stderr}`);
  }
  if (lines.length > 2 || (lines.length === 2 && !/^See 'kubereach/.test(lines[1]!))) {
    throw new Error(`more than one line of error: ${result.stderr}`);
  }
  if (/^\s+at /m.test(result.stderr)) {
    throw new Error(`a stack trace: ${result.stderr}`);
  }
}
