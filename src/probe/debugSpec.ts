/**
 * Ephemeral debug containers, the decisions: which existing one to reuse, what to name a new one,
 * what to ask for, and how it is doing. Pure; `debugContainer.ts` talks to the API server.
 */

export const DEFAULT_DEBUG_IMAGE = 'nicolaka/netshoot';

/** Names of the containers KubeReach adds: `kubereach-debug`, then `kubereach-debug-2`, … */
export const DEBUG_CONTAINER_PREFIX = 'kubereach-debug';

interface ContainerLike {
  readonly name: string;
  readonly image?: string;
}

interface ContainerStatusLike {
  readonly name: string;
  readonly image?: string;
  readonly state?: {
    readonly running?: unknown;
    readonly waiting?: { readonly reason?: string; readonly message?: string };
    readonly terminated?: { readonly reason?: string; readonly exitCode?: number; readonly message?: string };
  };
}

/** The parts of a Pod these decisions read (client-node's V1Pod fits). */
export interface PodLike {
  readonly metadata?: { readonly name?: string; readonly namespace?: string };
  readonly spec?: {
    readonly containers?: readonly ContainerLike[];
    readonly initContainers?: readonly ContainerLike[];
    readonly ephemeralContainers?: readonly ContainerLike[];
  };
  readonly status?: {
    readonly phase?: string;
    readonly containerStatuses?: readonly ContainerStatusLike[];
    readonly ephemeralContainerStatuses?: readonly ContainerStatusLike[];
  };
}

/**
 * An image reference without the parts that do not change what is pulled: the default registry
 * (`docker.io/`, `index.docker.io/`), `library/` and the `:latest` tag.
 */
export function normalizeImage(image: string): string {
  let name = image.trim();
  name = name.replace(/^(docker\.io|index\.docker\.io|registry-1\.docker\.io)\//, '');
  name = name.replace(/^library\//, '');
  if (!name.includes('@') && !/:[^/]+$/.test(name)) {
    name = `${name}:latest`;
  }
  return name;
}

export function sameImage(a: string, b: string): boolean {
  return normalizeImage(a) === normalizeImage(b);
}

/** A running ephemeral container of `image` in the Pod, to reuse; the newest when there are several. */
export function findDebugContainer(pod: PodLike, image: string): string | undefined {
  const statuses = pod.status?.ephemeralContainerStatuses ?? [];
  const candidates = (pod.spec?.ephemeralContainers ?? []).filter(
    (container) =>
      container.image !== undefined &&
      sameImage(container.image, image) &&
      statuses.some(
        (status) =>
          status.name === container.name &&
          status.state?.running !== undefined &&
          status.state.running !== null,
      ),
  );
  return candidates.at(-1)?.name;
}

/** A free name for a new debug container (names of every kind of container must differ). */
export function debugContainerName(pod: PodLike): string {
  const taken = new Set(
    [
      ...(pod.spec?.containers ?? []),
      ...(pod.spec?.initContainers ?? []),
      ...(pod.spec?.ephemeralContainers ?? []),
    ].map((container) => container.name),
  );
  if (!taken.has(DEBUG_CONTAINER_PREFIX)) {
    return DEBUG_CONTAINER_PREFIX;
  }
  for (let n = 2; ; n++) {
    if (!taken.has(`${DEBUG_CONTAINER_PREFIX}-${n}`)) {
      return `${DEBUG_CONTAINER_PREFIX}-${n}`;
    }
  }
}

export interface EphemeralContainerSpec {
  readonly name: string;
  readonly image: string;
  readonly command: readonly string[];
  readonly targetContainerName?: string;
  readonly stdin: false;
  readonly tty: false;
}

/**
 * What to add: the image with a command that keeps the container running (no TTY is attached, so an
 * interactive default command such as netshoot's shell would exit at once), sharing the process
 * namespace of `targetContainer` when given. Ephemeral containers cannot be removed; one is added
 * per Pod and reused.
 */
export function ephemeralContainerSpec(
  name: string,
  image: string,
  targetContainer?: string,
): EphemeralContainerSpec {
  return {
    name,
    image,
    command: ['sleep', 'infinity'],
    ...(targetContainer !== undefined ? { targetContainerName: targetContainer } : {}),
    stdin: false,
    tty: false,
  };
}

export type DebugContainerState =
  | { readonly state: 'running' }
  | { readonly state: 'waiting'; readonly reason?: string; readonly message?: string }
  | { readonly state: 'failed'; readonly message: string };

/** Waiting reasons that will not fix themselves while we wait. */
const FATAL_WAITING =
  /ErrImagePull|ImagePullBackOff|InvalidImageName|CreateContainerError|CreateContainerConfigError|RunContainerError/;

/** How the debug container `name` is doing, from the Pod's status. */
export function debugContainerState(pod: PodLike, name: string): DebugContainerState {
  const status = pod.status?.ephemeralContainerStatuses?.find((s) => s.name === name);
  if (status?.state?.running !== undefined && status.state.running !== null) {
    return { state: 'running' };
  }
  const terminated = status?.state?.terminated;
  if (terminated) {
    return {
      state: 'failed',
      message: `The debug container ${name} ended (${terminated.reason ?? `exit ${terminated.exitCode ?? '?'}`})${terminated.message ? `: ${terminated.message}` : ''}.`,
    };
  }
  const waiting = status?.state?.waiting;
  if (waiting?.reason !== undefined && FATAL_WAITING.test(waiting.reason)) {
    return {
      state: 'failed',
      message: `The debug container ${name} cannot start (${waiting.reason})${waiting.message ? `: ${waiting.message}` : ''}.`,
    };
  }
  if (pod.status?.phase === 'Succeeded' || pod.status?.phase === 'Failed') {
    return {
      state: 'failed',
      message: `Pod ${pod.metadata?.namespace}/${pod.metadata?.name} has ${pod.status.phase === 'Succeeded' ? 'completed' : 'failed'}; no container can start in it.`,
    };
  }
  return {
    state: 'waiting',
    ...(waiting?.reason ? { reason: waiting.reason } : {}),
    ...(waiting?.message ? { message: waiting.message } : {}),
  };
}
