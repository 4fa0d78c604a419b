/**
 * The stable diagnostic codes of the manifest analysis. A code never changes meaning once
 * released; a retired check keeps its number unused. docs/diagnostics.md documents each with an example and
 * a fix (`test/unit/manifests/codes.test.ts` keeps the two in step).
 *
 * - KR0xxx: about the analysis itself (a document too large to analyse).
 * - KR1xxx: Services, from the manifest alone.
 * - KR2xxx: NetworkPolicies, from the manifest alone.
 * - KR3xxx: against the workloads in the workspace's YAML files.
 * - KR4xxx: against the live cluster.
 * - KR5xxx: Ingresses: KR50xx from the manifest alone, KR51xx against the Services and Ingresses
 *   of the workspace, KR52xx against the live cluster.
 * - KR6xxx: the Gateway API (Gateways, HTTPRoutes, GRPCRoutes): KR60xx from the manifest alone,
 *   KR61xx against the Gateway API objects and Services of the workspace, KR62xx against the live
 *   cluster.
 */

export type Severity = 'error' | 'warning' | 'information' | 'hint';

export interface CodeInfo {
  /** The usual severity; a check may lower it (KR1008 is a warning inside 1-65535). */
  readonly severity: Severity;
  readonly title: string;
}

export const CODES = {
  KR0001: { severity: 'information', title: 'Document not analysed: too large or nested too deeply' },
  KR0002: { severity: 'information', title: 'Too many problems in this file; the rest are not shown' },

  KR1001: { severity: 'error', title: 'Service without ports' },
  KR1002: { severity: 'error', title: 'Service port outside 1-65535' },
  KR1003: { severity: 'error', title: 'Invalid targetPort' },
  KR1004: { severity: 'error', title: 'Invalid protocol' },
  KR1005: { severity: 'error', title: 'Unnamed port in a multi-port Service' },
  KR1006: { severity: 'error', title: 'Duplicate port name' },
  KR1007: { severity: 'error', title: 'Duplicate port and protocol' },
  KR1008: { severity: 'error', title: 'nodePort outside the NodePort range' },
  KR1009: { severity: 'error', title: 'nodePort on a Service type without node ports' },
  KR1010: { severity: 'error', title: 'Unknown Service type' },
  KR1011: { severity: 'error', title: 'clusterIP: None on a type that cannot be headless' },
  KR1012: { severity: 'error', title: 'ExternalName Service without externalName' },
  KR1013: { severity: 'error', title: 'Invalid label key in selector' },
  KR1014: { severity: 'error', title: 'Invalid label value in selector' },
  KR1015: { severity: 'warning', title: 'Unknown field in a Service' },
  KR1016: { severity: 'error', title: 'Invalid Service port name' },
  KR1017: {
    severity: 'error',
    title: 'externalTrafficPolicy on a Service that is not externally accessible',
  },
  KR1018: { severity: 'error', title: 'Invalid loadBalancerSourceRanges' },

  KR2001: { severity: 'warning', title: 'NetworkPolicy without podSelector' },
  KR2002: { severity: 'error', title: 'Invalid policyTypes' },
  KR2003: { severity: 'error', title: 'Invalid protocol in a NetworkPolicy port' },
  KR2004: { severity: 'error', title: 'Invalid port in a NetworkPolicy rule' },
  KR2005: { severity: 'error', title: 'Invalid endPort' },
  KR2006: { severity: 'error', title: 'Invalid CIDR in ipBlock' },
  KR2007: { severity: 'error', title: 'ipBlock except outside its cidr' },
  KR2008: { severity: 'warning', title: 'Unknown field in a NetworkPolicy' },
  KR2009: { severity: 'error', title: 'Invalid label selector' },
  KR2010: { severity: 'error', title: 'Invalid peer' },
  KR2011: { severity: 'warning', title: 'Rules that policyTypes makes inert' },

  KR3001: { severity: 'warning', title: 'Selector matches no workload in the workspace' },
  KR3002: { severity: 'error', title: 'Named targetPort declared by no matching workload' },
  KR3003: { severity: 'information', title: 'Numeric targetPort declared by no matching workload' },
  KR3004: { severity: 'information', title: 'NetworkPolicy selects no workload in the workspace' },
  KR3005: { severity: 'warning', title: 'nodePort already used by another Service in the workspace' },

  KR4001: { severity: 'warning', title: 'Selector matches no live Pod' },
  KR4002: { severity: 'warning', title: 'No matching Pod is ready' },
  KR4003: { severity: 'warning', title: 'Named targetPort not exposed by the live Pods' },
  KR4004: { severity: 'information', title: 'Numeric targetPort declared by no live Pod' },
  KR4005: { severity: 'warning', title: 'A NetworkPolicy admits no ingress on the targetPort' },
  KR4006: { severity: 'warning', title: 'nodePort already used by a live Service' },

  KR5001: { severity: 'error', title: 'Missing or invalid pathType' },
  KR5002: { severity: 'error', title: 'Ingress path not absolute or not normalised' },
  KR5003: { severity: 'warning', title: 'Regular expression in an Exact or Prefix path' },
  KR5004: { severity: 'error', title: 'Ingress backend with both or neither of service and resource' },
  KR5005: { severity: 'error', title: 'Invalid Ingress service backend' },
  KR5006: { severity: 'error', title: 'Invalid Ingress host' },
  KR5007: { severity: 'warning', title: 'TLS host served by no rule' },
  KR5008: { severity: 'warning', title: 'Unknown field in an Ingress' },
  KR5009: {
    severity: 'error',
    title: 'Ingress with neither rules nor defaultBackend, or a rule without paths',
  },
  KR5010: { severity: 'error', title: 'Invalid ingressClassName' },

  KR5101: { severity: 'warning', title: 'Backend Service not defined in the workspace' },
  KR5102: { severity: 'error', title: 'Backend port not a port of the Service' },
  KR5103: { severity: 'warning', title: 'Host and path claimed by another Ingress' },

  KR5201: { severity: 'warning', title: 'Backend Service not in the cluster' },
  KR5202: { severity: 'warning', title: 'Backend port not a port of the live Service' },
  KR5203: { severity: 'warning', title: 'Backend Service has no ready endpoint' },
  KR5204: { severity: 'warning', title: 'IngressClass not in the cluster' },
  KR5205: { severity: 'warning', title: 'No class named and no default IngressClass' },
  KR5206: { severity: 'warning', title: 'Host and path claimed by a live Ingress of the class' },

  KR6001: { severity: 'error', title: 'Gateway without gatewayClassName or listeners' },
  KR6002: { severity: 'error', title: 'Invalid Gateway listener' },
  KR6003: { severity: 'warning', title: 'Gateway listener that will not work as written' },
  KR6004: { severity: 'error', title: 'Invalid route hostname' },
  KR6005: { severity: 'error', title: 'Invalid parentRef' },
  KR6006: { severity: 'warning', title: 'Route without parentRefs' },
  KR6007: { severity: 'error', title: 'Too many rules or matches in a route' },
  KR6008: { severity: 'error', title: 'Invalid route match' },
  KR6009: { severity: 'error', title: 'Invalid backendRef' },
  KR6010: { severity: 'error', title: 'Invalid route filter' },
  KR6011: {
    severity: 'warning',
    title: 'Route rule that routes in an implementation-specific or surprising way',
  },

  KR6101: { severity: 'warning', title: 'parentRef names a Gateway not written in the workspace' },
  KR6102: { severity: 'warning', title: 'parentRef names no listener of the Gateway (sectionName or port)' },
  KR6103: { severity: 'warning', title: 'Route hostnames intersect no listener of the Gateway' },
  KR6104: { severity: 'warning', title: 'Listener does not allow the route (kind or namespace)' },
  KR6105: {
    severity: 'warning',
    title: 'Cross-namespace backendRef without a ReferenceGrant in the workspace',
  },
  KR6106: { severity: 'warning', title: 'Backend Service not defined in the workspace' },
  KR6107: { severity: 'error', title: 'Backend port not a port of the written Service' },

  KR6201: { severity: 'warning', title: 'Backend Service not in the cluster' },
  KR6202: { severity: 'warning', title: 'Backend port not a port of the live Service' },
  KR6203: { severity: 'warning', title: 'Backend Service has no ready endpoint' },
  KR6204: { severity: 'warning', title: 'parentRef names a Gateway not in the cluster' },
  KR6205: { severity: 'warning', title: 'parentRef names no listener of the live Gateway' },
  KR6206: { severity: 'warning', title: 'Route hostnames intersect no listener of the live Gateway' },
  KR6207: { severity: 'warning', title: 'Live listener does not allow the route (kind or namespace)' },
  KR6208: { severity: 'warning', title: 'Controller reports the live Gateway or listener not ready' },
  KR6209: { severity: 'warning', title: 'Live Gateway of a GatewayClass no controller accepted' },
  KR6210: {
    severity: 'warning',
    title: 'Cross-namespace backendRef without a ReferenceGrant in the cluster',
  },
} as const satisfies Record<string, CodeInfo>;

export type DiagnosticCode = keyof typeof CODES;

export function codeInfo(code: DiagnosticCode): CodeInfo {
  return CODES[code];
}
