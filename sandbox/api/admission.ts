/**
 * Defaulting and validation, the part of the API server's registry strategies that clients can
 * observe: default fields a real server fills in, and 422 Invalid for what it would reject.
 * Only the checks the features depend on are implemented (see the README's list of differences).
 */
import { isValidCidr } from '../../src/analysis/cidr.ts';
import { validateIngress, validateIngressClass } from '../../src/analysis/ingressValidation.ts';
import { validateLabelKey, validateLabelValue } from '../../src/analysis/labels.ts';
import { freeNodePort, nodePortProblem } from '../../src/analysis/nodePorts.ts';
import { isValidIanaSvcName } from '../../src/analysis/ports.ts';
import type { ResourceType } from './resources.ts';
import { errors } from './status.ts';
import type { KubeObject } from './store.ts';

export interface Allocators {
  allocateClusterIP(): string;
  releaseClusterIP(ip: string): void;
  /** Node ports held by every Service but `namespace/name` (the one being admitted). */
  nodePortsInUse(namespace: string, name: string): ReadonlySet<number>;
}

type Cause = { field: string; message: string; reason?: string };

const DNS1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS1123_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

function nameCauses(type: ResourceType, name: string): Cause[] {
  const label = type.plural === 'namespaces' || type.plural === 'services';
  if (label) {
    if (name.length > 63 || !DNS1123_LABEL.test(name)) {
      return [
        {
          field: 'metadata.name',
          message: `Invalid value: "${name}": a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')`,
        },
      ];
    }
    return [];
  }
  if (name.length > 253 || !DNS1123_SUBDOMAIN.test(name)) {
    return [
      {
        field: 'metadata.name',
        message: `Invalid value: "${name}": a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')`,
      },
    ];
  }
  return [];
}

function labelCauses(field: string, labels: unknown): Cause[] {
  if (labels === undefined || labels === null) {
    return [];
  }
  const causes: Cause[] = [];
  for (const [key, value] of Object.entries(labels as Record<string, unknown>)) {
    for (const message of validateLabelKey(key)) {
      causes.push({ field, message: `Invalid value: "${key}": ${message}` });
    }
    for (const message of validateLabelValue(String(value))) {
      causes.push({ field, message: `Invalid value: "${String(value)}": ${message}` });
    }
  }
  return causes;
}

type Obj = Record<string, unknown>;
const asArray = (value: unknown): Obj[] => (Array.isArray(value) ? (value as Obj[]) : []);

/** Fills defaults in place and throws 422 Invalid for what a real server would reject. */
export function admit(
  type: ResourceType,
  object: KubeObject,
  allocators: Allocators,
  previous?: KubeObject,
): void {
  const name = object.metadata.name ?? '';
  const causes: Cause[] = [];
  if (!object.metadata.name && !object.metadata.generateName) {
    throw errors.invalid(type, '', [
      {
        field: 'metadata.name',
        message: 'Required value: name or generateName is required',
        reason: 'FieldValueRequired',
      },
    ]);
  }
  if (object.metadata.name) {
    causes.push(...nameCauses(type, name));
  }
  causes.push(...labelCauses('metadata.labels', object.metadata.labels));
  const spec = (object.spec ?? {}) as Obj;
  switch (type.plural) {
    case 'pods':
      causes.push(...defaultPod(object, spec));
      break;
    case 'services':
      causes.push(...defaultService(object, spec, allocators, previous));
      break;
    case 'ingresses':
      causes.push(...validateIngress(object, { creating: previous === undefined }));
      break;
    case 'ingressclasses':
      causes.push(...validateIngressClass(object));
      break;
    case 'deployments':
    case 'replicasets':
      causes.push(...defaultWorkload(spec));
      break;
    case 'networkpolicies':
      if (spec.podSelector === undefined) {
        spec.podSelector = {};
      }
      break;
    case 'namespaces':
      object.metadata.labels = { ...object.metadata.labels, 'kubernetes.io/metadata.name': name };
      object.spec = { finalizers: ['kubernetes'] };
      object.status = (previous?.status as Obj | undefined) ?? { phase: 'Active' };
      break;
    default:
      break;
  }
  if (causes.length > 0) {
    throw errors.invalid(type, name, causes);
  }
}

function defaultPod(object: KubeObject, spec: Obj): Cause[] {
  const causes: Cause[] = [];
  const containers = asArray(spec.containers);
  if (containers.length === 0) {
    causes.push({ field: 'spec.containers', message: 'Required value', reason: 'FieldValueRequired' });
  }
  spec.restartPolicy ??= 'Always';
  spec.dnsPolicy ??= 'ClusterFirst';
  spec.schedulerName ??= 'default-scheduler';
  spec.terminationGracePeriodSeconds ??= 30;
  spec.serviceAccountName ??= 'default';
  spec.securityContext ??= {};
  spec.enableServiceLinks ??= true;
  spec.preemptionPolicy ??= 'PreemptLowerPriority';
  spec.priority ??= 0;
  containers.forEach((container, index) => {
    if (!container.name) {
      causes.push({
        field: `spec.containers[${index}].name`,
        message: 'Required value',
        reason: 'FieldValueRequired',
      });
    }
    if (!container.image) {
      causes.push({
        field: `spec.containers[${index}].image`,
        message: 'Required value',
        reason: 'FieldValueRequired',
      });
    }
    container.imagePullPolicy ??=
      String(container.image ?? '').endsWith(':latest') || !String(container.image ?? '').includes(':')
        ? 'Always'
        : 'IfNotPresent';
    container.terminationMessagePath ??= '/dev/termination-log';
    container.terminationMessagePolicy ??= 'File';
    container.resources ??= {};
    asArray(container.ports).forEach((port, portIndex) => {
      port.protocol ??= 'TCP';
      const number = port.containerPort;
      if (typeof number !== 'number' || number < 1 || number > 65535) {
        causes.push({
          field: `spec.containers[${index}].ports[${portIndex}].containerPort`,
          message: `Invalid value: ${JSON.stringify(number)}: must be between 1 and 65535, inclusive`,
        });
      }
      if (port.name !== undefined && !isValidIanaSvcName(String(port.name))) {
        causes.push({
          field: `spec.containers[${index}].ports[${portIndex}].name`,
          message: `Invalid value: "${String(port.name)}": must be no more than 15 characters`,
        });
      }
    });
  });
  object.spec = spec;
  return causes;
}

const EXTERNAL_TYPES = ['NodePort', 'LoadBalancer'];

function defaultService(
  object: KubeObject,
  spec: Obj,
  allocators: Allocators,
  previous?: KubeObject,
): Cause[] {
  const causes: Cause[] = [];
  spec.type ??= 'ClusterIP';
  const previousSpec = (previous?.spec ?? {}) as Obj;
  const ports = asArray(spec.ports);
  const needsNodePorts =
    EXTERNAL_TYPES.includes(String(spec.type)) &&
    !(spec.type === 'LoadBalancer' && spec.allocateLoadBalancerNodePorts === false);
  dropTypeDependentFields(spec, previousSpec, needsNodePorts);
  if (spec.type !== 'ExternalName' && ports.length === 0) {
    causes.push({ field: 'spec.ports', message: 'Required value', reason: 'FieldValueRequired' });
  }
  if (spec.type === 'ExternalName') {
    if (!spec.externalName) {
      causes.push({ field: 'spec.externalName', message: 'Required value', reason: 'FieldValueRequired' });
    }
  } else {
    if (previousSpec.clusterIP !== undefined && (spec.clusterIP === undefined || spec.clusterIP === '')) {
      spec.clusterIP = previousSpec.clusterIP;
    } else if (spec.clusterIP === undefined || spec.clusterIP === '') {
      spec.clusterIP = allocators.allocateClusterIP();
    }
    spec.clusterIPs = [spec.clusterIP];
    spec.ipFamilies ??= ['IPv4'];
    spec.ipFamilyPolicy ??= 'SingleStack';
    spec.sessionAffinity ??= 'None';
    spec.internalTrafficPolicy ??= 'Cluster';
  }
  if (spec.type === 'LoadBalancer') {
    spec.allocateLoadBalancerNodePorts ??= true;
  }
  causes.push(...externalTrafficPolicyCauses(spec));
  causes.push(...sourceRangeCauses(spec));
  const seen = new Set<string>();
  // Taken by other Services, and by this one's earlier ports as they are admitted.
  const inUse = new Set(
    needsNodePorts
      ? allocators.nodePortsInUse(object.metadata.namespace ?? '', object.metadata.name ?? '')
      : [],
  );
  ports.forEach((port, index) => {
    port.protocol ??= 'TCP';
    if (typeof port.port !== 'number' || port.port < 1 || port.port > 65535) {
      causes.push({
        field: `spec.ports[${index}].port`,
        message: `Invalid value: ${JSON.stringify(port.port)}: must be between 1 and 65535, inclusive`,
      });
    }
    port.targetPort ??= port.port;
    if (typeof port.targetPort === 'string' && !isValidIanaSvcName(port.targetPort)) {
      causes.push({
        field: `spec.ports[${index}].targetPort`,
        message: `Invalid value: "${port.targetPort}": must contain only lowercase alphanumeric characters or '-'`,
      });
    }
    if (ports.length > 1 && !port.name) {
      causes.push({
        field: `spec.ports[${index}].name`,
        message: 'Required value',
        reason: 'FieldValueRequired',
      });
    }
    const key = `${String(port.port)}/${String(port.protocol)}`;
    if (seen.has(key)) {
      causes.push({
        field: `spec.ports[${index}]`,
        message: `Duplicate value: core.ServicePort{Name:"${String(port.name ?? '')}", Protocol:"${String(port.protocol)}", Port:${String(port.port)}}`,
        reason: 'FieldValueDuplicate',
      });
    }
    seen.add(key);
    causes.push(...nodePortCauses(spec, port, index, needsNodePorts, previousSpec, inUse));
  });
  causes.push(...healthCheckNodePortCauses(object, spec, previousSpec, allocators, inUse));
  causes.push(...labelCauses('spec.selector', spec.selector));
  return causes;
}

/**
 * A LoadBalancer with externalTrafficPolicy Local gets a health-check node port (kube-proxy answers
 * on it whether the node has a local endpoint); any other Service may not have one.
 */
function healthCheckNodePortCauses(
  object: KubeObject,
  spec: Obj,
  previousSpec: Obj,
  allocators: Allocators,
  inUse: Set<number>,
): Cause[] {
  const needed = spec.type === 'LoadBalancer' && spec.externalTrafficPolicy === 'Local';
  const field = 'spec.healthCheckNodePort';
  const requested = spec.healthCheckNodePort;
  if (!needed) {
    if (requested !== undefined && requested !== 0 && requested === previousSpec.healthCheckNodePort) {
      // Left as it was by a client changing the type or the policy: dropped with them.
      delete spec.healthCheckNodePort;
      return [];
    }
    if (requested !== undefined && requested !== 0) {
      return [
        {
          field,
          message: `Invalid value: ${JSON.stringify(requested)}: may only be set when \`type\` is 'LoadBalancer' and \`externalTrafficPolicy\` is 'Local'`,
        },
      ];
    }
    delete spec.healthCheckNodePort;
    return [];
  }
  // The ports taken by other Services, whether or not this one needs node ports for its own ports.
  const taken = new Set([
    ...inUse,
    ...allocators.nodePortsInUse(object.metadata.namespace ?? '', object.metadata.name ?? ''),
  ]);
  if (requested === undefined || requested === 0) {
    const kept = previousSpec.healthCheckNodePort;
    const chosen = typeof kept === 'number' && !taken.has(kept) ? kept : freeNodePort(taken);
    if (chosen === undefined) {
      throw errors.internal('range of valid node ports is exhausted');
    }
    spec.healthCheckNodePort = chosen;
    return [];
  }
  if (requested === previousSpec.healthCheckNodePort) {
    return [];
  }
  const problem = nodePortProblem(Number(requested), taken);
  return problem ? [{ field, message: `Invalid value: ${JSON.stringify(requested)}: ${problem}` }] : [];
}

/**
 * As the registry's dropTypeDependentFields: a Service leaving NodePort/LoadBalancer loses the node
 * ports and externalTrafficPolicy it had, when the client left them as they were.
 */
function dropTypeDependentFields(spec: Obj, previousSpec: Obj, needsNodePorts: boolean): void {
  const hadNodePorts = asArray(previousSpec.ports).some((p) => p.nodePort !== undefined);
  if (hadNodePorts && !needsNodePorts) {
    const same = asArray(spec.ports).every((port) => {
      const old = asArray(previousSpec.ports).find((p) => p.port === port.port);
      return port.nodePort === undefined || port.nodePort === old?.nodePort;
    });
    if (same) {
      asArray(spec.ports).forEach((port) => delete port.nodePort);
    }
  }
  if (
    !EXTERNAL_TYPES.includes(String(spec.type)) &&
    EXTERNAL_TYPES.includes(String(previousSpec.type)) &&
    spec.externalTrafficPolicy === previousSpec.externalTrafficPolicy
  ) {
    delete spec.externalTrafficPolicy;
  }
}

function nodePortCauses(
  spec: Obj,
  port: Obj,
  index: number,
  needsNodePorts: boolean,
  previousSpec: Obj,
  inUse: Set<number>,
): Cause[] {
  const field = `spec.ports[${index}].nodePort`;
  if (!needsNodePorts) {
    if (port.nodePort !== undefined && port.nodePort !== 0 && spec.type !== 'LoadBalancer') {
      return [
        {
          field,
          message: `Forbidden: may not be used when \`type\` is '${String(spec.type)}'`,
          reason: 'FieldValueForbidden',
        },
      ];
    }
    return [];
  }
  const old = asArray(previousSpec.ports).find((p) => p.port === port.port && p.protocol === port.protocol);
  if (port.nodePort === undefined || port.nodePort === 0) {
    const kept = typeof old?.nodePort === 'number' && !inUse.has(old.nodePort) ? old.nodePort : undefined;
    const chosen = kept ?? freeNodePort(inUse);
    if (chosen === undefined) {
      throw errors.internal('range of valid node ports is exhausted');
    }
    port.nodePort = chosen;
    inUse.add(chosen);
    return [];
  }
  const requested = port.nodePort as number;
  const problem = nodePortProblem(requested, inUse);
  if (problem) {
    return [{ field, message: `Invalid value: ${JSON.stringify(requested)}: ${problem}` }];
  }
  inUse.add(requested);
  return [];
}

/** `validateServiceExternalTrafficPolicy`, with the defaulting that precedes it. */
function externalTrafficPolicyCauses(spec: Obj): Cause[] {
  const externallyAccessible =
    EXTERNAL_TYPES.includes(String(spec.type)) ||
    (spec.type === 'ClusterIP' && asArray(spec.externalIPs).length > 0);
  if (!externallyAccessible) {
    if (spec.externalTrafficPolicy !== undefined && spec.externalTrafficPolicy !== '') {
      return [
        {
          field: 'spec.externalTrafficPolicy',
          message: `Invalid value: "${String(spec.externalTrafficPolicy)}": may only be set for externally-accessible services`,
        },
      ];
    }
    return [];
  }
  spec.externalTrafficPolicy ??= 'Cluster';
  if (spec.externalTrafficPolicy !== 'Cluster' && spec.externalTrafficPolicy !== 'Local') {
    return [
      {
        field: 'spec.externalTrafficPolicy',
        message: `Unsupported value: "${String(spec.externalTrafficPolicy)}": supported values: "Cluster", "Local"`,
        reason: 'FieldValueNotSupported',
      },
    ];
  }
  return [];
}

function sourceRangeCauses(spec: Obj): Cause[] {
  const ranges = spec.loadBalancerSourceRanges;
  if (!Array.isArray(ranges) || ranges.length === 0) {
    return [];
  }
  // The field path's capital L is the API server's (a leftover of the annotation it replaced).
  const causes: Cause[] = [];
  if (spec.type !== 'LoadBalancer') {
    causes.push({
      field: 'spec.LoadBalancerSourceRanges',
      message: "Forbidden: may only be used when `type` is 'LoadBalancer'",
      reason: 'FieldValueForbidden',
    });
  }
  ranges.forEach((range, index) => {
    const value = String(range).trim();
    if (!isValidCidr(value)) {
      causes.push({
        field: `spec.LoadBalancerSourceRanges[${index}]`,
        message: `Invalid value: "${value}": must be a valid CIDR value, (e.g. 10.9.8.0/24 or 2001:db8::/64)`,
      });
    }
  });
  return causes;
}

function defaultWorkload(spec: Obj): Cause[] {
  spec.replicas ??= 1;
  const template = (spec.template ?? {}) as Obj;
  const selector = spec.selector as Obj | undefined;
  const causes: Cause[] = [];
  if (!selector) {
    causes.push({ field: 'spec.selector', message: 'Required value', reason: 'FieldValueRequired' });
  }
  const templateMetadata = (template.metadata ?? {}) as Obj;
  if (!templateMetadata.labels) {
    causes.push({
      field: 'spec.template.metadata.labels',
      message: 'Required value',
      reason: 'FieldValueRequired',
    });
  }
  return causes;
}
