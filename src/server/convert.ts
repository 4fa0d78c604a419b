/** From the analysis' plain types to LSP's. */
import { CodeActionKind, DiagnosticSeverity } from 'vscode-languageserver/node';
import type { CodeAction, Diagnostic, TextEdit, WorkspaceEdit } from 'vscode-languageserver/node';
import type { Severity } from '../analysis/manifests/codes.ts';
import type { ManifestDiagnostic, QuickFix } from '../analysis/manifests/analyze.ts';

/** The `source` of every KubeReach diagnostic. */
export const DIAGNOSTIC_SOURCE = 'kubereach';

const SEVERITIES: Readonly<Record<Severity, DiagnosticSeverity>> = {
  error: DiagnosticSeverity.Error,
  warning: DiagnosticSeverity.Warning,
  information: DiagnosticSeverity.Information,
  hint: DiagnosticSeverity.Hint,
};

export function toLspDiagnostic(diagnostic: ManifestDiagnostic): Diagnostic {
  return {
    range: diagnostic.range,
    severity: SEVERITIES[diagnostic.severity],
    code: diagnostic.code,
    source: DIAGNOSTIC_SOURCE,
    message: diagnostic.message,
  };
}

export function sameDiagnostic(lsp: Diagnostic, ours: ManifestDiagnostic): boolean {
  return (
    lsp.code === ours.code &&
    lsp.range.start.line === ours.range.start.line &&
    lsp.range.start.character === ours.range.start.character &&
    lsp.range.end.line === ours.range.end.line &&
    lsp.range.end.character === ours.range.end.character
  );
}

export function toCodeAction(
  fix: QuickFix,
  diagnostic: Diagnostic,
  uri: string,
  version: number | undefined,
  documentChanges: boolean,
): CodeAction {
  const edits: TextEdit[] = fix.edits.map((edit) => ({ range: edit.range, newText: edit.newText }));
  const edit: WorkspaceEdit =
    documentChanges && version !== undefined
      ? { documentChanges: [{ textDocument: { uri, version }, edits }] }
      : { changes: { [uri]: edits } };
  return {
    title: fix.title,
    kind: CodeActionKind.QuickFix,
    diagnostics: [diagnostic],
    isPreferred: fix.preferred,
    edit,
  };
}
