/**
 * Holds a sandbox's address block (see `ipam.ts`) against every other sandbox on the machine, in
 * this process or another: a TCP listener on the block's sentinel address, 127.(B+2).255.254,
 * which no pool hands out. The kernel arbitrates, so two sandboxes cannot both hold a block, and
 * the hold ends with the listener: at `release()`, or when the process exits, even by a crash.
 * Without it, two sandboxes had 80 random blocks to choose from and could reach each other's Pods.
 * A wide plan (ipam.ts: Pods in a /15) holds two adjacent blocks, B and B+3, by both sentinels.
 */
import { createServer } from 'node:net';
import type { Server } from 'node:net';
import { randomAddressBlock, randomWideAddressBlock } from './ipam.ts';

/** Above 1023, so an ordinary user can bind it; on the sentinel address, nothing else listens. */
const SENTINEL_PORT = 64_999;

export interface AddressBlockReservation {
  readonly block: number;
  /** Whether it holds B and B+3 for a wide plan. */
  readonly wide: boolean;
  release(): Promise<void>;
}

export function sentinelAddress(block: number): string {
  return `127.${block + 2}.255.254`;
}

/**
 * Reserves `requested`, or the first free block in a random order of all of them. Rejects when
 * `requested` is held by another sandbox, or when every block is.
 */
export async function reserveAddressBlock(
  requested?: number,
  options: { readonly wide?: boolean } = {},
): Promise<AddressBlockReservation> {
  const wide = options.wide === true;
  if (requested !== undefined) {
    const servers = await holdAll(requested, wide);
    if (servers === undefined) {
      throw new Error(
        `address block ${requested} (127.${requested}.0.0/${wide ? 15 : 16}) is in use by another sandbox; choose another or leave it unset`,
      );
    }
    return reservation(requested, wide, servers);
  }
  const tried = new Set<number>();
  const blocks = wide ? 40 : 80;
  for (let attempt = 0; attempt < 1_000 && tried.size < blocks; attempt++) {
    const block = wide ? randomWideAddressBlock() : randomAddressBlock();
    if (tried.has(block)) {
      continue;
    }
    tried.add(block);
    const servers = await holdAll(block, wide);
    if (servers !== undefined) {
      return reservation(block, wide, servers);
    }
  }
  throw new Error(
    `every ${wide ? 'pair of adjacent sandbox address blocks' : 'sandbox address block'} in 127.0.0.0/8 is in use: stop a sandbox first`,
  );
}

/** Holds B (and B+3 for a wide plan), or nothing when another sandbox holds either. */
async function holdAll(block: number, wide: boolean): Promise<Server[] | undefined> {
  const first = await hold(block);
  if (first === undefined || !wide) {
    return first === undefined ? undefined : [first];
  }
  const second = await hold(block + 3);
  if (second === undefined) {
    await new Promise<void>((resolve) => first.close(() => resolve()));
    return undefined;
  }
  return [first, second];
}

function reservation(block: number, wide: boolean, servers: readonly Server[]): AddressBlockReservation {
  // The hold must not keep a process alive that has nothing else to do.
  servers.forEach((server) => server.unref());
  return {
    block,
    wide,
    release: async () => {
      await Promise.all(
        servers.map((server) => new Promise<void>((resolve) => server.close(() => resolve()))),
      );
    },
  };
}

/** A listener on the block's sentinel, or undefined when another holds it. */
function hold(block: number): Promise<Server | undefined> {
  return new Promise((resolve, reject) => {
    const server = createServer((socket) => socket.destroy());
    server.once('error', (error: NodeJS.ErrnoException) => {
      if (error.code === 'EADDRINUSE') {
        resolve(undefined);
      } else {
        reject(
          new Error(`cannot reserve address block ${block} at ${sentinelAddress(block)}: ${error.message}`),
        );
      }
    });
    server.listen({ host: sentinelAddress(block), port: SENTINEL_PORT, exclusive: true }, () =>
      resolve(server),
    );
  });
}
