/**
 * diagnoseStatic as a whole (core.ts): the working case, every static hop passing with what it
 * checked, the resolved target and the probe plan; and the source never taken for a backend. The
 * hops one by one are in the test file of their module; the cluster is world.ts.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type {
  DiagnosisTarget,
  HopId,
  HopStatus,
  StaticDiagnosis,
} from '../../../../src/analysis/diagnosis/index.ts';
import { diagnoseStatic } from '../../../../src/analysis/diagnosis/index.ts';
import { backend1, checkout, input } from './world.ts';

const backend: DiagnosisTarget = { kind: 'service', namespace: 'shop', name: 'backend', port: 80 };

function hop(report: StaticDiagnosis, id: HopId) {
  return report.hops.find((candidate) => candidate.id === id)!;
}

function statuses(report: StaticDiagnosis): Record<HopId, HopStatus> {
  return Object.fromEntries(report.hops.map((h) => [h.id, h.status])) as Record<HopId, HopStatus>;
}

describe('the working case', () => {
  const report = diagnoseStatic(input(backend));

  test('every static hop passes and the probe hop waits for the Diagnoser', () => {
    assert.deepEqual(statuses(report), {
      name: 'passed',
      service: 'passed',
      selector: 'passed',
      endpoints: 'passed',
      port: 'passed',
      egress: 'passed',
      ingress: 'passed',
      probe: 'skipped',
    });
    assert.deepEqual(
      report.hops.map((h) => h.id),
      ['name', 'service', 'selector', 'endpoints', 'port', 'egress', 'ingress', 'probe'],
    );
    assert.equal(report.conclusion.failedHop, undefined);
    assert.equal(
      report.conclusion.sentence,
      'Nothing in the cluster state stops shop/frontend-7d9c-abcde from reaching backend.shop:80. Run the live probe to confirm.',
    );
    assert.equal(report.targetLabel, 'backend.shop:80');
    assert.deepEqual(report.source, { namespace: 'shop', name: 'frontend-7d9c-abcde', ip: '10.244.1.10' });
  });

  test('each hop says what it checked, in one sentence, with evidence', () => {
    assert.equal(
      hop(report, 'name').summary,
      'backend.shop resolves to the ClusterIP 10.96.1.2 of Service shop/backend.',
    );
    assert.equal(
      hop(report, 'service').summary,
      'Service shop/backend (ClusterIP) has port 80/TCP (http), forwarded to targetPort http.',
    );
    assert.equal(hop(report, 'selector').summary, 'Service shop/backend selects 2 Pods, all ready.');
    assert.deepEqual(hop(report, 'selector').evidence, [
      'Selector: app=backend.',
      'backend-5f6a-aaaaa (10.244.1.20): ready',
      'backend-5f6a-bbbbb (10.244.1.21): ready',
    ]);
    assert.equal(
      hop(report, 'endpoints').summary,
      'The EndpointSlices list 2 ready endpoints for port 80, agreeing with the Pods.',
    );
    assert.ok(
      hop(report, 'endpoints').evidence.includes('10.244.1.20 (backend-5f6a-aaaaa): ready, port 8080.'),
    );
    assert.equal(
      hop(report, 'port').summary,
      'targetPort http resolves to a declared container port on 2 Pods.',
    );
    assert.equal(
      hop(report, 'egress').summary,
      'No NetworkPolicy restricts the egress of shop/frontend-7d9c-abcde.',
    );
    assert.equal(hop(report, 'ingress').summary, 'No NetworkPolicy restricts the ingress of the 2 Pods.');
  });

  test('the resolved target carries each backend with its resolved port', () => {
    assert.deepEqual(report.resolved, {
      kind: 'service',
      namespace: 'shop',
      name: 'backend',
      type: 'ClusterIP',
      headless: false,
      clusterIP: '10.96.1.2',
      port: { name: 'http', port: 80, protocol: 'TCP', targetPort: 'http' },
      backends: [
        { namespace: 'shop', name: 'backend-5f6a-aaaaa', ready: true, ip: '10.244.1.20', port: 8080 },
        { namespace: 'shop', name: 'backend-5f6a-bbbbb', ready: true, ip: '10.244.1.21', port: 8080 },
      ],
    });
  });

  test('the probe plan: the Service as the application names it, then each Pod directly', () => {
    assert.deepEqual(report.plan, {
      primary: {
        label: 'backend:80',
        host: 'backend',
        port: 80,
        service: { namespace: 'shop', name: 'backend' },
      },
      pods: [
        { namespace: 'shop', name: 'backend-5f6a-aaaaa', ip: '10.244.1.20', port: 8080, ready: true },
        { namespace: 'shop', name: 'backend-5f6a-bbbbb', ip: '10.244.1.21', port: 8080, ready: true },
      ],
      http: true,
    });
  });
});

describe('the source and the target', () => {
  test('the source is never mistaken for a backend: the matrix of hops is about the target', () => {
    const report = diagnoseStatic(input(backend, { source: backend1 }));
    assert.equal(report.conclusion.failedHop, undefined);
    assert.equal(report.plan.pods.length, 2, 'a Pod may probe itself through its Service');
    assert.equal(checkout.metadata.name, 'checkout');
  });
});
