/**
 * The sandbox's reader of protobuf request bodies, on messages encoded here field by field.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { ApiError } from '../../../sandbox/api/status.ts';
import { decodeProtobufObject, isProtobuf } from '../../../sandbox/api/protobuf.ts';

const varint = (value: number): Buffer => {
  const bytes: number[] = [];
  let rest = value;
  do {
    let byte = rest & 0x7f;
    rest = Math.floor(rest / 128);
    if (rest > 0) {
      byte |= 0x80;
    }
    bytes.push(byte);
  } while (rest > 0);
  return Buffer.from(bytes);
};
const int = (field: number, value: number) => Buffer.concat([varint(field << 3), varint(value)]);
const bytes = (field: number, value: Buffer | string) => {
  const payload = Buffer.from(value);
  return Buffer.concat([varint((field << 3) | 2), varint(payload.length), payload]);
};
const message = (...parts: Buffer[]) => Buffer.concat(parts);
const envelope = (apiVersion: string, kind: string, raw: Buffer) =>
  Buffer.concat([
    Buffer.from('k8s\0', 'latin1'),
    bytes(1, message(bytes(1, apiVersion), bytes(2, kind))),
    bytes(2, raw),
    bytes(3, ''),
    bytes(4, ''),
  ]);

describe('protobuf request bodies', () => {
  test('the media type is recognized with or without parameters', () => {
    assert.equal(isProtobuf('application/vnd.kubernetes.protobuf'), true);
    assert.equal(isProtobuf('application/vnd.kubernetes.protobuf; charset=x'), true);
    assert.equal(isProtobuf('application/json'), false);
  });

  test('a Deployment: empty scalars dropped as omitempty drops them, a pointer kept at zero', () => {
    const metadata = message(
      bytes(1, 'web'),
      bytes(2, ''),
      int(7, 0),
      bytes(8, ''),
      bytes(11, message(bytes(1, 'app'), bytes(2, 'web'))),
    );
    const container = message(
      bytes(1, 'web'),
      bytes(2, 'echo:1'),
      bytes(6, message(int(3, 8080), bytes(4, 'TCP'))),
      bytes(8, message(bytes(1, message(bytes(1, 'cpu'), bytes(2, message(bytes(1, '100m'))))))),
      int(16, 0),
    );
    const spec = message(
      int(1, 0),
      bytes(2, message(bytes(1, message(bytes(1, 'app'), bytes(2, 'web'))))),
      bytes(3, message(bytes(2, message(bytes(2, container))))),
      bytes(
        4,
        message(bytes(1, 'RollingUpdate'), bytes(2, message(bytes(1, message(int(1, 1), bytes(3, '25%')))))),
      ),
    );
    const decoded = decodeProtobufObject(
      envelope(
        'apps/v1',
        'Deployment',
        message(bytes(1, metadata), bytes(2, spec), bytes(3, message(int(1, 0)))),
      ),
    );
    assert.deepEqual(decoded, {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'web', labels: { app: 'web' } },
      spec: {
        replicas: 0,
        selector: { matchLabels: { app: 'web' } },
        template: {
          spec: {
            containers: [
              {
                name: 'web',
                image: 'echo:1',
                ports: [{ containerPort: 8080, protocol: 'TCP' }],
                resources: { limits: { cpu: '100m' } },
              },
            ],
          },
        },
        strategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: '25%' } },
      },
    });
  });

  test('a field the sandbox does not know is refused when it holds a value, not dropped', () => {
    const body = envelope('v1', 'Service', message(bytes(2, message(bytes(99, 'x')))));
    assert.throws(
      () => decodeProtobufObject(body),
      (error: unknown) =>
        error instanceof ApiError &&
        error.status.code === 400 &&
        /protobuf field 99 of Service\.spec; send application\/json/.test(error.status.message ?? ''),
    );
    const empty = envelope('v1', 'Service', message(bytes(2, message(bytes(99, '')))));
    assert.deepEqual(decodeProtobufObject(empty), { apiVersion: 'v1', kind: 'Service' });
  });

  test('kinds it does not read and bodies without the magic are 400s', () => {
    assert.throws(
      () => decodeProtobufObject(envelope('v1', 'ConfigMap', Buffer.alloc(0))),
      /does not decode protobuf v1\/ConfigMap/,
    );
    assert.throws(() => decodeProtobufObject(Buffer.from('{"kind":"Pod"}')), /expected prefix/);
  });
});
