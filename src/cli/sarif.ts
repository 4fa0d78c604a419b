/**
 * `kubereach check -o sarif`: SARIF 2.1.0, as code-scanning services read it. Every code of
 * codes.ts is a rule (id, title, default level), so a service can describe a rule no run has hit
 * yet; each result points at its file relative to the working directory (`%SRCROOT%`) with a
 * 1-based region. LSP's characters are UTF-16 code units, SARIF's default column kind.
 */
import { pathToFileURL } from 'node:url';
import { CODES } from '../analysis/manifests/codes.ts';
import type { Severity } from '../analysis/manifests/codes.ts';
import type { CheckReport } from './check.ts';

const LEVELS: Readonly<Record<Severity, 'error' | 'warning' | 'note'>> = {
  error: 'error',
  warning: 'warning',
  information: 'note',
  hint: 'note',
};

export const SARIF_SCHEMA = 'https://json.schemastore.org/sarif-2.1.0.json';

export function toSarif(report: CheckReport, options: { version: string; cwd: string }): unknown {
  const ids = Object.keys(CODES) as (keyof typeof CODES)[];
  const ruleIndex = new Map<string, number>(ids.map((id, index) => [id, index]));
  const root = pathToFileURL(options.cwd.endsWith('/') ? options.cwd : `${options.cwd}/`).toString();
  const results = report.files.flatMap((file) =>
    file.diagnostics.map((diagnostic) => {
      const { start, end } = diagnostic.range;
      const relative = !file.displayPath.startsWith('/');
      return {
        ruleId: diagnostic.code,
        ruleIndex: ruleIndex.get(diagnostic.code) ?? -1,
        level: LEVELS[diagnostic.severity],
        message: { text: diagnostic.message },
        locations: [
          {
            physicalLocation: {
              artifactLocation: relative
                ? { uri: encodeURI(file.displayPath), uriBaseId: '%SRCROOT%' }
                : { uri: file.uri },
              region: {
                startLine: start.line + 1,
                startColumn: start.character + 1,
                endLine: end.line + 1,
                endColumn: end.character + 1,
              },
            },
          },
        ],
      };
    }),
  );
  return {
    $schema: SARIF_SCHEMA,
    version: '2.1.0',
    runs: [
      {
        tool: {
          driver: {
            name: 'KubeReach',
            version: options.version,
            semanticVersion: options.version,
            rules: ids.map((id) => ({
              id,
              name: ruleName(CODES[id].title),
              shortDescription: { text: CODES[id].title },
              defaultConfiguration: { level: LEVELS[CODES[id].severity] },
            })),
          },
        },
        originalUriBaseIds: { '%SRCROOT%': { uri: root } },
        results,
      },
    ],
  };
}

/** A rule's `name`: PascalCase words of its title (SARIF recommends an identifier-like name). */
function ruleName(title: string): string {
  return title
    .replace(/[^A-Za-z0-9]+/g, ' ')
    .trim()
    .split(' ')
    .map((word) => word.charAt(0).toUpperCase() + word.slice(1))
    .join('');
}
