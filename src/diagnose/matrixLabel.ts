/**
 * The names of the Policy Matrix's rows and columns, for the panel and `kubereach matrix` alike.
 * Types only from elsewhere: the extension bundle imports this without the matrix's engine.
 */
import type { PolicyMatrixPod } from './types.ts';

/**
 * How a row or a column of the matrix is named: a Pod by its name; a workload's group by its
 * owner, its Pod count, and why it is only part of the workload when it is (the panel and
 * `kubereach matrix` alike).
 */
export function matrixPodLabel(pod: PolicyMatrixPod): string {
  const workload = pod.workload;
  if (workload?.owner === undefined) {
    return `${pod.namespace}/${pod.name}`;
  }
  const count = workload.pods.length === 1 ? '1 Pod' : `${workload.pods.length} Pods`;
  const split =
    workload.split === 'ipBlock'
      ? ', part of it: an ipBlock holds some of its IPs'
      : workload.split === 'node'
        ? ', part of it: on other nodes'
        : '';
  return `${pod.namespace}/${workload.owner.kind} ${workload.owner.name} (${count}${split})`;
}
