/**
 * The validation pass over one parsed file: static checks of each Service and NetworkPolicy
 * (memoised per document, since they depend on its text alone), then the workspace-aware and
 * cluster-aware checks (recomputed each time: the workspace and the cluster move on their own).
 * Findings become diagnostics with file ranges and quick fixes with text edits.
 */
import { codeInfo } from './codes.ts';
import type { DiagnosticCode, Severity } from './codes.ts';
import { firstLineSpan, MAX_NESTING, placeSpan, spanOf } from './document.ts';
import type { Chunk, ManifestFile, ManifestObject, PlacedChunk, Range, Span } from './document.ts';
import { resolveFix } from './fixes.ts';
import type { LocalFix } from './fixes.ts';
import type { Finding } from './findings.ts';
import { checkServiceInCluster } from './cluster.ts';
import type { ClusterModel } from './cluster.ts';
import { mergeFindings } from './merge.ts';
import { checkIngress, isIngress } from './ingress.ts';
import { checkGatewayApiObject, gatewayApiKind, isGatewayRoute } from './gateway.ts';
import { checkRouteInWorkspace } from './gatewayWorkspace.ts';
import { checkRouteBackendsInCluster } from './gatewayCluster.ts';
import { checkRouteAgainstLiveGateways, liveRouteView, writtenGatewayApi } from './gatewayLive.ts';
import { checkIngressClaimsInCluster, checkIngressClassInCluster } from './ingressClass.ts';
import { checkIngressInCluster } from './ingressCluster.ts';
import { checkIngressBackendsInWorkspace, checkIngressClaimsInWorkspace } from './ingressWorkspace.ts';
import { checkNodePortsInCluster, checkNodePortsInWorkspace } from './serviceNodePorts.ts';
import { checkNetworkPolicy } from './policy.ts';
import { checkService } from './service.ts';
import { checkPolicyInWorkspace, checkServiceInWorkspace } from './workspace.ts';
import { policyLabelMaps, yaml11BooleanFindings } from './yaml11.ts';
import { isSuppressed, suppressionsOf } from './suppress.ts';
import type { Suppressions } from './suppress.ts';
import type { WorkspaceModel } from './workspace.ts';

export interface AnalysisContext {
  /** Workspace-aware checks run when given. */
  readonly workspace?: WorkspaceModel;
  /** Cluster-aware checks run when given. */
  readonly cluster?: ClusterModel;
  /** At most this many diagnostics per file (then one KR0002 note); default 1,000. */
  readonly maxDiagnostics?: number;
  /** Codes not reported at all (`kubereach check --disable`); comments disable more (suppress.ts). */
  readonly disabledCodes?: ReadonlySet<string>;
}

export interface TextEdit {
  readonly span: Span;
  readonly range: Range;
  readonly newText: string;
}

export interface QuickFix {
  readonly title: string;
  readonly preferred: boolean;
  readonly edits: readonly TextEdit[];
}

export interface ManifestDiagnostic {
  readonly code: DiagnosticCode;
  readonly severity: Severity;
  readonly message: string;
  readonly span: Span;
  readonly range: Range;
  readonly fixes: readonly QuickFix[];
  /** The object the finding is about, when there is one. */
  readonly object?: { readonly kind: string; readonly name?: string; readonly namespace?: string };
}

/** A diagnostic in chunk-relative offsets, before placement. */
interface LocalDiagnostic {
  readonly code: DiagnosticCode;
  readonly severity: Severity;
  readonly message: string;
  readonly span: Span;
  readonly fixes: readonly LocalFix[];
  readonly object?: ManifestDiagnostic['object'];
}

export function isPatchObject(file: ManifestFile, object: ManifestObject): boolean {
  return file.isPatch || object.hasPatchDirectives;
}

function describeObject(object: ManifestObject): ManifestDiagnostic['object'] {
  return {
    kind: object.kind,
    ...(object.name === undefined ? {} : { name: object.name }),
    ...(object.namespace === undefined ? {} : { namespace: object.namespace }),
  };
}

function localize(object: ManifestObject, findings: readonly Finding[]): LocalDiagnostic[] {
  return findings.map((finding) => ({
    code: finding.code,
    severity: finding.severity ?? codeInfo(finding.code).severity,
    message: finding.message,
    span: spanOf(object, finding.at.path, finding.at.part ?? 'value'),
    fixes: (finding.fixes ?? []).flatMap((fix) => resolveFix(object, fix) ?? []),
    object: describeObject(object),
  }));
}

/** The static findings of a chunk, computed once per chunk text and patch-ness. */
function staticDiagnostics(chunk: Chunk, isPatch: (object: ManifestObject) => boolean): LocalDiagnostic[] {
  const key = `static:${chunk.objects.map((object) => (isPatch(object) ? 'p' : 'm')).join('')}`;
  const memo = (chunk.memo ??= new Map());
  const cached = memo.get(key) as LocalDiagnostic[] | undefined;
  if (cached) {
    return cached;
  }
  const diagnostics: LocalDiagnostic[] = [];
  for (const object of chunk.objects) {
    const patch = isPatch(object);
    if (object.kind === 'Service') {
      diagnostics.push(
        ...localize(object, [
          ...checkService(object.value, patch),
          ...yaml11BooleanFindings(object, [['spec', 'selector']], 'KR1014'),
        ]),
      );
    } else if (object.kind === 'NetworkPolicy') {
      diagnostics.push(
        ...localize(object, [
          ...checkNetworkPolicy(object.value, patch),
          ...yaml11BooleanFindings(object, policyLabelMaps(object.value), 'KR2009'),
        ]),
      );
    } else if (isIngress(object)) {
      diagnostics.push(...localize(object, checkIngress(object.value, patch)));
    } else if (gatewayApiKind(object) !== undefined) {
      diagnostics.push(...localize(object, checkGatewayApiObject(object, patch)));
    }
  }
  memo.set(key, diagnostics);
  return diagnostics;
}

/** Findings that depend on the workspace and the cluster, for one object. */
export function contextualFindings(
  object: ManifestObject,
  isPatch: boolean,
  context: AnalysisContext,
): Finding[] {
  if (isPatch) {
    return [];
  }
  const findings: Finding[] = [];
  if (object.kind === 'Service') {
    // One diagnostic where the workspace and the cluster find the same thing (merge.ts).
    findings.push(
      ...mergeFindings(
        context.workspace
          ? [
              ...checkServiceInWorkspace(object.value, object.namespace, object.name, context.workspace),
              ...checkNodePortsInWorkspace(object.value, object.namespace, object.name, context.workspace),
            ]
          : [],
        context.cluster
          ? [
              ...checkServiceInCluster(object.value, object.namespace, context.cluster),
              ...checkNodePortsInCluster(object.value, object.namespace, object.name, context.cluster),
            ]
          : [],
      ),
    );
  } else if (isIngress(object)) {
    findings.push(
      ...mergeFindings(
        context.workspace
          ? [
              ...checkIngressBackendsInWorkspace(object.value, object.namespace, context.workspace),
              ...checkIngressClaimsInWorkspace(
                object.value,
                object.name,
                object.namespace,
                context.workspace,
              ),
            ]
          : [],
        context.cluster
          ? [
              ...checkIngressInCluster(object.value, object.namespace, context.cluster),
              ...checkIngressClassInCluster(object.value, context.cluster),
              ...checkIngressClaimsInCluster(object.value, object.namespace, object.name, context.cluster),
            ]
          : [],
      ),
    );
  } else if (isGatewayRoute(object)) {
    // One diagnostic where the workspace and the cluster both miss a backend Service, a parent
    // Gateway or a ReferenceGrant (merge.ts); none where the workspace lacks what the cluster has.
    const live = context.cluster?.gatewayApi?.();
    findings.push(
      ...mergeFindings(
        context.workspace
          ? checkRouteInWorkspace(
              object,
              context.workspace,
              live === undefined ? undefined : liveRouteView(live, context.cluster!.context),
            )
          : [],
        context.cluster
          ? [
              ...checkRouteBackendsInCluster(object, context.cluster),
              ...(live === undefined
                ? []
                : checkRouteAgainstLiveGateways(
                    object,
                    live,
                    { name: context.cluster.context, defaultNamespace: context.cluster.defaultNamespace },
                    writtenGatewayApi(context.workspace),
                  )),
            ]
          : [],
      ),
    );
  } else if (object.kind === 'NetworkPolicy' && context.workspace) {
    findings.push(...checkPolicyInWorkspace(object.value, object.namespace, context.workspace));
  }
  return findings;
}

function place(placed: PlacedChunk, local: LocalDiagnostic): ManifestDiagnostic {
  const { span, range } = placeSpan(placed, local.span);
  return {
    code: local.code,
    severity: local.severity,
    message: local.message,
    span,
    range,
    fixes: local.fixes.map((fix) => ({
      title: fix.title,
      preferred: fix.preferred,
      edits: fix.edits.map((edit) => ({ ...placeSpan(placed, edit.span), newText: edit.newText })),
    })),
    ...(local.object === undefined ? {} : { object: local.object }),
  };
}

/** The disable comments of each chunk, read once per chunk text (chunks are cached by text). */
const suppressionMemo = new WeakMap<Chunk, Suppressions>();

function chunkSuppressions(chunk: Chunk): Suppressions {
  let suppressions = suppressionMemo.get(chunk);
  if (suppressions === undefined) {
    suppressions = suppressionsOf(chunk.text);
    suppressionMemo.set(chunk, suppressions);
  }
  return suppressions;
}

function formatBytes(bytes: number): string {
  return bytes >= 1024 * 1024 ? `${(bytes / (1024 * 1024)).toFixed(1)} MB` : `${Math.ceil(bytes / 1024)} KB`;
}

/**
 * Analyses a parsed file in steps (one document per step), so that a caller can yield between
 * them; the return value is every diagnostic of the file, in document order.
 */
export function* analyzeSteps(
  file: ManifestFile,
  context: AnalysisContext = {},
): Generator<void, ManifestDiagnostic[]> {
  const max = context.maxDiagnostics ?? 1000;
  const diagnostics: ManifestDiagnostic[] = [];
  const isPatch = (object: ManifestObject) => isPatchObject(file, object);
  let overBudget: PlacedChunk | undefined;
  for (const placed of file.chunks) {
    const chunk = placed.chunk;
    if (chunk.status === 'too-large') {
      diagnostics.push(
        place(placed, {
          code: 'KR0001',
          severity: 'information',
          message: `This document (${formatBytes(chunk.text.length)}) is not analysed: KubeReach reads documents of up to ${formatBytes(file.limits.maxDocumentBytes)}.`,
          span: firstLineSpan(chunk),
          fixes: [],
        }),
      );
      continue;
    }
    if (chunk.status === 'too-deep') {
      diagnostics.push(
        place(placed, {
          code: 'KR0001',
          severity: 'information',
          message: `This document is not analysed: its collections are nested more than ${MAX_NESTING} deep, and reading it would hold the language server.`,
          span: firstLineSpan(chunk),
          fixes: [],
        }),
      );
      continue;
    }
    if (chunk.status === 'over-budget') {
      overBudget = placed;
      continue;
    }
    if (chunk.status !== 'parsed' || chunk.objects.length === 0) {
      continue;
    }
    const local = [...staticDiagnostics(chunk, isPatch)];
    for (const object of chunk.objects) {
      const findings = contextualFindings(object, isPatch(object), context);
      if (findings.length > 0) {
        local.push(...localize(object, findings));
      }
    }
    const suppressions = chunkSuppressions(chunk);
    for (const diagnostic of local) {
      if (context.disabledCodes?.has(diagnostic.code) === true) {
        continue;
      }
      const placedDiagnostic = place(placed, diagnostic);
      if (!isSuppressed(suppressions, diagnostic.code, placedDiagnostic.range.start.line - placed.line)) {
        diagnostics.push(placedDiagnostic);
      }
    }
    yield;
  }
  if (overBudget !== undefined) {
    const placed = overBudget;
    const count = file.documentsOverBudget;
    diagnostics.push(
      place(placed, {
        code: 'KR0001',
        severity: 'information',
        message: `The rest of this file (${count === 1 ? 'this document' : `these ${count} documents`}, from line ${placed.line + 1}) is not analysed: KubeReach reads the first ${formatBytes(file.limits.maxFileBytes)} of documents in a file.`,
        span: firstLineSpan(placed.chunk),
        fixes: [],
      }),
    );
  }
  // Notes about what was not analysed are always kept; the problems are capped.
  const notes = diagnostics.filter((diagnostic) => diagnostic.code === 'KR0001');
  const problems = diagnostics.filter((diagnostic) => diagnostic.code !== 'KR0001');
  if (problems.length <= max) {
    return diagnostics;
  }
  const first = problems[max]!;
  const kept = problems.slice(0, max);
  kept.push({
    code: 'KR0002',
    severity: 'information',
    message: `${problems.length - max} more problems in this file are not shown (KubeReach shows the first ${max}).`,
    span: first.span,
    range: first.range,
    fixes: [],
  });
  return [...kept, ...notes];
}

/** analyzeSteps, all at once. */
export function analyzeManifestFile(file: ManifestFile, context: AnalysisContext = {}): ManifestDiagnostic[] {
  const steps = analyzeSteps(file, context);
  for (;;) {
    const step = steps.next();
    if (step.done) {
      return step.value;
    }
  }
}
