/**
 * Cluster-aware checks of an Ingress's class (KR5204–KR5206), against the cluster's IngressClasses
 * and the live Ingresses of the namespaces the server watches. The class an Ingress belongs to is
 * decided by src/analysis/ingress.ts's `ingressClassOf` (the rule the sandbox's controller and the
 * diagnosis follow): `spec.ingressClassName`, else the deprecated annotation, else the one default
 * IngressClass.
 *
 * Nothing is said from what could not be read: IngressClasses not listed (yet, 403, 404) make no
 * class finding; Ingresses of unreadable namespaces are not compared. Live Ingresses are only
 * those of the watched namespaces, and the messages say so.
 */
import { ingressClassOf, isDefaultIngressClass } from '../ingress.ts';
import type { Ingress, IngressClass } from '../ingress.ts';
import { isRecord } from './document.ts';
import type { ClusterModel } from './cluster.ts';
import { serviceNamespace } from './cluster.ts';
import { listWords, yamlString } from './findings.ts';
import type { Finding, FixSpec } from './findings.ts';
import { CLASS_ANNOTATION, pathClaims } from './ingress.ts';
import type { PathClaim } from './ingress.ts';
import { didYouMean } from './suggest.ts';

/** The manifest as the routing code's Ingress (only the parts `ingressClassOf` reads). */
function asIngress(value: Readonly<Record<string, unknown>>): Ingress {
  const metadata = isRecord(value.metadata) ? value.metadata : {};
  const spec = isRecord(value.spec) ? value.spec : {};
  const annotations = isRecord(metadata.annotations) ? metadata.annotations : {};
  return {
    metadata: {
      annotations: Object.fromEntries(
        Object.entries(annotations).filter(
          (entry): entry is [string, string] => typeof entry[1] === 'string',
        ),
      ),
    },
    spec: typeof spec.ingressClassName === 'string' ? { ingressClassName: spec.ingressClassName } : {},
  };
}

function readableClasses(cluster: ClusterModel): readonly IngressClass[] | undefined {
  const classes = cluster.ingressClasses?.();
  return classes === undefined || 'unreadable' in classes ? undefined : classes;
}

function setClassFix(name: string, preferred: boolean, spec: unknown): FixSpec {
  const title = `Set ingressClassName to ${name}`;
  return isRecord(spec) && spec.ingressClassName !== undefined
    ? {
        kind: 'replace-value',
        title,
        path: ['spec', 'ingressClassName'],
        text: yamlString(name),
        preferred,
      }
    : {
        kind: 'insert-pair',
        title,
        mapPath: ['spec'],
        key: 'ingressClassName',
        value: yamlString(name),
        first: true,
        preferred,
      };
}

export function checkIngressClassInCluster(
  value: Readonly<Record<string, unknown>>,
  cluster: ClusterModel,
): Finding[] {
  const classes = readableClasses(cluster);
  if (classes === undefined) {
    return [];
  }
  const spec = isRecord(value.spec) ? value.spec : undefined;
  if (spec === undefined) {
    return [];
  }
  const names = classes.map((ingressClass) => ingressClass.metadata.name ?? '').filter((name) => name !== '');
  const defaults = classes
    .filter(isDefaultIngressClass)
    .map((ingressClass) => ingressClass.metadata.name ?? '');
  const assignment = ingressClassOf(asIngress(value), classes);
  const where = `context ${cluster.context}`;
  if (assignment.source === 'field' && !names.includes(assignment.className)) {
    const suggestion = didYouMean(assignment.className, names);
    const fixes: FixSpec[] = [];
    if (suggestion !== undefined) {
      fixes.push(setClassFix(suggestion, true, spec));
    }
    for (const name of defaults) {
      if (name !== suggestion) {
        fixes.push(setClassFix(name, fixes.length === 0, spec));
      }
    }
    return [
      {
        code: 'KR5204',
        message: `No IngressClass "${assignment.className}" in ${where} (${names.length === 0 ? 'it has none' : `there: ${listWords(names, 5)}`}${defaults.length === 1 ? `; the default is ${defaults[0]}` : ''})${suggestion === undefined ? '' : `. Did you mean "${suggestion}"?`} No controller takes this Ingress.`,
        at: { path: ['spec', 'ingressClassName'] },
        fixes,
      },
    ];
  }
  if (assignment.source === 'none') {
    return [
      {
        code: 'KR5205',
        message: `This Ingress names no class, and ${names.length === 0 ? `${where} has no IngressClass at all` : `no IngressClass of ${where} is marked default (ingressclass.kubernetes.io/is-default-class: "true"); there: ${listWords(names, 5)}`}. Only a controller that also takes class-less Ingresses (ingress-nginx: --watch-ingress-without-class) serves it.`,
        at: { path: ['spec'], part: 'key' },
        fixes: names.slice(0, 5).map((name) => setClassFix(name, names.length === 1, spec)),
      },
    ];
  }
  return [];
}

function sameClaim(a: PathClaim, b: PathClaim): boolean {
  return a.host === b.host && a.path === b.path && a.pathType === b.pathType;
}

function describeClaim(claim: PathClaim): string {
  return `${claim.host ?? '(every host)'}${claim.path === '' ? '' : ` ${claim.path}`} (${claim.pathType})`;
}

/**
 * The same host, path and pathType claimed by a live Ingress of the same class in the watched
 * namespaces (not this Ingress as applied: the same namespace and name).
 */
export function checkIngressClaimsInCluster(
  value: Readonly<Record<string, unknown>>,
  manifestNamespace: string | undefined,
  name: string | undefined,
  cluster: ClusterModel,
): Finding[] {
  const claims = pathClaims(value);
  if (claims.length === 0) {
    // Before asking for the watched namespaces (see checkNodePortsInCluster).
    return [];
  }
  const watched = cluster.watchedNamespaces?.() ?? [];
  if (watched.length === 0) {
    return [];
  }
  const classes = readableClasses(cluster) ?? [];
  const mine = ingressClassOf(asIngress(value), classes);
  if (!('className' in mine)) {
    return [];
  }
  const namespace = serviceNamespace(manifestNamespace, cluster);
  const live: { id: string; claims: PathClaim[] }[] = [];
  const read: string[] = [];
  for (const watchedNamespace of watched) {
    const ingresses = cluster.namespace(watchedNamespace)?.ingresses;
    if (ingresses === undefined || 'unreadable' in ingresses) {
      continue;
    }
    read.push(watchedNamespace);
    for (const ingress of ingresses) {
      if (watchedNamespace === namespace && ingress.metadata.name === name) {
        continue;
      }
      const theirs = ingressClassOf(ingress, classes);
      if (!('className' in theirs) || theirs.className !== mine.className) {
        continue;
      }
      live.push({
        id: `${watchedNamespace}/${ingress.metadata.name ?? '?'}`,
        claims: pathClaims(ingress as unknown as Readonly<Record<string, unknown>>),
      });
    }
  }
  const findings: Finding[] = [];
  for (const claim of claims) {
    const rivals = live
      .filter((other) => other.claims.some((theirs) => sameClaim(claim, theirs)))
      .map((other) => other.id);
    if (rivals.length === 0) {
      continue;
    }
    findings.push({
      code: 'KR5206',
      message: `${describeClaim(claim)} is already claimed by live Ingress ${listWords(rivals)} of class ${mine.className} in ${`context ${cluster.context}`} (found in the namespaces KubeReach watches: ${listWords(read, 5)}): the controller sends these requests to one backend only (ingress-nginx: the oldest Ingress's).`,
      at: { path: [...claim.at, 'path'] },
      claim: {
        key: `claimed:${claim.at.join('.')}`,
        what: `${describeClaim(claim)} is claimed twice`,
        evidence: `live Ingress ${listWords(rivals)} of class ${mine.className} claims it in context ${cluster.context}`,
        consequence:
          'The controller sends these requests to one backend only (ingress-nginx: the oldest Ingress’s).',
      },
    });
  }
  return findings;
}

/** For hovers: the class that serves an Ingress as the cluster decides it, and its controller. */
export function liveClassOf(
  value: Readonly<Record<string, unknown>>,
  cluster: ClusterModel,
): { readonly text: string } | undefined {
  const classes = cluster.ingressClasses?.();
  if (classes === undefined) {
    return undefined;
  }
  if ('unreadable' in classes) {
    return { text: `IngressClasses unknown: ${classes.unreadable}` };
  }
  const assignment = ingressClassOf(asIngress(value), classes);
  switch (assignment.source) {
    case 'none':
      return { text: 'no class named and no default IngressClass: no controller is known to take it' };
    case 'ambiguous-default':
      return {
        text: `no class named, and several IngressClasses are marked default (${assignment.classNames.join(', ')})`,
      };
    default: {
      const ingressClass = classes.find((candidate) => candidate.metadata.name === assignment.className);
      const how =
        assignment.source === 'default'
          ? 'the default IngressClass'
          : assignment.source === 'annotation'
            ? `by the ${CLASS_ANNOTATION} annotation`
            : 'by spec.ingressClassName';
      return {
        text:
          ingressClass === undefined
            ? `class ${assignment.className} (${how}), which is not an IngressClass of the cluster`
            : `IngressClass ${assignment.className} (${how}), controller ${ingressClass.spec?.controller ?? 'not set'}`,
      };
    }
  }
}
