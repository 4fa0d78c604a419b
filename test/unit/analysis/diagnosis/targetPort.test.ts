/**
 * Hop 5, the target port (targetPort.ts): a named targetPort no container declares, a number
 * nothing declares (unknown: only the probe can tell), a Pod target's port by name.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { HopId, StaticDiagnosis } from '../../../../src/analysis/diagnosis/index.ts';
import { diagnoseStatic } from '../../../../src/analysis/diagnosis/index.ts';
import { input, service, services } from './world.ts';

function hop(report: StaticDiagnosis, id: HopId) {
  return report.hops.find((candidate) => candidate.id === id)!;
}

describe('hop 5: the target port', () => {
  test('a named targetPort no container declares: the Service is named, with the names that exist', () => {
    const report = diagnoseStatic(
      input({ kind: 'service', namespace: 'shop', name: 'payments', port: 9100 }),
    );
    assert.equal(report.conclusion.failedHop, 'port');
    assert.equal(
      hop(report, 'port').summary,
      'targetPort "metrics" of Service shop/payments port 9100 resolves on none of its 2 Pods: no container declares a TCP port named metrics.',
    );
    assert.equal(
      report.conclusion.fix,
      'Set targetPort of port 9100 in Service shop/payments to a port the Pods declare (http, grpc), or name a containerPort "metrics" in Deployment shop/backend.',
    );
    assert.deepEqual(report.conclusion.manifest, { kind: 'Service', namespace: 'shop', name: 'payments' });
    assert.equal(hop(report, 'endpoints').status, 'passed');
    assert.match(
      hop(report, 'endpoints').summary,
      /none with port metrics: targetPort metrics resolves on none of them \(see Target port\)/,
    );
    assert.equal(hop(report, 'egress').status, 'skipped');
    assert.deepEqual(report.plan.pods, []);
  });

  test('a numeric targetPort nothing declares is unknown: only the probe can tell', () => {
    const wrong = service('shop', 'api', { app: 'backend' }, [{ port: 80, targetPort: 8000 }]);
    const report = diagnoseStatic(
      input(
        { kind: 'service', namespace: 'shop', name: 'api', port: 80 },
        { services: [...services, wrong] },
      ),
    );
    const port = hop(report, 'port');
    assert.equal(port.status, 'unknown');
    assert.match(port.summary, /^No container of the Pods declares TCP port 8000/);
    assert.equal(
      port.fix,
      'If the application listens on 8080 or 9090, set targetPort of port 80 in Service shop/api to it.',
    );
    assert.equal(report.conclusion.failedHop, undefined);
    assert.match(report.conclusion.sentence, /1 hop could not be checked \(target port\)/);
  });

  test('a Pod target by port name, and a name it does not declare', () => {
    const byName = diagnoseStatic(input({ kind: 'pod', namespace: 'data', name: 'db-0', port: 'postgres' }));
    assert.equal(hop(byName, 'port').summary, 'Port "postgres" is 5432/TCP, declared by container db-0.');
    assert.deepEqual(byName.plan.primary, {
      label: 'data/db-0:5432',
      host: '10.244.2.10',
      port: 5432,
      pod: { namespace: 'data', name: 'db-0' },
    });
    const missing = diagnoseStatic(input({ kind: 'pod', namespace: 'data', name: 'db-0', port: 'http' }));
    assert.equal(missing.conclusion.failedHop, 'port');
    assert.deepEqual(missing.conclusion.manifest, { kind: 'Pod', namespace: 'data', name: 'db-0' });
  });
});
