/**
 * Ingress manifests through the real language server (dist/server.js over stdio): static,
 * workspace-aware and cluster-aware diagnostics, hovers on a backend and a host, and quick fixes,
 * in a workspace of its own; then against the sandbox's demo scenario (KUBECONFIG pointing at it).
 */
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { useSandbox } from '../../support/sandbox.ts';
import { applyEdits, LspClient, positionOf, textAt, uriOf } from './lspClient.ts';
import type { Diagnostic } from './lspClient.ts';

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
    cert-manager.io/cluster-issuer: letsencrypt-prod
    nginx.ingress.kubernetes.io/ssl-redirect: "true"
spec:
  ingressClassName: nginx
  tls:
    - hosts:
        - shop.example.com
      secretName: shop-tls
  rules:
    - host: shop.example.com
      http:
        paths:
          - path: /
            backend:
              service:
                name: web
                port:
                  number: 8080
          - path: /static
            pathType: Prefix
            backend:
              service:
                name: web
                port:
                  name: http
`;

const LEGACY = `apiVersion: networking.k8s.io/v1
kind: Ingress
metadata:
  name: legacy
  namespace: shop
spec:
  ingressClassName: nginx
  rules:
    - host: shop.example.com
      http:
        paths:
          - path: /static
            pathType: Prefix
            backend:
              service:
                name: web
                port:
                  number: 80
`;

const HELM = `apiVersion: networking.k8s.io/v1
kind: Ingress
metadata:
  name: {{ include "chart.fullname" . }}
spec:
  rules:
    - host: {{ .Values.host | quote }}
      http:
        paths:
          - path: /
            backend:
              service:
                name: {{ include "chart.fullname" . }}
                port:
                  number: {{ .Values.port }}
`;

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

describe('an Ingress in the workspace', () => {
  let client: LspClient;
  let workspace: string;
  let uri: string;

  before(async () => {
    workspace = mkdtempSync(join(tmpdir(), 'kubereach-ingress-'));
    mkdirSync(join(workspace, 'shop'));
    mkdirSync(join(workspace, 'chart', 'templates'), { recursive: true });
    writeFileSync(join(workspace, 'shop', 'services.yaml'), SERVICES);
    writeFileSync(join(workspace, 'shop', 'ingress.yaml'), INGRESS);
    writeFileSync(join(workspace, 'shop', 'legacy-ingress.yaml'), LEGACY);
    writeFileSync(join(workspace, 'chart', 'templates', 'ingress.yaml'), HELM);
    client = await LspClient.start({ workspace });
    await scanned(client);
    uri = uriOf(join(workspace, 'shop', 'ingress.yaml'));
    await client.open(uri, INGRESS);
  });

  after(async () => {
    const code = await client.stop();
    rmSync(workspace, { recursive: true, force: true });
    assert.equal(code, 0, 'the server exits cleanly');
  });

  test('a missing pathType, the container port for the Service port, a path claimed twice', async () => {
    const diagnostics = await client.diagnostics(uri, (list) => list.length > 0);
    assert.deepEqual(codes(diagnostics), ['KR5001', 'KR5102', 'KR5103']);
    const pathType = diagnostics.find((d) => d.code === 'KR5001')!;
    assert.equal(textAt(INGRESS, pathType.range), 'path');
    assert.equal(pathType.range.start.line, positionOf(INGRESS, 'path: /\n').line);
    assert.equal(pathType.severity, 1, 'error');
    const port = diagnostics.find((d) => d.code === 'KR5102')!;
    assert.equal(textAt(INGRESS, port.range), '8080');
    assert.match(port.message, /8080 is the targetPort of Service port 80 \(http\)/);
    const claimed = diagnostics.find((d) => d.code === 'KR5103')!;
    assert.equal(textAt(INGRESS, claimed.range), '/static');
    assert.match(
      claimed.message,
      /also claimed by Ingress legacy \(shop\/legacy-ingress\.yaml:2\) of class nginx/,
    );
    assert.equal(claimed.severity, 2, 'warning');
  });

  test('a Helm template of an Ingress gets nothing', async () => {
    const helm = uriOf(join(workspace, 'chart', 'templates', 'ingress.yaml'));
    await client.open(helm, HELM);
    assert.deepEqual(await client.diagnostics(helm), []);
  });

  test('hover on the backend: the Service as written; on the host: its class, the address unknown', async () => {
    const backend = await client.hover(uri, positionOf(INGRESS, 'name: web', 2));
    assert.ok(backend);
    assert.match(
      backend.contents.value,
      /\*\*Backend\*\* Service `web`, port `8080` · `shop\.example\.com\/` \(no pathType\)/,
    );
    assert.match(
      backend.contents.value,
      /- Service `web` · `shop\/services\.yaml:2` · ports `80 \(http\)\/TCP` · ✗ not this port/,
    );
    assert.match(backend.contents.value, /\*\*Cluster\*\*: no kubeconfig context/);
    const host = await client.hover(uri, positionOf(INGRESS, 'shop.example.com', 2, 1));
    assert.ok(host);
    assert.match(host.contents.value, /\*\*Class\*\* `nginx` \(spec\.ingressClassName\)/);
    assert.match(host.contents.value, /\*\*Address\*\*: unknown/);
  });

  test('quick fixes: add pathType: Prefix, use the Service port; the diagnostics clear', async () => {
    const diagnostics = client.latest(uri)!.diagnostics;
    const pathType = diagnostics.find((d) => d.code === 'KR5001')!;
    const [addPathType] = await client.codeActions(uri, pathType.range, [pathType]);
    assert.equal(addPathType?.title, 'Add pathType: Prefix');
    assert.equal(addPathType.isPreferred, true);
    let text = applyEdits(INGRESS, addPathType.edit!.documentChanges![0]!.edits);
    assert.match(text, /number: 8080\n {12}pathType: Prefix\n {10}- path: \/static/);

    const port = diagnostics.find((d) => d.code === 'KR5102')!;
    const portFixes = await client.codeActions(uri, port.range, [port]);
    assert.deepEqual(
      portFixes.map((fix) => fix.title),
      ['Use Service port 80 (http)'],
    );
    // The pathType added above sits after the port, so the port's position is unchanged.
    text = applyEdits(text, portFixes[0]!.edit!.documentChanges![0]!.edits);
    await client.change(uri, 2, [{ text }]);
    const after = await client.diagnostics(uri, undefined, { version: 2 });
    assert.deepEqual(codes(after), ['KR5103']);
  });
});

describe('an Ingress against the sandbox', () => {
  const fixture = useSandbox({ scenario: 'demo' });
  let client: LspClient;
  let workspace: string;
  const text = `apiVersion: networking.k8s.io/v1
kind: Ingress
metadata:
  name: storefront
  namespace: shop
spec:
  rules:
    - host: shop.example.com
      http:
        paths:
          - path: /
            pathType: Prefix
            backend:
              service:
                name: frontend
                port:
                  name: http
          - path: /checkout
            pathType: Prefix
            backend:
              service:
                name: checkout
                port:
                  number: 80
          - path: /search
            pathType: Prefix
            backend:
              service:
                name: serch
                port:
                  number: 80
`;

  before(async () => {
    workspace = mkdtempSync(join(tmpdir(), 'kubereach-ingress-cluster-'));
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

  test("a backend with no ready endpoint, a Service that does not exist, a path the demo's Ingress claims; hover with live endpoints", async () => {
    const uri = uriOf(join(workspace, 'storefront.yaml'));
    await client.open(uri, text);
    const diagnostics = await client.diagnostics(
      uri,
      (list) => ['KR5201', 'KR5203', 'KR5206'].every((code) => list.some((d) => d.code === code)),
      { timeoutMs: 15_000 },
    );
    assert.deepEqual(codes(diagnostics), ['KR5201', 'KR5203', 'KR5206']);
    const noEndpoint = diagnostics.find((d) => d.code === 'KR5203')!;
    assert.equal(textAt(text, noEndpoint.range), 'checkout');
    assert.match(
      noEndpoint.message,
      /Service checkout in namespace shop of context kubereach-sandbox has 1 endpoint for port 80 and none is ready/,
    );
    const missing = diagnostics.find((d) => d.code === 'KR5201')!;
    assert.match(missing.message, /No Service "serch" in namespace shop of context kubereach-sandbox/);
    const claimed = diagnostics.find((d) => d.code === 'KR5206')!;
    assert.equal(claimed.range.start.line, positionOf(text, 'path: /\n').line);
    assert.match(claimed.message, /already claimed by live Ingress shop\/frontend of class sandbox/);
    const hover = await client.hover(uri, positionOf(text, 'name: frontend', 2));
    assert.ok(hover);
    assert.match(
      hover.contents.value,
      /\*\*Cluster\*\* `kubereach-sandbox`, namespace `shop`: Service `frontend` · ports `80 \(http\)\/TCP`/,
    );
    assert.match(hover.contents.value, /- \d+ endpoints?, [1-9]\d* ready\n- ✓ `/);
    const host = await client.hover(uri, positionOf(text, 'shop.example.com', 2));
    assert.ok(host);
    assert.match(
      host.contents.value,
      /- IngressClass sandbox \(the default IngressClass\), controller sandbox\.kubereach\.dev\/ingress-controller/,
    );
    assert.match(host.contents.value, /Ingress `storefront` is not in the cluster, so it has no address/);
  });

  test("the demo's own Ingress: the broken path's port, the live address on hover; a misspelt class", async () => {
    const frontend = `apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: { name: frontend, namespace: shop }
spec:
  ingressClassName: sandbox
  rules:
    - host: shop.example.com
      http:
        paths:
          - path: /
            pathType: Prefix
            backend: { service: { name: frontend, port: { name: http } } }
          - path: /admin
            pathType: Prefix
            backend: { service: { name: frontend, port: { number: 8443 } } }
`;
    const uri = uriOf(join(workspace, 'frontend.yaml'));
    await client.open(uri, frontend);
    const diagnostics = await client.diagnostics(uri, (list) => list.some((d) => d.code === 'KR5202'), {
      timeoutMs: 15_000,
    });
    assert.deepEqual(codes(diagnostics), ['KR5202']);
    assert.equal(textAt(frontend, diagnostics[0]!.range), '8443');
    assert.match(
      diagnostics[0]!.message,
      /Live Service frontend in namespace shop of context kubereach-sandbox has no port 8443/,
    );
    const [useHttp] = await client.codeActions(uri, diagnostics[0]!.range, diagnostics);
    assert.equal(useHttp?.title, 'Use Service port 80 (http)');

    // The sandbox's controller writes the address into the live Ingress's status.
    let markdown = '';
    for (let i = 0; i < 200 && !/- address `/.test(markdown); i++) {
      markdown = (await client.hover(uri, positionOf(frontend, 'shop.example.com', 2)))?.contents.value ?? '';
      if (!/- address `/.test(markdown)) {
        await new Promise((done) => setTimeout(done, 50));
      }
    }
    assert.match(markdown, /- address `[^`]+` \(from the live Ingress's status\)/);

    await client.change(uri, 2, [
      { text: frontend.replace('ingressClassName: sandbox', 'ingressClassName: sandbx') },
    ]);
    const misspelt = await client.diagnostics(uri, (list) => list.some((d) => d.code === 'KR5204'), {
      version: 2,
    });
    const kr5204 = misspelt.find((d) => d.code === 'KR5204')!;
    assert.match(
      kr5204.message,
      /No IngressClass "sandbx" in context kubereach-sandbox .*Did you mean "sandbox"\?/,
    );
    const [setClass] = await client.codeActions(uri, kr5204.range, [kr5204]);
    assert.equal(setClass?.title, 'Set ingressClassName to sandbox');
  });
});
