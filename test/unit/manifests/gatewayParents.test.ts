/**
 * A parentRef's Gateway judged by the workspace (KR6101) and the live cluster (KR6204) together,
 * and a cross-namespace backendRef's ReferenceGrant likewise (KR6105, KR6210): one truthful finding. None when the Gateway runs in the cluster though the workspace does not
 * write it; one naming both sources when neither has it; the workspace's wording alone when no
 * cluster is read; and, when the cluster's Gateways could not be read, that, not a guess.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { Gateway, ReferenceGrant } from '../../../src/analysis/gateway/types.ts';
import type { ClusterModel } from '../../../src/analysis/manifests/cluster.ts';
import type { LiveGatewayApi, LiveList } from '../../../src/analysis/manifests/gatewayLive.ts';
import type { WorkspaceModel, WrittenObject } from '../../../src/analysis/manifests/workspace.ts';
import { analyze, applyFix, clusterOf, codes, spans } from './helpers.ts';

function route(parent: string, backendRefs = ' []'): string {
  return `apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata:
  name: shop
  namespace: shop
spec:
  parentRefs:
    - name: ${parent}
      namespace: infra
  rules:
    - backendRefs:${backendRefs}
`;
}

function workspace(): WorkspaceModel {
  // Written, not live: a listener for every namespace on port 80.
  const value = {
    apiVersion: 'gateway.networking.k8s.io/v1',
    kind: 'Gateway',
    metadata: { name: 'internal', namespace: 'infra' },
    spec: { gatewayClassName: 'example', listeners: [{ name: 'http', protocol: 'HTTP', port: 80 }] },
  };
  const gateway: WrittenObject = { kind: 'Gateway', name: 'internal', namespace: 'infra', value };
  return {
    complete: true,
    workloads: () => [],
    services: () => [],
    unreadableServices: () => [],
    gatewayApiObjects: () => [gateway],
  };
}

const LIVE_PUBLIC: Gateway = {
  apiVersion: 'gateway.networking.k8s.io/v1',
  kind: 'Gateway',
  metadata: { name: 'public', namespace: 'infra' },
  spec: {
    gatewayClassName: 'sandbox',
    listeners: [{ name: 'http', protocol: 'HTTP', port: 80, allowedRoutes: { namespaces: { from: 'All' } } }],
  },
} as Gateway;

function cluster(api: LiveGatewayApi): ClusterModel {
  return { ...clusterOf([]), gatewayApi: () => api };
}

function ready(
  gateways: LiveList<Gateway>,
  referenceGrants: LiveList<ReferenceGrant> = { unreadable: 'no access to ReferenceGrants (403)' },
): LiveGatewayApi {
  return {
    state: 'ready',
    gateways: (namespace) =>
      'unreadable' in gateways ? gateways : gateways.filter((g) => g.metadata.namespace === namespace),
    gatewayClasses: { unreadable: 'no access to GatewayClasses (403)' },
    referenceGrants,
    namespaces: undefined,
  };
}

describe('a parentRef Gateway, workspace and cluster together', () => {
  test('a Gateway the workspace does not write but the cluster runs: no finding', () => {
    const text = route('public');
    assert.deepEqual(
      codes(analyze(text, { workspace: workspace(), cluster: cluster(ready([LIVE_PUBLIC])) })),
      [],
    );
  });

  test('a Gateway in neither: one finding naming both sources, with both suggestions as one fix', () => {
    const text = route('publik');
    const diagnostics = analyze(text, { workspace: workspace(), cluster: cluster(ready([LIVE_PUBLIC])) });
    assert.deepEqual(codes(diagnostics), ['KR6101']);
    assert.deepEqual(spans(text, diagnostics), ['publik']);
    assert.match(
      diagnostics[0]!.message,
      /^No Gateway infra\/publik: none is written in the workspace \(Gateways there: infra\/internal\), and none is in context test-context \(Gateways in namespace infra: public; did you mean "public"\?\)\. No Gateway serves this route through this parentRef\.$/,
    );
    assert.deepEqual(
      diagnostics[0]!.fixes.map((fix) => fix.title),
      ['Change to public'],
    );
    assert.match(applyFix(text, diagnostics[0]!), /- name: public\n/);
  });

  test('no cluster read: the workspace wording alone', () => {
    const diagnostics = analyze(route('publik'), { workspace: workspace() });
    assert.deepEqual(codes(diagnostics), ['KR6101']);
    assert.match(
      diagnostics[0]!.message,
      /^No Gateway infra\/publik is written in the workspace \(Gateways there: infra\/internal\)\. Unless it comes from elsewhere/,
    );
    const modelWithoutGatewayApi = clusterOf([]);
    assert.deepEqual(
      analyze(route('publik'), { workspace: workspace(), cluster: modelWithoutGatewayApi }).map(
        (d) => d.message,
      ),
      diagnostics.map((d) => d.message),
    );
  });

  test("the cluster's Gateways unreadable: said, not guessed", () => {
    for (const [api, words] of [
      [
        ready({ unreadable: 'no access to Gateways (403): forbidden' }),
        /no access to Gateways \(403\): forbidden/,
      ],
      [ready({ unreadable: 'Gateways not loaded yet' }), /Gateways not loaded yet/],
      [
        { state: 'unknown', why: 'Gateway API objects not loaded yet' } as const,
        /Gateway API objects not loaded yet/,
      ],
    ] as const) {
      const diagnostics = analyze(route('public'), { workspace: workspace(), cluster: cluster(api) });
      assert.deepEqual(codes(diagnostics), ['KR6101']);
      assert.match(
        diagnostics[0]!.message,
        /^No Gateway infra\/public is written in the workspace \(Gateways there: infra\/internal\); whether context test-context has it is not known \(/,
      );
      assert.match(diagnostics[0]!.message, words);
    }
  });

  test('a cluster that does not serve the Gateway API: one finding saying so', () => {
    const diagnostics = analyze(route('public'), {
      workspace: workspace(),
      cluster: cluster({ state: 'notServed' }),
    });
    assert.deepEqual(codes(diagnostics), ['KR6101']);
    assert.match(
      diagnostics[0]!.message,
      /^No Gateway infra\/public: none is written in the workspace \(Gateways there: infra\/internal\), and context test-context does not serve the Gateway API\. No Gateway serves this route/,
    );
  });

  test('the workspace writes no Gateway: the live finding alone (KR6204)', () => {
    const empty = { ...workspace(), gatewayApiObjects: () => [] };
    const diagnostics = analyze(route('publik'), {
      workspace: empty,
      cluster: cluster(ready([LIVE_PUBLIC])),
    });
    assert.deepEqual(codes(diagnostics), ['KR6204']);
    assert.match(diagnostics[0]!.message, /^No Gateway infra\/publik in context test-context/);
  });
});

describe('a cross-namespace backendRef, workspace and cluster together', () => {
  // The workspace writes a Service in analytics (so KR6105 speaks there) and no ReferenceGrant.
  const text = route('public', '\n        - name: stats\n          namespace: analytics\n          port: 80');
  const stats = {
    kind: 'Service',
    name: 'stats',
    namespace: 'analytics',
    value: { apiVersion: 'v1', kind: 'Service', metadata: { name: 'stats', namespace: 'analytics' } },
  };
  const written: WorkspaceModel = { ...workspace(), services: () => [stats] };
  const grant: ReferenceGrant = {
    metadata: { name: 'from-shop', namespace: 'analytics' },
    spec: {
      from: [{ group: 'gateway.networking.k8s.io', kind: 'HTTPRoute', namespace: 'shop' }],
      to: [{ group: '', kind: 'Service' }],
    },
  };

  test('a ReferenceGrant the cluster holds but the workspace does not write: no finding', () => {
    assert.deepEqual(
      codes(analyze(text, { workspace: written, cluster: cluster(ready([LIVE_PUBLIC], [grant])) })),
      [],
    );
  });

  test('in neither: one finding naming both sources', () => {
    const diagnostics = analyze(text, { workspace: written, cluster: cluster(ready([LIVE_PUBLIC], [])) });
    assert.deepEqual(codes(diagnostics), ['KR6105']);
    assert.deepEqual(spans(text, diagnostics), ['analytics']);
    assert.equal(
      diagnostics[0]!.message,
      'No ReferenceGrant in analytics allows HTTPRoutes from shop to refer to Service stats: none is written in the workspace, and none is in context test-context. The reference is refused (ResolvedRefs False, RefNotPermitted) and its requests get 500.',
    );
  });

  test("the cluster's ReferenceGrants unreadable: said, not guessed; no cluster: the workspace wording", () => {
    const [refused] = analyze(text, { workspace: written, cluster: cluster(ready([LIVE_PUBLIC])) });
    assert.equal(refused?.code, 'KR6105');
    assert.match(
      refused!.message,
      /in the workspace; whether context test-context has one is not known \(no access to ReferenceGrants \(403\)\)\. If it does not, the reference is refused/,
    );
    const offline = analyze(text, { workspace: written }).find((d) => d.code === 'KR6105');
    assert.match(
      offline!.message,
      /no ReferenceGrant in analytics allows HTTPRoutes from shop to refer to Services in the workspace: the reference is refused/,
    );
  });
});
