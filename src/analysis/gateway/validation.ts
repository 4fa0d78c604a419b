/**
 * Static checks of Gateway, HTTPRoute and GRPCRoute manifests, on the object alone: what the
 * CRDs' schema and CEL rules refuse (apis/v1/*_types.go; messages quoted where the CRD has one),
 * and what the API accepts but routes surprisingly (a regex match, weights that are all zero,
 * kinds a listener's protocol does not take). Each problem carries the JSON path of the field,
 * so the language server can point at it.
 */
import { validateHostname } from './hostnames.ts';
import { DEFAULT_CAPABILITIES, kindText, listenerKinds } from './listeners.ts';
import type { GatewayCapabilities } from './listeners.ts';
import type { BackendRef, Gateway, GRPCRoute, HTTPRoute, ParentReference, RouteFilter } from './types.ts';

export interface ManifestProblem {
  /** JSON path from the object's root: ['spec', 'listeners', 0, 'hostname']. */
  readonly path: readonly (string | number)[];
  readonly severity: 'error' | 'warning';
  readonly message: string;
}

const SECTION_NAME_RE = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const HEADER_NAME_RE = /^[A-Za-z0-9!#$%&'*+\-.^_`|~]+$/;
const PATH_CHARS_RE = /^(?:[-A-Za-z0-9/._~!$&'()*+,;=:@]|%[0-9a-fA-F]{2})+$/;
const METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'DELETE', 'CONNECT', 'OPTIONS', 'TRACE', 'PATCH'];
const MAX_WEIGHT = 1_000_000;

function error(path: readonly (string | number)[], message: string): ManifestProblem {
  return { path, severity: 'error', message };
}

function warning(path: readonly (string | number)[], message: string): ManifestProblem {
  return { path, severity: 'warning', message };
}

// ---------------------------------------------------------------------------------------------
// Gateway

/** The checks of a Gateway on its own. */
export function validateGateway(
  gateway: Gateway,
  capabilities: GatewayCapabilities = DEFAULT_CAPABILITIES,
): ManifestProblem[] {
  const problems: ManifestProblem[] = [];
  if (gateway.spec?.gatewayClassName === undefined || gateway.spec.gatewayClassName === '') {
    problems.push(error(['spec', 'gatewayClassName'], 'spec.gatewayClassName is required'));
  }
  const listeners = gateway.spec?.listeners ?? [];
  if (listeners.length === 0) {
    problems.push(error(['spec', 'listeners'], 'at least one listener is required'));
  }
  if (listeners.length > 64) {
    problems.push(error(['spec', 'listeners'], `at most 64 listeners (${listeners.length} given)`));
  }
  const names = new Map<string, number>();
  const combos = new Map<string, number>();
  for (const [index, listener] of listeners.entries()) {
    const at = ['spec', 'listeners', index];
    if (!SECTION_NAME_RE.test(listener.name ?? '')) {
      problems.push(
        error(
          [...at, 'name'],
          `listener name "${listener.name ?? ''}" must be a lower-case RFC 1123 subdomain`,
        ),
      );
    }
    const first = names.get(listener.name);
    if (first !== undefined) {
      problems.push(
        error(
          [...at, 'name'],
          `Listener name must be unique within the Gateway (listener ${first} is also "${listener.name}")`,
        ),
      );
    } else {
      names.set(listener.name, index);
    }
    if (!Number.isInteger(listener.port) || listener.port < 1 || listener.port > 65535) {
      problems.push(error([...at, 'port'], `port ${String(listener.port)} is not between 1 and 65535`));
    }
    const protocol = listener.protocol;
    if (listener.hostname !== undefined && listener.hostname !== '') {
      if (protocol === 'TCP' || protocol === 'UDP') {
        problems.push(
          error([...at, 'hostname'], "hostname must not be specified for protocols ['TCP', 'UDP']"),
        );
      }
      for (const message of validateHostname(listener.hostname)) {
        problems.push(error([...at, 'hostname'], message));
      }
    }
    if (listener.tls !== undefined && (protocol === 'HTTP' || protocol === 'TCP' || protocol === 'UDP')) {
      problems.push(error([...at, 'tls'], "tls must not be specified for protocols ['HTTP', 'TCP', 'UDP']"));
    }
    if (protocol === 'HTTPS') {
      if (listener.tls?.mode !== undefined && listener.tls.mode !== 'Terminate') {
        problems.push(error([...at, 'tls', 'mode'], 'tls mode must be Terminate for protocol HTTPS'));
      }
      if ((listener.tls?.certificateRefs ?? []).length === 0) {
        problems.push(
          warning(
            [...at, 'tls'],
            'an HTTPS listener needs a certificateRef (the listener is not programmed without one)',
          ),
        );
      }
    }
    if (protocol === 'TLS' && (listener.tls?.mode === undefined || listener.tls.mode === '')) {
      problems.push(error([...at, 'tls'], 'tls mode must be set for protocol TLS'));
    }
    const combo = `${listener.port}/${protocol}/${listener.hostname ?? ''}`;
    const same = combos.get(combo);
    if (same !== undefined) {
      problems.push(
        error(
          at,
          `Combination of port, protocol and hostname must be unique for each listener (listener ${same} has the same)`,
        ),
      );
    } else {
      combos.set(combo, index);
    }
    const from = listener.allowedRoutes?.namespaces?.from;
    if (from === 'Selector' && listener.allowedRoutes?.namespaces?.selector === undefined) {
      problems.push(
        error(
          [...at, 'allowedRoutes', 'namespaces'],
          'allowedRoutes.namespaces.from is Selector but no selector is given',
        ),
      );
    }
    const kinds = listenerKinds(listener, capabilities);
    if (!kinds.protocolSupported) {
      problems.push(
        warning(
          [...at, 'protocol'],
          `protocol ${protocol} is not one KubeReach knows (HTTP, HTTPS, TLS, TCP, UDP)`,
        ),
      );
    } else if (kinds.invalid.length > 0) {
      problems.push(
        warning(
          [...at, 'allowedRoutes', 'kinds'],
          `route kinds ${kinds.invalid.map(kindText).join(', ')} are not supported on protocol ${protocol} (listener ResolvedRefs False, InvalidRouteKinds)`,
        ),
      );
    }
  }
  return problems;
}

// ---------------------------------------------------------------------------------------------
// Routes

function validateHostnames(hostnames: readonly string[] | undefined): ManifestProblem[] {
  const problems: ManifestProblem[] = [];
  if ((hostnames ?? []).length > 16) {
    problems.push(error(['spec', 'hostnames'], `at most 16 hostnames (${hostnames!.length} given)`));
  }
  for (const [index, hostname] of (hostnames ?? []).entries()) {
    for (const message of validateHostname(hostname)) {
      problems.push(error(['spec', 'hostnames', index], message));
    }
  }
  return problems;
}

function parentKey(ref: ParentReference): string {
  return `${ref.group ?? ''}/${ref.kind ?? 'Gateway'}/${ref.namespace ?? ''}/${ref.name}`;
}

function validateParentRefs(parentRefs: readonly ParentReference[] | undefined): ManifestProblem[] {
  const problems: ManifestProblem[] = [];
  const refs = parentRefs ?? [];
  if (refs.length === 0) {
    problems.push(warning(['spec', 'parentRefs'], 'the route names no parentRefs: no Gateway serves it'));
  }
  const byParent = new Map<string, number[]>();
  for (const [index, ref] of refs.entries()) {
    byParent.set(parentKey(ref), [...(byParent.get(parentKey(ref)) ?? []), index]);
  }
  for (const indexes of byParent.values()) {
    if (indexes.length < 2) {
      continue;
    }
    const sections = indexes.map((i) => refs[i]!.sectionName ?? '');
    if (sections.some((s) => s === '')) {
      problems.push(
        error(
          ['spec', 'parentRefs', indexes[1]!],
          'sectionName must be specified when parentRefs includes 2 or more references to the same parent',
        ),
      );
    } else if (new Set(sections).size < sections.length) {
      problems.push(
        error(
          ['spec', 'parentRefs', indexes[1]!],
          'sectionName must be unique when parentRefs includes 2 or more references to the same parent',
        ),
      );
    }
  }
  return problems;
}

function validateBackendRefs(
  backendRefs: readonly BackendRef[] | undefined,
  filters: readonly RouteFilter[] | undefined,
  at: readonly (string | number)[],
): ManifestProblem[] {
  const problems: ManifestProblem[] = [];
  const refs = backendRefs ?? [];
  for (const [index, ref] of refs.entries()) {
    const here = [...at, 'backendRefs', index];
    if ((ref.group ?? '') === '' && (ref.kind ?? 'Service') === 'Service' && ref.port === undefined) {
      problems.push(
        error(here, 'Must have port for Service reference (the Service port, not the target port)'),
      );
    }
    if (
      ref.weight !== undefined &&
      (!Number.isInteger(ref.weight) || ref.weight < 0 || ref.weight > MAX_WEIGHT)
    ) {
      problems.push(error([...here, 'weight'], `weight must be an integer between 0 and ${MAX_WEIGHT}`));
    }
  }
  if (refs.length > 0 && refs.every((ref) => (ref.weight ?? 1) === 0)) {
    problems.push(
      warning(
        [...at, 'backendRefs'],
        'every backendRef has weight 0: no backend takes traffic, and requests are answered 500',
      ),
    );
  }
  if (refs.length > 0 && (filters ?? []).some((f) => f.type === 'RequestRedirect')) {
    problems.push(
      error([...at, 'filters'], 'RequestRedirect filter must not be used together with backendRefs'),
    );
  }
  return problems;
}

function validateHeaders(
  headers: readonly { readonly name: string; readonly type?: string }[] | undefined,
  at: readonly (string | number)[],
  field: 'headers' | 'queryParams',
): ManifestProblem[] {
  const problems: ManifestProblem[] = [];
  const seen = new Set<string>();
  for (const [index, header] of (headers ?? []).entries()) {
    const here = [...at, field, index];
    if (!HEADER_NAME_RE.test(header.name ?? '')) {
      problems.push(
        error(
          [...here, 'name'],
          `"${header.name ?? ''}" is not a valid ${field === 'headers' ? 'header' : 'query param'} name`,
        ),
      );
    }
    const key = field === 'headers' ? (header.name ?? '').toLowerCase() : (header.name ?? '');
    if (seen.has(key)) {
      problems.push(
        warning(
          [...here, 'name'],
          `${field === 'headers' ? 'header' : 'query param'} ${header.name} is matched twice: only the first entry counts`,
        ),
      );
    }
    seen.add(key);
    const type = header.type ?? 'Exact';
    if (type === 'RegularExpression') {
      problems.push(
        warning(
          [...here, 'type'],
          'a RegularExpression match is implementation-specific (dialect and support vary)',
        ),
      );
    } else if (type !== 'Exact') {
      problems.push(
        error(
          [...here, 'type'],
          `type "${type}" is none of Exact, RegularExpression (Accepted False, UnsupportedValue)`,
        ),
      );
    }
  }
  return problems;
}

/** The CRD's rules for a path match value of type Exact or PathPrefix. */
export function pathValueProblems(value: string): string[] {
  const problems: string[] = [];
  if (!value.startsWith('/')) {
    problems.push(
      "value must be an absolute path and start with '/' when type one of ['Exact', 'PathPrefix']",
    );
  }
  for (const bad of ['//', '/./', '/../', '%2f', '%2F', '#']) {
    if (value.includes(bad)) {
      problems.push(`must not contain '${bad}' when type one of ['Exact', 'PathPrefix']`);
    }
  }
  for (const end of ['/..', '/.']) {
    if (value.endsWith(end)) {
      problems.push(`must not end with '${end}' when type one of ['Exact', 'PathPrefix']`);
    }
  }
  if (value !== '' && !PATH_CHARS_RE.test(value)) {
    problems.push(
      "must only contain valid characters (matching ^(?:[-A-Za-z0-9/._~!$&'()*+,;=:@]|[%][0-9a-fA-F]{2})+$) for types ['Exact', 'PathPrefix']",
    );
  }
  return problems;
}

/** The checks of an HTTPRoute on its own. */
export function validateHTTPRoute(route: HTTPRoute): ManifestProblem[] {
  const problems: ManifestProblem[] = [
    ...validateHostnames(route.spec?.hostnames),
    ...validateParentRefs(route.spec?.parentRefs),
  ];
  const rules = route.spec?.rules ?? [];
  if (rules.length > 16) {
    problems.push(error(['spec', 'rules'], `at most 16 rules (${rules.length} given)`));
  }
  const totalMatches = rules.reduce((sum, rule) => sum + (rule.matches?.length ?? 0), 0);
  if (totalMatches > 128) {
    problems.push(
      error(
        ['spec', 'rules'],
        'While 16 rules and 64 matches per rule are allowed, the total number of matches across all rules in a route must be less than 128',
      ),
    );
  }
  for (const [ruleIndex, rule] of rules.entries()) {
    const at = ['spec', 'rules', ruleIndex];
    for (const [matchIndex, match] of (rule.matches ?? []).entries()) {
      const here = [...at, 'matches', matchIndex];
      const type = match.path?.type ?? 'PathPrefix';
      const value = match.path?.value ?? '/';
      if (type === 'Exact' || type === 'PathPrefix') {
        for (const message of pathValueProblems(value)) {
          problems.push(error([...here, 'path', 'value'], message));
        }
      } else if (type === 'RegularExpression') {
        problems.push(
          warning(
            [...here, 'path', 'type'],
            'a RegularExpression path is implementation-specific: its dialect and its precedence against other matches vary',
          ),
        );
      } else {
        problems.push(
          error(
            [...here, 'path', 'type'],
            "type must be one of ['Exact', 'PathPrefix', 'RegularExpression']",
          ),
        );
      }
      problems.push(
        ...validateHeaders(match.headers, here, 'headers'),
        ...validateHeaders(match.queryParams, here, 'queryParams'),
      );
      if (match.method !== undefined && !METHODS.includes(match.method)) {
        problems.push(
          error([...here, 'method'], `method "${match.method}" is none of ${METHODS.join(', ')}`),
        );
      }
    }
    problems.push(...validateBackendRefs(rule.backendRefs, rule.filters, at));
    problems.push(...validateFilters(rule.filters, rule.matches ?? [], at));
  }
  return problems;
}

const FILTER_FIELDS: Readonly<Record<string, string>> = {
  RequestHeaderModifier: 'requestHeaderModifier',
  ResponseHeaderModifier: 'responseHeaderModifier',
  RequestMirror: 'requestMirror',
  RequestRedirect: 'requestRedirect',
  URLRewrite: 'urlRewrite',
  ExtensionRef: 'extensionRef',
  CORS: 'cors',
};

/** The CRD's rules for a rule's filters (HTTPRouteFilter and HTTPRouteRule CEL rules). */
function validateFilters(
  filters: readonly RouteFilter[] | undefined,
  matches: readonly { readonly path?: { readonly type?: string } }[],
  at: readonly (string | number)[],
): ManifestProblem[] {
  const problems: ManifestProblem[] = [];
  const list = filters ?? [];
  const types = list.map((f) => f.type);
  if (types.includes('RequestRedirect') && types.includes('URLRewrite')) {
    problems.push(
      error(
        [...at, 'filters'],
        'May specify either httpRouteFilterRequestRedirect or httpRouteFilterRequestRewrite, but not both',
      ),
    );
  }
  for (const [index, filter] of list.entries()) {
    const here = [...at, 'filters', index];
    const field = FILTER_FIELDS[filter.type];
    if (field === undefined) {
      problems.push(
        error(
          [...here, 'type'],
          `filter type "${filter.type}" is none of ${Object.keys(FILTER_FIELDS).join(', ')}`,
        ),
      );
      continue;
    }
    if (filter[field] === undefined) {
      problems.push(error(here, `filter.${field} must be specified for ${filter.type} filter.type`));
      continue;
    }
    const path = (filter[field] as { path?: { type?: string } }).path;
    if (
      (filter.type === 'RequestRedirect' || filter.type === 'URLRewrite') &&
      path?.type === 'ReplacePrefixMatch'
    ) {
      const prefixOnly = matches.length === 1 && (matches[0]!.path?.type ?? 'PathPrefix') === 'PathPrefix';
      if (!prefixOnly) {
        problems.push(
          error(
            [...here, field, 'path'],
            `When using ${filter.type} filter with path.replacePrefixMatch, exactly one PathPrefix match must be specified`,
          ),
        );
      }
    }
    if (filter.type === 'RequestMirror' || filter.type === 'CORS' || filter.type === 'ExtensionRef') {
      const support = filter.type === 'ExtensionRef' ? 'implementation-specific' : 'Extended';
      problems.push(
        warning(
          [...here, 'type'],
          `${filter.type} has ${support} support: not every implementation applies it`,
        ),
      );
    }
  }
  return problems;
}

/** The checks of a GRPCRoute on its own. */
export function validateGRPCRoute(route: GRPCRoute): ManifestProblem[] {
  const problems: ManifestProblem[] = [
    ...validateHostnames(route.spec?.hostnames),
    ...validateParentRefs(route.spec?.parentRefs),
  ];
  for (const [ruleIndex, rule] of (route.spec?.rules ?? []).entries()) {
    const at = ['spec', 'rules', ruleIndex];
    for (const [matchIndex, match] of (rule.matches ?? []).entries()) {
      const here = [...at, 'matches', matchIndex];
      const type = match.method?.type ?? 'Exact';
      if (
        match.method !== undefined &&
        match.method.service === undefined &&
        match.method.method === undefined
      ) {
        problems.push(error([...here, 'method'], "One or both of 'service' or 'method' must be specified"));
      }
      if (type === 'RegularExpression') {
        problems.push(
          warning([...here, 'method', 'type'], 'a RegularExpression method match is implementation-specific'),
        );
      } else if (type !== 'Exact') {
        problems.push(
          error([...here, 'method', 'type'], `type "${type}" is none of Exact, RegularExpression`),
        );
      }
      problems.push(...validateHeaders(match.headers, here, 'headers'));
    }
    problems.push(...validateBackendRefs(rule.backendRefs, rule.filters, at));
  }
  return problems;
}
