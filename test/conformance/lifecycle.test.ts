/** The sandbox as a library: started and stopped in-process, it leaves nothing behind. */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { test } from 'node:test';
import { startSandbox } from '../../sandbox/index.ts';
import { reserveAddressBlock } from '../../sandbox/dataplane/blockReservation.ts';
import { waitFor } from '../support/sandbox.ts';

test('a sandbox started and stopped in-process leaves no sockets or timers behind', async () => {
  const count = () => {
    const counts = new Map<string, number>();
    for (const resource of process.getActiveResourcesInfo()) {
      counts.set(resource, (counts.get(resource) ?? 0) + 1);
    }
    return counts;
  };
  const before = count();
  const sandbox = await startSandbox({ scenario: 'minimal' });
  const response = await fetch(`${sandbox.admin!.url}/status`, {
    headers: { Authorization: `Bearer ${sandbox.admin!.token}` },
  });
  assert.equal(response.status, 200);
  assert.ok((count().get('TCPServerWrap') ?? 0) > (before.get('TCPServerWrap') ?? 0), 'the sandbox listened');
  await sandbox.stop();
  // Nothing of any kind may outlive stop(): no listener, socket, timer or immediate.
  await waitFor(
    'handles released',
    () => [...count()].every(([resource, n]) => n <= (before.get(resource) ?? 0)) || undefined,
    5_000,
  );
});

test('two sandboxes never share an address block, in one process or two', async () => {
  const first = await startSandbox({ scenario: 'minimal' });
  try {
    const block = first.cluster.addresses.block;
    await assert.rejects(
      startSandbox({ scenario: 'minimal', addressBlock: block }),
      new RegExp(`address block ${block} .* is in use by another sandbox`),
    );
    // Another process asking for the same block is refused as well: the kernel arbitrates.
    const child = spawnSync(
      process.execPath,
      [
        '--input-type=module',
        '-e',
        `import { reserveAddressBlock } from ${JSON.stringify(new URL('../../sandbox/dataplane/blockReservation.ts', import.meta.url).href)};
         reserveAddressBlock(${block}).then(() => process.exit(0), (error) => { console.error(error.message); process.exit(3); });`,
      ],
      { encoding: 'utf8', timeout: 20_000 },
    );
    assert.equal(child.status, 3, child.stderr);
    assert.match(child.stderr, /is in use by another sandbox/);
    // Sandboxes left to choose take other blocks.
    const second = await startSandbox({ scenario: 'minimal' });
    try {
      assert.notEqual(second.cluster.addresses.block, block);
    } finally {
      await second.stop();
    }
  } finally {
    await first.stop();
  }
  // Stopped, its block is free again.
  const again = await startSandbox({ scenario: 'minimal', addressBlock: first.cluster.addresses.block });
  await again.stop();
});

test('a wide address block holds both of its blocks, and gives both back', async () => {
  const wide = await reserveAddressBlock(undefined, { wide: true });
  try {
    assert.equal(wide.wide, true);
    assert.equal(wide.block % 2, 0, 'even, so that its /15 is aligned');
    await assert.rejects(reserveAddressBlock(wide.block), /is in use by another sandbox/);
    await assert.rejects(reserveAddressBlock(wide.block + 3), /is in use by another sandbox/);
  } finally {
    await wide.release();
  }
  const first = await reserveAddressBlock(wide.block);
  const second = await reserveAddressBlock(wide.block + 3);
  await first.release();
  await second.release();
});
