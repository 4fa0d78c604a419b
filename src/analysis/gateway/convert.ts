/**
 * Ingress → Gateway API: the HTTPRoute(s) that route an Ingress's requests as the Ingress does,
 * and, when asked, a Gateway for them; with every part that has no standard equivalent named:
 *
 * - One HTTPRoute per host of the Ingress (and one without hostnames for its host-less rules), as
 *   ingress2gateway does; each path becomes a rule with one match and one backendRef.
 * - pathType Exact → Exact; Prefix → PathPrefix (the same element-wise semantics);
 *   ImplementationSpecific → PathPrefix, noted: its meaning is the controller's (ingress-nginx
 *   reads it as a string prefix, or with `use-regex` as a regular expression); a regex path
 *   (`use-regex: "true"`, or a path with regex syntax) → RegularExpression, which is itself
 *   implementation-specific in the Gateway API.
 * - defaultBackend → a last rule `PathPrefix /` on each host's route (on a host-less route when
 *   the Ingress has no hosts): the Ingress's default backend serves that Ingress's hosts.
 * - A named Service port → the port number, from the Service when it is known (a backendRef
 *   takes numbers only); a resource backend → a backendRef of that kind (InvalidKind for most
 *   implementations).
 * - TLS → an HTTPS listener per TLS host (certificateRefs: the secret) on the generated Gateway.
 * - Controller annotations (rewrite-target, ssl-redirect, canary, auth, rate limits, snippets, …)
 *   are not converted; each is named with what, if anything, comes closest.
 *
 * convertCompare.ts routes a generated set of requests through both and lists the differences.
 */
import type { Ingress, IngressBackend } from '../ingress.ts';
import type { Service } from '../k8s.ts';
import type { Gateway, HTTPBackendRef, HTTPRoute, HTTPRouteRule, Listener, ObjectRef } from './types.ts';

export type ConversionNoteKind =
  | 'implementation-specific'
  | 'regex-path'
  | 'default-backend'
  | 'annotation'
  | 'named-port'
  | 'resource-backend'
  | 'invalid'
  | 'tls'
  | 'wildcard-host';

export interface ConversionNote {
  readonly kind: ConversionNoteKind;
  readonly message: string;
  readonly annotation?: string;
  readonly ruleIndex?: number;
  readonly pathIndex?: number;
}

export interface ConvertOptions {
  /** The Gateway the routes attach to; default: a Gateway named after the class, in the Ingress's namespace. */
  readonly gateway?: ObjectRef;
  /** Also generate that Gateway. */
  readonly createGateway?: boolean;
  /** For the generated Gateway; default: the Ingress's class name. */
  readonly gatewayClassName?: string;
  /** To turn named Service ports into numbers. */
  readonly services?: readonly Service[];
}

export interface IngressConversion {
  readonly httpRoutes: readonly HTTPRoute[];
  readonly gateway: Gateway | undefined;
  /** The Gateway the routes attach to. */
  readonly parent: ObjectRef;
  readonly notes: readonly ConversionNote[];
}

export const CONVERTED_FROM_ANNOTATION = 'kubereach.dev/converted-from';
const NGINX = 'nginx.ingress.kubernetes.io/';

/** What each well-known controller annotation becomes, if anything. */
const ANNOTATION_NOTES: Readonly<Record<string, string>> = {
  'rewrite-target':
    'has no standard equivalent: the URLRewrite filter (ReplacePrefixMatch or ReplaceFullPath) replaces a fixed prefix or path, not regex capture groups ($1); the backend now receives the original path',
  'use-regex':
    'its paths are converted to RegularExpression matches, whose dialect and precedence are implementation-specific',
  'ssl-redirect':
    'not converted: add an HTTPRoute attached to the http listener only, with a RequestRedirect filter (scheme: https, statusCode: 301)',
  'force-ssl-redirect':
    'not converted: add an HTTPRoute attached to the http listener only, with a RequestRedirect filter (scheme: https)',
  'permanent-redirect': 'not converted: a RequestRedirect filter (statusCode 301) comes closest',
  'temporal-redirect': 'not converted: a RequestRedirect filter (statusCode 302) comes closest',
  'app-root': 'not converted: a RequestRedirect filter on an Exact "/" match comes closest',
  canary:
    'not converted: a canary becomes weights on backendRefs (weight) or a header match on a separate rule; the canary Ingress must be merged by hand',
  'canary-weight': 'not converted: express it as backendRef weights',
  'canary-by-header': 'not converted: express it as a header match on a separate rule',
  'backend-protocol':
    'not converted: gRPC backends take a GRPCRoute; HTTPS to the backend takes a BackendTLSPolicy (Extended support)',
  'enable-cors': 'not converted: the CORS filter is experimental in the Gateway API',
  'whitelist-source-range': 'has no standard equivalent (a policy attachment of the implementation, if any)',
  'configuration-snippet': 'has no standard equivalent: raw nginx configuration',
  'server-snippet': 'has no standard equivalent: raw nginx configuration',
  'proxy-body-size': 'has no standard equivalent (an implementation policy, if any)',
  'proxy-read-timeout':
    'not converted: HTTPRoute rule timeouts (backendRequest) come closest (Extended support)',
  'proxy-send-timeout':
    'not converted: HTTPRoute rule timeouts (backendRequest) come closest (Extended support)',
  'auth-url': 'has no standard equivalent (external authentication is an implementation policy)',
  'auth-type': 'has no standard equivalent (authentication is an implementation policy)',
  'limit-rps': 'has no standard equivalent (rate limiting is an implementation policy)',
  'limit-connections': 'has no standard equivalent (rate limiting is an implementation policy)',
  affinity: 'not converted: session persistence is experimental in the Gateway API (sessionPersistence)',
};

const CONTROLLER_PREFIXES = [
  NGINX,
  'ingress.kubernetes.io/',
  'traefik.ingress.kubernetes.io/',
  'haproxy.org/',
  'haproxy.router.openshift.io/',
  'alb.ingress.kubernetes.io/',
  'konghq.com/',
  'projectcontour.io/',
  'kubernetes.io/ingress.',
];

/** The controller annotations of an Ingress that the conversion does not carry over, each named. */
export function annotationNotes(ingress: Ingress): ConversionNote[] {
  const notes: ConversionNote[] = [];
  for (const [key, value] of Object.entries(ingress.metadata.annotations ?? {})) {
    if (key === 'kubernetes.io/ingress.class') {
      notes.push({
        kind: 'annotation',
        annotation: key,
        message: `${key}: "${value}" becomes the Gateway's gatewayClassName`,
      });
      continue;
    }
    if (key.startsWith(NGINX)) {
      const name = key.slice(NGINX.length);
      const known =
        ANNOTATION_NOTES[name] ??
        Object.entries(ANNOTATION_NOTES).find(([k]) => name.startsWith(`${k}-`))?.[1];
      notes.push({
        kind: 'annotation',
        annotation: key,
        message: `${key}: "${value}" ${known ?? 'is an ingress-nginx annotation with no standard equivalent; not converted'}`,
      });
      continue;
    }
    if (CONTROLLER_PREFIXES.some((prefix) => key.startsWith(prefix))) {
      notes.push({
        kind: 'annotation',
        annotation: key,
        message: `${key}: "${value}" is a controller annotation with no standard equivalent; not converted`,
      });
    }
  }
  return notes;
}

/** Whether a path reads as a regular expression (ingress-nginx's use-regex syntax). */
export function looksLikeRegex(path: string): boolean {
  return /[\^$*+?()[\]{}|\\]/.test(path);
}

function slug(host: string): string {
  return host
    .replace(/^\*\./, 'wildcard-')
    .replace(/[^a-z0-9-]+/g, '-')
    .replace(/^-+|-+$/g, '');
}

function ingressName(ingress: Ingress): string {
  return ingress.metadata.name ?? 'ingress';
}

function ingressNamespace(ingress: Ingress): string {
  return ingress.metadata.namespace ?? 'default';
}

/** The backendRef an Ingress backend becomes, with a note when it is not a plain Service and port number. */
function convertBackend(
  backend: IngressBackend | undefined,
  namespace: string,
  services: readonly Service[] | undefined,
  where: string,
  notes: ConversionNote[],
  indexes: { ruleIndex?: number; pathIndex?: number },
): HTTPBackendRef[] {
  if (backend?.resource !== undefined) {
    notes.push({
      kind: 'resource-backend',
      message: `${where}: a resource backend (${backend.resource.kind ?? '?'} ${backend.resource.name ?? '?'}) becomes a backendRef of that kind, which most implementations refuse (ResolvedRefs False, InvalidKind)`,
      ...indexes,
    });
    return [
      {
        group: backend.resource.apiGroup ?? '',
        kind: backend.resource.kind ?? '',
        name: backend.resource.name ?? '',
      },
    ];
  }
  const service = backend?.service;
  if (service?.name === undefined || service.name === '') {
    notes.push({
      kind: 'invalid',
      message: `${where}: the backend names no Service; the rule gets no backendRef (answered 500)`,
      ...indexes,
    });
    return [];
  }
  if (service.port?.number !== undefined && service.port.number !== 0) {
    return [{ name: service.name, port: service.port.number }];
  }
  const portName = service.port?.name;
  const found = services
    ?.find((s) => (s.metadata.namespace ?? 'default') === namespace && s.metadata.name === service.name)
    ?.spec?.ports?.find((p) => p.name === portName);
  if (found !== undefined) {
    notes.push({
      kind: 'named-port',
      message: `${where}: Service port "${portName}" is port ${found.port} (a backendRef takes numbers; renumbering the Service will not follow)`,
      ...indexes,
    });
    return [{ name: service.name, port: found.port }];
  }
  notes.push({
    kind: 'named-port',
    message: `${where}: Service port "${portName ?? '(none)'}" of ${namespace}/${service.name} could not be resolved to a number; the backendRef has no port and is invalid until one is set`,
    ...indexes,
  });
  return [{ name: service.name }];
}

/** The Gateway the routes attach to, by default: named after the class, in the Ingress's namespace. */
export function defaultParent(ingress: Ingress): ObjectRef {
  const className =
    ingress.spec?.ingressClassName ?? ingress.metadata.annotations?.['kubernetes.io/ingress.class'];
  return {
    namespace: ingressNamespace(ingress),
    name: className !== undefined && className !== '' ? className : 'gateway',
  };
}

/** Converts one Ingress. Deterministic; never throws on a partial manifest. */
export function convertIngress(ingress: Ingress, options: ConvertOptions = {}): IngressConversion {
  const namespace = ingressNamespace(ingress);
  const name = ingressName(ingress);
  const parent = options.gateway ?? defaultParent(ingress);
  const notes: ConversionNote[] = annotationNotes(ingress);
  const useRegex = ingress.metadata.annotations?.[`${NGINX}use-regex`] === 'true';
  const rules = ingress.spec?.rules ?? [];

  // Group rules by host, in order of first appearance; host-less rules under "".
  const byHost = new Map<string, { ruleIndex: number; rule: (typeof rules)[number] }[]>();
  for (const [ruleIndex, rule] of rules.entries()) {
    const host = rule.host ?? '';
    byHost.set(host, [...(byHost.get(host) ?? []), { ruleIndex, rule }]);
  }
  const defaultBackend = ingress.spec?.defaultBackend;
  if (byHost.size === 0 && defaultBackend !== undefined) {
    byHost.set('', []);
  }

  const hasHosts = rules.some((rule) => rule.host !== undefined && rule.host !== '');
  const defaultHosts: string[] = [];
  const httpRoutes: HTTPRoute[] = [];
  for (const [host, hostRules] of byHost) {
    const routeRules: HTTPRouteRule[] = [];
    for (const { ruleIndex, rule } of hostRules) {
      for (const [pathIndex, entry] of (rule.http?.paths ?? []).entries()) {
        const where = `rule ${ruleIndex} path ${pathIndex} (${entry.path ?? '(no path)'})`;
        const indexes = { ruleIndex, pathIndex };
        const pathType = entry.pathType ?? 'ImplementationSpecific';
        const value = entry.path === undefined || entry.path === '' ? '/' : entry.path;
        let type: 'Exact' | 'PathPrefix' | 'RegularExpression';
        if (pathType === 'Exact') {
          type = 'Exact';
        } else if (pathType === 'Prefix') {
          type = 'PathPrefix';
        } else if (pathType === 'ImplementationSpecific') {
          if (useRegex || looksLikeRegex(value)) {
            type = 'RegularExpression';
            notes.push({
              kind: 'regex-path',
              message: `${where}: an ImplementationSpecific path read as a regular expression${useRegex ? ' (use-regex)' : ''} becomes a RegularExpression match, whose dialect and precedence are implementation-specific (ingress-nginx matches it case-insensitively as a prefix regex)`,
              ...indexes,
            });
          } else {
            type = 'PathPrefix';
            notes.push({
              kind: 'implementation-specific',
              message: `${where}: pathType ImplementationSpecific becomes PathPrefix (element-wise); ingress-nginx matched it as a string prefix, so ${value.replace(/\/$/, '')}x would have matched there and does not now`,
              ...indexes,
            });
          }
        } else {
          notes.push({
            kind: 'invalid',
            message: `${where}: pathType "${pathType}" is not valid; the path is left out`,
            ...indexes,
          });
          continue;
        }
        if (type === 'PathPrefix' && useRegex && looksLikeRegex(value)) {
          type = 'RegularExpression';
        }
        routeRules.push({
          matches: [{ path: { type, value } }],
          backendRefs: convertBackend(entry.backend, namespace, options.services, where, notes, indexes),
        });
      }
    }
    // The default backend serves the Ingress's own hosts, or every host when it has none
    // (ingress.ts "Default backend"): host-less rules of an Ingress with hosts do not take it.
    if (defaultBackend !== undefined && (host !== '' || !hasHosts)) {
      defaultHosts.push(host === '' ? 'every host (the Ingress has no hosts)' : host);
      routeRules.push({
        matches: [{ path: { type: 'PathPrefix', value: '/' } }],
        backendRefs: convertBackend(defaultBackend, namespace, options.services, 'defaultBackend', notes, {}),
      });
    }
    if (host.startsWith('*.')) {
      notes.push({
        kind: 'wildcard-host',
        message: `host ${host}: an Ingress wildcard matches exactly one label; in an HTTPRoute it matches one or more (${host.replace('*', 'a.b')} now matches)`,
      });
    }
    if (routeRules.length === 0) {
      // An HTTPRoute without rules is defaulted to one rule matching every path with no backend (500).
      notes.push({
        kind: 'invalid',
        message: `${host === '' ? 'the rules without host have' : `host ${host} has`} no paths; no HTTPRoute is written for ${host === '' ? 'them' : 'it'} (the Ingress answered 404 there)`,
      });
      continue;
    }
    const routeName = byHost.size === 1 ? name : `${name}-${host === '' ? 'any-host' : slug(host)}`;
    httpRoutes.push({
      apiVersion: 'gateway.networking.k8s.io/v1',
      kind: 'HTTPRoute',
      metadata: {
        name: routeName,
        namespace,
        annotations: { [CONVERTED_FROM_ANNOTATION]: `Ingress ${namespace}/${name}` },
      },
      spec: {
        parentRefs: [
          { name: parent.name, ...(parent.namespace === namespace ? {} : { namespace: parent.namespace }) },
        ],
        ...(host === '' ? {} : { hostnames: [host] }),
        rules: routeRules,
      },
    });
  }

  if (defaultHosts.length > 0) {
    notes.push({
      kind: 'default-backend',
      message: `the defaultBackend becomes a last rule "PathPrefix /" on the route for ${defaultHosts.join(', ')}${hasHosts ? '; as in the Ingress, it serves only those hosts (other hosts are answered 404)' : ''}`,
    });
  }
  const gateway = options.createGateway ? convertGateway(ingress, parent, options, notes) : undefined;
  return { httpRoutes, gateway, parent, notes };
}

function convertGateway(
  ingress: Ingress,
  parent: ObjectRef,
  options: ConvertOptions,
  notes: ConversionNote[],
): Gateway {
  const namespace = ingressNamespace(ingress);
  const allowedRoutes =
    parent.namespace === namespace
      ? { namespaces: { from: 'Same' as const } }
      : {
          namespaces: {
            from: 'Selector' as const,
            selector: { matchLabels: { 'kubernetes.io/metadata.name': namespace } },
          },
        };
  const listeners: Listener[] = [{ name: 'http', port: 80, protocol: 'HTTP', allowedRoutes }];
  const seen = new Set<string>();
  for (const tls of ingress.spec?.tls ?? []) {
    const hosts = tls.hosts ?? [];
    if (hosts.length === 0) {
      notes.push({
        kind: 'tls',
        message:
          'a TLS entry without hosts has no listener equivalent (a listener without hostname would take every host); not converted',
      });
      continue;
    }
    for (const host of hosts) {
      if (seen.has(host)) {
        continue;
      }
      seen.add(host);
      listeners.push({
        name: `https-${slug(host)}`.slice(0, 63),
        hostname: host,
        port: 443,
        protocol: 'HTTPS',
        tls: {
          mode: 'Terminate',
          certificateRefs:
            tls.secretName === undefined
              ? []
              : [{ name: tls.secretName, ...(parent.namespace === namespace ? {} : { namespace }) }],
        },
        allowedRoutes,
      });
      if (parent.namespace !== namespace && tls.secretName !== undefined) {
        notes.push({
          kind: 'tls',
          message: `the certificate ${namespace}/${tls.secretName} is in another namespace than the Gateway (${parent.namespace}): it needs a ReferenceGrant in ${namespace} from Gateways in ${parent.namespace} to Secrets`,
        });
      }
    }
  }
  const className =
    options.gatewayClassName ??
    ingress.spec?.ingressClassName ??
    ingress.metadata.annotations?.['kubernetes.io/ingress.class'] ??
    parent.name;
  return {
    apiVersion: 'gateway.networking.k8s.io/v1',
    kind: 'Gateway',
    metadata: {
      name: parent.name,
      namespace: parent.namespace,
      annotations: { [CONVERTED_FROM_ANNOTATION]: `Ingress ${namespace}/${ingressName(ingress)}` },
    },
    spec: { gatewayClassName: className, listeners },
  };
}
