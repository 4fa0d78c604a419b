/**
 * The Gateway API through the real language server (dist/server.js over stdio): static checks of
 * an HTTPRoute, and "Convert to Gateway API" on an Ingress, which creates a file beside it with the
 * HTTPRoute(s), a Gateway when the workspace has none, and the differences header.
 */
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { parseAllDocuments } from 'yaml';
import { useSandbox } from '../../support/sandbox.ts';
import { LspClient, positionOf, textAt, uriOf } from './lspClient.ts';
import type { CodeAction, Diagnostic, TextEdit } from './lspClient.ts';

const SERVICES = `apiVersion: v1
kind: Service
metadata:
  name: web
  namespace: shop
spec:
  selector: { app: web }
  ports:
    - name: http
      port: 80
      targetPort: 8080
`;

const INGRESS = `apiVersion: networking.k8s.io/v1
kind: Ingress
metadata:
  name: shop
  namespace: shop
  annotations:
    nginx.ingress.kubernetes.io/rewrite-target: /
spec:
  ingressClassName: nginx
  rules:
    - host: shop.example.com
      http:
        paths:
          - path: /api
            pathType: Prefix
            backend:
              service:
                name: web
                port:
                  name: http
`;

const ROUTE = `apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata:
  name: api
  namespace: shop
spec:
  parentRefs:
    - name: nginx
  rules:
    - matches:
        - path:
            type: PathPrefix
            value: api
      backendRefs:
        - name: web
          port: 80
`;

interface Written {
  kind: string;
  metadata: { name?: string; namespace?: string };
  spec: {
    hostnames?: string[];
    parentRefs: { name: string; namespace?: string }[];
    rules: { backendRefs: { port: number }[] }[];
  };
}

type Change =
  | { kind: 'create'; uri: string; options?: { overwrite?: boolean; ignoreIfExists?: boolean } }
  | { textDocument: { uri: string; version: number | null }; edits: TextEdit[] };

function changesOf(action: CodeAction): Change[] {
  return (action.edit?.documentChanges ?? []) as unknown as Change[];
}

function codes(diagnostics: readonly Diagnostic[]): string[] {
  return diagnostics.map((diagnostic) => String(diagnostic.code)).sort();
}

async function scanned(client: LspClient): Promise<void> {
  for (let i = 0; i < 400; i++) {
    if ((await client.status()).workspace.complete) {
      return;
    }
    await new Promise((done) => setTimeout(done, 25));
  }
  throw new Error('the workspace scan did not finish');
}

describe('Gateway API in the language server', () => {
  let client: LspClient;
  let workspace: string;
  let ingressUri: string;

  before(async () => {
    workspace = mkdtempSync(join(tmpdir(), 'kubereach-gateway-'));
    mkdirSync(join(workspace, 'shop'));
    writeFileSync(join(workspace, 'shop', 'services.yaml'), SERVICES);
    writeFileSync(join(workspace, 'shop', 'ingress.yaml'), INGRESS);
    client = await LspClient.start({ workspace, resourceOperations: ['create', 'rename', 'delete'] });
    await scanned(client);
    ingressUri = uriOf(join(workspace, 'shop', 'ingress.yaml'));
    await client.open(ingressUri, INGRESS);
  });

  after(async () => {
    const code = await client.stop();
    rmSync(workspace, { recursive: true, force: true });
    assert.equal(code, 0, 'the server exits cleanly');
  });

  test('an HTTPRoute path that is not absolute: KR6008 on the value', async () => {
    const uri = uriOf(join(workspace, 'shop', 'route.yaml'));
    await client.open(uri, ROUTE);
    const diagnostics = await client.diagnostics(uri, (list) => list.length > 0);
    assert.deepEqual(codes(diagnostics), ['KR6008']);
    assert.equal(textAt(ROUTE, diagnostics[0]!.range), 'api');
    assert.equal(diagnostics[0]!.severity, 1, 'error');
    assert.match(diagnostics[0]!.message, /absolute path/);
    await client.close(uri);
  });

  test('Convert to Gateway API: a new file beside the Ingress with a Gateway and the HTTPRoute', async () => {
    const at = positionOf(INGRESS, 'shop.example.com');
    const actions = await client.codeActionsOfKind(ingressUri, { start: at, end: at }, ['refactor.rewrite']);
    assert.equal(actions.length, 1, JSON.stringify(actions.map((action) => action.title)));
    const action = actions[0]!;
    assert.equal(action.kind, 'refactor.rewrite');
    assert.match(
      action.title,
      /^Convert to Gateway API \(HTTPRoutes and a Gateway shop\/nginx, in a new file\): shop\.gateway-api\.yaml$/,
    );
    const [create, insert] = changesOf(action);
    const target = uriOf(join(workspace, 'shop', 'shop.gateway-api.yaml'));
    assert.deepEqual(create, {
      kind: 'create',
      uri: target,
      options: { overwrite: false, ignoreIfExists: false },
    });
    assert.ok(insert !== undefined && 'textDocument' in insert);
    assert.equal(insert.textDocument.uri, target);
    const text = insert.edits[0]!.newText;
    assert.match(text, /^# Converted from Ingress shop\/shop by KubeReach\./);
    assert.match(text, /rewrite-target/, 'the header names the annotation that does not carry over');
    const documents = parseAllDocuments(text).map((document) => document.toJS() as Written);
    assert.deepEqual(
      documents.map((document) => document.kind),
      ['Gateway', 'HTTPRoute'],
    );
    const route = documents[1]!;
    assert.deepEqual(route.spec.hostnames, ['shop.example.com']);
    assert.equal(route.spec.parentRefs[0].name, 'nginx');
    assert.equal(documents[0]!.metadata.name, 'nginx');
    assert.equal(documents[0]!.metadata.namespace, 'shop');
    assert.equal(
      route.spec.rules[0].backendRefs[0].port,
      80,
      'the named port became the Service port number',
    );
  });

  test('with a Gateway written in the workspace, the routes attach to it and no Gateway is written', async () => {
    const gateway = `apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata:
  name: public
  namespace: infra
spec:
  gatewayClassName: example
  listeners:
    - name: http
      protocol: HTTP
      port: 80
      allowedRoutes:
        namespaces:
          from: All
`;
    const gatewayUri = uriOf(join(workspace, 'gateway.yaml'));
    await client.open(gatewayUri, gateway);
    assert.deepEqual(await client.diagnostics(gatewayUri), []);
    const at = positionOf(INGRESS, 'name: web');
    // The Gateway's diagnostics are published after the index took the open document.
    const actions = await client.codeActionsOfKind(ingressUri, { start: at, end: at }, ['refactor']);
    assert.match(actions[0]!.title, /HTTPRoutes on Gateway infra\/public/);
    const insert = changesOf(actions[0]!)[1]!;
    assert.ok('textDocument' in insert);
    const documents = parseAllDocuments(insert.edits[0]!.newText).map(
      (document) => document.toJS() as Written,
    );
    assert.deepEqual(
      documents.map((document) => document.kind),
      ['HTTPRoute'],
    );
    assert.equal(documents[0]!.spec.parentRefs[0].name, 'public');
    assert.equal(documents[0]!.spec.parentRefs[0].namespace, 'infra');
    await client.close(gatewayUri);
  });

  test('workspace checks: a sectionName no listener of the written Gateway has, a Service port that is the targetPort', async () => {
    const gateway = `apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata:
  name: public
  namespace: infra
spec:
  gatewayClassName: example
  listeners:
    - name: http
      protocol: HTTP
      port: 80
      allowedRoutes:
        namespaces:
          from: All
`;
    const gatewayUri = uriOf(join(workspace, 'gateway.yaml'));
    await client.open(gatewayUri, gateway);
    await client.diagnostics(gatewayUri);
    const route = ROUTE.replace(
      '    - name: nginx\n',
      '    - name: public\n      namespace: infra\n      sectionName: https\n',
    )
      .replace('value: api', 'value: /api')
      .replace('port: 80\n', 'port: 8080\n');
    const uri = uriOf(join(workspace, 'shop', 'route.yaml'));
    await client.open(uri, route);
    const diagnostics = await client.diagnostics(uri, (list) => list.length > 0);
    assert.deepEqual(codes(diagnostics), ['KR6102', 'KR6107']);
    const section = diagnostics.find((d) => d.code === 'KR6102')!;
    assert.equal(textAt(route, section.range), 'https');
    assert.match(
      section.message,
      /Gateway infra\/public has no listener "https" \(its listeners: http \(HTTP 80\)\)/,
    );
    const port = diagnostics.find((d) => d.code === 'KR6107')!;
    assert.equal(textAt(route, port.range), '8080');
    assert.equal(port.severity, 1, 'error');
    const hover = await client.hover(uri, positionOf(route, 'name: public', 7));
    assert.ok(hover);
    assert.match(hover.contents.value, /\*\*Parent\*\* Gateway `infra\/public` · class `example`/);
    assert.match(hover.contents.value, /- ✗ `http` \(HTTP 80\): /);
    const backend = await client.hover(uri, positionOf(route, 'name: web', 7));
    assert.ok(backend);
    assert.match(backend.contents.value, /\*\*Backend\*\* Service `shop\/web`, port `8080`/);
    assert.match(
      backend.contents.value,
      /- Service `web` · `shop\/services\.yaml:2` · ports `80 \(http\)\/TCP` · ✗ not this port/,
    );
    // Fixed in the editor: the diagnostics clear.
    const fixed = route
      .replace('sectionName: https', 'sectionName: http')
      .replace('port: 8080\n', 'port: 80\n');
    await client.change(uri, 2, [{ text: fixed }]);
    assert.deepEqual(await client.diagnostics(uri, undefined, { version: 2 }), []);
    await client.close(uri);
    await client.close(gatewayUri);
  });

  test('not offered on a Service, nor for quick fixes only', async () => {
    const servicesUri = uriOf(join(workspace, 'shop', 'services.yaml'));
    await client.open(servicesUri, SERVICES);
    const at = positionOf(SERVICES, 'name: web');
    assert.deepEqual(await client.codeActionsOfKind(servicesUri, { start: at, end: at }, ['refactor']), []);
    const onIngress = positionOf(INGRESS, 'shop.example.com');
    assert.deepEqual(
      await client.codeActionsOfKind(ingressUri, { start: onIngress, end: onIngress }, ['quickfix']),
      [],
    );
    await client.close(servicesUri);
  });
});

describe('a client that cannot create files', () => {
  test('is not offered the conversion', async () => {
    const client = await LspClient.start({});
    try {
      const uri = 'untitled:ingress.yaml';
      await client.open(uri, INGRESS);
      await client.diagnostics(uri);
      const at = positionOf(INGRESS, 'shop.example.com');
      assert.deepEqual(await client.codeActionsOfKind(uri, { start: at, end: at }, ['refactor']), []);
    } finally {
      assert.equal(await client.stop(), 0);
    }
  });
});

describe('route backends against the sandbox', () => {
  const fixture = useSandbox({ scenario: 'demo' });
  let client: LspClient;
  let workspace: string;
  const text = `apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata:
  name: storefront
  namespace: shop
spec:
  parentRefs:
    - name: public
  rules:
    - backendRefs:
        - name: checkout
          port: 80
        - name: serch
          port: 80
        - name: frontend
          port: 81
`;

  before(async () => {
    workspace = mkdtempSync(join(tmpdir(), 'kubereach-gateway-cluster-'));
    client = await LspClient.start({
      workspace,
      env: { KUBECONFIG: fixture.sandbox.kubeconfigPath },
      settings: { clusterAware: true },
      initializationOptions: { workspaceTrusted: false },
    });
    await scanned(client);
  });

  after(async () => {
    const code = await client.stop();
    rmSync(workspace, { recursive: true, force: true });
    assert.equal(code, 0);
  });

  test('no ready endpoint, a Service that does not exist, a port the live Service does not have; hover with live endpoints', async () => {
    const uri = uriOf(join(workspace, 'route.yaml'));
    await client.open(uri, text);
    const diagnostics = await client.diagnostics(
      uri,
      (list) => ['KR6201', 'KR6202', 'KR6203', 'KR6204'].every((code) => list.some((d) => d.code === code)),
      { timeoutMs: 15_000 },
    );
    // KR6204 too: the demo has no Gateway shop/public (the live Gateway API is read as well).
    assert.deepEqual(codes(diagnostics), ['KR6201', 'KR6202', 'KR6203', 'KR6204']);
    const noEndpoint = diagnostics.find((d) => d.code === 'KR6203')!;
    assert.equal(textAt(text, noEndpoint.range), 'checkout');
    assert.match(
      noEndpoint.message,
      /Service checkout in namespace shop of context kubereach-sandbox has 1 endpoint for port 80 and none is ready/,
    );
    const missing = diagnostics.find((d) => d.code === 'KR6201')!;
    assert.equal(textAt(text, missing.range), 'serch');
    const port = diagnostics.find((d) => d.code === 'KR6202')!;
    assert.equal(textAt(text, port.range), '81');
    const hover = await client.hover(uri, positionOf(text, 'name: frontend', 7));
    assert.ok(hover);
    assert.match(
      hover.contents.value,
      /\*\*Cluster\*\* `kubereach-sandbox`, namespace `shop`: Service `frontend` · ports `80 \(http\)\/TCP`/,
    );
    assert.match(hover.contents.value, /- ✗ no port `81`/);
  });
});
