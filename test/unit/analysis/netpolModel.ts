/**
 * The cluster the upstream NetworkPolicy conformance tests run against
 * (kubernetes/kubernetes test/e2e/network/netpol, model.go and network_policy.go): namespaces x, y
 * and z, each with pods a, b and c labelled pod=<name>, every pod serving ports 80 and 81 on TCP,
 * UDP and SCTP under the names serve-<port>-<protocol>.
 *
 * Truth tables are written as upstream prints them: one row per client (from), one column per
 * server (to), "." for connected and "X" for blocked. The diagonal holds "-": upstream ignores
 * loopback (ignoreLoopback, kubernetes/kubernetes#95879), so it is not asserted.
 */
import assert from 'node:assert/strict';
import type { Namespace, NetworkPolicy, NetworkPolicySpec, Protocol } from '../../../src/analysis/k8s.ts';
import type { PodEndpoint } from '../../../src/analysis/networkPolicy.ts';
import { evaluateConnection } from '../../../src/analysis/networkPolicy.ts';

export const NAMESPACE_NAMES = ['x', 'y', 'z'] as const;
export const POD_NAMES = ['a', 'b', 'c'] as const;

export type NamespaceName = (typeof NAMESPACE_NAMES)[number];
export type PodName = (typeof POD_NAMES)[number];

export function modelNamespaces(
  extraLabels: Partial<Record<NamespaceName, Record<string, string>>> = {},
): Namespace[] {
  return NAMESPACE_NAMES.map((name) => ({
    metadata: {
      name,
      labels: { 'kubernetes.io/metadata.name': name, ns: name, ...extraLabels[name] },
    },
  }));
}

/** x/a is 10.244.1.10, y/b is 10.244.2.11, z/c is 10.244.3.12. */
export function podIp(namespace: NamespaceName, pod: PodName): string {
  return `10.244.${NAMESPACE_NAMES.indexOf(namespace) + 1}.${10 + POD_NAMES.indexOf(pod)}`;
}

const SERVED = [80, 81].flatMap((port) =>
  (['TCP', 'UDP', 'SCTP'] as const).map((protocol) => ({
    name: `serve-${port}-${protocol.toLowerCase()}`,
    containerPort: port,
    protocol,
  })),
);

export function modelPods(
  extraLabels: Partial<Record<`${NamespaceName}/${PodName}`, Record<string, string>>> = {},
): PodEndpoint[] {
  return NAMESPACE_NAMES.flatMap((namespace) =>
    POD_NAMES.map((name) => ({
      kind: 'pod' as const,
      namespace,
      name,
      labels: { pod: name, ...extraLabels[`${namespace}/${name}`] },
      ip: podIp(namespace, name),
      containerPorts: SERVED,
    })),
  );
}

export function policy(namespace: string, name: string, spec: NetworkPolicySpec): NetworkPolicy {
  return { apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { namespace, name }, spec };
}

interface ProbeOptions {
  readonly port: number;
  readonly protocol?: Protocol;
  readonly namespaces?: readonly Namespace[];
  readonly pods?: readonly PodEndpoint[];
}

function podKey(pod: PodEndpoint): string {
  return `${pod.namespace}/${pod.name}`;
}

/** Reads a hand-written truth table into from -> to -> expected (undefined: not asserted). */
function parseTable(table: string): Map<string, Map<string, boolean | undefined>> {
  const lines = table
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line.length > 0);
  const header = (lines[0] ?? '').split(/\s+/);
  const result = new Map<string, Map<string, boolean | undefined>>();
  for (const line of lines.slice(1)) {
    const [from = '', ...cells] = line.split(/\s+/);
    assert.equal(
      cells.length,
      header.length,
      `row ${from} has ${cells.length} cells for ${header.length} columns`,
    );
    const row = new Map<string, boolean | undefined>();
    cells.forEach((cell, index) => {
      assert.ok(['.', 'X', '-'].includes(cell), `unknown cell ${JSON.stringify(cell)} in row ${from}`);
      row.set(header[index] ?? '', cell === '-' ? undefined : cell === '.');
    });
    result.set(from, row);
  }
  return result;
}

/**
 * Probes every ordered pair of model pods and compares with the expected table; on a mismatch the
 * message shows both tables and the evaluator's reason for each differing cell.
 */
export function assertReachability(
  policies: readonly NetworkPolicy[],
  expectedTable: string,
  options: ProbeOptions,
): void {
  const namespaces = options.namespaces ?? modelNamespaces();
  const pods = options.pods ?? modelPods();
  const expected = parseTable(expectedTable);
  const keys = pods.map(podKey);
  assert.deepEqual([...expected.keys()], keys, 'the table must list every pod, in model order');

  const observed: string[] = [`      ${keys.join(' ')}`];
  const differences: string[] = [];
  for (const source of pods) {
    const cells: string[] = [];
    for (const destination of pods) {
      const verdict = evaluateConnection({
        policies,
        namespaces,
        source,
        destination,
        port: options.port,
        protocol: options.protocol ?? 'TCP',
      });
      const want = expected.get(podKey(source))?.get(podKey(destination));
      cells.push(source === destination ? ' - ' : verdict.allowed ? ' . ' : ' X ');
      if (source !== destination && want !== undefined && want !== verdict.allowed) {
        differences.push(
          `${podKey(source)} -> ${podKey(destination)}: expected ${want ? 'connected' : 'blocked'}, got ${verdict.reason}`,
        );
      }
    }
    observed.push(`${podKey(source)}  ${cells.join(' ')}`);
  }
  assert.ok(
    differences.length === 0,
    `reachability differs on ${options.protocol ?? 'TCP'} ${options.port}:\n${differences.join('\n')}\n\nexpected:${expectedTable}\nobserved:\n${observed.join('\n')}`,
  );
}
