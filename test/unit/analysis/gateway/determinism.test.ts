/**
 * The answers depend on the objects, never on the order they come in (the API server lists by
 * name, an informer by arrival): routing decisions and computed status are compared across
 * shuffles of the same world, with a seeded shuffle so a failure can be replayed.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  buildGatewayRouteTable,
  computeGatewayStatuses,
  routeGatewayRequest,
} from '../../../../src/analysis/gateway/index.ts';
import type { GatewayWorld, HTTPRoute } from '../../../../src/analysis/gateway/index.ts';
import { BACKENDS, CONTROLLER, gateway, http, route, rule, service, world } from './fixtures.ts';

function shuffled<T>(items: readonly T[], seed: number): T[] {
  const out = [...items];
  let state = seed;
  for (let i = out.length - 1; i > 0; i--) {
    state = (state * 1103515245 + 12345) % 2 ** 31;
    const j = state % (i + 1);
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

const paths = ['/', '/a', '/a/b', '/a/b/c', '/b'];
const routes: HTTPRoute[] = [];
for (let i = 0; i < 12; i++) {
  routes.push(
    route(
      `ns${i % 3}`,
      `r${i}`,
      {
        hostnames: i % 4 === 0 ? [] : [i % 2 === 0 ? '*.example.com' : 'a.example.com'],
        rules: [
          rule(BACKENDS[i % 3]!, {
            path: { type: i % 5 === 0 ? 'Exact' : 'PathPrefix', value: paths[i % paths.length]! },
          }),
          rule(BACKENDS[(i + 1) % 3]!, {
            path: { type: 'PathPrefix', value: paths[(i + 2) % paths.length]! },
            method: i % 2 ? 'GET' : undefined,
          }),
        ],
      },
      `2026-01-0${1 + (i % 3)}T00:00:00Z`,
    ),
  );
}
const base: GatewayWorld = world({
  gateways: [gateway('gw', [http('http'), http('a', 80, { hostname: 'a.example.com' })])],
  httpRoutes: routes,
  services: ['ns0', 'ns1', 'ns2'].flatMap((ns) => BACKENDS.map((name) => service(ns, name))),
});
const requests = ['a.example.com', 'b.example.com', 'other.org'].flatMap((host) =>
  ['/', '/a', '/a/b/c', '/b/x', '/zzz'].flatMap((path) =>
    ['GET', 'POST'].map((method) => ({ host, path, method, port: 80 })),
  ),
);

function answers(w: GatewayWorld): string[] {
  const table = buildGatewayRouteTable(w.gateways[0]!, w);
  return requests.map((request) => {
    const d = routeGatewayRequest(table, request);
    return d.kind === 'routed'
      ? `${d.listener} ${d.route.namespace}/${d.route.name} ${d.ruleIndex}.${d.matchIndex}`
      : d.kind;
  });
}

test('routing decisions do not depend on the order of routes', () => {
  const expected = answers(base);
  assert.ok(new Set(expected).size > 5, 'the table exercises several routes');
  for (let seed = 1; seed <= 20; seed++) {
    assert.deepEqual(
      answers({ ...base, httpRoutes: shuffled(base.httpRoutes, seed) }),
      expected,
      `seed ${seed}`,
    );
  }
});

test('computed status does not depend on the order of routes (other than the order of the route list itself)', () => {
  const key = (w: GatewayWorld) => {
    const s = computeGatewayStatuses(w, {
      controllerName: CONTROLLER,
      addresses: () => [{ value: '127.0.0.1' }],
    });
    return JSON.stringify({
      gateways: s.gateways,
      routes: [...s.routes]
        .sort((a, b) =>
          `${a.route.namespace}/${a.route.name}` < `${b.route.namespace}/${b.route.name}` ? -1 : 1,
        )
        .map((r) => r.parents),
    });
  };
  const expected = key(base);
  for (let seed = 1; seed <= 10; seed++) {
    assert.equal(key({ ...base, httpRoutes: shuffled(base.httpRoutes, seed) }), expected, `seed ${seed}`);
  }
});
