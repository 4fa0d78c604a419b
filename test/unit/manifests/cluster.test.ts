/**
 * Cluster-aware checks (KR4xxx) against snapshots of live Pods, EndpointSlices and NetworkPolicies.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { NetworkPolicy } from '../../../src/analysis/k8s.ts';
import { admitsIngressOnPort, isPodReady, podState } from '../../../src/analysis/manifests/cluster.ts';
import type { ClusterModel } from '../../../src/analysis/manifests/cluster.ts';
import { analyze, applyFix, clusterOf, codes, livePod, service, spans } from './helpers.ts';

const backend = [
  livePod(
    'backend-1',
    { app: 'backend' },
    {
      ip: '10.0.0.1',
      ports: [
        { name: 'http', containerPort: 8080 },
        { name: 'grpc', containerPort: 9090 },
      ],
    },
  ),
  livePod(
    'backend-2',
    { app: 'backend' },
    {
      ip: '10.0.0.2',
      ports: [
        { name: 'http', containerPort: 8080 },
        { name: 'grpc', containerPort: 9090 },
      ],
    },
  ),
];

function inCluster(spec: string, cluster: ClusterModel, metadata?: string) {
  const text = service(spec, metadata);
  const diagnostics = analyze(text, { cluster });
  return { codes: codes(diagnostics), spans: spans(text, diagnostics), diagnostics, text };
}

describe('Pod readiness', () => {
  test('ready, not ready, terminating, pending', () => {
    assert.equal(isPodReady(livePod('a', {})), true);
    assert.equal(isPodReady(livePod('a', {}, { ready: false })), false);
    assert.equal(isPodReady(livePod('a', {}, { deleting: true })), false);
    assert.equal(podState(livePod('a', {}, { ready: false })), 'running, not ready');
    assert.equal(podState(livePod('a', {}, { ready: false, phase: 'Pending' })), 'pending');
    assert.equal(podState(livePod('a', {}, { deleting: true })), 'terminating');
  });
});

describe('KR4001 and KR4002: selector against live Pods', () => {
  test('matching ready Pods: nothing to say', () => {
    assert.deepEqual(
      inCluster(
        '  selector: { app: backend }\n  ports: [{ name: http, port: 80, targetPort: http }]\n',
        clusterOf(backend),
      ).codes,
      [],
    );
  });

  test('no Pod matches', () => {
    const result = inCluster(
      '  selector: { app: legacy-api }\n  ports: [{ port: 80, targetPort: 8080 }]\n',
      clusterOf(backend),
    );
    assert.deepEqual(result.codes, ['KR4001']);
    assert.deepEqual(result.spans, ['selector']);
    assert.match(result.diagnostics[0]!.message, /namespace shop of context test-context/);
  });

  test('terminal Pods do not count', () => {
    const pods = [livePod('job-1', { app: 'job' }, { phase: 'Succeeded' })];
    assert.deepEqual(
      inCluster('  selector: { app: job }\n  ports: [{ port: 80 }]\n', clusterOf(pods)).codes,
      ['KR4001'],
    );
  });

  test('matching Pods, none ready', () => {
    const pods = [livePod('checkout', { app: 'checkout' }, { ready: false })];
    const result = inCluster(
      '  selector: { app: checkout }\n  ports: [{ name: http, port: 80, targetPort: http }]\n',
      clusterOf(pods),
    );
    assert.deepEqual(result.codes, ['KR4002']);
    assert.match(result.diagnostics[0]!.message, /checkout \(running, not ready\)/);
  });

  test('one ready Pod is enough', () => {
    const pods = [livePod('a', { app: 'x' }, { ready: false }), livePod('b', { app: 'x' })];
    assert.deepEqual(
      inCluster('  selector: { app: x }\n  ports: [{ port: 80, targetPort: http }]\n', clusterOf(pods)).codes,
      [],
    );
  });

  test('the namespace: the manifest, else the context default', () => {
    const pods = [livePod('a', { app: 'x' }, { namespace: 'other' })];
    const cluster = clusterOf(pods, { synced: ['shop', 'other'], defaultNamespace: 'other' });
    assert.deepEqual(
      inCluster('  selector: { app: x }\n  ports: [{ port: 80, targetPort: http }]\n', cluster, 'name: a')
        .codes,
      [],
    );
    assert.deepEqual(
      inCluster(
        '  selector: { app: x }\n  ports: [{ port: 80, targetPort: http }]\n',
        cluster,
        'name: a\n  namespace: shop',
      ).codes,
      ['KR4001'],
    );
  });

  test('a namespace not synced yet: nothing is said', () => {
    assert.deepEqual(
      inCluster('  selector: { app: x }\n  ports: [{ port: 80 }]\n', clusterOf([], { synced: [] })).codes,
      [],
    );
  });

  test('no selector, ExternalName, patches: not compared', () => {
    assert.deepEqual(inCluster('  ports: [{ port: 80 }]\n', clusterOf([])).codes, []);
    assert.deepEqual(
      inCluster('  type: ExternalName\n  externalName: a.b\n  selector: { app: x }\n', clusterOf([])).codes,
      [],
    );
    const text = service('  selector: { app: x }\n  ports: [{ port: 80 }]\n');
    assert.deepEqual(codes(analyze(text, { cluster: clusterOf([]) }, { isPatch: true })), []);
  });
});

describe('KR4003 and KR4004: targetPort against live Pods', () => {
  test('a named targetPort no Pod declares, with fixes from the live Pods', () => {
    const result = inCluster(
      '  selector: { app: backend }\n  ports:\n    - name: metrics\n      port: 9100\n      targetPort: metrics\n',
      clusterOf(backend),
    );
    assert.deepEqual(result.codes, ['KR4003']);
    assert.deepEqual(result.spans, ['metrics']);
    assert.deepEqual(result.diagnostics[0]!.fixes.map((fix) => fix.title).slice(0, 2), [
      'Set targetPort to http (8080 in container app of Pod backend-1)',
      'Set targetPort to 8080',
    ]);
    assert.equal(
      applyFix(result.text, result.diagnostics[0]!),
      result.text.replace('targetPort: metrics', 'targetPort: http'),
    );
  });

  test('judged by the ready Pods when some are', () => {
    const pods = [
      livePod('old', { app: 'x' }, { ports: [{ name: 'web', containerPort: 80 }] }),
      livePod('new', { app: 'x' }, { ready: false, ports: [{ name: 'http', containerPort: 8080 }] }),
    ];
    assert.deepEqual(
      inCluster('  selector: { app: x }\n  ports: [{ port: 80, targetPort: http }]\n', clusterOf(pods)).codes,
      ['KR4003'],
    );
  });

  test('a numeric targetPort no Pod declares: information', () => {
    const result = inCluster(
      '  selector: { app: backend }\n  ports: [{ port: 80, targetPort: 8081 }]\n',
      clusterOf(backend),
    );
    assert.deepEqual(result.codes, ['KR4004']);
    assert.equal(result.diagnostics[0]!.severity, 'information');
  });

  test('a numeric targetPort declared: fine', () => {
    assert.deepEqual(
      inCluster(
        '  selector: { app: backend }\n  ports: [{ port: 80, targetPort: 8080 }]\n',
        clusterOf(backend),
      ).codes,
      [],
    );
  });
});

describe('KR4005: NetworkPolicies admitting no ingress on the targetPort', () => {
  const denyAll: NetworkPolicy = {
    metadata: { name: 'deny-all', namespace: 'shop' },
    spec: { podSelector: {}, policyTypes: ['Ingress'] },
  };
  const allowHttp: NetworkPolicy = {
    metadata: { name: 'allow-http', namespace: 'shop' },
    spec: { podSelector: { matchLabels: { app: 'backend' } }, ingress: [{ ports: [{ port: 'http' }] }] },
  };
  const allowRange: NetworkPolicy = {
    metadata: { name: 'allow-range', namespace: 'shop' },
    spec: {
      podSelector: {},
      ingress: [{ from: [{ podSelector: {} }], ports: [{ port: 9000, endPort: 9100 }] }],
    },
  };
  const spec =
    '  selector: { app: backend }\n  ports:\n    - { name: http, port: 80, targetPort: http }\n    - { name: grpc, port: 9090, targetPort: grpc }\n';

  test('deny-all isolates the Pods: both ports are named', () => {
    const result = inCluster(spec, clusterOf(backend, { policies: [denyAll] }));
    assert.deepEqual(result.codes, ['KR4005', 'KR4005']);
    assert.deepEqual(result.spans, ['http', 'grpc']);
    assert.match(
      result.diagnostics[0]!.message,
      /NetworkPolicy shop\/deny-all isolates all 2 Pods behind this port and admits no ingress on TCP 8080/,
    );
  });

  test('a second policy opening the named port opens it', () => {
    const result = inCluster(spec, clusterOf(backend, { policies: [denyAll, allowHttp] }));
    assert.deepEqual(result.codes, ['KR4005']);
    assert.deepEqual(result.spans, ['grpc']);
    assert.match(result.diagnostics[0]!.message, /shop\/allow-http and shop\/deny-all isolate/);
  });

  test('a port range opens the ports inside it', () => {
    assert.deepEqual(inCluster(spec, clusterOf(backend, { policies: [allowRange] })).spans, ['http']);
  });

  test('policies of other Pods or of egress only do not isolate', () => {
    const other: NetworkPolicy = {
      metadata: { name: 'db', namespace: 'shop' },
      spec: { podSelector: { matchLabels: { app: 'db' } } },
    };
    const egress: NetworkPolicy = {
      metadata: { name: 'egress', namespace: 'shop' },
      spec: { podSelector: {}, policyTypes: ['Egress'] },
    };
    assert.deepEqual(inCluster(spec, clusterOf(backend, { policies: [other, egress] })).codes, []);
  });

  test('unreadable policies: nothing is said', () => {
    assert.deepEqual(inCluster(spec, clusterOf(backend, { policies: undefined })).codes, []);
  });

  test('admitsIngressOnPort: protocols, named ports, empty rules', () => {
    const pod = backend[0]!;
    const policyWith = (spec2: NetworkPolicy['spec']): NetworkPolicy[] => [
      { metadata: { name: 'p', namespace: 'shop' }, spec: spec2 },
    ];
    assert.equal(admitsIngressOnPort(policyWith({ ingress: [{}] }), pod, 8080, 'TCP'), true);
    assert.equal(admitsIngressOnPort(policyWith({ ingress: [] }), pod, 8080, 'TCP'), false);
    assert.equal(
      admitsIngressOnPort(
        policyWith({ ingress: [{ ports: [{ protocol: 'UDP', port: 8080 }] }] }),
        pod,
        8080,
        'TCP',
      ),
      false,
    );
    assert.equal(
      admitsIngressOnPort(policyWith({ ingress: [{ ports: [{ protocol: 'TCP' }] }] }), pod, 8080, 'TCP'),
      true,
    );
    assert.equal(
      admitsIngressOnPort(policyWith({ ingress: [{ ports: [{ port: 'grpc' }] }] }), pod, 9090, 'TCP'),
      true,
    );
    assert.equal(
      admitsIngressOnPort(policyWith({ ingress: [{ ports: [{ port: 'grpc' }] }] }), pod, 8080, 'TCP'),
      false,
    );
  });
});
