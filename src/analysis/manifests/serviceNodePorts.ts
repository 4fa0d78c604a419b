/**
 * A Service's node ports against the other Services that hold them (KR3005, KR4006). Node ports
 * are allocated cluster-wide, one Service per number: the API server refuses a second Service
 * asking for a taken one ("provided port is already allocated").
 *
 * - In the workspace: the other Services written in the same scope (scope.ts), since manifests
 *   that are never applied together (dev and prod overlays) may well reuse a number.
 * - In the cluster: the live Services of the namespaces KubeReach watches, which is all it can
 *   know; a Service elsewhere in the cluster may hold the number too, and nothing is said of it.
 *   Namespaces whose Services cannot be read are skipped.
 */
import type { Service } from '../k8s.ts';
import { isRecord } from './document.ts';
import type { ClusterModel } from './cluster.ts';
import { serviceNamespace } from './cluster.ts';
import { listWords } from './findings.ts';
import type { Finding } from './findings.ts';
import { serviceType } from './service.ts';
import type { WorkspaceModel } from './workspace.ts';

interface RequestedNodePort {
  readonly index: number;
  readonly nodePort: number;
}

/** The node ports a Service manifest asks for (NodePort and LoadBalancer Services only). */
function requestedNodePorts(value: Readonly<Record<string, unknown>>): RequestedNodePort[] {
  const spec = isRecord(value.spec) ? value.spec : undefined;
  if (spec === undefined || !Array.isArray(spec.ports)) {
    return [];
  }
  const type = serviceType(spec);
  if (type !== 'NodePort' && type !== 'LoadBalancer') {
    return [];
  }
  return spec.ports.flatMap((port: unknown, index: number) =>
    isRecord(port) && typeof port.nodePort === 'number' && port.nodePort > 0
      ? [{ index, nodePort: port.nodePort }]
      : [],
  );
}

function nodePortsOf(value: unknown): Set<number> {
  const spec = isRecord(value) && isRecord(value.spec) ? value.spec : {};
  const ports = Array.isArray(spec.ports) ? spec.ports : [];
  return new Set(
    ports.flatMap((port: unknown) =>
      isRecord(port) && typeof port.nodePort === 'number' && port.nodePort > 0 ? [port.nodePort] : [],
    ),
  );
}

export function checkNodePortsInWorkspace(
  value: Readonly<Record<string, unknown>>,
  namespace: string | undefined,
  name: string | undefined,
  workspace: WorkspaceModel,
): Finding[] {
  const requested = requestedNodePorts(value);
  if (requested.length === 0 || workspace.services === undefined) {
    return [];
  }
  const others = workspace
    .services(namespace)
    .filter((other) => !(other.name === name && other.namespace === namespace));
  const findings: Finding[] = [];
  for (const { index, nodePort } of requested) {
    const holders = others.filter((other) => nodePortsOf(other.value).has(nodePort));
    if (holders.length === 0) {
      continue;
    }
    const names = holders.map(
      (holder) =>
        `Service ${holder.namespace === undefined ? '' : `${holder.namespace}/`}${holder.name}${holder.source ? ` (${holder.source.label}:${holder.source.line + 1})` : ''}`,
    );
    findings.push({
      code: 'KR3005',
      message: `nodePort ${nodePort} is also asked for by ${listWords(names)} in the workspace: node ports are cluster-wide, so the API server refuses whichever is applied second. Pick another port in 30000-32767, or leave nodePort out and let the cluster choose.`,
      at: { path: ['spec', 'ports', index, 'nodePort'] },
      claim: {
        key: `node-port:${index}`,
        what: `nodePort ${nodePort} is taken`,
        evidence: `${listWords(names)} asks for it in the workspace`,
        consequence:
          'Node ports are cluster-wide, so the API server refuses whichever is applied second: pick another port, or leave nodePort out.',
      },
    });
  }
  return findings;
}

function liveNodePorts(service: Service): Set<number> {
  return new Set((service.spec?.ports ?? []).flatMap((port) => (port.nodePort ? [port.nodePort] : [])));
}

export function checkNodePortsInCluster(
  value: Readonly<Record<string, unknown>>,
  manifestNamespace: string | undefined,
  name: string | undefined,
  cluster: ClusterModel,
): Finding[] {
  const requested = requestedNodePorts(value);
  if (requested.length === 0) {
    // Before asking for the watched namespaces: the server validates again on a change in any
    // namespace a validation read (src/server/clusterReads.ts).
    return [];
  }
  const watched = cluster.watchedNamespaces?.() ?? [];
  if (watched.length === 0) {
    return [];
  }
  const namespace = serviceNamespace(manifestNamespace, cluster);
  const holders: { id: string; ports: Set<number> }[] = [];
  const read: string[] = [];
  for (const watchedNamespace of watched) {
    const services = cluster.namespace(watchedNamespace)?.services;
    if (services === undefined || !Array.isArray(services)) {
      continue;
    }
    read.push(watchedNamespace);
    for (const service of services as readonly Service[]) {
      if (watchedNamespace === namespace && service.metadata.name === name) {
        // This Service as applied: its own node ports are not a conflict.
        continue;
      }
      holders.push({
        id: `${watchedNamespace}/${service.metadata.name ?? '?'}`,
        ports: liveNodePorts(service),
      });
    }
  }
  const findings: Finding[] = [];
  for (const { index, nodePort } of requested) {
    const taken = holders.filter((holder) => holder.ports.has(nodePort)).map((holder) => holder.id);
    if (taken.length === 0) {
      continue;
    }
    const evidence = `live Service ${listWords(taken)} holds it in context ${cluster.context}`;
    findings.push({
      code: 'KR4006',
      message: `nodePort ${nodePort} is already held by live Service ${listWords(taken)} in context ${cluster.context} (found in the namespaces KubeReach watches: ${listWords(read, 5)}): the API server refuses this Service ("provided port is already allocated"). Pick another port in 30000-32767, or leave nodePort out and let the cluster choose.`,
      at: { path: ['spec', 'ports', index, 'nodePort'] },
      claim: {
        key: `node-port:${index}`,
        what: `nodePort ${nodePort} is taken`,
        evidence,
        consequence:
          'Node ports are cluster-wide, so the API server refuses whichever is applied second: pick another port, or leave nodePort out.',
      },
    });
  }
  return findings;
}
