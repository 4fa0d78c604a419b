/**
 * IPv4 and IPv6 addresses and CIDR blocks, parsed by hand so that this module stays free of
 * Node's network modules (src/analysis must run anywhere, including in a webview or a worker).
 *
 * The rules follow Go's net package, which is what the API server and most network plugins use:
 * - IPv4 is dotted decimal with exactly four parts and no leading zeros (Go ≥ 1.17 rejects
 *   "010.0.0.1" because other parsers read it as octal).
 * - IPv6 allows one "::", a trailing dotted IPv4 part, and no zone ("%eth0").
 * - A CIDR may have host bits set ("10.0.0.7/24", as net.ParseCIDR accepts and older
 *   NetworkPolicies contain); the block is the masked network.
 * - An IPv4-mapped IPv6 address (::ffff:a.b.c.d) is compared as the IPv4 address it carries.
 */

export type IpFamily = 4 | 6;

export interface IpAddress {
  readonly family: IpFamily;
  /** 4 bytes for IPv4, 16 for IPv6. */
  readonly bytes: readonly number[];
}

export interface Cidr {
  readonly family: IpFamily;
  /** The network address: the given address with its host bits cleared. */
  readonly network: readonly number[];
  readonly prefix: number;
}

function parseIpv4Bytes(text: string): number[] | undefined {
  const parts = text.split('.');
  if (parts.length !== 4) {
    return undefined;
  }
  const bytes: number[] = [];
  for (const part of parts) {
    if (!/^[0-9]{1,3}$/.test(part) || (part.length > 1 && part.startsWith('0'))) {
      return undefined;
    }
    const value = Number(part);
    if (value > 255) {
      return undefined;
    }
    bytes.push(value);
  }
  return bytes;
}

function parseIpv6Groups(text: string): number[] | undefined {
  const groups: number[] = [];
  for (const group of text.split(':')) {
    if (!/^[0-9A-Fa-f]{1,4}$/.test(group)) {
      return undefined;
    }
    groups.push(Number.parseInt(group, 16));
  }
  return groups;
}

function parseIpv6Bytes(text: string): number[] | undefined {
  let body = text;
  let tail: number[] = [];
  // A dotted IPv4 part may stand for the last 32 bits.
  const lastColon = body.lastIndexOf(':');
  if (lastColon >= 0 && body.slice(lastColon + 1).includes('.')) {
    const v4 = parseIpv4Bytes(body.slice(lastColon + 1));
    if (v4 === undefined) {
      return undefined;
    }
    tail = [((v4[0] ?? 0) << 8) | (v4[1] ?? 0), ((v4[2] ?? 0) << 8) | (v4[3] ?? 0)];
    body = body.slice(0, lastColon + 1);
    // "::1.2.3.4" leaves "::", "1::1.2.3.4" leaves "1::", "1:2:3:4:5:6:1.2.3.4" leaves "…6:".
    if (body.endsWith(':') && !body.endsWith('::')) {
      body = body.slice(0, -1);
    }
  }
  const halves = body.split('::');
  let groups: number[];
  if (halves.length === 1) {
    const parsed = parseIpv6Groups(body);
    if (parsed === undefined) {
      return undefined;
    }
    groups = [...parsed, ...tail];
    if (groups.length !== 8) {
      return undefined;
    }
  } else if (halves.length === 2) {
    const head = halves[0] === '' ? [] : parseIpv6Groups(halves[0] ?? '');
    const rest = halves[1] === '' ? [] : parseIpv6Groups(halves[1] ?? '');
    if (head === undefined || rest === undefined) {
      return undefined;
    }
    const known = head.length + rest.length + tail.length;
    // "::" stands for at least one group of zeros.
    if (known > 7) {
      return undefined;
    }
    groups = [...head, ...new Array<number>(8 - known).fill(0), ...rest, ...tail];
  } else {
    return undefined;
  }
  return groups.flatMap((group) => [group >> 8, group & 0xff]);
}

/** Parses an IPv4 or IPv6 address; undefined if it is not one. */
export function parseIp(text: string): IpAddress | undefined {
  if (text.includes(':')) {
    const bytes = parseIpv6Bytes(text);
    return bytes === undefined ? undefined : { family: 6, bytes };
  }
  const bytes = parseIpv4Bytes(text);
  return bytes === undefined ? undefined : { family: 4, bytes };
}

export function isValidIp(text: string): boolean {
  return parseIp(text) !== undefined;
}

function maskBytes(bytes: readonly number[], prefix: number): number[] {
  return bytes.map((byte, index) => {
    const bits = Math.max(0, Math.min(8, prefix - index * 8));
    return byte & ((0xff << (8 - bits)) & 0xff);
  });
}

/** Parses "address/prefix"; undefined if it is not a CIDR block. */
export function parseCidr(text: string): Cidr | undefined {
  const slash = text.indexOf('/');
  if (slash < 0) {
    return undefined;
  }
  const address = parseIp(text.slice(0, slash));
  const prefixText = text.slice(slash + 1);
  if (address === undefined || !/^(0|[1-9][0-9]{0,2})$/.test(prefixText)) {
    return undefined;
  }
  const prefix = Number(prefixText);
  if (prefix > address.bytes.length * 8) {
    return undefined;
  }
  return { family: address.family, network: maskBytes(address.bytes, prefix), prefix };
}

export function isValidCidr(text: string): boolean {
  return parseCidr(text) !== undefined;
}

function asIp(ip: string | IpAddress): IpAddress | undefined {
  return typeof ip === 'string' ? parseIp(ip) : ip;
}

function asCidr(cidr: string | Cidr): Cidr | undefined {
  return typeof cidr === 'string' ? parseCidr(cidr) : cidr;
}

function isIpv4Mapped(bytes: readonly number[]): boolean {
  return (
    bytes.length === 16 &&
    bytes.slice(0, 10).every((byte) => byte === 0) &&
    bytes[10] === 0xff &&
    bytes[11] === 0xff
  );
}

/** An IPv4-mapped IPv6 address as the IPv4 address it carries; any other address unchanged. */
export function unmapIpv4(ip: IpAddress): IpAddress {
  return ip.family === 6 && isIpv4Mapped(ip.bytes) ? { family: 4, bytes: ip.bytes.slice(12) } : ip;
}

function samePrefix(a: readonly number[], b: readonly number[], prefix: number): boolean {
  const left = maskBytes(a, prefix);
  const right = maskBytes(b, prefix);
  return left.length === right.length && left.every((byte, index) => byte === right[index]);
}

/** Whether the block holds the address. False when either does not parse or the families differ. */
export function cidrContains(cidr: string | Cidr, ip: string | IpAddress): boolean {
  const block = asCidr(cidr);
  const parsed = asIp(ip);
  if (block === undefined || parsed === undefined) {
    return false;
  }
  const address = block.family === 4 ? unmapIpv4(parsed) : parsed;
  return address.family === block.family && samePrefix(block.network, address.bytes, block.prefix);
}

/** Whether every address of `inner` is in `outer` (a block is within itself). */
export function cidrWithin(inner: string | Cidr, outer: string | Cidr): boolean {
  const small = asCidr(inner);
  const large = asCidr(outer);
  if (small === undefined || large === undefined || small.family !== large.family) {
    return false;
  }
  return small.prefix >= large.prefix && samePrefix(small.network, large.network, large.prefix);
}

/** Canonical text: dotted decimal, or RFC 5952 IPv6 (lower case, longest zero run as "::"). */
export function formatIp(ip: IpAddress): string {
  if (ip.family === 4) {
    return ip.bytes.join('.');
  }
  if (isIpv4Mapped(ip.bytes)) {
    return `::ffff:${ip.bytes.slice(12).join('.')}`;
  }
  const groups: number[] = [];
  for (let i = 0; i < 16; i += 2) {
    groups.push(((ip.bytes[i] ?? 0) << 8) | (ip.bytes[i + 1] ?? 0));
  }
  let bestStart = -1;
  let bestLength = 0;
  for (let i = 0; i < 8;) {
    if (groups[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === 0) {
      j++;
    }
    if (j - i > bestLength) {
      bestStart = i;
      bestLength = j - i;
    }
    i = j;
  }
  const hex = groups.map((group) => group.toString(16));
  if (bestLength < 2) {
    return hex.join(':');
  }
  return `${hex.slice(0, bestStart).join(':')}::${hex.slice(bestStart + bestLength).join(':')}`;
}

export function formatCidr(cidr: Cidr): string {
  return `${formatIp({ family: cidr.family, bytes: cidr.network })}/${cidr.prefix}`;
}
