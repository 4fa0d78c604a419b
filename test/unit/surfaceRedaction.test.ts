/**
 * Credentials reach none of the extension's surfaces that quote the cluster or the kubeconfig
 * (issue 13, item 5): port-forward notices and start errors, the Switch Context picker, the
 * diagnosis panel's title, and a kubeconfig that cannot be read. The UI runs with the unit tests'
 * stand-in `vscode` module, which records every text a surface is given; the forms are those of
 * test/unit/redact.test.ts. (The language server's hover of the same kubeconfig error:
 * test/integration/server/redaction.test.ts.)
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ClusterSession } from '../../src/cluster/session.ts';
import type { ExternalReport } from '../../src/diagnose/externalDiagnoser.ts';
import { diagnoseExternal } from '../../src/analysis/external/index.ts';
import { createVscodeStandIn, installVscodeStandInForEsm } from '../support/vscodeStandIn.ts';
import { world } from './analysis/external/world.ts';

const PASSWORD = 'Sup3r-s3cret-pw';
const BASIC = 'YWRtaW46c3VwM3I=';

const { api, registry } = createVscodeStandIn();
/** Every text a surface was given: notifications, status bar, QuickPick items, panel titles. */
const shown: string[] = [];
const window = api.window as Record<string, unknown>;
const record =
  (kind: string) =>
  async (message: string, ...buttons: unknown[]): Promise<undefined> => {
    shown.push(`${kind}: ${message} ${JSON.stringify(buttons)}`);
    return undefined;
  };
window.showInformationMessage = record('info');
window.showWarningMessage = record('warning');
window.showErrorMessage = record('error');
window.setStatusBarMessage = (text: string) => {
  shown.push(`status: ${text}`);
  return { dispose: () => undefined };
};
window.showQuickPick = async (items: unknown, options: unknown) => {
  shown.push(`pick: ${JSON.stringify(items)} ${JSON.stringify(options)}`);
  return undefined;
};
window.withProgress = async (
  _options: unknown,
  task: (progress: unknown, token: unknown) => Promise<unknown>,
) => task({ report: () => undefined }, { onCancellationRequested: () => ({ dispose: () => undefined }) });
window.createWebviewPanel = (_type: string, title: string) => {
  shown.push(`panel: ${title}`);
  return {
    webview: { html: '', cspSource: 'csp', onDidReceiveMessage: () => ({ dispose: () => undefined }) },
    onDidDispose: () => ({ dispose: () => undefined }),
    reveal: () => undefined,
  };
};
api.ProgressLocation = { Window: 10, Notification: 15 };
api.ViewColumn = { Active: -1, Beside: -2 };
installVscodeStandInForEsm(api);

const { Log } = await import('../../src/logging/log.ts');
const { PORT_FORWARD_COMMANDS, showForwardNotice } = await import('../../src/portforward/commands.ts');
const { EXPLORER_COMMANDS } = await import('../../src/explorer/commands.ts');
const { showReport } = await import('../../src/diagnose/reportPanel.ts');

/** What the surfaces were given since `from`, and the log's lines: no secret, and said redacted. */
function assertClean(from: number, what: string): string {
  const text = [...shown.slice(from), ...registry.logLines].join('\n');
  for (const secret of [PASSWORD, BASIC]) {
    assert.ok(!text.includes(secret), `${what} leaks ${secret}:\n${text}`);
  }
  assert.match(shown.slice(from).join('\n'), /<redacted>/, `${what}: nothing was shown`);
  return shown.slice(from).join('\n');
}

test('port-forward notices: the status bar, the warning and the log', () => {
  const from = shown.length;
  const log = new Log();
  showForwardNotice(
    {
      type: 'notice',
      id: 'f1',
      severity: 'warning',
      message: `Forward svc/web: the API server answered 500: {"authorization":"Basic ${BASIC}"}`,
    },
    log,
  );
  showForwardNotice(
    {
      type: 'notice',
      id: 'f1',
      severity: 'info',
      message: `Forward svc/web: reconnected to https://admin:${PASSWORD}@127.0.0.1:6443.`,
    },
    log,
  );
  const text = assertClean(from, 'a forward notice');
  assert.match(text, /^warning: Forward svc\/web: the API server answered 500/m);
  assert.match(text, /^status: \$\(plug\) Forward svc\/web: reconnected to https:\/\/admin:<redacted>@/m);
});

test('a port-forward that cannot start: the notification, with its offer of another port', async () => {
  const from = shown.length;
  const cache = {
    pod: () => ({
      metadata: { name: 'web-1', namespace: 'shop' },
      spec: { containers: [{ name: 'web', image: 'x', ports: [{ containerPort: 8080 }] }] },
    }),
  };
  const failures = [
    Object.assign(new Error(`Local port 8080 is in use (proxy https://admin:${PASSWORD}@127.0.0.1:3128).`), {
      code: 'local-port-in-use',
      suggestedLocalPort: 8081,
    }),
    new Error(`The API server answered 500: {"authorization":"Basic ${BASIC}"}`),
  ];
  const context = {
    log: new Log(),
    session: Promise.resolve({ cache }),
    forwards: Promise.resolve({
      start: async () => {
        throw failures.shift();
      },
    }),
  };
  const node = {
    kind: 'containerPort',
    id: 'p',
    namespace: 'shop',
    pod: 'web-1',
    container: 'web',
    index: 0,
  };
  const start = PORT_FORWARD_COMMANDS['kubereach.portForward']!;
  await start(context as never, node);
  await start(context as never, node);
  const text = assertClean(from, 'a failed port-forward');
  assert.match(text, /^warning: Local port 8080 is in use \(proxy https:\/\/admin:<redacted>@/m);
  assert.match(text, /"Use 8081"/);
  assert.match(text, /^error: Port-forward to Pod shop\/web-1 failed: The API server answered 500/m);
});

test('the Switch Context picker shows each server without its password', async () => {
  const from = shown.length;
  const session = {
    context: { name: 'dev' },
    kubeconfigCurrentContext: 'dev',
    contexts: () => [
      { name: 'dev', server: 'https://127.0.0.1:6443', namespace: 'shop' },
      { name: 'prod', server: `https://admin:${PASSWORD}@10.0.0.1:6443` },
    ],
    switchContext: () => assert.fail('nothing was picked'),
  };
  await EXPLORER_COMMANDS['kubereach.switchContext']!({ session: Promise.resolve(session) } as never);
  const text = assertClean(from, 'the Switch Context picker');
  assert.match(text, /"label":"prod".*"detail":"https:\/\/admin:<redacted>@10\.0\.0\.1:6443"/);
});

test('the diagnosis panel title names the target without its credentials', () => {
  const from = shown.length;
  const url = `http://admin:${PASSWORD}@blog.example.com/`;
  const report: ExternalReport = {
    ...diagnoseExternal(world({ kind: 'url', url })),
    context: 'sandbox',
    probes: [],
    timings: { staticMs: 1, probeMs: 0, totalMs: 1 },
    startedAt: '2026-12-07T04:00:00.000Z',
    cancelled: false,
  };
  showReport(report, () => undefined);
  const text = assertClean(from, 'the diagnosis panel');
  assert.match(text, /^panel: Diagnosis: outside → http:\/\/admin:<redacted>@blog\.example\.com\//m);
});

test('a kubeconfig that cannot be read: the error the explorer and the server show', () => {
  // A URL with credentials pasted where a file path belongs: resolving it leaves `https:/admin:…@`.
  const lines: string[] = [];
  const session = new ClusterSession({
    settings: () => ({
      kubeconfigSetting: `https://admin:${PASSWORD}@example.com/kubeconfig`,
      trusted: true,
    }),
    memory: { get: () => undefined, set: () => undefined },
    log: (line) => lines.push(line),
    env: { KUBECONFIG: '', HOME: '/nonexistent-home' },
  });
  try {
    const error = session.kubeconfigError ?? '';
    assert.match(
      error,
      /^Cannot read the kubeconfig file .*https:\/admin:<redacted>@example\.com\/kubeconfig/,
    );
    assert.ok(![error, ...lines].some((text) => text.includes(PASSWORD)), [error, ...lines].join('\n'));
  } finally {
    session.dispose();
  }
});
