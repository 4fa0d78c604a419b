/**
 * NetworkPolicy truth tables from the upstream conformance suite:
 * kubernetes/kubernetes test/e2e/network/netpol/network_policy.go ("Netpol NetworkPolicy between
 * server and client", plus its UDP and SCTP contexts). Each test names the upstream case it
 * restates; the policies are rewritten as plain JSON, and every expected table was written by hand
 * from that case's Reachability expectations (ExpectPeer, ExpectAllIngress, ExpectAllEgress, Expect)
 * on the full model: namespaces x, y, z with pods a, b, c (see netpolModel.ts).
 *
 * Where upstream updates an object mid-test (a policy, a namespace label, a pod label), the test
 * evaluates the state before and after.
 */
import { describe, test } from 'node:test';
import type {
  NetworkPolicy,
  NetworkPolicyEgressRule,
  NetworkPolicyIngressRule,
} from '../../../src/analysis/k8s.ts';
import { assertReachability, modelNamespaces, modelPods, podIp, policy } from './netpolModel.ts';

const NS = 'kubernetes.io/metadata.name';

// Tables shared by several cases. Rows: client; columns: server; ".": connected; "X": blocked.

const ALL_CONNECTED = `
      x/a x/b x/c y/a y/b y/c z/a z/b z/c
x/a    -   .   .   .   .   .   .   .   .
x/b    .   -   .   .   .   .   .   .   .
x/c    .   .   -   .   .   .   .   .   .
y/a    .   .   .   -   .   .   .   .   .
y/b    .   .   .   .   -   .   .   .   .
y/c    .   .   .   .   .   -   .   .   .
z/a    .   .   .   .   .   .   -   .   .
z/b    .   .   .   .   .   .   .   -   .
z/c    .   .   .   .   .   .   .   .   -
`;

const NOTHING_INTO_X = `
      x/a x/b x/c y/a y/b y/c z/a z/b z/c
x/a    -   X   X   .   .   .   .   .   .
x/b    X   -   X   .   .   .   .   .   .
x/c    X   X   -   .   .   .   .   .   .
y/a    X   X   X   -   .   .   .   .   .
y/b    X   X   X   .   -   .   .   .   .
y/c    X   X   X   .   .   -   .   .   .
z/a    X   X   X   .   .   .   -   .   .
z/b    X   X   X   .   .   .   .   -   .
z/c    X   X   X   .   .   .   .   .   -
`;

const NOTHING_OUT_OF_X = `
      x/a x/b x/c y/a y/b y/c z/a z/b z/c
x/a    -   X   X   X   X   X   X   X   X
x/b    X   -   X   X   X   X   X   X   X
x/c    X   X   -   X   X   X   X   X   X
y/a    .   .   .   -   .   .   .   .   .
y/b    .   .   .   .   -   .   .   .   .
y/c    .   .   .   .   .   -   .   .   .
z/a    .   .   .   .   .   .   -   .   .
z/b    .   .   .   .   .   .   .   -   .
z/c    .   .   .   .   .   .   .   .   -
`;

const NOTHING_INTO_OR_OUT_OF_X = `
      x/a x/b x/c y/a y/b y/c z/a z/b z/c
x/a    -   X   X   X   X   X   X   X   X
x/b    X   -   X   X   X   X   X   X   X
x/c    X   X   -   X   X   X   X   X   X
y/a    X   X   X   -   .   .   .   .   .
y/b    X   X   X   .   -   .   .   .   .
y/c    X   X   X   .   .   -   .   .   .
z/a    X   X   X   .   .   .   -   .   .
z/b    X   X   X   .   .   .   .   -   .
z/c    X   X   X   .   .   .   .   .   -
`;

const NOTHING_INTO_XA = `
      x/a x/b x/c y/a y/b y/c z/a z/b z/c
x/a    -   .   .   .   .   .   .   .   .
x/b    X   -   .   .   .   .   .   .   .
x/c    X   .   -   .   .   .   .   .   .
y/a    X   .   .   -   .   .   .   .   .
y/b    X   .   .   .   -   .   .   .   .
y/c    X   .   .   .   .   -   .   .   .
z/a    X   .   .   .   .   .   -   .   .
z/b    X   .   .   .   .   .   .   -   .
z/c    X   .   .   .   .   .   .   .   -
`;

const ONLY_XB_INTO_XA = `
      x/a x/b x/c y/a y/b y/c z/a z/b z/c
x/a    -   .   .   .   .   .   .   .   .
x/b    .   -   .   .   .   .   .   .   .
x/c    X   .   -   .   .   .   .   .   .
y/a    X   .   .   -   .   .   .   .   .
y/b    X   .   .   .   -   .   .   .   .
y/c    X   .   .   .   .   -   .   .   .
z/a    X   .   .   .   .   .   -   .   .
z/b    X   .   .   .   .   .   .   -   .
z/c    X   .   .   .   .   .   .   .   -
`;

const ONLY_Y_INTO_XA = `
      x/a x/b x/c y/a y/b y/c z/a z/b z/c
x/a    -   .   .   .   .   .   .   .   .
x/b    X   -   .   .   .   .   .   .   .
x/c    X   .   -   .   .   .   .   .   .
y/a    .   .   .   -   .   .   .   .   .
y/b    .   .   .   .   -   .   .   .   .
y/c    .   .   .   .   .   -   .   .   .
z/a    X   .   .   .   .   .   -   .   .
z/b    X   .   .   .   .   .   .   -   .
z/c    X   .   .   .   .   .   .   .   -
`;

const ONLY_YA_INTO_XA = `
      x/a x/b x/c y/a y/b y/c z/a z/b z/c
x/a    -   .   .   .   .   .   .   .   .
x/b    X   -   .   .   .   .   .   .   .
x/c    X   .   -   .   .   .   .   .   .
y/a    .   .   .   -   .   .   .   .   .
y/b    X   .   .   .   -   .   .   .   .
y/c    X   .   .   .   .   -   .   .   .
z/a    X   .   .   .   .   .   -   .   .
z/b    X   .   .   .   .   .   .   -   .
z/c    X   .   .   .   .   .   .   .   -
`;

/** GenNetworkPolicyWithNameAndPodMatchLabel(name, labels, SetSpecIngressRules(rules...)). */
function ingressPolicy(
  name: string,
  podLabels: Record<string, string>,
  ingress: readonly NetworkPolicyIngressRule[],
): NetworkPolicy {
  return policy('x', name, { podSelector: { matchLabels: podLabels }, policyTypes: ['Ingress'], ingress });
}

/** The same with SetSpecEgressRules: policyTypes gets Egress only. */
function egressPolicy(
  name: string,
  podLabels: Record<string, string>,
  egress: readonly NetworkPolicyEgressRule[],
): NetworkPolicy {
  return policy('x', name, { podSelector: { matchLabels: podLabels }, policyTypes: ['Egress'], egress });
}

const DENY_INGRESS_X = policy('x', 'deny-ingress', {
  podSelector: {},
  policyTypes: ['Ingress'],
  ingress: [],
});

describe('Netpol: NetworkPolicy between server and client (TCP)', () => {
  test("should support a 'default-deny-ingress' policy", () => {
    assertReachability([DENY_INGRESS_X], NOTHING_INTO_X, { port: 80 });
  });

  test("should support a 'default-deny-all' policy", () => {
    const denyAll = policy('x', 'deny-all', {
      podSelector: {},
      policyTypes: ['Ingress', 'Egress'],
      ingress: [],
      egress: [],
    });
    assertReachability([denyAll], NOTHING_INTO_OR_OUT_OF_X, { port: 80 });
  });

  test('should enforce policy to allow traffic from pods within server namespace based on PodSelector', () => {
    const xaAllowsXb = ingressPolicy('x-a-allows-x-b', { pod: 'a' }, [
      { from: [{ podSelector: { matchLabels: { pod: 'b' } } }] },
    ]);
    assertReachability([xaAllowsXb], ONLY_XB_INTO_XA, { port: 80 });
  });

  test('should enforce policy to allow ingress traffic for a target', () => {
    const denyAll = policy('x', 'deny-all', { podSelector: {}, policyTypes: ['Ingress'], ingress: [] });
    const allowAllToA = ingressPolicy('allow-all-to-a', { pod: 'a' }, [
      { from: [{ podSelector: {}, namespaceSelector: {} }] },
    ]);
    assertReachability(
      [denyAll, allowAllToA],
      `
      x/a x/b x/c y/a y/b y/c z/a z/b z/c
x/a    -   X   X   .   .   .   .   .   .
x/b    .   -   X   .   .   .   .   .   .
x/c    .   X   -   .   .   .   .   .   .
y/a    .   X   X   -   .   .   .   .   .
y/b    .   X   X   .   -   .   .   .   .
y/c    .   X   X   .   .   -   .   .   .
z/a    .   X   X   .   .   .   -   .   .
z/b    .   X   X   .   .   .   .   -   .
z/c    .   X   X   .   .   .   .   .   -
`,
      { port: 80 },
    );
  });

  test('should enforce policy to allow ingress traffic from pods in all namespaces', () => {
    const allowFromAnyNs = ingressPolicy('allow-from-another-ns', { pod: 'a' }, [
      { from: [{ namespaceSelector: { matchLabels: {} } }] },
    ]);
    assertReachability([allowFromAnyNs], ALL_CONNECTED, { port: 80 });
  });

  test('should enforce policy to allow traffic only from a different namespace, based on NamespaceSelector', () => {
    const allowY = ingressPolicy('allow-client-a-via-ns-selector', { pod: 'a' }, [
      { from: [{ namespaceSelector: { matchLabels: { [NS]: 'y' } } }] },
    ]);
    assertReachability([allowY], ONLY_Y_INTO_XA, { port: 80 });
  });

  test('should enforce policy based on PodSelector with MatchExpressions', () => {
    const xaAllowsXb = ingressPolicy('x-a-allows-x-b', { pod: 'a' }, [
      { from: [{ podSelector: { matchExpressions: [{ key: 'pod', operator: 'In', values: ['b'] }] } }] },
    ]);
    assertReachability([xaAllowsXb], ONLY_XB_INTO_XA, { port: 80 });
  });

  test('should enforce policy based on NamespaceSelector with MatchExpressions', () => {
    const allowY = ingressPolicy('allow-ns-y-match-selector', { pod: 'a' }, [
      { from: [{ namespaceSelector: { matchExpressions: [{ key: NS, operator: 'In', values: ['y'] }] } }] },
    ]);
    assertReachability([allowY], ONLY_Y_INTO_XA, { port: 80 });
  });

  test('should enforce policy based on PodSelector or NamespaceSelector', () => {
    const allowNotXOrB = ingressPolicy('allow-ns-y-match-selector', { pod: 'a' }, [
      {
        from: [
          { namespaceSelector: { matchExpressions: [{ key: NS, operator: 'NotIn', values: ['x'] }] } },
          { podSelector: { matchLabels: { pod: 'b' } } },
        ],
      },
    ]);
    assertReachability(
      [allowNotXOrB],
      `
      x/a x/b x/c y/a y/b y/c z/a z/b z/c
x/a    -   .   .   .   .   .   .   .   .
x/b    .   -   .   .   .   .   .   .   .
x/c    X   .   -   .   .   .   .   .   .
y/a    .   .   .   -   .   .   .   .   .
y/b    .   .   .   .   -   .   .   .   .
y/c    .   .   .   .   .   -   .   .   .
z/a    .   .   .   .   .   .   -   .   .
z/b    .   .   .   .   .   .   .   -   .
z/c    .   .   .   .   .   .   .   .   -
`,
      { port: 80 },
    );
  });

  test('should enforce policy based on PodSelector and NamespaceSelector', () => {
    const allowBOutsideX = ingressPolicy('allow-ns-y-podselector-and-nsselector', { pod: 'a' }, [
      {
        from: [
          {
            namespaceSelector: { matchExpressions: [{ key: NS, operator: 'NotIn', values: ['x'] }] },
            podSelector: { matchLabels: { pod: 'b' } },
          },
        ],
      },
    ]);
    assertReachability(
      [allowBOutsideX],
      `
      x/a x/b x/c y/a y/b y/c z/a z/b z/c
x/a    -   .   .   .   .   .   .   .   .
x/b    X   -   .   .   .   .   .   .   .
x/c    X   .   -   .   .   .   .   .   .
y/a    X   .   .   -   .   .   .   .   .
y/b    .   .   .   .   -   .   .   .   .
y/c    X   .   .   .   .   -   .   .   .
z/a    X   .   .   .   .   .   -   .   .
z/b    .   .   .   .   .   .   .   -   .
z/c    X   .   .   .   .   .   .   .   -
`,
      { port: 80 },
    );
  });

  test('should enforce policy based on Multiple PodSelectors and NamespaceSelectors', () => {
    const allowBcOutsideX = ingressPolicy('allow-ns-y-z-pod-b-c', { pod: 'a' }, [
      {
        from: [
          {
            namespaceSelector: { matchExpressions: [{ key: NS, operator: 'NotIn', values: ['x'] }] },
            podSelector: { matchExpressions: [{ key: 'pod', operator: 'In', values: ['b', 'c'] }] },
          },
        ],
      },
    ]);
    assertReachability(
      [allowBcOutsideX],
      `
      x/a x/b x/c y/a y/b y/c z/a z/b z/c
x/a    -   .   .   .   .   .   .   .   .
x/b    X   -   .   .   .   .   .   .   .
x/c    X   .   -   .   .   .   .   .   .
y/a    X   .   .   -   .   .   .   .   .
y/b    .   .   .   .   -   .   .   .   .
y/c    .   .   .   .   .   -   .   .   .
z/a    X   .   .   .   .   .   -   .   .
z/b    .   .   .   .   .   .   .   -   .
z/c    .   .   .   .   .   .   .   .   -
`,
      { port: 80 },
    );
  });

  test('should enforce policy based on any PodSelectors', () => {
    const allowBOrC = ingressPolicy('allow-ns-x-pod-b-c', { pod: 'a' }, [
      {
        from: [
          { podSelector: { matchLabels: { pod: 'b' } } },
          { podSelector: { matchLabels: { pod: 'c' } } },
        ],
      },
    ]);
    assertReachability(
      [allowBOrC],
      `
      x/a x/b x/c y/a y/b y/c z/a z/b z/c
x/a    -   .   .   .   .   .   .   .   .
x/b    .   -   .   .   .   .   .   .   .
x/c    .   .   -   .   .   .   .   .   .
y/a    X   .   .   -   .   .   .   .   .
y/b    X   .   .   .   -   .   .   .   .
y/c    X   .   .   .   .   -   .   .   .
z/a    X   .   .   .   .   .   -   .   .
z/b    X   .   .   .   .   .   .   -   .
z/c    X   .   .   .   .   .   .   .   -
`,
      { port: 80 },
    );
  });

  test('should enforce policy to allow traffic only from a pod in a different namespace based on PodSelector and NamespaceSelector', () => {
    const allowYa = ingressPolicy('allow-ns-y-pod-a-via-namespace-pod-selector', { pod: 'a' }, [
      {
        from: [
          { namespaceSelector: { matchLabels: { [NS]: 'y' } }, podSelector: { matchLabels: { pod: 'a' } } },
        ],
      },
    ]);
    assertReachability([allowYa], ONLY_YA_INTO_XA, { port: 80 });
  });

  test('should enforce policy based on Ports', () => {
    const allowPort81FromY = ingressPolicy('allow-client-a-via-ns-selector', { pod: 'a' }, [
      {
        from: [{ namespaceSelector: { matchLabels: { [NS]: 'y' } } }],
        ports: [{ port: 81, protocol: 'TCP' }],
      },
    ]);
    assertReachability([allowPort81FromY], ONLY_Y_INTO_XA, { port: 81 });
  });

  test('should enforce multiple, stacked policies with overlapping podSelectors', () => {
    const allowPort81FromY = ingressPolicy('allow-client-a-via-ns-selector', { pod: 'a' }, [
      {
        from: [{ namespaceSelector: { matchLabels: { [NS]: 'y' } } }],
        ports: [{ port: 81, protocol: 'TCP' }],
      },
    ]);
    assertReachability([allowPort81FromY], ONLY_Y_INTO_XA, { port: 81 });
    assertReachability([allowPort81FromY], NOTHING_INTO_XA, { port: 80 });

    const allowPort80FromY = ingressPolicy('allow-client-a-via-ns-selector-80', { pod: 'a' }, [
      {
        from: [{ namespaceSelector: { matchLabels: { [NS]: 'y' } } }],
        ports: [{ port: 80, protocol: 'TCP' }],
      },
    ]);
    assertReachability([allowPort81FromY, allowPort80FromY], ONLY_Y_INTO_XA, { port: 80 });
  });

  test('should support allow-all policy', () => {
    const allowAll = ingressPolicy('allow-all', {}, [{}]);
    assertReachability([allowAll], ALL_CONNECTED, { port: 80 });
    assertReachability([allowAll], ALL_CONNECTED, { port: 81 });
  });

  test('should allow ingress access on one named port', () => {
    const allowServe81 = ingressPolicy('allow-all', {}, [{ ports: [{ port: 'serve-81-tcp' }] }]);
    assertReachability([allowServe81], ALL_CONNECTED, { port: 81 });
    assertReachability([allowServe81], NOTHING_INTO_X, { port: 80 });
  });

  test('should allow ingress access from namespace on one named port', () => {
    const allowServe80FromY = ingressPolicy('allow-client-a-via-ns-selector-80', { pod: 'a' }, [
      {
        from: [{ namespaceSelector: { matchLabels: { [NS]: 'y' } } }],
        ports: [{ port: 'serve-80-tcp', protocol: 'TCP' }],
      },
    ]);
    assertReachability([allowServe80FromY], ONLY_Y_INTO_XA, { port: 80 });
    assertReachability([allowServe80FromY], NOTHING_INTO_XA, { port: 81 });
  });

  test('should allow egress access on one named port', () => {
    const allowEgressServe80 = egressPolicy('allow-egress', {}, [{ ports: [{ port: 'serve-80-tcp' }] }]);
    assertReachability([allowEgressServe80], ALL_CONNECTED, { port: 80 });
    assertReachability([allowEgressServe80], NOTHING_OUT_OF_X, { port: 81 });
  });

  test('should enforce updated policy', () => {
    const allowAll = ingressPolicy('allow-all-mutate-to-deny-all', {}, [{}]);
    assertReachability([allowAll], ALL_CONNECTED, { port: 81 });
    const updated = ingressPolicy('allow-all-mutate-to-deny-all', {}, []);
    assertReachability([updated], NOTHING_INTO_X, { port: 81 });
  });

  test('should allow ingress access from updated namespace', () => {
    const allowNs2Updated = ingressPolicy('allow-client-a-via-ns-selector', { pod: 'a' }, [
      { from: [{ namespaceSelector: { matchLabels: { ns2: 'updated' } } }] },
    ]);
    assertReachability([allowNs2Updated], NOTHING_INTO_XA, { port: 80 });
    assertReachability([allowNs2Updated], ONLY_Y_INTO_XA, {
      port: 80,
      namespaces: modelNamespaces({ y: { ns2: 'updated' } }),
    });
  });

  test('should allow ingress access from updated pod', () => {
    const allowUpdatedB = ingressPolicy('allow-client-a-via-pod-selector', { pod: 'a' }, [
      { from: [{ podSelector: { matchLabels: { pod: 'b', pod2: 'updated' } } }] },
    ]);
    assertReachability([allowUpdatedB], NOTHING_INTO_XA, { port: 80 });
    assertReachability([allowUpdatedB], ONLY_XB_INTO_XA, {
      port: 80,
      pods: modelPods({ 'x/b': { pod2: 'updated' } }),
    });
  });

  test('should deny ingress from pods on other namespaces', () => {
    const sameNamespaceOnly = policy('x', 'deny-empty-policy', {
      podSelector: {},
      policyTypes: ['Ingress'],
      ingress: [{ from: [{ podSelector: { matchLabels: {} } }] }],
    });
    assertReachability(
      [sameNamespaceOnly],
      `
      x/a x/b x/c y/a y/b y/c z/a z/b z/c
x/a    -   .   .   .   .   .   .   .   .
x/b    .   -   .   .   .   .   .   .   .
x/c    .   .   -   .   .   .   .   .   .
y/a    X   X   X   -   .   .   .   .   .
y/b    X   X   X   .   -   .   .   .   .
y/c    X   X   X   .   .   -   .   .   .
z/a    X   X   X   .   .   .   -   .   .
z/b    X   X   X   .   .   .   .   -   .
z/c    X   X   X   .   .   .   .   .   -
`,
      { port: 80 },
    );
  });

  test('should deny ingress access to updated pod', () => {
    const denyIsolated = policy('x', 'deny-ingress-via-label-selector', {
      podSelector: { matchLabels: { target: 'isolated' } },
      policyTypes: ['Ingress'],
      ingress: [],
    });
    assertReachability([denyIsolated], ALL_CONNECTED, { port: 80 });
    assertReachability([denyIsolated], NOTHING_INTO_XA, {
      port: 80,
      pods: modelPods({ 'x/a': { target: 'isolated' } }),
    });
  });

  test('should deny egress from pods based on PodSelector', () => {
    const denyEgressA = egressPolicy('deny-egress-pod-a', { pod: 'a' }, []);
    assertReachability(
      [denyEgressA],
      `
      x/a x/b x/c y/a y/b y/c z/a z/b z/c
x/a    -   X   X   X   X   X   X   X   X
x/b    .   -   .   .   .   .   .   .   .
x/c    .   .   -   .   .   .   .   .   .
y/a    .   .   .   -   .   .   .   .   .
y/b    .   .   .   .   -   .   .   .   .
y/c    .   .   .   .   .   -   .   .   .
z/a    .   .   .   .   .   .   -   .   .
z/b    .   .   .   .   .   .   .   -   .
z/c    .   .   .   .   .   .   .   .   -
`,
      { port: 80 },
    );
  });

  test('should deny egress from all pods in a namespace', () => {
    const denyEgressX = policy('x', 'deny-egress-ns-x', {
      podSelector: {},
      policyTypes: ['Egress'],
      egress: [],
    });
    assertReachability([denyEgressX], NOTHING_OUT_OF_X, { port: 80 });
  });

  test('should work with Ingress, Egress specified together', () => {
    const both = policy('x', 'allow-client-a-via-pod-selector', {
      podSelector: { matchLabels: { pod: 'a' } },
      policyTypes: ['Egress', 'Ingress'],
      ingress: [{ from: [{ podSelector: { matchLabels: { pod: 'b' } } }] }],
      egress: [{ ports: [{ port: 80 }] }],
    });
    assertReachability([both], ONLY_XB_INTO_XA, { port: 80 });
    assertReachability(
      [both],
      `
      x/a x/b x/c y/a y/b y/c z/a z/b z/c
x/a    -   X   X   X   X   X   X   X   X
x/b    .   -   .   .   .   .   .   .   .
x/c    X   .   -   .   .   .   .   .   .
y/a    X   .   .   -   .   .   .   .   .
y/b    X   .   .   .   -   .   .   .   .
y/c    X   .   .   .   .   -   .   .   .
z/a    X   .   .   .   .   .   -   .   .
z/b    X   .   .   .   .   .   .   -   .
z/c    X   .   .   .   .   .   .   .   -
`,
      { port: 81 },
    );
  });

  test('should support denying of egress traffic on the client side (even if the server explicitly allows this traffic)', () => {
    const egressToYa = egressPolicy('allow-to-ns-y-pod-a', { pod: 'a' }, [
      {
        to: [
          { namespaceSelector: { matchLabels: { [NS]: 'y' } }, podSelector: { matchLabels: { pod: 'a' } } },
        ],
      },
    ]);
    const fromXa: NetworkPolicyIngressRule = {
      from: [
        { namespaceSelector: { matchLabels: { [NS]: 'x' } }, podSelector: { matchLabels: { pod: 'a' } } },
      ],
    };
    const ingressOnYa = policy('y', 'allow-from-xa-on-ya-match-selector', {
      podSelector: { matchLabels: { pod: 'a' } },
      policyTypes: ['Ingress'],
      ingress: [fromXa],
    });
    const ingressOnYb = policy('y', 'allow-from-xa-on-yb-match-selector', {
      podSelector: { matchLabels: { pod: 'b' } },
      policyTypes: ['Ingress'],
      ingress: [fromXa],
    });
    // The expected table upstream draws in its comment, x/a -> y/b blocked by x/a's egress.
    assertReachability(
      [egressToYa, ingressOnYa, ingressOnYb],
      `
      x/a x/b x/c y/a y/b y/c z/a z/b z/c
x/a    -   X   X   .   X   X   X   X   X
x/b    .   -   .   X   X   .   .   .   .
x/c    .   .   -   X   X   .   .   .   .
y/a    .   .   .   -   X   .   .   .   .
y/b    .   .   .   X   -   .   .   .   .
y/c    .   .   .   X   X   -   .   .   .
z/a    .   .   .   X   X   .   -   .   .
z/b    .   .   .   X   X   .   .   -   .
z/c    .   .   .   X   X   .   .   .   -
`,
      { port: 80 },
    );
  });

  test('should enforce egress policy allowing traffic to a server in a different namespace based on PodSelector and NamespaceSelector', () => {
    const egressToYa = egressPolicy('allow-to-ns-y-pod-a', { pod: 'a' }, [
      {
        to: [
          { namespaceSelector: { matchLabels: { [NS]: 'y' } }, podSelector: { matchLabels: { pod: 'a' } } },
        ],
      },
    ]);
    assertReachability(
      [egressToYa],
      `
      x/a x/b x/c y/a y/b y/c z/a z/b z/c
x/a    -   X   X   .   X   X   X   X   X
x/b    .   -   .   .   .   .   .   .   .
x/c    .   .   -   .   .   .   .   .   .
y/a    .   .   .   -   .   .   .   .   .
y/b    .   .   .   .   -   .   .   .   .
y/c    .   .   .   .   .   -   .   .   .
z/a    .   .   .   .   .   .   -   .   .
z/b    .   .   .   .   .   .   .   -   .
z/c    .   .   .   .   .   .   .   .   -
`,
      { port: 80 },
    );
  });

  test('should enforce ingress policy allowing any port traffic to a server on a specific protocol', () => {
    const tcpOnly = ingressPolicy('allow-ingress-by-proto', { pod: 'a' }, [{ ports: [{ protocol: 'TCP' }] }]);
    assertReachability([tcpOnly], ALL_CONNECTED, { port: 80, protocol: 'TCP' });
    assertReachability([tcpOnly], NOTHING_INTO_XA, { port: 80, protocol: 'UDP' });
  });

  test('should enforce multiple ingress policies with ingress allow-all policy taking precedence', () => {
    const onlyPort80 = ingressPolicy('allow-ingress-port-80', {}, [{ ports: [{ port: 80 }] }]);
    assertReachability([onlyPort80], NOTHING_INTO_X, { port: 81 });
    const allowAll = ingressPolicy('allow-ingress', {}, [{}]);
    assertReachability([onlyPort80, allowAll], ALL_CONNECTED, { port: 81 });
  });

  test('should enforce multiple egress policies with egress allow-all policy taking precedence', () => {
    const onlyPort80 = egressPolicy('allow-egress-port-80', {}, [{ ports: [{ port: 80 }] }]);
    assertReachability([onlyPort80], NOTHING_OUT_OF_X, { port: 81 });
    const allowAll = egressPolicy('allow-egress', {}, [{}]);
    assertReachability([onlyPort80, allowAll], ALL_CONNECTED, { port: 81 });
  });

  test('should stop enforcing policies after they are deleted', () => {
    const denyAll = policy('x', 'deny-all', {
      podSelector: {},
      policyTypes: ['Ingress', 'Egress'],
      ingress: [],
      egress: [],
    });
    assertReachability([denyAll], NOTHING_INTO_OR_OUT_OF_X, { port: 80 });
    assertReachability([], ALL_CONNECTED, { port: 80 });
  });

  test('should allow egress access to server in CIDR block', () => {
    const toYb = egressPolicy('allow-client-a-via-cidr-egress-rule', { pod: 'a' }, [
      { to: [{ ipBlock: { cidr: `${podIp('y', 'b')}/32` } }] },
    ]);
    assertReachability(
      [toYb],
      `
      x/a x/b x/c y/a y/b y/c z/a z/b z/c
x/a    -   X   X   X   .   X   X   X   X
x/b    .   -   .   .   .   .   .   .   .
x/c    .   .   -   .   .   .   .   .   .
y/a    .   .   .   -   .   .   .   .   .
y/b    .   .   .   .   -   .   .   .   .
y/c    .   .   .   .   .   -   .   .   .
z/a    .   .   .   .   .   .   -   .   .
z/b    .   .   .   .   .   .   .   -   .
z/c    .   .   .   .   .   .   .   .   -
`,
      { port: 80 },
    );
  });

  const ALL_BUT_XA_TO_XB = `
      x/a x/b x/c y/a y/b y/c z/a z/b z/c
x/a    -   X   .   .   .   .   .   .   .
x/b    .   -   .   .   .   .   .   .   .
x/c    .   .   -   .   .   .   .   .   .
y/a    .   .   .   -   .   .   .   .   .
y/b    .   .   .   .   -   .   .   .   .
y/c    .   .   .   .   .   -   .   .   .
z/a    .   .   .   .   .   .   -   .   .
z/b    .   .   .   .   .   .   .   -   .
z/c    .   .   .   .   .   .   .   .   -
`;

  test('should enforce except clause while egress access to server in CIDR block', () => {
    // Upstream's makeLargeCIDRForIP: the /4 that holds x/b's address, minus x/b itself.
    const aroundXb = egressPolicy('allow-client-a-via-cidr-egress-rule', { pod: 'a' }, [
      { to: [{ ipBlock: { cidr: '0.0.0.0/4', except: [`${podIp('x', 'b')}/32`] } }] },
    ]);
    assertReachability([aroundXb], ALL_BUT_XA_TO_XB, { port: 80 });
    // Older releases wrote the block as "<x/a's IP>/4", host bits set; it is the same block.
    const legacyForm = egressPolicy('allow-client-a-via-cidr-egress-rule', { pod: 'a' }, [
      { to: [{ ipBlock: { cidr: `${podIp('x', 'a')}/4`, except: [`${podIp('x', 'b')}/32`] } }] },
    ]);
    assertReachability([legacyForm], ALL_BUT_XA_TO_XB, { port: 80 });
  });

  test('should ensure an IP overlapping both IPBlock.CIDR and IPBlock.Except is allowed', () => {
    const aroundXb = egressPolicy('allow-client-a-via-cidr-egress-rule', { pod: 'a' }, [
      { to: [{ ipBlock: { cidr: '0.0.0.0/4', except: [`${podIp('x', 'b')}/32`] } }] },
    ]);
    assertReachability([aroundXb], ALL_BUT_XA_TO_XB, { port: 80 });
    const onlyXb = egressPolicy('allow-client-a-via-cidr-egress-rule', { pod: 'a' }, [
      { to: [{ ipBlock: { cidr: `${podIp('x', 'b')}/32` } }] },
    ]);
    assertReachability(
      [onlyXb],
      `
      x/a x/b x/c y/a y/b y/c z/a z/b z/c
x/a    -   .   X   X   X   X   X   X   X
x/b    .   -   .   .   .   .   .   .   .
x/c    .   .   -   .   .   .   .   .   .
y/a    .   .   .   -   .   .   .   .   .
y/b    .   .   .   .   -   .   .   .   .
y/c    .   .   .   .   .   -   .   .   .
z/a    .   .   .   .   .   .   -   .   .
z/b    .   .   .   .   .   .   .   -   .
z/c    .   .   .   .   .   .   .   .   -
`,
      { port: 80 },
    );
  });

  test('should enforce policies to check ingress and egress policies can be controlled independently based on PodSelector', () => {
    const allowEgress = policy('x', 'allow-egress-for-target', {
      podSelector: { matchLabels: { pod: 'a' } },
      policyTypes: ['Egress'],
      egress: [{}],
    });
    assertReachability([allowEgress], ALL_CONNECTED, { port: 80 });
    const denyIngress = policy('x', 'deny-ingress-via-label-selector', {
      podSelector: { matchLabels: { pod: 'a' } },
      policyTypes: ['Ingress'],
      ingress: [],
    });
    assertReachability([allowEgress, denyIngress], NOTHING_INTO_XA, { port: 80 });
  });

  test("should not mistakenly treat 'protocol: SCTP' as 'protocol: TCP', even if the plugin doesn't support SCTP", () => {
    const sctp81 = ingressPolicy('allow-only-sctp-ingress-on-port-81', { pod: 'a' }, [
      { ports: [{ port: 81, protocol: 'SCTP' }] },
    ]);
    assertReachability([DENY_INGRESS_X, sctp81], NOTHING_INTO_X, { port: 81, protocol: 'TCP' });
  });

  test("should properly isolate pods that are selected by a policy allowing SCTP, even if the plugin doesn't support SCTP", () => {
    const sctp80 = ingressPolicy('allow-only-sctp-ingress-on-port-80', { pod: 'a' }, [
      { ports: [{ port: 80, protocol: 'SCTP' }] },
    ]);
    assertReachability([sctp80], NOTHING_INTO_XA, { port: 81, protocol: 'TCP' });
  });

  test('should not allow access by TCP when a policy specifies only UDP', () => {
    const udp81 = ingressPolicy('allow-only-udp-ingress-on-port-81', { pod: 'a' }, [
      { ports: [{ port: 81, protocol: 'UDP' }] },
    ]);
    assertReachability([udp81], NOTHING_INTO_XA, { port: 81, protocol: 'TCP' });
  });

  test('should enforce policy to allow traffic based on NamespaceSelector with MatchLabels using default ns label', () => {
    const allowY = ingressPolicy('allow-client-a-via-ns-selector-for-immutable-ns-label', { pod: 'a' }, [
      { from: [{ namespaceSelector: { matchLabels: { [NS]: 'y' } } }] },
    ]);
    // The label is the API server's, not the manifest's: namespaces here carry only their name.
    assertReachability([allowY], ONLY_Y_INTO_XA, {
      port: 80,
      namespaces: ['x', 'y', 'z'].map((name) => ({ metadata: { name } })),
    });
  });

  test('should enforce policy based on NamespaceSelector with MatchExpressions using default ns label', () => {
    const notToY = egressPolicy('allow-ns-y-match-selector-for-immutable-ns-label', { pod: 'a' }, [
      { to: [{ namespaceSelector: { matchExpressions: [{ key: NS, operator: 'NotIn', values: ['y'] }] } }] },
    ]);
    assertReachability(
      [notToY],
      `
      x/a x/b x/c y/a y/b y/c z/a z/b z/c
x/a    -   .   .   X   X   X   .   .   .
x/b    .   -   .   .   .   .   .   .   .
x/c    .   .   -   .   .   .   .   .   .
y/a    .   .   .   -   .   .   .   .   .
y/b    .   .   .   .   -   .   .   .   .
y/c    .   .   .   .   .   -   .   .   .
z/a    .   .   .   .   .   .   -   .   .
z/b    .   .   .   .   .   .   .   -   .
z/c    .   .   .   .   .   .   .   .   -
`,
      { port: 80 },
    );
  });
});

for (const protocol of ['UDP', 'SCTP'] as const) {
  describe(`Netpol: NetworkPolicy between server and client using ${protocol}`, () => {
    test("should support a 'default-deny-ingress' policy", () => {
      const denyAll = policy('x', 'deny-all', { podSelector: {}, policyTypes: ['Ingress'], ingress: [] });
      assertReachability([denyAll], NOTHING_INTO_X, { port: 80, protocol });
    });

    test('should enforce policy based on Ports', () => {
      const allowPort81FromY = ingressPolicy('allow-ingress-on-port-81-ns-x', { pod: 'a' }, [
        { from: [{ namespaceSelector: { matchLabels: { [NS]: 'y' } } }], ports: [{ port: 81, protocol }] },
      ]);
      assertReachability([allowPort81FromY], ONLY_Y_INTO_XA, { port: 81, protocol });
    });

    test('should enforce policy to allow traffic only from a pod in a different namespace based on PodSelector and NamespaceSelector', () => {
      const allowYa = ingressPolicy('allow-ns-y-pod-a-via-namespace-pod-selector', { pod: 'a' }, [
        {
          from: [
            { namespaceSelector: { matchLabels: { [NS]: 'y' } }, podSelector: { matchLabels: { pod: 'a' } } },
          ],
        },
      ]);
      assertReachability([allowYa], ONLY_YA_INTO_XA, { port: 80, protocol });
    });
  });
}
