/**
 * The Gateway API analysis (gateway.networking.k8s.io v1; ReferenceGrant v1beta1): pure, no
 * `vscode`, no network. The sandbox's gateway controller writes status and routes requests with
 * it, and the diagnosis, the explorer and the language server quote the same answers, so they
 * cannot disagree about semantics.
 *
 * - types.ts: the JSON shapes read (spec and status), and GatewayWorld, the objects as lists.
 * - hostnames.ts: hostname syntax, wildcard matching, listener × route intersection, precedence.
 * - listeners.ts: allowedRoutes (kinds, namespaces), parentRef selection, listener conflicts.
 * - attachment.ts: route × parentRef × listener attachment with the spec's Accepted reasons.
 * - backends.ts: backendRefs, ReferenceGrants, weights, the ResolvedRefs reasons.
 * - status.ts: the conditions a conformant controller writes, and how to merge them;
 *   statusCompare.ts: what a controller wrote against what KubeReach computes.
 * - matching.ts, routing.ts: one request through a Gateway: listener, rule precedence, backends.
 * - warnings.ts: plain-words warnings for a Gateway or a route (explorer items, hovers).
 * - filters.ts: what a rule's filters do (redirect, URL rewrite, header modifiers).
 * - validation.ts: static checks of Gateway and route manifests (the CRDs' rules, and surprises).
 * - convert.ts, convertCompare.ts: Ingress → HTTPRoutes (and a Gateway), and the requests the two
 *   route differently, with the causes named; convertYaml.ts: the text the code action writes
 *   (import it directly: it needs the `yaml` library, which the extension's activation bundle must
 *   not pull in through this entry).
 */
export * from './types.ts';
export {
  bestHostnameMatch,
  compareHostnamePrecedence,
  hostnameMatches,
  intersectHostname,
  intersectListenerAndRoute,
  isWildcard,
  listenerHostnameRank,
  validateHostname,
} from './hostnames.ts';
export type { HostnameIntersection, HostnamePrecedence } from './hostnames.ts';
export {
  DEFAULT_CAPABILITIES,
  kindAllowed,
  kindText,
  listenerConflicts,
  listenerKinds,
  namespaceAllowed,
  parentRefSelects,
} from './listeners.ts';
export type { Admission, GatewayCapabilities, ListenerConflict, ListenerKinds } from './listeners.ts';
export {
  attachedOn,
  attachRoute,
  attachToListener,
  isGatewayParent,
  parentGatewayRef,
  unsupportedValues,
} from './attachment.ts';
export type {
  AcceptedVerdict,
  ListenerAttachment,
  ListenerAttachmentState,
  ParentAttachment,
  RouteAcceptedReason,
  RuleProblem,
} from './attachment.ts';
export { findReferenceGrant, resolveBackendRef, routeResolvedRefs, ruleBackends } from './backends.ts';
export type {
  BackendResolution,
  BackendShare,
  ResolvedRefsReason,
  ResolvedRefsVerdict,
  RuleBackends,
  RuleOutcome,
} from './backends.ts';
export { computeGatewayStatuses, managedClassNames, mergeConditions, mergeRouteParents } from './status.ts';
export type {
  ComputedGatewayClassStatus,
  ComputedGatewayStatus,
  ComputedRouteStatus,
  ComputedStatus,
  StatusOptions,
} from './status.ts';
export { compareMatchRank, grpcTarget, matchGrpc, matchHttp, matchPathValue } from './matching.ts';
export type { MatchRank, MatchRequest, MatchResult } from './matching.ts';
export {
  buildGatewayRouteTable,
  compareRouteAge,
  routeGatewayRequest,
  routeRequestThroughGateway,
} from './routing.ts';
export type {
  GatewayRequest,
  GatewayRouteDecision,
  GatewayRouteTable,
  ListenerCandidate,
  RuleCandidate,
  TableListener,
  TableRoute,
} from './routing.ts';
export {
  annotationNotes,
  convertIngress,
  CONVERTED_FROM_ANNOTATION,
  defaultParent,
  looksLikeRegex,
} from './convert.ts';
export type { ConversionNote, ConversionNoteKind, ConvertOptions, IngressConversion } from './convert.ts';
export { compareIngressConversion, generateRequests, outcomeText } from './convertCompare.ts';
export type {
  ComparedRequest,
  GeneratedRequest,
  RouteOutcome,
  RouteTableComparison,
} from './convertCompare.ts';
export { compareGatewayStatus, compareRouteStatus } from './statusCompare.ts';
export type { ConditionDisagreement, ParentStatusComparison, StatusComparison } from './statusCompare.ts';
export { pathValueProblems, validateGateway, validateGRPCRoute, validateHTTPRoute } from './validation.ts';
export type { ManifestProblem } from './validation.ts';
export { groupByCause, groupDifferences } from './convertCompare.ts';
export type { DifferenceGroup } from './convertCompare.ts';
export { gatewayWarnings, routeWarnings } from './warnings.ts';
export type { UnreadLists } from './warnings.ts';
export { applyFilters, modifyPath } from './filters.ts';
export type { FilterEffect, FilterRequest, HeaderChanges } from './filters.ts';
