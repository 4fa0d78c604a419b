/**
 * The sandbox's `kubectl exec`: runs argv like a container runtime would, by interpreting it. No host process
 * is ever started; network tools make their connections through the sandbox network, from the Pod.
 */
import { VirtualFs } from './fs.ts';
import { callbackOutput, FdTable, nullInput, streamInput } from './io.ts';
import { KillSignal, System } from './process.ts';
import type { DnsConfig, Tool } from './process.ts';
import { shell } from './shell/index.ts';
import {
  cat,
  echo,
  env,
  falseTool,
  grep,
  head,
  hostname,
  ls,
  printenv,
  printf,
  sleep,
  tail,
  test,
  timeout,
  trueTool,
  wc,
  which,
} from './tools/coreutils.ts';
import { curl } from './tools/curl.ts';
import { getent, nslookup } from './tools/dnstools.ts';
import { nc } from './tools/nc.ts';
import { wget } from './tools/wget.ts';
import type { ExecContext } from './types.ts';

export type { ExecContext, ExecNetwork } from './types.ts';

/**
 * Thrown when argv[0] does not exist in the image, before anything runs, with the runtime's message, e.g.
 * `OCI runtime exec failed: exec failed: unable to start container process: exec: "curl": executable file not
 * found in $PATH: unknown`.
 */
export class ExecStartError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ExecStartError';
  }
}

const REGISTRY: ReadonlyMap<string, Tool> = new Map<string, Tool>([
  ['sh', shell],
  ['ash', shell],
  ['dash', shell],
  ['bash', shell],
  ['curl', curl],
  ['wget', wget],
  ['nc', nc],
  ['netcat', nc],
  ['getent', getent],
  ['nslookup', nslookup],
  ['cat', cat],
  ['echo', echo],
  ['env', env],
  ['false', falseTool],
  ['grep', grep],
  ['head', head],
  ['hostname', hostname],
  ['ls', ls],
  ['printenv', printenv],
  ['printf', printf],
  ['sleep', sleep],
  ['tail', tail],
  ['test', test],
  ['[', test],
  ['timeout', timeout],
  ['true', trueTool],
  ['wc', wc],
  ['which', which],
]);

const DEFAULT_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

function startError(command: string): ExecStartError {
  const reason = command.includes('/')
    ? `stat ${command}: no such file or directory`
    : 'executable file not found in $PATH';
  return new ExecStartError(
    `OCI runtime exec failed: exec failed: unable to start container process: exec: "${command}": ${reason}: unknown`,
  );
}

/** Runs argv like a container runtime would (no shell unless argv[0] is a shell). Resolves with the exit code. */
export async function runExec(argv: string[], ctx: ExecContext): Promise<number> {
  const clusterDomain = ctx.dns?.clusterDomain ?? 'cluster.local';
  const dns: DnsConfig = {
    nameserver: ctx.dns?.nameserver ?? '10.96.0.10',
    clusterDomain,
    search: [`${ctx.pod.namespace}.svc.${clusterDomain}`, `svc.${clusterDomain}`, clusterDomain],
  };
  const fs = new VirtualFs(ctx.files ?? new Map(), {
    hostname: ctx.pod.hostname,
    podIp: ctx.pod.ip,
    nameserver: dns.nameserver,
    search: dns.search,
  });
  const sys = new System(ctx, fs, dns, REGISTRY);
  const command = argv[0] ?? '';
  const program = command === '' ? null : sys.findProgram(command);
  if (program === null) {
    throw startError(command);
  }

  // Nothing may reach the caller's streams once the exec has ended, whatever a killed tool still tries.
  let open = true;
  const stdin = ctx.stdin === null ? null : streamInput(ctx.stdin);
  const fds = new FdTable();
  fds.set(0, { label: 'stdin', input: stdin?.input ?? nullInput });
  const gated =
    (write: (chunk: Buffer) => void) =>
    (chunk: Buffer): void => {
      if (open) {
        write(chunk);
      }
    };
  fds.set(1, { label: 'stdout', output: callbackOutput(gated(ctx.stdout)) });
  fds.set(2, { label: 'stderr', output: callbackOutput(gated(ctx.stderr)) });
  const environment: Record<string, string> = {
    PATH: DEFAULT_PATH,
    HOSTNAME: ctx.pod.hostname,
    ...ctx.env,
  };
  environment.HOME ??= '/root';

  const controller = new AbortController();
  const onAbort = (): void => controller.abort(new KillSignal('KILL'));
  if (ctx.signal.aborted) {
    onAbort();
  } else {
    ctx.signal.addEventListener('abort', onAbort, { once: true });
  }
  try {
    const info = await sys.spawn(program, argv, {
      env: environment,
      fds,
      signal: controller.signal,
      cwd: '/',
    });
    return info.code;
  } finally {
    open = false;
    ctx.signal.removeEventListener('abort', onAbort);
    // Kill whatever a resolved-early race left running (a tool still unwinding after its kill).
    controller.abort(new KillSignal('KILL'));
    stdin?.detach();
    sys.cleanup();
  }
}
