/**
 * Cluster-aware checks of HTTPRoute and GRPCRoute backends (KR62xx): each Service backendRef
 * against the live Services and EndpointSlices of its namespace (the backendRef's, else the
 * route's `metadata.namespace`, else the context's). Nothing is said from what could not be read: a
 * namespace not synced (a backend in a namespace no open document names is not watched), Services
 * or EndpointSlices the identity may not list. The Gateways and listeners themselves are not read
 * from the cluster here (the cluster cache does not watch Gateway API kinds).
 */
import type { Path } from './document.ts';
import { isRecord } from './document.ts';
import type { ClusterModel } from './cluster.ts';
import { endpointsForPort } from './cluster.ts';
import { listWords, plural, yamlString } from './findings.ts';
import type { Finding } from './findings.ts';
import { isGatewayRoute } from './gateway.ts';
import { liveBackend } from './ingressCluster.ts';
import { backendPortCandidates, describeCandidate } from './ingressWorkspace.ts';
import { didYouMean } from './suggest.ts';

export function checkRouteBackendsInCluster(
  object: {
    readonly kind: string;
    readonly apiVersion: string;
    readonly namespace: string | undefined;
    readonly value: Readonly<Record<string, unknown>>;
  },
  cluster: ClusterModel,
): Finding[] {
  if (!isGatewayRoute(object)) {
    return [];
  }
  const spec = isRecord(object.value.spec) ? object.value.spec : {};
  const rules: unknown[] = Array.isArray(spec.rules) ? spec.rules : [];
  const findings: Finding[] = [];
  rules.forEach((rule, ruleIndex) => {
    const refs: unknown[] = isRecord(rule) && Array.isArray(rule.backendRefs) ? rule.backendRefs : [];
    refs.forEach((ref, refIndex) => {
      if (
        !isRecord(ref) ||
        typeof ref.name !== 'string' ||
        (ref.kind ?? 'Service') !== 'Service' ||
        (ref.group ?? '') !== '' ||
        typeof ref.port !== 'number'
      ) {
        return;
      }
      const at: Path = ['spec', 'rules', ruleIndex, 'backendRefs', refIndex];
      const backend = liveBackend(
        { path: at, service: ref.name, port: { number: ref.port } },
        typeof ref.namespace === 'string' ? ref.namespace : object.namespace,
        cluster,
      );
      if (backend.kind === 'unknown') {
        return;
      }
      const where = `namespace ${backend.namespace} of context ${cluster.context}`;
      if (backend.kind === 'missing') {
        const suggestion = didYouMean(ref.name, backend.names);
        findings.push({
          code: 'KR6201',
          message: `No Service "${ref.name}" in ${where}${suggestion === undefined ? '' : ` (did you mean "${suggestion}"?)`}: its share of the requests gets 500 (ResolvedRefs False, BackendNotFound).`,
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
            evidence: `none in ${where}`,
            consequence: 'Its share of the requests gets 500 (ResolvedRefs False, BackendNotFound).',
          },
        });
        return;
      }
      if (backend.service.spec?.type === 'ExternalName') {
        return;
      }
      const candidates = backendPortCandidates(backend.service);
      const candidate = candidates.find((entry) => entry.port === ref.port);
      if (candidate === undefined) {
        const target = candidates.find((entry) => entry.targetPort === ref.port);
        findings.push({
          code: 'KR6202',
          message: `Live Service ${ref.name} in ${where} has no port ${ref.port} (it has ${candidates.length === 0 ? 'no ports' : `ports ${listWords(candidates.map(describeCandidate), 5)}`}): its share of the requests gets 500.${target === undefined ? '' : ` ${ref.port} is the targetPort of Service port ${describeCandidate(target)}: a backendRef names the Service's port, not the container's.`}`,
          at: { path: [...at, 'port'] },
          fixes: candidates.slice(0, 6).map((entry) => ({
            kind: 'replace-value' as const,
            title: `Use Service port ${describeCandidate(entry)}`,
            path: [...at, 'port'],
            text: String(entry.port),
            ...(candidates.length === 1 ? { preferred: true } : {}),
          })),
        });
        return;
      }
      const slices = cluster.namespace(backend.namespace)?.endpointSlices(ref.name);
      if (slices === undefined || 'unreadable' in slices) {
        return;
      }
      const endpoints = endpointsForPort(slices, candidate);
      if (endpoints.some((endpoint) => endpoint.ready)) {
        return;
      }
      findings.push({
        code: 'KR6203',
        message:
          endpoints.length === 0
            ? `Service ${ref.name} in ${where} has no endpoint for port ${ref.port}: the Gateway has nowhere to send its share of the requests (503 or 500, depending on the implementation).`
            : `Service ${ref.name} in ${where} has ${plural(endpoints.length, 'endpoint')} for port ${ref.port} and none is ready: the Gateway has nowhere to send its share of the requests.`,
        at: { path: [...at, 'name'] },
      });
    });
  });
  return findings;
}
