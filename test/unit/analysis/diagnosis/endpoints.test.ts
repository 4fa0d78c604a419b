/**
 * Hop 4, EndpointSlices (endpoints.ts): slices missing, stale, hand-made or unreadable, against
 * what the EndpointSlice controller would write for the selected Pods.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { DiagnosisTarget, HopId, StaticDiagnosis } from '../../../../src/analysis/diagnosis/index.ts';
import { diagnoseStatic } from '../../../../src/analysis/diagnosis/index.ts';
import { checkout, input, pod, pods, service, services, slicesFor } from './world.ts';

const backend: DiagnosisTarget = { kind: 'service', namespace: 'shop', name: 'backend', port: 80 };

function hop(report: StaticDiagnosis, id: HopId) {
  return report.hops.find((candidate) => candidate.id === id)!;
}

describe('hop 4: EndpointSlices', () => {
  test('no slice for ready Pods: the controller has not caught up', () => {
    const report = diagnoseStatic(input(backend, { endpointSlices: [] }));
    const endpoints = hop(report, 'endpoints');
    assert.equal(endpoints.status, 'failed');
    assert.ok(
      endpoints.evidence.includes('No EndpointSlice carries the label kubernetes.io/service-name=backend.'),
    );
    assert.ok(
      endpoints.evidence.some((line) =>
        line.startsWith('Ready Pod backend-5f6a-aaaaa (10.244.1.20) is in no EndpointSlice'),
      ),
    );
    assert.equal(report.conclusion.failedHop, 'endpoints');
    assert.match(report.conclusion.fix!, /EndpointSlice controller/);
  });

  test('a stale slice: an old address, a wrong port, a Pod that is gone', () => {
    const slices = slicesFor(services, pods).map((slice) =>
      slice.metadata?.labels?.['kubernetes.io/service-name'] === 'backend'
        ? {
            ...slice,
            ports: [{ name: 'http', port: 8081, protocol: 'TCP' }],
            endpoints: [
              ...(slice.endpoints ?? []),
              {
                addresses: ['10.244.1.99'],
                conditions: { ready: true },
                targetRef: { kind: 'Pod', name: 'backend-old' },
              },
            ],
          }
        : slice,
    );
    const report = diagnoseStatic(input(backend, { endpointSlices: slices }));
    const endpoints = hop(report, 'endpoints');
    assert.equal(endpoints.status, 'passed');
    assert.match(endpoints.summary, /but disagree with the Pods in 3 places/);
    assert.ok(
      endpoints.evidence.includes(
        'The EndpointSlice gives backend-5f6a-aaaaa port 8081, but targetPort http resolves to 8080 on it.',
      ),
    );
    assert.ok(
      endpoints.evidence.includes(
        '10.244.1.99 (backend-old) is listed but is not a Pod the selector picks now: the slice is stale or was written by hand.',
      ),
    );
  });

  test('a slice that still marks a Pod ready after it stopped being ready', () => {
    const notReady = pod(
      'shop',
      'checkout',
      { app: 'checkout' },
      {
        ip: '10.244.1.30',
        ready: true,
        ports: [{ name: 'http', containerPort: 8080 }],
      },
    );
    const readySlices = slicesFor(services, [...pods.filter((p) => p !== checkout), notReady]);
    const report = diagnoseStatic(
      input(
        { kind: 'service', namespace: 'shop', name: 'checkout', port: 80 },
        { endpointSlices: readySlices },
      ),
    );
    assert.ok(
      hop(report, 'endpoints').evidence.includes(
        'The EndpointSlice marks checkout ready, but the Pod is not ready: the slice is stale.',
      ),
    );
  });

  test('a Service without selector and its hand-made slices', () => {
    const manual = service('shop', 'external-db', undefined, [{ name: 'pg', port: 5432 }]);
    const slice = {
      metadata: {
        namespace: 'shop',
        name: 'external-db-1',
        labels: { 'kubernetes.io/service-name': 'external-db' },
      },
      endpoints: [{ addresses: ['192.0.2.10'], conditions: { ready: true } }],
      ports: [{ name: 'pg', port: 5432, protocol: 'TCP' }],
    };
    const target: DiagnosisTarget = { kind: 'service', namespace: 'shop', name: 'external-db', port: 5432 };
    const withSlice = diagnoseStatic(
      input(target, {
        services: [...services, manual],
        endpointSlices: [...slicesFor(services, pods), slice],
      }),
    );
    assert.equal(hop(withSlice, 'selector').status, 'skipped');
    assert.equal(hop(withSlice, 'endpoints').status, 'passed');
    const without = diagnoseStatic(input(target, { services: [...services, manual] }));
    assert.equal(without.conclusion.failedHop, 'endpoints');
    assert.match(
      without.conclusion.fix!,
      /Write an EndpointSlice labelled kubernetes\.io\/service-name: external-db/,
    );
  });

  test('EndpointSlices that may not be read', () => {
    const report = diagnoseStatic(input(backend, { unreadable: { endpointSlices: ['shop'] } }));
    assert.equal(hop(report, 'endpoints').status, 'unknown');
    assert.equal(report.conclusion.failedHop, undefined);
    assert.match(report.conclusion.sentence, /1 hop could not be checked \(endpointslices\)/);
  });
});
