/**
 * The language server's static Ingress checks and the sandbox's API validation
 * (src/analysis/ingressValidation.ts) agree on what the API server refuses: for each manifest,
 * an error-severity KR50xx finding exactly when the validation reports a problem.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { validateIngress } from '../../../src/analysis/ingressValidation.ts';
import { objectsOf, parseManifestFile } from '../../../src/analysis/manifests/document.ts';
import { analyze } from './helpers.ts';

function ingress(spec: string, metadata = 'name: web'): string {
  return `apiVersion: networking.k8s.io/v1\nkind: Ingress\nmetadata:\n  ${metadata}\nspec:\n${spec}`;
}

const backend = (service = '{ name: web, port: { number: 80 } }') => `backend: { service: ${service} }`;
const path = (entry: string) =>
  ingress(`  rules:\n    - host: shop.example.com\n      http:\n        paths:\n          - ${entry}\n`);
const host = (name: string) =>
  ingress(
    `  rules:\n    - host: ${name}\n      http:\n        paths:\n          - { path: /, pathType: Prefix, ${backend()} }\n`,
  );

const CORPUS: string[] = [
  path(`{ path: /, pathType: Prefix, ${backend()} }`),
  path(`{ path: /, ${backend()} }`),
  path(`{ path: /, pathType: prefix, ${backend()} }`),
  path(`{ path: api, pathType: Prefix, ${backend()} }`),
  path(`{ pathType: Prefix, ${backend()} }`),
  path(`{ pathType: ImplementationSpecific, ${backend()} }`),
  path(`{ path: "*", pathType: ImplementationSpecific, ${backend()} }`),
  path(`{ path: "/a//b", pathType: Exact, ${backend()} }`),
  path(`{ path: /a/.., pathType: Prefix, ${backend()} }`),
  path(`{ path: /a%2Fb, pathType: Prefix, ${backend()} }`),
  path(`{ path: "/api(/|$)(.*)", pathType: ImplementationSpecific, ${backend()} }`),
  path(`{ path: /, pathType: Prefix, backend: {} }`),
  path(`{ path: /, pathType: Prefix }`),
  path(
    `{ path: /, pathType: Prefix, backend: { service: { name: web, port: { number: 80 } }, resource: { kind: B, name: b } } }`,
  ),
  path(`{ path: /, pathType: Prefix, backend: { resource: { apiGroup: x.io, kind: B, name: b } } }`),
  path(`{ path: /, pathType: Prefix, ${backend('{ name: web, port: { name: http, number: 80 } }')} }`),
  path(`{ path: /, pathType: Prefix, ${backend('{ name: web, port: {} }')} }`),
  path(`{ path: /, pathType: Prefix, ${backend('{ name: web }')} }`),
  path(`{ path: /, pathType: Prefix, ${backend('{ port: { number: 80 } }')} }`),
  path(`{ path: /, pathType: Prefix, ${backend('{ name: Web, port: { number: 80 } }')} }`),
  path(`{ path: /, pathType: Prefix, ${backend('{ name: 1web, port: { number: 80 } }')} }`),
  path(`{ path: /, pathType: Prefix, ${backend('{ name: web, port: { number: 70000 } }')} }`),
  path(`{ path: /, pathType: Prefix, ${backend('{ name: web, port: { name: HTTP_PORT } }')} }`),
  path(`{ path: /, pathType: Prefix, ${backend('{ name: web, port: { name: http } }')} }`),
  host('shop.example.com'),
  host('"*.example.com"'),
  host('10.0.0.1'),
  host('shop.example.com:8080'),
  host('Shop.example.com'),
  host('"*example.com"'),
  host('a.*.example.com'),
  host('"*"'),
  host('a_b.example.com'),
  ingress('  ingressClassName: nginx\n'),
  ingress(`  defaultBackend: { service: { name: web, port: { number: 80 } } }\n`),
  ingress(`  ingressClassName: Nginx\n  defaultBackend: { service: { name: web, port: { number: 80 } } }\n`),
  ingress(
    `  ingressClassName: nginx\n  defaultBackend: { service: { name: web, port: { number: 80 } } }\n`,
    'name: web\n  annotations: { kubernetes.io/ingress.class: traefik }',
  ),
  ingress('  rules:\n    - host: a.example.com\n      http:\n        paths: []\n'),
  ingress(
    `  defaultBackend: { service: { name: web, port: { number: 80 } } }\n  rules:\n    - host: a.example.com\n`,
  ),
];

test('an error-severity finding exactly when the API validation refuses the Ingress', () => {
  for (const text of CORPUS) {
    const [first] = objectsOf(parseManifestFile(text));
    assert.ok(first, text);
    const problems = validateIngress(first.object.value, { creating: true });
    const errors = analyze(text).filter(
      (diagnostic) => diagnostic.severity === 'error' && diagnostic.code.startsWith('KR50'),
    );
    assert.equal(
      errors.length > 0,
      problems.length > 0,
      `${text}\nvalidation: ${problems.map((problem) => `${problem.field}: ${problem.message}`).join('; ') || 'none'}\nfindings: ${errors.map((error) => `${error.code} ${error.message}`).join('; ') || 'none'}`,
    );
  }
});
