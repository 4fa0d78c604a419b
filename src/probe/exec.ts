/**
 * Runs an argument vector in a container through client-node's `Exec` (pods/exec over WebSocket),
 * captures stdout and stderr, and reads the exit status from the error channel. The exec is closed
 * at its deadline (the tool's own timeout plus a margin) or when the caller's signal aborts, so a
 * tool that ignores its timeout cannot hold a probe. No `vscode`.
 *
 * The WebSocket is opened by a small `WebSocketInterface` of our own (client-node's default one
 * drops the body of a refused upgrade): a 403 on pods/exec or a 400 for a container that is not
 * running comes back with the API server's own message.
 */
import { Readable, Writable } from 'node:stream';
import { finished } from 'node:stream/promises';
import { Exec } from '@kubernetes/client-node';
import type { KubeConfig, V1Status } from '@kubernetes/client-node';
import WebSocket from 'ws';
import { classifyError } from '../cluster/errors.ts';
import { describeExecRejection, outcomeFromStatus } from './execStatus.ts';
import type { ExecOutcome } from './execStatus.ts';

export interface ExecRequest {
  readonly namespace: string;
  readonly pod: string;
  /** Always name it: with several containers the API server does not pick one. */
  readonly container?: string;
  readonly argv: readonly string[];
  /** Written to the command's stdin, which is then closed. */
  readonly stdin?: string;
  /** The exec is closed after this long (ms), whatever the command is doing. */
  readonly deadlineMs: number;
  readonly signal?: AbortSignal;
}

export interface ExecTransport {
  /** Never rejects: every failure is an outcome. */
  exec(request: ExecRequest): Promise<ExecOutcome>;
}

/** Output kept per stream: the first HEAD_BYTES and the last TAIL_BYTES (curl's `-w` line is at the end). */
const HEAD_BYTES = 48 * 1024;
const TAIL_BYTES = 16 * 1024;

class Capture extends Writable {
  private readonly head: Buffer[] = [];
  private headBytes = 0;
  private tail: Buffer = Buffer.alloc(0);
  private total = 0;

  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: (error?: Error | null) => void): void {
    this.total += chunk.length;
    let rest = chunk;
    if (this.headBytes < HEAD_BYTES) {
      const take = rest.subarray(0, HEAD_BYTES - this.headBytes);
      this.head.push(take);
      this.headBytes += take.length;
      rest = rest.subarray(take.length);
    }
    if (rest.length > 0) {
      this.tail = Buffer.concat([this.tail, rest]);
      if (this.tail.length > TAIL_BYTES) {
        this.tail = this.tail.subarray(this.tail.length - TAIL_BYTES);
      }
    }
    callback();
  }

  text(): string {
    const head = Buffer.concat(this.head).toString('utf8');
    const omitted = this.total - this.headBytes - this.tail.length;
    if (omitted <= 0) {
      return head + this.tail.toString('utf8');
    }
    return `${head}\n[… ${omitted} bytes not kept …]\n${this.tail.toString('utf8')}`;
  }
}

const PROTOCOLS = [
  'v5.channel.k8s.io',
  'v4.channel.k8s.io',
  'v3.channel.k8s.io',
  'v2.channel.k8s.io',
  'channel.k8s.io',
];
const CLOSE_STREAM = 255;

interface Rejection {
  readonly status: number;
  readonly body: string;
}

type BinaryHandler = (stream: number, data: Buffer) => boolean;
type TextHandler = (text: string) => boolean;

/** client-node's `WebSocketInterface`, keeping the status and body of a refused upgrade. */
class RejectionAwareSockets {
  private readonly kubeconfig: KubeConfig;
  rejection: Rejection | undefined;
  socket: WebSocket | undefined;

  constructor(kubeconfig: KubeConfig) {
    this.kubeconfig = kubeconfig;
  }

  async connect(
    path: string,
    textHandler: TextHandler | null,
    binaryHandler: BinaryHandler | null,
  ): Promise<WebSocket> {
    const cluster = this.kubeconfig.getCurrentCluster();
    if (!cluster) {
      throw new Error('No cluster is defined in the current context of the kubeconfig.');
    }
    const uri = `${cluster.server.replace(/^http/, 'ws').replace(/\/+$/, '')}${path}`;
    const options: WebSocket.ClientOptions = {};
    await this.kubeconfig.applyToHTTPSOptions(options);
    return new Promise<WebSocket>((resolve, reject) => {
      const ws = new WebSocket(uri, PROTOCOLS, options);
      this.socket = ws;
      let opened = false;
      ws.on('unexpected-response', (_request, response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        const done = (): void => {
          this.rejection = { status: response.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') };
          ws.terminate();
        };
        response.once('end', done);
        response.once('error', done);
      });
      ws.once('open', () => {
        opened = true;
        resolve(ws);
      });
      ws.on('error', (error) => {
        if (!opened) {
          reject(error);
        }
      });
      ws.on('message', (data: Buffer, isBinary: boolean) => {
        if (!isBinary) {
          if (textHandler && !textHandler(data.toString('utf8'))) {
            ws.close();
          }
          return;
        }
        const stream = data.readUInt8(0);
        if (stream === CLOSE_STREAM) {
          // v5: the server closed one of its streams; the status frame still ends the exec.
          return;
        }
        if (binaryHandler && !binaryHandler(stream, data.subarray(1))) {
          ws.close();
        }
      });
    });
  }
}

/** The transport the prober uses against a real cluster (or the sandbox). */
export class ClientNodeExecTransport implements ExecTransport {
  private readonly kubeconfig: KubeConfig;
  private open = 0;

  constructor(kubeconfig: KubeConfig) {
    this.kubeconfig = kubeconfig;
  }

  /** Execs started and not yet closed (for tests and diagnostics). */
  get openSessions(): number {
    return this.open;
  }

  exec(request: ExecRequest): Promise<ExecOutcome> {
    const started = performance.now();
    const stdout = new Capture();
    const stderr = new Capture();
    const sockets = new RejectionAwareSockets(this.kubeconfig);
    const where = { namespace: request.namespace, pod: request.pod, container: request.container };
    this.open++;
    return new Promise<ExecOutcome>((resolve) => {
      let settled = false;
      let statusSeen = false;
      const output = () => ({
        stdout: stdout.text(),
        stderr: stderr.text(),
        elapsedMs: Math.round(performance.now() - started),
      });
      const close = (): void => {
        const ws = sockets.socket;
        if (ws === undefined) {
          return;
        }
        if (ws.readyState === WebSocket.OPEN) {
          ws.close();
        } else if (ws.readyState === WebSocket.CONNECTING) {
          ws.terminate();
        }
      };
      const finish = (outcome: ExecOutcome): void => {
        if (settled) {
          return;
        }
        settled = true;
        clearTimeout(timer);
        request.signal?.removeEventListener('abort', onAbort);
        close();
        this.open--;
        resolve(outcome);
      };
      const timer = setTimeout(() => finish({ kind: 'timed-out', ...output() }), request.deadlineMs);
      const onAbort = (): void => finish({ kind: 'cancelled', ...output() });
      if (request.signal?.aborted) {
        onAbort();
        return;
      }
      request.signal?.addEventListener('abort', onAbort, { once: true });

      const onStatus = (status: V1Status): void => {
        statusSeen = true;
        // client-node ends both streams when the status arrives; wait until they have taken every chunk.
        void Promise.all([finished(stdout), finished(stderr)])
          .catch(() => undefined)
          .then(() => finish(outcomeFromStatus(status, output())));
      };
      const stdin = request.stdin === undefined ? null : Readable.from([Buffer.from(request.stdin, 'utf8')]);
      new Exec(this.kubeconfig, sockets)
        .exec(
          request.namespace,
          request.pod,
          request.container as string,
          [...request.argv],
          stdout,
          stderr,
          stdin,
          false,
          onStatus,
        )
        .then(
          (ws) => {
            if (settled) {
              close();
              return;
            }
            ws.once('close', () => {
              if (!statusSeen) {
                finish({
                  kind: 'failed',
                  message: 'The exec connection closed before the command reported its exit status.',
                  ...output(),
                });
              }
            });
          },
          (error: unknown) => {
            const rejection = sockets.rejection;
            if (rejection !== undefined) {
              finish({
                kind: 'failed',
                httpStatus: rejection.status,
                message: describeExecRejection(rejection.status, rejection.body, where),
                ...output(),
              });
              return;
            }
            const cause = (error as { error?: unknown } | null)?.error ?? error;
            const classified = classifyError(cause, {
              resource: `pods/exec of ${request.namespace}/${request.pod}`,
            });
            finish({
              kind: 'failed',
              message: classified.message,
              ...(classified.status !== undefined ? { httpStatus: classified.status } : {}),
              ...output(),
            });
          },
        );
    });
  }
}
