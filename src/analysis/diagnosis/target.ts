/**
 * What the name led to, hops 2 to 5 together: for a Service its port, selector, EndpointSlices and
 * target port; for a Pod the Pod and its port (no Service in between); for anything else nothing to
 * look at. Also what the policy hops and the probe plan need from them: the Pods behind the target
 * with the port a connection reaches on each, and whether the port speaks HTTP.
 */
import type { HopDraft } from '../hops.ts';
import { skipped } from '../hops.ts';
import type { Protocol, Service } from '../k8s.ts';
import { declaredPorts } from '../ports.ts';
import { endpointsHop } from './endpoints.ts';
import type { ExternalTarget } from './name.ts';
import { isPodReady } from './readiness.ts';
import { selectorHop, targetPodHop } from './selector.ts';
import { backendPort, findServicePort, selectedPods, serviceHop, targetOf } from './service.ts';
import type { ServiceContext } from './service.ts';
import { podPortHop, servicePortHop } from './targetPort.ts';
import type {
  Backend,
  DiagnosisInput,
  DiagnosisPod,
  HopId,
  ReadinessEvent,
  ResolvedTarget,
} from './types.ts';
import { isHeadless, nameOf, nsOf, podIp, serviceClusterIps, serviceType } from './world.ts';
import type { World } from './world.ts';

function looksLikeHttp(...names: readonly (string | undefined)[]): boolean {
  return names.some((name) => name !== undefined && /^(https?|web|http-.*|.*-http|h2c?)$/i.test(name));
}

/** Hops 2 to 5, and what hops 6 and 7 and the probe plan need from them. */
export interface TargetStage {
  readonly drafts: Readonly<Record<'service' | 'selector' | 'endpoints' | 'port', HopDraft>>;
  readonly titles?: Partial<Record<HopId, string>>;
  readonly resolved: ResolvedTarget;
  /** The Pods behind the target that policies are evaluated against, with their resolved port. */
  readonly backends: readonly Backend[];
  readonly backendPods: readonly DiagnosisPod[];
  /** The port the application connects to (the Service port, the Pod's port), when known. */
  readonly port?: number;
  readonly http: boolean;
  /** Set for an ExternalName Service: where its name leads. */
  readonly external?: ExternalTarget;
  readonly context?: ServiceContext;
}

export function serviceStage(
  input: DiagnosisInput,
  world: World,
  service: Service,
  requestedPort: number | string,
  protocol: Protocol,
): TargetStage {
  const namespace = nsOf(service);
  const name = nameOf(service);
  const port = findServicePort(service, requestedPort, protocol);
  const context: ServiceContext = {
    service,
    namespace,
    name,
    protocol,
    selected: selectedPods(world, service),
    hasSelector: Object.keys(service.spec?.selector ?? {}).length > 0,
    ...(port === undefined ? {} : { port }),
  };
  const clusterIP = serviceClusterIps(service)[0];
  const resolved = (backends: readonly Backend[]): ResolvedTarget => ({
    kind: 'service',
    namespace,
    name,
    type: serviceType(service),
    headless: isHeadless(service),
    ...(clusterIP === undefined ? {} : { clusterIP }),
    ...(port === undefined
      ? {}
      : {
          port: {
            ...(port.name ? { name: port.name } : {}),
            port: port.port,
            protocol,
            targetPort: targetOf(port),
          },
        }),
    backends,
  });
  const applicationPort = port?.port ?? (typeof requestedPort === 'number' ? requestedPort : undefined);
  const common = {
    context,
    http: false,
    ...(applicationPort === undefined ? {} : { port: applicationPort }),
  };
  const serviceDraft = serviceHop(world, context, requestedPort);
  if (serviceType(service) === 'ExternalName') {
    const why = `Service ${namespace}/${name} is an ExternalName: the cluster only answers its name with ${service.spec?.externalName ?? '(none)'}, and nothing is proxied.`;
    return {
      ...common,
      drafts: { service: serviceDraft, selector: skipped(why), endpoints: skipped(why), port: skipped(why) },
      resolved: resolved([]),
      backends: [],
      backendPods: [],
      external: { host: service.spec?.externalName ?? name, port: applicationPort ?? 0 },
    };
  }
  const drafts = {
    service: serviceDraft,
    selector: selectorHop(world, context),
    endpoints:
      input.unreadable?.endpointSlices?.includes(namespace) === true
        ? {
            status: 'unknown' as const,
            summary: `The EndpointSlices of namespace ${namespace} may not be read with these credentials.`,
            evidence: [],
          }
        : endpointsHop(world, context),
    port: servicePortHop(context),
  };
  if (port === undefined) {
    return { ...common, drafts, resolved: resolved([]), backends: [], backendPods: [] };
  }
  // Ready Pods carry the traffic; when none is, the Pods the selector picks stand in.
  const ready = context.selected.filter(isPodReady);
  const backendPods = (ready.length > 0 ? ready : context.selected).filter((pod) => podIp(pod) !== undefined);
  const backends = backendPods.map((pod): Backend => {
    const resolvedPort = backendPort(service, port, pod);
    const ip = podIp(pod);
    return {
      namespace,
      name: nameOf(pod),
      ready: isPodReady(pod),
      ...(ip === undefined ? {} : { ip }),
      ...(resolvedPort === undefined ? {} : { port: resolvedPort }),
    };
  });
  const target = targetOf(port);
  const containerPortNames = backendPods.flatMap((pod) => {
    const reached = backendPort(service, port, pod);
    return declaredPorts(pod)
      .filter(({ port: declared }) => declared.containerPort === reached)
      .map(({ port: declared }) => declared.name);
  });
  const http = looksLikeHttp(
    port.name,
    port.appProtocol,
    typeof target === 'string' ? target : undefined,
    ...containerPortNames,
  );
  return { ...common, http, drafts, resolved: resolved(backends), backends, backendPods };
}

export function podStage(
  pod: DiagnosisPod,
  requestedPort: number | string,
  protocol: Protocol,
  event: ReadinessEvent | undefined,
): TargetStage {
  const why = 'The target is a Pod: no Service stands in between.';
  const { draft: portDraft, port } = podPortHop(pod, requestedPort, protocol);
  const ip = podIp(pod);
  const drafts = {
    service: skipped(why),
    selector: targetPodHop(pod, event),
    endpoints: skipped(why),
    port: portDraft,
  };
  const resolved: ResolvedTarget = {
    kind: 'pod',
    namespace: nsOf(pod),
    name: nameOf(pod),
    ...(ip === undefined ? {} : { ip }),
    ...(port === undefined ? {} : { port }),
  };
  if (port === undefined) {
    return {
      drafts,
      titles: { selector: 'Target Pod' },
      resolved,
      backends: [],
      backendPods: [],
      http: false,
    };
  }
  return {
    drafts,
    titles: { selector: 'Target Pod' },
    resolved,
    port,
    backends: [
      {
        namespace: nsOf(pod),
        name: nameOf(pod),
        ready: isPodReady(pod),
        port,
        ...(ip === undefined ? {} : { ip }),
      },
    ],
    backendPods: ip === undefined ? [] : [pod],
    http: looksLikeHttp(
      ...declaredPorts(pod)
        .filter(({ port: declared }) => declared.containerPort === port)
        .map(({ port: declared }) => declared.name),
    ),
  };
}

export function unresolvedStage(external: ExternalTarget | undefined): TargetStage {
  const why =
    external !== undefined
      ? 'The target is outside the namespaces in view: there is no Service or Pod to look at.'
      : 'Skipped: the name does not lead to a Service or a Pod.';
  const resolved: ResolvedTarget =
    external === undefined
      ? { kind: 'unresolved' }
      : {
          kind: 'external',
          host: external.host,
          port: external.port,
          ...(external.ip === undefined ? {} : { ip: external.ip }),
        };
  return {
    drafts: { service: skipped(why), selector: skipped(why), endpoints: skipped(why), port: skipped(why) },
    resolved,
    backends: [],
    backendPods: [],
    http: false,
  };
}
