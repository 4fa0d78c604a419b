/**
 * Server-side printing. Expected columns and cells are upstream's: AddHandlers and the print functions
 * of k8s.io/kubernetes/pkg/printers/internalversion (and their printers_test.go cases), printed wide
 * as kube-apiserver does, and the Accept negotiation of k8s.io/apiserver's handlers.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { findResource } from '../../sandbox/api/resources.ts';
import type { ResourceType } from '../../sandbox/api/resources.ts';
import {
  acceptsPartialObjectMetadataList,
  acceptsTable,
  columnDefinitions,
  formatLabelSelector,
  labelSelectorString,
  negotiateResourceResponse,
  parseAccept,
  parseIncludeObject,
  tableCells,
  toPartialObjectMetadataList,
  toTable,
} from '../../sandbox/api/tables.ts';
import type { KubeObject } from '../../sandbox/api/tables.ts';

const S = 1000;
const M = 60 * S;
const H = 60 * M;
const D = 24 * H;
const NOW = Date.parse('2025-03-01T12:00:00Z');
const ago = (ms: number): string => new Date(NOW - ms).toISOString().replace(/\.000Z$/, 'Z');

function type(group: string, plural: string): ResourceType {
  const found = findResource(group, 'v1', plural);
  assert.ok(found, `${group}/${plural} is in the registry`);
  return found;
}

const PODS = type('', 'pods');
const SERVICES = type('', 'services');
const NAMESPACES = type('', 'namespaces');
const EVENTS = type('', 'events');
const DEPLOYMENTS = type('apps', 'deployments');
const REPLICASETS = type('apps', 'replicasets');
const SLICES = type('discovery.k8s.io', 'endpointslices');
const POLICIES = type('networking.k8s.io', 'networkpolicies');

const KUBECTL_ACCEPT =
  'application/json;as=Table;v=v1;g=meta.k8s.io,application/json;as=Table;v=v1beta1;g=meta.k8s.io,application/json';

function header(t: ResourceType | undefined): Array<[string, string, string, number]> {
  return columnDefinitions(t).map((c) => [c.name, c.type, c.format, c.priority]);
}

const cells = (t: ResourceType, object: KubeObject): unknown[] => tableCells(t, object, NOW);

describe('column definitions', () => {
  test('pods', () => {
    assert.deepEqual(header(PODS), [
      ['Name', 'string', 'name', 0],
      ['Ready', 'string', '', 0],
      ['Status', 'string', '', 0],
      ['Restarts', 'string', '', 0],
      ['Age', 'string', '', 0],
      ['IP', 'string', '', 1],
      ['Node', 'string', '', 1],
      ['Nominated Node', 'string', '', 1],
      ['Readiness Gates', 'string', '', 1],
    ]);
    const [name, ready, , restarts, age, ip] = columnDefinitions(PODS);
    assert.match(name!.description, /^Name must be unique within a namespace\./);
    assert.equal(ready!.description, 'The aggregate readiness state of this pod for accepting traffic.');
    assert.equal(
      restarts!.description,
      'The number of times the containers in this pod have been restarted and when the last container in this pod has restarted.',
    );
    assert.match(age!.description, /^CreationTimestamp is a timestamp representing the server time/);
    assert.equal(
      ip!.description,
      'podIP address allocated to the pod. Routable at least within the cluster. Empty if not yet allocated.',
    );
  });

  test('namespaces, services, networkpolicies, endpointslices', () => {
    assert.deepEqual(header(NAMESPACES), [
      ['Name', 'string', 'name', 0],
      ['Status', 'string', '', 0],
      ['Age', 'string', '', 0],
    ]);
    assert.equal(columnDefinitions(NAMESPACES)[1]!.description, 'The status of the namespace');
    assert.deepEqual(header(SERVICES), [
      ['Name', 'string', 'name', 0],
      ['Type', 'string', '', 0],
      ['Cluster-IP', 'string', '', 0],
      ['External-IP', 'string', '', 0],
      ['Port(s)', 'string', '', 0],
      ['Age', 'string', '', 0],
      ['Selector', 'string', '', 1],
    ]);
    assert.deepEqual(header(POLICIES), [
      ['Name', 'string', 'name', 0],
      ['Pod-Selector', 'string', '', 0],
      ['Age', 'string', '', 0],
    ]);
    assert.deepEqual(header(SLICES), [
      ['Name', 'string', 'name', 0],
      ['AddressType', 'string', '', 0],
      ['Ports', 'string', '', 0],
      ['Endpoints', 'string', '', 0],
      ['Age', 'string', '', 0],
    ]);
  });

  test('events: the wide columns carry priority 1 and Name comes last', () => {
    assert.deepEqual(header(EVENTS), [
      ['Last Seen', 'string', '', 0],
      ['Type', 'string', '', 0],
      ['Reason', 'string', '', 0],
      ['Object', 'string', '', 0],
      ['Subobject', 'string', '', 1],
      ['Source', 'string', '', 1],
      ['Message', 'string', '', 0],
      ['First Seen', 'string', '', 1],
      ['Count', 'string', '', 1],
      ['Name', 'string', 'name', 1],
    ]);
  });

  test('deployments and replicasets', () => {
    assert.deepEqual(header(DEPLOYMENTS), [
      ['Name', 'string', 'name', 0],
      ['Ready', 'string', '', 0],
      ['Up-to-date', 'string', '', 0],
      ['Available', 'string', '', 0],
      ['Age', 'string', '', 0],
      ['Containers', 'string', '', 1],
      ['Images', 'string', '', 1],
      ['Selector', 'string', '', 1],
    ]);
    assert.deepEqual(header(REPLICASETS), [
      ['Name', 'string', 'name', 0],
      ['Desired', 'integer', '', 0],
      ['Current', 'integer', '', 0],
      ['Ready', 'integer', '', 0],
      ['Age', 'string', '', 0],
      ['Containers', 'string', '', 1],
      ['Images', 'string', '', 1],
      ['Selector', 'string', '', 1],
    ]);
  });

  test('anything else gets the generic Name / Created At', () => {
    assert.deepEqual(header(undefined), [
      ['Name', 'string', 'name', 0],
      ['Created At', 'date', '', 0],
    ]);
  });
});

describe('cells', () => {
  test('pods: every column, wide included', () => {
    const pod = {
      metadata: { name: 'web-1', creationTimestamp: ago(61 * M) },
      spec: { containers: [{ name: 'a' }, { name: 'b' }], nodeName: 'node-1' },
      status: {
        phase: 'Running',
        podIPs: [{ ip: '10.0.0.5' }],
        conditions: [{ type: 'Ready', status: 'False' }],
        containerStatuses: [
          { name: 'a', ready: true, restartCount: 0, state: { running: {} } },
          {
            name: 'b',
            ready: false,
            restartCount: 3,
            state: { waiting: { reason: 'CrashLoopBackOff' } },
            lastState: { terminated: { exitCode: 1, finishedAt: ago(2 * M + 7 * S) } },
          },
        ],
      },
    };
    assert.deepEqual(cells(PODS, pod), [
      'web-1',
      '1/2',
      'CrashLoopBackOff',
      '3 (2m7s ago)',
      '61m',
      '10.0.0.5',
      'node-1',
      '<none>',
      '<none>',
    ]);
  });

  test('pods: Succeeded and Failed rows carry the Completed condition', () => {
    const succeeded = {
      metadata: { name: 'job' },
      spec: { containers: [{ name: 'c' }] },
      status: { phase: 'Succeeded' },
    };
    const failed = {
      metadata: { name: 'bad' },
      spec: { containers: [{ name: 'c' }] },
      status: { phase: 'Failed' },
    };
    const running = {
      metadata: { name: 'ok' },
      spec: { containers: [{ name: 'c' }] },
      status: { phase: 'Running' },
    };
    const table = toTable(PODS, [succeeded, failed, running], { now: NOW });
    assert.deepEqual(table.rows[0]!.conditions, [
      {
        type: 'Completed',
        status: 'True',
        reason: 'Succeeded',
        message: 'The pod has completed successfully.',
      },
    ]);
    assert.deepEqual(table.rows[1]!.conditions, [
      { type: 'Completed', status: 'True', reason: 'Failed', message: 'The pod failed.' },
    ]);
    assert.equal('conditions' in table.rows[2]!, false);
  });

  test('services: TestPrintServiceLoadBalancer, printed wide', () => {
    const ports = [
      { port: 80, protocol: 'TCP' },
      { port: 8090, protocol: 'UDP' },
      { port: 8000, protocol: 'TCP' },
    ];
    const lb = (
      name: string,
      ingress: Array<{ ip?: string; hostname?: string }> | undefined,
      extra = {},
    ) => ({
      metadata: { name },
      spec: { clusterIPs: ['1.2.3.4'], type: 'LoadBalancer', ports, ...extra },
      ...(ingress ? { status: { loadBalancer: { ingress } } } : {}),
    });
    assert.deepEqual(cells(SERVICES, lb('service1', [{ ip: '2.3.4.5' }, { ip: '3.4.5.6' }])), [
      'service1',
      'LoadBalancer',
      '1.2.3.4',
      '2.3.4.5,3.4.5.6',
      '80/TCP,8090/UDP,8000/TCP',
      '<unknown>',
      '<none>',
    ]);
    assert.equal(cells(SERVICES, lb('service2', undefined))[3], '<pending>');
    // The wide printer does not clip the address list to 16 characters.
    const many = lb(
      'service4',
      [{ ip: '2.3.4.5' }, { ip: '3.4.5.6' }, { ip: '5.6.7.8', hostname: 'host5678' }],
      {
        selector: { foo: 'bar' },
      },
    );
    assert.deepEqual(cells(SERVICES, many).slice(3), [
      '2.3.4.5,3.4.5.6,5.6.7.8',
      '80/TCP,8090/UDP,8000/TCP',
      '<unknown>',
      'foo=bar',
    ]);
    // externalIPs come after the load balancer's addresses.
    assert.equal(
      cells(SERVICES, lb('both', [{ hostname: 'lb.example' }], { externalIPs: ['9.9.9.9'] }))[3],
      'lb.example,9.9.9.9',
    );
  });

  test('services: ClusterIP, NodePort, headless, ExternalName, no ports', () => {
    const nodePort = {
      metadata: { name: 'web', creationTimestamp: ago(3 * H + 12 * M) },
      spec: {
        type: 'NodePort',
        clusterIP: '10.96.0.10',
        clusterIPs: ['10.96.0.10'],
        ports: [
          { port: 80, protocol: 'TCP', nodePort: 30080 },
          { port: 443, protocol: 'TCP', nodePort: 30443 },
        ],
        selector: { tier: 'web', app: 'shop' },
      },
    };
    assert.deepEqual(cells(SERVICES, nodePort), [
      'web',
      'NodePort',
      '10.96.0.10',
      '<none>',
      '80:30080/TCP,443:30443/TCP',
      '3h12m',
      'app=shop,tier=web',
    ]);
    const headless = {
      metadata: { name: 'db' },
      spec: { clusterIP: 'None', clusterIPs: ['None'], ports: [{ port: 5432 }] },
    };
    // type and protocol read as the defaults the API server would have stored.
    assert.deepEqual(cells(SERVICES, headless).slice(1, 5), ['ClusterIP', 'None', '<none>', '5432/TCP']);
    const external = {
      metadata: { name: 'ext' },
      spec: { type: 'ExternalName', externalName: 'db.example.com' },
    };
    assert.deepEqual(cells(SERVICES, external).slice(1, 5), [
      'ExternalName',
      '<none>',
      'db.example.com',
      '<none>',
    ]);
    const withExternalIPs = {
      metadata: { name: 'x' },
      spec: { clusterIPs: ['10.0.0.1'], externalIPs: ['1.1.1.1', '2.2.2.2'] },
    };
    assert.equal(cells(SERVICES, withExternalIPs)[3], '1.1.1.1,2.2.2.2');
  });

  test('namespaces', () => {
    assert.deepEqual(
      cells(NAMESPACES, {
        metadata: { name: 'shop', creationTimestamp: ago(27 * H) },
        status: { phase: 'Active' },
      }),
      ['shop', 'Active', '27h'],
    );
    assert.deepEqual(
      cells(NAMESPACES, {
        metadata: { name: 'old', deletionTimestamp: ago(S) },
        status: { phase: 'Terminating' },
      }),
      ['old', 'Terminating', '<unknown>'],
    );
  });

  test('endpointslices: TestPrintEndpointSlice', () => {
    const slice = (ports: unknown[], addresses: string[][], created = ago(5 * M)) => ({
      metadata: { name: 'abcslice.123', creationTimestamp: created },
      addressType: 'IPv4',
      ports,
      endpoints: addresses.map((a) => ({ addresses: a })),
    });
    const http = { name: 'http', port: 80, protocol: 'TCP' };
    const https = { name: 'https', port: 443, protocol: 'TCP' };
    // Created 1.9s in the future: clock skew reads as now.
    assert.deepEqual(
      cells(SLICES, slice([http], [['10.1.2.3', '2001:db8::1234:5678']], new Date(NOW + 1900).toISOString())),
      ['abcslice.123', 'IPv4', '80', '10.1.2.3,2001:db8::1234:5678', '0s'],
    );
    assert.deepEqual(
      cells(
        SLICES,
        slice(
          [http, https],
          [
            ['10.1.2.3', '2001:db8::1234:5678'],
            ['10.2.3.4', '2001:db8::2345:6789'],
          ],
        ),
      ).slice(2),
      ['80,443', '10.1.2.3,2001:db8::1234:5678,10.2.3.4 + 1 more...', '5m'],
    );
    const four = [http, https, { name: 'extra1', port: 3000 }, { name: 'extra2', port: 3001 }];
    assert.equal(cells(SLICES, slice(four, []))[2], '80,443,3000 + 1 more...');
    assert.deepEqual(cells(SLICES, slice([], [])).slice(2, 4), ['<unset>', '<unset>']);
    // A port without a number: its name, or "*" for all ports.
    assert.equal(cells(SLICES, slice([{ name: 'dns', port: null }, { port: null }], []))[2], 'dns,*');
  });

  test('deployments', () => {
    const deployment = {
      metadata: { name: 'web', creationTimestamp: ago(2 * H) },
      spec: {
        replicas: 3,
        selector: {
          matchLabels: { app: 'web' },
          matchExpressions: [{ key: 'env', operator: 'In', values: ['staging', 'prod'] }],
        },
        template: {
          spec: {
            containers: [
              { name: 'nginx', image: 'nginx:1.27' },
              { name: 'sidecar', image: 'envoy:1.31' },
            ],
          },
        },
      },
      status: { replicas: 3, updatedReplicas: 3, readyReplicas: 2, availableReplicas: 2 },
    };
    assert.deepEqual(cells(DEPLOYMENTS, deployment), [
      'web',
      '2/3',
      3,
      2,
      '120m',
      'nginx,sidecar',
      'nginx:1.27,envoy:1.31',
      'app=web,env in (prod,staging)',
    ]);
    // Defaults: one replica, zero everything else; an empty selector prints as nothing at all.
    assert.deepEqual(cells(DEPLOYMENTS, { metadata: { name: 'new' }, spec: { selector: {} } }), [
      'new',
      '0/1',
      0,
      0,
      '<unknown>',
      '',
      '',
      '',
    ]);
  });

  test('replicasets', () => {
    const rs = {
      metadata: { name: 'web-7d9', creationTimestamp: ago(40 * D) },
      spec: {
        replicas: 2,
        selector: { matchLabels: { app: 'web', 'pod-template-hash': '7d9' } },
        template: { spec: { containers: [{ name: 'nginx', image: 'nginx:1.27' }] } },
      },
      status: { replicas: 2, readyReplicas: 1 },
    };
    assert.deepEqual(cells(REPLICASETS, rs), [
      'web-7d9',
      2,
      2,
      1,
      '40d',
      'nginx',
      'nginx:1.27',
      'app=web,pod-template-hash=7d9',
    ]);
    assert.equal(cells(REPLICASETS, { metadata: { name: 'x' }, spec: { selector: {} } })[7], '<none>');
  });

  test('networkpolicies', () => {
    const policy = (podSelector: unknown) => ({
      metadata: { name: 'p', creationTimestamp: ago(10 * S) },
      spec: { podSelector },
    });
    assert.deepEqual(cells(POLICIES, policy({})), ['p', '<none>', '10s']);
    assert.equal(
      cells(
        POLICIES,
        policy({
          matchLabels: { role: 'db' },
          matchExpressions: [
            { key: 'tier', operator: 'NotIn', values: ['b', 'a'] },
            { key: 'legacy', operator: 'DoesNotExist' },
            { key: 'app', operator: 'Exists' },
          ],
        }),
      )[1],
      'app,!legacy,role=db,tier notin (a,b)',
    );
    assert.equal(
      cells(POLICIES, policy({ matchExpressions: [{ key: 'x', operator: 'Near', values: [] }] }))[1],
      '<error>',
    );
  });

  test('events: legacy timestamps, series, and the source', () => {
    const event = {
      metadata: { name: 'web-1.17f' },
      involvedObject: { kind: 'Pod', name: 'web-1', fieldPath: 'spec.containers{b}' },
      reason: 'BackOff',
      message: 'Back-off restarting failed container b\n',
      type: 'Warning',
      source: { component: 'kubelet', host: 'node-1' },
      firstTimestamp: ago(10 * M),
      lastTimestamp: ago(30 * S),
      count: 7,
    };
    assert.deepEqual(cells(EVENTS, event), [
      '30s',
      'Warning',
      'BackOff',
      'pod/web-1',
      'spec.containers{b}',
      'kubelet, node-1',
      'Back-off restarting failed container b',
      '10m',
      7,
      'web-1.17f',
    ]);
    // events.k8s.io writers: eventTime, series, reportingComponent; no legacy timestamps.
    const modern = {
      metadata: { name: 'x' },
      involvedObject: { kind: 'Node' },
      reason: 'Ready',
      type: 'Normal',
      eventTime: new Date(NOW - 3 * H).toISOString().replace('Z', '000Z'),
      series: { count: 4, lastObservedTime: ago(5 * M) },
      reportingComponent: 'kubelet',
    };
    assert.deepEqual(cells(EVENTS, modern), [
      '5m',
      'Normal',
      'Ready',
      'node',
      '',
      'kubelet',
      '',
      '3h',
      4,
      'x',
    ]);
    // A singleton event without a count counts once.
    assert.equal(cells(EVENTS, { metadata: { name: 'y' }, firstTimestamp: ago(M) })[8], 1);
  });

  test('generic fallback: name and RFC 3339 creation time', () => {
    assert.deepEqual(
      tableCells(undefined, { metadata: { name: 'thing', creationTimestamp: '2024-05-06T07:08:09.123Z' } }),
      ['thing', '2024-05-06T07:08:09Z'],
    );
    assert.deepEqual(tableCells(undefined, { metadata: { name: 'new' } }), ['new', '0001-01-01T00:00:00Z']);
  });
});

describe('toTable', () => {
  const pod = {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: 'web-1', namespace: 'shop', resourceVersion: '42', labels: { app: 'web' } },
    spec: { containers: [{ name: 'c' }] },
    status: { phase: 'Pending' },
  };

  test('the Table envelope and its list metadata', () => {
    const table = toTable(PODS, [pod], {
      now: NOW,
      resourceVersion: '99',
      continue: 'abc',
      remainingItemCount: 3,
    });
    assert.equal(table.kind, 'Table');
    assert.equal(table.apiVersion, 'meta.k8s.io/v1');
    assert.deepEqual(table.metadata, { resourceVersion: '99', continue: 'abc', remainingItemCount: 3 });
    assert.deepEqual(Object.keys(table), ['kind', 'apiVersion', 'metadata', 'columnDefinitions', 'rows']);
    assert.equal(table.columnDefinitions!.length, 9);
    assert.deepEqual(Object.keys(table.columnDefinitions![0]!), [
      'name',
      'type',
      'format',
      'description',
      'priority',
    ]);
    assert.deepEqual(toTable(PODS, [], { now: NOW }).metadata, {});
    assert.deepEqual(toTable(PODS, [], { now: NOW }).rows, []);
  });

  test('includeObject: Metadata (the default) embeds PartialObjectMetadata', () => {
    const row = toTable(PODS, [pod], { now: NOW }).rows[0]!;
    assert.deepEqual(row.object, {
      kind: 'PartialObjectMetadata',
      apiVersion: 'meta.k8s.io/v1',
      metadata: pod.metadata,
    });
    assert.deepEqual(
      toTable(PODS, [pod], { now: NOW, includeObject: 'Metadata' }).rows[0]!.object,
      row.object,
    );
  });

  test('includeObject: Object embeds the whole object, with kind and apiVersion', () => {
    const bare = { metadata: { name: 'svc' }, spec: { clusterIPs: ['10.0.0.1'] } };
    const row = toTable(SERVICES, [bare], { now: NOW, includeObject: 'Object' }).rows[0]!;
    assert.deepEqual(row.object, { kind: 'Service', apiVersion: 'v1', ...bare });
  });

  test('includeObject: None leaves a null object', () => {
    const row = toTable(PODS, [pod], { now: NOW, includeObject: 'None' }).rows[0]!;
    assert.equal(row.object, null);
    assert.equal(JSON.stringify(row).endsWith('"object":null}'), true);
  });

  test('watch events after the first carry no column definitions', () => {
    const table = toTable(PODS, [pod], { now: NOW, includeColumnDefinitions: false });
    assert.equal(table.columnDefinitions, null);
    assert.equal(table.rows.length, 1);
  });

  test('a v1beta1 Table embeds v1beta1 metadata', () => {
    const table = toTable(DEPLOYMENTS, [{ metadata: { name: 'd' } }], { now: NOW, version: 'v1beta1' });
    assert.equal(table.apiVersion, 'meta.k8s.io/v1beta1');
    assert.deepEqual(table.rows[0]!.object, {
      kind: 'PartialObjectMetadata',
      apiVersion: 'meta.k8s.io/v1beta1',
      metadata: { name: 'd' },
    });
  });

  test('the generic table for a type without a printer', () => {
    const table = toTable(
      undefined,
      [{ metadata: { name: 'cm', creationTimestamp: '2024-01-02T03:04:05Z' } }],
      { now: NOW },
    );
    assert.deepEqual(
      table.columnDefinitions!.map((c) => c.name),
      ['Name', 'Created At'],
    );
    assert.deepEqual(table.rows[0]!.cells, ['cm', '2024-01-02T03:04:05Z']);
  });

  test('PartialObjectMetadataList', () => {
    assert.deepEqual(toPartialObjectMetadataList([pod], { resourceVersion: '7' }), {
      kind: 'PartialObjectMetadataList',
      apiVersion: 'meta.k8s.io/v1',
      metadata: { resourceVersion: '7' },
      items: [{ kind: 'PartialObjectMetadata', apiVersion: 'meta.k8s.io/v1', metadata: pod.metadata }],
    });
  });
});

describe('label selectors', () => {
  test('LabelSelectorAsSelector().String() and FormatLabelSelector', () => {
    assert.equal(labelSelectorString(undefined), '');
    assert.equal(labelSelectorString({}), '');
    assert.equal(labelSelectorString({ matchLabels: { b: '2', a: '1' } }), 'a=1,b=2');
    assert.equal(
      labelSelectorString({ matchExpressions: [{ key: 'k', operator: 'In', values: ['only'] }] }),
      'k in (only)',
    );
    assert.equal(
      labelSelectorString({ matchExpressions: [{ key: 'k', operator: 'In', values: [] }] }),
      undefined,
    );
    assert.equal(formatLabelSelector({}), '<none>');
    assert.equal(
      formatLabelSelector({ matchExpressions: [{ key: 'k', operator: 'Exists', values: ['x'] }] }),
      '<error>',
    );
  });
});

describe('Accept negotiation', () => {
  test('kubectl get asks for a v1 Table first', () => {
    assert.equal(acceptsTable(KUBECTL_ACCEPT), 'v1');
    assert.deepEqual(negotiateResourceResponse(KUBECTL_ACCEPT), { as: 'Table', version: 'v1' });
  });

  test('a client that offers only v1beta1 gets v1beta1', () => {
    assert.equal(
      acceptsTable('application/json;as=Table;v=v1beta1;g=meta.k8s.io,application/json'),
      'v1beta1',
    );
  });

  test('plain JSON, an empty header and wildcards get the object', () => {
    assert.equal(acceptsTable('application/json'), undefined);
    assert.equal(acceptsTable(''), undefined);
    assert.equal(acceptsTable(undefined), undefined);
    assert.deepEqual(negotiateResourceResponse('*/*'), { as: 'Object' });
    assert.deepEqual(negotiateResourceResponse('application/json, */*'), { as: 'Object' });
    assert.deepEqual(negotiateResourceResponse(''), { as: 'Object' });
  });

  test('the first acceptable clause wins, ordered by q', () => {
    assert.equal(acceptsTable('application/json,application/json;as=Table;v=v1;g=meta.k8s.io'), undefined);
    assert.equal(acceptsTable('application/json;q=0.5,application/json;as=Table;v=v1;g=meta.k8s.io'), 'v1');
    assert.equal(
      acceptsTable(
        'application/json;as=Table;v=v1;g=meta.k8s.io;q=0.9,application/json;as=Table;v=v1beta1;g=meta.k8s.io',
      ),
      'v1beta1',
    );
  });

  test('clauses that cannot be served are passed over', () => {
    // No group: not meta.k8s.io, so not a Table this server makes.
    assert.equal(
      acceptsTable('application/json;as=Table;v=v1,application/json;as=Table;v=v1beta1;g=meta.k8s.io'),
      'v1beta1',
    );
    // A Table is never protobuf, and this server writes JSON only.
    assert.equal(
      acceptsTable('application/vnd.kubernetes.protobuf;as=Table;v=v1;g=meta.k8s.io,application/json'),
      undefined,
    );
    assert.deepEqual(negotiateResourceResponse('application/vnd.kubernetes.protobuf,application/json'), {
      as: 'Object',
    });
    assert.equal(negotiateResourceResponse('text/html'), undefined);
    assert.equal(negotiateResourceResponse('application/json;as=Pod;v=v1;g=meta.k8s.io'), undefined);
  });

  test('PartialObjectMetadataList', () => {
    const accept = 'application/json;as=PartialObjectMetadataList;v=v1;g=meta.k8s.io,application/json';
    assert.equal(acceptsPartialObjectMetadataList(accept), 'v1');
    assert.equal(acceptsTable(accept), undefined);
    assert.equal(acceptsPartialObjectMetadataList(KUBECTL_ACCEPT), undefined);
  });

  test('parseAccept: parameters, q, and wildcards after concrete types', () => {
    assert.deepEqual(parseAccept('*/*;q=0.8, application/json ; as=Table ;v=v1, text/*, bogus'), [
      { type: 'application', subType: 'json', q: 1, params: { as: 'Table', v: 'v1' } },
      { type: 'text', subType: '*', q: 1, params: {} },
      { type: '*', subType: '*', q: 0.8, params: {} },
    ]);
  });

  test('includeObject values', () => {
    assert.equal(parseIncludeObject(null), 'Metadata');
    assert.equal(parseIncludeObject(''), 'Metadata');
    assert.equal(parseIncludeObject('None'), 'None');
    assert.equal(parseIncludeObject('Object'), 'Object');
    assert.equal(parseIncludeObject('object'), undefined);
  });
});
