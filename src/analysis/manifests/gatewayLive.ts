/**
 * Cluster-aware checks of an HTTPRoute's or GRPCRoute's parentRefs and cross-namespace backendRefs
 * against the live Gateway API (KR6204–KR6209): the Gateway a parentRef names and its listeners as
 * the cluster holds them, the GatewayClass and whether a controller accepted it, the status the
 * controller wrote on the listeners the route would attach to, and the live ReferenceGrants. The
 * attachment is the Gateway API core's (attachment.ts), on a world of the live Gateways and
 * Namespaces (so a listener selecting namespaces by label is judged too).
 *
 * Nothing is said from what could not be read: the group not served, Gateways of a namespace not
 * watched or refused, GatewayClasses or ReferenceGrants refused (a namespace-scoped identity often
 * is). A Gateway the workspace writes is the workspace checks' (KR61xx): what will be applied, not
 * what runs now. A Gateway missing from both the workspace and the cluster makes one diagnostic
 * (KR6101's claim, merge.ts), as does a ReferenceGrant missing from both (KR6105's); the workspace
 * checks ask `liveRouteView` whether the cluster runs a Gateway, or holds a ReferenceGrant, that
 * they do not find written.
 */
import { attachRoute } from '../gateway/attachment.ts';
import { resolveBackendRef } from '../gateway/backends.ts';
import type {
  AnyRoute,
  Condition,
  Gateway,
  GatewayClass,
  GatewayWorld,
  ReferenceGrant,
} from '../gateway/types.ts';
import { isRecord } from './document.ts';
import type { Path } from './document.ts';
import { listWords, yamlString } from './findings.ts';
import type { Finding } from './findings.ts';
import { gatewayApiKind, writtenGatewayApiKind } from './gateway.ts';
import { backendGrantClaim, noSelectedListener, parentGatewayClaim, sentence } from './gatewayWorkspace.ts';
import { didYouMean } from './suggest.ts';
import type { WorkspaceModel, WrittenObject } from './workspace.ts';

/** A list read from the cluster, or why it could not be (never an empty list standing for unknown). */
export type LiveList<T> = readonly T[] | { readonly unreadable: string };

/** The live Gateway API as the cluster model hands it to a check. */
export type LiveGatewayApi =
  | { readonly state: 'notServed' }
  | { readonly state: 'unknown'; readonly why: string }
  | {
      readonly state: 'ready';
      /** The Gateways of one namespace (watched only where an open manifest points). */
      gateways(namespace: string): LiveList<Gateway>;
      readonly gatewayClasses: LiveList<GatewayClass>;
      readonly referenceGrants: LiveList<ReferenceGrant>;
      /** The Namespaces with their labels, for listeners that select namespaces (undefined: not read). */
      readonly namespaces: GatewayWorld['namespaces'] | undefined;
    };

export interface RouteObject {
  readonly kind: string;
  readonly apiVersion: string;
  readonly namespace: string | undefined;
  readonly value: Readonly<Record<string, unknown>>;
}

const list = <T>(value: LiveList<T>): readonly T[] | undefined => ('unreadable' in value ? undefined : value);

function conditionText(condition: Condition): string {
  return `${condition.type} ${condition.status}${condition.reason ? `, ${condition.reason}` : ''}${condition.message ? `: ${condition.message}` : ''}`;
}

/**
 * The checks. `written` names the Gateways (`namespace/name`) and the ReferenceGrants the
 * workspace writes: their parentRefs are left to the workspace checks; their grants count.
 */
export function checkRouteAgainstLiveGateways(
  object: RouteObject,
  live: LiveGatewayApi,
  context: { readonly name: string; readonly defaultNamespace: string },
  written: { readonly gateways: ReadonlySet<string>; readonly referenceGrants: readonly ReferenceGrant[] },
): Finding[] {
  const kind = gatewayApiKind(object);
  if ((kind !== 'HTTPRoute' && kind !== 'GRPCRoute') || live.state !== 'ready') {
    return [];
  }
  const namespace = object.namespace ?? context.defaultNamespace;
  const metadata = isRecord(object.value.metadata) ? object.value.metadata : {};
  const route = { kind, route: { ...object.value, metadata: { ...metadata, namespace } } } as AnyRoute;
  const where = `context ${context.name}`;
  const findings: Finding[] = [];
  const parentRefs = route.route.spec?.parentRefs ?? [];
  const classes = list(live.gatewayClasses);

  // The live Gateways of the namespaces the parentRefs name, where they could be read.
  const gatewaysOf = new Map<string, readonly Gateway[] | undefined>();
  for (const ref of parentRefs) {
    const ns = ref.namespace ?? namespace;
    if (!gatewaysOf.has(ns)) {
      gatewaysOf.set(ns, list(live.gateways(ns)));
    }
  }
  const gateways = [...gatewaysOf.values()].flatMap((g) => g ?? []);
  const attachments = attachRoute(route, { gateways, namespaces: live.namespaces ?? [] });

  for (const attachment of attachments) {
    if (attachment.kind === 'other-parent') {
      continue;
    }
    const at: Path = ['spec', 'parentRefs', attachment.parentIndex];
    const gatewayText = `${attachment.gateway.namespace}/${attachment.gateway.name}`;
    const readable = gatewaysOf.get(attachment.gateway.namespace);
    if (written.gateways.has(gatewayText) || readable === undefined) {
      continue;
    }
    if (attachment.kind === 'gateway-not-found') {
      const there = readable.map((g) => g.metadata.name ?? '');
      const suggestion = didYouMean(attachment.gateway.name, there);
      const evidence = `none is in ${where} (Gateways in namespace ${attachment.gateway.namespace}: ${there.length > 0 ? listWords([...there].sort(), 5) : 'none'}${suggestion === undefined ? '' : `; did you mean "${suggestion}"?`})`;
      findings.push({
        code: 'KR6204',
        message: `No Gateway ${gatewayText} in ${where} (Gateways in namespace ${attachment.gateway.namespace}: ${there.length > 0 ? listWords([...there].sort(), 5) : 'none'})${suggestion === undefined ? '' : `. Did you mean "${suggestion}"?`} No Gateway serves this route through this parentRef.`,
        at: { path: [...at, 'name'] },
        ...(suggestion === undefined
          ? {}
          : {
              fixes: [
                {
                  kind: 'replace-value' as const,
                  title: `Change to ${suggestion}`,
                  path: [...at, 'name'],
                  text: yamlString(suggestion),
                  preferred: true,
                },
              ],
            }),
        claim: parentGatewayClaim(at, gatewayText, evidence),
      });
      continue;
    }
    const gateway = readable.find((g) => g.metadata.name === attachment.gateway.name)!;
    const className = gateway.spec?.gatewayClassName;
    const gatewayClass = classes?.find((c) => c.metadata.name === className);
    if (classes !== undefined && gatewayClass === undefined) {
      findings.push({
        code: 'KR6209',
        message: `Live Gateway ${gatewayText} is of GatewayClass ${className ?? '(none)'}, which does not exist in ${where}: no controller serves this Gateway, so nothing routes through this parentRef.`,
        at: { path: [...at, 'name'] },
      });
      continue;
    }
    const classAccepted = (gatewayClass?.status?.conditions ?? []).find((c) => c.type === 'Accepted');
    if (gatewayClass !== undefined && classAccepted?.status !== 'True') {
      findings.push({
        code: 'KR6209',
        message: `GatewayClass ${className ?? ''} of live Gateway ${gatewayText} ${classAccepted === undefined ? `has not been accepted by a controller (no controller named ${gatewayClass.spec?.controllerName ?? '(none)'} has written its status)` : `was not accepted by its controller (${conditionText(classAccepted)})`}: nothing routes through this parentRef until one does.`,
        at: { path: [...at, 'name'] },
      });
      continue;
    }
    const selected = attachment.listeners.filter((l) => l.state !== 'not-selected');
    const ref = attachment.parentRef;
    if (selected.length === 0) {
      const { field, text } = noSelectedListener(attachment);
      const names = attachment.listeners.map((l) => l.listener);
      const suggestion = ref.sectionName === undefined ? undefined : didYouMean(ref.sectionName, names);
      findings.push({
        code: 'KR6205',
        message: `Live Gateway ${gatewayText} ${text}`,
        at: { path: [...at, field] },
        ...(suggestion === undefined
          ? {}
          : {
              fixes: [
                {
                  kind: 'replace-value' as const,
                  title: `Change to ${suggestion}`,
                  path: [...at, 'sectionName'],
                  text: yamlString(suggestion),
                  preferred: true,
                },
              ],
            }),
      });
      continue;
    }
    const attached = selected.filter((l) => l.state === 'attached');
    if (attached.length === 0) {
      if (selected.every((l) => l.state === 'hostname-mismatch')) {
        findings.push({
          code: 'KR6206',
          message: `${sentence(selected.map((l) => l.message).join('; '))}: no hostname of the route intersects a listener of live Gateway ${gatewayText} (Accepted False, NoMatchingListenerHostname).`,
          at: {
            path: Array.isArray((object.value.spec as Record<string, unknown> | undefined)?.hostnames)
              ? ['spec', 'hostnames']
              : at,
          },
        });
      } else {
        const refused = selected.filter(
          (l) => l.state === 'kind-not-allowed' || l.state === 'namespace-not-allowed',
        );
        findings.push({
          code: 'KR6207',
          message: `${sentence(refused.map((l) => l.message).join('; '))} (live Gateway ${gatewayText}; Accepted False, NotAllowedByListeners).`,
          at: { path: at },
        });
      }
      continue;
    }
    // Attached by KubeReach's computation: what the controller wrote on those listeners and the Gateway.
    const troubles: string[] = [];
    const programmed = (gateway.status?.conditions ?? []).find((c) => c.type === 'Programmed');
    if (programmed?.status === 'False') {
      troubles.push(`the Gateway is not programmed (${conditionText(programmed)})`);
    }
    for (const listener of attached) {
      const status = gateway.status?.listeners?.find((l) => l.name === listener.listener);
      const bad = (status?.conditions ?? []).filter(
        (c) =>
          ((c.type === 'Accepted' || c.type === 'Programmed' || c.type === 'ResolvedRefs') &&
            c.status === 'False') ||
          (c.type === 'Conflicted' && c.status === 'True'),
      );
      if (bad.length > 0) {
        troubles.push(`listener ${listener.listener}: ${bad.map(conditionText).join('; ')}`);
      }
    }
    if (troubles.length > 0) {
      findings.push({
        code: 'KR6208',
        message: `The route would attach to live Gateway ${gatewayText} (${listWords(
          attached.map((l) => l.listener),
          5,
        )}), but its controller reports ${troubles.join('; ')}.`,
        at: { path: at },
      });
    }
  }

  // Cross-namespace backendRefs against the live ReferenceGrants (and those the workspace writes).
  const grants = list(live.referenceGrants);
  if (grants !== undefined) {
    const rules: unknown[] = Array.isArray((route.route.spec as { rules?: unknown } | undefined)?.rules)
      ? (route.route.spec!.rules as unknown[])
      : [];
    rules.forEach((rule, ruleIndex) => {
      const refs: unknown[] = isRecord(rule) && Array.isArray(rule.backendRefs) ? rule.backendRefs : [];
      refs.forEach((ref, refIndex) => {
        if (
          !isRecord(ref) ||
          typeof ref.name !== 'string' ||
          typeof ref.namespace !== 'string' ||
          ref.namespace === namespace
        ) {
          return;
        }
        const resolution = resolveBackendRef(ref as never, route, {
          services: [],
          referenceGrants: [...grants, ...written.referenceGrants],
        });
        if (resolution.state !== 'invalid' || resolution.reason !== 'RefNotPermitted') {
          return;
        }
        const at: Path = ['spec', 'rules', ruleIndex, 'backendRefs', refIndex];
        findings.push({
          code: 'KR6210',
          message: `${sentence(resolution.message)} in ${where}: the reference is refused (ResolvedRefs False, RefNotPermitted) and its requests get 500.`,
          at: { path: [...at, 'namespace'] },
          // Also missing from the workspace: KR6105 makes the same claim, said once (merge.ts).
          claim: backendGrantClaim(
            at,
            { kind, routeNamespace: namespace, target: ref.namespace, name: ref.name },
            `none is in ${where}`,
          ),
        });
      });
    });
  }
  return findings;
}

/** Whether the live cluster runs a Gateway, as the workspace check of parentRefs (KR6101) asks. */
export type LiveGatewayPresence =
  | { readonly state: 'exists' }
  /** Its namespace's Gateways were read and it is not among them: KR6204 says so, with the same claim. */
  | { readonly state: 'missing' }
  | { readonly state: 'notServed'; readonly where: string }
  | { readonly state: 'unknown'; readonly where: string; readonly why: string };

/** The live ReferenceGrants as the workspace check of cross-namespace backendRefs (KR6105) asks. */
export type LiveReferenceGrants =
  | { readonly state: 'read'; readonly grants: readonly ReferenceGrant[] }
  | { readonly state: 'notServed'; readonly where: string }
  | { readonly state: 'unknown'; readonly where: string; readonly why: string };

/** What the workspace checks of a route ask of the live cluster, so that the two say one thing. */
export interface LiveRouteView {
  gateway(namespace: string, name: string): LiveGatewayPresence;
  readonly referenceGrants: LiveReferenceGrants;
}

export function liveRouteView(live: LiveGatewayApi, contextName: string): LiveRouteView {
  const where = `context ${contextName}`;
  return {
    gateway: liveGatewayPresence(live, contextName),
    referenceGrants:
      live.state === 'notServed'
        ? { state: 'notServed', where }
        : live.state === 'unknown'
          ? { state: 'unknown', where, why: live.why }
          : 'unreadable' in live.referenceGrants
            ? { state: 'unknown', where, why: live.referenceGrants.unreadable }
            : { state: 'read', grants: live.referenceGrants },
  };
}

export function liveGatewayPresence(
  live: LiveGatewayApi,
  contextName: string,
): (namespace: string, name: string) => LiveGatewayPresence {
  const where = `context ${contextName}`;
  return (namespace, name) => {
    if (live.state === 'notServed') {
      return { state: 'notServed', where };
    }
    if (live.state === 'unknown') {
      return { state: 'unknown', where, why: live.why };
    }
    const gateways = live.gateways(namespace);
    if ('unreadable' in gateways) {
      return { state: 'unknown', where, why: gateways.unreadable };
    }
    return gateways.some((gateway) => gateway.metadata.name === name)
      ? { state: 'exists' }
      : { state: 'missing' };
  };
}

/** The Gateways (`namespace/name`) and ReferenceGrants the workspace writes, for the checks above. */
export function writtenGatewayApi(workspace: WorkspaceModel | undefined): {
  gateways: ReadonlySet<string>;
  referenceGrants: readonly ReferenceGrant[];
} {
  const written = workspace?.gatewayApiObjects?.() ?? [];
  const namespaced = (object: WrittenObject) => object.namespace ?? 'default';
  return {
    gateways: new Set(
      written
        .filter((object) => writtenGatewayApiKind(object) === 'Gateway')
        .map((object) => `${namespaced(object)}/${object.name}`),
    ),
    referenceGrants: written
      .filter((object) => writtenGatewayApiKind(object) === 'ReferenceGrant')
      .map((object) => {
        const metadata = isRecord(object.value.metadata) ? object.value.metadata : {};
        return {
          ...object.value,
          metadata: { ...metadata, namespace: namespaced(object) },
        } as ReferenceGrant;
      }),
  };
}
