/**
 * The editor and the command line give the same findings for the same files: the real language
 * server (dist/server.js over stdio, a workspace folder, each manifest opened as an editor opens
 * it) against `kubereach check FOLDER -o json`, over the fixture workspace (kustomizations,
 * patches, several namespaces, invalid documents) and examples/ (disable comments); and with a
 * cluster, the server configured as the editor configures it (KUBECONFIG, kubereach.clusterAware)
 * against `kubereach check --cluster --kubeconfig …`, on the sandbox's demo scenario: the live
 * Pods (KR4xxx) and the live Gateway API (KR62xx) checks.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { after, describe, test } from 'node:test';
import { readGatewayApi } from '../../../src/diagnose/gatewayRead.ts';
import { useSandbox, waitFor } from '../../support/sandbox.ts';
import { copyFixtureWorkspace, LspClient, uriOf } from '../server/lspClient.ts';
import { root, runCli } from './run.ts';

const SEVERITIES = ['', 'error', 'warning', 'information', 'hint'];
const KUSTOMIZATION_NAMES = new Set(['kustomization.yaml', 'kustomization.yml', 'Kustomization']);

/** Every YAML file under a folder, as the workspace scan finds them (no hidden or dependency folders). */
function yamlFiles(folder: string): string[] {
  return readdirSync(folder, { recursive: true, encoding: 'utf8' })
    .filter((path) => /\.ya?ml$/.test(path) && !path.split('/').some((part) => part.startsWith('.')))
    .filter((path) => !KUSTOMIZATION_NAMES.has(path.split('/').at(-1)!))
    .map((path) => join(folder, path))
    .sort();
}

type Range = { start: { line: number; character: number }; end: { line: number; character: number } };

function key(
  path: string,
  d: { range: Range; code?: string | number; severity: string; message: string },
): string {
  const { start, end } = d.range;
  return `${path}:${start.line}:${start.character}-${end.line}:${end.character} ${d.severity} ${String(d.code)} ${d.message}`;
}

/** The server's findings: each file opened alone, once the workspace scan is complete. */
async function serverFindings(folder: string): Promise<string[]> {
  const client = await LspClient.start({ workspace: folder, settings: { clusterAware: false } });
  try {
    for (let i = 0; i < 400 && !(await client.status()).workspace.complete; i++) {
      await new Promise((done) => setTimeout(done, 25));
    }
    assert.ok((await client.status()).workspace.complete, 'the server scanned the workspace');
    const findings: string[] = [];
    for (const path of yamlFiles(folder)) {
      const uri = uriOf(path);
      await client.open(uri, readFileSync(path, 'utf8'));
      const diagnostics = await client.diagnostics(uri, () => true, { version: 1, timeoutMs: 20_000 });
      findings.push(
        ...diagnostics.map((d) =>
          key(relative(folder, path), { ...d, severity: SEVERITIES[d.severity ?? 1]! }),
        ),
      );
      await client.close(uri);
    }
    return findings.sort();
  } finally {
    assert.equal(await client.stop(), 0);
  }
}

async function cliFindings(folder: string, cluster?: { kubeconfig: string }): Promise<string[]> {
  const result = await runCli(
    [
      'check',
      '.',
      '-o',
      'json',
      '--fail-on',
      'none',
      ...(cluster === undefined ? [] : ['--cluster', '--kubeconfig', cluster.kubeconfig]),
    ],
    { cwd: folder },
  );
  assert.equal(result.status, 0, result.stderr);
  const output = JSON.parse(result.stdout) as {
    files: {
      path: string;
      diagnostics: { range: Range; code: string; severity: string; message: string }[];
    }[];
  };
  return output.files.flatMap((file) => file.diagnostics.map((d) => key(file.path, d))).sort();
}

describe('the language server and kubereach check agree', () => {
  const copies: string[] = [];
  after(() => {
    for (const copy of copies) {
      rmSync(copy, { recursive: true, force: true });
    }
  });

  test('on the fixture workspace', async () => {
    const folder = copyFixtureWorkspace();
    copies.push(folder);
    const fromServer = await serverFindings(folder);
    const fromCli = await cliFindings(folder);
    assert.ok(fromServer.length >= 20, `the fixture has findings to compare (${fromServer.length})`);
    assert.ok(
      fromServer.some((line) => / KR3\d{3} /.test(line)),
      'workspace findings among them',
    );
    assert.deepEqual(fromCli, fromServer);
  });

  test('on examples/, disable comments included', async () => {
    const folder = join(root, 'examples');
    const fromServer = await serverFindings(folder);
    const fromCli = await cliFindings(folder);
    assert.equal(fromServer.length, 3);
    assert.deepEqual(fromCli, fromServer);
  });
});

/** An HTTPRoute for the live Gateway checks: a Gateway missing, a listener missing, hostnames, a ReferenceGrant. */
const ROUTE = `apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata:
  name: storefront
  namespace: store
spec:
  hostnames: [shop.example.org]
  parentRefs:
    - { name: pubilc, namespace: infra }
    - { name: public, namespace: infra, sectionName: tls }
    - { name: public, namespace: infra, sectionName: http }
  rules:
    - matches: [{ path: { type: PathPrefix, value: /reports } }]
      backendRefs: [{ name: reporting, namespace: analytics, port: 80 }]
`;

describe('the language server and kubereach check --cluster agree (demo sandbox)', () => {
  const fixture = useSandbox({ scenario: 'demo' });
  const copies: string[] = [];
  after(() => {
    for (const copy of copies) {
      rmSync(copy, { recursive: true, force: true });
    }
  });

  test('on the fixture workspace and an HTTPRoute: the same cluster-aware findings', async () => {
    const folder = copyFixtureWorkspace();
    copies.push(folder);
    writeFileSync(join(folder, 'route.yaml'), ROUTE);
    // The demo's Gateway controller writes its status after the start; both read it programmed.
    await waitFor('Gateway infra/public programmed', async () => {
      const state = await readGatewayApi(fixture.kubeconfig, { services: [], namespaces: [] });
      return (
        state.state === 'served' &&
        state.world.gateways.some(
          (g) => g.metadata.name === 'public' && g.status?.addresses?.[0] !== undefined,
        )
      );
    });
    const fromCli = await cliFindings(folder, { kubeconfig: fixture.sandbox.kubeconfigPath });
    const clusterAware = fromCli.filter((line) => / KR(4\d{3}|62\d{2}) /.test(line));
    // The comparison is about cluster-aware findings: live Pods and the live Gateway API both.
    assert.ok(
      clusterAware.some((line) => / KR4\d{3} /.test(line)),
      fromCli.join('\n'),
    );
    assert.ok(
      ['KR6204', 'KR6205', 'KR6206', 'KR6210'].every((code) =>
        clusterAware.some((line) => line.includes(` ${code} `)),
      ),
      clusterAware.join('\n'),
    );

    // The server as the editor runs it: KUBECONFIG in its environment, clusterAware on. Its
    // findings come in as the cluster is read; each file's are awaited until they are the CLI's,
    // and a file whose findings never become the CLI's fails with both lists.
    const client = await LspClient.start({
      workspace: folder,
      env: { KUBECONFIG: fixture.sandbox.kubeconfigPath },
      settings: { clusterAware: true },
    });
    try {
      await waitFor('the workspace scan', async () => (await client.status()).workspace.complete);
      const fromServer: string[] = [];
      for (const path of yamlFiles(folder)) {
        const uri = uriOf(path);
        const name = relative(folder, path);
        const expected = fromCli.filter((line) => line.startsWith(`${name}:`));
        await client.open(uri, readFileSync(path, 'utf8'));
        const keys = () =>
          (client.latest(uri)?.diagnostics ?? [])
            .map((d) => key(name, { ...d, severity: SEVERITIES[d.severity ?? 1]! }))
            .sort();
        try {
          await client.waitUntil(
            `the server's findings on ${name}`,
            () =>
              (client.latest(uri) !== undefined && keys().join('\n') === expected.join('\n')) || undefined,
            30_000,
          );
        } catch {
          assert.deepEqual(keys(), expected, `the server's findings on ${name} never became the CLI's`);
        }
        fromServer.push(...keys());
        await client.close(uri);
      }
      assert.deepEqual(fromServer.sort(), fromCli);
    } finally {
      assert.equal(await client.stop(), 0);
    }
  });
});
