/**
 * Diagnose External Access on a GRPCRoute (issue 15): the gRPC call a rule stands for, through the
 * static hops (listener, attachment, GRPCRoute rule matching by its own precedence, backendRefs,
 * Service, NetworkPolicy from the Gateway's Pods); the live probe is reported as not performed.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { diagnoseExternal, requestText } from '../../../../src/analysis/external/index.ts';
import type { ExternalDiagnosis, ExternalHopId } from '../../../../src/analysis/external/index.ts';
import type { GRPCRoute } from '../../../../src/analysis/gateway/index.ts';
import { gatewayWorld } from './gatewayWorld.ts';

function hop(diagnosis: ExternalDiagnosis, id: ExternalHopId) {
  const found = diagnosis.hops.find((h) => h.id === id);
  assert.ok(found, `hop ${id}`);
  return found;
}

const statuses = (d: ExternalDiagnosis) => d.hops.map((h) => `${h.id}:${h.status}`).join(' ');

function echo(hostnames: string[], more: Partial<NonNullable<GRPCRoute['spec']>> = {}): GRPCRoute {
  return {
    metadata: { namespace: 'store', name: 'echo', generation: 1, creationTimestamp: '2026-01-02T00:00:00Z' },
    spec: {
      parentRefs: [{ name: 'public', namespace: 'infra', sectionName: 'http' }],
      hostnames,
      rules: [
        {
          matches: [{ method: { service: 'shop.Echo', method: 'Say' } }],
          backendRefs: [{ name: 'catalog', port: 80 }],
        },
        {
          matches: [{ method: { service: 'shop.Echo' } }],
          backendRefs: [{ name: 'catalog-canary', port: 80 }],
        },
        {
          matches: [{ method: { service: 'shop.Reports' } }],
          backendRefs: [{ name: 'reporting', namespace: 'analytics', port: 80 }],
        },
      ],
      ...more,
    },
  };
}

const request = (ruleIndex?: number) => ({
  kind: 'grpcRoute' as const,
  namespace: 'store',
  name: 'echo',
  ...(ruleIndex === undefined ? {} : { ruleIndex }),
});

describe('a GRPCRoute diagnosed', () => {
  test('its first rule: the call shop.Echo/Say through every static hop; not probed, never a pass', () => {
    const d = diagnoseExternal(gatewayWorld(request(), { grpcRoutes: [echo(['grpc.example.com'])] }));
    assert.equal(d.label, 'GRPCRoute store/echo rule 1 (gRPC shop.Echo/Say at grpc.example.com:80)');
    assert.equal(
      statuses(d),
      'listener:passed attachment:passed rule:passed backendRefs:passed address:passed service:passed selector:passed endpoints:passed port:passed policy:passed probe:skipped',
    );
    assert.match(
      hop(d, 'attachment').summary,
      /^GRPCRoute store\/echo is attached to listener http of Gateway infra\/public/,
    );
    assert.match(hop(d, 'rule').summary, /^GRPCRoute store\/echo rule 1 \(.*\) takes POST \/shop\.Echo\/Say/);
    assert.match(hop(d, 'rule').evidence.join('\n'), /Lost: GRPCRoute store\/echo rule 2/);
    assert.deepEqual(d.service, { namespace: 'store', name: 'catalog', port: 80 });
    assert.match(hop(d, 'probe').summary, /^Not probed: a gRPC call needs HTTP\/2 with gRPC framing/);
    assert.equal(d.plan.notProbed !== undefined, true);
    assert.deepEqual(
      [d.plan.http, d.plan.gatewayHttp, d.plan.controllerHttp, d.plan.backends],
      [undefined, undefined, undefined, []],
    );
    assert.equal(d.conclusion.failedHop, undefined);
    assert.equal(requestText(request(1)), 'GRPCRoute store/echo rule 2');
  });

  test('a rule matching the service only: a stand-in method, said in the label; its own rule wins by precedence', () => {
    const d = diagnoseExternal(gatewayWorld(request(1), { grpcRoutes: [echo(['grpc.example.com'])] }));
    assert.match(
      d.label,
      /gRPC shop\.Echo\/AnyMethod, a stand-in for the method \(AnyMethod\) the match leaves open/,
    );
    assert.match(hop(d, 'rule').summary, /^GRPCRoute store\/echo rule 2 /);
    assert.deepEqual(d.service, { namespace: 'store', name: 'catalog-canary', port: 80 });
  });

  test('a hostname no listener takes: the attachment fails, in GRPCRoute words', () => {
    const d = diagnoseExternal(gatewayWorld(request(), { grpcRoutes: [echo(['grpc.other.test'])] }));
    assert.equal(d.conclusion.failedHop, 'listener');
    const attached = diagnoseExternal(
      gatewayWorld(request(), {
        grpcRoutes: [echo(['grpc.other.test'], { parentRefs: [{ name: 'public', namespace: 'infra' }] })],
      }),
    );
    assert.match(hop(attached, 'attachment').evidence.join('\n'), /GRPCRoute store\/echo parentRef 1/);
    assert.match(hop(d, 'probe').summary, /^Not probed: /);
  });

  test('a backend in another namespace without ReferenceGrant: 500 at backendRefs, the fix names GRPCRoutes', () => {
    const d = diagnoseExternal(gatewayWorld(request(2), { grpcRoutes: [echo(['grpc.example.com'])] }));
    assert.equal(d.conclusion.failedHop, 'backendRefs');
    assert.match(hop(d, 'backendRefs').fix ?? '', /allowing GRPCRoutes from store .*kind GRPCRoute/);
  });

  test('a call no listener takes: the Gateway answers the gRPC status Unimplemented, not 404', () => {
    // Its parentRef names listener internal (*.internal.example.com): grpc.example.com is not its host.
    const route = echo(['grpc.example.com'], {
      parentRefs: [{ name: 'public', namespace: 'infra', sectionName: 'internal' }],
    });
    const d = diagnoseExternal(gatewayWorld(request(), { grpcRoutes: [route] }));
    assert.equal(d.conclusion.failedHop, 'listener');
    assert.match(
      hop(d, 'listener').summary,
      /takes host grpc\.example\.com: the Gateway answers the gRPC status Unimplemented/,
    );
    assert.match(hop(d, 'probe').summary, /^Not probed: /);
  });
});
