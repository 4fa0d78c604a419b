/**
 * Adds an ephemeral debug container to a Pod (pods/ephemeralcontainers, strategic merge patch) and
 * waits, through a watch of that one Pod, until it runs. The UI asks the user first: an ephemeral
 * container changes the Pod and cannot be removed. A running one of the same image is reused, never
 * duplicated. No `vscode`.
 */
import { CoreV1Api, PatchStrategy, setHeaderOptions, Watch } from '@kubernetes/client-node';
import type { KubeConfig, V1Pod } from '@kubernetes/client-node';
import { classifyError } from '../cluster/errors.ts';
import {
  DEBUG_CONTAINER_PREFIX,
  DEFAULT_DEBUG_IMAGE,
  debugContainerName,
  debugContainerState,
  ephemeralContainerSpec,
  findDebugContainer,
  sameImage,
} from './debugSpec.ts';

export interface PodReference {
  readonly namespace: string;
  readonly name: string;
}

export interface AddDebugContainerOptions {
  /** Share the process namespace of this container (`kubectl debug --target`). */
  readonly targetContainer?: string;
  /** How long to wait for the container to run; default 120 s (an image pull can take a while). */
  readonly timeoutMs?: number;
  readonly signal?: AbortSignal;
}

export interface DebugContainer {
  readonly namespace: string;
  readonly pod: string;
  /** The ephemeral container's name, to exec into. */
  readonly container: string;
  readonly image: string;
  /** True when a running debug container of this image was already there. */
  readonly reused: boolean;
}

export class DebugContainerError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DebugContainerError';
  }
}

/** Waits until `name` runs in the Pod (resolves) or cannot (rejects with a sentence). */
async function waitUntilRunning(
  kubeconfig: KubeConfig,
  pod: PodReference,
  name: string,
  timeoutMs: number,
  signal: AbortSignal | undefined,
): Promise<void> {
  const watch = new Watch(kubeconfig);
  await new Promise<void>((resolve, reject) => {
    let settled = false;
    let request: AbortController | undefined;
    const settle = (error?: Error): void => {
      if (settled) {
        return;
      }
      settled = true;
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
      request?.abort();
      if (error) {
        reject(error);
      } else {
        resolve();
      }
    };
    const timer = setTimeout(
      () =>
        settle(
          new DebugContainerError(
            `The debug container ${name} in Pod ${pod.namespace}/${pod.name} was not running after ${Math.round(timeoutMs / 1000)} s.`,
          ),
        ),
      timeoutMs,
    );
    const onAbort = (): void => settle(new DebugContainerError('Adding the debug container was cancelled.'));
    if (signal?.aborted) {
      onAbort();
      return;
    }
    signal?.addEventListener('abort', onAbort, { once: true });
    const start = (): void => {
      watch
        .watch(
          `/api/v1/namespaces/${encodeURIComponent(pod.namespace)}/pods`,
          { fieldSelector: `metadata.name=${pod.name}` },
          (phase: string, object: V1Pod) => {
            if (phase === 'DELETED') {
              settle(new DebugContainerError(`Pod ${pod.namespace}/${pod.name} was deleted.`));
              return;
            }
            const state = debugContainerState(object, name);
            if (state.state === 'running') {
              settle();
            } else if (state.state === 'failed') {
              settle(new DebugContainerError(state.message));
            }
          },
          (error: unknown) => {
            if (settled) {
              return;
            }
            if (error !== null && error !== undefined && (error as { name?: string }).name !== 'AbortError') {
              settle(
                new DebugContainerError(
                  classifyError(error, { resource: `pod ${pod.namespace}/${pod.name}` }).message,
                ),
              );
              return;
            }
            // The server ended the watch (its timeout): watch again, after a breath.
            setTimeout(() => {
              if (!settled) {
                start();
              }
            }, 100);
          },
        )
        .then(
          (controller) => {
            request = controller;
            if (settled) {
              controller.abort();
            }
          },
          (error: unknown) =>
            settle(
              new DebugContainerError(
                classifyError(error, { resource: `pod ${pod.namespace}/${pod.name}` }).message,
              ),
            ),
        );
    };
    start();
  });
}

/**
 * Adds an ephemeral container of `image` (default `nicolaka/netshoot`) to the Pod, or reuses a
 * running one of that image, and resolves once it runs. Rejects with a `DebugContainerError` whose
 * message is a sentence for the user (forbidden, image cannot be pulled, timeout, …).
 */
export async function addDebugContainer(
  kubeconfig: KubeConfig,
  pod: PodReference,
  image: string = DEFAULT_DEBUG_IMAGE,
  options: AddDebugContainerOptions = {},
): Promise<DebugContainer> {
  const core = kubeconfig.makeApiClient(CoreV1Api);
  const failure = (error: unknown, what: string): DebugContainerError =>
    new DebugContainerError(
      `${what}: ${classifyError(error, { resource: `pod ${pod.namespace}/${pod.name}` }).message}`,
    );
  let current: V1Pod;
  try {
    current = await core.readNamespacedPod({ namespace: pod.namespace, name: pod.name });
  } catch (error) {
    throw failure(error, `Pod ${pod.namespace}/${pod.name} could not be read`);
  }
  const timeoutMs = options.timeoutMs ?? 120_000;
  const result = (container: string, reused: boolean): DebugContainer => ({
    namespace: pod.namespace,
    pod: pod.name,
    container,
    image,
    reused,
  });
  const running = findDebugContainer(current, image);
  if (running !== undefined) {
    return result(running, true);
  }
  // One of ours of this image that is still starting (added a moment ago): wait for it instead.
  const starting = (current.spec?.ephemeralContainers ?? []).find(
    (container) =>
      container.name.startsWith(DEBUG_CONTAINER_PREFIX) &&
      container.image !== undefined &&
      sameImage(container.image, image) &&
      debugContainerState(current, container.name).state === 'waiting',
  );
  if (starting !== undefined) {
    await waitUntilRunning(kubeconfig, pod, starting.name, timeoutMs, options.signal);
    return result(starting.name, true);
  }
  const name = debugContainerName(current);
  const spec = ephemeralContainerSpec(name, image, options.targetContainer);
  try {
    await core.patchNamespacedPodEphemeralcontainers(
      {
        namespace: pod.namespace,
        name: pod.name,
        body: { spec: { ephemeralContainers: [{ ...spec, command: [...spec.command] }] } },
      },
      setHeaderOptions('Content-Type', PatchStrategy.StrategicMergePatch),
    );
  } catch (error) {
    throw failure(error, `The debug container could not be added to Pod ${pod.namespace}/${pod.name}`);
  }
  await waitUntilRunning(kubeconfig, pod, name, timeoutMs, options.signal);
  return result(name, false);
}
