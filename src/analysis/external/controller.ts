/**
 * Hop 2, Class and controller: the Ingress's IngressClass exists (or is the default), and the Pods
 * of the controller behind it are found and ready. Controllers are found by the class's
 * `spec.controller` and the labels their usual installations give their Pods (ingress-nginx,
 * Traefik, HAProxy, Contour, Kong, the sandbox's), else by the Service that exposes them, else by an
 * `--ingress-class` argument naming the class.
 */
import { isPodReady } from '../diagnosis/index.ts';
import type { DiagnosisPod } from '../diagnosis/index.ts';
import { ingressClassOf } from '../ingress.ts';
import type { Ingress } from '../ingress.ts';
import { matchesServiceSelector } from '../labels.ts';
import { declaredPorts, resolveTargetPort } from '../ports.ts';
import type { ExternalInput, HopDraft } from './types.ts';

/** Labels the controllers' own manifests and Helm charts put on their Pods, by controller name. */
const CONTROLLER_LABELS: readonly {
  readonly controller: RegExp;
  readonly labels: Readonly<Record<string, string>>;
}[] = [
  {
    controller: /^k8s\.io\/ingress-nginx$/,
    labels: { 'app.kubernetes.io/name': 'ingress-nginx', 'app.kubernetes.io/component': 'controller' },
  },
  { controller: /^traefik\.io\/ingress-controller$/, labels: { 'app.kubernetes.io/name': 'traefik' } },
  {
    controller: /^haproxy\.org\/ingress-controller/,
    labels: { 'app.kubernetes.io/name': 'kubernetes-ingress' },
  },
  {
    controller: /^haproxy-ingress\.github\.io\/controller$/,
    labels: { 'app.kubernetes.io/name': 'haproxy-ingress' },
  },
  // Contour's Envoy Pods proxy the traffic; Contour itself only configures them.
  { controller: /^projectcontour\.io\//, labels: { app: 'envoy' } },
  { controller: /^projectcontour\.io\//, labels: { 'app.kubernetes.io/component': 'envoy' } },
  { controller: /^ingress-controllers\.konghq\.com\//, labels: { 'app.kubernetes.io/name': 'kong' } },
  {
    controller: /^sandbox\.kubereach\.dev\/ingress-controller$/,
    labels: { 'app.kubernetes.io/name': 'ingress-sandbox', 'app.kubernetes.io/component': 'controller' },
  },
];

/** Words of a controller name that say nothing about which controller it is. */
const GENERIC_TOKENS = new Set([
  'ingress',
  'controller',
  'com',
  'io',
  'org',
  'dev',
  'k8s',
  'kubernetes',
  'www',
]);

function nsOf(object: { readonly metadata: { readonly namespace?: string } }): string {
  return object.metadata.namespace ?? 'default';
}

function nameOf(object: { readonly metadata: { readonly name?: string } }): string {
  return object.metadata.name ?? '(unnamed)';
}

function ref(pod: DiagnosisPod): string {
  return `${nsOf(pod)}/${nameOf(pod)}`;
}

/** The controller's Pods for an IngressClass, and how they were found. */
export function findControllerPods(
  input: ExternalInput,
  className: string,
  controller: string | undefined,
): { readonly pods: DiagnosisPod[]; readonly how: string } {
  if (controller !== undefined) {
    for (const { controller: pattern, labels } of CONTROLLER_LABELS) {
      if (!pattern.test(controller)) {
        continue;
      }
      const pods = input.pods.filter((pod) => matchesServiceSelector(labels, pod.metadata.labels ?? {}));
      if (pods.length > 0) {
        const text = Object.entries(labels)
          .map(([key, value]) => `${key}=${value}`)
          .join(',');
        return { pods, how: `by the labels ${controller}'s installations use (${text})` };
      }
    }
  }
  const byArgument = input.pods.filter((pod) =>
    (pod.spec?.containers ?? []).some((container) =>
      [
        ...((container as { args?: readonly string[] }).args ?? []),
        ...((container as { command?: readonly string[] }).command ?? []),
      ].some(
        (arg) =>
          arg === `--ingress-class=${className}` ||
          (controller !== undefined && arg === `--controller-class=${controller}`),
      ),
    ),
  );
  if (byArgument.length > 0) {
    return { pods: byArgument, how: `by their --ingress-class=${className} argument` };
  }
  // A LoadBalancer or NodePort Service named after the class or the controller exposes its Pods.
  const tokens = [className, ...(controller ?? '').split(/[./-]/)].filter(
    (token) => token.length >= 3 && !GENERIC_TOKENS.has(token),
  );
  for (const service of input.services) {
    const type = service.spec?.type ?? 'ClusterIP';
    const selector = service.spec?.selector ?? {};
    const named = `${nsOf(service)}/${nameOf(service)}`;
    if (
      (type !== 'LoadBalancer' && type !== 'NodePort') ||
      Object.keys(selector).length === 0 ||
      !tokens.some((token) => named.includes(token))
    ) {
      continue;
    }
    const pods = input.pods.filter(
      (pod) => nsOf(pod) === nsOf(service) && matchesServiceSelector(selector, pod.metadata.labels ?? {}),
    );
    if (pods.length > 0) {
      return { pods, how: `as the Pods behind Service ${named} (${type})` };
    }
  }
  return { pods: [], how: '' };
}

export interface ControllerStage {
  readonly draft: HopDraft;
  /** Ready ones first. */
  readonly pods: readonly DiagnosisPod[];
}

export function controllerStage(
  input: ExternalInput,
  ingress: Ingress | undefined,
  routedClass: string | undefined,
): ControllerStage {
  if (ingress === undefined && routedClass === undefined) {
    return {
      pods: [],
      draft: {
        status: 'skipped',
        summary: 'No Ingress is in the path: the request goes to a Service directly.',
        evidence: [],
      },
    };
  }
  if (input.unreadable?.ingressClasses === true) {
    return {
      pods: [],
      draft: {
        status: 'unknown',
        summary: 'IngressClasses may not be read with these credentials, so the controller is not known.',
        evidence: [],
      },
    };
  }
  const assignment = ingress === undefined ? undefined : ingressClassOf(ingress, input.ingressClasses);
  const manifest =
    ingress === undefined ? undefined : { kind: 'Ingress', namespace: nsOf(ingress), name: nameOf(ingress) };
  if (assignment?.source === 'none') {
    return {
      pods: [],
      draft: {
        status: 'failed',
        summary: `Ingress ${nsOf(ingress!)}/${nameOf(ingress!)} names no IngressClass and no IngressClass is marked default, so no controller serves it.`,
        evidence: [`IngressClasses: ${input.ingressClasses.map(nameOf).join(', ') || 'none'}.`],
        fix: `Set spec.ingressClassName${input.ingressClasses[0] === undefined ? '' : ` (e.g. ${nameOf(input.ingressClasses[0])})`}, or mark one IngressClass default.`,
        ...(manifest === undefined ? {} : { manifest }),
      },
    };
  }
  if (assignment?.source === 'ambiguous-default') {
    return {
      pods: [],
      draft: {
        status: 'failed',
        summary: `Ingress ${nsOf(ingress!)}/${nameOf(ingress!)} names no IngressClass and several are marked default (${assignment.classNames.join(', ')}).`,
        evidence: [],
        fix: 'Set spec.ingressClassName, or leave one IngressClass marked default.',
        ...(manifest === undefined ? {} : { manifest }),
      },
    };
  }
  const className =
    assignment !== undefined && 'className' in assignment ? assignment.className : routedClass!;
  const ingressClass = input.ingressClasses.find((candidate) => nameOf(candidate) === className);
  const evidence: string[] = [
    assignment?.source === 'default'
      ? `No ingressClassName: the default IngressClass ${className} applies.`
      : assignment?.source === 'annotation'
        ? `Class ${className} from the deprecated kubernetes.io/ingress.class annotation.`
        : `IngressClass ${className}.`,
  ];
  if (ingressClass === undefined && assignment?.source !== 'annotation') {
    return {
      pods: [],
      draft: {
        status: 'failed',
        summary: `IngressClass ${className} does not exist, so no controller serves the Ingress.`,
        evidence: [`IngressClasses: ${input.ingressClasses.map(nameOf).join(', ') || 'none'}.`],
        fix: `Set ingressClassName to an existing IngressClass (${input.ingressClasses.map(nameOf).join(', ') || 'install an Ingress controller'}).`,
        ...(manifest === undefined ? {} : { manifest }),
      },
    };
  }
  const controller = ingressClass?.spec?.controller;
  if (controller !== undefined) {
    evidence.push(`Its controller: ${controller}.`);
  }
  const found = findControllerPods(input, className, controller);
  if (found.pods.length === 0) {
    const unseen = input.unreadable?.namespaces ?? [];
    return {
      pods: [],
      draft: {
        status: 'unknown',
        summary: `No Pod of the controller of class ${className} is in the namespaces in view (${input.knownNamespaces.join(', ')}).`,
        evidence: [
          ...evidence,
          ...(unseen.length > 0 ? [`Pods of ${unseen.join(', ')} could not be read.`] : []),
          "Watch the controller's namespace (ingress-nginx, traefik, kong, …) to check its Pods.",
        ],
      },
    };
  }
  const ready = found.pods.filter(isPodReady);
  const pods = [...ready, ...found.pods.filter((pod) => !isPodReady(pod))];
  evidence.push(
    `Controller Pods, found ${found.how}: ${pods.map((pod) => `${ref(pod)} (${isPodReady(pod) ? 'ready' : 'not ready'})`).join(', ')}.`,
  );
  if (ready.length === 0) {
    return {
      pods,
      draft: {
        status: 'failed',
        summary: `None of the ${pods.length} Pods of the controller of class ${className} is ready.`,
        evidence,
        fix: `Look at the controller's Pods: kubectl -n ${nsOf(pods[0]!)} describe pod ${nameOf(pods[0]!)}.`,
        manifest: { kind: 'Pod', namespace: nsOf(pods[0]!), name: nameOf(pods[0]!) },
      },
    };
  }
  return {
    pods,
    draft: {
      status: 'passed',
      summary: `IngressClass ${className} is served by ${ready.length} ready controller Pod${ready.length === 1 ? '' : 's'} in namespace ${nsOf(ready[0]!)}.`,
      evidence,
    },
  };
}

/** Container port names the controllers' own manifests give their plain-HTTP listener. */
const HTTP_PORT_NAMES = ['http', 'web', 'proxy', 'http-proxy'];

/**
 * The container port a controller Pod takes plain HTTP on: the port of the Service exposing the
 * Pod that is named `http` or numbered 80, resolved on the Pod (ingress-nginx's `http` → 80,
 * Traefik's `web` → 8000, Contour's Envoy `http` → 8080); else a container port named as the
 * controllers name it; else containerPort 80. Undefined when none of these exists.
 */
export function controllerHttpPort(
  pod: DiagnosisPod,
  services: ExternalInput['services'],
): number | undefined {
  const labels = pod.metadata.labels ?? {};
  for (const service of services) {
    const selector = service.spec?.selector ?? {};
    if (
      nsOf(service) !== nsOf(pod) ||
      Object.keys(selector).length === 0 ||
      !matchesServiceSelector(selector, labels)
    ) {
      continue;
    }
    const ports = service.spec?.ports ?? [];
    const entry =
      ports.find((port) => port.name === 'http' && (port.protocol ?? 'TCP') === 'TCP') ??
      ports.find((port) => port.port === 80 && (port.protocol ?? 'TCP') === 'TCP');
    if (entry !== undefined) {
      const resolved = resolveTargetPort(entry, pod);
      if (resolved.ok) {
        return resolved.port;
      }
    }
  }
  const declared = declaredPorts(pod).filter(({ port }) => (port.protocol ?? 'TCP') === 'TCP');
  for (const name of HTTP_PORT_NAMES) {
    const found = declared.find(({ port }) => port.name === name);
    if (found !== undefined) {
      return found.port.containerPort;
    }
  }
  return declared.find(({ port }) => port.containerPort === 80)?.port.containerPort;
}
