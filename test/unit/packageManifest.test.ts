import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { resolve } from 'node:path';
import { test } from 'node:test';

const root = resolve(import.meta.dirname, '../..');
const manifest = JSON.parse(readFileSync(resolve(root, 'package.json'), 'utf8'));

test('activation is never eager', () => {
  assert.ok(!manifest.activationEvents.includes('*'));
  assert.ok(!manifest.activationEvents.includes('onStartupFinished'));
  assert.ok(manifest.activationEvents.includes('onLanguage:yaml'));
  assert.ok(manifest.activationEvents.some((event: string) => event.startsWith('onView:kubereach.')));
});

test('engines.vscode is the first release whose extension host satisfies every bundled engine', () => {
  // VS Code 1.105 ships Electron 37.6.0 with Node 22.19.0; undici 8 (from client-node 2) needs >= 22.19.0.
  assert.equal(manifest.engines.vscode, '^1.105.0');
  // client-node's own undici (another, older undici may sit at the top of node_modules).
  const clientNode = createRequire(resolve(root, 'node_modules/@kubernetes/client-node/package.json'));
  const undici = JSON.parse(readFileSync(clientNode.resolve('undici/package.json'), 'utf8'));
  assert.equal(undici.engines.node, '>=22.19.0');
  const typesVersion = JSON.parse(
    readFileSync(resolve(root, 'node_modules/@types/vscode/package.json'), 'utf8'),
  );
  assert.match(
    typesVersion.version,
    /^1\.105\./,
    '@types/vscode must not promise APIs newer than engines.vscode',
  );
});

test('every command has a KubeReach category and every setting a scope and a markdownDescription', () => {
  for (const command of manifest.contributes.commands) {
    assert.equal(command.category, 'KubeReach', command.command);
    assert.match(command.command, /^kubereach\./);
  }
  for (const [key, setting] of Object.entries<Record<string, unknown>>(
    manifest.contributes.configuration.properties,
  )) {
    assert.ok(setting.scope, `${key} has a scope`);
    assert.ok(setting.markdownDescription, `${key} has a markdownDescription`);
  }
});

test('kubeconfig paths are restricted in untrusted workspaces', () => {
  const untrusted = manifest.capabilities.untrustedWorkspaces;
  assert.equal(untrusted.supported, 'limited');
  assert.ok(untrusted.restrictedConfigurations.includes('kubereach.kubeconfig'));
  assert.equal(manifest.contributes.configuration.properties['kubereach.kubeconfig'].scope, 'machine');
});

test('the view container has a monochrome icon that follows the theme', () => {
  const container = manifest.contributes.viewsContainers.activitybar.find(
    (c: { id: string }) => c.id === 'kubereach',
  );
  assert.ok(container);
  const svg = readFileSync(resolve(root, container.icon), 'utf8');
  assert.match(svg, /currentColor/);
  assert.doesNotMatch(svg, /#[0-9a-f]{3,6}\b/i, 'no fixed colours');
});
