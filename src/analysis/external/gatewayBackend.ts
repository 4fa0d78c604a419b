/**
 * The backendRefs hop of a request a Gateway routed: each backend's Service and port, the
 * ReferenceGrant a cross-namespace one needs, weights (and weights of zero), and what the rule
 * answers when no backend is valid (500). It also picks the backend the Service hops read, and
 * the Gateway's address and its Pods (the NetworkPolicy hop's source). Pure.
 */
import { refText } from '../gateway/index.ts';
import type { Gateway, GatewayRouteDecision } from '../gateway/index.ts';
import type { DiagnosisPod } from '../diagnosis/index.ts';
import { matchesServiceSelector } from '../labels.ts';
import { declaredPorts, resolveTargetPort } from '../ports.ts';
import type { RoutedService } from './route.ts';
import type { ExternalInput, HopDraft } from './types.ts';

function percent(share: number): string {
  return `${Math.round(share * 1000) / 10}%`;
}

export interface BackendRefsStage {
  readonly draft: HopDraft;
  /** The backend the Service hops read: the valid one with the largest share. */
  readonly backend: RoutedService | undefined;
}

export function backendRefsStage(decision: GatewayRouteDecision): BackendRefsStage {
  if (decision.kind !== 'routed') {
    return {
      draft: { status: 'skipped', summary: 'No rule took the request.', evidence: [] },
      backend: undefined,
    };
  }
  const { backends, outcome } = decision.backends;
  const evidence = backends.map(({ backend, share }) =>
    backend.state === 'resolved'
      ? `${backend.text}: weight ${backend.weight}${backend.weight === 0 ? ' (gets no traffic)' : ''}, ${percent(share)} of the rule's requests${backend.grant === undefined ? '' : `, allowed by ReferenceGrant ${refText(backend.grant)}`}${backend.note === undefined ? '' : `; ${backend.note}`}.`
      : `${backend.text}: ${backend.reason}: ${backend.message} (weight ${backend.weight}: ${percent(share)} of the rule's requests answered 500).`,
  );
  const best = [...backends]
    .filter((entry) => entry.backend.state === 'resolved' && entry.share > 0)
    .sort((a, b) => b.share - a.share)[0];
  const backend =
    best !== undefined && best.backend.state === 'resolved'
      ? {
          namespace: best.backend.service.namespace,
          name: best.backend.service.name,
          port: best.backend.port,
        }
      : undefined;
  const rule = `rule ${decision.ruleIndex + 1} of ${decision.routeKind} ${refText(decision.route)}`;
  if (outcome.kind === 'error') {
    const invalid = backends.find((entry) => entry.backend.state === 'invalid')?.backend;
    return {
      backend: undefined,
      draft: {
        status: 'failed',
        summary: `The Gateway answers 500: ${outcome.message}`,
        evidence,
        fix:
          invalid?.state === 'invalid' && invalid.reason === 'RefNotPermitted'
            ? `Create a ReferenceGrant in the backend's namespace allowing ${decision.routeKind}s from ${decision.route.namespace} to refer to the Service (from: group gateway.networking.k8s.io, kind ${decision.routeKind}, namespace ${decision.route.namespace}; to: group "", kind Service).`
            : invalid?.state === 'invalid' && invalid.reason === 'BackendNotFound'
              ? 'Correct the backendRef (name, namespace, port) to name a Service that exists.'
              : `Give ${rule} a backendRef with a non-zero weight to a Service that exists.`,
      },
    };
  }
  if (outcome.kind === 'filter') {
    return {
      backend: undefined,
      draft: {
        status: 'passed',
        summary: `${rule} has no backend: its filters answer the request (${outcome.filters.join(', ')}).`,
        evidence,
      },
    };
  }
  return {
    backend,
    draft: {
      status: 'passed',
      summary: `${rule} forwards to ${backends.filter((e) => e.backend.state === 'resolved' && e.share > 0).length} backend(s)${outcome.errorShare > 0 ? `; ${percent(outcome.errorShare)} of its requests are answered 500 (invalid backends)` : ''}; the hops below read ${backend === undefined ? 'none' : `Service ${backend.namespace}/${backend.name} port ${backend.port}`}.`,
      evidence,
    },
  };
}

/** The Gateway's address hop: the address its controller published, and whether it is Programmed. */
export function gatewayAddressHop(gateway: Gateway): {
  readonly draft: HopDraft;
  readonly address: string | undefined;
} {
  const address = gateway.status?.addresses?.[0]?.value;
  const programmed = gateway.status?.conditions?.find((c) => c.type === 'Programmed');
  const name = `${gateway.metadata.namespace ?? 'default'}/${gateway.metadata.name ?? ''}`;
  const evidence =
    programmed === undefined
      ? []
      : [`Programmed: ${programmed.status} (${programmed.reason}) ${programmed.message ?? ''}`.trim()];
  if (address === undefined) {
    return {
      address,
      draft: {
        status: 'failed',
        summary: `Gateway ${name} has no address in its status: nothing outside can reach it.`,
        evidence,
        fix: "Check the Gateway's controller (its GatewayClass's controllerName) runs and can assign an address.",
      },
    };
  }
  return {
    address,
    draft: {
      status: programmed?.status === 'False' ? 'failed' : 'passed',
      summary:
        programmed?.status === 'False'
          ? `Gateway ${name} has address ${address} but is not Programmed (${programmed.reason}).`
          : `Gateway ${name} is reached at ${address}.`,
      evidence,
    },
  };
}

/** The label Gateway implementations put on the Pods of a Gateway (Envoy Gateway, Istio, the reference). */
const GATEWAY_NAME_LABEL = 'gateway.networking.k8s.io/gateway-name';

/**
 * The Pods that carry a Gateway's traffic: those labelled with its name, else the Pods of a
 * gateway controller image (the sandbox's controller dials backends from its own Pod).
 */
export function findGatewayPods(gateway: Gateway, pods: readonly DiagnosisPod[]): DiagnosisPod[] {
  const labelled = pods.filter((pod) => pod.metadata.labels?.[GATEWAY_NAME_LABEL] === gateway.metadata.name);
  if (labelled.length > 0) {
    return labelled;
  }
  return pods.filter((pod) =>
    (pod.spec?.containers ?? []).some((container) =>
      /gateway-controller|gateway-proxy|envoy-gateway/.test(container.image ?? ''),
    ),
  );
}

/**
 * The container port of a Gateway's Pod that serves a listener's port, for the request sent
 * through a port-forward to the Pod: the targetPort of a Service exposing the Pod on that port
 * (Envoy Gateway's Service maps 80 to the Envoy's 10080), else a container port of that number (a
 * data plane listening on the listener's own ports); undefined when neither says, and then no
 * forwarded request is sent rather than one to a guessed port.
 */
export function gatewayPodPort(
  pod: DiagnosisPod,
  listenerPort: number,
  services: ExternalInput['services'],
): number | undefined {
  const namespace = pod.metadata.namespace ?? 'default';
  const labels = pod.metadata.labels ?? {};
  for (const service of services) {
    const selector = service.spec?.selector ?? {};
    if (
      (service.metadata.namespace ?? 'default') !== namespace ||
      Object.keys(selector).length === 0 ||
      !matchesServiceSelector(selector, labels)
    ) {
      continue;
    }
    const entry = service.spec?.ports?.find(
      (p) => p.port === listenerPort && (p.protocol ?? 'TCP') === 'TCP',
    );
    if (entry !== undefined) {
      const resolved = resolveTargetPort(entry, pod);
      if (resolved.ok) {
        return resolved.port;
      }
    }
  }
  return declaredPorts(pod).find(
    ({ port }) => port.containerPort === listenerPort && (port.protocol ?? 'TCP') === 'TCP',
  )?.port.containerPort;
}
