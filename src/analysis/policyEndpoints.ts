/**
 * What the NetworkPolicy evaluator (networkPolicy.ts) is given: a Pod or a node as an endpoint, and
 * a cached policy as the API's JSON. Kept apart from the evaluator so that each stays one idea.
 */
import type { NetworkPolicy, NetworkPolicyIngressRule, Pod } from './k8s.ts';
import type { Endpoint, ExternalEndpoint } from './networkPolicy.ts';
import { declaredPorts } from './ports.ts';

/**
 * The endpoint a Pod is to NetworkPolicy. A host-network pod shares its node's address and is not
 * governed by NetworkPolicy, so it is an external endpoint at that address.
 */
export function podEndpoint(pod: Pod): Endpoint {
  const namespace = pod.metadata.namespace ?? 'default';
  const name = pod.metadata.name ?? '(unnamed)';
  const ip = pod.status?.podIP ?? pod.status?.podIPs?.[0]?.ip;
  const node = pod.spec?.nodeName;
  if (pod.spec?.hostNetwork === true) {
    return {
      kind: 'external',
      ip: ip ?? '',
      name: `host-network pod ${namespace}/${name}`,
      ...(node === undefined || node === '' ? {} : { node }),
    };
  }
  const status = pod.status as
    (Pod['status'] & { readonly hostIPs?: readonly { ip?: string }[] }) | undefined;
  const hostIPs = [
    ...new Set(
      [status?.hostIP, ...(status?.hostIPs ?? []).map((entry) => entry.ip)].filter(
        (address): address is string => address !== undefined && address !== '',
      ),
    ),
  ];
  return {
    kind: 'pod',
    namespace,
    name,
    labels: pod.metadata.labels ?? {},
    ...(ip === undefined ? {} : { ip }),
    containerPorts: declaredPorts(pod).map(({ port }) => port),
    ...(node === undefined || node === '' ? {} : { node }),
    ...(hostIPs.length === 0 ? {} : { hostIPs }),
  };
}

/** A node as a peer: its address, e.g. the kubelet's probes come from it. */
export function nodeEndpoint(name: string, ip: string): ExternalEndpoint {
  return { kind: 'external', ip, name: `node ${name}`, node: name };
}

/**
 * A cached NetworkPolicy as the API's JSON: client-node's models call an ingress rule's `from`
 * `_from` (its generator avoids the reserved word), and the cache holds models. Without this, every
 * `from` would read as absent, that is as "every peer".
 */
export function networkPolicyFromModel(policy: unknown): NetworkPolicy {
  const object = policy as NetworkPolicy;
  const ingress = object.spec?.ingress as readonly Record<string, unknown>[] | undefined;
  if (ingress === undefined || !ingress.some((rule) => '_from' in rule)) {
    return object;
  }
  return {
    ...object,
    spec: {
      ...object.spec,
      ingress: ingress.map((rule) => {
        if (!('_from' in rule)) {
          return rule;
        }
        const { _from, ...rest } = rule;
        return { ...rest, ...(_from == null ? {} : { from: _from }) };
      }) as NetworkPolicyIngressRule[],
    },
  };
}
