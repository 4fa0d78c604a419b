/**
 * Scenarios: what the sandbox starts with. A scenario is a multi-document YAML file of ordinary
 * Kubernetes manifests plus one `kind: Scenario` document (group sandbox.kubereach.dev) that says
 * what the manifests cannot: which tools each image has, how each container's listeners behave,
 * which Pods never become ready, and which identities exist. `scale` is generated instead.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { parseAllDocuments } from 'yaml';
import type { KubeObject } from './api/store.ts';
import type { Rule, User } from './cluster.ts';

export interface Toolset {
  readonly tools: readonly string[];
  readonly flavours: Readonly<Record<string, string>>;
}

export type ListenerMode =
  | 'http'
  | 'none'
  | 'slow'
  | 'http503'
  | 'tcp-echo'
  | 'udp-echo'
  /** The sandbox's Ingress controller: an HTTP reverse proxy routing by the Ingresses (dataplane/ingressProxy.ts). */
  | 'ingress-controller'
  /**
   * The sandbox's Gateway API controller on its own Pod's ports: every served Gateway's listeners
   * on that port, as one shared data plane (dataplane/gatewayProxy.ts `acceptPod`).
   */
  | 'gateway-controller';

/**
 * The image of the sandbox's Ingress controller: a container running it serves the controller's
 * reverse proxy on its ports (listener mode `ingress-controller`) unless the scenario says
 * otherwise, so a controller can be deployed with kubectl into any sandbox, as a real one is.
 */
export const INGRESS_CONTROLLER_IMAGE = 'sandbox.kubereach.dev/ingress-controller';

/** The image of the sandbox's Gateway API controller (controllers/gateways.ts); its ports serve listeners. */
export const GATEWAY_CONTROLLER_IMAGE = 'sandbox.kubereach.dev/gateway-controller';

export interface ListenerBehaviour {
  readonly mode: ListenerMode;
  /** For `slow`: how long the HTTP echo waits before answering. */
  readonly delayMs: number;
}

export interface PodBehaviour {
  readonly ready: boolean;
  readonly crashLoop: boolean;
}

export interface PodSelectorSpec {
  readonly namespace?: string;
  /** A name or a prefix ending in `*`. */
  readonly name?: string;
  readonly labels?: Readonly<Record<string, string>>;
}

export interface Timing {
  /** From scheduling to Running. */
  readonly podStartMs: number;
  /** From a controller-owned Pod's removal to its replacement's creation. */
  readonly replaceDelayMs: number;
  /** Graceful deletion takes min(gracePeriodSeconds, this); a real cluster waits the full period. */
  readonly terminationCapMs: number;
}

export interface ScenarioConfig {
  readonly name: string;
  readonly nodes: number;
  readonly users: readonly User[];
  /** The identity the written kubeconfig uses. */
  readonly currentUser: string;
  readonly timing: Timing;
  readonly manifests: readonly KubeObject[];
  /** Whether the scheduler and kubelet write Events (off for the generated `scale` scenario). */
  readonly recordEvents: boolean;
  /**
   * Whether a Pod's TCP ports listen only from the first connection the cluster itself makes to
   * them (from a Pod, through a Service, a port-forward) instead of from the Pod's start: on for
   * the generated `scale` scenario, where a socket per Pod would need 100,000 file descriptors. A
   * host process connecting straight to a Pod address before that is refused, as by a container
   * that has not started listening yet. See docs/sandbox.md.
   */
  readonly listenOnDemand: boolean;
  toolsetFor(image: string): Toolset;
  listenerFor(
    pod: KubeObject,
    container: string,
    port: { containerPort: number; name?: string },
  ): ListenerBehaviour;
  podBehaviour(pod: KubeObject): PodBehaviour;
}

interface ScenarioDocument {
  metadata?: { name?: string };
  nodes?: number;
  images?: Array<{ match: string; tools: string[]; flavours?: Record<string, string> }>;
  listeners?: Array<{
    pods: PodSelectorSpec;
    port?: number | string;
    container?: string;
    mode: ListenerMode;
    delayMs?: number;
  }>;
  pods?: Array<{ pods: PodSelectorSpec; ready?: boolean; crashLoop?: boolean }>;
  users?: Array<{ name: string; rules: 'all' | Rule[] }>;
  currentUser?: string;
  timing?: Partial<Timing>;
  recordEvents?: boolean;
  listenOnDemand?: boolean;
  /** Files of more manifests (relative to the scenario's folder), created before the scenario's own. */
  include?: string[];
}

const SCENARIO_DIR = resolve(import.meta.dirname, 'scenarios');
const DEFAULT_TIMING: Timing = { podStartMs: 150, replaceDelayMs: 400, terminationCapMs: 400 };
const DEFAULT_TOOLSET: Toolset = {
  tools: ['sh', 'curl', 'wget', 'nc', 'cat', 'getent', 'nslookup'],
  flavours: { nc: 'busybox', wget: 'busybox' },
};

export function scenarioNames(): string[] {
  return ['demo', 'minimal', 'scale'];
}

/** Loads a scenario by name (`demo`, `minimal`, `scale`) or path; `pods` and `namespaces` size `scale`. */
export function loadScenario(
  nameOrPath: string,
  options: { pods?: number; namespaces?: number } = {},
): ScenarioConfig {
  if (nameOrPath === 'scale') {
    return generateScaleScenario(options.pods ?? 1000, options.namespaces);
  }
  const path = existsSync(nameOrPath) ? nameOrPath : join(SCENARIO_DIR, `${nameOrPath}.yaml`);
  if (!existsSync(path)) {
    throw new Error(
      `no scenario named "${nameOrPath}" (known: ${scenarioNames().join(', ')}) and no such file`,
    );
  }
  return parseScenario(readFileSync(path, 'utf8'), nameOrPath, dirname(resolve(path)));
}

/** `baseDir` resolves the Scenario document's `include` files (default: the scenarios folder). */
export function parseScenario(text: string, fallbackName: string, baseDir = SCENARIO_DIR): ScenarioConfig {
  const manifests: KubeObject[] = [];
  let document: ScenarioDocument = {};
  for (const parsed of parseAllDocuments(text)) {
    if (parsed.errors.length > 0) {
      throw new Error(`scenario ${fallbackName}: ${parsed.errors[0]!.message}`);
    }
    const value = parsed.toJS() as (KubeObject & { kind?: string; apiVersion?: string }) | null;
    if (!value) {
      continue;
    }
    if (value.kind === 'Scenario' && String(value.apiVersion).startsWith('sandbox.kubereach.dev/')) {
      document = value as unknown as ScenarioDocument;
    } else {
      manifests.push(value);
    }
  }
  const included = (document.include ?? []).flatMap(
    (file) => parseScenario(readFileSync(resolve(baseDir, file), 'utf8'), file, baseDir).manifests,
  );
  return buildScenario(document, [...included, ...manifests], fallbackName);
}

function buildScenario(
  document: ScenarioDocument,
  manifests: KubeObject[],
  fallbackName: string,
): ScenarioConfig {
  const users: User[] = (document.users ?? [{ name: 'kubereach-admin', rules: 'all' as const }]).map(
    (user) => ({
      name: user.name,
      token: randomBytes(24).toString('base64url'),
      rules: user.rules,
    }),
  );
  const images = document.images ?? [];
  const listeners = document.listeners ?? [];
  const pods = document.pods ?? [];
  return {
    name: document.metadata?.name ?? fallbackName,
    nodes: document.nodes ?? 3,
    users,
    currentUser: document.currentUser ?? users[0]!.name,
    timing: { ...DEFAULT_TIMING, ...document.timing },
    manifests,
    recordEvents: document.recordEvents ?? true,
    listenOnDemand: document.listenOnDemand ?? false,
    toolsetFor(image) {
      const bare = bareImage(image);
      const entry = images.find((candidate) => globMatch(candidate.match, bare));
      return entry ? { tools: entry.tools, flavours: entry.flavours ?? {} } : DEFAULT_TOOLSET;
    },
    listenerFor(pod, container, port) {
      const entry = listeners.find(
        (candidate) =>
          selects(candidate.pods, pod) &&
          (candidate.container === undefined || candidate.container === container) &&
          (candidate.port === undefined ||
            candidate.port === port.containerPort ||
            candidate.port === port.name),
      );
      return { mode: entry?.mode ?? defaultListenerMode(pod, container), delayMs: entry?.delayMs ?? 2000 };
    },
    podBehaviour(pod) {
      const entry = pods.find((candidate) => selects(candidate.pods, pod));
      return { ready: entry?.ready ?? true, crashLoop: entry?.crashLoop ?? false };
    },
  };
}

/** An image reference without its tag or digest. */
function bareImage(image: string): string {
  return image.replace(/@.*$/, '').replace(/:[^/:]+$/, '');
}

function defaultListenerMode(pod: KubeObject, container: string): ListenerMode {
  const containers = (pod.spec as { containers?: Array<{ name: string; image?: string }> } | undefined)
    ?.containers;
  const image = containers?.find((candidate) => candidate.name === container)?.image ?? '';
  const bare = bareImage(image);
  return bare === INGRESS_CONTROLLER_IMAGE
    ? 'ingress-controller'
    : bare === GATEWAY_CONTROLLER_IMAGE
      ? 'gateway-controller'
      : 'http';
}

function globMatch(pattern: string, value: string): boolean {
  if (pattern === '*') {
    return true;
  }
  if (pattern.endsWith('*')) {
    return value.startsWith(pattern.slice(0, -1));
  }
  return value === pattern || value.endsWith(`/${pattern}`);
}

export function selects(selector: PodSelectorSpec, pod: KubeObject): boolean {
  const metadata = pod.metadata;
  if (selector.namespace !== undefined && selector.namespace !== metadata.namespace) {
    return false;
  }
  if (selector.name !== undefined && !globMatch(selector.name, metadata.name ?? '')) {
    return false;
  }
  return Object.entries(selector.labels ?? {}).every(([key, value]) => metadata.labels?.[key] === value);
}

/**
 * `scale`: N bare Pods over `namespaceCount` namespaces (by default about 200 Pods each, at most 50
 * namespaces), one namespace holding a tenth of them, at most 5,000 (1,000 at N = 10,000, 5,000 at
 * 100,000), so that a large namespace can be measured; a Service per app of ten Pods. Namespaces are
 * `scale-00`… (three digits from 101 namespaces on).
 */
export function generateScaleScenario(podCount: number, namespaceCount?: number): ScenarioConfig {
  const count = Math.max(1, Math.floor(namespaceCount ?? Math.min(50, Math.round(podCount / 200))));
  const large = count > 1 ? Math.min(5_000, Math.floor(podCount / 10)) : podCount;
  const rest = podCount - large;
  const manifests: KubeObject[] = [];
  const digits = Math.max(2, String(count - 1).length);
  const namespaces = Array.from({ length: count }, (_, i) => `scale-${String(i).padStart(digits, '0')}`);
  for (const name of namespaces) {
    manifests.push({ apiVersion: 'v1', kind: 'Namespace', metadata: { name, labels: { tier: 'scale' } } });
  }
  const perNamespace = (index: number) =>
    index === 0 ? large : Math.floor(rest / (count - 1)) + (index - 1 < rest % (count - 1) ? 1 : 0);
  namespaces.forEach((namespace, index) => {
    const podsHere = perNamespace(index);
    for (let i = 0; i < podsHere; i++) {
      const app = `app-${String(Math.floor(i / 10)).padStart(3, '0')}`;
      manifests.push({
        apiVersion: 'v1',
        kind: 'Pod',
        metadata: { name: `${app}-${String(i % 10)}`, namespace, labels: { app, tier: 'scale' } },
        spec: {
          containers: [
            {
              name: 'web',
              image: 'registry.example/echo:1.0',
              ports: [{ name: 'http', containerPort: 8080 }],
            },
          ],
        },
      });
    }
    for (let s = 0; s * 10 < podsHere; s++) {
      const app = `app-${String(s).padStart(3, '0')}`;
      manifests.push({
        apiVersion: 'v1',
        kind: 'Service',
        metadata: { name: app, namespace },
        spec: { selector: { app }, ports: [{ name: 'http', port: 80, targetPort: 'http' }] },
      });
    }
  });
  return buildScenario(
    // Five Events per Pod in two APIs would double the store of a 10,000-Pod cluster.
    {
      metadata: { name: `scale-${podCount}` },
      timing: { podStartMs: 0 },
      recordEvents: false,
      listenOnDemand: true,
    },
    manifests,
    'scale',
  );
}
