/**
 * The SPDY/3.1 codec shared by the port-forward engine's client session and the sandbox's kubelet
 * side: frames to bytes and back whatever the chunking, header blocks, and the header compression
 * contexts read by a standard inflater (as Go's compress/zlib reads them) and fed by a standard
 * deflater (as kubectl's spdystream writes them).
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { describe, test } from 'node:test';
import { constants, createDeflate, inflateSync } from 'node:zlib';
import {
  encodeControl,
  encodeData,
  encodeGoAway,
  encodeHeaderBlock,
  encodePing,
  encodeRstStream,
  encodeSettings,
  encodeSynReply,
  encodeSynStream,
  encodeWindowUpdate,
  FLAG_FIN,
  FRAME,
  FrameReader,
  HeaderCompressor,
  HeaderDecompressor,
  MAX_FRAME_PAYLOAD,
  parseHeaderBlock,
  RST,
  SPDY_DICTIONARY,
} from '../../../src/portforward/spdy.ts';
import type { SpdyFrame } from '../../../src/portforward/spdy.ts';

function readAll(bytes: Buffer, pieceSize: number): SpdyFrame[] {
  const reader = new FrameReader();
  const frames: SpdyFrame[] = [];
  for (let offset = 0; offset < bytes.length; offset += pieceSize) {
    reader.push(bytes.subarray(offset, offset + pieceSize));
    for (let frame = reader.next(); frame; frame = reader.next()) {
      frames.push({ ...frame, payload: Buffer.from(frame.payload) });
    }
  }
  return frames;
}

describe('SPDY/3.1 codec', () => {
  test('the dictionary is byte-exact (1423 bytes, the sha256 moby/spdystream pins)', () => {
    assert.equal(SPDY_DICTIONARY.length, 1423);
    assert.equal(
      createHash('sha256').update(SPDY_DICTIONARY).digest('hex'),
      '51d27341373f923f3cd88e1eb7162aeaa3723d7585ff2399201dc06498407f02',
    );
  });

  test('frames come back whole and in order, however the bytes are cut', () => {
    const big = Buffer.alloc(200_000, 7);
    const wire = Buffer.concat([
      encodeSynStream(1, Buffer.from('hdr'), { fin: false }),
      encodeData(1, Buffer.alloc(0), true),
      encodeData(3, Buffer.from('hello')),
      encodeData(3, big),
      encodeRstStream(3, RST.cancel),
      encodePing(1),
      encodeWindowUpdate(3, 65_536),
      encodeSettings([{ id: 7, value: 16 << 20 }]),
      encodeGoAway(5, 0),
      encodeSynReply(1, Buffer.alloc(0), true),
    ]);
    for (const piece of [1, 3, 8, 1000, wire.length]) {
      const frames = readAll(wire, piece);
      assert.deepEqual(
        frames.map((f) =>
          f.kind === 'data'
            ? `data ${f.streamId} ${f.flags} ${f.payload.length}`
            : `control ${f.type} ${f.flags}`,
        ),
        [
          `control ${FRAME.synStream} 0`,
          `data 1 ${FLAG_FIN} 0`,
          'data 3 0 5',
          'data 3 0 200000',
          `control ${FRAME.rstStream} 0`,
          `control ${FRAME.ping} 0`,
          `control ${FRAME.windowUpdate} 0`,
          `control ${FRAME.settings} 0`,
          `control ${FRAME.goAway} 0`,
          `control ${FRAME.synReply} ${FLAG_FIN}`,
        ],
        `cut every ${piece} bytes`,
      );
      assert.ok(frames[3]!.payload.equals(big));
      const syn = frames[0]!.payload;
      assert.equal(syn.readUInt32BE(0), 1);
      assert.equal(syn.subarray(10).toString(), 'hdr');
      assert.deepEqual([...frames[4]!.payload], [0, 0, 0, 3, 0, 0, 0, RST.cancel]);
      assert.equal(frames[6]!.payload.readUInt32BE(4), 65_536);
      assert.equal(frames[7]!.payload.readUInt32BE(0), 1);
      assert.equal(frames[7]!.payload.readUInt32BE(4) & 0xffffff, 7);
      assert.equal(frames[7]!.payload.readUInt32BE(8), 16 << 20);
    }
    // A control frame's first word: the control bit, version 3, then the type.
    assert.equal(encodeControl(FRAME.ping, 0, Buffer.alloc(4)).readUInt32BE(0), 0x80030006);
    assert.throws(() => encodeData(1, Buffer.alloc(MAX_FRAME_PAYLOAD + 1)), RangeError);
  });

  test('header blocks: names lower-cased, the first of NUL-joined values, truncation refused', () => {
    const block = encodeHeaderBlock([
      ['streamType', 'data'],
      ['port', '8080'],
      ['requestID', '12'],
    ]);
    assert.deepEqual(Object.fromEntries(parseHeaderBlock(block)), {
      streamtype: 'data',
      port: '8080',
      requestid: '12',
    });
    const joined = encodeHeaderBlock([['x', 'a\0b']]);
    assert.equal(parseHeaderBlock(joined).get('x'), 'a');
    assert.throws(() => parseHeaderBlock(block.subarray(0, block.length - 1)), RangeError);
    assert.throws(() => parseHeaderBlock(Buffer.alloc(2)), RangeError);
  });

  test('compressed header blocks continue one zlib stream a standard inflater reads with the dictionary', () => {
    const compressor = new HeaderCompressor();
    const blocks = [
      encodeHeaderBlock([
        ['streamtype', 'error'],
        ['port', '80'],
        ['requestid', '0'],
      ]),
      encodeHeaderBlock([]),
      // Larger than one stored deflate block (65,535 bytes).
      encodeHeaderBlock([['x-long', 'v'.repeat(70_000)]]),
    ];
    const wire = Buffer.concat(blocks.map((block) => compressor.compress(block)));
    const inflated = inflateSync(wire, { dictionary: SPDY_DICTIONARY, finishFlush: constants.Z_SYNC_FLUSH });
    assert.ok(inflated.equals(Buffer.concat(blocks)));
  });

  test('the decompressor reads what a deflater primed with the dictionary writes, block after block', async () => {
    const deflate = createDeflate({ dictionary: SPDY_DICTIONARY });
    const compress = (block: Buffer) =>
      new Promise<Buffer>((resolve) => {
        deflate.write(block);
        deflate.flush(constants.Z_SYNC_FLUSH, () => {
          const out: Buffer[] = [];
          for (let chunk = deflate.read() as Buffer | null; chunk; chunk = deflate.read() as Buffer | null) {
            out.push(chunk);
          }
          resolve(Buffer.concat(out));
        });
      });
    const decompressor = new HeaderDecompressor();
    const decode = (block: Buffer) =>
      new Promise<Map<string, string> | Error>((resolve) => decompressor.decompress(block, resolve));
    const first = await decode(
      await compress(
        encodeHeaderBlock([
          ['streamtype', 'data'],
          ['port', '8080'],
        ]),
      ),
    );
    const second = await decode(
      await compress(
        encodeHeaderBlock([
          ['streamtype', 'data'],
          ['port', '9090'],
        ]),
      ),
    );
    assert.ok(first instanceof Map && second instanceof Map);
    assert.equal(first.get('port'), '8080');
    assert.equal(second.get('port'), '9090');
    const broken = await decode(Buffer.from([1, 2, 3, 4, 5, 6, 7, 8]));
    assert.ok(broken instanceof Error);
    decompressor.destroy();
    deflate.destroy();
  });
});
