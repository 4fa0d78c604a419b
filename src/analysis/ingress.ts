/**
 * Ingress routing: which rule of which Ingress serves a request (host, path), following the
 * Kubernetes Ingress documentation (concepts/services-networking/ingress: "Path types",
 * "Examples", "Multiple matches", "Hostname wildcards", "Default backend") and, where the
 * documentation leaves the choice to the controller, ingress-nginx:
 *
 * - Class: an Ingress belongs to the class its `spec.ingressClassName` names, else to the class
 *   its deprecated `kubernetes.io/ingress.class` annotation names, else to the IngressClass marked
 *   default (`ingressclass.kubernetes.io/is-default-class: "true"`).
 * - Host first: a precise host equals the request's Host (case-insensitive, port dropped); a
 *   wildcard `*.foo.com` matches exactly one more DNS label (`bar.foo.com`, not `baz.bar.foo.com`
 *   nor `foo.com`). Precise hosts win over wildcards, wildcards over rules without a host; once
 *   a host has rules, rules without a host are not consulted for it (ingress-nginx gives each
 *   host its own server block; the host-less rules live in the catch-all one).
 * - Then paths, pooled across every Ingress of the class that has rules for the chosen host:
 *   Exact compares the whole path; Prefix compares `/`-separated elements, a trailing slash
 *   ignored on either side (`/foo` matches `/foo/bar`, not `/foobar`); ImplementationSpecific is
 *   read as Prefix (the sandbox's controller does so; ingress-nginx reads it as a string prefix
 *   or, with `use-regex`, a regular expression). The longest matching path wins, Exact over
 *   Prefix at equal length; a tie left after that goes to the oldest Ingress (as ingress-nginx
 *   resolves conflicting Ingresses), then namespace/name, rule index and path index.
 * - No path matches: the `spec.defaultBackend` of an Ingress with rules for the chosen host
 *   (the oldest such), or, when no host has rules for the request, the default backend of an
 *   Ingress without hosts (the oldest such); else nothing, and the controller answers from its
 *   own default backend (ingress-nginx: 404).
 *
 * No `vscode`, no network: the sandbox's Ingress controller routes with this, and a diagnosis
 * quotes the same answer, so the two cannot disagree about semantics.
 */
import type { ObjectMeta } from './k8s.ts';

// ---------------------------------------------------------------------------------------------
// networking.k8s.io/v1 shapes: every field a manifest may omit is optional, as in k8s.ts.

export type IngressPathType = 'Exact' | 'Prefix' | 'ImplementationSpecific';

export interface ServiceBackendPort {
  readonly name?: string;
  readonly number?: number;
}

export interface IngressServiceBackend {
  readonly name?: string;
  readonly port?: ServiceBackendPort;
}

export interface TypedLocalObjectReference {
  readonly apiGroup?: string;
  readonly kind?: string;
  readonly name?: string;
}

export interface IngressBackend {
  readonly service?: IngressServiceBackend;
  readonly resource?: TypedLocalObjectReference;
}

export interface HTTPIngressPath {
  readonly path?: string;
  /** Required in v1; a manifest being edited may leave it out (v1beta1 defaulted it to ImplementationSpecific). */
  readonly pathType?: string;
  readonly backend?: IngressBackend;
}

export interface IngressRule {
  readonly host?: string;
  readonly http?: { readonly paths?: readonly HTTPIngressPath[] };
}

export interface IngressTLS {
  readonly hosts?: readonly string[];
  readonly secretName?: string;
}

export interface IngressLoadBalancerIngress {
  readonly ip?: string;
  readonly hostname?: string;
  readonly ports?: readonly { readonly port: number; readonly protocol?: string; readonly error?: string }[];
}

export interface Ingress {
  readonly apiVersion?: string;
  readonly kind?: string;
  readonly metadata: ObjectMeta & { readonly creationTimestamp?: string };
  readonly spec?: {
    readonly ingressClassName?: string;
    readonly defaultBackend?: IngressBackend;
    readonly tls?: readonly IngressTLS[];
    readonly rules?: readonly IngressRule[];
  };
  readonly status?: { readonly loadBalancer?: { readonly ingress?: readonly IngressLoadBalancerIngress[] } };
}

export interface IngressClass {
  readonly apiVersion?: string;
  readonly kind?: string;
  readonly metadata: ObjectMeta;
  readonly spec?: {
    readonly controller?: string;
    readonly parameters?: Readonly<Record<string, unknown>>;
  };
}

export const DEFAULT_CLASS_ANNOTATION = 'ingressclass.kubernetes.io/is-default-class';
export const LEGACY_CLASS_ANNOTATION = 'kubernetes.io/ingress.class';

// ---------------------------------------------------------------------------------------------
// Classes

export interface IngressRef {
  readonly namespace: string;
  readonly name: string;
}

export function ingressRef(ingress: Ingress): IngressRef {
  return { namespace: ingress.metadata.namespace ?? 'default', name: ingress.metadata.name ?? '(unnamed)' };
}

function refText(ref: IngressRef): string {
  return `${ref.namespace}/${ref.name}`;
}

export function isDefaultIngressClass(ingressClass: IngressClass): boolean {
  return ingressClass.metadata.annotations?.[DEFAULT_CLASS_ANNOTATION] === 'true';
}

/** How an Ingress names its class, if it does; with none, which classes are default. */
export type IngressClassAssignment =
  | { readonly source: 'field' | 'annotation'; readonly className: string }
  | { readonly source: 'default'; readonly className: string }
  /** No class named, and several IngressClasses are marked default (admission refuses new Ingresses then). */
  | { readonly source: 'ambiguous-default'; readonly classNames: readonly string[] }
  | { readonly source: 'none' };

export function ingressClassOf(ingress: Ingress, classes: readonly IngressClass[]): IngressClassAssignment {
  const field = ingress.spec?.ingressClassName;
  if (field !== undefined && field !== '') {
    return { source: 'field', className: field };
  }
  const annotation = ingress.metadata.annotations?.[LEGACY_CLASS_ANNOTATION];
  if (annotation !== undefined && annotation !== '') {
    return { source: 'annotation', className: annotation };
  }
  const defaults = classes.filter(isDefaultIngressClass).map((c) => c.metadata.name ?? '');
  if (defaults.length === 1) {
    return { source: 'default', className: defaults[0]! };
  }
  if (defaults.length > 1) {
    return { source: 'ambiguous-default', classNames: defaults };
  }
  return { source: 'none' };
}

export interface ClassMembership {
  readonly members: readonly Ingress[];
  readonly excluded: readonly { readonly ingress: IngressRef; readonly reason: string }[];
}

/**
 * The Ingresses a controller serving `className` takes: those naming it in the field (when the
 * IngressClass exists), those naming it in the deprecated annotation (a controller matches the
 * annotation against its class name whether or not an IngressClass object exists, as
 * ingress-nginx does), and those naming nothing when `className` is marked default.
 */
export function ingressesOfClass(
  ingresses: readonly Ingress[],
  classes: readonly IngressClass[],
  className: string,
): ClassMembership {
  const exists = classes.some((c) => c.metadata.name === className);
  const members: Ingress[] = [];
  const excluded: Array<{ ingress: IngressRef; reason: string }> = [];
  for (const ingress of ingresses) {
    const assignment = ingressClassOf(ingress, classes);
    const ref = ingressRef(ingress);
    switch (assignment.source) {
      case 'field':
        if (assignment.className !== className) {
          excluded.push({ ingress: ref, reason: `its ingressClassName is "${assignment.className}"` });
        } else if (!exists) {
          excluded.push({
            ingress: ref,
            reason: `its ingressClassName "${className}" names no IngressClass that exists`,
          });
        } else {
          members.push(ingress);
        }
        break;
      case 'annotation':
        if (assignment.className === className) {
          members.push(ingress);
        } else {
          excluded.push({
            ingress: ref,
            reason: `its ${LEGACY_CLASS_ANNOTATION} annotation is "${assignment.className}"`,
          });
        }
        break;
      case 'default':
        if (assignment.className === className) {
          members.push(ingress);
        } else {
          excluded.push({
            ingress: ref,
            reason: `it names no class, and the default IngressClass is "${assignment.className}"`,
          });
        }
        break;
      case 'ambiguous-default':
        if (assignment.classNames.includes(className)) {
          members.push(ingress);
        } else {
          excluded.push({
            ingress: ref,
            reason: `it names no class, and the default IngressClasses are ${assignment.classNames.map((n) => `"${n}"`).join(', ')}`,
          });
        }
        break;
      case 'none':
        excluded.push({
          ingress: ref,
          reason:
            'it names no class (no ingressClassName, no annotation) and no IngressClass is marked default',
        });
        break;
    }
  }
  return { members, excluded };
}

// ---------------------------------------------------------------------------------------------
// Hosts

export type HostMatch = 'exact' | 'wildcard';

/**
 * The request's host as rules compare it: the Host header without its port, lower-case (DNS
 * names are case-insensitive), without a trailing dot; undefined when the request has none.
 */
export function normalizeRequestHost(host: string | undefined): string | undefined {
  if (host === undefined) {
    return undefined;
  }
  let bare = host.trim();
  if (bare.startsWith('[')) {
    const end = bare.indexOf(']');
    bare = end > 0 ? bare.slice(0, end + 1) : bare;
  } else {
    const colon = bare.lastIndexOf(':');
    if (colon >= 0 && bare.indexOf(':') === colon) {
      bare = bare.slice(0, colon);
    }
  }
  bare = bare.toLowerCase().replace(/\.$/, '');
  return bare === '' ? undefined : bare;
}

/** Whether a rule's host takes a request's host, and if not, why (a sentence to quote). */
export function matchHost(
  ruleHost: string,
  requestHost: string | undefined,
): { readonly match: HostMatch } | { readonly match: undefined; readonly reason: string } {
  const rule = ruleHost.toLowerCase();
  if (requestHost === undefined) {
    return {
      match: undefined,
      reason: `the request has no Host header, and the rule is for host ${ruleHost}`,
    };
  }
  if (!rule.startsWith('*.')) {
    return rule === requestHost
      ? { match: 'exact' }
      : { match: undefined, reason: `host ${requestHost} is not ${ruleHost}` };
  }
  const suffix = rule.slice(1); // ".foo.com"
  if (requestHost.endsWith(suffix)) {
    const label = requestHost.slice(0, -suffix.length);
    if (label !== '' && !label.includes('.')) {
      return { match: 'wildcard' };
    }
    if (label.includes('.')) {
      return {
        match: undefined,
        reason: `host ${requestHost} has ${label.split('.').length} labels before ${suffix.slice(1)}, and the wildcard ${ruleHost} covers exactly one`,
      };
    }
  }
  if (requestHost === suffix.slice(1)) {
    return {
      match: undefined,
      reason: `host ${requestHost} has no label before ${suffix.slice(1)}, and the wildcard ${ruleHost} needs exactly one`,
    };
  }
  return {
    match: undefined,
    reason: `host ${requestHost} is not under ${suffix.slice(1)} (rule ${ruleHost})`,
  };
}

// ---------------------------------------------------------------------------------------------
// Paths

/** The path of a request line or URL, without query or fragment; `/` when empty. */
export function normalizeRequestPath(path: string): string {
  const cut = path.search(/[?#]/);
  const bare = cut >= 0 ? path.slice(0, cut) : path;
  return bare === '' ? '/' : bare;
}

const UTF8 = new TextEncoder();

/**
 * The path as nginx matches it against locations (ngx_http_parse_complex_uri, merge_slashes on):
 * query dropped, %XX decoded, repeated slashes merged, `.` and `..` segments resolved. A `..` above
 * the root, or a `%` not followed by two hex digits, makes the request invalid (nginx answers 400).
 * ingress-nginx routes on this form and passes the path on to the backend as it was sent.
 */
export function normalizeUriPath(
  path: string,
): { readonly ok: true; readonly path: string } | { readonly ok: false; readonly reason: string } {
  const bare = normalizeRequestPath(path);
  if (/%(?![0-9a-fA-F]{2})/.test(bare)) {
    return { ok: false, reason: `invalid percent-encoding in ${bare}` };
  }
  const bytes: number[] = [];
  for (const piece of bare.split(/(%[0-9a-fA-F]{2})/)) {
    if (/^%[0-9a-fA-F]{2}$/.test(piece)) {
      bytes.push(parseInt(piece.slice(1), 16));
    } else {
      bytes.push(...UTF8.encode(piece));
    }
  }
  const decoded = new TextDecoder().decode(new Uint8Array(bytes));
  const segments: string[] = [];
  const parts = decoded.split('/').slice(1);
  let trailing = false;
  for (const [index, part] of parts.entries()) {
    const last = index === parts.length - 1;
    if (part === '' || part === '.') {
      trailing = last;
    } else if (part === '..') {
      if (segments.length === 0) {
        return { ok: false, reason: `${bare} climbs above the root` };
      }
      segments.pop();
      trailing = last;
    } else {
      segments.push(part);
      trailing = false;
    }
  }
  const joined = `/${segments.join('/')}`;
  return { ok: true, path: trailing && segments.length > 0 ? `${joined}/` : joined };
}

export type PathMatch =
  | {
      readonly matches: true;
      /** How it was compared: ImplementationSpecific is read as Prefix. */
      readonly as: 'Exact' | 'Prefix';
      /** The length that ranks it against other matches (Prefix: without its trailing slash). */
      readonly length: number;
    }
  | { readonly matches: false; readonly reason: string };

function elements(path: string): string[] {
  const parts = path.split('/').slice(1);
  while (parts.length > 0 && parts[parts.length - 1] === '') {
    parts.pop();
  }
  return parts;
}

/** Whether a rule path of a path type takes a request path, and if not, why. */
export function matchPath(
  rulePath: string | undefined,
  pathType: string | undefined,
  requestPath: string,
): PathMatch {
  const type = pathType ?? 'ImplementationSpecific';
  if (type !== 'Exact' && type !== 'Prefix' && type !== 'ImplementationSpecific') {
    return { matches: false, reason: `pathType "${type}" is none of Exact, Prefix, ImplementationSpecific` };
  }
  if (rulePath === undefined || rulePath === '') {
    if (type !== 'ImplementationSpecific') {
      return { matches: false, reason: `a ${type} path must be given` };
    }
    return { matches: true, as: 'Prefix', length: 0 };
  }
  if (!rulePath.startsWith('/')) {
    return { matches: false, reason: `path "${rulePath}" is not absolute (it must begin with "/")` };
  }
  if (type === 'Exact') {
    return rulePath === requestPath
      ? { matches: true, as: 'Exact', length: rulePath.length }
      : { matches: false, reason: `${requestPath} is not exactly ${rulePath} (Exact)` };
  }
  const rule = elements(rulePath);
  const request = elements(requestPath);
  const label = type === 'Prefix' ? 'Prefix' : 'ImplementationSpecific, read as Prefix';
  for (const [index, element] of rule.entries()) {
    const got = request[index];
    if (got === undefined) {
      return { matches: false, reason: `${requestPath} is shorter than ${rulePath} (${label})` };
    }
    if (got !== element) {
      const hint = got.startsWith(element)
        ? `: "${element}" is a string prefix of "${got}", not the whole path element`
        : `: element "${got}" is not "${element}"`;
      return { matches: false, reason: `${requestPath} is not under ${rulePath} (${label})${hint}` };
    }
  }
  const length = rule.length === 0 ? 0 : `/${rule.join('/')}`.length;
  return { matches: true, as: 'Prefix', length };
}

// ---------------------------------------------------------------------------------------------
// Backends

export type IngressBackendRef =
  | {
      readonly kind: 'service';
      /** The Ingress's namespace: a backend Service is always in it. */
      readonly namespace: string;
      readonly name: string;
      readonly port: { readonly number: number } | { readonly name: string };
    }
  | {
      readonly kind: 'resource';
      readonly namespace: string;
      readonly apiGroup: string | undefined;
      readonly resourceKind: string;
      readonly name: string;
    }
  | { readonly kind: 'invalid'; readonly reason: string };

export function backendRef(backend: IngressBackend | undefined, namespace: string): IngressBackendRef {
  if (backend === undefined) {
    return { kind: 'invalid', reason: 'the path has no backend' };
  }
  if (backend.service !== undefined && backend.resource !== undefined) {
    return { kind: 'invalid', reason: 'the backend names both a service and a resource' };
  }
  if (backend.resource !== undefined) {
    return {
      kind: 'resource',
      namespace,
      apiGroup: backend.resource.apiGroup,
      resourceKind: backend.resource.kind ?? '',
      name: backend.resource.name ?? '',
    };
  }
  const service = backend.service;
  if (service?.name === undefined || service.name === '') {
    return { kind: 'invalid', reason: 'the backend names no service' };
  }
  const port = service.port;
  const hasName = port?.name !== undefined && port.name !== '';
  const hasNumber = port?.number !== undefined && port.number !== 0;
  if (hasName === hasNumber) {
    return {
      kind: 'invalid',
      reason: `the backend's service port must give exactly one of name and number (it gives ${hasName ? 'both' : 'neither'})`,
    };
  }
  return {
    kind: 'service',
    namespace,
    name: service.name,
    port: hasName ? { name: port!.name! } : { number: port!.number! },
  };
}

export function backendText(backend: IngressBackendRef): string {
  switch (backend.kind) {
    case 'service':
      return `service ${backend.namespace}/${backend.name}:${'number' in backend.port ? backend.port.number : backend.port.name}`;
    case 'resource':
      return `resource ${backend.apiGroup ? `${backend.apiGroup}/` : ''}${backend.resourceKind} ${backend.namespace}/${backend.name}`;
    case 'invalid':
      return `an invalid backend (${backend.reason})`;
  }
}

// ---------------------------------------------------------------------------------------------
// Routing

export interface IngressRequest {
  /** The Host header as sent (a port is dropped); undefined when the request has none. */
  readonly host: string | undefined;
  /** The request target's path (a query string is dropped). */
  readonly path: string;
}

/**
 * A request from what a user types: `http://shop.example.com/api`, `shop.example.com/api?q=1`,
 * `https://shop.example.com:8443`. The host keeps no port (rules match host names only); a
 * missing path is `/`. Undefined when the text names no host.
 */
export function ingressRequestFromUrl(text: string): IngressRequest | undefined {
  const trimmed = text.trim();
  const withScheme = /^[a-z][a-z0-9+.-]*:\/\//i.test(trimmed) ? trimmed : `http://${trimmed}`;
  let url: URL;
  try {
    url = new URL(withScheme);
  } catch {
    return undefined;
  }
  if (url.hostname === '') {
    return undefined;
  }
  return { host: url.hostname, path: url.pathname === '' ? '/' : url.pathname };
}

/** One path of one rule of one Ingress, and how it compares with the request. */
export interface PathCandidate {
  readonly ingress: IngressRef;
  readonly ruleIndex: number;
  readonly pathIndex: number;
  readonly host: string | undefined;
  readonly path: string | undefined;
  readonly pathType: string | undefined;
  readonly match: PathMatch;
}

/** Why a rule, a path or the whole request found no route: a sentence a diagnosis can quote, with where it points. */
export interface NoMatchReason {
  readonly ingress?: IngressRef;
  readonly ruleIndex?: number;
  readonly pathIndex?: number;
  readonly message: string;
}

interface RouteBase {
  readonly request: { readonly host: string | undefined; readonly path: string };
  readonly ingressClass: string;
  /** The Ingresses of the class, oldest first. */
  readonly considered: readonly IngressRef[];
  readonly excluded: ClassMembership['excluded'];
  /** Which group of rules the host chose: precise, wildcard, host-less, or none. */
  readonly hostMatch: HostMatch | 'any' | undefined;
}

export type IngressRoute =
  | (RouteBase & {
      readonly kind: 'rule';
      readonly ingress: IngressRef;
      readonly ruleIndex: number;
      readonly pathIndex: number;
      /** The rule's host as written; undefined for a rule without host. */
      readonly host: string | undefined;
      readonly path: string;
      /** As written; a missing pathType is reported as ImplementationSpecific. */
      readonly pathType: IngressPathType;
      readonly matchedAs: 'Exact' | 'Prefix';
      readonly backend: IngressBackendRef;
      /** Other paths that match too but lose (shorter, Prefix against Exact, younger Ingress). */
      readonly shadowed: readonly PathCandidate[];
      /** One sentence: which rule and why. */
      readonly explanation: string;
    })
  | (RouteBase & {
      readonly kind: 'default-backend';
      readonly ingress: IngressRef;
      readonly backend: IngressBackendRef;
      /** `host`: the default backend of an Ingress with rules for the host; `catch-all`: of one without hosts. */
      readonly scope: 'host' | 'catch-all';
      /** Why no rule matched. */
      readonly reasons: readonly NoMatchReason[];
      readonly explanation: string;
    })
  | (RouteBase & {
      readonly kind: 'none';
      readonly reasons: readonly NoMatchReason[];
      readonly explanation: string;
    });

export interface RouteInput {
  readonly ingresses: readonly Ingress[];
  readonly ingressClasses: readonly IngressClass[];
  /** The class the controller serves (an IngressClass name). */
  readonly ingressClass: string;
  readonly request: IngressRequest;
}

function olderFirst(a: Ingress, b: Ingress): number {
  const ta = a.metadata.creationTimestamp;
  const tb = b.metadata.creationTimestamp;
  if (ta !== tb) {
    if (ta === undefined) {
      return 1;
    }
    if (tb === undefined) {
      return -1;
    }
    return ta < tb ? -1 : 1;
  }
  const ra = refText(ingressRef(a));
  const rb = refText(ingressRef(b));
  return ra < rb ? -1 : ra > rb ? 1 : 0;
}

function hostsOf(ingress: Ingress): string[] {
  return (ingress.spec?.rules ?? []).flatMap((rule) =>
    rule.host !== undefined && rule.host !== '' ? [rule.host] : [],
  );
}

function pathTypeName(pathType: string | undefined): IngressPathType {
  return pathType === 'Exact' || pathType === 'Prefix' ? pathType : 'ImplementationSpecific';
}

function describePath(candidate: PathCandidate): string {
  return `${candidate.path ?? '(no path)'} (${candidate.pathType ?? 'no pathType'}) in rule ${candidate.ruleIndex} of ${refText(candidate.ingress)}`;
}

/** Better first: longer, then Exact, then older Ingress (the order the candidates come in), rule, path. */
function compareMatches(a: PathCandidate, b: PathCandidate): number {
  const ma = a.match as Extract<PathMatch, { matches: true }>;
  const mb = b.match as Extract<PathMatch, { matches: true }>;
  if (ma.length !== mb.length) {
    return mb.length - ma.length;
  }
  if (ma.as !== mb.as) {
    return ma.as === 'Exact' ? -1 : 1;
  }
  return 0;
}

/**
 * Routes one request through the Ingresses of a class. Deterministic: the answer depends on the
 * objects, never on their order in the input.
 */
export function routeIngressRequest(input: RouteInput): IngressRoute {
  const host = normalizeRequestHost(input.request.host);
  const path = normalizeRequestPath(input.request.path);
  const { members: unsorted, excluded } = ingressesOfClass(
    input.ingresses,
    input.ingressClasses,
    input.ingressClass,
  );
  const members = [...unsorted].sort(olderFirst);
  const base = {
    request: { host, path },
    ingressClass: input.ingressClass,
    considered: members.map(ingressRef),
    excluded,
  };
  const reasons: NoMatchReason[] = [];
  if (members.length === 0) {
    const message =
      excluded.length === 0
        ? `no Ingress exists for class "${input.ingressClass}"`
        : `no Ingress belongs to class "${input.ingressClass}" (${excluded.map((e) => `${refText(e.ingress)}: ${e.reason}`).join('; ')})`;
    return {
      ...base,
      kind: 'none',
      hostMatch: undefined,
      reasons: [{ message }],
      explanation: `${message}; the controller answers from its own default backend`,
    };
  }

  // Host first: every rule goes into the group its host match puts it in.
  const groups: Record<
    HostMatch | 'any',
    Array<{ ingress: Ingress; ruleIndex: number; rule: IngressRule }>
  > = {
    exact: [],
    wildcard: [],
    any: [],
  };
  const hostMisses: NoMatchReason[] = [];
  for (const ingress of members) {
    for (const [ruleIndex, rule] of (ingress.spec?.rules ?? []).entries()) {
      if (rule.host === undefined || rule.host === '') {
        groups.any.push({ ingress, ruleIndex, rule });
        continue;
      }
      const result = matchHost(rule.host, host);
      if (result.match === undefined) {
        hostMisses.push({ ingress: ingressRef(ingress), ruleIndex, message: result.reason });
      } else {
        groups[result.match].push({ ingress, ruleIndex, rule });
      }
    }
  }
  const hostMatch: HostMatch | 'any' | undefined =
    groups.exact.length > 0
      ? 'exact'
      : groups.wildcard.length > 0
        ? 'wildcard'
        : groups.any.length > 0
          ? 'any'
          : undefined;

  const candidates: PathCandidate[] = [];
  if (hostMatch !== undefined) {
    for (const { ingress, ruleIndex, rule } of groups[hostMatch]) {
      const paths = rule.http?.paths ?? [];
      if (paths.length === 0) {
        reasons.push({
          ingress: ingressRef(ingress),
          ruleIndex,
          message: `rule ${ruleIndex} of ${refText(ingressRef(ingress))} has no http paths`,
        });
      }
      for (const [pathIndex, entry] of paths.entries()) {
        candidates.push({
          ingress: ingressRef(ingress),
          ruleIndex,
          pathIndex,
          host: rule.host === '' ? undefined : rule.host,
          path: entry.path,
          pathType: entry.pathType,
          match: matchPath(entry.path, entry.pathType, path),
        });
      }
    }
  }
  // Candidates come oldest Ingress first, then rule and path order; the sort is stable.
  const matching = candidates.filter((c) => c.match.matches).sort(compareMatches);
  const winner = matching[0];
  if (winner !== undefined && winner.match.matches) {
    const ingress = members.find((m) => refText(ingressRef(m)) === refText(winner.ingress))!;
    const entry = ingress.spec!.rules![winner.ruleIndex]!.http!.paths![winner.pathIndex]!;
    const hostText =
      hostMatch === 'any'
        ? 'no rule names this host; the rules without host take it'
        : `host ${host} matches ${winner.host}${hostMatch === 'wildcard' ? ' (wildcard)' : ''}`;
    const losers = matching.slice(1);
    return {
      ...base,
      kind: 'rule',
      hostMatch,
      ingress: winner.ingress,
      ruleIndex: winner.ruleIndex,
      pathIndex: winner.pathIndex,
      host: winner.host,
      path: entry.path ?? '/',
      pathType: pathTypeName(entry.pathType),
      matchedAs: winner.match.as,
      backend: backendRef(entry.backend, winner.ingress.namespace),
      shadowed: losers,
      explanation:
        `${hostText}; path ${describePath(winner)} is the ${losers.length > 0 ? 'best' : 'only'} match for ${path}` +
        (losers.length > 0 ? ` (also matching: ${losers.map(describePath).join(', ')})` : ''),
    };
  }

  // No rule: say why, then look for a default backend.
  if (hostMatch === undefined) {
    reasons.push(
      host === undefined
        ? { message: 'the request has no Host header and every rule names a host' }
        : {
            message: `no rule of class "${input.ingressClass}" is for host ${host}, and no rule is without host`,
          },
      ...hostMisses,
    );
  } else {
    for (const candidate of candidates) {
      if (!candidate.match.matches) {
        reasons.push({
          ingress: candidate.ingress,
          ruleIndex: candidate.ruleIndex,
          pathIndex: candidate.pathIndex,
          message: `${describePath(candidate)}: ${candidate.match.reason}`,
        });
      }
    }
    if (hostMatch !== 'any' && groups.any.length > 0) {
      reasons.push({
        message: `rules without host (${groups.any.map((r) => `rule ${r.ruleIndex} of ${refText(ingressRef(r.ingress))}`).join(', ')}) are not consulted: host ${host} has rules of its own`,
      });
    }
  }
  const hostIngresses =
    hostMatch === 'exact' || hostMatch === 'wildcard'
      ? members.filter((m) => groups[hostMatch].some((r) => r.ingress === m))
      : [];
  const hostDefault = hostIngresses.find((m) => m.spec?.defaultBackend !== undefined);
  const catchAll =
    hostIngresses.length > 0
      ? undefined
      : members.find((m) => m.spec?.defaultBackend !== undefined && hostsOf(m).length === 0);
  const chosen = hostDefault ?? catchAll;
  if (chosen !== undefined) {
    const ref = ingressRef(chosen);
    const backend = backendRef(chosen.spec!.defaultBackend, ref.namespace);
    return {
      ...base,
      kind: 'default-backend',
      hostMatch,
      ingress: ref,
      backend,
      scope: hostDefault !== undefined ? 'host' : 'catch-all',
      reasons,
      explanation: `no rule matches ${host ?? '(no host)'}${path}; the default backend of ${refText(ref)} (${backendText(backend)}) takes it`,
    };
  }
  const withDefaults = members.filter((m) => m.spec?.defaultBackend !== undefined);
  const scoped = withDefaults.map((m) => refText(ingressRef(m))).join(', ');
  reasons.push({
    message:
      withDefaults.length === 0
        ? `no Ingress of class "${input.ingressClass}" has a defaultBackend`
        : hostIngresses.length > 0
          ? `no Ingress with rules for host ${host} has a defaultBackend (that of ${scoped} serves other requests)`
          : `the defaultBackend of ${scoped} serves only the hosts of its own rules`,
  });
  return {
    ...base,
    kind: 'none',
    hostMatch,
    reasons,
    explanation: `no rule matches ${host ?? '(no host)'}${path} and no default backend applies; the controller answers from its own default backend`,
  };
}
