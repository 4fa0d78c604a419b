/**
 * The sandbox's Gateway API controller, end to end: the CRDs installed by a scenario, the status a
 * conformant controller writes (GatewayClass, Gateway, listeners, routes, with the specification's
 * reasons), and real HTTP from the host to the Gateway's address, routed by the precedence the
 * specification defines (HTTPRouteRule.Matches: exact path, longest prefix, method, most header
 * matches, most query matches, then the oldest route and namespace/name; the most specific
 * hostname), case by case, to backend Pods whose echo says their name.
 */
import assert from 'node:assert/strict';
import { request } from 'node:http';
import { before, describe, test } from 'node:test';
import { CustomObjectsApi } from '@kubernetes/client-node';
import { GATEWAY_CONTROLLER_NAME } from '../../sandbox/controllers/gateways.ts';
import { parseScenario } from '../../sandbox/scenario.ts';
import { kubectl, kubectlAvailable, useSandbox, waitFor } from '../support/sandbox.ts';

const BACKENDS = [
  'exact',
  'prefix',
  'longer',
  'fallback',
  'post',
  'anymethod',
  'twoheaders',
  'oneheader',
  'twoquery',
  'onequery',
  'hostexact',
  'hostwild',
  'older',
  'younger',
  'wa',
  'wb',
  'only',
];

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

function route(name: string, section: string, hostnames: string[], rules: string): string {
  return `---
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: { name: ${name}, namespace: routes }
spec:
  parentRefs: [{ name: edge, namespace: infra, sectionName: ${section} }]
  hostnames: [${hostnames.map((h) => `'${h}'`).join(', ')}]
  rules:
${rules}`;
}

const to = (service: string, extra = '') => `backendRefs: [{ name: ${service}, port: 80${extra} }]`;

const SCENARIO = `apiVersion: sandbox.kubereach.dev/v1
kind: Scenario
metadata: { name: gateway-conformance }
nodes: 1
include: [gateway-api-crds.yaml]
---
apiVersion: v1
kind: Namespace
metadata: { name: gateway-sandbox }
---
apiVersion: v1
kind: Pod
metadata: { name: controller, namespace: gateway-sandbox }
spec:
  containers: [{ name: controller, image: 'sandbox.kubereach.dev/gateway-controller:1.0' }]
---
apiVersion: gateway.networking.k8s.io/v1
kind: GatewayClass
metadata: { name: sandbox }
spec: { controllerName: ${GATEWAY_CONTROLLER_NAME} }
---
apiVersion: v1
kind: Namespace
metadata: { name: infra }
---
apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: { name: edge, namespace: infra }
spec:
  gatewayClassName: sandbox
  listeners:
    - { name: main, port: 80, protocol: HTTP, allowedRoutes: { namespaces: { from: All } } }
    - { name: wild, port: 8080, protocol: HTTP, allowedRoutes: { namespaces: { from: All } } }
    - { name: only, port: 8081, protocol: HTTP, hostname: only.example.com, allowedRoutes: { namespaces: { from: All } } }
    - { name: private, port: 8082, protocol: HTTP }
    - { name: tcp, port: 9000, protocol: TCP }
---
apiVersion: v1
kind: Namespace
metadata: { name: routes }
---
apiVersion: v1
kind: Namespace
metadata: { name: other }
${BACKENDS.map((name) => backend('routes', name)).join('')}${backend('other', 'granted')}${backend('other', 'denied')}---
apiVersion: gateway.networking.k8s.io/v1beta1
kind: ReferenceGrant
metadata: { name: routes-to-granted, namespace: other }
spec:
  from: [{ group: gateway.networking.k8s.io, kind: HTTPRoute, namespace: routes }]
  to: [{ group: '', kind: Service, name: granted }]
${route(
  'paths',
  'main',
  ['paths.example.com'],
  `    - { matches: [{ path: { type: Exact, value: /foo } }], ${to('exact')} }
    - { matches: [{ path: { type: PathPrefix, value: /foo } }], ${to('prefix')} }
    - { matches: [{ path: { type: PathPrefix, value: /foo/bar } }], ${to('longer')} }
    - { ${to('fallback')} }
`,
)}${route(
  'methods',
  'main',
  ['methods.example.com'],
  `    - { matches: [{ path: { value: /m }, method: POST }], ${to('post')} }
    - { matches: [{ path: { value: /m } }], ${to('anymethod')} }
    - { matches: [{ path: { value: /m/longer } }], ${to('longer')} }
`,
)}${route(
  'headers',
  'main',
  ['headers.example.com'],
  `    - matches: [{ path: { value: /h }, headers: [{ name: env, value: canary }] }]
      ${to('oneheader')}
    - matches: [{ path: { value: /h }, headers: [{ name: env, value: canary }, { name: team, value: a }] }]
      ${to('twoheaders')}
`,
)}${route(
  'queries',
  'main',
  ['queries.example.com'],
  `    - { matches: [{ path: { value: /q }, queryParams: [{ name: a, value: '1' }] }], ${to('onequery')} }
    - { matches: [{ path: { value: /q }, queryParams: [{ name: a, value: '1' }, { name: b, value: '2' }] }], ${to('twoquery')} }
`,
)}${route(
  'a-tie',
  'main',
  ['tie.example.com'],
  `    - { ${to('older')} }
`,
)}${route(
  'b-tie',
  'main',
  ['tie.example.com'],
  `    - { ${to('younger')} }
`,
)}${route(
  'weights',
  'main',
  ['weights.example.com'],
  `    - backendRefs: [{ name: wa, port: 80, weight: 1 }, { name: wb, port: 80, weight: 1 }]
    - matches: [{ path: { value: /zero } }]
      backendRefs: [{ name: wa, port: 80, weight: 0 }]
`,
)}${route(
  'invalid',
  'main',
  ['invalid.example.com'],
  `    - { ${to('missing')} }
`,
)}${route(
  'crossns',
  'main',
  ['crossns.example.com'],
  `    - { ${to('granted', ', namespace: other')} }
    - { matches: [{ path: { value: /denied } }], ${to('denied', ', namespace: other')} }
`,
)}${route(
  'filters',
  'main',
  ['filters.example.com'],
  `    - matches: [{ path: { value: /moved } }]
      filters: [{ type: RequestRedirect, requestRedirect: { scheme: https, hostname: secure.example.com, statusCode: 301 } }]
    - matches: [{ path: { value: /old } }]
      filters: [{ type: RequestRedirect, requestRedirect: { path: { type: ReplacePrefixMatch, replacePrefixMatch: /new } } }]
    - matches: [{ path: { value: /api } }]
      filters:
        - { type: URLRewrite, urlRewrite: { hostname: internal.example.com, path: { type: ReplacePrefixMatch, replacePrefixMatch: /v2 } } }
        - { type: ResponseHeaderModifier, responseHeaderModifier: { add: [{ name: X-Served-By, value: sandbox }] } }
      ${to('exact')}
`,
)}${route(
  'hostexact',
  'wild',
  ['www.example.com'],
  `    - { ${to('hostexact')} }
`,
)}${route(
  'hostwild',
  'wild',
  ['*.example.com'],
  `    - { ${to('hostwild')} }
`,
)}${route(
  'only',
  'only',
  ['only.example.com'],
  `    - { ${to('only')} }
`,
)}${route(
  'mismatch',
  'only',
  ['elsewhere.example.com'],
  `    - { ${to('only')} }
`,
)}${route(
  'outsider',
  'private',
  [],
  `    - { ${to('only')} }
`,
)}`;

interface Answer {
  status: number;
  pod: string | undefined;
  headers: Record<string, string | string[] | undefined>;
  /** What the backend's echo saw. */
  echo: { host?: string; path?: string } | undefined;
}

function get(
  address: string,
  port: number,
  host: string,
  path: string,
  options: { method?: string; headers?: Record<string, string> } = {},
): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: address,
        port,
        path,
        method: options.method ?? 'GET',
        headers: { host, ...options.headers },
        agent: false,
        timeout: 10_000,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => {
          const body = Buffer.concat(chunks).toString('utf8');
          let echo: { pod?: string; host?: string; path?: string } | undefined;
          try {
            echo = JSON.parse(body) as { pod?: string; host?: string; path?: string };
          } catch {
            echo = undefined;
          }
          resolve({
            status: res.statusCode ?? 0,
            pod: echo?.pod?.replace(/-0$/, ''),
            headers: res.headers,
            echo,
          });
        });
      },
    );
    req.once('timeout', () => req.destroy(new Error('timeout')));
    req.once('error', reject);
    req.end();
  });
}

interface Condition {
  type: string;
  status: string;
  reason: string;
  message: string;
}

type Status = {
  conditions?: Condition[];
  addresses?: Array<{ value: string }>;
  listeners?: Array<{ name: string; attachedRoutes: number; conditions: Condition[] }>;
  parents?: Array<{ parentRef: { sectionName?: string }; conditions: Condition[] }>;
};

const condition = (conditions: Condition[] | undefined, type: string) =>
  conditions?.find((c) => c.type === type);

describe('Gateway API: the sandbox controller', { timeout: 120_000 }, () => {
  const fixture = useSandbox({ scenario: parseScenario(SCENARIO, 'gateway-conformance') });
  let address = '';
  const status = async (plural: string, namespace: string | undefined, name: string): Promise<Status> => {
    const api = fixture.kubeconfig.makeApiClient(CustomObjectsApi);
    const group = 'gateway.networking.k8s.io';
    const object = (
      namespace === undefined
        ? await api.getClusterCustomObject({ group, version: 'v1', plural, name })
        : await api.getNamespacedCustomObject({ group, version: 'v1', namespace, plural, name })
    ) as { status?: Status };
    return object.status ?? {};
  };

  before(async () => {
    address = await waitFor(
      'the Gateway to be programmed',
      async () => {
        const gateway = await status('gateways', 'infra', 'edge');
        return (
          condition(gateway.conditions, 'Programmed')?.status === 'True' && gateway.addresses?.[0]?.value
        );
      },
      20_000,
    );
  });

  test('GatewayClass and Gateway status: accepted, programmed on a pool address, each listener with its reason', async () => {
    assert.equal(
      condition((await status('gatewayclasses', undefined, 'sandbox')).conditions, 'Accepted')?.status,
      'True',
    );
    const gateway = await status('gateways', 'infra', 'edge');
    assert.equal(condition(gateway.conditions, 'Accepted')?.status, 'True');
    assert.ok(
      fixture.sandbox.cluster.addresses.loadBalancers.contains(address),
      `${address} is from the load-balancer pool`,
    );
    const listener = (name: string) => gateway.listeners!.find((l) => l.name === name)!;
    assert.equal(condition(listener('main').conditions, 'Programmed')?.status, 'True');
    assert.equal(listener('main').attachedRoutes, 10);
    assert.equal(listener('wild').attachedRoutes, 2);
    assert.equal(listener('only').attachedRoutes, 1);
    assert.equal(listener('private').attachedRoutes, 0);
    const tcp = condition(listener('tcp').conditions, 'Accepted');
    assert.deepEqual([tcp?.status, tcp?.reason], ['False', 'UnsupportedProtocol']);
  });

  test('route status: Accepted and ResolvedRefs with the specification reasons', async () => {
    const parent = async (name: string) =>
      (await status('httproutes', 'routes', name)).parents?.[0]?.conditions;
    const reasons = async (name: string) => {
      const conditions = await parent(name);
      return [condition(conditions, 'Accepted')?.reason, condition(conditions, 'ResolvedRefs')?.reason];
    };
    assert.deepEqual(await reasons('paths'), ['Accepted', 'ResolvedRefs']);
    assert.deepEqual(await reasons('mismatch'), ['NoMatchingListenerHostname', 'ResolvedRefs']);
    assert.deepEqual(await reasons('outsider'), ['NotAllowedByListeners', 'ResolvedRefs']);
    assert.deepEqual(await reasons('invalid'), ['Accepted', 'BackendNotFound']);
    assert.deepEqual(await reasons('crossns'), ['Accepted', 'RefNotPermitted']);
    assert.equal(condition(await parent('mismatch'), 'Accepted')?.status, 'False');
  });

  const CASES: ReadonlyArray<{
    what: string;
    port?: number;
    host: string;
    path: string;
    method?: string;
    headers?: Record<string, string>;
    expect: string | number;
  }> = [
    {
      what: 'an Exact path beats a PathPrefix of the same value',
      host: 'paths.example.com',
      path: '/foo',
      expect: 'exact',
    },
    {
      what: 'PathPrefix /foo matches /foo/ (Exact /foo does not)',
      host: 'paths.example.com',
      path: '/foo/',
      expect: 'prefix',
    },
    {
      what: 'the longest PathPrefix wins',
      host: 'paths.example.com',
      path: '/foo/bar/baz',
      expect: 'longer',
    },
    {
      what: 'a prefix matches whole path elements: /foo does not match /foobar',
      host: 'paths.example.com',
      path: '/foobar',
      expect: 'fallback',
    },
    {
      what: 'a prefix matches whole path elements: /foo/bar does not match /foo/barn',
      host: 'paths.example.com',
      path: '/foo/barn',
      expect: 'prefix',
    },
    {
      what: 'a method match beats no method match',
      host: 'methods.example.com',
      path: '/m',
      method: 'POST',
      expect: 'post',
    },
    {
      what: 'without the method, the rule without one serves',
      host: 'methods.example.com',
      path: '/m',
      expect: 'anymethod',
    },
    {
      what: 'the path outranks the method',
      host: 'methods.example.com',
      path: '/m/longer',
      method: 'POST',
      expect: 'longer',
    },
    {
      what: 'more header matches win',
      host: 'headers.example.com',
      path: '/h',
      headers: { env: 'canary', team: 'a' },
      expect: 'twoheaders',
    },
    {
      what: 'one header match',
      host: 'headers.example.com',
      path: '/h',
      headers: { env: 'canary' },
      expect: 'oneheader',
    },
    { what: 'no header match: 404', host: 'headers.example.com', path: '/h', expect: 404 },
    {
      what: 'more query param matches win',
      host: 'queries.example.com',
      path: '/q?a=1&b=2',
      expect: 'twoquery',
    },
    {
      what: 'query params match in any order, others ignored',
      host: 'queries.example.com',
      path: '/q?b=2&a=1&c=3',
      expect: 'twoquery',
    },
    { what: 'a query param missing', host: 'queries.example.com', path: '/q?a=1', expect: 'onequery' },
    { what: 'no query param match: 404', host: 'queries.example.com', path: '/q?b=2', expect: 404 },
    {
      what: 'identical matches: the oldest route, then namespace/name, wins',
      host: 'tie.example.com',
      path: '/',
      expect: 'older',
    },
    {
      what: 'an exact hostname beats a wildcard',
      port: 8080,
      host: 'www.example.com',
      path: '/',
      expect: 'hostexact',
    },
    {
      what: 'a wildcard hostname matches one more label',
      port: 8080,
      host: 'api.example.com',
      path: '/',
      expect: 'hostwild',
    },
    {
      what: 'a wildcard does not match its apex: 404',
      port: 8080,
      host: 'example.com',
      path: '/',
      expect: 404,
    },
    { what: 'a Host no route names: 404', host: 'unknown.example.com', path: '/', expect: 404 },
    {
      what: 'the listener hostname selects the listener',
      port: 8081,
      host: 'only.example.com',
      path: '/',
      expect: 'only',
    },
    {
      what: 'a Host no listener on the port accepts: 404',
      port: 8081,
      host: 'elsewhere.example.com',
      path: '/',
      expect: 404,
    },
    {
      what: 'a backend Service that does not exist: 500',
      host: 'invalid.example.com',
      path: '/',
      expect: 500,
    },
    { what: 'every backend weighted 0: 500', host: 'weights.example.com', path: '/zero', expect: 500 },
    {
      what: 'a cross-namespace backend a ReferenceGrant allows',
      host: 'crossns.example.com',
      path: '/',
      expect: 'granted',
    },
    {
      what: 'a cross-namespace backend no ReferenceGrant allows: 500',
      host: 'crossns.example.com',
      path: '/denied',
      expect: 500,
    },
  ];

  for (const item of CASES) {
    test(`routing: ${item.what}`, async () => {
      const answer = await get(address, item.port ?? 80, item.host, item.path, {
        ...(item.method ? { method: item.method } : {}),
        ...(item.headers ? { headers: item.headers } : {}),
      });
      if (typeof item.expect === 'number') {
        assert.equal(answer.status, item.expect);
      } else {
        assert.deepEqual([answer.status, answer.pod], [200, item.expect]);
      }
    });
  }

  test('routing: weights split requests between backends', async () => {
    const seen = new Set<string | undefined>();
    for (let i = 0; i < 30 && seen.size < 2; i++) {
      seen.add((await get(address, 80, 'weights.example.com', '/')).pod);
    }
    assert.deepEqual([...seen].sort(), ['wa', 'wb']);
  });

  test('filters: RequestRedirect (scheme, hostname, status; ReplacePrefixMatch), URLRewrite, ResponseHeaderModifier', async () => {
    const moved = await get(address, 80, 'filters.example.com', '/moved?x=1');
    assert.deepEqual([moved.status, moved.headers.location], [301, 'https://secure.example.com/moved?x=1']);
    const old = await get(address, 80, 'filters.example.com', '/old/page');
    assert.deepEqual([old.status, old.headers.location], [302, 'http://filters.example.com/new/page']);
    const rewritten = await get(address, 80, 'filters.example.com', '/api/items?q=2');
    assert.equal(rewritten.status, 200);
    assert.deepEqual(rewritten.echo && [rewritten.echo.host, rewritten.echo.path], [
      'internal.example.com',
      '/v2/items?q=2',
    ]);
    assert.equal(rewritten.headers['x-served-by'], 'sandbox');
  });

  test('the load-balancer pool off: a new Gateway is not programmed (AddressNotAssigned) until it is back', async () => {
    const api = fixture.kubeconfig.makeApiClient(CustomObjectsApi);
    const group = 'gateway.networking.k8s.io';
    fixture.sandbox.faults.setLoadBalancerPool(false);
    await api.createNamespacedCustomObject({
      group,
      version: 'v1',
      namespace: 'infra',
      plural: 'gateways',
      body: {
        apiVersion: `${group}/v1`,
        kind: 'Gateway',
        metadata: { name: 'late' },
        spec: { gatewayClassName: 'sandbox', listeners: [{ name: 'http', port: 80, protocol: 'HTTP' }] },
      },
    });
    const pending = await waitFor('the Gateway to be refused an address', async () => {
      const programmed = condition((await status('gateways', 'infra', 'late')).conditions, 'Programmed');
      return programmed?.status === 'False' && programmed;
    });
    assert.equal(pending.reason, 'AddressNotAssigned');
    fixture.sandbox.faults.setLoadBalancerPool(true);
    const late = await waitFor('the Gateway to be programmed', async () => {
      const gateway = await status('gateways', 'infra', 'late');
      return condition(gateway.conditions, 'Programmed')?.status === 'True' && gateway.addresses?.[0]?.value;
    });
    assert.notEqual(late, address);
    await api.deleteNamespacedCustomObject({
      group,
      version: 'v1',
      namespace: 'infra',
      plural: 'gateways',
      name: 'late',
    });
  });

  test('routing: a port with no accepted listener does not answer HTTP', async () => {
    await assert.rejects(get(address, 9000, 'paths.example.com', '/'));
  });

  test(
    'kubectl: get gateways and httproutes -A with upstream printer columns',
    { skip: !kubectlAvailable },
    async () => {
      const config = fixture.sandbox.kubeconfigPath;
      const gateways = await kubectl(config, ['get', 'gateways', '-A']);
      assert.match(gateways.stdout, /^NAMESPACE\s+NAME\s+CLASS\s+ADDRESS\s+PROGRAMMED\s+AGE\s*$/m);
      assert.match(
        gateways.stdout,
        new RegExp(
          `^infra\\s+edge\\s+sandbox\\s+${address.replaceAll('.', '\\.')}\\s+True\\s+\\d+s\\s*$`,
          'm',
        ),
      );
      const routes = await kubectl(config, ['get', 'httproutes', '-A']);
      assert.match(routes.stdout, /^NAMESPACE\s+NAME\s+HOSTNAMES\s+AGE\s*$/m);
      assert.match(routes.stdout, /^routes\s+hostwild\s+\["\*\.example\.com"\]\s+\d+s\s*$/m);
      const describe = await kubectl(config, ['describe', 'httproute', 'mismatch', '-n', 'routes']);
      assert.match(describe.stdout, /Reason:\s+NoMatchingListenerHostname/);
    },
  );
});
