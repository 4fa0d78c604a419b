import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  defaultIngressClass,
  validateIngress,
  validateIngressClass,
} from '../../../src/analysis/ingressValidation.ts';

const backend = { service: { name: 'web', port: { number: 80 } } };
const withPaths = (...paths: unknown[]) => ({
  spec: { rules: [{ host: 'shop.example.com', http: { paths } }] },
});
const lines = (ingress: unknown, creating = false) =>
  validateIngress(ingress, { creating }).map((p) => `${p.field}: ${p.message}`);

describe('validateIngress (the API server wording)', () => {
  test('a valid Ingress has no problems', () => {
    assert.deepEqual(lines(withPaths({ path: '/', pathType: 'Prefix', backend })), []);
    assert.deepEqual(lines(withPaths({ pathType: 'ImplementationSpecific', backend })), []);
    assert.deepEqual(lines({ spec: { defaultBackend: backend } }), []);
  });

  test('pathType missing, unsupported; paths not absolute or with forbidden sequences', () => {
    assert.deepEqual(lines(withPaths({ path: '/', backend })), [
      'spec.rules[0].http.paths[0].pathType: Required value: pathType must be specified',
    ]);
    assert.deepEqual(lines(withPaths({ path: '/', pathType: 'Regex', backend })), [
      'spec.rules[0].http.paths[0].pathType: Unsupported value: "Regex": supported values: "Exact", "ImplementationSpecific", "Prefix"',
    ]);
    assert.deepEqual(lines(withPaths({ path: 'api', pathType: 'Exact', backend })), [
      'spec.rules[0].http.paths[0].path: Invalid value: "api": must be an absolute path',
    ]);
    assert.deepEqual(lines(withPaths({ path: '/a//b/..', pathType: 'Prefix', backend })), [
      `spec.rules[0].http.paths[0].path: Invalid value: "/a//b/..": must not contain '//'`,
      `spec.rules[0].http.paths[0].path: Invalid value: "/a//b/..": cannot end with '/..'`,
    ]);
    assert.deepEqual(lines(withPaths({ path: 'x', pathType: 'ImplementationSpecific', backend })), [
      'spec.rules[0].http.paths[0].path: Invalid value: "x": must be an absolute path',
    ]);
    assert.deepEqual(lines({ spec: { rules: [{ http: { paths: [] } }] } }), [
      'spec.rules[0].http.paths: Required value',
    ]);
  });

  test('backends: service name, port name XOR number, service XOR resource', () => {
    const path = (b: unknown) => withPaths({ path: '/', pathType: 'Prefix', backend: b });
    assert.deepEqual(lines(path({ service: { name: 'web', port: { name: 'http', number: 80 } } })), [
      'spec.rules[0].http.paths[0].backend: Invalid value: "": cannot set both port name & port number',
    ]);
    assert.deepEqual(lines(path({ service: { name: 'web', port: {} } })), [
      'spec.rules[0].http.paths[0].backend: Required value: port name or number is required',
    ]);
    assert.deepEqual(lines(path({ service: { name: 'web', port: { number: 70000 } } })), [
      'spec.rules[0].http.paths[0].backend.service.port.number: Invalid value: 70000: must be between 1 and 65535, inclusive',
    ]);
    assert.deepEqual(lines(path({ service: { name: '', port: { number: 80 } } })), [
      'spec.rules[0].http.paths[0].backend.service.name: Required value',
    ]);
    assert.match(
      lines(path({ service: { name: '1web', port: { number: 80 } } }))[0]!,
      /a DNS-1035 label must consist/,
    );
    assert.deepEqual(
      lines(path({ service: { name: 'web', port: { number: 80 } }, resource: { kind: 'B', name: 'b' } })),
      [
        'spec.rules[0].http.paths[0].backend: Invalid value: "": cannot set both resource and service backends',
      ],
    );
    assert.deepEqual(lines(path({})), [
      'spec.rules[0].http.paths[0].backend: Invalid value: "": resource or service backend is required',
    ]);
  });

  test('hosts, rules or default backend, class name and the class annotation', () => {
    assert.deepEqual(lines({ spec: {} }), [
      'spec: Invalid value: []networking.IngressRule(nil): either `defaultBackend` or `rules` must be specified',
    ]);
    assert.deepEqual(lines({ spec: { rules: [{ host: '10.0.0.1' }] } }), [
      'spec.rules[0].host: Invalid value: "10.0.0.1": must be a DNS name, not an IP address',
    ]);
    assert.match(
      lines({ spec: { rules: [{ host: 'Shop.example.com' }] } })[0]!,
      /lowercase RFC 1123 subdomain/,
    );
    assert.deepEqual(lines({ spec: { rules: [{ host: '*.example.com' }] } }), []);
    assert.match(
      lines({ spec: { rules: [{ host: 'a.*.example.com' }] } })[0]!,
      /a wildcard DNS-1123 subdomain must start with/,
    );
    const annotated = {
      metadata: { annotations: { 'kubernetes.io/ingress.class': 'nginx' } },
      spec: { ingressClassName: 'traefik', defaultBackend: backend },
    };
    assert.deepEqual(lines(annotated, true), [
      'annotations.kubernetes.io/ingress.class: Invalid value: "nginx": must match `ingressClassName` when both are specified',
    ]);
    assert.deepEqual(lines(annotated, false), []);
  });

  test('TLS hosts: DNS-1123 subdomains or wildcards (validateIngressTLS), an IP not refused there', () => {
    const tls = (...hosts: string[]) => ({ spec: { defaultBackend: backend, tls: [{ hosts }] } });
    assert.deepEqual(lines(tls('shop.example.com', '*.example.com', '10.0.0.1')), []);
    assert.match(
      lines(tls('Shop.example.com'))[0]!,
      /^spec\.tls\[0\]\.hosts\[0\]: Invalid value: "Shop\.example\.com": .*lowercase RFC 1123 subdomain/,
    );
    assert.match(
      lines(tls('ok.example.com', 'a.*.example.com'))[0]!,
      /^spec\.tls\[0\]\.hosts\[1\]: .*a wildcard DNS-1123 subdomain must start with/,
    );
  });
});

describe('IngressClass', () => {
  test('the controller is required and domain-prefixed', () => {
    assert.deepEqual(
      validateIngressClass({ spec: {} }).map((p) => p.message),
      ['Required value'],
    );
    assert.deepEqual(
      validateIngressClass({ spec: { controller: 'nginx' } }).map((p) => p.message),
      ['Invalid value: "nginx": must be a domain-prefixed path (such as "acme.io/foo")'],
    );
    assert.deepEqual(validateIngressClass({ spec: { controller: 'k8s.io/ingress-nginx' } }), []);
  });

  test('the default class is the annotated one, the newest when several are', () => {
    const cls = (name: string, created: string, isDefault: boolean) => ({
      metadata: {
        name,
        creationTimestamp: created,
        annotations: (isDefault ? { 'ingressclass.kubernetes.io/is-default-class': 'true' } : {}) as Record<
          string,
          string
        >,
      },
    });
    assert.equal(defaultIngressClass([cls('a', '2024-01-01T00:00:00Z', false)]), undefined);
    assert.equal(
      defaultIngressClass([
        cls('old', '2024-01-01T00:00:00Z', true),
        cls('new', '2024-06-01T00:00:00Z', true),
        cls('newest-not-default', '2025-01-01T00:00:00Z', false),
      ]),
      'new',
    );
  });
});
