import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  endpointsForInternalTraffic,
  endpointsForNode,
  freeNodePort,
  nodePortProblem,
  preservesClientAddress,
  sourceRangesAdmit,
} from '../../../src/analysis/nodePorts.ts';

describe('node ports', () => {
  test('requested ports: outside the range, taken, free', () => {
    assert.equal(
      nodePortProblem(80, new Set()),
      'provided port is not in the valid range. The range of valid ports is 30000-32767',
    );
    assert.equal(nodePortProblem(32768, new Set()), nodePortProblem(80, new Set()));
    assert.equal(nodePortProblem(30080, new Set([30080])), 'provided port is already allocated');
    assert.equal(nodePortProblem(30080, new Set([30081])), undefined);
  });

  test('allocation takes the lowest free port and says when the range is exhausted', () => {
    assert.equal(freeNodePort(new Set()), 30000);
    assert.equal(freeNodePort(new Set([30000, 30001, 30003])), 30002);
    assert.equal(freeNodePort(new Set([5, 6]), { first: 5, last: 6 }), undefined);
  });

  test('externalTrafficPolicy: Local keeps the ready endpoints of the node, Cluster every ready one', () => {
    const endpoints = [
      { ip: 'a', ready: true, nodeName: 'n1' },
      { ip: 'b', ready: false, nodeName: 'n2' },
      { ip: 'c', ready: true, nodeName: 'n3' },
    ];
    assert.deepEqual(
      endpointsForNode(endpoints, 'n1', 'Cluster').map((e) => e.ip),
      ['a', 'c'],
    );
    assert.deepEqual(
      endpointsForNode(endpoints, 'n2', undefined).map((e) => e.ip),
      ['a', 'c'],
    );
    assert.deepEqual(
      endpointsForNode(endpoints, 'n1', 'Local').map((e) => e.ip),
      ['a'],
    );
    assert.deepEqual(endpointsForNode(endpoints, 'n2', 'Local'), []);
    // Pod traffic is sent to the Service as Cluster whatever the policy (kube-proxy).
    assert.deepEqual(
      endpointsForNode(endpoints, 'n2', 'Local', { fromPod: true }).map((e) => e.ip),
      ['a', 'c'],
    );
    assert.equal(preservesClientAddress('Local'), true);
    assert.equal(preservesClientAddress('Cluster'), false);
  });

  test("internalTrafficPolicy Local keeps the caller node's ready endpoints; the host gets Cluster", () => {
    const endpoints = [
      { ip: 'a', ready: true, nodeName: 'n1' },
      { ip: 'b', ready: false, nodeName: 'n2' },
      { ip: 'c', ready: true, nodeName: 'n3' },
    ];
    assert.deepEqual(
      endpointsForInternalTraffic(endpoints, 'n3', 'Local').map((e) => e.ip),
      ['c'],
    );
    assert.deepEqual(endpointsForInternalTraffic(endpoints, 'n2', 'Local'), []);
    assert.deepEqual(
      endpointsForInternalTraffic(endpoints, 'n2', 'Cluster').map((e) => e.ip),
      ['a', 'c'],
    );
    assert.deepEqual(
      endpointsForInternalTraffic(endpoints, undefined, 'Local').map((e) => e.ip),
      ['a', 'c'],
    );
  });

  test('loadBalancerSourceRanges admit clients inside them, everyone when empty', () => {
    assert.equal(sourceRangesAdmit(undefined, '127.0.0.1'), true);
    assert.equal(sourceRangesAdmit([], '10.0.0.1'), true);
    assert.equal(sourceRangesAdmit(['127.0.0.0/8'], '127.3.0.1'), true);
    assert.equal(sourceRangesAdmit(['10.0.0.0/8', ' 192.168.0.0/16 '], '192.168.4.4'), true);
    assert.equal(sourceRangesAdmit(['10.0.0.0/8'], '127.0.0.1'), false);
  });
});
