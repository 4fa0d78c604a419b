/**
 * One diagnostic per claim: when the workspace check and the cluster check find the same thing at
 * the same place (nothing declares the targetPort: KR3002 and KR4003, KR3003 and KR4004), the user
 * gets one diagnostic that names both sources, not two near-identical ones on one word.
 *
 * The workspace's code stands (the file under the cursor is what the workspace checks read), with
 * the more severe of the two severities, and the fixes of both, each edit once.
 */
import { codeInfo } from './codes.ts';
import type { Severity } from './codes.ts';
import type { Finding, FixSpec } from './findings.ts';

const RANK: Readonly<Record<Severity, number>> = { error: 3, warning: 2, information: 1, hint: 0 };

function severityOf(finding: Finding): Severity {
  return finding.severity ?? codeInfo(finding.code).severity;
}

function sameAt(a: Finding, b: Finding): boolean {
  return (
    (a.at.part ?? 'value') === (b.at.part ?? 'value') &&
    a.at.path.length === b.at.path.length &&
    a.at.path.every((segment, index) => segment === b.at.path[index])
  );
}

/** What a fix does, whatever its title says. */
function editKey(fix: FixSpec): string {
  const { title: _title, preferred: _preferred, ...edit } = fix;
  return JSON.stringify(edit);
}

function mergeFixes(first: readonly FixSpec[], second: readonly FixSpec[]): FixSpec[] {
  const seen = new Set(first.map(editKey));
  return [...first, ...second.filter((fix) => !seen.has(editKey(fix)))];
}

/** The workspace's findings, each merged with the cluster's finding of the same claim; then the rest. */
export function mergeFindings(workspace: readonly Finding[], cluster: readonly Finding[]): Finding[] {
  const used = new Set<Finding>();
  const merged = workspace.map((finding) => {
    const claim = finding.claim;
    if (claim === undefined) {
      return finding;
    }
    const other = cluster.find(
      (candidate) => !used.has(candidate) && candidate.claim?.key === claim.key && sameAt(candidate, finding),
    );
    if (other === undefined || other.claim === undefined) {
      return finding;
    }
    used.add(other);
    const severity =
      RANK[severityOf(other)] > RANK[severityOf(finding)] ? severityOf(other) : severityOf(finding);
    return {
      code: finding.code,
      severity,
      message: `${claim.what}: ${claim.evidence}, and ${other.claim.evidence}. ${claim.consequence}`,
      at: finding.at,
      fixes: mergeFixes(finding.fixes ?? [], other.fixes ?? []),
    };
  });
  return [...merged, ...cluster.filter((finding) => !used.has(finding))];
}
