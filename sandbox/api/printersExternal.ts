/**
 * The server-side printers of what exposes a cluster outside: Nodes, Ingresses and IngressClasses,
 * following printNode, printIngress and printIngressClass of the API server's printers
 * (k8s.io/kubernetes/pkg/printers/internalversion/printers.go, Kubernetes 1.32), wide form.
 */
import { ageSince } from '../../src/analysis/duration.ts';
import { AGE, column, compareGoStrings, loadBalancerAddresses, NAME } from './printerBasics.ts';
import type { Printer } from './printerBasics.ts';

const ADDRESSES_DOC =
  "List of addresses reachable to the node. Queried from cloud provider, if available. More info: https://kubernetes.io/docs/reference/node/node-status/#addresses Note: This field is defined as mergeable, but the merge key is not sufficiently unique, which can cause data corruption when it is merged. Callers should instead use a full-replacement patch. See https://pr.k8s.io/79391 for an example. Consumers should assume that addresses can change during the lifetime of a Node. However, there are some exceptions where this may not be possible, such as Pods that inherit a Node's address in its own status or consumers of the downward API (status.hostIP).";

interface Meta {
  readonly name?: string;
  readonly creationTimestamp?: string | null;
  readonly labels?: Readonly<Record<string, string>>;
}

interface NodeLike {
  readonly metadata?: Meta;
  readonly spec?: { readonly unschedulable?: boolean };
  readonly status?: {
    readonly conditions?: readonly { readonly type?: string; readonly status?: string }[];
    readonly addresses?: readonly { readonly type?: string; readonly address?: string }[];
    readonly nodeInfo?: {
      readonly kubeletVersion?: string;
      readonly osImage?: string;
      readonly kernelVersion?: string;
      readonly containerRuntimeVersion?: string;
    };
  };
}

interface IngressLike {
  readonly metadata?: Meta;
  readonly spec?: {
    readonly ingressClassName?: string | null;
    readonly rules?: readonly { readonly host?: string }[] | null;
    readonly tls?: readonly unknown[] | null;
  };
  readonly status?: {
    readonly loadBalancer?: {
      readonly ingress?: readonly { readonly ip?: string; readonly hostname?: string }[];
    };
  };
}

interface IngressClassLike {
  readonly metadata?: Meta;
  readonly spec?: {
    readonly controller?: string;
    readonly parameters?: {
      readonly apiGroup?: string | null;
      readonly kind?: string;
      readonly name?: string;
    } | null;
  };
}

/** `findNodeRoles`: `node-role.kubernetes.io/<role>` labels and the older `kubernetes.io/role`. */
function nodeRoles(labels: Readonly<Record<string, string>> | undefined): string[] {
  const roles = new Set<string>();
  for (const [key, value] of Object.entries(labels ?? {})) {
    if (key.startsWith('node-role.kubernetes.io/')) {
      const role = key.slice('node-role.kubernetes.io/'.length);
      if (role !== '') {
        roles.add(role);
      }
    } else if (key === 'kubernetes.io/role' && value !== '') {
      roles.add(value);
    }
  }
  return [...roles].sort(compareGoStrings);
}

function nodeAddress(node: NodeLike, addressType: string): string {
  return node.status?.addresses?.find((a) => a.type === addressType)?.address ?? '<none>';
}

export const nodePrinter: Printer = {
  columns: [
    NAME,
    column('Status', 'string', 'The status of the node'),
    column('Roles', 'string', 'The roles of the node'),
    AGE,
    column('Version', 'string', 'Kubelet Version reported by the node.'),
    column('Internal-IP', 'string', ADDRESSES_DOC, 1),
    column('External-IP', 'string', ADDRESSES_DOC, 1),
    column(
      'OS-Image',
      'string',
      'OS Image reported by the node from /etc/os-release (e.g. Debian GNU/Linux 7 (wheezy)).',
      1,
    ),
    column(
      'Kernel-Version',
      'string',
      "Kernel Version reported by the node from 'uname -r' (e.g. 3.16.0-0.bpo.4-amd64).",
      1,
    ),
    column(
      'Container-Runtime',
      'string',
      'ContainerRuntime Version reported by the node through runtime remote API (e.g. containerd://1.4.2).',
      1,
    ),
  ],
  cells(object, now) {
    const node = object as NodeLike;
    const status: string[] = [];
    const ready = node.status?.conditions?.find((c) => c.type === 'Ready');
    if (ready) {
      status.push(ready.status === 'True' ? 'Ready' : 'NotReady');
    } else {
      status.push('Unknown');
    }
    if (node.spec?.unschedulable === true) {
      status.push('SchedulingDisabled');
    }
    const info = node.status?.nodeInfo ?? {};
    return [
      node.metadata?.name ?? '',
      status.join(','),
      nodeRoles(node.metadata?.labels).join(',') || '<none>',
      ageSince(node.metadata?.creationTimestamp, now),
      info.kubeletVersion ?? '',
      nodeAddress(node, 'InternalIP'),
      nodeAddress(node, 'ExternalIP'),
      info.osImage || '<unknown>',
      info.kernelVersion || '<unknown>',
      info.containerRuntimeVersion || '<unknown>',
    ];
  },
};

/** `formatHosts`: the first three hosts of the rules, then how many rules more; "*" for none. */
function formatHosts(rules: readonly { readonly host?: string }[]): string {
  const max = 3;
  const list: string[] = [];
  let more = false;
  for (const rule of rules) {
    if (list.length === max) {
      more = true;
    }
    if (!more && rule.host) {
      list.push(rule.host);
    }
  }
  if (list.length === 0) {
    return '*';
  }
  return more ? `${list.join(',')} + ${rules.length - max} more...` : list.join(',');
}

export const ingressPrinter: Printer = {
  columns: [
    NAME,
    column('Class', 'string', 'The name of the IngressClass resource that should be used for this Ingress'),
    column('Hosts', 'string', 'Hosts that incoming requests are matched against before the ingress rule'),
    column('Address', 'string', 'Address is a list containing ingress points for the load-balancer'),
    column('Ports', 'string', 'Ports of TLS configurations that open'),
    AGE,
  ],
  cells(object, now) {
    const ingress = object as IngressLike;
    return [
      ingress.metadata?.name ?? '',
      ingress.spec?.ingressClassName ?? '<none>',
      formatHosts(ingress.spec?.rules ?? []),
      loadBalancerAddresses(ingress.status?.loadBalancer?.ingress),
      (ingress.spec?.tls ?? []).length > 0 ? '80, 443' : '80',
      ageSince(ingress.metadata?.creationTimestamp, now),
    ];
  },
};

export const ingressClassPrinter: Printer = {
  columns: [
    NAME,
    column('Controller', 'string', 'Controller that is responsible for handling this class'),
    column('Parameters', 'string', 'A reference to a resource with additional parameters'),
    AGE,
  ],
  cells(object, now) {
    const ingressClass = object as IngressClassLike;
    const parameters = ingressClass.spec?.parameters;
    let shown = '<none>';
    if (parameters) {
      shown = `${parameters.kind ?? ''}${parameters.apiGroup != null ? `.${parameters.apiGroup}` : ''}/${parameters.name ?? ''}`;
    }
    return [
      ingressClass.metadata?.name ?? '',
      ingressClass.spec?.controller ?? '',
      shown,
      ageSince(ingressClass.metadata?.creationTimestamp, now),
    ];
  },
};
