/**
 * Turns any error that talking to a cluster can produce (client-node's `ApiException`, the Watch's
 * `Error` with a `statusCode`, undici's `TypeError: fetch failed` with its `cause` chain, `ws`'s
 * "Unexpected server response", plain Node socket errors, TLS errors) into one plain sentence a user
 * can act on, with a kind features can branch on. Never a stack trace, never a credential: the
 * message (server URL included) passes through `redact`, and client-node's `ApiException` text (which carries response
 * headers) is never used.
 */
import { redact } from '../logging/redact.ts';

export type ClusterErrorKind =
  'unreachable' | 'tls' | 'unauthorized' | 'forbidden' | 'not-found' | 'timeout' | 'other';

export interface ClusterError {
  readonly kind: ClusterErrorKind;
  /** One plain sentence, ending with a full stop. */
  readonly message: string;
  /** The HTTP status, when the API server answered. */
  readonly status?: number;
}

export interface ClassifyContext {
  /** The API server URL, named in messages ("The API server at https://… refused the connection."). */
  readonly server?: string;
  /** What was being read, for messages without a server text, e.g. `pods in namespace web`. */
  readonly resource?: string;
}

const TLS_CODES = new Set([
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'UNABLE_TO_DECRYPT_CERT_SIGNATURE',
  'UNABLE_TO_DECODE_ISSUER_PUBLIC_KEY',
  'CERT_SIGNATURE_FAILURE',
  'CERT_NOT_YET_VALID',
  'CERT_HAS_EXPIRED',
  'CERT_UNTRUSTED',
  'CERT_REJECTED',
  'INVALID_CA',
  'HOSTNAME_MISMATCH',
  'ERR_TLS_CERT_ALTNAME_INVALID',
]);

const UNREACHABLE_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ECONNABORTED',
  'EPIPE',
  'EHOSTUNREACH',
  'EHOSTDOWN',
  'ENETUNREACH',
  'ENETDOWN',
  'EADDRNOTAVAIL',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EAI_NONAME',
  'UND_ERR_SOCKET',
  'UND_ERR_CLOSED',
  'UND_ERR_DESTROYED',
]);

const TIMEOUT_CODES = new Set([
  'ETIMEDOUT',
  'ESOCKETTIMEDOUT',
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_HEADERS_TIMEOUT',
  'UND_ERR_BODY_TIMEOUT',
]);

const REASONS: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  408: 'Request Timeout',
  409: 'Conflict',
  410: 'Gone',
  422: 'Unprocessable Entity',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
  502: 'Bad Gateway',
  503: 'Service Unavailable',
  504: 'Gateway Timeout',
};

/** What an error chain tells us, gathered from the error, its `cause`s and an AggregateError's `errors`. */
interface Facts {
  codes: string[];
  names: string[];
  messages: string[];
  status: number | undefined;
  serverMessage: string | undefined;
}

export function classifyError(error: unknown, context: ClassifyContext = {}): ClusterError {
  // The server URL may carry userinfo, any text a credential: the sentence is redacted as a whole.
  const classified = classify(error, context);
  return { ...classified, message: redact(classified.message) };
}

function classify(error: unknown, context: ClassifyContext): ClusterError {
  const facts = gather(error);
  const at = context.server ? ` at ${context.server}` : '';
  const server = `The API server${at}`;

  if (facts.status !== undefined) {
    return fromStatus(facts.status, facts.serverMessage, server, context);
  }

  const code = (wanted: (c: string) => boolean) => facts.codes.find(wanted);
  const tls =
    code((c) => TLS_CODES.has(c) || c.startsWith('ERR_SSL_') || c.startsWith('ERR_TLS_')) ??
    (facts.codes.includes('EPROTO') && facts.messages.some((m) => /ssl|tls/i.test(m)) ? 'EPROTO' : undefined);
  if (tls !== undefined) {
    return { kind: 'tls', message: tlsMessage(tls, server, context.server) };
  }
  const clientKey = code((c) => c.startsWith('ERR_OSSL'));
  if (clientKey !== undefined) {
    return {
      kind: 'tls',
      message: 'The client certificate or key of this context could not be used (it may be malformed).',
    };
  }
  const timeout =
    code((c) => TIMEOUT_CODES.has(c)) ?? (facts.names.includes('TimeoutError') ? 'TimeoutError' : undefined);
  if (timeout !== undefined) {
    return { kind: 'timeout', message: `${server} did not answer in time.` };
  }
  const unreachable = code((c) => UNREACHABLE_CODES.has(c));
  if (unreachable !== undefined) {
    return { kind: 'unreachable', message: unreachableMessage(unreachable, server, context.server) };
  }
  if (facts.messages.some((m) => /^(terminated|other side closed|socket hang up)$/i.test(m))) {
    return { kind: 'unreachable', message: `The connection to the API server${at} was lost.` };
  }
  if (facts.names.includes('AbortError')) {
    return { kind: 'other', message: 'The request was cancelled.' };
  }
  const text = facts.messages.find((m) => m !== '' && m !== 'fetch failed') ?? 'Unknown error';
  return { kind: 'other', message: sentence(text) };
}

function fromStatus(
  status: number,
  serverMessage: string | undefined,
  server: string,
  context: ClassifyContext,
): ClusterError {
  const reason = REASONS[status] ?? 'Error';
  const detail = serverMessage !== undefined && serverMessage !== '' ? serverMessage : undefined;
  switch (status) {
    case 401:
      return {
        kind: 'unauthorized',
        status,
        message: `${server} rejected the credentials of this context (401 Unauthorized).`,
      };
    case 403:
      return {
        kind: 'forbidden',
        status,
        message: detail
          ? sentence(detail)
          : `Access${context.resource ? ` to ${context.resource}` : ''} is forbidden (403 Forbidden).`,
      };
    case 404:
      return {
        kind: 'not-found',
        status,
        message: detail
          ? sentence(detail)
          : `${server} does not serve ${context.resource ?? 'this resource'} (404 Not Found).`,
      };
    case 408:
    case 504:
      return { kind: 'timeout', status, message: `${server} did not answer in time (${status} ${reason}).` };
    default:
      return {
        kind: 'other',
        status,
        message: `${server} answered ${status} ${reason}${detail ? `: ${stripFullStop(detail)}` : ''}.`,
      };
  }
}

function tlsMessage(code: string, server: string, url: string | undefined): string {
  switch (code) {
    case 'CERT_HAS_EXPIRED':
      return `The certificate of the API server${url ? ` at ${url}` : ''} has expired.`;
    case 'CERT_NOT_YET_VALID':
      return `The certificate of the API server${url ? ` at ${url}` : ''} is not valid yet.`;
    case 'ERR_TLS_CERT_ALTNAME_INVALID':
    case 'HOSTNAME_MISMATCH':
      return `The certificate of the API server does not match the host${url ? ` ${hostOf(url)}` : ''}.`;
    case 'DEPTH_ZERO_SELF_SIGNED_CERT':
    case 'SELF_SIGNED_CERT_IN_CHAIN':
    case 'UNABLE_TO_VERIFY_LEAF_SIGNATURE':
    case 'UNABLE_TO_GET_ISSUER_CERT':
    case 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY':
    case 'CERT_UNTRUSTED':
    case 'INVALID_CA':
      return `${server} presented a certificate that is not trusted (check the cluster's certificate authority in the kubeconfig).`;
    default:
      return `The TLS connection to the API server${url ? ` at ${url}` : ''} failed (${code}).`;
  }
}

function unreachableMessage(code: string, server: string, url: string | undefined): string {
  switch (code) {
    case 'ECONNREFUSED':
      return `${server} refused the connection.`;
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
    case 'EAI_NONAME':
      return `The host name of the API server${url ? ` ${hostOf(url)}` : ''} could not be resolved.`;
    case 'EHOSTUNREACH':
    case 'EHOSTDOWN':
    case 'ENETUNREACH':
    case 'ENETDOWN':
    case 'EADDRNOTAVAIL':
      return `${server} cannot be reached from this machine (${code}).`;
    default:
      return `The connection to the API server${url ? ` at ${url}` : ''} was lost.`;
  }
}

function gather(error: unknown): Facts {
  const facts: Facts = { codes: [], names: [], messages: [], status: undefined, serverMessage: undefined };
  const seen = new Set<unknown>();
  const visit = (value: unknown, depth: number) => {
    if (value === null || value === undefined || depth > 8 || seen.has(value)) {
      return;
    }
    seen.add(value);
    if (typeof value !== 'object') {
      facts.messages.push(firstLine(String(value)));
      return;
    }
    const record = value as Record<string, unknown>;
    if (typeof record.code === 'string') {
      facts.codes.push(record.code);
    }
    if (typeof record.name === 'string') {
      facts.names.push(record.name);
    }
    const status = httpStatus(record);
    if (status !== undefined && facts.status === undefined) {
      facts.status = status;
      facts.serverMessage = statusMessage(record.body);
    }
    if (typeof record.message === 'string') {
      // client-node's ApiException message embeds the response headers: never keep it.
      if (!record.message.startsWith('HTTP-Code:')) {
        facts.messages.push(firstLine(record.message));
      }
      const ws = /^Unexpected server response: (\d{3})/.exec(record.message);
      if (ws && facts.status === undefined) {
        facts.status = Number(ws[1]);
      }
    }
    visit(record.cause, depth + 1);
    if (Array.isArray(record.errors)) {
      for (const inner of record.errors) {
        visit(inner, depth + 1);
      }
    }
  };
  visit(error, 0);
  return facts;
}

function httpStatus(record: Record<string, unknown>): number | undefined {
  const response = record.response as Record<string, unknown> | undefined;
  for (const candidate of [record.code, record.statusCode, record.status, response?.statusCode]) {
    if (typeof candidate === 'number' && Number.isInteger(candidate) && candidate >= 300 && candidate < 600) {
      return candidate;
    }
  }
  return undefined;
}

/** The `message` of a Kubernetes `Status` body, whether a JSON string or already parsed. */
function statusMessage(body: unknown): string | undefined {
  let parsed = body;
  if (typeof body === 'string') {
    try {
      parsed = JSON.parse(body) as unknown;
    } catch {
      return undefined;
    }
  }
  if (parsed !== null && typeof parsed === 'object') {
    const message = (parsed as Record<string, unknown>).message;
    if (typeof message === 'string' && message.trim() !== '') {
      return firstLine(message);
    }
  }
  return undefined;
}

function firstLine(text: string): string {
  return redact(text).split('\n', 1)[0]!.trim();
}

function stripFullStop(text: string): string {
  return text.replace(/[.\s]+$/, '');
}

/** One line, at most 300 characters, ending with a full stop; the server's own wording is kept as is. */
function sentence(text: string): string {
  let result = stripFullStop(firstLine(text));
  if (result.length > 300) {
    result = `${result.slice(0, 297)}…`;
  }
  return `${result}.`;
}

function hostOf(url: string): string {
  try {
    return new URL(url).hostname;
  } catch {
    return url;
  }
}
