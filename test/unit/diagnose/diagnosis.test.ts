/**
 * diagnoseStatic, hop by hop: each hop passing and failing (or unknown, or skipped) on a small
 * cluster shaped like the demo scenario (world.ts), the conclusion naming the first failing hop
 * with its fix and the object to change, and the probe plan.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type {
  DiagnosisTarget,
  HopId,
  HopStatus,
  StaticDiagnosis,
} from '../../../src/analysis/diagnosis/index.ts';
import {
  diagnoseStatic,
  podManifest,
  readiness,
  searchPath,
  similarNames,
  stableLabels,
} from '../../../src/analysis/diagnosis/index.ts';
import type { NetworkPolicy } from '../../../src/analysis/k8s.ts';
import {
  backend1,
  backend2,
  checkout,
  db,
  frontend,
  input,
  pod,
  pods,
  service,
  services,
  slicesFor,
} from './world.ts';

const backend: DiagnosisTarget = { kind: 'service', namespace: 'shop', name: 'backend', port: 80 };

function hop(report: StaticDiagnosis, id: HopId) {
  return report.hops.find((candidate) => candidate.id === id)!;
}

function statuses(report: StaticDiagnosis): Record<HopId, HopStatus> {
  return Object.fromEntries(report.hops.map((h) => [h.id, h.status])) as Record<HopId, HopStatus>;
}

describe('the working case', () => {
  const report = diagnoseStatic(input(backend));

  test('every static hop passes and the probe hop waits for the Diagnoser', () => {
    assert.deepEqual(statuses(report), {
      name: 'passed',
      service: 'passed',
      selector: 'passed',
      endpoints: 'passed',
      port: 'passed',
      egress: 'passed',
      ingress: 'passed',
      probe: 'skipped',
    });
    assert.deepEqual(
      report.hops.map((h) => h.id),
      ['name', 'service', 'selector', 'endpoints', 'port', 'egress', 'ingress', 'probe'],
    );
    assert.equal(report.conclusion.failedHop, undefined);
    assert.equal(
      report.conclusion.sentence,
      'Nothing in the cluster state stops shop/frontend-7d9c-abcde from reaching backend.shop:80. Run the live probe to confirm.',
    );
    assert.equal(report.targetLabel, 'backend.shop:80');
    assert.deepEqual(report.source, { namespace: 'shop', name: 'frontend-7d9c-abcde', ip: '10.244.1.10' });
  });

  test('each hop says what it checked, in one sentence, with evidence', () => {
    assert.equal(
      hop(report, 'name').summary,
      'backend.shop resolves to the ClusterIP 10.96.1.2 of Service shop/backend.',
    );
    assert.equal(
      hop(report, 'service').summary,
      'Service shop/backend (ClusterIP) has port 80/TCP (http), forwarded to targetPort http.',
    );
    assert.equal(hop(report, 'selector').summary, 'Service shop/backend selects 2 Pods, all ready.');
    assert.deepEqual(hop(report, 'selector').evidence, [
      'Selector: app=backend.',
      'backend-5f6a-aaaaa (10.244.1.20): ready',
      'backend-5f6a-bbbbb (10.244.1.21): ready',
    ]);
    assert.equal(
      hop(report, 'endpoints').summary,
      'The EndpointSlices list 2 ready endpoints for port 80, agreeing with the Pods.',
    );
    assert.ok(
      hop(report, 'endpoints').evidence.includes('10.244.1.20 (backend-5f6a-aaaaa): ready, port 8080.'),
    );
    assert.equal(
      hop(report, 'port').summary,
      'targetPort http resolves to a declared container port on 2 Pods.',
    );
    assert.equal(
      hop(report, 'egress').summary,
      'No NetworkPolicy restricts the egress of shop/frontend-7d9c-abcde.',
    );
    assert.equal(hop(report, 'ingress').summary, 'No NetworkPolicy restricts the ingress of the 2 Pods.');
  });

  test('the resolved target carries each backend with its resolved port', () => {
    assert.deepEqual(report.resolved, {
      kind: 'service',
      namespace: 'shop',
      name: 'backend',
      type: 'ClusterIP',
      headless: false,
      clusterIP: '10.96.1.2',
      port: { name: 'http', port: 80, protocol: 'TCP', targetPort: 'http' },
      backends: [
        { namespace: 'shop', name: 'backend-5f6a-aaaaa', ready: true, ip: '10.244.1.20', port: 8080 },
        { namespace: 'shop', name: 'backend-5f6a-bbbbb', ready: true, ip: '10.244.1.21', port: 8080 },
      ],
    });
  });

  test('the probe plan: the Service as the application names it, then each Pod directly', () => {
    assert.deepEqual(report.plan, {
      primary: {
        label: 'backend:80',
        host: 'backend',
        port: 80,
        service: { namespace: 'shop', name: 'backend' },
      },
      pods: [
        { namespace: 'shop', name: 'backend-5f6a-aaaaa', ip: '10.244.1.20', port: 8080, ready: true },
        { namespace: 'shop', name: 'backend-5f6a-bbbbb', ip: '10.244.1.21', port: 8080, ready: true },
      ],
      http: true,
    });
  });
});

describe('hop 1: name resolution', () => {
  test('the search path of the source namespace, ndots 5', () => {
    assert.deepEqual(searchPath('backend', 'shop'), [
      'backend.shop.svc.cluster.local',
      'backend.svc.cluster.local',
      'backend.cluster.local',
      'backend',
    ]);
    assert.deepEqual(searchPath('backend.shop.', 'shop'), ['backend.shop']);
    assert.deepEqual(searchPath('a.b.c.d.e.f', 'shop', 'corp.internal').slice(0, 2), [
      'a.b.c.d.e.f',
      'a.b.c.d.e.f.shop.svc.corp.internal',
    ]);
  });

  for (const name of [
    'backend',
    'backend.shop',
    'backend.shop.svc',
    'backend.shop.svc.cluster.local',
    'backend.shop.svc.cluster.local.',
    'Backend.Shop',
  ]) {
    test(`${name} reaches Service shop/backend`, () => {
      const report = diagnoseStatic(input({ kind: 'dns', name, port: 80 }));
      assert.equal(hop(report, 'name').status, 'passed');
      assert.equal(report.resolved.kind === 'service' && report.resolved.name, 'backend');
      assert.equal(report.conclusion.failedHop, undefined);
    });
  }

  test('a short name only works from the Service namespace', () => {
    const fromTools = diagnoseStatic(
      input(
        { kind: 'dns', name: 'backend', port: 80 },
        { source: pods.find((p) => p.metadata.name === 'busybox')! },
      ),
    );
    assert.equal(fromTools.conclusion.failedHop, 'name');
    assert.equal(
      fromTools.conclusion.fix,
      'Service backend is in namespace shop: from tools, use backend.shop.',
    );
  });

  test('a misspelt name fails with the close one suggested', () => {
    const report = diagnoseStatic(input({ kind: 'dns', name: 'bakend', port: 80 }));
    const name = hop(report, 'name');
    assert.equal(name.status, 'failed');
    assert.equal(name.summary, 'bakend does not resolve: there is no Service bakend in namespace shop.');
    assert.equal(name.fix, 'Did you mean backend? Use backend or backend.shop (Service shop/backend).');
    assert.ok(
      name.evidence.some((line) => line.includes('bakend.shop.svc.cluster.local, bakend.svc.cluster.local')),
    );
    assert.equal(report.conclusion.failedHop, 'name');
    assert.equal(
      report.conclusion.sentence,
      'shop/frontend-7d9c-abcde cannot reach bakend:80 because bakend does not resolve: there is no Service bakend in namespace shop.',
    );
    for (const id of ['service', 'selector', 'endpoints', 'port', 'egress', 'ingress'] as const) {
      assert.equal(hop(report, id).status, 'skipped', id);
    }
    // The application's name is still probed: the probe shows what it sees.
    assert.deepEqual(report.plan.primary, { label: 'bakend:80', host: 'bakend', port: 80 });
  });

  test('a misspelt Service target, and one in another namespace', () => {
    const typo = diagnoseStatic(input({ kind: 'service', namespace: 'shop', name: 'bakend', port: 80 }));
    assert.equal(typo.conclusion.failedHop, 'name');
    assert.match(typo.conclusion.fix!, /^Did you mean backend\?/);
    const qualified = diagnoseStatic(input({ kind: 'dns', name: 'bakend.shop', port: 80 }));
    assert.equal(qualified.conclusion.failedHop, 'name');
    assert.match(qualified.conclusion.fix!, /^Did you mean backend\? Use backend or backend\.shop/);
  });

  test('a name outside the cluster is unknown, not failed', () => {
    const report = diagnoseStatic(input({ kind: 'dns', name: 'api.example.com', port: 443 }));
    assert.equal(hop(report, 'name').status, 'unknown');
    assert.match(hop(report, 'name').summary, /not a name of the cluster: upstream DNS resolves it/);
    assert.equal(report.resolved.kind, 'external');
    assert.equal(hop(report, 'egress').status, 'passed');
    assert.equal(hop(report, 'ingress').status, 'skipped');
    assert.equal(report.conclusion.failedHop, undefined);
  });

  test('an IP is matched to a Pod, to a ClusterIP, or taken as an outside address', () => {
    const podIp = diagnoseStatic(input({ kind: 'dns', name: '10.244.2.10', port: 5432 }));
    assert.equal(hop(podIp, 'name').summary, '10.244.2.10 is the address of Pod data/db-0.');
    assert.equal(podIp.resolved.kind, 'pod');
    assert.equal(podIp.conclusion.failedHop, 'ingress');
    const clusterIp = diagnoseStatic(input({ kind: 'dns', name: '10.96.1.2', port: 80 }));
    assert.equal(hop(clusterIp, 'name').summary, '10.96.1.2 is the ClusterIP of Service shop/backend.');
    assert.deepEqual(clusterIp.plan.primary, {
      label: '10.96.1.2:80',
      host: '10.96.1.2',
      port: 80,
      service: { namespace: 'shop', name: 'backend' },
    });
    const outside = diagnoseStatic(input({ kind: 'dns', name: '203.0.113.9', port: 443 }));
    assert.equal(hop(outside, 'name').status, 'unknown');
    assert.deepEqual(outside.resolved, {
      kind: 'external',
      host: '203.0.113.9',
      port: 443,
      ip: '203.0.113.9',
    });
  });

  test('a Pod A record, a-b-c-d.ns.pod.cluster.local', () => {
    const report = diagnoseStatic(
      input({ kind: 'dns', name: '10-244-1-30.shop.pod.cluster.local', port: 8080 }),
    );
    assert.equal(report.resolved.kind === 'pod' && report.resolved.name, 'checkout');
  });

  test('a namespace not in view gives unknown', () => {
    const report = diagnoseStatic(
      input(
        { kind: 'service', namespace: 'data', name: 'db', port: 5432 },
        { knownNamespaces: ['shop', 'tools'] },
      ),
    );
    assert.equal(hop(report, 'name').status, 'unknown');
    const byName = diagnoseStatic(
      input({ kind: 'dns', name: 'db.data', port: 5432 }, { knownNamespaces: ['shop'] }),
    );
    assert.equal(hop(byName, 'name').status, 'unknown');
    assert.match(hop(byName, 'name').summary, /namespace data, which is not in view/);
  });

  test('an egress policy of the source that admits no DNS makes a name unknown', () => {
    const onlyBackend: NetworkPolicy = {
      metadata: { namespace: 'shop', name: 'frontend-egress' },
      spec: {
        podSelector: { matchLabels: { app: 'frontend' } },
        policyTypes: ['Egress'],
        egress: [{ to: [{ podSelector: { matchLabels: { app: 'backend' } } }] }],
      },
    };
    const report = diagnoseStatic(input(backend, { networkPolicies: [onlyBackend] }));
    assert.equal(hop(report, 'name').status, 'unknown');
    assert.match(hop(report, 'name').summary, /no rule admits DNS \(UDP 53 to kube-system\/kube-dns\)/);
    assert.match(hop(report, 'name').fix!, /k8s-app: kube-dns/);
    assert.equal(hop(report, 'egress').status, 'passed');
    const withDns: NetworkPolicy = {
      metadata: { namespace: 'shop', name: 'dns' },
      spec: {
        podSelector: {},
        policyTypes: ['Egress'],
        egress: [{ ports: [{ protocol: 'UDP', port: 53 }] }],
      },
    };
    assert.equal(
      hop(diagnoseStatic(input(backend, { networkPolicies: [onlyBackend, withDns] })), 'name').status,
      'passed',
    );
  });

  test('a Pod target: missing, or without an IP yet', () => {
    const missing = diagnoseStatic(input({ kind: 'pod', namespace: 'data', name: 'db-1', port: 5432 }));
    assert.equal(missing.conclusion.failedHop, 'name');
    assert.match(missing.conclusion.fix!, /Did you mean Pod db-0\?/);
    const pending = pod('shop', 'pending-1', { app: 'x' }, { phase: 'Pending' });
    const noIp = diagnoseStatic(
      input({ kind: 'pod', namespace: 'shop', name: 'pending-1', port: 80 }, { pods: [...pods, pending] }),
    );
    assert.equal(noIp.conclusion.failedHop, 'name');
    assert.match(noIp.conclusion.sentence, /has no IP address yet/);
    assert.equal(noIp.plan.primary, undefined);
  });
});

describe('hop 2: the Service and its port', () => {
  test('the port the Pods listen on instead of the Service port', () => {
    const report = diagnoseStatic(input({ ...backend, port: 8080 }));
    const svc = hop(report, 'service');
    assert.equal(svc.status, 'failed');
    assert.equal(svc.summary, 'Service shop/backend has no TCP port 8080; its ports are 80/TCP, 9090/TCP.');
    assert.equal(svc.fix, "Connect to backend:80 (the Service port), or to a Pod's IP on 8080.");
    assert.deepEqual(svc.manifest, { kind: 'Service', namespace: 'shop', name: 'backend' });
    assert.equal(report.conclusion.failedHop, 'service');
    assert.equal(hop(report, 'endpoints').status, 'skipped');
  });

  test('the right number with the wrong protocol', () => {
    const report = diagnoseStatic(input({ ...backend, protocol: 'UDP' }));
    assert.equal(hop(report, 'service').status, 'failed');
    assert.match(
      hop(report, 'service').evidence.join(' '),
      /Port 80 exists for TCP only, and the connection is UDP/,
    );
    assert.equal(report.plan.note, 'The probe tools connect over TCP; a UDP port cannot be checked live.');
  });

  test('a port asked for by name', () => {
    const report = diagnoseStatic(input({ ...backend, port: 'grpc' }));
    assert.equal(hop(report, 'service').status, 'passed');
    assert.equal(report.plan.primary?.port, 9090);
    assert.deepEqual(
      report.plan.pods.map((p) => p.port),
      [9090, 9090],
    );
    assert.equal(report.plan.http, false);
  });

  test('an unknown port with nothing close: use one of the ports', () => {
    const report = diagnoseStatic(input({ ...backend, port: 1234 }));
    assert.equal(
      hop(report, 'service').fix,
      "Use one of the Service's ports (80, 9090), or add port 1234 to Service shop/backend.",
    );
  });

  test('an ExternalName Service: no selector, endpoints or port to check', () => {
    const alias = service('shop', 'payments-api', undefined, [{ port: 443 }], {
      type: 'ExternalName',
      externalName: 'api.payments.example',
    });
    const report = diagnoseStatic(
      input(
        { kind: 'service', namespace: 'shop', name: 'payments-api', port: 443 },
        { services: [...services, alias] },
      ),
    );
    assert.match(hop(report, 'name').summary, /is an alias \(CNAME\) for api\.payments\.example/);
    assert.equal(hop(report, 'selector').status, 'skipped');
    assert.equal(report.conclusion.failedHop, undefined);
  });

  test('a headless Service: the name gives the Pods, which are reached on the port the client uses', () => {
    const headless = service(
      'shop',
      'backend-headless',
      { app: 'backend' },
      [{ name: 'http', port: 80, targetPort: 8080 }],
      {
        clusterIP: 'None',
      },
    );
    const world = [...services, headless];
    const report = diagnoseStatic(
      input({ kind: 'service', namespace: 'shop', name: 'backend-headless', port: 80 }, { services: world }),
    );
    assert.match(
      hop(report, 'name').summary,
      /headless Service: the name resolves straight to its ready Pods' IPs \(2 Pods now\)/,
    );
    assert.match(
      hop(report, 'service').summary,
      /clients reach the Pods on 80 itself, not on targetPort 8080/,
    );
    assert.equal(hop(report, 'port').status, 'unknown', 'nothing declares 80');
    assert.deepEqual(
      report.plan.pods.map((p) => p.port),
      [80, 80],
    );
  });
});

describe('hop 3: the Pods the selector picks, and their readiness', () => {
  test('a selector that matches no Pod: the Service is named', () => {
    const report = diagnoseStatic(
      input({ kind: 'service', namespace: 'shop', name: 'legacy-api', port: 80 }),
    );
    const selector = hop(report, 'selector');
    assert.equal(selector.status, 'failed');
    assert.equal(
      selector.summary,
      'Service shop/legacy-api selects no Pod: no Pod in namespace shop has the labels app=legacy-api.',
    );
    assert.ok(
      selector.evidence.includes('Values of app on the Pods of namespace shop: backend, checkout, frontend.'),
    );
    assert.deepEqual(report.conclusion.manifest, { kind: 'Service', namespace: 'shop', name: 'legacy-api' });
    assert.equal(report.conclusion.failedHop, 'selector');
    assert.equal(
      hop(report, 'endpoints').status,
      'failed',
      'and so no endpoint, but the selector comes first',
    );
    assert.deepEqual(report.plan.pods, []);
  });

  test('a selector value a typo away from the Pods’ label', () => {
    const typo = service('shop', 'api', { app: 'backnd' }, [{ port: 80, targetPort: 'http' }]);
    const report = diagnoseStatic(
      input({ kind: 'service', namespace: 'shop', name: 'api', port: 80 }, { services: [...services, typo] }),
    );
    assert.equal(
      hop(report, 'selector').fix,
      'Did you mean app=backend (Pod backend-5f6a-aaaaa)? Fix the selector of Service shop/api, or the labels of the Pods it is for.',
    );
  });

  test('a selector with one label too many', () => {
    const strict = service('shop', 'api', { app: 'backend', version: 'v2' }, [
      { port: 80, targetPort: 'http' },
    ]);
    const report = diagnoseStatic(
      input(
        { kind: 'service', namespace: 'shop', name: 'api', port: 80 },
        { services: [...services, strict] },
      ),
    );
    assert.ok(
      hop(report, 'selector').evidence.includes(
        'Pod backend-5f6a-aaaaa has part of the selector, but version=(absent) where the selector wants v2.',
      ),
    );
    assert.match(hop(report, 'selector').fix!, /Remove from the selector of Service shop\/api the labels/);
  });

  test('Pods of another namespace never count', () => {
    const wrongNs = service('data', 'frontend', { app: 'frontend' }, [{ port: 80, targetPort: 'http' }]);
    const report = diagnoseStatic(
      input(
        { kind: 'service', namespace: 'data', name: 'frontend', port: 80 },
        { services: [...services, wrongNs] },
      ),
    );
    assert.match(
      hop(report, 'selector').evidence.join('\n'),
      /Pods in other namespaces match \(shop\/frontend-7d9c-abcde\), but a Service selects only Pods of its own namespace/,
    );
  });

  test('its only Pod is not ready: why, and the Pod to fix', () => {
    const report = diagnoseStatic(input({ kind: 'service', namespace: 'shop', name: 'checkout', port: 80 }));
    const selector = hop(report, 'selector');
    assert.equal(selector.status, 'failed');
    assert.equal(
      selector.summary,
      'Service shop/checkout selects 1 Pod and none is ready, so it has no endpoint to send traffic to: in checkout (Running), container checkout is running, but its readiness probe (HTTP GET /healthz on port http) does not pass.',
    );
    assert.ok(
      selector.evidence.some((line) =>
        line.includes('Ready=False (ContainersNotReady: containers with unready status: [checkout])'),
      ),
    );
    assert.match(selector.fix!, /^Make container checkout of Pod checkout pass its readiness probe/);
    assert.deepEqual(report.conclusion.manifest, { kind: 'Pod', namespace: 'shop', name: 'checkout' });
    // Not-ready Pods are still probed directly: that tells readiness from the network.
    assert.deepEqual(report.plan.pods, [
      { namespace: 'shop', name: 'checkout', ip: '10.244.1.30', port: 8080, ready: false },
    ]);
  });

  test('a crash-looping Pod: the fix points at its logs, the manifest at its Deployment', () => {
    const crashing = pod(
      'shop',
      'backend-5f6a-ccccc',
      { app: 'backend' },
      {
        ip: '10.244.1.22',
        ready: false,
        ports: [{ name: 'http', containerPort: 8080 }],
        owner: 'backend-5f6a',
        hash: '5f6a',
        waiting: { reason: 'CrashLoopBackOff', message: 'back-off 40s restarting failed container' },
      },
    );
    const world = [frontend, crashing];
    const report = diagnoseStatic(input(backend, { pods: world }));
    assert.equal(report.conclusion.failedHop, 'selector');
    assert.match(
      report.conclusion.sentence,
      /in backend-5f6a-ccccc \(CrashLoopBackOff\), container backend is waiting: CrashLoopBackOff \(back-off 40s restarting failed container\), restarted 4 times/,
    );
    assert.equal(
      report.conclusion.fix,
      'Fix the crash of container backend: `kubectl logs -n shop backend-5f6a-ccccc -c backend --previous` shows why it exits.',
    );
    assert.deepEqual(report.conclusion.manifest, { kind: 'Deployment', namespace: 'shop', name: 'backend' });
  });

  test('some Pods ready: passed, with the others explained', () => {
    const notReady = pod(
      'shop',
      'backend-5f6a-ccccc',
      { app: 'backend' },
      {
        ip: '10.244.1.22',
        ready: false,
        ports: [{ name: 'http', containerPort: 8080 }],
      },
    );
    const report = diagnoseStatic(input(backend, { pods: [...pods, notReady] }));
    assert.equal(hop(report, 'selector').status, 'passed');
    assert.equal(
      hop(report, 'selector').summary,
      'Service shop/backend selects 3 Pods, 2 ready; 1 Pod is not ready and gets no traffic.',
    );
    assert.deepEqual(
      report.plan.pods.map((p) => [p.name, p.ready]),
      [
        ['backend-5f6a-aaaaa', true],
        ['backend-5f6a-bbbbb', true],
        ['backend-5f6a-ccccc', false],
      ],
    );
    assert.equal(
      diagnoseStatic(input(backend, { pods: [...pods, notReady], maxProbedPods: 1 })).plan.pods.length,
      1,
    );
  });

  test('a Pod target: the Pod itself, which need not be ready to answer on its IP', () => {
    const notReady = diagnoseStatic(input({ kind: 'pod', namespace: 'shop', name: 'checkout', port: 8080 }));
    assert.equal(hop(notReady, 'selector').title, 'Target Pod');
    assert.equal(hop(notReady, 'selector').status, 'passed');
    assert.match(
      hop(notReady, 'selector').summary,
      /running but not ready: Services leave it out, but a connection to its IP still reaches it/,
    );
    const waiting = pod(
      'shop',
      'broken',
      { app: 'broken' },
      { ip: '10.244.1.40', ready: false, waiting: { reason: 'ImagePullBackOff' } },
    );
    const report = diagnoseStatic(
      input({ kind: 'pod', namespace: 'shop', name: 'broken', port: 80 }, { pods: [...pods, waiting] }),
    );
    assert.equal(report.conclusion.failedHop, 'selector');
    assert.match(report.conclusion.fix!, /Fix the image of container broken/);
  });
});

describe('hop 4: EndpointSlices', () => {
  test('no slice for ready Pods: the controller has not caught up', () => {
    const report = diagnoseStatic(input(backend, { endpointSlices: [] }));
    const endpoints = hop(report, 'endpoints');
    assert.equal(endpoints.status, 'failed');
    assert.ok(
      endpoints.evidence.includes('No EndpointSlice carries the label kubernetes.io/service-name=backend.'),
    );
    assert.ok(
      endpoints.evidence.some((line) =>
        line.startsWith('Ready Pod backend-5f6a-aaaaa (10.244.1.20) is in no EndpointSlice'),
      ),
    );
    assert.equal(report.conclusion.failedHop, 'endpoints');
    assert.match(report.conclusion.fix!, /EndpointSlice controller/);
  });

  test('a stale slice: an old address, a wrong port, a Pod that is gone', () => {
    const slices = slicesFor(services, pods).map((slice) =>
      slice.metadata?.labels?.['kubernetes.io/service-name'] === 'backend'
        ? {
            ...slice,
            ports: [{ name: 'http', port: 8081, protocol: 'TCP' }],
            endpoints: [
              ...(slice.endpoints ?? []),
              {
                addresses: ['10.244.1.99'],
                conditions: { ready: true },
                targetRef: { kind: 'Pod', name: 'backend-old' },
              },
            ],
          }
        : slice,
    );
    const report = diagnoseStatic(input(backend, { endpointSlices: slices }));
    const endpoints = hop(report, 'endpoints');
    assert.equal(endpoints.status, 'passed');
    assert.match(endpoints.summary, /but disagree with the Pods in 3 places/);
    assert.ok(
      endpoints.evidence.includes(
        'The EndpointSlice gives backend-5f6a-aaaaa port 8081, but targetPort http resolves to 8080 on it.',
      ),
    );
    assert.ok(
      endpoints.evidence.includes(
        '10.244.1.99 (backend-old) is listed but is not a Pod the selector picks now: the slice is stale or was written by hand.',
      ),
    );
  });

  test('a slice that still marks a Pod ready after it stopped being ready', () => {
    const notReady = pod(
      'shop',
      'checkout',
      { app: 'checkout' },
      {
        ip: '10.244.1.30',
        ready: true,
        ports: [{ name: 'http', containerPort: 8080 }],
      },
    );
    const readySlices = slicesFor(services, [...pods.filter((p) => p !== checkout), notReady]);
    const report = diagnoseStatic(
      input(
        { kind: 'service', namespace: 'shop', name: 'checkout', port: 80 },
        { endpointSlices: readySlices },
      ),
    );
    assert.ok(
      hop(report, 'endpoints').evidence.includes(
        'The EndpointSlice marks checkout ready, but the Pod is not ready: the slice is stale.',
      ),
    );
  });

  test('a Service without selector and its hand-made slices', () => {
    const manual = service('shop', 'external-db', undefined, [{ name: 'pg', port: 5432 }]);
    const slice = {
      metadata: {
        namespace: 'shop',
        name: 'external-db-1',
        labels: { 'kubernetes.io/service-name': 'external-db' },
      },
      endpoints: [{ addresses: ['192.0.2.10'], conditions: { ready: true } }],
      ports: [{ name: 'pg', port: 5432, protocol: 'TCP' }],
    };
    const target: DiagnosisTarget = { kind: 'service', namespace: 'shop', name: 'external-db', port: 5432 };
    const withSlice = diagnoseStatic(
      input(target, {
        services: [...services, manual],
        endpointSlices: [...slicesFor(services, pods), slice],
      }),
    );
    assert.equal(hop(withSlice, 'selector').status, 'skipped');
    assert.equal(hop(withSlice, 'endpoints').status, 'passed');
    const without = diagnoseStatic(input(target, { services: [...services, manual] }));
    assert.equal(without.conclusion.failedHop, 'endpoints');
    assert.match(
      without.conclusion.fix!,
      /Write an EndpointSlice labelled kubernetes\.io\/service-name: external-db/,
    );
  });

  test('EndpointSlices that may not be read', () => {
    const report = diagnoseStatic(input(backend, { unreadable: { endpointSlices: ['shop'] } }));
    assert.equal(hop(report, 'endpoints').status, 'unknown');
    assert.equal(report.conclusion.failedHop, undefined);
    assert.match(report.conclusion.sentence, /1 hop could not be checked \(endpointslices\)/);
  });
});

describe('hop 5: the target port', () => {
  test('a named targetPort no container declares: the Service is named, with the names that exist', () => {
    const report = diagnoseStatic(
      input({ kind: 'service', namespace: 'shop', name: 'payments', port: 9100 }),
    );
    assert.equal(report.conclusion.failedHop, 'port');
    assert.equal(
      hop(report, 'port').summary,
      'targetPort "metrics" of Service shop/payments port 9100 resolves on none of its 2 Pods: no container declares a TCP port named metrics.',
    );
    assert.equal(
      report.conclusion.fix,
      'Set targetPort of port 9100 in Service shop/payments to a port the Pods declare (http, grpc), or name a containerPort "metrics" in Deployment shop/backend.',
    );
    assert.deepEqual(report.conclusion.manifest, { kind: 'Service', namespace: 'shop', name: 'payments' });
    assert.equal(hop(report, 'endpoints').status, 'passed');
    assert.match(
      hop(report, 'endpoints').summary,
      /none with port metrics: targetPort metrics resolves on none of them \(see Target port\)/,
    );
    assert.equal(hop(report, 'egress').status, 'skipped');
    assert.deepEqual(report.plan.pods, []);
  });

  test('a numeric targetPort nothing declares is unknown: only the probe can tell', () => {
    const wrong = service('shop', 'api', { app: 'backend' }, [{ port: 80, targetPort: 8000 }]);
    const report = diagnoseStatic(
      input(
        { kind: 'service', namespace: 'shop', name: 'api', port: 80 },
        { services: [...services, wrong] },
      ),
    );
    const port = hop(report, 'port');
    assert.equal(port.status, 'unknown');
    assert.match(port.summary, /^No container of the Pods declares TCP port 8000/);
    assert.equal(
      port.fix,
      'If the application listens on 8080 or 9090, set targetPort of port 80 in Service shop/api to it.',
    );
    assert.equal(report.conclusion.failedHop, undefined);
    assert.match(report.conclusion.sentence, /1 hop could not be checked \(target port\)/);
  });

  test('a Pod target by port name, and a name it does not declare', () => {
    const byName = diagnoseStatic(input({ kind: 'pod', namespace: 'data', name: 'db-0', port: 'postgres' }));
    assert.equal(hop(byName, 'port').summary, 'Port "postgres" is 5432/TCP, declared by container db-0.');
    assert.deepEqual(byName.plan.primary, {
      label: 'data/db-0:5432',
      host: '10.244.2.10',
      port: 5432,
      pod: { namespace: 'data', name: 'db-0' },
    });
    const missing = diagnoseStatic(input({ kind: 'pod', namespace: 'data', name: 'db-0', port: 'http' }));
    assert.equal(missing.conclusion.failedHop, 'port');
    assert.deepEqual(missing.conclusion.manifest, { kind: 'Pod', namespace: 'data', name: 'db-0' });
  });
});

describe('hops 6 and 7: NetworkPolicy egress of the source and ingress of the target', () => {
  test('the ingress of the target: the isolating policy, and a rule to add', () => {
    const report = diagnoseStatic(input({ kind: 'service', namespace: 'data', name: 'db', port: 5432 }));
    assert.equal(hop(report, 'egress').status, 'passed');
    const ingress = hop(report, 'ingress');
    assert.equal(ingress.status, 'failed');
    assert.equal(
      ingress.summary,
      'Policy data/db-allow-backend-only isolates db-0 for ingress and no rule admits shop/frontend-7d9c-abcde on TCP 5432.',
    );
    assert.equal(
      ingress.fix,
      'Add a rule to NetworkPolicy data/db-allow-backend-only that admits shop/frontend-7d9c-abcde on TCP 5432, under spec.ingress:\n' +
        '- from: [{namespaceSelector: {matchLabels: {kubernetes.io/metadata.name: shop}}, podSelector: {matchLabels: {app: frontend}}}]\n' +
        '  ports: [{protocol: TCP, port: 5432}]\n' +
        'Or connect from a Pod the policy already admits.',
    );
    assert.deepEqual(report.conclusion.manifest, {
      kind: 'NetworkPolicy',
      namespace: 'data',
      name: 'db-allow-backend-only',
    });
    assert.equal(
      report.conclusion.sentence,
      'shop/frontend-7d9c-abcde cannot reach db.data:5432 because policy data/db-allow-backend-only isolates db-0 for ingress and no rule admits shop/frontend-7d9c-abcde on TCP 5432.',
    );
  });

  test('an admitted connection names the deciding policy and rule', () => {
    const report = diagnoseStatic(
      input({ kind: 'service', namespace: 'data', name: 'db', port: 5432 }, { source: backend1 }),
    );
    assert.equal(
      hop(report, 'ingress').summary,
      'The ingress of data/db-0 is restricted, and policy data/db-allow-backend-only admits this connection (ingress[0].from[0].ports[0]).',
    );
    assert.equal(report.conclusion.failedHop, undefined);
  });

  test('the egress of the source: a default deny with no rules', () => {
    const denyEgress: NetworkPolicy = {
      metadata: { namespace: 'shop', name: 'deny-egress' },
      spec: { podSelector: {}, policyTypes: ['Egress'] },
    };
    const report = diagnoseStatic(input(backend, { networkPolicies: [denyEgress] }));
    const egress = hop(report, 'egress');
    assert.equal(egress.status, 'failed');
    assert.equal(
      egress.summary,
      'Policy shop/deny-egress isolates frontend-7d9c-abcde for egress and has no egress rules, so it may not connect anywhere.',
    );
    assert.match(
      egress.fix!,
      /^Add an egress rule to NetworkPolicy shop\/deny-egress that lets it reach shop\/backend-5f6a-aaaaa on TCP 8080/,
    );
    assert.match(egress.fix!, /- to: \[\{podSelector: \{matchLabels: \{app: backend\}\}\}\]/);
    assert.equal(report.conclusion.failedHop, 'egress');
    assert.equal(hop(report, 'name').status, 'unknown', 'the DNS query leaves the Pod too');
  });

  test('a policy that admits only some of the backing Pods: connections fail at random', () => {
    const onlyOne: NetworkPolicy = {
      metadata: { namespace: 'shop', name: 'backend-a-only' },
      spec: {
        podSelector: { matchLabels: { app: 'backend' } },
        ingress: [{ from: [{ ipBlock: { cidr: '10.244.1.10/32' } }] }],
      },
    };
    const odd = pod(
      'shop',
      'backend-5f6a-zzzzz',
      { app: 'backend', tier: 'api' },
      {
        ip: '10.244.1.23',
        ports: [{ name: 'http', containerPort: 8080 }],
      },
    );
    const other: NetworkPolicy = {
      metadata: { namespace: 'shop', name: 'zzzzz-closed' },
      spec: { podSelector: { matchLabels: { tier: 'api' } }, ingress: [] },
    };
    const report = diagnoseStatic(
      input(backend, { pods: [frontend, backend2, odd], networkPolicies: [onlyOne, other] }),
    );
    // Both are selected by both policies; the ipBlock admits frontend's address to either.
    assert.equal(hop(report, 'ingress').status, 'passed');
    const narrower: NetworkPolicy = {
      metadata: { namespace: 'shop', name: 'zzzzz-only-closed' },
      spec: {
        podSelector: {
          matchLabels: { app: 'backend' },
          matchExpressions: [{ key: 'pod', operator: 'Exists' }],
        },
        ingress: [],
      },
    };
    const marked = { ...odd, metadata: { ...odd.metadata, labels: { ...odd.metadata.labels, pod: 'z' } } };
    const partial = diagnoseStatic(
      input(backend, { pods: [frontend, backend2, marked], networkPolicies: [narrower] }),
    );
    assert.equal(hop(partial, 'ingress').status, 'failed');
    assert.match(
      hop(partial, 'ingress').summary,
      /\(1 of 2 backing Pods denied: connections through the Service fail at random\)\.$/,
    );
  });

  test('NetworkPolicies that may not be read', () => {
    const report = diagnoseStatic(
      input(
        { kind: 'service', namespace: 'data', name: 'db', port: 5432 },
        { unreadable: { networkPolicies: ['data'] } },
      ),
    );
    assert.equal(hop(report, 'ingress').status, 'unknown');
    assert.equal(hop(report, 'egress').status, 'passed');
  });

  test('an address outside the cluster: egress only, with the ipBlock caveat for names', () => {
    const outbound: NetworkPolicy = {
      metadata: { namespace: 'shop', name: 'frontend-out' },
      spec: {
        podSelector: { matchLabels: { app: 'frontend' } },
        policyTypes: ['Egress'],
        egress: [
          { ports: [{ protocol: 'UDP', port: 53 }] },
          { to: [{ ipBlock: { cidr: '198.51.100.0/24' } }], ports: [{ port: 443 }] },
        ],
      },
    };
    const byIp = diagnoseStatic(
      input({ kind: 'dns', name: '198.51.100.7', port: 443 }, { networkPolicies: [outbound] }),
    );
    assert.equal(hop(byIp, 'egress').status, 'passed');
    assert.equal(hop(byIp, 'ingress').status, 'skipped');
    const elsewhere = diagnoseStatic(
      input({ kind: 'dns', name: '203.0.113.7', port: 443 }, { networkPolicies: [outbound] }),
    );
    assert.equal(elsewhere.conclusion.failedHop, 'egress');
    assert.deepEqual(elsewhere.conclusion.manifest, {
      kind: 'NetworkPolicy',
      namespace: 'shop',
      name: 'frontend-out',
    });
    const byName = diagnoseStatic(
      input({ kind: 'dns', name: 'api.example.com', port: 443 }, { networkPolicies: [outbound] }),
    );
    assert.equal(hop(byName, 'egress').status, 'unknown');
    assert.match(
      hop(byName, 'egress').summary,
      /whose ipBlocks may or may not hold the address api\.example\.com resolves to/,
    );
  });
});

describe('helpers', () => {
  test('readiness of a ready Pod and of a Pending one', () => {
    assert.deepEqual(readiness(db), { ready: true, status: 'Running', reasons: [] });
    const pending = readiness(pod('shop', 'p', {}, { phase: 'Pending' }));
    assert.equal(pending.ready, false);
    assert.ok(pending.reasons.includes('PodScheduled=False (Unschedulable: 0/3 nodes are available)'));
    assert.match(pending.fix!, /`kubectl describe pod -n shop p` shows what it waits for/);
  });

  test('the manifest that owns a Pod', () => {
    assert.deepEqual(podManifest(frontend), { kind: 'Deployment', namespace: 'shop', name: 'frontend' });
    assert.deepEqual(podManifest(db), { kind: 'Pod', namespace: 'data', name: 'db-0' });
  });

  test('stable labels and similar names', () => {
    assert.deepEqual(stableLabels({ app: 'web', 'pod-template-hash': 'abc', tier: 'x' }), { app: 'web' });
    assert.deepEqual(stableLabels({ role: 'db', 'pod-template-hash': 'abc' }), { role: 'db' });
    assert.deepEqual(similarNames('bakend', ['backend', 'frontend', 'bakery']), ['backend', 'bakery']);
    assert.deepEqual(similarNames('db', ['dc', 'web']), ['dc']);
  });

  test('the source is never mistaken for a backend: the matrix of hops is about the target', () => {
    const report = diagnoseStatic(input(backend, { source: backend1 }));
    assert.equal(report.conclusion.failedHop, undefined);
    assert.equal(report.plan.pods.length, 2, 'a Pod may probe itself through its Service');
    assert.equal(checkout.metadata.name, 'checkout');
  });
});
