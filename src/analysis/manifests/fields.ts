/**
 * The fields the API knows in the parts of a Service and a NetworkPolicy that the analysis checks
 * for unknown keys (core/v1 Service and networking.k8s.io/v1 NetworkPolicy as of Kubernetes 1.33).
 * Free-form maps (labels, annotations, a Service's selector, matchLabels) are never checked.
 */

export const OBJECT_FIELDS = ['apiVersion', 'kind', 'metadata', 'spec', 'status'];

export const METADATA_FIELDS = [
  'name',
  'generateName',
  'namespace',
  'labels',
  'annotations',
  'uid',
  'resourceVersion',
  'generation',
  'creationTimestamp',
  'deletionTimestamp',
  'deletionGracePeriodSeconds',
  'ownerReferences',
  'finalizers',
  'managedFields',
  'selfLink',
];

export const SERVICE_SPEC_FIELDS = [
  'ports',
  'selector',
  'clusterIP',
  'clusterIPs',
  'type',
  'externalIPs',
  'sessionAffinity',
  'sessionAffinityConfig',
  'loadBalancerIP',
  'loadBalancerSourceRanges',
  'loadBalancerClass',
  'externalName',
  'externalTrafficPolicy',
  'internalTrafficPolicy',
  'healthCheckNodePort',
  'publishNotReadyAddresses',
  'ipFamilies',
  'ipFamilyPolicy',
  'allocateLoadBalancerNodePorts',
  'trafficDistribution',
];

export const SERVICE_PORT_FIELDS = ['name', 'protocol', 'appProtocol', 'port', 'targetPort', 'nodePort'];

export const NETWORK_POLICY_SPEC_FIELDS = ['podSelector', 'policyTypes', 'ingress', 'egress'];
export const INGRESS_RULE_FIELDS = ['from', 'ports'];
export const EGRESS_RULE_FIELDS = ['to', 'ports'];
export const PEER_FIELDS = ['podSelector', 'namespaceSelector', 'ipBlock'];
export const IP_BLOCK_FIELDS = ['cidr', 'except'];
export const POLICY_PORT_FIELDS = ['protocol', 'port', 'endPort'];
export const LABEL_SELECTOR_FIELDS = ['matchLabels', 'matchExpressions'];
export const SELECTOR_REQUIREMENT_FIELDS = ['key', 'operator', 'values'];

export const SERVICE_TYPES = ['ClusterIP', 'NodePort', 'LoadBalancer', 'ExternalName'];
export const PROTOCOLS = ['TCP', 'UDP', 'SCTP'];
export const POLICY_TYPES = ['Ingress', 'Egress'];
export const SELECTOR_OPERATORS = ['In', 'NotIn', 'Exists', 'DoesNotExist'];

// networking.k8s.io/v1 Ingress
export const INGRESS_SPEC_FIELDS = ['ingressClassName', 'defaultBackend', 'tls', 'rules'];
export const INGRESS_TLS_FIELDS = ['hosts', 'secretName'];
export const INGRESS_HOST_RULE_FIELDS = ['host', 'http'];
export const INGRESS_HTTP_FIELDS = ['paths'];
export const INGRESS_PATH_FIELDS = ['path', 'pathType', 'backend'];
export const INGRESS_BACKEND_FIELDS = ['service', 'resource'];
export const INGRESS_SERVICE_BACKEND_FIELDS = ['name', 'port'];
export const INGRESS_SERVICE_PORT_FIELDS = ['name', 'number'];
export const TYPED_LOCAL_OBJECT_REFERENCE_FIELDS = ['apiGroup', 'kind', 'name'];
export const PATH_TYPES = ['Exact', 'Prefix', 'ImplementationSpecific'];
