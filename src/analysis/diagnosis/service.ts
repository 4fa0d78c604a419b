/**
 * Hop 2, the Service and its port: the Service exists, its type, the requested port exists with
 * this protocol, and when it does not, why (another protocol, the targetPort used instead of the
 * port, a name that is not there). Also the Service semantics later hops share: the Pods its
 * selector picks, and the container port a connection through a Service port reaches on a Pod.
 */
import type { Protocol, Service, ServicePort } from '../k8s.ts';
import { matchesServiceSelector } from '../labels.ts';
import type { HopDraft } from '../hops.ts';
import { resolveTargetPort } from '../ports.ts';
import { list } from '../sentences.ts';
import type { DiagnosisPod, ManifestReference } from './types.ts';
import { formatServicePort, selectorText } from './wording.ts';
import { isHeadless, nameOf, nsOf, serviceClusterIps, serviceType } from './world.ts';
import type { World } from './world.ts';

export interface ServiceContext {
  readonly service: Service;
  readonly namespace: string;
  readonly name: string;
  readonly port?: ServicePort;
  readonly protocol: Protocol;
  /** Pods the selector picks (Pods with an IP that have not finished). */
  readonly selected: readonly DiagnosisPod[];
  readonly hasSelector: boolean;
}

export function selectedPods(world: World, service: Service): DiagnosisPod[] {
  const selector = service.spec?.selector;
  return world
    .podsIn(nsOf(service))
    .filter((pod) => matchesServiceSelector(selector, pod.metadata.labels))
    .sort((a, b) => nameOf(a).localeCompare(nameOf(b)));
}

export function findServicePort(
  service: Service,
  wanted: number | string,
  protocol: Protocol,
): ServicePort | undefined {
  const ports = service.spec?.ports ?? [];
  return typeof wanted === 'number'
    ? ports.find((port) => port.port === wanted && (port.protocol ?? 'TCP') === protocol)
    : ports.find((port) => port.name === wanted && (port.protocol ?? 'TCP') === protocol);
}

/** The targetPort a Service port names, after the API server's defaulting. */
export function targetOf(port: ServicePort): number | string {
  return port.targetPort === undefined || port.targetPort === 0 || port.targetPort === ''
    ? port.port
    : port.targetPort;
}

/** The container port a connection through this Service port reaches on a Pod. */
export function backendPort(service: Service, port: ServicePort, pod: DiagnosisPod): number | undefined {
  if (isHeadless(service)) {
    // No proxy: clients connect to the Pod on the port they use.
    return port.port;
  }
  const resolved = resolveTargetPort(port, pod);
  return resolved.ok ? resolved.port : undefined;
}

export function serviceHop(world: World, context: ServiceContext, requestedPort: number | string): HopDraft {
  const { service, namespace, name, port, protocol } = context;
  const type = serviceType(service);
  const ports = service.spec?.ports ?? [];
  const evidence = [
    `Type ${type}${isHeadless(service) ? ' (headless: no ClusterIP, no proxying)' : ''}${serviceClusterIps(service).length > 0 ? `, ClusterIP ${serviceClusterIps(service).join(', ')}` : ''}.`,
    `Ports: ${ports.length > 0 ? ports.map(formatServicePort).join('; ') : 'none'}.`,
    context.hasSelector
      ? `Selector: ${selectorText(service.spec?.selector ?? {})}.`
      : type === 'ExternalName'
        ? `External name: ${service.spec?.externalName ?? '(none)'}.`
        : 'No selector: its EndpointSlices are managed by hand.',
  ];
  const manifest: ManifestReference = { kind: 'Service', namespace, name };
  if (port !== undefined) {
    const headlessNote =
      isHeadless(service) && targetOf(port) !== port.port
        ? ` It is headless, so clients reach the Pods on ${port.port} itself, not on targetPort ${targetOf(port)}.`
        : '';
    return {
      status: 'passed',
      summary: `Service ${namespace}/${name} (${type}) has port ${port.port}/${protocol}${port.name ? ` (${port.name})` : ''}, forwarded to targetPort ${targetOf(port)}.${headlessNote}`,
      evidence: [
        ...evidence,
        ...((type === 'NodePort' || type === 'LoadBalancer') && port.nodePort !== undefined
          ? [`Also on every node at port ${port.nodePort}.`]
          : []),
      ],
      manifest,
    };
  }
  if (ports.length === 0 && type === 'ExternalName') {
    return {
      status: 'passed',
      summary: `Service ${namespace}/${name} is an ExternalName for ${service.spec?.externalName ?? '(none)'}; any port goes straight there.`,
      evidence,
      manifest,
    };
  }
  // Why not: another protocol, the targetPort used instead of the port, a name that is not there.
  const hints: string[] = [];
  let fix: string | undefined;
  const sameNumber = ports.filter((candidate) =>
    typeof requestedPort === 'number' ? candidate.port === requestedPort : candidate.name === requestedPort,
  );
  if (sameNumber.length > 0) {
    const other = sameNumber.map((candidate) => candidate.protocol ?? 'TCP');
    hints.push(`Port ${requestedPort} exists for ${list(other)} only, and the connection is ${protocol}.`);
    fix = `Connect over ${other[0]}, or add ${protocol} to port ${requestedPort} of Service ${namespace}/${name}.`;
  } else if (typeof requestedPort === 'number') {
    const viaTarget = ports.filter((candidate) => {
      const target = targetOf(candidate);
      if (target === requestedPort) {
        return true;
      }
      return context.selected.some((pod) => {
        const resolved = resolveTargetPort(candidate, pod);
        return resolved.ok && resolved.port === requestedPort;
      });
    });
    if (viaTarget.length > 0) {
      const through = viaTarget[0]!;
      hints.push(
        `${requestedPort} is the port the Pods listen on behind Service port ${through.port}: clients of the Service use the Service port.`,
      );
      fix = `Connect to ${name}${namespace === world.sourceNs ? '' : `.${namespace}`}:${through.port} (the Service port), or to a Pod's IP on ${requestedPort}.`;
    }
  }
  if (fix === undefined) {
    const available = ports.filter((candidate) => (candidate.protocol ?? 'TCP') === protocol);
    fix =
      available.length > 0
        ? `Use one of the Service's ports (${available.map((candidate) => candidate.port).join(', ')}), or add port ${requestedPort} to Service ${namespace}/${name}.`
        : `Add port ${requestedPort}/${protocol} to Service ${namespace}/${name}.`;
  }
  return {
    status: 'failed',
    summary: `Service ${namespace}/${name} has no ${protocol} port ${typeof requestedPort === 'number' ? requestedPort : `named ${requestedPort}`}${ports.length > 0 ? `; its ports are ${ports.map((candidate) => `${candidate.port}/${candidate.protocol ?? 'TCP'}`).join(', ')}` : ''}.`,
    evidence: [...evidence, ...hints],
    fix,
    manifest,
  };
}
