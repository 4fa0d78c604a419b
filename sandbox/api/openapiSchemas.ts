/**
 * The schemas of the sandbox's OpenAPI v3 documents, hand-written and compact: every field the
 * sandbox reads, with its type, list merge keys and GVK; what it does not interpret (status,
 * volumes, security contexts, affinity) as open objects, which field validation does not check.
 */
export type Schema = Record<string, unknown>;

const META = 'io.k8s.apimachinery.pkg.apis.meta.v1';
const CORE = 'io.k8s.api.core.v1';

export const ref = (name: string): Schema => ({ allOf: [{ $ref: `#/components/schemas/${name}` }] });
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
export const COMMON: Record<string, Schema> = {
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
export const KINDS: Record<string, Record<string, Schema>> = {
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
  'v1/Node': {
    [`${CORE}.Node`]: kindSchema(
      '',
      'v1',
      'Node',
      `${CORE}.NodeSpec`,
      `${CORE}.NodeStatus`,
      'Node is a worker node in Kubernetes. Each node will have a unique identifier in the cache (i.e. in etcd).',
    ),
    [`${CORE}.NodeSpec`]: obj({
      podCIDR: str(),
      podCIDRs: { ...strList(), 'x-kubernetes-list-type': 'set', 'x-kubernetes-patch-strategy': 'merge' },
      providerID: str(),
      taints: list(open('Taint')),
      unschedulable: bool(),
    }),
    [`${CORE}.NodeStatus`]: open('NodeStatus'),
  },
  'networking.k8s.io/v1/IngressClass': {
    'io.k8s.api.networking.v1.IngressClass': kindSchema(
      'networking.k8s.io',
      'v1',
      'IngressClass',
      'io.k8s.api.networking.v1.IngressClassSpec',
      undefined,
      'IngressClass represents the class of the Ingress, referenced by the Ingress Spec.',
    ),
    'io.k8s.api.networking.v1.IngressClassSpec': obj({
      controller: str(),
      parameters: obj(
        { apiGroup: str(), kind: str(), name: str(), namespace: str(), scope: str() },
        { required: ['kind', 'name'] },
      ),
    }),
  },
  'networking.k8s.io/v1/Ingress': {
    'io.k8s.api.networking.v1.Ingress': kindSchema(
      'networking.k8s.io',
      'v1',
      'Ingress',
      'io.k8s.api.networking.v1.IngressSpec',
      'io.k8s.api.networking.v1.IngressStatus',
      'Ingress is a collection of rules that allow inbound connections to reach the endpoints defined by a backend. An Ingress can be configured to give services externally-reachable urls, load balance traffic, terminate SSL, offer name based virtual hosting etc.',
    ),
    'io.k8s.api.networking.v1.IngressSpec': obj({
      defaultBackend: ref('io.k8s.api.networking.v1.IngressBackend'),
      ingressClassName: str(),
      rules: list(ref('io.k8s.api.networking.v1.IngressRule')),
      tls: list(obj({ hosts: strList(), secretName: str() })),
    }),
    'io.k8s.api.networking.v1.IngressRule': obj({
      host: str(),
      http: obj({ paths: list(ref('io.k8s.api.networking.v1.HTTPIngressPath')) }, { required: ['paths'] }),
    }),
    'io.k8s.api.networking.v1.HTTPIngressPath': obj(
      {
        backend: { ...ref('io.k8s.api.networking.v1.IngressBackend'), default: {} },
        path: str(),
        pathType: str(),
      },
      { required: ['pathType', 'backend'] },
    ),
    'io.k8s.api.networking.v1.IngressBackend': obj({
      resource: obj({ apiGroup: str(), kind: str(), name: str() }, { required: ['kind', 'name'] }),
      service: obj({ name: str(), port: obj({ name: str(), number: int() }) }, { required: ['name'] }),
    }),
    'io.k8s.api.networking.v1.IngressStatus': open('IngressStatus'),
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
  'apiextensions.k8s.io/v1/CustomResourceDefinition': {
    'io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.v1.CustomResourceDefinition': kindSchema(
      'apiextensions.k8s.io',
      'v1',
      'CustomResourceDefinition',
      'io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.v1.CustomResourceDefinitionSpec',
      'io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.v1.CustomResourceDefinitionStatus',
      'CustomResourceDefinition represents a resource that should be exposed on the API server.  Its name MUST be in the format <.spec.name>.<.spec.group>.',
    ),
    // The schemas inside (openAPIV3Schema) are arbitrary JSON: the sandbox checks them itself.
    'io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.v1.CustomResourceDefinitionSpec': open(
      'CustomResourceDefinitionSpec describes how a user wants their resource to appear',
    ),
    'io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.v1.CustomResourceDefinitionStatus': open(
      'CustomResourceDefinitionStatus indicates the state of the CustomResourceDefinition',
    ),
  },
};

export const SCALE: Record<string, Schema> = {
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
