/**
 * "Diagnose External Access" through a Gateway from a machine that cannot reach the Gateway's
 * address (issue 15, as the Ingress path does in externalForward.test.ts): the end-to-end request
 * goes through KubeReach's own port-forward engine, in-process, to the Gateway's Pod (the demo's
 * gateway controller, one data plane serving every listener port on its own Pod's ports) with the
 * URL's Host header. The address is made unreachable from "this machine" by the diagnoser's
 * outside-HTTP dependency answering as a firewall would (no answer); the forward runs over real
 * sockets against the sandbox's API server and kubelet, so whatever status the forwarded probe
 * reports came from the Gateway's routing.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { ExternalHopId } from '../../../src/analysis/external/index.ts';
import { ClusterCache } from '../../../src/cluster/cache.ts';
import { ExternalDiagnoser } from '../../../src/diagnose/externalDiagnoser.ts';
import type { ExternalReport } from '../../../src/diagnose/externalDiagnoser.ts';
import { forwardThroughPod } from '../../../src/diagnose/externalForward.ts';
import type { OutsideResult } from '../../../src/diagnose/externalOutside.ts';
import { readGatewayApi } from '../../../src/diagnose/gatewayRead.ts';
import { demoGatewayState } from '../../support/demoGateway.ts';
import { Prober } from '../../../src/probe/prober.ts';
import { useSandbox, waitFor } from '../../support/sandbox.ts';

function hop(report: ExternalReport, id: ExternalHopId) {
  const found = report.hops.find((candidate) => candidate.id === id);
  assert.ok(found, `hop ${id}`);
  return found;
}

const forwarded = (report: ExternalReport) => report.probes.find((probe) => probe.role === 'forwarded');

describe("Diagnose External Access through a port-forward to the Gateway's Pod (demo, address unreachable here)", () => {
  const fixture = useSandbox({ scenario: 'demo' });
  let cache: ClusterCache;
  let diagnoser: ExternalDiagnoser;
  const outsideAsked: string[] = [];

  before(async () => {
    cache = new ClusterCache(fixture.kubeconfig, { contextName: fixture.sandbox.context });
    await waitFor('namespaces synced', () => cache.isSynced());
    diagnoser = new ExternalDiagnoser({
      cache,
      prober: new Prober({ kubeconfig: fixture.kubeconfig, timeoutMs: 1000 }),
      forward: forwardThroughPod({ cache, kubeConfig: fixture.kubeconfig }),
      // This machine cannot reach the Gateway's address (a firewall drops it): no answer.
      http: async (host, port): Promise<OutsideResult> => {
        outsideAsked.push(`${host}:${port}`);
        return { reached: false, message: `No answer from ${host}:${port} within 1000 ms.` };
      },
      timeoutMs: 1000,
      watchNamespaces: (names) => cache.setWatchedNamespaces(names),
      gatewayApi: (cached) => readGatewayApi(fixture.kubeconfig, cached),
    });
    await diagnoser.diagnose({ kind: 'url', url: 'http://reports.example.com/' }, { probe: false });
    await waitFor(
      'the Gateway programmed, the controller Pod and the backends ready',
      async () => {
        const state = await demoGatewayState(fixture.kubeconfig, cache);
        return (
          state.addressed &&
          state.controllerReady &&
          state.ready('store', 'catalog') &&
          state.ready('analytics', 'reporting')
        );
      },
      15_000,
    );
  });

  after(() => {
    cache?.dispose();
  });

  test("http://store.example.com/api: the Gateway's Pod answers 200 through the forward while the address does not answer here", async () => {
    const report = await diagnoser.diagnose({
      kind: 'url',
      url: 'http://store.example.com/api/items',
      via: { kind: 'gateway', namespace: 'infra', name: 'public' },
    });
    assert.equal(report.conclusion.failedHop, undefined, report.conclusion.sentence);
    const probe = forwarded(report);
    assert.equal(probe?.httpStatus, 200, probe?.message);
    assert.equal(probe?.staticAnswer, 'answers');
    assert.match(
      probe!.label,
      /^http:\/\/store\.example\.com\/api\/items through a port-forward to gateway-sandbox\/gateway-sandbox-controller-[a-z0-9-]+:80$/,
    );
    assert.ok(outsideAsked.length > 0, 'the address was asked too, and did not answer');
    const probeHop = hop(report, 'probe');
    assert.equal(probeHop.status, 'passed', probeHop.summary);
    assert.match(probeHop.summary, /through a port-forward to the Gateway's Pod, the request answered 200/);
    assert.match(probeHop.summary, /the Gateway address did not answer from this machine/);
    assert.match(
      probeHop.summary,
      /The Gateway address did not answer from this machine while the Gateway did through the port-forward/,
    );
  });

  test('http://reports.example.com/: the forwarded request answers 500, as the backendRefs hop (RefNotPermitted) says', async () => {
    const report = await diagnoser.diagnose({ kind: 'url', url: 'http://reports.example.com/' });
    assert.equal(report.conclusion.failedHop, 'backendRefs');
    assert.equal(forwarded(report)?.httpStatus, 500, forwarded(report)?.message);
    assert.equal(forwarded(report)?.staticAnswer, 'fails at Route backendRefs');
    assert.equal(hop(report, 'probe').status, 'failed');
    assert.match(hop(report, 'probe').summary, /agrees with the static answer \(Route backendRefs\)/);
  });

  test("the store host on the internal listener's port: forwarded to the Pod's port 8080, answered 404 as the listener hop says", async () => {
    const report = await diagnoser.diagnose({ kind: 'url', url: 'http://store.example.com:8080/api' });
    assert.equal(report.conclusion.failedHop, 'listener');
    const probe = forwarded(report);
    assert.match(probe?.label ?? '', /:8080$/);
    assert.equal(probe?.httpStatus, 404, probe?.message);
    assert.equal(probe?.staticAnswer, 'fails at Gateway listener');
  });
});
