/** Cluster-aware checks of route backends (KR62xx), one case per code, and what cannot be read. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { Service } from '../../../src/analysis/k8s.ts';
import type { ClusterModel, EndpointSlice } from '../../../src/analysis/manifests/cluster.ts';
import { analyze, applyFix, clusterOf, codes, livePod, spans } from './helpers.ts';

function route(backend: string): string {
  return `apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata:
  name: shop
  namespace: shop
spec:
  parentRefs:
    - name: public
  rules:
    - backendRefs:
${backend}`;
}

const WEB_80 = '        - name: web\n          port: 80\n';

const LIVE: Service[] = [
  {
    metadata: { name: 'web', namespace: 'shop' },
    spec: { selector: { app: 'web' }, ports: [{ name: 'http', port: 80, targetPort: 8080 }] },
  },
];

function slice(ready: boolean[]): EndpointSlice {
  return {
    metadata: { name: 'web-abc', labels: { 'kubernetes.io/service-name': 'web' } },
    ports: [{ name: 'http', port: 8080, protocol: 'TCP' }],
    endpoints: ready.map((isReady, index) => ({
      addresses: [`10.0.0.${index + 1}`],
      conditions: { ready: isReady },
      targetRef: { kind: 'Pod', name: `web-${index}` },
    })),
  };
}

function cluster(
  services: Service[] | { unreadable: string },
  slices: Record<string, EndpointSlice[]> = {},
): ClusterModel {
  const base = clusterOf([livePod('web-0', { app: 'web' })], { slices });
  return {
    ...base,
    namespace: (name) => {
      const live = base.namespace(name);
      return live === undefined ? undefined : { ...live, services };
    },
  };
}

describe('KR62xx: route backends against the live cluster', () => {
  test('a ready backend: nothing', () => {
    assert.deepEqual(
      codes(analyze(route(WEB_80), { cluster: cluster(LIVE, { web: [slice([false, true])] }) })),
      [],
    );
  });

  test('KR6201: no such Service, with the fix', () => {
    const text = route('        - name: webb\n          port: 80\n');
    const diagnostics = analyze(text, { cluster: cluster(LIVE) });
    assert.deepEqual(codes(diagnostics), ['KR6201']);
    assert.deepEqual(spans(text, diagnostics), ['webb']);
    assert.match(diagnostics[0]!.message, /namespace shop of context test-context \(did you mean "web"\?\)/);
    assert.equal(applyFix(text, diagnostics[0]!), route(WEB_80));
  });

  test('KR6202: the targetPort instead of the Service port, with the fix', () => {
    const text = route('        - name: web\n          port: 8080\n');
    const diagnostics = analyze(text, { cluster: cluster(LIVE) });
    assert.deepEqual(codes(diagnostics), ['KR6202']);
    assert.deepEqual(spans(text, diagnostics), ['8080']);
    assert.match(diagnostics[0]!.message, /8080 is the targetPort of Service port 80 \(http\)/);
    assert.equal(applyFix(text, diagnostics[0]!), route(WEB_80));
  });

  test('KR6203: no ready endpoint', () => {
    const diagnostics = analyze(route(WEB_80), { cluster: cluster(LIVE, { web: [slice([false])] }) });
    assert.deepEqual(codes(diagnostics), ['KR6203']);
    assert.match(diagnostics[0]!.message, /1 endpoint for port 80 and none is ready/);
  });

  test('nothing from what cannot be read: Services forbidden, a namespace not synced', () => {
    assert.deepEqual(codes(analyze(route(WEB_80), { cluster: cluster({ unreadable: 'forbidden' }) })), []);
    const other = route('        - name: web\n          namespace: data\n          port: 81\n');
    assert.deepEqual(codes(analyze(other, { cluster: cluster(LIVE) })), []);
  });
});

test('KR6106 and KR6201 about the same backend make one diagnostic naming both sources', () => {
  const text = route('        - name: webb\n          port: 80\n');
  const written = {
    kind: 'Service',
    name: 'web',
    namespace: 'shop',
    value: {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: 'web', namespace: 'shop' },
      spec: { ports: [{ port: 80 }] },
    },
  };
  const diagnostics = analyze(text, {
    cluster: cluster(LIVE),
    workspace: {
      complete: true,
      workloads: () => [],
      services: () => [written],
      unreadableServices: () => [],
      gatewayApiObjects: () => [],
    },
  });
  assert.deepEqual(codes(diagnostics), ['KR6106']);
  assert.match(
    diagnostics[0]!.message,
    /^No Service "webb": none is written in namespace shop in the workspace, and none in namespace shop of context test-context\. Its share/,
  );
  assert.equal(diagnostics[0]!.fixes.length, 1, 'the same fix once');
});
