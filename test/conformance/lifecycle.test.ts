/** The sandbox as a library: started and stopped in-process, it leaves nothing behind. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { startSandbox } from '../../sandbox/index.ts';
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
