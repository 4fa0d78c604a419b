/**
 * ClusterCache's resources for outside access, against the sandbox over real sockets: Ingresses
 * per watched namespace, Nodes and IngressClasses cluster-wide, their change events, and the
 * states of an identity that may not read them (403), which are never an empty list.
 */
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import {
  CoreV1Api,
  KubeConfig,
  NetworkingV1Api,
  PatchStrategy,
  setHeaderOptions,
} from '@kubernetes/client-node';
import { ClusterCache } from '../../../src/cluster/cache.ts';
import type { ClusterChange } from '../../../src/cluster/changes.ts';
import { useSandbox, waitFor } from '../../support/sandbox.ts';

describe('ClusterCache: Ingresses, Nodes and IngressClasses', () => {
  const fixture = useSandbox({ scenario: 'minimal' });
  const networking = () => fixture.kubeconfig.makeApiClient(NetworkingV1Api);
  const caches: ClusterCache[] = [];
  let cache: ClusterCache;
  const changes: ClusterChange[] = [];
  const changedSince = (index: number, predicate: (change: ClusterChange) => boolean) =>
    changes.slice(index).some(predicate);

  const open = (kubeConfig: KubeConfig) => {
    const opened = new ClusterCache(kubeConfig, {
      contextName: fixture.sandbox.context,
      backoff: { initialMs: 100, maxMs: 400 },
    });
    caches.push(opened);
    return opened;
  };

  before(async () => {
    cache = open(fixture.kubeconfig);
    cache.onDidChange((change) => changes.push(change));
    await waitFor('namespaces synced', () => cache.isSynced());
    cache.setWatchedNamespaces(['web']);
    await waitFor('web synced', () => cache.isSynced('web'));
  });

  after(() => caches.forEach((c) => c.dispose()));

  test('Nodes are listed with their addresses, and IngressClasses, once synced', async () => {
    await waitFor('nodes synced', () => cache.clusterStatus().nodes.status === 'synced');
    await waitFor('ingress classes synced', () => cache.clusterStatus().ingressClasses.status === 'synced');
    assert.deepEqual(cache.clusterStatus(), {
      nodes: { status: 'synced', listed: true },
      ingressClasses: { status: 'synced', listed: true },
    });
    const [node] = cache.nodes();
    assert.equal(cache.nodes().length, 1);
    assert.equal(node?.metadata?.name, fixture.sandbox.cluster.nodes[0]!.name);
    assert.equal(
      node?.status?.addresses?.find((a) => a.type === 'InternalIP')?.address,
      fixture.sandbox.cluster.nodes[0]!.ip,
    );
    assert.ok(cache.node(node!.metadata!.name!));
    // Each is announced once listed (in one delivery or two, as the lists' timing falls).
    await waitFor(
      'a Nodes change and an IngressClasses change',
      () => changes.some((change) => change.nodes) && changes.some((change) => change.ingressClasses),
    );
    assert.equal(cache.namespaceStatus('web')?.ingresses.status, 'synced');
    assert.deepEqual(cache.ingresses('web'), []);
  });

  test('an IngressClass and an Ingress created, changed and deleted show in the cache and in change events', async () => {
    let mark = changes.length;
    await networking().createIngressClass({
      body: {
        metadata: {
          name: 'test-class',
          annotations: { 'ingressclass.kubernetes.io/is-default-class': 'true' },
        },
        spec: { controller: 'example.com/ingress' },
      },
    });
    await waitFor('the class in the cache', () =>
      cache.ingressClasses().some((c) => c.metadata?.name === 'test-class'),
    );
    await waitFor('a change naming it', () =>
      changedSince(mark, (c) => c.ingressClasses && c.objects.has('IngressClass//test-class')),
    );

    mark = changes.length;
    await networking().createNamespacedIngress({
      namespace: 'web',
      body: {
        metadata: {
          name: 'shop',
          annotations: { 'kubectl.kubernetes.io/last-applied-configuration': '{"big":1}' },
        },
        spec: {
          rules: [
            {
              host: 'shop.example.com',
              http: {
                paths: [
                  {
                    path: '/',
                    pathType: 'Prefix',
                    backend: { service: { name: 'web', port: { number: 80 } } },
                  },
                ],
              },
            },
          ],
        },
      },
    });
    const ingress = await waitFor('the Ingress in the cache', () => cache.ingress('web', 'shop'));
    assert.equal(ingress.spec?.ingressClassName, 'test-class', 'the default class, set by admission');
    assert.equal(ingress.metadata?.annotations, undefined, 'slimmed: no last-applied copy');
    assert.deepEqual(
      cache.ingresses('web').map((i) => i.metadata?.name),
      ['shop'],
    );
    await waitFor('a change naming it', () =>
      changedSince(mark, (c) => c.ingresses.has('web') && c.objects.has('Ingress/web/shop')),
    );

    mark = changes.length;
    await networking().patchNamespacedIngressStatus(
      {
        namespace: 'web',
        name: 'shop',
        body: { status: { loadBalancer: { ingress: [{ ip: '127.0.0.99' }] } } },
      },
      setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
    );
    await waitFor(
      'the address in the cache',
      () => cache.ingress('web', 'shop')?.status?.loadBalancer?.ingress?.[0]?.ip === '127.0.0.99',
    );

    mark = changes.length;
    await networking().deleteNamespacedIngress({ namespace: 'web', name: 'shop' });
    await networking().deleteIngressClass({ name: 'test-class' });
    await waitFor('both gone', () => !cache.ingress('web', 'shop') && cache.ingressClasses().length === 0);
    await waitFor(
      'the deletions announced',
      () =>
        changedSince(mark, (c) => c.objects.has('Ingress/web/shop')) &&
        changedSince(mark, (c) => c.objects.has('IngressClass//test-class')),
    );
  });

  test('a Node changed arrives as a Node change', async () => {
    const name = cache.nodes()[0]!.metadata!.name!;
    const mark = changes.length;
    await fixture.kubeconfig
      .makeApiClient(CoreV1Api)
      .patchNode(
        { name, body: { metadata: { labels: { 'kubereach.test/zone': 'a' } } } },
        setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
      );
    await waitFor(
      'the label in the cache',
      () => cache.node(name)?.metadata?.labels?.['kubereach.test/zone'] === 'a',
    );
    await waitFor('a change naming it', () =>
      changedSince(mark, (c) => c.nodes && c.objects.has(`Node//${name}`)),
    );
  });

  test('a cluster that does not serve Ingresses (404): "unavailable" per namespace and for IngressClasses, Pods unaffected', async (t) => {
    // A plain HTTP front (client-node allows http only with skipTLSVerify) to the sandbox that answers 404 for the Ingress API, as a cluster without
    // networking.k8s.io/v1 Ingress does, and passes everything else through.
    const upstream = new URL(fixture.kubeconfig.getCurrentCluster()!.server);
    const ca = Buffer.from(fixture.kubeconfig.getCurrentCluster()!.caData!, 'base64');
    const refused: string[] = [];
    const front = createServer((req: IncomingMessage, res: ServerResponse) => {
      if (/\/ingress(es|classes)\b/.test(req.url ?? '')) {
        refused.push(req.url ?? '');
        res.writeHead(404, { 'Content-Type': 'application/json' });
        res.end(
          JSON.stringify({
            kind: 'Status',
            apiVersion: 'v1',
            status: 'Failure',
            reason: 'NotFound',
            code: 404,
            message: 'the server could not find the requested resource',
          }),
        );
        return;
      }
      const forward = httpsRequest(
        {
          host: upstream.hostname,
          port: upstream.port,
          path: req.url,
          method: req.method,
          headers: { ...req.headers, host: upstream.host },
          ca,
        },
        (answer) => {
          res.writeHead(answer.statusCode ?? 502, answer.headers);
          answer.pipe(res);
        },
      );
      forward.on('error', () => res.destroy());
      res.on('close', () => forward.destroy());
      req.pipe(forward);
    });
    await new Promise<void>((resolve) => front.listen(0, '127.0.0.1', resolve));
    t.after(() => {
      front.closeAllConnections();
      front.close();
    });
    const port = (front.address() as AddressInfo).port;
    const kubeConfig = new KubeConfig();
    kubeConfig.loadFromOptions({
      clusters: [{ name: 'front', server: `http://127.0.0.1:${port}`, skipTLSVerify: true }],
      users: [{ name: 'admin', token: fixture.kubeconfig.getCurrentUser()!.token! }],
      contexts: [{ name: fixture.sandbox.context, cluster: 'front', user: 'admin' }],
      currentContext: fixture.sandbox.context,
    });
    const through = open(kubeConfig);
    through.setWatchedNamespaces(['web']);
    await waitFor('web settled', () => through.isSynced('web'));
    const ingresses = through.namespaceStatus('web')!.ingresses;
    assert.equal(ingresses.status, 'unavailable');
    assert.equal(ingresses.listed, false);
    await waitFor(
      'ingress classes unavailable',
      () => through.clusterStatus().ingressClasses.status === 'unavailable',
    );
    assert.equal(through.namespaceStatus('web')!.pods.status, 'synced');
    assert.equal(through.pods('web').length, 3);
    await waitFor('nodes synced', () => through.clusterStatus().nodes.status === 'synced');
    await waitFor('connected', () => through.state().kind === 'connected');
    // Not retried: one list request per resource, and no more.
    assert.equal(refused.length, 2, refused.join(', '));
    assert.equal(through.state().retryAt, undefined);
    through.dispose();
  });

  test('an identity refused Nodes, IngressClasses and Ingresses (403): states of their own, never an empty list', async () => {
    const kubeConfig = new KubeConfig();
    kubeConfig.loadFromFile(fixture.sandbox.kubeconfigFor('web-reader'));
    const limited = open(kubeConfig);
    let clusterChanges = 0;
    limited.onDidChange((change) => (clusterChanges += change.nodes && change.ingressClasses ? 1 : 0));
    limited.setWatchedNamespaces(['web']);
    await waitFor('nodes forbidden', () => limited.clusterStatus().nodes.status === 'forbidden');
    await waitFor(
      'ingress classes forbidden',
      () => limited.clusterStatus().ingressClasses.status === 'forbidden',
    );
    const status = limited.clusterStatus();
    assert.match(
      status.nodes.message ?? '',
      /nodes is forbidden: User "web-reader" cannot list resource "nodes"/,
    );
    assert.equal(status.nodes.listed, false);
    assert.match(status.ingressClasses.message ?? '', /ingressclasses/);
    assert.deepEqual(limited.nodes(), []);
    await waitFor('web settled', () => limited.isSynced('web'));
    assert.equal(limited.namespaceStatus('web')?.ingresses.status, 'forbidden');
    await waitFor('the refusals announced', () => clusterChanges > 0);
    // Pods and Services of `web` are readable: the connection is fine, whatever Nodes say.
    await waitFor('connected', () => limited.state().kind === 'connected');
    assert.equal(limited.state().retryAt, undefined, 'a 403 is not retried');
  });

  test('an identity that may read nothing in its namespaces is still "forbidden", not saved by cluster-scoped refusals', async () => {
    const kubeConfig = new KubeConfig();
    kubeConfig.loadFromFile(fixture.sandbox.kubeconfigFor('restricted'));
    const limited = open(kubeConfig);
    await waitFor('the namespace fallback', () => limited.namespaceFallback);
    limited.setWatchedNamespaces(['default']);
    await waitFor('state forbidden', () => limited.state().kind === 'forbidden');
    assert.equal(limited.clusterStatus().nodes.status, 'forbidden');
  });
});
