/**
 * A Service forward when the API server cannot dial the kubelet of one node (the sandbox's
 * `kubelet-unreachable` fault, a 500 "error dialing backend"): the `minimal` scenario on two nodes,
 * so the web Deployment's two Pods run one on each. The forward moves to the ready Pod on the node
 * that answers (issue 13, item 4); minimal.suite.ts has the one-node case, where there is none.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { loadScenario } from '../../../sandbox/scenario.ts';
import { resolveTarget } from '../../../src/portforward/target.ts';
import type { ForwardSpec } from '../../../src/portforward/engine.ts';
import { useSandbox, waitFor } from '../../support/sandbox.ts';
import { httpGet, localPort, openForwarding, waitForState } from './helpers.ts';
import type { Forwarding } from './helpers.ts';

describe('port-forward engine on two nodes, one kubelet unreachable', () => {
  const fixture = useSandbox({ scenario: { ...loadScenario('minimal'), nodes: 2 } });
  let fwd: Forwarding;
  const lines: string[] = [];

  before(async () => {
    fwd = openForwarding(fixture.sandbox.kubeconfigPath, {
      log: (line) => lines.push(line),
      backoff: { initialMs: 20, maxMs: 80 },
    });
    fwd.cache.setWatchedNamespaces(['web']);
    await waitFor('the two web Pods ready in the cache, one on each node', () => {
      const ready = fwd.cache
        .pods('web')
        .filter(
          (pod) =>
            pod.metadata?.labels?.app === 'web' &&
            pod.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True'),
        );
      return (
        fwd.cache.isSynced('web') &&
        ready.length === 2 &&
        new Set(ready.map((pod) => pod.spec?.nodeName)).size === 2
      );
    });
  });
  after(async () => {
    await fwd?.dispose();
  });

  test('a Service forward moves to the ready Pod on the node that answers, says why once, and serves', async () => {
    const spec: ForwardSpec = {
      target: { kind: 'Service', namespace: 'web', name: 'web' },
      ports: [{ remote: 80 }],
    };
    // The Pod the forward would choose, by kubectl's rule: its node is the one made unreachable.
    const first = resolveTarget(spec, fwd.cache);
    assert.ok(first.ok, JSON.stringify(first));
    const down = fwd.cache.pod('web', first.pod.name)!.spec!.nodeName!;
    const other = fwd.cache
      .pods('web')
      .find((pod) => pod.metadata?.labels?.app === 'web' && pod.spec?.nodeName !== down)!;
    const otherName = other.metadata!.name!;
    fixture.sandbox.faults.setKubeletReachable(down, false);
    let id: string | undefined;
    try {
      const info = await fwd.manager.start(spec);
      id = info.id;
      const answer = await httpGet(localPort(info), '/moved');
      assert.equal(answer.echo.pod, otherName, 'served by the Pod on the node that answers');
      const active = await waitForState(fwd.manager, info.id, (i) => i.state === 'active', 'active');
      assert.equal(active.pod?.name, otherName);
      assert.equal((await httpGet(localPort(info), '/again')).echo.pod, otherName, 'and stays there');

      const notices = fwd.notices();
      const kubelet = notices.filter((notice) => notice.includes('kubelet'));
      assert.equal(kubelet.length, 1, notices.join('\n'));
      assert.match(
        kubelet[0]!,
        new RegExp(`cannot reach the kubelet of node ${down}, where Pod web/${first.pod.name}`),
      );
      assert.ok(
        notices.some((notice) =>
          notice.includes(`now forwarding to Pod ${otherName} (was ${first.pod.name})`),
        ),
        notices.join('\n'),
      );
      assert.doesNotMatch(notices.join('\n'), /No ready Pod|Waiting for a Pod/);
    } finally {
      fixture.sandbox.faults.setKubeletReachable(down, true);
      if (id !== undefined) {
        await fwd.manager.stop(id);
      }
    }
  });
});
