/**
 * The engine of "Diagnose External Access": the static hops of src/analysis/external/ from the
 * informer-backed cache, then live probes, read against them. No `vscode`.
 *
 * Probes:
 * - from a controller Pod to each backend Pod's IP and resolved port (exec, as every probe is): the
 *   hop the controller's own connection takes, where a NetworkPolicy drops it;
 * - for a node port, from a Pod (not behind the Service) to each node's address and node port
 *   (exec): served as Cluster, it checks the node port itself where this machine cannot reach the
 *   nodes;
 * - from outside (this process) to each node's address and node port, and to a LoadBalancer's
 *   address: a client outside the cluster is what externalTrafficPolicy Local treats differently
 *   (a Pod's traffic is served as Cluster by kube-proxy whatever the policy, so a probe from a Pod
 *   cannot see Local's drops);
 * - from outside, an HTTP request with the request's Host header and path to the Ingress's address;
 * - end to end through an in-process port-forward to a ready controller Pod's HTTP port, the same
 *   request (externalForward.ts): what the controller does with it, seen from a machine that
 *   cannot reach the address (a firewall, a private network);
 * - for a request a Gateway serves: from the Gateway's Pods to each backend Pod (exec), and from
 *   outside, the request with its Host header to the Gateway's address on the listener's port.
 * The probe hop shows what each probe saw beside what the static hops on its path expect, and
 * whether the two agree.
 */
import { diagnoseExternal, concludeExternal } from '../analysis/external/index.ts';
import { hostPortsOf } from '../analysis/hostPorts.ts';
import type {
  ExternalDiagnosis,
  ExternalHop,
  ExternalHopId,
  ExternalInput,
  ExternalRequest,
  GatewayApiState,
  HopDraft,
} from '../analysis/external/index.ts';
import type { DiagnosisPod } from '../analysis/diagnosis/index.ts';
import type { Ingress, IngressClass } from '../analysis/ingress.ts';
import type { Prober } from '../probe/prober.ts';
import type { ProbeResult } from '../probe/types.ts';
import type { ControllerForward } from './externalForward.ts';
import { outsideConnect, outsideHttp, withHostPorts } from './externalOutside.ts';
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
  /**
   * The request sent through a port-forward to a controller Pod (`forwardThroughPod`); without
   * one, no forwarded probe runs.
   */
  readonly forward?: ControllerForward;
  /** Per-probe timeout; default 2 s (a dropped connection is evident by then). */
  readonly timeoutMs?: number;
  /** Asks for namespaces to be watched (the session's `setAdditionalNamespaces`). */
  readonly watchNamespaces?: (names: readonly string[]) => void;
  /** How long to wait for newly watched namespaces to sync; default 5 s. */
  readonly syncTimeoutMs?: number;
  /** Namespaces watched for a URL or a node port at most (their Ingresses or Services could be anywhere); default 50. */
  readonly maxNamespaces?: number;
  /**
   * Reads the Gateway API objects (gatewayRead.ts's `readGatewayApi` with the session's
   * kubeconfig) given the cache's Services and Namespaces; without one, Gateways are not looked at.
   */
  readonly gatewayApi?: (cached: Pick<ExternalInput, 'services' | 'namespaces'>) => Promise<GatewayApiState>;
}

export interface ExternalProbe {
  /**
   * `backend`: controller Pod → backend Pod; `node`: outside → node:nodePort; `address`: outside →
   * load balancer; `ingress`: outside HTTP with Host header to the Ingress's address; `forwarded`:
   * the same request through a port-forward to a controller Pod; `podNode`: a Pod → node:nodePort
   * (exec), which kube-proxy serves as Cluster whatever externalTrafficPolicy says; `gateway`:
   * outside HTTP with Host header to a Gateway's address on the listener's port.
   */
  readonly role: 'backend' | 'node' | 'address' | 'ingress' | 'forwarded' | 'podNode' | 'gateway';
  readonly label: string;
  /** The static answer's expectation, where it has one. */
  readonly expected?: 'answers' | 'drops';
  readonly reached: boolean;
  readonly message: string;
  readonly httpStatus?: number;
  /** The Pod probe's full result (exec), for `backend` probes. */
  readonly result?: ProbeResult;
  /** For `node` and `podNode` probes. */
  readonly node?: string;
  /** For `forwarded` probes: the forward itself failed, so the probe says nothing of the route. */
  readonly forwardFailed?: boolean;
  /**
   * What the static hops on the probe's path expect: `answers`, `drops` (a node under
   * externalTrafficPolicy Local), `fails at <hop>`; set in the report, shown beside the outcome.
   */
  readonly staticAnswer?: string;
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
  gatewayApi?: GatewayApiState,
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
    ...(gatewayApi === undefined ? {} : { gatewayApi }),
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
  // A route's backends may be in any namespace (ReferenceGrants), as a URL's Ingress may.
  if (
    request.kind === 'url' ||
    request.kind === 'nodePort' ||
    request.kind === 'httpRoute' ||
    request.kind === 'grpcRoute'
  ) {
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
    gatewayApi?: GatewayApiState,
  ): { diagnosis: ExternalDiagnosis; input: ExternalInput; staticMs: number } {
    const started = performance.now();
    const input = externalSnapshot(this.cache, request, clientIp, gatewayApi);
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
    const gatewayApi =
      this.options.gatewayApi === undefined
        ? undefined
        : await this.options.gatewayApi(externalSnapshot(this.cache, request, options.clientIp));
    const { diagnosis, input, staticMs } = this.diagnoseStatic(request, options.clientIp, gatewayApi);
    const probeStarted = performance.now();
    const probes = (
      options.probe === false ? [] : await this.runProbes(diagnosis, input, options.signal)
    ).map((probe) => ({ ...probe, staticAnswer: expectationOf(diagnosis, probe).text }));
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
    // Probes from this machine go where a sandbox says it serves a privileged port (its annotations).
    const { connect, http } = withHostPorts(
      hostPortsOf([
        ...input.services,
        ...(input.gatewayApi?.state === 'served' ? input.gatewayApi.world.gateways : []),
      ]),
      this.options.connect ?? outsideConnect,
      this.options.http ?? outsideHttp,
    );
    const { plan } = diagnosis;
    if (plan.notProbed !== undefined) {
      return [];
    }
    const tasks: Promise<ExternalProbe>[] = [];
    const controller = plan.controllerPods[0];
    const prober = this.options.prober;
    if (
      controller !== undefined &&
      prober !== undefined &&
      (diagnosis.ingress !== undefined || diagnosis.gateway !== undefined)
    ) {
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
    const source = plan.nodePortSource;
    if (source !== undefined && prober !== undefined) {
      for (const node of plan.nodePorts) {
        if (node.address === undefined) {
          continue;
        }
        const label = `${source.namespace}/${source.name} → ${node.node} ${node.address}:${node.port}`;
        tasks.push(
          prober
            .probe(
              { namespace: source.namespace, pod: source.name },
              {
                kind: 'address',
                host: node.address,
                port: node.port,
                protocol: speaksHttp(node.port) ? 'http' : 'tcp',
                label,
              },
              { timeoutMs, ...(signal === undefined ? {} : { signal }) },
            )
            .then((result): ExternalProbe => ({
              role: 'podNode',
              label,
              node: node.node,
              reached: result.reachable,
              message: result.message,
              ...(result.httpStatus === undefined ? {} : { httpStatus: result.httpStatus }),
              result,
            })),
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
    const forward = this.options.forward;
    if (forward !== undefined && plan.http !== undefined && plan.controllerHttp !== undefined) {
      const target = plan.controllerHttp;
      const label = `http://${plan.http.host ?? '<no host>'}${plan.http.path} through a port-forward to ${target.namespace}/${target.name}:${target.port}`;
      tasks.push(
        forward(
          {
            ...target,
            ...(plan.http.host === undefined ? {} : { host: plan.http.host }),
            path: plan.http.path,
          },
          { timeoutMs: timeoutMs + 2000, ...(signal === undefined ? {} : { signal }) },
        ).then((outcome): ExternalProbe => ({
          role: 'forwarded',
          label,
          reached: outcome.reached,
          message: outcome.message,
          ...(outcome.status === undefined ? {} : { httpStatus: outcome.status }),
          ...(outcome.forwardFailed === true ? { forwardFailed: true } : {}),
        })),
      );
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
    const gateway = plan.gatewayHttp;
    if (diagnosis.gateway !== undefined && gateway !== undefined && plan.http !== undefined) {
      const label = `http://${gateway.address}:${gateway.port}${plan.http.path} (Host: ${plan.http.host ?? '-'})`;
      tasks.push(
        http(gateway.address, gateway.port, plan.http.host, plan.http.path, {
          timeoutMs: timeoutMs + 2000,
          ...(signal === undefined ? {} : { signal }),
        }).then((outcome): ExternalProbe => ({
          role: 'gateway',
          label,
          reached: outcome.reached,
          message: outcome.message,
          ...(outcome.status === undefined ? {} : { httpStatus: outcome.status }),
        })),
      );
    }
    return Promise.all(tasks);
  }
}

/**
 * The static hops each probe's traffic passes (node probes carry their own expectation): the
 * static answer expects a probe to be answered when none of them failed.
 */
const PROBE_PATHS: Readonly<Record<Exclude<ExternalProbe['role'], 'node'>, readonly ExternalHopId[]>> = {
  backend: ['policy'],
  podNode: ['route', 'service', 'selector', 'endpoints', 'port', 'policy'],
  ingress: ['route', 'class', 'address', 'service', 'selector', 'endpoints', 'port', 'policy'],
  forwarded: ['route', 'class', 'service', 'selector', 'endpoints', 'port', 'policy'],
  address: ['route', 'address', 'nodePort', 'service', 'selector', 'endpoints', 'port', 'policy'],
  gateway: [
    'listener',
    'attachment',
    'rule',
    'backendRefs',
    'address',
    'service',
    'selector',
    'endpoints',
    'port',
    'policy',
  ],
};

/** What the static hops expect of a probe: answered, or stopped at a named hop. */
function expectationOf(
  diagnosis: ExternalDiagnosis,
  probe: ExternalProbe,
): { readonly answers: boolean; readonly text: string } {
  if (probe.role === 'node') {
    return { answers: probe.expected !== 'drops', text: probe.expected === 'drops' ? 'drops' : 'answers' };
  }
  // Through a Gateway's Pod the request passes the Gateway hops, not the address.
  const path =
    probe.role === 'forwarded' && diagnosis.gateway !== undefined
      ? PROBE_PATHS.gateway.filter((hop) => hop !== 'address')
      : PROBE_PATHS[probe.role];
  const failed = diagnosis.hops.find((hop) => hop.status === 'failed' && path.includes(hop.id));
  return failed === undefined
    ? { answers: true, text: 'answers' }
    : { answers: false, text: `fails at ${failed.title}` };
}

/** Whether a probe was answered: an HTTP request by a status other than 404 and 5xx. */
function answered(probe: ExternalProbe): boolean {
  if (probe.role === 'ingress' || probe.role === 'forwarded' || probe.role === 'gateway') {
    return probe.httpStatus !== undefined && probe.httpStatus < 500 && probe.httpStatus !== 404;
  }
  return probe.reached && (probe.httpStatus === undefined || probe.httpStatus < 500);
}

function outcomeText(probe: ExternalProbe): string {
  if (probe.forwardFailed === true) {
    return 'the port-forward failed';
  }
  return probe.reached
    ? probe.httpStatus === undefined
      ? 'answered'
      : `answered ${probe.httpStatus}`
    : 'no answer';
}

/**
 * The probe hop: what each probe saw beside what the static hops on its path expect, and whether
 * the two agree. A request forwarded to the controller that got an answer while the Ingress's
 * address did not is read as the address being unreachable from this machine, not as a failure.
 */
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
  if (diagnosis.plan.notProbed !== undefined) {
    return { status: 'skipped', summary: `Not probed: ${diagnosis.plan.notProbed}.`, evidence: [] };
  }
  if (probes.length === 0) {
    return {
      status: 'skipped',
      summary: 'Nothing to probe: no controller Pod and backend, no node port, no address.',
      evidence: [],
    };
  }
  const evidence = probes.map((probe) => {
    const expectation = expectationOf(diagnosis, probe);
    return `${probe.label}: ${outcomeText(probe)}; static answer: ${expectation.text}. ${probe.message}`;
  });
  const inconclusive = probes.filter(
    (probe) =>
      probe.forwardFailed === true ||
      (probe.result !== undefined &&
        ['exec-failed', 'no-tool', 'cancelled', 'error'].includes(probe.result.verdict)),
  );
  const staticFailed = diagnosis.hops.find((hop) => hop.status === 'failed' && hop.id !== 'probe');
  const backend = probes.filter((probe) => probe.role === 'backend' && !inconclusive.includes(probe));
  const podNodes = probes.filter((probe) => probe.role === 'podNode' && !inconclusive.includes(probe));
  // The node port answered a Pod but no node answered this machine: this machine cannot reach the
  // nodes (a firewall, a private network); the Pod's probes say what the node port does.
  const nodesUnreachableHere =
    podNodes.some((probe) => probe.reached) &&
    probes.some((probe) => probe.role === 'node') &&
    probes.every((probe) => probe.role !== 'node' || !probe.reached);
  const outsideNodes = probes.filter((probe) => probe.role === 'node');
  const nodes = nodesUnreachableHere ? [] : outsideNodes;
  const forwarded = probes.find((probe) => probe.role === 'forwarded' && !inconclusive.includes(probe));
  const viaGateway = diagnosis.gateway !== undefined;
  const podWords = viaGateway ? "the Gateway's Pod" : "the controller's Pod";
  const addressWords = viaGateway ? 'Gateway address' : 'Ingress address';
  const direct = probes.find((probe) => probe.role === (viaGateway ? 'gateway' : 'ingress'));
  // The controller answered through the forward but not at its address: this machine cannot reach
  // the address; what the controller does with the request is the forward's answer.
  const addressUnreachableHere =
    direct !== undefined && direct.httpStatus === undefined && forwarded?.httpStatus !== undefined;
  const ingress = addressUnreachableHere || viaGateway ? undefined : direct;
  const address = probes.find((probe) => probe.role === 'address');
  const gateway = addressUnreachableHere ? undefined : probes.find((probe) => probe.role === 'gateway');
  const request = diagnosis.request;
  const askedNode =
    request.kind === 'nodePort'
      ? nodes.find(
          (probe) => probe.node === request.node || probe.label.endsWith(` ${request.node}:${request.port}`),
        )
      : undefined;
  const counted = [
    ...backend,
    ...nodes,
    ...podNodes,
    ...[forwarded, ingress, address, gateway].filter((p) => p !== undefined),
  ];
  const surprises = counted.filter((probe) => expectationOf(diagnosis, probe).answers !== answered(probe));
  const facts: string[] = [];
  if (backend.length > 0) {
    const reached = backend.filter((probe) => probe.reached);
    facts.push(
      reached.length > 0
        ? `${podWords} reached ${reached.length} of ${backend.length} backend Pods`
        : `${podWords} reached none of the backend Pods (${backend.map((probe) => probe.result?.verdict ?? 'no answer').join(', ')})`,
    );
  }
  if (outsideNodes.length > 0) {
    const answering = outsideNodes.filter((probe) => probe.reached).map((probe) => probe.node ?? probe.label);
    facts.push(
      answering.length > 0
        ? `the node port answered on ${answering.join(', ')}`
        : `the node port answered on no node${nodesUnreachableHere ? ' from this machine' : ''}`,
    );
  }
  if (podNodes.length > 0) {
    const answering = podNodes.filter((probe) => probe.reached).map((probe) => probe.node ?? probe.label);
    const from = podNodes[0]!.label.split(' → ')[0];
    facts.push(
      answering.length > 0
        ? `from Pod ${from}, the node port answered on ${answering.length} of ${podNodes.length} nodes (${answering.join(', ')})`
        : `from Pod ${from}, the node port answered on no node`,
    );
  }
  if (forwarded !== undefined) {
    facts.push(
      forwarded.httpStatus === undefined
        ? `through a port-forward to ${podWords}, the request got no answer`
        : `through a port-forward to ${podWords}, the request answered ${forwarded.httpStatus}`,
    );
  }
  if (direct !== undefined) {
    facts.push(
      direct.httpStatus === undefined
        ? `the ${addressWords} did not answer${addressUnreachableHere ? ' from this machine' : ''}`
        : `the ${addressWords} answered ${direct.httpStatus}`,
    );
  }
  if (address !== undefined) {
    facts.push(
      address.reached ? 'the load balancer address answered' : 'the load balancer address did not answer',
    );
  }
  const unforwarded = probes.find((probe) => probe.role === 'forwarded' && probe.forwardFailed === true);
  if (unforwarded !== undefined) {
    facts.push(`the port-forward to ${podWords} failed, so it says nothing of the route`);
  }
  const failing =
    (backend.length > 0 && backend.every((probe) => !probe.reached)) ||
    (forwarded !== undefined && !answered(forwarded)) ||
    (ingress !== undefined && !answered(ingress)) ||
    (address !== undefined && !address.reached) ||
    (gateway !== undefined && !answered(gateway)) ||
    (nodes.length > 0 && nodes.every((probe) => !probe.reached)) ||
    (podNodes.length > 0 && podNodes.every((probe) => !probe.reached)) ||
    (askedNode !== undefined && !askedNode.reached);
  const summary = `${facts.join('; ')}.`.replace(/^./, (c) => c.toUpperCase());
  const gotThrough = surprises.filter((probe) => answered(probe));
  const agreement =
    surprises.length === 0
      ? staticFailed === undefined
        ? 'This agrees with the static hops.'
        : failing
          ? `This agrees with the static answer (${staticFailed.title}).`
          : `The probes do not pass the ${staticFailed.title} hop, where the static answer fails; what they pass agrees with it.`
      : staticFailed === undefined
        ? 'The static hops found nothing wrong: something the cluster state does not show is in the way (a process not listening, a firewall, the network plugin).'
        : gotThrough.length > 0
          ? `The static hops expected a failure at ${staticFailed.title}, but the probes got through: the network plugin may not enforce what the objects say.`
          : `The static hops expected a failure at ${staticFailed.title}, and the probes failed where the static hops on their path pass: something the cluster state does not show is in the way.`;
  const unreachableNote = `${
    addressUnreachableHere
      ? ` The ${addressWords} did not answer from this machine while ${viaGateway ? 'the Gateway' : 'the controller'} did through the port-forward: something between this machine and the address (a firewall, a private network, a VPN) is in the way, which the cluster state does not show.`
      : ''
  }${
    nodesUnreachableHere
      ? " No node answered this machine on the node port while nodes answered a Pod: something between this machine and the nodes (a firewall, a private network, a cloud's security group) is in the way, which the cluster state does not show; externalTrafficPolicy Local's drops cannot be checked from here."
      : ''
  }`;
  if (counted.length === 0) {
    return { status: 'unknown', summary: `${summary} The probes could not run.`, evidence };
  }
  return {
    status: failing ? 'failed' : 'passed',
    summary: `${summary} ${agreement}${unreachableNote}`,
    evidence: [
      ...evidence,
      ...surprises.map(
        (probe) =>
          `${probe.role === 'node' ? (probe.node ?? probe.label) : probe.label}: the static answer said it ${expectationOf(diagnosis, probe).text}, the probe saw otherwise.`,
      ),
    ],
  };
}
