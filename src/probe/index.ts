/**
 * Probes from inside Pods and the connectivity matrix: the engine behind "Probe from Pod…" and
 * "Probe Matrix". No `vscode`; see `prober.ts` for how a probe runs.
 */
export {
  Prober,
  DEFAULT_EXEC_MARGIN_MS,
  DEFAULT_PROBE_TIMEOUT_MS,
  sourceLabel,
  targetLabel,
} from './prober.ts';
export type { ProberOptions, ProbeOptions } from './prober.ts';
export { addDebugContainer, DebugContainerError } from './debugContainer.ts';
export type { AddDebugContainerOptions, DebugContainer, PodReference } from './debugContainer.ts';
export { DEFAULT_DEBUG_IMAGE, findDebugContainer } from './debugSpec.ts';
export { ClientNodeExecTransport } from './exec.ts';
export type { ExecRequest, ExecTransport } from './exec.ts';
export type { ExecOutcome } from './execStatus.ts';
export {
  cellText,
  CSV_COLUMNS,
  DEFAULT_MATRIX_CONCURRENCY,
  resultTimeMs,
  runMatrix,
  toCsv,
  toMarkdown,
  verdictLabel,
} from './matrix.ts';
export type { CsvOptions, MatrixGrid, MatrixOptions, MatrixProgress } from './matrix.ts';
export { parseFreeFormTarget, resolveTarget } from './target.ts';
export { kubectlCommand, shellQuote } from './commands.ts';
export { statusText } from './classify.ts';
export type * from './types.ts';
