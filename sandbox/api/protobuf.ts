/**
 * Request bodies in `application/vnd.kubernetes.protobuf`, which kubectl 1.32's typed clients send
 * (`kubectl create deployment|namespace|service`) and which a real server decodes. A real server
 * answers 415 to a media type it does not know, but client-go does not fall back to JSON after a
 * 415 for protobuf, so the sandbox has to read it.
 *
 * The wire format is the `k8s\0` magic, then a `runtime.Unknown` whose `raw` holds the object, with
 * field numbers from k8s.io/api's `generated.proto`. Only the messages of the kinds the sandbox
 * serves and the fields `kubectl create` fills are described here; an unknown field holding a
 * non-empty value is refused (400) rather than silently dropped. Go's encoder writes every
 * non-pointer scalar even when empty, so empty strings, zeros and falses are omitted as `omitempty`
 * would omit them in JSON, except for fields that are pointers in Go (marked `keepZero`), whose
 * presence means they were set.
 */
import { errors } from './status.ts';

export const PROTOBUF_CONTENT_TYPE = 'application/vnd.kubernetes.protobuf';
const MAGIC = Buffer.from('k8s\0', 'latin1');

type Scalar = 'string' | 'int' | 'bool' | 'map' | 'time' | 'intOrString' | 'quantityMap' | 'bytes';
interface Field {
  readonly name: string;
  readonly type: Scalar | MessageName;
  readonly repeated?: boolean;
  /** A pointer in Go: present means set, even to zero. */
  readonly keepZero?: boolean;
}
/** The name of a message in `MESSAGES`. */
type MessageName = string;
type Schema = Readonly<Record<number, Field>>;

const f = (name: string, type: Field['type'], extra: Partial<Field> = {}): Field => ({
  name,
  type,
  ...extra,
});
const list = (name: string, type: Field['type']): Field => ({ name, type, repeated: true });

const MESSAGES: Readonly<Record<MessageName, Schema>> = {
  Unknown: {
    1: f('typeMeta', 'TypeMeta'),
    2: f('raw', 'bytes'),
    3: f('contentEncoding', 'string'),
    4: f('contentType', 'string'),
  },
  TypeMeta: { 1: f('apiVersion', 'string'), 2: f('kind', 'string') },
  ObjectMeta: {
    1: f('name', 'string'),
    2: f('generateName', 'string'),
    3: f('namespace', 'string'),
    5: f('uid', 'string'),
    6: f('resourceVersion', 'string'),
    7: f('generation', 'int'),
    8: f('creationTimestamp', 'time'),
    11: f('labels', 'map'),
    12: f('annotations', 'map'),
    14: list('finalizers', 'string'),
  },
  LabelSelector: { 1: f('matchLabels', 'map'), 2: list('matchExpressions', 'LabelSelectorRequirement') },
  LabelSelectorRequirement: {
    1: f('key', 'string'),
    2: f('operator', 'string'),
    3: list('values', 'string'),
  },
  Deployment: { 1: f('metadata', 'ObjectMeta'), 2: f('spec', 'DeploymentSpec'), 3: f('status', 'Ignored') },
  DeploymentSpec: {
    1: f('replicas', 'int', { keepZero: true }),
    2: f('selector', 'LabelSelector'),
    3: f('template', 'PodTemplateSpec'),
    4: f('strategy', 'DeploymentStrategy'),
    5: f('minReadySeconds', 'int'),
    6: f('revisionHistoryLimit', 'int', { keepZero: true }),
    7: f('paused', 'bool'),
    9: f('progressDeadlineSeconds', 'int', { keepZero: true }),
  },
  DeploymentStrategy: { 1: f('type', 'string'), 2: f('rollingUpdate', 'RollingUpdateDeployment') },
  RollingUpdateDeployment: { 1: f('maxUnavailable', 'intOrString'), 2: f('maxSurge', 'intOrString') },
  PodTemplateSpec: { 1: f('metadata', 'ObjectMeta'), 2: f('spec', 'PodSpec') },
  Pod: { 1: f('metadata', 'ObjectMeta'), 2: f('spec', 'PodSpec'), 3: f('status', 'Ignored') },
  PodSpec: {
    2: list('containers', 'Container'),
    3: f('restartPolicy', 'string'),
    4: f('terminationGracePeriodSeconds', 'int', { keepZero: true }),
    6: f('dnsPolicy', 'string'),
    7: f('nodeSelector', 'map'),
    8: f('serviceAccountName', 'string'),
    9: f('serviceAccount', 'string'),
    10: f('nodeName', 'string'),
    11: f('hostNetwork', 'bool'),
    16: f('hostname', 'string'),
    17: f('subdomain', 'string'),
    19: f('schedulerName', 'string'),
    20: list('initContainers', 'Container'),
    24: f('priorityClassName', 'string'),
  },
  Container: {
    1: f('name', 'string'),
    2: f('image', 'string'),
    3: list('command', 'string'),
    4: list('args', 'string'),
    5: f('workingDir', 'string'),
    6: list('ports', 'ContainerPort'),
    7: list('env', 'EnvVar'),
    8: f('resources', 'ResourceRequirements'),
    13: f('terminationMessagePath', 'string'),
    14: f('imagePullPolicy', 'string'),
    16: f('stdin', 'bool'),
    17: f('stdinOnce', 'bool'),
    18: f('tty', 'bool'),
    20: f('terminationMessagePolicy', 'string'),
  },
  ContainerPort: {
    1: f('name', 'string'),
    2: f('hostPort', 'int'),
    3: f('containerPort', 'int'),
    4: f('protocol', 'string'),
    5: f('hostIP', 'string'),
  },
  EnvVar: { 1: f('name', 'string'), 2: f('value', 'string') },
  ResourceRequirements: { 1: f('limits', 'quantityMap'), 2: f('requests', 'quantityMap') },
  Service: { 1: f('metadata', 'ObjectMeta'), 2: f('spec', 'ServiceSpec'), 3: f('status', 'Ignored') },
  ServiceSpec: {
    1: list('ports', 'ServicePort'),
    2: f('selector', 'map'),
    3: f('clusterIP', 'string'),
    4: f('type', 'string'),
    5: list('externalIPs', 'string'),
    7: f('sessionAffinity', 'string'),
    8: f('loadBalancerIP', 'string'),
    10: f('externalName', 'string'),
    11: f('externalTrafficPolicy', 'string'),
    12: f('healthCheckNodePort', 'int'),
    13: f('publishNotReadyAddresses', 'bool'),
    18: list('clusterIPs', 'string'),
  },
  ServicePort: {
    1: f('name', 'string'),
    2: f('protocol', 'string'),
    3: f('port', 'int'),
    4: f('targetPort', 'intOrString'),
    5: f('nodePort', 'int'),
    6: f('appProtocol', 'string', { keepZero: true }),
  },
  Namespace: { 1: f('metadata', 'ObjectMeta'), 2: f('spec', 'NamespaceSpec'), 3: f('status', 'Ignored') },
  NamespaceSpec: { 1: list('finalizers', 'string') },
  /** Status is the server's to write; its content is skipped. */
  Ignored: {},
};

const TOP_LEVEL: Record<string, MessageName> = {
  'apps/v1/Deployment': 'Deployment',
  'v1/Pod': 'Pod',
  'v1/Service': 'Service',
  'v1/Namespace': 'Namespace',
};

export function isProtobuf(contentType: string | undefined): boolean {
  return (contentType ?? '').split(';')[0]!.trim() === PROTOBUF_CONTENT_TYPE;
}

/** Decodes a protobuf request body into the object its JSON form would be. */
export function decodeProtobufObject(body: Buffer): Record<string, unknown> {
  if (body.length < MAGIC.length || !body.subarray(0, MAGIC.length).equals(MAGIC)) {
    throw errors.badRequest(
      'error decoding request body: provided data does not appear to be a protobuf message, expected prefix [107 56 115 0]',
    );
  }
  const envelope = decodeMessage(body.subarray(MAGIC.length), 'Unknown', 'Unknown');
  const typeMeta = (envelope.typeMeta ?? {}) as { apiVersion?: string; kind?: string };
  const key = `${typeMeta.apiVersion ?? ''}/${typeMeta.kind ?? ''}`;
  const message = TOP_LEVEL[key];
  if (!message) {
    throw errors.badRequest(
      `error decoding request body: the sandbox does not decode protobuf ${key || 'objects without a type'}; send application/json`,
    );
  }
  const raw = (envelope.raw as Buffer | undefined) ?? Buffer.alloc(0);
  return {
    apiVersion: typeMeta.apiVersion,
    kind: typeMeta.kind,
    ...decodeMessage(raw, message, typeMeta.kind!),
  };
}

// ---- wire format --------------------------------------------------------------------------------

interface Reader {
  readonly bytes: Buffer;
  offset: number;
}

function varint(reader: Reader): bigint {
  let result = 0n;
  let shift = 0n;
  for (;;) {
    if (reader.offset >= reader.bytes.length || shift > 63n) {
      throw errors.badRequest('error decoding request body: truncated protobuf varint');
    }
    const byte = reader.bytes[reader.offset++]!;
    result |= BigInt(byte & 0x7f) << shift;
    if (byte < 0x80) {
      return result;
    }
    shift += 7n;
  }
}

/** Reads one field: its number and its value (a bigint for varints, a Buffer for length-delimited). */
function field(reader: Reader): { number: number; value: bigint | Buffer } {
  const key = Number(varint(reader));
  const number = key >>> 3;
  const wire = key & 7;
  switch (wire) {
    case 0:
      return { number, value: varint(reader) };
    case 2: {
      const length = Number(varint(reader));
      if (reader.offset + length > reader.bytes.length) {
        throw errors.badRequest('error decoding request body: truncated protobuf field');
      }
      const value = reader.bytes.subarray(reader.offset, reader.offset + length);
      reader.offset += length;
      return { number, value };
    }
    case 1:
    case 5: {
      const size = wire === 1 ? 8 : 4;
      const value = reader.bytes.subarray(reader.offset, reader.offset + size);
      reader.offset += size;
      return { number, value };
    }
    default:
      throw errors.badRequest(`error decoding request body: unsupported protobuf wire type ${wire}`);
  }
}

function fields(bytes: Buffer): Array<{ number: number; value: bigint | Buffer }> {
  const reader: Reader = { bytes, offset: 0 };
  const result: Array<{ number: number; value: bigint | Buffer }> = [];
  while (reader.offset < bytes.length) {
    result.push(field(reader));
  }
  return result;
}

function isEmpty(value: bigint | Buffer): boolean {
  return typeof value === 'bigint' ? value === 0n : value.length === 0;
}

function toInt(value: bigint | Buffer): number {
  if (typeof value !== 'bigint') {
    throw errors.badRequest('error decoding request body: expected a protobuf varint');
  }
  return Number(BigInt.asIntN(64, value));
}

function toBuffer(value: bigint | Buffer): Buffer {
  if (typeof value === 'bigint') {
    throw errors.badRequest('error decoding request body: expected a length-delimited protobuf field');
  }
  return value;
}

function quantity(bytes: Buffer): string {
  const part = fields(bytes).find((q) => q.number === 1);
  return part ? toBuffer(part.value).toString('utf8') : '';
}

function decodeMessage(bytes: Buffer, name: MessageName, path: string): Record<string, unknown> {
  const schema = MESSAGES[name] ?? {};
  const result: Record<string, unknown> = {};
  if (name === 'Ignored') {
    return result;
  }
  for (const { number, value } of fields(bytes)) {
    const spec = schema[number];
    if (!spec) {
      if (isEmpty(value)) {
        continue;
      }
      throw errors.badRequest(
        `error decoding request body: the sandbox does not decode protobuf field ${number} of ${path}; send application/json`,
      );
    }
    const decoded = decodeValue(value, spec, `${path}.${spec.name}`);
    if (decoded === undefined) {
      continue;
    }
    if (spec.repeated) {
      ((result[spec.name] ??= []) as unknown[]).push(decoded);
    } else if (spec.type === 'map' || spec.type === 'quantityMap') {
      Object.assign((result[spec.name] ??= {}) as object, decoded);
    } else {
      result[spec.name] = decoded;
    }
  }
  return result;
}

function decodeValue(value: bigint | Buffer, spec: Field, path: string): unknown {
  switch (spec.type) {
    case 'string': {
      const text = toBuffer(value).toString('utf8');
      return text === '' && !spec.keepZero && !spec.repeated ? undefined : text;
    }
    case 'bytes':
      return toBuffer(value);
    case 'int': {
      const number = toInt(value);
      return number === 0 && !spec.keepZero ? undefined : number;
    }
    case 'bool': {
      const flag = toInt(value) !== 0;
      return flag || spec.keepZero ? flag : undefined;
    }
    case 'map':
    case 'quantityMap': {
      // A map entry is a message { key = 1, value = 2 }; a Quantity is { string = 1 }.
      let key = '';
      let entry = '';
      for (const part of fields(toBuffer(value))) {
        if (part.number === 1) {
          key = toBuffer(part.value).toString('utf8');
        } else if (part.number === 2) {
          const bytes = toBuffer(part.value);
          entry = spec.type === 'map' ? bytes.toString('utf8') : quantity(bytes);
        }
      }
      return { [key]: entry };
    }
    case 'time': {
      let seconds = 0;
      for (const part of fields(toBuffer(value))) {
        if (part.number === 1) {
          seconds = toInt(part.value);
        }
      }
      // The zero time (Go's 0001-01-01) is what `creationTimestamp: null` encodes to.
      return seconds <= 0 ? undefined : new Date(seconds * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z');
    }
    case 'intOrString': {
      let kind = 0;
      let intValue = 0;
      let stringValue = '';
      for (const part of fields(toBuffer(value))) {
        if (part.number === 1) {
          kind = toInt(part.value);
        } else if (part.number === 2) {
          intValue = toInt(part.value);
        } else if (part.number === 3) {
          stringValue = toBuffer(part.value).toString('utf8');
        }
      }
      return kind === 1 ? stringValue : intValue;
    }
    default: {
      const nested = decodeMessage(toBuffer(value), spec.type, path);
      return Object.keys(nested).length === 0 && !spec.repeated ? undefined : nested;
    }
  }
}
