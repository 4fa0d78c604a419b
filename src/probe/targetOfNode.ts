/**
 * The probe targets a tree item stands for, so that "Probe from Pod…" and "Diagnose Connectivity…"
 * can start from the target (a Service, an endpoint) and ask for the source Pod second.
 */
import type { V1Pod } from '@kubernetes/client-node';
import type { ClusterCache } from '../cluster/cache.ts';
import type { ExplorerNode } from '../explorer/nodes.ts';
import { isPortNumber } from '../ui/html.ts';
import type { PodProbeTarget, ProbeTarget } from './types.ts';

const HTTP_PORT_NAMES = /^(http|https|web|metrics|grpc-web)/;

/** Whether a port is probed with an HTTP request (else only its TCP connection). */
export function looksHttp(port: number, name: string | undefined): boolean {
  return HTTP_PORT_NAMES.test(name ?? '') || [80, 443, 8000, 8080, 8443, 3000, 9090].includes(port);
}

/** A Service: each of its ports; an endpoint: its address on each port of its EndpointSlice. */
export function targetsOfNode(
  cache: Pick<ClusterCache, 'service' | 'endpointSlices'>,
  node: ExplorerNode,
): ProbeTarget[] {
  if (node.kind === 'service') {
    return (cache.service(node.namespace, node.name)?.spec?.ports ?? []).map((port) => ({
      kind: 'service',
      namespace: node.namespace,
      name: node.name,
      port: port.port,
      addressing: 'namespaced',
      protocol: looksHttp(port.port, port.name) ? 'http' : 'tcp',
    }));
  }
  if (node.kind === 'endpoint') {
    const slice = cache
      .endpointSlices(node.namespace, node.service)
      .find((candidate) => candidate.endpoints?.some((e) => e.addresses[0] === node.address));
    return (slice?.ports ?? [])
      .filter((port) => isPortNumber(port.port))
      .map((port) => ({
        kind: 'pod',
        namespace: node.namespace,
        name: node.pod ?? node.address,
        ip: node.address,
        port: port.port!,
        protocol: looksHttp(port.port!, port.name) ? 'http' : 'tcp',
      }));
  }
  return [];
}

/**
 * What a Pod offers as probe targets ("Probe from Pod…" and the matrix): its IP on each declared
 * containerPort, with the port's name for the picker. A containerPort that is not a port number
 * (an API object may hold a string, markup, 0 or 70000) is not offered: a probe to it could only
 * fail, and its text would reach the picker. A Pod without an IP offers nothing.
 */
export function podPortTargets(
  pod: V1Pod,
  namespace: string,
): Array<{ target: PodProbeTarget; portName: string | undefined }> {
  const ip = pod.status?.podIP;
  if (!ip) {
    return [];
  }
  return (pod.spec?.containers ?? []).flatMap((container) =>
    (container.ports ?? [])
      .filter((port) => isPortNumber(port.containerPort))
      .map((port) => {
        const portName = typeof port.name === 'string' ? port.name : undefined;
        const target: PodProbeTarget = {
          kind: 'pod',
          namespace,
          name: pod.metadata?.name ?? '',
          ip,
          port: port.containerPort,
          protocol: looksHttp(port.containerPort, portName) ? 'http' : 'tcp',
        };
        return { target, portName };
      }),
  );
}

/** A Service target seen from the source's namespace: by its short name there. */
export function addressedFrom(target: ProbeTarget, sourceNamespace: string): ProbeTarget {
  return target.kind === 'service' && target.namespace === sourceNamespace
    ? { ...target, addressing: 'short' }
    : target;
}

export function targetText(target: ProbeTarget): string {
  switch (target.kind) {
    case 'service':
      return `${target.namespace}/${target.name}:${target.port}`;
    case 'pod':
      return `${target.namespace}/${target.name} ${target.ip}:${target.port}`;
    case 'url':
      return target.url;
    case 'address':
      return `${target.host}:${target.port}`;
  }
}
