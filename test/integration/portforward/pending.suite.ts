/**
 * A forward started before its Pod runs: a scenario whose Pods take 1.5 s to start, so that a new
 * Pod is Pending, without an IP, long enough to be seen. The forward says so in plain words, holds
 * the connections made meanwhile, and forwards them once the Pod runs.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { CoreV1Api } from '@kubernetes/client-node';
import { parseScenario } from '../../../sandbox/scenario.ts';
import { useSandbox } from '../../support/sandbox.ts';
import { httpGet, localPort, openForwarding, waitForState } from './helpers.ts';
import type { Forwarding } from './helpers.ts';

const SCENARIO = `
apiVersion: sandbox.kubereach.dev/v1
kind: Scenario
metadata: { name: portforward-pending }
timing: { podStartMs: 1500 }
---
apiVersion: v1
kind: Namespace
metadata: { name: slow }
`;

describe('port-forward to a Pod that is not running yet', () => {
  const fixture = useSandbox({ scenario: parseScenario(SCENARIO, 'portforward-pending') });
  let fwd: Forwarding;

  before(() => {
    fwd = openForwarding(fixture.sandbox.kubeconfigPath, { holdMs: 8_000 });
  });
  after(async () => {
    await fwd?.dispose();
  });

  test('Pending with no IP: a plain reason, connections held, forwarded once it runs', async () => {
    await fixture.kubeconfig.makeApiClient(CoreV1Api).createNamespacedPod({
      namespace: 'slow',
      body: {
        metadata: { name: 'late', labels: { app: 'late' } },
        spec: {
          containers: [
            {
              name: 'app',
              image: 'registry.example/echo:1.0',
              ports: [{ name: 'http', containerPort: 8080 }],
            },
          ],
        },
      },
    });
    const info = await fwd.manager.start({
      target: { kind: 'Pod', namespace: 'slow', name: 'late' },
      ports: [{ remote: 'http' }],
    });
    try {
      assert.equal(info.state, 'starting');
      assert.match(info.reason ?? '', /^Pod slow\/late is Pending and has no IP address yet\.$/);
      assert.equal(info.ports[0]!.local !== undefined, true, 'the local port is bound already');
      const answer = await httpGet(localPort(info), '/early', { timeoutMs: 10_000 });
      assert.equal(answer.echo.pod, 'late');
      assert.equal(answer.echo.path, '/early');
      await waitForState(fwd.manager, info.id, (i) => i.state === 'active', 'active');
    } finally {
      await fwd.manager.stop(info.id);
    }
  });
});
