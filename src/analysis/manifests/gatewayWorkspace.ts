/**
 * Workspace-aware checks of HTTPRoutes and GRPCRoutes (KR61xx): their parentRefs against the
 * Gateways written in the workspace (the Gateway, the listener a sectionName or port names, the
 * listeners' hostnames, the kinds and namespaces they allow), and their backendRefs against the
 * Services and ReferenceGrants written there. Attachment and resolution are the Gateway API core's
 * (attachment.ts, backends.ts), on a world made of what the workspace writes.
 *
 * Absence is only reported when it means something: once the workspace has been read; a missing
 * Gateway only when the workspace writes some Gateway (routes whose Gateway is managed elsewhere
 * stay quiet) and the live cluster, where it is read, does not run it either (then one diagnostic
 * with the live KR6204; where the cluster's Gateways could not be read, that is said); a missing Service only when some Service is written in the backend's namespace scope
 * and none there is unreadable; a missing ReferenceGrant only when the workspace writes something
 * in the backend's namespace. A listener that selects namespaces by label is not judged (namespace
 * labels are not read from the workspace). A manifest without namespace is read, as the core
 * does, in `default`.
 */
import { attachRoute } from '../gateway/attachment.ts';
import type { ParentAttachment } from '../gateway/attachment.ts';
import { resolveBackendRef } from '../gateway/backends.ts';
import type { AnyRoute, Gateway, ReferenceGrant } from '../gateway/types.ts';
import type { Service } from '../k8s.ts';
import { isRecord } from './document.ts';
import type { Path } from './document.ts';
import { listWords, yamlString } from './findings.ts';
import type { Claim, Finding } from './findings.ts';
import type { LiveRouteView } from './gatewayLive.ts';
import { gatewayApiKind, writtenGatewayApiKind } from './gateway.ts';
import { didYouMean } from './suggest.ts';
import type { WorkspaceModel, WrittenObject } from './workspace.ts';

const DEFAULT_NAMESPACE = 'default';

function withNamespace<T>(value: Readonly<Record<string, unknown>>, namespace: string): T {
  const metadata = isRecord(value.metadata) ? value.metadata : {};
  return {
    ...value,
    metadata: {
      ...metadata,
      namespace: typeof metadata.namespace === 'string' ? metadata.namespace : namespace,
    },
  } as T;
}

export function sentence(text: string): string {
  return `${text.charAt(0).toUpperCase()}${text.slice(1)}`;
}

/**
 * A parentRef that selects no listener of its Gateway, in words: the field to point at, what it
 * names ("listener "https" on port 443"), and the Gateway's listeners. Shared by the workspace
 * check (KR6102) and the live one (KR6205), which say the same of a written or a live Gateway.
 */
export function noSelectedListener(attachment: Extract<ParentAttachment, { kind: 'gateway' }>): {
  readonly field: string;
  readonly text: string;
} {
  const ref = attachment.parentRef;
  const listenerList = listWords(
    attachment.listeners.map((listener) => `${listener.listener} (${listener.protocol} ${listener.port})`),
    5,
  );
  const named = [
    ...(ref.sectionName === undefined ? [] : [`listener "${ref.sectionName}"`]),
    ...(ref.port === undefined ? [] : [`port ${ref.port}`]),
  ].join(' on ');
  return {
    field: ref.sectionName !== undefined ? 'sectionName' : ref.port !== undefined ? 'port' : 'name',
    text: `has no ${named || 'listener'} (its listeners: ${listenerList || 'none'}): the route is not attached through this parentRef (Accepted False, NoMatchingParent).`,
  };
}

/**
 * A parentRef's Gateway missing from one source, as a claim: the workspace's KR6101 and the live
 * KR6204 about the same parentRef make one diagnostic naming both (merge.ts).
 */
export function parentGatewayClaim(at: Path, gatewayText: string, evidence: string): Claim {
  return {
    key: `route-parent-gateway:${at.join('.')}`,
    what: `No Gateway ${gatewayText}`,
    evidence,
    consequence: 'No Gateway serves this route through this parentRef.',
  };
}

/** A cross-namespace backendRef no ReferenceGrant allows, as a claim: KR6105 and KR6210 say it once. */
export function backendGrantClaim(
  at: Path,
  ref: {
    readonly kind: string;
    readonly routeNamespace: string;
    readonly target: string;
    readonly name: string;
  },
  evidence: string,
): Claim {
  return {
    key: `route-backend-grant:${at.join('.')}`,
    what: `No ReferenceGrant in ${ref.target} allows ${ref.kind}s from ${ref.routeNamespace} to refer to Service ${ref.name}`,
    evidence,
    consequence: 'The reference is refused (ResolvedRefs False, RefNotPermitted) and its requests get 500.',
  };
}

function namespaceOf(object: WrittenObject): string {
  return object.namespace ?? DEFAULT_NAMESPACE;
}

function usesSelector(gateway: Gateway | undefined): boolean {
  return (gateway?.spec?.listeners ?? []).some(
    (listener) => listener.allowedRoutes?.namespaces?.from === 'Selector',
  );
}

export function checkRouteInWorkspace(
  object: {
    readonly kind: string;
    readonly apiVersion: string;
    readonly namespace: string | undefined;
    readonly value: Readonly<Record<string, unknown>>;
  },
  workspace: WorkspaceModel,
  /** What the live cluster holds (Gateways, ReferenceGrants); undefined when no cluster is read. */
  live?: LiveRouteView,
): Finding[] {
  const kind = gatewayApiKind(object);
  if ((kind !== 'HTTPRoute' && kind !== 'GRPCRoute') || !workspace.complete || !workspace.gatewayApiObjects) {
    return [];
  }
  const namespace = object.namespace ?? DEFAULT_NAMESPACE;
  const written = workspace.gatewayApiObjects();
  const gateways = written
    .filter((candidate) => writtenGatewayApiKind(candidate) === 'Gateway')
    .map((candidate) => withNamespace<Gateway>(candidate.value, namespaceOf(candidate)));
  const grants = written
    .filter((candidate) => writtenGatewayApiKind(candidate) === 'ReferenceGrant')
    .map((candidate) => withNamespace<ReferenceGrant>(candidate.value, namespaceOf(candidate)));
  const route = (
    kind === 'HTTPRoute'
      ? { kind, route: withNamespace(object.value, namespace) }
      : { kind, route: withNamespace(object.value, namespace) }
  ) as AnyRoute;
  const findings: Finding[] = [];

  for (const attachment of attachRoute(route, { gateways, namespaces: [] })) {
    const at: Path = ['spec', 'parentRefs', attachment.parentIndex];
    const gatewayText = `${attachment.kind === 'other-parent' ? '' : `${attachment.gateway.namespace}/${attachment.gateway.name}`}`;
    if (attachment.kind === 'gateway-not-found') {
      if (gateways.length === 0) {
        continue;
      }
      const presence = live?.gateway(attachment.gateway.namespace, attachment.gateway.name);
      if (presence?.state === 'exists') {
        continue;
      }
      const there = gateways
        .filter((gateway) => gateway.metadata.namespace === attachment.gateway.namespace)
        .map((gateway) => gateway.metadata.name ?? '');
      const suggestion = didYouMean(attachment.gateway.name, there);
      const writtenList = `Gateways there: ${listWords(gateways.map((gateway) => `${gateway.metadata.namespace}/${gateway.metadata.name}`).sort(), 5)}${suggestion === undefined ? '' : `; did you mean "${suggestion}"?`}`;
      const consequence = 'No Gateway serves this route through this parentRef.';
      findings.push({
        code: 'KR6101',
        message:
          presence?.state === 'notServed'
            ? `No Gateway ${gatewayText}: none is written in the workspace (${writtenList}), and ${presence.where} does not serve the Gateway API. ${consequence}`
            : presence?.state === 'unknown'
              ? `No Gateway ${gatewayText} is written in the workspace (${writtenList}); whether ${presence.where} has it is not known (${presence.why}). If it does not, ${consequence.charAt(0).toLowerCase()}${consequence.slice(1)}`
              : `No Gateway ${gatewayText} is written in the workspace (${writtenList}). Unless it comes from elsewhere, ${consequence.charAt(0).toLowerCase()}${consequence.slice(1)}`,
        at: { path: [...at, 'name'] },
        ...(suggestion === undefined
          ? {}
          : {
              fixes: [
                {
                  kind: 'replace-value',
                  title: `Change to ${suggestion}`,
                  path: [...at, 'name'],
                  text: yamlString(suggestion),
                  preferred: true,
                },
              ],
            }),
        // A Gateway the live cluster lacks too: KR6204 makes the same claim, said once (merge.ts).
        ...(presence?.state === 'missing'
          ? {
              claim: parentGatewayClaim(at, gatewayText, `none is written in the workspace (${writtenList})`),
            }
          : {}),
      });
      continue;
    }
    if (
      attachment.kind !== 'gateway' ||
      attachment.listeners.some((listener) => listener.state === 'attached')
    ) {
      continue;
    }
    const selected = attachment.listeners.filter((listener) => listener.state !== 'not-selected');
    if (selected.length === 0) {
      const { field, text } = noSelectedListener(attachment);
      findings.push({
        code: 'KR6102',
        message: `Gateway ${gatewayText} ${text}`,
        at: { path: [...at, field] },
      });
      continue;
    }
    if (selected.every((listener) => listener.state === 'hostname-mismatch')) {
      findings.push({
        code: 'KR6103',
        message: `${sentence(selected.map((listener) => listener.message).join('; '))}: no hostname of the route intersects a listener of Gateway ${gatewayText} (Accepted False, NoMatchingListenerHostname).`,
        at: {
          path: Array.isArray((object.value.spec as Record<string, unknown> | undefined)?.hostnames)
            ? ['spec', 'hostnames']
            : at,
        },
      });
      continue;
    }
    const gateway = gateways.find(
      (candidate) =>
        candidate.metadata.name === attachment.gateway.name &&
        candidate.metadata.namespace === attachment.gateway.namespace,
    );
    const refused = selected.filter(
      (listener) =>
        listener.state === 'kind-not-allowed' ||
        (listener.state === 'namespace-not-allowed' && !usesSelector(gateway)),
    );
    if (
      refused.length > 0 &&
      refused.length + selected.filter((listener) => listener.state === 'hostname-mismatch').length ===
        selected.length
    ) {
      findings.push({
        code: 'KR6104',
        message: `${sentence(refused.map((listener) => listener.message).join('; '))} (Accepted False, NotAllowedByListeners).`,
        at: { path: at },
      });
    }
  }

  const rules =
    isRecord(object.value.spec) && Array.isArray(object.value.spec.rules) ? object.value.spec.rules : [];
  const namespacesWritten = new Set<string>([
    ...written.map(namespaceOf),
    ...(workspace.services?.(undefined) ?? []).map(namespaceOf),
  ]);
  rules.forEach((rule: unknown, ruleIndex: number) => {
    if (!isRecord(rule) || !Array.isArray(rule.backendRefs)) {
      return;
    }
    rule.backendRefs.forEach((ref: unknown, refIndex: number) => {
      if (!isRecord(ref) || typeof ref.name !== 'string') {
        return;
      }
      const at: Path = ['spec', 'rules', ruleIndex, 'backendRefs', refIndex];
      const target = typeof ref.namespace === 'string' ? ref.namespace : namespace;
      const scopeNamespace = typeof ref.namespace === 'string' ? ref.namespace : object.namespace;
      const services = (workspace.services?.(scopeNamespace) ?? []).filter(
        (service) => namespaceOf(service) === target || service.namespace === undefined,
      );
      const resolution = resolveBackendRef(ref as never, route, {
        services: services.map((service) => withNamespace<Service>(service.value, target)),
        referenceGrants: grants,
      });
      if (resolution.state !== 'invalid') {
        return;
      }
      if (resolution.reason === 'RefNotPermitted') {
        const liveGrants = live?.referenceGrants;
        // A grant the cluster holds (with those written) allows it: nothing to say.
        const withLive =
          liveGrants?.state === 'read'
            ? resolveBackendRef(ref as never, route, {
                services: [],
                referenceGrants: [...grants, ...liveGrants.grants],
              })
            : undefined;
        const allowedLive =
          withLive !== undefined && (withLive.state !== 'invalid' || withLive.reason !== 'RefNotPermitted');
        if (namespacesWritten.has(target) && !allowedLive) {
          const refused =
            'the reference is refused (ResolvedRefs False, RefNotPermitted) and its requests get 500.';
          const written = `${sentence(resolution.message)} in the workspace`;
          findings.push({
            code: 'KR6105',
            message:
              liveGrants?.state === 'notServed'
                ? `${written}, and ${liveGrants.where} does not serve the Gateway API: ${refused}`
                : liveGrants?.state === 'unknown'
                  ? `${written}; whether ${liveGrants.where} has one is not known (${liveGrants.why}). If it does not, ${refused}`
                  : `${written}: ${refused}`,
            at: { path: [...at, 'namespace'] },
            // A grant the live cluster lacks too: KR6210 makes the same claim, said once (merge.ts).
            ...(liveGrants?.state === 'read'
              ? {
                  claim: backendGrantClaim(
                    at,
                    { kind, routeNamespace: namespace, target, name: ref.name },
                    'none is written in the workspace',
                  ),
                }
              : {}),
          });
        }
        return;
      }
      if (
        resolution.reason !== 'BackendNotFound' ||
        services.length === 0 ||
        (workspace.unreadableServices?.(scopeNamespace).length ?? 0) > 0
      ) {
        return;
      }
      const found = services.some((service) => service.name === ref.name);
      if (!found) {
        const suggestion = didYouMean(
          ref.name,
          services.map((service) => service.name),
        );
        findings.push({
          code: 'KR6106',
          message: `No Service "${ref.name}" is written in namespace ${target} in the workspace (there: ${listWords([...new Set(services.map((service) => service.name))].sort(), 5)})${suggestion === undefined ? '' : `. Did you mean "${suggestion}"?`} Unless it comes from elsewhere, its share of the requests gets 500 (ResolvedRefs False, BackendNotFound).`,
          at: { path: [...at, 'name'] },
          ...(suggestion === undefined
            ? {}
            : {
                fixes: [
                  {
                    kind: 'replace-value',
                    title: `Change to ${suggestion}`,
                    path: [...at, 'name'],
                    text: yamlString(suggestion),
                    preferred: true,
                  },
                ],
              }),
          claim: {
            key: `route-backend-service:${at.join('.')}`,
            what: `No Service "${ref.name}"`,
            evidence: `none is written in namespace ${target} in the workspace`,
            consequence: 'Its share of the requests gets 500 (ResolvedRefs False, BackendNotFound).',
          },
        });
      } else {
        findings.push({
          code: 'KR6107',
          message: `${resolution.message.replace(/^backendRef /, 'BackendRef ')} in the workspace: a backendRef names the Service's port, not the container's; its share of the requests gets 500.`,
          at: { path: [...at, 'port'] },
        });
      }
    });
  });
  return findings;
}
