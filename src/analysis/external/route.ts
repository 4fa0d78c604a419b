/**
 * Hop 1, Route: what the request reaches first. For a URL, the Ingress rule that serves its host
 * and path (src/analysis/ingress.ts's routing, the one the sandbox's controller uses), or why none
 * does; for `node:port`, the node and the Service holding that node port; for an Ingress rule or a
 * Service chosen in the tree, the object itself.
 */
import {
  backendText,
  ingressClassOf,
  ingressRef,
  ingressRequestFromUrl,
  normalizeUriPath,
  routeIngressRequest,
} from '../ingress.ts';
import type { Ingress, IngressBackendRef, IngressRoute } from '../ingress.ts';
import type { ServicePort } from '../k8s.ts';
import type { ExternalInput, ExternalService, HopDraft, NodeAddress, NodeLike } from './types.ts';

/** The Service a route leads to, and the port asked of it. */
export interface RoutedService {
  readonly namespace: string;
  readonly name: string;
  readonly port: number | string;
}

export interface RouteStage {
  readonly draft: HopDraft;
  readonly label: string;
  /** Set when an Ingress serves the request. */
  readonly ingress?: Ingress;
  /** The IngressClass whose controller serves it. */
  readonly className?: string;
  /** Set when the request enters by a Service's node port or load balancer. */
  readonly entryService?: ExternalService;
  readonly entryPort?: ServicePort;
  /** Set for `node:port`: the node asked. */
  readonly node?: NodeAddress;
  /** The backend Service, when the route names one. */
  readonly backend?: RoutedService;
  readonly http?: { readonly host?: string; readonly path: string };
}

function nsOf(object: { readonly metadata: { readonly namespace?: string } }): string {
  return object.metadata.namespace ?? 'default';
}

function nameOf(object: { readonly metadata: { readonly name?: string } }): string {
  return object.metadata.name ?? '(unnamed)';
}

export function nodeAddress(node: NodeLike): string | undefined {
  const addresses = node.status?.addresses ?? [];
  return (
    addresses.find((entry) => entry.type === 'InternalIP')?.address ??
    addresses.find((entry) => entry.type === 'ExternalIP')?.address
  );
}

function backendOf(ref: IngressBackendRef): RoutedService | undefined {
  return ref.kind === 'service'
    ? {
        namespace: ref.namespace,
        name: ref.name,
        port: 'number' in ref.port ? ref.port.number : ref.port.name,
      }
    : undefined;
}

function failedBackend(ref: IngressBackendRef): HopDraft | undefined {
  if (ref.kind === 'invalid') {
    return {
      status: 'failed',
      summary: `The matching path has ${backendText(ref)}.`,
      evidence: [],
      fix: 'Give the path a backend naming one Service and one of its ports (name or number).',
    };
  }
  if (ref.kind === 'resource') {
    return {
      status: 'unknown',
      summary: `The request goes to ${backendText(ref)}, which only its controller knows how to serve.`,
      evidence: [],
    };
  }
  return undefined;
}

/** The classes a URL may be served by: every IngressClass, and every class an Ingress names. */
function candidateClasses(input: ExternalInput): string[] {
  const names = new Set(input.ingressClasses.map(nameOf));
  for (const ingress of input.ingresses) {
    const assignment = ingressClassOf(ingress, input.ingressClasses);
    if (
      assignment.source === 'field' ||
      assignment.source === 'annotation' ||
      assignment.source === 'default'
    ) {
      names.add(assignment.className);
    }
  }
  return [...names].sort();
}

function routeStageOf(input: ExternalInput, route: IngressRoute, label: string): RouteStage {
  const http = {
    ...(route.request.host === undefined ? {} : { host: route.request.host }),
    path: route.request.path,
  };
  if (route.kind === 'none') {
    return {
      label,
      http,
      className: route.ingressClass,
      draft: {
        status: 'failed',
        summary: `No Ingress rule of class ${route.ingressClass} serves host ${route.request.host ?? '(none)'} and path ${route.request.path}: ${route.explanation}.`,
        evidence: route.reasons.map((reason) => `${upperFirst(reason.message)}.`),
        fix: 'Add a rule for this host with a path that matches (pathType Prefix), or correct the host.',
      },
    };
  }
  const ingress = input.ingresses.find(
    (candidate) => nsOf(candidate) === route.ingress.namespace && nameOf(candidate) === route.ingress.name,
  );
  const backend = backendOf(route.backend);
  const evidence = [
    `IngressClass ${route.ingressClass}: Ingresses considered, oldest first: ${route.considered.map((r) => `${r.namespace}/${r.name}`).join(', ')}.`,
    ...(route.kind === 'rule'
      ? route.shadowed.map(
          (c) =>
            `Also matches but loses: ${c.path ?? '(no path)'} (${c.pathType ?? 'no pathType'}) in ${c.ingress.namespace}/${c.ingress.name}.`,
        )
      : route.reasons.map((reason) => `No rule: ${reason.message}.`)),
  ];
  const failed = failedBackend(route.backend);
  const draft: HopDraft = failed ?? {
    status: 'passed',
    summary: `${upperFirst(route.explanation)}: ${backendText(route.backend)}.`,
    evidence,
  };
  return {
    label,
    http,
    className: route.ingressClass,
    ...(ingress === undefined ? {} : { ingress }),
    ...(backend === undefined ? {} : { backend }),
    draft: failed === undefined ? draft : { ...failed, evidence },
  };
}

function upperFirst(text: string): string {
  return text === '' ? text : `${text[0]!.toUpperCase()}${text.slice(1)}`;
}

function unreadableIngresses(input: ExternalInput): string[] {
  return [...(input.unreadable?.ingresses ?? [])];
}

function urlStage(input: ExternalInput, url: string): RouteStage {
  const request = ingressRequestFromUrl(url);
  const label = url.trim();
  if (request === undefined) {
    return {
      label,
      draft: {
        status: 'failed',
        summary: `${label} names no host.`,
        evidence: [],
        fix: 'Type a URL such as http://shop.example.com/api, or node:port.',
      },
    };
  }
  const normalized = normalizeUriPath(request.path);
  if (!normalized.ok) {
    return {
      label,
      http: { ...(request.host === undefined ? {} : { host: request.host }), path: request.path },
      draft: {
        status: 'failed',
        summary: `The controller refuses the request (400): ${normalized.reason}.`,
        evidence: [],
        fix: 'Send a path without dot segments above the root and with valid %-escapes.',
      },
    };
  }
  const routed = { host: request.host, path: normalized.path };
  const routes = candidateClasses(input).map((ingressClass) =>
    routeIngressRequest({
      ingresses: input.ingresses,
      ingressClasses: input.ingressClasses,
      ingressClass,
      request: routed,
    }),
  );
  const best =
    routes.find((route) => route.kind === 'rule') ?? routes.find((route) => route.kind === 'default-backend');
  if (best !== undefined) {
    return routeStageOf(input, best, label);
  }
  const unreadable = unreadableIngresses(input);
  const reasons = routes.flatMap((route) =>
    route.kind === 'none' ? route.reasons.map((r) => r.message) : [],
  );
  const http = { ...(request.host === undefined ? {} : { host: request.host }), path: normalized.path };
  if (unreadable.length > 0) {
    return {
      label,
      http,
      draft: {
        status: 'unknown',
        summary: `No Ingress in view serves ${request.host ?? ''}${normalized.path}, but the Ingresses of ${unreadable.join(', ')} could not be read.`,
        evidence: reasons.map((reason) => `${upperFirst(reason)}.`),
      },
    };
  }
  return {
    label,
    http,
    draft: {
      status: 'failed',
      summary: `No Ingress rule serves host ${request.host ?? '(none)'} and path ${normalized.path}: the controller answers 404 from its default backend.`,
      evidence: [
        `Namespaces whose Ingresses were read: ${input.knownNamespaces.join(', ') || '(none)'}.`,
        ...reasons.map((reason) => `${upperFirst(reason)}.`),
      ],
      fix: `Add a rule for host ${request.host ?? '(any)'} with a path that matches ${normalized.path} (pathType Prefix), or correct the host in the URL.`,
    },
  };
}

/** The request an Ingress rule's path stands for: its host, and the path itself. */
function ruleStage(
  input: ExternalInput,
  namespace: string,
  name: string,
  ruleIndex: number | undefined,
  pathIndex: number,
): RouteStage {
  const ingress = input.ingresses.find(
    (candidate) => nsOf(candidate) === namespace && nameOf(candidate) === name,
  );
  if (ingress === undefined) {
    return missingIngress(input, namespace, name, `Ingress ${namespace}/${name}`);
  }
  const rules = ingress.spec?.rules ?? [];
  const rule = rules[ruleIndex ?? 0];
  const entry = rule?.http?.paths?.[pathIndex];
  const host = hostToAsk(rule?.host);
  const path = entry?.path ?? '/';
  const className = servedClass(input, ingress);
  const ruleLabel = `http://${host ?? '<any host>'}${path}`;
  if (className === undefined) {
    // No class a controller serves: the class hop says why; route on the Ingress alone.
    const backend = entry?.backend ?? ingress.spec?.defaultBackend;
    const ref = backend?.service;
    return {
      label: ruleLabel,
      ingress,
      http: { ...(host === undefined ? {} : { host }), path },
      ...(ref?.name === undefined
        ? {}
        : { backend: { namespace, name: ref.name, port: ref.port?.name ?? ref.port?.number ?? 0 } }),
      draft: {
        status: 'unknown',
        summary: `Ingress ${ingressRef(ingress).namespace}/${ingressRef(ingress).name} belongs to no IngressClass that exists, so which rule wins for ${ruleLabel} is not known.`,
        evidence: [],
      },
    };
  }
  const route = routeIngressRequest({
    ingresses: input.ingresses,
    ingressClasses: input.ingressClasses,
    ingressClass: className,
    request: { host, path },
  });
  const stage = routeStageOf(input, route, ruleLabel);
  if (
    route.kind === 'rule' &&
    (route.ingress.namespace !== namespace ||
      route.ingress.name !== name ||
      route.ruleIndex !== (ruleIndex ?? 0) ||
      route.pathIndex !== pathIndex)
  ) {
    return {
      ...stage,
      draft: {
        status: 'failed',
        summary: `Requests for ${ruleLabel} do not reach this rule: ${route.explanation}.`,
        evidence: stage.draft.evidence,
        fix: 'Give this rule a path or host no other rule of the class claims, or remove the other rule.',
        manifest: { kind: 'Ingress', namespace, name },
      },
    };
  }
  return stage;
}

/** A request's Host for a rule's host: a wildcard's first label filled in; undefined for none. */
function hostToAsk(host: string | undefined): string | undefined {
  return host === '' || host === undefined ? undefined : host.replace(/^\*\./, 'any.');
}

/**
 * The class whose controller serves the Ingress, when that is a class a controller can serve (one
 * that exists, or one the deprecated annotation names); undefined otherwise (the class hop says why).
 */
function servedClass(input: ExternalInput, ingress: Ingress): string | undefined {
  const assignment = ingressClassOf(ingress, input.ingressClasses);
  const className =
    assignment.source === 'field' || assignment.source === 'annotation' || assignment.source === 'default'
      ? assignment.className
      : undefined;
  const classExists = input.ingressClasses.some((candidate) => nameOf(candidate) === className);
  return className === undefined || (!classExists && assignment.source !== 'annotation')
    ? undefined
    : className;
}

/** A Host no rule of any class names (RFC 2606 reserves .invalid): the catch-all's request. */
const UNNAMED_HOST = 'no-rule.invalid';
/** Paths tried for a request that matches no rule: the root, then one no rule is likely to claim. */
const UNMATCHED_PATHS = ['/', '/kubereach-no-rule'];

/**
 * The Ingress's `spec.defaultBackend`: the request is one that matches no rule and lands there, for
 * one of the Ingress's own hosts (its default backend serves their unmatched paths) or, for an
 * Ingress without hosts, a host no rule names (its default backend is the class's catch-all). When
 * no such request exists (a Prefix `/` rule takes every path of the host, another Ingress's default
 * backend comes first), the route fails and says why.
 */
function defaultBackendStage(input: ExternalInput, namespace: string, name: string): RouteStage {
  const ingress = input.ingresses.find(
    (candidate) => nsOf(candidate) === namespace && nameOf(candidate) === name,
  );
  const label = `the default backend of Ingress ${namespace}/${name}`;
  if (ingress === undefined) {
    return missingIngress(input, namespace, name, label);
  }
  const ref = ingress.spec?.defaultBackend?.service;
  const backend: RoutedService | undefined =
    ref?.name === undefined
      ? undefined
      : { namespace, name: ref.name, port: ref.port?.name ?? ref.port?.number ?? 0 };
  const manifest = { kind: 'Ingress', namespace, name };
  if (ingress.spec?.defaultBackend === undefined) {
    return {
      label,
      ingress,
      draft: {
        status: 'failed',
        summary: `Ingress ${namespace}/${name} has no defaultBackend.`,
        evidence: [],
        manifest,
      },
    };
  }
  const className = servedClass(input, ingress);
  const ownHosts = [...new Set((ingress.spec?.rules ?? []).flatMap((rule) => hostToAsk(rule.host) ?? []))];
  const hosts = ownHosts.length > 0 ? ownHosts : [UNNAMED_HOST];
  if (className === undefined) {
    return {
      label,
      ingress,
      http: { host: hosts[0]!, path: UNMATCHED_PATHS[0]! },
      ...(backend === undefined ? {} : { backend }),
      draft: {
        status: 'unknown',
        summary: `Ingress ${namespace}/${name} belongs to no IngressClass that exists, so which requests its default backend takes is not known.`,
        evidence: [],
      },
    };
  }
  const tried: string[] = [];
  for (const host of hosts) {
    for (const path of UNMATCHED_PATHS) {
      const route = routeIngressRequest({
        ingresses: input.ingresses,
        ingressClasses: input.ingressClasses,
        ingressClass: className,
        request: { host, path },
      });
      if (
        route.kind === 'default-backend' &&
        route.ingress.namespace === namespace &&
        route.ingress.name === name
      ) {
        const stage = routeStageOf(input, route, label);
        return {
          ...stage,
          draft: {
            ...stage.draft,
            evidence: [
              `The request asked: http://${host}${path}, which matches no rule${ownHosts.length > 0 ? ` of host ${host}` : ' (a host no rule names)'}.`,
              ...stage.draft.evidence,
            ],
          },
        };
      }
      tried.push(`http://${host}${path}: ${route.explanation}.`);
    }
  }
  return {
    label,
    ingress,
    http: { host: hosts[0]!, path: UNMATCHED_PATHS[UNMATCHED_PATHS.length - 1]! },
    ...(backend === undefined ? {} : { backend }),
    draft: {
      status: 'failed',
      summary: `No request reaches the default backend of Ingress ${namespace}/${name}: ${ownHosts.length > 0 ? `every request for ${ownHosts.join(', ')} is taken by a rule or another default backend` : 'requests for hosts no rule names go elsewhere'}.`,
      evidence: tried,
      fix:
        ownHosts.length > 0
          ? 'A rule with path / (Prefix) takes every path of its host: narrow it, or drop the defaultBackend, which serves nothing.'
          : "Another Ingress of the class takes the requests no rule names first (the oldest Ingress's default backend wins): keep one catch-all default backend.",
      manifest,
    },
  };
}

function missingIngress(input: ExternalInput, namespace: string, name: string, label: string): RouteStage {
  return {
    label,
    draft: {
      status:
        input.knownNamespaces.includes(namespace) && !unreadableIngresses(input).includes(namespace)
          ? 'failed'
          : 'unknown',
      summary: `Ingress ${namespace}/${name} is not in the cluster state read.`,
      evidence: [],
    },
  };
}

function nodePortStage(input: ExternalInput, nodeAsked: string, port: number): RouteStage {
  const label = `${nodeAsked}:${port}`;
  const node = input.nodes.find(
    (candidate) =>
      nameOf(candidate) === nodeAsked ||
      (candidate.status?.addresses ?? []).some((entry) => entry.address === nodeAsked),
  );
  const nodeName = node === undefined ? undefined : nameOf(node);
  const address =
    node === undefined ? (/^[\d.]+$|:/.test(nodeAsked) ? nodeAsked : undefined) : nodeAddress(node);
  const nodeRef: NodeAddress = { node: nodeName ?? nodeAsked, ...(address === undefined ? {} : { address }) };
  const holders = input.services.flatMap((service) =>
    (service.spec?.ports ?? [])
      .filter((entry) => entry.nodePort === port)
      .map((entry) => ({ service, entry })),
  );
  const evidence: string[] = [];
  if (node === undefined) {
    evidence.push(
      input.unreadable?.nodes === true
        ? 'Nodes may not be read with these credentials: the node asked is taken as given.'
        : `${nodeAsked} is no node's name or address (nodes: ${input.nodes.map((n) => `${nameOf(n)} ${nodeAddress(n) ?? ''}`.trim()).join(', ') || 'none'}).`,
    );
  }
  const holder = holders[0];
  if (holder === undefined) {
    const unreadable = input.unreadable?.namespaces ?? [];
    return {
      label,
      node: nodeRef,
      draft: {
        status: unreadable.length > 0 ? 'unknown' : 'failed',
        summary:
          unreadable.length > 0
            ? `No Service in view holds node port ${port}, but the Services of ${unreadable.join(', ')} could not be read.`
            : `No Service in the namespaces in view (${input.knownNamespaces.join(', ')}) holds node port ${port}: the node refuses the connection.`,
        evidence,
        fix: 'Check the node port with kubectl get svc -A (node ports are cluster-wide), or watch the namespace of the Service.',
      },
    };
  }
  const { service, entry } = holder;
  const nodeProblem = node === undefined && input.unreadable?.nodes !== true;
  return {
    label,
    node: nodeRef,
    entryService: service,
    entryPort: entry,
    backend: { namespace: nsOf(service), name: nameOf(service), port: entry.port },
    draft: {
      status: nodeProblem ? 'failed' : 'passed',
      summary: nodeProblem
        ? `${nodeAsked} is not a node of the cluster.`
        : `Node port ${port} belongs to Service ${nsOf(service)}/${nameOf(service)} (port ${entry.port}${entry.name ? ` ${entry.name}` : ''}), served on every node${node === undefined ? '' : `; ${nodeName} answers on ${address ?? '(no address)'}`}.`,
      evidence,
      ...(nodeProblem
        ? {
            fix: `Use a node's address: ${input.nodes
              .map((n) => nodeAddress(n))
              .filter(Boolean)
              .join(', ')}.`,
          }
        : {}),
    },
  };
}

function serviceStage(
  input: ExternalInput,
  namespace: string,
  name: string,
  port: number | string | undefined,
): RouteStage {
  const service = input.services.find(
    (candidate) => nsOf(candidate) === namespace && nameOf(candidate) === name,
  );
  const label = `Service ${namespace}/${name}`;
  if (service === undefined) {
    return {
      label,
      draft: {
        status: input.knownNamespaces.includes(namespace) ? 'failed' : 'unknown',
        summary: `Service ${namespace}/${name} is not in the cluster state read.`,
        evidence: [],
      },
    };
  }
  const ports = service.spec?.ports ?? [];
  const entry =
    port === undefined
      ? ports[0]
      : ports.find((candidate) => candidate.port === port || candidate.name === port);
  const type = service.spec?.type ?? 'ClusterIP';
  const outside = type === 'NodePort' || type === 'LoadBalancer';
  return {
    label: `${label}${entry === undefined ? '' : `:${entry.port}`}`,
    entryService: service,
    ...(entry === undefined ? {} : { entryPort: entry }),
    backend: { namespace, name, port: entry?.port ?? port ?? 0 },
    draft: outside
      ? {
          status: 'passed',
          summary: `Service ${namespace}/${name} is of type ${type}: it takes traffic from outside the cluster.`,
          evidence: [],
        }
      : {
          status: 'failed',
          summary: `Service ${namespace}/${name} is of type ${type}: nothing outside the cluster reaches it.`,
          evidence: [],
          fix: 'Set type: NodePort or LoadBalancer, or put an Ingress in front of it.',
          manifest: { kind: 'Service', namespace, name },
        },
  };
}

export function routeStage(input: ExternalInput): RouteStage {
  const { request } = input;
  switch (request.kind) {
    case 'url':
      return urlStage(input, request.url);
    case 'ingressRule':
      return ruleStage(input, request.namespace, request.name, request.ruleIndex, request.pathIndex ?? 0);
    case 'ingress':
      return ruleStage(input, request.namespace, request.name, undefined, 0);
    case 'ingressDefaultBackend':
      return defaultBackendStage(input, request.namespace, request.name);
    case 'nodePort':
      return nodePortStage(input, request.node, request.port);
    case 'service':
      return serviceStage(input, request.namespace, request.name, request.port);
    case 'httpRoute':
    case 'grpcRoute': {
      // core.ts diagnoses a route through its Gateway (gateway.ts); no Ingress serves it.
      const kind = request.kind === 'httpRoute' ? 'HTTPRoute' : 'GRPCRoute';
      return {
        label: `${kind} ${request.namespace}/${request.name}`,
        draft: {
          status: 'skipped',
          summary: `A ${kind} is served by a Gateway, not an Ingress.`,
          evidence: [],
        },
      };
    }
  }
}
