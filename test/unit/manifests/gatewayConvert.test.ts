/** "Convert to Gateway API" offered on an Ingress (pure part): where, onto which Gateway, what text. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseAllDocuments } from 'yaml';
import { parseManifestFile } from '../../../src/analysis/manifests/document.ts';
import { ingressConversionAt } from '../../../src/analysis/manifests/gatewayConvert.ts';
import type { WorkspaceModel, WrittenObject } from '../../../src/analysis/manifests/workspace.ts';
import { service } from './helpers.ts';

const INGRESS = `apiVersion: networking.k8s.io/v1
kind: Ingress
metadata:
  name: shop
  namespace: shop
spec:
  ingressClassName: nginx
  rules:
    - host: shop.example.com
      http:
        paths:
          - path: /
            pathType: Prefix
            backend:
              service:
                name: web
                port:
                  name: http
`;

function workspace(objects: WrittenObject[]): WorkspaceModel {
  return {
    complete: true,
    workloads: () => [],
    services: () => objects.filter((object) => object.kind === 'Service'),
    gatewayApiObjects: () => objects.filter((object) => object.kind !== 'Service'),
  };
}

function written(text: string): WrittenObject {
  const value = parseAllDocuments(text)[0]!.toJS() as Record<string, unknown> & {
    kind: string;
    metadata: { name: string; namespace?: string };
  };
  return { kind: value.kind, name: value.metadata.name, namespace: value.metadata.namespace, value };
}

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
`;

const WEB = written(service('  ports:\n    - name: http\n      port: 80\n      targetPort: 8080\n'));

test('offered on an Ingress, with a Gateway when the workspace has none', () => {
  const file = parseManifestFile(`${service('  ports:\n    - port: 80\n')}---\n${INGRESS}`);
  const offset = file.chunks[1]!.offset + INGRESS.indexOf('shop.example.com');
  const action = ingressConversionAt(file, offset, workspace([WEB]));
  assert.ok(action);
  assert.equal(action.createsGateway, true);
  assert.deepEqual(action.parent, { namespace: 'shop', name: 'nginx' });
  assert.equal(action.ingressName, 'shop');
  const kinds = parseAllDocuments(action.text).map((document) => (document.toJS() as { kind: string }).kind);
  assert.deepEqual(kinds, ['Gateway', 'HTTPRoute']);
  assert.match(action.text, /port: 80\n/, 'the named port as the written Service port number');
  assert.equal(ingressConversionAt(file, 10, workspace([WEB])), undefined, 'not on the Service');
});

test('onto the Gateway written in the workspace, without writing one', () => {
  const file = parseManifestFile(INGRESS);
  const action = ingressConversionAt(file, INGRESS.indexOf('web'), workspace([WEB, written(GATEWAY)]));
  assert.ok(action);
  assert.equal(action.createsGateway, false);
  assert.deepEqual(action.parent, { namespace: 'infra', name: 'public' });
  assert.match(action.title, /on Gateway infra\/public/);
  assert.doesNotMatch(action.text, /kind: Gateway\n/);
});

test('not on a kustomize patch of an Ingress', () => {
  const file = parseManifestFile(INGRESS, { isPatch: true });
  assert.equal(ingressConversionAt(file, INGRESS.indexOf('web'), workspace([])), undefined);
});
