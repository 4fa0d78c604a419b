/**
 * Static checks of Ingresses (KR50xx): realistic manifests in the shapes of the Kubernetes,
 * ingress-nginx and cert-manager documentation give nothing; each mistake gives its code, where it
 * points, and its fix.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { hostCovers, hostProblem } from '../../../src/analysis/manifests/ingress.ts';
import { analyze, applyFix, codes, spans } from './helpers.ts';

/** An Ingress with a spec given as YAML lines (indented by two). */
export function ingress(spec: string, metadata = 'name: web\n  namespace: shop'): string {
  return `apiVersion: networking.k8s.io/v1\nkind: Ingress\nmetadata:\n  ${metadata}\nspec:\n${spec}`;
}

function found(spec: string, options: { patch?: boolean } = {}): { codes: string[]; spans: string[] } {
  const text = ingress(spec);
  const diagnostics = analyze(text, {}, { isPatch: options.patch ?? false });
  return { codes: codes(diagnostics), spans: spans(text, diagnostics) };
}

function rule(path: string, extra = ''): string {
  return `  rules:\n    - host: shop.example.com\n      http:\n        paths:\n          - ${path}${extra}\n`;
}

const BACKEND =
  'backend:\n              service:\n                name: web\n                port:\n                  number: 80';

/** The Kubernetes documentation's minimal Ingress (concepts/services-networking/ingress). */
const MINIMAL = `apiVersion: networking.k8s.io/v1
kind: Ingress
metadata:
  name: minimal-ingress
  annotations:
    nginx.ingress.kubernetes.io/rewrite-target: /
spec:
  ingressClassName: nginx-example
  rules:
  - http:
      paths:
      - path: /testpath
        pathType: Prefix
        backend:
          service:
            name: test
            port:
              number: 80
`;

/** The documentation's resource backend. */
const RESOURCE_BACKEND = `apiVersion: networking.k8s.io/v1
kind: Ingress
metadata:
  name: ingress-resource-backend
spec:
  defaultBackend:
    resource:
      apiGroup: k8s.example.com
      kind: StorageBucket
      name: static-assets
  rules:
    - http:
        paths:
          - path: /icons
            pathType: ImplementationSpecific
            backend:
              resource:
                apiGroup: k8s.example.com
                kind: StorageBucket
                name: icon-assets
`;

/** The documentation's wildcard hosts and name-based virtual hosting. */
const WILDCARD = `apiVersion: networking.k8s.io/v1
kind: Ingress
metadata:
  name: ingress-wildcard-host
spec:
  rules:
  - host: "foo.bar.com"
    http:
      paths:
      - pathType: Prefix
        path: "/bar"
        backend:
          service:
            name: service1
            port:
              number: 80
  - host: "*.foo.com"
    http:
      paths:
      - pathType: Prefix
        path: "/foo"
        backend:
          service:
            name: service2
            port:
              number: 80
  - http:
      paths:
      - pathType: Prefix
        path: "/"
        backend:
          service:
            name: service3
            port:
              name: http
`;

/** ingress-nginx's rewrite example: a regular expression with ImplementationSpecific. */
const NGINX_REWRITE = `apiVersion: networking.k8s.io/v1
kind: Ingress
metadata:
  annotations:
    nginx.ingress.kubernetes.io/use-regex: "true"
    nginx.ingress.kubernetes.io/rewrite-target: /$2
  name: rewrite
  namespace: default
spec:
  ingressClassName: nginx
  rules:
  - host: rewrite.bar.com
    http:
      paths:
      - path: /something(/|$)(.*)
        pathType: ImplementationSpecific
        backend:
          service:
            name: http-svc
            port: 
              number: 80
`;

/** cert-manager's annotated Ingress (ingress-shim), with TLS for the rule's host. */
const CERT_MANAGER = `apiVersion: networking.k8s.io/v1
kind: Ingress
metadata:
  annotations:
    cert-manager.io/cluster-issuer: nameOfClusterIssuer
  name: myIngress
  namespace: myIngress
spec:
  rules:
  - host: example.com
    http:
      paths:
      - pathType: Prefix
        path: /
        backend:
          service:
            name: myservice
            port:
              number: 80
  tls:
  - hosts:
    - example.com
    secretName: myingress-cert
`;

/** A wildcard certificate for concrete hosts, and a host-less rule with TLS. */
const WILDCARD_TLS = `apiVersion: networking.k8s.io/v1
kind: Ingress
metadata:
  name: shop
  annotations:
    kubernetes.io/ingress.class: nginx
    nginx.ingress.kubernetes.io/ssl-redirect: "true"
spec:
  tls:
    - hosts: ["*.shop.example.com"]
      secretName: wildcard-tls
  rules:
    - host: api.shop.example.com
      http:
        paths:
          - { path: /, pathType: Prefix, backend: { service: { name: api, port: { name: http } } } }
          - { path: /v1/orders, pathType: Exact, backend: { service: { name: orders, port: { number: 8080 } } } }
`;

const HELM = `apiVersion: networking.k8s.io/v1
kind: Ingress
metadata:
  name: {{ include "chart.fullname" . }}
spec:
  {{- if .Values.ingress.className }}
  ingressClassName: {{ .Values.ingress.className }}
  {{- end }}
  rules:
    {{- range .Values.ingress.hosts }}
    - host: {{ .host | quote }}
      http:
        paths:
          - path: {{ .path }}
            backend:
              service:
                name: {{ $fullName }}
                port:
                  number: {{ $svcPort }}
    {{- end }}
`;

describe('realistic Ingresses give no findings', () => {
  const valid: [string, string][] = [
    ['the documentation minimal Ingress', MINIMAL],
    ['a resource backend', RESOURCE_BACKEND],
    ['wildcard hosts and a host-less rule', WILDCARD],
    ['ingress-nginx rewrite with a regular expression', NGINX_REWRITE],
    ['cert-manager TLS', CERT_MANAGER],
    ['a wildcard certificate in flow style', WILDCARD_TLS],
    ['a Helm template (not analysed)', HELM],
    [
      'a default backend only',
      ingress('  defaultBackend:\n    service:\n      name: web\n      port:\n        number: 80\n'),
    ],
    [
      'ImplementationSpecific without a path',
      ingress(rule(`pathType: ImplementationSpecific\n            ${BACKEND}`)),
    ],
    [
      'a networking.k8s.io/v1beta1 Ingress is not read',
      'apiVersion: networking.k8s.io/v1beta1\nkind: Ingress\nmetadata: { name: a }\nspec:\n  backend: { serviceName: a, servicePort: 80 }\n',
    ],
    [
      'an IngressClass (not an Ingress)',
      'apiVersion: networking.k8s.io/v1\nkind: IngressClass\nmetadata:\n  name: nginx\n  annotations:\n    ingressclass.kubernetes.io/is-default-class: "true"\nspec:\n  controller: k8s.io/ingress-nginx\n',
    ],
  ];
  for (const [name, text] of valid) {
    test(name, () => assert.deepEqual(codes(analyze(text)), []));
  }
});

describe('KR5001: pathType', () => {
  test('missing, with the fix adding Prefix', () => {
    const text = ingress(rule(`path: /api\n            ${BACKEND}`));
    const diagnostics = analyze(text);
    assert.deepEqual(codes(diagnostics), ['KR5001']);
    assert.deepEqual(spans(text, diagnostics), ['path']);
    const fixed = applyFix(text, diagnostics[0]!);
    assert.match(fixed, /number: 80\n {12}pathType: Prefix\n$/);
    assert.deepEqual(codes(analyze(fixed)), []);
  });
  test('missing in flow style', () => {
    const text = ingress(
      '  rules:\n    - http:\n        paths:\n          - { path: /, backend: { service: { name: web, port: { number: 80 } } } }\n',
    );
    const diagnostics = analyze(text);
    assert.deepEqual(codes(diagnostics), ['KR5001']);
    assert.deepEqual(codes(analyze(applyFix(text, diagnostics[0]!))), []);
  });
  test('invalid, with a case fix', () => {
    const text = ingress(rule(`path: /api\n            pathType: prefix\n            ${BACKEND}`));
    const diagnostics = analyze(text);
    assert.deepEqual(codes(diagnostics), ['KR5001']);
    assert.deepEqual(spans(text, diagnostics), ['prefix']);
    assert.deepEqual(codes(analyze(applyFix(text, diagnostics[0]!))), []);
  });
  test('unknown words have no fix', () =>
    assert.deepEqual(found(rule(`path: /\n            pathType: Regex\n            ${BACKEND}`)).codes, [
      'KR5001',
    ]));
  test('not required in a patch', () =>
    assert.deepEqual(found(rule(`path: /api\n            ${BACKEND}`), { patch: true }).codes, []));
});

describe('KR5002: absolute, normalised paths', () => {
  test('a relative path, fixed by a leading slash', () => {
    const text = ingress(rule(`path: api\n            pathType: Prefix\n            ${BACKEND}`));
    const diagnostics = analyze(text);
    assert.deepEqual(codes(diagnostics), ['KR5002']);
    assert.deepEqual(spans(text, diagnostics), ['api']);
    assert.deepEqual(codes(analyze(applyFix(text, diagnostics[0]!))), []);
  });
  test('a Prefix path without path', () => {
    const text = ingress(rule(`pathType: Prefix\n            ${BACKEND}`));
    const diagnostics = analyze(text);
    assert.deepEqual(codes(diagnostics), ['KR5002']);
    assert.deepEqual(codes(analyze(applyFix(text, diagnostics[0]!))), []);
  });
  test('an ImplementationSpecific relative path', () =>
    assert.deepEqual(
      found(rule(`path: "*"\n            pathType: ImplementationSpecific\n            ${BACKEND}`)).codes,
      ['KR5002'],
    ));
  test('a path with // or /../', () => {
    assert.deepEqual(found(rule(`path: /a//b\n            pathType: Prefix\n            ${BACKEND}`)).codes, [
      'KR5002',
    ]);
    assert.deepEqual(found(rule(`path: /a/..\n            pathType: Exact\n            ${BACKEND}`)).codes, [
      'KR5002',
    ]);
  });
});

describe('KR5003: regular expressions in Prefix and Exact paths', () => {
  test('a capture group with Prefix, fixed to ImplementationSpecific', () => {
    const text = ingress(rule(`path: /api(/|$)(.*)\n            pathType: Prefix\n            ${BACKEND}`));
    const diagnostics = analyze(text);
    assert.deepEqual(codes(diagnostics), ['KR5003']);
    assert.deepEqual(spans(text, diagnostics), ['/api(/|$)(.*)']);
    assert.equal(diagnostics[0]!.severity, 'warning');
    assert.deepEqual(codes(analyze(applyFix(text, diagnostics[0]!))), []);
  });
  test('a GCE-style /* with Exact', () =>
    assert.deepEqual(found(rule(`path: /*\n            pathType: Exact\n            ${BACKEND}`)).codes, [
      'KR5003',
    ]));
  test('dots, dashes, tildes and underscores are literal', () =>
    assert.deepEqual(
      found(rule(`path: /v1.2/a-b_c~d\n            pathType: Prefix\n            ${BACKEND}`)).codes,
      [],
    ));
});

describe('KR5004: service or resource', () => {
  test('both', () => {
    const text = ingress(
      '  defaultBackend:\n    service: { name: web, port: { number: 80 } }\n    resource: { apiGroup: k8s.example.com, kind: Bucket, name: b }\n',
    );
    const diagnostics = analyze(text);
    assert.deepEqual(codes(diagnostics), ['KR5004']);
    assert.deepEqual(spans(text, diagnostics), ['resource']);
  });
  test('neither', () => assert.deepEqual(found('  defaultBackend: {}\n').codes, ['KR5004']));
  test('a path without backend', () =>
    assert.deepEqual(found(rule('path: /\n            pathType: Prefix')).codes, ['KR5004']));
});

describe('KR5005: service backends', () => {
  const backend = (port: string) =>
    ingress(`  defaultBackend:\n    service:\n      name: web\n      port: ${port}\n`);
  test('both name and number', () => {
    const text = backend('{ name: http, number: 80 }');
    const diagnostics = analyze(text);
    assert.deepEqual(codes(diagnostics), ['KR5005']);
    assert.deepEqual(spans(text, diagnostics), ['port']);
  });
  test('neither', () => assert.deepEqual(codes(analyze(backend('{}'))), ['KR5005']));
  test('a bare number, fixed to { number: 80 }', () => {
    const text = backend('80');
    const diagnostics = analyze(text);
    assert.deepEqual(codes(diagnostics), ['KR5005']);
    assert.deepEqual(codes(analyze(applyFix(text, diagnostics[0]!))), []);
  });
  test('a quoted number', () => {
    const text = backend('{ number: "8080" }');
    const diagnostics = analyze(text);
    assert.deepEqual(codes(diagnostics), ['KR5005']);
    assert.match(applyFix(text, diagnostics[0]!), /number: 8080 }/);
  });
  test('out of range, an invalid name', () => {
    assert.deepEqual(codes(analyze(backend('{ number: 70000 }'))), ['KR5005']);
    assert.deepEqual(codes(analyze(backend('{ name: HTTP_PORT }'))), ['KR5005']);
  });
  test('no port, no name, an invalid Service name', () => {
    assert.deepEqual(codes(analyze(ingress('  defaultBackend:\n    service: { name: web }\n'))), ['KR5005']);
    assert.deepEqual(codes(analyze(ingress('  defaultBackend:\n    service: { port: { number: 80 } }\n'))), [
      'KR5005',
    ]);
    assert.deepEqual(
      codes(analyze(ingress('  defaultBackend:\n    service: { name: Web, port: { number: 80 } }\n'))),
      ['KR5005'],
    );
  });
});

describe('KR5006: hosts', () => {
  const withHost = (host: string) =>
    ingress(
      `  rules:\n    - host: ${host}\n      http:\n        paths:\n          - path: /\n            pathType: Prefix\n            ${BACKEND}\n`,
    );
  test('an IP address', () => {
    const text = withHost('10.0.0.1');
    const diagnostics = analyze(text);
    assert.deepEqual(codes(diagnostics), ['KR5006']);
    assert.deepEqual(spans(text, diagnostics), ['10.0.0.1']);
    assert.match(diagnostics[0]!.message, /not an IP address/);
  });
  test('a port, fixed by removing it', () => {
    const text = withHost('shop.example.com:8080');
    const diagnostics = analyze(text);
    assert.deepEqual(codes(diagnostics), ['KR5006']);
    assert.match(applyFix(text, diagnostics[0]!), /host: shop\.example\.com\n/);
  });
  test('upper case, fixed to lower case', () => {
    const text = withHost('Shop.Example.com');
    const diagnostics = analyze(text);
    assert.deepEqual(codes(diagnostics), ['KR5006']);
    assert.deepEqual(codes(analyze(applyFix(text, diagnostics[0]!))), []);
  });
  test('wildcards other than the whole first label', () => {
    for (const host of [
      '"*example.com"',
      'a.*.example.com',
      '"*.*.example.com"',
      '"*"',
      'foo*.example.com',
    ]) {
      assert.deepEqual(codes(analyze(withHost(host))), ['KR5006'], host);
    }
  });
  test('the helpers', () => {
    assert.equal(hostProblem('*.example.com'), undefined);
    assert.equal(hostProblem('xn--bcher-kva.example'), undefined);
    assert.ok(hostProblem('[::1]'));
    assert.ok(hostProblem('a_b.example.com'));
    assert.equal(hostCovers('*.example.com', 'a.example.com'), true);
    assert.equal(hostCovers('*.example.com', 'a.b.example.com'), false);
    assert.equal(hostCovers('a.example.com', '*.example.com'), true);
    assert.equal(hostCovers('example.com', '*.example.com'), false);
  });
});

describe('KR5007: TLS hosts no rule serves', () => {
  test('a typo, fixed to the rule host', () => {
    const text = CERT_MANAGER.replace('    - example.com\n', '    - exmaple.com\n');
    const diagnostics = analyze(text);
    assert.deepEqual(codes(diagnostics), ['KR5007']);
    assert.deepEqual(spans(text, diagnostics), ['exmaple.com']);
    assert.match(diagnostics[0]!.message, /Did you mean "example.com"/);
    assert.deepEqual(codes(analyze(applyFix(text, diagnostics[0]!))), []);
  });
  test('a host-less rule or a default backend serves every host', () => {
    assert.deepEqual(
      codes(
        analyze(
          CERT_MANAGER.replace('    - example.com\n', '    - other.org\n').replace(
            '  - host: example.com\n',
            '  - http:\n      paths: [{ path: /, pathType: Prefix, backend: { service: { name: web, port: { number: 80 } } } }]\n  - host: example.com\n',
          ),
        ),
      ),
      [],
    );
    assert.deepEqual(codes(analyze(CERT_MANAGER.replace('    - example.com\n', '    - other.org\n'))), [
      'KR5007',
    ]);
  });
});

describe('KR5008: unknown fields', () => {
  test('a misspelt field, with a rename', () => {
    const text = ingress(rule(`path: /\n            pathTyp: Prefix\n            ${BACKEND}`));
    const diagnostics = analyze(text);
    assert.deepEqual(codes(diagnostics).sort(), ['KR5001', 'KR5008']);
    const unknown = diagnostics.find((diagnostic) => diagnostic.code === 'KR5008')!;
    assert.match(unknown.message, /Did you mean "pathType"/);
    assert.deepEqual(codes(analyze(applyFix(text, unknown))), []);
  });
  test('the v1beta1 shape', () => {
    const text = ingress('  backend:\n    serviceName: web\n    servicePort: 80\n');
    const diagnostics = analyze(text);
    assert.deepEqual(codes(diagnostics), ['KR5008', 'KR5008', 'KR5008']);
    assert.match(diagnostics[0]!.message, /defaultBackend/);
  });
  test('ingressClass for ingressClassName', () => {
    const diagnostics = analyze(
      ingress(
        `  ingressClass: nginx\n${rule(`path: /\n            pathType: Prefix\n            ${BACKEND}`)}`,
      ),
    );
    assert.deepEqual(codes(diagnostics), ['KR5008']);
    assert.match(diagnostics[0]!.message, /ingressClassName/);
  });
});

describe('KR5009: rules or defaultBackend', () => {
  test('neither', () => assert.deepEqual(found('  ingressClassName: nginx\n').codes, ['KR5009']));
  test('no spec', () =>
    assert.deepEqual(
      codes(analyze('apiVersion: networking.k8s.io/v1\nkind: Ingress\nmetadata: { name: a }\n')),
      ['KR5009'],
    ));
  test('not in a patch', () =>
    assert.deepEqual(found('  ingressClassName: nginx\n', { patch: true }).codes, []));
});

describe('KR5009: a rule with http but no paths', () => {
  test('empty paths, or none', () => {
    assert.deepEqual(found('  rules:\n    - host: a.example.com\n      http:\n        paths: []\n').codes, [
      'KR5009',
    ]);
    assert.deepEqual(found('  rules:\n    - host: a.example.com\n      http: {}\n').codes, ['KR5009']);
  });
  test('a host without http is fine (the default backend serves it)', () =>
    assert.deepEqual(
      found(
        '  defaultBackend: { service: { name: web, port: { number: 80 } } }\n  rules:\n    - host: a.example.com\n',
      ).codes,
      [],
    ));
});

describe('KR5010: ingressClassName', () => {
  const withClass = (className: string, annotation?: string) =>
    ingress(
      `  ingressClassName: ${className}\n  defaultBackend: { service: { name: web, port: { number: 80 } } }\n`,
      `name: web${annotation === undefined ? '' : `\n  annotations:\n    kubernetes.io/ingress.class: ${annotation}`}`,
    );
  test('not a DNS name, with a lower-case fix', () => {
    const text = withClass('Nginx');
    const diagnostics = analyze(text);
    assert.deepEqual(codes(diagnostics), ['KR5010']);
    assert.deepEqual(spans(text, diagnostics), ['Nginx']);
    assert.deepEqual(codes(analyze(applyFix(text, diagnostics[0]!))), []);
  });
  test('the annotation naming another class', () => {
    assert.deepEqual(codes(analyze(withClass('nginx', 'traefik'))), ['KR5010']);
    assert.deepEqual(codes(analyze(withClass('nginx', 'nginx'))), []);
  });
});

describe('KR5007: certificates for hosts other Ingresses serve, and the www redirect', () => {
  test('an extra TLS host is information, not a warning', () => {
    const diagnostics = analyze(
      CERT_MANAGER.replace('    - example.com\n', '    - example.com\n    - api.example.org\n'),
    );
    assert.deepEqual(codes(diagnostics), ['KR5007']);
    assert.equal(diagnostics[0]!.severity, 'information');
    assert.match(diagnostics[0]!.message, /Fine if another Ingress serves it with the same certificate/);
  });
  test('a near miss of a host another TLS entry covers is information too', () => {
    const diagnostics = analyze(
      CERT_MANAGER.replace('    - example.com\n', '    - example.com\n    - exmaple.com\n'),
    );
    assert.deepEqual(codes(diagnostics), ['KR5007']);
    assert.equal(diagnostics[0]!.severity, 'information');
    assert.equal(diagnostics[0]!.fixes[0]!.preferred, false);
  });
  test("ingress-nginx's from-to-www-redirect: the www host needs the certificate, not a rule", () => {
    const text = CERT_MANAGER.replace('    - example.com\n', '    - example.com\n    - www.example.com\n');
    assert.equal(analyze(text).length, 1);
    assert.deepEqual(
      codes(
        analyze(
          text.replace(
            '    cert-manager.io/cluster-issuer: nameOfClusterIssuer\n',
            '    cert-manager.io/cluster-issuer: nameOfClusterIssuer\n    nginx.ingress.kubernetes.io/from-to-www-redirect: "true"\n',
          ),
        ),
      ),
      [],
    );
  });
});
