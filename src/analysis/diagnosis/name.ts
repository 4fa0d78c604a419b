/**
 * Hop 1, name resolution: the target as the source Pod's application names it (dns.ts for the
 * resolver's rules), what it leads to (a Service, a Pod, an address outside the namespaces in
 * view, or nothing, with the name most likely meant), and whether the DNS query itself may leave
 * the Pod: an egress policy that admits no DNS breaks every name.
 */
import { isValidIp } from '../cidr.ts';
import type { Service } from '../k8s.ts';
import { podEndpoint } from '../networkPolicy.ts';
import type { Endpoint } from '../networkPolicy.ts';
import type { HopDraft } from '../hops.ts';
import { list, plural } from '../sentences.ts';
import { resolveDnsName } from './dns.ts';
import { isPodReady, podLine, readiness } from './readiness.ts';
import { selectedPods } from './service.ts';
import type { DiagnosisPod, DiagnosisTarget } from './types.ts';
import { podManifest, similarNames } from './wording.ts';
import {
  isHeadless,
  nameOf,
  namespaceNotKnown,
  nsOf,
  podIp,
  serviceClusterIps,
  serviceType,
} from './world.ts';
import type { World } from './world.ts';

export interface ExternalTarget {
  readonly host: string;
  readonly ip?: string;
  readonly port: number;
}

/** What hop 1 found: a Service, a Pod, an address outside the namespaces in view, or nothing. */
export interface NameStage {
  readonly draft: HopDraft;
  /** How the target reads in sentences. */
  readonly label: string;
  /** How the application addresses the target, for the probe: the name as given, or `svc.ns`. */
  readonly host?: string;
  readonly service?: Service;
  readonly pod?: DiagnosisPod;
  readonly external?: ExternalTarget;
}

export function nameStage(world: World, target: DiagnosisTarget): NameStage {
  switch (target.kind) {
    case 'service':
      return serviceNameStage(world, target);
    case 'pod':
      return podNameStage(world, target);
    case 'dns':
      return dnsNameStage(world, target);
  }
}

function serviceNameStage(world: World, target: Extract<DiagnosisTarget, { kind: 'service' }>): NameStage {
  const sameNamespace = world.sourceNs === target.namespace;
  const label = `${target.name}.${target.namespace}:${target.port}`;
  const host = sameNamespace ? target.name : `${target.name}.${target.namespace}`;
  if (!world.known(target.namespace)) {
    return {
      label,
      host,
      draft: {
        status: 'unknown',
        summary: `${namespaceNotKnown(world, target.namespace)}, so whether Service ${target.name} exists there is not known.`,
        evidence: [`Watch namespace ${target.namespace} to diagnose Services in it.`],
      },
    };
  }
  const service = world.service(target.namespace, target.name);
  if (service === undefined) {
    return {
      label,
      host,
      draft: missingName(world, { namespace: target.namespace, name: target.name }, target.name),
    };
  }
  const fqdn = `${target.name}.${target.namespace}.svc.${world.domain}`;
  const names = sameNamespace
    ? [target.name, `${target.name}.${target.namespace}`, fqdn]
    : [`${target.name}.${target.namespace}`, fqdn];
  return { label, host, service, draft: serviceNameHop(world, service, names.join(', ')) };
}

function podNameStage(world: World, target: Extract<DiagnosisTarget, { kind: 'pod' }>): NameStage {
  const label = `${target.namespace}/${target.name}:${target.port}`;
  if (!world.known(target.namespace)) {
    return {
      label,
      draft: {
        status: 'unknown',
        summary: `${namespaceNotKnown(world, target.namespace)}, so Pod ${target.name} cannot be looked up.`,
        evidence: [],
      },
    };
  }
  const pod = world.podsIn(target.namespace).find((candidate) => nameOf(candidate) === target.name);
  if (pod !== undefined) {
    return { label, pod, draft: podNameHop(pod, nameOf(pod)) };
  }
  const similar = similarNames(target.name, world.podsIn(target.namespace).map(nameOf));
  return {
    label,
    draft: {
      status: 'failed',
      summary: `There is no Pod ${target.name} in namespace ${target.namespace}.`,
      evidence: similar.length > 0 ? [`Pods with a similar name: ${similar.slice(0, 5).join(', ')}.`] : [],
      fix:
        similar.length > 0
          ? `Did you mean Pod ${similar[0]}? Pods replaced by their controller get new names: target their Service instead.`
          : 'Pick a Pod that exists; Pods replaced by their controller get new names, so target their Service instead.',
    },
  };
}

function dnsNameStage(world: World, target: Extract<DiagnosisTarget, { kind: 'dns' }>): NameStage {
  const asked = target.name.trim();
  const label = `${asked}:${target.port}`;
  const resolution = resolveDnsName(world, asked);
  const tried = `Names tried, in order (search path of namespace ${world.sourceNs}, ndots 5): ${resolution.tried.join(', ')}.`;
  switch (resolution.kind) {
    case 'service': {
      const { service } = resolution;
      if (isValidIp(asked)) {
        return {
          label,
          host: asked,
          service,
          draft: {
            status: 'passed',
            summary: `${asked} is the ClusterIP of Service ${nsOf(service)}/${nameOf(service)}.`,
            evidence: [
              `Service ${nsOf(service)}/${nameOf(service)}: ${serviceType(service)}, ClusterIP ${serviceClusterIps(service).join(', ')}.`,
            ],
          },
        };
      }
      const draft = serviceNameHop(world, service, resolution.via);
      return { label, host: asked, service, draft: { ...draft, evidence: [...draft.evidence, tried] } };
    }
    case 'pod':
      return { label, host: asked, pod: resolution.pod, draft: podNameHop(resolution.pod, asked) };
    case 'external':
      return {
        label,
        host: asked,
        external: {
          host: asked,
          port: target.port,
          ...(resolution.ip === undefined ? {} : { ip: resolution.ip }),
        },
        draft: {
          status: 'unknown',
          summary:
            resolution.ip !== undefined
              ? `${resolution.ip} is the address of no Pod and no Service in the namespaces in view: it is treated as an address outside them.`
              : `${asked} is not a name of the cluster: upstream DNS resolves it, which this diagnosis cannot see.`,
          evidence: resolution.ip !== undefined ? [] : [tried],
        },
      };
    case 'not-in-view':
      return {
        label,
        host: asked,
        draft: {
          status: 'unknown',
          summary: `${asked} points into namespace ${resolution.namespace}, which is not in view.`,
          evidence: [tried, `Watch namespace ${resolution.namespace} to diagnose it.`],
        },
      };
    case 'missing': {
      const intended = resolution.intended ?? {
        namespace: world.sourceNs,
        name: asked.split('.')[0] ?? asked,
      };
      const draft = missingName(world, intended, asked);
      return { label, host: asked, draft: { ...draft, evidence: [...draft.evidence, tried] } };
    }
  }
}

/** The DNS query itself leaves the Pod: an egress policy that admits no DNS breaks every name. */
export function withDnsEgress(world: World, draft: HopDraft): HopDraft {
  const { source, target } = world.input;
  if (
    target.kind === 'pod' ||
    (target.kind === 'dns' && isValidIp(target.name.trim())) ||
    draft.status === 'failed'
  ) {
    return draft;
  }
  const dns = dnsEgressCheck(world, source);
  if (dns === undefined) {
    return draft;
  }
  return {
    status: 'unknown',
    summary: `${draft.summary} But ${dns}`,
    evidence: [...draft.evidence, dns],
    fix: `If names do not resolve from ${nameOf(source)}, add an egress rule for DNS (UDP and TCP 53) to the policy isolating it: - to: [{namespaceSelector: {matchLabels: {kubernetes.io/metadata.name: kube-system}}, podSelector: {matchLabels: {k8s-app: kube-dns}}}] with ports: [{protocol: UDP, port: 53}, {protocol: TCP, port: 53}].`,
  };
}

function serviceNameHop(world: World, service: Service, names: string): HopDraft {
  const namespace = nsOf(service);
  const name = nameOf(service);
  const evidence = [`Names that reach it from namespace ${world.sourceNs}: ${names}.`];
  if (serviceType(service) === 'ExternalName') {
    return {
      status: 'passed',
      summary: `${name}.${namespace} is an alias (CNAME) for ${service.spec?.externalName ?? '(no externalName)'}.`,
      evidence,
    };
  }
  if (isHeadless(service)) {
    const ready = selectedPods(world, service).filter(isPodReady).length;
    return {
      status: 'passed',
      summary: `${name}.${namespace} is a headless Service: the name resolves straight to its ready Pods' IPs (${plural(ready, 'Pod')} now).`,
      evidence,
    };
  }
  const ips = serviceClusterIps(service);
  return {
    status: 'passed',
    summary: `${name}.${namespace} resolves to the ClusterIP ${ips.join(', ') || '(none yet)'} of Service ${namespace}/${name}.`,
    evidence,
  };
}

function podNameHop(pod: DiagnosisPod, asked: string): HopDraft {
  const ip = podIp(pod);
  if (ip === undefined) {
    return {
      status: 'failed',
      summary: `Pod ${nsOf(pod)}/${nameOf(pod)} has no IP address yet, so nothing can connect to it.`,
      evidence: [podLine(pod)],
      ...(readiness(pod).fix === undefined ? {} : { fix: readiness(pod).fix }),
      manifest: podManifest(pod),
    };
  }
  return {
    status: 'passed',
    summary:
      asked === ip
        ? `${ip} is the address of Pod ${nsOf(pod)}/${nameOf(pod)}.`
        : `${asked} is Pod ${nsOf(pod)}/${nameOf(pod)}, at ${ip}.`,
    evidence:
      pod.spec?.hostNetwork === true ? ["The Pod uses the host network: its address is its node's."] : [],
  };
}

function missingName(
  world: World,
  intended: { readonly namespace: string; readonly name: string },
  asked: string,
): HopDraft {
  const here = world.servicesIn(intended.namespace).map(nameOf);
  const similar = similarNames(intended.name, here);
  const elsewhere = world.input.services
    .filter((service) => nameOf(service) === intended.name && nsOf(service) !== intended.namespace)
    .map(nsOf);
  const evidence: string[] = [];
  if (!world.namespaceExists(intended.namespace)) {
    evidence.push(`There is no namespace ${intended.namespace}.`);
  } else {
    evidence.push(
      here.length > 0
        ? `Services in namespace ${intended.namespace}: ${here.join(', ')}.`
        : `Namespace ${intended.namespace} has no Service.`,
    );
  }
  let fix: string;
  if (similar.length > 0) {
    const best = similar[0]!;
    const usable =
      intended.namespace === world.sourceNs
        ? `${best} or ${best}.${intended.namespace}`
        : `${best}.${intended.namespace}`;
    fix = `Did you mean ${best}? Use ${usable} (Service ${intended.namespace}/${best}).`;
    evidence.push(`Similar names in namespace ${intended.namespace}: ${similar.join(', ')}.`);
  } else if (elsewhere.length > 0) {
    fix = `Service ${intended.name} is in namespace ${elsewhere[0]}: from ${world.sourceNs}, use ${intended.name}.${elsewhere[0]}.`;
    evidence.push(`A Service named ${intended.name} exists in: ${elsewhere.join(', ')}.`);
  } else {
    fix = `Create Service ${intended.name} in namespace ${intended.namespace}, or use the name of one that exists.`;
  }
  return {
    status: 'failed',
    summary: `${asked} does not resolve: there is no Service ${intended.name} in namespace ${intended.namespace}.`,
    evidence,
    fix,
  };
}

/** A sentence when the source's egress is isolated and nothing visibly admits DNS; undefined otherwise. */
function dnsEgressCheck(world: World, source: DiagnosisPod): string | undefined {
  const endpoint = podEndpoint(source);
  if (endpoint.kind !== 'pod') {
    return undefined;
  }
  // kube-dns (CoreDNS) as most clusters label it; its real Pods may not be in view.
  const kubeDns: Endpoint = {
    kind: 'pod',
    namespace: 'kube-system',
    name: 'kube-dns',
    labels: { 'k8s-app': 'kube-dns' },
    containerPorts: [
      { name: 'dns', containerPort: 53, protocol: 'UDP' },
      { name: 'dns-tcp', containerPort: 53, protocol: 'TCP' },
    ],
  };
  const realDns = world.podsIn('kube-system').find((pod) => pod.metadata.labels?.['k8s-app'] === 'kube-dns');
  const destination = realDns === undefined ? kubeDns : podEndpoint(realDns);
  const verdict = world.evaluate({
    source: endpoint,
    destination,
    port: 53,
    protocol: 'UDP',
  }).egress;
  if (verdict.allowed || !verdict.isolated) {
    return undefined;
  }
  const policies = world
    .policiesIn(nsOf(source))
    .filter((policy) => verdict.selectingPolicies.includes(`${nsOf(policy)}/${nameOf(policy)}`));
  // An ipBlock could be the DNS Service's address; then the answer depends on addresses not in view.
  const maybe = policies.some((policy) =>
    (policy.spec?.egress ?? []).some((rule) => (rule.to ?? []).some((peer) => peer.ipBlock !== undefined)),
  );
  return `the egress of ${nameOf(source)} is isolated by ${list(verdict.selectingPolicies)} and no rule ${maybe ? 'visibly ' : ''}admits DNS (UDP 53 to kube-system/kube-dns), so the name may not resolve from it.`;
}
