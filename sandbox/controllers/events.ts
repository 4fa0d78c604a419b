/**
 * Events, written as the scheduler and kubelet write them: one object per (object, reason,
 * message, source), whose count and last timestamp grow when the same thing happens again
 * (client-go's EventCorrelator). Each event is stored in both APIs a real server serves it from:
 * core/v1 `Event` (`involvedObject`, `source`, `count`) and events.k8s.io/v1 `Event` (`regarding`,
 * `note`, `series`). A real server keeps one copy and converts; here the two are written together,
 * so a client writing to one API does not see its event in the other.
 */
import { randomBytes } from 'node:crypto';
import type { KubeObject } from '../api/store.ts';
import { timestamp } from '../api/store.ts';
import type { Cluster } from '../cluster.ts';
import { type } from '../cluster.ts';
import { findResource } from '../api/resources.ts';

export interface EventSource {
  /** `kubelet`, `default-scheduler`, `deployment-controller`. */
  readonly component: string;
  /** The node, for the kubelet. */
  readonly host?: string;
}

export interface EventInput {
  readonly type: 'Normal' | 'Warning';
  readonly reason: string;
  readonly message: string;
  readonly source: EventSource;
  /** `spec.containers{web}` for a container's events. */
  readonly fieldPath?: string;
  /** events.k8s.io's `action`: what was done (`Binding`, `Pulling`, `Killing`). */
  readonly action?: string;
}

interface Series {
  readonly name: string;
  readonly namespace: string;
  count: number;
}

export class EventRecorder {
  private readonly cluster: Cluster;
  private readonly series = new Map<string, Series>();

  constructor(cluster: Cluster) {
    this.cluster = cluster;
  }

  /** Records that `input` happened to `object`; a repeat of the same event bumps its count. */
  record(object: KubeObject, input: EventInput, now = new Date()): void {
    if (!this.cluster.scenario.recordEvents) {
      return;
    }
    const namespace = object.metadata.namespace ?? 'default';
    const kind = (object.kind as string | undefined) ?? 'Pod';
    const involved = {
      kind,
      namespace,
      name: object.metadata.name,
      uid: object.metadata.uid,
      apiVersion: (object.apiVersion as string | undefined) ?? 'v1',
      resourceVersion: object.metadata.resourceVersion,
      ...(input.fieldPath ? { fieldPath: input.fieldPath } : {}),
    };
    const key = JSON.stringify([
      involved.uid,
      input.fieldPath ?? '',
      input.reason,
      input.message,
      input.source.component,
      input.source.host ?? '',
    ]);
    const at = timestamp(now);
    const micro = now.toISOString().replace(/\.(\d{3})Z$/, '.$1000Z');
    const previous = this.series.get(key);
    const core = type('events');
    const modern = findResource('events.k8s.io', 'v1', 'events')!;
    if (previous && this.cluster.store.peek(core, previous.namespace, previous.name)) {
      previous.count += 1;
      const stored = this.cluster.store.peek(core, previous.namespace, previous.name)!;
      this.cluster.store.update(core, { ...stored, count: previous.count, lastTimestamp: at });
      const storedModern = this.cluster.store.peek(modern, previous.namespace, previous.name);
      if (storedModern) {
        this.cluster.store.update(modern, {
          ...storedModern,
          series: { count: previous.count, lastObservedTime: micro },
          deprecatedCount: previous.count,
          deprecatedLastTimestamp: at,
        });
      }
      return;
    }
    // Event names are the object's name and a unique hex suffix, as client-go makes them.
    const name = `${object.metadata.name}.${randomBytes(8).toString('hex')}`;
    this.series.set(key, { name, namespace, count: 1 });
    const reportingController = input.source.component === 'kubelet' ? 'kubelet' : input.source.component;
    const reportingInstance = input.source.host ?? '';
    this.cluster.store.create(core, {
      metadata: { name, namespace, creationTimestamp: at },
      involvedObject: involved,
      reason: input.reason,
      message: input.message,
      source: {
        component: input.source.component,
        ...(input.source.host ? { host: input.source.host } : {}),
      },
      firstTimestamp: at,
      lastTimestamp: at,
      count: 1,
      type: input.type,
      eventTime: null,
      reportingComponent: reportingController,
      reportingInstance,
    });
    this.cluster.store.create(modern, {
      metadata: { name, namespace, creationTimestamp: at },
      eventTime: micro,
      reportingController,
      reportingInstance,
      ...(input.action ? { action: input.action } : {}),
      reason: input.reason,
      regarding: involved,
      note: input.message,
      type: input.type,
      deprecatedSource: {
        component: input.source.component,
        ...(input.source.host ? { host: input.source.host } : {}),
      },
      deprecatedFirstTimestamp: at,
      deprecatedLastTimestamp: at,
      deprecatedCount: 1,
    });
  }

  /** The newest event with `reason` about the object, from the core API (what describe shows). */
  latest(namespace: string, name: string, reason: string): KubeObject | undefined {
    let best: KubeObject | undefined;
    for (const { object } of this.cluster.store.list(type('events'), namespace)) {
      const involved = object.involvedObject as { name?: string } | undefined;
      if (involved?.name !== name || object.reason !== reason) {
        continue;
      }
      if (!best || String(object.lastTimestamp) >= String(best.lastTimestamp)) {
        best = object;
      }
    }
    return best;
  }

  /** Forgets the correlation state of an object that is gone (its events stay, as in a real cluster). */
  forget(uid: string | undefined): void {
    if (!uid) {
      return;
    }
    for (const key of this.series.keys()) {
      if (key.startsWith(`["${uid}"`)) {
        this.series.delete(key);
      }
    }
  }
}
