/**
 * "Diagnose Connectivity" and "Show Policy Matrix": the engine. No `vscode`; see diagnoser.ts for
 * how a diagnosis runs and src/analysis/diagnosis/ for the hops.
 */
export { Diagnoser, DiagnoseError, plannedProbes } from './diagnoser.ts';
export type { DiagnoseOptions, DiagnoserOptions, ProbeRunner } from './diagnoser.ts';
export { namespacesFor, snapshotInput } from './snapshot.ts';
export { latestReadinessEvent, readinessEventReader } from './events.ts';
export { NamespaceWatcher } from './watching.ts';
export type { ReadinessEventReader } from './events.ts';
export type { DiagnosisCache } from './snapshot.ts';
export { concludeWithProbe, isConclusive, probeHop } from './probeHop.ts';
export { cellPods, matrixProbeSets, overlayProbes, policyMatrix } from './policyMatrix.ts';
export type { PolicyMatrixOptions, PolicyView } from './policyMatrix.ts';
export { escapeMarkdown, toMarkdown } from './markdown.ts';
export { diagnoseStatic, HOP_IDS } from '../analysis/diagnosis/index.ts';
export type * from './types.ts';
export {
  ExternalDiagnoser,
  externalSnapshot,
  namespacesForRequest,
  probeHopOf,
} from './externalDiagnoser.ts';
export { externalToMarkdown } from './externalMarkdown.ts';
export { outsideConnect, outsideHttp } from './externalOutside.ts';
export { forwardThroughPod } from './externalForward.ts';
export { readGatewayApi } from './gatewayRead.ts';
export type { ControllerForward, ForwardedRequest, ForwardedResult } from './externalForward.ts';
export type { OutsideResult } from './externalOutside.ts';
export type {
  ExternalCache,
  ExternalDiagnoserOptions,
  ExternalProbe,
  ExternalReport,
} from './externalDiagnoser.ts';
