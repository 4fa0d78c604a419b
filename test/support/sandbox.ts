/**
 * Fixtures for tests that need a cluster: a sandbox of their own, a client-node KubeConfig for it,
 * kubectl pointed at it, and a helper that waits for a condition instead of sleeping.
 */
import { execFile, spawnSync } from 'node:child_process';
import { PassThrough } from 'node:stream';
import { after, before } from 'node:test';
import { Exec, KubeConfig } from '@kubernetes/client-node';
import type { V1Status } from '@kubernetes/client-node';
import { startSandbox } from '../../sandbox/index.ts';
import type { Sandbox, SandboxOptions } from '../../sandbox/index.ts';

export interface SandboxFixture {
  sandbox: Sandbox;
  kubeconfig: KubeConfig;
}

/** Starts a sandbox before the file's tests and stops it after them. */
export function useSandbox(options: SandboxOptions = {}): SandboxFixture {
  const fixture = {} as SandboxFixture;
  before(async () => {
    fixture.sandbox = await startSandbox({ bookmarkIntervalMs: 1000, ...options });
    fixture.kubeconfig = new KubeConfig();
    fixture.kubeconfig.loadFromFile(fixture.sandbox.kubeconfigPath);
  });
  after(async () => {
    await fixture.sandbox?.stop();
  });
  return fixture;
}

/** Polls `check` until it returns a value other than undefined/false, or fails after `timeoutMs`. */
export async function waitFor<T>(
  description: string,
  check: () => T | undefined | false | Promise<T | undefined | false>,
  timeoutMs = 10_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    try {
      const value = await check();
      if (value !== undefined && value !== false) {
        return value;
      }
    } catch (error) {
      lastError = error;
    }
    if (Date.now() > deadline) {
      throw new Error(
        `timed out after ${timeoutMs} ms waiting for ${description}${lastError ? `: ${String(lastError)}` : ''}`,
      );
    }
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

export const kubectlAvailable =
  spawnSync('kubectl', ['version', '--client'], { encoding: 'utf8' }).status === 0;

export interface KubectlResult {
  code: number;
  stdout: string;
  stderr: string;
}

export function kubectl(kubeconfigPath: string, args: string[], timeoutMs = 20_000): Promise<KubectlResult> {
  return new Promise((resolve) => {
    execFile(
      'kubectl',
      args,
      {
        env: { ...process.env, KUBECONFIG: kubeconfigPath },
        timeout: timeoutMs,
        maxBuffer: 256 * 1024 * 1024,
      },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
        resolve({ code, stdout, stderr });
      },
    );
  });
}

export interface ExecResult {
  readonly out: string;
  readonly err: string;
  readonly status: V1Status;
  /** 0 on success, the `ExitCode` cause otherwise (-1 when the status names none). */
  readonly exitCode: number;
}

/** Runs `command` in a Pod through client-node's Exec (the real v5/v4 WebSocket protocol). */
export async function execInPod(
  kubeconfig: KubeConfig,
  namespace: string,
  pod: string,
  command: string[],
  container?: string,
): Promise<ExecResult> {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = '';
  let err = '';
  stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
  stderr.on('data', (chunk: Buffer) => (err += chunk.toString()));
  const status = await new Promise<V1Status>((resolve, reject) => {
    new Exec(kubeconfig)
      .exec(namespace, pod, container as string, command, stdout, stderr, null, false, resolve)
      .catch(reject);
  });
  const exitCode =
    status.status === 'Success'
      ? 0
      : Number(status.details?.causes?.find((c) => c.reason === 'ExitCode')?.message ?? -1);
  return { out, err, status, exitCode };
}
