/**
 * The sandbox's built-in Ingress controller, end to end: real HTTP from the host to the
 * controller's Service, with Host headers, through the controller Pod's reverse proxy, to the
 * backend Pods' echo, which says its name. Routing follows the Kubernetes Ingress documentation's
 * examples table row by row; the failures answer as ingress-nginx does (404 from the default
 * backend, 503 without a ready endpoint, 502 on a refused connection, 504 when a NetworkPolicy
 * drops the controller's connection), and the controller writes each Ingress's address.
 */
import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import { type } from '../../sandbox/cluster.ts';
import { DEFAULT_BACKEND_BODY } from '../../sandbox/dataplane/ingressProxy.ts';
import { parseScenario } from '../../sandbox/scenario.ts';
import { httpThrough } from '../support/rawRequest.ts';
import type { RawResponse } from '../support/rawRequest.ts';
import { useSandbox, waitFor } from '../support/sandbox.ts';

/** One bare Pod and a Service of the same name per backend, so the echo's Pod name says which one. */
function backend(namespace: string, name: string): string {
  return `---
apiVersion: v1
kind: Pod
metadata: { name: ${name}-0, namespace: ${namespace}, labels: { app: ${name} } }
spec:
  containers:
    - { name: app, image: registry.example/echo:1.0, ports: [{ name: http, containerPort: 8080 }] }
---
apiVersion: v1
kind: Service
metadata: { name: ${name}, namespace: ${namespace} }
spec:
  selector: { app: ${name} }
  ports: [{ name: http, port: 80, targetPort: http }]
`;
}

function prefix(path: string, service: string, type = 'Prefix'): string {
  return `{ path: '${path}', pathType: ${type}, backend: { service: { name: ${service}, port: { number: 80 } } } }`;
}

/**
 * The documentation's examples table, one host per row: `one`, `two`, `three` are the Services of
 * the row's paths in order; a row that matches nothing falls to the Ingress's default backend.
 */
const TABLE: ReadonlyArray<{
  row: string;
  paths: string[];
  requests: Array<[string, string]>;
}> = [
  {
    row: 'prefix-root',
    paths: [prefix('/', 'one')],
    requests: [
      ['/', 'one'],
      ['/foo', 'one'],
      ['/foo/bar', 'one'],
    ],
  },
  {
    row: 'exact-foo',
    paths: [prefix('/foo', 'one', 'Exact')],
    requests: [
      ['/foo', 'one'],
      ['/bar', 'fallback'],
      ['/foo/', 'fallback'],
    ],
  },
  { row: 'exact-foo-slash', paths: [prefix('/foo/', 'one', 'Exact')], requests: [['/foo', 'fallback']] },
  {
    row: 'prefix-foo',
    paths: [prefix('/foo', 'one')],
    requests: [
      ['/foo', 'one'],
      ['/foo/', 'one'],
    ],
  },
  {
    row: 'prefix-foo-slash',
    paths: [prefix('/foo/', 'one')],
    requests: [
      ['/foo', 'one'],
      ['/foo/', 'one'],
    ],
  },
  { row: 'prefix-aaa-bb', paths: [prefix('/aaa/bb', 'one')], requests: [['/aaa/bbb', 'fallback']] },
  {
    row: 'prefix-aaa-bbb',
    paths: [prefix('/aaa/bbb', 'one')],
    requests: [
      ['/aaa/bbb', 'one'],
      ['/aaa/bbb/', 'one'],
      ['/aaa/bbb/ccc', 'one'],
      ['/aaa/bbbxyz', 'fallback'],
    ],
  },
  { row: 'prefix-aaa-bbb-slash', paths: [prefix('/aaa/bbb/', 'one')], requests: [['/aaa/bbb', 'one']] },
  {
    row: 'prefix-root-aaa',
    paths: [prefix('/', 'one'), prefix('/aaa', 'two')],
    requests: [['/aaa/ccc', 'two']],
  },
  {
    row: 'prefix-root-aaa-bbb',
    paths: [prefix('/', 'one'), prefix('/aaa', 'two'), prefix('/aaa/bbb', 'three')],
    requests: [
      ['/aaa/bbb', 'three'],
      ['/ccc', 'one'],
    ],
  },
  { row: 'prefix-aaa', paths: [prefix('/aaa', 'one')], requests: [['/ccc', 'fallback']] },
  {
    row: 'mixed-foo',
    paths: [prefix('/foo', 'one'), prefix('/foo', 'two', 'Exact')],
    requests: [
      ['/foo', 'two'],
      ['/foo/x', 'one'],
    ],
  },
];

const SCENARIO = `
apiVersion: sandbox.kubereach.dev/v1
kind: Scenario
metadata: { name: ingress-controller }
nodes: 2
listeners:
  - pods: { namespace: web, labels: { app: refused } }
    mode: none
  - pods: { namespace: web, name: half-refused }
    mode: none
pods:
  - pods: { namespace: web, labels: { app: unready } }
    ready: false
---
apiVersion: v1
kind: Namespace
metadata: { name: ingress-sandbox }
---
apiVersion: v1
kind: Namespace
metadata: { name: web }
---
apiVersion: v1
kind: Namespace
metadata: { name: docs }
---
apiVersion: v1
kind: Namespace
metadata: { name: vault }
---
apiVersion: networking.k8s.io/v1
kind: IngressClass
metadata:
  name: sandbox
  annotations: { ingressclass.kubernetes.io/is-default-class: "true" }
spec: { controller: sandbox.kubereach.dev/ingress-controller }
---
apiVersion: apps/v1
kind: Deployment
metadata: { name: ingress-sandbox-controller, namespace: ingress-sandbox }
spec:
  replicas: 1
  selector: { matchLabels: { app.kubernetes.io/name: ingress-sandbox } }
  template:
    metadata: { labels: { app.kubernetes.io/name: ingress-sandbox, app.kubernetes.io/component: controller } }
    spec:
      containers:
        - name: controller
          image: sandbox.kubereach.dev/ingress-controller:1.0
          args:
            - --ingress-class=sandbox
            - --publish-service=ingress-sandbox/ingress-sandbox-controller
            - --proxy-connect-timeout=1s
          ports: [{ name: http, containerPort: 80 }]
---
apiVersion: v1
kind: Service
metadata: { name: ingress-sandbox-controller, namespace: ingress-sandbox }
spec:
  type: LoadBalancer
  selector: { app.kubernetes.io/name: ingress-sandbox }
  ports: [{ name: http, port: 80, targetPort: http }]
${backend('web', 'shop')}${backend('web', 'api')}${backend('web', 'refused')}${backend('web', 'unready')}
---
apiVersion: v1
kind: Pod
metadata: { name: half-refused, namespace: web, labels: { app: half } }
spec:
  containers:
    - { name: app, image: registry.example/echo:1.0, ports: [{ name: http, containerPort: 8080 }] }
---
apiVersion: v1
kind: Pod
metadata: { name: half-answers, namespace: web, labels: { app: half } }
spec:
  containers:
    - { name: app, image: registry.example/echo:1.0, ports: [{ name: http, containerPort: 8080 }] }
---
apiVersion: v1
kind: Service
metadata: { name: half, namespace: web }
spec:
  selector: { app: half }
  ports: [{ name: http, port: 80, targetPort: http }]
---
apiVersion: v1
kind: Service
metadata: { name: empty, namespace: web }
spec:
  selector: { app: nobody }
  ports: [{ name: http, port: 80, targetPort: 8080 }]
---
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: { name: shop, namespace: web }
spec:
  ingressClassName: sandbox
  rules:
    - host: shop.example.com
      http:
        paths:
          - { path: /, pathType: Prefix, backend: { service: { name: shop, port: { name: http } } } }
          - { path: /api, pathType: Prefix, backend: { service: { name: api, port: { number: 80 } } } }
          - { path: /empty, pathType: Prefix, backend: { service: { name: empty, port: { number: 80 } } } }
          - { path: /unready, pathType: Prefix, backend: { service: { name: unready, port: { number: 80 } } } }
          - { path: /refused, pathType: Prefix, backend: { service: { name: refused, port: { number: 80 } } } }
          - { path: /half, pathType: Prefix, backend: { service: { name: half, port: { number: 80 } } } }
          - { path: /broken, pathType: Prefix, backend: { service: { name: shop, port: { number: 9999 } } } }
          - { path: /missing, pathType: Prefix, backend: { service: { name: no-such-service, port: { number: 80 } } } }
    - host: '*.wild.example'
      http:
        paths:
          - { path: /, pathType: Prefix, backend: { service: { name: api, port: { number: 80 } } } }
${backend('vault', 'vault')}
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: { name: default-deny, namespace: vault }
spec:
  podSelector: {}
  policyTypes: [Ingress]
---
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: { name: vault, namespace: vault }
spec:
  rules:
    - host: vault.example.com
      http:
        paths:
          - { path: /, pathType: Prefix, backend: { service: { name: vault, port: { number: 80 } } } }
${backend('docs', 'one')}${backend('docs', 'two')}${backend('docs', 'three')}${backend('docs', 'fallback')}
---
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: { name: docs-table, namespace: docs }
spec:
  ingressClassName: sandbox
  defaultBackend: { service: { name: fallback, port: { number: 80 } } }
  rules:
${TABLE.map(
  ({ row, paths }) => `    - host: ${row}.docs.example
      http:
        paths:
${paths.map((path) => `          - ${path}`).join('\n')}`,
).join('\n')}
`;

describe('the sandbox Ingress controller', () => {
  const fixture = useSandbox({ scenario: parseScenario(SCENARIO, 'ingress-controller') });
  let address: string;
  let controllerPodIp: string;

  /** One request to the controller's LoadBalancer address, as a client outside the cluster sends it. */
  const get = (host: string | undefined, path: string, options: { method?: string; body?: Buffer } = {}) =>
    httpThrough(address, host, path, options);

  const podOf = (answer: RawResponse): string => {
    assert.equal(answer.status, 200, answer.body);
    return (JSON.parse(answer.body) as { pod: string }).pod;
  };

  before(async () => {
    const cluster = fixture.sandbox.cluster;
    // Running is not ready: wait, as `kubectl rollout status` would, for the Services to have ready endpoints.
    for (const [namespace, name] of [
      ['ingress-sandbox', 'ingress-sandbox-controller'],
      ['web', 'shop'],
      ['web', 'api'],
      ['web', 'refused'],
      ['vault', 'vault'],
      ['docs', 'one'],
      ['docs', 'two'],
      ['docs', 'three'],
      ['docs', 'fallback'],
    ] as const) {
      await waitFor(`${namespace}/${name} to have a ready endpoint`, () => {
        const service = cluster.store.peek(type('services'), namespace, name);
        return service !== undefined && cluster.dataplane.pickEndpoint(service, 80) !== undefined;
      });
    }
    // The controller's LoadBalancer address, as a client outside the cluster reaches it.
    address = await waitFor('the controller Service to get a LoadBalancer address', () => {
      const service = cluster.store.peek(type('services'), 'ingress-sandbox', 'ingress-sandbox-controller');
      return (service?.status as { loadBalancer?: { ingress?: Array<{ ip?: string }> } } | undefined)
        ?.loadBalancer?.ingress?.[0]?.ip;
    });
    const controller = cluster.store
      .list(type('pods'), 'ingress-sandbox')
      .map((entry) => entry.object)
      .find((pod) => (pod.status as { phase?: string }).phase === 'Running');
    assert.ok(controller, 'a running controller Pod');
    controllerPodIp = (controller.status as { podIP: string }).podIP;
  });

  test('a matched path answers from the right backend Pod, which sees the controller Pod as its client', async () => {
    const answer = await get('shop.example.com', '/api/items?x=1');
    assert.equal(podOf(answer), 'api-0');
    const echo = JSON.parse(answer.body) as { host: string; path: string; client: string };
    assert.equal(echo.host, 'shop.example.com', 'the Host header is passed on');
    assert.equal(echo.path, '/api/items?x=1', 'the path is passed on unchanged');
    assert.equal(echo.client, controllerPodIp, "the controller connects from its own Pod's address");
    assert.equal(podOf(await get('shop.example.com', '/')), 'shop-0');
    assert.equal(podOf(await get('SHOP.example.com:80', '/apiary')), 'shop-0', '/api is not a string prefix');
  });

  test('request and response bodies stream through the proxy', async () => {
    const upload = await get('shop.example.com', '/upload', {
      method: 'POST',
      body: Buffer.alloc(1 << 20, 'u'),
    });
    assert.equal(podOf(upload), 'shop-0');
    assert.equal((JSON.parse(upload.body) as { method: string }).method, 'POST');
    const download = await get('shop.example.com', '/bytes/3000000');
    assert.equal(download.status, 200);
    assert.equal(download.body.length, 3_000_000);
  });

  test('the path is routed as nginx normalizes it (dot segments, double slashes, percent-encoding) and passed on as sent', async () => {
    for (const path of ['/x/../api/items', '//api//items', '/%61pi/items', '/api/./items']) {
      const answer = await get('shop.example.com', path);
      assert.equal(podOf(answer), 'api-0', path);
      assert.equal(
        (JSON.parse(answer.body) as { path: string }).path,
        path,
        'the backend gets the path as sent',
      );
    }
    const above = await get('shop.example.com', '/../etc/passwd');
    assert.equal(above.status, 400, 'a path above the root is a bad request, as nginx answers it');
  });

  test('nothing routes: 404 from the default backend', async () => {
    const answer = await get('unknown.example.com', '/');
    assert.equal(answer.status, 404);
    assert.equal(answer.body, DEFAULT_BACKEND_BODY);
    assert.equal((await get(undefined, '/')).status, 404, 'no Host header, no host-less rule');
  });

  test('host wildcards cover exactly one DNS label', async () => {
    assert.equal(podOf(await get('bar.wild.example', '/')), 'api-0');
    assert.equal((await get('baz.bar.wild.example', '/')).status, 404);
    assert.equal((await get('wild.example', '/')).status, 404);
  });

  test('a backend Service without a ready endpoint answers 503', async () => {
    for (const path of ['/empty', '/unready']) {
      const answer = await get('shop.example.com', path);
      assert.equal(answer.status, 503, path);
      assert.match(answer.body, /503 Service Temporarily Unavailable/);
    }
  });

  test('a backend port the Service does not have, or a Service that does not exist, answers 503', async () => {
    assert.equal((await get('shop.example.com', '/broken')).status, 503);
    assert.equal((await get('shop.example.com', '/missing')).status, 503);
  });

  test('a backend endpoint that refuses the connection answers 502', async () => {
    const answer = await get('shop.example.com', '/refused');
    assert.equal(answer.status, 502);
    assert.match(answer.body, /502 Bad Gateway/);
  });

  test('an endpoint that refuses is retried on the next one, as ingress-nginx does (proxy_next_upstream error timeout)', async () => {
    const cluster = fixture.sandbox.cluster;
    const half = cluster.store.peek(type('services'), 'web', 'half')!;
    await waitFor('both endpoints of web/half to be ready', () =>
      cluster.dataplane.endpointsOf(half, 80).filter((endpoint) => endpoint.ready).length === 2
        ? true
        : undefined,
    );
    for (let i = 0; i < 12; i++) {
      assert.equal(podOf(await get('shop.example.com', '/half')), 'half-answers', `request ${i}`);
    }
  });

  test('a backend whose namespace denies the controller answers 504 after the connect timeout; admitting the controller namespace fixes it', async () => {
    const blocked = await get('vault.example.com', '/');
    assert.equal(blocked.status, 504);
    assert.match(blocked.body, /504 Gateway Time-out/);
    assert.ok(
      blocked.ms >= 900 && blocked.ms < 5_000,
      `answered after the 1 s connect timeout (${blocked.ms} ms)`,
    );

    fixture.sandbox.cluster.create(type('networkpolicies'), {
      metadata: { name: 'allow-ingress-controller', namespace: 'vault' },
      spec: {
        podSelector: {},
        policyTypes: ['Ingress'],
        ingress: [
          {
            from: [
              { namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'ingress-sandbox' } } },
            ],
          },
        ],
      },
    });
    assert.equal(podOf(await get('vault.example.com', '/')), 'vault-0');
  });

  test("the documentation's path-matching examples, end to end", async () => {
    for (const { row, requests } of TABLE) {
      for (const [path, service] of requests) {
        const answer = await get(`${row}.docs.example`, path);
        assert.equal(answer.status, 200, `${row}: ${path}: ${answer.body}`);
        assert.equal(podOf(answer), `${service}-0`, `${row}: ${path}`);
      }
    }
  });

  test("every Ingress of the class gets the controller Service's address; the controller logs each request", async () => {
    const cluster = fixture.sandbox.cluster;
    const published = await waitFor('the controller Service to have an address', () => {
      const service = cluster.store.peek(type('services'), 'ingress-sandbox', 'ingress-sandbox-controller');
      return (service?.status as { loadBalancer?: { ingress?: Array<{ ip?: string }> } } | undefined)
        ?.loadBalancer?.ingress;
    });
    for (const [namespace, name] of [
      ['web', 'shop'],
      ['vault', 'vault'],
      ['docs', 'docs-table'],
    ] as const) {
      await waitFor(`${namespace}/${name}'s address`, () => {
        const ingress = cluster.store.peek(type('ingresses'), namespace, name);
        const status = (
          ingress?.status as { loadBalancer?: { ingress?: Array<{ ip?: string }> } } | undefined
        )?.loadBalancer?.ingress;
        return JSON.stringify(status) === JSON.stringify(published.map((entry) => ({ ip: entry.ip })));
      });
    }
    const controller = cluster.store
      .list(type('pods'), 'ingress-sandbox')
      .map((entry) => entry.object)
      .find((pod) => (pod.status as { podIP?: string }).podIP === controllerPodIp)!;
    const lines = cluster.logs
      .read('ingress-sandbox', controller.metadata.name!, 'controller')
      .map((l) => l.text);
    assert.ok(
      lines.some((line) =>
        /"GET \/api\/items\?x=1 HTTP\/1\.1" 200 .* \[web-api-80\] \[\] \S+:8080 /.test(line),
      ),
      lines.join('\n'),
    );
  });
});
