/**
 * src/probe/'s engine never imports `vscode` (only its UI files do: the commands, the Probe Results
 * view, the matrix webview), and its pure files (targets, commands, detection, classification, exec
 * status, matrix, debug-container decisions) import neither the network nor processes. The
 * repository's ESLint rules do not cover this folder, so this test does.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { test } from 'node:test';

const folder = resolve(import.meta.dirname, '../../../src/probe');
const PURE = [
  'types.ts',
  'target.ts',
  'commands.ts',
  'detect.ts',
  'classify.ts',
  'execStatus.ts',
  'matrix.ts',
  'debugSpec.ts',
  'redaction.ts',
];
const NETWORK =
  /^(node:)?(net|http|https|tls|dns|dgram|child_process)$|^@kubernetes\/client-node$|^ws$|^isomorphic-ws$/;

function imports(file: string): string[] {
  const source = readFileSync(join(folder, file), 'utf8');
  return [
    ...source.matchAll(
      /^\s*(?:import|export)\b[^'"]*?from\s+'([^']+)'|^\s*import\s+'([^']+)'|import\('([^']+)'\)/gm,
    ),
  ].map((match) => match[1] ?? match[2] ?? match[3] ?? '');
}

/** The extension-host UI beside the engine; nothing else may import `vscode`, and nothing in the engine imports these. */
const UI = ['probeCommands.ts', 'resultsView.ts', 'matrixPanel.ts'];

test('no engine file of src/probe imports vscode or the UI', () => {
  const files = readdirSync(folder).filter((file) => file.endsWith('.ts') && !UI.includes(file));
  assert.ok(files.length >= PURE.length);
  for (const file of files) {
    assert.ok(!imports(file).includes('vscode'), file);
    for (const module of imports(file)) {
      assert.ok(!UI.includes(module.replace(/^\.\//, '')), `${file} imports the UI file ${module}`);
    }
  }
});

test('the pure files import neither the network nor processes, and only other pure files', () => {
  for (const file of PURE) {
    for (const module of imports(file)) {
      assert.ok(!NETWORK.test(module), `${file} imports ${module}`);
      if (module.startsWith('./')) {
        assert.ok(PURE.includes(module.slice(2)), `${file} imports ${module}, which is not pure`);
      }
    }
  }
});
