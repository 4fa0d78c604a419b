/**
 * What a Service or NetworkPolicy is compared with (KR3001–KR3004): WorkspaceScope on its own, then
 * the WorkspaceIndex over fixture trees written to a temporary folder (example folders, a monorepo,
 * kustomizations, explicit namespaces, workload documents that cannot be read).
 */
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { after, describe, test } from 'node:test';
import { analyzeManifestFile } from '../../../src/analysis/manifests/analyze.ts';
import { parseManifestFile } from '../../../src/analysis/manifests/document.ts';
import { hoverAt } from '../../../src/analysis/manifests/hover.ts';
import { WorkspaceScope } from '../../../src/analysis/manifests/scope.ts';
import { WorkspaceIndex } from '../../../src/server/workspaceIndex.ts';

describe('WorkspaceScope', () => {
  const scope = new WorkspaceScope(
    new Map([
      ['/w/base', ['/w/base/deployment.yaml', '/w/base/service.yaml']],
      ['/w/overlay', ['/w/base', '/w/overlay/extra.yaml']],
    ]),
  );
  const at = (file: string, namespace?: string) => ({ file, namespace });

  test('explicit namespaces: the same one, wherever the files are', () => {
    assert.equal(scope.inScope(at('/w/a/svc.yaml', 'shop'), at('/w/z/deploy.yaml', 'shop')), true);
    assert.equal(scope.inScope(at('/w/a/svc.yaml', 'shop'), at('/w/a/deploy.yaml', 'data')), false);
  });

  test('a namespace left open: the same folder or below it', () => {
    assert.equal(scope.inScope(at('/w/app/svc.yaml'), at('/w/app/deploy.yaml')), true);
    assert.equal(scope.inScope(at('/w/app/svc.yaml'), at('/w/app/workloads/deploy.yaml')), true);
    assert.equal(scope.inScope(at('/w/app/svc.yaml', 'shop'), at('/w/app/deploy.yaml')), true);
    assert.equal(scope.inScope(at('/w/app/svc.yaml'), at('/w/app/deploy.yaml', 'shop')), true);
    // Sibling folders (examples, the apps of a monorepo) and folders above are not applied with it.
    assert.equal(scope.inScope(at('/w/examples/a/svc.yaml'), at('/w/examples/b/deploy.yaml')), false);
    assert.equal(scope.inScope(at('/w/app/svc.yaml'), at('/w/deploy.yaml')), false);
    assert.equal(scope.inScope(at('/w/app/svc.yaml'), at('/w/application/deploy.yaml')), false);
  });

  test('a document that is not a file: itself only', () => {
    assert.equal(scope.inScope(at('untitled:Untitled-1'), at('untitled:Untitled-1')), true);
    assert.equal(scope.inScope(at('untitled:Untitled-1'), at('/w/deploy.yaml')), false);
    assert.equal(scope.inScope(at('untitled:Untitled-1', 'shop'), at('/w/deploy.yaml', 'shop')), true);
  });

  test('listed by kustomizations: the same kustomization', () => {
    assert.equal(scope.inScope(at('/w/base/service.yaml'), at('/w/base/deployment.yaml')), true);
    // The overlay lists the base's folder, not its files: not one unit (silence, not a guess).
    assert.equal(scope.inScope(at('/w/base/service.yaml'), at('/w/overlay/extra.yaml')), false);
    // One listed, the other not: the folder rule.
    assert.equal(scope.inScope(at('/w/base/service.yaml'), at('/w/base/other.yaml')), true);
    assert.equal(scope.inScope(at('/w/overlay/svc.yaml'), at('/w/base/deployment.yaml')), false);
  });
});

// ---------------------------------------------------------------------------------------------

const root = mkdtempSync(join(tmpdir(), 'kubereach-scope-'));
after(() => rmSync(root, { recursive: true, force: true }));

function write(relative: string, text: string): void {
  const path = join(root, relative);
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, text);
}

const deployment = (name: string, app: string, namespace?: string, extra = '') =>
  `apiVersion: apps/v1
kind: Deployment
metadata:
  name: ${name}
${namespace ? `  namespace: ${namespace}\n` : ''}spec:
  selector:
    matchLabels: { app: ${app} }
  template:
    metadata:
      labels: { app: ${app} }
    spec:
      containers:
        - name: main
          image: nginx${extra}
          ports: [{ name: http, containerPort: 8080 }]
`;
const service = (app: string, namespace?: string) =>
  `apiVersion: v1
kind: Service
metadata:
  name: svc
${namespace ? `  namespace: ${namespace}\n` : ''}spec:
  selector: { app: ${app} }
  ports: [{ name: http, port: 80, targetPort: http }]
`;
const policy = (app: string) =>
  `apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: { name: p }
spec:
  podSelector: { matchLabels: { app: ${app} } }
`;

// Example folders: each its own world.
write('examples/nginx/deployment.yaml', deployment('nginx', 'nginx'));
write('examples/redis/service.yaml', service('redis'));
write('examples/redis/policy.yaml', policy('redis'));
// A monorepo: app b's Service has a typo; app a must not be named in its message.
write('services/a/k8s/deployment.yaml', deployment('a', 'a'));
write('services/a/k8s/service.yaml', service('a'));
write('services/b/k8s/deployment.yaml', deployment('b', 'b'));
write('services/b/k8s/service.yaml', service('bee'));
// Explicit namespaces.
write('prod/service.yaml', service('api', 'prod'));
write('prod/other.yaml', service('web', 'prod'));
write('elsewhere/web.yaml', deployment('web', 'web', 'prod'));
write('elsewhere/stray.yaml', deployment('stray', 'stray'));
write('staging/service.yaml', service('api', 'staging'));
// A kustomization with its own files, and a workload beside it that it does not list.
write('kustomize/base/kustomization.yaml', 'resources:\n  - deployment.yaml\n  - service.yaml\n');
write('kustomize/base/deployment.yaml', deployment('web', 'web'));
write('kustomize/base/service.yaml', service('wbe'));
write('kustomize/overlay/kustomization.yaml', 'resources:\n  - ../base\n  - extra.yaml\n');
write('kustomize/overlay/extra.yaml', deployment('extra', 'extra'));
// Workloads that kubectl reads but a strict parser does not: duplicate keys, template text.
write('dup/deployment.yaml', deployment('api', 'api', undefined, '\n          image: nginx:1.27'));
write('dup/worker.yaml', deployment('worker', 'worker'));
write('dup/service.yaml', service('api'));
write(
  'templated/deployment.yaml',
  deployment('api', 'api', undefined, '\n          args: [--flags={{flags}}]'),
);
write('templated/worker.yaml', deployment('worker', 'worker'));
write('templated/service.yaml', service('api'));
write('templated/policy.yaml', policy('api'));

const index = new WorkspaceIndex();
const scanned = index.scan([pathToFileURL(root).toString()]);

async function check(relative: string): Promise<{ codes: string[]; messages: string[] }> {
  await scanned;
  const path = join(root, relative);
  const uri = pathToFileURL(path).toString();
  const diagnostics = analyzeManifestFile(parseManifestFile(readFileSync(path, 'utf8')), {
    workspace: index.forDocument(uri),
  });
  return {
    codes: diagnostics.map((diagnostic) => diagnostic.code),
    messages: diagnostics.map((diagnostic) => diagnostic.message),
  };
}

describe('the workspace index compares a manifest with its scope only', () => {
  test('an example folder is not compared with another example', async () => {
    assert.deepEqual((await check('examples/redis/service.yaml')).codes, []);
    assert.deepEqual((await check('examples/redis/policy.yaml')).codes, []);
  });

  test('a monorepo app: compared with its own workloads only', async () => {
    assert.deepEqual((await check('services/a/k8s/service.yaml')).codes, []);
    const b = await check('services/b/k8s/service.yaml');
    assert.deepEqual(b.codes, ['KR3001']);
    assert.match(b.messages[0]!, /there: Deployment b\)/);
  });

  test('an explicit namespace needs a workload in that namespace', async () => {
    const prod = await check('prod/service.yaml');
    assert.deepEqual(prod.codes, ['KR3001']);
    assert.match(prod.messages[0]!, /namespace prod.*there: Deployment web\)/);
    assert.doesNotMatch(prod.messages[0]!, /stray|nginx/);
    assert.deepEqual((await check('prod/other.yaml')).codes, []);
    // No workload in staging anywhere: nothing to compare with.
    assert.deepEqual((await check('staging/service.yaml')).codes, []);
  });

  test('a kustomization: what it lists', async () => {
    const base = await check('kustomize/base/service.yaml');
    assert.deepEqual(base.codes, ['KR3001']);
    assert.match(base.messages[0]!, /\(there: Deployment web\)/);
  });

  test('a workload with duplicate keys is read as kubectl reads it', async () => {
    assert.deepEqual((await check('dup/service.yaml')).codes, []);
  });

  test('a workload that cannot be read silences its scope', async () => {
    assert.deepEqual((await check('templated/service.yaml')).codes, []);
    assert.deepEqual((await check('templated/policy.yaml')).codes, []);
    await scanned;
    const model = index.forDocument(pathToFileURL(join(root, 'templated/service.yaml')).toString());
    assert.deepEqual(
      model.unreadable?.(undefined).map((workload) => [workload.kind, workload.source?.label]),
      [['Deployment', 'templated/deployment.yaml']],
    );
  });
});

describe('the hover says what could not be read', () => {
  test('on the selector of a Service beside a templated workload', async () => {
    await scanned;
    const path = join(root, 'templated/service.yaml');
    const text = readFileSync(path, 'utf8');
    const result = hoverAt(parseManifestFile(text), text.indexOf('selector') + 1, {
      workspace: index.forDocument(pathToFileURL(path).toString()),
    });
    assert.match(result!.markdown, /1 workload here could not be read .*`templated\/deployment\.yaml:1`/);
  });
});
