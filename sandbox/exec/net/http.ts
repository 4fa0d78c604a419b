/**
 * A small HTTP/1.1 client on a socket we own, so that the tools can time each phase (first response byte,
 * end of body) exactly and report failures the way they do on a real network.
 */
import { abortable } from '../io.ts';
import type { SocketReader } from './socket.ts';

export interface ResponseHead {
  statusLine: string;
  version: string;
  status: number;
  reason: string;
  headers: Array<[string, string]>;
  /** The head as received, status line to the blank line included. */
  raw: Buffer;
  /** False when the connection closed before the blank line: the head is what arrived. */
  complete: boolean;
}

export type HttpFailure =
  | 'empty' // closed before a single complete line
  | 'http09' // not an HTTP response at all
  | 'short-body' // Content-Length not reached
  | 'short-chunked' // chunked body cut
  | 'bad-chunk';

export class HttpError extends Error {
  readonly kind: HttpFailure;
  readonly remaining: number;
  constructor(kind: HttpFailure, remaining = 0) {
    super(kind);
    this.kind = kind;
    this.remaining = remaining;
  }
}

export function header(head: ResponseHead, name: string): string | undefined {
  const wanted = name.toLowerCase();
  return head.headers.find(([key]) => key.toLowerCase() === wanted)?.[1];
}

const MAX_HEAD = 256 * 1024;

function findHeadEnd(buffer: Buffer): { end: number } | null {
  for (let i = 0; i < buffer.length; i++) {
    if (buffer[i] !== 0x0a) {
      continue;
    }
    if (buffer[i + 1] === 0x0a) {
      return { end: i + 2 };
    }
    if (buffer[i + 1] === 0x0d && buffer[i + 2] === 0x0a) {
      return { end: i + 3 };
    }
  }
  return null;
}

function parseHead(raw: Buffer, complete: boolean): ResponseHead {
  const lines = raw.toString('latin1').split(/\r?\n/);
  const statusLine = lines[0] ?? '';
  const match = /^(HTTP\/\d(?:\.\d)?)\s+(\d{3})\s?(.*)$/.exec(statusLine);
  const headers: Array<[string, string]> = [];
  for (const line of lines.slice(1)) {
    const colon = line.indexOf(':');
    if (colon > 0) {
      headers.push([line.slice(0, colon), line.slice(colon + 1).trim()]);
    }
  }
  return {
    statusLine,
    version: match?.[1] ?? 'HTTP/1.1',
    status: match ? Number(match[2]) : 0,
    reason: match?.[3] ?? '',
    headers,
    raw,
    complete,
  };
}

/**
 * Reads one response head (skipping 1xx interim responses). `onFirstByte` is called when the first byte
 * of the response arrives.
 */
export async function readHead(
  reader: SocketReader,
  signal: AbortSignal,
  onFirstByte: () => void,
): Promise<ResponseHead> {
  let buffer: Buffer = Buffer.alloc(0);
  let first = true;
  for (;;) {
    const found = findHeadEnd(buffer);
    if (found !== null) {
      reader.unshift(buffer.subarray(found.end));
      const head = parseHead(buffer.subarray(0, found.end), true);
      if (head.status >= 100 && head.status < 200 && head.status !== 101) {
        buffer = Buffer.alloc(0);
        continue;
      }
      return head;
    }
    if (buffer.length >= 5 && buffer.subarray(0, 5).toString('latin1') !== 'HTTP/') {
      // Given back, so that a client that takes HTTP/0.9 (GNU wget) reads it as the body.
      reader.unshift(buffer);
      throw new HttpError('http09');
    }
    if (buffer.length > MAX_HEAD) {
      throw new HttpError('http09');
    }
    const chunk = await abortable(reader.read(), signal);
    if (chunk === null) {
      const lastNewline = buffer.lastIndexOf(0x0a);
      if (lastNewline < 0) {
        throw new HttpError('empty');
      }
      if (!/^HTTP\/\d/.test(buffer.toString('latin1'))) {
        reader.unshift(buffer);
        throw new HttpError('http09');
      }
      return parseHead(buffer.subarray(0, lastNewline + 1), false);
    }
    if (first && chunk.length > 0) {
      first = false;
      onFirstByte();
    }
    buffer = Buffer.concat([buffer, chunk]);
  }
}

/** Whether a response to this request carries a body at all. */
export function hasBody(method: string, head: ResponseHead): boolean {
  return (
    head.complete &&
    method.toUpperCase() !== 'HEAD' &&
    head.status !== 204 &&
    head.status !== 304 &&
    !(head.status >= 100 && head.status < 200)
  );
}

/** The declared body size, or null when the body is chunked or ends with the connection. */
export function contentLength(head: ResponseHead): number | null {
  if (/chunked/i.test(header(head, 'transfer-encoding') ?? '')) {
    return null;
  }
  const value = header(head, 'content-length');
  return value !== undefined && /^\d+$/.test(value) ? Number(value) : null;
}

/**
 * Reads the body and hands it over chunk by chunk (decoded from chunked transfer encoding). Resolves at
 * the end of the body; throws HttpError when the connection closes early, NetError on a reset.
 */
export async function readBody(
  reader: SocketReader,
  head: ResponseHead,
  method: string,
  signal: AbortSignal,
  onData: (chunk: Buffer) => Promise<void>,
): Promise<void> {
  if (!hasBody(method, head)) {
    return;
  }
  const next = (): Promise<Buffer | null> => abortable(reader.read(), signal);
  if (/chunked/i.test(header(head, 'transfer-encoding') ?? '')) {
    await readChunked(reader, next, onData);
    return;
  }
  const length = contentLength(head);
  if (length === null) {
    for (let chunk = await next(); chunk !== null; chunk = await next()) {
      await onData(chunk);
    }
    return;
  }
  let remaining = length;
  while (remaining > 0) {
    const chunk = await next();
    if (chunk === null) {
      throw new HttpError('short-body', remaining);
    }
    const used = chunk.subarray(0, remaining);
    reader.unshift(chunk.subarray(remaining));
    remaining -= used.length;
    await onData(used);
  }
}

async function readChunked(
  reader: SocketReader,
  next: () => Promise<Buffer | null>,
  onData: (chunk: Buffer) => Promise<void>,
): Promise<void> {
  let buffer: Buffer = Buffer.alloc(0);
  const readLine = async (): Promise<string> => {
    for (;;) {
      const newline = buffer.indexOf(0x0a);
      if (newline >= 0) {
        const line = buffer.subarray(0, newline).toString('latin1').replace(/\r$/, '');
        buffer = buffer.subarray(newline + 1);
        return line;
      }
      const chunk = await next();
      if (chunk === null) {
        throw new HttpError('short-chunked');
      }
      buffer = Buffer.concat([buffer, chunk]);
    }
  };
  for (;;) {
    const sizeLine = await readLine();
    const size = Number.parseInt(sizeLine.split(';')[0]?.trim() ?? '', 16);
    if (!/^[0-9a-fA-F]+/.test(sizeLine.trim()) || Number.isNaN(size)) {
      throw new HttpError('bad-chunk');
    }
    if (size === 0) {
      // Trailers end with an empty line; a server that closes right after "0\r\n" is tolerated.
      try {
        while ((await readLine()) !== '') {
          /* skip trailer fields */
        }
      } catch (error) {
        if (!(error instanceof HttpError)) {
          throw error;
        }
      }
      reader.unshift(buffer);
      return;
    }
    let remaining = size;
    while (remaining > 0) {
      if (buffer.length === 0) {
        const chunk = await next();
        if (chunk === null) {
          throw new HttpError('short-chunked');
        }
        buffer = chunk;
      }
      const used = buffer.subarray(0, remaining);
      buffer = buffer.subarray(used.length);
      remaining -= used.length;
      await onData(used);
    }
    await readLine();
  }
}
