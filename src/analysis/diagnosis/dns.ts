/**
 * A name as the source Pod's resolver sees it. A name goes through the Pod's search path
 * (`ns.svc.D`, `svc.D`, `D`, with ndots 5, as kubelet writes resolv.conf), so `svc`, `svc.ns`,
 * `svc.ns.svc` and `svc.ns.svc.cluster.local` all reach Service svc; `a-b-c-d.ns.pod.D` is a Pod's
 * IP; an IP is matched to a Pod or to a Service's ClusterIP. The cluster domain is authoritative:
 * a name under it that is not there fails rather than going upstream.
 */
import { isValidIp } from '../cidr.ts';
import type { Service } from '../k8s.ts';
import type { DiagnosisPod } from './types.ts';
import { DEFAULT_CLUSTER_DOMAIN, podIps, serviceClusterIps } from './world.ts';
import type { World } from './world.ts';

/** The names a resolver with the Pod's search path tries for `name`, in order (ndots 5). */
export function searchPath(
  name: string,
  sourceNamespace: string,
  clusterDomain = DEFAULT_CLUSTER_DOMAIN,
): string[] {
  const domain = clusterDomain.replace(/\.$/, '');
  const lower = name.toLowerCase();
  if (lower.endsWith('.')) {
    return [lower.slice(0, -1)];
  }
  const dots = lower.split('.').length - 1;
  const searched = [
    `${lower}.${sourceNamespace}.svc.${domain}`,
    `${lower}.svc.${domain}`,
    `${lower}.${domain}`,
  ];
  return dots >= 5 ? [lower, ...searched] : [...searched, lower];
}

type NameMeaning =
  | { readonly kind: 'service'; readonly namespace: string; readonly name: string }
  | { readonly kind: 'pod-ip'; readonly namespace: string; readonly ip: string }
  | { readonly kind: 'cluster-other' }
  | { readonly kind: 'outside' };

/** What a fully qualified name means to the cluster DNS (the `D` zone is authoritative). */
function meaningOf(fqdn: string, domain: string): NameMeaning {
  if (fqdn !== domain && !fqdn.endsWith(`.${domain}`)) {
    return { kind: 'outside' };
  }
  const labels = fqdn === domain ? [] : fqdn.slice(0, -domain.length - 1).split('.');
  if (labels.length === 3 && labels[2] === 'svc') {
    return { kind: 'service', namespace: labels[1]!, name: labels[0]! };
  }
  if (labels.length === 3 && labels[2] === 'pod' && /^\d+-\d+-\d+-\d+$/.test(labels[0]!)) {
    const ip = labels[0]!.replaceAll('-', '.');
    if (isValidIp(ip)) {
      return { kind: 'pod-ip', namespace: labels[1]!, ip };
    }
  }
  return { kind: 'cluster-other' };
}

type NameResolution =
  | {
      readonly kind: 'service';
      readonly service: Service;
      readonly via: string;
      readonly tried: readonly string[];
    }
  | {
      readonly kind: 'pod';
      readonly pod: DiagnosisPod;
      readonly via: string;
      readonly tried: readonly string[];
    }
  | { readonly kind: 'external'; readonly ip?: string; readonly tried: readonly string[] }
  | {
      readonly kind: 'missing';
      readonly tried: readonly string[];
      /** The Service the name was most likely meant to be (namespace, name). */
      readonly intended?: { readonly namespace: string; readonly name: string };
    }
  | { readonly kind: 'not-in-view'; readonly namespace: string; readonly tried: readonly string[] };

function podByIp(world: World, ip: string): DiagnosisPod | undefined {
  return world.input.pods.find((pod) => podIps(pod).includes(ip));
}

function serviceByIp(world: World, ip: string): Service | undefined {
  return world.input.services.find((service) => serviceClusterIps(service).includes(ip));
}

export function resolveDnsName(world: World, rawName: string): NameResolution {
  const name = rawName.trim();
  const bare = name.replace(/^\[|\]$/g, '');
  if (isValidIp(bare)) {
    const pod = podByIp(world, bare);
    if (pod !== undefined) {
      return { kind: 'pod', pod, via: bare, tried: [bare] };
    }
    const service = serviceByIp(world, bare);
    if (service !== undefined) {
      return { kind: 'service', service, via: bare, tried: [bare] };
    }
    return { kind: 'external', ip: bare, tried: [bare] };
  }
  const tried = searchPath(name, world.sourceNs, world.domain);
  let intended: { namespace: string; name: string } | undefined;
  let inCluster = false;
  for (const fqdn of tried) {
    const meaning = meaningOf(fqdn, world.domain);
    if (meaning.kind === 'service') {
      if (!world.known(meaning.namespace) && world.namespaceExists(meaning.namespace)) {
        return { kind: 'not-in-view', namespace: meaning.namespace, tried };
      }
      const service = world.service(meaning.namespace, meaning.name);
      if (service !== undefined) {
        return { kind: 'service', service, via: fqdn, tried };
      }
      if (intended === undefined && world.namespaceExists(meaning.namespace)) {
        intended = { namespace: meaning.namespace, name: meaning.name };
      }
    } else if (meaning.kind === 'pod-ip') {
      const pod = podByIp(world, meaning.ip);
      if (pod !== undefined) {
        return { kind: 'pod', pod, via: fqdn, tried };
      }
      return { kind: 'external', ip: meaning.ip, tried };
    }
    if (meaning.kind !== 'outside' && fqdn === tried.at(-1)) {
      inCluster = true;
    }
  }
  // A single label never resolves outside the cluster; a name under the cluster domain or one
  // pointing into a namespace that exists is a cluster name that is not there.
  const dotted = name.replace(/\.$/, '').includes('.');
  if (!dotted || inCluster || intended !== undefined) {
    return { kind: 'missing', tried, ...(intended === undefined ? {} : { intended }) };
  }
  return { kind: 'external', tried };
}
