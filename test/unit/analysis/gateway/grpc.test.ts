/**
 * GRPCRoute routing against the conformance suite's request tables
 * (conformance/tests/grpcroute-exact-method-matching.go, grpcroute-header-matching.go) and the
 * precedence of grpcroute_types.go GRPCRouteRule.Matches (service, then method, then headers).
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { GRPCRoute, GRPCRouteRule, GatewayWorld } from '../../../../src/analysis/gateway/index.ts';
import { gateway, http, outcome, routed, service, world } from './fixtures.ts';

const ECHO = 'gateway_api_conformance.echo_basic.grpcecho.GrpcEcho';
const V1 = 'grpc-infra-backend-v1';
const V2 = 'grpc-infra-backend-v2';

function grpcWorld(rules: GRPCRouteRule[]): GatewayWorld {
  const route: GRPCRoute = {
    metadata: { name: 'grpc', namespace: 'infra', creationTimestamp: '2026-01-01T00:00:00Z' },
    spec: { parentRefs: [{ name: 'gw', namespace: 'infra' }], rules },
  };
  return world({
    gateways: [gateway('gw', [http('http')])],
    grpcRoutes: [route],
    services: [service('infra', V1), service('infra', V2)],
  });
}

function call(method: string, headers: Record<string, string> = {}) {
  return {
    method: 'POST',
    path: `/${ECHO}/${method}`,
    headers: { 'content-type': 'application/grpc', ...headers },
  };
}

describe('conformance GRPCExactMethodMatching', () => {
  const w = grpcWorld([
    { matches: [{ method: { service: ECHO, method: 'Echo' } }], backendRefs: [{ name: V1, port: 8080 }] },
    { matches: [{ method: { service: ECHO, method: 'EchoTwo' } }], backendRefs: [{ name: V2, port: 8080 }] },
  ]);
  test('Echo → v1', () => assert.equal(outcome(w, call('Echo')), V1));
  test('EchoTwo → v2', () => assert.equal(outcome(w, call('EchoTwo')), V2));
  test('EchoThree → not found, said as the gRPC status Unimplemented', () => {
    assert.equal(outcome(w, call('EchoThree')), 404);
    const d = routed(w, call('EchoThree'));
    assert.equal(d.request.grpc, true);
    assert.match(d.explanation, /answers the gRPC status Unimplemented/);
  });
});

describe('conformance GRPCHeaderMatching', () => {
  const byHeaders = (backend: string, ...matches: Record<string, string>[]): GRPCRouteRule => ({
    matches: matches.map((headers) => ({
      headers: Object.entries(headers).map(([name, value]) => ({ name, value })),
    })),
    backendRefs: [{ name: backend, port: 8080 }],
  });
  const w = grpcWorld([
    byHeaders(V1, { version: 'one' }),
    byHeaders(V2, { version: 'two' }),
    byHeaders(V1, { version: 'two', color: 'orange' }),
    byHeaders(V1, { color: 'blue' }, { color: 'green' }),
    byHeaders(V2, { color: 'red' }, { color: 'yellow' }),
  ]);
  const cases: [Record<string, string>, string | number][] = [
    [{ version: 'one' }, V1],
    [{ version: 'two' }, V2],
    [{ version: 'two', color: 'orange' }, V1],
    [{ color: 'blue' }, V1],
    [{ color: 'green' }, V1],
    [{ color: 'red' }, V2],
    [{ color: 'yellow' }, V2],
    [{}, 404],
    [{ version: 'three' }, 404],
  ];
  for (const [headers, expected] of cases) {
    test(`${JSON.stringify(headers)} → ${expected}`, () =>
      assert.equal(outcome(w, call('Echo', headers)), expected));
  }
});

describe('GRPCRouteRule.Matches precedence', () => {
  test('a service-only match loses to service and method; a method-only match loses to a service match', () => {
    const w = grpcWorld([
      { matches: [{ method: { method: 'Echo' } }], backendRefs: [{ name: V2, port: 8080 }] },
      { matches: [{ method: { service: ECHO } }], backendRefs: [{ name: V1, port: 8080 }] },
      {
        matches: [{ method: { service: ECHO, method: 'EchoTwo' } }],
        backendRefs: [{ name: V2, port: 8080 }],
      },
    ]);
    assert.equal(outcome(w, call('Echo')), V1, 'characters of a matching service first');
    assert.equal(outcome(w, call('EchoTwo')), V2);
  });
});
