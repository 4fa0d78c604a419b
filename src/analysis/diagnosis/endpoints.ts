/**
 * Hop 4, EndpointSlices: the slices hold the ready Pods' IPs and the targetPort resolved per Pod,
 * as the EndpointSlice controller would write them; where they disagree (a ready Pod missing, a
 * stale address or readiness, a wrong port, an endpoint the selector no longer picks), the
 * disagreement is named. A Service without selector has hand-made slices, judged as they are.
 */
import type { HopDraft } from '../hops.ts';
import { resolveTargetPort } from '../ports.ts';
import { plural } from '../sentences.ts';
import { isPodReady } from './readiness.ts';
import { targetOf } from './service.ts';
import type { ServiceContext } from './service.ts';
import type { EndpointSliceLike, ManifestReference } from './types.ts';
import { nameOf, podIp, podIps } from './world.ts';
import type { World } from './world.ts';

const SERVICE_NAME_LABEL = 'kubernetes.io/service-name';

function sliceNamespace(slice: EndpointSliceLike, fallback: string): string {
  return slice.metadata?.namespace ?? fallback;
}

interface ActualEndpoint {
  readonly address: string;
  readonly ready: boolean;
  readonly pod?: string;
  /** The slice's port for the Service port, when the slice has one. */
  readonly port?: number;
  readonly slice: string;
}

export function endpointsHop(world: World, context: ServiceContext): HopDraft {
  const { namespace, name, port, selected, hasSelector } = context;
  const slices = world
    .endpointSlicesIn(namespace)
    .filter(
      (slice) =>
        sliceNamespace(slice, namespace) === namespace &&
        slice.metadata?.labels?.[SERVICE_NAME_LABEL] === name,
    );
  const portName = port?.name ?? '';
  const actual: ActualEndpoint[] = [];
  for (const slice of slices) {
    const slicePort = (slice.ports ?? []).find(
      (candidate) =>
        (candidate.name ?? '') === portName && (candidate.protocol ?? 'TCP') === context.protocol,
    );
    for (const endpoint of slice.endpoints ?? []) {
      const ready = endpoint.conditions?.ready !== false && endpoint.conditions?.terminating !== true;
      for (const address of endpoint.addresses ?? []) {
        actual.push({
          address,
          ready,
          slice: slice.metadata?.name ?? '(unnamed)',
          ...(endpoint.targetRef?.name ? { pod: endpoint.targetRef.name } : {}),
          ...(slicePort?.port == null ? {} : { port: slicePort.port }),
        });
      }
    }
  }
  const evidence: string[] = [
    slices.length === 0
      ? `No EndpointSlice carries the label ${SERVICE_NAME_LABEL}=${name}.`
      : `${plural(slices.length, 'EndpointSlice')}: ${slices.map((slice) => slice.metadata?.name ?? '(unnamed)').join(', ')}.`,
    ...actual.map(
      (endpoint) =>
        `${endpoint.address}${endpoint.pod ? ` (${endpoint.pod})` : ''}: ${endpoint.ready ? 'ready' : 'not ready'}${port === undefined ? '' : endpoint.port === undefined ? `, no port ${portName || port.port}` : `, port ${endpoint.port}`}.`,
    ),
  ];
  const manifest: ManifestReference = { kind: 'Service', namespace, name };
  if (port === undefined) {
    const readyCount = actual.filter((endpoint) => endpoint.ready).length;
    return {
      status: 'skipped',
      summary: `Skipped: the requested port is not a port of the Service (${plural(readyCount, 'ready endpoint')} for its other ports).`,
      evidence,
    };
  }
  const readyWithPort = actual.filter((endpoint) => endpoint.ready && endpoint.port !== undefined);
  const readyAddresses = actual.filter((endpoint) => endpoint.ready);
  if (!hasSelector) {
    if (readyWithPort.length > 0) {
      return {
        status: 'passed',
        summary: `The hand-made EndpointSlices of ${namespace}/${name} list ${plural(readyWithPort.length, 'ready endpoint')} for port ${port.port}.`,
        evidence,
      };
    }
    return {
      status: 'failed',
      summary: `Service ${namespace}/${name} has no selector and its EndpointSlices list no ready endpoint with port ${portName || port.port}, so connections to it are refused.`,
      evidence,
      fix: `Write an EndpointSlice labelled ${SERVICE_NAME_LABEL}: ${name} with the backends' addresses and a port named '${portName}', or give the Service a selector.`,
      manifest,
    };
  }

  // What the EndpointSlice controller would write, per selected Pod.
  const disagreements: string[] = [];
  let unresolved = 0;
  for (const pod of selected) {
    const ip = podIp(pod);
    const phase = pod.status?.phase;
    if (ip === undefined || phase === 'Succeeded' || phase === 'Failed') {
      continue;
    }
    // The controller resolves targetPort for headless Services too.
    const resolution = resolveTargetPort(port, pod);
    const expectedPort = resolution.ok ? resolution.port : undefined;
    if (expectedPort === undefined) {
      unresolved++;
    }
    const ready = isPodReady(pod);
    const found =
      actual.find((endpoint) => endpoint.pod === nameOf(pod)) ??
      actual.find((endpoint) => endpoint.address === ip);
    if (found === undefined) {
      if (ready) {
        disagreements.push(
          `Ready Pod ${nameOf(pod)} (${ip}) is in no EndpointSlice: the EndpointSlice controller has not caught up, or is not running.`,
        );
      }
      continue;
    }
    if (found.address !== ip) {
      disagreements.push(
        `The EndpointSlice lists ${nameOf(pod)} at ${found.address}, but the Pod's IP is ${ip}: the slice is stale.`,
      );
    }
    if (found.ready !== ready) {
      disagreements.push(
        `The EndpointSlice marks ${nameOf(pod)} ${found.ready ? 'ready' : 'not ready'}, but the Pod is ${ready ? 'ready' : 'not ready'}: the slice is stale.`,
      );
    }
    if (expectedPort !== undefined && found.port !== undefined && found.port !== expectedPort) {
      disagreements.push(
        `The EndpointSlice gives ${nameOf(pod)} port ${found.port}, but targetPort ${targetOf(port)} resolves to ${expectedPort} on it.`,
      );
    }
    if (expectedPort !== undefined && found.port === undefined) {
      disagreements.push(
        `The EndpointSlice has no port ${portName || port.port} for ${nameOf(pod)}, though targetPort ${targetOf(port)} resolves to ${expectedPort} on it.`,
      );
    }
  }
  const selectedNames = new Set(selected.map(nameOf));
  const selectedIps = new Set(selected.flatMap(podIps));
  for (const endpoint of actual) {
    if (endpoint.pod !== undefined ? !selectedNames.has(endpoint.pod) : !selectedIps.has(endpoint.address)) {
      disagreements.push(
        `${endpoint.address}${endpoint.pod ? ` (${endpoint.pod})` : ''} is listed but is not a Pod the selector picks now: the slice is stale or was written by hand.`,
      );
    }
  }
  evidence.push(...disagreements);
  if (readyAddresses.length === 0) {
    return {
      status: 'failed',
      summary: `The EndpointSlices of ${namespace}/${name} hold no ready endpoint, so connections to the Service are refused.`,
      evidence,
      ...(disagreements.length > 0
        ? {
            fix: 'The EndpointSlices disagree with the Pods: check that the EndpointSlice controller (kube-controller-manager) runs.',
          }
        : {}),
      manifest,
    };
  }
  if (readyWithPort.length === 0 && unresolved > 0) {
    return {
      status: 'passed',
      summary: `The EndpointSlices list ${plural(readyAddresses.length, 'ready Pod')}, as the selector says, but none with port ${portName || port.port}: targetPort ${targetOf(port)} resolves on none of them (see Target port).`,
      evidence,
    };
  }
  if (readyWithPort.length === 0) {
    return {
      status: 'failed',
      summary: `The EndpointSlices of ${namespace}/${name} list ready Pods but no port ${portName || port.port} for them, so connections to the Service are refused.`,
      evidence,
      fix: 'The EndpointSlices disagree with the Pods: check that the EndpointSlice controller (kube-controller-manager) runs.',
      manifest,
    };
  }
  return {
    status: 'passed',
    summary:
      disagreements.length === 0
        ? `The EndpointSlices list ${plural(readyWithPort.length, 'ready endpoint')} for port ${port.port}, agreeing with the Pods.`
        : `The EndpointSlices list ${plural(readyWithPort.length, 'ready endpoint')} for port ${port.port}, but disagree with the Pods in ${plural(disagreements.length, 'place')} (see evidence).`,
    evidence,
  };
}
