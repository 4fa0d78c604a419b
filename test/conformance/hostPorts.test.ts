/**
 * The data plane's listeners over real sockets when the sandbox may not listen on privileged ports
 * (the limit stated, as the sandbox finds it as an ordinary user; test/integration/unprivileged.test.ts
 * runs the real one): a privileged port is served at P+8000, or the next free port when the
 * address declares that one or another process holds it; a port that cannot be listened on is a
 * kept failure, never silence; closing forgets the mapping at once.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { connect, createServer } from 'node:net';
import type { Server } from 'node:net';
import { type } from '../../sandbox/cluster.ts';
import { reserveAddressBlock } from '../../sandbox/dataplane/blockReservation.ts';
import type { AddressBlockReservation } from '../../sandbox/dataplane/blockReservation.ts';
import { HostPorts, hostPortSummary } from '../../sandbox/dataplane/hostPorts.ts';
import type { PortOwner } from '../../sandbox/dataplane/hostPorts.ts';

const LIMIT = { lowest: 1024, reason: 'its process may not listen below port 1024 (stated by the test)' };
const OWNER: PortOwner = { type: type('services'), namespace: 'shop', name: 'web' };

let reservation: AddressBlockReservation;
let address: (n: number) => string;
const servers: Server[] = [];

before(async () => {
  reservation = await reserveAddressBlock();
  // Addresses of the block no pool hands out, so nothing else of any sandbox listens there.
  address = (n) => `127.${reservation.block + 2}.255.${n}`;
});

after(async () => {
  servers.forEach((server) => server.close());
  await reservation.release();
});

function echoServer(): Server {
  const server = createServer((socket) => socket.end('hello'));
  servers.push(server);
  return server;
}

function read(host: string, port: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host, port });
    let data = '';
    socket.on('data', (chunk) => (data += chunk.toString()));
    socket.once('end', () => resolve(data));
    socket.once('error', reject);
  });
}

test('a privileged port is served at P+8000, or past a port the address declares itself', async () => {
  const hostPorts = new HostPorts(LIMIT);
  const changed: string[] = [];
  hostPorts.onChange((owner) => changed.push(owner.name));
  const [web, alt, real] = [echoServer(), echoServer(), echoServer()];
  hostPorts.listen(web, address(1), 80, OWNER, [80, 443]);
  hostPorts.listen(alt, address(2), 80, OWNER, [80, 8080]);
  hostPorts.listen(real, address(2), 8080, OWNER, [80, 8080]);
  await hostPorts.idle();
  assert.equal(hostPorts.hostPort(address(1), 80), 8080);
  assert.equal(hostPorts.hostPort(address(2), 80), 8081);
  assert.equal(hostPorts.hostPort(address(2), 8080), 8080, 'an unprivileged port is not mapped');
  assert.equal(await read(address(1), 8080), 'hello');
  assert.equal(await read(address(2), 8081), 'hello');
  assert.deepEqual(
    hostPorts.mappingsOf(OWNER),
    new Map([
      [`${address(1)}:80`, 8080],
      [`${address(2)}:80`, 8081],
    ]),
  );
  assert.deepEqual(changed, ['web', 'web']);
  assert.deepEqual(hostPorts.failures(), []);

  hostPorts.close(web);
  assert.equal(hostPorts.hostPort(address(1), 80), 80, 'closing forgets the mapping at once');
  assert.equal(hostPorts.mappings().length, 1);
  assert.deepEqual(changed, ['web', 'web', 'web']);
  hostPorts.close(alt);
  hostPorts.close(real);
});

test('a mapped port another process holds moves to the next; an unmapped one that is taken is a failure', async () => {
  const squatter = echoServer();
  await new Promise<void>((resolve) => squatter.listen(8080, address(3), resolve));
  const otherSquatter = echoServer();
  await new Promise<void>((resolve) => otherSquatter.listen(9000, address(3), resolve));
  const hostPorts = new HostPorts(LIMIT);
  const reported: string[] = [];
  hostPorts.onFailure((failure) => reported.push(`${failure.port} ${failure.code}`));
  const [mapped, taken] = [echoServer(), echoServer()];
  hostPorts.listen(mapped, address(3), 80, OWNER, [80, 9000]);
  hostPorts.listen(taken, address(3), 9000, OWNER, [80, 9000]);
  await hostPorts.idle();
  assert.equal(hostPorts.hostPort(address(3), 80), 8081);
  assert.equal(await read(address(3), 8081), 'hello');
  assert.deepEqual(reported, ['9000 EADDRINUSE']);
  assert.deepEqual(
    hostPorts.failures().map((f) => [f.address, f.port, f.protocol, f.code, f.owner.name]),
    [[address(3), 9000, 'TCP', 'EADDRINUSE', 'web']],
  );
  const summary = hostPortSummary(LIMIT, hostPorts.mappings(), hostPorts.failures(), () => false);
  assert.deepEqual(summary.errors, [
    `error: not served: ${address(3)}:9000/TCP of services/shop/web: listen EADDRINUSE: address already in use ${address(3)}:9000`,
  ]);
  assert.match(
    summary.lines[0]!,
    /a port P below 1024 is served at P\+8000 on the same address.*because its process may not listen below port 1024/,
  );
  assert.match(summary.lines.at(-1)!, /sysctl -w net\.ipv4\.ip_unprivileged_port_start=0 \(lets every user/);
  hostPorts.close(taken);
  assert.deepEqual(hostPorts.failures(), [], 'closing forgets the failure');
  hostPorts.close(mapped);
});

test('without a limit nothing is mapped and the summary says nothing of ports', () => {
  const hostPorts = new HostPorts({ lowest: 0, reason: undefined });
  assert.equal(hostPorts.hostPort(address(4), 80), 80);
  assert.deepEqual(
    hostPortSummary(hostPorts.limit, [], [], () => true),
    { lines: [], errors: [] },
  );
});
