/**
 * OpenAPI v3, as kube-apiserver 1.32 publishes it: `/openapi/v3` lists one document per group
 * version (`api/v1`, `apis/apps/v1`, …) with a `serverRelativeURL` carrying a content hash, and
 * each document holds the paths of that group version (whose PATCH operations list the
 * `fieldValidation` parameter, which is how kubectl 1.32 decides to let the server validate instead
 * of validating client-side) and the schemas of its kinds.
 *
 * The schemas are hand-written and compact: every field the sandbox reads is described with its
 * type, list merge keys and GVK; parts the sandbox does not interpret (status, volumes, security
 * contexts, affinity) are open objects. `unknownFields` walks an object against them for
 * `fieldValidation` (Strict: 400, Warn: a Warning header), checking only where a schema is closed.
 * `/openapi/v2` is an empty document (kubectl reads it only for kinds no v3 document describes).
 */
import { createHash } from 'node:crypto';
import { SANDBOX_VERSION } from './discovery.ts';
import type { ResourceType } from './resources.ts';
import { apiVersionOf, RESOURCES } from './resources.ts';

type Schema = Record<string, unknown>;

const META = 'io.k8s.apimachinery.pkg.apis.meta.v1';
const CORE = 'io.k8s.api.core.v1';

const ref = (name: string): Schema => ({ allOf: [{ $ref: `#/components/schemas/${name}` }] });
const str = (description?: string): Schema => ({ type: 'string', ...(description ? { description } : {}) });
const int = (): Schema => ({ type: 'integer', format: 'int32' });
const int64 = (): Schema => ({ type: 'integer', format: 'int64' });
const bool = (): Schema => ({ type: 'boolean' });
const strMap = (): Schema => ({ type: 'object', additionalProperties: { type: 'string', default: '' } });
const strList = (): Schema => ({ type: 'array', items: { type: 'string', default: '' } });
const intOrString = (): Schema => ({
  type: 'string',
  format: 'int-or-string',
  'x-kubernetes-int-or-string': true,
});
/** An object whose content the sandbox does not interpret: any fields pass. */
const open = (description: string): Schema => ({ type: 'object', description, 'x-kubereach-open': true });
const list = (
  items: Schema,
  mergeKey?: string,
  listType: 'atomic' | 'map' | 'set' = mergeKey ? 'map' : 'atomic',
): Schema => ({
  type: 'array',
  items,
  ...(mergeKey
    ? {
        'x-kubernetes-list-map-keys': [mergeKey],
        'x-kubernetes-list-type': listType,
        'x-kubernetes-patch-merge-key': mergeKey,
        'x-kubernetes-patch-strategy': 'merge',
      }
    : { 'x-kubernetes-list-type': listType }),
});
const obj = (properties: Record<string, Schema>, extra: Schema = {}): Schema => ({
  type: 'object',
  properties,
  ...extra,
});
const gvk = (group: string, version: string, kind: string): Schema => ({
  'x-kubernetes-group-version-kind': [{ group, kind, version }],
});
const kindSchema = (
  group: string,
  version: string,
  kind: string,
  spec: string | undefined,
  status: string | undefined,
  description: string,
): Schema =>
  obj(
    {
      apiVersion: str('APIVersion defines the versioned schema of this representation of an object.'),
      kind: str('Kind is a string value representing the REST resource this object represents.'),
      metadata: { ...ref(`${META}.ObjectMeta`), default: {} },
      ...(spec ? { spec: { ...ref(spec), default: {} } } : {}),
      ...(status ? { status: { ...ref(status), default: {} } } : {}),
    },
    { description, ...gvk(group, version, kind) },
  );

/** Shared by every group version's document: metadata, selectors, the core types Pods are built of. */
const COMMON: Record<string, Schema> = {
  [`${META}.ObjectMeta`]: obj({
    annotations: strMap(),
    creationTimestamp: ref(`${META}.Time`),
    deletionGracePeriodSeconds: int64(),
    deletionTimestamp: ref(`${META}.Time`),
    finalizers: { ...strList(), 'x-kubernetes-list-type': 'set', 'x-kubernetes-patch-strategy': 'merge' },
    generateName: str(),
    generation: int64(),
    labels: strMap(),
    managedFields: list(open('ManagedFieldsEntry')),
    name: str(),
    namespace: str(),
    ownerReferences: list(ref(`${META}.OwnerReference`), 'uid'),
    resourceVersion: str(),
    selfLink: str(),
    uid: str(),
  }),
  [`${META}.OwnerReference`]: obj(
    {
      apiVersion: str(),
      blockOwnerDeletion: bool(),
      controller: bool(),
      kind: str(),
      name: str(),
      uid: str(),
    },
    { required: ['apiVersion', 'kind', 'name', 'uid'] },
  ),
  [`${META}.Time`]: { type: 'string', format: 'date-time' },
  [`${META}.MicroTime`]: { type: 'string', format: 'date-time' },
  [`${META}.LabelSelector`]: obj(
    {
      matchExpressions: list(ref(`${META}.LabelSelectorRequirement`)),
      matchLabels: strMap(),
    },
    { 'x-kubernetes-map-type': 'atomic' },
  ),
  [`${META}.LabelSelectorRequirement`]: obj(
    { key: str(), operator: str(), values: strList() },
    { required: ['key', 'operator'] },
  ),
  [`${CORE}.PodTemplateSpec`]: obj({
    metadata: { ...ref(`${META}.ObjectMeta`), default: {} },
    spec: { ...ref(`${CORE}.PodSpec`), default: {} },
  }),
  [`${CORE}.PodSpec`]: obj(
    {
      activeDeadlineSeconds: int64(),
      affinity: open('Affinity'),
      automountServiceAccountToken: bool(),
      containers: list(ref(`${CORE}.Container`), 'name'),
      dnsConfig: open('PodDNSConfig'),
      dnsPolicy: str(),
      enableServiceLinks: bool(),
      ephemeralContainers: list(ref(`${CORE}.Container`), 'name'),
      hostAliases: list(open('HostAlias')),
      hostIPC: bool(),
      hostNetwork: bool(),
      hostPID: bool(),
      hostUsers: bool(),
      hostname: str(),
      imagePullSecrets: list(open('LocalObjectReference'), 'name'),
      initContainers: list(ref(`${CORE}.Container`), 'name'),
      nodeName: str(),
      nodeSelector: { ...strMap(), 'x-kubernetes-map-type': 'atomic' },
      os: open('PodOS'),
      overhead: open('ResourceList'),
      preemptionPolicy: str(),
      priority: int(),
      priorityClassName: str(),
      readinessGates: list(open('PodReadinessGate')),
      resourceClaims: list(open('PodResourceClaim'), 'name'),
      resources: open('ResourceRequirements'),
      restartPolicy: str(),
      runtimeClassName: str(),
      schedulerName: str(),
      schedulingGates: list(open('PodSchedulingGate'), 'name'),
      securityContext: open('PodSecurityContext'),
      serviceAccount: str(),
      serviceAccountName: str(),
      setHostnameAsFQDN: bool(),
      shareProcessNamespace: bool(),
      subdomain: str(),
      terminationGracePeriodSeconds: int64(),
      tolerations: list(open('Toleration')),
      topologySpreadConstraints: list(open('TopologySpreadConstraint')),
      volumes: list(open('Volume'), 'name'),
    },
    { required: ['containers'] },
  ),
  [`${CORE}.Container`]: obj(
    {
      args: strList(),
      command: strList(),
      env: list(ref(`${CORE}.EnvVar`), 'name'),
      envFrom: list(open('EnvFromSource')),
      image: str(),
      imagePullPolicy: str(),
      lifecycle: open('Lifecycle'),
      livenessProbe: ref(`${CORE}.Probe`),
      name: str(),
      ports: {
        ...list(ref(`${CORE}.ContainerPort`), 'containerPort'),
        'x-kubernetes-list-map-keys': ['containerPort', 'protocol'],
      },
      readinessProbe: ref(`${CORE}.Probe`),
      resizePolicy: list(open('ContainerResizePolicy')),
      resources: ref(`${CORE}.ResourceRequirements`),
      restartPolicy: str(),
      securityContext: open('SecurityContext'),
      startupProbe: ref(`${CORE}.Probe`),
      stdin: bool(),
      stdinOnce: bool(),
      targetContainerName: str(),
      terminationMessagePath: str(),
      terminationMessagePolicy: str(),
      tty: bool(),
      volumeDevices: list(open('VolumeDevice'), 'devicePath'),
      volumeMounts: list(open('VolumeMount'), 'mountPath'),
      workingDir: str(),
    },
    { required: ['name'] },
  ),
  [`${CORE}.ContainerPort`]: obj(
    {
      containerPort: int(),
      hostIP: str(),
      hostPort: int(),
      name: str(),
      protocol: { ...str(), default: 'TCP' },
    },
    { required: ['containerPort'] },
  ),
  [`${CORE}.EnvVar`]: obj(
    { name: str(), value: str(), valueFrom: open('EnvVarSource') },
    { required: ['name'] },
  ),
  [`${CORE}.ResourceRequirements`]: obj({
    claims: list(open('ResourceClaim'), 'name'),
    limits: { type: 'object', additionalProperties: intOrString() },
    requests: { type: 'object', additionalProperties: intOrString() },
  }),
  [`${CORE}.Probe`]: obj({
    exec: obj({ command: strList() }),
    failureThreshold: int(),
    grpc: obj({ port: int(), service: str() }, { required: ['port'] }),
    httpGet: obj(
      {
        host: str(),
        httpHeaders: list(open('HTTPHeader')),
        path: str(),
        port: intOrString(),
        scheme: str(),
      },
      { required: ['port'] },
    ),
    initialDelaySeconds: int(),
    periodSeconds: int(),
    successThreshold: int(),
    tcpSocket: obj({ host: str(), port: intOrString() }, { required: ['port'] }),
    terminationGracePeriodSeconds: int64(),
    timeoutSeconds: int(),
  }),
  [`${CORE}.ObjectReference`]: obj(
    {
      apiVersion: str(),
      fieldPath: str(),
      kind: str(),
      name: str(),
      namespace: str(),
      resourceVersion: str(),
      uid: str(),
    },
    { 'x-kubernetes-map-type': 'atomic' },
  ),
};

/** The schemas each served kind adds, by its group/version/kind. */
const KINDS: Record<string, Record<string, Schema>> = {
  'v1/Namespace': {
    [`${CORE}.Namespace`]: kindSchema(
      '',
      'v1',
      'Namespace',
      `${CORE}.NamespaceSpec`,
      `${CORE}.NamespaceStatus`,
      'Namespace provides a scope for Names.',
    ),
    [`${CORE}.NamespaceSpec`]: obj({ finalizers: strList() }),
    [`${CORE}.NamespaceStatus`]: open('NamespaceStatus'),
  },
  'v1/Pod': {
    [`${CORE}.Pod`]: kindSchema(
      '',
      'v1',
      'Pod',
      `${CORE}.PodSpec`,
      `${CORE}.PodStatus`,
      'Pod is a collection of containers that can run on a host.',
    ),
    [`${CORE}.PodStatus`]: open('PodStatus'),
  },
  'v1/Service': {
    [`${CORE}.Service`]: kindSchema(
      '',
      'v1',
      'Service',
      `${CORE}.ServiceSpec`,
      `${CORE}.ServiceStatus`,
      'Service is a named abstraction of software service (for example, mysql) consisting of local port (for example 3306) that the proxy listens on, and the selector that determines which pods will answer requests sent through the proxy.',
    ),
    [`${CORE}.ServiceSpec`]: obj({
      allocateLoadBalancerNodePorts: bool(),
      clusterIP: str(),
      clusterIPs: { ...strList(), 'x-kubernetes-list-type': 'atomic' },
      externalIPs: strList(),
      externalName: str(),
      externalTrafficPolicy: str(),
      healthCheckNodePort: int(),
      internalTrafficPolicy: str(),
      ipFamilies: { ...strList(), 'x-kubernetes-list-type': 'atomic' },
      ipFamilyPolicy: str(),
      loadBalancerClass: str(),
      loadBalancerIP: str(),
      loadBalancerSourceRanges: strList(),
      ports: {
        ...list(ref(`${CORE}.ServicePort`), 'port'),
        'x-kubernetes-list-map-keys': ['port', 'protocol'],
      },
      publishNotReadyAddresses: bool(),
      selector: { ...strMap(), 'x-kubernetes-map-type': 'atomic' },
      sessionAffinity: str(),
      sessionAffinityConfig: open('SessionAffinityConfig'),
      trafficDistribution: str(),
      type: str(),
    }),
    [`${CORE}.ServicePort`]: obj(
      {
        appProtocol: str(),
        name: str(),
        nodePort: int(),
        port: int(),
        protocol: { ...str(), default: 'TCP' },
        targetPort: intOrString(),
      },
      { required: ['port'] },
    ),
    [`${CORE}.ServiceStatus`]: open('ServiceStatus'),
  },
  'v1/Event': {
    [`${CORE}.Event`]: obj(
      {
        action: str(),
        apiVersion: str(),
        count: int(),
        eventTime: ref(`${META}.MicroTime`),
        firstTimestamp: ref(`${META}.Time`),
        involvedObject: { ...ref(`${CORE}.ObjectReference`), default: {} },
        kind: str(),
        lastTimestamp: ref(`${META}.Time`),
        message: str(),
        metadata: { ...ref(`${META}.ObjectMeta`), default: {} },
        reason: str(),
        related: ref(`${CORE}.ObjectReference`),
        reportingComponent: str(),
        reportingInstance: str(),
        series: open('EventSeries'),
        source: obj({ component: str(), host: str() }),
        type: str(),
      },
      { required: ['metadata', 'involvedObject'], ...gvk('', 'v1', 'Event') },
    ),
  },
  'apps/v1/Deployment': {
    'io.k8s.api.apps.v1.Deployment': kindSchema(
      'apps',
      'v1',
      'Deployment',
      'io.k8s.api.apps.v1.DeploymentSpec',
      'io.k8s.api.apps.v1.DeploymentStatus',
      'Deployment enables declarative updates for Pods and ReplicaSets.',
    ),
    'io.k8s.api.apps.v1.DeploymentSpec': obj(
      {
        minReadySeconds: int(),
        paused: bool(),
        progressDeadlineSeconds: int(),
        replicas: int(),
        revisionHistoryLimit: int(),
        selector: ref(`${META}.LabelSelector`),
        strategy: obj({
          rollingUpdate: obj({ maxSurge: intOrString(), maxUnavailable: intOrString() }),
          type: str(),
        }),
        template: { ...ref(`${CORE}.PodTemplateSpec`), default: {} },
      },
      { required: ['selector', 'template'] },
    ),
    'io.k8s.api.apps.v1.DeploymentStatus': open('DeploymentStatus'),
  },
  'apps/v1/ReplicaSet': {
    'io.k8s.api.apps.v1.ReplicaSet': kindSchema(
      'apps',
      'v1',
      'ReplicaSet',
      'io.k8s.api.apps.v1.ReplicaSetSpec',
      'io.k8s.api.apps.v1.ReplicaSetStatus',
      'ReplicaSet ensures that a specified number of pod replicas are running at any given time.',
    ),
    'io.k8s.api.apps.v1.ReplicaSetSpec': obj(
      {
        minReadySeconds: int(),
        replicas: int(),
        selector: ref(`${META}.LabelSelector`),
        template: { ...ref(`${CORE}.PodTemplateSpec`), default: {} },
      },
      { required: ['selector'] },
    ),
    'io.k8s.api.apps.v1.ReplicaSetStatus': open('ReplicaSetStatus'),
  },
  'discovery.k8s.io/v1/EndpointSlice': {
    'io.k8s.api.discovery.v1.EndpointSlice': obj(
      {
        addressType: str(),
        apiVersion: str(),
        endpoints: list(ref('io.k8s.api.discovery.v1.Endpoint')),
        kind: str(),
        metadata: { ...ref(`${META}.ObjectMeta`), default: {} },
        ports: list(ref('io.k8s.api.discovery.v1.EndpointPort')),
      },
      { required: ['addressType', 'endpoints'], ...gvk('discovery.k8s.io', 'v1', 'EndpointSlice') },
    ),
    'io.k8s.api.discovery.v1.Endpoint': obj(
      {
        addresses: { ...strList(), 'x-kubernetes-list-type': 'set' },
        conditions: obj({ ready: bool(), serving: bool(), terminating: bool() }),
        deprecatedTopology: strMap(),
        hints: open('EndpointHints'),
        hostname: str(),
        nodeName: str(),
        targetRef: ref(`${CORE}.ObjectReference`),
        zone: str(),
      },
      { required: ['addresses'] },
    ),
    'io.k8s.api.discovery.v1.EndpointPort': obj(
      { appProtocol: str(), name: str(), port: int(), protocol: str() },
      { 'x-kubernetes-map-type': 'atomic' },
    ),
  },
  'events.k8s.io/v1/Event': {
    'io.k8s.api.events.v1.Event': obj(
      {
        action: str(),
        apiVersion: str(),
        deprecatedCount: int(),
        deprecatedFirstTimestamp: ref(`${META}.Time`),
        deprecatedLastTimestamp: ref(`${META}.Time`),
        deprecatedSource: obj({ component: str(), host: str() }),
        eventTime: ref(`${META}.MicroTime`),
        kind: str(),
        metadata: { ...ref(`${META}.ObjectMeta`), default: {} },
        note: str(),
        reason: str(),
        regarding: ref(`${CORE}.ObjectReference`),
        related: ref(`${CORE}.ObjectReference`),
        reportingController: str(),
        reportingInstance: str(),
        series: obj({ count: int(), lastObservedTime: ref(`${META}.MicroTime`) }),
        type: str(),
      },
      { required: ['eventTime'], ...gvk('events.k8s.io', 'v1', 'Event') },
    ),
  },
  'networking.k8s.io/v1/NetworkPolicy': {
    'io.k8s.api.networking.v1.NetworkPolicy': kindSchema(
      'networking.k8s.io',
      'v1',
      'NetworkPolicy',
      'io.k8s.api.networking.v1.NetworkPolicySpec',
      undefined,
      'NetworkPolicy describes what network traffic is allowed for a set of Pods',
    ),
    'io.k8s.api.networking.v1.NetworkPolicySpec': obj({
      egress: list(
        obj({
          ports: list(ref('io.k8s.api.networking.v1.NetworkPolicyPort')),
          to: list(ref('io.k8s.api.networking.v1.NetworkPolicyPeer')),
        }),
      ),
      ingress: list(
        obj({
          from: list(ref('io.k8s.api.networking.v1.NetworkPolicyPeer')),
          ports: list(ref('io.k8s.api.networking.v1.NetworkPolicyPort')),
        }),
      ),
      podSelector: ref(`${META}.LabelSelector`),
      policyTypes: strList(),
    }),
    'io.k8s.api.networking.v1.NetworkPolicyPeer': obj({
      ipBlock: obj({ cidr: str(), except: strList() }, { required: ['cidr'] }),
      namespaceSelector: ref(`${META}.LabelSelector`),
      podSelector: ref(`${META}.LabelSelector`),
    }),
    'io.k8s.api.networking.v1.NetworkPolicyPort': obj({
      endPort: int(),
      port: intOrString(),
      protocol: str(),
    }),
  },
};

const SCALE: Record<string, Schema> = {
  'io.k8s.api.autoscaling.v1.Scale': obj(
    {
      apiVersion: str(),
      kind: str(),
      metadata: { ...ref(`${META}.ObjectMeta`), default: {} },
      spec: obj({ replicas: int() }),
      status: obj({ replicas: int(), selector: str() }, { required: ['replicas'] }),
    },
    gvk('autoscaling', 'v1', 'Scale'),
  ),
};

function schemaName(type: ResourceType): string {
  const key = `${apiVersionOf(type)}/${type.kind}`;
  return Object.keys(KINDS[key] ?? {})[0] ?? '';
}

// ---- documents -----------------------------------------------------------------------------------

/** `api/v1`, `apis/apps/v1`, …: the keys of `/openapi/v3`. */
function groupVersionPaths(): string[] {
  const paths = new Set<string>();
  for (const type of RESOURCES) {
    paths.add(type.group === '' ? `api/${type.version}` : `apis/${type.group}/${type.version}`);
  }
  return [...paths];
}

const documents = new Map<string, { body: string; hash: string }>();

function documentFor(path: string): { body: string; hash: string } | undefined {
  const cached = documents.get(path);
  if (cached) {
    return cached;
  }
  const types = RESOURCES.filter(
    (type) => (type.group === '' ? `api/${type.version}` : `apis/${type.group}/${type.version}`) === path,
  );
  if (types.length === 0) {
    return undefined;
  }
  const schemas: Record<string, Schema> = { ...COMMON };
  const paths: Record<string, unknown> = {};
  for (const type of types) {
    Object.assign(schemas, KINDS[`${apiVersionOf(type)}/${type.kind}`] ?? {});
    if (type.subresources.some((s) => s.name === 'scale')) {
      Object.assign(schemas, SCALE);
    }
    Object.assign(paths, pathsOf(type));
  }
  const body = JSON.stringify({
    openapi: '3.0.0',
    info: { title: 'Kubernetes', version: SANDBOX_VERSION.gitVersion },
    paths,
    components: {
      schemas,
      securitySchemes: { BearerToken: { type: 'apiKey', name: 'authorization', in: 'header' } },
    },
  });
  // The hash in serverRelativeURL is the document's, so clients cache it until it changes.
  const hash = createHash('sha512').update(body).digest('hex').toUpperCase().slice(0, 128);
  const document = { body, hash };
  documents.set(path, document);
  return document;
}

function pathsOf(type: ResourceType): Record<string, unknown> {
  const prefix = type.group === '' ? `/api/${type.version}` : `/apis/${type.group}/${type.version}`;
  const scope = type.namespaced
    ? `${prefix}/namespaces/{namespace}/${type.plural}`
    : `${prefix}/${type.plural}`;
  const kind = { group: type.group, version: type.version, kind: type.kind };
  const body = { $ref: `#/components/schemas/${schemaName(type)}` };
  const parameter = (name: string, description: string, location = 'query') => ({
    name,
    in: location,
    description,
    ...(location === 'path' ? { required: true } : {}),
    schema: { type: 'string', uniqueItems: true },
  });
  const write = [
    parameter('dryRun', 'When present, indicates that modifications should not be persisted.'),
    parameter(
      'fieldManager',
      'fieldManager is a name associated with the actor or entity that is making these changes.',
    ),
    parameter(
      'fieldValidation',
      'fieldValidation instructs the server on how to handle objects in the request containing unknown or duplicate fields. Valid values are: Ignore, Warn and Strict.',
    ),
  ];
  const operation = (action: string, verb: string, extra: Schema = {}) => ({
    tags: [type.group === '' ? `core_${type.version}` : `${type.group.split('.')[0]}_${type.version}`],
    operationId: `${verb}${type.kind}`,
    responses: { '200': { description: 'OK', content: { 'application/json': { schema: body } } } },
    'x-kubernetes-action': action,
    'x-kubernetes-group-version-kind': kind,
    ...extra,
  });
  const request = (types: string[]) => ({
    requestBody: { content: Object.fromEntries(types.map((t) => [t, { schema: body }])), required: true },
  });
  const named = {
    parameters: [
      parameter('name', `name of the ${type.kind}`, 'path'),
      ...(type.namespaced ? [parameter('namespace', 'object name and auth scope', 'path')] : []),
      parameter('pretty', "If 'true', then the output is pretty printed."),
    ],
    get: operation('get', 'read'),
    put: operation('put', 'replace', { ...request(['*/*']), parameters: write }),
    patch: operation('patch', 'patch', {
      ...request([
        'application/apply-patch+yaml',
        'application/json-patch+json',
        'application/merge-patch+json',
        'application/strategic-merge-patch+json',
      ]),
      parameters: [...write, parameter('force', 'Force is going to "force" Apply requests.')],
    }),
    delete: operation('delete', 'delete'),
  };
  const collection = {
    parameters: [
      ...(type.namespaced ? [parameter('namespace', 'object name and auth scope', 'path')] : []),
      parameter('pretty', "If 'true', then the output is pretty printed."),
    ],
    get: operation('list', 'list'),
    post: operation('post', 'create', { ...request(['*/*']), parameters: write }),
  };
  return { [scope]: collection, [`${scope}/{name}`]: named };
}

/** Answers `/openapi/v3` and its documents; undefined for any other path. */
export function openApiDocument(path: string): { contentType: string; body: string } | undefined {
  if (path === '/openapi/v2') {
    // kubectl falls back to v2 (as protobuf) to validate a kind no v3 document describes. An empty
    // message is an empty document: no definitions, so the kind goes unvalidated and kubectl goes
    // on to say the server does not serve it, as a real server's answer would lead it to.
    return { contentType: 'application/com.github.proto-openapi.spec.v2.v1.0+protobuf', body: '' };
  }
  if (path === '/openapi/v3') {
    const paths: Record<string, { serverRelativeURL: string }> = {};
    for (const key of groupVersionPaths()) {
      paths[key] = { serverRelativeURL: `/openapi/v3/${key}?hash=${documentFor(key)!.hash}` };
    }
    return { contentType: 'application/json', body: JSON.stringify({ paths }) };
  }
  const match = /^\/openapi\/v3\/(.+)$/.exec(path);
  const document = match ? documentFor(match[1]!) : undefined;
  return document && { contentType: 'application/json', body: document.body };
}

// ---- field validation ----------------------------------------------------------------------------

/** The paths of fields the schema does not know, as the API server's strict decoder names them. */
export function unknownFields(type: ResourceType, object: unknown): string[] {
  const name = schemaName(type);
  if (!name) {
    return [];
  }
  const schemas = { ...COMMON, ...KINDS[`${apiVersionOf(type)}/${type.kind}`] };
  const found: string[] = [];
  walk(schemas, schemas[name]!, object, '', found);
  return found;
}

function resolve(schemas: Record<string, Schema>, schema: Schema): Schema {
  const allOf = schema.allOf as Array<{ $ref: string }> | undefined;
  if (allOf?.[0]?.$ref) {
    return schemas[allOf[0].$ref.replace('#/components/schemas/', '')] ?? {};
  }
  return schema;
}

function walk(
  schemas: Record<string, Schema>,
  raw: Schema,
  value: unknown,
  path: string,
  found: string[],
): void {
  const schema = resolve(schemas, raw);
  if (Array.isArray(value) && schema.type === 'array') {
    value.forEach((item, index) => walk(schemas, schema.items as Schema, item, `${path}[${index}]`, found));
    return;
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return;
  }
  const properties = schema.properties as Record<string, Schema> | undefined;
  if (!properties) {
    return;
  }
  for (const [key, child] of Object.entries(value)) {
    if (key.startsWith('$')) {
      // Strategic merge patch directives ($patch, $setElementOrder/…, $retainKeys).
      continue;
    }
    const childPath = path ? `${path}.${key}` : key;
    const childSchema = properties[key];
    if (!childSchema) {
      found.push(childPath);
      continue;
    }
    walk(schemas, childSchema, child, childPath, found);
  }
}
