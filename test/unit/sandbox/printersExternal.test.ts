import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { findResource } from '../../../sandbox/api/resources.ts';
import { tableCells } from '../../../sandbox/api/tables.ts';

const now = Date.parse('2026-01-01T00:10:00Z');
const created = '2026-01-01T00:00:00Z';
const cells = (group: string, plural: string, object: Record<string, unknown>) =>
  tableCells(findResource(group, 'v1', plural), object, now);

describe('printNode, printIngress, printIngressClass', () => {
  test('a node: status with SchedulingDisabled, roles from labels, wide columns', () => {
    assert.deepEqual(
      cells('', 'nodes', {
        metadata: {
          name: 'n1',
          creationTimestamp: created,
          labels: { 'node-role.kubernetes.io/control-plane': '', 'kubernetes.io/role': 'edge' },
        },
        spec: { unschedulable: true },
        status: {
          conditions: [{ type: 'Ready', status: 'False' }],
          addresses: [
            { type: 'ExternalIP', address: '203.0.113.4' },
            { type: 'InternalIP', address: '10.0.0.4' },
          ],
          nodeInfo: { kubeletVersion: 'v1.32.1' },
        },
      }),
      [
        'n1',
        'NotReady,SchedulingDisabled',
        'control-plane,edge',
        '10m',
        'v1.32.1',
        '10.0.0.4',
        '203.0.113.4',
        '<unknown>',
        '<unknown>',
        '<unknown>',
      ],
    );
    assert.deepEqual(cells('', 'nodes', { metadata: { name: 'bare' } }).slice(0, 3), [
      'bare',
      'Unknown',
      '<none>',
    ]);
  });

  test('an Ingress: class, hosts (three, then how many rules more), sorted addresses, TLS ports', () => {
    const rules = ['a.example', '', 'b.example', 'c.example', 'd.example'].map((host) =>
      host ? { host } : {},
    );
    assert.deepEqual(
      cells('networking.k8s.io', 'ingresses', {
        metadata: { name: 'shop', creationTimestamp: created },
        spec: { ingressClassName: 'nginx', rules, tls: [{ hosts: ['a.example'] }] },
        status: {
          loadBalancer: { ingress: [{ ip: '10.0.0.9' }, { hostname: 'lb.example' }, { ip: '10.0.0.1' }] },
        },
      }),
      [
        'shop',
        'nginx',
        'a.example,b.example,c.example + 2 more...',
        '10.0.0.1,10.0.0.9,lb.example',
        '80, 443',
        '10m',
      ],
    );
    assert.deepEqual(
      cells('networking.k8s.io', 'ingresses', {
        metadata: { name: 'x', creationTimestamp: created },
        spec: {},
      }),
      ['x', '<none>', '*', '', '80', '10m'],
    );
  });

  test('an IngressClass: controller and parameters as Kind.group/name', () => {
    assert.deepEqual(
      cells('networking.k8s.io', 'ingressclasses', {
        metadata: { name: 'nginx', creationTimestamp: created },
        spec: {
          controller: 'k8s.io/ingress-nginx',
          parameters: { apiGroup: 'k8s.example.com', kind: 'IngressParameters', name: 'external-lb' },
        },
      }),
      ['nginx', 'k8s.io/ingress-nginx', 'IngressParameters.k8s.example.com/external-lb', '10m'],
    );
    assert.deepEqual(
      cells('networking.k8s.io', 'ingressclasses', {
        metadata: { name: 'plain', creationTimestamp: created },
        spec: { controller: 'example.com/c' },
      })[2],
      '<none>',
    );
  });
});
