/**
 * `kubereach check`: the language server's manifest diagnostics over files and folders, with the
 * editor's rules because it runs the editor's code. The paths are read as the server reads a
 * workspace (`WorkspaceIndex.scan`: the same files, skipped folders, kustomizations, patches and
 * scope), and each YAML file is analysed as the server analyses an open document
 * (`analyzeManifestFile` with `index.forDocument(uri)`, and the cluster model when asked), so the
 * two cannot disagree about a rule, only about which files are open.
 *
 * No client-node here: the cluster layer is loaded only for `--cluster` (cluster.ts).
 */
import { readFile, stat } from 'node:fs/promises';
import { basename, relative, resolve, sep } from 'node:path';
import { pathToFileURL } from 'node:url';
import { analyzeManifestFile } from '../analysis/manifests/analyze.ts';
import type { ManifestDiagnostic } from '../analysis/manifests/analyze.ts';
import type { ClusterModel } from '../analysis/manifests/cluster.ts';
import { parseManifestFile } from '../analysis/manifests/document.ts';
import type { ManifestFile } from '../analysis/manifests/document.ts';
import type { Severity } from '../analysis/manifests/codes.ts';
import { namespacesOf } from '../server/clusterReads.ts';
import { WorkspaceIndex } from '../server/workspaceIndex.ts';
import { CliError } from './errors.ts';

/** A CLI run reads every file it is given: the editor's 5,000-file bound is for a workspace scan. */
const CLI_MAX_FILES = 1_000_000;

export interface FileReport {
  /** Absolute path. */
  readonly path: string;
  /** As given relative to the working directory, `/`-separated. */
  readonly displayPath: string;
  readonly uri: string;
  readonly diagnostics: readonly ManifestDiagnostic[];
}

export interface CheckReport {
  /** Every manifest file read, with or without diagnostics, sorted by path. */
  readonly files: readonly FileReport[];
}

export interface LoadedFiles {
  readonly index: WorkspaceIndex;
  readonly files: readonly { readonly path: string; readonly uri: string; readonly file: ManifestFile }[];
  /** The namespaces the files' cluster-aware checks are about (undefined: the context's). */
  readonly namespaces: ReadonlySet<string | undefined>;
}

const KUSTOMIZATION_NAMES = new Set(['kustomization.yaml', 'kustomization.yml', 'Kustomization']);

/** Reads the paths as a workspace: every YAML file, and the index that gives each its scope. */
export async function loadFiles(paths: readonly string[], cwd: string): Promise<LoadedFiles> {
  const roots: string[] = [];
  for (const path of paths.length === 0 ? ['.'] : paths) {
    const absolute = resolve(cwd, path);
    try {
      await stat(absolute);
    } catch {
      throw new CliError(`the path "${path}" does not exist`);
    }
    roots.push(absolute);
  }
  // One parse per file: the index hands over the parse it reads each file with.
  const parses = new Map<string, ManifestFile>();
  const index = new WorkspaceIndex({
    limits: { maxFiles: CLI_MAX_FILES },
    parsed: (path, file) => parses.set(path, file),
  });
  await index.scan([...new Set(roots)]);
  const manifestPaths = [...new Set(index.scannedFiles)]
    .filter((path) => !KUSTOMIZATION_NAMES.has(basename(path)))
    .sort();
  const files: LoadedFiles['files'][number][] = [];
  const namespaces = new Set<string | undefined>();
  for (const path of manifestPaths) {
    const uri = pathToFileURL(path).toString();
    const isPatch = index.isPatch(uri);
    const indexed = parses.get(path);
    let file: ManifestFile;
    if (indexed !== undefined) {
      // The parse does not depend on isPatch: it is a flag the analysis reads.
      file = isPatch ? { ...indexed, isPatch } : indexed;
    } else {
      // A file the index did not parse (past its size limit, or unreadable then): read it here.
      let text: string;
      try {
        text = await readFile(path, 'utf8');
      } catch (error) {
        throw new CliError(`cannot read ${path}: ${error instanceof Error ? error.message : String(error)}`);
      }
      file = parseManifestFile(text, { isPatch });
    }
    for (const namespace of namespacesOf(file)) {
      namespaces.add(namespace);
    }
    files.push({ path, uri, file });
  }
  return { index, files, namespaces };
}

/** Analyses loaded files as the server analyses open documents. */
export function analyzeFiles(
  loaded: LoadedFiles,
  options: { cwd: string; disabledCodes?: ReadonlySet<string>; cluster?: ClusterModel },
): CheckReport {
  const files = loaded.files.map(({ path, uri, file }) => ({
    path,
    displayPath: displayPath(options.cwd, path),
    uri,
    // In reading order, as an editor's Problems list shows them (the analysis gives them by check).
    diagnostics: analyzeManifestFile(file, {
      workspace: loaded.index.forDocument(uri),
      ...(options.cluster ? { cluster: options.cluster } : {}),
      ...(options.disabledCodes ? { disabledCodes: options.disabledCodes } : {}),
    }).sort(
      (a, b) => a.range.start.line - b.range.start.line || a.range.start.character - b.range.start.character,
    ),
  }));
  return { files };
}

export function displayPath(cwd: string, path: string): string {
  const relativePath = relative(cwd, path);
  const shown = relativePath === '' || relativePath.startsWith('..') ? path : relativePath;
  return sep === '/' ? shown : shown.split(sep).join('/');
}

export const SEVERITY_RANK: Readonly<Record<Severity, number>> = {
  hint: 0,
  information: 1,
  warning: 2,
  error: 3,
};

export type FailOn = 'error' | 'warning' | 'information' | 'none';

/** Whether the report fails the run: a diagnostic at or above `failOn`. */
export function fails(report: CheckReport, failOn: FailOn): boolean {
  if (failOn === 'none') {
    return false;
  }
  const threshold = SEVERITY_RANK[failOn];
  return report.files.some((file) =>
    file.diagnostics.some((diagnostic) => SEVERITY_RANK[diagnostic.severity] >= threshold),
  );
}

export interface Counts {
  readonly error: number;
  readonly warning: number;
  readonly information: number;
  readonly hint: number;
  readonly files: number;
  readonly filesWithProblems: number;
}

export function countsOf(report: CheckReport): Counts {
  const counts = { error: 0, warning: 0, information: 0, hint: 0 };
  for (const file of report.files) {
    for (const diagnostic of file.diagnostics) {
      counts[diagnostic.severity]++;
    }
  }
  return {
    ...counts,
    files: report.files.length,
    filesWithProblems: report.files.filter((file) => file.diagnostics.length > 0).length,
  };
}
