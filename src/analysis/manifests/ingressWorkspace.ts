/**
 * Workspace-aware checks of an Ingress (KR51xx): its backends against the Services written in the
 * workspace, and its hosts and paths against the other Ingresses there. The scope is that of the
 * Service checks (scope.ts: the same namespace, or applied together).
 *
 * Absence is only reported when it means something: once the workspace has been read, when some
 * Service is written in scope (an Ingress whose Services come from a chart or another repository
 * stays quiet), and when no Service document in scope could not be read (a template could be the
 * missing Service).
 */
import { isRecord } from './document.ts';
import type { Path } from './document.ts';
import { listWords, yamlString } from './findings.ts';
import type { Finding, FixSpec } from './findings.ts';
import { pathClaims, serviceBackends, writtenIngressClass } from './ingress.ts';
import type { PathClaim, ServiceBackendRef } from './ingress.ts';
import { didYouMean } from './suggest.ts';
import type { WorkspaceModel, WrittenObject } from './workspace.ts';

/** A Service port as an Ingress backend may name it. */
export interface BackendPortCandidate {
  readonly name: string | undefined;
  readonly port: number;
  readonly targetPort: number | string | undefined;
  readonly protocol: string;
}

/** The ports of a Service (from a manifest or the live object), read defensively. */
export function backendPortCandidates(value: unknown): BackendPortCandidate[] {
  const spec = isRecord(value) && isRecord(value.spec) ? value.spec : {};
  if (!Array.isArray(spec.ports)) {
    return [];
  }
  return spec.ports.flatMap((port: unknown) =>
    isRecord(port) && typeof port.port === 'number'
      ? [
          {
            name: typeof port.name === 'string' && port.name !== '' ? port.name : undefined,
            port: port.port,
            targetPort:
              typeof port.targetPort === 'number' || typeof port.targetPort === 'string'
                ? port.targetPort
                : undefined,
            protocol: typeof port.protocol === 'string' ? port.protocol : 'TCP',
          },
        ]
      : [],
  );
}

export function describeBackendPort(port: ServiceBackendRef['port']): string {
  return port === undefined ? '?' : 'name' in port ? `"${port.name}"` : String(port.number);
}

export function describeCandidate(candidate: BackendPortCandidate): string {
  return candidate.name === undefined ? String(candidate.port) : `${candidate.port} (${candidate.name})`;
}

/** Whether a Service port answers to the backend's port (by name, or by number), over TCP. */
export function portMatches(
  ref: NonNullable<ServiceBackendRef['port']>,
  candidate: BackendPortCandidate,
): boolean {
  if (candidate.protocol !== 'TCP') {
    return false;
  }
  return 'name' in ref ? candidate.name === ref.name : candidate.port === ref.number;
}

/**
 * What is wrong with the backend's port against these ports, with fixes: undefined when one of
 * them is the port. `where` names the Service for the message (`Service web in the workspace`).
 */
export function backendPortProblem(
  ref: ServiceBackendRef,
  candidates: readonly BackendPortCandidate[],
  where: string,
): { message: string; fixes: FixSpec[] } | undefined {
  const port = ref.port;
  if (port === undefined || candidates.some((candidate) => portMatches(port, candidate))) {
    return undefined;
  }
  const tcp = candidates.filter((candidate) => candidate.protocol === 'TCP');
  const portPath: Path = [...ref.path, 'service', 'port'];
  let hint = '';
  if ('number' in port) {
    const target = tcp.find((candidate) => candidate.targetPort === port.number);
    if (target !== undefined) {
      hint = ` ${port.number} is the targetPort of Service port ${describeCandidate(target)}: an Ingress names the Service's port, not the container's.`;
    }
  }
  const fixes: FixSpec[] =
    'number' in port
      ? tcp.map((candidate) => ({
          kind: 'replace-value',
          title: `Use Service port ${describeCandidate(candidate)}`,
          path: [...portPath, 'number'],
          text: String(candidate.port),
          ...(tcp.length === 1 ? { preferred: true } : {}),
        }))
      : tcp.flatMap((candidate) =>
          candidate.name === undefined
            ? []
            : [
                {
                  kind: 'replace-value',
                  title: `Use Service port ${describeCandidate(candidate)}`,
                  path: [...portPath, 'name'],
                  text: yamlString(candidate.name),
                  ...(tcp.length === 1 ? { preferred: true } : {}),
                } satisfies FixSpec,
              ],
        );
  const ports = tcp.length === 0 ? 'no TCP port' : `ports ${listWords(tcp.map(describeCandidate), 5)}`;
  return {
    message: `${where} has no port ${'name' in port ? 'named ' : ''}${describeBackendPort(port)} (it has ${ports}), so the controller has nowhere to send these requests.${hint}`,
    fixes: fixes.slice(0, 6),
  };
}

function backendAt(ref: ServiceBackendRef): Path {
  return [...ref.path, 'service', 'name'];
}

function portAt(ref: ServiceBackendRef): Path {
  const port = ref.port;
  return [...ref.path, 'service', 'port', port !== undefined && 'name' in port ? 'name' : 'number'];
}

export function checkIngressBackendsInWorkspace(
  value: Readonly<Record<string, unknown>>,
  namespace: string | undefined,
  workspace: WorkspaceModel,
): Finding[] {
  if (!workspace.complete || workspace.services === undefined) {
    return [];
  }
  const services = workspace.services(namespace);
  if (services.length === 0 || (workspace.unreadableServices?.(namespace).length ?? 0) > 0) {
    return [];
  }
  const byName = new Map<string, WrittenObject[]>();
  for (const service of services) {
    byName.set(service.name, [...(byName.get(service.name) ?? []), service]);
  }
  const where =
    namespace === undefined
      ? "this Ingress's folder or kustomization"
      : `namespace ${namespace} in the workspace`;
  const findings: Finding[] = [];
  for (const ref of serviceBackends(value)) {
    const written = byName.get(ref.service);
    if (written === undefined) {
      const suggestion = didYouMean(ref.service, byName.keys());
      findings.push({
        code: 'KR5101',
        message: `No Service "${ref.service}" is written in ${where} (there: ${listWords([...byName.keys()].sort(), 5)})${suggestion === undefined ? '' : `. Did you mean "${suggestion}"?`} Unless it comes from elsewhere, the controller answers 503 here.`,
        at: { path: backendAt(ref) },
        ...(suggestion === undefined
          ? {}
          : {
              fixes: [
                {
                  kind: 'replace-value',
                  title: `Change to ${suggestion}`,
                  path: backendAt(ref),
                  text: yamlString(suggestion),
                  preferred: true,
                } satisfies FixSpec,
              ],
            }),
        claim: {
          key: `backend-service:${ref.path.join('.')}`,
          what: `No Service "${ref.service}"`,
          evidence: `none is written in ${where}`,
          consequence: 'The controller answers 503 for these requests.',
        },
      });
      continue;
    }
    // An ExternalName Service forwards to a name, on whatever port the backend says.
    if (
      written.some((service) => isRecord(service.value.spec) && service.value.spec.type === 'ExternalName')
    ) {
      continue;
    }
    // The same Service written twice (overlays): the port is fine if any version has it.
    const problems = written.map((service) =>
      backendPortProblem(
        ref,
        backendPortCandidates(service.value),
        `Service ${ref.service} in the workspace`,
      ),
    );
    const problem = problems.every((candidate) => candidate !== undefined) ? problems[0] : undefined;
    if (problem !== undefined) {
      findings.push({
        code: 'KR5102',
        message: problem.message,
        at: { path: portAt(ref) },
        fixes: problem.fixes,
        claim: {
          key: `backend-port:${ref.path.join('.')}`,
          what: `Service ${ref.service} has no port ${describeBackendPort(ref.port)}`,
          evidence: 'not as written in the workspace',
          consequence: 'The controller has nowhere to send these requests.',
        },
      });
    }
  }
  return findings;
}

function sameClaim(a: PathClaim, b: PathClaim): boolean {
  return a.host === b.host && a.path === b.path && a.pathType === b.pathType;
}

function describeClaim(claim: PathClaim): string {
  return `${claim.host ?? '(every host)'}${claim.path === '' ? '' : ` ${claim.path}`} (${claim.pathType})`;
}

/**
 * The same host, path and pathType claimed twice: by another Ingress of the same class in scope,
 * or twice in this one. Controllers pick one (ingress-nginx: the oldest Ingress), so the other
 * backend never gets these requests. Ingresses naming different classes, or one naming none
 * (the cluster's default class is not known here), are not compared.
 */
export function checkIngressClaimsInWorkspace(
  value: Readonly<Record<string, unknown>>,
  name: string | undefined,
  namespace: string | undefined,
  workspace: WorkspaceModel,
): Finding[] {
  const claims = pathClaims(value);
  const findings: Finding[] = [];
  claims.forEach((claim, index) => {
    const earlier = claims.slice(0, index).findIndex((other) => sameClaim(claim, other));
    if (earlier >= 0) {
      findings.push({
        code: 'KR5103',
        message: `${describeClaim(claim)} is already claimed by rule ${Number(claims[earlier]!.at[2]) + 1}, path ${Number(claims[earlier]!.at[5]) + 1} of this Ingress: only one of them gets these requests.`,
        at: { path: [...claim.at, 'path'] },
      });
    }
  });
  if (!workspace.complete || workspace.ingresses === undefined || name === undefined) {
    return findings;
  }
  const className = writtenIngressClass(value);
  const others = workspace
    .ingresses(namespace)
    .filter(
      (other) =>
        other.name !== name &&
        (namespace === undefined || other.namespace === undefined || other.namespace === namespace) &&
        (className === undefined
          ? writtenIngressClass(other.value) === undefined
          : writtenIngressClass(other.value) === className),
    );
  if (others.length === 0) {
    return findings;
  }
  const reported = new Set(findings.map((finding) => finding.at.path.join('.')));
  for (const claim of claims) {
    if (reported.has([...claim.at, 'path'].join('.'))) {
      continue;
    }
    const rivals = others.filter((other) =>
      pathClaims(other.value).some((theirs) => sameClaim(claim, theirs)),
    );
    if (rivals.length === 0) {
      continue;
    }
    const names = rivals.map(
      (rival) =>
        `Ingress ${rival.name}${rival.source ? ` (${rival.source.label}:${rival.source.line + 1})` : ''}`,
    );
    findings.push({
      code: 'KR5103',
      message: `${describeClaim(claim)} is also claimed by ${listWords(names)}${className === undefined ? '' : ` of class ${className}`} in the workspace: the controller sends these requests to one backend only (ingress-nginx: the oldest Ingress's).`,
      at: { path: [...claim.at, 'path'] },
      claim: {
        key: `claimed:${claim.at.join('.')}`,
        what: `${describeClaim(claim)} is claimed twice`,
        evidence: `${listWords(names)}${className === undefined ? '' : ` of class ${className}`} claims it in the workspace`,
        consequence:
          'The controller sends these requests to one backend only (ingress-nginx: the oldest Ingress’s).',
      },
    });
  }
  return findings;
}
