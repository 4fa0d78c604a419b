/**
 * A DNS server on a loopback address that knows a few names and answers NXDOMAIN for everything else,
 * so that the real tools' name lookups (glibc, bind's nslookup, busybox) are as deterministic as the
 * sandbox's cluster DNS and never leave the machine. UDP only, A queries answered, AAAA and the rest
 * answered with no records; authoritative (AA) for the cluster domain, as CoreDNS is.
 */
import { createSocket } from 'node:dgram';
import type { Socket } from 'node:dgram';

export interface DnsServer {
  readonly address: string;
  close(): Promise<void>;
}

function readName(message: Buffer, start: number): { name: string; end: number } {
  const labels: string[] = [];
  let at = start;
  for (;;) {
    const length = message[at];
    if (length === undefined) {
      throw new Error('truncated question');
    }
    at += 1;
    if (length === 0) {
      break;
    }
    labels.push(message.subarray(at, at + length).toString('latin1'));
    at += length;
  }
  return { name: labels.join('.'), end: at };
}

/** The answer to one query, or undefined for a message that is not a standard query. */
export function answer(
  query: Buffer,
  names: ReadonlyMap<string, string>,
  authoritative: string,
): Buffer | undefined {
  if (query.length < 12 || (query[2]! & 0x80) !== 0 || query.readUInt16BE(4) !== 1) {
    return undefined;
  }
  const { name, end } = readName(query, 12);
  const type = query.readUInt16BE(end);
  const question = query.subarray(12, end + 4);
  const lower = name.toLowerCase();
  const address = names.get(lower);
  const aa = lower === authoritative || lower.endsWith(`.${authoritative}`);
  const records = address !== undefined && type === 1 ? [address] : [];
  const header = Buffer.alloc(12);
  header.writeUInt16BE(query.readUInt16BE(0), 0);
  // QR, the query's opcode and RD, AA where authoritative; RA; NXDOMAIN (3) for an unknown name.
  header[2] = 0x80 | (query[2]! & 0x79) | (aa ? 0x04 : 0);
  header[3] = 0x80 | (address === undefined ? 3 : 0);
  header.writeUInt16BE(1, 4);
  header.writeUInt16BE(records.length, 6);
  const answers = records.map((ip) => {
    const record = Buffer.alloc(16);
    record.writeUInt16BE(0xc00c, 0);
    record.writeUInt16BE(1, 2);
    record.writeUInt16BE(1, 4);
    record.writeUInt32BE(5, 6);
    record.writeUInt16BE(4, 10);
    Buffer.from(ip.split('.').map(Number)).copy(record, 12);
    return record;
  });
  return Buffer.concat([header, question, ...answers]);
}

/** Listens on `address`:53 (root, or CAP_NET_BIND_SERVICE: resolv.conf cannot name another port). */
export async function startDnsServer(
  address: string,
  names: ReadonlyMap<string, string>,
  authoritative: string,
): Promise<DnsServer> {
  const socket: Socket = createSocket('udp4');
  socket.on('message', (message, peer) => {
    let reply: Buffer | undefined;
    try {
      reply = answer(message, names, authoritative);
    } catch {
      reply = undefined;
    }
    if (reply !== undefined) {
      socket.send(reply, peer.port, peer.address);
    }
  });
  await new Promise<void>((resolve, reject) => {
    socket.once('error', reject);
    socket.bind(53, address, () => {
      socket.off('error', reject);
      resolve();
    });
  });
  return { address, close: () => new Promise<void>((resolve) => socket.close(() => resolve())) };
}
