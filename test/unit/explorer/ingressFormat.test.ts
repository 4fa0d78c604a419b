/**
 * The explorer's Ingresses: class, hosts and address; routes with their backends; each warning
 * present when the data says so, and absent when the data it depends on is not known.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, test } from 'node:test';
import type { V1EndpointSlice, V1Ingress, V1IngressClass, V1Service } from '@kubernetes/client-node';
import { ObjectSerializer } from '@kubernetes/client-node/dist/gen/models/ObjectSerializer.js';
import type { Knowledge } from '../../../src/explorer/access.ts';
import {
  backendText,
  ingressPresentation,
  ingressRoutePresentation,
  ingressRoutes,
  resolveIngressClass,
  routeLabel,
} from '../../../src/explorer/ingressFormat.ts';
import type {
  IngressClassInput,
  IngressInput,
  IngressSurroundings,
  LabelledSliceInput,
} from '../../../src/explorer/ingressFormat.ts';
import type { ServiceInput } from '../../../src/explorer/format.ts';

const KNOWN: Knowledge = { state: 'known', stale: false };
const LOADING: Knowledge = { state: 'loading' };
const FORBIDDEN: Knowledge = {
  state: 'forbidden',
  reason: 'ingressclasses.networking.k8s.io is forbidden: User "dev" cannot list resource',
};

const web: ServiceInput = {
  metadata: { name: 'web', namespace: 'shop' },
  spec: {
    selector: { app: 'web' },
    clusterIP: '10.96.0.12',
    ports: [
      { name: 'http', port: 80, targetPort: 8080 },
      { name: 'admin', port: 9000 },
    ],
  },
};
const api: ServiceInput = {
  metadata: { name: 'api', namespace: 'shop' },
  spec: { selector: { app: 'api' }, clusterIP: '10.96.0.13', ports: [{ port: 8080 }] },
};
const external: ServiceInput = {
  metadata: { name: 'partner', namespace: 'shop' },
  spec: { type: 'ExternalName', externalName: 'partner.example.com' },
};

const slice = (service: string, ready: boolean): LabelledSliceInput => ({
  metadata: { name: `${service}-abc`, labels: { 'kubernetes.io/service-name': service } },
  endpoints: [{ addresses: ['10.1.2.3'], conditions: { ready } }],
  ports: [{ port: 8080 }],
});

const nginx: IngressClassInput = {
  metadata: { name: 'nginx', annotations: { 'ingressclass.kubernetes.io/is-default-class': 'true' } },
  spec: { controller: 'k8s.io/ingress-nginx' },
};
const traefik: IngressClassInput = {
  metadata: { name: 'traefik' },
  spec: { controller: 'traefik.io/ingress-controller' },
};

const around = (overrides: Partial<IngressSurroundings> = {}): IngressSurroundings => ({
  services: [web, api, external],
  servicesKnowledge: KNOWN,
  endpointSlices: [slice('web', true), slice('api', true)],
  endpointSlicesKnowledge: KNOWN,
  ingressClasses: [nginx, traefik],
  ingressClassesKnowledge: KNOWN,
  ...overrides,
});

const shop: IngressInput = {
  metadata: { name: 'shop', namespace: 'shop' },
  spec: {
    ingressClassName: 'nginx',
    rules: [
      {
        host: 'shop.example.com',
        http: {
          paths: [
            { path: '/', pathType: 'Prefix', backend: { service: { name: 'web', port: { name: 'http' } } } },
            {
              path: '/api',
              pathType: 'Exact',
              backend: { service: { name: 'api', port: { number: 8080 } } },
            },
          ],
        },
      },
    ],
    tls: [{ hosts: ['shop.example.com'], secretName: 'shop-tls' }],
  },
  status: { loadBalancer: { ingress: [{ ip: '127.0.0.50' }] } },
};

/** `shop` with one backend replaced. */
const withBackend = (service: string, port: { name?: string; number?: number }): IngressInput => ({
  ...shop,
  spec: {
    ...shop.spec,
    rules: [
      {
        host: 'shop.example.com',
        http: { paths: [{ path: '/x', pathType: 'Prefix', backend: { service: { name: service, port } } }] },
      },
    ],
  },
});

const routeWarnings = (ingress: IngressInput, surroundings = around()) =>
  ingressRoutes(ingress).map((route) => ingressRoutePresentation(ingress, route, surroundings).warnings);

describe('ingressPresentation', () => {
  test('a healthy Ingress, in full', () => {
    assert.deepEqual(ingressPresentation(shop, around()), {
      label: 'shop',
      description: 'nginx · shop.example.com · 127.0.0.50',
      tooltip: [
        '**Ingress** `shop` in namespace `shop`',
        '**Class:** `nginx` (controller `k8s.io/ingress-nginx`)',
        '**Address:** `127.0.0.50`',
        '**Routes**',
        '- `shop.example.com/` (Prefix) → `web:http`\n- `shop.example.com/api` (Exact) → `api:8080`',
        '**TLS**',
        '- `shop.example.com` with Secret `shop-tls`',
      ].join('\n\n'),
      icon: { id: 'globe' },
      contextValue: 'ingress',
      warnings: [],
    });
  });

  test('no address yet: a warning icon and the reason', () => {
    const pending: IngressInput = { ...shop, status: {} };
    const presentation = ingressPresentation(pending, around());
    assert.equal(presentation.description, 'nginx · shop.example.com · no address');
    assert.deepEqual(presentation.icon, { id: 'warning', color: 'list.warningForeground' });
    assert.deepEqual(presentation.warnings, [
      'No address yet: its Ingress controller has not written one to status.loadBalancer',
    ]);
    assert.match(presentation.tooltip, /\*\*Address:\*\* none yet/);
  });

  test('hosts without repeats, `*` for a rule without host, a hostname address', () => {
    const ingress: IngressInput = {
      metadata: { name: 'many' },
      spec: {
        ingressClassName: 'traefik',
        rules: [
          {
            host: 'a.example.com',
            http: {
              paths: [
                {
                  path: '/',
                  pathType: 'Prefix',
                  backend: { service: { name: 'web', port: { number: 80 } } },
                },
              ],
            },
          },
          {
            host: 'a.example.com',
            http: {
              paths: [
                {
                  path: '/b',
                  pathType: 'Prefix',
                  backend: { service: { name: 'web', port: { number: 80 } } },
                },
              ],
            },
          },
          {
            http: {
              paths: [
                {
                  path: '/c',
                  pathType: 'Prefix',
                  backend: { service: { name: 'web', port: { number: 80 } } },
                },
              ],
            },
          },
        ],
      },
      status: { loadBalancer: { ingress: [{ hostname: 'lb.example.com' }] } },
    };
    const presentation = ingressPresentation(ingress, around());
    assert.equal(presentation.description, 'traefik · a.example.com, * · lb.example.com');
    assert.deepEqual(presentation.warnings, []);
  });

  test("a route's warnings show on the Ingress, prefixed by the route; the class's once", () => {
    const broken: IngressInput = {
      ...withBackend('gone', { number: 80 }),
      spec: { ...withBackend('gone', { number: 80 }).spec, ingressClassName: 'haproxy' },
    };
    const presentation = ingressPresentation(broken, around());
    assert.deepEqual(presentation.warnings, [
      'IngressClass haproxy does not exist',
      'shop.example.com/x: Service gone does not exist in namespace shop',
    ]);
    assert.equal(presentation.icon.id, 'warning');
  });

  test('user data in the tooltip is escaped or in code spans', () => {
    const ingress: IngressInput = {
      metadata: { name: 'x`y', namespace: 'shop' },
      spec: {
        ingressClassName: '![img](https://evil.example/a.png)',
        rules: [
          {
            host: '*.example.com',
            http: {
              paths: [
                {
                  path: '/**',
                  pathType: 'Prefix',
                  backend: { service: { name: 'web', port: { number: 80 } } },
                },
              ],
            },
          },
        ],
      },
    };
    const tooltip = ingressPresentation(ingress, around({ ingressClassesKnowledge: LOADING })).tooltip;
    assert.ok(tooltip.includes('**Ingress** ``x`y``'), tooltip);
    assert.ok(tooltip.includes('`![img](https://evil.example/a.png)`'), tooltip);
    assert.ok(tooltip.includes('`*.example.com/**`'), tooltip);
    // The class name appears only inside its code span.
    assert.equal(tooltip.split('![img]').length, tooltip.split('`![img]').length);
  });

  test('client-node models fit (V1Ingress, V1IngressClass, V1Service, V1EndpointSlice)', () => {
    const ingress = ObjectSerializer.deserialize(
      {
        metadata: { name: 'shop', namespace: 'shop', creationTimestamp: '2025-03-01T11:00:00Z' },
        spec: {
          ingressClassName: 'nginx',
          rules: [
            {
              host: 'shop.example.com',
              http: {
                paths: [
                  {
                    path: '/',
                    pathType: 'Prefix',
                    backend: { service: { name: 'web', port: { number: 80 } } },
                  },
                ],
              },
            },
          ],
        },
        status: { loadBalancer: { ingress: [{ ip: '127.0.0.50' }] } },
      },
      'V1Ingress',
      '',
    ) as V1Ingress;
    const ingressClass = ObjectSerializer.deserialize(
      { metadata: { name: 'nginx' }, spec: { controller: 'k8s.io/ingress-nginx' } },
      'V1IngressClass',
      '',
    ) as V1IngressClass;
    const service = ObjectSerializer.deserialize(
      { metadata: { name: 'web', namespace: 'shop' }, spec: { ports: [{ port: 80 }] } },
      'V1Service',
      '',
    ) as V1Service;
    const endpointSlice = ObjectSerializer.deserialize(
      {
        metadata: { name: 'web-1', labels: { 'kubernetes.io/service-name': 'web' } },
        addressType: 'IPv4',
        endpoints: [{ addresses: ['10.1.2.3'], conditions: { ready: true } }],
      },
      'V1EndpointSlice',
      '',
    ) as V1EndpointSlice;
    const presentation = ingressPresentation(ingress, {
      services: [service],
      servicesKnowledge: KNOWN,
      endpointSlices: [endpointSlice],
      endpointSlicesKnowledge: KNOWN,
      ingressClasses: [ingressClass],
      ingressClassesKnowledge: KNOWN,
    });
    assert.deepEqual(presentation.warnings, []);
    assert.equal(presentation.description, 'nginx · shop.example.com · 127.0.0.50');
  });
});

describe('resolveIngressClass', () => {
  test('a named class that exists, with its controller', () => {
    assert.deepEqual(resolveIngressClass(shop, [nginx], KNOWN), {
      text: 'nginx',
      detail: '`nginx` (controller `k8s.io/ingress-nginx`)',
    });
  });

  test('a named class that does not exist: a warning, only when the classes are known', () => {
    const ingress: IngressInput = { spec: { ingressClassName: 'haproxy' } };
    assert.equal(resolveIngressClass(ingress, [nginx], KNOWN).warning, 'IngressClass haproxy does not exist');
    for (const knowledge of [LOADING, FORBIDDEN, { state: 'unavailable', reason: '404' } as Knowledge]) {
      const resolution = resolveIngressClass(ingress, [], knowledge);
      assert.equal(resolution.warning, undefined, knowledge.state);
      assert.equal(resolution.text, 'haproxy');
    }
    assert.equal(resolveIngressClass(ingress, [], FORBIDDEN).detail, '`haproxy` (IngressClasses: no access)');
  });

  test('no class: the default class, or a warning when there is none', () => {
    const classless: IngressInput = { spec: {} };
    assert.deepEqual(resolveIngressClass(classless, [traefik, nginx], KNOWN), {
      text: 'nginx (default)',
      detail: 'none given: the default IngressClass `nginx` (controller `k8s.io/ingress-nginx`)',
    });
    assert.deepEqual(resolveIngressClass(classless, [traefik], KNOWN), {
      text: 'no class',
      detail: 'none given, and no IngressClass is marked as the default',
      warning: 'No class given and no default IngressClass',
    });
    // A default marked "false" is no default.
    const notDefault: IngressClassInput = {
      metadata: { name: 'x', annotations: { 'ingressclass.kubernetes.io/is-default-class': 'false' } },
    };
    assert.equal(
      resolveIngressClass(classless, [notDefault], KNOWN).warning,
      'No class given and no default IngressClass',
    );
  });

  test('no class and two default classes: ambiguous, a warning naming both', () => {
    const second: IngressClassInput = {
      metadata: { name: 'haproxy', annotations: { 'ingressclass.kubernetes.io/is-default-class': 'true' } },
    };
    assert.deepEqual(resolveIngressClass({ spec: {} }, [nginx, second], KNOWN), {
      text: 'no class',
      detail: 'none given, and several IngressClasses are marked as the default: `haproxy`, `nginx`',
      warning: 'No class given and 2 IngressClasses are marked as the default (haproxy, nginx)',
    });
  });

  test('no class and classes unknown: no warning, and the tooltip says why', () => {
    const resolution = resolveIngressClass({ spec: {} }, [], FORBIDDEN);
    assert.deepEqual(resolution, {
      text: 'no class',
      detail: 'none given; whether a default IngressClass exists is not known (IngressClasses: no access)',
    });
  });

  test('the deprecated annotation names the class and is not checked', () => {
    const annotated: IngressInput = {
      metadata: { annotations: { 'kubernetes.io/ingress.class': 'nginx-internal' } },
      spec: {},
    };
    assert.deepEqual(resolveIngressClass(annotated, [], KNOWN), {
      text: 'nginx-internal',
      detail: '`nginx-internal`, from the deprecated annotation `kubernetes.io/ingress.class`',
    });
  });
});

describe('ingressRoutes and their presentations', () => {
  test('one route per path, a rule without paths, the default backend last', () => {
    const ingress: IngressInput = {
      spec: {
        defaultBackend: { service: { name: 'web', port: { name: 'http' } } },
        rules: [
          {
            host: 'a.example.com',
            http: {
              paths: [
                {
                  path: '/',
                  pathType: 'Prefix',
                  backend: { service: { name: 'web', port: { number: 80 } } },
                },
              ],
            },
          },
          { host: 'b.example.com' },
        ],
      },
    };
    const routes = ingressRoutes(ingress);
    assert.deepEqual(
      routes.map((route) => [route.key, routeLabel(route), backendText(route.backend)]),
      [
        ['0/0', 'a.example.com/', 'web:80'],
        ['1', 'b.example.com', 'default backend'],
        ['default', 'default backend', 'web:http'],
      ],
    );
    const descriptions = routes.map(
      (route) => ingressRoutePresentation(ingress, route, around()).description,
    );
    assert.deepEqual(descriptions, ['Prefix → web:80', '→ default backend', '→ web:http']);
  });

  test('a healthy rule, in full', () => {
    const route = ingressRoutes(shop)[0]!;
    assert.deepEqual(ingressRoutePresentation(shop, route, around()), {
      label: 'shop.example.com/',
      description: 'Prefix → web:http',
      tooltip: [
        '**Rule** of Ingress `shop`',
        '**Host:** `shop.example.com` · **Path:** `/`',
        '**Path type:** `Prefix`: matches this path and everything below it, element by element (`/api` matches `/api/v1`, not `/apiv1`)',
        '**Backend:** Service `web`, port `http` · 1 ready endpoint',
      ].join('\n\n'),
      icon: { id: 'arrow-right' },
      contextValue: 'ingressRule',
      warnings: [],
    });
  });

  test('the Service is missing: a warning when Services are known, none while loading or forbidden', () => {
    const ingress = withBackend('gone', { number: 80 });
    assert.deepEqual(routeWarnings(ingress), [['Service gone does not exist in namespace shop']]);
    for (const knowledge of [LOADING, FORBIDDEN]) {
      const [warnings] = routeWarnings(ingress, around({ services: [], servicesKnowledge: knowledge }));
      assert.deepEqual(warnings, [], knowledge.state);
    }
    const route = ingressRoutes(ingress)[0]!;
    assert.match(
      ingressRoutePresentation(ingress, route, around({ services: [], servicesKnowledge: FORBIDDEN }))
        .tooltip,
      /\*\*Backend:\*\* Service `gone`, port `80` \(Services: no access\)/,
    );
  });

  test('the port is not a port of the Service: by number and by name', () => {
    assert.deepEqual(routeWarnings(withBackend('web', { number: 8080 })), [
      ['Port 8080 is not a port of Service web (its ports: 80 (http), 9000 (admin))'],
    ]);
    assert.deepEqual(routeWarnings(withBackend('web', { name: 'https' })), [
      ['Port https is not a port of Service web (its ports: 80 (http), 9000 (admin))'],
    ]);
    assert.deepEqual(routeWarnings(withBackend('web', { number: 9000 })), [[]]);
    assert.deepEqual(routeWarnings(withBackend('web', { name: 'admin' })), [[]]);
  });

  test('no ready endpoint: a warning when EndpointSlices are known, none while forbidden', () => {
    const ingress = withBackend('web', { number: 80 });
    const notReady = around({ endpointSlices: [slice('web', false)] });
    assert.deepEqual(routeWarnings(ingress, notReady), [['Service web has no ready endpoint']]);
    assert.deepEqual(routeWarnings(ingress, around({ endpointSlices: [] })), [
      ['Service web has no ready endpoint'],
    ]);
    // Another Service's ready slice does not count.
    assert.deepEqual(routeWarnings(ingress, around({ endpointSlices: [slice('api', true)] })), [
      ['Service web has no ready endpoint'],
    ]);
    const unknown = around({ endpointSlices: [], endpointSlicesKnowledge: FORBIDDEN });
    assert.deepEqual(routeWarnings(ingress, unknown), [[]]);
    const route = ingressRoutes(ingress)[0]!;
    assert.match(
      ingressRoutePresentation(ingress, route, unknown).tooltip,
      /Service `web`, port `80` · endpoints: no access/,
    );
  });

  test('an ExternalName Service and a resource backend are not checked further', () => {
    assert.deepEqual(routeWarnings(withBackend('partner', { number: 443 })), [[]]);
    const resource: IngressInput = {
      metadata: { name: 'assets' },
      spec: {
        ingressClassName: 'nginx',
        defaultBackend: { resource: { apiGroup: 'k8s.example.com', kind: 'StorageBucket', name: 'static' } },
      },
    };
    const [route] = ingressRoutes(resource);
    const presentation = ingressRoutePresentation(resource, route!, around());
    assert.deepEqual(presentation.warnings, []);
    assert.equal(presentation.description, '→ StorageBucket static');
    assert.match(
      presentation.tooltip,
      /StorageBucket `static` \(`k8s\.example\.com`\): a resource backend, not checked/,
    );
  });

  test("the class's warning is every route's", () => {
    const ingress: IngressInput = { ...shop, spec: { ...shop.spec, ingressClassName: 'haproxy' } };
    assert.deepEqual(routeWarnings(ingress), [
      ['IngressClass haproxy does not exist'],
      ['IngressClass haproxy does not exist'],
    ]);
    const [first] = ingressRoutes(ingress);
    assert.deepEqual(ingressRoutePresentation(ingress, first!, around()).icon, {
      id: 'warning',
      color: 'list.warningForeground',
    });
  });

  test('every warning at once, most fundamental first', () => {
    const ingress: IngressInput = {
      ...withBackend('web', { number: 81 }),
      spec: { ...withBackend('web', { number: 81 }).spec, ingressClassName: 'haproxy' },
    };
    assert.deepEqual(routeWarnings(ingress, around({ endpointSlices: [] })), [
      [
        'Port 81 is not a port of Service web (its ports: 80 (http), 9000 (admin))',
        'Service web has no ready endpoint',
        'IngressClass haproxy does not exist',
      ],
    ]);
  });

  test('path types are explained; an unknown one says so', () => {
    const tooltip = (pathType: string) => {
      const ingress: IngressInput = {
        spec: {
          rules: [
            {
              http: {
                paths: [
                  { path: '/a', pathType, backend: { service: { name: 'web', port: { number: 80 } } } },
                ],
              },
            },
          ],
        },
      };
      return ingressRoutePresentation(ingress, ingressRoutes(ingress)[0]!, around()).tooltip;
    };
    assert.match(
      tooltip('Exact'),
      /`Exact`: matches this path exactly \(case-sensitive\), and nothing below it/,
    );
    assert.match(tooltip('ImplementationSpecific'), /matching is up to the Ingress controller/);
    assert.match(tooltip('Regex'), /`Regex`: not a path type Kubernetes knows/);
    assert.match(tooltip('Exact'), /\*\*Host:\*\* any/);
  });
});

test('ingressFormat.ts stays pure: it imports only the analysis code and the explorer pure modules', () => {
  const source = readFileSync(new URL('../../../src/explorer/ingressFormat.ts', import.meta.url), 'utf8');
  for (const [, specifier] of source.matchAll(/ from '([^']+)';/g)) {
    assert.match(specifier!, /^(\.\.\/analysis\/[a-zA-Z0-9]+|\.\/access|\.\/format)\.ts$/, specifier);
  }
  assert.ok(!/from 'vscode'|require\(/.test(source));
});
