/**
 * The engine of "Diagnose Connectivity": the static hops from the informer-backed cache
 * (`diagnoseStatic` in src/analysis/diagnosis/), then the live probes from the source Pod (to the
 * target as the application addresses it, and to each backing Pod's IP and targetPort directly),
 * read against the static hops. No `vscode`: the webview and the commands are built on `diagnose`,
 * `policyMatrix`, `overlayProbes` and `toMarkdown`.
 *
 * ```ts
 * const diagnoser = new Diagnoser({ cache, prober, watchNamespaces: (ns) => session.setAdditionalNamespaces(new Set(ns)) });
 * const report = await diagnoser.diagnose(
 *   { namespace: 'shop', pod: 'frontend-7d9c' },
 *   { kind: 'service', namespace: 'shop', name: 'backend', port: 80 },
 *   { signal, timeoutMs: 3000 },
 * );
 * report.conclusion; // { failedHop?, sentence, fix?, manifest? }
 * ```
 *
 * `diagnose` rejects only when the source Pod is not in the cache (a `DiagnoseError` with a
 * sentence); everything else, probe failures and cancellation included, is in the report.
 */
import { diagnoseStatic, isPodReady } from '../analysis/diagnosis/index.ts';
import type {
  DiagnosisPod,
  DiagnosisTarget,
  Hop,
  ProbePlan,
  ReadinessEvent,
  StaticDiagnosis,
} from '../analysis/diagnosis/index.ts';
import type { ReadinessEventReader } from './events.ts';
import { NamespaceWatcher } from './watching.ts';
import type { Prober } from '../probe/prober.ts';
import type { HttpProbeOptions, ProbeProtocol, ProbeResult, ProbeTarget } from '../probe/types.ts';
import { concludeWithProbe, probeHop } from './probeHop.ts';
import { namespacesFor, snapshotInput } from './snapshot.ts';
import type { DiagnosisCache } from './snapshot.ts';
import type { DiagnosisProbe, DiagnosisReport, DiagnosisSource } from './types.ts';

/** What the Diagnoser needs of a prober; `Prober` is one. */
export type ProbeRunner = Pick<Prober, 'probe'>;

export interface DiagnoserOptions {
  readonly cache: DiagnosisCache;
  /** Without one, `diagnose` gives the static hops only. */
  readonly prober?: ProbeRunner;
  /** Per-probe timeout; default the prober's own (5 s). */
  readonly timeoutMs?: number;
  /** Probes in flight at once; default 4. */
  readonly concurrency?: number;
  /** Default `cluster.local`. */
  readonly clusterDomain?: string;
  /**
   * Asks for namespaces to be watched besides those in view (e.g. the session's
   * `setAdditionalNamespaces`); the Diagnoser then waits until they are synced. Without it, a
   * target in a namespace that is not watched gives "unknown" hops.
   */
  readonly watchNamespaces?: (names: readonly string[]) => void;
  /** How long to wait for newly watched namespaces to sync; default 5 s. */
  readonly syncTimeoutMs?: number;
  /**
   * Reads a not-ready Pod's latest Unhealthy event (`readinessEventReader`), so that the readiness
   * explanation quotes the kubelet. Read while the probes run; without it, no events are read.
   */
  readonly readinessEvents?: ReadinessEventReader;
}

export interface DiagnoseOptions {
  readonly signal?: AbortSignal;
  /** Per-probe timeout, overriding the Diagnoser's. */
  readonly timeoutMs?: number;
  /** Run the live probes (default true when the Diagnoser has a prober). */
  readonly probe?: boolean;
  /** Default: `http` when the port's name or appProtocol says HTTP, else `tcp`. */
  readonly protocol?: ProbeProtocol;
  /** For HTTP probes: path, expected status, https… */
  readonly http?: HttpProbeOptions;
  /** How many backing Pods are probed directly, ready ones first; default 5. */
  readonly maxProbedPods?: number;
}

export class DiagnoseError extends Error {}

const DEFAULT_CONCURRENCY = 4;
const DEFAULT_SYNC_TIMEOUT_MS = 5000;
/** Not-ready Pods whose events a diagnosis reads, at most. */
const MAX_EVENT_READS = 5;

function cancelledResult(source: DiagnosisSource, label: string, host: string, port: number): ProbeResult {
  return {
    source: { namespace: source.namespace, pod: source.pod, debugContainer: false },
    target: { label, protocol: 'tcp', host, port },
    verdict: 'cancelled',
    reachable: false,
    message: 'The probe was cancelled before it started.',
    elapsedMs: 0,
    stdout: '',
    stderr: '',
    notes: [],
    startedAt: new Date().toISOString(),
  };
}

interface PlannedProbe {
  readonly probe: Omit<DiagnosisProbe, 'result'>;
  readonly target: ProbeTarget;
}

/** The probes a plan calls for, as the probe engine's targets. */
export function plannedProbes(
  plan: ProbePlan,
  options: { readonly protocol?: ProbeProtocol; readonly http?: HttpProbeOptions } = {},
): PlannedProbe[] {
  const protocol: ProbeProtocol = options.protocol ?? (plan.http ? 'http' : 'tcp');
  const common = {
    protocol,
    ...(protocol === 'http' && options.http !== undefined ? { http: options.http } : {}),
  };
  const planned: PlannedProbe[] = [];
  const primary = plan.primary;
  if (primary !== undefined) {
    planned.push({
      probe: {
        role: 'target',
        label: primary.label,
        ...(primary.pod === undefined
          ? {}
          : { pod: { ...primary.pod, ip: primary.host, port: primary.port, ready: true } }),
      },
      target:
        primary.pod === undefined
          ? { kind: 'address', host: primary.host, port: primary.port, label: primary.label, ...common }
          : {
              kind: 'pod',
              namespace: primary.pod.namespace,
              name: primary.pod.name,
              ip: primary.host,
              port: primary.port,
              label: primary.label,
              ...common,
            },
    });
  }
  for (const pod of plan.pods) {
    const label = `${pod.ip}:${pod.port}`;
    planned.push({
      probe: { role: 'pod', label, pod },
      target: {
        kind: 'pod',
        namespace: pod.namespace,
        name: pod.name,
        ip: pod.ip,
        port: pod.port,
        label,
        ...common,
      },
    });
  }
  return planned;
}

export class Diagnoser {
  readonly cache: DiagnosisCache;
  readonly prober: ProbeRunner | undefined;
  readonly timeoutMs: number | undefined;
  readonly concurrency: number;
  readonly clusterDomain: string | undefined;
  private readonly watcher: NamespaceWatcher;
  private readonly readinessEvents: ReadinessEventReader | undefined;

  constructor(options: DiagnoserOptions) {
    this.cache = options.cache;
    this.prober = options.prober;
    this.timeoutMs = options.timeoutMs;
    this.concurrency = Math.max(1, Math.floor(options.concurrency ?? DEFAULT_CONCURRENCY));
    this.clusterDomain = options.clusterDomain;
    this.watcher = new NamespaceWatcher(
      options.cache,
      options.watchNamespaces,
      options.syncTimeoutMs ?? DEFAULT_SYNC_TIMEOUT_MS,
    );
    this.readinessEvents = options.readinessEvents;
  }

  /**
   * The latest Unhealthy event of each Pod the diagnosis found not ready (the target Pod, or the
   * Service's backends, at most MAX_EVENT_READS), by `namespace/name`; empty without a reader.
   */
  private async readNotReadyEvents(diagnosis: StaticDiagnosis): Promise<ReadonlyMap<string, ReadinessEvent>> {
    const reader = this.readinessEvents;
    const resolved = diagnosis.resolved;
    let pods: { namespace: string; name: string }[] = [];
    if (resolved.kind === 'service') {
      pods = resolved.backends.filter((backend) => !backend.ready);
    } else if (resolved.kind === 'pod') {
      const pod = this.cache.pod(resolved.namespace, resolved.name) as unknown as DiagnosisPod | undefined;
      pods = pod !== undefined && !isPodReady(pod) ? [resolved] : [];
    }
    const events = new Map<string, ReadinessEvent>();
    if (reader === undefined || pods.length === 0) {
      return events;
    }
    await Promise.all(
      pods.slice(0, MAX_EVENT_READS).map(async ({ namespace, name }) => {
        const event = await reader(namespace, name);
        if (event !== undefined) {
          events.set(`${namespace}/${name}`, event);
        }
      }),
    );
    return events;
  }

  /** The static hops from what the cache holds now, and how long they took. Synchronous. */
  diagnoseStatic(
    source: DiagnosisSource,
    target: DiagnosisTarget,
    options: {
      readonly maxProbedPods?: number;
      readonly readinessEvents?: ReadonlyMap<string, ReadinessEvent>;
    } = {},
  ): { readonly diagnosis: StaticDiagnosis; readonly staticMs: number } {
    const started = performance.now();
    const pod = this.cache.pod(source.namespace, source.pod) as unknown as DiagnosisPod | undefined;
    if (pod === undefined) {
      throw new DiagnoseError(
        `Pod ${source.namespace}/${source.pod} is not in the cache: it is gone, or namespace ${source.namespace} is not watched.`,
      );
    }
    // Not spread: the snapshot's flat lists are built on first read (see snapshotInput).
    const diagnosis = diagnoseStatic(
      snapshotInput(this.cache, pod, target, {
        ...(this.clusterDomain === undefined ? {} : { clusterDomain: this.clusterDomain }),
        ...(options.maxProbedPods === undefined ? {} : { maxProbedPods: options.maxProbedPods }),
        ...(options.readinessEvents === undefined ? {} : { readinessEvents: options.readinessEvents }),
      }),
    );
    return { diagnosis, staticMs: performance.now() - started };
  }

  /** The static hops, then the live probes, then the conclusion from both. */
  async diagnose(
    source: DiagnosisSource,
    target: DiagnosisTarget,
    options: DiagnoseOptions = {},
  ): Promise<DiagnosisReport> {
    const startedAt = new Date().toISOString();
    const started = performance.now();
    // Only namespaces that exist: `example.com` is first tried as Service example in namespace com.
    const existing = new Set(this.cache.namespaces().map((namespace) => namespace.metadata?.name));
    const needed = namespacesFor(source.namespace, target, this.clusterDomain).filter(
      (name) => name === source.namespace || existing.has(name),
    );
    await this.watcher.ensureWatched(needed, options.signal);
    const first = this.diagnoseStatic(source, target, {
      ...(options.maxProbedPods === undefined ? {} : { maxProbedPods: options.maxProbedPods }),
    });
    let { diagnosis } = first;
    const { staticMs } = first;
    const sourcePod = this.cache.pod(source.namespace, source.pod);
    const events = this.readNotReadyEvents(diagnosis);

    const runProbes =
      (options.probe ?? true) && this.prober !== undefined && diagnosis.plan.note === undefined;
    const planned = runProbes
      ? plannedProbes(diagnosis.plan, {
          ...(options.protocol === undefined ? {} : { protocol: options.protocol }),
          ...(options.http === undefined ? {} : { http: options.http }),
        })
      : [];
    const probeStarted = performance.now();
    const probes: DiagnosisProbe[] = new Array<DiagnosisProbe>(planned.length);
    const timeoutMs = options.timeoutMs ?? this.timeoutMs;
    let next = 0;
    const worker = async (): Promise<void> => {
      while (next < planned.length) {
        const index = next++;
        const { probe, target: probeTarget } = planned[index]!;
        const result =
          options.signal?.aborted === true
            ? cancelledResult(source, probe.label, probeTarget.kind === 'address' ? probeTarget.host : '', 0)
            : await this.prober!.probe(source, probeTarget, {
                ...(options.signal === undefined ? {} : { signal: options.signal }),
                ...(timeoutMs === undefined ? {} : { timeoutMs }),
                ...(sourcePod === undefined ? {} : { pod: sourcePod }),
              });
        probes[index] = { ...probe, result };
      }
    };
    await Promise.all(Array.from({ length: Math.min(this.concurrency, planned.length) }, worker));
    const probeMs = planned.length === 0 ? 0 : performance.now() - probeStarted;

    const readinessEvents = await events;
    if (readinessEvents.size > 0) {
      // The kubelet's words change only sentences of the readiness hops, never the probe plan.
      diagnosis = this.diagnoseStatic(source, target, {
        ...(options.maxProbedPods === undefined ? {} : { maxProbedPods: options.maxProbedPods }),
        readinessEvents,
      }).diagnosis;
    }
    let hops: readonly Hop[] = diagnosis.hops;
    let conclusion = diagnosis.conclusion;
    if (planned.length > 0) {
      const probe = probeHop(diagnosis, probes);
      hops = diagnosis.hops.map((hop) => (hop.id === 'probe' ? probe : hop));
      conclusion = concludeWithProbe(diagnosis, hops);
    } else if (runProbes || diagnosis.plan.note !== undefined) {
      const probe = probeHop(diagnosis, []);
      hops = diagnosis.hops.map((hop) => (hop.id === 'probe' ? probe : hop));
    }
    return {
      ...diagnosis,
      hops,
      conclusion,
      ...(this.cache.contextName === undefined ? {} : { context: this.cache.contextName }),
      probes,
      timings: {
        staticMs: round(staticMs),
        probeMs: round(probeMs),
        totalMs: round(performance.now() - started),
      },
      startedAt,
      cancelled: options.signal?.aborted === true,
    };
  }
}

function round(ms: number): number {
  return Math.round(ms * 100) / 100;
}
