/**
 * The words and icons of the explorer's Ingresses: each Ingress with its class, hosts and address,
 * and each of its routes (a rule's host and path, or the default backend) with its backend
 * Service and port, and what is wrong with them.
 *
 * What is checked, each only when the data it depends on is known (a Service list that is loading
 * or forbidden yields no "missing Service"; an unreadable IngressClass list no "unknown class"):
 * - the Ingress has an address (`status.loadBalancer`), which its controller writes;
 * - its class, assigned as `src/analysis/ingress.ts` assigns it: `spec.ingressClassName` names an
 *   IngressClass that exists; without one, exactly one IngressClass is marked default (annotation
 *   `ingressclass.kubernetes.io/is-default-class: "true"`). A class given only by the deprecated
 *   annotation `kubernetes.io/ingress.class` is not checked: older controllers serve it without an
 *   IngressClass object;
 * - a backend Service exists in the Ingress's namespace, the port (number or name) is one of its
 *   ports, and its EndpointSlices hold a ready endpoint. An ExternalName Service is checked for
 *   existence only; a `resource` backend is not checked.
 * A route's warnings include the class's: a route of a class no controller serves is not served.
 *
 * Pure, as `format.ts`: no `vscode`, no network. Inputs are structural supertypes of client-node's
 * models (`V1Ingress`, `V1IngressClass`, `V1Service`, `V1EndpointSlice`) and of plain API JSON.
 * User data reaches a tooltip in code spans or escaped, never raw.
 *
 * `contextValue`s: `ingress` (menus match `viewItem == ingress`), `ingressRule` (a rule's path or
 * the default backend; `viewItem == ingressRule`).
 */
import { ingressClassOf, LEGACY_CLASS_ANNOTATION } from '../analysis/ingress.ts';
import { escapeMarkdown, markdownCode } from '../analysis/markdown.ts';
import { unknownWord } from './access.ts';
import type { Knowledge } from './access.ts';
import { countEndpoints } from './format.ts';
import type { EndpointSliceInput, IconChoice, Presentation, ServiceInput } from './format.ts';

// ---------------------------------------------------------------------------------------------
// Inputs

export interface IngressBackendInput {
  readonly service?: {
    readonly name: string;
    readonly port?: { readonly name?: string; readonly number?: number };
  };
  readonly resource?: { readonly apiGroup?: string; readonly kind: string; readonly name: string };
}

export interface IngressPathInput {
  readonly path?: string;
  readonly pathType: string;
  readonly backend: IngressBackendInput;
}

export interface IngressRuleInput {
  readonly host?: string;
  readonly http?: { readonly paths: readonly IngressPathInput[] };
}

export interface IngressInput {
  readonly metadata?: {
    readonly name?: string;
    readonly namespace?: string;
    readonly annotations?: Readonly<Record<string, string>>;
  };
  readonly spec?: {
    readonly ingressClassName?: string;
    readonly defaultBackend?: IngressBackendInput;
    readonly rules?: readonly IngressRuleInput[];
    readonly tls?: readonly { readonly hosts?: readonly string[]; readonly secretName?: string }[];
  };
  readonly status?: {
    readonly loadBalancer?: {
      readonly ingress?: readonly { readonly ip?: string; readonly hostname?: string }[];
    };
  };
}

export interface IngressClassInput {
  readonly metadata?: { readonly name?: string; readonly annotations?: Readonly<Record<string, string>> };
  readonly spec?: { readonly controller?: string };
}

/** An EndpointSlice with the label that names its Service. */
export interface LabelledSliceInput extends EndpointSliceInput {
  readonly metadata?: { readonly name?: string; readonly labels?: Readonly<Record<string, string>> };
}

/** What an Ingress's presentation reads besides the Ingress: its namespace and the cluster's classes. */
export interface IngressSurroundings {
  /** The Services of the Ingress's namespace. */
  readonly services: readonly ServiceInput[];
  readonly servicesKnowledge: Knowledge;
  /** The EndpointSlices of the Ingress's namespace. */
  readonly endpointSlices: readonly LabelledSliceInput[];
  readonly endpointSlicesKnowledge: Knowledge;
  readonly ingressClasses: readonly IngressClassInput[];
  readonly ingressClassesKnowledge: Knowledge;
}

// ---------------------------------------------------------------------------------------------
// Classes

export interface IngressClassResolution {
  /** For the description: `nginx`, `nginx (default)`, `no class`. */
  readonly text: string;
  /** For the tooltip, Markdown. */
  readonly detail: string;
  readonly warning?: string;
}

function controllerText(ingressClass: IngressClassInput | undefined): string {
  const controller = ingressClass?.spec?.controller;
  return controller ? ` (controller ${markdownCode(controller)})` : '';
}

/**
 * Which IngressClass serves an Ingress (as `src/analysis/ingress.ts` assigns it, the rule the
 * sandbox's controller and the diagnosis follow), and whether that class is known to exist.
 */
export function resolveIngressClass(
  ingress: IngressInput,
  classes: readonly IngressClassInput[],
  knowledge: Knowledge,
): IngressClassResolution {
  const known = knowledge.state === 'known';
  const unknownSuffix = known ? '' : ` (IngressClasses: ${escapeMarkdown(unknownWord(knowledge))})`;
  const assignment = ingressClassOf(
    { metadata: ingress.metadata ?? {}, spec: { ingressClassName: ingress.spec?.ingressClassName } },
    known ? classes.map((c) => ({ metadata: c.metadata ?? {}, spec: c.spec })) : [],
  );
  const byName = (name: string) => classes.find((c) => c.metadata?.name === name);
  switch (assignment.source) {
    case 'field': {
      const named = assignment.className;
      const found = byName(named);
      if (known && found === undefined) {
        return {
          text: named,
          detail: `${markdownCode(named)}: no IngressClass of that name exists`,
          warning: `IngressClass ${named} does not exist`,
        };
      }
      return { text: named, detail: `${markdownCode(named)}${controllerText(found)}${unknownSuffix}` };
    }
    case 'annotation':
      // Older controllers serve the annotation's class without an IngressClass object: not checked.
      return {
        text: assignment.className,
        detail: `${markdownCode(assignment.className)}, from the deprecated annotation ${markdownCode(LEGACY_CLASS_ANNOTATION)}`,
      };
    case 'default':
      return {
        text: `${assignment.className} (default)`,
        detail: `none given: the default IngressClass ${markdownCode(assignment.className)}${controllerText(byName(assignment.className))}`,
      };
    case 'ambiguous-default': {
      const names = [...assignment.classNames].sort();
      return {
        text: 'no class',
        detail: `none given, and several IngressClasses are marked as the default: ${names.map(markdownCode).join(', ')}`,
        warning: `No class given and ${names.length} IngressClasses are marked as the default (${names.join(', ')})`,
      };
    }
    case 'none':
      return known
        ? {
            text: 'no class',
            detail: 'none given, and no IngressClass is marked as the default',
            warning: 'No class given and no default IngressClass',
          }
        : {
            text: 'no class',
            detail: `none given; whether a default IngressClass exists is not known${unknownSuffix}`,
          };
  }
}

// ---------------------------------------------------------------------------------------------
// Routes

/** One route of an Ingress: a path of a rule, a rule without paths, or the default backend. */
export interface IngressRoute {
  /** Stable within the Ingress: `0/1` (rule 0, path 1), `0` (rule 0 without paths), `default`. */
  readonly key: string;
  readonly host: string | undefined;
  readonly path: string | undefined;
  readonly pathType: string | undefined;
  /** Undefined for a rule without paths (its requests go to the default backend). */
  readonly backend: IngressBackendInput | undefined;
  readonly isDefault: boolean;
}

/** The routes in the order the spec gives them, the default backend last. */
export function ingressRoutes(ingress: IngressInput): IngressRoute[] {
  const routes: IngressRoute[] = [];
  (ingress.spec?.rules ?? []).forEach((rule, ruleIndex) => {
    const paths = rule.http?.paths ?? [];
    if (paths.length === 0) {
      routes.push({
        key: String(ruleIndex),
        host: rule.host || undefined,
        path: undefined,
        pathType: undefined,
        backend: undefined,
        isDefault: false,
      });
    }
    paths.forEach((path, pathIndex) => {
      routes.push({
        key: `${ruleIndex}/${pathIndex}`,
        host: rule.host || undefined,
        path: path.path,
        pathType: path.pathType,
        backend: path.backend,
        isDefault: false,
      });
    });
  });
  const fallback = ingress.spec?.defaultBackend;
  if (fallback) {
    routes.push({
      key: 'default',
      host: undefined,
      path: undefined,
      pathType: undefined,
      backend: fallback,
      isDefault: true,
    });
  }
  return routes;
}

/** `shop.example.com/api`, `*` then the path for any host, `default backend`. */
export function routeLabel(route: IngressRoute): string {
  if (route.isDefault) {
    return 'default backend';
  }
  return `${route.host ?? '*'}${route.path ?? (route.backend ? '/' : '')}`;
}

/** `web:80`, `web:http`, `Bucket static-assets` for a resource backend. */
export function backendText(backend: IngressBackendInput | undefined): string {
  if (backend?.service) {
    const port = backend.service.port;
    const portText = port?.number !== undefined ? String(port.number) : (port?.name ?? '');
    return portText ? `${backend.service.name}:${portText}` : backend.service.name;
  }
  if (backend?.resource) {
    return `${backend.resource.kind} ${backend.resource.name}`;
  }
  return 'default backend';
}

const PATH_TYPES: Readonly<Record<string, string>> = {
  Exact: 'matches this path exactly (case-sensitive), and nothing below it',
  Prefix:
    'matches this path and everything below it, element by element (`/api` matches `/api/v1`, not `/apiv1`)',
  ImplementationSpecific: 'matching is up to the Ingress controller (ingress-nginx treats it as a prefix)',
};

const SERVICE_NAME_LABEL = 'kubernetes.io/service-name';

/** What is known of a backend Service: the warnings, and one Markdown line about it. */
interface BackendFindings {
  readonly warnings: string[];
  readonly detail: string;
}

function checkBackend(
  backend: IngressBackendInput | undefined,
  namespace: string | undefined,
  around: IngressSurroundings,
): BackendFindings {
  if (backend === undefined) {
    return { warnings: [], detail: 'none: requests for this host go to the default backend' };
  }
  if (backend.service === undefined) {
    const resource = backend.resource;
    return {
      warnings: [],
      detail: resource
        ? `${escapeMarkdown(resource.kind)} ${markdownCode(resource.name)}${resource.apiGroup ? ` (${markdownCode(resource.apiGroup)})` : ''}: a resource backend, not checked`
        : 'none',
    };
  }
  const name = backend.service.name;
  const port = backend.service.port;
  const portText = port?.number !== undefined ? String(port.number) : (port?.name ?? '');
  const head = `Service ${markdownCode(name)}${portText ? `, port ${markdownCode(portText)}` : ''}`;
  if (around.servicesKnowledge.state !== 'known') {
    return {
      warnings: [],
      detail: `${head} (Services: ${escapeMarkdown(unknownWord(around.servicesKnowledge))})`,
    };
  }
  const service = around.services.find((s) => s.metadata?.name === name);
  const where = namespace ? ` in namespace ${namespace}` : '';
  if (service === undefined) {
    return { warnings: [`Service ${name} does not exist${where}`], detail: `${head}: no such Service` };
  }
  if (service.spec?.type === 'ExternalName') {
    return {
      warnings: [],
      detail: `${head}: an ExternalName Service (a DNS alias for ${markdownCode(service.spec.externalName ?? '')})`,
    };
  }
  const warnings: string[] = [];
  const ports = service.spec?.ports ?? [];
  const portFound =
    port?.number !== undefined
      ? ports.some((p) => p.port === port.number)
      : port?.name !== undefined
        ? ports.some((p) => p.name === port.name)
        : true;
  if (!portFound) {
    const declared = ports.map((p) => (p.name ? `${p.port} (${p.name})` : String(p.port))).join(', ');
    warnings.push(
      `Port ${portText} is not a port of Service ${name} (${declared ? `its ports: ${declared}` : 'it has no ports'})`,
    );
  }
  let endpoints: string;
  if (around.endpointSlicesKnowledge.state !== 'known') {
    endpoints = `endpoints: ${escapeMarkdown(unknownWord(around.endpointSlicesKnowledge))}`;
  } else {
    const slices = around.endpointSlices.filter(
      (slice) => slice.metadata?.labels?.[SERVICE_NAME_LABEL] === name,
    );
    const ready = countEndpoints(slices).ready;
    endpoints =
      ready === 0 ? 'no ready endpoint' : `${ready} ready ${ready === 1 ? 'endpoint' : 'endpoints'}`;
    if (ready === 0) {
      warnings.push(`Service ${name} has no ready endpoint`);
    }
  }
  return { warnings, detail: `${head} · ${endpoints}` };
}

export interface IngressRoutePresentation extends Presentation {
  /** One plain sentence per problem (the class's included); empty when the route looks served. */
  readonly warnings: readonly string[];
}

/**
 * The tree node of one route. Label `shop.example.com/api` (or `default backend`), description
 * `Prefix → web:80`. Icon `warning` when there are warnings, otherwise `arrow-right`.
 */
export function ingressRoutePresentation(
  ingress: IngressInput,
  route: IngressRoute,
  around: IngressSurroundings,
): IngressRoutePresentation {
  const name = ingress.metadata?.name ?? '';
  const namespace = ingress.metadata?.namespace;
  const backend = checkBackend(route.backend, namespace, around);
  const classWarning = resolveIngressClass(
    ingress,
    around.ingressClasses,
    around.ingressClassesKnowledge,
  ).warning;
  const warnings = [...backend.warnings, ...(classWarning ? [classWarning] : [])];

  const description = route.isDefault
    ? `→ ${backendText(route.backend)}`
    : route.backend === undefined
      ? '→ default backend'
      : `${route.pathType ?? ''} → ${backendText(route.backend)}`.trim();

  const blocks: string[] = [];
  if (route.isDefault) {
    blocks.push(`**Default backend** of Ingress ${markdownCode(name)}: requests that match no rule`);
  } else {
    blocks.push(`**Rule** of Ingress ${markdownCode(name)}`);
    const facts = [`**Host:** ${route.host ? markdownCode(route.host) : 'any'}`];
    if (route.backend !== undefined) {
      facts.push(`**Path:** ${markdownCode(route.path ?? '/')}`);
    }
    blocks.push(facts.join(' · '));
    if (route.pathType !== undefined) {
      const meaning = PATH_TYPES[route.pathType] ?? 'not a path type Kubernetes knows';
      blocks.push(`**Path type:** ${markdownCode(route.pathType)}: ${meaning}`);
    }
  }
  blocks.push(`**Backend:** ${backend.detail}`);
  if (warnings.length > 0) {
    blocks.push('**Warnings**', warnings.map((warning) => `- ${escapeMarkdown(warning)}`).join('\n'));
  }
  return {
    label: routeLabel(route),
    description,
    tooltip: blocks.join('\n\n'),
    icon: warnings.length > 0 ? { id: 'warning', color: 'list.warningForeground' } : { id: 'arrow-right' },
    contextValue: 'ingressRule',
    warnings,
  };
}

// ---------------------------------------------------------------------------------------------
// Ingresses

/** The addresses of `status.loadBalancer`, as kubectl's ADDRESS column shows them. */
export function ingressAddresses(ingress: IngressInput): string[] {
  return (ingress.status?.loadBalancer?.ingress ?? [])
    .map((entry) => entry.ip || entry.hostname || '')
    .filter((entry) => entry);
}

/** The hosts of the rules, in order, without repeats; `*` for a rule without host. */
export function ingressHosts(ingress: IngressInput): string[] {
  return [...new Set((ingress.spec?.rules ?? []).map((rule) => rule.host || '*'))];
}

export interface IngressPresentation extends Presentation {
  /** The Ingress's own warnings (no address, class) and each route's, prefixed with its label. */
  readonly warnings: readonly string[];
}

/**
 * The tree node of an Ingress. Description `nginx · shop.example.com, api.example.com · 127.0.0.5`:
 * the class (`no class`, `nginx (default)`), the hosts (`*` for any), the address or `no address`.
 * Icon `warning` when it has no address or a route has a warning, otherwise `globe`.
 */
export function ingressPresentation(ingress: IngressInput, around: IngressSurroundings): IngressPresentation {
  const name = ingress.metadata?.name ?? '';
  const namespace = ingress.metadata?.namespace;
  const resolution = resolveIngressClass(ingress, around.ingressClasses, around.ingressClassesKnowledge);
  const hosts = ingressHosts(ingress);
  const addresses = ingressAddresses(ingress);
  const routes = ingressRoutes(ingress);

  const warnings: string[] = [];
  if (addresses.length === 0) {
    warnings.push('No address yet: its Ingress controller has not written one to status.loadBalancer');
  }
  if (resolution.warning) {
    warnings.push(resolution.warning);
  }
  const routeLines: string[] = [];
  for (const route of routes) {
    const presentation = ingressRoutePresentation(ingress, route, around);
    const label = routeLabel(route);
    routeLines.push(
      `- ${markdownCode(label)}${route.pathType ? ` (${escapeMarkdown(route.pathType)})` : ''} → ${markdownCode(backendText(route.backend))}`,
    );
    for (const warning of presentation.warnings) {
      if (warning !== resolution.warning) {
        warnings.push(`${label}: ${warning}`);
      }
    }
  }

  const description = [
    resolution.text,
    hosts.length > 0 ? hosts.join(', ') : undefined,
    addresses.length > 0 ? addresses.join(',') : 'no address',
  ].filter((part) => part !== undefined);

  const blocks = [
    `**Ingress** ${markdownCode(name)}${namespace ? ` in namespace ${markdownCode(namespace)}` : ''}`,
    `**Class:** ${resolution.detail}`,
    `**Address:** ${addresses.length > 0 ? addresses.map(markdownCode).join(', ') : 'none yet'}`,
  ];
  blocks.push(...(routeLines.length > 0 ? ['**Routes**', routeLines.join('\n')] : ['**Routes:** none']));
  const tls = ingress.spec?.tls ?? [];
  if (tls.length > 0) {
    blocks.push(
      '**TLS**',
      tls
        .map((entry) => {
          const hostsText = (entry.hosts ?? []).map(markdownCode).join(', ') || 'all hosts';
          return `- ${hostsText}${entry.secretName ? ` with Secret ${markdownCode(entry.secretName)}` : ', the controller’s default certificate'}`;
        })
        .join('\n'),
    );
  }
  if (warnings.length > 0) {
    blocks.push('**Warnings**', warnings.map((warning) => `- ${escapeMarkdown(warning)}`).join('\n'));
  }
  const icon: IconChoice =
    warnings.length > 0 ? { id: 'warning', color: 'list.warningForeground' } : { id: 'globe' };
  return {
    label: name,
    description: description.join(' · '),
    tooltip: blocks.join('\n\n'),
    icon,
    contextValue: 'ingress',
    warnings,
  };
}
