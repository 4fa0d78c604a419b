/**
 * The "Convert to Gateway API" refactoring as an LSP code action: the conversion's text
 * (src/analysis/manifests/gatewayConvert.ts) written to a new file beside the Ingress's, by a
 * workspace edit that creates the file and inserts the text. Offered only to clients that can
 * create files through workspace edits (`workspace.workspaceEdit.resourceOperations: create`).
 */
import { stat } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { CodeActionKind } from 'vscode-languageserver/node';
import type { CodeAction } from 'vscode-languageserver/node';
import type { ManifestFile } from '../analysis/manifests/document.ts';
import { ingressConversionAt } from '../analysis/manifests/gatewayConvert.ts';
import type { WorkspaceModel } from '../analysis/manifests/workspace.ts';

/** How many numbered names are tried before giving up on a free one. */
const MAX_NAME_TRIES = 50;

/** A file name from an object name: letters, digits, dots and dashes. */
function safeName(name: string): string {
  const cleaned = name.replace(/[^A-Za-z0-9.-]+/g, '-').replace(/^[.-]+/, '');
  return cleaned === '' ? 'ingress' : cleaned.slice(0, 100);
}

async function exists(path: string): Promise<boolean> {
  try {
    await stat(path);
    return true;
  } catch {
    return false;
  }
}

/**
 * A file name beside `uri` that neither exists on disk nor is open: `<ingress>.gateway-api.yaml`,
 * then `<ingress>.gateway-api-2.yaml`…; undefined for a document that is not a file.
 */
export async function freeSiblingUri(
  uri: string,
  ingressName: string,
  isOpen: (uri: string) => boolean,
): Promise<string | undefined> {
  if (!uri.startsWith('file:')) {
    return undefined;
  }
  const folder = dirname(fileURLToPath(uri));
  const base = safeName(ingressName);
  for (let index = 1; index <= MAX_NAME_TRIES; index++) {
    const path = join(folder, `${base}.gateway-api${index === 1 ? '' : `-${index}`}.yaml`);
    const candidate = pathToFileURL(path).toString();
    if (!isOpen(candidate) && !(await exists(path))) {
      return candidate;
    }
  }
  return undefined;
}

export async function ingressConversionAction(input: {
  readonly uri: string;
  readonly file: ManifestFile;
  readonly offset: number;
  readonly workspace: WorkspaceModel;
  readonly isOpen: (uri: string) => boolean;
}): Promise<CodeAction | undefined> {
  const conversion = ingressConversionAt(input.file, input.offset, input.workspace);
  if (conversion === undefined) {
    return undefined;
  }
  const target = await freeSiblingUri(input.uri, conversion.ingressName, input.isOpen);
  if (target === undefined) {
    return undefined;
  }
  return {
    title: `${conversion.title}: ${basename(fileURLToPath(target))}`,
    kind: CodeActionKind.RefactorRewrite,
    edit: {
      documentChanges: [
        { kind: 'create', uri: target, options: { overwrite: false, ignoreIfExists: false } },
        {
          textDocument: { uri: target, version: null },
          edits: [
            {
              range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } },
              newText: conversion.text,
            },
          ],
        },
      ],
    },
  };
}
