/**
 * The diagnosis surfaces never carry what they must not: a credential in a report (webview and
 * Markdown export), or markup from the cluster (a `containerPort` that is not a number, as a
 * hostile or broken API object may hold) in the policy matrix webview.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createVscodeStandIn, installVscodeStandInForEsm } from '../../support/vscodeStandIn.ts';
import type { V1Pod } from '@kubernetes/client-node';
import { toMarkdown } from '../../../src/diagnose/markdown.ts';
import { policyMatrix } from '../../../src/diagnose/policyMatrix.ts';
import type { DiagnosisReport, PolicyMatrix } from '../../../src/diagnose/types.ts';

const { api } = createVscodeStandIn();
installVscodeStandInForEsm(api);

const HOSTILE = '<img src=x onerror=alert(1)>';
const PASSWORD = 'd14g-Passw0rd';
const BASIC = 'YWRtaW46ZDE0Zw==';

function pod(name: string, containerPort: unknown): V1Pod {
  return {
    metadata: { name, namespace: 'shop', labels: { app: name } },
    spec: { containers: [{ name: 'main', image: 'x', ports: [{ containerPort: containerPort as number }] }] },
    status: { phase: 'Running', podIP: name === 'a' ? '10.0.0.1' : '10.0.0.2' },
  };
}

const view = { networkPolicies: () => [], namespaces: () => [] } as unknown as Parameters<
  typeof policyMatrix
>[1];

test('a containerPort that is not a port number reaches the policy matrix HTML escaped and flagged', async () => {
  const { policyMatrixHtml } = await import('../../../src/diagnose/diagnoseCommands.ts');
  const matrix = policyMatrix([pod('a', HOSTILE), pod('b', 8080)], view);
  const html = policyMatrixHtml(matrix, undefined, 'nonce', 'csp');
  assert.ok(!html.includes('<img'), 'no raw tag from the API object');
  assert.match(html, /class="invalid-port"/);
  assert.match(html, />shop\/b<\/th>|shop\/b:8080/);

  // The matrix as any caller may build it: a non-number port is flagged, never rendered raw.
  const forged: PolicyMatrix = {
    ...matrix,
    pods: matrix.pods.map((p) => ({ ...p, port: HOSTILE as unknown as number })),
  };
  const forgedHtml = policyMatrixHtml(forged, undefined, 'nonce', 'csp');
  assert.ok(!forgedHtml.includes('<img'));
  for (const bad of [0, 65536, 80.5, -1, Number.NaN]) {
    const html = policyMatrixHtml(
      { ...matrix, pods: matrix.pods.map((p) => ({ ...p, port: bad })) },
      undefined,
      'nonce',
      'csp',
    );
    assert.match(html, /class="invalid-port"/, `port ${bad} is flagged`);
  }
});

test("the matrix grouped by workload names each row's owner and Pod count, escaped, and offers each Pod", async () => {
  const { policyMatrixHtml } = await import('../../../src/diagnose/diagnoseCommands.ts');
  const owned = (name: string, ip: string): V1Pod => ({
    metadata: {
      name,
      namespace: 'shop',
      labels: { app: 'web' },
      ownerReferences: [
        { apiVersion: 'apps/v1', kind: 'ReplicaSet', name: HOSTILE, uid: 'u1', controller: true },
      ],
    },
    spec: { containers: [{ name: 'main', image: 'x', ports: [{ containerPort: 8080 }] }] },
    status: { phase: 'Running', podIP: ip },
  });
  const matrix = policyMatrix([owned('web-1', '10.0.0.1'), owned('web-2', '10.0.0.2')], view, {
    groupBy: 'workload',
  });
  const html = policyMatrixHtml(matrix, undefined, 'nonce', 'csp');
  assert.ok(!html.includes('<img'), 'no raw tag from the owner name');
  assert.match(html, /shop\/ReplicaSet &lt;img src=x onerror=alert\(1\)&gt; \(2 Pods\)/);
  assert.match(html, /title="web-1, web-2"/);
  assert.match(html, /for all 2 pairs of two different Pods/);
  assert.match(html, /<button id="group">Show each Pod<\/button>/);
  assert.match(
    policyMatrixHtml(policyMatrix([owned('web-1', '10.0.0.1')], view), undefined, 'n', 'c'),
    /Group by workload/,
  );
});

function report(): DiagnosisReport {
  const url = `http://admin:${PASSWORD}@web.shop:8080/`;
  return {
    source: { namespace: 'shop', name: 'client' },
    targetLabel: url,
    hops: [
      {
        id: 'probe',
        title: 'Probe',
        status: 'failed',
        summary: `refused by ${url}`,
        evidence: [`curl said: authorization: Basic ${BASIC}`, `"authorization":"Basic ${BASIC}"`],
        fix: `Check ${url}`,
      },
    ],
    conclusion: { sentence: `Nothing answers at ${url}.`, fix: `token: '${PASSWORD}'` },
    probes: [
      {
        role: 'target',
        label: url,
        result: {
          source: { namespace: 'shop', pod: 'client', debugContainer: false },
          target: { label: url, protocol: 'http', host: 'web.shop', port: 8080 },
          verdict: 'refused',
          reachable: false,
          message: `Connection refused by ${url}.`,
          command: `kubectl exec -n shop client -- curl -- ${url}`,
          elapsedMs: 3,
          stdout: '',
          stderr: '',
          notes: [],
          startedAt: '2026-01-01T00:00:00.000Z',
        },
      },
    ],
    timings: { staticMs: 1, probeMs: 2, totalMs: 3 },
    startedAt: '2026-01-01T00:00:00.000Z',
    cancelled: false,
  } as unknown as DiagnosisReport;
}

test('the diagnosis report webview and its Markdown export hold no credential', async () => {
  const { reportHtml } = await import('../../../src/diagnose/reportPanel.ts');
  for (const [what, text] of [
    ['webview', reportHtml(report(), 'nonce', 'csp')],
    ['Markdown', toMarkdown(report())],
  ] as const) {
    assert.ok(!text.includes(PASSWORD) && !text.includes(BASIC), `the ${what} leaks: ${text}`);
    assert.match(text, /redacted/);
  }
});
