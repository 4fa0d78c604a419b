/**
 * A request a Gateway serves, hop by hop: listener, attachment, rule (gatewayRoute.ts), backendRefs
 * and the Gateway's address (gatewayBackend.ts), then the backend Service's hops and NetworkPolicy
 * from the Gateway's Pods (backend.ts, as for an Ingress), then the live probe (the engine's).
 * Pure.
 */
import { isPodReady } from '../diagnosis/index.ts';
import { backendStage, probeTargets } from './backend.ts';
import { concludeExternal, EXTERNAL_HOP_TITLES } from './core.ts';
import { backendRefsStage, findGatewayPods, gatewayAddressHop, gatewayPodPort } from './gatewayBackend.ts';
import { GRPC_NOT_PROBED } from './gatewayGrpc.ts';
import { attachmentHop, gatewayRefOf, listenerHop, routeSelection, ruleHop } from './gatewayRoute.ts';
import type { GatewaySelection } from './gatewayRoute.ts';
import { GATEWAY_HOP_IDS } from './types.ts';
import type { ExternalDiagnosis, ExternalHop, ExternalHopId, ExternalInput, HopDraft } from './types.ts';

const NOT_RUN: HopDraft = {
  status: 'skipped',
  summary: 'Not run: this is the static diagnosis from the cluster state.',
  evidence: [],
};

function ordered(drafts: Partial<Record<ExternalHopId, HopDraft>>): ExternalHop[] {
  return GATEWAY_HOP_IDS.map((id) => ({
    id,
    title: EXTERNAL_HOP_TITLES[id],
    ...(drafts[id] ?? { status: 'skipped', summary: 'Not reached.', evidence: [] }),
  }));
}

/** The diagnosis when the Gateway itself cannot be found (or the Gateway API is not served). */
export function missingGatewayDiagnosis(
  input: ExternalInput,
  label: string,
  draft: HopDraft,
): ExternalDiagnosis {
  const skipped: HopDraft = { status: 'skipped', summary: 'No Gateway takes the request.', evidence: [] };
  const hops = ordered({
    listener: draft,
    attachment: skipped,
    rule: skipped,
    backendRefs: skipped,
    address: skipped,
    service: skipped,
    selector: skipped,
    endpoints: skipped,
    port: skipped,
    policy: skipped,
    probe: NOT_RUN,
  });
  return {
    request: input.request,
    label,
    hops,
    conclusion: concludeExternal(hops, input, label),
    plan: { controllerPods: [], backends: [], nodePorts: [] },
  };
}

export function diagnoseGateway(input: ExternalInput, selection: GatewaySelection): ExternalDiagnosis {
  const world = input.gatewayApi?.state === 'served' ? input.gatewayApi.world : undefined;
  if (world === undefined) {
    return missingGatewayDiagnosis(input, selection.label, {
      status: 'unknown',
      summary: 'The Gateway API objects are not available.',
      evidence: [],
    });
  }
  const { table, decision } = routeSelection(selection, world);
  const backendRefs = backendRefsStage(decision);
  const address = gatewayAddressHop(selection.gateway);
  const pods = findGatewayPods(selection.gateway, input.pods).sort(
    (a, b) => Number(isPodReady(b)) - Number(isPodReady(a)),
  );
  const gatewayPod = pods[0];
  const backend = backendStage(input, backendRefs.backend, gatewayPod, true, undefined);
  const policy: HopDraft =
    gatewayPod === undefined && backendRefs.backend !== undefined
      ? {
          status: 'unknown',
          summary:
            "The Gateway's Pods were not found (no Pod labelled gateway.networking.k8s.io/gateway-name, no gateway controller image in view): which NetworkPolicies admit them cannot be told.",
          evidence: backend.drafts.policy.evidence,
        }
      : backend.drafts.policy;
  // The object a failing hop's fix changes: the Gateway for its listeners, the route for the rest.
  const gatewayManifest = { kind: 'Gateway', ...gatewayRefOf(selection.gateway) };
  const routeRef =
    decision.kind === 'routed'
      ? { kind: decision.routeKind, namespace: decision.route.namespace, name: decision.route.name }
      : selection.route === undefined
        ? undefined
        : { kind: selection.route.kind, ...gatewayRefOf(selection.route.route) };
  // A gRPC call is diagnosed by the static hops only: no probe sends one (gatewayGrpc.ts).
  const notProbed = decision.request.grpc ? GRPC_NOT_PROBED : undefined;
  const linked = (draft: HopDraft, manifest: HopDraft['manifest']): HopDraft =>
    draft.status === 'failed' && manifest !== undefined ? { ...draft, manifest } : draft;
  const hops = ordered({
    listener: linked(listenerHop(decision, table), gatewayManifest),
    attachment: linked(attachmentHop(decision, table, world, selection.route), routeRef),
    rule: linked(ruleHop(decision), routeRef),
    backendRefs: linked(backendRefs.draft, routeRef),
    address: address.draft,
    ...backend.drafts,
    policy,
    probe:
      notProbed === undefined
        ? NOT_RUN
        : { status: 'skipped', summary: `Not probed: ${notProbed}.`, evidence: [] },
  });
  const { host, path, port } = selection.request;
  // The request through a port-forward to a ready Gateway Pod's port for the listener: it works
  // from a machine that cannot reach the Gateway's address.
  const podPort =
    gatewayPod !== undefined && isPodReady(gatewayPod)
      ? gatewayPodPort(gatewayPod, port, input.services)
      : undefined;
  const gw = {
    namespace: selection.gateway.metadata.namespace ?? 'default',
    name: selection.gateway.metadata.name ?? '',
  };
  return {
    request: input.request,
    label: selection.label,
    gateway: {
      ...gw,
      ...(decision.kind === 'routed' || decision.kind === 'no-route' ? { listener: decision.listener } : {}),
      ...(decision.kind === 'routed'
        ? {
            route: {
              namespace: decision.route.namespace,
              name: decision.route.name,
              ruleIndex: decision.ruleIndex,
            },
          }
        : {}),
    },
    ...(backendRefs.backend === undefined ? {} : { service: backendRefs.backend }),
    hops,
    conclusion: concludeExternal(hops, input, selection.label),
    plan:
      notProbed !== undefined
        ? { controllerPods: [], backends: [], nodePorts: [], notProbed }
        : {
            ...probeTargets(pods, backend.backends),
            nodePorts: [],
            http: { ...(host === undefined ? {} : { host }), path },
            ...(address.address === undefined ? {} : { gatewayHttp: { address: address.address, port } }),
            ...(gatewayPod === undefined || podPort === undefined
              ? {}
              : {
                  controllerHttp: {
                    namespace: gatewayPod.metadata.namespace ?? 'default',
                    name: gatewayPod.metadata.name ?? '',
                    port: podPort,
                  },
                }),
          },
  };
}
