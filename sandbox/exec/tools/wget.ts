/**
 * wget: the busybox applet (networking/wget.c, messages and progress bar to the letter) and, approximately,
 * GNU wget 1.21 (its exit codes are exact: 4 network failure, 5 TLS verification, 8 server error).
 */
import type { Socket } from 'node:net';
import { resolveHost } from '../dns.ts';
import { FsError, strerror, VirtualFs } from '../fs.ts';
import { BrokenPipeError } from '../io.ts';
import type { OutStream } from '../io.ts';
import { contentLength, header, HttpError, readBody, readHead } from '../net/http.ts';
import type { ResponseHead } from '../net/http.ts';
import { connectTcp, NetError, SocketReader, socketWriter } from '../net/socket.ts';
import { startTls, TlsError } from '../net/tls.ts';
import { childController, sleep, writeErr, writeFd } from '../process.ts';
import type { Proc } from '../process.ts';
import { getopt, GetoptError } from './getopt.ts';
import {
  GNU_WGET_VERSION,
  gnutlsCertificateComplaints,
  gnutlsHandshakeLine,
  gnuWgetUrl,
  hasWildcards,
  humanReadable,
} from './gnuWgetText.ts';

class Die extends Error {}
class TimedOut extends Error {}

interface WgetUrl {
  scheme: 'http' | 'https';
  /** host[:port] as written in the URL. */
  hostPort: string;
  host: string;
  port: number;
  /** Path without its leading slash, query included. */
  path: string;
  user: string | null;
}

function parseWgetUrl(url: string): WgetUrl | { bad: string } {
  let scheme: 'http' | 'https' = 'http';
  let rest = url;
  const sep = url.indexOf('://');
  if (sep >= 0) {
    const name = url.slice(0, sep).toLowerCase();
    if (name !== 'http' && name !== 'https') {
      return { bad: url };
    }
    scheme = name;
    rest = url.slice(sep + 3);
  }
  const cut = rest.search(/[/?#]/);
  let hostPart = cut >= 0 ? rest.slice(0, cut) : rest;
  let path = cut >= 0 ? rest.slice(cut) : '';
  path = path.startsWith('/') ? path.slice(1) : path.startsWith('#') ? '' : path;
  path = path.replace(/#.*$/, '');
  let user: string | null = null;
  const at = hostPart.lastIndexOf('@');
  if (at >= 0) {
    user = decodeURIComponent(hostPart.slice(0, at));
    hostPart = hostPart.slice(at + 1);
  }
  const colon = hostPart.lastIndexOf(':');
  const host = colon >= 0 ? hostPart.slice(0, colon) : hostPart;
  const port = colon >= 0 ? Number(hostPart.slice(colon + 1)) : scheme === 'https' ? 443 : 80;
  return { scheme, hostPort: hostPart, host, port, path, user };
}

/** busybox's smart_ulltoa5: five columns, scaled with k, M, G... past 99999. */
function ulltoa5(value: number): string {
  let ul = Math.floor(value);
  let idx = 0;
  const scale = ' kMGTPEZY';
  if (ul > 99999) {
    ul *= 10;
    do {
      ul = Math.floor(ul / 1024);
      idx++;
    } while (ul >= 100000);
  }
  const u = Math.floor(ul / 10);
  const v = ul % 10;
  if (idx === 0) {
    return String(ul).padStart(5);
  }
  if (u >= 100) {
    return `${String(Math.floor(u / 10)).padStart(3)}${u % 10}${scale[idx]}`;
  }
  return `${String(u).padStart(2)}.${v}${scale[idx]}`;
}

/** libbb/progress.c: one update line per second, the last one forced. */
class BusyboxProgress {
  private readonly proc: Proc;
  private readonly curfile: string;
  private readonly tty: boolean;
  private readonly startSec: number;
  private lastUpdateSec: number;
  private lastChangeSec: number;
  private lastSize = 0;
  private startShift = 0;

  constructor(proc: Proc, curfile: string) {
    this.proc = proc;
    this.curfile = curfile;
    this.tty = proc.sys.ctx.tty === true;
    this.startSec = Math.floor(proc.sys.now() / 1000);
    this.lastUpdateSec = this.startSec;
    this.lastChangeSec = this.startSec;
  }

  async update(transferred: number, total: number, end: boolean): Promise<void> {
    const now = Math.floor(this.proc.sys.now() / 1000);
    const sinceLast = now - this.lastUpdateSec;
    this.lastUpdateSec = now;
    if (!(total !== 0 && transferred >= total) && sinceLast === 0 && !end) {
      return;
    }
    if (!(total !== 0 && transferred >= total) && sinceLast === 0) {
      return;
    }
    let line = `${this.tty ? '\r' : ''}${this.curfile.padEnd(20).slice(0, 20)} `;
    if (total !== 0) {
      line += `${String(Math.floor((100 * transferred) / total)).padStart(3)}% `;
      const barLength = 80 - 48;
      const stars = Math.floor((barLength * transferred) / total);
      line += `|${'*'.repeat(stars)}${' '.repeat(barLength - stars)}| `;
    }
    line += ulltoa5(transferred);
    let sinceChange = now - this.lastChangeSec;
    if (transferred !== this.lastSize) {
      this.lastChangeSec = now;
      this.lastSize = transferred;
      if (sinceChange >= 5) {
        this.startShift += sinceChange;
      }
      sinceChange = 0;
    }
    const elapsed = now - this.startSec - this.startShift;
    if (sinceChange >= 5) {
      line += '  - stalled -';
    } else if (total === 0 || transferred === 0 || elapsed < 0) {
      line += ' --:--:-- ETA';
    } else {
      let eta = Math.floor((total * elapsed) / transferred) - elapsed;
      eta = Math.min(eta, 1000 * 60 * 60 - 1);
      const secs = eta % 3600;
      line += `${String(Math.floor(eta / 3600)).padStart(3)}:${String(Math.floor(secs / 60)).padStart(2, '0')}:${String(secs % 60).padStart(2, '0')} ETA`;
    }
    if (!this.tty) {
      line += '\n';
    } else if (end) {
      line += '\n';
    }
    await writeErr(this.proc, line);
  }
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  if (!Number.isFinite(ms) || ms <= 0) {
    return promise;
  }
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(new TimedOut()), ms);
    promise.then(
      (value) => {
        clearTimeout(timer);
        resolve(value);
      },
      (error: unknown) => {
        clearTimeout(timer);
        reject(error);
      },
    );
  });
}

const BUSYBOX_LONG = {
  continue: { key: 'c', arg: false },
  quiet: { key: 'q', arg: false },
  'server-response': { key: 'S', arg: false },
  'output-document': { key: 'O', arg: true },
  'output-file': { key: 'o', arg: true },
  'directory-prefix': { key: 'P', arg: true },
  proxy: { key: 'Y', arg: true },
  'user-agent': { key: 'U', arg: true },
  timeout: { key: 'T', arg: true },
  tries: { key: 't', arg: true },
  header: { key: 'header', arg: true },
  'post-data': { key: 'post-data', arg: true },
  spider: { key: 'spider', arg: false },
  'no-check-certificate': { key: 'no-check-certificate', arg: false },
  'post-file': { key: 'post-file', arg: true },
  'passive-ftp': { key: 'ignore', arg: false },
  'no-cache': { key: 'ignore', arg: false },
  'no-verbose': { key: 'ignore', arg: false },
  'no-clobber': { key: 'ignore', arg: false },
  'no-host-directories': { key: 'ignore', arg: false },
  'no-parent': { key: 'ignore', arg: false },
};

const BUSYBOX_USAGE =
  'BusyBox v1.36.1 (2023-06-02 00:42:02 UTC) multi-call binary.\n\n' +
  'Usage: wget [-cqS] [--spider] [-O FILE] [-o LOGFILE] [--header STR]\n' +
  '\t[--post-data STR | --post-file FILE] [-Y on/off]\n' +
  '\t[--no-check-certificate] [-P DIR] [-U AGENT] [-T SEC] URL...\n\n' +
  'Retrieve files via HTTP or FTP\n';

export async function wget(proc: Proc): Promise<number> {
  return proc.sys.flavour('wget') === 'gnu' ? gnuWget(proc) : busyboxWget(proc);
}

async function busyboxWget(proc: Proc): Promise<number> {
  const { sys } = proc;
  // -n takes an optional attached argument (-nv, -nc); all four forms are ignored.
  const args = proc.argv.slice(1).filter((arg) => !/^-n[a-zA-Z]*$/.test(arg));
  let parsed;
  try {
    parsed = getopt(args, { flags: 'cqS', withArg: 'OoPYUTt', long: BUSYBOX_LONG });
  } catch (error) {
    if (error instanceof GetoptError) {
      const what =
        error.kind === 'missing'
          ? `option requires an argument -- '${error.option.replace(/^-+/, '')}'`
          : error.option.startsWith('--')
            ? `unrecognized option '${error.option}'`
            : `invalid option -- '${error.option}'`;
      await writeErr(proc, `wget: ${what}\n${BUSYBOX_USAGE}`);
      return 1;
    }
    throw error;
  }
  const has = (key: string): boolean => parsed.options.some(([k]) => k === key);
  const value = (key: string): string | undefined => parsed.options.filter(([k]) => k === key).pop()?.[1];
  const quiet = has('q');
  const serverResponse = has('S');
  const spider = has('spider');
  let noCheckCert = has('no-check-certificate');
  const userAgent = value('U') ?? 'Wget';
  const outName = value('O');
  const dirPrefix = value('P');
  const timeoutText = value('T');
  let timeoutSec = 900;
  if (timeoutText !== undefined) {
    if (!/^\d+$/.test(timeoutText)) {
      await writeErr(proc, `wget: invalid number '${timeoutText}'\n`);
      return 1;
    }
    timeoutSec = Number(timeoutText);
  }
  const timeoutMs = timeoutSec > 0 ? timeoutSec * 1000 : Infinity;
  const extraHeaders = parsed.options.filter(([k]) => k === 'header').map(([, v]) => v);
  const postFile = value('post-file');
  let postData = value('post-data');
  if (parsed.operands.length === 0) {
    await writeErr(proc, BUSYBOX_USAGE);
    return 1;
  }
  if (postFile !== undefined) {
    try {
      postData = sys.fs.readFile(VirtualFs.normalize(proc.cwd, postFile)).toString('latin1');
    } catch (error) {
      if (error instanceof FsError) {
        await writeErr(proc, `wget: can't open '${postFile}': ${error.message}\n`);
        return 1;
      }
      throw error;
    }
  }
  const userHeader = (name: string): boolean =>
    extraHeaders.some((line) => line.toLowerCase().startsWith(`${name.toLowerCase()}:`));
  const die: (message: string) => never = (message) => {
    throw new Die(message);
  };
  let output: { stream: OutStream | null; toStdout: boolean } | null = null;
  const sockets: Socket[] = [];

  const downloadOne = async (url: string): Promise<void> => {
    let target = parseWgetUrl(url);
    if ('bad' in target) {
      die(`not an http or ftp url: ${target.bad}`);
    }
    let fname = outName;
    if (fname === undefined) {
      const last =
        target.path
          .replace(/[?#].*$/, '')
          .split('/')
          .pop() ?? '';
      fname = last === '' ? 'index.html' : last;
      if (dirPrefix !== undefined) {
        fname = `${dirPrefix.replace(/\/$/, '')}/${fname}`;
      }
    }
    const curfile = fname.slice(fname.lastIndexOf('/') + 1);
    let redirLimit = 16;
    for (;;) {
      const addresses = await resolveHost(sys, target.host, proc.signal);
      const ip = addresses[0];
      if (ip === undefined) {
        die(`bad address '${target.hostPort}'`);
      }
      if (!quiet) {
        await writeErr(proc, `Connecting to ${target.hostPort} (${ip}:${target.port})\n`);
      }
      for (;;) {
        // establish_session: a redirect to a path on the same server comes back here.
        const { controller, release } = childController(proc.signal);
        let socket: Socket;
        try {
          socket = await withTimeout(
            connectTcp(sys, ip, target.port, timeoutMs, controller.signal),
            timeoutMs,
          );
        } catch (error) {
          controller.abort();
          release();
          if (error instanceof TimedOut || (error instanceof NetError && error.code === 'ETIMEDOUT')) {
            die('download timed out');
          }
          if (error instanceof NetError) {
            die(`can't connect to remote host (${ip}): ${strerror(error.code)}`);
          }
          throw error;
        }
        sockets.push(socket);
        release();
        if (target.scheme === 'https') {
          if (!noCheckCert) {
            noCheckCert = true;
            await writeErr(proc, 'wget: note: TLS certificate validation not implemented\n');
          }
          try {
            socket = await withTimeout(
              startTls(socket, {
                host: target.host,
                verify: false,
                signal: proc.signal,
              }),
              timeoutMs,
            );
            sockets.push(socket);
          } catch (error) {
            if (error instanceof TimedOut) {
              die('download timed out');
            }
            if (error instanceof TlsError) {
              die('error getting response: Connection reset by peer');
            }
            throw error;
          }
        }
        const method = postData !== undefined ? 'POST' : 'GET';
        let request = `${method} /${target.path} HTTP/1.1\r\n`;
        if (!userHeader('Host')) {
          request += `Host: ${target.hostPort}\r\n`;
        }
        if (!userHeader('User-Agent')) {
          request += `User-Agent: ${userAgent}\r\n`;
        }
        request += 'Connection: close\r\n';
        if (target.user !== null && !userHeader('Authorization')) {
          request += `Authorization: Basic ${Buffer.from(target.user).toString('base64')}\r\n`;
        }
        for (const line of extraHeaders) {
          request += `${line}\r\n`;
        }
        if (postData !== undefined) {
          if (!userHeader('Content-Type')) {
            request += 'Content-Type: application/x-www-form-urlencoded\r\n';
          }
          request += `Content-Length: ${Buffer.byteLength(postData, 'latin1')}\r\n\r\n${postData}`;
        } else {
          request += '\r\n';
        }
        const reader = new SocketReader(socket);
        socketWriter(socket)
          .write(Buffer.from(request, 'latin1'))
          .catch(() => {});
        let head: ResponseHead;
        try {
          head = await withTimeout(
            readHead(reader, proc.signal, () => {}),
            timeoutMs,
          );
        } catch (error) {
          if (error instanceof TimedOut) {
            die('download timed out');
          }
          if (error instanceof HttpError) {
            die(error.kind === 'empty' ? 'error getting response' : `server returned error: ${error.kind}`);
          }
          if (error instanceof NetError) {
            die(`error getting response: ${strerror(error.code)}`);
          }
          throw error;
        }
        const statusLine = head.statusLine.replace(/[\x00-\x1f].*$/, '');
        if (serverResponse) {
          await writeErr(proc, `  ${statusLine}\n`);
        }
        const status = head.status;
        const ok = [200, 201, 202, 203, 204].includes(status);
        const redirect = [300, 301, 302, 303, 307, 308].includes(status);
        if (!ok && !redirect) {
          die(`server returned error: ${statusLine}`);
        }
        if (serverResponse) {
          const lines = head.raw
            .toString('latin1')
            .split(/\r?\n/)
            .slice(1)
            .filter((line) => line !== '');
          await writeErr(proc, lines.map((line) => `  ${line}\n`).join(''));
        }
        const te = header(head, 'transfer-encoding');
        if (te !== undefined && te.toLowerCase() !== 'chunked') {
          die(`transfer encoding '${te}' is not supported`);
        }
        const location = header(head, 'location');
        if (redirect && location !== undefined) {
          redirLimit--;
          if (redirLimit === 0) {
            die('too many redirections');
          }
          socket.destroy();
          if (location.startsWith('/')) {
            target = { ...target, path: location.slice(1) };
            continue;
          }
          const next = parseWgetUrl(location);
          if ('bad' in next) {
            die(`not an http or ftp url: ${next.bad}`);
          }
          target = next;
          break;
        }
        if (spider) {
          if (!quiet) {
            await writeErr(proc, 'remote file exists\n');
          }
          socket.destroy();
          return;
        }
        if (output === null) {
          if (fname === '-') {
            output = { stream: null, toStdout: true };
          } else {
            try {
              output = {
                stream: sys.fs.open(VirtualFs.normalize(proc.cwd, fname), 'w', proc.fds).output ?? null,
                toStdout: false,
              };
            } catch (error) {
              if (error instanceof FsError) {
                die(`can't open '${fname}': ${error.message}`);
              }
              throw error;
            }
          }
        }
        const out = output;
        if (!quiet) {
          await writeErr(proc, out.toStdout ? 'writing to stdout\n' : `saving to '${fname}'\n`);
        }
        const progress = quiet ? null : new BusyboxProgress(proc, curfile);
        const length = contentLength(head);
        let transferred = 0;
        const ticker =
          progress === null
            ? null
            : setInterval(() => void progress.update(transferred, length ?? 0, false), 1000);
        try {
          await readBodyIdle(reader, head, proc.signal, timeoutMs, async (chunk) => {
            transferred += chunk.length;
            if (out.toStdout) {
              await writeFd(proc, 1, chunk);
            } else {
              await out.stream?.write(chunk);
            }
          });
        } catch (error) {
          if (ticker !== null) {
            clearInterval(ticker);
          }
          if (error instanceof TimedOut) {
            await progress?.update(transferred, length ?? 0, true);
            die('download timed out');
          }
          if (error instanceof HttpError) {
            await progress?.update(transferred, transferred, true);
            die(error.kind === 'bad-chunk' ? "bad chunk length ''" : 'connection closed prematurely');
          }
          if (error instanceof NetError) {
            await progress?.update(transferred, length ?? 0, true);
            die(`read error: ${strerror(error.code)}`);
          }
          throw error;
        }
        if (ticker !== null) {
          clearInterval(ticker);
        }
        await progress?.update(transferred, transferred, true);
        if (!quiet) {
          await writeErr(proc, out.toStdout ? 'written to stdout\n' : `'${fname}' saved\n`);
        }
        socket.destroy();
        if (outName === undefined) {
          output = null;
        }
        return;
      }
    }
  };

  try {
    for (const url of parsed.operands) {
      await downloadOne(url);
    }
    return 0;
  } catch (error) {
    if (error instanceof Die) {
      await writeErr(proc, `wget: ${error.message}\n`);
      return 1;
    }
    throw error;
  } finally {
    for (const socket of sockets) {
      socket.destroy();
    }
  }
}

/** Reads the body, failing when no data arrives for `idleMs` (busybox checks once a second). */
async function readBodyIdle(
  reader: SocketReader,
  head: ResponseHead,
  signal: AbortSignal,
  idleMs: number,
  onData: (chunk: Buffer) => Promise<void>,
): Promise<void> {
  const { controller, release } = childController(signal);
  let idle: NodeJS.Timeout | null = null;
  const rearm = (): void => {
    if (idle !== null) {
      clearTimeout(idle);
    }
    if (Number.isFinite(idleMs)) {
      idle = setTimeout(() => controller.abort(new TimedOut()), idleMs);
    }
  };
  rearm();
  try {
    await readBody(reader, head, 'GET', controller.signal, async (chunk) => {
      rearm();
      await onData(chunk);
    });
  } catch (error) {
    if (controller.signal.aborted && controller.signal.reason instanceof TimedOut) {
      throw controller.signal.reason;
    }
    throw error;
  } finally {
    if (idle !== null) {
      clearTimeout(idle);
    }
    release();
  }
}

// ---------------------------------------------------------------------------------------------------------
// GNU wget

const GNU_LONG = {
  quiet: { key: 'q', arg: false },
  verbose: { key: 'v', arg: false },
  'no-verbose': { key: 'nv', arg: false },
  'server-response': { key: 'S', arg: false },
  'output-document': { key: 'O', arg: true },
  'output-file': { key: 'o', arg: true },
  'user-agent': { key: 'U', arg: true },
  timeout: { key: 'T', arg: true },
  'connect-timeout': { key: 'connect-timeout', arg: true },
  'read-timeout': { key: 'read-timeout', arg: true },
  'dns-timeout': { key: 'ignore-arg', arg: true },
  tries: { key: 't', arg: true },
  waitretry: { key: 'waitretry', arg: true },
  'retry-connrefused': { key: 'retry-connrefused', arg: false },
  header: { key: 'header', arg: true },
  'post-data': { key: 'post-data', arg: true },
  spider: { key: 'spider', arg: false },
  'no-check-certificate': { key: 'no-check-certificate', arg: false },
  'ca-certificate': { key: 'ca-certificate', arg: true },
  'max-redirect': { key: 'max-redirect', arg: true },
  'no-cache': { key: 'ignore', arg: false },
  'no-proxy': { key: 'ignore', arg: false },
  version: { key: 'version', arg: false },
};

/** What GNU wget makes of a response without a status line (http.c `resp_status`). */
const HTTP09_HEAD: ResponseHead = {
  statusLine: '',
  version: 'HTTP/0.9',
  status: 200,
  reason: 'No headers, assuming HTTP/0.9',
  headers: [],
  raw: Buffer.alloc(0),
  complete: true,
};

/** GNU wget's log timestamps are wall-clock time. */
function gnuDate(): string {
  const date = new Date();
  const pad = (n: number): string => String(n).padStart(2, '0');
  return `${date.getUTCFullYear()}-${pad(date.getUTCMonth() + 1)}-${pad(date.getUTCDate())} ${pad(date.getUTCHours())}:${pad(date.getUTCMinutes())}:${pad(date.getUTCSeconds())}`;
}

function gnuRate(bytes: number, ms: number): { text: string; unit: string } {
  const perSec = ms > 0 ? (bytes * 1000) / ms : bytes * 1000;
  const units = ['B/s', 'KB/s', 'MB/s', 'GB/s'];
  let value = perSec;
  let index = 0;
  while (value >= 1024 && index < units.length - 1) {
    value /= 1024;
    index++;
  }
  return { text: value >= 100 ? value.toFixed(0) : value.toFixed(1), unit: units[index] as string };
}

async function gnuWget(proc: Proc): Promise<number> {
  const { sys } = proc;
  let parsed;
  try {
    parsed = getopt(
      proc.argv.slice(1).map((arg) => (arg === '-nv' ? '--no-verbose' : arg)),
      { flags: 'qvS', withArg: 'OoUTt', long: GNU_LONG },
    );
  } catch (error) {
    if (error instanceof GetoptError) {
      await writeErr(
        proc,
        `wget: ${error.kind === 'missing' ? `option requires an argument -- '${error.option.replace(/^-+/, '')}'` : error.option.startsWith('--') ? `unrecognized option '${error.option}'` : `invalid option -- '${error.option}'`}\nUsage: wget [OPTION]... [URL]...\n\nTry \`wget --help' for more options.\n`,
      );
      return 2;
    }
    throw error;
  }
  const has = (key: string): boolean => parsed.options.some(([k]) => k === key);
  const value = (key: string): string | undefined => parsed.options.filter(([k]) => k === key).pop()?.[1];
  if (has('version')) {
    await writeFd(proc, 1, Buffer.from(GNU_WGET_VERSION));
    return 0;
  }
  const quiet = has('q');
  const brief = has('nv');
  const spider = has('spider');
  const serverResponse = has('S');
  const verify = !has('no-check-certificate');
  const userAgent = value('U') ?? 'Wget/1.21.4';
  const outName = value('O');
  const tries = value('t') !== undefined ? Number(value('t')) || Infinity : 20;
  const waitRetry = value('waitretry') !== undefined ? Number(value('waitretry')) : 10;
  const timeout = Number(value('T') ?? 900);
  const connectTimeoutMs = Number(value('connect-timeout') ?? timeout) * 1000 || Infinity;
  const readTimeoutMs = Number(value('read-timeout') ?? timeout) * 1000 || Infinity;
  const retryRefused = has('retry-connrefused');
  const postData = value('post-data');
  const extraHeaders = parsed.options.filter(([k]) => k === 'header').map(([, v]) => v);
  const caFile = value('ca-certificate');
  let maxRedirect = Number(value('max-redirect') ?? 20);
  const say = async (text: string): Promise<void> => {
    if (!quiet && !brief) {
      await writeErr(proc, text);
    }
  };
  if (parsed.operands.length === 0) {
    await writeErr(
      proc,
      "wget: missing URL\nUsage: wget [OPTION]... [URL]...\n\nTry `wget --help' for more options.\n",
    );
    return 1;
  }
  let exit = 0;
  const sockets: Socket[] = [];
  try {
    if (spider) {
      await say('Spider mode enabled. Check if remote file exists.\n');
    }
    for (const url of parsed.operands) {
      let target = parseWgetUrl(gnuWgetUrl(url));
      if ('bad' in target) {
        await writeErr(proc, `${url}: Unsupported scheme.\n`);
        exit = 1;
        continue;
      }
      if (hasWildcards(target.path.replace(/\?.*$/, ''))) {
        await say('Warning: wildcards not supported in HTTP.\n');
      }
      let attempt = 1;
      let result = 0;
      let reusing = false;
      /** Bytes of this URL's body written by earlier tries. */
      let written = 0;
      for (;;) {
        const href = `${target.scheme}://${target.hostPort}/${target.path}`;
        await say(
          `--${gnuDate()}--  ${attempt > 1 ? `(try:${String(attempt).padStart(2)})  ` : ''}${href}\n`,
        );
        let retry = false;
        /** Whether "Giving up." or "Retrying." was already said (after a read error in the body). */
        let announced = false;
        // After a redirect to the same server, wget reuses its keep-alive connection and says so; here a
        // new connection stands in for it, which the server alone could tell apart.
        const sayConnect = reusing ? async (): Promise<void> => {} : say;
        const isIp = /^\d+\.\d+\.\d+\.\d+$/.test(target.host);
        if (!isIp) {
          await sayConnect(`Resolving ${target.host} (${target.host})... `);
        }
        const addresses = await resolveHost(sys, target.host, proc.signal);
        if (addresses.length === 0) {
          await sayConnect('failed: Name or service not known.\n');
          if (!quiet) {
            await writeErr(proc, `wget: unable to resolve host address '${target.host}'\n`);
          }
          result = 4;
          break;
        }
        if (!isIp) {
          await sayConnect(`${addresses.join(', ')}\n`);
        }
        let socket: Socket | null = null;
        let failure = '';
        for (const ip of addresses) {
          await sayConnect(
            isIp
              ? `Connecting to ${ip}:${target.port}... `
              : `Connecting to ${target.host} (${target.host})|${ip}|:${target.port}... `,
          );
          try {
            socket = await withTimeout(
              connectTcp(sys, ip, target.port, connectTimeoutMs, proc.signal),
              connectTimeoutMs,
            );
            sockets.push(socket);
            await sayConnect('connected.\n');
            break;
          } catch (error) {
            const code =
              error instanceof TimedOut ? 'ETIMEDOUT' : error instanceof NetError ? error.code : null;
            if (code === null) {
              throw error;
            }
            failure = code;
            await sayConnect(`failed: ${strerror(code)}.\n`);
          }
        }
        if (reusing && socket !== null) {
          await say(`Reusing existing connection to ${target.host}:${target.port}.\n`);
        }
        reusing = false;
        if (socket === null) {
          result = 4;
          // wget's retryable_socket_connect_error(): refused and unreachable are final unless
          // --retry-connrefused (which covers all three).
          retry = !['ECONNREFUSED', 'ENETUNREACH', 'EHOSTUNREACH'].includes(failure) || retryRefused;
        } else {
          if (target.scheme === 'https') {
            try {
              let ca: string | undefined;
              if (caFile !== undefined) {
                ca = sys.fs.readFile(VirtualFs.normalize(proc.cwd, caFile)).toString();
              }
              const secure = await startTls(socket, {
                host: target.host,
                verify,
                ca,
                signal: proc.signal,
              });
              socket = secure;
              sockets.push(socket);
              // With --no-check-certificate the check still runs, and says what it found as warnings.
              const unverified = secure.authorized ? undefined : String(secure.authorizationError ?? '');
              const warnings =
                unverified === undefined
                  ? undefined
                  : gnutlsCertificateComplaints(unverified, target.host, 'WARNING');
              if (warnings !== undefined && !quiet) {
                await writeErr(proc, warnings);
              }
            } catch (error) {
              if (
                error instanceof TlsError &&
                (error.failure.kind === 'verify' || error.failure.kind === 'hostname')
              ) {
                const gnutls =
                  error.failure.kind === 'verify'
                    ? gnutlsCertificateComplaints(error.failure.code, target.host, 'ERROR')
                    : undefined;
                if (!quiet) {
                  await writeErr(
                    proc,
                    gnutls !== undefined
                      ? gnutls
                      : error.failure.kind === 'verify'
                        ? `ERROR: cannot verify ${target.host}'s certificate:\n  ${error.failure.detail}.\nTo connect to ${target.host} insecurely, use \`--no-check-certificate'.\n`
                        : `ERROR: no certificate subject alternative name matches\n\trequested host name '${target.host}'.\nTo connect to ${target.host} insecurely, use \`--no-check-certificate'.\n`,
                  );
                }
                result = 5;
                break;
              }
              if (error instanceof TlsError || error instanceof FsError) {
                if (error instanceof TlsError && error.failure.kind === 'protocol' && !quiet) {
                  await writeErr(proc, gnutlsHandshakeLine(error.failure.detail));
                }
                await say('Unable to establish SSL connection.\n');
                result = 4;
                break;
              }
              throw error;
            }
          }
          const method = spider ? 'HEAD' : postData !== undefined ? 'POST' : 'GET';
          const userHeader = (name: string): boolean =>
            extraHeaders.some((line) => line.toLowerCase().startsWith(`${name.toLowerCase()}:`));
          let request = `${method} /${target.path} HTTP/1.1\r\n`;
          if (!userHeader('User-Agent')) {
            request += `User-Agent: ${userAgent}\r\n`;
          }
          request += 'Accept: */*\r\nAccept-Encoding: identity\r\n';
          if (!userHeader('Host')) {
            request += `Host: ${target.hostPort}\r\n`;
          }
          if (written > 0) {
            request += `Range: bytes=${written}-\r\n`;
          }
          request += 'Connection: Keep-Alive\r\n';
          for (const line of extraHeaders) {
            request += `${line}\r\n`;
          }
          if (postData !== undefined) {
            request += `Content-Type: application/x-www-form-urlencoded\r\nContent-Length: ${Buffer.byteLength(postData)}\r\n`;
          }
          request += `\r\n${postData ?? ''}`;
          const reader = new SocketReader(socket);
          socketWriter(socket)
            .write(Buffer.from(request))
            .catch(() => {});
          await say(`${method === 'HEAD' || spider ? 'HTTP' : 'HTTP'} request sent, awaiting response... `);
          let head: ResponseHead | null = null;
          try {
            head = await withTimeout(
              readHead(reader, proc.signal, () => {}),
              readTimeoutMs,
            );
          } catch (error) {
            const reason =
              error instanceof HttpError && error.kind === 'http09'
                ? null
                : error instanceof TimedOut
                  ? 'Read error (Connection timed out) in headers.'
                  : error instanceof HttpError
                    ? 'No data received.'
                    : error instanceof NetError
                      ? `Read error (${strerror(error.code)}) in headers.`
                      : undefined;
            if (reason === undefined) {
              throw error;
            }
            if (reason === null) {
              // No status line: HTTP/0.9 to GNU wget, status 200 and everything the body.
              head = HTTP09_HEAD;
            } else {
              await say(`${reason}\n`);
              result = 4;
              retry = true;
            }
          }
          if (head !== null) {
            if (serverResponse && !quiet) {
              const lines = head.raw
                .toString('latin1')
                .split(/\r?\n/)
                .filter((line) => line !== '');
              await writeErr(proc, `\n${lines.map((line) => `  ${line}\n`).join('')}`);
            } else {
              await say(`${head.status} ${head.reason}\n`);
            }
            const location = header(head, 'location');
            if (head.status >= 300 && head.status < 400 && location !== undefined) {
              await say(`Location: ${location} [following]\n`);
              socket.destroy();
              const from = target;
              if (maxRedirect-- <= 0) {
                await say(`${maxRedirect + 1} redirections exceeded.\n`);
                result = 8;
                break;
              }
              const next = parseWgetUrl(
                new URL(location, `${target.scheme}://${target.hostPort}/${target.path}`).href,
              );
              if (!('bad' in next)) {
                target = next;
              }
              reusing =
                target.scheme === from.scheme &&
                target.host === from.host &&
                target.port === from.port &&
                contentLength(head) !== null &&
                !/close/i.test(header(head, 'connection') ?? '');
              continue;
            }
            if (head.status >= 400) {
              if (spider) {
                await say('Remote file does not exist -- broken link!!!\n');
              } else {
                await say(`${gnuDate()} ERROR ${head.status}: ${head.reason}.\n\n`);
              }
              result = 8;
              break;
            }
            const length = contentLength(head);
            const type = header(head, 'content-type');
            const size =
              length === null
                ? 'unspecified'
                : `${length}${length >= 1024 ? ` (${humanReadable(length)})` : ''}`;
            await say(`Length: ${size}${type !== undefined ? ` [${type}]` : ''}\n`);
            if (spider) {
              await say('Remote file exists.\n\n');
              result = 0;
              break;
            }
            const fname =
              outName ??
              (target.path
                .replace(/[?#].*$/, '')
                .split('/')
                .pop() ||
                'index.html');
            const toStdout = fname === '-';
            let stream: OutStream | null = null;
            if (!toStdout) {
              try {
                stream =
                  sys.fs.open(VirtualFs.normalize(proc.cwd, fname), written > 0 ? 'a' : 'w', proc.fds)
                    .output ?? null;
              } catch (error) {
                if (error instanceof FsError) {
                  await writeErr(proc, `${fname}: ${error.message}\n`);
                  result = 3;
                  break;
                }
                throw error;
              }
            }
            await say(`Saving to: '${toStdout ? 'STDOUT' : fname}'\n\n`);
            const started = sys.now();
            let received = 0;
            // A retry asked for the rest (Range); a server that sends it all again (200, not 206) has the
            // part already written skipped (http.c rb_skip_startpos).
            const skip = head.status === 206 ? 0 : written;
            try {
              await readBodyIdle(reader, head, proc.signal, readTimeoutMs, async (chunk) => {
                const fresh = chunk.subarray(Math.max(0, Math.min(chunk.length, skip - received)));
                received += chunk.length;
                written = Math.max(written, received);
                if (toStdout) {
                  await writeFd(proc, 1, fresh);
                } else {
                  await stream?.write(fresh);
                }
              });
            } catch (error) {
              if (error instanceof BrokenPipeError) {
                throw error;
              }
              // http.c: "Read error at byte N/LENGTH (reason). " and retr.c's printwhat(): the rate, then
              // whether another try follows.
              const at = length === null ? String(received) : `${received}/${length}`;
              const reason =
                error instanceof TimedOut
                  ? `Read error at byte ${at} (Connection timed out).`
                  : error instanceof NetError
                    ? `Read error at byte ${at} (${strerror(error.code)}).`
                    : error instanceof HttpError
                      ? `Connection closed at byte ${received}.`
                      : null;
              if (reason === null) {
                throw error;
              }
              const ms = sys.now() - started;
              const rate = gnuRate(received, ms);
              const percent =
                length === null || length === 0
                  ? ''
                  : `${String(Math.floor((received * 100) / length)).padStart(3)}% `;
              await say(
                `     0K ${' '.repeat(50)} ${percent}${rate.text}${rate.unit[0] === 'B' ? '' : rate.unit[0]}=${(ms / 1000).toFixed(ms < 10 ? 0 : 1)}s\n\n`,
              );
              await say(
                `${gnuDate()} (${rate.text} ${rate.unit}) - ${reason} ${attempt >= tries ? 'Giving up.' : 'Retrying.'}\n\n`,
              );
              result = 4;
              retry = true;
              announced = true;
            }
            if (!retry) {
              const ms = sys.now() - started;
              const rate = gnuRate(received, ms);
              await say(
                `     0K ${' '.repeat(50)} 100% ${rate.text}${rate.unit[0] === 'B' ? '' : rate.unit[0]}=${(ms / 1000).toFixed(ms < 10 ? 0 : 1)}s\n\n`,
              );
              const total = length === null ? String(received) : `${received}/${length}`;
              await say(
                `${gnuDate()} (${rate.text} ${rate.unit}) - ${toStdout ? 'written to stdout' : `'${fname}' saved`} [${total}]\n\n`,
              );
              if (brief && !quiet) {
                await writeErr(
                  proc,
                  `${gnuDate()} URL:${href} [${total}] -> "${toStdout ? '-' : fname}" [1]\n`,
                );
              }
              result = 0;
              break;
            }
          }
        }
        if (!retry || attempt >= tries) {
          if (retry && !announced) {
            await say('Giving up.\n\n');
          }
          break;
        }
        if ((socket === null || result === 4) && !announced) {
          await say('Retrying.\n\n');
        }
        await sleep(Math.min(attempt, waitRetry) * 1000, proc.signal);
        attempt++;
      }
      if (result !== 0) {
        exit = result;
      }
    }
  } finally {
    for (const socket of sockets) {
      socket.destroy();
    }
  }
  return exit;
}
