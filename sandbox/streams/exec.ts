/**
 * `pods/exec` over WebSocket, as the kubelet's stream server frames it: one binary message per
 * write, its first byte the channel (0 stdin, 1 stdout, 2 stderr, 3 error as a JSON Status,
 * 4 resize), and in v5 a 255 message that closes one channel. The command is interpreted by the
 * sandbox (sandbox/exec); nothing runs on the host.
 */
import { PassThrough } from 'node:stream';
import type { WebSocket } from 'ws';
import { errors } from '../api/status.ts';
import type { Cluster, ExecTarget } from '../cluster.ts';
import { CLUSTER_DOMAIN } from '../dataplane/dns.ts';
import { ExecStartError, runExec } from '../exec/index.ts';

export const EXEC_PROTOCOLS = ['v5.channel.k8s.io', 'v4.channel.k8s.io'];

const STDIN = 0;
const STDOUT = 1;
const STDERR = 2;
const ERROR = 3;
const CLOSE = 255;

export function selectExecProtocol(offered: readonly string[]): string {
  const protocol = offered.find((p) => EXEC_PROTOCOLS.includes(p));
  if (!protocol) {
    throw errors.badRequest(
      `unable to upgrade connection: none of the requested subprotocols (${offered.join(', ') || 'none'}) is supported; supported: ${EXEC_PROTOCOLS.join(', ')}`,
    );
  }
  return protocol;
}

export interface ExecRequest {
  readonly argv: string[];
  readonly stdin: boolean;
  readonly stdout: boolean;
  readonly stderr: boolean;
  readonly tty: boolean;
  readonly target: ExecTarget;
  readonly cluster: Cluster;
}

export function runExecSession(ws: WebSocket, protocol: string, request: ExecRequest): void {
  const { target, cluster } = request;
  const abort = new AbortController();
  const stdin = request.stdin ? new PassThrough() : null;
  const send = (channel: number, data: Buffer | string) => {
    if (ws.readyState !== ws.OPEN) {
      return;
    }
    const payload = typeof data === 'string' ? Buffer.from(data) : data;
    ws.send(Buffer.concat([Buffer.of(channel), payload]));
  };

  ws.on('message', (raw: Buffer, isBinary: boolean) => {
    const data = isBinary ? raw : Buffer.from(raw.toString(), 'utf8');
    if (data.length === 0) {
      return;
    }
    const channel = data[0]!;
    if (channel === STDIN) {
      stdin?.write(data.subarray(1));
    } else if (channel === CLOSE && protocol === 'v5.channel.k8s.io' && data[1] === STDIN) {
      stdin?.end();
    }
    // Resize (4) matters only for a TTY, which the interpreter does not emulate.
  });
  ws.once('close', () => {
    stdin?.end();
    abort.abort();
  });

  const pod = target.pod;
  const podStatus = pod.status as { podIP: string };
  const podSpec = pod.spec as { hostname?: string };
  const filesKey = `${pod.metadata.uid}/${target.container.name}`;
  let files = cluster.containerFiles.get(filesKey);
  if (!files) {
    files = new Map();
    cluster.containerFiles.set(filesKey, files);
  }
  const hostname = podSpec.hostname ?? pod.metadata.name!;

  const finish = (status: Record<string, unknown>) => {
    // The status frame ends the session; the server then closes the socket (v5 clients use the
    // 255 close frame only for their own stdin, and kubectl rejects it from the server).
    send(ERROR, JSON.stringify(status));
    ws.close(1000);
  };

  runExec(request.argv, {
    pod: { name: pod.metadata.name!, namespace: pod.metadata.namespace!, ip: podStatus.podIP, hostname },
    container: target.container,
    tools: target.tools,
    flavours: target.flavours,
    env: {
      PATH: '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin',
      HOSTNAME: hostname,
      KUBERNETES_SERVICE_HOST: cluster.addresses.kubernetesServiceIp,
      KUBERNETES_SERVICE_PORT: '443',
      KUBERNETES_PORT: `tcp://${cluster.addresses.kubernetesServiceIp}:443`,
      HOME: '/root',
    },
    network: {
      resolve: async (name) => cluster.dataplane.resolve(pod.metadata.namespace!, name),
      connect: (ip, port, options) => cluster.dataplane.dialFromPod(pod, ip, port, options),
    },
    stdin,
    stdout: (chunk) => {
      if (request.stdout) {
        send(STDOUT, chunk);
      }
    },
    stderr: (chunk) => {
      if (request.stderr || request.tty) {
        send(request.tty ? STDOUT : STDERR, chunk);
      }
    },
    signal: abort.signal,
    tty: request.tty,
    dns: { nameserver: cluster.addresses.clusterDnsIp, clusterDomain: CLUSTER_DOMAIN },
    files,
  }).then(
    (code) => {
      if (code === 0) {
        finish({ metadata: {}, status: 'Success' });
      } else {
        finish({
          metadata: {},
          status: 'Failure',
          message: `command terminated with non-zero exit code: error executing command [${request.argv.join(' ')}], exit code ${code}`,
          reason: 'NonZeroExitCode',
          details: { causes: [{ reason: 'ExitCode', message: String(code) }] },
        });
      }
    },
    (error: unknown) => {
      const id = filesKey.replace(/[^a-f0-9]/g, '').slice(0, 64);
      const message =
        error instanceof ExecStartError
          ? `error executing command in container: failed to exec in container: failed to start exec "${id}": ${error.message}`
          : `error executing command in container: ${error instanceof Error ? error.message : String(error)}`;
      finish({
        metadata: {},
        status: 'Failure',
        message: `Internal error occurred: ${message}`,
        reason: 'InternalError',
        details: { causes: [{ message }] },
        code: 500,
      });
    },
  );
}
