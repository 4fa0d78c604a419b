/**
 * The words and icons of the cluster explorer tree: for each kind of node, its label, description,
 * Markdown tooltip, icon (a codicon id and a theme color id) and `contextValue`.
 *
 * Pure: no `vscode`, no network, no I/O, no clock (every function that shows an age takes `now`).
 * The tree view turns these plain records into `TreeItem`s, `ThemeIcon`s and `MarkdownString`s.
 *
 * Inputs are typed structurally, so that both client-node 2.x model objects (`V1Pod`, `V1Service`,
 * `V1EndpointSlice`, whose timestamps are `Date`s) and plain API JSON (timestamps as RFC 3339
 * strings) fit. Pod status columns come from `printPod`, so a Pod reads exactly as in `kubectl get`.
 *
 * Markdown: user data reaches a tooltip either inside a code span (`markdownCode`: names, images,
 * labels, addresses) or escaped (`escapeMarkdown`: reasons, messages), never raw. Descriptions and
 * labels are plain text (VS Code shows them as is).
 *
 * `contextValue`s, for `when` clauses in `package.json` menus (match with `=~`, not `==`, where a
 * state is appended):
 *
 * | Node           | contextValue                                          | Menus match             |
 * |----------------|-------------------------------------------------------|-------------------------|
 * | context        | `context`, `context.current`                          | `viewItem =~ /^context/`   |
 * | namespace      | `namespace`, `namespace.watched`                      | `viewItem =~ /^namespace/` |
 * | Pod            | `pod.` + `ready` `notReady` `pending` `succeeded` `failed` `waiting` `terminating` | `viewItem =~ /^pod\./` |
 * | container      | `container.` + `running` `waiting` `terminated` `unknown` | `viewItem =~ /^container\./` |
 * | container port | `containerPort`                                       | `viewItem == containerPort` |
 * | Service        | `service`, `service.nodePort`, `service.loadBalancer` (by type) | `viewItem =~ /^service/` |
 * | Service port   | `servicePort`                                         | `viewItem == servicePort` |
 * | endpoint       | `endpoint`                                            | `viewItem == endpoint`  |
 * | Ingress        | `ingress` (`ingressFormat.ts`)                        | `viewItem == ingress`   |
 * | Ingress route  | `ingressRule` (a rule's path or the default backend)  | `viewItem == ingressRule` |
 * | Node           | `node` (`nodeFormat.ts`)                              | `viewItem == node`      |
 * | groups         | `group.pods`, `group.services`, `group.ingresses`, `group.nodes` | `viewItem == group.pods` |
 *
 * E.g. port-forward to Pods that serve: `viewItem =~ /^pod\.(ready|notReady)$/`; logs of any Pod:
 * `viewItem =~ /^pod\./`.
 */
import { humanDuration } from '../analysis/duration.ts';
import type { Container, Pod, Protocol, ServicePort } from '../analysis/k8s.ts';
import { hostPortSentencesOf } from '../analysis/hostPorts.ts';
import { matchesServiceSelector } from '../analysis/labels.ts';
import { escapeMarkdown, markdownCode } from '../analysis/markdown.ts';
import { podHealth, printPod } from '../analysis/podStatus.ts';
import type {
  Clock,
  ContainerStateLike,
  ContainerStatusLike,
  PodHealth,
  PodHealthState,
  PodLike,
} from '../analysis/podStatus.ts';
import { resolveTargetPort } from '../analysis/ports.ts';
import { redact } from '../logging/redact.ts';
import { countOrWord, unknownWord } from './access.ts';
import type { Knowledge } from './access.ts';

/** Moved to `src/analysis/markdown.ts` (the language server's hovers use them too). */
export { escapeMarkdown, markdownCode };

export type { Clock, PodHealth, PodHealthState };

// ---------------------------------------------------------------------------------------------
// Results

/** A codicon (`ThemeIcon` id, e.g. `pass-filled`) and, optionally, a theme color id to tint it. */
export interface IconChoice {
  readonly id: string;
  readonly color?: string;
}

export interface Presentation {
  readonly label: string;
  /** Plain text, shown dimmed after the label. */
  readonly description: string;
  /** Markdown; user data in it is escaped or in code spans. */
  readonly tooltip: string;
  readonly icon: IconChoice;
  readonly contextValue: string;
}

export interface PodPresentation extends Presentation {
  /** The health the icon and `contextValue` were chosen from, for sorting or filtering. */
  readonly health: PodHealth;
}

export interface ServicePresentation extends Presentation {
  /** One plain sentence per problem; empty when the Service looks healthy or has no selector. */
  readonly warnings: readonly string[];
}

// ---------------------------------------------------------------------------------------------
// Inputs: structural supertypes of client-node's models and of plain API JSON

/** A timestamp as client-node gives it (`Date`) or as the API sends it (RFC 3339). */
export type Time = Date | string | null | undefined;

export type Labels = Readonly<Record<string, string>>;

export interface ContainerPortInput {
  readonly name?: string;
  readonly containerPort: number;
  readonly protocol?: string;
  readonly hostPort?: number;
  readonly hostIP?: string;
}

export interface ContainerInput {
  readonly name: string;
  readonly image?: string;
  readonly ports?: readonly ContainerPortInput[];
  readonly restartPolicy?: string;
}

export interface ContainerStateInput {
  readonly waiting?: { readonly reason?: string; readonly message?: string } | null;
  readonly running?: { readonly startedAt?: Time } | null;
  readonly terminated?: {
    readonly exitCode?: number;
    readonly signal?: number;
    readonly reason?: string;
    readonly message?: string;
    readonly startedAt?: Time;
    readonly finishedAt?: Time;
  } | null;
}

export interface ContainerStatusInput {
  readonly name?: string;
  readonly image?: string;
  readonly ready?: boolean;
  readonly started?: boolean | null;
  readonly restartCount?: number;
  readonly state?: ContainerStateInput;
  readonly lastState?: ContainerStateInput;
}

export interface PodConditionInput {
  readonly type: string;
  readonly status: string;
  readonly reason?: string;
  readonly message?: string;
}

export interface PodInput {
  readonly metadata?: {
    readonly name?: string;
    readonly namespace?: string;
    readonly labels?: Labels;
    readonly ownerReferences?: readonly {
      readonly kind: string;
      readonly name: string;
      readonly controller?: boolean;
    }[];
    readonly creationTimestamp?: Time;
    readonly deletionTimestamp?: Time;
  };
  readonly spec?: {
    readonly containers?: readonly ContainerInput[];
    readonly initContainers?: readonly ContainerInput[];
    readonly nodeName?: string;
    readonly readinessGates?: readonly { readonly conditionType: string }[];
  };
  readonly status?: {
    readonly phase?: string;
    readonly reason?: string;
    readonly message?: string;
    readonly conditions?: readonly PodConditionInput[];
    readonly initContainerStatuses?: readonly ContainerStatusInput[];
    readonly containerStatuses?: readonly ContainerStatusInput[];
    readonly podIP?: string;
    readonly podIPs?: readonly { readonly ip: string }[];
    readonly nominatedNodeName?: string;
  };
}

export interface ServicePortInput {
  readonly name?: string;
  readonly protocol?: string;
  readonly port: number;
  /** A number, or the name of a container port; absent, 0 or "" means `port`. */
  readonly targetPort?: number | string;
  readonly nodePort?: number;
  readonly appProtocol?: string;
}

export interface ServiceInput {
  readonly metadata?: {
    readonly name?: string;
    readonly namespace?: string;
    readonly annotations?: Readonly<Record<string, string>>;
  };
  readonly spec?: {
    readonly type?: string;
    readonly selector?: Labels;
    readonly clusterIP?: string;
    readonly clusterIPs?: readonly string[];
    readonly externalName?: string;
    readonly externalIPs?: readonly string[];
    readonly ports?: readonly ServicePortInput[];
    readonly externalTrafficPolicy?: string;
    readonly healthCheckNodePort?: number;
    readonly internalTrafficPolicy?: string;
    readonly sessionAffinity?: string;
    readonly sessionAffinityConfig?: { readonly clientIP?: { readonly timeoutSeconds?: number } };
  };
  readonly status?: {
    readonly loadBalancer?: {
      readonly ingress?: readonly { readonly ip?: string; readonly hostname?: string }[];
    };
  };
}

export interface EndpointPortInput {
  readonly name?: string;
  readonly port?: number;
  readonly protocol?: string;
  readonly appProtocol?: string;
}

export interface EndpointInput {
  readonly addresses: readonly string[];
  readonly conditions?: {
    readonly ready?: boolean;
    readonly serving?: boolean;
    readonly terminating?: boolean;
  };
  readonly hostname?: string;
  readonly nodeName?: string;
  readonly zone?: string;
  readonly targetRef?: { readonly kind?: string; readonly name?: string; readonly namespace?: string };
}

export interface EndpointSliceInput {
  readonly metadata?: { readonly name?: string };
  readonly addressType?: string;
  /** The API sends `null` for a slice without endpoints or ports. */
  readonly endpoints?: readonly EndpointInput[] | null;
  readonly ports?: readonly EndpointPortInput[] | null;
}

/** A kubeconfig context, as `src/cluster/kubeconfig.ts` lists them. */
export interface ContextInput {
  readonly name: string;
  readonly cluster?: string;
  readonly user?: string;
  readonly namespace?: string | undefined;
  readonly server?: string | undefined;
}

export interface NamespaceCounts {
  /** Pods in the namespace; undefined while unknown (not listed yet). */
  readonly pods?: number | undefined;
  readonly notReady?: number | undefined;
  readonly services?: number | undefined;
  /** Whether KubeReach watches the namespace (default true); counts are not shown when it does not. */
  readonly watched?: boolean | undefined;
  /**
   * What is known of a watched namespace's Pods and Services. Given, a count is shown only for what
   * is `known`; anything else is shown as itself ("no access", "loading…"), never as zero.
   */
  readonly access?: { readonly pods: Knowledge; readonly services: Knowledge } | undefined;
}

// ---------------------------------------------------------------------------------------------
// Markdown and small formatters

const SEPARATOR = ' · ';
const MESSAGE_LIMIT = 300;

/**
 * Messages from the cluster (termination messages can be 4 KiB, and quote anything a process
 * printed) cut to a tooltip's measure, credentials redacted.
 */
function truncate(text: string, limit = MESSAGE_LIMIT): string {
  const flat = redact(text).replace(/\s+/g, ' ').trim();
  return flat.length > limit ? `${flat.slice(0, limit - 1)}…` : flat;
}

function plural(count: number, singular: string, pluralForm = `${singular}s`): string {
  return `${count} ${count === 1 ? singular : pluralForm}`;
}

function millis(now: Clock): number {
  return typeof now === 'number' ? now : now.getTime();
}

/** Epoch milliseconds of a timestamp, or undefined when it is absent or unreadable. */
function timeMillis(time: Time): number | undefined {
  if (time == null || time === '') {
    return undefined;
  }
  const ms = time instanceof Date ? time.getTime() : Date.parse(time);
  return Number.isNaN(ms) ? undefined : ms;
}

/** RFC 3339 text, as the API and `printPod` read timestamps. An unreadable `Date` becomes "". */
function timeText(time: Time): string | null | undefined {
  if (time instanceof Date) {
    // Cached objects share one Date per timestamp (src/cluster/compact.ts) and are read-only:
    // its text is made once, not for every Pod of a group each time the group is drawn.
    let text = isoTexts.get(time);
    if (text === undefined) {
      const ms = time.getTime();
      text = Number.isNaN(ms) ? '' : new Date(ms).toISOString();
      isoTexts.set(time, text);
    }
    return text;
  }
  return time;
}

const isoTexts = new WeakMap<Date, string>();

/** `2025-03-01T11:58:00Z (2m ago)`; undefined when the time is absent or unreadable. */
export function formatTimestamp(time: Time, now: Clock): string | undefined {
  const ms = timeMillis(time);
  if (ms === undefined) {
    return undefined;
  }
  const iso = new Date(ms).toISOString().replace('.000Z', 'Z');
  return `${iso} (${humanDuration(millis(now) - ms)} ago)`;
}

/** `3 restarts`, `1 restart (2m ago)`; "" for none. */
function restartsText(count: number, lastRestart: number | undefined, now: Clock): string {
  if (count <= 0) {
    return '';
  }
  const ago = lastRestart === undefined ? '' : ` (${humanDuration(millis(now) - lastRestart)} ago)`;
  return `${plural(count, 'restart')}${ago}`;
}

function protocolOf(protocol: string | undefined): string {
  return protocol || 'TCP';
}

/** `8080/TCP`; the protocol defaults to TCP as the API server defaults it. */
export function formatPort(port: number | string, protocol?: string): string {
  return `${port}/${protocolOf(protocol)}`;
}

/** `8080/TCP (http)`, or `8080/TCP` for an unnamed port. */
export function formatContainerPort(port: ContainerPortInput): string {
  const base = formatPort(port.containerPort, port.protocol);
  return port.name ? `${base} (${port.name})` : base;
}

/** The targetPort as the API server defaults it: absent, 0 and "" mean `port`. */
export function effectiveTargetPort(port: ServicePortInput): number | string {
  return port.targetPort === undefined || port.targetPort === 0 || port.targetPort === ''
    ? port.port
    : port.targetPort;
}

/**
 * A Service port in a line: `80/TCP` when it targets the same port, `80→http/TCP` or `443→8443/TCP`
 * otherwise, with the node port after a colon (`80:30080→8080/TCP`) as kubectl's PORT(S) shows it.
 */
export function formatServicePort(port: ServicePortInput): string {
  const front = port.nodePort ? `${port.port}:${port.nodePort}` : String(port.port);
  const target = effectiveTargetPort(port);
  const arrow = target === port.port ? '' : `→${target}`;
  return formatPort(`${front}${arrow}`, port.protocol);
}

/** `port → targetPort/protocol`, always explicit, for tooltips: `80 → http/TCP`. */
function servicePortMapping(port: ServicePortInput): string {
  return `${port.port} → ${formatPort(effectiveTargetPort(port), port.protocol)}`;
}

/** `10.1.2.3:8080`, `[fd00::1]:8080`, or the bare address without a port. */
export function formatAddress(address: string, port?: number): string {
  if (port === undefined) {
    return address;
  }
  return address.includes(':') ? `[${address}]:${port}` : `${address}:${port}`;
}

function labelList(labels: Labels | undefined): string {
  const entries = Object.entries(labels ?? {}).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  if (entries.length === 0) {
    return 'none';
  }
  return entries.map(([key, value]) => markdownCode(`${key}=${value}`)).join(' ');
}

// ---------------------------------------------------------------------------------------------
// Bridges to the analysis code, which reads RFC 3339 strings and the API's protocol names

/** A Protocol as the analysis types spell it; an unknown one compares unequal to all, as upstream. */
function asProtocol(protocol: string | undefined): Protocol | undefined {
  return protocol as Protocol | undefined;
}

function toStateLike(state: ContainerStateInput | undefined): ContainerStateLike | undefined {
  if (state == null) {
    return undefined;
  }
  const { running, terminated } = state;
  return {
    waiting: state.waiting,
    running: running == null ? running : { startedAt: timeText(running.startedAt) },
    terminated:
      terminated == null
        ? terminated
        : {
            ...terminated,
            startedAt: timeText(terminated.startedAt),
            finishedAt: timeText(terminated.finishedAt),
          },
  };
}

function toStatusLike(status: ContainerStatusInput): ContainerStatusLike {
  return { ...status, state: toStateLike(status.state), lastState: toStateLike(status.lastState) };
}

/** The Pod as `printPod` and `podHealth` read it: timestamps as strings. */
function toPodLike(pod: PodInput): PodLike {
  const { metadata, spec, status } = pod;
  return {
    metadata: {
      name: metadata?.name,
      creationTimestamp: timeText(metadata?.creationTimestamp),
      deletionTimestamp: timeText(metadata?.deletionTimestamp),
    },
    spec,
    status:
      status === undefined
        ? undefined
        : {
            ...status,
            initContainerStatuses: status.initContainerStatuses?.map(toStatusLike),
            containerStatuses: status.containerStatuses?.map(toStatusLike),
          },
  };
}

function toAnalysisContainer(container: ContainerInput): Container {
  return {
    name: container.name,
    image: container.image,
    ports: container.ports?.map((port) => ({ ...port, protocol: asProtocol(port.protocol) })),
    restartPolicy: container.restartPolicy === 'Always' ? 'Always' : undefined,
  };
}

/** The Pod as the port resolution reads it. */
function toAnalysisPod(pod: PodInput): Pod {
  return {
    metadata: { name: pod.metadata?.name, namespace: pod.metadata?.namespace },
    spec: {
      containers: pod.spec?.containers?.map(toAnalysisContainer),
      initContainers: pod.spec?.initContainers?.map(toAnalysisContainer),
    },
  };
}

function toAnalysisServicePort(port: ServicePortInput): ServicePort {
  return { ...port, protocol: asProtocol(port.protocol) };
}

// ---------------------------------------------------------------------------------------------
// Pods

/**
 * The Pod icon by `podHealth` state:
 *
 * | State               | Example STATUS                          | Codicon                | Color                   |
 * |---------------------|-----------------------------------------|------------------------|-------------------------|
 * | `ready`             | Running, Ready condition true           | `pass-filled`          | `testing.iconPassed`    |
 * | `running-not-ready` | Running 0/1, NotReady                   | `warning`              | `list.warningForeground`|
 * | `pending`           | Pending, ContainerCreating, Init:0/1    | `clock`                | `charts.blue`           |
 * | `succeeded`         | Completed                               | `check`                | `disabledForeground`    |
 * | `failed`            | Error, Evicted, OOMKilled               | `error`                | `list.errorForeground`  |
 * | `waiting`           | CrashLoopBackOff, Init:CrashLoopBackOff | `debug-restart`        | `list.errorForeground`  |
 * | `waiting`           | ImagePullBackOff, ErrImagePull, Unknown | `flame`                | `list.errorForeground`  |
 * | `terminating`       | Terminating                             | `trash`                | `disabledForeground`    |
 */
export function podIcon(health: PodHealth): IconChoice {
  switch (health.state) {
    case 'ready':
      return { id: 'pass-filled', color: 'testing.iconPassed' };
    case 'running-not-ready':
      return { id: 'warning', color: 'list.warningForeground' };
    case 'pending':
      return { id: 'clock', color: 'charts.blue' };
    case 'succeeded':
      return { id: 'check', color: 'disabledForeground' };
    case 'failed':
      return { id: 'error', color: 'list.errorForeground' };
    case 'waiting':
      return health.reason.includes('CrashLoopBackOff')
        ? { id: 'debug-restart', color: 'list.errorForeground' }
        : { id: 'flame', color: 'list.errorForeground' };
    case 'terminating':
      return { id: 'trash', color: 'disabledForeground' };
  }
}

const POD_CONTEXT: Readonly<Record<PodHealthState, string>> = {
  ready: 'pod.ready',
  'running-not-ready': 'pod.notReady',
  pending: 'pod.pending',
  succeeded: 'pod.succeeded',
  failed: 'pod.failed',
  waiting: 'pod.waiting',
  terminating: 'pod.terminating',
};

/** A container's state in a few words: `running`, `CrashLoopBackOff`, `Error (exit code 1)`. */
function containerStateText(state: ContainerStateInput | undefined): string {
  if (state?.running) {
    return 'running';
  }
  if (state?.waiting) {
    return state.waiting.reason || 'waiting';
  }
  if (state?.terminated) {
    return `${state.terminated.reason || 'terminated'} (${exitText(state.terminated)})`;
  }
  return 'no status';
}

function exitText(terminated: { readonly exitCode?: number; readonly signal?: number }): string {
  const signal = terminated.signal ? `, signal ${terminated.signal}` : '';
  return `exit code ${terminated.exitCode ?? 0}${signal}`;
}

/** `Error, exit code 1, finished 2025-03-01T11:58:00Z (2m ago): message`, escaped for Markdown. */
function lastTerminatedMarkdown(state: ContainerStateInput | undefined, now: Clock): string | undefined {
  const terminated = state?.terminated;
  if (terminated == null) {
    return undefined;
  }
  const parts = [terminated.reason || 'terminated', exitText(terminated)];
  const finished = formatTimestamp(terminated.finishedAt, now);
  if (finished !== undefined) {
    parts.push(`finished ${finished}`);
  }
  const message = terminated.message ? `: ${truncate(terminated.message)}` : '';
  return escapeMarkdown(`${parts.join(', ')}${message}`);
}

function findContainer(
  pod: PodInput,
  name: string,
): { spec?: ContainerInput; status?: ContainerStatusInput; role: 'app' | 'init' | 'sidecar' } {
  const app = pod.spec?.containers?.find((c) => c.name === name);
  const appStatus = pod.status?.containerStatuses?.find((s) => s.name === name);
  if (app !== undefined || appStatus !== undefined) {
    return { spec: app, status: appStatus, role: 'app' };
  }
  const init = pod.spec?.initContainers?.find((c) => c.name === name);
  const initStatus = pod.status?.initContainerStatuses?.find((s) => s.name === name);
  return { spec: init, status: initStatus, role: init?.restartPolicy === 'Always' ? 'sidecar' : 'init' };
}

function containerLine(pod: PodInput, container: ContainerInput, now: Clock): string {
  const { status, role } = findContainer(pod, container.name);
  const head = [markdownCode(container.name)];
  if (role !== 'app') {
    head.push(role);
  }
  if (container.image) {
    head.push(markdownCode(container.image));
  }
  head.push(escapeMarkdown(containerStateText(status?.state)));
  if (status?.state?.running) {
    head.push(status.ready ? 'ready' : 'not ready');
  }
  const restarts = restartsText(
    status?.restartCount ?? 0,
    timeMillis(status?.lastState?.terminated?.finishedAt),
    now,
  );
  if (restarts) {
    head.push(restarts);
  }
  const lines = [`- ${head.join(SEPARATOR)}`];
  const waiting = status?.state?.waiting;
  if (waiting?.message) {
    lines.push(`  - ${escapeMarkdown(truncate(waiting.message))}`);
  }
  const ports = container.ports ?? [];
  if (ports.length > 0) {
    lines.push(`  - Ports: ${escapeMarkdown(ports.map(formatContainerPort).join(', '))}`);
  }
  if ((status?.restartCount ?? 0) > 0) {
    const last = lastTerminatedMarkdown(status?.lastState, now);
    if (last !== undefined) {
      lines.push(`  - Last terminated: ${last}`);
    }
  }
  return lines.join('\n');
}

function conditionText(condition: PodConditionInput): string {
  const why = [condition.reason, condition.message ? truncate(condition.message) : undefined]
    .filter((part) => part)
    .join(': ');
  return escapeMarkdown(`${condition.type}=${condition.status}${why ? ` (${why})` : ''}`);
}

/** The tree node of a Pod, without its tooltip (built on demand by `podTooltip`, as VS Code asks for it on hover). */
export function podPresentation(
  pod: PodInput,
  now: Clock,
  options: { tooltip?: boolean } = {},
): PodPresentation {
  const podLike = toPodLike(pod);
  const row = printPod(podLike, now);
  const health = podHealth(podLike);
  const restarts = restartsText(row.restartCount, row.lastRestart, now);
  const ip = row.ip === '<none>' ? undefined : row.ip;
  const node = row.node === '<none>' ? undefined : row.node;

  const description = [
    health.state === 'ready' ? undefined : health.reason,
    row.ready,
    restarts,
    ip,
    node,
  ].filter((part) => part);

  return {
    label: pod.metadata?.name ?? '',
    description: description.join(SEPARATOR),
    tooltip: options.tooltip === false ? '' : podTooltipFrom(pod, row, health, restarts, ip, node, now),
    icon: podIcon(health),
    contextValue: POD_CONTEXT[health.state],
    health,
  };
}

/** The Markdown tooltip of a Pod: status, addresses, owner, labels, containers, conditions. */
export function podTooltip(pod: PodInput, now: Clock): string {
  return podPresentation(pod, now).tooltip;
}

function podTooltipFrom(
  pod: PodInput,
  row: ReturnType<typeof printPod>,
  health: PodHealth,
  restarts: string | undefined,
  ip: string | undefined,
  node: string | undefined,
  now: Clock,
): string {
  const blocks: string[] = [];
  const name = pod.metadata?.name ?? '';
  const namespace = pod.metadata?.namespace;
  blocks.push(`**Pod** ${markdownCode(name)}${namespace ? ` in namespace ${markdownCode(namespace)}` : ''}`);
  blocks.push(
    `**Status:** ${[escapeMarkdown(health.reason), `${row.ready} ready`, restarts].filter((p) => p).join(SEPARATOR)}`,
  );
  if (pod.status?.message) {
    blocks.push(`**Message:** ${escapeMarkdown(truncate(pod.status.message))}`);
  }
  const ips = (pod.status?.podIPs ?? []).map((entry) => entry.ip).filter((entry) => entry);
  const where: string[] = [];
  if (ip !== undefined) {
    where.push(`**IP:** ${(ips.length > 0 ? ips : [ip]).map(markdownCode).join(', ')}`);
  }
  if (node !== undefined) {
    where.push(`**Node:** ${markdownCode(node)}`);
  }
  if (row.age !== '<unknown>') {
    where.push(`**Age:** ${row.age}`);
  }
  if (where.length > 0) {
    blocks.push(where.join(SEPARATOR));
  }
  const owners = pod.metadata?.ownerReferences ?? [];
  if (owners.length > 0) {
    blocks.push(
      `**Owner:** ${owners.map((owner) => `${escapeMarkdown(owner.kind)} ${markdownCode(owner.name)}`).join(', ')}`,
    );
  }
  blocks.push(`**Labels:** ${labelList(pod.metadata?.labels)}`);
  const initContainers = pod.spec?.initContainers ?? [];
  if (initContainers.length > 0) {
    blocks.push('**Init containers**', initContainers.map((c) => containerLine(pod, c, now)).join('\n'));
  }
  const containers = pod.spec?.containers ?? [];
  if (containers.length > 0) {
    blocks.push('**Containers**', containers.map((c) => containerLine(pod, c, now)).join('\n'));
  }
  const conditions = pod.status?.conditions ?? [];
  if (conditions.length > 0) {
    blocks.push('**Conditions**', conditions.map((c) => `- ${conditionText(c)}`).join('\n'));
  }
  return blocks.join('\n\n');
}

// ---------------------------------------------------------------------------------------------
// Containers and their ports

/**
 * The container icon by state:
 *
 * | State                                          | Codicon                | Color                    |
 * |------------------------------------------------|------------------------|--------------------------|
 * | running and ready                              | `pass-filled`          | `testing.iconPassed`     |
 * | running, not ready                             | `warning`              | `list.warningForeground` |
 * | waiting: ContainerCreating, PodInitializing, none | `clock`             | `charts.blue`            |
 * | waiting: CrashLoopBackOff                      | `debug-restart`        | `list.errorForeground`   |
 * | waiting: any other reason (ImagePullBackOff…)  | `flame`                | `list.errorForeground`   |
 * | terminated with exit code 0                    | `check`                | `disabledForeground`     |
 * | terminated otherwise                           | `error`                | `list.errorForeground`   |
 * | no status yet                                  | `circle-large-outline` | `disabledForeground`     |
 */
export function containerIcon(status: ContainerStatusInput | undefined): IconChoice {
  const state = status?.state;
  if (state?.running) {
    return status?.ready
      ? { id: 'pass-filled', color: 'testing.iconPassed' }
      : { id: 'warning', color: 'list.warningForeground' };
  }
  if (state?.waiting) {
    const reason = state.waiting.reason ?? '';
    if (reason === '' || reason === 'ContainerCreating' || reason === 'PodInitializing') {
      return { id: 'clock', color: 'charts.blue' };
    }
    return reason === 'CrashLoopBackOff'
      ? { id: 'debug-restart', color: 'list.errorForeground' }
      : { id: 'flame', color: 'list.errorForeground' };
  }
  if (state?.terminated) {
    return (state.terminated.exitCode ?? 0) === 0 && !state.terminated.signal
      ? { id: 'check', color: 'disabledForeground' }
      : { id: 'error', color: 'list.errorForeground' };
  }
  return { id: 'circle-large-outline', color: 'disabledForeground' };
}

function containerStateKind(state: ContainerStateInput | undefined): string {
  if (state?.running) {
    return 'running';
  }
  if (state?.waiting) {
    return 'waiting';
  }
  return state?.terminated ? 'terminated' : 'unknown';
}

/**
 * The tree node of one container of a Pod (app container, init container or sidecar). Description:
 * `running · ready · 3 restarts · nginx:1.27`, `CrashLoopBackOff · 5 restarts (2m ago) · app:v2`;
 * "ready"/"not ready" shows for running containers only, since no other state can be ready.
 */
export function containerPresentation(pod: PodInput, containerName: string, now: Clock): Presentation {
  const { spec, status, role } = findContainer(pod, containerName);
  const state = status?.state;
  const restarts = restartsText(
    status?.restartCount ?? 0,
    timeMillis(status?.lastState?.terminated?.finishedAt),
    now,
  );
  const image = spec?.image ?? status?.image;
  const description = [
    role === 'app' ? undefined : role,
    containerStateText(state),
    state?.running ? (status?.ready ? 'ready' : 'not ready') : undefined,
    restarts,
    image,
  ].filter((part) => part);

  const roleText =
    role === 'init' ? 'Init container' : role === 'sidecar' ? 'Sidecar container' : 'Container';
  const blocks = [
    `**${roleText}** ${markdownCode(containerName)} of Pod ${markdownCode(pod.metadata?.name ?? '')}`,
  ];
  if (image) {
    blocks.push(`**Image:** ${markdownCode(image)}`);
  }
  const stateParts = [escapeMarkdown(containerStateText(state))];
  if (state?.running) {
    stateParts.push(status?.ready ? 'ready' : 'not ready');
    const since = formatTimestamp(state.running.startedAt, now);
    if (since !== undefined) {
      stateParts.push(`started ${since}`);
    }
  }
  if (restarts) {
    stateParts.push(restarts);
  }
  blocks.push(`**State:** ${stateParts.join(SEPARATOR)}`);
  const message = state?.waiting?.message ?? state?.terminated?.message;
  if (message) {
    blocks.push(`**Message:** ${escapeMarkdown(truncate(message))}`);
  }
  if (state?.terminated) {
    const finished = formatTimestamp(state.terminated.finishedAt, now);
    if (finished !== undefined) {
      blocks.push(`**Finished:** ${finished}`);
    }
  }
  if ((status?.restartCount ?? 0) > 0) {
    const last = lastTerminatedMarkdown(status?.lastState, now);
    if (last !== undefined) {
      blocks.push(`**Last terminated:** ${last}`);
    }
  }
  const ports = spec?.ports ?? [];
  blocks.push(
    `**Ports:** ${ports.length > 0 ? escapeMarkdown(ports.map(formatContainerPort).join(', ')) : 'none declared'}`,
  );

  return {
    label: containerName,
    description: description.join(SEPARATOR),
    tooltip: blocks.join('\n\n'),
    icon: containerIcon(status),
    contextValue: `container.${containerStateKind(state)}`,
  };
}

/** The tree node of a declared container port: label `8080/TCP`, description its name. */
export function containerPortPresentation(port: ContainerPortInput): Presentation {
  const label = formatPort(port.containerPort, port.protocol);
  const blocks = [`**Container port** ${escapeMarkdown(label)}`];
  if (port.name) {
    blocks.push(`**Name:** ${markdownCode(port.name)}`);
  }
  if (port.hostPort) {
    const host = port.hostIP ? `${markdownCode(port.hostIP)} ` : '';
    blocks.push(`**Host port:** ${host}${port.hostPort}`);
  }
  return {
    label,
    description: [port.name, port.hostPort ? `host port ${port.hostPort}` : undefined]
      .filter((part) => part)
      .join(SEPARATOR),
    tooltip: blocks.join('\n\n'),
    icon: { id: 'plug' },
    contextValue: 'containerPort',
  };
}

// ---------------------------------------------------------------------------------------------
// Endpoints

export type EndpointState = 'ready' | 'notReady' | 'terminating';

/**
 * An EndpointSlice endpoint's condition: `terminating` when so marked; otherwise ready unless
 * `ready` is false (the API says an absent `ready` means true).
 */
export function endpointState(endpoint: EndpointInput): EndpointState {
  if (endpoint.conditions?.terminating === true) {
    return 'terminating';
  }
  return endpoint.conditions?.ready === false ? 'notReady' : 'ready';
}

const ENDPOINT_STATE_TEXT: Readonly<Record<EndpointState, string>> = {
  ready: 'ready',
  notReady: 'not ready',
  terminating: 'terminating',
};

/**
 * The slice ports an endpoint serves for `servicePort` (the slice port of the same name and
 * protocol: the EndpointSlice controller names slice ports after Service ports), or all of them.
 */
function endpointPorts(
  slicePorts: readonly EndpointPortInput[],
  servicePort: ServicePortInput | undefined,
): EndpointPortInput[] {
  if (servicePort === undefined) {
    return [...slicePorts];
  }
  return slicePorts.filter(
    (port) =>
      (port.name ?? '') === (servicePort.name ?? '') &&
      protocolOf(port.protocol) === protocolOf(servicePort.protocol),
  );
}

/**
 * The tree node of one endpoint of an EndpointSlice: label the Pod name (targetRef) or the address,
 * description `10.1.2.3:8080 · ready` (`not ready`, `terminating`; `terminating (serving)`).
 *
 * | State         | Codicon                | Color                    |
 * |---------------|------------------------|--------------------------|
 * | ready         | `circle-filled`        | `testing.iconPassed`     |
 * | not ready     | `circle-large-outline` | `list.warningForeground` |
 * | terminating   | `trash`                | `disabledForeground`     |
 */
export function endpointPresentation(
  endpoint: EndpointInput,
  slicePorts: readonly EndpointPortInput[] | null | undefined,
  servicePort?: ServicePortInput,
): Presentation {
  const address = endpoint.addresses[0] ?? '';
  const state = endpointState(endpoint);
  const ports = endpointPorts(slicePorts ?? [], servicePort).filter((port) => port.port !== undefined);
  const numbers = ports.map((port) => port.port);
  // One port: `10.1.2.3:8080`; several: `10.1.2.3:8080,8443`; none: the bare address.
  const where =
    numbers.length === 0
      ? address
      : `${formatAddress(address, numbers[0])}${numbers
          .slice(1)
          .map((n) => `,${n}`)
          .join('')}`;
  const stateText =
    state === 'terminating' && endpoint.conditions?.serving === true
      ? 'terminating (serving)'
      : ENDPOINT_STATE_TEXT[state];

  const icon: IconChoice =
    state === 'ready'
      ? { id: 'circle-filled', color: 'testing.iconPassed' }
      : state === 'notReady'
        ? { id: 'circle-large-outline', color: 'list.warningForeground' }
        : { id: 'trash', color: 'disabledForeground' };

  const target = endpoint.targetRef;
  const blocks = [`**Endpoint** ${endpoint.addresses.map(markdownCode).join(', ') || 'without address'}`];
  if (target?.name) {
    const ref = target.namespace ? `${target.namespace}/${target.name}` : target.name;
    blocks.push(`**${escapeMarkdown(target.kind || 'Target')}:** ${markdownCode(ref)}`);
  }
  blocks.push(`**State:** ${stateText}`);
  const conditions = endpoint.conditions ?? {};
  const flag = (value: boolean | undefined): string => (value === undefined ? 'unset' : String(value));
  blocks.push(
    `**Conditions:** ready=${flag(conditions.ready)}, serving=${flag(conditions.serving)}, terminating=${flag(conditions.terminating)}`,
  );
  if (ports.length > 0) {
    const portText = ports.map((port) => {
      const base = formatPort(port.port ?? '', port.protocol);
      return port.name ? `${base} (${port.name})` : base;
    });
    blocks.push(`**Ports:** ${escapeMarkdown(portText.join(', '))}`);
  }
  const placement: string[] = [];
  if (endpoint.nodeName) {
    placement.push(`**Node:** ${markdownCode(endpoint.nodeName)}`);
  }
  if (endpoint.zone) {
    placement.push(`**Zone:** ${markdownCode(endpoint.zone)}`);
  }
  if (endpoint.hostname) {
    placement.push(`**Hostname:** ${markdownCode(endpoint.hostname)}`);
  }
  if (placement.length > 0) {
    blocks.push(placement.join(SEPARATOR));
  }

  return {
    label: target?.name || address || '(no address)',
    description: `${where}${SEPARATOR}${stateText}`,
    tooltip: blocks.join('\n\n'),
    icon,
    contextValue: 'endpoint',
  };
}

// ---------------------------------------------------------------------------------------------
// Services

export interface EndpointCounts {
  readonly ready: number;
  readonly notReady: number;
  readonly terminating: number;
}

/**
 * Endpoints across a Service's slices by state, each counted once though a dual-stack Service lists
 * it in an IPv4 and an IPv6 slice (the same targetRef; without one, the same addresses).
 */
export function countEndpoints(slices: readonly EndpointSliceInput[]): EndpointCounts {
  const seen = new Map<string, EndpointState>();
  for (const slice of slices) {
    for (const endpoint of slice.endpoints ?? []) {
      const target = endpoint.targetRef;
      const key = target?.name
        ? `ref:${target.kind ?? ''}/${target.namespace ?? ''}/${target.name}`
        : `ip:${endpoint.addresses.join(',')}`;
      if (!seen.has(key)) {
        seen.set(key, endpointState(endpoint));
      }
    }
  }
  const states = [...seen.values()];
  return {
    ready: states.filter((s) => s === 'ready').length,
    notReady: states.filter((s) => s === 'notReady').length,
    terminating: states.filter((s) => s === 'terminating').length,
  };
}

function hasSelector(service: ServiceInput): boolean {
  return Object.keys(service.spec?.selector ?? {}).length > 0;
}

/** The Pods among `pods` that the Service's selector picks (in its namespace, when both say). */
export function selectedPods<P extends PodInput>(service: ServiceInput, pods: readonly P[]): P[] {
  const namespace = service.metadata?.namespace;
  return pods.filter(
    (pod) =>
      (namespace === undefined ||
        pod.metadata?.namespace === undefined ||
        pod.metadata.namespace === namespace) &&
      matchesServiceSelector(service.spec?.selector, pod.metadata?.labels),
  );
}

function targetPortLabel(port: ServicePortInput, target: string): string {
  const protocol = protocolOf(port.protocol);
  return protocol === 'TCP' ? target : `${target}/${protocol}`;
}

/**
 * What is wrong with a Service, most fundamental first:
 * - "Selector matches no Pod": it has a selector and no Pod of `pods` matches it;
 * - "targetPort X is not declared by any selected Pod": a named targetPort resolves in none of the
 *   matching Pods (X gets `/UDP` or `/SCTP` appended for those protocols);
 * - "No ready endpoint": its EndpointSlices hold no ready endpoint.
 * None for a Service without selector (its endpoints are managed by hand) or an ExternalName one.
 */
export function serviceWarnings(
  service: ServiceInput,
  slices: readonly EndpointSliceInput[],
  pods: readonly PodInput[],
  access: ServiceAccess = ALL_KNOWN,
): string[] {
  if (!hasSelector(service) || service.spec?.type === 'ExternalName') {
    return [];
  }
  const warnings: string[] = [];
  const matching = selectedPods(service, pods);
  if (access.pods.state !== 'known') {
    // Nothing can be said of the selected Pods when they cannot be read.
  } else if (matching.length === 0) {
    warnings.push('Selector matches no Pod');
  } else {
    const analysisPods = matching.map(toAnalysisPod);
    for (const port of service.spec?.ports ?? []) {
      const target = effectiveTargetPort(port);
      if (typeof target !== 'string') {
        continue;
      }
      const servicePort = toAnalysisServicePort(port);
      if (!analysisPods.some((pod) => resolveTargetPort(servicePort, pod).ok)) {
        const warning = `targetPort ${targetPortLabel(port, target)} is not declared by any selected Pod`;
        if (!warnings.includes(warning)) {
          warnings.push(warning);
        }
      }
    }
  }
  if (access.endpointSlices.state === 'known' && countEndpoints(slices).ready === 0) {
    warnings.push('No ready endpoint');
  }
  return warnings;
}

/** What is known of the Pods and EndpointSlices a Service's presentation reads. */
export interface ServiceAccess {
  readonly pods: Knowledge;
  readonly endpointSlices: Knowledge;
}

const ALL_KNOWN: ServiceAccess = {
  pods: { state: 'known', stale: false },
  endpointSlices: { state: 'known', stale: false },
};

function clusterIPOf(service: ServiceInput): string | undefined {
  return service.spec?.clusterIP || service.spec?.clusterIPs?.[0] || undefined;
}

/** The external addresses kubectl's EXTERNAL-IP shows: load balancer ingress, then externalIPs. */
function externalAddresses(service: ServiceInput): string[] {
  const ingress = (service.status?.loadBalancer?.ingress ?? [])
    .map((entry) => entry.ip || entry.hostname || '')
    .filter((entry) => entry);
  return [...ingress, ...(service.spec?.externalIPs ?? [])];
}

/** `8080`, `8080, 9090` or "" for a named targetPort across the selected Pods. */
function resolvedTargets(port: ServicePortInput, pods: readonly Pod[]): string {
  const servicePort = toAnalysisServicePort(port);
  const numbers = new Set<number>();
  for (const pod of pods) {
    const resolution = resolveTargetPort(servicePort, pod);
    if (resolution.ok) {
      numbers.add(resolution.port);
    }
  }
  return [...numbers].sort((a, b) => a - b).join(', ');
}

/**
 * The tree node of a Service. Description: `ClusterIP · 10.96.0.12 · 80→http/TCP, 443→8443/TCP`;
 * a headless Service shows `None` as its IP, an ExternalName one its external name, a NodePort one
 * `80:30080→8080/TCP`, a LoadBalancer one its ingress addresses (or `<pending>`).
 * Icon: `warning` in `list.warningForeground` when there are warnings; otherwise `link-external`
 * for ExternalName and `broadcast` for the rest.
 */
export function servicePresentation(
  service: ServiceInput,
  slices: readonly EndpointSliceInput[],
  pods: readonly PodInput[],
  access: ServiceAccess = ALL_KNOWN,
): ServicePresentation {
  const name = service.metadata?.name ?? '';
  const namespace = service.metadata?.namespace;
  const type = service.spec?.type || 'ClusterIP';
  const ports = service.spec?.ports ?? [];
  const external = externalAddresses(service);
  const clusterIP = clusterIPOf(service);
  const externalName = type === 'ExternalName';
  const warnings = serviceWarnings(service, slices, pods, access);

  const description: string[] = [type];
  if (externalName) {
    description.push(service.spec?.externalName || '<none>');
  } else {
    if (clusterIP !== undefined) {
      description.push(clusterIP);
    }
    if (external.length > 0) {
      description.push(external.join(','));
    } else if (type === 'LoadBalancer') {
      description.push('<pending>');
    }
  }
  if (ports.length > 0) {
    description.push(ports.map(formatServicePort).join(', '));
  }

  const blocks = [
    `**Service** ${markdownCode(name)}${namespace ? ` in namespace ${markdownCode(namespace)}` : ''}`,
  ];
  const facts = [`**Type:** ${escapeMarkdown(type)}`];
  if (externalName) {
    facts.push(`**External name:** ${markdownCode(service.spec?.externalName ?? '') || 'none'}`);
  } else {
    const ips = service.spec?.clusterIPs?.length ? service.spec.clusterIPs : clusterIP ? [clusterIP] : [];
    if (clusterIP === 'None') {
      facts.push('**Cluster IP:** None (headless: DNS returns the Pod addresses)');
    } else if (ips.length > 0) {
      facts.push(`**Cluster IP:** ${ips.map(markdownCode).join(', ')}`);
    }
    if (external.length > 0) {
      facts.push(`**External:** ${external.map(markdownCode).join(', ')}`);
    } else if (type === 'LoadBalancer') {
      facts.push('**External:** pending (no load balancer has given this Service an address yet)');
    }
  }
  blocks.push(facts.join(SEPARATOR));
  const nodePorts = ports.filter((port) => port.nodePort);
  if (!externalName && nodePorts.length > 0) {
    const list = escapeMarkdown(
      nodePorts.map((port) => formatPort(port.nodePort!, port.protocol)).join(', '),
    );
    blocks.push(
      service.spec?.externalTrafficPolicy === 'Local'
        ? `**Node ports:** ${list} on the nodes that run a ready endpoint: ${localNodesText(slices, access.endpointSlices)}`
        : `**Node ports:** ${list} on every node's address`,
    );
  }

  const matching = selectedPods(service, pods);
  const analysisPods = matching.map(toAnalysisPod);
  if (ports.length > 0) {
    const lines = ports.map((port) => {
      const details: string[] = [];
      const target = effectiveTargetPort(port);
      if (typeof target === 'string' && hasSelector(service) && !externalName && matching.length > 0) {
        const resolved = resolvedTargets(port, analysisPods);
        details.push(resolved ? `resolves to ${resolved}` : 'not declared by any selected Pod');
      }
      if (port.nodePort) {
        details.push(`node port ${port.nodePort}`);
      }
      if (port.appProtocol) {
        details.push(`app protocol ${port.appProtocol}`);
      }
      const named = port.name ? `${markdownCode(port.name)}: ` : '';
      const extra = details.length > 0 ? ` (${details.join(', ')})` : '';
      return `- ${named}${escapeMarkdown(`${servicePortMapping(port)}${extra}`)}`;
    });
    blocks.push('**Ports**', lines.join('\n'));
  } else {
    blocks.push('**Ports:** none');
  }

  if (externalName) {
    blocks.push('**Endpoints:** none: an ExternalName Service is a DNS alias (CNAME), not a proxy to Pods');
  } else if (!hasSelector(service)) {
    blocks.push(
      '**Selector:** none: its endpoints are managed manually (EndpointSlices that someone else writes), ' +
        'so KubeReach does not check them against Pods',
    );
  } else {
    const matches =
      access.pods.state === 'known'
        ? `matches ${plural(matching.length, 'Pod')}`
        : `matching Pods: ${unknownWord(access.pods)}`;
    blocks.push(`**Selector:** ${labelList(service.spec?.selector)}${SEPARATOR}${matches}`);
  }
  if (!externalName && access.endpointSlices.state !== 'known') {
    blocks.push(`**Endpoints:** ${unknownWord(access.endpointSlices)}`);
  } else if (!externalName) {
    const counts = countEndpoints(slices);
    const total = counts.ready + counts.notReady + counts.terminating;
    const detail = [
      counts.ready > 0 ? `${counts.ready} ready` : undefined,
      counts.notReady > 0 ? `${counts.notReady} not ready` : undefined,
      counts.terminating > 0 ? `${counts.terminating} terminating` : undefined,
    ].filter((part) => part);
    blocks.push(
      `**Endpoints:** ${total === 0 ? 'none' : `${plural(total, 'endpoint')}: ${detail.join(', ')}`}`,
    );
  }
  blocks.push(...hostPortsBlock(service));
  const traffic = serviceTrafficSentences(service);
  if (traffic.length > 0) {
    blocks.push('**Traffic**', traffic.map((sentence) => `- ${sentence}`).join('\n'));
  }
  if (warnings.length > 0) {
    blocks.push('**Warnings**', warnings.map((warning) => `- ${escapeMarkdown(warning)}`).join('\n'));
  }

  const icon: IconChoice =
    warnings.length > 0
      ? { id: 'warning', color: 'list.warningForeground' }
      : { id: externalName ? 'link-external' : 'broadcast' };

  return {
    label: name,
    description: description.join(SEPARATOR),
    tooltip: blocks.join('\n\n'),
    icon,
    // NodePort and LoadBalancer Services are reachable from outside: menus can offer them more.
    contextValue:
      type === 'NodePort' ? 'service.nodePort' : type === 'LoadBalancer' ? 'service.loadBalancer' : 'service',
    warnings,
  };
}

/**
 * Where a sandbox run as an ordinary user serves the object's privileged ports on this machine
 * (its `sandbox.kubereach.dev/host-ports` annotation, issue 20): a tooltip block, none elsewhere.
 */
export function hostPortsBlock(object: Parameters<typeof hostPortSentencesOf>[0]): string[] {
  const lines = hostPortSentencesOf(object);
  return lines.length === 0
    ? []
    : [`**From this machine**\n\n${lines.map((line) => `- ${escapeMarkdown(line)}`).join('\n')}`];
}

/**
 * Under `externalTrafficPolicy: Local`, the nodes that answer on the node port: those a ready
 * endpoint runs on (as `src/analysis/nodePorts.ts`'s `endpointsForNode` selects per node).
 */
function localNodesText(slices: readonly EndpointSliceInput[], knowledge: Knowledge): string {
  if (knowledge.state !== 'known') {
    return `not known (endpoints: ${escapeMarkdown(unknownWord(knowledge))})`;
  }
  const nodes = new Set<string>();
  for (const slice of slices) {
    for (const endpoint of slice.endpoints ?? []) {
      if (endpointState(endpoint) === 'ready' && endpoint.nodeName) {
        nodes.add(endpoint.nodeName);
      }
    }
  }
  return nodes.size > 0
    ? [...nodes].sort().map(markdownCode).join(', ')
    : 'none (no ready endpoint: every node drops the traffic)';
}

/**
 * One plain sentence (Markdown) for each traffic setting of a Service that changes where its
 * traffic goes: `externalTrafficPolicy` whenever it is set (the API server sets it on NodePort and
 * LoadBalancer Services, where both values matter from outside), `internalTrafficPolicy` when it is
 * `Local` and `sessionAffinity` when it is `ClientIP` (their defaults, `Cluster` and `None`, are on
 * every Service and change nothing).
 */
export function serviceTrafficSentences(service: ServiceInput): string[] {
  const spec = service.spec;
  const type = spec?.type || 'ClusterIP';
  const sentences: string[] = [];
  const external = spec?.externalTrafficPolicy;
  if (external) {
    const setting = `${markdownCode(`externalTrafficPolicy: ${external}`)}:`;
    if (type !== 'NodePort' && type !== 'LoadBalancer') {
      sentences.push(
        `${setting} has no effect on a ${escapeMarkdown(type)} Service (it applies to node ports and load balancers).`,
      );
    } else if (external === 'Local') {
      sentences.push(
        `${setting} only nodes that run a ready endpoint answer on the node port and the load balancer; the others drop the traffic, and the client's source address is kept.`,
      );
      if (type === 'LoadBalancer' && spec?.healthCheckNodePort) {
        sentences.push(
          `${markdownCode(`healthCheckNodePort: ${spec.healthCheckNodePort}`)}: the load balancer asks each node on this port, which answers 200 only where a ready endpoint runs, and sends traffic to those nodes alone.`,
        );
      }
    } else if (external === 'Cluster') {
      sentences.push(
        `${setting} every node answers on the node port and forwards to any ready endpoint, possibly on another node; the client's source address is replaced by the node's.`,
      );
    } else {
      sentences.push(`${setting} not a policy Kubernetes knows (Cluster or Local).`);
    }
  }
  if (spec?.internalTrafficPolicy === 'Local') {
    sentences.push(
      `${markdownCode('internalTrafficPolicy: Local')}: traffic from a Pod goes only to endpoints on that Pod's own node, and is dropped on a node that has none.`,
    );
  }
  if (spec?.sessionAffinity === 'ClientIP') {
    const seconds = spec.sessionAffinityConfig?.clientIP?.timeoutSeconds ?? 10_800;
    sentences.push(
      `${markdownCode('sessionAffinity: ClientIP')}: connections from one client address go to the same endpoint until it has been idle for ${humanDuration(seconds * 1000)}.`,
    );
  }
  return sentences;
}

/** The tree node of one port of a Service: label `80→http/TCP`, description its name. */
export function servicePortPresentation(service: ServiceInput, port: ServicePortInput): Presentation {
  const blocks = [
    `**Service port** ${escapeMarkdown(servicePortMapping(port))} of ${markdownCode(service.metadata?.name ?? '')}`,
  ];
  if (port.name) {
    blocks.push(`**Name:** ${markdownCode(port.name)}`);
  }
  if (port.nodePort) {
    blocks.push(`**Node port:** ${port.nodePort}`);
  }
  if (port.appProtocol) {
    blocks.push(`**App protocol:** ${markdownCode(port.appProtocol)}`);
  }
  const target = effectiveTargetPort(port);
  if (typeof target === 'string') {
    blocks.push(`Traffic goes to the container port named ${markdownCode(target)} on each selected Pod.`);
  }
  return {
    label: formatServicePort(port),
    description: port.name ?? '',
    tooltip: blocks.join('\n\n'),
    icon: { id: 'plug' },
    contextValue: 'servicePort',
  };
}

// ---------------------------------------------------------------------------------------------
// Namespaces and contexts

/**
 * The tree node of a namespace: `12 pods · 1 not ready · 3 services` while watched (a count that is
 * undefined is left out, and so is "0 not ready"), no description otherwise. Icon
 * `symbol-namespace`, in `list.warningForeground` when a Pod is not ready.
 */
export function namespacePresentation(name: string, counts: NamespaceCounts): Presentation {
  const watched = counts.watched !== false;
  const access = watched ? counts.access : undefined;
  if (access && access.pods.state === 'forbidden' && access.services.state === 'forbidden') {
    return {
      label: name,
      description: 'no access',
      tooltip: [
        `**Namespace** ${markdownCode(name)}`,
        '**No access:** this identity may not list its Pods or Services (403).',
        escapeMarkdown(access.pods.reason),
      ].join('\n\n'),
      icon: { id: 'lock', color: 'list.warningForeground' },
      contextValue: 'namespace.watched',
    };
  }
  const podsKnown = access === undefined || access.pods.state === 'known';
  const notReady = podsKnown ? (counts.notReady ?? 0) : 0;
  const part = (count: number | undefined, knowledge: Knowledge | undefined, noun: string) =>
    knowledge !== undefined
      ? countOrWord(count ?? 0, knowledge, noun, `${noun}s`)
      : count === undefined
        ? undefined
        : plural(count, noun);
  const description = watched
    ? [
        part(counts.pods, access?.pods, 'pod'),
        notReady > 0 ? `${notReady} not ready` : undefined,
        part(counts.services, access?.services, 'service'),
      ].filter((text) => text)
    : [];
  const blocks = [`**Namespace** ${markdownCode(name)}`];
  if (watched) {
    const known = (count: number | undefined, knowledge: Knowledge | undefined): string =>
      knowledge !== undefined && knowledge.state !== 'known'
        ? unknownWord(knowledge)
        : count === undefined
          ? 'not known yet'
          : String(count);
    blocks.push(
      [
        `**Pods:** ${known(counts.pods, access?.pods)}`,
        `**Not ready:** ${known(counts.notReady, access?.pods)}`,
        `**Services:** ${known(counts.services, access?.services)}`,
      ].join(SEPARATOR),
    );
    for (const [noun, knowledge] of [
      ['Pods', access?.pods],
      ['Services', access?.services],
    ] as const) {
      if (knowledge && knowledge.state !== 'known' && knowledge.state !== 'loading') {
        blocks.push(`**${noun}:** ${unknownWord(knowledge)}: ${escapeMarkdown(knowledge.reason)}`);
      }
    }
  } else {
    blocks.push('Not watched: KubeReach has not loaded its Pods and Services.');
  }
  const unreadable =
    access !== undefined && [access.pods, access.services].some((k) => k.state === 'forbidden');
  return {
    label: name,
    description: description.join(SEPARATOR),
    tooltip: blocks.join('\n\n'),
    icon: unreadable
      ? { id: 'lock', color: 'list.warningForeground' }
      : watched && notReady > 0
        ? { id: 'symbol-namespace', color: 'list.warningForeground' }
        : { id: 'symbol-namespace' },
    contextValue: watched ? 'namespace.watched' : 'namespace',
  };
}

/**
 * The tree node of a kubeconfig context: description `current · cluster-name · ns team-a` (the
 * cluster when it differs from the context name, the namespace when the context sets one). Icon
 * `vm-active` in `testing.iconPassed` for the current context, `vm-outline` otherwise.
 */
export function contextPresentation(context: ContextInput, current: boolean): Presentation {
  const description = [
    current ? 'current' : undefined,
    context.cluster && context.cluster !== context.name ? context.cluster : undefined,
    context.namespace ? `ns ${context.namespace}` : undefined,
  ].filter((part) => part);
  const blocks = [`**Context** ${markdownCode(context.name)}${current ? ' (current)' : ''}`];
  const facts: string[] = [];
  if (context.cluster) {
    facts.push(`**Cluster:** ${markdownCode(context.cluster)}`);
  }
  if (context.server) {
    facts.push(`**Server:** ${markdownCode(redact(context.server))}`);
  }
  if (context.user) {
    facts.push(`**User:** ${markdownCode(context.user)}`);
  }
  facts.push(`**Namespace:** ${context.namespace ? markdownCode(context.namespace) : 'default (not set)'}`);
  blocks.push(facts.join('\n\n'));
  return {
    label: context.name,
    description: description.join(SEPARATOR),
    tooltip: blocks.join('\n\n'),
    icon: current ? { id: 'vm-active', color: 'testing.iconPassed' } : { id: 'vm-outline' },
    contextValue: current ? 'context.current' : 'context',
  };
}
