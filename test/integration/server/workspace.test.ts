/**
 * The language server as an editor sees it, without a cluster: dist/server.js over stdio, a copy
 * of the fixture workspace as the workspace folder. Workspace-aware and static diagnostics, hovers,
 * quick fixes, and the inputs that must produce no noise (Helm, kustomize patches, other YAML,
 * syntax errors, huge files).
 */
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { applyEdits, copyFixtureWorkspace, LspClient, positionOf, textAt, uriOf } from './lspClient.ts';
import type { Diagnostic } from './lspClient.ts';

let client: LspClient;
let workspace: string;

function read(relative: string): string {
  return readFileSync(join(workspace, relative), 'utf8');
}

async function openFile(relative: string): Promise<{ uri: string; text: string }> {
  const uri = uriOf(join(workspace, relative));
  const text = read(relative);
  await client.open(uri, text);
  return { uri, text };
}

function codes(diagnostics: readonly Diagnostic[]): string[] {
  return diagnostics.map((diagnostic) => String(diagnostic.code)).sort();
}

before(async () => {
  workspace = copyFixtureWorkspace();
  client = await LspClient.start({ workspace });
});

after(async () => {
  const code = await client.stop();
  rmSync(workspace, { recursive: true, force: true });
  assert.equal(code, 0, 'the server exits cleanly');
});

async function scanned(): Promise<void> {
  for (let i = 0; i < 200; i++) {
    const status = await client.status();
    if (status.workspace.complete) {
      return;
    }
    await new Promise((done) => setTimeout(done, 25));
  }
  throw new Error('the workspace scan did not finish');
}

describe('workspace-aware diagnostics', () => {
  before(scanned);

  test('the scan indexed the workloads of the workspace, not the patches or templates', async () => {
    const status = await client.status();
    assert.equal(status.workspace.complete, true);
    // frontend, backend, checkout, db, web (kustomize base).
    assert.equal(status.workspace.workloads, 5);
    assert.equal(status.cluster.enabled, false);
  });

  test('a Service selecting nothing, and a named targetPort no container declares', async () => {
    const { uri, text } = await openFile('shop/services.yaml');
    const diagnostics = await client.diagnostics(uri);
    assert.deepEqual(codes(diagnostics), ['KR3001', 'KR3002']);
    const kr3001 = diagnostics.find((d) => d.code === 'KR3001')!;
    assert.equal(textAt(text, kr3001.range), 'selector');
    assert.equal(kr3001.range.start.line, positionOf(text, 'app: legacy-api').line - 1);
    assert.match(kr3001.message, /app=legacy-api/);
    assert.equal(kr3001.severity, 2, 'warning');
    assert.equal(kr3001.source, 'kubereach');
    const kr3002 = diagnostics.find((d) => d.code === 'KR3002')!;
    assert.equal(textAt(text, kr3002.range), 'metrics');
    assert.equal(kr3002.severity, 1, 'error');
    assert.match(kr3002.message, /Deployment backend/);
  });

  test('quick fixes: copy a Deployment selector, point targetPort at a declared port', async () => {
    const uri = uriOf(join(workspace, 'shop/services.yaml'));
    const text = read('shop/services.yaml');
    const diagnostics = client.latest(uri)!.diagnostics;
    const selectorDiagnostic = diagnostics.find((d) => d.code === 'KR3001')!;
    const selectorFixes = await client.codeActions(uri, selectorDiagnostic.range, [selectorDiagnostic]);
    const copy = selectorFixes.find((fix) => fix.title.includes('Deployment backend'));
    assert.ok(copy, `fixes: ${selectorFixes.map((fix) => fix.title).join(' | ')}`);
    assert.equal(copy.kind, 'quickfix');
    const edits = copy.edit!.documentChanges![0]!.edits;
    const fixed = applyEdits(text, edits);
    assert.match(fixed, /name: legacy-api\n {2}namespace: shop\nspec:\n {2}selector:\n {4}app: backend\n/);

    const portDiagnostic = diagnostics.find((d) => d.code === 'KR3002')!;
    const portFixes = await client.codeActions(uri, portDiagnostic.range, [portDiagnostic]);
    assert.deepEqual(
      portFixes.map((fix) => fix.title),
      [
        'Set targetPort to http (8080 in container backend of Deployment backend)',
        'Set targetPort to 8080',
        'Set targetPort to grpc (9090 in container backend of Deployment backend)',
        'Set targetPort to 9090',
      ],
    );
    const toHttp = applyEdits(text, portFixes[0]!.edit!.documentChanges![0]!.edits);
    assert.match(toHttp, /port: 9100\n {6}targetPort: http\n/);

    // Applying the fix clears the diagnostic.
    await client.change(uri, 2, [{ text: toHttp }]);
    const after = await client.diagnostics(uri, undefined, { version: 2 });
    assert.deepEqual(codes(after), ['KR3001']);
  });

  test('editing a workload updates the Services of other documents', async () => {
    const services = uriOf(join(workspace, 'shop/services.yaml'));
    const { uri, text } = await openFile('shop/workloads.yaml');
    await client.diagnostics(uri);
    // Rename backend's http port: the payments Service (now targetPort http) loses its port.
    const renamed = text.replace(
      '- name: http\n              containerPort: 8080\n            - name: grpc',
      '- name: web\n              containerPort: 8080\n            - name: grpc',
    );
    assert.notEqual(renamed, text);
    await client.change(uri, 2, [{ text: renamed }]);
    const diagnostics = await client.diagnostics(
      services,
      (list) => list.filter((d) => d.code === 'KR3002').length === 2,
    );
    assert.ok(diagnostics.some((d) => d.message.includes('"http"')));
    await client.change(uri, 3, [{ text }]);
    await client.diagnostics(services, (list) => !list.some((d) => d.code === 'KR3002'));
    await client.close(uri);
  });

  test('a NetworkPolicy selecting no workload gets an information', async () => {
    const { uri, text } = await openFile('data/db.yaml');
    const diagnostics = await client.diagnostics(uri);
    assert.deepEqual(codes(diagnostics), ['KR3004']);
    assert.equal(diagnostics[0]!.severity, 3);
    assert.equal(diagnostics[0]!.range.start.line, positionOf(text, 'app: cache').line - 2);
  });
});

describe('static diagnostics', () => {
  test('misspelt keys, unnamed ports, quoted numbers, bad type and protocol', async () => {
    const { uri, text } = await openFile('shop/typos.yaml');
    const diagnostics = await client.diagnostics(uri);
    const byText = (code: string) =>
      diagnostics.filter((d) => d.code === code).map((d) => textAt(text, d.range));
    assert.deepEqual(byText('KR1015').sort(), ['poarts', 'selecter']);
    assert.deepEqual(byText('KR1005'), ['port', 'port']);
    assert.deepEqual(byText('KR1003'), ["'8080'"]);
    assert.deepEqual(byText('KR1004'), ['tcp']);
    assert.deepEqual(byText('KR1010'), ['nodeport']);
    assert.deepEqual(byText('KR1014'), ['1.0']);
    assert.deepEqual(byText('KR1011'), ['None']);
    assert.deepEqual(byText('KR1012'), ['ExternalName']);
    // The Service with `poarts` has no ports, as far as the API server is concerned.
    assert.ok(diagnostics.some((d) => d.code === 'KR1001'));
  });

  test('did-you-mean fixes rename the key', async () => {
    const uri = uriOf(join(workspace, 'shop/typos.yaml'));
    const text = read('shop/typos.yaml');
    const diagnostics = client.latest(uri)!.diagnostics;
    for (const [typo, fixedKey] of [
      ['poarts', 'ports'],
      ['selecter', 'selector'],
    ] as const) {
      const diagnostic = diagnostics.find((d) => d.code === 'KR1015' && textAt(text, d.range) === typo)!;
      assert.match(diagnostic.message, new RegExp(`Did you mean "${fixedKey}"`));
      const [fix] = await client.codeActions(uri, diagnostic.range, [diagnostic]);
      assert.equal(fix!.title, `Rename "${typo}" to "${fixedKey}"`);
      assert.equal(fix!.isPreferred, true);
      assert.equal(
        textAt(applyEdits(text, fix!.edit!.documentChanges![0]!.edits), diagnostic.range).startsWith(
          fixedKey,
        ),
        true,
      );
    }
  });

  test('targetPoart is found once ports is spelt right, and fixed too', async () => {
    const uri = uriOf(join(workspace, 'shop/typos.yaml'));
    const text = read('shop/typos.yaml').replace('poarts:', 'ports:');
    await client.change(uri, 2, [{ text }]);
    const diagnostics = await client.diagnostics(uri, undefined, { version: 2 });
    const diagnostic = diagnostics.find(
      (d) => d.code === 'KR1015' && textAt(text, d.range) === 'targetPoart',
    );
    assert.ok(diagnostic, 'targetPoart is reported');
    const [fix] = await client.codeActions(uri, diagnostic.range, [diagnostic]);
    assert.equal(fix!.title, 'Rename "targetPoart" to "targetPort"');
  });

  test('naming an unnamed port', async () => {
    const uri = uriOf(join(workspace, 'shop/typos.yaml'));
    const text = read('shop/typos.yaml').replace('poarts:', 'ports:');
    const diagnostic = client.latest(uri)!.diagnostics.find((d) => d.code === 'KR1005')!;
    const [fix] = await client.codeActions(uri, diagnostic.range, [diagnostic]);
    assert.equal(fix!.title, 'Name this port "http"');
    const fixed = applyEdits(text, fix!.edit!.documentChanges![0]!.edits);
    assert.match(fixed, /ports:\n {4}- name: http\n {6}port: 80\n {6}targetPort: http\n {4}- port: 9090/);
  });

  test('NetworkPolicy static errors', async () => {
    const { uri, text } = await openFile('data/policies-invalid.yaml');
    const diagnostics = await client.diagnostics(uri);
    const byCode = (code: string) =>
      diagnostics.filter((d) => d.code === code).map((d) => textAt(text, d.range));
    assert.deepEqual(byCode('KR2002'), ['ingress']);
    assert.deepEqual(byCode('KR2006'), ['10.0.0.0/33']);
    assert.deepEqual(byCode('KR2007'), ['10.1.0.0/24']);
    assert.deepEqual(byCode('KR2010').sort(), ['ipBlock', '{}']);
    assert.deepEqual(byCode('KR2004'), ["'5432'"]);
    assert.deepEqual(byCode('KR2005').sort(), ['7000', '9000']);
    assert.deepEqual(byCode('KR2009'), ['in']);
    assert.deepEqual(byCode('KR2001'), ['spec']);
  });
});

describe('hover', () => {
  test('on a selector: the matching workloads of the workspace', async () => {
    const uri = uriOf(join(workspace, 'shop/services.yaml'));
    const text = read('shop/services.yaml');
    const hover = await client.hover(uri, positionOf(text, 'app: backend', 2));
    assert.ok(hover);
    assert.equal(hover.contents.kind, 'markdown');
    assert.match(hover.contents.value, /\*\*Selector\*\* `app=backend`/);
    assert.match(hover.contents.value, /Deployment `backend` · `shop\/workloads\.yaml:\d+`/);
    assert.match(hover.contents.value, /\*\*Cluster\*\*: /, 'says why there is no cluster section');
  });

  test('on a targetPort: the container port in each matching template', async () => {
    const uri = uriOf(join(workspace, 'shop/services.yaml'));
    const text = read('shop/services.yaml');
    const hover = await client.hover(uri, positionOf(text, 'targetPort: grpc', 13));
    assert.ok(hover);
    assert.match(hover.contents.value, /TCP port named "grpc"/);
    assert.match(hover.contents.value, /Deployment `backend`.*container `backend` port 9090\/TCP/);
  });

  test('on a NetworkPolicy podSelector: the selected workloads', async () => {
    const uri = uriOf(join(workspace, 'data/db.yaml'));
    const text = read('data/db.yaml');
    const hover = await client.hover(uri, positionOf(text, 'podSelector:', 3));
    assert.ok(hover);
    assert.match(hover.contents.value, /\*\*podSelector\*\* `app=db`/);
    assert.match(hover.contents.value, /StatefulSet `db`/);
  });

  test('elsewhere: nothing', async () => {
    const uri = uriOf(join(workspace, 'data/db.yaml'));
    assert.equal(await client.hover(uri, { line: 0, character: 2 }), null);
  });
});

describe('no noise', () => {
  test('Helm templates, kustomize patches, other YAML and syntax errors give no diagnostics', async () => {
    for (const file of [
      'chart/templates/service.yaml',
      'chart/values.yaml',
      'kustomize/overlays/prod/service-patch.yaml',
      'kustomize/base/service.yaml',
      'misc/not-kubernetes.yaml',
      'broken/syntax-error.yaml',
    ]) {
      const { uri } = await openFile(file);
      const diagnostics = await client.diagnostics(uri);
      assert.deepEqual(diagnostics, [], file);
    }
  });

  test('anchors and merge keys resolve; a List contributes its items', async () => {
    const anchors = await openFile('misc/anchors.yaml');
    assert.deepEqual(await client.diagnostics(anchors.uri), []);
    const list = await openFile('misc/list.yaml');
    const diagnostics = await client.diagnostics(list.uri);
    assert.deepEqual(codes(diagnostics), ['KR3002']);
    assert.equal(textAt(list.text, diagnostics[0]!.range), 'htpp');
  });

  test('garbage of every kind does not take the server down', async () => {
    const uri = uriOf(join(workspace, 'garbage.yaml'));
    const inputs = [
      '',
      '---',
      '--- !!binary |\n  R0lGODlhDAAMAIQAAP',
      'a: &a [*a]',
      'x: &x\n  y: *x\n',
      `${'- '.repeat(2000)}x`,
      '{'.repeat(5000),
      'kind: Service\napiVersion: v1\nspec: [1, 2',
      'kind: Service\napiVersion: v1\nspec:\n  ports: 12\n  selector: [a]\n',
      'kind: NetworkPolicy\napiVersion: networking.k8s.io/v1\nspec:\n  ingress: {}\n  egress: [1, null, {from: 3}]\n  podSelector: 7\n',
      'apiVersion: v1\nkind: Service\nspec:\n  ports:\n    - port: 80\n      targetPort: {a: 1}\n      nodePort: [1]\n',
      '\u0000\u0001\u0002',
      'apiVersion: v1\nkind: List\nitems: [1, {kind: Service, apiVersion: v1}]\n',
    ];
    await client.open(uri, 'x: 1');
    let version = 1;
    for (const input of inputs) {
      version++;
      await client.change(uri, version, [{ text: input }]);
      await client.diagnostics(uri, undefined, { version });
    }
    const status = await client.status();
    assert.equal(status.workspace.complete, true, 'still answering');
    await client.close(uri);
  });
});

describe('hostile input', () => {
  test('a 60 KB document of nested flow sequences gets one note, and a hover elsewhere answers at once', async () => {
    const deep = uriOf(join(workspace, 'deep.yaml'));
    const text = `apiVersion: v1\nkind: Service\nmetadata: { name: deep }\nspec:\n  ports: ${'['.repeat(30_000)}${']'.repeat(30_000)}\n`;
    const services = await openFile('shop/services.yaml');
    await client.open(deep, text);
    const hover = await client.hover(services.uri, positionOf(services.text, 'selector:', 1));
    assert.ok(hover, 'the hover on another document is answered');
    const diagnostics = await client.diagnostics(deep);
    assert.deepEqual(codes(diagnostics), ['KR0001']);
    assert.match(diagnostics[0]!.message, /nested more than 64 deep/);
    assert.deepEqual(diagnostics[0]!.range.start, { line: 0, character: 0 });
    await client.close(deep);
  });

  test('a Service whose lines end with a lone CR gets its diagnostics where the editor shows the lines', async () => {
    const uri = uriOf(join(workspace, 'cr.yaml'));
    const text =
      'apiVersion: v1\rkind: Service\rmetadata:\r  name: cr\r  namespace: shop\rspec:\r  selector:\r    app: backend\r  ports:\r    - name: http\r      port: 70000\r      targetPort: http\r';
    await client.open(uri, text);
    const diagnostics = await client.diagnostics(uri);
    assert.deepEqual(codes(diagnostics), ['KR1002']);
    assert.deepEqual(diagnostics[0]!.range, {
      start: { line: 10, character: 12 },
      end: { line: 10, character: 17 },
    });
    await client.close(uri);
  });
});

describe('workspace files', () => {
  test('a file created on disk is indexed after workspace/didChangeWatchedFiles', async () => {
    const services = uriOf(join(workspace, 'shop/services.yaml'));
    const path = join(workspace, 'shop/legacy.yaml');
    writeFileSync(
      path,
      'apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: legacy-api\n  namespace: shop\nspec:\n  selector:\n    matchLabels: { app: legacy-api }\n  template:\n    metadata:\n      labels: { app: legacy-api }\n    spec:\n      containers:\n        - name: api\n          ports: [{ containerPort: 8080 }]\n',
    );
    await client.connection.sendNotification('workspace/didChangeWatchedFiles', {
      changes: [{ uri: uriOf(path), type: 1 }],
    });
    await client.diagnostics(services, (list) => !list.some((d) => d.code === 'KR3001'));
    rmSync(path);
    await client.connection.sendNotification('workspace/didChangeWatchedFiles', {
      changes: [{ uri: uriOf(path), type: 3 }],
    });
    await client.diagnostics(services, (list) => list.some((d) => d.code === 'KR3001'));
  });

  test('a namespace-less Service is compared with its own folder, not every workload of the workspace', async () => {
    await scanned();
    const folder = join(workspace, 'examples/redis');
    mkdirSync(folder, { recursive: true });
    const service =
      'apiVersion: v1\nkind: Service\nmetadata:\n  name: redis\nspec:\n  selector:\n    app: redis\n  ports:\n    - port: 6379\n';
    writeFileSync(join(folder, 'service.yaml'), service);
    const uri = uriOf(join(folder, 'service.yaml'));
    await client.open(uri, service);
    // The workloads of shop/, data/ and kustomize/ are not applied with it: nothing to say.
    assert.deepEqual(codes(await client.diagnostics(uri)), []);
    // A workload beside it is.
    const deployment =
      'apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: cache\nspec:\n  template:\n    metadata:\n      labels: { app: cache }\n    spec:\n      containers: [{ name: redis, ports: [{ containerPort: 6379 }] }]\n';
    writeFileSync(join(folder, 'deployment.yaml'), deployment);
    await client.connection.sendNotification('workspace/didChangeWatchedFiles', {
      changes: [{ uri: uriOf(join(folder, 'deployment.yaml')), type: 1 }],
    });
    const diagnostics = await client.diagnostics(uri, (list) => list.length > 0);
    assert.deepEqual(codes(diagnostics), ['KR3001']);
    assert.match(diagnostics[0]!.message, /folder or kustomization.*\(there: Deployment cache\)/);
    await client.close(uri);
    rmSync(join(workspace, 'examples'), { recursive: true, force: true });
  });
});
