/**
 * Static checks of Gateway API manifests (KR60xx): the Gateway API documentation's examples give
 * nothing; each mistake gives its code and points at its field.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { gatewayApiKind } from '../../../src/analysis/manifests/gateway.ts';
import { analyze, codes, spans } from './helpers.ts';

export const GATEWAY = `apiVersion: gateway.networking.k8s.io/v1
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
    - name: https
      protocol: HTTPS
      port: 443
      hostname: "*.example.com"
      tls:
        mode: Terminate
        certificateRefs:
          - name: wildcard-cert
`;

export function httpRoute(spec: string, metadata = 'name: shop\n  namespace: shop'): string {
  return `apiVersion: gateway.networking.k8s.io/v1\nkind: HTTPRoute\nmetadata:\n  ${metadata}\nspec:\n${spec}`;
}

export const ROUTE_SPEC = `  parentRefs:
    - name: public
      namespace: infra
      sectionName: http
  hostnames:
    - shop.example.com
  rules:
    - matches:
        - path:
            type: PathPrefix
            value: /api
      backendRefs:
        - name: api
          port: 8080
`;

function found(text: string): { codes: string[]; spans: string[] } {
  const diagnostics = analyze(text);
  return { codes: codes(diagnostics), spans: spans(text, diagnostics) };
}

describe('Gateway API objects recognised', () => {
  test('by group and version', () => {
    assert.equal(gatewayApiKind({ kind: 'Gateway', apiVersion: 'gateway.networking.k8s.io/v1' }), 'Gateway');
    assert.equal(
      gatewayApiKind({ kind: 'HTTPRoute', apiVersion: 'gateway.networking.k8s.io/v1beta1' }),
      'HTTPRoute',
    );
    assert.equal(
      gatewayApiKind({ kind: 'GRPCRoute', apiVersion: 'gateway.networking.k8s.io/v1' }),
      'GRPCRoute',
    );
    assert.equal(gatewayApiKind({ kind: 'Gateway', apiVersion: 'networking.istio.io/v1' }), undefined);
    assert.equal(
      gatewayApiKind({ kind: 'HTTPRoute', apiVersion: 'gateway.networking.k8s.io/v2' }),
      undefined,
    );
  });

  test('valid examples give nothing', () => {
    assert.deepEqual(found(GATEWAY).codes, []);
    assert.deepEqual(found(httpRoute(ROUTE_SPEC)).codes, []);
  });

  test('a kustomize patch is not checked', () => {
    const text = httpRoute('  hostnames:\n    - Shop.Example.com\n');
    assert.deepEqual(codes(analyze(text, {}, { isPatch: true })), []);
  });
});

describe('KR60xx', () => {
  test('KR6001: a Gateway without gatewayClassName', () => {
    const text = GATEWAY.replace('  gatewayClassName: example\n', '');
    const result = found(text);
    assert.deepEqual(result.codes, ['KR6001']);
  });

  test('KR6002: two listeners with one name, pointing at the second name', () => {
    const text = GATEWAY.replace('- name: https', '- name: http');
    const diagnostics = analyze(text);
    assert.deepEqual(codes(diagnostics), ['KR6002']);
    assert.equal(spans(text, diagnostics)[0], 'http');
    assert.equal(diagnostics[0]!.range.start.line, 14);
    assert.match(diagnostics[0]!.message, /unique/);
  });

  test('KR6003: an HTTPS listener without certificateRefs', () => {
    const text = GATEWAY.replace('        certificateRefs:\n          - name: wildcard-cert\n', '');
    const result = found(text);
    assert.deepEqual(result.codes, ['KR6003']);
    assert.equal(analyze(text)[0]!.severity, 'warning');
  });

  test('KR6004: an upper-case route hostname, on the hostname', () => {
    const result = found(httpRoute(ROUTE_SPEC.replace('- shop.example.com', '- Shop.example.com')));
    assert.deepEqual(result.codes, ['KR6004']);
    assert.deepEqual(result.spans, ['Shop.example.com']);
  });

  test('KR6005: two parentRefs to one Gateway, one without sectionName, on the second', () => {
    const text = httpRoute(
      ROUTE_SPEC.replace(
        '      sectionName: http\n',
        '      sectionName: http\n    - name: public\n      namespace: infra\n',
      ),
    );
    const diagnostics = analyze(text);
    assert.deepEqual(codes(diagnostics), ['KR6005']);
    assert.equal(diagnostics[0]!.range.start.line, 10);
  });

  test('KR6006: a route without parentRefs', () => {
    const text = httpRoute(ROUTE_SPEC.replace(/ {2}parentRefs:\n(?: {4,}.*\n)+/, ''));
    assert.deepEqual(found(text).codes, ['KR6006']);
  });

  test('KR6007: more than 16 rules', () => {
    const rule = '    - backendRefs:\n        - name: api\n          port: 8080\n';
    const text = httpRoute(`  parentRefs:\n    - name: public\n  rules:\n${rule.repeat(17)}`);
    assert.deepEqual(found(text).codes, ['KR6007']);
  });

  test('KR6008: a path value that is not absolute, on the value', () => {
    const result = found(httpRoute(ROUTE_SPEC.replace('value: /api', 'value: api')));
    assert.deepEqual(result.codes, ['KR6008']);
    assert.deepEqual(result.spans, ['api']);
  });

  test('KR6009: a Service backendRef without port', () => {
    const result = found(httpRoute(ROUTE_SPEC.replace('          port: 8080\n', '')));
    assert.deepEqual(result.codes, ['KR6009']);
  });

  test('KR6010: a RequestRedirect filter beside backendRefs', () => {
    const text = httpRoute(
      ROUTE_SPEC.replace(
        '      backendRefs:',
        '      filters:\n        - type: RequestRedirect\n          requestRedirect:\n            scheme: https\n      backendRefs:',
      ),
    );
    assert.deepEqual(found(text).codes, ['KR6010']);
  });

  test('KR6011: a RegularExpression path match is implementation-specific', () => {
    const result = found(httpRoute(ROUTE_SPEC.replace('type: PathPrefix', 'type: RegularExpression')));
    assert.deepEqual(result.codes, ['KR6011']);
    assert.equal(
      analyze(httpRoute(ROUTE_SPEC.replace('type: PathPrefix', 'type: RegularExpression')))[0]!.severity,
      'warning',
    );
  });

  test('GRPCRoute: a match with neither service nor method', () => {
    const text = `apiVersion: gateway.networking.k8s.io/v1
kind: GRPCRoute
metadata:
  name: grpc
spec:
  parentRefs:
    - name: public
  rules:
    - matches:
        - method:
            type: Exact
      backendRefs:
        - name: grpc
          port: 50051
`;
    assert.deepEqual(found(text).codes, ['KR6008']);
  });
});
