/**
 * The engine of src/diagnose never imports `vscode` (the webview and commands beside it may), and
 * its pure files, everything but the Diagnoser itself, import neither the network nor processes nor
 * any module with side effects: only types, src/analysis and each other. ESLint's folder rules do not
 * cover src/diagnose, so this test does.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { test } from 'node:test';

const folder = resolve(import.meta.dirname, '../../../src/diagnose');
const ENGINE = [
  'types.ts',
  'snapshot.ts',
  'probeHop.ts',
  'policyMatrix.ts',
  'markdown.ts',
  'diagnoser.ts',
  'events.ts',
  'watching.ts',
  'externalDiagnoser.ts',
  'externalOutside.ts',
  'externalForward.ts',
  'externalMarkdown.ts',
  'gatewayRead.ts',
  'index.ts',
];
const PURE = [
  'types.ts',
  'snapshot.ts',
  'probeHop.ts',
  'policyMatrix.ts',
  'markdown.ts',
  'externalMarkdown.ts',
];

interface Import {
  readonly module: string;
  readonly typeOnly: boolean;
}

function imports(file: string): Import[] {
  const source = readFileSync(join(folder, file), 'utf8');
  return [
    ...source.matchAll(/^\s*(import|export)\s+(type\s+)?(?:[^'";]*?\s+from\s+)?'([^']+)'/gm),
    ...source.matchAll(/import\('([^']+)'\)/g),
  ].map((match) =>
    match.length === 2
      ? { module: match[1]!, typeOnly: false }
      : { module: match[3]!, typeOnly: match[2] !== undefined },
  );
}

test('no engine file of src/diagnose imports vscode, or a file that does', () => {
  for (const file of ENGINE) {
    for (const { module } of imports(file)) {
      assert.notEqual(module, 'vscode', file);
      if (module.startsWith('./')) {
        assert.ok(
          ENGINE.includes(module.slice(2)),
          `${file} imports ${module}, which is not part of the engine`,
        );
      }
    }
  }
});

test('the pure files import only types, src/analysis and each other', () => {
  for (const file of PURE) {
    for (const { module, typeOnly } of imports(file)) {
      if (typeOnly) {
        continue;
      }
      // redact.ts imports nothing and has no side effects (test/unit/redact.test.ts checks it).
      const allowed =
        module.startsWith('../analysis/') ||
        module === '../logging/redact.ts' ||
        (module.startsWith('./') && PURE.includes(module.slice(2)));
      assert.ok(allowed, `${file} imports ${module} at run time`);
    }
  }
});

test('the engine is reachable from index.ts', () => {
  const exported = imports('index.ts').map(({ module }) => module);
  for (const file of ENGINE.filter((name) => name !== 'index.ts')) {
    assert.ok(exported.includes(`./${file}`), `index.ts does not export ${file}`);
  }
});
