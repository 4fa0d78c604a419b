/**
 * The controller's written status against KubeReach's computation: agreement, a disagreement
 * with both sides quoted, a stale status (observedGeneration behind metadata.generation), and no
 * status at all, for routes (RouteParentStatus) and Gateways (conditions, listener attachedRoutes).
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  compareGatewayStatus,
  compareRouteStatus,
  computeGatewayStatuses,
  mergeConditions,
  mergeRouteParents,
} from '../../../../src/analysis/gateway/index.ts';
import type { Gateway, GatewayWorld, HTTPRoute } from '../../../../src/analysis/gateway/index.ts';
import { BACKENDS, CONTROLLER, gateway, http, route, rule, service, world } from './fixtures.ts';

const NOW = '2026-02-01T00:00:00Z';

/** The world with every status written as the computation says (what a conformant controller leaves). */
function reconciled(w: GatewayWorld): GatewayWorld {
  const computed = computeGatewayStatuses(w, {
    controllerName: CONTROLLER,
    addresses: () => [{ value: '127.0.0.9' }],
  });
  return {
    ...w,
    gateways: w.gateways.map((g): Gateway => {
      const mine = computed.gateways.find((c) => c.gateway.name === g.metadata.name)!;
      return { ...g, status: mine.status };
    }),
    httpRoutes: w.httpRoutes.map((r): HTTPRoute => {
      const mine = computed.routes.find((c) => c.route.name === r.metadata.name)!;
      return {
        ...r,
        status: {
          parents: mergeRouteParents(r.status?.parents, mine.parents, CONTROLLER, r.metadata.namespace!, NOW),
        },
      };
    }),
  };
}

const base = world({
  gateways: [gateway('gw', [http('http'), http('internal', 8080, { hostname: '*.internal.example.com' })])],
  httpRoutes: [route('infra', 'shop', { hostnames: ['shop.example.com'], rules: [rule(BACKENDS[0]!)] })],
  services: [service('infra', BACKENDS[0]!)],
});

describe('compareRouteStatus', () => {
  test('a reconciled route agrees', () => {
    const w = reconciled(base);
    const [result] = compareRouteStatus({ kind: 'HTTPRoute', route: w.httpRoutes[0]! }, w);
    assert.deepEqual(result!.comparison, { state: 'agrees' });
  });

  test('the controller says Accepted, KubeReach computes NoMatchingListenerHostname: both quoted', () => {
    const w = reconciled(base);
    const moved: HTTPRoute = {
      ...w.httpRoutes[0]!,
      spec: {
        ...w.httpRoutes[0]!.spec,
        parentRefs: [{ name: 'gw', namespace: 'infra', sectionName: 'internal' }],
      },
    };
    const written = w.httpRoutes[0]!.status!.parents![0]!;
    const withStatus: HTTPRoute = {
      ...moved,
      status: { parents: [{ ...written, parentRef: moved.spec!.parentRefs![0]! }] },
    };
    const [result] = compareRouteStatus(
      { kind: 'HTTPRoute', route: withStatus },
      { ...w, httpRoutes: [withStatus] },
    );
    assert.equal(result!.comparison.state, 'disagrees');
    if (result!.comparison.state === 'disagrees') {
      const [accepted] = result!.comparison.disagreements;
      assert.equal(accepted!.written, 'True (Accepted)');
      assert.equal(accepted!.computed, 'False (NoMatchingListenerHostname)');
      assert.match(accepted!.message, /hostname shop.example.com does not match \*.internal.example.com/);
    }
  });

  test('conditions for an older generation: stale', () => {
    const w = reconciled(base);
    const r = w.httpRoutes[0]!;
    const newer: HTTPRoute = { ...r, metadata: { ...r.metadata, generation: 5 } };
    const [result] = compareRouteStatus({ kind: 'HTTPRoute', route: newer }, { ...w, httpRoutes: [newer] });
    assert.equal(result!.comparison.state, 'stale');
    assert.match(
      result!.comparison.state === 'stale' ? result!.comparison.message : '',
      /generation 2, the object is at generation 5/,
    );
  });

  test('no entry from the controller: not-written', () => {
    const [result] = compareRouteStatus({ kind: 'HTTPRoute', route: base.httpRoutes[0]! }, base);
    assert.equal(result!.comparison.state, 'not-written');
  });

  test("an entry from another controller is not this controller's", () => {
    const w = reconciled(base);
    const r = w.httpRoutes[0]!;
    const foreign: HTTPRoute = {
      ...r,
      status: { parents: r.status!.parents!.map((p) => ({ ...p, controllerName: 'someone/else' })) },
    };
    const [result] = compareRouteStatus(
      { kind: 'HTTPRoute', route: foreign },
      { ...w, httpRoutes: [foreign] },
    );
    assert.equal(result!.comparison.state, 'not-written');
  });
});

describe('compareGatewayStatus', () => {
  test('a reconciled Gateway agrees', () => {
    const w = reconciled(base);
    assert.deepEqual(compareGatewayStatus(w.gateways[0]!, w), { state: 'agrees' });
  });

  test('a wrong attachedRoutes count and a missing listener condition are disagreements', () => {
    const w = reconciled(base);
    const g = w.gateways[0]!;
    const listeners = g.status!.listeners!.map((l) =>
      l.name === 'http'
        ? {
            ...l,
            attachedRoutes: 3,
            conditions: mergeConditions(
              undefined,
              l.conditions.filter((c) => c.type !== 'Programmed'),
              NOW,
            ),
          }
        : l,
    );
    const wrong: Gateway = { ...g, status: { ...g.status, listeners } };
    const result = compareGatewayStatus(wrong, { ...w, gateways: [wrong] });
    assert.equal(result.state, 'disagrees');
    if (result.state === 'disagrees') {
      assert.deepEqual(
        result.disagreements.map((d) => [d.what, d.written, d.computed]),
        [
          ['listener http Programmed', undefined, 'True (Programmed)'],
          ['listener http attachedRoutes', '3', '1'],
        ],
      );
    }
  });

  test('no status yet: not-written; a class KubeReach cannot see: not-written with why', () => {
    assert.equal(compareGatewayStatus(base.gateways[0]!, base).state, 'not-written');
    const orphan: Gateway = {
      ...base.gateways[0]!,
      spec: { ...base.gateways[0]!.spec, gatewayClassName: 'unknown' },
    };
    const result = compareGatewayStatus(orphan, { ...base, gateways: [orphan] });
    assert.match(
      result.state === 'not-written' ? result.message : '',
      /GatewayClass unknown .* is not known/,
    );
  });
});
