/**
 * The latest `Unhealthy` event of a Pod: the kubelet's words for a failing readiness probe
 * ("Readiness probe failed: HTTP probe failed with statuscode: 503"), which the readiness
 * explanation of a diagnosis quotes. Events are not in the informer cache (they churn, and no view
 * needs them live), so this is one list call per Pod that is not ready, as `kubectl describe pod`
 * makes, bounded in time. No `vscode`.
 */
import { CoreV1Api } from '@kubernetes/client-node';
import type { CoreV1Event, KubeConfig } from '@kubernetes/client-node';
import type { ReadinessEvent } from '../analysis/diagnosis/index.ts';

/**
 * Undefined when the Pod has no such event, when the identity may not list events (403), or when
 * the call fails or outlasts its time: the explanation then stands without the kubelet's words.
 */
export type ReadinessEventReader = (namespace: string, pod: string) => Promise<ReadinessEvent | undefined>;

/** A field selector value as the API server parses it: `\`, `,` and `=` escaped. */
function fieldValue(value: string): string {
  return value.replace(/[\\,=]/g, '\\$&');
}

function timeOf(event: CoreV1Event): number {
  const time = event.lastTimestamp ?? event.eventTime ?? event.firstTimestamp;
  return time === undefined ? 0 : new Date(time).getTime();
}

/** The latest of a Pod's Unhealthy events, in the analysis's terms. */
export function latestReadinessEvent(events: readonly CoreV1Event[]): ReadinessEvent | undefined {
  const latest = [...events]
    .filter((event) => event.reason === 'Unhealthy' && typeof event.message === 'string')
    .sort((a, b) => timeOf(b) - timeOf(a))[0];
  if (latest === undefined) {
    return undefined;
  }
  const container = /^spec\.(?:initContainers|containers|ephemeralContainers)\{(.+)\}$/.exec(
    latest.involvedObject.fieldPath ?? '',
  )?.[1];
  const last = latest.lastTimestamp ?? latest.eventTime;
  return {
    message: latest.message!.trim(),
    ...(container === undefined ? {} : { container }),
    ...(typeof latest.count === 'number' ? { count: latest.count } : {}),
    ...(last === undefined ? {} : { lastTimestamp: new Date(last).toISOString() }),
  };
}

export function readinessEventReader(kubeConfig: KubeConfig, timeoutMs = 1500): ReadinessEventReader {
  const core = kubeConfig.makeApiClient(CoreV1Api);
  return async (namespace, pod) => {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<undefined>((resolve) => {
      timer = setTimeout(() => resolve(undefined), timeoutMs);
    });
    const listed = core
      .listNamespacedEvent({
        namespace,
        fieldSelector: `involvedObject.kind=Pod,involvedObject.name=${fieldValue(pod)},reason=Unhealthy`,
      })
      .then(
        (list) => latestReadinessEvent(list.items),
        () => undefined,
      );
    try {
      return await Promise.race([listed, timeout]);
    } finally {
      clearTimeout(timer);
    }
  };
}
