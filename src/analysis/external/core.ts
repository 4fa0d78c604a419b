/**
 * "Why can't I reach my app from outside?", hop by hop, from the cluster state alone: the static
 * part of "Diagnose External Access". Pure: no `vscode`, no network, no clock. The order:
 * 1. route (route.ts): the Ingress rule for host and path, or the Service holding the node port;
 * 2. class (controller.ts): the IngressClass and its controller's ready Pods;
 * 3. address (address.ts): the Ingress's or the LoadBalancer's published address;
 * 4. nodePort (nodePort.ts): the nodes that answer on the node port (externalTrafficPolicy);
 * 5. service, selector, endpoints, port (backend.ts): the backend Service's hops, those of the
 *    Pod-to-Service diagnosis (src/analysis/diagnosis/ and the shared hop core in src/analysis/hops.ts);
 * 6. policy (backend.ts): the backend Pods' NetworkPolicies against the controller's Pods, or the
 *    node's or client's address for a node port;
 * 7. probe: filled in by the engine (src/diagnose/externalDiagnoser.ts).
 * Every hop is evaluated; the conclusion names the first failing one with its fix.
 * A request a Gateway serves (a URL for a Gateway's listener, an HTTPRoute) takes the hops of
 * gateway.ts instead: listener, attachment, rule, backendRefs, address, then 5 to 7.
 */
import { isPodReady } from '../diagnosis/index.ts';
import { conclude, orderHops as orderHopsOf } from '../hops.ts';
import type { Conclusion } from '../hops.ts';
import { upperFirst } from '../sentences.ts';
import { hostnameMatches } from '../gateway/index.ts';
import { addressStage } from './address.ts';
import { diagnoseGateway, missingGatewayDiagnosis } from './gateway.ts';
import { gatewaysForUrl, parseGatewayUrl, selectGateway } from './gatewayRoute.ts';
import { backendStage, probeTargets } from './backend.ts';
import { controllerHttpPort, controllerStage } from './controller.ts';
import { nodePortProbeSource, nodePortStage } from './nodePort.ts';
import { routeStage } from './route.ts';
import { EXTERNAL_HOP_IDS } from './types.ts';
import type {
  ExternalDiagnosis,
  ExternalHop,
  ExternalHopId,
  ExternalInput,
  HopDraft,
  IngressHopId,
} from './types.ts';

export const EXTERNAL_HOP_TITLES: Readonly<Record<ExternalHopId, string>> = {
  listener: 'Gateway listener',
  attachment: 'Route attachment',
  rule: 'Route rule',
  backendRefs: 'Route backendRefs',
  route: 'Route',
  class: 'Class and controller',
  address: 'Address',
  nodePort: 'Node port',
  service: 'Backend Service and port',
  selector: 'Backend Pods and readiness',
  endpoints: 'Backend EndpointSlices',
  port: 'Backend target port',
  policy: 'NetworkPolicy',
  probe: 'Live probe',
};

function clientLabel(input: Pick<ExternalInput, 'clientIp'>): string {
  return input.clientIp === undefined ? 'a client outside the cluster' : `client ${input.clientIp}`;
}

/** The hops in order, with their titles. */
export function orderHops(drafts: Readonly<Record<IngressHopId, HopDraft>>): ExternalHop[] {
  return orderHopsOf(EXTERNAL_HOP_IDS, EXTERNAL_HOP_TITLES, drafts);
}

/** The conclusion.ts rule (the first failing hop, with its fix), in sentences about a client outside. */
export function concludeExternal(
  hops: readonly ExternalHop[],
  input: Pick<ExternalInput, 'clientIp'>,
  label: string,
): Conclusion<ExternalHopId> {
  const conclusion = conclude(hops, { source: clientLabel(input), target: label });
  return {
    ...conclusion,
    sentence: upperFirst(conclusion.sentence),
  };
}

/** For a URL an Ingress took: a Gateway whose listener also takes its host and port, named with how to diagnose through it. */
function gatewayAlsoServing(input: ExternalInput): string | undefined {
  const { request, gatewayApi } = input;
  if (request.kind !== 'url' || gatewayApi?.state !== 'served') {
    return undefined;
  }
  const url = parseGatewayUrl(request.url);
  const gateway = url === undefined ? undefined : gatewaysForUrl(gatewayApi.world, url.host, url.port)[0];
  const takes = gateway?.spec?.listeners?.some(
    (l) => l.port === url!.port && (l.hostname === undefined || hostnameMatches(l.hostname, url!.host)),
  );
  if (gateway === undefined || takes !== true) {
    return undefined;
  }
  const ref = `${gateway.metadata.namespace ?? 'default'}/${gateway.metadata.name ?? ''}`;
  return `Gateway ${ref} also has a listener for ${url!.host} on port ${url!.port}: type "${request.url.trim()} via ${ref}" to diagnose the request through it.`;
}

export function diagnoseExternal(input: ExternalInput): ExternalDiagnosis {
  const gateway = selectGateway(input, () => {
    const stage = routeStage(input);
    return stage.ingress !== undefined && stage.draft.status !== 'failed';
  });
  if (gateway.kind === 'selected') {
    return diagnoseGateway(input, gateway.selection);
  }
  if (gateway.kind === 'missing') {
    return missingGatewayDiagnosis(input, gateway.label, gateway.draft);
  }
  const route = routeStage(input);
  const controller = controllerStage(input, route.ingress, route.className);
  const controllerFound = controller.pods.length > 0;
  const address = addressStage(input, route.ingress, route.entryService, controllerFound);
  const nodePort = nodePortStage(input, route.entryService, route.entryPort, route.node);
  const answering = nodePort.nodePorts.filter((node) => node.answers);
  const controllerPod = controller.pods[0];
  const backend = backendStage(
    input,
    route.backend,
    route.entryService === undefined ? controllerPod : undefined,
    controller.draft.status !== 'unknown',
    route.entryService === undefined ? undefined : { service: route.entryService, answering },
  );
  const alsoGateway = gatewayAlsoServing(input);
  const drafts: Record<IngressHopId, HopDraft> = {
    route:
      alsoGateway === undefined
        ? route.draft
        : { ...route.draft, evidence: [...route.draft.evidence, alsoGateway] },
    class: controller.draft,
    address,
    nodePort: nodePort.draft,
    ...backend.drafts,
    probe: {
      status: 'skipped',
      summary: 'Not run: this is the static diagnosis from the cluster state.',
      evidence: [],
    },
  };
  const hops = orderHops(drafts);
  const readyController = controller.pods.find(isPodReady);
  const nodePortSource =
    route.entryService === undefined || nodePort.nodePorts.length === 0
      ? undefined
      : nodePortProbeSource(input, route.entryService);
  const controllerPort =
    readyController === undefined ? undefined : controllerHttpPort(readyController, input.services);
  return {
    request: input.request,
    label: route.label,
    ...(route.ingress === undefined
      ? {}
      : {
          ingress: {
            namespace: route.ingress.metadata.namespace ?? 'default',
            name: route.ingress.metadata.name ?? '',
          },
        }),
    ...(route.backend === undefined ? {} : { service: route.backend }),
    hops,
    conclusion: concludeExternal(hops, input, route.label),
    plan: {
      ...probeTargets(controller.pods, backend.backends),
      nodePorts: nodePort.nodePorts,
      ...(route.http === undefined ? {} : { http: route.http }),
      ...(readyController === undefined || controllerPort === undefined
        ? {}
        : {
            controllerHttp: {
              namespace: readyController.metadata.namespace ?? 'default',
              name: readyController.metadata.name ?? '',
              port: controllerPort,
            },
          }),
      ...(nodePortSource === undefined ? {} : { nodePortSource }),
    },
  };
}
