import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { V1EndpointSlice, V1Pod, V1Service, V1ServicePort } from '@kubernetes/client-node';
import type { ForwardSpec } from '../../../src/portforward/spec.ts';
import {
  compareActivePods,
  followOf,
  remotePortNumbers,
  resolveTarget,
} from '../../../src/portforward/target.ts';
import type { ClusterView } from '../../../src/portforward/target.ts';

interface PodOptions {
  ready?: boolean;
  phase?: string;
  ip?: string | null;
  deleting?: boolean;
  labels?: Record<string, string>;
  owner?: string;
  ports?: Array<{ name?: string; containerPort: number; protocol?: string }>;
  readySince?: string;
  created?: string;
  restarts?: number;
}

function pod(name: string, options: PodOptions = {}): V1Pod {
  const ready = options.ready ?? true;
  return {
    metadata: {
      name,
      namespace: 'ns',
      uid: `uid-${name}`,
      labels: options.labels ?? { app: 'web' },
      creationTimestamp: new Date(options.created ?? '2026-01-01T00:00:00Z'),
      ...(options.deleting ? { deletionTimestamp: new Date('2026-01-02T00:00:00Z') } : {}),
      ...(options.owner
        ? {
            ownerReferences: [
              { apiVersion: 'apps/v1', kind: 'ReplicaSet', name: options.owner, uid: 'rs', controller: true },
            ],
          }
        : {}),
    },
    spec: {
      nodeName: 'node-1',
      containers: [{ name: 'app', ports: options.ports ?? [{ name: 'http', containerPort: 8080 }] }],
    },
    status: {
      phase: options.phase ?? 'Running',
      ...(options.ip === null ? {} : { podIP: options.ip ?? `10.0.0.${name.length}` }),
      conditions: [
        {
          type: 'Ready',
          status: ready ? 'True' : 'False',
          ...(options.readySince ? { lastTransitionTime: new Date(options.readySince) } : {}),
        },
      ],
      containerStatuses: [
        { name: 'app', image: 'x', imageID: '', ready, restartCount: options.restarts ?? 0 },
      ],
    },
  };
}

function service(ports: V1ServicePort[], extra: Partial<NonNullable<V1Service['spec']>> = {}): V1Service {
  return { metadata: { name: 'svc', namespace: 'ns' }, spec: { selector: { app: 'web' }, ports, ...extra } };
}

function slice(endpoints: Array<{ pod: string; ready?: boolean; terminating?: boolean }>): V1EndpointSlice {
  return {
    addressType: 'IPv4',
    metadata: { name: 'svc-abc', namespace: 'ns', labels: { 'kubernetes.io/service-name': 'svc' } },
    endpoints: endpoints.map((e) => ({
      addresses: ['10.0.0.1'],
      targetRef: { kind: 'Pod', name: e.pod, namespace: 'ns' },
      conditions: {
        ...(e.ready !== undefined ? { ready: e.ready } : {}),
        ...(e.terminating !== undefined ? { terminating: e.terminating } : {}),
      },
    })),
  };
}

function view(pods: V1Pod[], services: V1Service[] = [], slices: V1EndpointSlice[] = []): ClusterView {
  return {
    pod: (namespace, name) =>
      pods.find((p) => p.metadata?.namespace === namespace && p.metadata?.name === name),
    pods: (namespace) => pods.filter((p) => p.metadata?.namespace === namespace),
    service: (namespace, name) =>
      services.find((s) => s.metadata?.namespace === namespace && s.metadata?.name === name),
    endpointSlices: (_namespace, name) =>
      slices.filter((s) => name === undefined || s.metadata?.labels?.['kubernetes.io/service-name'] === name),
  };
}

const svcSpec = (remote: number | string): ForwardSpec => ({
  target: { kind: 'Service', namespace: 'ns', name: 'svc' },
  ports: [{ remote }],
});

const podSpec = (name: string, remote: number | string, follow?: ForwardSpec['follow']): ForwardSpec => ({
  target: { kind: 'Pod', namespace: 'ns', name },
  ports: [{ remote }],
  ...(follow ? { follow } : {}),
});

// ---------------------------------------------------------------------------------------------
// Services

test('Service: a named targetPort is resolved per Pod, on a ready endpoint', () => {
  const a = pod('a', { ports: [{ name: 'http', containerPort: 8080 }] });
  const b = pod('bb', { ports: [{ name: 'http', containerPort: 9090 }] });
  const svc = service([{ name: 'web', port: 80, targetPort: 'http' }]);
  const onlyB = resolveTarget(
    svcSpec('web'),
    view([a, b], [svc], [slice([{ pod: 'a', ready: false }, { pod: 'bb' }])]),
  );
  assert.ok(onlyB.ok);
  assert.equal(onlyB.pod.name, 'bb');
  assert.deepEqual(onlyB.ports, [{ containerPort: 9090, servicePort: 80, container: 'app' }]);
  const byNumber = resolveTarget(svcSpec(80), view([a, b], [svc], [slice([{ pod: 'a' }])]));
  assert.ok(byNumber.ok);
  assert.equal(byNumber.pod.name, 'a');
  assert.equal(byNumber.ports[0]!.containerPort, 8080);
});

test('Service: terminating endpoints, deleting, not-ready or unknown Pods are not chosen', () => {
  const svc = service([{ port: 80, targetPort: 8080 }]);
  const pods = [pod('a', { deleting: true }), pod('bb', { ready: false }), pod('ccc')];
  const slices = [slice([{ pod: 'a' }, { pod: 'bb' }, { pod: 'ccc', terminating: true }, { pod: 'ghost' }])];
  const none = resolveTarget(svcSpec(80), view(pods, [svc], slices));
  assert.deepEqual(none, { ok: false, problem: 'waiting', message: 'No ready Pod behind Service ns/svc.' });
});

test('Service: a Pod on which the named targetPort does not resolve is skipped, with the reason', () => {
  const svc = service([{ name: 'metrics', port: 9100, targetPort: 'metrics' }]);
  const a = pod('a');
  const result = resolveTarget(svcSpec('metrics'), view([a], [svc], [slice([{ pod: 'a' }])]));
  assert.equal(result.ok, false);
  assert.match(
    !result.ok ? result.message : '',
    /^Port 9100\/metrics of Service ns\/svc targets "metrics", which no ready Pod declares \(pod ns\/a has no TCP container port named "metrics"\)\.$/,
  );
});

test('Service: kubectl order (ready longest, fewer restarts, oldest) and stickiness', () => {
  const svc = service([{ port: 80, targetPort: 8080 }]);
  const young = pod('young', { readySince: '2026-01-03T00:00:00Z' });
  const old = pod('old', { readySince: '2026-01-02T00:00:00Z' });
  const slices = [slice([{ pod: 'young' }, { pod: 'old' }])];
  const chosen = resolveTarget(svcSpec(80), view([young, old], [svc], slices));
  assert.ok(chosen.ok);
  assert.equal(chosen.pod.name, 'old');
  const sticky = resolveTarget(svcSpec(80), view([young, old], [svc], slices), {
    current: { uid: 'uid-young', wasReady: true },
  });
  assert.ok(sticky.ok);
  assert.equal(sticky.pod.name, 'young');
  const excluded = resolveTarget(svcSpec(80), view([young, old], [svc], slices), {
    excluded: new Set(['uid-old']),
  });
  assert.ok(excluded.ok);
  assert.equal(excluded.pod.name, 'young');
  assert.deepEqual(
    [pod('r2', { restarts: 2 }), pod('r0', { restarts: 0 })]
      .sort(compareActivePods)
      .map((p) => p.metadata!.name),
    ['r0', 'r2'],
  );
  assert.deepEqual(
    [pod('b', { ready: false }), pod('a', { phase: 'Pending' }), pod('c')]
      .sort(compareActivePods)
      .map((p) => p.metadata!.name),
    ['c', 'b', 'a'],
  );
});

test('Service: without EndpointSlices, the ready Pods of the selector stand in', () => {
  const svc = service([{ port: 80, targetPort: 'http' }]);
  const result = resolveTarget(
    svcSpec(80),
    view([pod('a', { ready: false }), pod('bb'), pod('x', { labels: { app: 'other' } })], [svc]),
  );
  assert.ok(result.ok);
  assert.equal(result.pod.name, 'bb');
});

test('Service: plain errors for a missing Service, port, selector, or a UDP port', () => {
  const cases: Array<[V1Service[], number | string, string, RegExp]> = [
    [[], 80, 'not-found', /^Service ns\/svc does not exist\.$/],
    [
      [service([{ name: 'web', port: 80 }])],
      8080,
      'no-such-port',
      /^Service ns\/svc has no port 8080 \(its ports: 80\/web\)\.$/,
    ],
    [[service([{ port: 80 }])], 'web', 'no-such-port', /has no port named "web" \(its ports: 80\)/],
    [
      [service([{ name: 'dns', port: 53, protocol: 'UDP' }])],
      53,
      'no-such-port',
      /is UDP; port-forwarding carries TCP only/,
    ],
    [[service([{ port: 80 }], { selector: {} })], 80, 'no-pods', /has no selector/],
    [[service([{ port: 80 }], { type: 'ExternalName' })], 80, 'no-pods', /ExternalName/],
  ];
  for (const [services, remote, problem, message] of cases) {
    const result = resolveTarget(svcSpec(remote), view([pod('a')], services));
    assert.equal(result.ok, false);
    if (!result.ok) {
      assert.equal(result.problem, problem);
      assert.match(result.message, message);
    }
  }
});

// ---------------------------------------------------------------------------------------------
// Pods

test('Pod: the named Pod is used while it runs, ready or not', () => {
  const result = resolveTarget(podSpec('a', 'http'), view([pod('a', { ready: false })]));
  assert.ok(result.ok);
  assert.equal(result.pod.name, 'a');
  assert.equal(result.pod.ready, false);
  assert.deepEqual(result.ports, [{ containerPort: 8080, container: 'app' }]);
  const undeclared = resolveTarget(podSpec('a', 9999), view([pod('a')]));
  assert.ok(undeclared.ok);
  assert.deepEqual(undeclared.ports, [{ containerPort: 9999 }]);
});

test('Pod: not running yet, terminating, finished: plain reasons', () => {
  const cases: Array<[V1Pod, RegExp]> = [
    [pod('a', { phase: 'Pending', ip: null }), /^Pod ns\/a is Pending and has no IP address yet\.$/],
    [pod('a', { phase: 'Pending' }), /^Pod ns\/a is Pending, not running yet\.$/],
    [pod('a', { deleting: true }), /^Pod ns\/a is terminating\.$/],
    [pod('a', { phase: 'Succeeded' }), /^Pod ns\/a has finished \(Succeeded\)/],
  ];
  for (const [p, message] of cases) {
    const result = resolveTarget(podSpec('a', 8080), view([p]));
    assert.equal(result.ok, false);
    if (!result.ok) {
      assert.equal(result.problem, 'waiting');
      assert.match(result.message, message);
    }
  }
  const missing = resolveTarget(podSpec('a', 8080), view([]));
  assert.deepEqual(missing, { ok: false, problem: 'not-found', message: 'Pod ns/a does not exist.' });
  const named = resolveTarget(podSpec('a', 'grpc'), view([pod('a')]));
  assert.equal(named.ok, false);
  assert.match(
    !named.ok ? named.message : '',
    /has no TCP container port named "grpc" \(it declares http\/8080\)/,
  );
});

test('Pod: when the Pod is gone, a ready Pod of the same controller with its labels takes over', () => {
  const follow = followOf(pod('a', { owner: 'web-1', labels: { app: 'web', 'pod-template-hash': '1' } }));
  assert.deepEqual(follow, {
    owner: { kind: 'ReplicaSet', name: 'web-1' },
    labels: { app: 'web', 'pod-template-hash': '1' },
  });
  const labels = { app: 'web', 'pod-template-hash': '1' };
  const pods = [
    pod('other-owner', { owner: 'web-2', labels }),
    pod('other-labels', { owner: 'web-1', labels: { app: 'api', 'pod-template-hash': '1' } }),
    pod('not-ready', { owner: 'web-1', labels, ready: false }),
    pod('sibling', { owner: 'web-1', labels }),
  ];
  const result = resolveTarget(podSpec('a', 'http', follow), view(pods), {
    current: { uid: 'uid-a', wasReady: true },
  });
  assert.ok(result.ok);
  assert.equal(result.pod.name, 'sibling');
  const none = resolveTarget(podSpec('a', 'http', follow), view(pods.slice(0, 3)), {
    current: { uid: 'uid-a', wasReady: true },
  });
  assert.deepEqual(none, {
    ok: false,
    problem: 'waiting',
    message: 'Pod ns/a is gone and no ready Pod of ReplicaSet web-1 has replaced it yet.',
  });
  // A StatefulSet's per-Pod labels are not part of what is followed.
  assert.deepEqual(
    followOf(
      pod('db-0', {
        labels: {
          app: 'db',
          'statefulset.kubernetes.io/pod-name': 'db-0',
          'apps.kubernetes.io/pod-index': '0',
        },
      }),
    ),
    { labels: { app: 'db' } },
  );
});

test('Pod: a Pod that stops being ready is left for a ready sibling, if there is one', () => {
  const labels = { app: 'web' };
  const follow = { owner: { kind: 'ReplicaSet', name: 'web-1' }, labels };
  const a = pod('a', { owner: 'web-1', labels, ready: false });
  const b = pod('bb', { owner: 'web-1', labels });
  const leave = resolveTarget(podSpec('a', 8080, follow), view([a, b]), {
    current: { uid: 'uid-a', wasReady: true },
  });
  assert.ok(leave.ok);
  assert.equal(leave.pod.name, 'bb');
  const stay = resolveTarget(podSpec('a', 8080, follow), view([a]), {
    current: { uid: 'uid-a', wasReady: true },
  });
  assert.ok(stay.ok);
  assert.equal(stay.pod.name, 'a', 'no ready sibling: keep the running Pod');
  const neverReady = resolveTarget(podSpec('a', 8080, follow), view([a, b]), {
    current: { uid: 'uid-a', wasReady: false },
  });
  assert.ok(neverReady.ok);
  assert.equal(neverReady.pod.name, 'a', 'a Pod that never was ready is the one being debugged');
  const back = resolveTarget(podSpec('a', 8080, follow), view([pod('a', { owner: 'web-1', labels }), b]), {
    current: { uid: 'uid-bb', wasReady: true },
  });
  assert.ok(back.ok);
  assert.equal(back.pod.name, 'bb', 'stickiness: the sibling in use is kept');
});

test('remotePortNumbers: the Service port, or the container port a name stands for', () => {
  const svc = service([{ name: 'web', port: 80, targetPort: 'http' }]);
  assert.deepEqual(
    remotePortNumbers({ ...svcSpec('web'), ports: [{ remote: 'web' }, { remote: 443 }] }, view([], [svc])),
    [80, 443],
  );
  assert.deepEqual(
    remotePortNumbers(
      { ...podSpec('a', 'http'), ports: [{ remote: 'http' }, { remote: 'x' }] },
      view([pod('a')]),
    ),
    [8080, undefined],
  );
});
