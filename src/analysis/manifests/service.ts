/**
 * Static checks of a Service manifest (KR1xxx): what the API server would reject, and what it
 * would accept but cannot work, read from the manifest alone. The rules follow
 * k8s.io/kubernetes pkg/apis/core/validation (ValidateService) and the API reference.
 */
import { isValidIp, parseCidr, parseIp } from '../cidr.ts';
import { validateLabelKey, validateLabelValue } from '../labels.ts';
import { isValidPortNumber, validatePortName } from '../ports.ts';
import { isRecord } from './document.ts';
import type { Path } from './document.ts';
import {
  METADATA_FIELDS,
  OBJECT_FIELDS,
  PROTOCOLS,
  SERVICE_PORT_FIELDS,
  SERVICE_SPEC_FIELDS,
  SERVICE_TYPES,
} from './fields.ts';
import { listWords, yamlString } from './findings.ts';
import type { Finding, FixSpec } from './findings.ts';
import { didYouMean } from './suggest.ts';
import type { DiagnosticCode } from './codes.ts';

/** The quick fix of a Service without `type` whose fields (nodePort, externalTrafficPolicy) need NodePort. */
const MAKE_NODE_PORT: FixSpec = {
  kind: 'insert-pair',
  title: 'Make this a NodePort Service',
  mapPath: ['spec'],
  key: 'type',
  value: 'NodePort',
};

const DNS1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
/** Node ports come from this range unless the cluster sets --service-node-port-range. */
const NODE_PORT_MIN = 30000;
const NODE_PORT_MAX = 32767;

/** Well-known port numbers, for naming an unnamed port. */
const WELL_KNOWN_PORTS: Readonly<Record<number, string>> = {
  53: 'dns',
  80: 'http',
  443: 'https',
  3306: 'mysql',
  5432: 'postgres',
  6379: 'redis',
  8080: 'http',
  8443: 'https',
  9090: 'grpc',
  9100: 'metrics',
  27017: 'mongodb',
};

export function describeValue(value: unknown): string {
  if (value === null || value === undefined) {
    return 'empty';
  }
  if (typeof value === 'string') {
    return JSON.stringify(value);
  }
  if (Array.isArray(value)) {
    return 'a list';
  }
  if (typeof value === 'object') {
    return 'a mapping';
  }
  return String(value);
}

/**
 * Unknown keys of a mapping, each with a "did you mean" rename when a known field is close.
 * Keys starting with `$` are strategic-merge-patch directives, which kustomize patches carry.
 */
export function unknownFields(
  value: Readonly<Record<string, unknown>>,
  path: Path,
  known: readonly string[],
  code: DiagnosticCode,
  where: string,
): Finding[] {
  const findings: Finding[] = [];
  for (const key of Object.keys(value)) {
    if (known.includes(key) || key.startsWith('$')) {
      continue;
    }
    const suggestion = didYouMean(
      key,
      known.filter((field) => !Object.hasOwn(value, field)),
    );
    findings.push({
      code,
      message:
        suggestion === undefined
          ? `Unknown field "${key}" in ${where}: the API server rejects it (or drops it, with client-side apply).`
          : `Unknown field "${key}" in ${where}. Did you mean "${suggestion}"?`,
      at: { path: [...path, key], part: 'key' },
      ...(suggestion === undefined
        ? {}
        : {
            fixes: [
              {
                kind: 'rename-key',
                title: `Rename "${key}" to "${suggestion}"`,
                path: [...path, key],
                key: suggestion,
                preferred: true,
              } satisfies FixSpec,
            ],
          }),
    });
  }
  return findings;
}

/** Unknown top-level and metadata keys, shared by the Service and NetworkPolicy checks. */
export function objectFieldFindings(
  value: Readonly<Record<string, unknown>>,
  code: DiagnosticCode,
  kind: string,
): Finding[] {
  const findings = unknownFields(value, [], OBJECT_FIELDS, code, `a ${kind}`);
  if (isRecord(value.metadata)) {
    findings.push(...unknownFields(value.metadata, ['metadata'], METADATA_FIELDS, code, `${kind} metadata`));
  }
  return findings;
}

function caseFix(path: Path, value: unknown, known: readonly string[]): FixSpec[] {
  if (typeof value !== 'string') {
    return [];
  }
  const suggestion = didYouMean(value, known);
  return suggestion === undefined
    ? []
    : [{ kind: 'replace-value', title: `Change to ${suggestion}`, path, text: suggestion, preferred: true }];
}

export function protocolFinding(code: DiagnosticCode, path: Path, value: unknown): Finding | undefined {
  if (value === undefined || value === null || (typeof value === 'string' && PROTOCOLS.includes(value))) {
    return undefined;
  }
  return {
    code,
    message: `protocol ${describeValue(value)} is not supported: use TCP, UDP or SCTP (upper case).`,
    at: { path },
    fixes: caseFix(path, value, PROTOCOLS),
  };
}

/** A name for an unnamed port that no other port of the Service uses. */
export function suggestPortName(port: Readonly<Record<string, unknown>>, taken: ReadonlySet<string>): string {
  const candidates: string[] = [];
  const target = port.targetPort;
  if (typeof target === 'string' && validatePortName(target).length === 0) {
    candidates.push(target);
  }
  const number = typeof port.port === 'number' ? port.port : undefined;
  const protocol = typeof port.protocol === 'string' ? port.protocol.toLowerCase() : 'tcp';
  if (number !== undefined && WELL_KNOWN_PORTS[number] !== undefined) {
    candidates.push(WELL_KNOWN_PORTS[number]!);
  }
  if (number !== undefined) {
    candidates.push(protocol === 'tcp' ? `port-${number}` : `${protocol}-${number}`);
  }
  candidates.push('port');
  for (const candidate of candidates) {
    if (!taken.has(candidate)) {
      return candidate;
    }
  }
  for (let i = 2; ; i++) {
    if (!taken.has(`port-${i}`)) {
      return `port-${i}`;
    }
  }
}

/** The Service's type after defaulting, or undefined when it is not a known type. */
export function serviceType(spec: Readonly<Record<string, unknown>>): string | undefined {
  const type = spec.type ?? 'ClusterIP';
  return typeof type === 'string' && SERVICE_TYPES.includes(type) ? type : undefined;
}

/**
 * Static findings on one Service. `isPatch` (a kustomize patch) drops the checks of what must be
 * present, since a patch only holds what it changes.
 */
export function checkService(value: Readonly<Record<string, unknown>>, isPatch: boolean): Finding[] {
  const findings: Finding[] = objectFieldFindings(value, 'KR1015', 'Service');
  const spec = value.spec;
  if (!isRecord(spec)) {
    if (!isPatch && spec === undefined) {
      findings.push({
        code: 'KR1001',
        message: 'This Service has no spec, so no ports: add spec.ports (and spec.selector).',
        at: { path: ['kind'], part: 'key' },
      });
    }
    return findings;
  }
  findings.push(...unknownFields(spec, ['spec'], SERVICE_SPEC_FIELDS, 'KR1015', 'a Service spec'));

  // type
  if (spec.type !== undefined && serviceType(spec) === undefined) {
    findings.push({
      code: 'KR1010',
      message: `type ${describeValue(spec.type)} is not a Service type: use ClusterIP (the default), NodePort, LoadBalancer or ExternalName.`,
      at: { path: ['spec', 'type'] },
      fixes: caseFix(['spec', 'type'], spec.type, SERVICE_TYPES),
    });
  }
  const type = serviceType(spec);

  // clusterIP: None
  if (
    spec.clusterIP === 'None' &&
    (type === 'NodePort' || type === 'LoadBalancer' || type === 'ExternalName')
  ) {
    findings.push({
      code: 'KR1011',
      message:
        type === 'ExternalName'
          ? 'An ExternalName Service has no cluster IP: remove clusterIP.'
          : `A ${type} Service cannot be headless (clusterIP: None): use type ClusterIP for a headless Service, or remove clusterIP.`,
      at: { path: ['spec', 'clusterIP'] },
    });
  }

  // externalName
  if (
    type === 'ExternalName' &&
    !isPatch &&
    (typeof spec.externalName !== 'string' || spec.externalName === '')
  ) {
    findings.push({
      code: 'KR1012',
      message:
        'An ExternalName Service needs spec.externalName, the DNS name it aliases (e.g. db.example.com).',
      at: { path: ['spec', 'type'] },
      fixes: [
        {
          kind: 'insert-pair',
          title: 'Add externalName',
          mapPath: ['spec'],
          key: 'externalName',
          value: 'my.database.example.com',
        },
      ],
    });
  }

  // externalTrafficPolicy, loadBalancerSourceRanges
  findings.push(...checkExternalTrafficPolicy(spec, type));
  findings.push(...checkSourceRanges(value, spec, type));

  // selector
  findings.push(...checkServiceSelector(spec.selector));

  // ports
  findings.push(...checkPorts(spec, type, isPatch));
  return findings;
}

const TRAFFIC_POLICIES = ['Cluster', 'Local'];

/** The API server's ExternallyAccessible: node ports, a load balancer, or external IPs. */
function externallyAccessible(spec: Readonly<Record<string, unknown>>, type: string | undefined): boolean {
  return (
    type === 'NodePort' ||
    type === 'LoadBalancer' ||
    (type === 'ClusterIP' && Array.isArray(spec.externalIPs) && spec.externalIPs.length > 0)
  );
}

function checkExternalTrafficPolicy(
  spec: Readonly<Record<string, unknown>>,
  type: string | undefined,
): Finding[] {
  const policy = spec.externalTrafficPolicy;
  if (policy === undefined || policy === null || policy === '' || type === undefined) {
    return [];
  }
  const path = ['spec', 'externalTrafficPolicy'];
  if (!externallyAccessible(spec, type)) {
    return [
      {
        code: 'KR1017',
        message: `externalTrafficPolicy applies to traffic from outside the cluster (node ports, load balancers, external IPs), and this ${type} Service takes none: the API server rejects it. Make it a NodePort or LoadBalancer Service, or remove externalTrafficPolicy (internalTrafficPolicy is the one for in-cluster callers).`,
        at: { path, part: 'key' },
        ...(spec.type === undefined ? { fixes: [MAKE_NODE_PORT] } : {}),
      },
    ];
  }
  if (typeof policy !== 'string' || !TRAFFIC_POLICIES.includes(policy)) {
    return [
      {
        code: 'KR1017',
        message: `externalTrafficPolicy ${describeValue(policy)} is not supported: use Cluster (the default: any node forwards, the client address is lost) or Local (only nodes with a ready endpoint answer, the client address is kept).`,
        at: { path },
        fixes: caseFix(path, policy, TRAFFIC_POLICIES),
      },
    ];
  }
  return [];
}

export const SOURCE_RANGES_ANNOTATION = 'service.beta.kubernetes.io/load-balancer-source-ranges';

/** Whether the API server reads this as a CIDR (it trims spaces, and tolerates leading zeros). */
function isApiCidr(text: string): boolean {
  const trimmed = text.trim();
  return (
    parseCidr(trimmed) !== undefined || parseCidr(trimmed.replace(/(^|\.)0+(?=[0-9])/g, '$1')) !== undefined
  );
}

function checkSourceRanges(
  value: Readonly<Record<string, unknown>>,
  spec: Readonly<Record<string, unknown>>,
  type: string | undefined,
): Finding[] {
  const findings: Finding[] = [];
  const ranges = spec.loadBalancerSourceRanges;
  const path = ['spec', 'loadBalancerSourceRanges'];
  const metadata = isRecord(value.metadata) ? value.metadata : {};
  const annotations = isRecord(metadata.annotations) ? metadata.annotations : {};
  const annotation = annotations[SOURCE_RANGES_ANNOTATION];
  const hasField = Array.isArray(ranges) ? ranges.length > 0 : ranges !== undefined && ranges !== null;
  if (hasField && type !== undefined && type !== 'LoadBalancer') {
    findings.push({
      code: 'KR1018',
      message: `loadBalancerSourceRanges restricts who may reach a cloud load balancer, and this Service is ${type}: the API server rejects it. Use type LoadBalancer, or a NetworkPolicy to restrict callers.`,
      at: { path, part: 'key' },
    });
    return findings;
  }
  if (hasField && !Array.isArray(ranges)) {
    findings.push({
      code: 'KR1018',
      message: `loadBalancerSourceRanges is a list of CIDR blocks (e.g. [203.0.113.0/24]), not ${describeValue(ranges)}.`,
      at: { path },
    });
    return findings;
  }
  if (Array.isArray(ranges) && ranges.length > 0) {
    ranges.forEach((range: unknown, index: number) => {
      if (typeof range === 'string' && isApiCidr(range)) {
        return;
      }
      const address = typeof range === 'string' ? parseIp(range.trim()) : undefined;
      findings.push({
        code: 'KR1018',
        message:
          address !== undefined
            ? `${describeValue(range)} is an address, and loadBalancerSourceRanges holds CIDR blocks: write ${String(range).trim()}/${address.family === 4 ? 32 : 128} for this one address.`
            : `${describeValue(range)} is not a CIDR block (such as 203.0.113.0/24 or 2001:db8::/32).`,
        at: { path: [...path, index] },
        ...(address !== undefined
          ? {
              fixes: [
                {
                  kind: 'replace-value',
                  title: `Change to ${String(range).trim()}/${address.family === 4 ? 32 : 128}`,
                  path: [...path, index],
                  text: yamlString(`${String(range).trim()}/${address.family === 4 ? 32 : 128}`),
                  preferred: true,
                } satisfies FixSpec,
              ],
            }
          : {}),
      });
    });
  } else if (typeof annotation === 'string' && annotation.trim() !== '') {
    const invalid = annotation.split(',').filter((part) => !isApiCidr(part));
    const at = { path: ['metadata', 'annotations', SOURCE_RANGES_ANNOTATION] };
    if (type !== undefined && type !== 'LoadBalancer') {
      findings.push({
        code: 'KR1018',
        message: `The ${SOURCE_RANGES_ANNOTATION} annotation applies to LoadBalancer Services, and this one is ${type}: the API server rejects it.`,
        at,
      });
    } else if (invalid.length > 0) {
      findings.push({
        code: 'KR1018',
        message: `The ${SOURCE_RANGES_ANNOTATION} annotation is a comma-separated list of CIDR blocks, and ${listWords(invalid.map((part) => JSON.stringify(part.trim())))} ${invalid.length === 1 ? 'is not one' : 'are not'}${invalid.some((part) => isValidIp(part.trim())) ? ' (an address needs its /32 or /128)' : ''}.`,
        at,
      });
    }
  }
  return findings;
}

function checkServiceSelector(selector: unknown): Finding[] {
  if (selector === undefined || selector === null) {
    return [];
  }
  const path = ['spec', 'selector'];
  if (!isRecord(selector)) {
    return [
      {
        code: 'KR1014',
        message: `A Service selector is a mapping of label keys to values (e.g. app: web), not ${describeValue(selector)}.`,
        at: { path },
      },
    ];
  }
  const findings: Finding[] = [];
  const nested = selector.matchLabels;
  if (isRecord(nested) && Object.values(nested).every((value) => typeof value === 'string')) {
    findings.push({
      code: 'KR1014',
      message:
        'A Service selector is a plain map of labels: matchLabels belongs to Deployments and NetworkPolicies, and here it would be read as a label named "matchLabels".',
      at: { path: [...path, 'matchLabels'], part: 'key' },
      fixes: [
        {
          kind: 'set-map',
          title: 'Use the labels under matchLabels as the selector',
          path,
          entries: nested as Record<string, string>,
          preferred: true,
        },
      ],
    });
  }
  for (const [key, value] of Object.entries(selector)) {
    if (key === 'matchLabels' && findings.length > 0) {
      continue;
    }
    const keyErrors = validateLabelKey(key);
    if (keyErrors.length > 0) {
      findings.push({
        code: 'KR1013',
        message: `Invalid label key "${key}" in the selector: ${keyErrors.join('; ')}.`,
        at: { path: [...path, key], part: 'key' },
      });
    }
    if (typeof value === 'number' || typeof value === 'boolean') {
      findings.push({
        code: 'KR1014',
        message: `The selector value of "${key}" is read as a ${typeof value}, but label values are strings: quote it.`,
        at: { path: [...path, key] },
        fixes: [{ kind: 'quote-value', title: 'Quote the value', path: [...path, key], preferred: true }],
      });
    } else if (typeof value !== 'string') {
      findings.push({
        code: 'KR1014',
        message: `The selector value of "${key}" is ${describeValue(value)}, but label values are strings.`,
        at: { path: [...path, key] },
      });
    } else {
      const valueErrors = validateLabelValue(value);
      if (valueErrors.length > 0) {
        findings.push({
          code: 'KR1014',
          message: `Invalid label value "${value}" for "${key}" in the selector: ${valueErrors.join('; ')}.`,
          at: { path: [...path, key] },
        });
      }
    }
  }
  return findings;
}

function checkPorts(
  spec: Readonly<Record<string, unknown>>,
  type: string | undefined,
  isPatch: boolean,
): Finding[] {
  const findings: Finding[] = [];
  const ports = spec.ports;
  if (ports === undefined || ports === null || (Array.isArray(ports) && ports.length === 0)) {
    if (!isPatch && type !== 'ExternalName') {
      findings.push({
        code: 'KR1001',
        message: `A ${type ?? 'ClusterIP'} Service needs at least one port in spec.ports (only ExternalName Services may have none).`,
        at: ports === undefined ? { path: ['spec'], part: 'key' } : { path: ['spec', 'ports'], part: 'key' },
        fixes: [
          {
            kind: 'insert-pair',
            title: 'Add a port',
            mapPath: ['spec'],
            key: 'ports',
            value: '[{ name: http, port: 80, targetPort: http }]',
          },
        ],
      });
    }
    return findings;
  }
  if (!Array.isArray(ports)) {
    findings.push({
      code: 'KR1001',
      message: `spec.ports must be a list of ports, not ${describeValue(ports)}.`,
      at: { path: ['spec', 'ports'] },
    });
    return findings;
  }
  const names = new Map<string, number>();
  const pairs = new Map<string, number>();
  const takenNames = new Set(
    ports.flatMap((port: unknown) => (isRecord(port) && typeof port.name === 'string' ? [port.name] : [])),
  );
  ports.forEach((port: unknown, index: number) => {
    const path = ['spec', 'ports', index];
    if (!isRecord(port)) {
      findings.push({
        code: 'KR1002',
        message: `Each Service port is a mapping with at least a port number, not ${describeValue(port)}.`,
        at: { path },
      });
      return;
    }
    findings.push(...unknownFields(port, path, SERVICE_PORT_FIELDS, 'KR1015', 'a Service port'));

    // port
    if (port.port === undefined || port.port === null) {
      if (!isPatch) {
        findings.push({
          code: 'KR1002',
          message:
            'This Service port has no port number: add port (1-65535), the port the Service listens on.',
          at: { path, part: 'value' },
        });
      }
    } else if (typeof port.port !== 'number' || !isValidPortNumber(port.port)) {
      const quoted = typeof port.port === 'string' && /^[0-9]+$/.test(port.port);
      findings.push({
        code: 'KR1002',
        message: quoted
          ? `port must be a number, not the string ${describeValue(port.port)}: remove the quotes.`
          : `port ${describeValue(port.port)} must be an integer from 1 to 65535.`,
        at: { path: [...path, 'port'] },
        ...(quoted && isValidPortNumber(Number(port.port))
          ? {
              fixes: [
                {
                  kind: 'replace-value',
                  title: `Change to ${Number(port.port)}`,
                  path: [...path, 'port'],
                  text: String(Number(port.port)),
                  preferred: true,
                } satisfies FixSpec,
              ],
            }
          : {}),
      });
    }

    // targetPort
    const target = port.targetPort;
    if (typeof target === 'number') {
      if (target !== 0 && !isValidPortNumber(target)) {
        findings.push({
          code: 'KR1003',
          message: `targetPort ${target} must be an integer from 1 to 65535, or the name of a container port.`,
          at: { path: [...path, 'targetPort'] },
        });
      }
    } else if (typeof target === 'string') {
      if (/^[0-9]+$/.test(target)) {
        const number = Number(target);
        findings.push({
          code: 'KR1003',
          message: `targetPort "${target}" is a string, so the API server reads it as a port name, and a name needs a letter: write ${number} without quotes.`,
          at: { path: [...path, 'targetPort'] },
          ...(isValidPortNumber(number)
            ? {
                fixes: [
                  {
                    kind: 'replace-value',
                    title: `Change to ${number}`,
                    path: [...path, 'targetPort'],
                    text: String(number),
                    preferred: true,
                  } satisfies FixSpec,
                ],
              }
            : {}),
        });
      } else if (target !== '') {
        const errors = validatePortName(target);
        if (errors.length > 0) {
          const lower = target
            .toLowerCase()
            .replace(/[^-a-z0-9]+/g, '-')
            .replace(/-+/g, '-')
            .replace(/^-|-$/g, '');
          findings.push({
            code: 'KR1003',
            message: `targetPort "${target}" is not a valid port name (an IANA service name): it ${listWords(errors, 5)}.`,
            at: { path: [...path, 'targetPort'] },
            ...(lower !== target && validatePortName(lower).length === 0
              ? {
                  fixes: [
                    {
                      kind: 'replace-value',
                      title: `Change to ${lower}`,
                      path: [...path, 'targetPort'],
                      text: yamlString(lower),
                    } satisfies FixSpec,
                  ],
                }
              : {}),
          });
        }
      }
    } else if (target !== undefined && target !== null) {
      findings.push({
        code: 'KR1003',
        message: `targetPort must be a port number or the name of a container port, not ${describeValue(target)}.`,
        at: { path: [...path, 'targetPort'] },
      });
    }

    // protocol
    const protocolFindingValue = protocolFinding('KR1004', [...path, 'protocol'], port.protocol);
    if (protocolFindingValue) {
      findings.push(protocolFindingValue);
    }

    // name
    if (port.name !== undefined && port.name !== null && port.name !== '') {
      if (typeof port.name !== 'string' || !DNS1123_LABEL.test(port.name) || port.name.length > 63) {
        const lower =
          typeof port.name === 'string' ? port.name.toLowerCase().replace(/[^-a-z0-9]/g, '-') : '';
        findings.push({
          code: 'KR1016',
          message: `Port name ${describeValue(port.name)} is not valid: a Service port name is a DNS label (at most 63 lower-case letters, digits and '-', starting and ending with a letter or digit).`,
          at: { path: [...path, 'name'] },
          ...(DNS1123_LABEL.test(lower) && lower.length <= 63
            ? {
                fixes: [
                  {
                    kind: 'replace-value',
                    title: `Change to ${lower}`,
                    path: [...path, 'name'],
                    text: yamlString(lower),
                  } satisfies FixSpec,
                ],
              }
            : {}),
        });
      } else {
        const first = names.get(port.name);
        if (first !== undefined) {
          findings.push({
            code: 'KR1006',
            message: `Port name "${port.name}" is already used by port ${first + 1}: names must be unique within a Service.`,
            at: { path: [...path, 'name'] },
          });
        } else {
          names.set(port.name, index);
        }
      }
    } else if (ports.length > 1) {
      const suggestion = suggestPortName(port, takenNames);
      takenNames.add(suggestion);
      findings.push({
        code: 'KR1005',
        message: `This Service has ${ports.length} ports, so each needs a name (EndpointSlices match ports by name).`,
        at: port.port !== undefined ? { path: [...path, 'port'], part: 'key' } : { path },
        fixes: [
          {
            kind: 'insert-pair',
            title: `Name this port "${suggestion}"`,
            mapPath: path,
            key: 'name',
            value: yamlString(suggestion),
            first: true,
            preferred: true,
          },
        ],
      });
    }

    // duplicate port/protocol
    if (typeof port.port === 'number') {
      const protocol = typeof port.protocol === 'string' ? port.protocol : 'TCP';
      const key = `${port.port}/${protocol}`;
      const first = pairs.get(key);
      if (first !== undefined) {
        findings.push({
          code: 'KR1007',
          message: `Port ${port.port}/${protocol} is already declared by port ${first + 1}: each port and protocol pair may appear once.`,
          at: { path: [...path, 'port'] },
        });
      } else {
        pairs.set(key, index);
      }
    }

    // nodePort
    const nodePort = port.nodePort;
    if (nodePort !== undefined && nodePort !== null && nodePort !== 0) {
      if (type !== undefined && type !== 'NodePort' && type !== 'LoadBalancer') {
        findings.push({
          code: 'KR1009',
          message: `nodePort may only be set on NodePort and LoadBalancer Services, and this one is ${type}.`,
          at: { path: [...path, 'nodePort'] },
          ...(spec.type === undefined ? { fixes: [MAKE_NODE_PORT] } : {}),
        });
      } else if (typeof nodePort !== 'number' || !isValidPortNumber(nodePort)) {
        findings.push({
          code: 'KR1008',
          message: `nodePort ${describeValue(nodePort)} must be an integer in the NodePort range (30000-32767 by default).`,
          at: { path: [...path, 'nodePort'] },
        });
      } else if (nodePort < NODE_PORT_MIN || nodePort > NODE_PORT_MAX) {
        findings.push({
          code: 'KR1008',
          severity: 'warning',
          message: `nodePort ${nodePort} is outside the default NodePort range 30000-32767: the API server rejects it unless the cluster's --service-node-port-range includes it.`,
          at: { path: [...path, 'nodePort'] },
        });
      }
    }
  });
  return findings;
}
