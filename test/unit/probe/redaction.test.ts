/**
 * A credential in a probe target (userinfo in a typed URL) or in an error (an exec rejection
 * echoing an authorization) reaches no surface: the probe result, the Probe Results view, the
 * notification, the log, the matrix webview and its Markdown and CSV exports. The engine runs with
 * a scripted exec transport; the UI with the unit tests' stand-in `vscode` module.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { KubeConfig } from '@kubernetes/client-node';
import type { V1Pod } from '@kubernetes/client-node';
import { createVscodeStandIn, installVscodeStandInForEsm } from '../../support/vscodeStandIn.ts';
import type { ExecRequest, ExecTransport } from '../../../src/probe/exec.ts';
import type { ExecOutcome } from '../../../src/probe/execStatus.ts';
import { toCsv, toMarkdown } from '../../../src/probe/matrix.ts';
import { Prober } from '../../../src/probe/prober.ts';
import type { ProbeResult, ProbeTarget } from '../../../src/probe/types.ts';

const PASSWORD = 'pr0be-Passw0rd';
const BASIC = 'YWRtaW46cHIwYmU=';
const TARGET: ProbeTarget = { kind: 'url', url: `http://admin:${PASSWORD}@web.shop:8080/health` };

const { api, registry } = createVscodeStandIn();
const notifications: string[] = [];
const window = api.window as Record<string, unknown>;
const record =
  (kind: string) =>
  async (message: string): Promise<undefined> => {
    notifications.push(`${kind}: ${message}`);
    return undefined;
  };
window.showInformationMessage = record('info');
window.showWarningMessage = record('warning');
window.showErrorMessage = record('error');
window.withProgress = async (
  _options: unknown,
  task: (progress: unknown, token: unknown) => Promise<unknown>,
) => task({ report: () => undefined }, { onCancellationRequested: () => ({ dispose: () => undefined }) });
api.ProgressLocation = { Notification: 15 };
api.MarkdownString = class {
  value = '';
  appendMarkdown(text: string) {
    this.value += text;
    return this;
  }
  appendText(text: string) {
    this.value += text;
    return this;
  }
  appendCodeblock(code: string) {
    this.value += `\n\`\`\`\n${code}\n\`\`\`\n`;
    return this;
  }
};
installVscodeStandInForEsm(api);

function kubeconfig(): KubeConfig {
  const config = new KubeConfig();
  config.loadFromOptions({
    clusters: [{ name: 'c', server: 'https://127.0.0.1:1', skipTLSVerify: true }],
    users: [{ name: 'u', token: 'x' }],
    contexts: [{ name: 'ctx', cluster: 'c', user: 'u' }],
    currentContext: 'ctx',
  });
  return config;
}

const pod: V1Pod = {
  metadata: { name: 'client', namespace: 'shop' },
  spec: { containers: [{ name: 'main', image: 'curl-image' }] },
  status: { phase: 'Running', containerStatuses: [{ name: 'main', state: { running: {} } } as never] },
};

/** Detection finds curl; the probe's exec is answered by `answer`. */
function transport(answer: (request: ExecRequest) => ExecOutcome): ExecTransport {
  return {
    exec: async (request) =>
      request.argv[0] === 'sh'
        ? { kind: 'exited', exitCode: 0, stdout: '/usr/bin/curl\n', stderr: '', elapsedMs: 1 }
        : answer(request),
  };
}

function leaks(text: string): string[] {
  return [PASSWORD, BASIC].filter((secret) => text.includes(secret));
}

function assertClean(what: string, value: unknown): void {
  const text = typeof value === 'string' ? value : JSON.stringify(value);
  assert.deepEqual(leaks(text), [], `${what} leaks: ${text}`);
}

async function probeWith(answer: (request: ExecRequest) => ExecOutcome): Promise<ProbeResult> {
  const prober = new Prober({ kubeconfig: kubeconfig(), transport: transport(answer) });
  return prober.probe({ namespace: 'shop', pod: 'client' }, TARGET, { pod });
}

const curlError = (request: ExecRequest): ExecOutcome => ({
  kind: 'exited',
  exitCode: 7,
  stdout: '',
  stderr: `curl: (7) Failed to connect to ${request.argv.at(-1)}: Connection refused`,
  elapsedMs: 3,
});

test('a probe result holds the credentials of its target nowhere', async () => {
  const result = await probeWith(curlError);
  assert.equal(result.verdict, 'refused');
  assert.match(result.target.label, /^http:\/\/admin:<redacted>@web\.shop:8080\/health$/);
  const { argv: _argv, ...shown } = result;
  assertClean('the result', shown);
});

test('an exec error echoing a Basic authorization is redacted in the result', async () => {
  const result = await probeWith(() => ({
    kind: 'failed',
    message: `The API server answered 500: proxy saw {"authorization":"Basic ${BASIC}"}`,
    stdout: '',
    stderr: '',
    elapsedMs: 1,
  }));
  assert.equal(result.verdict, 'exec-failed');
  assertClean('the result', result.message);
});

test('the matrix webview, its Markdown and its CSV hold no credential, even from a raw grid', async () => {
  const { matrixHtml } = await import('../../../src/probe/matrixPanel.ts');
  const result = await probeWith(curlError);
  // A grid as a caller might build it, with the raw URL as its column header.
  const grid = {
    sources: ['shop/client'],
    targets: [TARGET.kind === 'url' ? TARGET.url : ''],
    cells: [[{ ...result, message: `refused by http://admin:${PASSWORD}@web.shop:8080/` }]],
    cancelled: false,
    completed: 1,
    total: 1,
    concurrency: 1,
    elapsedMs: 5,
    startedAt: '2026-01-01T00:00:00.000Z',
  };
  assertClean('the webview', matrixHtml(grid, 'nonce', 'csp'));
  assertClean('the Markdown export', toMarkdown(grid));
  assertClean('the CSV export', toCsv(grid));
  assertClean('the CSV grid export', toCsv(grid, { layout: 'grid' }));
});

test('the notification, the Probe Results view and the log hold no credential', async () => {
  const { PROBE_COMMANDS } = await import('../../../src/probe/probeCommands.ts');
  const { ProbeResultsProvider, probeTooltip } = await import('../../../src/probe/resultsView.ts');
  const { Log } = await import('../../../src/logging/log.ts');
  const raw = await probeWith(curlError);
  // A result as an older engine (or another caller) might hand over: nothing redacted yet.
  const result: ProbeResult = {
    ...raw,
    target: { ...raw.target, label: TARGET.kind === 'url' ? TARGET.url : '' },
    message: `Connection refused by http://admin:${PASSWORD}@web.shop:8080/ (authorization: Basic ${BASIC}).`,
    command: `kubectl exec -n shop client -- curl -- 'http://admin:${PASSWORD}@web.shop:8080/health'`,
  };
  const probeResults = new ProbeResultsProvider();
  const context = {
    log: new Log(),
    probeResults,
    prober: async () => ({ probe: async () => result }),
  };
  const rerun = PROBE_COMMANDS['kubereach.rerunProbe']!;
  await rerun(context as never, {
    id: 1,
    source: { namespace: 'shop', pod: 'client' },
    target: TARGET,
    result,
  });
  assert.ok(notifications.length > 0, 'a notification was shown');
  assertClean('the notification', notifications);
  assertClean('the log', registry.logLines);
  const [item] = probeResults.getChildren();
  const treeItem = probeResults.getTreeItem(item!);
  assertClean('the tree item', [treeItem.label, treeItem.description]);
  assertClean('the tooltip', probeTooltip(item!.result));
});

test('exec errors are redacted where they are written: a refused upgrade, a failed status', async () => {
  const { describeExecRejection, outcomeFromStatus } = await import('../../../src/probe/execStatus.ts');
  const where = { namespace: 'shop', pod: 'client', container: 'main' };
  const body = JSON.stringify({ kind: 'Status', message: `proxy saw {"authorization":"Basic ${BASIC}"}` });
  assertClean('a refused exec', describeExecRejection(500, body, where));
  assertClean(
    'a refused exec (not JSON)',
    describeExecRejection(502, `upstream said token: '${PASSWORD}'`, where),
  );
  const outcome = outcomeFromStatus(
    { status: 'Failure', message: `exec failed: password: ${PASSWORD} rejected` },
    { stdout: '', stderr: '', elapsedMs: 1 },
  );
  assertClean('a failed exec status', outcome);
});
