import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { resolve } from 'node:path';
import { test } from 'node:test';
import { createVscodeStandIn, extensionContext, installVscodeStandIn } from '../support/vscodeStandIn.ts';

const root = resolve(import.meta.dirname, '../..');
const packageJSON = JSON.parse(readFileSync(resolve(root, 'package.json'), 'utf8'));

test('dist/extension.js activates and deactivates, disposing all it registered', async () => {
  const { api, registry } = createVscodeStandIn();
  installVscodeStandIn(api);
  const require = createRequire(import.meta.url);
  const extension = require(resolve(root, 'dist/extension.js')) as {
    activate(context: unknown): unknown;
    deactivate(): unknown;
  };
  const context = extensionContext(root, packageJSON);

  await extension.activate(context);

  const contributed = (packageJSON.contributes.commands as Array<{ command: string }>)
    .map((c) => c.command)
    .sort();
  assert.deepEqual(
    [...registry.commands.keys()].sort(),
    contributed,
    'registered commands match package.json',
  );
  assert.ok(context.subscriptions.length > 0, 'activation pushed its disposables');
  assert.ok(
    registry.logLines.some((line) => line.includes(`KubeReach ${packageJSON.version} activated`)),
    'activation is logged',
  );

  await extension.deactivate();
  for (const subscription of context.subscriptions) {
    subscription.dispose();
  }
  const leaked = registry.handedOut.filter((record) => !record.disposed);
  assert.deepEqual(leaked, [], 'every registration was disposed');
  assert.equal(registry.commands.size, 0);
});

test('dist/extension.js bundles no package: client-node, the language client and yaml load after activation', () => {
  // The development build names each bundled module in a `// path` comment line.
  const bundle = readFileSync(resolve(root, 'dist/extension.js'), 'utf8');
  const modules = [...bundle.matchAll(/^\/\/ (\S+\.[cm]?[jt]s)$/gm)].map((match) => match[1]!);
  assert.ok(modules.includes('src/extension.ts'), 'a development build, with module comments');
  assert.deepEqual(
    modules.filter((path) => path.includes('node_modules/')),
    [],
    'a value import of a library from the extension code would put it back into activation',
  );
  const required = new Set([...bundle.matchAll(/\brequire\("([^"]+)"\)/g)].map((match) => match[1]!));
  assert.deepEqual(
    [...required].sort(),
    ['./cluster.js', './languageClient.js', 'vscode'],
    'nothing else is required, node:crypto (~10 ms on first require) included',
  );
});
