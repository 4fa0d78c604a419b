/**
 * Discovery documents: legacy and aggregated, as kube-apiserver 1.32 serves them and as client-go
 * (k8s.io/client-go/discovery) reads them.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  AGGREGATED_DISCOVERY_V2,
  AGGREGATED_DISCOVERY_V2BETA1,
  aggregatedDiscovery,
  apiGroupList,
  apiResourceList,
  discoveryDocument,
  negotiateDiscovery,
  storageVersionHash,
} from '../../sandbox/api/discovery.ts';
import type {
  APIGroupDiscoveryList,
  APIGroupList,
  APIResource,
  APIResourceList,
  APIVersions,
  VersionInfo,
} from '../../sandbox/api/discovery.ts';
import { RESOURCES } from '../../sandbox/api/resources.ts';

const KUBECTL_ACCEPT =
  'application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList,' +
  'application/json;g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList,application/json';
const ADDRESS = '127.0.0.1:6443';

function get(path: string, accept = 'application/json'): { contentType: string; body: unknown } {
  const response = discoveryDocument(path, accept, ADDRESS);
  assert.ok(response, `${path} is a discovery path`);
  return response;
}

function groupVersion(group: string, version: string): string {
  return group === '' ? version : `${group}/${version}`;
}

describe('/version', () => {
  test('a version.Info for a 1.32 server', () => {
    const { contentType, body } = get('/version');
    const info = body as VersionInfo;
    assert.equal(contentType, 'application/json');
    assert.deepEqual(Object.keys(info), [
      'major',
      'minor',
      'gitVersion',
      'gitCommit',
      'gitTreeState',
      'buildDate',
      'goVersion',
      'compiler',
      'platform',
    ]);
    assert.equal(info.major, '1');
    assert.equal(info.minor, '32');
    assert.equal(info.gitVersion, 'v1.32.0-kubereach-sandbox');
    assert.match(info.gitVersion, /^v\d+\.\d+\.\d+(-[0-9A-Za-z.-]+)?$/);
    assert.equal(info.platform, 'linux/amd64');
    assert.match(info.goVersion, /^go1\.\d+/);
    assert.match(info.buildDate, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
  });
});

describe('legacy discovery', () => {
  test('/api: APIVersions with the server address for every client', () => {
    const { contentType, body } = get('/api');
    assert.equal(contentType, 'application/json');
    assert.deepEqual(body as APIVersions, {
      kind: 'APIVersions',
      versions: ['v1'],
      serverAddressByClientCIDRs: [{ clientCIDR: '0.0.0.0/0', serverAddress: ADDRESS }],
    });
  });

  test('/apis: every named group, its versions and the preferred one', () => {
    const list = get('/apis').body as APIGroupList;
    assert.equal(list.kind, 'APIGroupList');
    assert.equal(list.apiVersion, 'v1');
    const named = [...new Set(RESOURCES.filter((r) => r.group !== '').map((r) => r.group))];
    assert.deepEqual(
      list.groups.map((g) => g.name),
      named,
    );
    const apps = list.groups.find((g) => g.name === 'apps')!;
    assert.deepEqual(apps, {
      name: 'apps',
      versions: [{ groupVersion: 'apps/v1', version: 'v1' }],
      preferredVersion: { groupVersion: 'apps/v1', version: 'v1' },
    });
  });

  test('/apis/<group>: one APIGroup', () => {
    assert.deepEqual(get('/apis/networking.k8s.io').body, {
      kind: 'APIGroup',
      apiVersion: 'v1',
      name: 'networking.k8s.io',
      versions: [{ groupVersion: 'networking.k8s.io/v1', version: 'v1' }],
      preferredVersion: { groupVersion: 'networking.k8s.io/v1', version: 'v1' },
    });
  });

  test('/api/v1: the core resources, without apiVersion, sorted by name', () => {
    const list = get('/api/v1').body as APIResourceList;
    assert.deepEqual(Object.keys(list), ['kind', 'groupVersion', 'resources']);
    assert.equal(list.groupVersion, 'v1');
    const names = list.resources.map((r) => r.name);
    assert.deepEqual(names, [...names].sort());
    assert.deepEqual(names, [
      'events',
      'namespaces',
      'namespaces/status',
      'nodes',
      'nodes/status',
      'pods',
      'pods/ephemeralcontainers',
      'pods/exec',
      'pods/log',
      'pods/portforward',
      'pods/status',
      'services',
      'services/status',
    ]);
  });

  test('/api/v1: pods and their subresources', () => {
    const list = get('/api/v1').body as APIResourceList;
    const byName = new Map(list.resources.map((r) => [r.name, r]));
    assert.deepEqual(byName.get('pods'), {
      name: 'pods',
      singularName: 'pod',
      namespaced: true,
      kind: 'Pod',
      verbs: ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'],
      shortNames: ['po'],
      categories: ['all'],
      // The value a real cluster publishes for pods.
      storageVersionHash: 'xPOwRZ+Yhw8=',
    });
    assert.deepEqual(byName.get('pods/exec'), {
      name: 'pods/exec',
      singularName: '',
      namespaced: true,
      kind: 'PodExecOptions',
      verbs: ['create', 'get'],
    });
    assert.deepEqual(byName.get('pods/portforward')?.kind, 'PodPortForwardOptions');
    assert.deepEqual(byName.get('pods/status')?.verbs, ['get', 'patch', 'update']);
    assert.deepEqual(byName.get('namespaces')?.namespaced, false);
    assert.deepEqual(byName.get('namespaces')?.shortNames, ['ns']);
    assert.equal('categories' in byName.get('namespaces')!, false);
  });

  test('/apis/<group>/<version>: a named group carries apiVersion', () => {
    const list = get('/apis/apps/v1').body as APIResourceList;
    assert.deepEqual(Object.keys(list), ['kind', 'apiVersion', 'groupVersion', 'resources']);
    assert.equal(list.apiVersion, 'v1');
    assert.equal(list.groupVersion, 'apps/v1');
    const slices = get('/apis/discovery.k8s.io/v1').body as APIResourceList;
    const endpointslices = slices.resources.find((r) => r.name === 'endpointslices')!;
    // No short names: the field is omitted, not empty.
    assert.equal('shortNames' in endpointslices, false);
  });

  test('every registered resource and subresource is discoverable', () => {
    for (const type of RESOURCES) {
      const list = apiResourceList(type.group, type.version);
      assert.ok(list, groupVersion(type.group, type.version));
      const entry = list.resources.find((r) => r.name === type.plural);
      assert.ok(entry, type.plural);
      assert.equal(entry.kind, type.kind);
      assert.equal(entry.singularName, type.singular);
      assert.equal(entry.namespaced, type.namespaced);
      assert.deepEqual(entry.verbs, type.verbs);
      assert.deepEqual(entry.shortNames ?? [], type.shortNames);
      assert.equal(entry.storageVersionHash, storageVersionHash(type.group, type.version, type.kind));
      for (const sub of type.subresources) {
        const subEntry: APIResource | undefined = list.resources.find(
          (r) => r.name === `${type.plural}/${sub.name}`,
        );
        assert.ok(subEntry, `${type.plural}/${sub.name}`);
        assert.equal(subEntry.kind, sub.kind);
        assert.deepEqual(subEntry.verbs, sub.verbs);
      }
    }
  });

  test('paths that are not discovery documents', () => {
    for (const path of [
      '/api/v1/pods',
      '/api/v2',
      '/apis/apps/v2',
      '/apis/example.com',
      '/apis/apps/v1/deployments',
      '/healthz',
      '/',
    ]) {
      assert.equal(discoveryDocument(path, KUBECTL_ACCEPT, ADDRESS), undefined, path);
    }
  });

  test('storageVersionHash: base64 of the first 8 bytes of sha256(group/version/kind)', () => {
    assert.equal(storageVersionHash('', 'v1', 'Pod'), 'xPOwRZ+Yhw8=');
    assert.equal(storageVersionHash('apps', 'v1', 'Deployment'), '8aSe+NMegvE=');
    assert.equal(storageVersionHash('apps', 'v1', ''), '');
  });
});

describe('aggregated discovery negotiation', () => {
  test('kubectl 1.32 gets v2', () => {
    assert.equal(negotiateDiscovery(KUBECTL_ACCEPT), 'v2');
  });

  test('v2beta1 when only it is offered, or preferred', () => {
    assert.equal(
      negotiateDiscovery(
        'application/json;g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList,application/json',
      ),
      'v2beta1',
    );
    assert.equal(
      negotiateDiscovery(
        'application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList;q=0.5,application/json;g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList',
      ),
      'v2beta1',
    );
  });

  test('legacy otherwise', () => {
    assert.equal(negotiateDiscovery('application/json'), 'legacy');
    assert.equal(negotiateDiscovery('*/*'), 'legacy');
    assert.equal(negotiateDiscovery(''), 'legacy');
    assert.equal(negotiateDiscovery(undefined), 'legacy');
    assert.equal(
      negotiateDiscovery('application/json;g=apidiscovery.k8s.io;v=v1;as=APIGroupDiscoveryList'),
      'legacy',
    );
    assert.equal(negotiateDiscovery('application/json;as=Table;v=v1;g=meta.k8s.io'), 'legacy');
    // Aggregated discovery in protobuf is more than this JSON-only server writes.
    assert.equal(
      negotiateDiscovery(
        'application/vnd.kubernetes.protobuf;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList',
      ),
      'legacy',
    );
  });

  test('a plain JSON clause ahead of the aggregated one does not hide it', () => {
    // Discovery's endpoint restrictions refuse untransformed JSON, so negotiation moves on.
    assert.equal(
      negotiateDiscovery(
        'application/json,application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList',
      ),
      'v2',
    );
  });

  test('the Content-Type names the aggregated type, which is how client-go recognizes it', () => {
    assert.equal(
      get('/api', KUBECTL_ACCEPT).contentType,
      'application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList',
    );
    assert.equal(get('/apis', KUBECTL_ACCEPT).contentType, AGGREGATED_DISCOVERY_V2);
    const beta = get('/apis', 'application/json;g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList');
    assert.equal(beta.contentType, AGGREGATED_DISCOVERY_V2BETA1);
    assert.equal((beta.body as APIGroupDiscoveryList).apiVersion, 'apidiscovery.k8s.io/v2beta1');
    // Group versions are always legacy.
    assert.equal(get('/api/v1', KUBECTL_ACCEPT).contentType, 'application/json');
  });
});

describe('aggregated discovery documents', () => {
  test('/api: the core group, unnamed', () => {
    const list = get('/api', KUBECTL_ACCEPT).body as APIGroupDiscoveryList;
    assert.equal(list.kind, 'APIGroupDiscoveryList');
    assert.equal(list.apiVersion, 'apidiscovery.k8s.io/v2');
    assert.deepEqual(list.metadata, {});
    assert.equal(list.items.length, 1);
    const core = list.items[0]!;
    assert.deepEqual(core.metadata, { creationTimestamp: null });
    assert.equal(core.versions.length, 1);
    assert.equal(core.versions[0]!.version, 'v1');
    assert.equal(core.versions[0]!.freshness, 'Current');
    const pods = core.versions[0]!.resources.find((r) => r.resource === 'pods');
    assert.deepEqual(pods, {
      resource: 'pods',
      responseKind: { group: '', version: '', kind: 'Pod' },
      scope: 'Namespaced',
      singularResource: 'pod',
      verbs: ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'],
      shortNames: ['po'],
      categories: ['all'],
      subresources: [
        {
          subresource: 'ephemeralcontainers',
          responseKind: { group: '', version: '', kind: 'Pod' },
          verbs: ['get', 'patch', 'update'],
        },
        {
          subresource: 'exec',
          responseKind: { group: '', version: '', kind: 'PodExecOptions' },
          verbs: ['create', 'get'],
        },
        {
          subresource: 'log',
          responseKind: { group: '', version: '', kind: 'Pod' },
          verbs: ['get'],
        },
        {
          subresource: 'portforward',
          responseKind: { group: '', version: '', kind: 'PodPortForwardOptions' },
          verbs: ['create', 'get'],
        },
        {
          subresource: 'status',
          responseKind: { group: '', version: '', kind: 'Pod' },
          verbs: ['get', 'patch', 'update'],
        },
      ],
    });
    const namespaces = core.versions[0]!.resources.find((r) => r.resource === 'namespaces')!;
    assert.equal(namespaces.scope, 'Cluster');
    const events = core.versions[0]!.resources.find((r) => r.resource === 'events')!;
    // omitempty: no subresources, no categories.
    assert.equal('subresources' in events, false);
    assert.equal('categories' in events, false);
  });

  test('/apis: one item per named group', () => {
    const list = aggregatedDiscovery('/apis');
    assert.deepEqual(
      list.items.map((i) => i.metadata),
      apiGroupList().groups.map((g) => ({ name: g.name, creationTimestamp: null })),
    );
    const apps = list.items.find((i) => i.metadata.name === 'apps')!;
    assert.deepEqual(
      apps.versions[0]!.resources.map((r) => [r.resource, r.singularResource, r.shortNames]),
      [
        ['deployments', 'deployment', ['deploy']],
        ['replicasets', 'replicaset', ['rs']],
      ],
    );
  });

  test('client-go reads the same resources from either format', () => {
    // SplitGroupsAndResources / convertAPIResource / convertAPISubresource of client-go.
    const fromAggregated = new Map<string, APIResource[]>();
    const documents = [aggregatedDiscovery('/api'), aggregatedDiscovery('/apis')];
    for (const item of documents.flatMap((d) => d.items)) {
      for (const version of item.versions) {
        const resources: APIResource[] = [];
        for (const r of version.resources) {
          const parent = {
            name: r.resource,
            singularName: r.singularResource,
            namespaced: r.scope === 'Namespaced',
            kind: r.responseKind.kind,
            verbs: r.verbs,
            ...(r.shortNames ? { shortNames: r.shortNames } : {}),
            ...(r.categories ? { categories: r.categories } : {}),
          };
          resources.push(parent);
          for (const s of r.subresources ?? []) {
            resources.push({
              name: `${r.resource}/${s.subresource}`,
              singularName: '',
              namespaced: parent.namespaced,
              // convertAPISubresource: a response kind of another group (scale) carries it.
              ...(s.responseKind.group
                ? { group: s.responseKind.group, version: s.responseKind.version }
                : {}),
              kind: s.responseKind.kind,
              verbs: s.verbs,
            });
          }
        }
        fromAggregated.set(groupVersion(item.metadata.name ?? '', version.version), resources);
      }
    }
    const gvs = [...new Set(RESOURCES.map((r) => groupVersion(r.group, r.version)))];
    assert.deepEqual([...fromAggregated.keys()].sort(), [...gvs].sort());
    for (const gv of gvs) {
      const [group, version] = gv.includes('/') ? gv.split('/') : ['', gv];
      const legacy = apiResourceList(group!, version!)!.resources.map(
        ({ storageVersionHash: _hash, ...rest }) => rest,
      );
      assert.deepEqual(fromAggregated.get(gv), legacy, gv);
    }
  });
});
