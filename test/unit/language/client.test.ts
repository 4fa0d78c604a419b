/**
 * The language client follows the explorer: a context switch and a grant of workspace trust reach
 * the server as `kubereach/clusterContext` and `kubereach/workspaceTrust`. The LanguageClient is a
 * recording stand-in handed in where the bundle would be required; the messages are the real ones.
 * (test/e2e step 8 shows the whole path in VS Code: diagnostics change after Switch Context.)
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { SessionEvent } from '../../../src/cluster/session.ts';
import { ClusterContextNotification, WorkspaceTrustNotification } from '../../../src/shared/messages.ts';
import type * as ClientLibrary from '../../../src/language/library.ts';
import type { InitializationOptions } from '../../../src/shared/protocol.ts';
import { createVscodeStandIn, installVscodeStandInForEsm } from '../../support/vscodeStandIn.ts';

const { api } = createVscodeStandIn();
const grants: Array<() => void> = [];
Object.assign(api.workspace as object, {
  isTrusted: false,
  textDocuments: [{ languageId: 'yaml' }],
  onDidGrantWorkspaceTrust: (listener: () => void) => {
    grants.push(listener);
    return { dispose: () => grants.splice(grants.indexOf(listener), 1) };
  },
});
installVscodeStandInForEsm(api);
const { ManifestLanguageClient } = await import('../../../src/language/client.ts');

test('the server hears of every context switch and of a trust grant, and of nothing after dispose', async () => {
  const sent: Array<[string, unknown]> = [];
  let options: InitializationOptions | undefined;
  let started!: () => void;
  const start = new Promise<void>((resolve) => (started = resolve));
  class RecordingClient {
    constructor(
      _id: string,
      _name: string,
      _server: unknown,
      client: { initializationOptions: InitializationOptions },
    ) {
      options = client.initializationOptions;
    }
    async start() {
      started();
    }
    async sendNotification(type: { method: string }, params: unknown) {
      sent.push([type.method, params]);
    }
    needsStop() {
      return false;
    }
  }
  const library = {
    LanguageClient: RecordingClient,
    TransportKind: { ipc: 1 },
    ClusterContextNotification,
    WorkspaceTrustNotification,
  } as unknown as typeof ClientLibrary;

  const listeners = new Set<(event: SessionEvent) => void>();
  const session = {
    context: { name: 'admin' } as { name: string } | undefined,
    onDidChange(listener: (event: SessionEvent) => void) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
  const emit = (event: SessionEvent) => listeners.forEach((listener) => listener(event));

  const client = new ManifestLanguageClient(
    '/nowhere/server.js',
    '0.0.0',
    Promise.resolve(session as never),
    () => library,
  );
  await start;
  await new Promise((resolve) => setImmediate(resolve));
  assert.equal(options?.clusterContext, 'admin');
  assert.equal(options?.workspaceTrusted, false);
  assert.deepEqual(sent, [], 'nothing to say yet');

  session.context = { name: 'viewer' };
  emit({ kind: 'context' });
  emit({ kind: 'namespaces' });
  assert.deepEqual(sent, [['kubereach/clusterContext', { context: 'viewer' }]]);

  // The kubeconfig changed on disk and took away the context: the server is told there is none.
  session.context = undefined;
  emit({ kind: 'kubeconfig' });
  assert.deepEqual(sent.at(-1), ['kubereach/clusterContext', { context: undefined }]);

  assert.equal(grants.length, 1);
  grants[0]!();
  assert.deepEqual(sent.at(-1), ['kubereach/workspaceTrust', { trusted: true }]);

  client.dispose();
  const count = sent.length;
  session.context = { name: 'admin' };
  emit({ kind: 'context' });
  assert.equal(sent.length, count);
  assert.equal(grants.length, 0);
});
