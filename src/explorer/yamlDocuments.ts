/**
 * Read-only YAML views of live objects: `kubereach:/<namespace>/<Kind>/<name>.yaml`, and
 * `kubereach:/<Kind>/<name>.yaml` for a cluster-scoped one (a Node, an IngressClass). The document
 * follows the object: each change the cache reports for it re-renders the document. The object is
 * read from the API server in full (`ClusterCache.liveObject`), since the cache keeps a slimmed copy;
 * only when that read fails is the cached copy shown, and the header says so. Either way the text
 * passes through `redact` (container env values, tokens).
 */
import * as vscode from 'vscode';
import { objectKey } from '../cluster/changes.ts';
import type { CachedKind, ClusterScopedKind } from '../cluster/changes.ts';
import type { objectYaml } from '../cluster/objectYaml.ts';
import type { ClusterSession } from '../cluster/session.ts';
import { redact } from '../logging/redact.ts';

export const YAML_SCHEME = 'kubereach';

export type ObjectRenderer = typeof objectYaml;

export function objectUri(kind: CachedKind, namespace: string, name: string): vscode.Uri {
  return vscode.Uri.from({ scheme: YAML_SCHEME, path: `/${namespace}/${kind}/${name}.yaml` });
}

export function clusterObjectUri(kind: ClusterScopedKind, name: string): vscode.Uri {
  return vscode.Uri.from({ scheme: YAML_SCHEME, path: `/${kind}/${name}.yaml` });
}

const NAMESPACED = /^\/([^/]+)\/(Pod|Service|EndpointSlice|NetworkPolicy|Ingress)\/([^/]+)\.yaml$/;
const CLUSTER_SCOPED = /^\/(Node|IngressClass)\/([^/]+)\.yaml$/;

export class LiveObjectDocuments implements vscode.TextDocumentContentProvider, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<vscode.Uri>();
  readonly onDidChange = this.changed.event;
  private readonly session: ClusterSession;
  private readonly render: ObjectRenderer;
  private readonly unsubscribe: () => void;
  private readonly open = new Map<string, vscode.Uri>();

  /** `render` is the cluster layer's objectYaml, handed in because that layer is loaded after activation. */
  constructor(session: ClusterSession, render: ObjectRenderer) {
    this.session = session;
    this.render = render;
    this.unsubscribe = session.onDidChange((event) => {
      if (event.kind !== 'cache') {
        this.open.forEach((uri) => this.changed.fire(uri));
        return;
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
      return `# ${uri.toString()} does not name a Pod, Service, EndpointSlice, NetworkPolicy, Ingress, Node or IngressClass.\n`;
    }
    const [kind, namespace, name] = cluster
      ? [cluster[1] as ClusterScopedKind, '', cluster[2]!]
      : [match![2] as CachedKind, match![1]!, match![3]!];
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
    const context = this.session.context?.name ?? '(no context)';
    const shown = namespace ? `${namespace}/${name}` : name;
    let full: object | undefined;
    let failure: string | undefined;
    try {
      full = cache ? await cache.liveObject(kind, namespace, name) : undefined;
    } catch (error) {
      failure = error instanceof Error ? error.message : String(error);
    }
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
