/**
 * Hop 3, Address: where a client outside the cluster sends the request. An Ingress's address is
 * what its controller publishes in `status.loadBalancer`; a LoadBalancer Service's is what its
 * load-balancer controller writes there. Pending is explained by what it usually means, and
 * `loadBalancerSourceRanges` are checked against the client's address when one is given.
 */
import { sourceRangesAdmit } from '../nodePorts.ts';
import type { Ingress } from '../ingress.ts';
import type { ExternalInput, ExternalService, HopDraft } from './types.ts';

function nsOf(object: { readonly metadata: { readonly namespace?: string } }): string {
  return object.metadata.namespace ?? 'default';
}

function nameOf(object: { readonly metadata: { readonly name?: string } }): string {
  return object.metadata.name ?? '(unnamed)';
}

function addressesOf(
  entries: readonly { readonly ip?: string; readonly hostname?: string }[] | undefined,
): string[] {
  return (entries ?? []).flatMap((entry) =>
    [entry.ip, entry.hostname].filter((value): value is string => value !== undefined && value !== ''),
  );
}

function ingressAddress(ingress: Ingress, controllerFound: boolean): HopDraft {
  const addresses = addressesOf(ingress.status?.loadBalancer?.ingress);
  const manifest = { kind: 'Ingress', namespace: nsOf(ingress), name: nameOf(ingress) };
  if (addresses.length > 0) {
    return {
      status: 'passed',
      summary: `Ingress ${nsOf(ingress)}/${nameOf(ingress)} has the address ${addresses.join(', ')}.`,
      evidence: ['Point the DNS name of the request at this address.'],
    };
  }
  return {
    status: 'failed',
    summary: `Ingress ${nsOf(ingress)}/${nameOf(ingress)} has no address yet: its controller has not published one.`,
    evidence: [
      controllerFound
        ? 'The controller runs: its own Service is usually a LoadBalancer still pending, or the controller publishes no status (ingress-nginx without --publish-service or --publish-status-address).'
        : 'No running controller was found for its class: nothing will publish an address.',
    ],
    fix: "Look at the controller's Service (kubectl get svc -n <controller namespace>): a LoadBalancer stuck at <pending> needs a load-balancer controller, or use the controller's node ports.",
    manifest,
  };
}

function loadBalancerAddress(service: ExternalService, clientIp: string | undefined): HopDraft {
  const namespace = nsOf(service);
  const name = nameOf(service);
  const manifest = { kind: 'Service', namespace, name };
  const addresses = addressesOf(service.status?.loadBalancer?.ingress);
  const ranges = service.spec?.loadBalancerSourceRanges ?? [];
  const rangeEvidence = ranges.length > 0 ? [`loadBalancerSourceRanges: ${ranges.join(', ')}.`] : [];
  if (addresses.length === 0) {
    const lbClass = service.spec?.loadBalancerClass;
    return {
      status: 'failed',
      summary: `LoadBalancer ${namespace}/${name} is pending: no load balancer has given it an address.`,
      evidence: [
        lbClass !== undefined
          ? `Its loadBalancerClass is ${lbClass}: only a controller for that class provisions it, and none has (is the cloud's load-balancer controller installed?).`
          : "Usually: no load-balancer controller runs in this cluster (bare metal without MetalLB or similar), or its address pool is exhausted; the Service's Events say which (kubectl describe svc).",
        ...rangeEvidence,
      ],
      fix:
        lbClass !== undefined
          ? `Install the controller for ${lbClass}, or remove loadBalancerClass so that the cluster's default load balancer serves it; meanwhile, its node ports answer on every node.`
          : 'Install a load-balancer controller (MetalLB) or free an address in its pool; meanwhile, its node ports answer on every node.',
      manifest,
    };
  }
  if (clientIp !== undefined && !sourceRangesAdmit(ranges, clientIp)) {
    return {
      status: 'failed',
      summary: `LoadBalancer ${namespace}/${name} has the address ${addresses.join(', ')}, but its loadBalancerSourceRanges exclude the client ${clientIp}: the load balancer drops it.`,
      evidence: rangeEvidence,
      fix: `Add ${clientIp}/32 (or its network) to loadBalancerSourceRanges.`,
      manifest,
    };
  }
  return {
    status: 'passed',
    summary: `LoadBalancer ${namespace}/${name} has the address ${addresses.join(', ')}.`,
    evidence: [
      ...rangeEvidence,
      ...(ranges.length > 0 && clientIp === undefined
        ? ['Give a client address to check it against loadBalancerSourceRanges.']
        : []),
    ],
  };
}

export function addressStage(
  input: ExternalInput,
  ingress: Ingress | undefined,
  entryService: ExternalService | undefined,
  controllerFound: boolean,
): HopDraft {
  if (ingress !== undefined) {
    return ingressAddress(ingress, controllerFound);
  }
  if (input.request.kind === 'nodePort') {
    return { status: 'skipped', summary: "The request goes to a node's address directly.", evidence: [] };
  }
  if (entryService?.spec?.type === 'LoadBalancer') {
    return loadBalancerAddress(entryService, input.clientIp);
  }
  if (entryService !== undefined) {
    return {
      status: 'skipped',
      summary: `Service ${nsOf(entryService)}/${nameOf(entryService)} has no load balancer: clients use a node's address and its node port.`,
      evidence: [],
    };
  }
  return {
    status: 'skipped',
    summary: 'Nothing to look at: the route found no Ingress and no Service.',
    evidence: [],
  };
}
