/**
 * Address allocation in 127.0.0.0/8, so every Pod and Service address is a real local address.
 * A sandbox takes a block B: Pods in 127.B.0.0/16, Services in 127.B+1.0.0/16, nodes in
 * 127.B+2.0.0/24, LoadBalancer addresses (the sandbox's MetalLB-like pool) in 127.B+2.1.0/24. Sandboxes in different processes pick different blocks, so they can run side by
 * side without one reaching the other's Pods.
 *
 * A /16 holds 65,024 Pod addresses (no .0 or .255). A larger sandbox (`scale --pods 100000`) takes
 * a wide plan on two adjacent blocks B and B+3, both reserved (blockReservation.ts): Pods in
 * 127.B.0.0/15, nodes and load balancers in 127.B+2 as above, Services in 127.B+3.0.0/16; B is even,
 * so the /15 is aligned, and nothing of the plan leaves the two blocks.
 */
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

export interface AddressPlan {
  readonly block: number;
  readonly podCidr: string;
  readonly serviceCidr: string;
  /** The `kubernetes` Service in `default`, as 10.96.0.1 is on most clusters. */
  readonly kubernetesServiceIp: string;
  /** What Pods' resolv.conf names as their nameserver (kube-dns's ClusterIP on a real cluster). */
  readonly clusterDnsIp: string;
  readonly pods: AddressPool;
  readonly services: AddressPool;
  readonly nodes: AddressPool;
  /** Where LoadBalancer Services get their external address. */
  readonly loadBalancers: AddressPool;
  readonly loadBalancerRange: string;
}

/** A block for a new sandbox: random, so that concurrent sandboxes rarely share one. */
export function randomAddressBlock(): number {
  return 10 + 3 * Math.floor(Math.random() * 80);
}

/** Pod addresses in one /16: 256 /24s of 254. More Pods than this need a wide plan. */
export const POD_ADDRESSES_PER_BLOCK = 256 * 254;

/** A block for a wide plan: even, so that 127.B.0.0/15 is aligned, and B+3 a block too. */
export function randomWideAddressBlock(): number {
  return 10 + 6 * Math.floor(Math.random() * 40);
}

export function addressPlan(block: number, options: { readonly wide?: boolean } = {}): AddressPlan {
  const wide = options.wide === true;
  if (!Number.isInteger(block) || block < 1 || block > (wide ? 250 : 252) || (wide && block % 2 !== 0)) {
    throw new Error(
      wide
        ? `a wide address block must be an even integer from 2 to 250, not ${block}`
        : `address block must be an integer from 1 to 252, not ${block}`,
    );
  }
  const serviceOctet = wide ? block + 3 : block + 1;
  const kubernetesServiceIp = `127.${serviceOctet}.0.1`;
  const clusterDnsIp = `127.${serviceOctet}.0.10`;
  return {
    block,
    podCidr: wide ? `127.${block}.0.0/15` : `127.${block}.0.0/16`,
    serviceCidr: `127.${serviceOctet}.0.0/16`,
    kubernetesServiceIp,
    clusterDnsIp,
    pods: new AddressPool(`127.${block}.0.1`, `127.${wide ? block + 1 : block}.255.254`),
    services: new AddressPool(`127.${serviceOctet}.0.1`, `127.${serviceOctet}.255.254`, [
      kubernetesServiceIp,
      clusterDnsIp,
    ]),
    nodes: new AddressPool(`127.${block + 2}.0.1`, `127.${block + 2}.0.254`),
    loadBalancers: new AddressPool(`127.${block + 2}.1.1`, `127.${block + 2}.1.254`),
    loadBalancerRange: `127.${block + 2}.1.1-127.${block + 2}.1.254`,
  };
}
