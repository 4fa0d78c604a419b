/** Workspace-aware checks of routes (KR61xx), one case per code, and the quiet cases. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { parseAllDocuments } from 'yaml';
import type { WorkspaceModel, WrittenObject } from '../../../src/analysis/manifests/workspace.ts';
import { sameNamespace } from '../../../src/analysis/manifests/workloads.ts';
import { parseManifestFile } from '../../../src/analysis/manifests/document.ts';
import { hoverAt } from '../../../src/analysis/manifests/hover.ts';
import { analyze, codes, spans } from './helpers.ts';

const GATEWAY = `apiVersion: gateway.networking.k8s.io/v1
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
      hostname: "*.example.com"
      allowedRoutes:
        namespaces:
          from: All
    - name: internal
      protocol: HTTP
      port: 8080
`;

const SERVICE = `apiVersion: v1
kind: Service
metadata:
  name: api
  namespace: shop
spec:
  ports:
    - port: 8080
      targetPort: 9000
`;

const GRANT = `apiVersion: gateway.networking.k8s.io/v1beta1
kind: ReferenceGrant
metadata:
  name: from-shop
  namespace: data
spec:
  from:
    - group: gateway.networking.k8s.io
      kind: HTTPRoute
      namespace: shop
  to:
    - group: ""
      kind: Service
`;

const DATA_SERVICE = SERVICE.replace('name: api', 'name: db').replace('namespace: shop', 'namespace: data');

function route(
  parent: string,
  backend = '        - name: api\n          port: 8080\n',
  hostnames = '    - shop.example.com\n',
): string {
  return `apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata:
  name: shop
  namespace: shop
spec:
  parentRefs:
${parent}  hostnames:
${hostnames}  rules:
    - backendRefs:
${backend}`;
}

const PARENT = '    - name: public\n      namespace: infra\n      sectionName: http\n';

function written(text: string): WrittenObject {
  const value = parseAllDocuments(text)[0]!.toJS() as Record<string, unknown> & {
    kind: string;
    metadata: { name: string; namespace?: string };
  };
  return { kind: value.kind, name: value.metadata.name, namespace: value.metadata.namespace, value };
}

function workspace(texts: string[], complete = true): WorkspaceModel {
  const objects = texts.map(written);
  return {
    complete,
    workloads: () => [],
    services: (namespace) =>
      objects.filter((object) => object.kind === 'Service' && sameNamespace(namespace, object.namespace)),
    unreadableServices: () => [],
    gatewayApiObjects: () => objects.filter((object) => object.kind !== 'Service'),
  };
}

function found(
  text: string,
  texts: string[] = [GATEWAY, SERVICE],
): { codes: string[]; spans: string[]; messages: string[] } {
  const diagnostics = analyze(text, { workspace: workspace(texts) });
  return {
    codes: codes(diagnostics),
    spans: spans(text, diagnostics),
    messages: diagnostics.map((d) => d.message),
  };
}

describe('KR61xx', () => {
  test('an attached route with a written backend gives nothing', () => {
    assert.deepEqual(found(route(PARENT)).codes, []);
  });

  test('nothing before the workspace has been read, nor without any Gateway written', () => {
    assert.deepEqual(codes(analyze(route(PARENT), { workspace: workspace([GATEWAY, SERVICE], false) })), []);
    assert.deepEqual(found(route('    - name: other\n'), [SERVICE]).codes, []);
  });

  test('KR6101: a Gateway not written, with did-you-mean and its fix', () => {
    const result = found(route('    - name: pubic\n      namespace: infra\n'));
    assert.deepEqual(result.codes, ['KR6101']);
    assert.deepEqual(result.spans, ['pubic']);
    assert.match(
      result.messages[0]!,
      /No Gateway infra\/pubic is written in the workspace \(Gateways there: infra\/public; did you mean "public"\?\)\. Unless/,
    );
  });

  test('KR6102: a sectionName no listener has, on the sectionName', () => {
    const result = found(route(PARENT.replace('sectionName: http', 'sectionName: https')));
    assert.deepEqual(result.codes, ['KR6102']);
    assert.deepEqual(result.spans, ['https']);
    assert.match(
      result.messages[0]!,
      /no listener "https" \(its listeners: http \(HTTP 80\) and internal \(HTTP 8080\)\)/,
    );
  });

  test('KR6102: a port no listener has', () => {
    const result = found(route('    - name: public\n      namespace: infra\n      port: 443\n'));
    assert.deepEqual(result.codes, ['KR6102']);
    assert.deepEqual(result.spans, ['443']);
  });

  test('KR6103: a hostname no listener takes', () => {
    const result = found(route(PARENT, undefined, '    - shop.example.org\n'));
    assert.deepEqual(result.codes, ['KR6103']);
  });

  test('KR6104: a listener that allows only its own namespace', () => {
    const result = found(route('    - name: public\n      namespace: infra\n      sectionName: internal\n'));
    assert.deepEqual(result.codes, ['KR6104']);
  });

  test('KR6105: a Service in another namespace without ReferenceGrant; with one, nothing', () => {
    const backend = '        - name: db\n          namespace: data\n          port: 8080\n';
    const result = found(route(PARENT, backend), [GATEWAY, SERVICE, DATA_SERVICE]);
    assert.deepEqual(result.codes, ['KR6105']);
    assert.deepEqual(result.spans, ['data']);
    assert.deepEqual(found(route(PARENT, backend), [GATEWAY, SERVICE, DATA_SERVICE, GRANT]).codes, []);
  });

  test('KR6106: a Service not written, with did-you-mean', () => {
    const result = found(route(PARENT, '        - name: apj\n          port: 8080\n'));
    assert.deepEqual(result.codes, ['KR6106']);
    assert.match(result.messages[0]!, /Did you mean "api"\?/);
  });

  test('KR6107: the targetPort instead of the Service port', () => {
    const result = found(route(PARENT, '        - name: api\n          port: 9000\n'));
    assert.deepEqual(result.codes, ['KR6107']);
    assert.deepEqual(result.spans, ['9000']);
    assert.match(result.messages[0]!, /has no port 9000 \(its ports: 8080\)/);
  });
});

describe('route hovers', () => {
  test('on a parentRef: each listener, attached or why not', () => {
    const text = route('    - name: public\n      namespace: infra\n');
    const result = hoverAt(parseManifestFile(text), text.indexOf('name: public') + 7, {
      workspace: workspace([GATEWAY, SERVICE]),
    });
    assert.ok(result);
    assert.match(result.markdown, /\*\*Parent\*\* Gateway `infra\/public` · class `example`/);
    assert.match(result.markdown, /\*\*Attaches\*\* to 1 of 2 listeners \(Accepted True, Accepted\)/);
    assert.match(result.markdown, /- ✓ `http` \(HTTP 80\): attached/);
    assert.match(
      result.markdown,
      /- ✗ `internal` \(HTTP 8080\): not attached .*its own namespace infra only/,
    );
  });

  test('on a parentRef to a Gateway not written: said so', () => {
    const text = route('    - name: elsewhere\n');
    const result = hoverAt(parseManifestFile(text), text.indexOf('elsewhere'), {
      workspace: workspace([SERVICE]),
    });
    assert.ok(result);
    assert.match(result.markdown, /Gateway `shop\/elsewhere`/);
    assert.match(result.markdown, /not written in the workspace/);
  });

  test('on a backendRef: the Service as written, and the port', () => {
    const text = route(PARENT, '        - name: api\n          port: 9000\n');
    const result = hoverAt(parseManifestFile(text), text.indexOf('name: api') + 7, {
      workspace: workspace([GATEWAY, SERVICE]),
      clusterNote: 'no kubeconfig context.',
    });
    assert.ok(result);
    assert.match(result.markdown, /^\*\*Backend\*\* Service `shop\/api`, port `9000`/);
    assert.match(result.markdown, /- Service `api` · ports `8080\/TCP` · ✗ not this port/);
    assert.match(result.markdown, /\*\*Cluster\*\*: no kubeconfig context\./);
  });
});
