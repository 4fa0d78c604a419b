/**
 * Read-only YAML views of live objects: `kubereach:/<namespace>/<Kind>/<name>.yaml`, and
 * `kubereach:/<Kind>/<name>.yaml` for a cluster-scoped one (a Node, an IngressClass, a
 * GatewayClass). The document follows the object: each change the cache reports for it re-renders
 * the document (the Gateway API kinds, whose changes the cache reports as one `gatewayApi` flag, on
 * each such change). The object is
 * read from the API server in full (`ClusterCache.liveObject`), since the cache keeps a slimmed copy;
 * only when that read fails is the cached copy shown, and the header says so. Either way the text
 * passes through `redact` (container env values, tokens).
 */
import * as vscode from 'vscode';
import { objectKey } from '../cluster/changes.ts';
import type { CachedKind, ClusterScopedKind } from '../cluster/changes.ts';
import type { GatewayKind, GatewayPlural } from '../cluster/gatewayWatch.ts';
import type { objectYaml } from '../cluster/objectYaml.ts';
import type { ClusterSession } from '../cluster/session.ts';
import { redact } from '../logging/redact.ts';

export const YAML_SCHEME = 'kubereach';

export type ObjectRenderer = typeof objectYaml;

export function objectUri(kind: CachedKind, namespace: string, name: string): vscode.Uri {
  return vscode.Uri.from({ scheme: YAML_SCHEME, path: `/${namespace}/${kind}/${name}.yaml` });
}

export function clusterObjectUri(kind: ClusterScopedKind | 'GatewayClass', name: string): vscode.Uri {
  return vscode.Uri.from({ scheme: YAML_SCHEME, path: `/${kind}/${name}.yaml` });
}

export function gatewayObjectUri(
  kind: 'Gateway' | 'HTTPRoute' | 'GRPCRoute',
  namespace: string,
  name: string,
): vscode.Uri {
  return vscode.Uri.from({ scheme: YAML_SCHEME, path: `/${namespace}/${kind}/${name}.yaml` });
}

const NAMESPACED =
  /^\/([^/]+)\/(Pod|Service|EndpointSlice|NetworkPolicy|Ingress|Gateway|HTTPRoute|GRPCRoute)\/([^/]+)\.yaml$/;
const CLUSTER_SCOPED = /^\/(Node|IngressClass|GatewayClass)\/([^/]+)\.yaml$/;

const GATEWAY_PLURAL: Partial<Record<string, GatewayPlural>> = {
  GatewayClass: 'gatewayclasses',
  Gateway: 'gateways',
  HTTPRoute: 'httproutes',
  GRPCRoute: 'grpcroutes',
};

export class LiveObjectDocuments implements vscode.TextDocumentContentProvider, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<vscode.Uri>();
  readonly onDidChange = this.changed.event;
  private readonly session: ClusterSession;
  private readonly render: ObjectRenderer;
  private readonly unsubscribe: () => void;
  private readonly open = new Map<string, vscode.Uri>();
  /** Open Gateway API documents, re-rendered on each `gatewayApi` change of the cache. */
  private readonly openGateway = new Map<string, vscode.Uri>();

  /** `render` is the cluster layer's objectYaml, handed in because that layer is loaded after activation. */
  constructor(session: ClusterSession, render: ObjectRenderer) {
    this.session = session;
    this.render = render;
    this.unsubscribe = session.onDidChange((event) => {
      if (event.kind !== 'cache') {
        this.open.forEach((uri) => this.changed.fire(uri));
        this.openGateway.forEach((uri) => this.changed.fire(uri));
        return;
      }
      if (event.change.gatewayApi) {
        this.openGateway.forEach((uri) => this.changed.fire(uri));
      }
      for (const key of event.change.objects) {
        const uri = this.open.get(key);
        if (uri) {
          this.changed.fire(uri);
        }
      }
    });
  }

  async provideTextDocumentContent(uri: vscode.Uri): Promise<string> {
    const cluster = CLUSTER_SCOPED.exec(uri.path);
    const match = cluster ? undefined : NAMESPACED.exec(uri.path);
    if (!cluster && !match) {
      return `# ${uri.toString()} does not name a Pod, Service, EndpointSlice, NetworkPolicy, Ingress, Node, IngressClass, Gateway API object.\n`;
    }
    const [kindName, namespace, name] = cluster
      ? [cluster[1]!, '', cluster[2]!]
      : [match![2]!, match![1]!, match![3]!];
    const plural = GATEWAY_PLURAL[kindName];
    if (plural !== undefined) {
      this.openGateway.set(uri.toString(), uri);
      return this.gatewayContent(kindName as GatewayKind, plural, namespace, name);
    }
    const kind = kindName as CachedKind | ClusterScopedKind;
    this.open.set(objectKey(kind, namespace, name), uri);
    const cache = this.session.cache;
    const object =
      kind === 'Pod'
        ? cache?.pod(namespace, name)
        : kind === 'Service'
          ? cache?.service(namespace, name)
          : kind === 'EndpointSlice'
            ? cache?.endpointSlices(namespace).find((s) => s.metadata?.name === name)
            : kind === 'NetworkPolicy'
              ? cache?.networkPolicies(namespace).find((p) => p.metadata?.name === name)
              : kind === 'Ingress'
                ? cache?.ingress(namespace, name)
                : kind === 'Node'
                  ? cache?.node(name)
                  : cache?.ingressClasses().find((c) => c.metadata?.name === name);
    let full: object | undefined;
    let failure: string | undefined;
    try {
      full = cache ? await cache.liveObject(kind, namespace, name) : undefined;
    } catch (error) {
      failure = error instanceof Error ? error.message : String(error);
    }
    return this.text(kind, namespace, name, full, object, failure);
  }

  private async gatewayContent(
    kind: GatewayKind,
    plural: GatewayPlural,
    namespace: string,
    name: string,
  ): Promise<string> {
    const watch = this.session.cache?.gatewayApi;
    let full: object | undefined;
    let failure: string | undefined;
    try {
      full = watch ? await watch.liveObject(plural, namespace, name) : undefined;
    } catch (error) {
      failure = error instanceof Error ? error.message : String(error);
    }
    return this.text(kind, namespace, name, full, watch?.cachedObject(plural, namespace, name), failure);
  }

  /** The document: the full object, else the cached copy saying why, else that it does not exist. */
  private text(
    kind: Parameters<ObjectRenderer>[0],
    namespace: string,
    name: string,
    full: object | undefined,
    object: object | undefined,
    failure: string | undefined,
  ): string {
    const context = this.session.context?.name ?? '(no context)';
    const shown = namespace ? `${namespace}/${name}` : name;
    if (full) {
      return redact(
        `# Live ${kind} ${shown} from context ${context}, as the API server holds it, updated as it changes.\n` +
          '# Read-only; managedFields left out, as kubectl does.\n' +
          this.render(kind, full),
      );
    }
    if (!object || failure === undefined) {
      return `# ${kind} ${shown} does not exist (or is not in view) in context ${context}.\n`;
    }
    return redact(
      `# ${kind} ${shown} from context ${context}: KubeReach's cached copy, updated as it changes.\n` +
        `# It could not be read in full (${failure.replace(/\n/g, ' ')}); the cache keeps no managedFields,\n` +
        '# last-applied-configuration, container env or volumes.\n' +
        this.render(kind, object),
    );
  }

  dispose(): void {
    this.unsubscribe();
    this.changed.dispose();
  }
}
