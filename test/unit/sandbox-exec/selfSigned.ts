/**
 * A self-signed P-256 certificate made at test time with node:crypto and a few lines of DER, so that the
 * repository carries no private key and needs no openssl binary.
 */
import { generateKeyPairSync, sign } from 'node:crypto';

function length(n: number): Buffer {
  if (n < 0x80) {
    return Buffer.from([n]);
  }
  const bytes: number[] = [];
  for (let rest = n; rest > 0; rest = Math.floor(rest / 256)) {
    bytes.unshift(rest % 256);
  }
  return Buffer.from([0x80 | bytes.length, ...bytes]);
}

function tlv(tag: number, ...content: Buffer[]): Buffer {
  const body = Buffer.concat(content);
  return Buffer.concat([Buffer.from([tag]), length(body.length), body]);
}

const sequence = (...items: Buffer[]): Buffer => tlv(0x30, ...items);

function oid(dotted: string): Buffer {
  const [first, second, ...rest] = dotted.split('.').map(Number);
  const bytes = [(first as number) * 40 + (second as number)];
  for (const value of rest) {
    const chunk: number[] = [value & 0x7f];
    for (let v = value >> 7; v > 0; v >>= 7) {
      chunk.unshift(0x80 | (v & 0x7f));
    }
    bytes.push(...chunk);
  }
  return tlv(0x06, Buffer.from(bytes));
}

function integer(value: number): Buffer {
  const hex = value.toString(16).padStart(2, '0');
  let bytes = Buffer.from(hex.length % 2 ? `0${hex}` : hex, 'hex');
  if ((bytes[0] as number) & 0x80) {
    bytes = Buffer.concat([Buffer.from([0]), bytes]);
  }
  return tlv(0x02, bytes);
}

function time(date: Date): Buffer {
  const iso = date.toISOString().replace(/[-:T]/g, '').slice(0, 14);
  return date.getUTCFullYear() < 2050
    ? tlv(0x17, Buffer.from(`${iso.slice(2)}Z`))
    : tlv(0x18, Buffer.from(`${iso}Z`));
}

const name = (cn: string): Buffer =>
  sequence(tlv(0x31, sequence(oid('2.5.4.3'), tlv(0x0c, Buffer.from(cn)))));

export function selfSignedCertificate(options: { commonName: string; dnsNames: string[]; ips: string[] }): {
  cert: string;
  key: string;
} {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
  const algorithm = sequence(oid('1.2.840.10045.4.3.2'));
  const altNames = sequence(
    ...options.dnsNames.map((dns) => tlv(0x82, Buffer.from(dns))),
    ...options.ips.map((ip) => tlv(0x87, Buffer.from(ip.split('.').map(Number)))),
  );
  const extensions = tlv(
    0xa3,
    sequence(
      sequence(
        oid('2.5.29.19'),
        tlv(0x01, Buffer.from([0xff])),
        tlv(0x04, sequence(tlv(0x01, Buffer.from([0xff])))),
      ),
      sequence(oid('2.5.29.17'), tlv(0x04, altNames)),
    ),
  );
  const now = Date.now();
  const tbs = sequence(
    tlv(0xa0, integer(2)),
    integer(Math.floor(Math.random() * 0x7fffffff)),
    algorithm,
    name(options.commonName),
    sequence(time(new Date(now - 3600_000)), time(new Date(now + 365 * 24 * 3600_000))),
    name(options.commonName),
    publicKey.export({ type: 'spki', format: 'der' }),
    extensions,
  );
  const signature = sign('sha256', tbs, privateKey);
  const der = sequence(tbs, algorithm, tlv(0x03, Buffer.from([0]), signature));
  const base64 = der.toString('base64').replace(/(.{64})/g, '$1\n');
  return {
    cert: `-----BEGIN CERTIFICATE-----\n${base64.trimEnd()}\n-----END CERTIFICATE-----\n`,
    key: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
  };
}
