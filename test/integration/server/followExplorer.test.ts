/**
 * The language server follows the explorer, client and server together (issue 13, item 2): the
 * real ManifestLanguageClient builds its initializationOptions and its `kubereach/workspaceTrust`
 * and `kubereach/clusterContext` notifications, and a LanguageClient stand-in carries them to
 * dist/server.js over stdio (LspClient), against the sandbox's demo scenario. `vscode` is the unit
 * tests' stand-in (workspace trust and its grant are all the client reads of it). Each half is also tested alone:
 * test/unit/language/client.test.ts and cluster.test.ts here; test/e2e step 8 is the whole path in
 * VS Code.
 */
import assert from 'node:assert/strict';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { SessionEvent } from '../../../src/cluster/session.ts';
import type { ExplorerContext } from '../../../src/language/client.ts';
import type * as ClientLibrary from '../../../src/language/library.ts';
import { ClusterContextNotification, WorkspaceTrustNotification } from '../../../src/shared/messages.ts';
import type { InitializationOptions } from '../../../src/shared/protocol.ts';
import { useSandbox } from '../../support/sandbox.ts';
import { createVscodeStandIn, installVscodeStandInForEsm } from '../../support/vscodeStandIn.ts';
import { copyFixtureWorkspace, LspClient, serverPath, uriOf } from './lspClient.ts';
import type { Diagnostic, StartOptions } from './lspClient.ts';

const { api } = createVscodeStandIn();
const workspaceApi = api.workspace as { isTrusted: boolean };
const grants = new Set<() => void>();
Object.assign(workspaceApi, {
  isTrusted: false,
  // A YAML document is open: the client starts the server at once.
  textDocuments: [{ languageId: 'yaml' }],
  onDidGrantWorkspaceTrust: (listener: () => void) => {
    grants.add(listener);
    return { dispose: () => grants.delete(listener) };
  },
});
installVscodeStandInForEsm(api);
const { ManifestLanguageClient } = await import('../../../src/language/client.ts');

/**
 * vscode-languageclient's LanguageClient as far as ManifestLanguageClient uses it, over a real
 * connection: the server module and initializationOptions the client chose start dist/server.js,
 * and its notifications go down that connection unchanged.
 */
function stdioLibrary(options: Omit<StartOptions, 'serverPath' | 'initializationOptions'>) {
  const started: LspClient[] = [];
  const exitCodes: Array<number | null> = [];
  class StdioLanguageClient {
    private readonly module: string;
    private readonly initializationOptions: InitializationOptions;
    private lsp: LspClient | undefined;
    constructor(
      _id: string,
      _name: string,
      server: { run: { module: string } },
      client: { initializationOptions: InitializationOptions },
    ) {
      this.module = server.run.module;
      this.initializationOptions = client.initializationOptions;
    }
    async start() {
      this.lsp = await LspClient.start({
        ...options,
        serverPath: this.module,
        initializationOptions: { ...this.initializationOptions },
      });
      started.push(this.lsp);
    }
    async sendNotification(type: { method: string }, params: unknown) {
      await this.lsp!.connection.sendNotification(type.method, params);
    }
    needsStop() {
      return this.lsp !== undefined;
    }
    async stop() {
      exitCodes.push(await this.lsp!.stop());
    }
  }
  const library = {
    LanguageClient: StdioLanguageClient,
    TransportKind: { ipc: 1 },
    ClusterContextNotification,
    WorkspaceTrustNotification,
  } as unknown as typeof ClientLibrary;
  return {
    library,
    exitCodes,
    server: () =>
      new Promise<LspClient>((resolve) => {
        const poll = setInterval(() => {
          if (started[0]) {
            clearInterval(poll);
            resolve(started[0]);
          }
        }, 10);
      }),
  };
}

/**
 * The explorer's side as the client reads it: the context shown, and its change event, fired as
 * ClusterSession.switchContext fires it. Not a real ClusterSession: that would run a second cache
 * against the sandbox inside this test process, which also serves the sandbox; a real extension
 * host is a process of its own.
 */
function explorerContext(initial: string) {
  const listeners = new Set<(event: SessionEvent) => void>();
  const explorer = {
    context: { name: initial } as ExplorerContext['context'],
    onDidChange(listener: (event: SessionEvent) => void) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    switchContext(name: string) {
      explorer.context = { name } as ExplorerContext['context'];
      listeners.forEach((listener) => listener({ kind: 'context' }));
    },
  };
  return explorer;
}

const hasKR4001 = (list: Diagnostic[]) => list.some((d) => d.code === 'KR4001');

/** A Service in namespace data that selects nothing: KR4001 for an identity that may read data. */
const NOBODY = `apiVersion: v1
kind: Service
metadata:
  name: nobody
  namespace: data
spec:
  selector:
    app: nobody-here
  ports:
    - port: 80
`;

describe('the language server follows the explorer (client and server together)', () => {
  const fixture = useSandbox({ scenario: 'demo' });
  let workspace: string;
  let uri: string;

  before(() => {
    workspace = copyFixtureWorkspace();
    mkdirSync(join(workspace, 'extra'));
    writeFileSync(join(workspace, 'extra/nobody.yaml'), NOBODY);
    uri = uriOf(join(workspace, 'extra/nobody.yaml'));
  });
  after(() => rmSync(workspace, { recursive: true, force: true }));

  test('a trust grant in VS Code makes the server honour kubereach.kubeconfig', async () => {
    workspaceApi.isTrusted = false;
    const stdio = stdioLibrary({
      workspace,
      // No KUBECONFIG and no ~/.kube/config: only the setting names the sandbox.
      env: { KUBECONFIG: '' },
      settings: { clusterAware: true, kubeconfig: fixture.sandbox.kubeconfigPath },
    });
    const session = { context: undefined, onDidChange: () => () => undefined };
    const client = new ManifestLanguageClient(
      serverPath,
      '0.0.0-test',
      Promise.resolve(session),
      () => stdio.library,
    );
    try {
      const server = await stdio.server();
      await server.open(uri, NOBODY);
      const untrusted = await server.diagnostics(uri);
      assert.ok(!hasKR4001(untrusted), 'no cluster checks while the workspace is untrusted');
      await server.waitUntil('the setting to be refused', () =>
        server.logs.find((line) => line.includes('ignored: this workspace is not trusted')),
      );
      assert.equal((await server.status()).cluster.context, undefined);

      // VS Code grants trust: the client's listener is all that tells the server.
      assert.equal(grants.size, 1, 'the client listens for the grant');
      workspaceApi.isTrusted = true;
      grants.forEach((grant) => grant());
      await server.diagnostics(uri, hasKR4001, { timeoutMs: 10_000 });
      assert.equal((await server.status()).cluster.context, 'kubereach-sandbox');
    } finally {
      await client.stop();
      client.dispose();
    }
    assert.deepEqual(stdio.exitCodes, [0]);
    assert.equal(grants.size, 0, 'the grant listener is released');
  });

  test('a context switch in the explorer changes the diagnostics: median time of six switches', async (t) => {
    workspaceApi.isTrusted = true;
    const env = { KUBECONFIG: fixture.sandbox.kubeconfigPath };
    const explorer = explorerContext('kubereach-sandbox');
    const stdio = stdioLibrary({ workspace, env, settings: { clusterAware: true } });
    const client = new ManifestLanguageClient(
      serverPath,
      '0.0.0-test',
      Promise.resolve(explorer),
      () => stdio.library,
    );
    const away: number[] = [];
    const back: number[] = [];
    try {
      const server = await stdio.server();
      await server.open(uri, NOBODY);
      await server.diagnostics(uri, hasKR4001, { timeoutMs: 15_000 });
      assert.equal((await server.status()).cluster.context, 'kubereach-sandbox');

      /** Switches the explorer, and returns the ms until diagnostics satisfying `expected` arrived. */
      const follow = async (context: string, expected: (list: Diagnostic[]) => boolean) => {
        const published = server.published.get(uri)!.length;
        const switched = performance.now();
        explorer.switchContext(context);
        const arrived = await server.waitUntil(
          `diagnostics after the switch to ${context}`,
          () =>
            server.published
              .get(uri)!
              .slice(published)
              .find((entry) => expected(entry.diagnostics)),
          10_000,
        );
        return arrived.at - switched;
      };
      for (let round = 0; round < 3; round++) {
        // shop-viewer may not read namespace data: the finding goes, since nothing is said from a 403.
        away.push(await follow('kubereach-sandbox-shop-viewer', (list) => !hasKR4001(list)));
        const status = await server.status();
        assert.equal(status.cluster.context, 'kubereach-sandbox-shop-viewer');
        // And back: the admin's cache lists namespace data again before the finding returns.
        back.push(await follow('kubereach-sandbox', hasKR4001));
      }
    } finally {
      await client.stop();
      client.dispose();
    }
    const samples = [...away, ...back];
    const sorted = [...samples].sort((a, b) => a - b);
    const median = (sorted[2]! + sorted[3]!) / 2;
    const ms = (list: number[]) => list.map((value) => Math.round(value)).join(', ');
    t.diagnostic(
      `switch → diagnostics, ms: to shop-viewer ${ms(away)}; back to admin ${ms(back)}; median ${Math.round(median)}`,
    );
    // The claim is "within a second". Asserted on the median of the six, so that one slow sample on
    // a loaded machine does not fail it; each sample is bounded by the 10 s wait above.
    assert.ok(median <= 1000, `median ${Math.round(median)} ms`);
    assert.deepEqual(stdio.exitCodes, [0]);
  });
});
