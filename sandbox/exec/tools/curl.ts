/**
 * curl 8.5 (as in Ubuntu 24.04 and Debian-based images): the options probes use, its exit codes, its error
 * texts (lib/connect.c, lib/multi.c, lib/http.c), its progress meter (lib/progress.c) and --write-out.
 */
import { isIP } from 'node:net';
import type { Socket } from 'node:net';
import { brotliDecompressSync, gunzipSync, inflateSync, zstdDecompressSync } from 'node:zlib';
import type { TLSSocket } from 'node:tls';
import { resolveHost } from '../dns.ts';
import { FsError, strerror, VirtualFs } from '../fs.ts';
import { abortable, BadFdError, BrokenPipeError, readAll } from '../io.ts';
import type { OutStream } from '../io.ts';
import { contentLength, header, HttpError, readBody, readHead } from '../net/http.ts';
import type { ResponseHead } from '../net/http.ts';
import { connectTcp, errorCode, NetError, SocketReader, socketWriter } from '../net/socket.ts';
import { describeCertificate, startTls, TlsError, verifyError } from '../net/tls.ts';
import { childController, KillSignal, sleep, writeErr, writeFd } from '../process.ts';
import type { Proc } from '../process.ts';
import { GlobError, globErrorText, outputName as globOutputName, parseGlob } from './urlGlob.ts';

const VERSION = '8.5.0';
const SSL_VERSION = 'OpenSSL/3.0.13';
const CA_CERT_HELP =
  'More details here: https://curl.se/docs/sslcerts.html\n\n' +
  'curl failed to verify the legitimacy of the server and therefore could not\n' +
  'establish a secure connection to it. To learn more about this situation and\n' +
  'how to fix it, please visit the web page mentioned above.\n';
const DEFAULT_CONNECT_TIMEOUT_MS = 300_000;
/**
 * URLs one glob may expand to here. Real curl requests every one (`[1-100000000]` is a hundred
 * million requests); the sandbox refuses past this bound rather than hang.
 */
export const MAX_GLOB_URLS = 1000;

interface Config {
  urls: string[];
  globoff: boolean;
  outputs: string[];
  remoteNames: number;
  silent: boolean;
  showError: boolean;
  progress: 'meter' | 'bar' | 'none';
  verbose: boolean;
  include: boolean;
  head: boolean;
  fail: boolean;
  failWithBody: boolean;
  location: boolean;
  maxRedirs: number;
  insecure: boolean;
  compressed: boolean;
  http10: boolean;
  get: boolean;
  writeOut: string | null;
  maxTime: number | null;
  connectTimeout: number | null;
  method: string | null;
  headers: string[];
  data: Buffer[] | null;
  userAgent: string | null;
  referer: string | null;
  user: string | null;
  range: string | null;
  cookie: string | null;
  resolve: Map<string, string[]>;
  retry: number;
  retryDelay: number | null;
  retryMaxTime: number;
  retryConnRefused: boolean;
  retryAllErrors: boolean;
  cacert: string | null;
  dumpHeader: string | null;
  stderrFile: string | null;
  pathAsIs: boolean;
  ipv6Only: boolean;
}

function defaultConfig(): Config {
  return {
    urls: [],
    globoff: false,
    outputs: [],
    remoteNames: 0,
    silent: false,
    showError: false,
    progress: 'meter',
    verbose: false,
    include: false,
    head: false,
    fail: false,
    failWithBody: false,
    location: false,
    maxRedirs: 50,
    insecure: false,
    compressed: false,
    http10: false,
    get: false,
    writeOut: null,
    maxTime: null,
    connectTimeout: null,
    method: null,
    headers: [],
    data: null,
    userAgent: `curl/${VERSION}`,
    referer: null,
    user: null,
    range: null,
    cookie: null,
    resolve: new Map(),
    retry: 0,
    retryDelay: null,
    retryMaxTime: 0,
    retryConnRefused: false,
    retryAllErrors: false,
    cacert: null,
    dumpHeader: null,
    stderrFile: null,
    pathAsIs: false,
    ipv6Only: false,
  };
}

class UsageError extends Error {
  readonly option: string | null;
  constructor(option: string | null, reason: string) {
    super(reason);
    this.option = option;
  }
}

class Unsupported extends Error {}

type Setter = (cfg: Config, value: string, proc: Proc) => Promise<void> | void;
interface Option {
  long: string;
  short?: string;
  /** Takes an argument (else a boolean switch, `on` false for --no-xxx). */
  arg: boolean;
  set: (cfg: Config, value: string, on: boolean, proc: Proc) => Promise<void> | void;
}

/** Option values: errors name the option as it was written (-m or --max-time), filled in by the caller. */
function seconds(value: string): number {
  if (!/^\s*(\d+(\.\d*)?|\.\d+)\s*$/.test(value)) {
    throw new UsageError(null, 'expected a proper numerical parameter');
  }
  return Number(value);
}

function integer(value: string): number {
  if (!/^-?\d+$/.test(value.trim())) {
    throw new UsageError(null, 'expected a proper numerical parameter');
  }
  return Number(value);
}

async function readArgFile(proc: Proc, name: string): Promise<Buffer | null> {
  try {
    if (name === '-') {
      const stdin = proc.fds.get(0)?.input;
      return stdin === undefined ? Buffer.alloc(0) : await readAll(stdin, proc.signal);
    }
    return proc.sys.fs.readFile(VirtualFs.normalize(proc.cwd, name));
  } catch (error) {
    if (error instanceof FsError) {
      return null;
    }
    throw error;
  }
}

function dataSetter(mode: 'ascii' | 'binary' | 'raw' | 'urlencode'): Setter {
  return async (cfg, value, proc) => {
    let data: Buffer;
    if (mode === 'urlencode') {
      const eq = value.indexOf('=');
      const encode = (text: string): string => encodeURIComponent(text).replace(/%20/g, '+');
      data = Buffer.from(eq >= 0 ? `${value.slice(0, eq + 1)}${encode(value.slice(eq + 1))}` : encode(value));
    } else if (mode !== 'raw' && value.startsWith('@')) {
      const content = await readArgFile(proc, value.slice(1));
      if (content === null) {
        await writeErr(
          proc,
          `Warning: Couldn't read data from file "${value.slice(1)}", this makes an empty \nWarning: POST.\n`,
        );
        data = Buffer.alloc(0);
      } else {
        data =
          mode === 'ascii'
            ? Buffer.from(content.toString('latin1').replace(/[\r\n]/g, ''), 'latin1')
            : content;
      }
    } else {
      data = Buffer.from(value);
    }
    (cfg.data ??= []).push(data);
  };
}

const sw =
  (apply: (cfg: Config, on: boolean) => void) =>
  (cfg: Config, _value: string, on: boolean): void =>
    apply(cfg, on);
const unsupported = (long: string, short?: string, arg = true): Option => ({
  long,
  short,
  arg,
  set: () => {
    throw new Unsupported(`--${long}`);
  },
});
const ignored = (long: string, arg: boolean, short?: string): Option => ({ long, short, arg, set: () => {} });

const OPTIONS: Option[] = [
  { long: 'silent', short: 's', arg: false, set: sw((c, on) => (c.silent = on)) },
  { long: 'show-error', short: 'S', arg: false, set: sw((c, on) => (c.showError = on)) },
  { long: 'no-progress-meter', arg: false, set: sw((c, on) => (c.progress = on ? 'none' : 'meter')) },
  { long: 'progress-bar', short: '#', arg: false, set: sw((c, on) => (c.progress = on ? 'bar' : 'meter')) },
  { long: 'verbose', short: 'v', arg: false, set: sw((c, on) => (c.verbose = on)) },
  { long: 'include', short: 'i', arg: false, set: sw((c, on) => (c.include = on)) },
  { long: 'head', short: 'I', arg: false, set: sw((c, on) => (c.head = on)) },
  { long: 'fail', short: 'f', arg: false, set: sw((c, on) => (c.fail = on)) },
  { long: 'fail-with-body', arg: false, set: sw((c, on) => (c.failWithBody = on)) },
  { long: 'location', short: 'L', arg: false, set: sw((c, on) => (c.location = on)) },
  { long: 'insecure', short: 'k', arg: false, set: sw((c, on) => (c.insecure = on)) },
  { long: 'compressed', arg: false, set: sw((c, on) => (c.compressed = on)) },
  { long: 'get', short: 'G', arg: false, set: sw((c, on) => (c.get = on)) },
  { long: 'http1.0', short: '0', arg: false, set: sw((c, on) => (c.http10 = on)) },
  { long: 'http1.1', arg: false, set: sw((c) => (c.http10 = false)) },
  { long: 'path-as-is', arg: false, set: sw((c, on) => (c.pathAsIs = on)) },
  { long: 'ipv4', short: '4', arg: false, set: sw((c) => (c.ipv6Only = false)) },
  { long: 'ipv6', short: '6', arg: false, set: sw((c, on) => (c.ipv6Only = on)) },
  { long: 'retry-connrefused', arg: false, set: sw((c, on) => (c.retryConnRefused = on)) },
  { long: 'retry-all-errors', arg: false, set: sw((c, on) => (c.retryAllErrors = on)) },
  { long: 'output', short: 'o', arg: true, set: (c, v) => void c.outputs.push(v) },
  { long: 'remote-name', short: 'O', arg: false, set: (c) => void (c.remoteNames += 1) },
  { long: 'url', arg: true, set: (c, v) => void c.urls.push(v) },
  { long: 'globoff', short: 'g', arg: false, set: sw((c, on) => (c.globoff = on)) },
  {
    long: 'write-out',
    short: 'w',
    arg: true,
    set: async (c, v, _on, p) => void (c.writeOut = await writeOutFormat(p, v)),
  },
  { long: 'max-time', short: 'm', arg: true, set: (c, v) => void (c.maxTime = seconds(v)) },
  {
    long: 'connect-timeout',
    arg: true,
    set: (c, v) => void (c.connectTimeout = seconds(v)),
  },
  { long: 'request', short: 'X', arg: true, set: (c, v) => void (c.method = v) },
  { long: 'header', short: 'H', arg: true, set: (c, v) => void c.headers.push(v) },
  { long: 'data', short: 'd', arg: true, set: (c, v, _on, p) => dataSetter('ascii')(c, v, p) },
  { long: 'data-ascii', arg: true, set: (c, v, _on, p) => dataSetter('ascii')(c, v, p) },
  { long: 'data-binary', arg: true, set: (c, v, _on, p) => dataSetter('binary')(c, v, p) },
  { long: 'data-raw', arg: true, set: (c, v, _on, p) => dataSetter('raw')(c, v, p) },
  { long: 'data-urlencode', arg: true, set: (c, v, _on, p) => dataSetter('urlencode')(c, v, p) },
  { long: 'user-agent', short: 'A', arg: true, set: (c, v) => void (c.userAgent = v === '' ? null : v) },
  { long: 'referer', short: 'e', arg: true, set: (c, v) => void (c.referer = v) },
  { long: 'user', short: 'u', arg: true, set: (c, v) => void (c.user = v) },
  { long: 'range', short: 'r', arg: true, set: (c, v) => void (c.range = v) },
  { long: 'cookie', short: 'b', arg: true, set: (c, v) => void (c.cookie = v.includes('=') ? v : null) },
  { long: 'max-redirs', arg: true, set: (c, v) => void (c.maxRedirs = integer(v)) },
  {
    long: 'resolve',
    arg: true,
    set: (c, v) => {
      const match = /^\+?([^:]+|\[[^\]]+\]):(\d+):(.+)$/.exec(v);
      if (match) {
        c.resolve.set(`${match[1]?.toLowerCase()}:${match[2]}`, (match[3] ?? '').split(','));
      }
    },
  },
  { long: 'retry', arg: true, set: (c, v) => void (c.retry = integer(v)) },
  { long: 'retry-delay', arg: true, set: (c, v) => void (c.retryDelay = integer(v)) },
  {
    long: 'retry-max-time',
    arg: true,
    set: (c, v) => void (c.retryMaxTime = integer(v)),
  },
  { long: 'cacert', arg: true, set: (c, v) => void (c.cacert = v) },
  { long: 'dump-header', short: 'D', arg: true, set: (c, v) => void (c.dumpHeader = v) },
  { long: 'stderr', arg: true, set: (c, v) => void (c.stderrFile = v) },
  ignored('no-buffer', false, 'N'),
  ignored('disable', false, 'q'),
  ignored('no-keepalive', false),
  ignored('keepalive-time', true),
  ignored('tcp-nodelay', false),
  ignored('raw', false),
  ignored('noproxy', true),
  ignored('capath', true),
  ignored('fail-early', false),
  ignored('http2', false),
  ignored('http2-prior-knowledge', false),
  ignored('tlsv1', false, '1'),
  ignored('tlsv1.0', false),
  ignored('tlsv1.1', false),
  ignored('tlsv1.2', false),
  ignored('tlsv1.3', false),
  ignored('ssl-no-revoke', false),
  ignored('cookie-jar', true, 'c'),
  ignored('create-dirs', false),
  ignored('show-headers', false),
  unsupported('proxy', 'x'),
  unsupported('socks5', undefined),
  unsupported('unix-socket', undefined),
  unsupported('form', 'F'),
  unsupported('upload-file', 'T'),
  unsupported('config', 'K'),
  unsupported('cert', 'E'),
  unsupported('key', undefined),
  unsupported('connect-to', undefined),
  unsupported('trace', undefined),
  unsupported('trace-ascii', undefined),
  unsupported('parallel', 'Z', false),
  unsupported('netrc', 'n', false),
  unsupported('continue-at', 'C'),
  unsupported('http3', undefined, false),
  unsupported('interface', undefined),
  unsupported('local-port', undefined),
];

async function writeOutFormat(proc: Proc, value: string): Promise<string> {
  if (!value.startsWith('@')) {
    return value;
  }
  const content = await readArgFile(proc, value.slice(1));
  return content === null ? '' : content.toString();
}

type Parsed = Config | { exit: number };

async function parseArgs(proc: Proc, args: string[]): Promise<Parsed> {
  const cfg = defaultConfig();
  const findLong = (name: string): Option | undefined => {
    const exact = OPTIONS.find((option) => option.long === name);
    if (exact !== undefined) {
      return exact;
    }
    const prefixed = OPTIONS.filter((option) => option.long.startsWith(name));
    if (prefixed.length > 1) {
      throw new UsageError(`--${name}`, 'is ambiguous');
    }
    return prefixed[0];
  };
  // The option being processed, as the user wrote it, for messages about its value.
  let current = '';
  try {
    for (let i = 0; i < args.length; i++) {
      const arg = args[i] as string;
      if (arg === '--') {
        cfg.urls.push(...args.slice(i + 1));
        break;
      }
      if (arg.startsWith('--')) {
        let name = arg.slice(2);
        let on = true;
        let option = findLong(name);
        if (option === undefined && name.startsWith('no-')) {
          option = findLong(name.slice(3));
          if (option !== undefined && option.arg) {
            throw new UsageError(arg, "used '--no-' for option that isn't a boolean");
          }
          on = false;
          name = name.slice(3);
        }
        if (option === undefined) {
          if (name === 'version') {
            return { exit: await printVersion(proc) };
          }
          if (name === 'help' || name === 'manual') {
            await writeFd(proc, 1, 'Usage: curl [options...] <url>\n');
            return { exit: 0 };
          }
          throw new UsageError(arg, 'is unknown');
        }
        let value = '';
        if (option.arg) {
          const next = args[i + 1];
          if (next === undefined) {
            throw new UsageError(arg, 'requires parameter');
          }
          value = next;
          i++;
        }
        current = arg;
        await option.set(cfg, value, on, proc);
        continue;
      }
      if (arg.startsWith('-') && arg.length > 1) {
        for (let j = 1; j < arg.length; j++) {
          const letter = arg[j] as string;
          if (letter === 'V') {
            return { exit: await printVersion(proc) };
          }
          if (letter === 'h') {
            await writeFd(proc, 1, 'Usage: curl [options...] <url>\n');
            return { exit: 0 };
          }
          const option = OPTIONS.find((candidate) => candidate.short === letter);
          if (option === undefined) {
            throw new UsageError(`-${letter}`, 'is unknown');
          }
          let value = '';
          if (option.arg) {
            if (j + 1 < arg.length) {
              value = arg.slice(j + 1);
            } else {
              const next = args[i + 1];
              if (next === undefined) {
                throw new UsageError(`-${letter}`, 'requires parameter');
              }
              value = next;
              i++;
            }
            current = `-${letter}`;
            await option.set(cfg, value, true, proc);
            break;
          }
          current = `-${letter}`;
          await option.set(cfg, value, true, proc);
        }
        continue;
      }
      cfg.urls.push(arg);
    }
  } catch (error) {
    if (error instanceof UsageError) {
      await writeErr(
        proc,
        `curl: option ${error.option ?? current}: ${error.message}\ncurl: try 'curl --help' or 'curl --manual' for more information\n`,
      );
      return { exit: 2 };
    }
    if (error instanceof Unsupported) {
      await writeErr(proc, `curl: option ${error.message}: is not supported by the KubeReach sandbox\n`);
      return { exit: 2 };
    }
    throw error;
  }
  return cfg;
}

async function printVersion(proc: Proc): Promise<number> {
  await writeFd(
    proc,
    1,
    `curl ${VERSION} (x86_64-pc-linux-gnu) libcurl/${VERSION} ${SSL_VERSION} zlib/1.3 brotli/1.1.0 zstd/1.5.5\n` +
      'Release-Date: 2023-12-06\n' +
      'Protocols: http https\n' +
      'Features: alt-svc AsynchDNS brotli HSTS HTTPS-proxy IPv6 Largefile libz SSL threadsafe UnixSockets zstd\n',
  );
  return 0;
}

// ---------------------------------------------------------------------------------------------------------
// URLs

interface Target {
  scheme: 'http' | 'https';
  host: string;
  port: number;
  /** request-target: path and query. */
  path: string;
  userinfo: string | null;
  href: string;
}

class CurlFail extends Error {
  readonly code: number;
  constructor(code: number, message: string) {
    super(message);
    this.code = code;
  }
}

function removeDotSegments(path: string): string {
  const output: string[] = [];
  const segments = path.split('/');
  for (let i = 0; i < segments.length; i++) {
    const segment = segments[i] as string;
    if (segment === '.') {
      if (i === segments.length - 1) {
        output.push('');
      }
    } else if (segment === '..') {
      if (output.length > 1) {
        output.pop();
      }
      if (i === segments.length - 1) {
        output.push('');
      }
    } else {
      output.push(segment);
    }
  }
  return output.join('/') || '/';
}

function parseUrl(raw: string, pathAsIs: boolean): Target {
  if (/[\x00-\x20\x7f]/.test(raw)) {
    throw new CurlFail(3, 'URL rejected: Malformed input to a URL function');
  }
  const schemeMatch = /^([A-Za-z][A-Za-z0-9+.-]*):\/\//.exec(raw);
  const scheme = (schemeMatch?.[1] ?? 'http').toLowerCase();
  let rest = schemeMatch ? raw.slice(schemeMatch[0].length) : raw;
  if (scheme !== 'http' && scheme !== 'https') {
    throw new CurlFail(1, `Protocol "${scheme}" not supported or disabled in libcurl`);
  }
  const hashAt = rest.indexOf('#');
  if (hashAt >= 0) {
    rest = rest.slice(0, hashAt);
  }
  const authorityEnd = rest.search(/[/?]/);
  const authority = authorityEnd >= 0 ? rest.slice(0, authorityEnd) : rest;
  let path = authorityEnd >= 0 ? rest.slice(authorityEnd) : '/';
  if (path.startsWith('?')) {
    path = `/${path}`;
  }
  const at = authority.lastIndexOf('@');
  const userinfo = at >= 0 ? authority.slice(0, at) : null;
  const hostPort = at >= 0 ? authority.slice(at + 1) : authority;
  const hostMatch = /^(\[[^\]]*\]|[^:]*)(?::(.*))?$/.exec(hostPort);
  const host = (hostMatch?.[1] ?? '').toLowerCase();
  const portText = hostMatch?.[2];
  if (host === '') {
    throw new CurlFail(3, 'URL rejected: No host part in the URL');
  }
  if (/[\s/:#?!@{}[\]\\$'"^`*<>=;,+&()%|~]/.test(host.replace(/^\[(.*)\]$/, 'x'))) {
    throw new CurlFail(3, 'URL rejected: Bad hostname');
  }
  let port = scheme === 'https' ? 443 : 80;
  if (portText !== undefined && portText !== '') {
    if (!/^\d+$/.test(portText) || Number(portText) > 65535) {
      throw new CurlFail(3, 'URL rejected: Port number was not a decimal number between 0 and 65535');
    }
    port = Number(portText);
  }
  const query = path.indexOf('?');
  const pathPart = query >= 0 ? path.slice(0, query) : path;
  const normalized =
    (pathAsIs ? pathPart : removeDotSegments(pathPart)) + (query >= 0 ? path.slice(query) : '');
  const defaultPort = scheme === 'https' ? 443 : 80;
  const href = `${scheme}://${userinfo !== null ? `${userinfo}@` : ''}${host}${port !== defaultPort ? `:${port}` : ''}${normalized}`;
  return { scheme, host, port, path: normalized, userinfo, href };
}

// ---------------------------------------------------------------------------------------------------------
// Transfer state, write-out

interface Info {
  httpCode: number;
  httpVersion: string;
  headers: Array<[string, string]>;
  contentType: string;
  remoteIp: string;
  remotePort: number;
  localIp: string;
  localPort: number;
  /** All times in ms since the transfer started. */
  tNamelookup: number;
  tConnect: number;
  tAppconnect: number;
  tPretransfer: number;
  tStarttransfer: number;
  tRedirect: number;
  tTotal: number;
  sizeDownload: number;
  sizeUpload: number;
  sizeHeader: number;
  sizeRequest: number;
  numConnects: number;
  numRedirects: number;
  urlEffective: string;
  redirectUrl: string;
  method: string;
  scheme: string;
  filename: string;
  /** Which URL of the command line (0-based); the URLs of one glob share it. */
  urlNum: number;
  sslVerifyResult: number;
}

function emptyInfo(url: string): Info {
  return {
    httpCode: 0,
    httpVersion: '0',
    headers: [],
    contentType: '',
    remoteIp: '',
    remotePort: 0,
    localIp: '',
    localPort: 0,
    tNamelookup: 0,
    tConnect: 0,
    tAppconnect: 0,
    tPretransfer: 0,
    tStarttransfer: 0,
    tRedirect: 0,
    tTotal: 0,
    sizeDownload: 0,
    sizeUpload: 0,
    sizeHeader: 0,
    sizeRequest: 0,
    numConnects: 0,
    numRedirects: 0,
    urlEffective: url,
    redirectUrl: '',
    method: 'GET',
    scheme: '',
    filename: '',
    urlNum: 0,
    sslVerifyResult: 0,
  };
}

/** curl prints times as seconds with microseconds. */
function formatTime(ms: number): string {
  const us = Math.max(0, Math.round(ms * 1000));
  return `${Math.floor(us / 1_000_000)}.${String(us % 1_000_000).padStart(6, '0')}`;
}

type VarValue =
  { kind: 'string'; value: string | null } | { kind: 'number'; value: number | null; pad?: boolean };

function variable(
  name: string,
  info: Info,
  code: number,
  message: string,
  inputUrl: string,
): VarValue | undefined {
  const str = (value: string | null): VarValue => ({ kind: 'string', value });
  const num = (value: number | null, pad = false): VarValue => ({ kind: 'number', value, pad });
  const time = (ms: number): VarValue => ({ kind: 'string', value: formatTime(ms) });
  switch (name) {
    case 'content_type':
      return str(info.contentType === '' ? null : info.contentType);
    case 'errormsg':
      return str(code === 0 ? null : message);
    case 'exitcode':
      return num(code);
    case 'filename_effective':
      return str(info.filename === '' ? null : info.filename);
    case 'http_code':
    case 'response_code':
      return num(info.httpCode, true);
    case 'http_connect':
      return num(0, true);
    case 'http_version':
      return str(info.httpVersion);
    case 'local_ip':
      return str(info.localIp);
    case 'local_port':
      return num(info.localPort);
    case 'method':
      return str(info.method);
    case 'num_connects':
      return num(info.numConnects);
    case 'num_headers':
      return num(info.headers.length);
    case 'num_redirects':
      return num(info.numRedirects);
    case 'redirect_url':
      return str(info.redirectUrl === '' ? null : info.redirectUrl);
    case 'remote_ip':
      return str(info.remoteIp);
    case 'remote_port':
      return num(info.remotePort);
    case 'scheme':
      return str(info.scheme === '' ? null : info.scheme);
    case 'size_download':
      return num(info.sizeDownload);
    case 'size_header':
      return num(info.sizeHeader);
    case 'size_request':
      return num(info.sizeRequest);
    case 'size_upload':
      return num(info.sizeUpload);
    case 'speed_download':
      return num(info.tTotal > 0 ? Math.floor((info.sizeDownload * 1000) / info.tTotal) : 0);
    case 'speed_upload':
      return num(info.tTotal > 0 ? Math.floor((info.sizeUpload * 1000) / info.tTotal) : 0);
    case 'ssl_verify_result':
      return num(info.sslVerifyResult);
    case 'time_appconnect':
      return time(info.tAppconnect);
    case 'time_connect':
      return time(info.tConnect);
    case 'time_namelookup':
      return time(info.tNamelookup);
    case 'time_pretransfer':
      return time(info.tPretransfer);
    case 'time_redirect':
      return time(info.tRedirect);
    case 'time_starttransfer':
      return time(info.tStarttransfer);
    case 'time_total':
      return time(info.tTotal);
    case 'url':
      return str(inputUrl);
    case 'url_effective':
      return str(info.urlEffective);
    case 'urlnum':
      return num(info.urlNum);
    case 'conn_id':
      return num(info.numConnects > 0 ? 0 : -1);
    case 'num_certs':
      return num(0);
    case 'certs':
      return str('');
    default:
      return undefined;
  }
}

const JSON_VARIABLES = [
  'content_type',
  'errormsg',
  'exitcode',
  'filename_effective',
  'http_code',
  'http_version',
  'local_ip',
  'local_port',
  'method',
  'num_connects',
  'num_headers',
  'num_redirects',
  'redirect_url',
  'remote_ip',
  'remote_port',
  'response_code',
  'scheme',
  'size_download',
  'size_header',
  'size_request',
  'size_upload',
  'speed_download',
  'speed_upload',
  'ssl_verify_result',
  'time_appconnect',
  'time_connect',
  'time_namelookup',
  'time_pretransfer',
  'time_redirect',
  'time_starttransfer',
  'time_total',
  'url',
  'url_effective',
  'urlnum',
];

function renderJson(info: Info, code: number, message: string, inputUrl: string): string {
  const parts = JSON_VARIABLES.map((name) => {
    const value = variable(name, info, code, message, inputUrl);
    if (value === undefined || value.value === null) {
      return `"${name}":null`;
    }
    if (value.kind === 'number') {
      return `"${name}":${value.value}`;
    }
    return /^time_/.test(name) ? `"${name}":${value.value}` : `"${name}":${JSON.stringify(value.value)}`;
  });
  return `{${parts.join(',')},"curl_version":"libcurl/${VERSION} ${SSL_VERSION} zlib/1.3"}`;
}

async function writeOut(
  proc: Proc,
  format: string,
  info: Info,
  code: number,
  message: string,
  inputUrl: string,
): Promise<void> {
  let target = 1;
  let fileOut: OutStream | null = null;
  let text = '';
  const flush = async (): Promise<void> => {
    if (text === '') {
      return;
    }
    const chunk = text;
    text = '';
    try {
      if (fileOut !== null) {
        await fileOut.write(Buffer.from(chunk));
      } else {
        await writeFd(proc, target, chunk);
      }
    } catch (error) {
      if (!(error instanceof BrokenPipeError || error instanceof BadFdError)) {
        throw error;
      }
    }
  };
  for (let i = 0; i < format.length; i++) {
    const char = format[i] as string;
    const next = format[i + 1];
    if (char === '%' && next !== undefined) {
      if (next === '%') {
        text += '%';
        i++;
        continue;
      }
      if (next === '{') {
        const end = format.indexOf('}', i);
        if (end < 0) {
          text += '%{';
          i++;
          continue;
        }
        const name = format.slice(i + 2, end);
        i = end;
        if (name === 'stdout' || name === 'stderr') {
          await flush();
          fileOut = null;
          target = name === 'stdout' ? 1 : 2;
          continue;
        }
        if (name === 'onerror') {
          if (code === 0) {
            break;
          }
          continue;
        }
        if (name === 'json') {
          text += renderJson(info, code, message, inputUrl);
          continue;
        }
        if (name === 'header_json') {
          const grouped = new Map<string, string[]>();
          for (const [key, value] of info.headers) {
            grouped.set(key.toLowerCase(), [...(grouped.get(key.toLowerCase()) ?? []), value]);
          }
          text += `{${[...grouped].map(([key, values]) => `${JSON.stringify(key)}:${JSON.stringify(values)}`).join(',\n')}\n}`;
          continue;
        }
        const value = variable(name, info, code, message, inputUrl);
        if (value === undefined) {
          await flush();
          await writeErr(proc, `curl: unknown --write-out variable: '${name}'\n`);
          continue;
        }
        if (value.value !== null) {
          text +=
            value.kind === 'number' && value.pad ? String(value.value).padStart(3, '0') : String(value.value);
        }
        continue;
      }
      if (format.startsWith('header{', i + 1)) {
        const end = format.indexOf('}', i);
        if (end < 0) {
          text += '%header{';
          i += 7;
          continue;
        }
        const wanted = format.slice(i + 8, end).toLowerCase();
        const found = info.headers.find(([key]) => key.toLowerCase() === wanted);
        text += found?.[1] ?? '';
        i = end;
        continue;
      }
      if (format.startsWith('output{', i + 1)) {
        const end = format.indexOf('}', i);
        if (end < 0) {
          text += '%output{';
          i += 7;
          continue;
        }
        let name = format.slice(i + 8, end);
        const append = name.startsWith('>>');
        name = append ? name.slice(2) : name;
        i = end;
        await flush();
        try {
          fileOut =
            proc.sys.fs.open(VirtualFs.normalize(proc.cwd, name), append ? 'a' : 'w', proc.fds).output ??
            null;
        } catch {
          /* like fopen() failing: keep the current stream */
        }
        continue;
      }
      text += `%${next}`;
      i++;
      continue;
    }
    if (char === '\\' && next !== undefined) {
      text += next === 'n' ? '\n' : next === 'r' ? '\r' : next === 't' ? '\t' : `\\${next}`;
      i++;
      continue;
    }
    text += char;
  }
  await flush();
}

// ---------------------------------------------------------------------------------------------------------
// Progress meter (lib/progress.c)

function max5(bytes: number): string {
  const KB = 1024;
  const MB = KB * 1024;
  const GB = MB * 1024;
  const n = Math.floor(bytes);
  if (n < 100000) {
    return String(n).padStart(5);
  }
  if (n < 10000 * KB) {
    return `${String(Math.floor(n / KB)).padStart(4)}k`;
  }
  if (n < 100 * MB) {
    return `${String(Math.floor(n / MB)).padStart(2)}.${Math.floor((n % MB) / (MB / 10))}M`;
  }
  if (n < 10000 * MB) {
    return `${String(Math.floor(n / MB)).padStart(4)}M`;
  }
  if (n < 100 * GB) {
    return `${String(Math.floor(n / GB)).padStart(2)}.${Math.floor((n % GB) / (GB / 10))}G`;
  }
  return `${String(Math.floor(n / GB)).padStart(4)}G`;
}

function time2str(secondsValue: number): string {
  const s = Math.floor(secondsValue);
  if (s <= 0) {
    return '--:--:--';
  }
  const h = Math.floor(s / 3600);
  if (h <= 99) {
    const m = Math.floor((s - h * 3600) / 60);
    const sec = s - h * 3600 - m * 60;
    return `${String(h).padStart(2)}:${String(m).padStart(2, '0')}:${String(sec).padStart(2, '0')}`;
  }
  const d = Math.floor(s / 86400);
  return `${String(d).padStart(3)}d ${String(Math.floor((s - d * 86400) / 3600)).padStart(2, '0')}h`;
}

class ProgressMeter {
  private readonly proc: Proc;
  private readonly mode: 'meter' | 'bar' | 'none';
  private readonly err: (text: string) => void;
  private start = 0;
  private headerShown = false;
  private lastShownSecond = -1;
  private timer: NodeJS.Timeout | null = null;
  private samples: Array<{ at: number; bytes: number }> = [];
  downloaded = 0;
  uploaded = 0;
  dlSize: number | null = null;
  ulSize: number | null = null;

  constructor(proc: Proc, mode: 'meter' | 'bar' | 'none', err: (text: string) => void) {
    this.proc = proc;
    this.mode = mode;
    this.err = err;
  }

  begin(): void {
    if (this.mode === 'none') {
      return;
    }
    this.start = this.proc.sys.now();
    this.downloaded = 0;
    this.uploaded = 0;
    this.dlSize = null;
    this.ulSize = null;
    this.samples = [];
    this.lastShownSecond = -1;
    this.update(false);
    this.timer = setInterval(() => this.update(false), 1000);
  }

  update(force: boolean): void {
    if (this.mode === 'none') {
      return;
    }
    const now = this.proc.sys.now();
    const second = Math.floor(now / 1000);
    if (!force && second === this.lastShownSecond) {
      return;
    }
    this.lastShownSecond = second;
    this.samples.push({ at: now, bytes: this.downloaded + this.uploaded });
    if (this.samples.length > 6) {
      this.samples.shift();
    }
    if (this.mode === 'bar') {
      if (force && this.dlSize !== null) {
        this.err(`\r${'#'.repeat(72)} 100.0%`);
      }
      return;
    }
    const spentUs = Math.max(0, (now - this.start) * 1000);
    const speed = (size: number): number =>
      spentUs < 1 ? size * 1_000_000 : Math.floor((size * 1_000_000) / spentUs);
    const dlspeed = speed(this.downloaded);
    const ulspeed = speed(this.uploaded);
    const spent = Math.floor(spentUs / 1_000_000);
    let dlpercent = 0;
    let ulpercent = 0;
    let dlestimate = 0;
    let ulestimate = 0;
    const percent = (done: number, total: number): number =>
      total > 10000
        ? Math.floor(done / Math.floor(total / 100))
        : total > 0
          ? Math.floor((done * 100) / total)
          : 0;
    if (this.dlSize !== null && dlspeed > 0) {
      dlestimate = Math.floor(this.dlSize / dlspeed);
      dlpercent = percent(this.downloaded, this.dlSize);
    }
    if (this.ulSize !== null && ulspeed > 0) {
      ulestimate = Math.floor(this.ulSize / ulspeed);
      ulpercent = percent(this.uploaded, this.ulSize);
    }
    const estimate = Math.max(dlestimate, ulestimate);
    const expected = (this.ulSize ?? this.uploaded) + (this.dlSize ?? this.downloaded);
    const totalPercent = percent(this.downloaded + this.uploaded, expected);
    const oldest = this.samples[0];
    const newest = this.samples[this.samples.length - 1];
    const current =
      this.samples.length > 1 && oldest !== undefined && newest !== undefined
        ? Math.floor(((newest.bytes - oldest.bytes) * 1000) / Math.max(1, newest.at - oldest.at))
        : dlspeed + ulspeed;
    if (!this.headerShown) {
      this.headerShown = true;
      this.err(
        '  % Total    % Received % Xferd  Average Speed   Time    Time     Time  Current\n' +
          '                                 Dload  Upload   Total   Spent    Left  Speed\n',
      );
    }
    const p3 = (n: number): string => String(n).padStart(3);
    this.err(
      `\r${p3(totalPercent)} ${max5(expected)}  ${p3(dlpercent)} ${max5(this.downloaded)}  ${p3(ulpercent)} ${max5(this.uploaded)}  ` +
        `${max5(dlspeed)}  ${max5(ulspeed)} ${time2str(estimate)} ${time2str(spent)} ${time2str(estimate > 0 ? estimate - spent : 0)} ${max5(current)}`,
    );
  }

  done(): void {
    if (this.timer !== null) {
      clearInterval(this.timer);
      this.timer = null;
    }
    if (this.mode === 'none') {
      return;
    }
    this.update(true);
    this.err('\n');
  }

  stop(): void {
    if (this.timer !== null) {
      clearInterval(this.timer);
      this.timer = null;
    }
  }
}

// ---------------------------------------------------------------------------------------------------------
// One transfer

class Timeout extends Error {}

interface Output {
  write(chunk: Buffer): Promise<void>;
  /** Called at the end of a successful transfer: creates the file even when nothing was received. */
  finish(): Promise<void>;
  bytes: number;
}

interface TransferResult {
  code: number;
  message: string;
  info: Info;
  /** Status of the response, for --retry on transient HTTP errors. */
  status: number;
  osErrno: string | null;
}

function requestHeaders(cfg: Config, target: Target, method: string, body: Buffer | null): string[] {
  const defaultPort = target.scheme === 'https' ? 443 : 80;
  const hostHeader = target.port === defaultPort ? target.host : `${target.host}:${target.port}`;
  const builtIn: Array<[string, string]> = [['Host', hostHeader]];
  const credentials = cfg.user ?? (target.userinfo !== null ? decodeURIComponent(target.userinfo) : null);
  if (credentials !== null) {
    builtIn.push([
      'Authorization',
      `Basic ${Buffer.from(credentials.includes(':') ? credentials : `${credentials}:`).toString('base64')}`,
    ]);
  }
  if (cfg.range !== null) {
    builtIn.push(['Range', `bytes=${cfg.range}`]);
  }
  if (cfg.userAgent !== null) {
    builtIn.push(['User-Agent', cfg.userAgent]);
  }
  if (cfg.referer !== null) {
    builtIn.push(['Referer', cfg.referer]);
  }
  builtIn.push(['Accept', '*/*']);
  if (cfg.compressed) {
    builtIn.push(['Accept-Encoding', 'deflate, gzip, br, zstd']);
  }
  if (cfg.cookie !== null) {
    builtIn.push(['Cookie', cfg.cookie]);
  }
  const custom: string[] = [];
  const replaced = new Set<string>();
  for (const line of cfg.headers) {
    const colon = line.indexOf(':');
    const semicolon = line.indexOf(';');
    if (colon > 0) {
      const name = line.slice(0, colon).trim();
      replaced.add(name.toLowerCase());
      if (line.slice(colon + 1).trim() !== '') {
        custom.push(`${name}: ${line.slice(colon + 1).trim()}`);
      }
    } else if (semicolon > 0 && line.slice(semicolon + 1).trim() === '') {
      custom.push(`${line.slice(0, semicolon).trim()}:`);
    }
  }
  const lines = builtIn
    .filter(([name]) => !replaced.has(name.toLowerCase()))
    .map(([name, value]) => `${name}: ${value}`);
  lines.push(...custom);
  if (body !== null && method !== 'GET' && method !== 'HEAD') {
    if (!replaced.has('content-length')) {
      lines.push(`Content-Length: ${body.length}`);
    }
    if (!replaced.has('content-type')) {
      lines.push('Content-Type: application/x-www-form-urlencoded');
    }
  }
  return lines;
}

function decode(body: Buffer, encoding: string | undefined): Buffer {
  switch ((encoding ?? '').trim().toLowerCase()) {
    case 'gzip':
    case 'x-gzip':
      return gunzipSync(body);
    case 'deflate':
      return inflateSync(body);
    case 'br':
      return brotliDecompressSync(body);
    case 'zstd':
      return zstdDecompressSync(body);
    default:
      return body;
  }
}

async function transfer(
  proc: Proc,
  cfg: Config,
  inputUrl: string,
  output: Output,
  meter: ProgressMeter,
  err: (text: string) => Promise<void>,
  headerDump: ((chunk: Buffer) => Promise<void>) | null,
): Promise<TransferResult> {
  const { sys } = proc;
  const info = emptyInfo(inputUrl);
  const startOp = sys.now();
  let startSingle = startOp;
  let phase: 'resolve' | 'connect' | 'transfer' = 'resolve';
  let bodyBytes = 0;
  let expected: number | null = null;
  let status = 0;
  let osErrno: string | null = null;
  const { controller, release } = childController(proc.signal);
  const signal = controller.signal;
  let timer: NodeJS.Timeout | null = null;
  const totalDeadline = cfg.maxTime !== null && cfg.maxTime > 0 ? startOp + cfg.maxTime * 1000 : Infinity;
  const connectDeadline = (): number =>
    Math.min(
      totalDeadline,
      startSingle +
        (cfg.connectTimeout !== null && cfg.connectTimeout > 0
          ? cfg.connectTimeout * 1000
          : DEFAULT_CONNECT_TIMEOUT_MS),
    );
  const arm = (): void => {
    if (timer !== null) {
      clearTimeout(timer);
    }
    const deadline = phase === 'transfer' ? totalDeadline : connectDeadline();
    timer = Number.isFinite(deadline)
      ? // One millisecond late rather than early: the message reports at least the configured time.
        setTimeout(() => controller.abort(new Timeout()), Math.max(0, deadline - sys.now()) + 1)
      : null;
  };
  const verbose = async (text: string): Promise<void> => {
    if (cfg.verbose) {
      await err(text);
    }
  };
  const sockets: Socket[] = [];
  let method = cfg.method ?? (cfg.head ? 'HEAD' : cfg.data !== null && !cfg.get ? 'POST' : 'GET');
  let body: Buffer | null =
    cfg.data !== null && !cfg.get
      ? Buffer.from(cfg.data.map((d) => d.toString('latin1')).join('&'), 'latin1')
      : null;
  let url = inputUrl;
  if (cfg.get && cfg.data !== null) {
    const query = cfg.data.map((d) => d.toString('latin1')).join('&');
    url += (url.includes('?') ? '&' : '?') + query;
  }

  // Typed as never-returning so that control flow analysis sees the throw.
  const fail: (code: number, message: string) => never = (code, message) => {
    throw new CurlFail(code, message);
  };
  const elapsedSingle = (): number => Math.floor(sys.now() - startSingle);

  meter.begin();
  arm();
  try {
    for (;;) {
      const target = parseUrl(url, cfg.pathAsIs);
      info.urlEffective = target.href;
      info.scheme = target.scheme.toUpperCase();
      info.method = method;
      phase = 'resolve';
      arm();
      // Resolve
      const override =
        cfg.resolve.get(`${target.host}:${target.port}`) ?? cfg.resolve.get(`*:${target.port}`);
      const bareHost = target.host.replace(/^\[(.*)\]$/, '$1');
      let addresses: string[];
      if (override !== undefined) {
        addresses = override;
      } else if (cfg.ipv6Only) {
        addresses = isIP(bareHost) === 6 ? [bareHost] : [];
      } else if (isIP(bareHost) === 6) {
        addresses = [];
        fail(
          7,
          `Failed to connect to ${bareHost} port ${target.port} after 0 ms: Couldn't connect to server`,
        );
      } else {
        addresses = await abortable(resolveHost(sys, bareHost, signal), signal);
      }
      if (addresses.length === 0) {
        fail(6, `Could not resolve host: ${bareHost}`);
      }
      info.tNamelookup = sys.now() - startOp;
      // Connect
      phase = 'connect';
      let socket: Socket | null = null;
      let lastCode = 'ECONNREFUSED';
      for (const ip of addresses) {
        await verbose(`*   Trying ${ip}:${target.port}...\n`);
        try {
          const remaining = connectDeadline() - sys.now();
          const tcp = await connectTcp(sys, ip, target.port, remaining, signal);
          sockets.push(tcp);
          info.numConnects++;
          info.remoteIp = ip;
          info.remotePort = target.port;
          info.localIp = tcp.localAddress ?? '';
          info.localPort = tcp.localPort ?? 0;
          socket = tcp;
          break;
        } catch (error) {
          if (!(error instanceof NetError)) {
            throw error;
          }
          lastCode = error.code;
          osErrno = error.code;
          // No route fails connect() itself (the route lookup), which curl's socket_connect_result()
          // reports at once; the others arrive later, when the socket is checked.
          await verbose(
            error.code === 'ENETUNREACH'
              ? `* Immediate connect fail for ${ip}: ${strerror(error.code)}\n`
              : `* connect to ${ip} port ${target.port} from ${sys.ctx.pod.ip} port 0 failed: ${strerror(error.code)}\n`,
          );
        }
      }
      if (socket === null) {
        const message = `Failed to connect to ${bareHost} port ${target.port} after ${elapsedSingle()} ms: Couldn't connect to server`;
        if (lastCode === 'ETIMEDOUT' && sys.now() >= connectDeadline() - 5) {
          // The network gave up at curl's own deadline, its timer a hair ahead of curl's: this is
          // curl's timeout, which real curl reports once the whole connect timeout has passed.
          const waited = Math.max(elapsedSingle(), Math.floor(connectDeadline() - startSingle));
          fail(28, `Connection timed out after ${waited} milliseconds`);
        }
        fail(lastCode === 'ETIMEDOUT' ? 28 : 7, message);
      }
      info.tConnect = sys.now() - startOp;
      await verbose(`* Connected to ${bareHost} (${info.remoteIp}) port ${target.port}\n`);
      if (target.scheme === 'https') {
        let ca: string | undefined;
        if (cfg.cacert !== null) {
          try {
            ca = sys.fs.readFile(VirtualFs.normalize(proc.cwd, cfg.cacert)).toString();
          } catch {
            fail(77, `error setting certificate file: ${cfg.cacert}`);
          }
        }
        await verbose('* ALPN: curl offers http/1.1\n');
        try {
          const secure: TLSSocket = await startTls(socket, {
            host: bareHost,
            verify: !cfg.insecure,
            ca,
            signal,
          });
          sockets.push(secure);
          socket = secure;
          const cipher = secure.getCipher();
          await verbose(
            `* SSL connection using ${secure.getProtocol() ?? 'TLS'} / ${cipher.standardName ?? cipher.name}\n`,
          );
          await verbose(`* ALPN: server accepted ${secure.alpnProtocol || 'http/1.1'}\n`);
          const cert = describeCertificate(secure.getPeerCertificate());
          await verbose(`* Server certificate:\n*  subject: ${cert.subject}\n*  issuer: ${cert.issuer}\n`);
          if (cfg.insecure && !secure.authorized) {
            const problem = verifyError(String(secure.authorizationError));
            info.sslVerifyResult = problem.number;
            await verbose(
              `*  SSL certificate verify result: ${problem.text} (${problem.number}), continuing anyway.\n`,
            );
          }
        } catch (error) {
          if (!(error instanceof TlsError)) {
            throw error;
          }
          const failure = error.failure;
          if (failure.kind === 'verify') {
            info.sslVerifyResult = verifyError(failure.code).number;
            fail(60, `SSL certificate problem: ${failure.detail}`);
          } else if (failure.kind === 'hostname') {
            fail(60, `SSL: no alternative certificate subject name matches target host name '${bareHost}'`);
          } else if (failure.kind === 'protocol') {
            fail(35, `${SSL_VERSION}: ${failure.detail}`);
          } else {
            fail(
              35,
              `OpenSSL SSL_connect: ${failure.errno !== null ? strerror(failure.errno) : 'SSL_ERROR_SYSCALL'} in connection to ${bareHost}:${target.port} `,
            );
          }
        }
        info.tAppconnect = sys.now() - startOp;
      }
      info.tPretransfer = sys.now() - startOp;
      phase = 'transfer';
      arm();
      // Request
      const requestLine = `${method} ${target.path} HTTP/${cfg.http10 ? '1.0' : '1.1'}`;
      const lines = [requestLine, ...requestHeaders(cfg, target, method, body)];
      const requestHead = `${lines.join('\r\n')}\r\n\r\n`;
      const payload = body !== null && method !== 'GET' && method !== 'HEAD' ? body : Buffer.alloc(0);
      info.sizeRequest = Buffer.byteLength(requestHead) + payload.length;
      await verbose(lines.map((line) => `> ${line}\r\n`).join('') + '> \r\n');
      const reader = new SocketReader(socket);
      let sendError: string | null = null;
      socketWriter(socket)
        .write(Buffer.concat([Buffer.from(requestHead, 'latin1'), payload]))
        .then(
          () => {
            info.sizeUpload = payload.length;
            meter.uploaded = payload.length;
          },
          (error: unknown) => {
            sendError = errorCode(error);
          },
        );
      meter.ulSize = payload.length > 0 ? payload.length : null;
      // Response head
      let head: ResponseHead;
      try {
        head = await readHead(reader, signal, () => {
          info.tStarttransfer = sys.now() - startOp;
        });
      } catch (error) {
        if (error instanceof HttpError) {
          if (error.kind === 'empty') {
            if (sendError !== null) {
              fail(55, `Send failure: ${strerror(sendError)}`);
            }
            fail(52, 'Empty reply from server');
          }
          fail(1, 'Received HTTP/0.9 when not allowed');
        }
        if (error instanceof NetError) {
          osErrno = error.code;
          fail(56, `Recv failure: ${strerror(error.code)}`);
        }
        throw error;
      }
      status = head.status;
      info.httpCode = head.status;
      info.httpVersion = head.version.replace(/^HTTP\//, '');
      info.headers = head.headers;
      info.contentType = header(head, 'content-type') ?? '';
      info.sizeHeader += head.raw.length;
      await verbose(
        head.raw
          .toString('latin1')
          .split(/(?<=\n)/)
          .map((line) => `< ${line}`)
          .join(''),
      );
      if (headerDump !== null) {
        await headerDump(head.raw);
      }
      const location = header(head, 'location');
      const redirect = [301, 302, 303, 307, 308].includes(head.status) && location !== undefined;
      if (redirect && location !== undefined) {
        info.redirectUrl = new URL(location, target.href).href;
      }
      if (redirect && cfg.location) {
        if (cfg.include || cfg.head) {
          await output.write(head.raw);
        }
        // The redirect response's body is read and dropped before the next request.
        try {
          await readBody(reader, head, method, signal, () => Promise.resolve());
        } catch (error) {
          if (!(error instanceof HttpError || error instanceof NetError)) {
            throw error;
          }
        }
        for (const s of sockets.splice(0)) {
          s.destroy();
        }
        if (info.numRedirects >= cfg.maxRedirs) {
          fail(47, `Maximum (${cfg.maxRedirs}) redirects followed`);
        }
        info.numRedirects++;
        await verbose(`* Issue another request to this URL: '${info.redirectUrl}'\n`);
        if (
          (head.status === 303 && method !== 'HEAD') ||
          ((head.status === 301 || head.status === 302) && method === 'POST')
        ) {
          if (cfg.method === null) {
            method = 'GET';
          }
          body = null;
        }
        url = info.redirectUrl;
        info.tRedirect = sys.now() - startOp;
        startSingle = sys.now();
        continue;
      }
      if (cfg.fail && head.status >= 400) {
        fail(22, `The requested URL returned error: ${head.status}`);
      }
      if (cfg.include || cfg.head) {
        await output.write(head.raw);
      }
      expected = contentLength(head);
      meter.dlSize = expected;
      const encoding = cfg.compressed ? header(head, 'content-encoding') : undefined;
      const compressed: Buffer[] = [];
      let dataTraced = false;
      try {
        await readBody(reader, head, method, signal, async (chunk) => {
          if (!dataTraced) {
            dataTraced = true;
            if (!sys.ctx.tty) {
              await verbose(`{ [${chunk.length} bytes data]\n`);
            }
          }
          bodyBytes += chunk.length;
          info.sizeDownload = bodyBytes;
          meter.downloaded = bodyBytes;
          if (encoding !== undefined && encoding !== 'identity') {
            compressed.push(chunk);
          } else {
            await output.write(chunk);
          }
        });
      } catch (error) {
        if (error instanceof HttpError) {
          if (error.kind === 'short-body') {
            fail(18, `transfer closed with ${error.remaining} bytes remaining to read`);
          }
          if (error.kind === 'bad-chunk') {
            fail(56, 'Illegal or missing hexadecimal sequence in chunked-encoding');
          }
          fail(18, 'transfer closed with outstanding read data remaining');
        }
        if (error instanceof NetError) {
          osErrno = error.code;
          fail(56, `Recv failure: ${strerror(error.code)}`);
        }
        throw error;
      }
      if (compressed.length > 0) {
        let decoded: Buffer;
        try {
          decoded = decode(Buffer.concat(compressed), encoding);
        } catch {
          fail(61, `Error while processing content unencoding: invalid ${encoding ?? ''} data`);
        }
        await output.write(decoded);
      }
      await output.finish();
      info.tTotal = sys.now() - startOp;
      if (info.tStarttransfer === 0) {
        info.tStarttransfer = info.tTotal;
      }
      meter.done();
      await verbose(`* Connection #0 to host ${bareHost} left intact\n`);
      if (cfg.failWithBody && head.status >= 400) {
        return {
          code: 22,
          message: `The requested URL returned error: ${head.status}`,
          info,
          status,
          osErrno,
        };
      }
      return { code: 0, message: '', info, status, osErrno };
    }
  } catch (error) {
    info.tTotal = sys.now() - startOp;
    let result: CurlFail;
    if (signal.aborted && signal.reason instanceof Timeout) {
      const elapsed = Math.floor(sys.now() - startSingle);
      if (phase === 'resolve') {
        result = new CurlFail(28, `Resolving timed out after ${elapsed} milliseconds`);
      } else if (phase === 'connect') {
        result = new CurlFail(28, `Connection timed out after ${elapsed} milliseconds`);
      } else if (expected !== null) {
        result = new CurlFail(
          28,
          `Operation timed out after ${elapsed} milliseconds with ${bodyBytes} out of ${expected} bytes received`,
        );
      } else {
        result = new CurlFail(
          28,
          `Operation timed out after ${elapsed} milliseconds with ${bodyBytes} bytes received`,
        );
      }
    } else if (error instanceof CurlFail) {
      result = error;
    } else if (
      error instanceof BrokenPipeError ||
      error instanceof BadFdError ||
      error instanceof WriteFailure
    ) {
      result = new CurlFail(23, 'Failure writing output to destination');
    } else if (signal.aborted && signal.reason instanceof KillSignal) {
      throw signal.reason;
    } else {
      throw error;
    }
    meter.done();
    await verbose(`* ${result.message}\n* Closing connection\n`);
    return { code: result.code, message: result.message, info, status, osErrno };
  } finally {
    meter.stop();
    if (timer !== null) {
      clearTimeout(timer);
    }
    release();
    for (const socket of sockets) {
      socket.destroy();
    }
  }
}

class WriteFailure extends Error {}

function makeOutput(proc: Proc, name: string | null, err: (text: string) => Promise<void>): Output {
  if (name === null || name === '-') {
    return {
      bytes: 0,
      async write(chunk) {
        this.bytes += chunk.length;
        await writeFd(proc, 1, chunk);
      },
      finish: () => Promise.resolve(),
    };
  }
  const path = VirtualFs.normalize(proc.cwd, name);
  let stream: OutStream | null = null;
  const open = async (): Promise<OutStream> => {
    if (stream === null) {
      try {
        stream = proc.sys.fs.open(path, 'w', proc.fds).output ?? null;
      } catch (error) {
        if (error instanceof FsError) {
          await err(`Warning: Failed to open the file ${name}: ${error.message}\n`);
          throw new WriteFailure();
        }
        throw error;
      }
      if (stream === null) {
        throw new WriteFailure();
      }
    }
    return stream;
  };
  return {
    bytes: 0,
    async write(chunk) {
      this.bytes += chunk.length;
      await (await open()).write(chunk);
    },
    async finish() {
      await open();
    },
  };
}

export async function curl(proc: Proc): Promise<number> {
  const parsed = await parseArgs(proc, proc.argv.slice(1));
  if ('exit' in parsed) {
    return parsed.exit;
  }
  const cfg = parsed;
  let errFile: OutStream | null = null;
  if (cfg.stderrFile !== null && cfg.stderrFile !== '-') {
    try {
      errFile = proc.sys.fs.open(VirtualFs.normalize(proc.cwd, cfg.stderrFile), 'w', proc.fds).output ?? null;
    } catch {
      errFile = null;
    }
  }
  const err = async (text: string): Promise<void> => {
    if (errFile !== null) {
      await errFile.write(Buffer.from(text));
    } else {
      await writeErr(proc, text);
    }
  };
  if (cfg.urls.length === 0) {
    await err(
      "curl: (2) no URL specified\ncurl: try 'curl --help' or 'curl --manual' for more information\n",
    );
    return 2;
  }
  let exit = 0;
  for (let index = 0; index < cfg.urls.length; index++) {
    const given = cfg.urls[index] as string;
    let expanded: Iterable<{ readonly url: string; readonly values: readonly string[] }>;
    if (cfg.globoff) {
      expanded = [{ url: given, values: [] }];
    } else {
      let glob;
      try {
        glob = parseGlob(given);
      } catch (error) {
        if (!(error instanceof GlobError)) {
          throw error;
        }
        // As curl: the run stops at the first URL whose glob is malformed.
        if (!cfg.silent || cfg.showError) {
          await err(`curl: (3) ${globErrorText(error, given)}\n`);
        }
        return 3;
      }
      if (glob.amount > BigInt(MAX_GLOB_URLS)) {
        await err(
          `curl: the URL glob of ${given} gives ${glob.amount} URLs; the KubeReach sandbox expands at most ${MAX_GLOB_URLS} ` +
            '(real curl would request every one). Pass --globoff (-g) to send the URL as written.\n',
        );
        return 2;
      }
      expanded = glob.urls();
    }
    for (const { url, values } of expanded) {
      const code = await fetchOne(index, url, values);
      if (code !== 0) {
        exit = code;
      }
    }
  }
  return exit;

  /** One transfer: a URL of the command line, or one URL of its glob. */
  async function fetchOne(index: number, url: string, values: readonly string[]): Promise<number> {
    let exit = 0;
    const template = cfg.outputs[index] ?? null;
    let outputName: string | null = template === null ? null : globOutputName(template, values);
    if (outputName === null && index < cfg.remoteNames) {
      const last =
        url
          .replace(/[?#].*$/, '')
          .split('/')
          .pop() ?? '';
      outputName = last === '' || !url.replace(/^[a-z]+:\/\//i, '').includes('/') ? null : last;
      if (outputName === null) {
        await err('curl: Remote file name has no length\n');
        return 23;
      }
    }
    const toStdout = outputName === null || outputName === '-';
    const meterMode = cfg.silent || (toStdout && proc.sys.ctx.tty === true) ? 'none' : cfg.progress;
    const meter = new ProgressMeter(proc, meterMode, (text) => void err(text));
    let headerDump: ((chunk: Buffer) => Promise<void>) | null = null;
    if (cfg.dumpHeader !== null) {
      const dumpName = cfg.dumpHeader;
      const dump = dumpName === '-' ? null : makeOutput(proc, dumpName, err);
      headerDump = (chunk) => (dump === null ? writeFd(proc, 1, chunk) : dump.write(chunk));
    }
    let retriesLeft = cfg.retry;
    let retrySleep = cfg.retryDelay !== null ? cfg.retryDelay * 1000 : 1000;
    const retryStart = proc.sys.now();
    let result: TransferResult;
    for (;;) {
      const output = makeOutput(proc, outputName, err);
      result = await transfer(proc, cfg, url, output, meter, err, headerDump);
      result.info.filename = outputName ?? '';
      result.info.urlNum = index;
      if (result.code !== 0 && (!cfg.silent || cfg.showError)) {
        await err(`curl: (${result.code}) ${result.message}\n`);
        if (result.code === 60) {
          await err(CA_CERT_HELP);
        }
      }
      const transient =
        result.code === 28 ||
        result.code === 6 ||
        (cfg.retryConnRefused && result.code === 7 && result.osErrno === 'ECONNREFUSED') ||
        ((result.code === 0 || ((cfg.fail || cfg.failWithBody) && result.code === 22)) &&
          [408, 429, 500, 502, 503, 504].includes(result.status));
      const kind =
        result.code === 28 || result.code === 6
          ? ': timeout'
          : result.code === 7
            ? ': connection refused'
            : transient
              ? ': HTTP error'
              : '(retrying all errors)';
      const withinTime = cfg.retryMaxTime <= 0 || proc.sys.now() - retryStart < cfg.retryMaxTime * 1000;
      if (retriesLeft > 0 && withinTime && (transient || (cfg.retryAllErrors && result.code !== 0))) {
        if (!cfg.silent) {
          await err(
            `Warning: Problem ${kind}. Will retry in ${Math.floor(retrySleep / 1000)} seconds. ${retriesLeft} retries left.\n`,
          );
        }
        await sleep(retrySleep, proc.signal);
        retriesLeft--;
        if (cfg.retryDelay === null) {
          retrySleep = Math.min(retrySleep * 2, 600_000);
        }
        continue;
      }
      break;
    }
    if (cfg.writeOut !== null) {
      await writeOut(proc, cfg.writeOut, result.info, result.code, result.message, url);
    }
    if (result.code !== 0) {
      exit = result.code;
    }
    return exit;
  }
}
