/**
 * The API server's validation of networking.k8s.io/v1 Ingresses and IngressClasses
 * (k8s.io/kubernetes pkg/apis/networking/validation, Kubernetes 1.32): each problem as the field
 * path and the message a real server puts in its 422, so the sandbox refuses what a cluster
 * refuses, in the same words, and the language server can say beforehand what the cluster will say.
 * Only the main checks are here: rules and paths, backends, hosts, the class name and the
 * ingress-class annotation; not TLS secret names or the resource backend's reference.
 */
import { isValidIp } from './cidr.ts';
import { validatePortName } from './ports.ts';

export interface FieldProblem {
  /** `spec.rules[0].http.paths[0].pathType`. */
  readonly field: string;
  /** After the field: `Required value: pathType must be specified`. */
  readonly message: string;
  /** The Status cause's reason: FieldValueRequired, FieldValueNotSupported, FieldValueInvalid. */
  readonly reason: 'FieldValueRequired' | 'FieldValueNotSupported' | 'FieldValueInvalid';
}

export const PATH_TYPES = ['Exact', 'ImplementationSpecific', 'Prefix'] as const;
export const INGRESS_CLASS_ANNOTATION = 'kubernetes.io/ingress.class';
export const DEFAULT_CLASS_ANNOTATION = 'ingressclass.kubernetes.io/is-default-class';

type Obj = Record<string, unknown>;
const asObj = (value: unknown): Obj | undefined =>
  typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Obj) : undefined;
const asArray = (value: unknown): unknown[] => (Array.isArray(value) ? value : []);

const DNS1123_LABEL = '[a-z0-9]([-a-z0-9]*[a-z0-9])?';
const DNS1123_SUBDOMAIN = `${DNS1123_LABEL}(\\.${DNS1123_LABEL})*`;
const SUBDOMAIN_RE = new RegExp(`^${DNS1123_SUBDOMAIN}$`);
const WILDCARD_RE = new RegExp(`^\\*\\.${DNS1123_SUBDOMAIN}$`);
const DNS1035_RE = /^[a-z]([-a-z0-9]*[a-z0-9])?$/;

const SUBDOMAIN_MESSAGE =
  "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')";
const WILDCARD_MESSAGE =
  "a wildcard DNS-1123 subdomain must start with '*.', followed by a valid DNS subdomain, which must consist of lower case alphanumeric characters, '-' or '.' and end with an alphanumeric character (e.g. '*.example.com', regex used for validation is '\\*\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')";
const DNS1035_MESSAGE =
  "a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character (e.g. 'my-name',  or 'abc-123', regex used for validation is '[a-z]([-a-z0-9]*[a-z0-9])?')";

const INVALID_PATH_SEQUENCES = ['//', '/./', '/../', '%2f', '%2F'];
const INVALID_PATH_SUFFIXES = ['/..', '/.'];

/** Go's `%q` of a string, enough for what manifests hold. */
function quote(value: string): string {
  return JSON.stringify(value);
}

const required = (field: string, detail = ''): FieldProblem => ({
  field,
  message: detail ? `Required value: ${detail}` : 'Required value',
  reason: 'FieldValueRequired',
});
const invalid = (field: string, shown: string, detail: string): FieldProblem => ({
  field,
  message: `Invalid value: ${shown}: ${detail}`,
  reason: 'FieldValueInvalid',
});

/** `validation.IsDNS1123Subdomain`'s messages. */
function subdomainErrors(value: string): string[] {
  const errors: string[] = [];
  if (value.length > 253) {
    errors.push('must be no more than 253 characters');
  }
  if (!SUBDOMAIN_RE.test(value)) {
    errors.push(SUBDOMAIN_MESSAGE);
  }
  return errors;
}

/** `validation.IsWildcardDNS1123Subdomain`'s messages. */
function wildcardErrors(value: string): string[] {
  const errors: string[] = [];
  if (value.length > 253) {
    errors.push('must be no more than 253 characters');
  }
  if (!WILDCARD_RE.test(value)) {
    errors.push(WILDCARD_MESSAGE);
  }
  return errors;
}

/** `ValidateServiceName` (a DNS-1035 label). */
function serviceNameErrors(value: string): string[] {
  const errors: string[] = [];
  if (value.length > 63) {
    errors.push('must be no more than 63 characters');
  }
  if (!DNS1035_RE.test(value)) {
    errors.push(DNS1035_MESSAGE);
  }
  return errors;
}

/** An Ingress's problems, in the order the API server reports them. `creating` adds the create-only checks. */
export function validateIngress(ingress: unknown, options: { creating?: boolean } = {}): FieldProblem[] {
  const object = asObj(ingress) ?? {};
  const spec = asObj(object.spec) ?? {};
  const annotations = asObj(asObj(object.metadata)?.annotations) ?? {};
  const problems: FieldProblem[] = [];
  const className = spec.ingressClassName;
  if (options.creating === true && typeof className === 'string') {
    const annotation = annotations[INGRESS_CLASS_ANNOTATION];
    if (typeof annotation === 'string' && annotation !== className) {
      problems.push(
        invalid(
          `annotations.${INGRESS_CLASS_ANNOTATION}`,
          quote(annotation),
          'must match `ingressClassName` when both are specified',
        ),
      );
    }
  }
  const rules = asArray(spec.rules);
  if (rules.length === 0 && spec.defaultBackend == null) {
    problems.push({
      field: 'spec',
      message:
        'Invalid value: []networking.IngressRule(nil): either `defaultBackend` or `rules` must be specified',
      reason: 'FieldValueInvalid',
    });
  }
  if (spec.defaultBackend != null) {
    problems.push(...validateBackend(spec.defaultBackend, 'spec.defaultBackend'));
  }
  rules.forEach((rule, index) => problems.push(...validateRule(asObj(rule) ?? {}, `spec.rules[${index}]`)));
  // validateIngressTLS: each host a DNS-1123 subdomain, or a wildcard one (no IP check there).
  asArray(spec.tls).forEach((tls, tlsIndex) => {
    asArray(asObj(tls)?.hosts).forEach((host, hostIndex) => {
      if (typeof host !== 'string') {
        return;
      }
      for (const message of host.includes('*') ? wildcardErrors(host) : subdomainErrors(host)) {
        problems.push(invalid(`spec.tls[${tlsIndex}].hosts[${hostIndex}]`, quote(host), message));
      }
    });
  });
  if (typeof className === 'string') {
    for (const message of subdomainErrors(className)) {
      problems.push(invalid('spec.ingressClassName', quote(className), message));
    }
  }
  return problems;
}

function validateRule(rule: Obj, field: string): FieldProblem[] {
  const problems: FieldProblem[] = [];
  const host = typeof rule.host === 'string' ? rule.host : '';
  if (host.length > 0) {
    if (isValidIp(host)) {
      problems.push(invalid(`${field}.host`, quote(host), 'must be a DNS name, not an IP address'));
    }
    const messages = host.includes('*') ? wildcardErrors(host) : subdomainErrors(host);
    for (const message of messages) {
      problems.push(invalid(`${field}.host`, quote(host), message));
    }
  }
  const http = asObj(rule.http);
  if (http) {
    const paths = asArray(http.paths);
    if (paths.length === 0) {
      problems.push(required(`${field}.http.paths`));
    }
    paths.forEach((path, index) =>
      problems.push(...validatePath(asObj(path) ?? {}, `${field}.http.paths[${index}]`)),
    );
  }
  return problems;
}

function validatePath(path: Obj, field: string): FieldProblem[] {
  const problems: FieldProblem[] = [];
  const pathType = path.pathType;
  if (pathType == null) {
    return [required(`${field}.pathType`, 'pathType must be specified')];
  }
  const text = typeof path.path === 'string' ? path.path : '';
  switch (pathType) {
    case 'Exact':
    case 'Prefix':
      if (!text.startsWith('/')) {
        problems.push(invalid(`${field}.path`, quote(text), 'must be an absolute path'));
      }
      if (text.length > 0) {
        for (const sequence of INVALID_PATH_SEQUENCES) {
          if (text.includes(sequence)) {
            problems.push(invalid(`${field}.path`, quote(text), `must not contain '${sequence}'`));
          }
        }
        for (const suffix of INVALID_PATH_SUFFIXES) {
          if (text.endsWith(suffix)) {
            problems.push(invalid(`${field}.path`, quote(text), `cannot end with '${suffix}'`));
          }
        }
      }
      break;
    case 'ImplementationSpecific':
      if (text.length > 0 && !text.startsWith('/')) {
        problems.push(invalid(`${field}.path`, quote(text), 'must be an absolute path'));
      }
      break;
    default:
      problems.push({
        field: `${field}.pathType`,
        message: `Unsupported value: ${quote(String(pathType))}: supported values: ${PATH_TYPES.map(quote).join(', ')}`,
        reason: 'FieldValueNotSupported',
      });
  }
  problems.push(...validateBackend(path.backend, `${field}.backend`));
  return problems;
}

function validateBackend(value: unknown, field: string): FieldProblem[] {
  const backend = asObj(value) ?? {};
  const service = asObj(backend.service);
  const hasResource = backend.resource != null;
  if (hasResource && service) {
    return [invalid(field, '""', 'cannot set both resource and service backends')];
  }
  if (hasResource) {
    return [];
  }
  if (!service) {
    return [invalid(field, '""', 'resource or service backend is required')];
  }
  const problems: FieldProblem[] = [];
  const name = typeof service.name === 'string' ? service.name : '';
  if (name.length === 0) {
    problems.push(required(`${field}.service.name`));
  } else {
    for (const message of serviceNameErrors(name)) {
      problems.push(invalid(`${field}.service.name`, quote(name), message));
    }
  }
  const port = asObj(service.port) ?? {};
  const portName = typeof port.name === 'string' ? port.name : '';
  const portNumber = typeof port.number === 'number' ? port.number : 0;
  if (portName.length > 0 && portNumber !== 0) {
    problems.push(invalid(field, '""', 'cannot set both port name & port number'));
  } else if (portName.length > 0) {
    for (const message of validatePortName(portName)) {
      problems.push(invalid(`${field}.service.port.name`, quote(portName), message));
    }
  } else if (portNumber !== 0) {
    if (!Number.isInteger(portNumber) || portNumber < 1 || portNumber > 65535) {
      problems.push(
        invalid(`${field}.service.port.number`, String(portNumber), 'must be between 1 and 65535, inclusive'),
      );
    }
  } else {
    problems.push(required(field, 'port name or number is required'));
  }
  return problems;
}

/** An IngressClass's problems: the controller is required and a domain-prefixed path. */
export function validateIngressClass(ingressClass: unknown): FieldProblem[] {
  const spec = asObj(asObj(ingressClass)?.spec) ?? {};
  const controller = typeof spec.controller === 'string' ? spec.controller : '';
  if (controller.length === 0) {
    return [required('spec.controller')];
  }
  const problems: FieldProblem[] = [];
  if (controller.length > 250) {
    problems.push({
      field: 'spec.controller',
      message: `Too long: may not be more than 250 bytes`,
      reason: 'FieldValueInvalid',
    });
  }
  const slash = controller.indexOf('/');
  if (slash < 0) {
    problems.push(
      invalid('spec.controller', quote(controller), 'must be a domain-prefixed path (such as "acme.io/foo")'),
    );
    return problems;
  }
  const host = controller.slice(0, slash);
  for (const message of subdomainErrors(host)) {
    problems.push(invalid('spec.controller', quote(host), message));
  }
  return problems;
}

/**
 * The class the DefaultIngressClass admission plugin gives an Ingress created without one: the
 * IngressClass annotated as default, the newest if several are; undefined if none is.
 */
export function defaultIngressClass(
  classes: readonly {
    metadata?: { name?: string; creationTimestamp?: string; annotations?: Readonly<Record<string, string>> };
  }[],
): string | undefined {
  let chosen: { name: string; created: number } | undefined;
  for (const candidate of classes) {
    if (candidate.metadata?.annotations?.[DEFAULT_CLASS_ANNOTATION] !== 'true' || !candidate.metadata.name) {
      continue;
    }
    const created = Date.parse(candidate.metadata.creationTimestamp ?? '') || 0;
    if (!chosen || created > chosen.created) {
      chosen = { name: candidate.metadata.name, created };
    }
  }
  return chosen?.name;
}
