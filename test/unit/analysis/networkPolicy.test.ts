/**
 * NetworkPolicy evaluation against the examples of the Kubernetes documentation,
 * https://kubernetes.io/docs/concepts/services-networking/network-policies/ (the test-network-policy
 * example, the default policies, the namespaceSelector/podSelector AND-versus-OR example, the
 * endPort example, targeting a namespace by name, policyTypes defaulting), followed by the corners
 * of the API the documentation states in prose, the structured verdict and its reasons.
 *
 * Expected values restate what the documentation says each policy does; the upstream conformance
 * truth tables are in networkPolicy.conformance.test.ts.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { Namespace, NetworkPolicy, Pod, Protocol } from '../../../src/analysis/k8s.ts';
import type { Endpoint, PodEndpoint } from '../../../src/analysis/networkPolicy.ts';
import {
  effectivePolicyTypes,
  evaluateConnection,
  podEndpoint,
  selectingPolicies,
} from '../../../src/analysis/networkPolicy.ts';
import { policy } from './netpolModel.ts';

function pod(namespace: string, name: string, labels: Record<string, string>, ip: string): PodEndpoint {
  return { kind: 'pod', namespace, name, labels, ip };
}

function external(ip: string): Endpoint {
  return { kind: 'external', ip };
}

interface World {
  readonly policies: readonly NetworkPolicy[];
  readonly namespaces: readonly Namespace[];
}

function allowed(
  world: World,
  source: Endpoint,
  destination: Endpoint,
  port: number,
  protocol: Protocol = 'TCP',
) {
  return evaluateConnection({ ...world, source, destination, port, protocol }).allowed;
}

describe('docs: the test-network-policy example', () => {
  // "isolates role=db pods in the default namespace for both ingress and egress traffic"
  const testNetworkPolicy = policy('default', 'test-network-policy', {
    podSelector: { matchLabels: { role: 'db' } },
    policyTypes: ['Ingress', 'Egress'],
    ingress: [
      {
        from: [
          { ipBlock: { cidr: '172.17.0.0/16', except: ['172.17.1.0/24'] } },
          { namespaceSelector: { matchLabels: { project: 'myproject' } } },
          { podSelector: { matchLabels: { role: 'frontend' } } },
        ],
        ports: [{ protocol: 'TCP', port: 6379 }],
      },
    ],
    egress: [{ to: [{ ipBlock: { cidr: '10.0.0.0/24' } }], ports: [{ protocol: 'TCP', port: 5978 }] }],
  });
  const world: World = {
    policies: [testNetworkPolicy],
    namespaces: [
      { metadata: { name: 'default' } },
      { metadata: { name: 'myproject', labels: { project: 'myproject' } } },
      { metadata: { name: 'other' } },
    ],
  };
  const db = pod('default', 'db', { role: 'db' }, '10.244.0.10');
  const frontend = pod('default', 'frontend', { role: 'frontend' }, '10.244.0.11');
  const backend = pod('default', 'backend', { role: 'backend' }, '10.244.0.12');
  const projectPod = pod('myproject', 'client', { app: 'client' }, '10.244.1.10');
  const otherFrontend = pod('other', 'frontend', { role: 'frontend' }, '10.244.2.10');

  test('admits role=frontend pods of the default namespace on TCP 6379', () => {
    assert.equal(allowed(world, frontend, db, 6379), true);
  });

  test('admits any pod of a namespace labelled project=myproject', () => {
    assert.equal(allowed(world, projectPod, db, 6379), true);
  });

  test('does not admit other pods of the default namespace', () => {
    assert.equal(allowed(world, backend, db, 6379), false);
  });

  test('podSelector alone means the policy namespace: role=frontend elsewhere is not admitted', () => {
    assert.equal(allowed(world, otherFrontend, db, 6379), false);
  });

  test('admits 172.17.0.0–172.17.0.255 and 172.17.2.0–172.17.255.255, not 172.17.1.0/24', () => {
    for (const ip of [
      '172.17.0.0',
      '172.17.0.5',
      '172.17.0.255',
      '172.17.2.0',
      '172.17.200.1',
      '172.17.255.255',
    ]) {
      assert.equal(allowed(world, external(ip), db, 6379), true, ip);
    }
    for (const ip of ['172.17.1.0', '172.17.1.5', '172.17.1.255', '172.18.0.1', '172.16.255.255']) {
      assert.equal(allowed(world, external(ip), db, 6379), false, ip);
    }
  });

  test('admits only TCP 6379', () => {
    assert.equal(allowed(world, frontend, db, 6380), false);
    assert.equal(allowed(world, frontend, db, 6379, 'UDP'), false);
  });

  test('lets db reach 10.0.0.0/24 on TCP 5978 and nothing else', () => {
    assert.equal(allowed(world, db, external('10.0.0.5'), 5978), true);
    assert.equal(allowed(world, db, external('10.0.0.255'), 5978), true);
    assert.equal(allowed(world, db, external('10.0.0.5'), 5979), false);
    assert.equal(allowed(world, db, external('10.0.0.5'), 5978, 'UDP'), false);
    assert.equal(allowed(world, db, external('10.0.1.5'), 5978), false);
    assert.equal(allowed(world, db, frontend, 5978), false);
  });

  test('leaves pods it does not select alone', () => {
    assert.equal(allowed(world, backend, frontend, 8080), true);
    assert.equal(allowed(world, external('192.0.2.1'), frontend, 80), true);
    assert.equal(allowed(world, frontend, external('192.0.2.1'), 443), true);
  });
});

describe('docs: default policies', () => {
  const namespaces = [{ metadata: { name: 'default' } }, { metadata: { name: 'other' } }];
  const inside = pod('default', 'web', { app: 'web' }, '10.244.0.20');
  const neighbour = pod('default', 'api', { app: 'api' }, '10.244.0.21');
  const outside = pod('other', 'client', { app: 'client' }, '10.244.3.20');

  const defaultDenyIngress = policy('default', 'default-deny-ingress', {
    podSelector: {},
    policyTypes: ['Ingress'],
  });
  const allowAllIngress = policy('default', 'allow-all-ingress', {
    podSelector: {},
    ingress: [{}],
    policyTypes: ['Ingress'],
  });
  const defaultDenyEgress = policy('default', 'default-deny-egress', {
    podSelector: {},
    policyTypes: ['Egress'],
  });
  const allowAllEgress = policy('default', 'allow-all-egress', {
    podSelector: {},
    egress: [{}],
    policyTypes: ['Egress'],
  });
  const defaultDenyAll = policy('default', 'default-deny-all', {
    podSelector: {},
    policyTypes: ['Ingress', 'Egress'],
  });

  test('default deny all ingress traffic isolates every pod of the namespace, without touching egress', () => {
    const world = { policies: [defaultDenyIngress], namespaces };
    assert.equal(allowed(world, outside, inside, 80), false);
    assert.equal(allowed(world, neighbour, inside, 80), false);
    assert.equal(allowed(world, external('203.0.113.1'), inside, 80), false);
    assert.equal(allowed(world, inside, outside, 80), true);
  });

  test('allow all ingress traffic wins over policies that isolate the pods', () => {
    const world = { policies: [defaultDenyIngress, allowAllIngress], namespaces };
    assert.equal(allowed(world, outside, inside, 80), true);
    assert.equal(allowed(world, external('203.0.113.1'), inside, 9999, 'UDP'), true);
  });

  test('default deny all egress traffic isolates every pod of the namespace, without touching ingress', () => {
    const world = { policies: [defaultDenyEgress], namespaces };
    assert.equal(allowed(world, inside, outside, 80), false);
    assert.equal(allowed(world, inside, neighbour, 80), false);
    assert.equal(allowed(world, inside, external('203.0.113.1'), 443), false);
    assert.equal(allowed(world, outside, inside, 80), true);
  });

  test('allow all egress traffic wins over policies that isolate the pods', () => {
    const world = { policies: [defaultDenyEgress, allowAllEgress], namespaces };
    assert.equal(allowed(world, inside, external('203.0.113.1'), 443), true);
    assert.equal(allowed(world, inside, outside, 53, 'UDP'), true);
  });

  test('default deny all ingress and all egress traffic', () => {
    const world = { policies: [defaultDenyAll], namespaces };
    assert.equal(allowed(world, inside, neighbour, 80), false);
    assert.equal(allowed(world, outside, inside, 80), false);
    assert.equal(allowed(world, inside, external('203.0.113.1'), 443), false);
    assert.equal(allowed(world, outside, pod('other', 'server', {}, '10.244.3.21'), 80), true);
  });
});

describe('docs: behaviour of to and from selectors', () => {
  const namespaces = [
    { metadata: { name: 'shop' } },
    { metadata: { name: 'alice-ns', labels: { user: 'alice' } } },
    { metadata: { name: 'bob-ns', labels: { user: 'bob' } } },
  ];
  const server = pod('shop', 'server', { app: 'server' }, '10.244.0.30');
  const aliceClient = pod('alice-ns', 'client', { role: 'client' }, '10.244.1.30');
  const aliceOther = pod('alice-ns', 'other', { role: 'other' }, '10.244.1.31');
  const localClient = pod('shop', 'client', { role: 'client' }, '10.244.0.31');
  const bobClient = pod('bob-ns', 'client', { role: 'client' }, '10.244.2.30');

  test('one from element with namespaceSelector and podSelector: role=client pods in user=alice namespaces', () => {
    const and = policy('shop', 'and', {
      podSelector: { matchLabels: { app: 'server' } },
      ingress: [
        {
          from: [
            {
              namespaceSelector: { matchLabels: { user: 'alice' } },
              podSelector: { matchLabels: { role: 'client' } },
            },
          ],
        },
      ],
    });
    const world = { policies: [and], namespaces };
    assert.equal(allowed(world, aliceClient, server, 80), true);
    assert.equal(allowed(world, aliceOther, server, 80), false);
    assert.equal(allowed(world, localClient, server, 80), false);
    assert.equal(allowed(world, bobClient, server, 80), false);
  });

  test('two from elements: role=client pods of the local namespace, or any pod of user=alice namespaces', () => {
    const or = policy('shop', 'or', {
      podSelector: { matchLabels: { app: 'server' } },
      ingress: [
        {
          from: [
            { namespaceSelector: { matchLabels: { user: 'alice' } } },
            { podSelector: { matchLabels: { role: 'client' } } },
          ],
        },
      ],
    });
    const world = { policies: [or], namespaces };
    assert.equal(allowed(world, aliceClient, server, 80), true);
    assert.equal(allowed(world, aliceOther, server, 80), true);
    assert.equal(allowed(world, localClient, server, 80), true);
    assert.equal(allowed(world, bobClient, server, 80), false);
  });

  test('targeting a namespace by its name through kubernetes.io/metadata.name', () => {
    const byName = policy('shop', 'by-name', {
      podSelector: { matchLabels: { app: 'server' } },
      ingress: [
        { from: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'bob-ns' } } }] },
      ],
    });
    const world = { policies: [byName], namespaces };
    assert.equal(allowed(world, bobClient, server, 80), true);
    assert.equal(allowed(world, aliceClient, server, 80), false);
  });
});

describe('docs: targeting a range of ports', () => {
  const endPortPolicy = policy('default', 'multi-port-egress', {
    podSelector: { matchLabels: { role: 'db' } },
    policyTypes: ['Egress'],
    egress: [
      {
        to: [{ ipBlock: { cidr: '10.0.0.0/24' } }],
        ports: [{ protocol: 'TCP', port: 32000, endPort: 32768 }],
      },
    ],
  });
  const world = { policies: [endPortPolicy], namespaces: [{ metadata: { name: 'default' } }] };
  const db = pod('default', 'db', { role: 'db' }, '10.244.0.10');

  test('allows any port from 32000 to 32768 inclusive towards 10.0.0.0/24 over TCP', () => {
    for (const port of [32000, 32001, 32500, 32767, 32768]) {
      assert.equal(allowed(world, db, external('10.0.0.7'), port), true, String(port));
    }
  });

  test('endPort counts only with a numeric port, and an inverted range holds nothing', () => {
    // The API rejects both; a manifest being edited can still hold them.
    const odd = policy('default', 'odd', {
      podSelector: {},
      policyTypes: ['Egress'],
      egress: [
        {
          ports: [
            { port: 'https', endPort: 9000 },
            { port: 8000, endPort: 7000 },
          ],
        },
      ],
    });
    const server: PodEndpoint = {
      kind: 'pod',
      namespace: 'default',
      name: 'server',
      labels: {},
      ip: '10.244.0.99',
      containerPorts: [{ name: 'https', containerPort: 8443 }],
    };
    const oddWorld = { policies: [odd], namespaces: [] };
    assert.equal(allowed(oddWorld, db, server, 8443), true);
    assert.equal(allowed(oddWorld, db, server, 8444), false);
    assert.equal(allowed(oddWorld, db, server, 7500), false);
    assert.equal(allowed(oddWorld, db, server, 8000), false);
  });

  test('refuses ports outside the range, other protocols and other destinations', () => {
    assert.equal(allowed(world, db, external('10.0.0.7'), 31999), false);
    assert.equal(allowed(world, db, external('10.0.0.7'), 32769), false);
    assert.equal(allowed(world, db, external('10.0.0.7'), 32000, 'UDP'), false);
    assert.equal(allowed(world, db, external('10.0.1.7'), 32000), false);
  });
});

describe('docs: policyTypes defaulting', () => {
  test('Ingress is always set, Egress when the policy has egress rules', () => {
    assert.deepEqual(effectivePolicyTypes(policy('a', 'p', { podSelector: {} })), ['Ingress']);
    assert.deepEqual(effectivePolicyTypes(policy('a', 'p', { podSelector: {}, ingress: [{}] })), ['Ingress']);
    assert.deepEqual(effectivePolicyTypes(policy('a', 'p', { podSelector: {}, egress: [{}] })), [
      'Ingress',
      'Egress',
    ]);
    assert.deepEqual(effectivePolicyTypes(policy('a', 'p', { podSelector: {}, policyTypes: ['Egress'] })), [
      'Egress',
    ]);
  });

  test('an empty egress list is no egress rule: the policy governs ingress only', () => {
    // The API server defaults on len(spec.egress), so `egress: []` alone isolates for ingress.
    assert.deepEqual(effectivePolicyTypes(policy('a', 'p', { podSelector: {}, egress: [] })), ['Ingress']);
    assert.deepEqual(effectivePolicyTypes(policy('a', 'p', { podSelector: {}, policyTypes: [] })), [
      'Ingress',
    ]);
  });

  test('a policy with egress rules and no policyTypes isolates for ingress too', () => {
    const egressOnlyRules = policy('default', 'dns-only', {
      podSelector: {},
      egress: [{ ports: [{ protocol: 'UDP', port: 53 }] }],
    });
    const world = { policies: [egressOnlyRules], namespaces: [] };
    const a = pod('default', 'a', {}, '10.244.0.1');
    const b = pod('default', 'b', {}, '10.244.0.2');
    assert.equal(allowed(world, a, external('10.96.0.10'), 53, 'UDP'), true);
    assert.equal(allowed(world, a, external('10.96.0.10'), 53, 'TCP'), false);
    assert.equal(
      allowed(world, external('10.0.0.1'), b, 80),
      false,
      'ingress is isolated with no ingress rule',
    );
  });
});

describe('NetworkPolicy semantics', () => {
  const namespaces = [
    { metadata: { name: 'shop', labels: { team: 'shop' } } },
    { metadata: { name: 'ops' } },
  ];
  const db: PodEndpoint = {
    kind: 'pod',
    namespace: 'shop',
    name: 'db-0',
    labels: { app: 'db' },
    ip: '10.244.0.40',
    containerPorts: [
      { name: 'postgres', containerPort: 5432 },
      { name: 'metrics', containerPort: 9187, protocol: 'TCP' },
      { name: 'dns', containerPort: 5353, protocol: 'UDP' },
    ],
  };
  const frontend = pod('shop', 'frontend-1', { app: 'frontend' }, '10.244.0.41');
  const prometheus = pod('ops', 'prometheus-0', { app: 'prometheus' }, '10.244.5.2');

  test('a policy in another namespace selects nothing here', () => {
    const elsewhere = policy('ops', 'deny-all', { podSelector: {}, policyTypes: ['Ingress'] });
    assert.equal(allowed({ policies: [elsewhere], namespaces }, frontend, db, 5432), true);
  });

  test('a policy without namespace applies to the default namespace', () => {
    const unplaced: NetworkPolicy = { metadata: { name: 'deny' }, spec: { podSelector: {} } };
    const inDefault = pod('default', 'x', {}, '10.244.9.1');
    assert.equal(allowed({ policies: [unplaced], namespaces }, frontend, inDefault, 80), false);
    assert.equal(allowed({ policies: [unplaced], namespaces }, inDefault, frontend, 80), true);
  });

  test('a manifest without podSelector selects every pod of its namespace', () => {
    const noSelector: NetworkPolicy = { metadata: { name: 'deny', namespace: 'shop' }, spec: {} };
    assert.equal(allowed({ policies: [noSelector], namespaces }, frontend, db, 5432), false);
  });

  test('rules of different policies add up', () => {
    const fromFrontend = policy('shop', 'from-frontend', {
      podSelector: { matchLabels: { app: 'db' } },
      ingress: [{ from: [{ podSelector: { matchLabels: { app: 'frontend' } } }], ports: [{ port: 5432 }] }],
    });
    const fromOps = policy('shop', 'from-ops', {
      podSelector: { matchLabels: { app: 'db' } },
      ingress: [{ from: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'ops' } } }] }],
    });
    const world = { policies: [fromFrontend, fromOps], namespaces };
    assert.equal(allowed(world, frontend, db, 5432), true);
    assert.equal(allowed(world, frontend, db, 9187), false);
    assert.equal(allowed(world, prometheus, db, 9187), true);
  });

  test('a named port resolves against the destination pod with the rule protocol', () => {
    const byName = policy('shop', 'metrics', {
      podSelector: { matchLabels: { app: 'db' } },
      ingress: [{ ports: [{ port: 'metrics' }, { port: 'dns', protocol: 'UDP' }] }],
    });
    const world = { policies: [byName], namespaces };
    assert.equal(allowed(world, prometheus, db, 9187), true);
    assert.equal(allowed(world, prometheus, db, 9187, 'UDP'), false);
    assert.equal(allowed(world, prometheus, db, 5353, 'UDP'), true);
    assert.equal(allowed(world, prometheus, db, 5353, 'TCP'), false);
    assert.equal(allowed(world, prometheus, db, 5432), false);
  });

  test('a named port in an egress rule resolves against the destination, never against the source', () => {
    const egressByName = policy('shop', 'to-postgres', {
      podSelector: { matchLabels: { app: 'frontend' } },
      policyTypes: ['Egress'],
      egress: [{ ports: [{ port: 'postgres' }] }],
    });
    const frontendDeclaringPostgres: PodEndpoint = {
      ...frontend,
      containerPorts: [{ name: 'postgres', containerPort: 6000 }],
    };
    const world = { policies: [egressByName], namespaces };
    assert.equal(allowed(world, frontendDeclaringPostgres, db, 5432), true);
    assert.equal(allowed(world, frontendDeclaringPostgres, db, 6000), false);
    assert.equal(
      allowed(world, frontendDeclaringPostgres, external('192.0.2.8'), 5432),
      false,
      'no pod, no names',
    );
  });

  test('ipBlock matches pod addresses too, as the common network plugins do', () => {
    const fromPodRange = policy('shop', 'from-range', {
      podSelector: { matchLabels: { app: 'db' } },
      ingress: [{ from: [{ ipBlock: { cidr: '10.244.5.0/24' } }] }],
    });
    const world = { policies: [fromPodRange], namespaces };
    assert.equal(allowed(world, prometheus, db, 5432), true);
    assert.equal(allowed(world, frontend, db, 5432), false);
  });

  test('a pod without an address matches no ipBlock, but still matches selectors', () => {
    const pending: PodEndpoint = {
      kind: 'pod',
      namespace: 'ops',
      name: 'pending',
      labels: { app: 'prometheus' },
    };
    const viaBlock = policy('shop', 'from-range', {
      podSelector: {},
      ingress: [{ from: [{ ipBlock: { cidr: '0.0.0.0/0' } }] }],
    });
    const viaSelector = policy('shop', 'from-ops', {
      podSelector: {},
      ingress: [{ from: [{ namespaceSelector: {} }] }],
    });
    assert.equal(allowed({ policies: [viaBlock], namespaces }, pending, db, 5432), false);
    assert.equal(allowed({ policies: [viaSelector], namespaces }, pending, db, 5432), true);
  });

  test('selectors never match an address outside the cluster', () => {
    const everyPod = policy('shop', 'every-pod', {
      podSelector: {},
      ingress: [{ from: [{ namespaceSelector: {} }] }],
    });
    const world = { policies: [everyPod], namespaces };
    assert.equal(allowed(world, prometheus, db, 5432), true);
    assert.equal(allowed(world, external('192.0.2.1'), db, 5432), false);
  });

  test('IPv6 ipBlocks work like IPv4 ones', () => {
    const v6 = policy('shop', 'v6', {
      podSelector: {},
      ingress: [{ from: [{ ipBlock: { cidr: '2001:db8::/32', except: ['2001:db8:dead::/48'] } }] }],
    });
    const world = { policies: [v6], namespaces };
    assert.equal(allowed(world, external('2001:db8:1::5'), db, 5432), true);
    assert.equal(allowed(world, external('2001:db8:dead::5'), db, 5432), false);
    assert.equal(allowed(world, external('2001:db9::5'), db, 5432), false);
  });

  test('a pod connecting to itself is allowed whatever its policies: "a pod cannot block access to itself"', () => {
    const denyAll = policy('shop', 'deny', { podSelector: {}, policyTypes: ['Ingress', 'Egress'] });
    assert.equal(allowed({ policies: [denyAll], namespaces }, db, db, 5432), true);
  });

  test('both directions must allow: egress of the source and ingress of the destination', () => {
    const denyEgress = policy('shop', 'no-egress', {
      podSelector: { matchLabels: { app: 'frontend' } },
      policyTypes: ['Egress'],
    });
    const allowIngress = policy('shop', 'db-open', {
      podSelector: { matchLabels: { app: 'db' } },
      ingress: [{}],
    });
    const verdict = evaluateConnection({
      policies: [denyEgress, allowIngress],
      namespaces,
      source: frontend,
      destination: db,
      port: 5432,
    });
    assert.equal(verdict.allowed, false);
    assert.equal(verdict.egress.allowed, false);
    assert.equal(verdict.ingress.allowed, true);
  });

  test('a malformed selector in a peer matches nothing', () => {
    const broken = policy('shop', 'broken', {
      podSelector: {},
      ingress: [
        { from: [{ podSelector: { matchExpressions: [{ key: 'app', operator: 'In', values: [] }] } }] },
      ],
    });
    assert.equal(allowed({ policies: [broken], namespaces }, frontend, db, 5432), false);
  });

  test('an empty peer matches nothing, as the API would have refused it', () => {
    const emptyPeer = policy('shop', 'empty-peer', { podSelector: {}, ingress: [{ from: [{}] }] });
    assert.equal(allowed({ policies: [emptyPeer], namespaces }, frontend, db, 5432), false);
  });

  test('from: [] and ports: [] mean every peer and every port', () => {
    const open = policy('shop', 'open', { podSelector: {}, ingress: [{ from: [], ports: [] }] });
    assert.equal(allowed({ policies: [open], namespaces }, external('192.0.2.1'), db, 1, 'SCTP'), true);
  });

  test('a namespace missing from the list is known by its name only', () => {
    const fromTeam = policy('shop', 'team', {
      podSelector: {},
      ingress: [{ from: [{ namespaceSelector: { matchLabels: { team: 'shop' } } }] }],
    });
    const unknown = pod('unlisted', 'client', {}, '10.244.7.1');
    const world = { policies: [fromTeam], namespaces };
    assert.equal(allowed(world, frontend, db, 5432), true);
    assert.equal(allowed(world, unknown, db, 5432), false);
    const byName = policy('shop', 'by-name', {
      podSelector: {},
      ingress: [
        { from: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'unlisted' } } }] },
      ],
    });
    assert.equal(allowed({ policies: [byName], namespaces }, unknown, db, 5432), true);
  });
});

describe('verdicts and reasons', () => {
  const namespaces = [{ metadata: { name: 'shop' } }];
  const db: PodEndpoint = {
    kind: 'pod',
    namespace: 'shop',
    name: 'db-0',
    labels: { app: 'db' },
    ip: '10.244.0.40',
  };
  const frontend = pod('shop', 'frontend-1', { app: 'frontend' }, '10.244.0.41');
  const denyDb = policy('shop', 'deny-db', {
    podSelector: { matchLabels: { app: 'db' } },
    ingress: [{ from: [{ podSelector: { matchLabels: { app: 'backup' } } }] }],
  });

  test('a denial names the isolating policy, the pod and the port', () => {
    const verdict = evaluateConnection({
      policies: [denyDb],
      namespaces,
      source: frontend,
      destination: db,
      port: 5432,
    });
    assert.equal(verdict.allowed, false);
    assert.deepEqual(verdict.ingress, {
      direction: 'ingress',
      isolated: true,
      allowed: false,
      outcome: 'denied',
      selectingPolicies: ['shop/deny-db'],
      reason: 'policy shop/deny-db isolates db-0 for ingress and no rule admits frontend-1 on TCP 5432',
    });
    assert.equal(verdict.egress.isolated, false);
    assert.equal(
      verdict.egress.reason,
      'no NetworkPolicy in namespace shop selects frontend-1 for egress, so its egress is not restricted',
    );
    assert.equal(
      verdict.reason,
      'shop/frontend-1 may not connect to shop/db-0 on TCP 5432: policy shop/deny-db isolates db-0 for ingress and no rule admits frontend-1 on TCP 5432',
    );
  });

  test('an admission points at the rule, the peer and the port that matched', () => {
    const allowFrontend = policy('shop', 'allow-frontend', {
      podSelector: { matchLabels: { app: 'db' } },
      ingress: [
        { from: [{ ipBlock: { cidr: '192.0.2.0/24' } }] },
        {
          from: [
            { podSelector: { matchLabels: { app: 'backup' } } },
            { podSelector: { matchLabels: { app: 'frontend' } } },
          ],
          ports: [{ port: 6379 }, { port: 5432 }],
        },
      ],
    });
    const verdict = evaluateConnection({
      policies: [denyDb, allowFrontend],
      namespaces,
      source: frontend,
      destination: db,
      port: 5432,
    });
    assert.equal(verdict.allowed, true);
    assert.deepEqual(verdict.ingress.selectingPolicies, ['shop/deny-db', 'shop/allow-frontend']);
    assert.deepEqual(verdict.ingress.allowedBy, {
      policy: 'shop/allow-frontend',
      ruleIndex: 1,
      peerIndex: 1,
      portIndex: 1,
    });
    assert.equal(
      verdict.ingress.reason,
      'policy shop/allow-frontend admits frontend-1 to db-0 on TCP 5432 (ingress[1].from[1])',
    );
  });

  test('a rule without peers or ports has no peer or port index', () => {
    const open = policy('shop', 'open', { podSelector: {}, ingress: [{}] });
    const verdict = evaluateConnection({
      policies: [open],
      namespaces,
      source: frontend,
      destination: db,
      port: 1,
    });
    assert.deepEqual(verdict.ingress.allowedBy, { policy: 'shop/open', ruleIndex: 0 });
    assert.equal(verdict.ingress.reason, 'policy shop/open admits frontend-1 to db-0 on TCP 1 (ingress[0])');
  });

  test('a near miss on the port is spelled out', () => {
    const redisOnly = policy('shop', 'redis-only', {
      podSelector: { matchLabels: { app: 'db' } },
      ingress: [{ from: [{ podSelector: {} }], ports: [{ port: 6379 }, { port: 'admin', protocol: 'UDP' }] }],
    });
    const verdict = evaluateConnection({
      policies: [redisOnly],
      namespaces,
      source: frontend,
      destination: db,
      port: 5432,
    });
    assert.equal(
      verdict.ingress.reason,
      'policy shop/redis-only isolates db-0 for ingress and no rule admits frontend-1 on TCP 5432 (shop/redis-only ingress[0] matches frontend-1 but only on TCP 6379 or UDP port "admin")',
    );
  });

  test('a policy with no rules for the direction is called out', () => {
    const lockdown = policy('shop', 'lockdown', { podSelector: {}, policyTypes: ['Ingress', 'Egress'] });
    const verdict = evaluateConnection({
      policies: [lockdown],
      namespaces,
      source: frontend,
      destination: db,
      port: 5432,
    });
    assert.equal(
      verdict.egress.reason,
      'policy shop/lockdown isolates frontend-1 for egress and has no egress rules, so it may not connect anywhere',
    );
    assert.equal(
      verdict.ingress.reason,
      'policy shop/lockdown isolates db-0 for ingress and has no ingress rules, so nothing may connect to it',
    );
  });

  test('egress denials say where the pod may not go; other namespaces are qualified', () => {
    const onlyDns = policy('shop', 'only-dns', {
      podSelector: { matchLabels: { app: 'frontend' } },
      policyTypes: ['Egress'],
      egress: [{ ports: [{ port: 53, protocol: 'UDP' }] }],
    });
    const api = pod('payments', 'api-0', { app: 'api' }, '10.244.8.1');
    const verdict = evaluateConnection({
      policies: [onlyDns],
      namespaces,
      source: frontend,
      destination: api,
      port: 443,
    });
    assert.equal(
      verdict.egress.reason,
      'policy shop/only-dns isolates frontend-1 for egress and no rule lets it reach payments/api-0 on TCP 443 (shop/only-dns egress[0] matches payments/api-0 but only on UDP 53)',
    );
    assert.equal(
      verdict.ingress.reason.startsWith('no NetworkPolicy in namespace payments selects api-0'),
      true,
    );
  });

  test('endpoints outside the cluster are never isolated', () => {
    const verdict = evaluateConnection({
      policies: [denyDb],
      namespaces,
      source: external('198.51.100.7'),
      destination: external('198.51.100.8'),
      port: 80,
    });
    assert.equal(verdict.allowed, true);
    assert.equal(
      verdict.egress.reason,
      '198.51.100.7 is not a pod, so no NetworkPolicy governs traffic out of it',
    );
    assert.equal(
      verdict.ingress.reason,
      '198.51.100.8 is not a pod, so no NetworkPolicy governs traffic into it',
    );
  });
});

describe('selectingPolicies and podEndpoint', () => {
  const policies = [
    policy('shop', 'db-ingress', { podSelector: { matchLabels: { app: 'db' } } }),
    policy('shop', 'all-egress', { podSelector: {}, policyTypes: ['Egress'] }),
    policy('ops', 'db-elsewhere', { podSelector: { matchLabels: { app: 'db' } } }),
    policy('shop', 'web', { podSelector: { matchLabels: { app: 'web' } } }),
  ];
  const dbPod: Pod = {
    metadata: { name: 'db-0', namespace: 'shop', labels: { app: 'db' } },
    spec: {
      containers: [{ name: 'postgres', ports: [{ name: 'postgres', containerPort: 5432 }] }],
      initContainers: [
        { name: 'proxy', restartPolicy: 'Always', ports: [{ name: 'proxy', containerPort: 15001 }] },
        { name: 'migrate', ports: [{ name: 'ignored', containerPort: 1 }] },
      ],
    },
    status: { podIP: '10.244.0.40', phase: 'Running' },
  };

  test('policies of the pod namespace whose podSelector matches, optionally per direction', () => {
    const names = (list: readonly NetworkPolicy[]) => list.map((item) => item.metadata.name);
    assert.deepEqual(names(selectingPolicies(dbPod, policies)), ['db-ingress', 'all-egress']);
    assert.deepEqual(names(selectingPolicies(dbPod, policies, 'ingress')), ['db-ingress']);
    assert.deepEqual(names(selectingPolicies(dbPod, policies, 'egress')), ['all-egress']);
  });

  test('a pod becomes an endpoint with its labels, address and served ports (sidecars included)', () => {
    assert.deepEqual(podEndpoint(dbPod), {
      kind: 'pod',
      namespace: 'shop',
      name: 'db-0',
      labels: { app: 'db' },
      ip: '10.244.0.40',
      containerPorts: [
        { name: 'postgres', containerPort: 5432 },
        { name: 'proxy', containerPort: 15001 },
      ],
    });
  });

  test('a host-network pod is an address outside NetworkPolicy', () => {
    const agent: Pod = {
      metadata: { name: 'agent', namespace: 'kube-system' },
      spec: { hostNetwork: true },
      status: { podIP: '192.168.1.5' },
    };
    assert.deepEqual(podEndpoint(agent), {
      kind: 'external',
      ip: '192.168.1.5',
      name: 'host-network pod kube-system/agent',
    });
  });
});
