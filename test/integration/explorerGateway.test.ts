/**
 * The explorer's Gateway API items (issue 15) on the real tree provider and client-node, against
 * the sandbox: on the demo, Gateway infra/public with its two listeners and their attached routes,
 * HTTPRoute store/catalog warned about listener internal, store/reports with its RefNotPermitted
 * backend, and a change to an HTTPRoute shown live (the cache watches these kinds, no Refresh); on
 * the minimal scenario (no CRDs) no Gateway API groups at all (discovered, not assumed).
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { CustomObjectsApi, PatchStrategy, setHeaderOptions } from '@kubernetes/client-node';
import type { ExplorerNode } from '../../src/explorer/nodes.ts';
import { createVscodeStandIn, installVscodeStandInForEsm } from '../support/vscodeStandIn.ts';
import { createShopGatewayObjects } from '../support/gatewayShop.ts';
import { useSandbox, waitFor } from '../support/sandbox.ts';

const { api } = createVscodeStandIn();
installVscodeStandInForEsm(api);
const { ClusterTreeProvider } = await import('../../src/explorer/tree.ts');
const { ClusterSession } = await import('../../src/cluster/session.ts');
const { LiveObjectDocuments, gatewayObjectUri } = await import('../../src/explorer/yamlDocuments.ts');
const { EXPLORER_COMMANDS } = await import('../../src/explorer/commands.ts');
const { objectYaml } = await import('../../src/cluster/objectYaml.ts');
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

function openTree(kubeconfigPath: string) {
  const values = new Map<string, unknown>();
  const session = new ClusterSession({
    settings: () => ({ kubeconfigSetting: undefined, trusted: true }),
    memory: { get: (key) => values.get(key), set: (key, value) => void values.set(key, value) },
    env: { KUBECONFIG: kubeconfigPath },
  });
  const tree = new ClusterTreeProvider(session);
  return { session, tree };
}

function find(tree: Tree, path: string[]): ExplorerNode | undefined {
  let nodes = tree.getChildren();
  let found: ExplorerNode | undefined;
  for (const label of path) {
    found = nodes.find((node) => (tree.getTreeItem(node) as unknown as Item).label === label);
    if (!found) {
      return undefined;
    }
    nodes = tree.getChildren(found);
  }
  return found;
}

const labels = (tree: Tree, path: string[]) => {
  const node = find(tree, path);
  return node ? tree.getChildren(node).map((c) => (tree.getTreeItem(c) as unknown as Item).label) : [];
};
const item = (tree: Tree, path: string[]) => {
  const node = find(tree, path);
  return node ? (tree.getTreeItem(node) as unknown as Item) : undefined;
};

const CTX = 'kubereach-sandbox';

describe('explorer: Gateway API items on the demo', () => {
  const fixture = useSandbox({ scenario: 'demo' });
  let view: ReturnType<typeof openTree>;
  before(() => {
    view = openTree(fixture.sandbox.kubeconfigPath);
  });
  after(() => view.session.dispose());

  test('the infra namespace shows Gateways and HTTPRoutes groups after discovery', async () => {
    await waitFor('the infra namespace', () => labels(view.tree, [CTX]).includes('infra'));
    await waitFor('the Gateway API groups', () => labels(view.tree, [CTX, 'infra']).includes('Gateways'));
    assert.deepEqual(labels(view.tree, [CTX, 'infra']), [
      'Pods',
      'Services',
      'Ingresses',
      'Gateways',
      'HTTPRoutes',
    ]);
  });

  test('Gateway infra/public: its two listeners with their attached routes', async () => {
    // The controller writes status asynchronously; the watch brings it in (no Refresh).
    await waitFor('attachedRoutes written on both listeners', () => {
      const listeners = labels(view.tree, [CTX, 'infra', 'Gateways', 'public']);
      const internal = item(view.tree, [CTX, 'infra', 'Gateways', 'public', 'internal']);
      return listeners.length === 2 && /\d+ routes?$/.test(internal?.description ?? '');
    });
    const gateway = item(view.tree, [CTX, 'infra', 'Gateways', 'public'])!;
    assert.equal(gateway.contextValue, 'gateway');
    assert.match(gateway.description ?? '', /^sandbox · http:80, internal:8080 · 127\./);
    assert.match(tooltipText(gateway), /\*\*Listeners\*\*/);
    const http = item(view.tree, [CTX, 'infra', 'Gateways', 'public', 'http'])!;
    assert.match(http.description ?? '', /^HTTP 80 · \*\.example\.com · 2 routes$/);
    const internal = item(view.tree, [CTX, 'infra', 'Gateways', 'public', 'internal'])!;
    assert.match(internal.description ?? '', /^HTTP 8080 · \*\.internal\.example\.com · 0 routes$/);
  });

  test('HTTPRoute store/catalog: the warning about listener internal; rules and weights', async () => {
    await waitFor('the store routes', () => labels(view.tree, [CTX, 'store', 'HTTPRoutes']).length === 2);
    assert.deepEqual(labels(view.tree, [CTX, 'store', 'HTTPRoutes']), ['catalog', 'reports']);
    const catalog = item(view.tree, [CTX, 'store', 'HTTPRoutes', 'catalog'])!;
    assert.equal(catalog.contextValue, 'httpRoute');
    assert.equal(catalog.iconPath?.id, 'warning');
    assert.equal(catalog.description, 'store.example.com · → infra/public#http, infra/public#internal');
    assert.match(
      tooltipText(catalog),
      /not attached to listener internal of Gateway infra\/public: hostname store\.example\.com does not match \\\*\.internal\.example\.com/,
    );
    assert.deepEqual(labels(view.tree, [CTX, 'store', 'HTTPRoutes', 'catalog']), [
      'PathPrefix /api',
      'PathPrefix /metrics',
      'PathPrefix /',
    ]);
    const rule = [CTX, 'store', 'HTTPRoutes', 'catalog', 'PathPrefix /api'];
    assert.deepEqual(labels(view.tree, rule), ['catalog:80', 'catalog-canary:80']);
    assert.equal(item(view.tree, [...rule, 'catalog:80'])?.description, 'weight 90 · 90%');
    assert.equal(item(view.tree, [...rule, 'catalog-canary:80'])?.description, 'weight 10 · 10%');
  });

  test('HTTPRoute store/reports: RefNotPermitted on its backend', async () => {
    // Only once the ReferenceGrants are listed: before, their absence proves nothing.
    await waitFor('the ReferenceGrants read', () =>
      /RefNotPermitted/.test(tooltipText(item(view.tree, [CTX, 'store', 'HTTPRoutes', 'reports']))),
    );
    const reports = item(view.tree, [CTX, 'store', 'HTTPRoutes', 'reports'])!;
    assert.equal(reports.iconPath?.id, 'warning');
    assert.match(tooltipText(reports), /RefNotPermitted/);
    const backend = item(view.tree, [
      CTX,
      'store',
      'HTTPRoutes',
      'reports',
      'PathPrefix /',
      'analytics/reporting:80',
    ])!;
    assert.equal(backend.iconPath?.id, 'warning');
    assert.match(tooltipText(backend), /no ReferenceGrant in analytics/);
  });

  test('GatewayClasses under the context: controller, Accepted in words, the Gateways using each; a Gateway of a refused or missing class says so', async () => {
    const children = labels(view.tree, [CTX]);
    assert.ok(children.indexOf('GatewayClasses') === children.indexOf('Nodes') + 1, children.join());
    await waitFor('class sandbox accepted and used', () =>
      /^sandbox\.kubereach\.dev\/gateway-controller · accepted · \d+ Gateways?$/.test(
        item(view.tree, [CTX, 'GatewayClasses', 'sandbox'])?.description ?? '',
      ),
    );
    const sandbox = item(view.tree, [CTX, 'GatewayClasses', 'sandbox'])!;
    assert.equal(sandbox.contextValue, 'gatewayClass');
    assert.match(
      tooltipText(sandbox),
      /\*\*Accepted:\*\* accepted by controller `sandbox\.kubereach\.dev\/gateway-controller`/,
    );
    assert.match(
      tooltipText(sandbox),
      /\*\*Gateways using it\*\* \(in the watched namespaces\): .*`infra\/public`/,
    );
    assert.match(
      tooltipText(item(view.tree, [CTX, 'infra', 'Gateways', 'public'])),
      /\*\*Class:\*\* `sandbox`, accepted by controller/,
    );

    // A class no controller claims, one its controller refused (we write its status as that
    // controller would), and Gateways of each and of a class that does not exist.
    const custom = fixture.kubeconfig.makeApiClient(CustomObjectsApi);
    const group = 'gateway.networking.k8s.io';
    for (const [name, controllerName] of [
      ['unclaimed', 'example.com/nobody'],
      ['refused', 'example.com/strict'],
    ]) {
      await custom.createClusterCustomObject({
        group,
        version: 'v1',
        plural: 'gatewayclasses',
        body: {
          apiVersion: `${group}/v1`,
          kind: 'GatewayClass',
          metadata: { name },
          spec: { controllerName },
        },
      });
    }
    await custom.patchClusterCustomObjectStatus(
      {
        group,
        version: 'v1',
        plural: 'gatewayclasses',
        name: 'refused',
        body: {
          status: {
            conditions: [
              {
                type: 'Accepted',
                status: 'False',
                reason: 'InvalidParameters',
                message: 'parametersRef is required',
                lastTransitionTime: new Date().toISOString(),
              },
            ],
          },
        },
      },
      setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
    );
    for (const [name, className] of [
      ['strict', 'refused'],
      ['orphan', 'missing'],
    ]) {
      await custom.createNamespacedCustomObject({
        group,
        version: 'v1',
        namespace: 'infra',
        plural: 'gateways',
        body: {
          apiVersion: `${group}/v1`,
          kind: 'Gateway',
          metadata: { name, namespace: 'infra' },
          spec: { gatewayClassName: className, listeners: [{ name: 'web', protocol: 'HTTP', port: 90 }] },
        },
      });
    }
    await waitFor(
      'the refused class and its Gateway',
      () =>
        /· not accepted · 1 Gateway$/.test(
          item(view.tree, [CTX, 'GatewayClasses', 'refused'])?.description ?? '',
        ) && labels(view.tree, [CTX, 'infra', 'Gateways']).includes('orphan'),
    );
    const refused = item(view.tree, [CTX, 'GatewayClasses', 'refused'])!;
    assert.equal(refused.iconPath?.id, 'warning');
    assert.match(
      tooltipText(refused),
      /not accepted by controller `example\.com\/strict` \(Accepted False, InvalidParameters: parametersRef is required\): its Gateways are not served/,
    );
    assert.match(tooltipText(refused), /`infra\/strict`/);
    const unclaimed = item(view.tree, [CTX, 'GatewayClasses', 'unclaimed'])!;
    assert.equal(unclaimed.description, 'example.com/nobody · not accepted yet · 0 Gateways');
    assert.match(tooltipText(unclaimed), /no controller named `example\.com\/nobody` has written its status/);
    assert.match(tooltipText(unclaimed), /\*\*Gateways using it:\*\* none in the watched namespaces/);

    const strict = item(view.tree, [CTX, 'infra', 'Gateways', 'strict'])!;
    assert.equal(strict.iconPath?.id, 'warning');
    assert.match(
      tooltipText(strict),
      /GatewayClass refused was not accepted by its controller \(Accepted False, InvalidParameters: parametersRef is required\): no controller serves this Gateway/,
    );
    const orphan = item(view.tree, [CTX, 'infra', 'Gateways', 'orphan'])!;
    assert.equal(orphan.iconPath?.id, 'warning');
    assert.match(
      tooltipText(orphan),
      /GatewayClass missing does not exist: no controller serves this Gateway/,
    );

    // Show YAML and Copy Name on a class.
    const opened: string[] = [];
    const workspace = api.workspace as { openTextDocument?: unknown };
    const window = api.window as { showTextDocument?: unknown };
    workspace.openTextDocument = async (uri: { path: string }) => {
      opened.push(uri.path);
      return { uri };
    };
    window.showTextDocument = async () => undefined;
    const copied: string[] = [];
    const clipboard = api.env as { clipboard: { writeText: (text: string) => Promise<void> } };
    clipboard.clipboard.writeText = async (text) => void copied.push(text);
    try {
      const kubeReach = { session: Promise.resolve(view.session) } as never;
      const node = find(view.tree, [CTX, 'GatewayClasses', 'refused']);
      await EXPLORER_COMMANDS['kubereach.showYaml']!(kubeReach, node);
      await EXPLORER_COMMANDS['kubereach.copyName']!(kubeReach, node);
    } finally {
      delete workspace.openTextDocument;
      delete window.showTextDocument;
    }
    assert.deepEqual(opened, ['/GatewayClass/refused.yaml']);
    assert.deepEqual(copied, ['refused']);
    assert.equal(
      view.tree.getParent(find(view.tree, [CTX, 'GatewayClasses', 'refused'])!),
      find(view.tree, [CTX, 'GatewayClasses']),
    );
  });
});

describe('explorer: Show YAML and Copy IP on Gateway API items', () => {
  const fixture = useSandbox({ scenario: 'demo' });
  let view: ReturnType<typeof openTree>;
  before(() => {
    view = openTree(fixture.sandbox.kubeconfigPath);
  });
  after(() => view.session.dispose());

  test('a Gateway, a listener, an HTTPRoute and its rule open their object live; Copy IP copies the address', async () => {
    await waitFor(
      'the catalog rules',
      () => labels(view.tree, [CTX, 'store', 'HTTPRoutes', 'catalog']).length === 3,
    );
    await waitFor(
      'the listeners',
      () => labels(view.tree, [CTX, 'infra', 'Gateways', 'public']).length === 2,
    );
    const documents = new LiveObjectDocuments(view.session, objectYaml);
    const workspace = api.workspace as { openTextDocument?: unknown };
    const window = api.window as { showTextDocument?: unknown };
    const opened: string[] = [];
    workspace.openTextDocument = async (uri: { path: string }) => {
      opened.push(uri.path);
      return { uri };
    };
    window.showTextDocument = async () => undefined;
    try {
      const kubeReach = { session: Promise.resolve(view.session) } as never;
      for (const path of [
        [CTX, 'infra', 'Gateways', 'public'],
        [CTX, 'infra', 'Gateways', 'public', 'internal'],
        [CTX, 'store', 'HTTPRoutes', 'catalog'],
        [CTX, 'store', 'HTTPRoutes', 'catalog', 'PathPrefix /api'],
        [CTX, 'store', 'HTTPRoutes', 'catalog', 'PathPrefix /api', 'catalog:80'],
        [CTX, 'store', 'HTTPRoutes'],
      ]) {
        await EXPLORER_COMMANDS['kubereach.showYaml']!(kubeReach, find(view.tree, path));
      }
      assert.deepEqual(opened, [
        '/infra/Gateway/public.yaml',
        '/infra/Gateway/public.yaml',
        '/store/HTTPRoute/catalog.yaml',
        '/store/HTTPRoute/catalog.yaml',
        '/store/HTTPRoute/catalog.yaml',
      ]);

      const gatewayYaml = await documents.provideTextDocumentContent(
        gatewayObjectUri('Gateway', 'infra', 'public') as never,
      );
      assert.match(
        gatewayYaml,
        /^# Live Gateway infra\/public from context kubereach-sandbox, as the API server holds it/,
      );
      assert.match(gatewayYaml, /\napiVersion: gateway\.networking\.k8s\.io\/v1\nkind: Gateway\n/);
      assert.match(
        gatewayYaml,
        /hostname: "\*\.internal\.example\.com"|hostname: '\*\.internal\.example\.com'/,
      );
      assert.match(gatewayYaml, /attachedRoutes: \d/, 'the status the controller wrote');
      const routeYaml = await documents.provideTextDocumentContent(
        gatewayObjectUri('HTTPRoute', 'store', 'catalog') as never,
      );
      assert.match(routeYaml, /\nkind: HTTPRoute\n/);
      assert.match(routeYaml, /weight: 90/);
      assert.match(
        await documents.provideTextDocumentContent(gatewayObjectUri('HTTPRoute', 'store', 'nope') as never),
        /^# HTTPRoute store\/nope does not exist/,
      );

      // The document follows the object: a patch re-renders it (the cache's gatewayApi change).
      const changed: string[] = [];
      const subscription = documents.onDidChange((uri) => changed.push(uri.path));
      const custom = fixture.kubeconfig.makeApiClient(CustomObjectsApi);
      await custom.patchNamespacedCustomObject(
        {
          group: 'gateway.networking.k8s.io',
          version: 'v1',
          namespace: 'store',
          plural: 'httproutes',
          name: 'catalog',
          body: [{ op: 'replace', path: '/spec/rules/0/backendRefs/0/weight', value: 80 }],
        },
        setHeaderOptions('Content-Type', PatchStrategy.JsonPatch),
      );
      await waitFor('the document announced as changed', () =>
        changed.includes('/store/HTTPRoute/catalog.yaml'),
      );
      subscription.dispose();
      assert.match(
        await documents.provideTextDocumentContent(
          gatewayObjectUri('HTTPRoute', 'store', 'catalog') as never,
        ),
        /weight: 80/,
      );
    } finally {
      documents.dispose();
      delete workspace.openTextDocument;
      delete window.showTextDocument;
    }

    const copied: string[] = [];
    const clipboard = api.env as { clipboard: { writeText: (text: string) => Promise<void> } };
    clipboard.clipboard.writeText = async (text) => void copied.push(text);
    const kubeReach = { session: Promise.resolve(view.session) } as never;
    await waitFor('the Gateway has an address', () =>
      /127\./.test(item(view.tree, [CTX, 'infra', 'Gateways', 'public'])?.description ?? ''),
    );
    await EXPLORER_COMMANDS['kubereach.copyIP']!(
      kubeReach,
      find(view.tree, [CTX, 'infra', 'Gateways', 'public']),
    );
    await EXPLORER_COMMANDS['kubereach.copyName']!(
      kubeReach,
      find(view.tree, [CTX, 'infra', 'Gateways', 'public']),
    );
    assert.match(copied[0] ?? '', /^127\.\d+\.\d+\.\d+$/);
    assert.equal(copied[1], 'public');
  });
});

describe('explorer: Gateway API items of an identity refused the cluster-wide lists', () => {
  const fixture = useSandbox({ scenario: 'demo' });
  let view: ReturnType<typeof openTree>;
  before(async () => {
    await createShopGatewayObjects(fixture.kubeconfig);
    view = openTree(fixture.sandbox.kubeconfigFor('shop-viewer'));
  });
  after(() => view.session.dispose());

  test("shop's Gateway and HTTPRoute show; a 403 on GatewayClasses and ReferenceGrants is said, never warned from", async () => {
    await waitFor('the shop namespace', () => labels(view.tree, [CTX]).includes('shop'));
    view.session.setSelectedNamespaces(['shop']);
    await waitFor('the HTTPRoutes of shop', () =>
      labels(view.tree, [CTX, 'shop', 'HTTPRoutes']).includes('web'),
    );
    await waitFor('the Gateways of shop', () =>
      labels(view.tree, [CTX, 'shop', 'Gateways']).includes('edge'),
    );
    assert.equal(item(view.tree, [CTX, 'shop', 'Gateways'])?.description, '1');
    // GRPCRoutes are listed apart from HTTPRoutes: "GRPCRoutes: loading…" until theirs answers.
    await waitFor(
      'both route kinds read',
      () => item(view.tree, [CTX, 'shop', 'HTTPRoutes'])?.description === '1',
    );
    // The cluster-wide lists answer 403 to this identity: the items say what is not known.
    await waitFor('the GatewayClasses refused', () =>
      /GatewayClasses could not be read \(no access\)/.test(
        tooltipText(item(view.tree, [CTX, 'shop', 'Gateways', 'edge'])),
      ),
    );
    const gateway = item(view.tree, [CTX, 'shop', 'Gateways', 'edge'])!;
    assert.doesNotMatch(tooltipText(gateway), /does not exist/);
    assert.notEqual(gateway.iconPath?.id, 'warning');
    await waitFor('the ReferenceGrants refused', () =>
      /ReferenceGrants could not be read \(no access\)/.test(
        tooltipText(item(view.tree, [CTX, 'shop', 'HTTPRoutes', 'web'])),
      ),
    );
    const route = item(view.tree, [CTX, 'shop', 'HTTPRoutes', 'web'])!;
    assert.doesNotMatch(
      tooltipText(route),
      /RefNotPermitted/,
      'a grant it cannot read is not a grant missing',
    );
    assert.match(tooltipText(route), /whether a ReferenceGrant allows `data\/db:5432`/);
    // Namespace data is not in view: its Services are not read, so db is not known to be missing.
    assert.match(
      tooltipText(route),
      /the Services of namespace `data` are not read \(not loaded: its namespace is not in view\): whether `data\/db:5432` exists/,
    );
    assert.doesNotMatch(tooltipText(route), /BackendNotFound/);
    assert.notEqual(route.iconPath?.id, 'warning');
    const backend = item(view.tree, [CTX, 'shop', 'HTTPRoutes', 'web', 'PathPrefix /', 'data/db:5432']);
    assert.match(tooltipText(backend), /ReferenceGrants could not be read/);

    // The GatewayClasses group says it may not read them, and shows no class.
    assert.equal(item(view.tree, [CTX, 'GatewayClasses'])?.description, 'no access');
    const [refusedList] = labels(view.tree, [CTX, 'GatewayClasses']);
    assert.match(refusedList ?? '', /no access/i);
  });
});

describe('explorer: Gateway API items follow the cluster live', () => {
  const fixture = useSandbox({ scenario: 'demo' });
  let view: ReturnType<typeof openTree>;
  before(() => {
    view = openTree(fixture.sandbox.kubeconfigPath);
  });
  after(() => view.session.dispose());

  test("patching an HTTPRoute's weight and hostnames changes its items without Refresh", async () => {
    const rule = [CTX, 'store', 'HTTPRoutes', 'catalog', 'PathPrefix /api'];
    await waitFor(
      'the catalog weights',
      () => item(view.tree, [...rule, 'catalog:80'])?.description === 'weight 90 · 90%',
    );
    const fired: unknown[] = [];
    const subscription = view.tree.onDidChangeTreeData((event) => fired.push(event));
    const custom = fixture.kubeconfig.makeApiClient(CustomObjectsApi);
    await custom.patchNamespacedCustomObject(
      {
        group: 'gateway.networking.k8s.io',
        version: 'v1',
        namespace: 'store',
        plural: 'httproutes',
        name: 'catalog',
        body: [
          { op: 'replace', path: '/spec/rules/0/backendRefs/0/weight', value: 70 },
          { op: 'replace', path: '/spec/rules/0/backendRefs/1/weight', value: 30 },
          { op: 'replace', path: '/spec/hostnames', value: ['shop.example.com'] },
        ],
      },
      setHeaderOptions('Content-Type', PatchStrategy.JsonPatch),
    );
    await waitFor(
      'the new weight in the tree',
      () => item(view.tree, [...rule, 'catalog:80'])?.description === 'weight 70 · 70%',
      10_000,
    );
    subscription.dispose();
    assert.ok(fired.length > 0, 'the tree announced the change itself');
    assert.equal(item(view.tree, [...rule, 'catalog-canary:80'])?.description, 'weight 30 · 30%');
    assert.match(
      item(view.tree, [CTX, 'store', 'HTTPRoutes', 'catalog'])?.description ?? '',
      /^shop\.example\.com · /,
    );
  });
});

describe('explorer: no Gateway API groups where the cluster does not serve it', () => {
  const fixture = useSandbox({ scenario: 'minimal' });
  let view: ReturnType<typeof openTree>;
  before(() => {
    view = openTree(fixture.sandbox.kubeconfigPath);
  });
  after(() => view.session.dispose());

  test('the groups show loading while discovery runs, then are gone', async () => {
    await waitFor('the web namespace', () => labels(view.tree, [CTX]).includes('web'));
    const first = labels(view.tree, [CTX, 'web']);
    // Before discovery answers the groups say so; once it says "not served", they go.
    if (first.includes('Gateways')) {
      const group = item(view.tree, [CTX, 'web', 'Gateways']);
      assert.ok(group?.description === 'loading…' || group === undefined, group?.description);
    }
    await waitFor('discovery answered', () => !labels(view.tree, [CTX, 'web']).includes('Gateways'));
    await waitFor('no GatewayClasses group', () => !labels(view.tree, [CTX]).includes('GatewayClasses'));
    assert.deepEqual(labels(view.tree, [CTX, 'web']), ['Pods', 'Services', 'Ingresses']);
  });
});
