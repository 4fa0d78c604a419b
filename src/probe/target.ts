/**
 * Targets, from what the user picked or typed to what the tools need: host, port, URL, method.
 * Values are kept as given (a path with `;`, `$()`, backticks or quotes reaches the tool as typed);
 * only what can never be sent on an HTTP request line is percent-encoded (spaces, control and
 * non-ASCII characters), as a browser does. Pure: no network, no `vscode`.
 */
import type {
  HttpProbeOptions,
  ProbeProtocol,
  ProbeTarget,
  ResolvedTarget,
  ServiceProbeTarget,
} from './types.ts';

export type TargetResolution =
  { readonly ok: true; readonly target: ResolvedTarget } | { readonly ok: false; readonly message: string };

const DEFAULT_CLUSTER_DOMAIN = 'cluster.local';

/** RFC 9110 token: what an HTTP method may be made of. */
const METHOD = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;

const CONTROL = /[\x00-\x1f\x7f]/;

/** Percent-encodes whitespace, control and non-ASCII characters; everything else stays as typed. */
export function encodeUnsafePathCharacters(text: string): string {
  let out = '';
  for (const char of text) {
    const code = char.codePointAt(0)!;
    if (code <= 0x20 || code === 0x7f || code > 0x7e) {
      out += [...Buffer.from(char, 'utf8')]
        .map((byte) => `%${byte.toString(16).toUpperCase().padStart(2, '0')}`)
        .join('');
    } else {
      out += char;
    }
  }
  return out;
}

export function serviceHost(target: ServiceProbeTarget): string | undefined {
  switch (target.addressing ?? 'namespaced') {
    case 'short':
      return target.name;
    case 'namespaced':
      return `${target.name}.${target.namespace}`;
    case 'fqdn':
      return `${target.name}.${target.namespace}.svc.${target.clusterDomain ?? DEFAULT_CLUSTER_DOMAIN}`;
    case 'cluster-ip':
      return target.clusterIP === undefined || target.clusterIP === '' || target.clusterIP === 'None'
        ? undefined
        : target.clusterIP;
  }
}

function validPort(port: number): boolean {
  return Number.isInteger(port) && port >= 1 && port <= 65535;
}

function checkHost(host: string): string | undefined {
  if (host === '') {
    return 'The target has no host.';
  }
  if (CONTROL.test(host)) {
    return 'The host contains control characters.';
  }
  return undefined;
}

/** `[v6]` in URLs, the address itself elsewhere. */
function urlHost(host: string): string {
  return host.includes(':') && !host.startsWith('[') ? `[${host}]` : host;
}

function defaultPort(scheme: 'http' | 'https'): number {
  return scheme === 'https' ? 443 : 80;
}

interface HttpParts {
  method: string;
  expectedStatus?: number;
  insecure: boolean;
}

function httpParts(http: HttpProbeOptions | undefined): HttpParts | string {
  const method = (http?.method ?? 'GET').trim() || 'GET';
  if (!METHOD.test(method)) {
    return `"${method}" is not an HTTP method.`;
  }
  const expected = http?.expectedStatus;
  if (expected !== undefined && !(Number.isInteger(expected) && expected >= 100 && expected <= 599)) {
    return `The expected status ${expected} is not an HTTP status (100 to 599).`;
  }
  return {
    method,
    ...(expected !== undefined ? { expectedStatus: expected } : {}),
    insecure: http?.insecure === true,
  };
}

function normalizePath(path: string | undefined): string {
  const raw = path === undefined || path === '' ? '/' : path;
  const rooted = raw.startsWith('/') ? raw : `/${raw}`;
  return encodeUnsafePathCharacters(rooted);
}

interface ParsedUrl {
  scheme: 'http' | 'https' | 'tcp';
  host: string;
  port: number;
  /** Path and query, fragment removed, encoded. */
  path: string;
  /** The URL as typed, encoded. */
  url: string;
}

function parseUrl(text: string): ParsedUrl | string {
  const trimmed = text.trim();
  const match = /^([A-Za-z][A-Za-z0-9+.-]*):\/\/([\s\S]*)$/.exec(trimmed);
  if (!match) {
    return `"${trimmed}" is not a URL (expected http://, https:// or tcp://).`;
  }
  const scheme = match[1]!.toLowerCase();
  if (scheme !== 'http' && scheme !== 'https' && scheme !== 'tcp') {
    return `Only http://, https:// and tcp:// targets can be probed, not ${scheme}://.`;
  }
  const rest = match[2]!;
  const end = rest.search(/[/?#]/);
  const authority = end >= 0 ? rest.slice(0, end) : rest;
  const remainder = end >= 0 ? rest.slice(end) : '';
  const hostPort = authority.slice(authority.lastIndexOf('@') + 1);
  const hostMatch = /^(\[[^\]]*\]|[^:]*)(?::(.*))?$/.exec(hostPort);
  const host = (hostMatch?.[1] ?? '').replace(/^\[(.*)\]$/, '$1');
  const hostProblem = checkHost(host);
  if (hostProblem !== undefined) {
    return hostProblem;
  }
  const portText = hostMatch?.[2];
  let port: number;
  if (portText === undefined || portText === '') {
    if (scheme === 'tcp') {
      return 'A tcp:// target needs a port.';
    }
    port = defaultPort(scheme);
  } else {
    port = /^\d+$/.test(portText) ? Number(portText) : Number.NaN;
    if (!validPort(port)) {
      return `The port "${portText}" is not a number from 1 to 65535.`;
    }
  }
  const withoutFragment = remainder.replace(/#[\s\S]*$/, '');
  const path =
    withoutFragment === '' ? '/' : withoutFragment.startsWith('?') ? `/${withoutFragment}` : withoutFragment;
  return {
    scheme,
    host,
    port,
    path: encodeUnsafePathCharacters(path),
    url: `${match[1]}://${authority}${encodeUnsafePathCharacters(remainder === '' && scheme !== 'tcp' ? '/' : remainder)}`,
  };
}

/**
 * Parses what a user typed as a target: a URL (`http://…`, `https://…`, `tcp://host:port`) or
 * `host:port` (TCP; `[v6]:port` for IPv6).
 */
export function parseFreeFormTarget(text: string, http?: HttpProbeOptions): ProbeTarget | { error: string } {
  const trimmed = text.trim();
  if (trimmed.includes('://')) {
    const parsed = parseUrl(trimmed);
    return typeof parsed === 'string'
      ? { error: parsed }
      : { kind: 'url', url: trimmed, ...(http ? { http } : {}) };
  }
  const match = /^(\[[^\]]+\]|[^\s:][^:]*):(\d+)$/.exec(trimmed);
  if (!match) {
    return { error: `"${trimmed}" is neither a URL nor host:port.` };
  }
  const port = Number(match[2]);
  if (!validPort(port)) {
    return { error: `The port "${match[2]}" is not a number from 1 to 65535.` };
  }
  return { kind: 'address', host: match[1]!.replace(/^\[(.*)\]$/, '$1'), port };
}

/** Reduces a target to what the tools need, or says in a sentence why it cannot be probed. */
export function resolveTarget(target: ProbeTarget): TargetResolution {
  const fail = (message: string): TargetResolution => ({ ok: false, message });
  const http = httpParts(target.http);
  if (typeof http === 'string') {
    return fail(http);
  }
  let host: string;
  let port: number;
  let label: string;
  let protocol: ProbeProtocol = target.protocol ?? (target.kind === 'address' ? 'tcp' : 'http');
  let scheme: 'http' | 'https' = target.http?.https === true ? 'https' : 'http';
  let path = normalizePath(target.http?.path);
  let url: string | undefined;
  switch (target.kind) {
    case 'pod':
      host = target.ip;
      port = target.port;
      label = `${target.namespace}/${target.name}:${target.port}`;
      if (host === '') {
        return fail(`Pod ${target.namespace}/${target.name} has no IP address yet.`);
      }
      break;
    case 'service': {
      const found = serviceHost(target);
      if (found === undefined) {
        return fail(
          `Service ${target.namespace}/${target.name} has no ClusterIP (headless); probe it by name.`,
        );
      }
      host = found;
      port = target.port;
      label = `${found}:${target.port}`;
      break;
    }
    case 'address':
      host = target.host;
      port = target.port;
      label = `${urlHost(host)}:${port}`;
      break;
    case 'url': {
      const parsed = parseUrl(target.url);
      if (typeof parsed === 'string') {
        return fail(parsed);
      }
      host = parsed.host;
      port = parsed.port;
      label = parsed.url;
      if (parsed.scheme === 'tcp') {
        protocol = 'tcp';
      } else {
        protocol = target.protocol ?? 'http';
        scheme = parsed.scheme;
        path = parsed.path;
        url = parsed.url;
      }
      break;
    }
  }
  const hostProblem = checkHost(host);
  if (hostProblem !== undefined) {
    return fail(hostProblem);
  }
  if (!validPort(port)) {
    return fail(`The port ${port} is not a number from 1 to 65535.`);
  }
  url ??= `${scheme}://${urlHost(host)}${port === defaultPort(scheme) ? '' : `:${port}`}${path}`;
  return {
    ok: true,
    target: {
      label: target.label ?? label,
      protocol,
      host,
      port,
      scheme,
      path,
      url,
      method: http.method,
      ...(http.expectedStatus !== undefined ? { expectedStatus: http.expectedStatus } : {}),
      insecure: http.insecure,
    },
  };
}
