/**
 * The architecture's import rules are enforced by ESLint; these tests make sure the rules bite.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { test } from 'node:test';
import { ESLint } from 'eslint';

const root = resolve(import.meta.dirname, '../..');
const eslint = new ESLint({ cwd: root });

/** Lints a real file (the typed rules need it on disk, inside the tsconfig), then removes it. */
async function importErrors(file: string, source: string): Promise<string[]> {
  const path = resolve(root, file);
  const folder = dirname(path);
  const madeFolder = !existsSync(folder);
  mkdirSync(folder, { recursive: true });
  writeFileSync(path, source);
  try {
    const [result] = await eslint.lintFiles([path]);
    const fatal = result?.messages.find((m) => m.fatal);
    assert.equal(fatal, undefined, fatal?.message);
    return (result?.messages ?? []).filter((m) => m.ruleId === 'no-restricted-imports').map((m) => m.message);
  } finally {
    rmSync(madeFolder ? folder : path, { recursive: true, force: true });
  }
}

for (const folder of ['src/analysis', 'src/cluster', 'src/server', 'src/shared', 'src/cli', 'sandbox']) {
  test(`importing vscode under ${folder}/ fails lint`, async () => {
    const errors = await importErrors(
      `${folder}/lint-probe.ts`,
      "import * as vscode from 'vscode';\nvoid vscode;\n",
    );
    assert.equal(errors.length, 1, `expected one no-restricted-imports error, got ${JSON.stringify(errors)}`);
  });
}

test('code that computes may not touch the network', async () => {
  for (const module of ['node:net', 'node:http', '@kubernetes/client-node', 'node:child_process']) {
    const errors = await importErrors(
      'src/analysis/lint-probe.ts',
      `import * as m from '${module}';\nvoid m;\n`,
    );
    assert.equal(errors.length, 1, module);
  }
});

test('extension-host feature code may import vscode', async () => {
  assert.deepEqual(
    await importErrors('src/lint-probe.ts', "import * as vscode from 'vscode';\nvoid vscode;\n"),
    [],
  );
});
