/**
 * CustomResourceDefinitions, as a real API server serves them: a CRD applied with kubectl becomes
 * NamesAccepted and Established, its group appears in discovery (kubectl 1.32's aggregated
 * discovery, the legacy documents client-node reads), its resources are served with the same verbs
 * and watch semantics as built-in ones (client-node's CustomObjectsApi, KubernetesObjectApi and an
 * informer), the status subresource splits spec from status, the schema prunes, defaults and
 * validates, and deleting the CRD deletes its instances and its discovery entries.
 */
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { describe, test } from 'node:test';
import {
  ApiextensionsV1Api,
  CustomObjectsApi,
  KubernetesObjectApi,
  makeInformer,
  PatchStrategy,
  setHeaderOptions,
  Watch,
} from '@kubernetes/client-node';
import type { KubernetesObject } from '@kubernetes/client-node';
import { kubectl, kubectlAvailable, useSandbox, waitFor } from '../support/sandbox.ts';

const CRD = `apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata: { name: widgets.example.com }
spec:
  group: example.com
  names: { plural: widgets, singular: widget, kind: Widget, shortNames: [wd], categories: [all-widgets] }
  scope: Namespaced
  versions:
    - name: v1
      served: true
      storage: true
      subresources: { status: {} }
      additionalPrinterColumns:
        - { name: Size, type: integer, jsonPath: .spec.size }
        - { name: Ready, type: string, jsonPath: '.status.conditions[?(@.type=="Ready")].status' }
        - { name: Age, type: date, jsonPath: .metadata.creationTimestamp }
      schema:
        openAPIV3Schema:
          type: object
          properties:
            spec:
              type: object
              required: [size]
              properties:
                size: { type: integer, minimum: 1 }
                color: { type: string, default: blue, enum: [blue, red] }
            status:
              type: object
              properties:
                conditions:
                  type: array
                  items: { type: object, properties: { type: { type: string }, status: { type: string } } }
    - name: v1beta1
      served: true
      storage: false
      schema: { openAPIV3Schema: { type: object, x-kubernetes-preserve-unknown-fields: true } }
`;

const GROUP = 'example.com';

interface Widget extends KubernetesObject {
  spec?: { size?: number; color?: string };
  status?: { conditions?: Array<{ type: string; status: string }> };
}

function statusCode(error: unknown): number | undefined {
  return (error as { code?: number }).code;
}

describe('CustomResourceDefinitions', { timeout: 120_000 }, () => {
  const fixture = useSandbox({ scenario: 'minimal' });
  const file = (name: string, text: string) => {
    const path = join(dirname(fixture.sandbox.kubeconfigPath), name);
    writeFileSync(path, text);
    return path;
  };

  test(
    'a CRD applied with kubectl is NamesAccepted and Established, and kubectl discovers its kind',
    { skip: !kubectlAvailable },
    async () => {
      const config = fixture.sandbox.kubeconfigPath;
      const applied = await kubectl(config, ['apply', '-f', file('crd.yaml', CRD)]);
      assert.equal(applied.code, 0, applied.stderr);
      const api = fixture.kubeconfig.makeApiClient(ApiextensionsV1Api);
      const crd = await waitFor('the CRD to be established', async () => {
        const read = await api.readCustomResourceDefinition({ name: 'widgets.example.com' });
        return read.status?.conditions?.some((c) => c.type === 'Established' && c.status === 'True') && read;
      });
      const names = crd.status!.conditions!.find((c) => c.type === 'NamesAccepted')!;
      assert.deepEqual([names.status, names.reason], ['True', 'NoConflicts']);
      assert.deepEqual(crd.status!.acceptedNames!.shortNames, ['wd']);
      assert.deepEqual(crd.status!.storedVersions, ['v1']);

      // kubectl 1.32 reads aggregated discovery: the kind, its short name and its preferred version.
      const resources = await kubectl(config, ['api-resources', '--api-group', GROUP, '--no-headers']);
      assert.equal(resources.code, 0, resources.stderr);
      assert.match(resources.stdout, /^widgets\s+wd\s+example\.com\/v1\s+true\s+Widget\s*$/m);
      const legacy = JSON.parse((await kubectl(config, ['get', '--raw', '/apis/example.com'])).stdout) as {
        preferredVersion: { version: string };
        versions: Array<{ version: string }>;
      };
      assert.equal(legacy.preferredVersion.version, 'v1');
      assert.deepEqual(
        legacy.versions.map((v) => v.version),
        ['v1', 'v1beta1'],
      );
      const list = JSON.parse((await kubectl(config, ['get', '--raw', '/apis/example.com/v1'])).stdout) as {
        resources: Array<{ name: string; verbs: string[] }>;
      };
      assert.deepEqual(
        list.resources.map((r) => r.name),
        ['widgets', 'widgets/status'],
      );
    },
  );

  test(
    'kubectl apply, get with printer columns, describe, patch and explain-free validation',
    { skip: !kubectlAvailable },
    async () => {
      const config = fixture.sandbox.kubeconfigPath;
      const widget = (size: number, extra = '') =>
        file(
          'widget.yaml',
          `apiVersion: example.com/v1\nkind: Widget\nmetadata: { name: w1, namespace: default }\nspec: { size: ${size}${extra} }\n`,
        );
      const created = await kubectl(config, ['apply', '-f', widget(3)]);
      assert.equal(created.code, 0, created.stderr);
      assert.match(created.stdout, /widget\.example\.com\/w1 created/);
      const configured = await kubectl(config, ['apply', '-f', widget(5)]);
      assert.match(configured.stdout, /widget\.example\.com\/w1 configured/);
      const table = await kubectl(config, ['get', 'wd', '-n', 'default']);
      assert.match(table.stdout, /^NAME\s+SIZE\s+READY\s+AGE\s*$/m);
      assert.match(table.stdout, /^w1\s+5\s+\d+s\s*$/m);
      const yaml = await kubectl(config, [
        'get',
        'widget',
        'w1',
        '-n',
        'default',
        '-o',
        'jsonpath={.spec.color} {.metadata.generation}',
      ]);
      assert.equal(
        yaml.stdout,
        'blue 2',
        'the schema default is filled in, the spec change bumps generation',
      );
      const describe = await kubectl(config, ['describe', 'widget', 'w1', '-n', 'default']);
      assert.match(describe.stdout, /^Kind:\s+Widget$/m);
      assert.match(describe.stdout, /^\s+Size:\s+5$/m);

      const merge = await kubectl(config, [
        'patch',
        'wd',
        'w1',
        '-n',
        'default',
        '--type',
        'merge',
        '-p',
        '{"spec":{"color":"red"}}',
      ]);
      assert.equal(merge.code, 0, merge.stderr);
      const json = await kubectl(config, [
        'patch',
        'wd',
        'w1',
        '-n',
        'default',
        '--type',
        'json',
        '-p',
        '[{"op":"replace","path":"/spec/size","value":7}]',
      ]);
      assert.equal(json.code, 0, json.stderr);
      const strategic = await kubectl(config, [
        'patch',
        'wd',
        'w1',
        '-n',
        'default',
        '-p',
        '{"spec":{"size":8}}',
      ]);
      assert.notEqual(strategic.code, 0);
      assert.match(strategic.stderr, /strategic-merge-patch\+json is not supported/);

      const unknown = await kubectl(config, ['apply', '-f', widget(3, ', shape: round')]);
      assert.notEqual(unknown.code, 0, 'kubectl apply validates strictly on the server');
      assert.match(unknown.stderr, /unknown field "spec\.shape"/);
      const invalid = await kubectl(config, ['apply', '-f', widget(0, ', color: green')]);
      assert.notEqual(invalid.code, 0);
      assert.match(
        invalid.stderr,
        /spec\.size: Invalid value: 0: spec\.size in body should be greater than or equal to 1/,
      );
      assert.match(
        invalid.stderr,
        /spec\.color: Unsupported value: "green": supported values: "blue", "red"/,
      );
      const serverSide = await kubectl(config, ['apply', '--server-side', '-f', widget(4)]);
      assert.equal(serverSide.code, 0, serverSide.stderr);
      assert.match(serverSide.stdout, /serverside-applied/);
    },
  );

  test('client-node: CustomObjectsApi verbs, the status subresource, pruning, and both served versions', async () => {
    const api = fixture.kubeconfig.makeApiClient(CustomObjectsApi);
    const base = { group: GROUP, version: 'v1', namespace: 'default', plural: 'widgets' };
    const created = (await api.createNamespacedCustomObject({
      ...base,
      body: {
        apiVersion: 'example.com/v1',
        kind: 'Widget',
        metadata: { name: 'w2' },
        spec: { size: 2, extra: 1 },
        status: { conditions: [{ type: 'Ready', status: 'True' }] },
      },
    })) as Widget;
    assert.deepEqual(created.spec, { size: 2, color: 'blue' }, 'unknown fields are pruned, defaults filled');
    assert.equal(created.status, undefined, 'status is not written by a create when it is a subresource');

    const missing = await api
      .createNamespacedCustomObject({
        ...base,
        body: {
          apiVersion: 'example.com/v1',
          kind: 'Widget',
          metadata: { name: 'w3' },
          spec: { size: 'big' },
        },
      })
      .then(
        () => undefined,
        (error: unknown) => error,
      );
    assert.equal(statusCode(missing), 422);
    assert.match(
      String((missing as { body?: string }).body),
      /spec\.size in body must be of type integer: \\"string\\"/,
    );

    const withStatus = (await api.patchNamespacedCustomObjectStatus(
      {
        ...base,
        name: 'w2',
        body: { spec: { size: 9 }, status: { conditions: [{ type: 'Ready', status: 'True' }] } },
      },
      setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
    )) as Widget;
    assert.equal(withStatus.spec?.size, 2, 'the status subresource ignores spec');
    assert.deepEqual(withStatus.status?.conditions, [{ type: 'Ready', status: 'True' }]);
    assert.equal(withStatus.metadata?.generation, 1, 'status changes do not bump generation');

    const replaced = (await api.replaceNamespacedCustomObject({
      ...base,
      name: 'w2',
      body: { ...withStatus, spec: { size: 6 }, status: { conditions: [] } },
    })) as Widget;
    assert.equal(replaced.spec?.size, 6);
    assert.deepEqual(
      replaced.status?.conditions,
      [{ type: 'Ready', status: 'True' }],
      'the main resource ignores status',
    );
    assert.equal(replaced.metadata?.generation, 2);

    const beta = (await api.getNamespacedCustomObject({ ...base, version: 'v1beta1', name: 'w2' })) as Widget;
    assert.equal(beta.apiVersion, 'example.com/v1beta1', 'each served version serves the stored object');
    const list = (await api.listNamespacedCustomObject(base)) as { kind: string; items: Widget[] };
    assert.equal(list.kind, 'WidgetList');
    assert.ok(list.items.every((item) => item.kind === 'Widget' && item.apiVersion === 'example.com/v1'));

    const objects = KubernetesObjectApi.makeApiClient(fixture.kubeconfig);
    const generic = await objects.create<Widget>({
      apiVersion: 'example.com/v1',
      kind: 'Widget',
      metadata: { name: 'w4', namespace: 'default' },
      spec: { size: 1 },
    });
    assert.equal(generic.metadata?.name, 'w4', 'KubernetesObjectApi finds the plural through discovery');
    await objects.delete({
      apiVersion: 'example.com/v1',
      kind: 'Widget',
      metadata: { name: 'w4', namespace: 'default' },
    });
  });

  test('an informer on a custom resource sees adds, updates and deletes; an old resourceVersion gets 410', async () => {
    const api = fixture.kubeconfig.makeApiClient(CustomObjectsApi);
    const base = { group: GROUP, version: 'v1', namespace: 'default', plural: 'widgets' };
    const path = '/apis/example.com/v1/namespaces/default/widgets';
    const informer = makeInformer<Widget>(
      fixture.kubeconfig,
      path,
      () => api.listNamespacedCustomObject(base) as never,
    );
    const seen: string[] = [];
    informer.on('add', (w) => seen.push(`add ${w.metadata?.name}`));
    informer.on('update', (w) => seen.push(`update ${w.metadata?.name} ${w.spec?.size}`));
    informer.on('delete', (w) => seen.push(`delete ${w.metadata?.name}`));
    await informer.start();
    try {
      await api.createNamespacedCustomObject({
        ...base,
        body: {
          apiVersion: 'example.com/v1',
          kind: 'Widget',
          metadata: { name: 'watched' },
          spec: { size: 1 },
        },
      });
      await api.patchNamespacedCustomObject(
        { ...base, name: 'watched', body: { spec: { size: 2 } } },
        setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
      );
      await api.deleteNamespacedCustomObject({ ...base, name: 'watched' });
      await waitFor('the informer to see the three changes', () => seen.includes('delete watched'));
      assert.deepEqual(
        seen.filter((s) => s.includes('watched')),
        ['add watched', 'update watched 2', 'delete watched'],
      );
    } finally {
      await informer.stop();
    }

    fixture.sandbox.faults.expireWatches();
    const watch = new Watch(fixture.kubeconfig);
    const event = await new Promise<{ type: string; code: number | undefined }>((resolve, reject) => {
      void watch
        .watch(
          path,
          { resourceVersion: '2' },
          (type, object: { code?: number }) => resolve({ type, code: object.code }),
          (error) => error && reject(error),
        )
        .catch(reject);
    });
    assert.deepEqual(event, { type: 'ERROR', code: 410 });
  });

  test(
    'a second CRD claiming the same kind is not accepted; deleting a CRD deletes its instances and discovery',
    { skip: !kubectlAvailable },
    async () => {
      const config = fixture.sandbox.kubeconfigPath;
      const api = fixture.kubeconfig.makeApiClient(ApiextensionsV1Api);
      const clash = CRD.replace('widgets.example.com', 'gadgets.example.com')
        .replace('plural: widgets, singular: widget', 'plural: gadgets, singular: gadget')
        .replace('shortNames: [wd]', 'shortNames: [gd]');
      assert.equal((await kubectl(config, ['apply', '-f', file('clash.yaml', clash)])).code, 0);
      const refused = await waitFor('the clashing CRD to be refused', async () => {
        const read = await api.readCustomResourceDefinition({ name: 'gadgets.example.com' });
        return read.status?.conditions?.find((c) => c.type === 'NamesAccepted' && c.status === 'False');
      });
      assert.equal(refused.reason, 'NameConflict');
      assert.equal(refused.message, '"Widget" is already in use');
      assert.equal(
        (await kubectl(config, ['get', 'gadgets'])).code,
        1,
        'a CRD that is not established is not served',
      );

      // An open watch of the resource outlives a change of its CRD's labels (what it serves is the
      // same), and ends when the CRD goes, as the API server drops the storage.
      let watchEnded!: () => void;
      const ended = new Promise<void>((resolve) => (watchEnded = resolve));
      const events: string[] = [];
      await new Watch(fixture.kubeconfig).watch(
        '/apis/example.com/v1/widgets',
        {},
        (type, object: { metadata?: { name?: string } }) => events.push(`${type} ${object.metadata?.name}`),
        () => watchEnded(),
      );
      assert.equal((await kubectl(config, ['label', 'crd', 'widgets.example.com', 'team=sandbox'])).code, 0);
      await fixture.kubeconfig.makeApiClient(CustomObjectsApi).createNamespacedCustomObject({
        group: GROUP,
        version: 'v1',
        namespace: 'default',
        plural: 'widgets',
        body: {
          apiVersion: 'example.com/v1',
          kind: 'Widget',
          metadata: { name: 'after-label' },
          spec: { size: 1 },
        },
      });
      await waitFor('the watch to see a Widget created after the label', () =>
        events.includes('ADDED after-label'),
      );
      const deleted = await kubectl(config, ['delete', 'crd', 'widgets.example.com']);
      assert.equal(deleted.code, 0, deleted.stderr);
      await ended;
      await waitFor('the CRD to go', async () =>
        api.readCustomResourceDefinition({ name: 'widgets.example.com' }).then(
          () => false,
          (error: unknown) => statusCode(error) === 404,
        ),
      );
      const gone = await kubectl(config, ['get', '--raw', '/apis/example.com/v1/namespaces/default/widgets']);
      assert.notEqual(gone.code, 0);
      const resources = await kubectl(config, ['api-resources', '--api-group', GROUP, '--no-headers']);
      assert.doesNotMatch(resources.stdout, /widgets/);
    },
  );
});
