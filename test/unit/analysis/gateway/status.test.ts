/**
 * Attachment and status against the reasons the specification defines (apis/v1/shared_types.go
 * RouteConditionReason; gateway_types.go GatewayConditionReason, ListenerConditionReason,
 * ListenerStatus.AttachedRoutes; httproute_types.go HTTPBackendRef) and the expectations of the
 * conformance suite (conformance/tests/*.go named in each test).
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  attachRoute,
  computeGatewayStatuses,
  mergeConditions,
  mergeRouteParents,
  routeResolvedRefs,
} from '../../../../src/analysis/gateway/index.ts';
import type {
  ComputedStatus,
  Condition,
  GatewayWorld,
  HTTPRoute,
  Listener,
  ParentAttachment,
} from '../../../../src/analysis/gateway/index.ts';
import { BACKENDS, CONTROLLER, gateway, grant, http, route, rule, service, world } from './fixtures.ts';

const V1 = BACKENDS[0]!;

function statuses(w: GatewayWorld, addresses = true): ComputedStatus {
  return computeGatewayStatuses(w, {
    controllerName: CONTROLLER,
    addresses: () => (addresses ? [{ value: '127.0.0.10' }] : undefined),
  });
}

function routeCondition(s: ComputedStatus, name: string, type: string, parent = 0): Condition | undefined {
  return s.routes
    .find((r) => r.route.name === name)
    ?.parents[parent]?.conditions?.find((c) => c.type === type);
}

function listenerStatus(s: ComputedStatus, gw: string, listener: string) {
  return s.gateways.find((g) => g.gateway.name === gw)!.status.listeners.find((l) => l.name === listener)!;
}

function cond(
  conditions: readonly Condition[],
  type: string,
): Pick<Condition, 'status' | 'reason'> | undefined {
  const found = conditions.find((c) => c.type === type);
  return found === undefined ? undefined : { status: found.status, reason: found.reason };
}

function only(attachments: ParentAttachment[]): ParentAttachment & { kind: 'gateway' } {
  const first = attachments[0];
  assert.ok(first !== undefined && first.kind === 'gateway');
  return first;
}

const simpleRoute = (
  name: string,
  extra: Partial<NonNullable<HTTPRoute['spec']>> = {},
  namespace = 'infra',
) => route(namespace, name, { rules: [rule(V1)], ...extra });

describe('Route Accepted reasons (shared_types.go RouteConditionReason)', () => {
  test('Accepted: a route with no hostnames on a listener with none', () => {
    const w = world({
      gateways: [gateway('gw', [http('http')])],
      httpRoutes: [simpleRoute('r')],
      services: [service('infra', V1)],
    });
    assert.deepEqual(cond([routeCondition(statuses(w), 'r', 'Accepted')!], 'Accepted'), {
      status: 'True',
      reason: 'Accepted',
    });
  });

  test('NoMatchingParent: sectionName names no listener (conformance HTTPRouteInvalidParentRefNotMatchingSectionName)', () => {
    const w = world({
      gateways: [gateway('gw', [http('http')])],
      httpRoutes: [
        simpleRoute('r', { parentRefs: [{ name: 'gw', namespace: 'infra', sectionName: 'nope' }] }),
      ],
    });
    const accepted = routeCondition(statuses(w), 'r', 'Accepted')!;
    assert.deepEqual(cond([accepted], 'Accepted'), { status: 'False', reason: 'NoMatchingParent' });
    assert.match(accepted.message, /no listener with sectionName nope/);
  });

  test('NoMatchingParent: port matches no listener (conformance HTTPRouteInvalidParentRefNotMatchingListenerPort)', () => {
    const w = world({
      gateways: [gateway('gw', [http('http')])],
      httpRoutes: [simpleRoute('r', { parentRefs: [{ name: 'gw', namespace: 'infra', port: 81 }] })],
    });
    assert.equal(routeCondition(statuses(w), 'r', 'Accepted')!.reason, 'NoMatchingParent');
  });

  test('NoMatchingParent: sectionName and port both set must both match (conformance HTTPRouteInvalidParentRefSectionNameNotMatchingPort)', () => {
    const w = world({
      gateways: [gateway('gw', [http('http', 80), http('other', 8080)])],
      httpRoutes: [
        simpleRoute('r', {
          parentRefs: [{ name: 'gw', namespace: 'infra', sectionName: 'http', port: 8080 }],
        }),
      ],
    });
    const s = statuses(w);
    assert.equal(routeCondition(s, 'r', 'Accepted')!.reason, 'NoMatchingParent');
    assert.equal(listenerStatus(s, 'gw', 'http').attachedRoutes, 0);
    assert.equal(listenerStatus(s, 'gw', 'other').attachedRoutes, 0);
  });

  test('NotAllowedByListeners: the listener takes TLSRoutes only (conformance HTTPRouteDisallowedKind)', () => {
    const tls: Listener = {
      name: 'tls',
      port: 443,
      protocol: 'TLS',
      tls: { mode: 'Passthrough' },
      allowedRoutes: { namespaces: { from: 'Same' }, kinds: [{ kind: 'TLSRoute' }] },
    };
    const w = world({
      gateways: [gateway('tlsroutes-only', [tls])],
      httpRoutes: [simpleRoute('r', { parentRefs: [{ name: 'tlsroutes-only' }] })],
    });
    const s = statuses(w);
    const accepted = routeCondition(s, 'r', 'Accepted')!;
    assert.deepEqual(cond([accepted], 'Accepted'), { status: 'False', reason: 'NotAllowedByListeners' });
    assert.match(accepted.message, /HTTPRoute is not allowed: it takes TLSRoute, not HTTPRoute/);
    assert.equal(listenerStatus(s, 'tlsroutes-only', 'tls').attachedRoutes, 0);
  });

  test('NotAllowedByListeners: a route from another namespace on a From: Same listener (conformance HTTPRouteInvalidCrossNamespaceParentRef)', () => {
    const w = world({
      gateways: [gateway('gw', [http('http', 80, { allowedRoutes: { namespaces: { from: 'Same' } } })])],
      httpRoutes: [simpleRoute('r', {}, 'shop')],
    });
    const accepted = routeCondition(statuses(w), 'r', 'Accepted')!;
    assert.equal(accepted.reason, 'NotAllowedByListeners');
    assert.equal(
      accepted.message,
      'not attached to listener http of Gateway infra/gw: it admits routes from its own namespace infra only (allowedRoutes.namespaces.from: Same), and the route is in shop',
    );
  });

  test('allowedRoutes Selector: by namespace labels, kubernetes.io/metadata.name implied (conformance GatewayWithAttachedRoutes)', () => {
    const listener = http('http', 80, {
      allowedRoutes: {
        namespaces: { from: 'Selector', selector: { matchLabels: { team: 'shop' } } },
        kinds: [{ kind: 'HTTPRoute' }],
      },
    });
    const byName = http('by-name', 81, {
      allowedRoutes: {
        namespaces: {
          from: 'Selector',
          selector: { matchLabels: { 'kubernetes.io/metadata.name': 'infra' } },
        },
      },
    });
    const w = world({
      gateways: [gateway('gw', [listener, byName])],
      namespaces: [{ metadata: { name: 'shop', labels: { team: 'shop' } } }, { metadata: { name: 'blog' } }],
      httpRoutes: [
        simpleRoute('in-shop', {}, 'shop'),
        simpleRoute('in-blog', {}, 'blog'),
        simpleRoute('in-infra'),
      ],
    });
    const s = statuses(w);
    assert.equal(routeCondition(s, 'in-shop', 'Accepted')!.status, 'True');
    assert.equal(routeCondition(s, 'in-blog', 'Accepted')!.reason, 'NotAllowedByListeners');
    assert.match(
      routeCondition(s, 'in-blog', 'Accepted')!.message,
      /namespace blog does not match its allowedRoutes.namespaces.selector/,
    );
    assert.equal(routeCondition(s, 'in-infra', 'Accepted')!.status, 'True');
    assert.equal(listenerStatus(s, 'gw', 'http').attachedRoutes, 1);
    assert.equal(listenerStatus(s, 'gw', 'by-name').attachedRoutes, 1);
  });

  test('NoMatchingListenerHostname, with the plain-words message (conformance GatewayWithAttachedRoutes http-route-not-accepted)', () => {
    const w = world({
      gateways: [gateway('public', [http('https', 80, { hostname: '*.internal.example.com' })])],
      httpRoutes: [
        simpleRoute('shop', { parentRefs: [{ name: 'public' }], hostnames: ['shop.example.com'] }),
      ],
    });
    const accepted = routeCondition(statuses(w), 'shop', 'Accepted')!;
    assert.deepEqual(cond([accepted], 'Accepted'), { status: 'False', reason: 'NoMatchingListenerHostname' });
    assert.equal(
      accepted.message,
      'not attached to listener https of Gateway infra/public: hostname shop.example.com does not match *.internal.example.com',
    );
  });

  test('one of two listeners takes the route: Accepted, and attachedRoutes counts on that listener only (ParentReference.SectionName)', () => {
    const w = world({
      gateways: [
        gateway('gw', [
          http('internal', 80, { hostname: '*.internal.example.com' }),
          http('public', 8080, { hostname: '*.example.com' }),
        ]),
      ],
      httpRoutes: [simpleRoute('shop', { hostnames: ['shop.example.com'] })],
    });
    const s = statuses(w);
    assert.equal(routeCondition(s, 'shop', 'Accepted')!.status, 'True');
    assert.equal(listenerStatus(s, 'gw', 'internal').attachedRoutes, 0);
    assert.equal(listenerStatus(s, 'gw', 'public').attachedRoutes, 1);
    const attachment = only(attachRoute({ kind: 'HTTPRoute', route: w.httpRoutes[0]! }, w));
    assert.deepEqual(
      attachment.listeners.map((l) => [l.listener, l.state, l.reason]),
      [
        ['internal', 'hostname-mismatch', 'NoMatchingListenerHostname'],
        ['public', 'attached', 'Accepted'],
      ],
    );
  });

  test('UnsupportedValue: an unknown path match type in every rule; PartiallyInvalid when other rules remain', () => {
    const bad = { path: { type: 'Suffix', value: '/x' } };
    const w = world({
      gateways: [gateway('gw', [http('http')])],
      httpRoutes: [
        simpleRoute('all-bad', { rules: [rule(V1, bad)] }),
        simpleRoute('some-bad', { rules: [rule(V1, bad), rule(V1)] }),
      ],
    });
    const s = statuses(w);
    assert.deepEqual(cond([routeCondition(s, 'all-bad', 'Accepted')!], 'Accepted'), {
      status: 'False',
      reason: 'UnsupportedValue',
    });
    assert.equal(routeCondition(s, 'some-bad', 'Accepted')!.status, 'True');
    const partially = routeCondition(s, 'some-bad', 'PartiallyInvalid')!;
    assert.equal(partially.reason, 'UnsupportedValue');
    assert.match(partially.message, /^Dropped Rule/);
    assert.equal(listenerStatus(s, 'gw', 'http').attachedRoutes, 1);
  });

  test('a parentRef to a Gateway that does not exist gets no status entry, and the attachment says why', () => {
    const w = world({ gateways: [], httpRoutes: [simpleRoute('r', { parentRefs: [{ name: 'missing' }] })] });
    const s = statuses(w);
    assert.deepEqual(s.routes[0]!.parents, []);
    const attachment = s.routes[0]!.attachments[0]!;
    assert.equal(attachment.kind, 'gateway-not-found');
    assert.match(
      attachment.kind === 'gateway-not-found' ? attachment.message : '',
      /Gateway infra\/missing does not exist/,
    );
  });

  test("a Gateway of another controller's class: no status from this controller", () => {
    const other = {
      ...gateway('theirs', [http('http')]),
      spec: { gatewayClassName: 'istio', listeners: [http('http')] },
    };
    const w = world({
      gateways: [other],
      httpRoutes: [simpleRoute('r', { parentRefs: [{ name: 'theirs' }] })],
    });
    const s = statuses(w);
    assert.deepEqual(s.gateways, []);
    assert.deepEqual(s.routes[0]!.parents, []);
    assert.equal(s.routes[0]!.attachments[0]!.kind, 'gateway');
  });
});

describe('Route ResolvedRefs reasons (HTTPBackendRef; ReferenceGrant)', () => {
  const refs =
    (routeNamespace: string, backendRefs: NonNullable<HTTPRoute['spec']>['rules']) => (w: GatewayWorld) =>
      routeResolvedRefs(
        { kind: 'HTTPRoute', route: route(routeNamespace, 'r', { rules: backendRefs ?? [] }) },
        w,
      );

  test('ResolvedRefs True for a Service and port in the route namespace', () => {
    const verdict = refs('infra', [rule(V1)])(world({ services: [service('infra', V1)] }));
    assert.deepEqual([verdict.status, verdict.reason], ['True', 'ResolvedRefs']);
  });
  test('BackendNotFound: the Service does not exist (conformance HTTPRouteInvalidNonExistentBackendRef)', () => {
    const verdict = refs('infra', [rule('nonexistent')])(world({}));
    assert.deepEqual([verdict.status, verdict.reason], ['False', 'BackendNotFound']);
    assert.match(verdict.message, /Service infra\/nonexistent does not exist/);
  });
  test('BackendNotFound: the Service has no such port', () => {
    const verdict = refs('infra', [{ backendRefs: [{ name: V1, port: 9999 }] }])(
      world({ services: [service('infra', V1)] }),
    );
    assert.equal(verdict.reason, 'BackendNotFound');
    assert.match(verdict.message, /has no port 9999 \(its ports: 8080\)/);
  });
  test('InvalidKind: an unknown kind (conformance HTTPRouteInvalidBackendRefUnknownKind)', () => {
    const verdict = refs('infra', [
      { backendRefs: [{ group: 'unknownkind.example.com', kind: 'NonExistent', name: 'x', port: 8080 }] },
    ])(world({}));
    assert.deepEqual([verdict.status, verdict.reason], ['False', 'InvalidKind']);
  });
  test('RefNotPermitted: cross-namespace without a ReferenceGrant (conformance HTTPRouteInvalidCrossNamespaceBackendRef)', () => {
    const verdict = refs('shop', [{ backendRefs: [{ name: V1, namespace: 'infra', port: 8080 }] }])(
      world({ services: [service('infra', V1)] }),
    );
    assert.deepEqual([verdict.status, verdict.reason], ['False', 'RefNotPermitted']);
  });
  test('a ReferenceGrant in the target namespace permits it (conformance HTTPRouteReferenceGrant)', () => {
    const verdict = refs('shop', [{ backendRefs: [{ name: V1, namespace: 'infra', port: 8080 }] }])(
      world({ services: [service('infra', V1)], referenceGrants: [grant('infra', 'shop')] }),
    );
    assert.equal(verdict.status, 'True');
  });
  test('a ReferenceGrant for another name, from another namespace, or placed elsewhere does not (conformance HTTPRouteInvalidReferenceGrant)', () => {
    const backendRefs = [{ backendRefs: [{ name: V1, namespace: 'infra', port: 8080 }] }];
    for (const wrong of [
      grant('infra', 'shop', 'other-name'),
      grant('infra', 'blog'),
      grant('shop', 'shop'),
    ]) {
      const verdict = refs(
        'shop',
        backendRefs,
      )(world({ services: [service('infra', V1)], referenceGrants: [wrong] }));
      assert.equal(verdict.reason, 'RefNotPermitted', JSON.stringify(wrong));
    }
  });
  test('a Service backendRef without a port is invalid and says the port is the Service port', () => {
    const verdict = refs('infra', [{ backendRefs: [{ name: V1 }] }])(
      world({ services: [service('infra', V1)] }),
    );
    assert.equal(verdict.status, 'False');
    assert.match(verdict.message, /has no port, which a Service backend requires/);
  });
});

describe('Gateway and listener conditions (gateway_types.go)', () => {
  test('Accepted and Programmed with an address; listeners Accepted, ResolvedRefs, Conflicted False NoConflicts, Programmed', () => {
    const s = statuses(world({ gateways: [gateway('gw', [http('http')])] }));
    const status = s.gateways[0]!.status;
    assert.deepEqual(cond(status.conditions, 'Accepted'), { status: 'True', reason: 'Accepted' });
    assert.deepEqual(cond(status.conditions, 'Programmed'), { status: 'True', reason: 'Programmed' });
    const listener = status.listeners[0]!;
    assert.deepEqual(
      ['Accepted', 'ResolvedRefs', 'Conflicted', 'Programmed'].map((t) => cond(listener.conditions, t)),
      [
        { status: 'True', reason: 'Accepted' },
        { status: 'True', reason: 'ResolvedRefs' },
        { status: 'False', reason: 'NoConflicts' },
        { status: 'True', reason: 'Programmed' },
      ],
    );
    assert.deepEqual(
      listener.supportedKinds.map((k) => k.kind),
      ['HTTPRoute', 'GRPCRoute'],
    );
    assert.equal(status.conditions[0]!.observedGeneration, 1);
  });

  test('no address yet: Programmed False AddressNotAssigned', () => {
    const s = statuses(world({ gateways: [gateway('gw', [http('http')])] }), false);
    assert.deepEqual(cond(s.gateways[0]!.status.conditions, 'Programmed'), {
      status: 'False',
      reason: 'AddressNotAssigned',
    });
  });

  test('an unsupported protocol: listener Accepted False UnsupportedProtocol; Gateway Accepted False ListenersNotValid (conformance GatewayInvalidListenersUnsupportedProtocol)', () => {
    const s = statuses(
      world({ gateways: [gateway('gw', [{ name: 'x', port: 80, protocol: 'example.com/bogus' }])] }),
    );
    assert.deepEqual(cond(s.gateways[0]!.status.listeners[0]!.conditions, 'Accepted'), {
      status: 'False',
      reason: 'UnsupportedProtocol',
    });
    assert.deepEqual(cond(s.gateways[0]!.status.conditions, 'Accepted'), {
      status: 'False',
      reason: 'ListenersNotValid',
    });
  });

  test('InvalidRouteKinds: kinds the protocol does not take are left out of supportedKinds (conformance GatewayInvalidRouteKind)', () => {
    const listener = http('http', 80, {
      allowedRoutes: { kinds: [{ kind: 'InvalidRoute' }, { kind: 'HTTPRoute' }] },
    });
    const s = statuses(world({ gateways: [gateway('gw', [listener])] }));
    const status = s.gateways[0]!.status.listeners[0]!;
    assert.deepEqual(cond(status.conditions, 'ResolvedRefs'), {
      status: 'False',
      reason: 'InvalidRouteKinds',
    });
    assert.deepEqual(
      status.supportedKinds.map((k) => k.kind),
      ['HTTPRoute'],
    );
    const none = statuses(
      world({
        gateways: [
          gateway('gw', [http('http', 80, { allowedRoutes: { kinds: [{ kind: 'InvalidRoute' }] } })]),
        ],
      }),
    );
    assert.deepEqual(none.gateways[0]!.status.listeners[0]!.supportedKinds, []);
  });

  test('Conflicted HostnameConflict: same port, protocol and hostname; the other listener still accepted, the Gateway says ListenersNotValid', () => {
    const s = statuses(
      world({
        gateways: [
          gateway('gw', [
            http('a', 80, { hostname: 'x.example.com' }),
            http('b', 80, { hostname: 'x.example.com' }),
            http('c', 80, { hostname: 'y.example.com' }),
          ]),
        ],
      }),
    );
    const status = s.gateways[0]!.status;
    assert.deepEqual(cond(status.listeners[0]!.conditions, 'Conflicted'), {
      status: 'True',
      reason: 'HostnameConflict',
    });
    assert.deepEqual(cond(status.listeners[1]!.conditions, 'Conflicted'), {
      status: 'True',
      reason: 'HostnameConflict',
    });
    assert.equal(cond(status.listeners[0]!.conditions, 'Accepted')!.status, 'False');
    assert.deepEqual(cond(status.listeners[2]!.conditions, 'Conflicted'), {
      status: 'False',
      reason: 'NoConflicts',
    });
    assert.deepEqual(cond(status.conditions, 'Accepted'), { status: 'True', reason: 'ListenersNotValid' });
  });

  test('Conflicted ProtocolConflict: HTTP and TCP on one port', () => {
    const s = statuses(
      world({ gateways: [gateway('gw', [http('web', 80), { name: 'raw', port: 80, protocol: 'TCP' }])] }),
    );
    for (const listener of s.gateways[0]!.status.listeners) {
      assert.deepEqual(
        cond(listener.conditions, 'Conflicted'),
        { status: 'True', reason: 'ProtocolConflict' },
        listener.name,
      );
    }
  });

  test('HTTPS with a missing certificate: ResolvedRefs False InvalidCertificateRef, Programmed False, attachedRoutes still counted (conformance GatewayWithAttachedRoutes unresolved)', () => {
    const https: Listener = {
      name: 'https',
      port: 443,
      protocol: 'HTTPS',
      tls: { certificateRefs: [{ name: 'does-not-exist' }] },
      allowedRoutes: { namespaces: { from: 'All' } },
    };
    const s = statuses(
      world({ gateways: [gateway('gw', [https])], httpRoutes: [simpleRoute('r')], secrets: [] }),
    );
    const listener = s.gateways[0]!.status.listeners[0]!;
    assert.deepEqual(cond(listener.conditions, 'ResolvedRefs'), {
      status: 'False',
      reason: 'InvalidCertificateRef',
    });
    assert.equal(cond(listener.conditions, 'Programmed')!.status, 'False');
    assert.equal(listener.attachedRoutes, 1);
  });

  test('a cross-namespace certificate without a ReferenceGrant: RefNotPermitted (conformance GatewaySecretMissingReferenceGrant)', () => {
    const https: Listener = {
      name: 'https',
      port: 443,
      protocol: 'HTTPS',
      tls: { certificateRefs: [{ name: 'cert', namespace: 'certs' }] },
    };
    const s = statuses(
      world({
        gateways: [gateway('gw', [https])],
        secrets: [{ metadata: { name: 'cert', namespace: 'certs' } }],
      }),
    );
    assert.deepEqual(cond(s.gateways[0]!.status.listeners[0]!.conditions, 'ResolvedRefs'), {
      status: 'False',
      reason: 'RefNotPermitted',
    });
  });

  test('GatewayClass of this controller: Accepted; of another: not written', () => {
    const w = world({});
    const s = computeGatewayStatuses(
      {
        ...w,
        gatewayClasses: [
          ...w.gatewayClasses,
          { metadata: { name: 'other' }, spec: { controllerName: 'x/y' } },
        ],
      },
      { controllerName: CONTROLLER },
    );
    assert.deepEqual(
      s.gatewayClasses.map((c) => [c.name, c.conditions[0]!.reason]),
      [['sandbox', 'Accepted']],
    );
  });
});

describe('Writing status: condition times and other controllers (RouteStatus.Parents notes for implementors)', () => {
  const accepted: Condition = { type: 'Accepted', status: 'True', reason: 'Accepted', message: 'ok' };
  test('lastTransitionTime kept while the status holds, moved when it changes; foreign conditions kept', () => {
    const previous: Condition[] = [
      { ...accepted, lastTransitionTime: '2026-01-01T00:00:00Z' },
      {
        type: 'Programmed',
        status: 'False',
        reason: 'Pending',
        message: '',
        lastTransitionTime: '2026-01-01T00:00:00Z',
      },
      {
        type: 'example.com/Custom',
        status: 'True',
        reason: 'X',
        message: '',
        lastTransitionTime: '2026-01-01T00:00:00Z',
      },
    ];
    const next: Condition[] = [
      accepted,
      { type: 'Programmed', status: 'True', reason: 'Programmed', message: '' },
    ];
    const merged = mergeConditions(previous, next, '2026-02-02T00:00:00Z');
    assert.deepEqual(
      merged.map((c) => [c.type, c.lastTransitionTime]),
      [
        ['Accepted', '2026-01-01T00:00:00Z'],
        ['Programmed', '2026-02-02T00:00:00Z'],
        ['example.com/Custom', '2026-01-01T00:00:00Z'],
      ],
    );
  });
  test("another controller's parent entries are left alone", () => {
    const theirs = { parentRef: { name: 'gw' }, controllerName: 'other/controller', conditions: [accepted] };
    const merged = mergeRouteParents(
      [theirs],
      [{ parentRef: { name: 'gw', namespace: 'infra' }, controllerName: CONTROLLER, conditions: [accepted] }],
      CONTROLLER,
      'infra',
      '2026-02-02T00:00:00Z',
    );
    assert.equal(merged.length, 2);
    assert.deepEqual(merged[0], theirs);
    assert.equal(merged[1]!.conditions![0]!.lastTransitionTime, '2026-02-02T00:00:00Z');
  });
});
