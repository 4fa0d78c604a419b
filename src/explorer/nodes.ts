/**
 * The explorer's tree nodes. Nodes are plain data with a stable id, interned so that the same id
 * always yields the same object: VS Code refreshes and reveals elements by identity.
 */
export type ExplorerNode =
  | { readonly kind: 'context'; readonly id: string; readonly context: string }
  | {
      readonly kind: 'message';
      readonly id: string;
      readonly text: string;
      readonly severity: 'info' | 'warning' | 'error';
      readonly detail?: string;
      readonly actions?: readonly MessageAction[];
    }
  | { readonly kind: 'action'; readonly id: string; readonly action: MessageAction }
  | { readonly kind: 'namespace'; readonly id: string; readonly namespace: string }
  | {
      readonly kind: 'group';
      readonly id: string;
      readonly namespace: string;
      readonly group: NamespaceGroup;
    }
  /** The Nodes group under the context. */
  | { readonly kind: 'nodeGroup'; readonly id: string }
  | { readonly kind: 'node'; readonly id: string; readonly name: string }
  | { readonly kind: 'ingress'; readonly id: string; readonly namespace: string; readonly name: string }
  | {
      readonly kind: 'ingressRule';
      readonly id: string;
      readonly namespace: string;
      readonly ingress: string;
      /** `IngressRoute.key`: `0/1` (rule 0, path 1), `0` (a rule without paths), `default`. */
      readonly key: string;
    }
  /** A Gateway API item (gatewayItems.ts): `parts` is its path below the namespace. */
  | {
      readonly kind: 'gatewayApi';
      readonly id: string;
      readonly namespace: string;
      readonly parts: readonly string[];
    }
  | { readonly kind: 'pod'; readonly id: string; readonly namespace: string; readonly name: string }
  | {
      readonly kind: 'container';
      readonly id: string;
      readonly namespace: string;
      readonly pod: string;
      readonly container: string;
    }
  | {
      readonly kind: 'containerPort';
      readonly id: string;
      readonly namespace: string;
      readonly pod: string;
      readonly container: string;
      readonly index: number;
    }
  | { readonly kind: 'service'; readonly id: string; readonly namespace: string; readonly name: string }
  | {
      readonly kind: 'endpoint';
      readonly id: string;
      readonly namespace: string;
      readonly service: string;
      readonly address: string;
      readonly pod: string | undefined;
    };

/** The groups under a namespace, in the order shown. */
export type NamespaceGroup = 'pods' | 'services' | 'ingresses';

export interface MessageAction {
  readonly title: string;
  readonly command: string;
  readonly arguments?: readonly unknown[];
}

type Without<T, K extends keyof T> = T extends unknown ? Omit<T, K> : never;

export class NodeRegistry {
  private readonly nodes = new Map<string, ExplorerNode>();

  /** The node for this id, created on first use and the same object ever after (until cleared). */
  get<N extends ExplorerNode>(id: string, create: () => Without<N, 'id'>): N {
    let node = this.nodes.get(id);
    if (!node) {
      node = { ...create(), id } as unknown as ExplorerNode;
      this.nodes.set(id, node);
    }
    return node as N;
  }

  peek(id: string): ExplorerNode | undefined {
    return this.nodes.get(id);
  }

  /** Messages are rebuilt each time (their text changes), keyed by a stable id. */
  replace<N extends ExplorerNode>(node: N): N {
    this.nodes.set(node.id, node);
    return node;
  }

  clear(): void {
    this.nodes.clear();
  }
}

export const ids = {
  context: (context: string) => `ctx/${context}`,
  namespace: (context: string, namespace: string) => `ns/${context}/${namespace}`,
  group: (context: string, namespace: string, group: NamespaceGroup) =>
    `grp/${context}/${namespace}/${group}`,
  nodeGroup: (context: string) => `nodes/${context}`,
  node: (context: string, name: string) => `node/${context}/${name}`,
  ingress: (context: string, namespace: string, name: string) => `ing/${context}/${namespace}/${name}`,
  ingressRule: (context: string, namespace: string, ingress: string, key: string) =>
    `ingr/${context}/${namespace}/${ingress}/${key}`,
  pod: (context: string, namespace: string, name: string) => `pod/${context}/${namespace}/${name}`,
  container: (context: string, namespace: string, pod: string, container: string) =>
    `ctr/${context}/${namespace}/${pod}/${container}`,
  containerPort: (context: string, namespace: string, pod: string, container: string, index: number) =>
    `port/${context}/${namespace}/${pod}/${container}/${index}`,
  service: (context: string, namespace: string, name: string) => `svc/${context}/${namespace}/${name}`,
  endpoint: (context: string, namespace: string, service: string, address: string) =>
    `ep/${context}/${namespace}/${service}/${address}`,
};

const EXPLORER_KINDS: ReadonlySet<string> = new Set([
  'context',
  'message',
  'action',
  'namespace',
  'group',
  'pod',
  'container',
  'containerPort',
  'service',
  'endpoint',
  'nodeGroup',
  'node',
  'ingress',
  'ingressRule',
  'gatewayApi',
]);

/** Whether a command argument is a node of the cluster view (not a forward, a probe record, a URI…). */
export function isExplorerNode(value: unknown): value is ExplorerNode {
  return (
    typeof value === 'object' &&
    value !== null &&
    'id' in value &&
    'kind' in value &&
    EXPLORER_KINDS.has(String(value.kind))
  );
}
