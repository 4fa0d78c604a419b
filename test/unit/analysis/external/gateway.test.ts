/** Diagnose External Access through a Gateway: each hop and its failures (issue 15). */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  diagnoseExternal,
  externalRequestFromInput,
  requestText,
} from '../../../../src/analysis/external/index.ts';
import type { ExternalDiagnosis, ExternalHopId } from '../../../../src/analysis/external/index.ts';
import type { HTTPRoute } from '../../../../src/analysis/gateway/index.ts';
import type { NetworkPolicy } from '../../../../src/analysis/k8s.ts';
import { catalogRoute, gatewayWorld, publicGateway, reportsRoute } from './gatewayWorld.ts';

const via = { kind: 'gateway' as const, namespace: 'infra', name: 'public' };

function hop(diagnosis: ExternalDiagnosis, id: ExternalHopId) {
  const found = diagnosis.hops.find((h) => h.id === id);
  assert.ok(found, `hop ${id}`);
  return found;
}

function statuses(diagnosis: ExternalDiagnosis): string {
  return diagnosis.hops.map((h) => `${h.id}:${h.status}`).join(' ');
}

describe('gateway hops', () => {
  test('store.example.com/api through the Gateway: every hop passes, the weighted backends named', () => {
    const d = diagnoseExternal(gatewayWorld({ kind: 'url', url: 'http://store.example.com/api/items', via }));
    assert.equal(
      statuses(d),
      'listener:passed attachment:passed rule:passed backendRefs:passed address:passed service:passed selector:passed endpoints:passed port:passed policy:passed probe:skipped',
    );
    assert.match(hop(d, 'listener').summary, /Listener http .*takes host store\.example\.com/);
    assert.match(hop(d, 'rule').summary, /HTTPRoute store\/catalog rule 1 \(PathPrefix \/api/);
    assert.ok(
      hop(d, 'rule').evidence.some((e) => /^Lost: HTTPRoute store\/catalog rule 3/.test(e)),
      hop(d, 'rule').evidence.join('\n'),
    );
    const refs = hop(d, 'backendRefs').evidence.join('\n');
    assert.match(refs, /weight 90, 90% /);
    assert.match(refs, /weight 10, 10% /);
    assert.deepEqual(d.service, { namespace: 'store', name: 'catalog', port: 80 });
    assert.deepEqual(d.gateway, {
      namespace: 'infra',
      name: 'public',
      listener: 'http',
      route: { namespace: 'store', name: 'catalog', ruleIndex: 0 },
    });
    assert.deepEqual(d.plan.gatewayHttp, { address: '127.44.0.1', port: 80 });
    assert.deepEqual(d.plan.controllerPods, [
      { namespace: 'gateway-sandbox', name: 'gateway-sandbox-controller-1' },
    ]);
    assert.equal(d.conclusion.failedHop, undefined);
  });

  test('/metrics: the cross-namespace backend is allowed by its ReferenceGrant', () => {
    const d = diagnoseExternal(gatewayWorld({ kind: 'url', url: 'http://store.example.com/metrics', via }));
    assert.equal(hop(d, 'backendRefs').status, 'passed');
    assert.match(
      hop(d, 'backendRefs').evidence.join('\n'),
      /allowed by ReferenceGrant analytics\/store-routes-to-metrics/,
    );
    assert.deepEqual(d.service, { namespace: 'analytics', name: 'metrics', port: 80 });
  });

  test('reports.example.com: fails at backendRefs with RefNotPermitted (500), the fix is a ReferenceGrant', () => {
    const d = diagnoseExternal(gatewayWorld({ kind: 'url', url: 'http://reports.example.com/', via }));
    assert.equal(d.conclusion.failedHop, 'backendRefs');
    const refs = hop(d, 'backendRefs');
    assert.match(refs.summary, /answers 500/);
    assert.match(refs.evidence.join('\n'), /RefNotPermitted/);
    assert.match(refs.fix ?? '', /ReferenceGrant in the backend's namespace/);
    assert.deepEqual(d.conclusion.manifest, { kind: 'HTTPRoute', namespace: 'store', name: 'reports' });
    assert.equal(hop(d, 'service').status, 'skipped');
  });

  test('a URL on the internal listener port for the store host fails at the listener, and the attachment says NoMatchingListenerHostname', () => {
    // No `via`: an explicit port a Gateway listens on sends the URL to the Gateway.
    const d = diagnoseExternal(gatewayWorld({ kind: 'url', url: 'http://store.example.com:8080/api' }));
    assert.equal(d.conclusion.failedHop, 'listener');
    assert.deepEqual(d.conclusion.manifest, { kind: 'Gateway', namespace: 'infra', name: 'public' });
    assert.match(
      hop(d, 'listener').summary,
      /No listener of Gateway infra\/public on port 8080 takes host store\.example\.com/,
    );
    const attachment = hop(d, 'attachment');
    assert.equal(attachment.status, 'failed');
    assert.match(attachment.summary, /NoMatchingListenerHostname/);
  });

  test('a URL on a port no listener has: the connection is refused at the listener hop', () => {
    const d = diagnoseExternal(gatewayWorld({ kind: 'url', url: 'http://store.example.com:9999/', via }));
    assert.equal(d.conclusion.failedHop, 'listener');
    assert.match(hop(d, 'listener').summary, /no accepted listener on port 9999/);
  });

  test('a path no rule takes: fails at the rule hop with 404 and each candidate', () => {
    const route = {
      ...catalogRoute,
      spec: { ...catalogRoute.spec, rules: catalogRoute.spec!.rules!.slice(0, 2) },
    };
    const d = diagnoseExternal(
      gatewayWorld({ kind: 'url', url: 'http://store.example.com/cart', via }, { routes: [route] }),
    );
    assert.equal(d.conclusion.failedHop, 'rule');
    assert.match(hop(d, 'rule').summary, /answers 404/);
    assert.equal(hop(d, 'rule').evidence.length, 2);
  });

  test('weights of zero: every backend at weight 0 answers 500', () => {
    const route = {
      ...reportsRoute,
      metadata: { ...reportsRoute.metadata, name: 'zero' },
      spec: {
        ...reportsRoute.spec,
        hostnames: ['zero.example.com'],
        rules: [{ backendRefs: [{ name: 'catalog', namespace: 'store', port: 80, weight: 0 }] }],
      },
    };
    const d = diagnoseExternal(
      gatewayWorld({ kind: 'url', url: 'http://zero.example.com/', via }, { routes: [route] }),
    );
    assert.equal(d.conclusion.failedHop, 'backendRefs');
    assert.match(hop(d, 'backendRefs').evidence.join('\n'), /weight 0 \(gets no traffic\)/);
  });

  test('a route the controller says is accepted where KubeReach computes a refusal: both are shown', () => {
    const route: HTTPRoute = {
      ...catalogRoute,
      status: {
        parents: [
          {
            parentRef: { name: 'public', namespace: 'infra', sectionName: 'internal' },
            controllerName: 'sandbox.kubereach.dev/gateway-controller',
            conditions: [
              {
                type: 'Accepted',
                status: 'True',
                reason: 'Accepted',
                message: '',
                observedGeneration: 1,
                lastTransitionTime: '2026-01-01T00:00:00Z',
              },
            ],
          },
        ],
      },
    };
    const d = diagnoseExternal(
      gatewayWorld({ kind: 'url', url: 'http://store.example.com:8080/' }, { routes: [route] }),
    );
    const evidence = hop(d, 'attachment').evidence.join('\n');
    assert.match(
      evidence,
      /disagrees with KubeReach: Accepted: controller wrote True \(Accepted\), KubeReach computed False \(NoMatchingListenerHostname\)/,
    );
  });

  test('starting from an HTTPRoute: its rule stands for the request', () => {
    const d = diagnoseExternal(
      gatewayWorld({ kind: 'httpRoute', namespace: 'store', name: 'catalog', ruleIndex: 1 }),
    );
    assert.match(d.label, /HTTPRoute store\/catalog rule 2 \(http:\/\/store\.example\.com\/metrics\)/);
    assert.equal(hop(d, 'rule').status, 'passed');
    assert.deepEqual(d.service, { namespace: 'analytics', name: 'metrics', port: 80 });
  });

  test('a Gateway without an address fails at the address hop', () => {
    const d = diagnoseExternal(
      gatewayWorld({ kind: 'url', url: 'http://store.example.com/', via }, { gateway: publicGateway(null) }),
    );
    assert.equal(d.conclusion.failedHop, 'address');
    assert.equal(d.plan.gatewayHttp, undefined);
  });

  test('NetworkPolicy from the Gateway Pods: a default deny in store fails the policy hop', () => {
    const deny: NetworkPolicy = {
      metadata: { namespace: 'store', name: 'deny-all' },
      spec: { podSelector: {}, policyTypes: ['Ingress'] },
    };
    const d = diagnoseExternal(
      gatewayWorld({ kind: 'url', url: 'http://store.example.com/', via }, { policies: [deny] }),
    );
    assert.equal(d.conclusion.failedHop, 'policy');
  });

  test('the Gateway API not served: the hop says so, never a guess', () => {
    const d = diagnoseExternal(
      gatewayWorld(
        { kind: 'url', url: 'http://store.example.com/', via },
        { gatewayApi: { state: 'not-served' } },
      ),
    );
    assert.equal(d.conclusion.failedHop, 'listener');
    assert.match(hop(d, 'listener').summary, /does not serve the Gateway API/);
    const unreadable = diagnoseExternal(
      gatewayWorld(
        { kind: 'httpRoute', namespace: 'store', name: 'catalog' },
        { gatewayApi: { state: 'unreadable', message: '403 Forbidden' } },
      ),
    );
    assert.equal(hop(unreadable, 'listener').status, 'unknown');
  });

  test('a URL an Ingress serves on port 80 stays an Ingress diagnosis when no `via` is given', () => {
    const d = diagnoseExternal(gatewayWorld({ kind: 'url', url: 'http://shop.example.com/' }));
    assert.equal(d.hops[0]!.id, 'route');
    assert.equal(d.gateway, undefined);
  });

  test('a host only the Gateway serves goes to the Gateway without `via`', () => {
    const d = diagnoseExternal(gatewayWorld({ kind: 'url', url: 'http://reports.example.com/' }));
    assert.equal(d.hops[0]!.id, 'listener');
    assert.equal(d.conclusion.failedHop, 'backendRefs');
  });
});

describe('asking for a Gateway', () => {
  test('"URL via namespace/name" in the palette is a request through that Gateway', () => {
    assert.deepEqual(externalRequestFromInput('http://store.example.com/api via infra/public', []), {
      kind: 'url',
      url: 'http://store.example.com/api',
      via: { kind: 'gateway', namespace: 'infra', name: 'public' },
    });
    assert.deepEqual(externalRequestFromInput('http://store.example.com/api', []), {
      kind: 'url',
      url: 'http://store.example.com/api',
    });
    assert.equal(
      requestText({ kind: 'httpRoute', namespace: 'store', name: 'catalog', ruleIndex: 1 }),
      'HTTPRoute store/catalog rule 2',
    );
  });

  test('a URL an Ingress took names the Gateway that also takes its host, and how to ask for it', () => {
    const d = diagnoseExternal(gatewayWorld({ kind: 'url', url: 'http://shop.example.com/' }));
    assert.equal(d.hops[0]!.id, 'route');
    assert.ok(
      d.hops[0]!.evidence.includes(
        'Gateway infra/public also has a listener for shop.example.com on port 80: type "http://shop.example.com/ via infra/public" to diagnose the request through it.',
      ),
      d.hops[0]!.evidence.join('\n'),
    );
  });
});
