/**
 * The cluster explorer's real tree provider, on the real client-node cache, over real sockets to
 * the sandbox. Only the few VS Code classes the provider constructs are stood in for.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { CoreV1Api, NetworkingV1Api, PatchStrategy, setHeaderOptions } from '@kubernetes/client-node';
import type { ExplorerNode } from '../../src/explorer/nodes.ts';
import { createVscodeStandIn, installVscodeStandInForEsm } from '../support/vscodeStandIn.ts';
import { useSandbox, waitFor } from '../support/sandbox.ts';

const { api } = createVscodeStandIn();
installVscodeStandInForEsm(api);
const { ClusterTreeProvider } = await import('../../src/explorer/tree.ts');
const { ClusterSession } = await import('../../src/cluster/session.ts');
const { LiveObjectDocuments, objectUri, clusterObjectUri } =
  await import('../../src/explorer/yamlDocuments.ts');
const { EXPLORER_COMMANDS } = await import('../../src/explorer/commands.ts');
const { objectYaml } = await import('../../src/cluster/objectYaml.ts');
type Node = ExplorerNode;
type Tree = InstanceType<typeof ClusterTreeProvider>;

interface Item {
  label: string;
  description?: string;
  contextValue?: string;
  iconPath?: { id: string };
  tooltip?: string | { value: string };
}

const tooltipText = (item: Item | undefined) =>
  typeof item?.tooltip === 'string' ? item.tooltip : (item?.tooltip?.value ?? '');

function memory() {
  const values = new Map<string, unknown>();
  return {
    get: (key: string) => values.get(key),
    set: (key: string, value: unknown) => void values.set(key, value),
  };
}

function openSession(kubeconfigPath: string) {
  const session = new ClusterSession({
    settings: () => ({ kubeconfigSetting: undefined, trusted: true }),
    memory: memory(),
    env: { KUBECONFIG: kubeconfigPath },
  });
  const tree = new ClusterTreeProvider(session);
  let events = 0;
  tree.onDidChangeTreeData(() => (events += 1));
  return { session, tree, events: () => events };
}

/** Walks down the tree by labels, e.g. ['kubereach-sandbox', 'web', 'Pods']. */
function find(tree: Tree, path: string[]): Node | undefined {
  let nodes = tree.getChildren();
  let found: Node | undefined;
  for (const label of path) {
    found = nodes.find((node) => (tree.getTreeItem(node) as unknown as Item).label === label);
    if (!found) {
      return undefined;
    }
    nodes = tree.getChildren(found);
  }
  return found;
}

function labels(tree: Tree, path: string[]): string[] {
  const node = path.length === 0 ? undefined : find(tree, path);
  if (path.length > 0 && !node) {
    return [];
  }
  return tree.getChildren(node).map((child) => (tree.getTreeItem(child) as unknown as Item).label);
}

function item(tree: Tree, path: string[]): Item | undefined {
  const node = find(tree, path);
  return node ? (tree.getTreeItem(node) as unknown as Item) : undefined;
}

describe('cluster explorer on the sandbox', () => {
  const fixture = useSandbox({ scenario: 'minimal' });
  let view: ReturnType<typeof openSession>;
  before(() => {
    view = openSession(fixture.sandbox.kubeconfigPath);
  });
  after(() => view.session.dispose());
  const core = () => fixture.kubeconfig.makeApiClient(CoreV1Api);
  const pods = () => labels(view.tree, ['kubereach-sandbox', 'web', 'Pods']);

  test('shows the context, its namespaces, Pods and Services', async () => {
    await waitFor('the web namespace', () => labels(view.tree, ['kubereach-sandbox']).includes('web'));
    assert.ok(labels(view.tree, []).includes('kubereach-sandbox'));
    await waitFor('three Pods', () => pods().length === 3);
    assert.deepEqual(labels(view.tree, ['kubereach-sandbox', 'web']), ['Pods', 'Services', 'Ingresses']);
    const client = item(view.tree, ['kubereach-sandbox', 'web', 'Pods', 'client'])!;
    assert.match(client.description ?? '', /127\.\d+\.\d+\.\d+/);
    assert.equal(client.iconPath?.id, 'pass-filled');
    await waitFor(
      'the web Service',
      () => labels(view.tree, ['kubereach-sandbox', 'web', 'Services']).join() === 'web',
    );
    await waitFor(
      'its two endpoints',
      () => labels(view.tree, ['kubereach-sandbox', 'web', 'Services', 'web']).length === 2,
    );
  });

  test("a Pod's tooltip is built when VS Code asks for it (on hover), not each time its group is drawn", () => {
    const node = find(view.tree, ['kubereach-sandbox', 'web', 'Pods', 'client'])!;
    const drawn = view.tree.getTreeItem(node);
    assert.equal(drawn.tooltip, undefined);
    const resolved = view.tree.resolveTreeItem(drawn, node) as unknown as Item;
    assert.match(tooltipText(resolved), /\*\*Conditions\*\*/);
    assert.match(tooltipText(resolved), /Ready=True/);
  });

  test('a Pod added, flipping readiness and deleted shows up without any action', async () => {
    await core().createNamespacedPod({
      namespace: 'web',
      body: {
        metadata: { name: 'arrival' },
        spec: {
          containers: [{ name: 'c', image: 'registry.example/echo:1.0', ports: [{ containerPort: 8080 }] }],
        },
      },
    });
    await waitFor(
      'the new Pod, ready',
      () => item(view.tree, ['kubereach-sandbox', 'web', 'Pods', 'arrival'])?.iconPath?.id === 'pass-filled',
    );
    fixture.sandbox.faults.setPodReady('web', 'arrival', false);
    await waitFor(
      'the Pod not ready',
      () => item(view.tree, ['kubereach-sandbox', 'web', 'Pods', 'arrival'])?.iconPath?.id !== 'pass-filled',
    );
    await core().deleteNamespacedPod({ namespace: 'web', name: 'arrival', gracePeriodSeconds: 0 });
    await waitFor('the Pod gone', () => !pods().includes('arrival'));
  });

  test("a Service's endpoints follow its Pods' readiness", async () => {
    const endpoint = () => {
      const node = find(view.tree, ['kubereach-sandbox', 'web', 'Services', 'web'])!;
      return view.tree
        .getChildren(node)
        .map((child) => (view.tree.getTreeItem(child) as unknown as Item).description ?? '');
    };
    const backend = pods().find((name) => name.startsWith('web-'))!;
    fixture.sandbox.faults.setPodReady('web', backend, false);
    await waitFor('one endpoint not ready', () => endpoint().some((text) => /not ready/.test(text)));
    fixture.sandbox.faults.setPodReady('web', backend, true);
    await waitFor('all endpoints ready', () => endpoint().every((text) => !/not ready/.test(text)));
  });

  test("an EndpointSlice's change refreshes its own Service's row, not every Service of the namespace", async () => {
    // The bystander's own (empty) EndpointSlice comes after it, and rightly refreshes it: the flip
    // below starts once that has been delivered.
    let ownSliceDelivered = false;
    const stop = view.session.onDidChange((event) => {
      if (
        event.kind === 'cache' &&
        [...event.change.objects].some((key) => key.startsWith('EndpointSlice/web/bystander'))
      ) {
        ownSliceDelivered = true;
      }
    });
    await core().createNamespacedService({
      namespace: 'web',
      body: { metadata: { name: 'bystander' }, spec: { selector: { app: 'nobody' }, ports: [{ port: 81 }] } },
    });
    await waitFor('both Services drawn', () => {
      const shown = labels(view.tree, ['kubereach-sandbox', 'web', 'Services']);
      return shown.includes('web') && shown.includes('bystander');
    });
    await waitFor("the bystander's EndpointSlice delivered", () => ownSliceDelivered);
    stop();
    const refreshed: string[] = [];
    const subscription = view.tree.onDidChangeTreeData((changed) => {
      for (const node of [changed ?? []].flat()) {
        if (node.kind === 'service') {
          refreshed.push(node.name);
        }
      }
    });
    try {
      const backend = pods().find((name) => name.startsWith('web-'))!;
      fixture.sandbox.faults.setPodReady('web', backend, false);
      await waitFor('the web Service refreshed', () => refreshed.includes('web'));
      fixture.sandbox.faults.setPodReady('web', backend, true);
      await waitFor(
        'the web Service refreshed again',
        () => refreshed.filter((name) => name === 'web').length >= 2,
      );
      assert.ok(!refreshed.includes('bystander'), refreshed.join());
    } finally {
      subscription.dispose();
      await core().deleteNamespacedService({ namespace: 'web', name: 'bystander' });
    }
  });

  test("a Service's selector warning follows the Pods its labels select", async () => {
    await core().createNamespacedService({
      namespace: 'web',
      body: {
        metadata: { name: 'awaited' },
        spec: { selector: { app: 'awaited', tier: 'late' }, ports: [{ port: 80, targetPort: 8080 }] },
      },
    });
    const warned = () => {
      const shown = item(view.tree, ['kubereach-sandbox', 'web', 'Services', 'awaited']);
      return shown === undefined ? undefined : /Selector matches no Pod/.test(tooltipText(shown));
    };
    await waitFor('the Service, selecting no Pod', () => warned() === true);
    const pod = (name: string, labels: Record<string, string>) =>
      core().createNamespacedPod({
        namespace: 'web',
        body: {
          metadata: { name, labels },
          spec: {
            containers: [{ name: 'c', image: 'registry.example/echo:1.0', ports: [{ containerPort: 8080 }] }],
          },
        },
      });
    // One of its labels is not enough; both are.
    await pod('awaited-half', { app: 'awaited' });
    await waitFor('the half-labelled Pod listed', () => pods().includes('awaited-half'));
    assert.equal(warned(), true);
    await pod('awaited-1', { app: 'awaited', tier: 'late' });
    await waitFor('the Service selecting it', () => warned() === false);
    await core().deleteNamespacedPod({ namespace: 'web', name: 'awaited-1', gracePeriodSeconds: 0 });
    await waitFor('the Service selecting no Pod again', () => warned() === true);
    await core().deleteNamespacedPod({ namespace: 'web', name: 'awaited-half', gracePeriodSeconds: 0 });
    await core().deleteNamespacedService({ namespace: 'web', name: 'awaited' });
  });

  test('after a forced 410 the tree keeps its state and keeps following', async () => {
    const before = pods();
    fixture.sandbox.faults.expireWatches();
    await core().createNamespacedPod({
      namespace: 'web',
      body: {
        metadata: { name: 'after-410' },
        spec: { containers: [{ name: 'c', image: 'registry.example/echo:1.0' }] },
      },
    });
    await waitFor('the Pod made after the 410', () => pods().includes('after-410'));
    assert.deepEqual(
      pods().filter((name) => name !== 'after-410'),
      before,
    );
  });

  test('the API server stopped: a disconnected node, then recovery with no action', async () => {
    await fixture.sandbox.faults.stopApiServer();
    await waitFor(
      'a disconnected node',
      () => labels(view.tree, ['kubereach-sandbox']).some((label) => /^Disconnected/.test(label)),
      15_000,
    );
    await fixture.sandbox.faults.startApiServer();
    await waitFor(
      'recovered',
      () => !labels(view.tree, ['kubereach-sandbox']).some((label) => /^Disconnected/.test(label)),
      40_000,
    );
    await waitFor('Pods still listed', () => pods().length >= 3);
  });

  test('a Nodes group under the context, before the namespaces: Ready, address, Pods on the node', async () => {
    const context = 'kubereach-sandbox';
    const node = fixture.sandbox.cluster.nodes[0]!;
    const children = labels(view.tree, [context]);
    assert.ok(
      children.indexOf('Nodes') >= 0 && children.indexOf('Nodes') < children.indexOf('web'),
      children.join(),
    );
    await waitFor('one node', () => item(view.tree, [context, 'Nodes'])?.description === '1');
    assert.equal(item(view.tree, [context, 'Nodes'])?.contextValue, 'group.nodes');
    assert.deepEqual(labels(view.tree, [context, 'Nodes']), [node.name]);
    const podsHere = () => {
      const total = labels(view.tree, [context])
        .filter((label) => label !== 'Nodes')
        .reduce((sum, namespace) => sum + labels(view.tree, [context, namespace, 'Pods']).length, 0);
      return `Ready · ${node.ip} · ${total} ${total === 1 ? 'pod' : 'pods'}`;
    };
    await waitFor(
      'the node with its Pods',
      () => item(view.tree, [context, 'Nodes', node.name])?.description === podsHere(),
    );
    const shown = item(view.tree, [context, 'Nodes', node.name])!;
    assert.equal(shown.contextValue, 'node');
    assert.equal(shown.iconPath?.id, 'server');
    assert.match(tooltipText(shown), /Pods of other namespaces are not counted/);

    // A Pod more on the node: its count follows, with no action.
    await core().createNamespacedPod({
      namespace: 'web',
      body: {
        metadata: { name: 'counted' },
        spec: { containers: [{ name: 'c', image: 'registry.example/echo:1.0' }] },
      },
    });
    await waitFor('the count follows', () => {
      const text = item(view.tree, [context, 'Nodes', node.name])?.description;
      return text === podsHere() && pods().includes('counted');
    });
    await core().deleteNamespacedPod({ namespace: 'web', name: 'counted', gracePeriodSeconds: 0 });
    await waitFor('the Pod gone', () => !pods().includes('counted'));
  });

  test('an Ingress: class, host and address; its rule → Service:port with warnings that follow the cluster', async () => {
    const context = 'kubereach-sandbox';
    const networking = fixture.kubeconfig.makeApiClient(NetworkingV1Api);
    const ingressPath = [context, 'web', 'Ingresses', 'shop'];
    const rulePath = [...ingressPath, 'shop.example.com/'];
    await waitFor(
      'no Ingress yet',
      () => item(view.tree, [context, 'web', 'Ingresses'])?.description === '0',
    );
    await networking.createIngressClass({
      body: {
        metadata: {
          name: 'explorer-test',
          annotations: { 'ingressclass.kubernetes.io/is-default-class': 'true' },
        },
        spec: { controller: 'example.com/ingress' },
      },
    });
    await networking.createNamespacedIngress({
      namespace: 'web',
      body: {
        metadata: { name: 'shop' },
        spec: {
          ingressClassName: 'explorer-test',
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
    const shop = await waitFor('the Ingress, without address', () => {
      const shown = item(view.tree, ingressPath);
      return shown?.description === 'explorer-test · shop.example.com · no address' ? shown : undefined;
    });
    assert.equal(shop.contextValue, 'ingress');
    assert.equal(shop.iconPath?.id, 'warning');
    assert.equal(item(view.tree, [context, 'web', 'Ingresses'])?.description, '1');
    await waitFor('the rule, healthy', () => item(view.tree, rulePath)?.iconPath?.id === 'arrow-right');
    const rule = item(view.tree, rulePath)!;
    assert.equal(rule.description, 'Prefix → web:80');
    assert.equal(rule.contextValue, 'ingressRule');

    // The controller writes an address: the warning goes.
    await networking.patchNamespacedIngressStatus(
      {
        namespace: 'web',
        name: 'shop',
        body: { status: { loadBalancer: { ingress: [{ ip: '127.0.0.99' }] } } },
      },
      setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
    );
    await waitFor('the address', () => item(view.tree, ingressPath)?.iconPath?.id === 'globe');
    assert.equal(item(view.tree, ingressPath)?.description, 'explorer-test · shop.example.com · 127.0.0.99');

    // The Service loses its endpoints: the rule says so, and says so no more once they are back.
    fixture.sandbox.faults.setServiceEndpointsRemoved('web', 'web', true);
    await waitFor('no ready endpoint', () =>
      /Service web has no ready endpoint/.test(tooltipText(item(view.tree, rulePath))),
    );
    assert.equal(item(view.tree, ingressPath)?.iconPath?.id, 'warning');
    fixture.sandbox.faults.setServiceEndpointsRemoved('web', 'web', false);
    await waitFor('endpoints back', () => item(view.tree, rulePath)?.iconPath?.id === 'arrow-right');

    // The backend port changed to one the Service does not have.
    await networking.patchNamespacedIngress(
      {
        namespace: 'web',
        name: 'shop',
        body: [{ op: 'replace', path: '/spec/rules/0/http/paths/0/backend/service/port/number', value: 81 }],
      },
      setHeaderOptions('Content-Type', PatchStrategy.JsonPatch),
    );
    await waitFor('the port warning', () =>
      /Port 81 is not a port of Service web/.test(tooltipText(item(view.tree, rulePath))),
    );
    assert.equal(item(view.tree, rulePath)?.description, 'Prefix → web:81');

    // The class deleted: every route of the Ingress is unserved.
    await networking.deleteIngressClass({ name: 'explorer-test' });
    await waitFor('the class warning', () =>
      /IngressClass explorer-test does not exist/.test(tooltipText(item(view.tree, rulePath))),
    );
    // Left in place, so that the churn test below also drives the Ingresses group.
    await networking.patchNamespacedIngress(
      {
        namespace: 'web',
        name: 'shop',
        body: [{ op: 'replace', path: '/spec/rules/0/http/paths/0/backend/service/port/number', value: 80 }],
      },
      setHeaderOptions('Content-Type', PatchStrategy.JsonPatch),
    );
    await waitFor('port 80 again', () => item(view.tree, rulePath)?.description === 'Prefix → web:80');
  });

  test('a NodePort Service with externalTrafficPolicy Local: its node port, the node that answers, the policy explained', async () => {
    const context = 'kubereach-sandbox';
    const node = fixture.sandbox.cluster.nodes[0]!;
    await core().createNamespacedService({
      namespace: 'web',
      body: {
        metadata: { name: 'web-np' },
        spec: {
          type: 'NodePort',
          externalTrafficPolicy: 'Local',
          selector: { app: 'web' },
          ports: [{ name: 'http', port: 80, targetPort: 'http' }],
        },
      },
    });
    try {
      const path = [context, 'web', 'Services', 'web-np'];
      const shown = await waitFor('the Service with its endpoints', () => {
        const found = item(view.tree, path);
        return /\*\*Endpoints:\*\* 2 endpoints: 2 ready/.test(tooltipText(found)) ? found : undefined;
      });
      const nodePort = (await core().readNamespacedService({ namespace: 'web', name: 'web-np' })).spec!
        .ports![0]!.nodePort!;
      assert.match(shown.description ?? '', new RegExp(`^NodePort · [\\d.]+ · 80:${nodePort}→http/TCP$`));
      assert.equal(shown.contextValue, 'service.nodePort');
      const tooltip = tooltipText(shown);
      assert.ok(
        tooltip.includes(
          `**Node ports:** ${nodePort}/TCP on the nodes that run a ready endpoint: \`${node.name}\``,
        ),
        tooltip,
      );
      assert.match(tooltip, /`externalTrafficPolicy: Local`: only nodes that run a ready endpoint answer/);
    } finally {
      await core().deleteNamespacedService({ namespace: 'web', name: 'web-np' });
    }
  });

  test('Show YAML, Copy Name and Copy IP on an Ingress and a Node', async () => {
    const context = 'kubereach-sandbox';
    const node = fixture.sandbox.cluster.nodes[0]!;
    const documents = new LiveObjectDocuments(view.session, objectYaml);
    try {
      const ingressYaml = await documents.provideTextDocumentContent(
        objectUri('Ingress', 'web', 'shop') as never,
      );
      assert.match(
        ingressYaml,
        /^# Live Ingress web\/shop from context kubereach-sandbox, as the API server holds it/,
      );
      assert.match(ingressYaml, /\napiVersion: networking\.k8s\.io\/v1\nkind: Ingress\n/);
      assert.match(ingressYaml, /host: shop\.example\.com/);
      const nodeYaml = await documents.provideTextDocumentContent(
        clusterObjectUri('Node', node.name) as never,
      );
      assert.match(nodeYaml, new RegExp(`^# Live Node ${node.name} from context`));
      assert.match(nodeYaml, /\napiVersion: v1\nkind: Node\n/);
      assert.ok(nodeYaml.includes(`address: ${node.ip}`), nodeYaml);
      assert.match(
        await documents.provideTextDocumentContent(clusterObjectUri('Node', 'nope') as never),
        /^# Node nope does not exist/,
      );
      // A Pod in full, though the cache keeps it slimmed: env names and volumes, values redacted.
      await core().createNamespacedPod({
        namespace: 'web',
        body: {
          metadata: {
            name: 'yaml-pod',
            annotations: { 'kubectl.kubernetes.io/last-applied-configuration': '{}' },
          },
          spec: {
            containers: [
              {
                name: 'c',
                image: 'registry.example/echo:1.0',
                env: [{ name: 'API_TOKEN', value: 's3cr3t' }],
              },
            ],
            volumes: [{ name: 'scratch', emptyDir: {} }],
          },
        },
      });
      try {
        await waitFor('the Pod cached', () => view.session.cache?.pod('web', 'yaml-pod'));
        const podYaml = await documents.provideTextDocumentContent(
          objectUri('Pod', 'web', 'yaml-pod') as never,
        );
        assert.match(
          podYaml,
          /^# Live Pod web\/yaml-pod from context kubereach-sandbox, as the API server holds it/,
        );
        assert.match(podYaml, /kubectl\.kubernetes\.io\/last-applied-configuration/);
        assert.match(podYaml, /name: API_TOKEN/);
        assert.match(podYaml, /name: scratch/);
        assert.ok(!podYaml.includes('s3cr3t'), podYaml);
        assert.doesNotMatch(podYaml, /^\s*managedFields:/m);
      } finally {
        await core().deleteNamespacedPod({ namespace: 'web', name: 'yaml-pod', gracePeriodSeconds: 0 });
      }
    } finally {
      documents.dispose();
    }

    const copied: string[] = [];
    const clipboard = api.env as { clipboard: { writeText: (text: string) => Promise<void> } };
    clipboard.clipboard.writeText = async (text) => void copied.push(text);
    const kubeReach = { session: Promise.resolve(view.session) } as never;
    const ingressNode = find(view.tree, [context, 'web', 'Ingresses', 'shop'])!;
    const nodeNode = find(view.tree, [context, 'Nodes', node.name])!;
    await EXPLORER_COMMANDS['kubereach.copyName']!(kubeReach, ingressNode);
    await EXPLORER_COMMANDS['kubereach.copyIP']!(kubeReach, ingressNode);
    await EXPLORER_COMMANDS['kubereach.copyName']!(kubeReach, nodeNode);
    await EXPLORER_COMMANDS['kubereach.copyIP']!(kubeReach, nodeNode);
    assert.deepEqual(copied, ['shop', '127.0.0.99', node.name, node.ip]);

    // From the palette: the picker offers Ingresses and Nodes too.
    const window = api.window as { showQuickPick?: unknown };
    const offered: Array<{ label: string; description: string; detail?: string }> = [];
    window.showQuickPick = async (items: Array<{ label: string; description: string; detail?: string }>) => {
      offered.push(...items);
      return items.find((entry) => entry.description === 'Node');
    };
    const withTree = { session: Promise.resolve(view.session), explorer: view.tree } as never;
    await EXPLORER_COMMANDS['kubereach.copyIP']!(withTree);
    assert.equal(copied.at(-1), node.ip);
    assert.ok(
      offered.some(
        (entry) =>
          entry.label === '$(globe) shop' &&
          entry.description === 'Ingress · web' &&
          entry.detail === 'shop.example.com · 127.0.0.99',
      ),
      JSON.stringify(offered),
    );
    delete window.showQuickPick;
  });

  test('1,000 Pod updates in about a second produce at most 10 tree events', async () => {
    const start = view.events();
    const names = pods().filter((name) => name.startsWith('web-'));
    for (let i = 0; i < 1000; i++) {
      fixture.sandbox.faults.setPodReady('web', names[i % names.length]!, i % 2 === 1);
      if (i % 100 === 99) {
        await new Promise((resolve) => setTimeout(resolve, 90));
      }
    }
    await waitFor(
      'the last state shown',
      () => item(view.tree, ['kubereach-sandbox', 'web', 'Pods', names[1]!])?.iconPath?.id === 'pass-filled',
    );
    await new Promise((resolve) => setTimeout(resolve, 300));
    const events = view.events() - start;
    assert.ok(events >= 1 && events <= 10, `${events} tree events`);
  });
});

describe('explorer access and kubeconfig errors', () => {
  const fixture = useSandbox({ scenario: 'minimal' });
  const dir = mkdtempSync(join(tmpdir(), 'kubereach-explorer-'));
  after(() => rmSync(dir, { recursive: true, force: true }));

  test('a 403 on the namespace list falls back to the context namespace and says so', async () => {
    const path = fixture.sandbox.kubeconfigFor('restricted');
    const text = readFileSync(path, 'utf8').replace(/namespace: default/g, 'namespace: web');
    writeFileSync(join(dir, 'restricted'), text);
    const view = openSession(join(dir, 'restricted'));
    try {
      await waitFor('the fallback notice', () =>
        labels(view.tree, ['kubereach-sandbox']).includes('Showing the context namespace only'),
      );
      await waitFor(
        'the web Pods',
        () => labels(view.tree, ['kubereach-sandbox', 'web', 'Pods']).length === 3,
      );
    } finally {
      view.session.dispose();
    }
  });

  test('a namespace the identity may not read says "no access", never "0 pods"', async () => {
    const view = openSession(fixture.sandbox.kubeconfigFor('web-reader'));
    try {
      const context = 'kubereach-sandbox';
      await waitFor(
        'the default namespace settles',
        () => item(view.tree, [context, 'default'])?.description === 'no access',
      );
      const namespace = item(view.tree, [context, 'default'])!;
      assert.equal(namespace.iconPath?.id, 'lock');
      assert.doesNotMatch(JSON.stringify(namespace), /0 pods|0 services/);
      const [forbidden] = view.tree.getChildren(find(view.tree, [context, 'default']));
      const node = view.tree.getTreeItem(forbidden!) as unknown as Item & { tooltip: string };
      assert.equal(node.label, 'Forbidden: no access to Pods or Services');
      assert.match(node.tooltip, /may not list Pods or Services in namespace default \(403\)/);
      assert.match(node.tooltip, /pods is forbidden: User "web-reader" cannot list resource "pods"/);
      assert.deepEqual(labels(view.tree, [context, 'default', node.label]), ['Retry now', 'Open Output']);

      // In `web` Pods and Services are readable, EndpointSlices are not: counts for the first two,
      // and the Service says its endpoints are unknown rather than "No ready endpoint".
      await waitFor(
        'the web counts',
        () => item(view.tree, [context, 'web'])!.description === '3 pods · 1 service',
      );
      assert.equal(labels(view.tree, [context, 'web', 'Pods']).length, 3);
      const service = view.tree.getChildren(find(view.tree, [context, 'web', 'Services']))[0]!;
      const endpoints = () =>
        view.tree
          .getChildren(service)
          .map((child) => (view.tree.getTreeItem(child) as unknown as Item).label);
      // The 403 on EndpointSlices may arrive after the Pods and Services are listed: "Loading…" until then.
      await waitFor('the EndpointSlices refused', () =>
        endpoints()[0] === 'Forbidden: no access to EndpointSlices' ? true : undefined,
      );
      assert.deepEqual(endpoints(), ['Forbidden: no access to EndpointSlices']);
      const serviceItem = view.tree.getTreeItem(service) as unknown as Item & { tooltip: { value: string } };
      assert.doesNotMatch(serviceItem.tooltip.value, /No ready endpoint/);
      assert.match(serviceItem.tooltip.value, /\*\*Endpoints:\*\* no access/);

      // Nodes and Ingresses may not be read either: "no access", never "0".
      await waitFor(
        'the Nodes refused',
        () => item(view.tree, [context, 'Nodes'])?.description === 'no access',
      );
      assert.deepEqual(labels(view.tree, [context, 'Nodes']), ['Forbidden: no access to Nodes']);
      const [nodesMessage] = view.tree.getChildren(find(view.tree, [context, 'Nodes']));
      assert.match(
        (view.tree.getTreeItem(nodesMessage!) as unknown as { tooltip: string }).tooltip,
        /may not list Nodes in the cluster \(403\)/,
      );
      await waitFor(
        'the Ingresses refused',
        () => item(view.tree, [context, 'web', 'Ingresses'])?.description === 'no access',
      );
      assert.deepEqual(labels(view.tree, [context, 'web', 'Ingresses']), [
        'Forbidden: no access to Ingresses',
      ]);
    } finally {
      view.session.dispose();
    }
  });

  test('two kubeconfig files with two contexts are merged; switching changes only the view', async () => {
    const original = readFileSync(fixture.sandbox.kubeconfigPath, 'utf8');
    const second = original
      .replace(/kubereach-sandbox/g, 'second-sandbox')
      .replace(/current-context: .*/, 'current-context: second-sandbox');
    writeFileSync(join(dir, 'first'), original);
    writeFileSync(join(dir, 'second'), second);
    const view = openSession(`${join(dir, 'first')}:${join(dir, 'second')}`);
    try {
      const contexts = labels(view.tree, []);
      assert.ok(
        contexts.includes('kubereach-sandbox') && contexts.includes('second-sandbox'),
        contexts.join(','),
      );
      assert.equal(view.session.context?.name, 'kubereach-sandbox', 'the first file sets current-context');
      view.session.switchContext('second-sandbox');
      assert.equal(view.session.context?.name, 'second-sandbox');
      assert.equal(readFileSync(join(dir, 'first'), 'utf8'), original, 'the kubeconfig is not written');
      await waitFor(
        'the second context lists Pods',
        () => labels(view.tree, ['second-sandbox', 'web', 'Pods']).length >= 3,
      );
    } finally {
      view.session.dispose();
    }
  });

  test('a context whose cluster the kubeconfig lacks: its error, and no Nodes group asking for nothing', () => {
    writeFileSync(
      join(dir, 'no-cluster'),
      [
        'apiVersion: v1',
        'kind: Config',
        'clusters: []',
        'users: [{name: u, user: {token: t}}]',
        'contexts: [{name: lonely, context: {cluster: gone, user: u}}]',
        'current-context: lonely',
        '',
      ].join('\n'),
    );
    const view = openSession(join(dir, 'no-cluster'));
    try {
      const children = labels(view.tree, ['lonely']);
      assert.ok(
        children.some((label) => /no cluster named gone/.test(label)),
        children.join(' | '),
      );
      assert.ok(!children.includes('Nodes'), children.join(' | '));
    } finally {
      view.session.dispose();
    }
  });

  test('a kubeconfig that does not parse gives a clear error node, not a crash', () => {
    writeFileSync(
      join(dir, 'broken'),
      'apiVersion: v1\nclusters:\n  - name: x\n   cluster: {server: https://127.0.0.1:1}\n',
    );
    const view = openSession(join(dir, 'broken'));
    try {
      const root = labels(view.tree, []);
      assert.deepEqual(root, ['The kubeconfig could not be read']);
      const node = view.tree.getChildren()[0]!;
      const detail = (view.tree.getTreeItem(node) as unknown as { tooltip: string }).tooltip;
      assert.match(detail, /broken/);
      assert.match(detail, /line \d+/);
      assert.deepEqual(
        view.tree.getChildren(node).map((child) => (view.tree.getTreeItem(child) as unknown as Item).label),
        ['Open kubeconfig', 'Open Output'],
      );
    } finally {
      view.session.dispose();
    }
  });
});
