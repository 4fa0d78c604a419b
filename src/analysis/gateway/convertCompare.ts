/**
 * The check behind "Convert to Gateway API": route a generated set of requests (every host and
 * path of the Ingress, their neighbours: a trailing slash, a sub-path, a string-prefix sibling,
 * the parent, an unmatched path and host, an extra label under a wildcard) through the Ingress
 * (../ingress.ts, the semantics the sandbox's Ingress controller routes by) and through its
 * HTTPRoute(s) on a Gateway (routing.ts), and list every request they route differently, with
 * the cause named: a regex path, an ImplementationSpecific path, the default backend, a wildcard
 * host, host-less rules, a named port. Controller annotations do not change which backend a
 * request reaches in this model, so they are listed beside the table (`annotations`), and
 * ingress-nginx's that change what a request gets (rewrite-target, ssl-redirect, canary, …) are
 * named on every request they touch (in `sameWithCaveats` when the backend is the same).
 */
import { matchHost, routeIngressRequest } from '../ingress.ts';
import type { Ingress, IngressBackendRef, IngressRoute } from '../ingress.ts';
import type { Service } from '../k8s.ts';
import type { ConversionNote, IngressConversion } from './convert.ts';
import { looksLikeRegex } from './convert.ts';
import { buildGatewayRouteTable, routeGatewayRequest } from './routing.ts';
import type { GatewayRouteDecision } from './routing.ts';
import type { Gateway, GatewayWorld } from './types.ts';

export interface GeneratedRequest {
  readonly host: string | undefined;
  readonly path: string;
}

/** Where a request ends: a Service and port (number), a status the proxy answers, or an invalid backend. */
export type RouteOutcome =
  | {
      readonly kind: 'service';
      readonly namespace: string;
      readonly name: string;
      readonly port: number | string;
    }
  | { readonly kind: 'status'; readonly status: 404 | 500 }
  | { readonly kind: 'invalid'; readonly text: string };

export interface ComparedRequest extends GeneratedRequest {
  readonly ingress: RouteOutcome;
  readonly gateway: RouteOutcome;
  readonly same: boolean;
  /** What made them differ, or what makes their agreement implementation-dependent. */
  readonly causes: readonly string[];
  readonly ingressExplanation: string;
  readonly gatewayExplanation: string;
}

export interface RouteTableComparison {
  readonly requests: readonly ComparedRequest[];
  /** Requests routed differently. */
  readonly differences: readonly ComparedRequest[];
  /** Requests routed the same, with something worth naming (a regex, ImplementationSpecific, the default backend, an annotation). */
  readonly sameWithCaveats: readonly ComparedRequest[];
  /** The controller annotations the conversion did not carry over, each named (also in IngressConversion.notes). */
  readonly annotations: readonly ConversionNote[];
}

const UNMATCHED_HOST = 'unmatched-host.invalid';
const UNMATCHED_PATH = '/kubereach-unmatched-path';
const REGEX_CHARS = /[\^$*+?()[\]{}|\\]/g;

/** A path the regular expression likely matches: common classes replaced by a sample character. */
function regexSample(pattern: string): string {
  const sample = pattern
    .replace(/\[0-9\]\+|\\d\+|\[0-9\]\*|\\d\*|\[0-9\]/g, '1')
    .replace(/\[a-z[^\]]*\][+*]?|\\w[+*]?/g, 'a')
    .replace(/\.[+*]/g, 'x')
    .replace(/\(\?:|\(|\)|\|.*$/g, '')
    .replace(REGEX_CHARS, '');
  return sample.startsWith('/') ? sample : `/${sample}`;
}

/** The requests worth comparing for an Ingress: its hosts and paths and their neighbours. */
export function generateRequests(ingress: Ingress): GeneratedRequest[] {
  const hosts = new Set<string | undefined>();
  const paths = new Set<string>(['/', UNMATCHED_PATH]);
  for (const rule of ingress.spec?.rules ?? []) {
    const host = rule.host;
    if (host === undefined || host === '') {
      hosts.add(UNMATCHED_HOST);
    } else if (host.startsWith('*.')) {
      const suffix = host.slice(2);
      hosts.add(`one.${suffix}`);
      hosts.add(`two.labels.${suffix}`);
      hosts.add(suffix);
    } else {
      hosts.add(host);
    }
    for (const entry of rule.http?.paths ?? []) {
      const path = entry.path;
      if (path === undefined || path === '' || !path.startsWith('/')) {
        continue;
      }
      if (looksLikeRegex(path)) {
        paths.add(regexSample(path));
        continue;
      }
      const bare = path.length > 1 ? path.replace(/\/+$/, '') : path;
      paths.add(path);
      paths.add(bare);
      paths.add(`${bare === '/' ? '' : bare}/sub`);
      if (bare !== '/') {
        paths.add(`${bare}/`);
        paths.add(`${bare}x`);
        paths.add(bare.slice(0, bare.lastIndexOf('/')) || '/');
      }
    }
  }
  hosts.add(UNMATCHED_HOST);
  const requests: GeneratedRequest[] = [];
  for (const host of hosts) {
    for (const path of paths) {
      requests.push({ host, path });
    }
  }
  return requests;
}

function portOf(
  service: { readonly namespace: string; readonly name: string },
  port: { readonly number: number } | { readonly name: string },
  services: readonly Service[],
): number | string {
  if ('number' in port) {
    return port.number;
  }
  const found = services
    .find(
      (s) => (s.metadata.namespace ?? 'default') === service.namespace && s.metadata.name === service.name,
    )
    ?.spec?.ports?.find((p) => p.name === port.name);
  return found?.port ?? port.name;
}

function ingressBackendOutcome(backend: IngressBackendRef, services: readonly Service[]): RouteOutcome {
  if (backend.kind === 'service') {
    return {
      kind: 'service',
      namespace: backend.namespace,
      name: backend.name,
      port: portOf(backend, backend.port, services),
    };
  }
  if (backend.kind === 'resource') {
    return { kind: 'invalid', text: `resource ${backend.resourceKind} ${backend.name}` };
  }
  return { kind: 'invalid', text: backend.reason };
}

function ingressOutcome(route: IngressRoute, services: readonly Service[]): RouteOutcome {
  return route.kind === 'none'
    ? { kind: 'status', status: 404 }
    : ingressBackendOutcome(route.backend, services);
}

function gatewayOutcome(decision: GatewayRouteDecision): RouteOutcome {
  if (decision.kind !== 'routed') {
    return { kind: 'status', status: 404 };
  }
  const outcome = decision.backends.outcome;
  if (outcome.kind === 'filter') {
    return { kind: 'invalid', text: `filters ${outcome.filters.join(', ')}` };
  }
  if (outcome.kind === 'error') {
    // Answered 500; it compares with an Ingress backend that is invalid too.
    return { kind: 'invalid', text: outcome.message };
  }
  const first = decision.backends.backends.find((b) => b.share > 0);
  if (first === undefined) {
    return { kind: 'status', status: 500 };
  }
  if (first.backend.state === 'invalid') {
    // An invalid backendRef is answered 500; it compares with the Ingress's invalid backend.
    return { kind: 'invalid', text: first.backend.message };
  }
  return {
    kind: 'service',
    namespace: first.backend.service.namespace,
    name: first.backend.service.name,
    port: first.backend.port,
  };
}

export function outcomeText(outcome: RouteOutcome): string {
  switch (outcome.kind) {
    case 'service':
      return `Service ${outcome.namespace}/${outcome.name}:${outcome.port}`;
    case 'status':
      return `${outcome.status}`;
    case 'invalid':
      return `invalid backend (${outcome.text})`;
  }
}

function sameOutcome(a: RouteOutcome, b: RouteOutcome): boolean {
  return (a.kind === 'invalid' && b.kind === 'invalid') || outcomeText(a) === outcomeText(b);
}

/** Why the two answers differ (or hang on the implementation), named. */
function causesOf(
  ingress: Ingress,
  conversion: IngressConversion,
  request: GeneratedRequest,
  route: IngressRoute,
  decision: GatewayRouteDecision,
): string[] {
  const causes: string[] = [];
  if (route.kind === 'rule') {
    const entry = ingress.spec?.rules?.[route.ruleIndex]?.http?.paths?.[route.pathIndex];
    if (route.pathType === 'ImplementationSpecific') {
      causes.push(
        looksLikeRegex(route.path)
          ? `regex path ${route.path} (ImplementationSpecific): its meaning is the controller's, and RegularExpression matches are implementation-specific`
          : `ImplementationSpecific path ${route.path}: read as a prefix by element here, as a string prefix by ingress-nginx`,
      );
    }
    const portName = entry?.backend?.service?.port?.name;
    if (portName !== undefined && portName !== '') {
      causes.push(`named port ${portName} became a number`);
    }
  }
  if (route.kind === 'default-backend') {
    causes.push(
      `the Ingress's default backend (${route.scope === 'host' ? 'for its own hosts' : 'catch-all'}) served this`,
    );
  }
  if (decision.kind === 'routed') {
    if (decision.implementationSpecific.length > 0) {
      causes.push(
        `implementation-specific in the Gateway API: ${decision.implementationSpecific.join(', ')}`,
      );
    }
    if (decision.hostnameFallback !== undefined) {
      causes.push(`host-less rules: ${decision.hostnameFallback}`);
    }
    const converted = conversion.httpRoutes.find(
      (r) => r.metadata.name === decision.route.name && r.metadata.namespace === decision.route.namespace,
    );
    const lastRule = (converted?.spec?.rules?.length ?? 0) - 1;
    if (ingress.spec?.defaultBackend !== undefined && decision.ruleIndex === lastRule) {
      causes.push(
        `the defaultBackend, converted to the last rule (PathPrefix /) of HTTPRoute ${decision.route.name}`,
      );
    }
  }
  const rules = ingress.spec?.rules ?? [];
  for (const rule of rules) {
    if (
      rule.host?.startsWith('*.') &&
      request.host !== undefined &&
      request.host.endsWith(rule.host.slice(1))
    ) {
      const match = matchHost(rule.host, request.host);
      if (match.match === undefined) {
        causes.push(
          `wildcard host ${rule.host}: one label in an Ingress, one or more in an HTTPRoute (${match.reason})`,
        );
      }
    }
  }
  if (
    route.kind !== 'rule' &&
    (route.hostMatch === 'exact' || route.hostMatch === 'wildcard') &&
    decision.kind === 'routed' &&
    decision.hostname === undefined
  ) {
    causes.push(
      'host-less rules: an Ingress does not consult them for a host that has rules of its own; an HTTPRoute without hostnames takes what the host routes do not match',
    );
  }
  return [...new Set(causes)];
}

const NGINX = 'nginx.ingress.kubernetes.io/';

/**
 * What ingress-nginx's annotations did to this request that an HTTPRoute will not: the routing
 * model above does not apply them, so they are named on every request they touch.
 */
function annotationCauses(ingress: Ingress, request: GeneratedRequest, route: IngressRoute): string[] {
  const annotations = ingress.metadata.annotations ?? {};
  const nginx = (name: string): string | undefined => annotations[`${NGINX}${name}`];
  const isNginx =
    Object.keys(annotations).some((k) => k.startsWith(NGINX)) ||
    /nginx/.test(ingress.spec?.ingressClassName ?? annotations['kubernetes.io/ingress.class'] ?? '');
  const causes: string[] = [];
  if (!isNginx) {
    return causes;
  }
  const permanent = nginx('permanent-redirect');
  const temporal = nginx('temporal-redirect');
  if (permanent !== undefined || temporal !== undefined) {
    causes.push(
      `${NGINX}${permanent !== undefined ? 'permanent-redirect' : 'temporal-redirect'}: ingress-nginx redirects every request of this Ingress to ${permanent ?? temporal}; the HTTPRoute forwards it`,
    );
  }
  const tlsHosts = (ingress.spec?.tls ?? []).flatMap((t) => t.hosts ?? []);
  const forced = nginx('force-ssl-redirect') === 'true';
  const sslRedirect =
    nginx('ssl-redirect') !== 'false' && request.host !== undefined && tlsHosts.includes(request.host);
  if (forced || sslRedirect) {
    causes.push(
      `${forced ? `${NGINX}force-ssl-redirect` : `ssl-redirect (on by default for a TLS host)`}: ingress-nginx answers this plain-HTTP request with a 308 redirect to https; the HTTPRoute serves it on http (add an HTTPRoute with a RequestRedirect filter on the http listener)`,
    );
  }
  const rewrite = nginx('rewrite-target');
  if (rewrite !== undefined && route.kind !== 'none') {
    causes.push(
      `${NGINX}rewrite-target "${rewrite}": under ingress-nginx the backend received the rewritten path; the HTTPRoute sends the request's path unchanged`,
    );
  }
  if (nginx('canary') === 'true') {
    causes.push(
      `${NGINX}canary: this Ingress took only a share of its main Ingress's traffic; the HTTPRoute takes all of it (merge the two as weighted backendRefs)`,
    );
  }
  const appRoot = nginx('app-root');
  if (appRoot !== undefined && request.path === '/') {
    causes.push(`${NGINX}app-root: ingress-nginx redirects / to ${appRoot}; the HTTPRoute forwards it`);
  }
  return causes;
}

/** The conversion's Gateway, or one HTTP listener on port 80 taking routes from all namespaces. */
function comparisonGateway(conversion: IngressConversion): Gateway {
  return (
    conversion.gateway ?? {
      metadata: { name: conversion.parent.name, namespace: conversion.parent.namespace },
      spec: {
        gatewayClassName: 'comparison',
        listeners: [
          { name: 'http', port: 80, protocol: 'HTTP', allowedRoutes: { namespaces: { from: 'All' } } },
        ],
      },
    }
  );
}

/**
 * Routes every request through the Ingress alone (as the only member of its class) and through
 * its conversion on port 80, and lists where they differ.
 */
export function compareIngressConversion(input: {
  readonly ingress: Ingress;
  readonly conversion: IngressConversion;
  readonly services?: readonly Service[];
  readonly requests?: readonly GeneratedRequest[];
}): RouteTableComparison {
  const services = input.services ?? [];
  const className = 'kubereach-comparison';
  const ingress: Ingress = { ...input.ingress, spec: { ...input.ingress.spec, ingressClassName: className } };
  const gateway = comparisonGateway(input.conversion);
  const world: GatewayWorld = {
    gatewayClasses: [],
    gateways: [gateway],
    httpRoutes: input.conversion.httpRoutes,
    grpcRoutes: [],
    referenceGrants: [],
    services,
    namespaces: [],
  };
  const table = buildGatewayRouteTable(gateway, world);
  const requests = (input.requests ?? generateRequests(input.ingress)).map((request): ComparedRequest => {
    const route = routeIngressRequest({
      ingresses: [ingress],
      ingressClasses: [{ metadata: { name: className } }],
      ingressClass: className,
      request,
    });
    const decision = routeGatewayRequest(table, { host: request.host, port: 80, path: request.path });
    const a = ingressOutcome(route, services);
    const b = gatewayOutcome(decision);
    return {
      ...request,
      ingress: a,
      gateway: b,
      same: sameOutcome(a, b),
      causes: [
        ...causesOf(input.ingress, input.conversion, request, route, decision),
        ...annotationCauses(input.ingress, request, route),
      ],
      ingressExplanation: route.explanation,
      gatewayExplanation: decision.explanation,
    };
  });
  return {
    requests,
    differences: requests.filter((r) => !r.same),
    sameWithCaveats: requests.filter((r) => r.same && r.causes.length > 0),
    annotations: input.conversion.notes.filter((n) => n.kind === 'annotation'),
  };
}

export interface DifferenceGroup {
  /** The cause, or "unexplained" when no cause was found (a bug to report). */
  readonly cause: string;
  /** "host/path: Ingress → HTTPRoute" for each request of the group. */
  readonly requests: readonly string[];
}

/** Requests grouped by cause (a request with several causes is in each group), most requests first. */
export function groupByCause(requests: readonly ComparedRequest[]): DifferenceGroup[] {
  const groups = new Map<string, string[]>();
  for (const request of requests) {
    const line = `${request.host ?? '(no host)'}${request.path}: ${outcomeText(request.ingress)}${request.same ? '' : ` → ${outcomeText(request.gateway)}`}`;
    for (const cause of request.causes.length > 0 ? request.causes : ['unexplained']) {
      groups.set(cause, [...(groups.get(cause) ?? []), line]);
    }
  }
  return [...groups.entries()]
    .map(([cause, lines]) => ({ cause, requests: lines }))
    .sort((a, b) => b.requests.length - a.requests.length || (a.cause < b.cause ? -1 : 1));
}

/** The differences grouped by cause, most requests first. */
export function groupDifferences(comparison: RouteTableComparison): DifferenceGroup[] {
  return groupByCause(comparison.differences);
}
