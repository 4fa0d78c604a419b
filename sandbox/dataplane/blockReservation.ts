/**
 * Holds a sandbox's address block (see `ipam.ts`) against every other sandbox on the machine, in
 * this process or another: a TCP listener on the block's sentinel address, 127.(B+2).255.254,
 * which no pool hands out. The kernel arbitrates, so two sandboxes cannot both hold a block, and
 * the hold ends with the listener: at `release()`, or when the process exits, even by a crash.
 * Without it, two sandboxes had 80 random blocks to choose from and could reach each other's Pods.
 */
import { createServer } from 'node:net';
import type { Server } from 'node:net';
import { randomAddressBlock } from './ipam.ts';

/** Above 1023, so an ordinary user can bind it; on the sentinel address, nothing else listens. */
const SENTINEL_PORT = 64_999;

export interface AddressBlockReservation {
  readonly block: number;
  release(): Promise<void>;
}

export function sentinelAddress(block: number): string {
  return `127.${block + 2}.255.254`;
}

/**
 * Reserves `requested`, or the first free block in a random order of all of them. Rejects when
 * `requested` is held by another sandbox, or when every block is.
 */
export async function reserveAddressBlock(requested?: number): Promise<AddressBlockReservation> {
  if (requested !== undefined) {
    const server = await hold(requested);
    if (server === undefined) {
      throw new Error(
        `address block ${requested} (127.${requested}.0.0/16) is in use by another sandbox; choose another or leave it unset`,
      );
    }
    return reservation(requested, server);
  }
  const tried = new Set<number>();
  for (let attempt = 0; attempt < 1_000 && tried.size < 80; attempt++) {
    const block = randomAddressBlock();
    if (tried.has(block)) {
      continue;
    }
    tried.add(block);
    const server = await hold(block);
    if (server !== undefined) {
      return reservation(block, server);
    }
  }
  throw new Error('every sandbox address block in 127.0.0.0/8 is in use: stop a sandbox first');
}

function reservation(block: number, server: Server): AddressBlockReservation {
  // The hold must not keep a process alive that has nothing else to do.
  server.unref();
  return {
    block,
    release: () => new Promise<void>((resolve) => server.close(() => resolve())),
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
