/**
 * Static checks of an Ingress manifest (KR50xx): what the API server rejects, following
 * k8s.io/kubernetes pkg/apis/networking/validation (ValidateIngress for networking.k8s.io/v1), and
 * what it accepts but cannot work as written (a regular expression in a Prefix path, a TLS host no
 * rule serves). Only `networking.k8s.io/v1` is read: the beta versions are no longer served by any
 * supported cluster, and their shape differs.
 *
 * Also the shared reading of an Ingress: its backends with where they sit, its rules' host and
 * path claims, its class.
 */
import { isValidIp } from '../cidr.ts';
import { isValidPortNumber, validatePortName } from '../ports.ts';
import { isRecord } from './document.ts';
import type { Path } from './document.ts';
import {
  INGRESS_BACKEND_FIELDS,
  INGRESS_HOST_RULE_FIELDS,
  INGRESS_HTTP_FIELDS,
  INGRESS_PATH_FIELDS,
  INGRESS_SERVICE_BACKEND_FIELDS,
  INGRESS_SERVICE_PORT_FIELDS,
  INGRESS_SPEC_FIELDS,
  INGRESS_TLS_FIELDS,
  PATH_TYPES,
  TYPED_LOCAL_OBJECT_REFERENCE_FIELDS,
} from './fields.ts';
import { yamlString } from './findings.ts';
import type { Finding, FixSpec } from './findings.ts';
import { describeValue, objectFieldFindings, unknownFields } from './service.ts';
import { didYouMean } from './suggest.ts';

export const INGRESS_API_VERSION = 'networking.k8s.io/v1';

/** The annotation that named the class before `spec.ingressClassName`, still read by controllers. */
export const CLASS_ANNOTATION = 'kubernetes.io/ingress.class';

const DNS1123_LABEL = '[a-z0-9]([-a-z0-9]*[a-z0-9])?';
const DNS1123_SUBDOMAIN = new RegExp(`^${DNS1123_LABEL}(\\.${DNS1123_LABEL})*$`);
/** A Service name (DNS-1035 label). */
const SERVICE_NAME = /^[a-z]([-a-z0-9]*[a-z0-9])?$/;
/** Characters that make a path read as a regular expression (ingress-nginx's use-regex paths). */
const REGEX_CHARACTERS = /[\^$()[\]{}*+?|\\]/;
/** What the API server refuses in an Exact or Prefix path. */
const INVALID_PATH_SEQUENCES = ['//', '/./', '/../', '%2f', '%2F'];
const INVALID_PATH_SUFFIXES = ['/..', '/.'];

/** Fields of other versions or other tools, and what networking.k8s.io/v1 calls them. */
const RENAMED_SPEC_FIELDS: Readonly<Record<string, string>> = {
  backend: 'defaultBackend',
  ingressClass: 'ingressClassName',
  className: 'ingressClassName',
  class: 'ingressClassName',
};

/** Whether this object is an Ingress the analysis reads. */
export function isIngress(object: { readonly kind: string; readonly apiVersion: string }): boolean {
  return object.kind === 'Ingress' && object.apiVersion === INGRESS_API_VERSION;
}

/** A Service backend as written: its name, and its port by name or number (when well-formed). */
export interface ServiceBackendRef {
  /** The path of the `backend` mapping (or `defaultBackend`) in the Ingress. */
  readonly path: Path;
  readonly service: string;
  readonly port: { readonly name: string } | { readonly number: number } | undefined;
  /** The rule's host and path, undefined for the default backend. */
  readonly rule?: { readonly host: string | undefined; readonly path: string; readonly pathType: string };
}

/** The Service backends of an Ingress, the default backend first. */
export function serviceBackends(value: Readonly<Record<string, unknown>>): ServiceBackendRef[] {
  const spec = value.spec;
  if (!isRecord(spec)) {
    return [];
  }
  const refs: ServiceBackendRef[] = [];
  const add = (backend: unknown, path: Path, rule?: ServiceBackendRef['rule']) => {
    if (!isRecord(backend) || !isRecord(backend.service) || backend.resource !== undefined) {
      return;
    }
    const service = backend.service;
    if (typeof service.name !== 'string' || service.name === '') {
      return;
    }
    const port = isRecord(service.port) ? service.port : {};
    const hasName = typeof port.name === 'string' && port.name !== '';
    const hasNumber = typeof port.number === 'number';
    refs.push({
      path,
      service: service.name,
      port:
        hasName && !hasNumber
          ? { name: port.name as string }
          : hasNumber && !hasName
            ? { number: port.number as number }
            : undefined,
      ...(rule === undefined ? {} : { rule }),
    });
  };
  add(spec.defaultBackend, ['spec', 'defaultBackend']);
  for (const entry of rulePaths(value)) {
    add(entry.backend, [...entry.at, 'backend'], {
      host: entry.host,
      path: entry.path,
      pathType: entry.pathType ?? 'no pathType',
    });
  }
  return refs;
}

/** One path of one rule: the host and path an Ingress claims. */
export interface PathClaim {
  /** The path of the entry in `spec.rules[i].http.paths`. */
  readonly at: Path;
  readonly host: string | undefined;
  readonly path: string;
  readonly pathType: string;
  readonly backend: unknown;
}

/** Every path of every rule, with its pathType when it is a string. */
function rulePaths(
  value: Readonly<Record<string, unknown>>,
): (Omit<PathClaim, 'pathType'> & { readonly pathType: string | undefined })[] {
  const spec = value.spec;
  if (!isRecord(spec) || !Array.isArray(spec.rules)) {
    return [];
  }
  const entries: (Omit<PathClaim, 'pathType'> & { readonly pathType: string | undefined })[] = [];
  spec.rules.forEach((rule: unknown, ruleIndex: number) => {
    if (!isRecord(rule) || !isRecord(rule.http) || !Array.isArray(rule.http.paths)) {
      return;
    }
    const host = typeof rule.host === 'string' && rule.host !== '' ? rule.host : undefined;
    rule.http.paths.forEach((entry: unknown, pathIndex: number) => {
      if (!isRecord(entry)) {
        return;
      }
      entries.push({
        at: ['spec', 'rules', ruleIndex, 'http', 'paths', pathIndex],
        host,
        path: typeof entry.path === 'string' ? entry.path : '',
        pathType: typeof entry.pathType === 'string' ? entry.pathType : undefined,
        backend: entry.backend,
      });
    });
  });
  return entries;
}

/** The rules' paths that are well-formed enough to compare (a string pathType; path defaulted to ""). */
export function pathClaims(value: Readonly<Record<string, unknown>>): PathClaim[] {
  return rulePaths(value).flatMap((entry) =>
    entry.pathType === undefined ? [] : [{ ...entry, pathType: entry.pathType }],
  );
}

/** The class an Ingress names: `spec.ingressClassName`, else the legacy annotation; undefined for none. */
export function writtenIngressClass(value: Readonly<Record<string, unknown>>): string | undefined {
  const spec = isRecord(value.spec) ? value.spec : {};
  if (typeof spec.ingressClassName === 'string' && spec.ingressClassName !== '') {
    return spec.ingressClassName;
  }
  const metadata = isRecord(value.metadata) ? value.metadata : {};
  const annotations = isRecord(metadata.annotations) ? metadata.annotations : {};
  const annotation = annotations[CLASS_ANNOTATION];
  return typeof annotation === 'string' && annotation !== '' ? annotation : undefined;
}

/** Why a host is not valid, with a corrected host when one is obvious; undefined when it is valid. */
export function hostProblem(host: string): { reason: string; fixed?: string } | undefined {
  if (isValidIp(host) || isValidIp(host.replace(/^\[|\]$/g, ''))) {
    return {
      reason:
        'a host is a DNS name, not an IP address: leave host out to serve every address, or use a name that resolves to it',
    };
  }
  const valid = (candidate: string) =>
    candidate.length <= 253 &&
    (candidate.startsWith('*.')
      ? DNS1123_SUBDOMAIN.test(candidate.slice(2))
      : DNS1123_SUBDOMAIN.test(candidate));
  if (valid(host)) {
    return undefined;
  }
  const port = /^(.*):([0-9]+)$/.exec(host);
  if (port && port[1] !== undefined && (valid(port[1]) || valid(port[1].toLowerCase()))) {
    return {
      reason: `a host has no port: the controller listens on its own ports (80 and 443), and matches the Host header without one`,
      fixed: valid(port[1]) ? port[1] : port[1].toLowerCase(),
    };
  }
  if (host.includes('*')) {
    return {
      reason:
        'a wildcard host is "*." followed by a DNS name: the "*" stands for exactly the whole first label (*.example.com, not *example.com, a.*.com or *.*.com)',
    };
  }
  if (host !== host.toLowerCase() && valid(host.toLowerCase())) {
    return {
      reason: 'a host is a DNS name in lower case (the API server rejects upper-case letters)',
      fixed: host.toLowerCase(),
    };
  }
  return {
    reason:
      'a host is a DNS name: lower-case letters, digits, "-" and ".", each label starting and ending with a letter or digit, at most 253 characters',
  };
}

/** Whether a rule host (maybe a wildcard) serves a concrete or wildcard TLS host. */
export function hostCovers(ruleHost: string, tlsHost: string): boolean {
  if (ruleHost === tlsHost) {
    return true;
  }
  const wildcardMatches = (wildcard: string, name: string) =>
    wildcard.startsWith('*.') &&
    !name.startsWith('*.') &&
    name.slice(name.indexOf('.') + 1) === wildcard.slice(2) &&
    name.indexOf('.') > 0;
  return wildcardMatches(ruleHost, tlsHost) || wildcardMatches(tlsHost, ruleHost);
}

/**
 * Static findings on one Ingress. `isPatch` (a kustomize patch) drops the checks of what must be
 * present.
 */
export function checkIngress(value: Readonly<Record<string, unknown>>, isPatch: boolean): Finding[] {
  const findings: Finding[] = objectFieldFindings(value, 'KR5008', 'Ingress');
  const spec = value.spec;
  if (!isRecord(spec)) {
    if (!isPatch && spec === undefined) {
      findings.push({
        code: 'KR5009',
        message: 'This Ingress has no spec: add spec.rules (or spec.defaultBackend).',
        at: { path: ['kind'], part: 'key' },
      });
    }
    return findings;
  }
  for (const key of Object.keys(spec)) {
    const renamed = RENAMED_SPEC_FIELDS[key];
    if (renamed === undefined || Object.hasOwn(spec, renamed)) {
      continue;
    }
    findings.push({
      code: 'KR5008',
      message:
        key === 'backend'
          ? 'spec.backend is the networking.k8s.io/v1beta1 name: in networking.k8s.io/v1 it is defaultBackend.'
          : `Unknown field "${key}" in an Ingress spec: the class is named by ${renamed}.`,
      at: { path: ['spec', key], part: 'key' },
      fixes: [
        {
          kind: 'rename-key',
          title: `Rename "${key}" to "${renamed}"`,
          path: ['spec', key],
          key: renamed,
          preferred: true,
        },
      ],
    });
  }
  findings.push(
    ...unknownFields(
      Object.fromEntries(
        Object.entries(spec).filter(
          ([key]) => RENAMED_SPEC_FIELDS[key] === undefined || Object.hasOwn(spec, RENAMED_SPEC_FIELDS[key]!),
        ),
      ),
      ['spec'],
      INGRESS_SPEC_FIELDS,
      'KR5008',
      'an Ingress spec',
    ),
  );
  const rules = Array.isArray(spec.rules) ? spec.rules : [];
  if (!isPatch && rules.length === 0 && spec.defaultBackend == null && spec.backend == null) {
    findings.push({
      code: 'KR5009',
      message: 'An Ingress needs rules or a defaultBackend: the API server rejects one with neither.',
      at: { path: ['spec'], part: 'key' },
    });
  }
  if (spec.defaultBackend !== undefined && spec.defaultBackend !== null) {
    findings.push(...checkBackend(spec.defaultBackend, ['spec', 'defaultBackend'], isPatch));
  } else if (isRecord(spec.backend)) {
    findings.push(...checkBackend(spec.backend, ['spec', 'backend'], isPatch));
  }
  if (spec.rules !== undefined && spec.rules !== null && !Array.isArray(spec.rules)) {
    findings.push({
      code: 'KR5008',
      message: `spec.rules is a list of rules, not ${describeValue(spec.rules)}.`,
      at: { path: ['spec', 'rules'] },
    });
  }
  rules.forEach((rule: unknown, index: number) => findings.push(...checkRule(rule, index, isPatch)));
  findings.push(...checkTls(value, spec, rules));
  findings.push(...checkClassName(value, spec));
  return findings;
}

function checkClassName(
  value: Readonly<Record<string, unknown>>,
  spec: Readonly<Record<string, unknown>>,
): Finding[] {
  const className = spec.ingressClassName;
  const path: Path = ['spec', 'ingressClassName'];
  if (className === undefined || className === null) {
    return [];
  }
  if (typeof className !== 'string' || className.length > 253 || !DNS1123_SUBDOMAIN.test(className)) {
    const lower = typeof className === 'string' ? className.toLowerCase() : '';
    return [
      {
        code: 'KR5010',
        message: `ingressClassName ${describeValue(className)} is not the name of an IngressClass: a DNS name of lower-case letters, digits, "-" and ".".`,
        at: { path },
        ...(DNS1123_SUBDOMAIN.test(lower)
          ? {
              fixes: [
                {
                  kind: 'replace-value',
                  title: `Change to ${lower}`,
                  path,
                  text: yamlString(lower),
                  preferred: true,
                } satisfies FixSpec,
              ],
            }
          : {}),
      },
    ];
  }
  const metadata = isRecord(value.metadata) ? value.metadata : {};
  const annotations = isRecord(metadata.annotations) ? metadata.annotations : {};
  const annotation = annotations[CLASS_ANNOTATION];
  if (typeof annotation === 'string' && annotation !== className) {
    return [
      {
        code: 'KR5010',
        message: `ingressClassName "${className}" and the ${CLASS_ANNOTATION} annotation "${annotation}" differ: the API server refuses to create the Ingress. Keep ingressClassName and remove the annotation.`,
        at: { path },
      },
    ];
  }
  return [];
}

function checkRule(rule: unknown, index: number, isPatch: boolean): Finding[] {
  const path: Path = ['spec', 'rules', index];
  if (!isRecord(rule)) {
    return [];
  }
  const findings = unknownFields(rule, path, INGRESS_HOST_RULE_FIELDS, 'KR5008', 'an Ingress rule');
  if (rule.host !== undefined && rule.host !== null && rule.host !== '') {
    findings.push(...checkHost(rule.host, [...path, 'host']));
  }
  const http = rule.http;
  if (!isRecord(http)) {
    return findings;
  }
  findings.push(...unknownFields(http, [...path, 'http'], INGRESS_HTTP_FIELDS, 'KR5008', 'an Ingress rule'));
  if (!Array.isArray(http.paths) || http.paths.length === 0) {
    if (!isPatch && (http.paths === undefined || http.paths === null || Array.isArray(http.paths))) {
      findings.push({
        code: 'KR5009',
        message:
          'This rule has http but no paths: the API server rejects it. Add a path, or remove http (and the rule).',
        at: { path: [...path, 'http'], part: 'key' },
      });
    }
    return findings;
  }
  http.paths.forEach((entry: unknown, pathIndex: number) => {
    findings.push(...checkPath(entry, [...path, 'http', 'paths', pathIndex], isPatch));
  });
  return findings;
}

function checkHost(host: unknown, path: Path): Finding[] {
  if (typeof host !== 'string') {
    return [
      {
        code: 'KR5006',
        message: `host must be a DNS name, not ${describeValue(host)}.`,
        at: { path },
      },
    ];
  }
  const problem = hostProblem(host);
  if (problem === undefined) {
    return [];
  }
  return [
    {
      code: 'KR5006',
      message: `Host "${host}" is not valid: ${problem.reason}.`,
      at: { path },
      ...(problem.fixed === undefined
        ? {}
        : {
            fixes: [
              {
                kind: 'replace-value',
                title: `Change to ${problem.fixed}`,
                path,
                text: yamlString(problem.fixed),
                preferred: true,
              } satisfies FixSpec,
            ],
          }),
    },
  ];
}

function checkPath(entry: unknown, path: Path, isPatch: boolean): Finding[] {
  if (!isRecord(entry)) {
    return [];
  }
  const findings = unknownFields(entry, path, INGRESS_PATH_FIELDS, 'KR5008', 'an Ingress path');
  const pathType = entry.pathType;
  const text = typeof entry.path === 'string' ? entry.path : undefined;
  if (pathType === undefined || pathType === null) {
    if (!isPatch) {
      findings.push({
        code: 'KR5001',
        message:
          'This path has no pathType: networking.k8s.io/v1 requires one. Prefix matches by path element (/api matches /api and /api/x, not /apix); Exact matches the path alone.',
        at: entry.path === undefined ? { path } : { path: [...path, 'path'], part: 'key' },
        fixes: [
          {
            kind: 'insert-pair',
            title: 'Add pathType: Prefix',
            mapPath: path,
            key: 'pathType',
            value: 'Prefix',
            preferred: true,
          },
        ],
      });
    }
  } else if (typeof pathType !== 'string' || !PATH_TYPES.includes(pathType)) {
    const suggestion = typeof pathType === 'string' ? didYouMean(pathType, PATH_TYPES) : undefined;
    findings.push({
      code: 'KR5001',
      message: `pathType ${describeValue(pathType)} is not supported: use Prefix, Exact or ImplementationSpecific.`,
      at: { path: [...path, 'pathType'] },
      fixes:
        suggestion === undefined
          ? []
          : [
              {
                kind: 'replace-value',
                title: `Change to ${suggestion}`,
                path: [...path, 'pathType'],
                text: suggestion,
                preferred: true,
              },
            ],
    });
  }
  if (entry.path !== undefined && entry.path !== null && typeof entry.path !== 'string') {
    findings.push({
      code: 'KR5002',
      message: `path must be a string starting with "/", not ${describeValue(entry.path)}.`,
      at: { path: [...path, 'path'] },
    });
  } else if (pathType === 'Exact' || pathType === 'Prefix' || pathType === 'ImplementationSpecific') {
    const value = text ?? '';
    const strict = pathType !== 'ImplementationSpecific';
    if ((strict || value !== '') && !value.startsWith('/')) {
      findings.push({
        code: 'KR5002',
        message:
          value === ''
            ? `A ${pathType} path needs path, starting with "/" (/ for everything).`
            : `Path "${value}" is not absolute: it must start with "/".`,
        at:
          entry.path === undefined
            ? { path: [...path, 'pathType'], part: 'key' }
            : { path: [...path, 'path'] },
        fixes:
          value === ''
            ? entry.path === undefined
              ? [
                  {
                    kind: 'insert-pair',
                    title: 'Add path: /',
                    mapPath: path,
                    key: 'path',
                    value: '/',
                    first: true,
                    preferred: true,
                  },
                ]
              : []
            : [
                {
                  kind: 'replace-value',
                  title: `Change to /${value}`,
                  path: [...path, 'path'],
                  text: yamlString(`/${value}`),
                  preferred: true,
                },
              ],
      });
    } else if (strict) {
      const sequence =
        INVALID_PATH_SEQUENCES.find((candidate) => value.includes(candidate)) ??
        INVALID_PATH_SUFFIXES.find((candidate) => value.endsWith(candidate));
      if (sequence !== undefined) {
        findings.push({
          code: 'KR5002',
          message: `Path "${value}" contains "${sequence}": the API server refuses ${pathType} paths that are not normalised.`,
          at: { path: [...path, 'path'] },
        });
      } else if (REGEX_CHARACTERS.test(value)) {
        findings.push({
          code: 'KR5003',
          message: `Path "${value}" looks like a regular expression, but a ${pathType} path is matched literally, so it matches no real request (and ingress-nginx, with its strict path validation on by default from v1.12, refuses it). Regular expressions need pathType: ImplementationSpecific with the controller's own option (ingress-nginx: the annotation nginx.ingress.kubernetes.io/use-regex: "true").`,
          at: { path: [...path, 'path'] },
          fixes: [
            {
              kind: 'replace-value',
              title: 'Change pathType to ImplementationSpecific',
              path: [...path, 'pathType'],
              text: 'ImplementationSpecific',
            },
          ],
        });
      }
    }
  }
  if (entry.backend === undefined || entry.backend === null) {
    if (!isPatch) {
      findings.push({
        code: 'KR5004',
        message: 'This path has no backend: add backend.service (name and port).',
        at: { path },
      });
    }
  } else {
    findings.push(...checkBackend(entry.backend, [...path, 'backend'], isPatch));
  }
  return findings;
}

function checkBackend(backend: unknown, path: Path, isPatch: boolean): Finding[] {
  if (!isRecord(backend)) {
    return [
      {
        code: 'KR5004',
        message: `A backend is a mapping with service (or resource), not ${describeValue(backend)}.`,
        at: { path },
      },
    ];
  }
  const findings: Finding[] = [];
  const legacy: string[] = Object.keys(backend).filter(
    (key) => key === 'serviceName' || key === 'servicePort',
  );
  for (const key of legacy) {
    findings.push({
      code: 'KR5008',
      message: `${key} is the networking.k8s.io/v1beta1 shape: in networking.k8s.io/v1 a backend is service: { name: …, port: { number: … } } (or port: { name: … }).`,
      at: { path: [...path, key], part: 'key' },
    });
  }
  findings.push(
    ...unknownFields(
      Object.fromEntries(Object.entries(backend).filter(([key]) => !legacy.includes(key))),
      path,
      INGRESS_BACKEND_FIELDS,
      'KR5008',
      'an Ingress backend',
    ),
  );
  const hasService = backend.service !== undefined && backend.service !== null;
  const hasResource = backend.resource !== undefined && backend.resource !== null;
  if (hasService && hasResource) {
    findings.push({
      code: 'KR5004',
      message:
        'This backend has both service and resource: a backend is one or the other, and the API server rejects both.',
      at: { path: [...path, 'resource'], part: 'key' },
    });
  } else if (!hasService && !hasResource && legacy.length === 0 && !isPatch) {
    findings.push({
      code: 'KR5004',
      message: 'This backend has neither service nor resource: add service (name and port).',
      at: { path, part: 'key' },
    });
  }
  if (hasResource && isRecord(backend.resource)) {
    findings.push(
      ...unknownFields(
        backend.resource,
        [...path, 'resource'],
        TYPED_LOCAL_OBJECT_REFERENCE_FIELDS,
        'KR5008',
        'a backend resource',
      ),
    );
  }
  if (hasService) {
    findings.push(...checkServiceBackend(backend.service, [...path, 'service'], isPatch));
  }
  return findings;
}

function checkServiceBackend(service: unknown, path: Path, isPatch: boolean): Finding[] {
  if (!isRecord(service)) {
    return [
      {
        code: 'KR5005',
        message: `service is a mapping with name and port, not ${describeValue(service)}.`,
        at: { path },
      },
    ];
  }
  const findings = unknownFields(
    service,
    path,
    INGRESS_SERVICE_BACKEND_FIELDS,
    'KR5008',
    'an Ingress service backend',
  );
  if (service.name === undefined || service.name === null || service.name === '') {
    if (!isPatch) {
      findings.push({
        code: 'KR5005',
        message: 'This service backend has no name: name the Service in the Ingress namespace.',
        at: { path, part: 'key' },
      });
    }
  } else if (
    typeof service.name !== 'string' ||
    !SERVICE_NAME.test(service.name) ||
    service.name.length > 63
  ) {
    findings.push({
      code: 'KR5005',
      message: `Service name ${describeValue(service.name)} is not valid: a Service name is a DNS label of at most 63 lower-case letters, digits and "-", starting with a letter.`,
      at: { path: [...path, 'name'] },
    });
  }
  const port = service.port;
  if (port === undefined || port === null) {
    if (!isPatch) {
      findings.push({
        code: 'KR5005',
        message:
          'This service backend has no port: add port with number (or name), the Service port to send to.',
        at: { path, part: 'key' },
      });
    }
    return findings;
  }
  if (!isRecord(port)) {
    const numeric = typeof port === 'number' && isValidPortNumber(port);
    findings.push({
      code: 'KR5005',
      message: `port is a mapping with number or name (port: { number: 80 }), not ${describeValue(port)}.`,
      at: { path: [...path, 'port'] },
      ...(numeric
        ? {
            fixes: [
              {
                kind: 'replace-value',
                title: `Change to { number: ${port} }`,
                path: [...path, 'port'],
                text: `{ number: ${port} }`,
                preferred: true,
              } satisfies FixSpec,
            ],
          }
        : {}),
    });
    return findings;
  }
  findings.push(
    ...unknownFields(
      port,
      [...path, 'port'],
      INGRESS_SERVICE_PORT_FIELDS,
      'KR5008',
      'a service backend port',
    ),
  );
  const hasName = port.name !== undefined && port.name !== null && port.name !== '';
  const hasNumber = port.number !== undefined && port.number !== null;
  if (hasName && hasNumber) {
    findings.push({
      code: 'KR5005',
      message: 'This port has both name and number: give one of them (the API server rejects both).',
      at: { path: [...path, 'port'], part: 'key' },
    });
  } else if (!hasName && !hasNumber) {
    if (!isPatch) {
      findings.push({
        code: 'KR5005',
        message: 'This port has neither name nor number: give the Service port by number or by name.',
        at: { path: [...path, 'port'], part: 'key' },
      });
    }
  } else if (hasNumber) {
    const number = port.number;
    if (typeof number !== 'number' || !isValidPortNumber(number)) {
      const quoted =
        typeof number === 'string' && /^[0-9]+$/.test(number) && isValidPortNumber(Number(number));
      findings.push({
        code: 'KR5005',
        message: quoted
          ? `number must be an integer, not the string ${describeValue(number)}: remove the quotes.`
          : `Port number ${describeValue(number)} must be an integer from 1 to 65535.`,
        at: { path: [...path, 'port', 'number'] },
        ...(quoted
          ? {
              fixes: [
                {
                  kind: 'replace-value',
                  title: `Change to ${Number(number)}`,
                  path: [...path, 'port', 'number'],
                  text: String(Number(number)),
                  preferred: true,
                } satisfies FixSpec,
              ],
            }
          : {}),
      });
    }
  } else if (typeof port.name !== 'string' || validatePortName(port.name).length > 0) {
    findings.push({
      code: 'KR5005',
      message: `Port name ${describeValue(port.name)} is not a valid port name: a Service port name is a DNS label of at most 15 characters here (an IANA service name).`,
      at: { path: [...path, 'port', 'name'] },
    });
  }
  return findings;
}

/** ingress-nginx's redirect between `example.com` and `www.example.com`, served by one rule. */
const WWW_REDIRECT_ANNOTATION = 'nginx.ingress.kubernetes.io/from-to-www-redirect';

function checkTls(
  value: Readonly<Record<string, unknown>>,
  spec: Readonly<Record<string, unknown>>,
  rules: readonly unknown[],
): Finding[] {
  if (!Array.isArray(spec.tls)) {
    return [];
  }
  const metadata = isRecord(value.metadata) ? value.metadata : {};
  const annotations = isRecord(metadata.annotations) ? metadata.annotations : {};
  const wwwRedirect = annotations[WWW_REDIRECT_ANNOTATION] === 'true';
  const tlsHosts = spec.tls.flatMap((entry: unknown) =>
    isRecord(entry) && Array.isArray(entry.hosts)
      ? entry.hosts.filter((host: unknown): host is string => typeof host === 'string')
      : [],
  );
  const findings: Finding[] = [];
  const ruleHosts = rules.flatMap((rule) =>
    isRecord(rule) && typeof rule.host === 'string' && rule.host !== '' ? [rule.host] : [],
  );
  // A rule without host, or a default backend, serves every host: every TLS host is then served.
  const catchAll =
    (spec.defaultBackend !== undefined && spec.defaultBackend !== null) ||
    rules.some(
      (rule) => isRecord(rule) && (rule.host === undefined || rule.host === null || rule.host === ''),
    );
  spec.tls.forEach((entry: unknown, index: number) => {
    const path: Path = ['spec', 'tls', index];
    if (!isRecord(entry)) {
      return;
    }
    findings.push(...unknownFields(entry, path, INGRESS_TLS_FIELDS, 'KR5008', 'an Ingress TLS entry'));
    if (!Array.isArray(entry.hosts)) {
      return;
    }
    entry.hosts.forEach((host: unknown, hostIndex: number) => {
      const hostPath: Path = [...path, 'hosts', hostIndex];
      const problems = checkHost(host, hostPath);
      findings.push(...problems);
      if (problems.length > 0 || typeof host !== 'string' || catchAll || rules.length === 0) {
        return;
      }
      if (ruleHosts.some((ruleHost) => hostCovers(ruleHost, host))) {
        return;
      }
      if (
        wwwRedirect &&
        ruleHosts.some((ruleHost) => host === `www.${ruleHost}` || ruleHost === `www.${host}`)
      ) {
        return;
      }
      const suggestion = didYouMean(host, ruleHosts);
      // A near miss whose rule host no TLS host covers is a typo: that host goes without TLS.
      const typo =
        suggestion !== undefined && !tlsHosts.some((tlsHost: string) => hostCovers(tlsHost, suggestion));
      const rulesText = ruleHosts.map((ruleHost) => `"${ruleHost}"`).join(', ');
      findings.push({
        code: 'KR5007',
        ...(typo ? {} : { severity: 'information' as const }),
        message: typo
          ? `No rule of this Ingress serves TLS host "${host}" (rules: ${rulesText}). Did you mean "${suggestion}"? As written, no TLS entry names "${suggestion}", so the controller serves it with its default certificate.`
          : `No rule of this Ingress serves TLS host "${host}" (rules: ${rulesText}): the certificate names a host this Ingress does not route. Fine if another Ingress serves it with the same certificate; otherwise remove it or add a rule.`,
        at: { path: hostPath },
        ...(suggestion === undefined
          ? {}
          : {
              fixes: [
                {
                  kind: 'replace-value',
                  title: `Change to ${suggestion}`,
                  path: hostPath,
                  text: yamlString(suggestion),
                  preferred: typo,
                } satisfies FixSpec,
              ],
            }),
      });
    });
  });
  return findings;
}
