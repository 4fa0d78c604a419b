/**
 * Hop 2, the Service and its port (service.ts): the target port used instead of the Service port,
 * the wrong protocol, ports by name, ExternalName and headless Services.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { DiagnosisTarget, HopId, StaticDiagnosis } from '../../../../src/analysis/diagnosis/index.ts';
import { diagnoseStatic } from '../../../../src/analysis/diagnosis/index.ts';
import { input, service, services } from './world.ts';

const backend: DiagnosisTarget = { kind: 'service', namespace: 'shop', name: 'backend', port: 80 };

function hop(report: StaticDiagnosis, id: HopId) {
  return report.hops.find((candidate) => candidate.id === id)!;
}

describe('hop 2: the Service and its port', () => {
  test('the port the Pods listen on instead of the Service port', () => {
    const report = diagnoseStatic(input({ ...backend, port: 8080 }));
    const svc = hop(report, 'service');
    assert.equal(svc.status, 'failed');
    assert.equal(svc.summary, 'Service shop/backend has no TCP port 8080; its ports are 80/TCP, 9090/TCP.');
    assert.equal(svc.fix, "Connect to backend:80 (the Service port), or to a Pod's IP on 8080.");
    assert.deepEqual(svc.manifest, { kind: 'Service', namespace: 'shop', name: 'backend' });
    assert.equal(report.conclusion.failedHop, 'service');
    assert.equal(hop(report, 'endpoints').status, 'skipped');
  });

  test('the right number with the wrong protocol', () => {
    const report = diagnoseStatic(input({ ...backend, protocol: 'UDP' }));
    assert.equal(hop(report, 'service').status, 'failed');
    assert.match(
      hop(report, 'service').evidence.join(' '),
      /Port 80 exists for TCP only, and the connection is UDP/,
    );
    assert.equal(report.plan.note, 'The probe tools connect over TCP; a UDP port cannot be checked live.');
  });

  test('a port asked for by name', () => {
    const report = diagnoseStatic(input({ ...backend, port: 'grpc' }));
    assert.equal(hop(report, 'service').status, 'passed');
    assert.equal(report.plan.primary?.port, 9090);
    assert.deepEqual(
      report.plan.pods.map((p) => p.port),
      [9090, 9090],
    );
    assert.equal(report.plan.http, false);
  });

  test('an unknown port with nothing close: use one of the ports', () => {
    const report = diagnoseStatic(input({ ...backend, port: 1234 }));
    assert.equal(
      hop(report, 'service').fix,
      "Use one of the Service's ports (80, 9090), or add port 1234 to Service shop/backend.",
    );
  });

  test('an ExternalName Service: no selector, endpoints or port to check', () => {
    const alias = service('shop', 'payments-api', undefined, [{ port: 443 }], {
      type: 'ExternalName',
      externalName: 'api.payments.example',
    });
    const report = diagnoseStatic(
      input(
        { kind: 'service', namespace: 'shop', name: 'payments-api', port: 443 },
        { services: [...services, alias] },
      ),
    );
    assert.match(hop(report, 'name').summary, /is an alias \(CNAME\) for api\.payments\.example/);
    assert.equal(hop(report, 'selector').status, 'skipped');
    assert.equal(report.conclusion.failedHop, undefined);
  });

  test('a headless Service: the name gives the Pods, which are reached on the port the client uses', () => {
    const headless = service(
      'shop',
      'backend-headless',
      { app: 'backend' },
      [{ name: 'http', port: 80, targetPort: 8080 }],
      {
        clusterIP: 'None',
      },
    );
    const world = [...services, headless];
    const report = diagnoseStatic(
      input({ kind: 'service', namespace: 'shop', name: 'backend-headless', port: 80 }, { services: world }),
    );
    assert.match(
      hop(report, 'name').summary,
      /headless Service: the name resolves straight to its ready Pods' IPs \(2 Pods now\)/,
    );
    assert.match(
      hop(report, 'service').summary,
      /clients reach the Pods on 80 itself, not on targetPort 8080/,
    );
    assert.equal(hop(report, 'port').status, 'unknown', 'nothing declares 80');
    assert.deepEqual(
      report.plan.pods.map((p) => p.port),
      [80, 80],
    );
  });
});
