/**
 * Hop 5, the target port: the resolved targetPort is declared by a container of each Pod, and a
 * named one resolves. Declarations are informational: a declared port nothing listens on shows up
 * only in the live probe, and a port nothing declares is "unknown" rather than failed.
 */
import type { Protocol, ServicePort } from '../k8s.ts';
import type { HopDraft } from '../hops.ts';
import { skipped } from '../hops.ts';
import { declaredPorts, resolveTargetPort } from '../ports.ts';
import { plural } from '../sentences.ts';
import { isPodReady } from './readiness.ts';
import { targetOf } from './service.ts';
import type { ServiceContext } from './service.ts';
import type { DiagnosisPod, ManifestReference } from './types.ts';
import { describeManifest, formatContainerPort, podManifest } from './wording.ts';
import { isHeadless, nameOf } from './world.ts';

export function servicePortHop(context: ServiceContext): HopDraft {
  const { service, namespace, name, port, selected } = context;
  if (port === undefined) {
    return skipped('Skipped: the requested port is not a port of the Service.');
  }
  if (!context.hasSelector) {
    return skipped('Skipped: the Service selects no Pods whose ports could be checked.');
  }
  const ready = selected.filter(isPodReady);
  const pods = ready.length > 0 ? ready : selected;
  if (pods.length === 0) {
    return skipped('Skipped: the Service selects no Pod whose ports could be checked.');
  }
  const target = targetOf(port);
  const manifest: ManifestReference = { kind: 'Service', namespace, name };
  const evidence: string[] = [];
  const resolvedOn: string[] = [];
  const unresolvedOn: DiagnosisPod[] = [];
  const undeclaredOn: DiagnosisPod[] = [];
  const headless = isHeadless(service);
  for (const pod of pods) {
    const effective: ServicePort = headless ? { ...port, targetPort: port.port } : port;
    const resolved = resolveTargetPort(effective, pod);
    const declared = declaredPorts(pod).map(
      ({ container, port: p }) => `${container}: ${formatContainerPort(p)}`,
    );
    if (!resolved.ok) {
      unresolvedOn.push(pod);
      evidence.push(
        `${nameOf(pod)}: ${resolved.reason}; it declares ${declared.length > 0 ? declared.join(', ') : 'no ports'}.`,
      );
    } else if (!resolved.declared) {
      undeclaredOn.push(pod);
      evidence.push(
        `${nameOf(pod)}: ${resolved.port}/${context.protocol} is declared by no container (it declares ${declared.length > 0 ? declared.join(', ') : 'no ports'}).`,
      );
    } else {
      resolvedOn.push(nameOf(pod));
      evidence.push(
        `${nameOf(pod)}: ${typeof target === 'string' && !headless ? `"${target}" resolves to ` : ''}${resolved.port}/${context.protocol}, declared by container ${resolved.container ?? '?'}.`,
      );
    }
  }
  if (unresolvedOn.length === pods.length) {
    const first = unresolvedOn[0]!;
    const names = [
      ...new Set(
        declaredPorts(first)
          .map(({ port: p }) => p.name)
          .filter((n): n is string => n !== undefined),
      ),
    ];
    return {
      status: 'failed',
      summary: `targetPort "${target}" of Service ${namespace}/${name} port ${port.port} resolves on none of its ${plural(pods.length, 'Pod')}: no container declares a ${context.protocol} port named ${target}.`,
      evidence,
      fix:
        names.length > 0
          ? `Set targetPort of port ${port.port} in Service ${namespace}/${name} to a port the Pods declare (${names.join(', ')}), or name a containerPort "${target}" in ${describeManifest(podManifest(first))}.`
          : `Set targetPort of port ${port.port} in Service ${namespace}/${name} to the number the application listens on, or name a containerPort "${target}" in ${describeManifest(podManifest(first))}.`,
      manifest,
    };
  }
  if (undeclaredOn.length === pods.length) {
    const first = undeclaredOn[0]!;
    const others = declaredPorts(first).filter(({ port: p }) => (p.protocol ?? 'TCP') === context.protocol);
    const effectivePort = headless ? port.port : (target as number);
    return {
      status: 'unknown',
      summary: `No container of the Pods declares ${context.protocol} port ${effectivePort}: declarations are informational, so only the probe can tell whether something listens there.`,
      evidence,
      ...(others.length > 0
        ? {
            fix: `If the application listens on ${others.map(({ port: p }) => p.containerPort).join(' or ')}, set targetPort of port ${port.port} in Service ${namespace}/${name} to it.`,
            manifest,
          }
        : {}),
    };
  }
  const partial = unresolvedOn.length + undeclaredOn.length;
  return {
    status: 'passed',
    summary:
      partial === 0
        ? `targetPort ${target}${headless ? '' : ` resolves to a declared container port on ${plural(resolvedOn.length, 'Pod')}`}${headless ? ` (headless: port ${port.port}) is declared on ${plural(resolvedOn.length, 'Pod')}` : ''}.`
        : `targetPort ${target} resolves on ${resolvedOn.length} of ${plural(pods.length, 'Pod')}; the others get no traffic on this port (see evidence).`,
    evidence,
  };
}

export function podPortHop(
  pod: DiagnosisPod,
  requested: number | string,
  protocol: Protocol,
): { draft: HopDraft; port?: number } {
  const declared = declaredPorts(pod);
  const listing = declared.map(({ container, port }) => `${container}: ${formatContainerPort(port)}`);
  const evidence = [`Declared ports: ${listing.length > 0 ? listing.join(', ') : 'none'}.`];
  if (typeof requested === 'string') {
    const found = declared.find(
      ({ port }) => port.name === requested && (port.protocol ?? 'TCP') === protocol,
    );
    if (found === undefined) {
      return {
        draft: {
          status: 'failed',
          summary: `Pod ${nameOf(pod)} declares no ${protocol} port named ${requested}.`,
          evidence,
          fix: `Use a port the Pod declares, or name the containerPort "${requested}" in ${describeManifest(podManifest(pod))}.`,
          manifest: podManifest(pod),
        },
      };
    }
    return {
      draft: {
        status: 'passed',
        summary: `Port "${requested}" is ${found.port.containerPort}/${protocol}, declared by container ${found.container}.`,
        evidence,
      },
      port: found.port.containerPort,
    };
  }
  const found = declared.find(
    ({ port }) => port.containerPort === requested && (port.protocol ?? 'TCP') === protocol,
  );
  if (found !== undefined) {
    return {
      draft: {
        status: 'passed',
        summary: `Port ${requested}/${protocol} is declared by container ${found.container}${found.port.name ? ` (${found.port.name})` : ''}.`,
        evidence,
      },
      port: requested,
    };
  }
  return {
    draft: {
      status: 'unknown',
      summary: `No container of Pod ${nameOf(pod)} declares ${protocol} port ${requested}: declarations are informational, so only the probe can tell whether something listens there.`,
      evidence,
    },
    port: requested,
  };
}
