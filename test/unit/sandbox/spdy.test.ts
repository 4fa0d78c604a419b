/**
 * The sandbox's SPDY/3.1 server framing, driven as kubectl's spdystream drives it: header blocks
 * compressed in one zlib context with the SPDY dictionary, replies read back the same way.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { describe, test } from 'node:test';
import { constants, createDeflate, inflateSync } from 'node:zlib';
import { SPDY_DICTIONARY, SpdySession } from '../../../sandbox/streams/spdy.ts';
import type { SpdyStream } from '../../../sandbox/streams/spdy.ts';

function headerBlock(headers: Record<string, string>): Buffer {
  const parts: Buffer[] = [Buffer.alloc(4)];
  parts[0]!.writeUInt32BE(Object.keys(headers).length);
  for (const [name, value] of Object.entries(headers)) {
    for (const text of [name, value]) {
      const length = Buffer.alloc(4);
      length.writeUInt32BE(Buffer.byteLength(text));
      parts.push(length, Buffer.from(text));
    }
  }
  return Buffer.concat(parts);
}

/** A client-side compressor: one deflate stream for the connection, flushed after each block. */
function compressor(): (block: Buffer) => Promise<Buffer> {
  const deflate = createDeflate({ dictionary: SPDY_DICTIONARY });
  return (block) =>
    new Promise((resolve) => {
      deflate.write(block);
      deflate.flush(constants.Z_SYNC_FLUSH, () => {
        const out: Buffer[] = [];
        for (let chunk = deflate.read() as Buffer | null; chunk; chunk = deflate.read() as Buffer | null) {
          out.push(chunk);
        }
        resolve(Buffer.concat(out));
      });
    });
}

function control(type: number, flags: number, payload: Buffer): Buffer {
  const frame = Buffer.alloc(8 + payload.length);
  frame.writeUInt16BE(0x8003, 0);
  frame.writeUInt16BE(type, 2);
  frame.writeUInt32BE((flags << 24) | payload.length, 4);
  payload.copy(frame, 8);
  return frame;
}

function data(id: number, payload: Buffer, fin = false): Buffer {
  const frame = Buffer.alloc(8 + payload.length);
  frame.writeUInt32BE(id, 0);
  frame.writeUInt32BE(((fin ? 1 : 0) << 24) | payload.length, 4);
  payload.copy(frame, 8);
  return frame;
}

async function synStream(
  compress: (block: Buffer) => Promise<Buffer>,
  id: number,
  headers: Record<string, string>,
) {
  const block = await compress(headerBlock(headers));
  const payload = Buffer.alloc(10 + block.length);
  payload.writeUInt32BE(id, 0);
  block.copy(payload, 10);
  return control(1, 0, payload);
}

describe('SPDY/3.1 server session', () => {
  test('the dictionary is byte-exact (1423 bytes, the sha256 moby/spdystream pins)', () => {
    assert.equal(SPDY_DICTIONARY.length, 1423);
    assert.equal(
      createHash('sha256').update(SPDY_DICTIONARY).digest('hex'),
      '51d27341373f923f3cd88e1eb7162aeaa3723d7585ff2399201dc06498407f02',
    );
  });

  test('streams open with their headers, get replies that inflate, and carry data both ways', async () => {
    const sent: Buffer[] = [];
    const streams: SpdyStream[] = [];
    const received: string[] = [];
    const session = new SpdySession(
      { send: (bytes) => sent.push(bytes), close: () => undefined },
      (stream) => {
        streams.push(stream);
        stream.onData = (chunk) => received.push(`${stream.id}:${chunk.toString()}`);
        stream.onEnd = () => received.push(`${stream.id}:FIN`);
      },
    );
    const compress = compressor();
    const first = await synStream(compress, 1, { streamtype: 'error', port: '8080', requestid: '0' });
    const second = await synStream(compress, 3, { streamtype: 'data', port: '8080', requestid: '0' });
    // Bytes arrive in arbitrary pieces, as WebSocket messages of a byte stream.
    const wire = Buffer.concat([
      first,
      data(1, Buffer.alloc(0), true),
      second,
      data(3, Buffer.from('hello')),
    ]);
    for (let offset = 0; offset < wire.length; offset += 3) {
      session.receive(wire.subarray(offset, offset + 3));
    }
    await new Promise<void>((resolve, reject) => {
      const deadline = setTimeout(() => reject(new Error('streams did not open')), 2000);
      const check = () => (received.length >= 2 ? (clearTimeout(deadline), resolve()) : setImmediate(check));
      check();
    });
    assert.deepEqual(
      streams.map((s) => Object.fromEntries(s.headers)),
      [
        { streamtype: 'error', port: '8080', requestid: '0' },
        { streamtype: 'data', port: '8080', requestid: '0' },
      ],
    );
    assert.deepEqual(received, ['1:FIN', '3:hello']);

    // Two SYN_REPLYs whose header blocks continue one zlib stream and decode to zero headers.
    const replies = sent.filter((frame) => frame.readUInt32BE(0) === 0x80030002);
    assert.deepEqual(
      replies.map((frame) => frame.readUInt32BE(8)),
      [1, 3],
    );
    const blocks = Buffer.concat(replies.map((frame) => frame.subarray(12)));
    const decoded = inflateSync(blocks, { dictionary: SPDY_DICTIONARY, finishFlush: constants.Z_SYNC_FLUSH });
    assert.deepEqual([...decoded], [0, 0, 0, 0, 0, 0, 0, 0]);

    sent.length = 0;
    streams[1]!.write(Buffer.from('world'));
    streams[1]!.end();
    session.receive(control(6, 0, Buffer.from([0, 0, 0, 7])));
    assert.deepEqual(sent, [
      data(3, Buffer.from('world')),
      data(3, Buffer.alloc(0), true),
      control(6, 0, Buffer.from([0, 0, 0, 7])),
    ]);

    let reset = false;
    streams[0]!.onReset = () => (reset = true);
    const rst = Buffer.alloc(8);
    rst.writeUInt32BE(1, 0);
    rst.writeUInt32BE(5, 4);
    session.receive(control(3, 0, rst));
    assert.equal(reset, true);
    session.close();
  });
});
