/**
 * Address allocation in 127.0.0.0/8, so every Pod and Service address is a real local address:
 * Pods in 127.1.0.0/16 (then 127.4+ when that fills), Services in 127.2.0.0/16, nodes in 127.3.0.0/24.
 */
export const POD_CIDR = '127.1.0.0/16';
export const SERVICE_CIDR = '127.2.0.0/16';
/** The `kubernetes` Service in `default`, as 10.96.0.1 is on most clusters. */
export const KUBERNETES_SERVICE_IP = '127.2.0.1';
/** What Pods' resolv.conf names as their nameserver (kube-dns's ClusterIP on a real cluster). */
export const CLUSTER_DNS_IP = '127.2.0.10';

function toIp(value: number): string {
  return [value >>> 24, (value >>> 16) & 255, (value >>> 8) & 255, value & 255].join('.');
}

function fromIp(ip: string): number {
  return ip.split('.').reduce((acc, octet) => acc * 256 + Number(octet), 0);
}

/** Hands out addresses from a range, lowest free first, skipping .0 and .255 of each /24. */
export class AddressPool {
  private readonly used = new Set<number>();
  private next: number;
  private readonly first: number;
  private readonly last: number;

  constructor(first: string, last: string, reserved: readonly string[] = []) {
    this.first = fromIp(first);
    this.last = fromIp(last);
    this.next = this.first;
    for (const ip of reserved) {
      this.used.add(fromIp(ip));
    }
  }

  allocate(): string {
    const size = this.last - this.first + 1;
    for (let i = 0; i < size; i++) {
      const candidate = this.first + ((this.next - this.first + i) % size);
      const lastOctet = candidate & 255;
      if (lastOctet === 0 || lastOctet === 255 || this.used.has(candidate)) {
        continue;
      }
      this.used.add(candidate);
      this.next = candidate + 1;
      return toIp(candidate);
    }
    throw new Error(`address range ${toIp(this.first)}-${toIp(this.last)} is exhausted`);
  }

  reserve(ip: string): void {
    this.used.add(fromIp(ip));
  }

  release(ip: string): void {
    this.used.delete(fromIp(ip));
  }

  contains(ip: string): boolean {
    const value = fromIp(ip);
    return value >= this.first && value <= this.last;
  }
}

export function createPools() {
  return {
    // Pods: 127.1.0.1 - 127.1.255.254 then 127.4.0.1 - 127.7.255.254 (about 327,000 addresses).
    pods: new AddressPool('127.1.0.1', '127.1.255.254'),
    podsOverflow: new AddressPool('127.4.0.1', '127.7.255.254'),
    services: new AddressPool('127.2.0.1', '127.2.255.254', [KUBERNETES_SERVICE_IP, CLUSTER_DNS_IP]),
    nodes: new AddressPool('127.3.0.1', '127.3.0.254'),
  };
}
