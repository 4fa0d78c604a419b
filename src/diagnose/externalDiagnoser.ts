/**
 * The engine of "Diagnose External Access": the static hops of src/analysis/external/ from the
 * informer-backed cache, then live probes, read against them. No `vscode`.
 *
 * Probes:
 * - from a controller Pod to each backend Pod's IP and resolved port (exec, as every probe is): the
 *   hop the controller's own connection takes, where a NetworkPolicy drops it;
 * - from outside (this process) to each node's address and node port, and to a LoadBalancer's
 *   address: a client outside the cluster is what externalTrafficPolicy Local treats differently
 *   (a Pod's traffic is served as Cluster by kube-proxy whatever the policy, so a probe from a Pod
 *   cannot see Local's drops);
 * - from outside, an HTTP request with the request's Host header and path to the Ingress's address.
 * The probe hop says what they saw and whether it agrees with the static answer.
 */
import { diagnoseExternal, concludeExternal } from '../analysis/external/index.ts';
import type {
  ExternalDiagnosis,
  ExternalHop,
  ExternalInput,
  ExternalRequest,
  HopDraft,
} from '../analysis/external/index.ts';
import type { DiagnosisPod } from '../analysis/diagnosis.ts';
import type { Ingress, IngressClass } from '../analysis/ingress.ts';
import type { Prober } from '../probe/prober.ts';
import type { ProbeResult } from '../probe/types.ts';
import { outsideConnect, outsideHttp } from './externalOutside.ts';
import type { OutsideResult } from './externalOutside.ts';
import { snapshotInput } from './snapshot.ts';
import type { DiagnosisCache } from './snapshot.ts';
import type { ClusterCache } from '../cluster/cache.ts';
import { NamespaceWatcher } from './watching.ts';

/** What the external diagnosis reads from the cache; `ClusterCache` is one. */
export type ExternalCache = DiagnosisCache &
  Pick<ClusterCache, 'ingresses' | 'nodes' | 'ingressClasses' | 'clusterStatus'>;

export interface ExternalDiagnoserOptions {
  readonly cache: ExternalCache;
  /** Runs the probes from the controller's Pods; without one, no Pod probe runs. */
  readonly prober?: Pick<Prober, 'probe'>;
  /** Connections from this process to node ports and load balancers; default node:net. */
  readonly connect?: typeof outsideConnect;
  /** HTTP requests from this process to an Ingress's address; default node:http. */
  readonly http?: typeof outsideHttp;
  /** Per-probe timeout; default 2 s (a dropped connection is evident by then). */
  readonly timeoutMs?: number;
  /** Asks for namespaces to be watched (the session's `setAdditionalNamespaces`). */
  readonly watchNamespaces?: (names: readonly string[]) => void;
  /** How long to wait for newly watched namespaces to sync; default 5 s. */
  readonly syncTimeoutMs?: number;
  /** Namespaces watched for a URL or a node port at most (their Ingresses or Services could be anywhere); default 50. */
  readonly maxNamespaces?: number;
}

export interface ExternalProbe {
  /** `backend`: controller Pod → backend Pod; `node`: outside → node:nodePort; `address`: outside → load balancer; `ingress`: outside HTTP with Host header. */
  readonly role: 'backend' | 'node' | 'address' | 'ingress';
  readonly label: string;
  /** The static answer's expectation, where it has one. */
  readonly expected?: 'answers' | 'drops';
  readonly reached: boolean;
  readonly message: string;
  readonly httpStatus?: number;
  /** The Pod probe's full result (exec), for `backend` probes. */
  readonly result?: ProbeResult;
  /** For `node` probes. */
  readonly node?: string;
}

export interface ExternalReport extends ExternalDiagnosis {
  readonly context?: string;
  readonly probes: readonly ExternalProbe[];
  readonly timings: { readonly staticMs: number; readonly probeMs: number; readonly totalMs: number };
  readonly startedAt: string;
  readonly cancelled: boolean;
}

const OUTSIDE_POD: DiagnosisPod = { metadata: { namespace: 'default', name: '(outside the cluster)' } };
const UNUSABLE = new Set(['forbidden', 'unavailable', 'failed']);
/** Namespaces controllers are usually installed in. */
const CONTROLLER_NAMESPACES = /ingress|traefik|kong|contour|haproxy|envoy|gateway/;
const MAX_BACKEND_PROBES = 3;

/** The analysis input for `request` from what the cache holds now. */
export function externalSnapshot(
  cache: ExternalCache,
  request: ExternalRequest,
  clientIp?: string,
): ExternalInput {
  // The Pod-to-Service snapshot reads the namespaced kinds; its source and target are not used here.
  const {
    source: _source,
    target: _target,
    ...state
  } = snapshotInput(cache, OUTSIDE_POD, { kind: 'dns', name: '', port: 0 });
  const ingresses: Ingress[] = [];
  const ingressesUnreadable: string[] = [];
  for (const namespace of cache.watchedNamespaces()) {
    ingresses.push(...(cache.ingresses(namespace) as unknown as readonly Ingress[]));
    const status = cache.namespaceStatus(namespace);
    if (status !== undefined && UNUSABLE.has(status.ingresses.status)) {
      ingressesUnreadable.push(namespace);
    }
  }
  const cluster = cache.clusterStatus();
  return {
    request,
    ...(clientIp === undefined ? {} : { clientIp }),
    ingresses,
    ingressClasses: cache.ingressClasses() as unknown as readonly IngressClass[],
    services: state.services,
    endpointSlices: state.endpointSlices,
    pods: state.pods,
    nodes: cache.nodes() as unknown as ExternalInput['nodes'],
    networkPolicies: state.networkPolicies,
    namespaces: state.namespaces,
    knownNamespaces: state.knownNamespaces ?? [],
    unreadable: {
      ...state.unreadable,
      ingresses: ingressesUnreadable,
      nodes: UNUSABLE.has(cluster.nodes.status),
      ingressClasses: UNUSABLE.has(cluster.ingressClasses.status),
    },
  };
}

/**
 * The namespaces a request needs watched: an Ingress's or a Service's own and the controllers'
 * usual ones; for a URL or a node port, whose Ingress or Service could be anywhere, every
 * namespace up to `max`.
 */
export function namespacesForRequest(
  request: ExternalRequest,
  all: readonly string[],
  max: number,
): string[] {
  const controllers = all.filter((name) => CONTROLLER_NAMESPACES.test(name));
  if (request.kind === 'url' || request.kind === 'nodePort') {
    return [...new Set([...controllers, ...all])].slice(0, max);
  }
  return [...new Set([request.namespace, ...controllers])];
}

function round(ms: number): number {
  return Math.round(ms * 100) / 100;
}

export class ExternalDiagnoser {
  readonly cache: ExternalCache;
  private readonly options: ExternalDiagnoserOptions;
  private readonly watcher: NamespaceWatcher;

  constructor(options: ExternalDiagnoserOptions) {
    this.cache = options.cache;
    this.options = options;
    this.watcher = new NamespaceWatcher(
      options.cache,
      options.watchNamespaces,
      options.syncTimeoutMs ?? 5000,
    );
  }

  /** The static hops from what the cache holds now. Synchronous. */
  diagnoseStatic(
    request: ExternalRequest,
    clientIp?: string,
  ): { diagnosis: ExternalDiagnosis; input: ExternalInput; staticMs: number } {
    const started = performance.now();
    const input = externalSnapshot(this.cache, request, clientIp);
    const diagnosis = diagnoseExternal(input);
    return { diagnosis, input, staticMs: performance.now() - started };
  }

  async diagnose(
    request: ExternalRequest,
    options: { readonly signal?: AbortSignal; readonly probe?: boolean; readonly clientIp?: string } = {},
  ): Promise<ExternalReport> {
    const startedAt = new Date().toISOString();
    const started = performance.now();
    const all = this.cache
      .namespaces()
      .map((namespace) => namespace.metadata?.name ?? '')
      .filter(Boolean);
    await this.watcher.ensureWatched(
      namespacesForRequest(request, all, this.options.maxNamespaces ?? 50),
      options.signal,
    );
    const { diagnosis, input, staticMs } = this.diagnoseStatic(request, options.clientIp);
    const probeStarted = performance.now();
    const probes = options.probe === false ? [] : await this.runProbes(diagnosis, input, options.signal);
    const probeMs = probes.length === 0 ? 0 : performance.now() - probeStarted;
    const probeDraft = probeHopOf(diagnosis, probes, options.probe !== false);
    const hops: ExternalHop[] = diagnosis.hops.map((hop) =>
      hop.id === 'probe' ? { ...hop, ...probeDraft } : hop,
    );
    return {
      ...diagnosis,
      hops,
      conclusion: concludeExternal(hops, input, diagnosis.label),
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

  private async runProbes(
    diagnosis: ExternalDiagnosis,
    input: ExternalInput,
    signal: AbortSignal | undefined,
  ): Promise<ExternalProbe[]> {
    const timeoutMs = this.options.timeoutMs ?? 2000;
    const connect = this.options.connect ?? outsideConnect;
    const http = this.options.http ?? outsideHttp;
    const { plan } = diagnosis;
    const tasks: Promise<ExternalProbe>[] = [];
    const controller = plan.controllerPods[0];
    const prober = this.options.prober;
    if (controller !== undefined && prober !== undefined && diagnosis.ingress !== undefined) {
      for (const backend of plan.backends.slice(0, MAX_BACKEND_PROBES)) {
        const label = `${controller.namespace}/${controller.name} → ${backend.name} ${backend.ip}:${backend.port}`;
        tasks.push(
          prober
            .probe(
              { namespace: controller.namespace, pod: controller.name },
              {
                kind: 'pod',
                namespace: backend.namespace,
                name: backend.name,
                ip: backend.ip,
                port: backend.port,
                protocol: 'tcp',
                label,
              },
              { timeoutMs, ...(signal === undefined ? {} : { signal }) },
            )
            .then((result) => ({
              role: 'backend' as const,
              label,
              reached: result.reachable,
              message: result.message,
              result,
            })),
        );
      }
    }
    const entry =
      diagnosis.service === undefined
        ? undefined
        : input.services.find(
            (s) =>
              s.metadata.namespace === diagnosis.service!.namespace &&
              s.metadata.name === diagnosis.service!.name,
          );
    // An HTTP port is asked a request: only an answer tells a served connection from one a node
    // accepted and then dropped (the sandbox's data plane accepts before it drops; a real node drops
    // the SYN, which a bare connection sees too).
    const speaksHttp = (port: number) => {
      const entryPort = entry?.spec?.ports?.find((p) => p.nodePort === port || p.port === port);
      return /http/i.test(`${entryPort?.name ?? ''} ${entryPort?.appProtocol ?? ''}`);
    };
    const fromOutside = (
      role: 'node' | 'address',
      host: string,
      port: number,
      extra: Partial<ExternalProbe>,
    ) =>
      (speaksHttp(port)
        ? http(host, port, undefined, '/', { timeoutMs, ...(signal === undefined ? {} : { signal }) })
        : connect(host, port, { timeoutMs, ...(signal === undefined ? {} : { signal }) })
      ).then((outcome: OutsideResult): ExternalProbe => ({
        role,
        label: `${host}:${port}`,
        reached: outcome.reached,
        message: outcome.message,
        ...(outcome.status === undefined ? {} : { httpStatus: outcome.status }),
        ...extra,
      }));
    for (const node of plan.nodePorts) {
      if (node.address !== undefined) {
        tasks.push(
          fromOutside('node', node.address, node.port, {
            node: node.node,
            expected: node.answers ? 'answers' : 'drops',
          }),
        );
      }
    }
    if (diagnosis.ingress === undefined && entry?.spec?.type === 'LoadBalancer') {
      const address = entry.status?.loadBalancer?.ingress?.[0];
      const host = address?.ip ?? address?.hostname;
      const port = entry.spec.ports?.find(
        (p) => p.port === diagnosis.service!.port || p.name === diagnosis.service!.port,
      )?.port;
      if (host !== undefined && port !== undefined) {
        tasks.push(fromOutside('address', host, port, {}));
      }
    }
    if (diagnosis.ingress !== undefined && plan.http !== undefined) {
      const ingress = input.ingresses.find(
        (i) =>
          i.metadata.namespace === diagnosis.ingress!.namespace &&
          i.metadata.name === diagnosis.ingress!.name,
      );
      const address = ingress?.status?.loadBalancer?.ingress?.[0];
      const host = address?.ip ?? address?.hostname;
      if (host !== undefined) {
        const label = `http://${host}${plan.http.path} (Host: ${plan.http.host ?? '-'})`;
        tasks.push(
          http(host, 80, plan.http.host, plan.http.path, {
            // The controller's own upstream timeout (a 504) comes first: give it room.
            timeoutMs: timeoutMs + 2000,
            ...(signal === undefined ? {} : { signal }),
          }).then((outcome): ExternalProbe => ({
            role: 'ingress',
            label,
            reached: outcome.reached,
            message: outcome.message,
            ...(outcome.status === undefined ? {} : { httpStatus: outcome.status }),
          })),
        );
      }
    }
    return Promise.all(tasks);
  }
}

/** The probe hop: what the probes saw, and whether that agrees with the static hops. */
export function probeHopOf(
  diagnosis: ExternalDiagnosis,
  probes: readonly ExternalProbe[],
  asked: boolean,
): HopDraft {
  if (!asked) {
    return {
      status: 'skipped',
      summary: 'Not run: this is the static diagnosis from the cluster state.',
      evidence: [],
    };
  }
  if (probes.length === 0) {
    return {
      status: 'skipped',
      summary: 'Nothing to probe: no controller Pod and backend, no node port, no address.',
      evidence: [],
    };
  }
  const evidence = probes.map(
    (probe) =>
      `${probe.label}: ${probe.reached ? (probe.httpStatus === undefined ? 'answered' : `answered ${probe.httpStatus}`) : 'no answer'}${probe.expected === undefined ? '' : ` (expected: ${probe.expected === 'answers' ? 'answers' : 'drops'})`}. ${probe.message}`,
  );
  const inconclusive = probes.filter(
    (probe) =>
      probe.result !== undefined &&
      ['exec-failed', 'no-tool', 'cancelled', 'error'].includes(probe.result.verdict),
  );
  const staticFailed = diagnosis.hops.find((hop) => hop.status === 'failed' && hop.id !== 'probe');
  const backend = probes.filter((probe) => probe.role === 'backend' && !inconclusive.includes(probe));
  const nodes = probes.filter((probe) => probe.role === 'node');
  const ingress = probes.find((probe) => probe.role === 'ingress');
  const address = probes.find((probe) => probe.role === 'address');
  const request = diagnosis.request;
  const askedNode =
    request.kind === 'nodePort'
      ? nodes.find(
          (probe) => probe.node === request.node || probe.label.endsWith(` ${request.node}:${request.port}`),
        )
      : undefined;
  const surprises = nodes.filter((probe) => (probe.expected === 'answers') !== probe.reached);
  const facts: string[] = [];
  if (backend.length > 0) {
    const reached = backend.filter((probe) => probe.reached);
    facts.push(
      reached.length > 0
        ? `the controller's Pod reached ${reached.length} of ${backend.length} backend Pods`
        : `the controller's Pod reached none of the backend Pods (${backend.map((probe) => probe.result?.verdict ?? 'no answer').join(', ')})`,
    );
  }
  if (nodes.length > 0) {
    const answering = nodes.filter((probe) => probe.reached).map((probe) => probe.node ?? probe.label);
    facts.push(
      answering.length > 0
        ? `the node port answered on ${answering.join(', ')}`
        : 'the node port answered on no node',
    );
  }
  if (ingress !== undefined) {
    facts.push(
      ingress.httpStatus === undefined
        ? `the Ingress address did not answer`
        : `the Ingress address answered ${ingress.httpStatus}`,
    );
  }
  if (address !== undefined) {
    facts.push(
      address.reached ? 'the load balancer address answered' : 'the load balancer address did not answer',
    );
  }
  const summary = `${facts.join('; ')}.`.replace(/^./, (c) => c.toUpperCase());
  const failing =
    (backend.length > 0 && backend.every((probe) => !probe.reached)) ||
    (ingress !== undefined &&
      (ingress.httpStatus === undefined || ingress.httpStatus >= 500 || ingress.httpStatus === 404)) ||
    (address !== undefined && !address.reached) ||
    (nodes.length > 0 && nodes.every((probe) => !probe.reached)) ||
    (askedNode !== undefined && !askedNode.reached);
  const agrees = surprises.length === 0 && failing === (staticFailed !== undefined);
  const agreement = agrees
    ? staticFailed === undefined
      ? 'This agrees with the static hops.'
      : `This agrees with the static answer (${staticFailed.title}).`
    : staticFailed === undefined
      ? 'The static hops found nothing wrong: something the cluster state does not show is in the way (a process not listening, a firewall, the network plugin).'
      : `The static hops expected a failure at ${staticFailed.title}${failing ? '' : ', but the probes got through: the network plugin may not enforce what the objects say'}.`;
  if (backend.length === 0 && nodes.length === 0 && ingress === undefined && address === undefined) {
    return { status: 'unknown', summary: 'The probes could not run.', evidence };
  }
  return {
    status: failing ? 'failed' : 'passed',
    summary: `${summary} ${agreement}`,
    evidence: [
      ...evidence,
      ...surprises.map(
        (probe) =>
          `${probe.node ?? probe.label}: the static answer said it ${probe.expected}, the probe saw otherwise.`,
      ),
    ],
  };
}
