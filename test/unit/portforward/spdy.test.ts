/**
 * The SPDY/3.1 framing of src/portforward/spdy.ts, the WebSocket masking of webSocketClient.ts and
 * the rule that sends a port-forward to v4 WebSockets (spdySession.ts).
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describe, test } from 'node:test';
import { constants, createInflate } from 'node:zlib';
import { UpgradeRejectedError } from '../../../src/portforward/errors.ts';
import {
  controlFrame,
  dataFrameHeader,
  encodeHeaderBlock,
  FRAME,
  parseHeaderBlock,
  rstStreamFrame,
  SPDY_DICTIONARY,
  SpdyFrameReader,
  StoredHeaderStream,
  synStreamFrame,
} from '../../../src/portforward/spdy.ts';
import { isSpdyUnsupported } from '../../../src/portforward/spdySession.ts';
import { maskInPlace, SubprotocolRefusedError } from '../../../src/portforward/webSocketClient.ts';

/** Inflates each block in turn with one zlib context, as a peer (spdystream, the sandbox) does. */
async function inflateBlocks(blocks: Buffer[]): Promise<Buffer[]> {
  const inflate = createInflate({ dictionary: SPDY_DICTIONARY });
  let parts: Buffer[] = [];
  inflate.on('data', (chunk: Buffer) => parts.push(chunk));
  const out: Buffer[] = [];
  for (const block of blocks) {
    inflate.write(block);
    await new Promise<void>((resolve) => inflate.flush(constants.Z_SYNC_FLUSH, () => resolve()));
    out.push(Buffer.concat(parts));
    parts = [];
  }
  inflate.destroy();
  return out;
}

interface Seen {
  data: Map<number, Buffer[]>;
  ends: Array<[number, boolean]>;
  controls: Array<[number, number, Buffer]>;
}

function reader(): { reader: SpdyFrameReader; seen: Seen } {
  const seen: Seen = { data: new Map(), ends: [], controls: [] };
  return {
    seen,
    reader: new SpdyFrameReader({
      // The pieces are views valid during the call only: copied, as a user must.
      data: (id, piece) => seen.data.set(id, [...(seen.data.get(id) ?? []), Buffer.from(piece)]),
      dataEnd: (id, fin) => seen.ends.push([id, fin]),
      control: (type, flags, payload) => seen.controls.push([type, flags, Buffer.from(payload)]),
    }),
  };
}

describe('SPDY framing', () => {
  test('header blocks written as stored deflate blocks read back through one dictionary-primed zlib stream', async () => {
    const stream = new StoredHeaderStream();
    const headers: Array<Array<[string, string]>> = [
      [
        ['streamtype', 'error'],
        ['port', '8080'],
        ['requestid', '0'],
      ],
      [
        ['streamtype', 'data'],
        ['port', '8080'],
        ['requestid', '0'],
      ],
      // A block larger than one stored block (65,535 bytes) holds.
      [['x-large', 'v'.repeat(70_000)]],
      [],
    ];
    const inflated = await inflateBlocks(headers.map((h) => stream.next(encodeHeaderBlock(h))));
    assert.deepEqual(
      inflated.map((block) => [...parseHeaderBlock(block)]),
      headers,
    );
  });

  test('frames cut at every byte come out as sent; data payloads are handed on without gathering', () => {
    const payload = randomBytes(3000);
    const stream = new StoredHeaderStream();
    const bytes = Buffer.concat([
      synStreamFrame(1, true, stream.next(encodeHeaderBlock([['streamtype', 'error']]))),
      dataFrameHeader(3, payload.length, false),
      payload,
      dataFrameHeader(3, 0, true),
      rstStreamFrame(5, 5),
      controlFrame(FRAME.ping, 0, Buffer.from([0, 0, 0, 2])),
    ]);
    for (const step of [1, 7, 8, 9, 1000, bytes.length]) {
      const { reader: r, seen } = reader();
      for (let offset = 0; offset < bytes.length; offset += step) {
        r.push(bytes.subarray(offset, offset + step));
      }
      assert.deepEqual(Buffer.concat(seen.data.get(3) ?? []), payload, `cut every ${step} bytes`);
      assert.deepEqual(seen.ends, [
        [3, false],
        [3, true],
      ]);
      assert.deepEqual(
        seen.controls.map(([type]) => type),
        [FRAME.synStream, FRAME.rstStream, FRAME.ping],
      );
      assert.equal(seen.controls[1]![2].readUInt32BE(4), 5);
      if (step >= bytes.length) {
        // One push holding the whole frame: one piece, not a gathered copy.
        assert.equal(seen.data.get(3)!.length, 1);
      }
    }
  });

  test('an oversized control frame is refused', () => {
    const { reader: r } = reader();
    const head = Buffer.alloc(8);
    head.writeUInt32BE(0x80030001, 0);
    head.writeUInt32BE(0x00ffffff, 4);
    assert.throws(() => r.push(head), RangeError);
  });
});

describe('WebSocket masking', () => {
  test('masks like the byte-by-byte definition (RFC 6455 5.3), whatever the alignment and position', () => {
    const key = 0xa1b2c3d4;
    const keyBytes = [0xa1, 0xb2, 0xc3, 0xd4];
    const source = randomBytes(4096 + 7);
    for (const start of [0, 1, 2, 3, 5]) {
      for (const position of [0, 1, 2, 3, 6]) {
        for (const length of [0, 1, 3, 4, 5, 17, 4096]) {
          const data = Buffer.from(source).subarray(start, start + length);
          maskInPlace(data, key, position);
          const expected = Buffer.from(source.subarray(start, start + length)).map(
            (byte, i) => byte ^ keyBytes[(position + i) & 3]!,
          );
          assert.deepEqual(data, expected, `start ${start}, position ${position}, length ${length}`);
        }
      }
    }
  });
});

describe('when a port-forward falls back to v4 WebSockets', () => {
  test('an upgrade to another subprotocol, or a 400 for ports missing from the query', () => {
    assert.equal(isSpdyUnsupported(new SubprotocolRefusedError('')), true);
    assert.equal(
      isSpdyUnsupported(new UpgradeRejectedError(400, '{"message":"invalid port in query: "}')),
      true,
    );
    assert.equal(
      isSpdyUnsupported(new UpgradeRejectedError(400, 'query parameter "port" is required')),
      true,
    );
  });

  test('not for refusals v4 would get as well: a Pod not running, forbidden, a node the API server cannot dial', () => {
    assert.equal(
      isSpdyUnsupported(
        new UpgradeRejectedError(400, '{"message":"pod web-1 does not have a host assigned"}'),
      ),
      false,
    );
    assert.equal(isSpdyUnsupported(new UpgradeRejectedError(403, '{"message":"forbidden"}')), false);
    assert.equal(
      isSpdyUnsupported(new UpgradeRejectedError(500, '{"message":"error dialing backend"}')),
      false,
    );
    assert.equal(isSpdyUnsupported(new Error('connect ECONNREFUSED')), false);
  });
});
