/**
 * One parse per file (issue 19's `kubereach check` floor): a WorkspaceIndex given `parsed` hands
 * over the parse it reads each file with, parsed as the analysis parses it, and indexes the same
 * workloads, Services and routes as one that parses only the kinds it indexes. Over the fixture
 * workspace (kustomize patches, Helm templates, broken YAML, Gateway API objects).
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { basename, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { test } from 'node:test';
import { analyzeManifestFile } from '../../../src/analysis/manifests/analyze.ts';
import { parseManifestFile } from '../../../src/analysis/manifests/document.ts';
import type { ManifestFile } from '../../../src/analysis/manifests/document.ts';
import { WorkspaceIndex } from '../../../src/server/workspaceIndex.ts';

/** A parse as the analysis reads it: each chunk's place and status, each object's kind and value. */
function outline(file: ManifestFile): unknown {
  return {
    text: file.text,
    isPatch: file.isPatch,
    documentsOverBudget: file.documentsOverBudget,
    chunks: file.chunks.map(({ chunk, offset, line }) => ({
      offset,
      line,
      status: chunk.status,
      peekedKind: chunk.peekedKind,
      objects: chunk.objects.map((object) => [object.kind, object.name, object.namespace, object.value]),
    })),
  };
}

const root = resolve(import.meta.dirname, '../../fixtures/workspace');
const KUSTOMIZATIONS = new Set(['kustomization.yaml', 'kustomization.yml', 'Kustomization']);

test('the handed parse is the analysis parse, and the index is the same with it', async () => {
  const parses = new Map<string, ManifestFile>();
  const sharing = new WorkspaceIndex({ parsed: (path, file) => parses.set(path, file) });
  const plain = new WorkspaceIndex();
  await sharing.scan([root]);
  await plain.scan([root]);
  const manifests = sharing.scannedFiles.filter((path) => !KUSTOMIZATIONS.has(basename(path)));
  assert.ok(manifests.length >= 10, `${manifests.length} manifest files`);
  assert.deepEqual([...parses.keys()].sort(), [...manifests].sort());
  assert.deepEqual(sharing.all(), plain.all());
  let findings = 0;
  let patches = 0;
  for (const path of manifests) {
    const uri = pathToFileURL(path).toString();
    const isPatch = sharing.isPatch(uri);
    patches += Number(isPatch);
    const own = parseManifestFile(readFileSync(path, 'utf8'), { isPatch });
    const handed = { ...parses.get(path)!, isPatch };
    // The YAML documents themselves carry parser state; what the analysis reads of them is compared.
    assert.deepEqual(outline(handed), outline(own), path);
    const expected = analyzeManifestFile(own, { workspace: plain.forDocument(uri) });
    assert.deepEqual(analyzeManifestFile(handed, { workspace: sharing.forDocument(uri) }), expected, path);
    findings += expected.length;
  }
  // The comparison is about something: findings, and patches whose flag is set after the scan.
  assert.ok(findings >= 20, `${findings} findings`);
  assert.ok(patches >= 1, `${patches} patches`);
});
