/**
 * The two sides of a row: the real Debian binary on the host, and the sandbox's interpreter (`runExec`)
 * with the same argv. The interpreter is driven through its `ExecNetwork` seam with the host's network:
 * connections are real sockets to the same loopback listeners (opened as the sandbox's dataplane opens
 * them, ETIMEDOUT after the dialler's timeout), names go to the same DNS server through the Pod's search
 * path. The real side runs in a mount namespace of its own whose /etc/resolv.conf and /etc/hosts are the
 * files the sandbox gives its Pods, so both resolve alike and nothing leaves the machine.
 */
import { spawn } from 'node:child_process';
import { Resolver } from 'node:dns/promises';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { connect, isIPv4 } from 'node:net';
import type { Socket } from 'node:net';
import { constants, tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { runExec } from '../../../sandbox/exec/index.ts';
import type { ExecContext, ExecNetwork } from '../../../sandbox/exec/index.ts';

export interface Outcome {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
  readonly elapsedMs: number;
  /** The row's limit was reached and the command killed. */
  readonly killed: boolean;
}

export interface SideInput {
  /** argv as in the Pod. */
  readonly argv: readonly string[];
  /** argv on the host when it differs (a busybox applet runs as `busybox wget`). */
  readonly hostArgv?: readonly string[];
  readonly stdin?: string;
  readonly flavours: Readonly<Record<string, string>>;
  readonly tools: readonly string[];
  readonly limitMs: number;
  /** `none`: no route to anywhere (the real side in a fresh network namespace). */
  readonly network?: 'none';
}

const PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';
const POD = { name: 'client', namespace: 'default', ip: '127.0.0.1', hostname: 'client' } as const;
const SEARCH = ['default.svc.cluster.local', 'svc.cluster.local', 'cluster.local'];

function failure(code: string, message: string): Error {
  return Object.assign(new Error(message), { code });
}

/** The host's network as an `ExecNetwork`: resolve through `dns` with the Pod's search path, real connects. */
export function hostNetwork(dns: string): ExecNetwork {
  const resolver = new Resolver({ timeout: 1000, tries: 1 });
  resolver.setServers([dns]);
  return {
    async resolve(name) {
      if (isIPv4(name)) {
        return [name];
      }
      const bare = name.replace(/\.$/, '');
      const expanded = SEARCH.map((domain) => `${bare}.${domain}`);
      const candidates = name.endsWith('.')
        ? [bare]
        : bare.split('.').length - 1 >= 5
          ? [bare, ...expanded]
          : [...expanded, bare];
      for (const candidate of candidates) {
        try {
          const found = await resolver.resolve4(candidate);
          if (found.length > 0) {
            return found;
          }
        } catch {
          // NXDOMAIN or no data: the next candidate, as getaddrinfo() does.
        }
      }
      return [];
    },
    connect(ip, port, { timeoutMs, signal }) {
      return new Promise<Socket>((resolve, reject) => {
        const socket = connect({ host: ip, port });
        const timer = setTimeout(() => {
          socket.destroy();
          reject(failure('ETIMEDOUT', `connect ETIMEDOUT ${ip}:${port}`));
        }, timeoutMs);
        const onAbort = (): void => {
          clearTimeout(timer);
          socket.destroy();
          reject(failure('ABORT_ERR', 'aborted'));
        };
        signal.addEventListener('abort', onAbort, { once: true });
        socket.once('connect', () => {
          clearTimeout(timer);
          signal.removeEventListener('abort', onAbort);
          resolve(socket);
        });
        socket.once('error', (error) => {
          clearTimeout(timer);
          signal.removeEventListener('abort', onAbort);
          reject(error);
        });
      });
    },
  };
}

/**
 * The network of a fresh network namespace (`unshare -n`): no routes, loopback down, so every connect
 * fails at once with ENETUNREACH, as Node words the kernel's error. Names still resolve (IP literals;
 * the rows that use it give one).
 */
export function unroutedNetwork(dns: string): ExecNetwork {
  const { resolve } = hostNetwork(dns);
  return {
    resolve,
    connect: (ip, port) => Promise.reject(failure('ENETUNREACH', `connect ENETUNREACH ${ip}:${port}`)),
  };
}

/** The sandbox's side: `runExec` in process, bounded by `limitMs` (the exec is closed, as kubectl would). */
export async function runEmulated(input: SideInput, dns: string): Promise<Outcome> {
  let stdout = '';
  let stderr = '';
  const controller = new AbortController();
  let killed = false;
  const timer = setTimeout(() => {
    killed = true;
    controller.abort();
  }, input.limitMs);
  const started = performance.now();
  const ctx: ExecContext = {
    pod: { ...POD },
    container: { name: 'main', image: 'debian:12' },
    tools: new Set(input.tools),
    flavours: input.flavours,
    env: {},
    network: input.network === 'none' ? unroutedNetwork(dns) : hostNetwork(dns),
    stdin: input.stdin === undefined ? null : Readable.from([Buffer.from(input.stdin)]),
    stdout: (chunk) => {
      stdout += chunk.toString('latin1');
    },
    stderr: (chunk) => {
      stderr += chunk.toString('latin1');
    },
    signal: controller.signal,
    dns: { nameserver: dns },
  };
  try {
    const code = await runExec([...input.argv], ctx);
    return { code, stdout, stderr, elapsedMs: performance.now() - started, killed };
  } finally {
    clearTimeout(timer);
  }
}

/** The files the sandbox gives its Pods (read through the interpreter itself, so they cannot drift). */
export async function podFiles(dns: string): Promise<{ hosts: string; resolvConf: string }> {
  const read = async (path: string): Promise<string> => {
    const outcome = await runEmulated(
      { argv: ['cat', path], flavours: { sh: 'dash' }, tools: ['sh', 'cat'], limitMs: 5000 },
      dns,
    );
    if (outcome.code !== 0) {
      throw new Error(`cat ${path} in the sandbox failed: ${outcome.stderr}`);
    }
    return outcome.stdout;
  };
  return { hosts: await read('/etc/hosts'), resolvConf: await read('/etc/resolv.conf') };
}

export interface RealHost {
  run(input: SideInput): Promise<Outcome>;
  dispose(): void;
}

/**
 * The real side: the Debian binaries in a private mount namespace (`unshare -m`, root) where the Pod's
 * /etc/hosts and /etc/resolv.conf are bind-mounted over the host's; a row without a route runs in a
 * fresh network namespace as well (`unshare -m -n`). stdin is /dev/null unless the row
 * writes one, as `kubectl exec` without `-i`; the locale is C, so messages are the tools' own English.
 */
export function realHost(files: { hosts: string; resolvConf: string }): RealHost {
  const dir = mkdtempSync(join(tmpdir(), 'kubereach-tools-'));
  const hosts = join(dir, 'hosts');
  const resolvConf = join(dir, 'resolv.conf');
  writeFileSync(hosts, files.hosts);
  writeFileSync(resolvConf, files.resolvConf);
  const script = 'mount --bind "$1" /etc/resolv.conf && mount --bind "$2" /etc/hosts && shift 2 && exec "$@"';
  return {
    dispose: () => rmSync(dir, { recursive: true, force: true }),
    run: (input) =>
      new Promise<Outcome>((resolve, reject) => {
        const argv = input.hostArgv ?? input.argv;
        const started = performance.now();
        const namespaces = input.network === 'none' ? ['-m', '-n'] : ['-m'];
        const child = spawn(
          'unshare',
          [...namespaces, 'sh', '-c', script, 'sh', resolvConf, hosts, ...argv],
          {
            env: { PATH, HOME: '/root', HOSTNAME: POD.hostname, LC_ALL: 'C' },
            stdio: [input.stdin === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
            // A group of its own, so that the limit kills whatever the command forked (their pipes end the run).
            detached: true,
          },
        );
        let stdout = '';
        let stderr = '';
        let killed = false;
        child.stdout!.setEncoding('latin1').on('data', (chunk: string) => (stdout += chunk));
        child.stderr!.setEncoding('latin1').on('data', (chunk: string) => (stderr += chunk));
        if (input.stdin !== undefined) {
          child.stdin?.on('error', () => {});
          child.stdin?.end(input.stdin);
        }
        const timer = setTimeout(() => {
          killed = true;
          try {
            process.kill(-child.pid!, 'SIGKILL');
          } catch {
            // Already gone.
          }
        }, input.limitMs);
        child.once('error', (error) => {
          clearTimeout(timer);
          reject(error);
        });
        child.once('close', (code, signal) => {
          clearTimeout(timer);
          // Death by a signal reads as a shell and `kubectl exec` report it: 128 + its number.
          const status = code ?? 128 + (signal === null ? 0 : constants.signals[signal]);
          resolve({ code: status, stdout, stderr, elapsedMs: performance.now() - started, killed });
        });
      }),
  };
}
