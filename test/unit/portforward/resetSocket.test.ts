/**
 * Resetting a local connection closes it, whatever state it is in: Node's resetAndDestroy() after
 * end() never closes the handle (no 'close'; the process then spins at exit), a case the engine
 * reaches when a Pod ends a connection and the forward is stopped before the client has read it.
 */
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { connect, createServer } from 'node:net';
import type { Socket } from 'node:net';
import { test } from 'node:test';
import { resetSocket } from '../../../src/portforward/listener.ts';

async function pair(): Promise<{ client: Socket; close: () => void }> {
  const server = createServer((peer) => {
    peer.on('error', () => undefined);
    peer.resume();
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as { port: number };
  const client = connect(port, '127.0.0.1');
  client.on('error', () => undefined);
  await once(client, 'connect');
  return { client, close: () => server.close() };
}

/** Resolves 'closed' on the socket's 'close', 'open' if it has not come within a second. */
function closedWithin(socket: Socket): Promise<'closed' | 'open'> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve('open'), 1000);
    socket.once('close', () => {
      clearTimeout(timer);
      resolve('closed');
    });
  });
}

test('a connection reset after its end has begun is closed, not leaked', async () => {
  const { client, close } = await pair();
  try {
    client.write('bytes the Pod sent');
    client.end();
    const closed = closedWithin(client);
    resetSocket(client);
    assert.equal(await closed, 'closed');
  } finally {
    close();
  }
});

test('an open connection is reset (the peer sees ECONNRESET) and closed', async () => {
  const { client, close } = await pair();
  try {
    const closed = closedWithin(client);
    resetSocket(client);
    assert.equal(await closed, 'closed');
    resetSocket(client); // Again: nothing left to do, no throw.
  } finally {
    close();
  }
});
