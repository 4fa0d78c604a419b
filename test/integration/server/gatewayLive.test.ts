/**
 * An HTTPRoute against the live Gateway API of the sandbox's demo, through the real language server
 * (dist/server.js over stdio, its own cluster cache): a parentRef to a Gateway that does not exist
 * (KR6204, with "did you mean"), to a listener the live Gateway does not have (KR6205), hostnames no
 * live listener takes (KR6206), a listener that admits only its own namespace (KR6207), a Gateway
 * its controller reports not programmed (KR6208), a Gateway of a class no controller accepted
 * (KR6209), a cross-namespace backendRef no live ReferenceGrant allows (KR6210). The findings follow
 * the cluster: a Gateway created later clears KR6204 with no edit. The parentRef hover shows the
 * live Gateway's listeners. An identity refused the
 * cluster-wide ReferenceGrants gets no KR6210 (nothing said from what could not be read).
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { CustomObjectsApi } from '@kubernetes/client-node';
import { useSandbox } from '../../support/sandbox.ts';
import { LspClient, positionOf, textAt, uriOf } from './lspClient.ts';
import type { Diagnostic } from './lspClient.ts';

const GROUP = 'gateway.networking.k8s.io';

const ROUTE = `apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata:
  name: shopfront
  namespace: store
spec:
  parentRefs:
    - name: publc
      namespace: infra
    - name: public
      namespace: infra
      sectionName: https
    - name: public
      namespace: infra
      sectionName: internal
    - name: later
      namespace: infra
  hostnames: [store.example.com]
  rules:
    - backendRefs:
        - name: reporting
          namespace: analytics
          port: 80
        - name: metrics
          namespace: analytics
          port: 80
`;

const OWN_NAMESPACE = `apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata:
  name: elsewhere
  namespace: store
spec:
  parentRefs:
    - name: private
      namespace: infra
    - name: dark
      namespace: infra
    - name: classless
      namespace: infra
  rules:
    - backendRefs:
        - name: catalog
          port: 80
`;

const WRITTEN_GATEWAY = `apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata:
  name: internal
  namespace: infra
spec:
  gatewayClassName: sandbox
  listeners:
    - name: http
      protocol: HTTP
      port: 80
`;

function gateway(name: string, className: string, listener: Record<string, unknown>) {
  return {
    apiVersion: `${GROUP}/v1`,
    kind: 'Gateway',
    metadata: { name, namespace: 'infra' },
    spec: { gatewayClassName: className, listeners: [{ name: 'web', protocol: 'HTTP', ...listener }] },
  };
}

const byCode = (list: readonly Diagnostic[], code: string) => list.filter((d) => d.code === code);

describe('routes against the live Gateway API', () => {
  const fixture = useSandbox({ scenario: 'demo' });
  let client: LspClient;
  let workspace: string;

  before(async () => {
    workspace = mkdtempSync(join(tmpdir(), 'kubereach-gateway-live-'));
    client = await LspClient.start({
      workspace,
      env: { KUBECONFIG: fixture.sandbox.kubeconfigPath },
      settings: { clusterAware: true },
      initializationOptions: { workspaceTrusted: false },
    });
  });

  after(async () => {
    const code = await client.stop();
    rmSync(workspace, { recursive: true, force: true });
    assert.equal(code, 0);
  });

  test('a Gateway that does not exist, a listener it lacks, hostnames no listener takes, a ReferenceGrant missing; a Gateway created later clears its finding', async () => {
    const uri = uriOf(join(workspace, 'route.yaml'));
    await client.open(uri, ROUTE);
    const wanted = ['KR6204', 'KR6205', 'KR6206', 'KR6210'];
    const diagnostics = await client.diagnostics(
      uri,
      (list) => wanted.every((code) => list.some((d) => d.code === code)),
      { timeoutMs: 15_000 },
    );
    const missing = byCode(diagnostics, 'KR6204');
    assert.equal(missing.length, 2, JSON.stringify(missing));
    assert.equal(textAt(ROUTE, missing[0]!.range), 'publc');
    assert.match(
      missing[0]!.message,
      /^No Gateway infra\/publc in context kubereach-sandbox \(Gateways in namespace infra: public\)\. Did you mean "public"\?/,
    );
    assert.equal(textAt(ROUTE, missing[1]!.range), 'later');
    const [listener] = byCode(diagnostics, 'KR6205');
    assert.equal(textAt(ROUTE, listener!.range), 'https');
    assert.match(
      listener!.message,
      /Live Gateway infra\/public has no listener "https" \(its listeners: http \(HTTP 80\) and internal \(HTTP 8080\)\)/,
    );
    const [hostname] = byCode(diagnostics, 'KR6206');
    assert.equal(textAt(ROUTE, hostname!.range), '[store.example.com]');
    assert.match(hostname!.message, /store\.example\.com does not match \*\.internal\.example\.com/);
    const grants = byCode(diagnostics, 'KR6210');
    assert.equal(grants.length, 1, 'metrics is allowed by the demo ReferenceGrant; reporting is not');
    assert.equal(textAt(ROUTE, grants[0]!.range), 'analytics');
    assert.match(grants[0]!.message, /no ReferenceGrant in analytics allows HTTPRoutes from store/);

    // The parentRef's hover: the live Gateway's listeners, each attached or why not, with the
    // attached routes its controller counts.
    const hover = await client.hover(uri, positionOf(ROUTE, 'sectionName: internal', 2));
    assert.ok(hover);
    assert.match(
      hover.contents.value,
      /\*\*Cluster\*\* `kubereach-sandbox`: Gateway `infra\/public` live · attaches to 0 of 2 listeners \(Accepted False, NoMatchingListenerHostname\)/,
    );
    assert.match(
      hover.contents.value,
      /✗ `internal` \(HTTP 8080, \d+ attached routes per its controller\): /,
    );

    // The cluster changes, not the document: the Gateway named "later" appears.
    await fixture.kubeconfig.makeApiClient(CustomObjectsApi).createNamespacedCustomObject({
      group: GROUP,
      version: 'v1',
      namespace: 'infra',
      plural: 'gateways',
      body: gateway('later', 'sandbox', {
        port: 80,
        hostname: '*.example.com',
        allowedRoutes: { namespaces: { from: 'All' } },
      }),
    });
    const after = await client.diagnostics(uri, (list) => byCode(list, 'KR6204').length === 1, {
      timeoutMs: 15_000,
    });
    assert.equal(textAt(ROUTE, byCode(after, 'KR6204')[0]!.range), 'publc');
  });

  test('a listener for its own namespace only, a Gateway not programmed, a class no controller accepted', async () => {
    const custom = fixture.kubeconfig.makeApiClient(CustomObjectsApi);
    await custom.createNamespacedCustomObject({
      group: GROUP,
      version: 'v1',
      namespace: 'infra',
      plural: 'gateways',
      body: gateway('private', 'sandbox', { port: 81 }),
    });
    await custom.createNamespacedCustomObject({
      group: GROUP,
      version: 'v1',
      namespace: 'infra',
      plural: 'gateways',
      body: gateway('classless', 'nobody', { port: 82, allowedRoutes: { namespaces: { from: 'All' } } }),
    });
    // No address to hand out: the controller writes Programmed False on the Gateway.
    fixture.sandbox.faults.setLoadBalancerPool(false);
    try {
      await custom.createNamespacedCustomObject({
        group: GROUP,
        version: 'v1',
        namespace: 'infra',
        plural: 'gateways',
        body: gateway('dark', 'sandbox', { port: 83, allowedRoutes: { namespaces: { from: 'All' } } }),
      });
      const uri = uriOf(join(workspace, 'elsewhere.yaml'));
      await client.open(uri, OWN_NAMESPACE);
      const diagnostics = await client.diagnostics(
        uri,
        (list) => ['KR6207', 'KR6208', 'KR6209'].every((code) => list.some((d) => d.code === code)),
        { timeoutMs: 15_000 },
      );
      const [refused] = byCode(diagnostics, 'KR6207');
      assert.match(refused!.message, /own namespace infra only/);
      assert.match(refused!.message, /live Gateway infra\/private; Accepted False, NotAllowedByListeners/);
      const [dark] = byCode(diagnostics, 'KR6208');
      assert.match(
        dark!.message,
        /live Gateway infra\/dark \(web\), but its controller reports the Gateway is not programmed \(Programmed False, AddressNotAssigned/,
      );
      const [classless] = byCode(diagnostics, 'KR6209');
      assert.equal(textAt(OWN_NAMESPACE, classless!.range), 'classless');
      assert.match(
        classless!.message,
        /GatewayClass nobody, which does not exist in context kubereach-sandbox/,
      );
      assert.ok(!diagnostics.some((d) => d.code === 'KR6204'), JSON.stringify(diagnostics));
    } finally {
      fixture.sandbox.faults.setLoadBalancerPool(true);
    }
  });

  test('a parentRef Gateway and a backendRef ReferenceGrant judged by the workspace and the cluster together: one truthful finding', async () => {
    // The workspace writes a Gateway (so the workspace check of parentRefs, KR6101, speaks) but not
    // infra/public, which runs in the cluster; infra/nowhere is in neither. It writes a Service in
    // analytics (so KR6105 speaks there) and no ReferenceGrant: the demo's live one allows
    // store's HTTPRoutes to analytics/metrics, none allows analytics/reporting.
    const folder = mkdtempSync(join(tmpdir(), 'kubereach-gateway-parents-'));
    writeFileSync(join(folder, 'gateway.yaml'), WRITTEN_GATEWAY);
    writeFileSync(
      join(folder, 'analytics.yaml'),
      'apiVersion: v1\nkind: Service\nmetadata:\n  name: metrics\n  namespace: analytics\nspec:\n  ports: [{ port: 80 }]\n',
    );
    const route = (namespace: string) => `apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata:
  name: parents
  namespace: ${namespace}
spec:
  parentRefs:
    - name: public
      namespace: infra
    - name: nowhere
      namespace: infra
  rules:
    - backendRefs:
        - name: metrics
          namespace: analytics
          port: 80
        - name: reporting
          namespace: analytics
          port: 80
`;
    // One server per identity and setting, each opening the route and waiting for its findings.
    const findingsOf = async (
      kubeconfig: string,
      clusterAware: boolean,
      namespace: string,
      until: (list: readonly Diagnostic[]) => boolean,
    ) => {
      const client = await LspClient.start({
        workspace: folder,
        env: { KUBECONFIG: kubeconfig },
        settings: { clusterAware },
        initializationOptions: { workspaceTrusted: false },
      });
      try {
        const text = route(namespace);
        const uri = uriOf(join(folder, 'route.yaml'));
        await client.open(uri, text);
        const diagnostics = await client.diagnostics(uri, until, { timeoutMs: 15_000 });
        return (word: string) => diagnostics.filter((d) => textAt(text, d.range) === word);
      } finally {
        assert.equal(await client.stop(), 0);
      }
    };
    try {
      const admin = await findingsOf(
        fixture.sandbox.kubeconfigPath,
        true,
        'store',
        (list) => list.filter((d) => /none is in context kubereach-sandbox/.test(d.message)).length === 2,
      );
      // metrics is allowed by the live grant; reporting by none: one finding naming both sources.
      const grants = admin('analytics');
      assert.equal(grants.length, 1, JSON.stringify(grants));
      assert.equal(grants[0]!.code, 'KR6105');
      assert.equal(
        grants[0]!.message,
        'No ReferenceGrant in analytics allows HTTPRoutes from store to refer to Service reporting: none is written in the workspace, and none is in context kubereach-sandbox. The reference is refused (ResolvedRefs False, RefNotPermitted) and its requests get 500.',
      );
      assert.deepEqual(admin('public'), [], 'infra/public runs in the cluster');
      const nowhere = admin('nowhere');
      assert.equal(nowhere.length, 1, JSON.stringify(nowhere));
      assert.equal(nowhere[0]!.code, 'KR6101');
      assert.match(
        nowhere[0]!.message,
        /^No Gateway infra\/nowhere: none is written in the workspace \(Gateways there: infra\/internal\), and none is in context kubereach-sandbox \(Gateways in namespace infra: [^)]*public[^)]*\)\. No Gateway serves this route through this parentRef\.$/,
      );

      // No cluster read: the workspace's wording; an identity that may not read infra's Gateways:
      // that, not a guess either way. Both parentRefs alike.
      const offline = await findingsOf(
        fixture.sandbox.kubeconfigPath,
        false,
        'store',
        (list) => byCode(list, 'KR6101').length === 2 && byCode(list, 'KR6105').length === 2,
      );
      const viewer = await findingsOf(
        fixture.sandbox.kubeconfigFor('shop-viewer'),
        true,
        'shop',
        (list) =>
          list.filter((d) => /no access to Gateways \(403\)/.test(d.message)).length === 2 &&
          list.filter((d) => /no access to ReferenceGrants \(403\)/.test(d.message)).length === 2,
      );
      // Both backendRefs: the workspace's wording offline; not known to the viewer.
      assert.deepEqual(
        [...offline('analytics'), ...viewer('analytics')].map((d) => d.code),
        ['KR6105', 'KR6105', 'KR6105', 'KR6105'],
      );
      assert.ok(
        offline('analytics').every((d) => / in the workspace: the reference is refused/.test(d.message)),
      );
      assert.ok(
        viewer('analytics').every((d) =>
          /in the workspace; whether context kubereach-sandbox has one is not known \(no access to ReferenceGrants \(403\)/.test(
            d.message,
          ),
        ),
      );
      for (const word of ['public', 'nowhere']) {
        for (const [found, wording] of [
          [offline(word), '\\. Unless it comes from elsewhere'],
          [
            viewer(word),
            '; whether context kubereach-sandbox has it is not known \\(no access to Gateways \\(403\\)',
          ],
        ] as const) {
          assert.equal(found.length, 1, JSON.stringify(found));
          assert.equal(found[0]!.code, 'KR6101');
          assert.match(
            found[0]!.message,
            new RegExp(
              `^No Gateway infra/${word} is written in the workspace \\(Gateways there: infra/internal\\)${wording}`,
            ),
          );
        }
      }
    } finally {
      rmSync(folder, { recursive: true, force: true });
    }
  });

  test('an identity refused the cluster-wide ReferenceGrants and GatewayClasses: no KR6210, no KR6209', async () => {
    const viewer = await LspClient.start({
      workspace,
      env: { KUBECONFIG: fixture.sandbox.kubeconfigFor('shop-viewer') },
      settings: { clusterAware: true },
      initializationOptions: { workspaceTrusted: false },
    });
    try {
      const text = `apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata:
  name: web
  namespace: shop
spec:
  parentRefs:
    - name: edge
  rules:
    - backendRefs:
        - name: db
          namespace: data
          port: 5432
`;
      const uri = uriOf(join(workspace, 'shop-route.yaml'));
      await viewer.open(uri, text);
      // shop's Gateways are readable (none is called edge): KR6204 shows the Gateways were read.
      const diagnostics = await viewer.diagnostics(uri, (list) => list.some((d) => d.code === 'KR6204'), {
        timeoutMs: 15_000,
      });
      assert.ok(
        !diagnostics.some((d) => d.code === 'KR6210' || d.code === 'KR6209'),
        JSON.stringify(diagnostics),
      );
    } finally {
      assert.equal(await viewer.stop(), 0);
    }
  });
});
