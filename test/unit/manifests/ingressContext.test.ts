/**
 * Workspace-aware (KR51xx) and cluster-aware (KR52xx) checks of Ingresses, and the node ports of
 * Services against other Services (KR3005, KR4006).
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { Service } from '../../../src/analysis/k8s.ts';
import type { ClusterModel, EndpointSlice } from '../../../src/analysis/manifests/cluster.ts';
import { objectsOf, parseManifestFile } from '../../../src/analysis/manifests/document.ts';
import type { WorkspaceModel, WrittenObject } from '../../../src/analysis/manifests/workspace.ts';
import { analyze, applyFix, clusterOf, codes, livePod, spans } from './helpers.ts';

function written(text: string): WrittenObject[] {
  return [...objectsOf(parseManifestFile(text))].flatMap(({ object }) =>
    object.name === undefined
      ? []
      : [{ kind: object.kind, name: object.name, namespace: object.namespace, value: object.value }],
  );
}

/** A workspace of these Services and Ingresses (no workloads), every object in scope. */
function workspaceOf(
  text: string,
  options: { unreadableServices?: number; complete?: boolean } = {},
): WorkspaceModel {
  const objects = written(text);
  return {
    complete: options.complete ?? true,
    workloads: () => [],
    services: () => objects.filter((object) => object.kind === 'Service'),
    unreadableServices: () =>
      Array.from({ length: options.unreadableServices ?? 0 }, () => ({ kind: 'Service', namespace: 'shop' })),
    ingresses: () => objects.filter((object) => object.kind === 'Ingress'),
  };
}

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
---
apiVersion: v1
kind: Service
metadata:
  name: api
  namespace: shop
spec:
  selector: { app: api }
  ports:
    - { name: http, port: 8000, targetPort: http }
    - { name: grpc, port: 9000 }
`;

function shopIngress(backend: string, extra = '', name = 'shop'): string {
  return `apiVersion: networking.k8s.io/v1
kind: Ingress
metadata:
  name: ${name}
  namespace: shop
  annotations:
    nginx.ingress.kubernetes.io/proxy-body-size: 8m
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
${backend}
${extra}`;
}

const WEB_80 = '                name: web\n                port:\n                  number: 80';

describe('KR5101: the backend Service is written in scope', () => {
  const workspace = workspaceOf(SERVICES);
  test('a written Service: nothing', () =>
    assert.deepEqual(codes(analyze(shopIngress(WEB_80), { workspace })), []));
  test('a misspelt Service, with the fix', () => {
    const text = shopIngress(
      '                name: wbe\n                port:\n                  number: 80',
    );
    const diagnostics = analyze(text, { workspace });
    assert.deepEqual(codes(diagnostics), ['KR5101']);
    assert.deepEqual(spans(text, diagnostics), ['wbe']);
    assert.match(diagnostics[0]!.message, /Did you mean "web"/);
    assert.deepEqual(codes(analyze(applyFix(text, diagnostics[0]!), { workspace })), []);
  });
  test('quiet when no Service is written in scope, one could not be read, or the scan is not done', () => {
    const text = shopIngress(
      '                name: other\n                port:\n                  number: 80',
    );
    assert.deepEqual(codes(analyze(text, { workspace: workspaceOf('') })), []);
    assert.deepEqual(
      codes(analyze(text, { workspace: workspaceOf(SERVICES, { unreadableServices: 1 }) })),
      [],
    );
    assert.deepEqual(codes(analyze(text, { workspace: workspaceOf(SERVICES, { complete: false }) })), []);
    assert.deepEqual(codes(analyze(text, { workspace: { complete: true, workloads: () => [] } })), []);
  });
});

describe('KR5102: the backend port is a port of the Service', () => {
  const workspace = workspaceOf(SERVICES);
  test('by name and by number: nothing', () => {
    assert.deepEqual(
      codes(
        analyze(
          shopIngress('                name: api\n                port:\n                  name: grpc'),
          { workspace },
        ),
      ),
      [],
    );
    assert.deepEqual(
      codes(
        analyze(shopIngress('                name: api\n                port: { number: 8000 }'), {
          workspace,
        }),
      ),
      [],
    );
  });
  test('the container port instead of the Service port, with the fix', () => {
    const text = shopIngress(
      '                name: web\n                port:\n                  number: 8080',
    );
    const diagnostics = analyze(text, { workspace });
    assert.deepEqual(codes(diagnostics), ['KR5102']);
    assert.deepEqual(spans(text, diagnostics), ['8080']);
    assert.match(diagnostics[0]!.message, /8080 is the targetPort of Service port 80 \(http\)/);
    assert.deepEqual(
      diagnostics[0]!.fixes.map((fix) => [fix.title, fix.preferred]),
      [['Use Service port 80 (http)', true]],
    );
    assert.deepEqual(codes(analyze(applyFix(text, diagnostics[0]!), { workspace })), []);
  });
  test('an unknown port name, with one fix per named port', () => {
    const text = shopIngress(
      '                name: api\n                port:\n                  name: https',
    );
    const diagnostics = analyze(text, { workspace });
    assert.deepEqual(codes(diagnostics), ['KR5102']);
    assert.deepEqual(
      diagnostics[0]!.fixes.map((fix) => fix.title),
      ['Use Service port 8000 (http)', 'Use Service port 9000 (grpc)'],
    );
    assert.deepEqual(codes(analyze(applyFix(text, diagnostics[0]!, 1), { workspace })), []);
  });
  test('a backend under a path without pathType is checked too', () => {
    const text = shopIngress(
      '                name: web\n                port:\n                  number: 8080',
    ).replace('            pathType: Prefix\n', '');
    assert.deepEqual(codes(analyze(text, { workspace })).sort(), ['KR5001', 'KR5102']);
  });
  test('an ExternalName Service takes any port', () => {
    const external = workspaceOf(
      'apiVersion: v1\nkind: Service\nmetadata: { name: web, namespace: shop }\nspec: { type: ExternalName, externalName: web.example.com }\n',
    );
    assert.deepEqual(codes(analyze(shopIngress(WEB_80), { workspace: external })), []);
  });
  test('the default backend too', () => {
    const text =
      'apiVersion: networking.k8s.io/v1\nkind: Ingress\nmetadata: { name: d, namespace: shop }\nspec:\n  defaultBackend:\n    service: { name: web, port: { name: metrics } }\n';
    assert.deepEqual(codes(analyze(text, { workspace })), ['KR5102']);
  });
});

describe('KR5103: the same host and path claimed twice', () => {
  test('by another Ingress of the same class', () => {
    const other = shopIngress(WEB_80, '', 'legacy');
    const workspace = workspaceOf(`${SERVICES}---\n${other}`);
    const text = shopIngress(WEB_80);
    const diagnostics = analyze(text, { workspace });
    assert.deepEqual(codes(diagnostics), ['KR5103']);
    assert.deepEqual(spans(text, diagnostics), ['/']);
    assert.match(
      diagnostics[0]!.message,
      /shop\.example\.com \/ \(Prefix\) is also claimed by Ingress legacy of class nginx/,
    );
  });
  test('not by itself, another class, another path type or another host', () => {
    const text = shopIngress(WEB_80);
    const variants = [
      shopIngress(WEB_80),
      shopIngress(WEB_80, '', 'legacy').replace('ingressClassName: nginx', 'ingressClassName: traefik'),
      shopIngress(WEB_80, '', 'legacy').replace('pathType: Prefix', 'pathType: Exact'),
      shopIngress(WEB_80, '', 'legacy').replace('host: shop.example.com', 'host: api.example.com'),
      shopIngress(WEB_80, '', 'legacy').replace('  ingressClassName: nginx\n', ''),
    ];
    for (const variant of variants) {
      assert.deepEqual(
        codes(analyze(text, { workspace: workspaceOf(`${SERVICES}---\n${variant}`) })),
        [],
        variant,
      );
    }
  });
  test('twice in one Ingress', () => {
    const text = shopIngress(
      WEB_80,
      `          - path: /\n            pathType: Prefix\n            backend:\n              service:\n                name: api\n                port: { name: http }\n`,
    );
    const diagnostics = analyze(text, { workspace: workspaceOf(SERVICES) });
    assert.deepEqual(codes(diagnostics), ['KR5103']);
    assert.match(diagnostics[0]!.message, /already claimed by rule 1, path 1 of this Ingress/);
  });
});

function service(
  name: string,
  ports: Service['spec'] extends infer S ? (S extends { ports?: infer P } ? P : never) : never,
  namespace = 'shop',
  type: 'ClusterIP' | 'NodePort' = 'ClusterIP',
): Service {
  return { metadata: { name, namespace }, spec: { type, selector: { app: name }, ports } };
}

function slice(name: string, ready: boolean[], port = 8080, portName = 'http'): EndpointSlice {
  return {
    metadata: { name: `${name}-abc`, labels: { 'kubernetes.io/service-name': name } },
    ports: [{ name: portName, port, protocol: 'TCP' }],
    endpoints: ready.map((isReady, index) => ({
      addresses: [`10.0.0.${index + 1}`],
      conditions: { ready: isReady },
      targetRef: { kind: 'Pod', name: `${name}-${index}` },
    })),
  };
}

function clusterWith(
  services: Service[] | { unreadable: string },
  slices: Record<string, EndpointSlice[]> | { unreadable: string } = {},
  watched: string[] = ['shop'],
): ClusterModel {
  const base = clusterOf([livePod('web-0', { app: 'web' })], { slices });
  return {
    ...base,
    namespace: (name) => {
      const live = base.namespace(name);
      if (live === undefined && !watched.includes(name)) {
        return undefined;
      }
      const own = Array.isArray(services)
        ? services.filter((candidate) => (candidate.metadata.namespace ?? 'default') === name)
        : services;
      return { ...(live ?? { pods: [], endpointSlices: () => [], networkPolicies: [] }), services: own };
    },
    watchedNamespaces: () => watched,
  };
}

describe('KR52xx: backends against the live cluster', () => {
  const liveServices = [service('web', [{ name: 'http', port: 80, targetPort: 8080 }])];
  test('a ready backend: nothing', () =>
    assert.deepEqual(
      codes(
        analyze(shopIngress(WEB_80), {
          cluster: clusterWith(liveServices, { web: [slice('web', [false, true])] }),
        }),
      ),
      [],
    ));
  test('KR5201: no such Service, with the fix', () => {
    const text = shopIngress(
      '                name: webb\n                port:\n                  number: 80',
    );
    const diagnostics = analyze(text, { cluster: clusterWith(liveServices) });
    assert.deepEqual(codes(diagnostics), ['KR5201']);
    assert.deepEqual(spans(text, diagnostics), ['webb']);
    assert.match(diagnostics[0]!.message, /namespace shop of context test-context.*did you mean "web"/);
    assert.equal(applyFix(text, diagnostics[0]!), shopIngress(WEB_80));
  });
  test('KR5202: no such port', () => {
    const text = shopIngress(
      '                name: web\n                port:\n                  name: https',
    );
    const diagnostics = analyze(text, { cluster: clusterWith(liveServices) });
    assert.deepEqual(codes(diagnostics), ['KR5202']);
    assert.deepEqual(
      diagnostics[0]!.fixes.map((fix) => fix.title),
      ['Use Service port 80 (http)'],
    );
  });
  test('KR5203: no ready endpoint', () => {
    const none = analyze(shopIngress(WEB_80), { cluster: clusterWith(liveServices, { web: [] }) });
    assert.deepEqual(codes(none), ['KR5203']);
    assert.match(none[0]!.message, /no endpoint for port 80: the controller answers 503/);
    const notReady = analyze(shopIngress(WEB_80), {
      cluster: clusterWith(liveServices, { web: [slice('web', [false])] }),
    });
    assert.deepEqual(codes(notReady), ['KR5203']);
    assert.match(notReady[0]!.message, /1 endpoint for port 80 and none is ready \(Pod web-0\)/);
  });
  test('nothing from what cannot be read', () => {
    assert.deepEqual(
      codes(analyze(shopIngress(WEB_80), { cluster: clusterWith({ unreadable: 'no access (403)' }) })),
      [],
    );
    assert.deepEqual(
      codes(
        analyze(shopIngress(WEB_80), {
          cluster: clusterWith(liveServices, { unreadable: 'no access (403)' }),
        }),
      ),
      [],
    );
    assert.deepEqual(
      codes(
        analyze(shopIngress(WEB_80).replace('namespace: shop', 'namespace: other'), {
          cluster: clusterWith([]),
        }),
      ),
      [],
    );
    // A model without Services (an older server) says nothing either.
    assert.deepEqual(codes(analyze(shopIngress(WEB_80), { cluster: clusterOf([]) })), []);
  });
  test('the workspace and the cluster finding the same missing Service make one diagnostic', () => {
    const text = shopIngress(
      '                name: webb\n                port:\n                  number: 80',
    );
    const diagnostics = analyze(text, {
      workspace: workspaceOf(SERVICES),
      cluster: clusterWith(liveServices),
    });
    assert.deepEqual(codes(diagnostics), ['KR5101']);
    assert.match(
      diagnostics[0]!.message,
      /none is written in namespace shop in the workspace, and none in namespace shop of context test-context/,
    );
    assert.equal(diagnostics[0]!.fixes.length, 1);
  });
});

const NODE_PORT_SERVICE = (name: string, nodePort: number, namespace = 'shop') => `apiVersion: v1
kind: Service
metadata:
  name: ${name}
  namespace: ${namespace}
spec:
  type: NodePort
  selector: { app: ${name} }
  ports:
    - port: 80
      nodePort: ${nodePort}
`;

describe('KR3005 and KR4006: node ports already taken', () => {
  test('by another Service in the workspace', () => {
    const text = NODE_PORT_SERVICE('web', 30080);
    const workspace = workspaceOf(`${text}---\n${NODE_PORT_SERVICE('admin', 30080)}`);
    const diagnostics = analyze(text, { workspace });
    assert.deepEqual(codes(diagnostics), ['KR3005']);
    assert.deepEqual(spans(text, diagnostics), ['30080']);
    assert.match(diagnostics[0]!.message, /Service shop\/admin/);
  });
  test('not by itself or by a free port', () => {
    const text = NODE_PORT_SERVICE('web', 30080);
    assert.deepEqual(
      codes(analyze(text, { workspace: workspaceOf(`${text}---\n${NODE_PORT_SERVICE('admin', 30081)}`) })),
      [],
    );
  });
  test('by a live Service in a watched namespace, named honestly', () => {
    const text = NODE_PORT_SERVICE('web', 30080);
    const live = [
      service('web', [{ port: 80, nodePort: 30080 }], 'shop', 'NodePort'),
      service('admin', [{ port: 80, nodePort: 30080 }], 'ops', 'NodePort'),
    ];
    const diagnostics = analyze(text, { cluster: clusterWith(live, {}, ['shop', 'ops']) });
    assert.deepEqual(
      codes(diagnostics).filter((code) => code === 'KR4006'),
      ['KR4006'],
    );
    const kr4006 = diagnostics.find((diagnostic) => diagnostic.code === 'KR4006')!;
    assert.match(
      kr4006.message,
      /live Service ops\/admin in context test-context \(found in the namespaces KubeReach watches: shop and ops\)/,
    );
  });
  test('the live Service that is this one is not a conflict', () => {
    const text = NODE_PORT_SERVICE('web', 30080);
    const live = [service('web', [{ port: 80, nodePort: 30080 }], 'shop', 'NodePort')];
    assert.deepEqual(
      codes(analyze(text, { cluster: clusterWith(live) })).filter((code) => code === 'KR4006'),
      [],
    );
  });
});

describe('KR5204-KR5206: the class against the cluster', () => {
  const nginx = {
    metadata: { name: 'nginx', annotations: { 'ingressclass.kubernetes.io/is-default-class': 'true' } },
    spec: { controller: 'k8s.io/ingress-nginx' },
  };
  const traefik = { metadata: { name: 'traefik' }, spec: { controller: 'traefik.io/ingress-controller' } };
  function withClasses(
    classes: unknown,
    ingresses: Record<string, unknown[]> = {},
    watched: string[] = ['shop'],
  ): ClusterModel {
    const base = clusterWith(
      [service('web', [{ name: 'http', port: 80, targetPort: 8080 }])],
      { web: [slice('web', [true])] },
      watched,
    );
    return {
      ...base,
      namespace: (name) => {
        const live = base.namespace(name);
        return live === undefined ? undefined : { ...live, ingresses: (ingresses[name] ?? []) as never };
      },
      ingressClasses: () => classes as never,
    };
  }
  test('an existing class, or the default for none: nothing', () => {
    assert.deepEqual(codes(analyze(shopIngress(WEB_80), { cluster: withClasses([nginx, traefik]) })), []);
    assert.deepEqual(
      codes(
        analyze(shopIngress(WEB_80).replace('  ingressClassName: nginx\n', ''), {
          cluster: withClasses([nginx]),
        }),
      ),
      [],
    );
  });
  test('KR5204: no such IngressClass, with fixes', () => {
    const text = shopIngress(WEB_80).replace('ingressClassName: nginx', 'ingressClassName: ngnix');
    const diagnostics = analyze(text, { cluster: withClasses([nginx, traefik]) });
    assert.deepEqual(codes(diagnostics), ['KR5204']);
    assert.deepEqual(spans(text, diagnostics), ['ngnix']);
    assert.match(
      diagnostics[0]!.message,
      /No IngressClass "ngnix" in context test-context \(there: nginx and traefik; the default is nginx\)\. Did you mean "nginx"\?/,
    );
    assert.deepEqual(
      diagnostics[0]!.fixes.map((fix) => fix.title),
      ['Set ingressClassName to nginx'],
    );
    assert.equal(applyFix(text, diagnostics[0]!), shopIngress(WEB_80));
  });
  test('KR5205: no class and no default, with a fix per class', () => {
    const text = shopIngress(WEB_80).replace('  ingressClassName: nginx\n', '');
    const diagnostics = analyze(text, { cluster: withClasses([traefik]) });
    assert.deepEqual(codes(diagnostics), ['KR5205']);
    assert.deepEqual(spans(text, diagnostics), ['spec']);
    assert.deepEqual(
      diagnostics[0]!.fixes.map((fix) => [fix.title, fix.preferred]),
      [['Set ingressClassName to traefik', true]],
    );
    assert.match(applyFix(text, diagnostics[0]!), /spec:\n {2}ingressClassName: traefik\n {2}rules:/);
  });
  test('nothing from IngressClasses not read, nor for the legacy annotation', () => {
    const text = shopIngress(WEB_80).replace('ingressClassName: nginx', 'ingressClassName: ngnix');
    assert.deepEqual(codes(analyze(text, { cluster: withClasses({ unreadable: 'no access (403)' }) })), []);
    const annotated = shopIngress(WEB_80)
      .replace('  ingressClassName: nginx\n', '')
      .replace(
        '    nginx.ingress.kubernetes.io/proxy-body-size: 8m\n',
        '    kubernetes.io/ingress.class: internal\n',
      );
    assert.deepEqual(codes(analyze(annotated, { cluster: withClasses([nginx]) })), []);
  });
  test('KR5206: the same host and path claimed by a live Ingress of the class', () => {
    const live = {
      metadata: { name: 'legacy', namespace: 'ops' },
      spec: {
        rules: [
          {
            host: 'shop.example.com',
            http: {
              paths: [
                { path: '/', pathType: 'Prefix', backend: { service: { name: 'x', port: { number: 80 } } } },
              ],
            },
          },
        ],
      },
    };
    const text = shopIngress(WEB_80);
    const diagnostics = analyze(text, { cluster: withClasses([nginx], { ops: [live] }, ['shop', 'ops']) });
    assert.deepEqual(codes(diagnostics), ['KR5206']);
    assert.deepEqual(spans(text, diagnostics), ['/']);
    assert.match(
      diagnostics[0]!.message,
      /already claimed by live Ingress ops\/legacy of class nginx in context test-context \(found in the namespaces KubeReach watches: shop and ops\)/,
    );
    // The class-less live Ingress takes the default class, nginx, too.
    assert.deepEqual(
      codes(analyze(text, { cluster: withClasses([nginx], { ops: [live] }, ['shop', 'ops']) })),
      ['KR5206'],
    );
    // Not itself as applied, nor another class.
    assert.deepEqual(
      codes(
        analyze(text, {
          cluster: withClasses([nginx], {
            shop: [{ ...live, metadata: { name: 'shop', namespace: 'shop' } }],
          }),
        }),
      ),
      [],
    );
    const otherClass = { ...live, spec: { ...live.spec, ingressClassName: 'traefik' } };
    assert.deepEqual(
      codes(
        analyze(text, { cluster: withClasses([nginx, traefik], { ops: [otherClass] }, ['shop', 'ops']) }),
      ),
      [],
    );
  });
  test('the workspace and the cluster claiming the same path make one diagnostic', () => {
    const live = {
      metadata: { name: 'legacy', namespace: 'shop' },
      spec: {
        ingressClassName: 'nginx',
        rules: [{ host: 'shop.example.com', http: { paths: [{ path: '/', pathType: 'Prefix' }] } }],
      },
    };
    const workspace = workspaceOf(`${SERVICES}---\n${shopIngress(WEB_80, '', 'legacy')}`);
    const diagnostics = analyze(shopIngress(WEB_80), {
      workspace,
      cluster: withClasses([nginx], { shop: [live] }),
    });
    assert.deepEqual(codes(diagnostics), ['KR5103']);
    assert.match(
      diagnostics[0]!.message,
      /claims it in the workspace, and live Ingress shop\/legacy of class nginx claims it in context test-context/,
    );
  });
});
