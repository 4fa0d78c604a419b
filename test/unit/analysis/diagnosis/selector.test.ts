/**
 * Hop 3, the Pods the selector picks and their readiness (selector.ts): no Pod matching (typos,
 * a label too many, other namespaces), Pods not ready and why, a Pod target.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { DiagnosisTarget, HopId, StaticDiagnosis } from '../../../../src/analysis/diagnosis/index.ts';
import { diagnoseStatic } from '../../../../src/analysis/diagnosis/index.ts';
import { frontend, input, pod, pods, service, services } from './world.ts';

const backend: DiagnosisTarget = { kind: 'service', namespace: 'shop', name: 'backend', port: 80 };

function hop(report: StaticDiagnosis, id: HopId) {
  return report.hops.find((candidate) => candidate.id === id)!;
}

describe('hop 3: the Pods the selector picks, and their readiness', () => {
  test('a selector that matches no Pod: the Service is named', () => {
    const report = diagnoseStatic(
      input({ kind: 'service', namespace: 'shop', name: 'legacy-api', port: 80 }),
    );
    const selector = hop(report, 'selector');
    assert.equal(selector.status, 'failed');
    assert.equal(
      selector.summary,
      'Service shop/legacy-api selects no Pod: no Pod in namespace shop has the labels app=legacy-api.',
    );
    assert.ok(
      selector.evidence.includes('Values of app on the Pods of namespace shop: backend, checkout, frontend.'),
    );
    assert.deepEqual(report.conclusion.manifest, { kind: 'Service', namespace: 'shop', name: 'legacy-api' });
    assert.equal(report.conclusion.failedHop, 'selector');
    assert.equal(
      hop(report, 'endpoints').status,
      'failed',
      'and so no endpoint, but the selector comes first',
    );
    assert.deepEqual(report.plan.pods, []);
  });

  test('a selector value a typo away from the Pods’ label', () => {
    const typo = service('shop', 'api', { app: 'backnd' }, [{ port: 80, targetPort: 'http' }]);
    const report = diagnoseStatic(
      input({ kind: 'service', namespace: 'shop', name: 'api', port: 80 }, { services: [...services, typo] }),
    );
    assert.equal(
      hop(report, 'selector').fix,
      'Did you mean app=backend (Pod backend-5f6a-aaaaa)? Fix the selector of Service shop/api, or the labels of the Pods it is for.',
    );
  });

  test('a selector with one label too many', () => {
    const strict = service('shop', 'api', { app: 'backend', version: 'v2' }, [
      { port: 80, targetPort: 'http' },
    ]);
    const report = diagnoseStatic(
      input(
        { kind: 'service', namespace: 'shop', name: 'api', port: 80 },
        { services: [...services, strict] },
      ),
    );
    assert.ok(
      hop(report, 'selector').evidence.includes(
        'Pod backend-5f6a-aaaaa has part of the selector, but version=(absent) where the selector wants v2.',
      ),
    );
    assert.match(hop(report, 'selector').fix!, /Remove from the selector of Service shop\/api the labels/);
  });

  test('Pods of another namespace never count', () => {
    const wrongNs = service('data', 'frontend', { app: 'frontend' }, [{ port: 80, targetPort: 'http' }]);
    const report = diagnoseStatic(
      input(
        { kind: 'service', namespace: 'data', name: 'frontend', port: 80 },
        { services: [...services, wrongNs] },
      ),
    );
    assert.match(
      hop(report, 'selector').evidence.join('\n'),
      /Pods in other namespaces match \(shop\/frontend-7d9c-abcde\), but a Service selects only Pods of its own namespace/,
    );
  });

  test('its only Pod is not ready: why, and the Pod to fix', () => {
    const report = diagnoseStatic(input({ kind: 'service', namespace: 'shop', name: 'checkout', port: 80 }));
    const selector = hop(report, 'selector');
    assert.equal(selector.status, 'failed');
    assert.equal(
      selector.summary,
      'Service shop/checkout selects 1 Pod and none is ready, so it has no endpoint to send traffic to: in checkout (Running), container checkout is running, but its readiness probe (HTTP GET /healthz on port http) does not pass.',
    );
    assert.ok(
      selector.evidence.some((line) =>
        line.includes('Ready=False (ContainersNotReady: containers with unready status: [checkout])'),
      ),
    );
    assert.match(selector.fix!, /^Make container checkout of Pod checkout pass its readiness probe/);
    assert.deepEqual(report.conclusion.manifest, { kind: 'Pod', namespace: 'shop', name: 'checkout' });
    // Not-ready Pods are still probed directly: that tells readiness from the network.
    assert.deepEqual(report.plan.pods, [
      { namespace: 'shop', name: 'checkout', ip: '10.244.1.30', port: 8080, ready: false },
    ]);
  });

  test('a crash-looping Pod: the fix points at its logs, the manifest at its Deployment', () => {
    const crashing = pod(
      'shop',
      'backend-5f6a-ccccc',
      { app: 'backend' },
      {
        ip: '10.244.1.22',
        ready: false,
        ports: [{ name: 'http', containerPort: 8080 }],
        owner: 'backend-5f6a',
        hash: '5f6a',
        waiting: { reason: 'CrashLoopBackOff', message: 'back-off 40s restarting failed container' },
      },
    );
    const world = [frontend, crashing];
    const report = diagnoseStatic(input(backend, { pods: world }));
    assert.equal(report.conclusion.failedHop, 'selector');
    assert.match(
      report.conclusion.sentence,
      /in backend-5f6a-ccccc \(CrashLoopBackOff\), container backend is waiting: CrashLoopBackOff \(back-off 40s restarting failed container\), restarted 4 times/,
    );
    assert.equal(
      report.conclusion.fix,
      'Fix the crash of container backend: `kubectl logs -n shop backend-5f6a-ccccc -c backend --previous` shows why it exits.',
    );
    assert.deepEqual(report.conclusion.manifest, { kind: 'Deployment', namespace: 'shop', name: 'backend' });
  });

  test('some Pods ready: passed, with the others explained', () => {
    const notReady = pod(
      'shop',
      'backend-5f6a-ccccc',
      { app: 'backend' },
      {
        ip: '10.244.1.22',
        ready: false,
        ports: [{ name: 'http', containerPort: 8080 }],
      },
    );
    const report = diagnoseStatic(input(backend, { pods: [...pods, notReady] }));
    assert.equal(hop(report, 'selector').status, 'passed');
    assert.equal(
      hop(report, 'selector').summary,
      'Service shop/backend selects 3 Pods, 2 ready; 1 Pod is not ready and gets no traffic.',
    );
    assert.deepEqual(
      report.plan.pods.map((p) => [p.name, p.ready]),
      [
        ['backend-5f6a-aaaaa', true],
        ['backend-5f6a-bbbbb', true],
        ['backend-5f6a-ccccc', false],
      ],
    );
    assert.equal(
      diagnoseStatic(input(backend, { pods: [...pods, notReady], maxProbedPods: 1 })).plan.pods.length,
      1,
    );
  });

  test('a Pod target: the Pod itself, which need not be ready to answer on its IP', () => {
    const notReady = diagnoseStatic(input({ kind: 'pod', namespace: 'shop', name: 'checkout', port: 8080 }));
    assert.equal(hop(notReady, 'selector').title, 'Target Pod');
    assert.equal(hop(notReady, 'selector').status, 'passed');
    assert.match(
      hop(notReady, 'selector').summary,
      /running but not ready: Services leave it out, but a connection to its IP still reaches it/,
    );
    const waiting = pod(
      'shop',
      'broken',
      { app: 'broken' },
      { ip: '10.244.1.40', ready: false, waiting: { reason: 'ImagePullBackOff' } },
    );
    const report = diagnoseStatic(
      input({ kind: 'pod', namespace: 'shop', name: 'broken', port: 80 }, { pods: [...pods, waiting] }),
    );
    assert.equal(report.conclusion.failedHop, 'selector');
    assert.match(report.conclusion.fix!, /Fix the image of container broken/);
  });
});
