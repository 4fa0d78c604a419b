/** The CLI's cluster preconditions: the Node client-node needs, and kubectl's durations. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { assertClusterNode, parseDuration } from '../../../src/cli/cluster.ts';
import { CliError } from '../../../src/cli/errors.ts';

test('a cluster needs Node 22.19 or newer', () => {
  for (const version of ['v22.19.0', 'v22.20.1', 'v23.0.0', 'v24.21.0']) {
    assert.doesNotThrow(() => assertClusterNode(version), version);
  }
  for (const version of ['v20.20.2', 'v22.18.9', 'v18.0.0']) {
    assert.throws(
      () => assertClusterNode(version),
      (error: unknown) =>
        error instanceof CliError &&
        error.exitCode === 2 &&
        error.message ===
          `talking to a cluster needs Node 22.19.0 or newer (client-node 2); this is Node ${version.slice(1)}`,
      version,
    );
  }
});

test("kubectl's durations", () => {
  assert.equal(parseDuration('30s'), 30_000);
  assert.equal(parseDuration('1m'), 60_000);
  assert.equal(parseDuration('500ms'), 500);
  assert.equal(parseDuration('2'), 2000);
  assert.equal(parseDuration('1.5s'), 1500);
  assert.equal(parseDuration('soon'), undefined);
  assert.equal(parseDuration('-1s'), undefined);
});
