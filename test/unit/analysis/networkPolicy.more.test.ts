/**
 * More NetworkPolicy cases, beyond the documentation examples (networkPolicy.test.ts) and the
 * upstream conformance truth tables (networkPolicy.conformance.test.ts): namespaceSelector with
 * podSelector, ipBlock with except, named ports, endPort, egress-only and ingress-only policies,
 * default deny, and several policies adding up.
 *
 * Every expectation is written by hand from the semantics the Kubernetes documentation states
 * (https://kubernetes.io/docs/concepts/services-networking/network-policies/ and the
 * networking.k8s.io/v1 API reference):
 * - a peer with both namespaceSelector and podSelector selects the pods matching podSelector in the
 *   namespaces matching namespaceSelector; podSelector alone means the policy's namespace;
 * - a label selector's NotIn and DoesNotExist hold when the label is absent;
 * - ipBlock is cidr minus every except block; it is matched against addresses (pods included, as
 *   the common plugins do);
 * - a named port is the destination pod's container port of that name and the rule's protocol
 *   (TCP by default); endPort makes an inclusive range with a numeric port;
 * - policyTypes says which directions a policy isolates; a rule list that is empty admits nothing;
 * - isolation and rules are per pod and per direction, and the rules of every policy that selects
 *   a pod add up (a union of whole rules: a peer of one rule does not combine with a port of another);
 * - a connection needs the source's egress and the destination's ingress.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { Namespace, NetworkPolicy, Protocol } from '../../../src/analysis/k8s.ts';
import type { Endpoint, PodEndpoint } from '../../../src/analysis/networkPolicy.ts';
import { evaluateConnection, podEndpoint } from '../../../src/analysis/networkPolicy.ts';
import { policy } from './netpolModel.ts';

const namespaces: Namespace[] = [
  { metadata: { name: 'prod', labels: { env: 'prod', team: 'web' } } },
  { metadata: { name: 'staging', labels: { env: 'staging', team: 'web' } } },
  { metadata: { name: 'monitoring', labels: { purpose: 'monitoring' } } },
  { metadata: { name: 'kube-system' } },
  // "legacy" is deliberately not listed: it has only kubernetes.io/metadata.name.
];

type Ports = PodEndpoint['containerPorts'];

function pod(
  namespace: string,
  name: string,
  labels: Record<string, string>,
  ip: string,
  ports: Ports = [],
): PodEndpoint {
  return { kind: 'pod', namespace, name, labels, ip, containerPorts: ports };
}

function external(ip: string): Endpoint {
  return { kind: 'external', ip };
}

const web = pod('prod', 'web-1', { app: 'web', tier: 'frontend' }, '10.1.0.10', [
  { name: 'http', containerPort: 8080 },
  { name: 'metrics', containerPort: 9100 },
]);
const api = pod('prod', 'api-1', { app: 'api', tier: 'backend' }, '10.1.0.20', [
  { name: 'http', containerPort: 8080 },
  { name: 'grpc', containerPort: 9090 },
  { name: 'admin', containerPort: 9443 },
  { name: 'stats', containerPort: 8125, protocol: 'UDP' },
]);
const db = pod('prod', 'db-0', { app: 'db' }, '10.1.0.30', [{ name: 'postgres', containerPort: 5432 }]);
const batch = pod('prod', 'batch', { app: 'batch' }, '10.1.0.40');
const unlabelled = pod('prod', 'debug', {}, '10.1.0.50');
const stagingWeb = pod('staging', 'web-1', { app: 'web', tier: 'frontend' }, '10.2.0.10', [
  { name: 'http', containerPort: 8080 },
]);
const stagingApi = pod('staging', 'api-1', { app: 'api' }, '10.2.0.20', [
  { name: 'http', containerPort: 8081 },
]);
const prometheus = pod('monitoring', 'prometheus-0', { app: 'prometheus' }, '10.3.0.5');
const coredns = pod('kube-system', 'coredns-1', { 'k8s-app': 'kube-dns' }, '10.4.0.2', [
  { name: 'dns', containerPort: 53, protocol: 'UDP' },
  { name: 'dns-tcp', containerPort: 53, protocol: 'TCP' },
]);
const legacyWeb = pod('legacy', 'old', { app: 'web' }, '10.5.0.9');
const legacyPrometheus = pod('legacy', 'prom', { app: 'prometheus' }, '10.5.0.10');

function allowed(
  policies: readonly NetworkPolicy[],
  source: Endpoint,
  destination: Endpoint,
  port: number,
  protocol: Protocol = 'TCP',
): boolean {
  return evaluateConnection({ policies, namespaces, source, destination, port, protocol }).allowed;
}

describe('namespaceSelector with podSelector in one peer: both must match', () => {
  const apiFromWebTeam = policy('prod', 'api-from-web-team', {
    podSelector: { matchLabels: { app: 'api' } },
    ingress: [
      {
        from: [
          {
            namespaceSelector: { matchLabels: { team: 'web' } },
            podSelector: { matchLabels: { app: 'web' } },
          },
        ],
      },
    ],
  });

  test('admits app=web pods of another namespace labelled team=web', () => {
    assert.equal(allowed([apiFromWebTeam], stagingWeb, api, 8080), true);
  });

  test("admits app=web pods of the policy's own namespace, which is labelled team=web too", () => {
    assert.equal(allowed([apiFromWebTeam], web, api, 8080), true);
  });

  test('refuses the other pods of a team=web namespace', () => {
    assert.equal(allowed([apiFromWebTeam], stagingApi, api, 8080), false);
    assert.equal(allowed([apiFromWebTeam], batch, api, 8080), false);
  });

  test('refuses app=web pods of a namespace without the label (an unlisted one included)', () => {
    assert.equal(allowed([apiFromWebTeam], legacyWeb, api, 8080), false);
  });

  test('namespaceSelector {} with a podSelector: pods with that label in every namespace, listed or not', () => {
    const fromAnyPrometheus = policy('prod', 'from-any-prometheus', {
      podSelector: { matchLabels: { app: 'api' } },
      ingress: [{ from: [{ namespaceSelector: {}, podSelector: { matchLabels: { app: 'prometheus' } } }] }],
    });
    assert.equal(allowed([fromAnyPrometheus], prometheus, api, 9100), true);
    assert.equal(allowed([fromAnyPrometheus], legacyPrometheus, api, 9100), true);
    assert.equal(allowed([fromAnyPrometheus], web, api, 9100), false);
  });

  test('podSelector {} with a namespaceSelector: every pod of the matching namespaces', () => {
    const fromWebTeam = policy('prod', 'from-web-team', {
      podSelector: { matchLabels: { app: 'api' } },
      ingress: [{ from: [{ namespaceSelector: { matchLabels: { team: 'web' } }, podSelector: {} }] }],
    });
    assert.equal(allowed([fromWebTeam], stagingApi, api, 8080), true);
    assert.equal(allowed([fromWebTeam], db, api, 8080), true);
    assert.equal(allowed([fromWebTeam], prometheus, api, 8080), false);
  });

  test('NotIn on namespaces holds for a namespace without the label', () => {
    const notProd = policy('prod', 'web-not-from-prod', {
      podSelector: { matchLabels: { app: 'api' } },
      ingress: [
        {
          from: [
            {
              namespaceSelector: { matchExpressions: [{ key: 'env', operator: 'NotIn', values: ['prod'] }] },
              podSelector: { matchLabels: { app: 'web' } },
            },
          ],
        },
      ],
    });
    assert.equal(allowed([notProd], stagingWeb, api, 8080), true);
    assert.equal(allowed([notProd], legacyWeb, api, 8080), true, 'legacy has no env label at all');
    assert.equal(allowed([notProd], web, api, 8080), false);
  });

  test('DoesNotExist on namespaces selects the namespaces without that label', () => {
    const notMonitoring = policy('prod', 'prometheus-outside-monitoring', {
      podSelector: { matchLabels: { app: 'api' } },
      ingress: [
        {
          from: [
            {
              namespaceSelector: { matchExpressions: [{ key: 'purpose', operator: 'DoesNotExist' }] },
              podSelector: { matchLabels: { app: 'prometheus' } },
            },
          ],
        },
      ],
    });
    assert.equal(allowed([notMonitoring], legacyPrometheus, api, 9100), true);
    assert.equal(allowed([notMonitoring], prometheus, api, 9100), false);
  });

  test('in an egress rule: only the kube-dns pods of kube-system, and only on DNS', () => {
    const dnsOnly = policy('prod', 'web-dns-only', {
      podSelector: { matchLabels: { app: 'web' } },
      policyTypes: ['Egress'],
      egress: [
        {
          to: [
            {
              namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'kube-system' } },
              podSelector: { matchLabels: { 'k8s-app': 'kube-dns' } },
            },
          ],
          ports: [{ protocol: 'UDP', port: 53 }],
        },
      ],
    });
    assert.equal(allowed([dnsOnly], web, coredns, 53, 'UDP'), true);
    assert.equal(allowed([dnsOnly], web, coredns, 53, 'TCP'), false);
    assert.equal(allowed([dnsOnly], web, api, 8080), false);
  });

  test("a podSelector next to a namespaceSelector is not tied to the policy's namespace", () => {
    const fromStagingWeb = policy('prod', 'from-staging-web', {
      podSelector: { matchLabels: { app: 'api' } },
      ingress: [
        {
          from: [
            {
              namespaceSelector: { matchLabels: { env: 'staging' } },
              podSelector: { matchLabels: { app: 'web' } },
            },
          ],
        },
      ],
    });
    assert.equal(allowed([fromStagingWeb], stagingWeb, api, 8080), true);
    assert.equal(allowed([fromStagingWeb], web, api, 8080), false, 'prod is not env=staging');
  });
});

describe('ipBlock with except', () => {
  const publicOnly = policy('prod', 'web-public-egress', {
    podSelector: { matchLabels: { app: 'web' } },
    policyTypes: ['Egress'],
    egress: [
      {
        to: [{ ipBlock: { cidr: '0.0.0.0/0', except: ['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16'] } }],
      },
    ],
  });

  test('0.0.0.0/0 minus the private ranges admits a public address', () => {
    assert.equal(allowed([publicOnly], web, external('203.0.113.7'), 443), true);
  });

  test('an address of an except block is refused', () => {
    assert.equal(allowed([publicOnly], web, external('192.168.1.5'), 443), false);
  });

  test('pod addresses inside an except block are refused too', () => {
    assert.equal(allowed([publicOnly], web, api, 8080), false);
  });

  test('the edges of an except block: first and last address in, neighbours out', () => {
    assert.equal(allowed([publicOnly], web, external('172.15.255.255'), 443), true);
    assert.equal(allowed([publicOnly], web, external('172.16.0.0'), 443), false);
    assert.equal(allowed([publicOnly], web, external('172.31.255.255'), 443), false);
    assert.equal(allowed([publicOnly], web, external('172.32.0.0'), 443), true);
  });

  test('an except block carved out of a narrower cidr', () => {
    // 10.1.0.0/16 minus 10.1.0.16/28 (10.1.0.16 to 10.1.0.31).
    const carved = policy('prod', 'carved', {
      podSelector: { matchLabels: { app: 'batch' } },
      policyTypes: ['Egress'],
      egress: [{ to: [{ ipBlock: { cidr: '10.1.0.0/16', except: ['10.1.0.16/28'] } }] }],
    });
    assert.equal(allowed([carved], batch, web, 8080), true, '10.1.0.10');
    assert.equal(allowed([carved], batch, api, 8080), false, '10.1.0.20');
    assert.equal(allowed([carved], batch, db, 5432), false, '10.1.0.30');
    assert.equal(allowed([carved], batch, stagingWeb, 8080), false, '10.2.0.10 is outside the cidr');
  });

  test('in an ingress rule, source addresses outside the cluster', () => {
    const fromOffice = policy('prod', 'from-office', {
      podSelector: { matchLabels: { app: 'api' } },
      ingress: [{ from: [{ ipBlock: { cidr: '192.168.0.0/16', except: ['192.168.1.0/24'] } }] }],
    });
    assert.equal(allowed([fromOffice], external('192.168.2.9'), api, 8080), true);
    assert.equal(allowed([fromOffice], external('192.168.1.5'), api, 8080), false);
    assert.equal(allowed([fromOffice], external('203.0.113.7'), api, 8080), false);
  });

  test('several ipBlocks of one rule add up, each except applying to its own block only', () => {
    const twoBlocks = policy('prod', 'two-blocks', {
      podSelector: { matchLabels: { app: 'api' } },
      ingress: [
        {
          from: [
            { ipBlock: { cidr: '192.168.0.0/16', except: ['192.168.1.0/24'] } },
            { ipBlock: { cidr: '192.168.1.0/28' } },
          ],
        },
      ],
    });
    assert.equal(allowed([twoBlocks], external('192.168.1.5'), api, 8080), true, 'in the second block');
    assert.equal(allowed([twoBlocks], external('192.168.1.20'), api, 8080), false, 'excepted, and past /28');
  });

  test('a /32 block is exactly one address', () => {
    const one = policy('prod', 'one-host', {
      podSelector: { matchLabels: { app: 'web' } },
      policyTypes: ['Egress'],
      egress: [{ to: [{ ipBlock: { cidr: '203.0.113.7/32' } }] }],
    });
    assert.equal(allowed([one], web, external('203.0.113.7'), 443), true);
    assert.equal(allowed([one], web, external('203.0.113.8'), 443), false);
  });

  test('an IPv4 block never holds an IPv6 address', () => {
    const everyV4 = policy('prod', 'every-v4', {
      podSelector: { matchLabels: { app: 'web' } },
      policyTypes: ['Egress'],
      egress: [{ to: [{ ipBlock: { cidr: '0.0.0.0/0' } }] }],
    });
    assert.equal(allowed([everyV4], web, external('2001:db8::1'), 443), false);
    assert.equal(allowed([everyV4], web, external('198.51.100.1'), 443), true);
  });

  test('an ipBlock peer and a podSelector peer of one rule are alternatives', () => {
    const either = policy('prod', 'either', {
      podSelector: { matchLabels: { app: 'api' } },
      ingress: [
        { from: [{ ipBlock: { cidr: '203.0.113.0/24' } }, { podSelector: { matchLabels: { app: 'web' } } }] },
      ],
    });
    assert.equal(allowed([either], web, api, 8080), true);
    assert.equal(allowed([either], external('203.0.113.7'), api, 8080), true);
    assert.equal(allowed([either], batch, api, 8080), false);
  });
});

describe('named ports', () => {
  test("an ingress rule's port name admits the number it has on the destination, and only that", () => {
    const http = policy('prod', 'api-http', {
      podSelector: { matchLabels: { app: 'api' } },
      ingress: [{ ports: [{ port: 'http' }] }],
    });
    assert.equal(allowed([http], web, api, 8080), true);
    assert.equal(allowed([http], web, api, 9090), false);
  });

  test('one name, different numbers on different pods', () => {
    const http = policy('staging', 'api-http', {
      podSelector: { matchLabels: { app: 'api' } },
      ingress: [{ ports: [{ port: 'http' }] }],
    });
    assert.equal(allowed([http], stagingWeb, stagingApi, 8081), true);
    assert.equal(allowed([http], stagingWeb, stagingApi, 8080), false);
  });

  test('a UDP rule port name matches the UDP container port of that name', () => {
    const stats = policy('prod', 'api-stats', {
      podSelector: { matchLabels: { app: 'api' } },
      ingress: [{ ports: [{ port: 'stats', protocol: 'UDP' }] }],
    });
    assert.equal(allowed([stats], web, api, 8125, 'UDP'), true);
    assert.equal(allowed([stats], web, api, 8125, 'TCP'), false);
  });

  test('a rule port name without protocol means TCP, so it misses a UDP container port of that name', () => {
    const stats = policy('prod', 'api-stats-tcp', {
      podSelector: { matchLabels: { app: 'api' } },
      ingress: [{ ports: [{ port: 'stats' }] }],
    });
    assert.equal(allowed([stats], web, api, 8125, 'UDP'), false);
    assert.equal(allowed([stats], web, api, 8125, 'TCP'), false);
  });

  test('a name the destination does not declare admits nothing', () => {
    const metrics = policy('prod', 'db-metrics', {
      podSelector: { matchLabels: { app: 'db' } },
      ingress: [{ ports: [{ port: 'metrics' }] }],
    });
    assert.equal(allowed([metrics], prometheus, db, 9100), false);
    assert.equal(allowed([metrics], prometheus, db, 5432), false);
  });

  test('an egress rule port name is looked up on each destination pod, never on an address', () => {
    const toHttp = policy('prod', 'web-to-http', {
      podSelector: { matchLabels: { app: 'web' } },
      policyTypes: ['Egress'],
      egress: [{ ports: [{ port: 'http' }] }],
    });
    assert.equal(allowed([toHttp], web, api, 8080), true);
    assert.equal(allowed([toHttp], web, stagingApi, 8081), true);
    assert.equal(allowed([toHttp], web, stagingApi, 8080), false);
    assert.equal(allowed([toHttp], web, external('203.0.113.7'), 8080), false);
  });

  test('a name and a number in one rule are alternatives', () => {
    const grpcOrAdmin = policy('prod', 'grpc-or-admin', {
      podSelector: { matchLabels: { app: 'api' } },
      ingress: [{ ports: [{ port: 'grpc' }, { port: 9443 }] }],
    });
    assert.equal(allowed([grpcOrAdmin], web, api, 9090), true);
    assert.equal(allowed([grpcOrAdmin], web, api, 9443), true);
    assert.equal(allowed([grpcOrAdmin], web, api, 8080), false);
  });

  test('a named port and a peer in one rule must both match', () => {
    const webHttp = policy('prod', 'web-http', {
      podSelector: { matchLabels: { app: 'api' } },
      ingress: [{ from: [{ podSelector: { matchLabels: { app: 'web' } } }], ports: [{ port: 'http' }] }],
    });
    assert.equal(allowed([webHttp], web, api, 8080), true);
    assert.equal(allowed([webHttp], batch, api, 8080), false);
    assert.equal(allowed([webHttp], web, api, 9090), false);
  });
});

describe('endPort', () => {
  test('a range holds both of its ends', () => {
    const range = policy('prod', 'range', {
      podSelector: { matchLabels: { app: 'api' } },
      ingress: [{ ports: [{ port: 9000, endPort: 9100 }] }],
    });
    for (const [port, expected] of [
      [8999, false],
      [9000, true],
      [9050, true],
      [9100, true],
      [9101, false],
    ] as const) {
      assert.equal(allowed([range], web, api, port), expected, String(port));
    }
  });

  test('endPort equal to port is a single port', () => {
    const single = policy('prod', 'single', {
      podSelector: { matchLabels: { app: 'api' } },
      ingress: [{ ports: [{ port: 9090, endPort: 9090 }] }],
    });
    assert.equal(allowed([single], web, api, 9090), true);
    assert.equal(allowed([single], web, api, 9091), false);
  });

  test('a range is for its protocol only', () => {
    const udpRange = policy('prod', 'udp-range', {
      podSelector: { matchLabels: { app: 'api' } },
      ingress: [{ ports: [{ protocol: 'UDP', port: 8000, endPort: 8200 }] }],
    });
    assert.equal(allowed([udpRange], web, api, 8125, 'UDP'), true);
    assert.equal(allowed([udpRange], web, api, 8125, 'TCP'), false);
  });

  test('several ranges of one rule add up, and what lies between them stays closed', () => {
    const ranges = policy('prod', 'ranges', {
      podSelector: { matchLabels: { app: 'api' } },
      ingress: [
        {
          ports: [
            { port: 8000, endPort: 8099 },
            { port: 9000, endPort: 9099 },
          ],
        },
      ],
    });
    assert.equal(allowed([ranges], web, api, 8080), true);
    assert.equal(allowed([ranges], web, api, 9090), true);
    assert.equal(allowed([ranges], web, api, 8500), false);
  });

  test('a range in an egress rule with a pod peer', () => {
    const toApiRange = policy('prod', 'web-to-api-range', {
      podSelector: { matchLabels: { app: 'web' } },
      policyTypes: ['Egress'],
      egress: [
        { to: [{ podSelector: { matchLabels: { app: 'api' } } }], ports: [{ port: 9000, endPort: 9500 }] },
      ],
    });
    assert.equal(allowed([toApiRange], web, api, 9443), true);
    assert.equal(allowed([toApiRange], web, db, 9443), false);
    assert.equal(allowed([toApiRange], web, api, 8080), false);
  });
});

describe('egress-only and ingress-only policies', () => {
  test('an Egress-only policy restricts where its pods go and leaves their ingress open', () => {
    const webOut = policy('prod', 'web-out', {
      podSelector: { matchLabels: { app: 'web' } },
      policyTypes: ['Egress'],
      egress: [{ to: [{ podSelector: { matchLabels: { app: 'api' } } }] }],
    });
    assert.equal(allowed([webOut], prometheus, web, 9100), true);
    assert.equal(allowed([webOut], web, api, 8080), true);
    assert.equal(allowed([webOut], web, db, 5432), false);
  });

  test('policyTypes [Ingress] ignores the egress rules the policy lists', () => {
    const ingressOnly = policy('prod', 'ingress-only', {
      podSelector: { matchLabels: { app: 'web' } },
      policyTypes: ['Ingress'],
      ingress: [{}],
      egress: [{ to: [{ podSelector: { matchLabels: { app: 'api' } } }] }],
    });
    assert.equal(allowed([ingressOnly], web, db, 5432), true);
    assert.equal(allowed([ingressOnly], web, external('203.0.113.7'), 443), true);
  });

  test('an Egress-only policy without rules cuts every connection out of its pods, DNS included', () => {
    const noWayOut = policy('prod', 'web-no-egress', {
      podSelector: { matchLabels: { app: 'web' } },
      policyTypes: ['Egress'],
    });
    assert.equal(allowed([noWayOut], web, coredns, 53, 'UDP'), false);
    assert.equal(allowed([noWayOut], web, external('203.0.113.7'), 443), false);
    assert.equal(allowed([noWayOut], api, db, 5432), true, 'api is not selected');
  });

  test('an Ingress-only policy with ingress: [] shuts its pods and no others', () => {
    const dbClosed = policy('prod', 'db-closed', {
      podSelector: { matchLabels: { app: 'db' } },
      policyTypes: ['Ingress'],
      ingress: [],
    });
    assert.equal(allowed([dbClosed], api, db, 5432), false);
    assert.equal(allowed([dbClosed], web, api, 8080), true);
  });

  test('an ingress-only and an egress-only policy on one pod are each judged on their own direction', () => {
    const apiIn = policy('prod', 'api-in', {
      podSelector: { matchLabels: { app: 'api' } },
      policyTypes: ['Ingress'],
      ingress: [{ from: [{ podSelector: { matchLabels: { app: 'web' } } }] }],
    });
    const apiOut = policy('prod', 'api-out', {
      podSelector: { matchLabels: { app: 'api' } },
      policyTypes: ['Egress'],
      egress: [{ to: [{ podSelector: { matchLabels: { app: 'db' } } }] }],
    });
    const both = [apiIn, apiOut];
    assert.equal(allowed(both, web, api, 8080), true);
    assert.equal(allowed(both, api, db, 5432), true);
    assert.equal(allowed(both, api, web, 8080), false, "api's egress allows only db");
    assert.equal(allowed(both, db, api, 8080), false, "api's ingress allows only web");
  });
});

describe('default deny', () => {
  const denyIngress = policy('prod', 'default-deny-ingress', { podSelector: {}, policyTypes: ['Ingress'] });
  const denyAll = policy('prod', 'default-deny-all', { podSelector: {}, policyTypes: ['Ingress', 'Egress'] });

  test('a default deny in one namespace leaves the other namespaces alone', () => {
    assert.equal(allowed([denyIngress], stagingWeb, stagingApi, 8081), true);
    assert.equal(allowed([denyIngress], stagingWeb, api, 8080), false);
  });

  test('podSelector {} selects pods that have no labels at all', () => {
    assert.equal(allowed([denyIngress], web, unlabelled, 8080), false);
  });

  test('default deny egress stops DNS until a DNS policy adds it back', () => {
    const allowDns = policy('prod', 'allow-dns', {
      podSelector: {},
      policyTypes: ['Egress'],
      egress: [
        {
          to: [{ namespaceSelector: {}, podSelector: { matchLabels: { 'k8s-app': 'kube-dns' } } }],
          ports: [
            { protocol: 'UDP', port: 53 },
            { protocol: 'TCP', port: 53 },
          ],
        },
      ],
    });
    assert.equal(allowed([denyAll], web, coredns, 53, 'UDP'), false);
    assert.equal(allowed([denyAll, allowDns], web, coredns, 53, 'UDP'), true);
    assert.equal(allowed([denyAll, allowDns], web, coredns, 53, 'TCP'), true);
    assert.equal(allowed([denyAll, allowDns], web, api, 8080), false);
  });

  test('default deny all, then one pair opened in both directions it needs', () => {
    const webToApi = policy('prod', 'web-to-api', {
      podSelector: { matchLabels: { app: 'web' } },
      policyTypes: ['Egress'],
      egress: [{ to: [{ podSelector: { matchLabels: { app: 'api' } } }], ports: [{ port: 8080 }] }],
    });
    const apiFromWeb = policy('prod', 'api-from-web', {
      podSelector: { matchLabels: { app: 'api' } },
      ingress: [{ from: [{ podSelector: { matchLabels: { app: 'web' } } }], ports: [{ port: 8080 }] }],
    });
    const policies = [denyAll, webToApi, apiFromWeb];
    assert.equal(allowed(policies, web, api, 8080), true);
    assert.equal(allowed(policies, api, web, 8080), false);
    assert.equal(allowed(policies, web, db, 5432), false);
    assert.equal(allowed([denyAll, webToApi], web, api, 8080), false, 'egress alone is not enough');
  });

  test('default deny ingress with one port opened for one peer', () => {
    const dbFromApi = policy('prod', 'db-from-api', {
      podSelector: { matchLabels: { app: 'db' } },
      ingress: [{ from: [{ podSelector: { matchLabels: { app: 'api' } } }], ports: [{ port: 5432 }] }],
    });
    assert.equal(allowed([denyIngress, dbFromApi], api, db, 5432), true);
    assert.equal(allowed([denyIngress, dbFromApi], api, db, 5433), false);
    assert.equal(allowed([denyIngress, dbFromApi], web, db, 5432), false);
  });

  test('a host-network source is its node to default deny, admitted only through an ipBlock', () => {
    const nodeAgent = podEndpoint({
      metadata: { namespace: 'kube-system', name: 'node-agent', labels: { app: 'agent' } },
      spec: { hostNetwork: true, containers: [{ name: 'agent' }] },
      status: { podIP: '192.168.10.5' },
    });
    const fromNodes = policy('prod', 'from-nodes', {
      podSelector: {},
      ingress: [{ from: [{ ipBlock: { cidr: '192.168.10.0/24' } }] }],
    });
    const agentSelector = policy('prod', 'from-agent-label', {
      podSelector: {},
      ingress: [{ from: [{ namespaceSelector: {}, podSelector: { matchLabels: { app: 'agent' } } }] }],
    });
    assert.equal(allowed([denyIngress], nodeAgent, api, 8080), false);
    assert.equal(allowed([denyIngress, fromNodes], nodeAgent, api, 8080), true);
    assert.equal(
      allowed([denyIngress, agentSelector], nodeAgent, api, 8080),
      false,
      'selectors never see it',
    );
  });
});

describe('several policies adding up', () => {
  const webOnHttp = policy('prod', 'web-on-http', {
    podSelector: { matchLabels: { app: 'api' } },
    ingress: [{ from: [{ podSelector: { matchLabels: { app: 'web' } } }], ports: [{ port: 8080 }] }],
  });
  const prometheusOnGrpc = policy('prod', 'prometheus-on-grpc', {
    podSelector: { matchLabels: { app: 'api' } },
    ingress: [
      {
        from: [{ namespaceSelector: { matchLabels: { purpose: 'monitoring' } } }],
        ports: [{ port: 9090 }],
      },
    ],
  });

  test('two policies on the same pods: each rule keeps its own peers with its own ports', () => {
    const both = [webOnHttp, prometheusOnGrpc];
    assert.equal(allowed(both, web, api, 8080), true);
    assert.equal(allowed(both, prometheus, api, 9090), true);
    assert.equal(allowed(both, web, api, 9090), false, 'web is admitted on 8080 only');
    assert.equal(allowed(both, prometheus, api, 8080), false, 'prometheus is admitted on 9090 only');
  });

  test('a policy that selects other pods adds nothing to these', () => {
    const dbOpen = policy('prod', 'db-open', { podSelector: { matchLabels: { app: 'db' } }, ingress: [{}] });
    assert.equal(allowed([webOnHttp, dbOpen], batch, api, 8080), false);
    assert.equal(allowed([webOnHttp, dbOpen], batch, db, 5432), true);
  });

  test("a policy of the source's namespace never governs the destination's ingress", () => {
    const prodClosed = policy('prod', 'prod-closed', { podSelector: {}, ingress: [] });
    assert.equal(allowed([prodClosed], web, stagingApi, 8081), true);
    assert.equal(allowed([prodClosed], stagingWeb, web, 8080), false);
  });

  test('the order of the policies does not change any verdict', () => {
    const dbFromApi = policy('prod', 'db-from-api', {
      podSelector: { matchLabels: { app: 'db' } },
      ingress: [{ from: [{ podSelector: { matchLabels: { app: 'api' } } }] }],
    });
    const webOut = policy('prod', 'web-out', {
      podSelector: { matchLabels: { app: 'web' } },
      policyTypes: ['Egress'],
      egress: [{ to: [{ podSelector: { matchLabels: { app: 'api' } } }] }],
    });
    const forward = [webOnHttp, prometheusOnGrpc, dbFromApi, webOut];
    const backward = [...forward].reverse();
    const endpoints = [web, api, db, batch, prometheus, stagingWeb];
    for (const source of endpoints) {
      for (const destination of endpoints) {
        for (const port of [8080, 9090, 5432]) {
          assert.equal(
            allowed(forward, source, destination, port),
            allowed(backward, source, destination, port),
            `${source.kind === 'pod' ? source.name : ''} -> ${destination.kind === 'pod' ? destination.name : ''}:${port}`,
          );
        }
      }
    }
    assert.equal(allowed(forward, api, db, 5432), true);
    assert.equal(allowed(forward, web, db, 5432), false);
  });

  test('when two policies both admit a connection, either may be named, and it is admitted once', () => {
    const alsoWeb = policy('prod', 'also-web', {
      podSelector: { matchLabels: { tier: 'backend' } },
      ingress: [{ from: [{ podSelector: { matchLabels: { tier: 'frontend' } } }] }],
    });
    const verdict = evaluateConnection({
      policies: [webOnHttp, alsoWeb],
      namespaces,
      source: web,
      destination: api,
      port: 8080,
    });
    assert.equal(verdict.allowed, true);
    assert.ok(['prod/web-on-http', 'prod/also-web'].includes(verdict.ingress.allowedBy?.policy ?? ''));
    assert.deepEqual([...verdict.ingress.selectingPolicies].sort(), ['prod/also-web', 'prod/web-on-http']);
  });

  test('egress of the source and ingress of the destination come from different namespaces', () => {
    const stagingOut = policy('staging', 'web-out-to-prod-api', {
      podSelector: { matchLabels: { app: 'web' } },
      policyTypes: ['Egress'],
      egress: [
        {
          to: [
            {
              namespaceSelector: { matchLabels: { env: 'prod' } },
              podSelector: { matchLabels: { app: 'api' } },
            },
          ],
        },
      ],
    });
    const prodApiFromStaging = policy('prod', 'api-from-staging', {
      podSelector: { matchLabels: { app: 'api' } },
      ingress: [{ from: [{ namespaceSelector: { matchLabels: { env: 'staging' } } }] }],
    });
    assert.equal(allowed([stagingOut, prodApiFromStaging], stagingWeb, api, 8080), true);
    assert.equal(allowed([stagingOut, prodApiFromStaging], stagingWeb, db, 5432), false, 'egress');
    assert.equal(allowed([stagingOut, prodApiFromStaging], web, api, 8080), false, 'ingress');
  });
});
