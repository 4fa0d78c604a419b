/**
 * Cluster-aware checks of an Ingress (KR52xx): each Service backend against the live Services and
 * EndpointSlices of the Ingress's namespace (`metadata.namespace`, else the context's namespace).
 * Nothing is said from what could not be read: a namespace not synced, Services or EndpointSlices
 * the identity may not list.
 */
import type { Service } from '../k8s.ts';
import type { ClusterModel } from './cluster.ts';
import { endpointsForPort, serviceNamespace } from './cluster.ts';
import { listWords, plural, yamlString } from './findings.ts';
import type { Finding, FixSpec } from './findings.ts';
import { serviceBackends } from './ingress.ts';
import type { ServiceBackendRef } from './ingress.ts';
import {
  backendPortCandidates,
  backendPortProblem,
  describeBackendPort,
  portMatches,
} from './ingressWorkspace.ts';
import { didYouMean } from './suggest.ts';

/** The live Service a backend names, or why it is not known; undefined when nothing can be said. */
export function liveBackend(
  ref: ServiceBackendRef,
  manifestNamespace: string | undefined,
  cluster: ClusterModel,
):
  | { readonly kind: 'found'; readonly service: Service; readonly namespace: string }
  | { readonly kind: 'missing'; readonly namespace: string; readonly names: readonly string[] }
  | { readonly kind: 'unknown'; readonly namespace: string; readonly why: string } {
  const namespace = serviceNamespace(manifestNamespace, cluster);
  const live = cluster.namespace(namespace);
  if (live === undefined) {
    return { kind: 'unknown', namespace, why: cluster.whyUnknown(namespace) };
  }
  const services = live.services;
  if (services === undefined) {
    return { kind: 'unknown', namespace, why: 'Services are not read' };
  }
  if ('unreadable' in services) {
    return { kind: 'unknown', namespace, why: services.unreadable };
  }
  const service = services.find((candidate) => candidate.metadata.name === ref.service);
  return service === undefined
    ? { kind: 'missing', namespace, names: services.map((candidate) => candidate.metadata.name ?? '?') }
    : { kind: 'found', service, namespace };
}

export function checkIngressInCluster(
  value: Readonly<Record<string, unknown>>,
  manifestNamespace: string | undefined,
  cluster: ClusterModel,
): Finding[] {
  const findings: Finding[] = [];
  for (const ref of serviceBackends(value)) {
    const backend = liveBackend(ref, manifestNamespace, cluster);
    const where = `namespace ${backend.namespace} of context ${cluster.context}`;
    if (backend.kind === 'unknown') {
      continue;
    }
    const namePath = [...ref.path, 'service', 'name'];
    if (backend.kind === 'missing') {
      const suggestion = didYouMean(ref.service, backend.names);
      findings.push({
        code: 'KR5201',
        message: `No Service "${ref.service}" in ${where}${suggestion === undefined ? '' : ` (did you mean "${suggestion}"?)`}: the controller answers 503 for these requests.`,
        at: { path: namePath },
        ...(suggestion === undefined
          ? {}
          : {
              fixes: [
                {
                  kind: 'replace-value',
                  title: `Change to ${suggestion}`,
                  path: namePath,
                  text: yamlString(suggestion),
                  preferred: true,
                } satisfies FixSpec,
              ],
            }),
        claim: {
          key: `backend-service:${ref.path.join('.')}`,
          what: `No Service "${ref.service}"`,
          evidence: `none in ${where}`,
          consequence: 'The controller answers 503 for these requests.',
        },
      });
      continue;
    }
    const service = backend.service;
    if (service.spec?.type === 'ExternalName' || ref.port === undefined) {
      continue;
    }
    const candidates = backendPortCandidates(service);
    const problem = backendPortProblem(ref, candidates, `Live Service ${ref.service} in ${where}`);
    const port = ref.port;
    const portPath = [...ref.path, 'service', 'port', 'name' in port ? 'name' : 'number'];
    if (problem !== undefined) {
      findings.push({
        code: 'KR5202',
        message: problem.message,
        at: { path: portPath },
        fixes: problem.fixes,
        claim: {
          key: `backend-port:${ref.path.join('.')}`,
          what: `Service ${ref.service} has no port ${describeBackendPort(port)}`,
          evidence: `nor has the live Service in ${where}`,
          consequence: 'The controller has nowhere to send these requests.',
        },
      });
      continue;
    }
    const candidate = candidates.find((entry) => portMatches(port, entry))!;
    const slices = cluster.namespace(backend.namespace)?.endpointSlices(ref.service);
    if (slices === undefined || 'unreadable' in slices) {
      continue;
    }
    const endpoints = endpointsForPort(slices, candidate);
    if (endpoints.some((endpoint) => endpoint.ready)) {
      continue;
    }
    const pods = [...new Set(endpoints.flatMap((endpoint) => (endpoint.pod ? [endpoint.pod] : [])))];
    findings.push({
      code: 'KR5203',
      message:
        endpoints.length === 0
          ? `Service ${ref.service} in ${where} has no endpoint for port ${describeBackendPort(port)}: the controller answers 503 for these requests.`
          : `Service ${ref.service} in ${where} has ${plural(endpoints.length, 'endpoint')} for port ${describeBackendPort(port)} and none is ready${pods.length > 0 ? ` (${listWords(pods.map((pod) => `Pod ${pod}`))})` : ''}: the controller answers 503 for these requests.`,
      at: { path: namePath },
    });
  }
  return findings;
}
