/**
 * The errors of port-forwarding, each with a code the UI can branch on (to offer another local
 * port, say) and one plain sentence; and the classification of what opening a `pods/portforward`
 * WebSocket can fail with. No `vscode`.
 */
import { classifyError } from '../cluster/errors.ts';
import { redact } from '../logging/redact.ts';

export type PortForwardErrorCode =
  /** The spec is malformed (a port that is no number or name, an empty address...). */
  | 'invalid-spec'
  /** No cluster (context) to forward in, or the spec names another context. */
  | 'no-cluster'
  /** The Pod or Service does not exist. */
  | 'not-found'
  /** The Service has no such port, the Pod no such named container port, or it is not TCP. */
  | 'no-such-port'
  /** A Service without selector (or ExternalName): no Pod to forward to. */
  | 'no-pods'
  /** The exact local port asked for is taken; `suggestedLocalPort` is a free one. */
  | 'local-port-in-use'
  /** The local port or address cannot be used (privileged port, address not on this machine). */
  | 'local-address'
  /** 403: the credentials may not create `pods/portforward` (or may not read the target). */
  | 'forbidden'
  /** 401, or a TLS problem: the credentials or the server certificate are not accepted. */
  | 'unauthorized'
  /** The API server cannot be reached, or did not answer in time. */
  | 'api-unreachable'
  /** The API server cannot dial the kubelet of the Pod's node ("error dialing backend"). */
  | 'node-unreachable'
  /** The forward was stopped while starting. */
  | 'stopped';

export class PortForwardError extends Error {
  readonly code: PortForwardErrorCode;
  /** For `local-port-in-use` and `local-address`: a local port that is free now. */
  readonly suggestedLocalPort: number | undefined;

  constructor(code: PortForwardErrorCode, message: string, options: { suggestedLocalPort?: number } = {}) {
    super(message);
    this.name = 'PortForwardError';
    this.code = code;
    this.suggestedLocalPort = options.suggestedLocalPort;
  }
}

/** The API server refused the WebSocket upgrade with this HTTP status and body. */
export class UpgradeRejectedError extends Error {
  readonly statusCode: number;
  readonly body: string;

  constructor(statusCode: number, body: string) {
    super(`The API server answered the port-forward request with HTTP ${statusCode}.`);
    this.name = 'UpgradeRejectedError';
    this.statusCode = statusCode;
    this.body = body;
  }
}

/**
 * How the engine reacts to a failed connection attempt:
 * - `fatal`: nothing will change by retrying (403, 401, TLS): the forward fails;
 * - `pod`: this Pod cannot be reached through the API server (404 gone, 400 not running, 5xx from
 *   its node): another Pod is tried, this one again after a backoff;
 * - `node`: the API server cannot dial the kubelet of the Pod's node, through which every
 *   port-forward passes: Pods on other nodes are tried; while none is left, each new connection
 *   tries the node once (no timer retries: a node does not come back in milliseconds);
 * - `api`: the API server is gone or slow: the forward reconnects with backoff.
 */
export type TunnelFailureKind = 'fatal' | 'pod' | 'node' | 'api';

export interface TunnelFailure {
  readonly kind: TunnelFailureKind;
  readonly code: PortForwardErrorCode;
  readonly message: string;
}

export interface TunnelContext {
  readonly server?: string;
  readonly namespace: string;
  readonly pod: string;
  readonly context?: string;
  /** The node the Pod runs on, when known. */
  readonly node?: string;
}

export function classifyTunnelError(error: unknown, context: TunnelContext): TunnelFailure {
  const pod = `Pod ${context.namespace}/${context.pod}`;
  if (error instanceof UpgradeRejectedError) {
    const detail = statusMessage(error.body);
    const said = detail ? ` The API server said: ${withFullStop(detail)}` : '';
    switch (error.statusCode) {
      case 403:
        return {
          kind: 'fatal',
          code: 'forbidden',
          message: `Forbidden: the credentials${context.context ? ` of context ${context.context}` : ''} cannot create pods/portforward in namespace ${context.namespace}.${said}`,
        };
      case 401:
        return {
          kind: 'fatal',
          code: 'unauthorized',
          message: `The API server${context.server ? ` at ${context.server}` : ''} rejected the credentials (401 Unauthorized).`,
        };
      case 404:
        return { kind: 'pod', code: 'not-found', message: `${pod} was not found by the API server.${said}` };
      case 400:
      case 409:
        return {
          kind: 'pod',
          code: 'not-found',
          message: `${pod} does not accept port-forwards now (it is not running).${said}`,
        };
      default:
        if (error.statusCode >= 500 && detail !== undefined && /error dialing backend/i.test(detail)) {
          const node = context.node !== undefined ? `node ${context.node}` : 'its node';
          return {
            kind: 'node',
            code: 'node-unreachable',
            message: `The API server cannot reach the kubelet of ${node}, where ${pod} runs; port-forwards pass through the kubelet, so no connection to a Pod on that node can be forwarded until it can (check the node's Ready condition and the network from the control plane to port 10250).${said}`,
          };
        }
        if (error.statusCode >= 500) {
          return {
            kind: 'pod',
            code: 'api-unreachable',
            message: `The API server could not reach ${pod} (HTTP ${error.statusCode}).${said}`,
          };
        }
        return {
          kind: 'api',
          code: 'api-unreachable',
          message: `The API server answered HTTP ${error.statusCode} to the port-forward request.${said}`,
        };
    }
  }
  const classified = classifyError(error, context.server ? { server: context.server } : {});
  switch (classified.kind) {
    case 'tls':
    case 'unauthorized':
      return { kind: 'fatal', code: 'unauthorized', message: classified.message };
    case 'forbidden':
      return { kind: 'fatal', code: 'forbidden', message: `Forbidden: ${classified.message}` };
    default:
      return { kind: 'api', code: 'api-unreachable', message: classified.message };
  }
}

/**
 * The plain sentence for what the Pod side said on the port-forward error channel (kubelet's
 * "error forwarding port 8080 to pod …: connect: connection refused").
 */
export function describeErrorChannel(text: string, pod: string, port: number): string {
  const trimmed = text.trim();
  if (/connection refused/i.test(trimmed)) {
    return `Nothing accepted the connection on port ${port} of Pod ${pod} (connection refused).`;
  }
  if (/timed? ?out/i.test(trimmed)) {
    return `Port ${port} of Pod ${pod} did not answer in time.`;
  }
  const first = redact(trimmed.split('\n', 1)[0]!.slice(0, 300));
  return `Forwarding to port ${port} of Pod ${pod} failed: ${withFullStop(first)}`;
}

function statusMessage(body: string): string | undefined {
  try {
    const parsed = JSON.parse(body) as { message?: unknown };
    return typeof parsed.message === 'string' && parsed.message.trim() !== ''
      ? redact(parsed.message.trim().split('\n', 1)[0]!.slice(0, 400))
      : undefined;
  } catch {
    const text = body.trim().split('\n', 1)[0]?.slice(0, 200);
    return text ? redact(text) : undefined;
  }
}

function withFullStop(text: string): string {
  return /[.!?]$/.test(text) ? text : `${text}.`;
}
