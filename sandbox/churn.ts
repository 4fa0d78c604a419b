/**
 * Churn, for load tests (issue 17): `rate` Pod updates a second for `seconds`, each a real update
 * through the cluster's write path (a new resourceVersion, a MODIFIED event on every Pod watch),
 * spread over every Pod in turn. An update bumps the annotation `sandbox.kubereach.dev/churn`, so it
 * changes neither labels (no EndpointSlice or selector changes) nor what a tree shows. Updates are
 * made in ten batches a second, so a second's updates arrive spread over it as a busy cluster's do.
 */
import type { KubeObject } from './api/store.ts';
import type { Cluster } from './cluster.ts';
import { type } from './cluster.ts';

export const CHURN_ANNOTATION = 'sandbox.kubereach.dev/churn';
const TICKS_PER_SECOND = 10;

export interface ChurnStatus {
  readonly running: boolean;
  readonly rate: number;
  /** Updates made since the last start. */
  readonly updates: number;
  /** Updates that failed (the Pod went away meanwhile). */
  readonly failed: number;
}

export class Churn {
  private readonly cluster: Cluster;
  private timer: NodeJS.Timeout | undefined;
  private rate = 0;
  private updates = 0;
  private failed = 0;
  private cursor = 0;
  private pods: { namespace: string; name: string }[] = [];

  constructor(cluster: Cluster) {
    this.cluster = cluster;
  }

  /** Starts (or restarts) churn at `rate` updates a second for `seconds`. */
  start(rate: number, seconds: number): void {
    if (!Number.isFinite(rate) || rate <= 0 || rate > 100_000) {
      throw new Error(`rate must be a number of updates a second from 1 to 100000, not ${rate}`);
    }
    if (!Number.isFinite(seconds) || seconds <= 0 || seconds > 3_600) {
      throw new Error(`seconds must be from 1 to 3600, not ${seconds}`);
    }
    this.stop();
    this.rate = rate;
    this.updates = 0;
    this.failed = 0;
    this.pods = this.cluster.store.list(type('pods')).map(({ object }) => ({
      namespace: object.metadata.namespace ?? 'default',
      name: object.metadata.name ?? '',
    }));
    if (this.pods.length === 0) {
      throw new Error('there are no Pods to update');
    }
    const started = performance.now();
    const total = Math.round(rate * seconds);
    this.timer = setInterval(() => {
      // As many as the elapsed time asks for, so a slow tick is caught up rather than lost.
      const due = Math.min(total, Math.round(((performance.now() - started) / 1000) * rate));
      while (this.updates + this.failed < due) {
        this.updateNext();
      }
      if (this.updates + this.failed >= total) {
        this.stop();
      }
    }, 1000 / TICKS_PER_SECOND);
  }

  stop(): void {
    if (this.timer !== undefined) {
      clearInterval(this.timer);
      this.timer = undefined;
    }
  }

  status(): ChurnStatus {
    return { running: this.timer !== undefined, rate: this.rate, updates: this.updates, failed: this.failed };
  }

  private updateNext(): void {
    const { namespace, name } = this.pods[this.cursor++ % this.pods.length]!;
    const pod = this.cluster.store.peek(type('pods'), namespace, name);
    if (pod === undefined || pod.metadata.deletionTimestamp) {
      this.failed += 1;
      return;
    }
    const next: KubeObject = {
      ...pod,
      metadata: {
        ...pod.metadata,
        annotations: { ...pod.metadata.annotations, [CHURN_ANNOTATION]: String(this.updates + 1) },
      },
    };
    try {
      this.cluster.update(type('pods'), next);
      this.updates += 1;
    } catch {
      this.failed += 1;
    }
  }
}
