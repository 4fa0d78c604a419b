/**
 * Service ports and container ports: how a Service's targetPort becomes a number on one Pod, the
 * way the EndpointSlice controller and kube-proxy do it (podutil.FindPort), and what a valid port
 * name is (validation.IsValidPortName).
 */
import type { ContainerPort, Pod, Protocol, ServicePort } from './k8s.ts';

export type TargetPortResolution =
  | {
      readonly ok: true;
      readonly port: number;
      /** The container that declares the port, if one does. */
      readonly container: string | undefined;
      /**
       * Whether a container declares the port. A numeric targetPort works without a declaration
       * (declarations are informational), so this is a hint for a diagnosis, not a verdict.
       */
      readonly declared: boolean;
    }
  | { readonly ok: false; readonly reason: string };

export interface DeclaredPort {
  readonly container: string;
  readonly port: ContainerPort;
}

/**
 * The ports a Pod declares, in the order FindPort searches them: regular containers, then sidecars
 * (init containers with `restartPolicy: Always`, which keep running and so can serve traffic).
 */
export function declaredPorts(pod: Pod): DeclaredPort[] {
  const sidecars = (pod.spec?.initContainers ?? []).filter(
    (container) => container.restartPolicy === 'Always',
  );
  return [...(pod.spec?.containers ?? []), ...sidecars].flatMap((container) =>
    (container.ports ?? []).map((port) => ({ container: container.name, port })),
  );
}

function podName(pod: Pod): string {
  return `${pod.metadata.namespace ?? 'default'}/${pod.metadata.name ?? '(unnamed)'}`;
}

/**
 * The container port a Service port reaches on a Pod. A numeric targetPort passes through; a
 * named one is looked up among the Pod's container ports by name AND protocol (TCP when unset on
 * either side); a missing targetPort, 0 or "" means `port`, as the API server defaults it.
 */
export function resolveTargetPort(servicePort: ServicePort, pod: Pod): TargetPortResolution {
  const protocol: Protocol = servicePort.protocol ?? 'TCP';
  const target =
    servicePort.targetPort === undefined || servicePort.targetPort === 0 || servicePort.targetPort === ''
      ? servicePort.port
      : servicePort.targetPort;
  const ports = declaredPorts(pod);
  if (typeof target === 'number') {
    const found = ports.find(
      ({ port }) => port.containerPort === target && (port.protocol ?? 'TCP') === protocol,
    );
    return { ok: true, port: target, container: found?.container, declared: found !== undefined };
  }
  const found = ports.find(({ port }) => port.name === target && (port.protocol ?? 'TCP') === protocol);
  if (found !== undefined) {
    return { ok: true, port: found.port.containerPort, container: found.container, declared: true };
  }
  const otherProtocols = [
    ...new Set(ports.filter(({ port }) => port.name === target).map(({ port }) => port.protocol ?? 'TCP')),
  ];
  const hint =
    otherProtocols.length > 0
      ? ` (it declares "${target}" for ${otherProtocols.join(' and ')}, and the Service port is ${protocol})`
      : '';
  return {
    ok: false,
    reason: `pod ${podName(pod)} has no ${protocol} container port named "${target}"${hint}`,
  };
}

/**
 * Problems with a port name (an IANA_SVC_NAME), worded as validation.IsValidPortName words them:
 * at most 15 characters of [-a-z0-9], at least one letter, no leading, trailing or double hyphen.
 */
export function validatePortName(name: string): string[] {
  const errors: string[] = [];
  if (name.length > 15) {
    errors.push('must be no more than 15 bytes');
  }
  if (!/^[-a-z0-9]+$/.test(name)) {
    errors.push('must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)');
  }
  if (!/[a-z]/.test(name)) {
    errors.push('must contain at least one letter (a-z)');
  }
  if (name.includes('--')) {
    errors.push('must not contain consecutive hyphens');
  }
  if (name.startsWith('-') || name.endsWith('-')) {
    errors.push('must not begin or end with a hyphen');
  }
  return errors;
}

export function isValidIanaSvcName(name: string): boolean {
  return validatePortName(name).length === 0;
}

export function isValidPortNumber(port: number): boolean {
  return Number.isInteger(port) && port >= 1 && port <= 65535;
}
