/** The report webview and the Markdown export show an external-access report as they show a Pod-to-Service one. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createVscodeStandIn, installVscodeStandInForEsm } from '../../support/vscodeStandIn.ts';
import { diagnoseExternal } from '../../../src/analysis/external/index.ts';
import { externalToMarkdown } from '../../../src/diagnose/externalMarkdown.ts';
import type { ExternalReport } from '../../../src/diagnose/externalDiagnoser.ts';
import { world } from '../analysis/external/world.ts';

const { api } = createVscodeStandIn();
installVscodeStandInForEsm(api);

function report(url: string): ExternalReport {
  return {
    ...diagnoseExternal(world({ kind: 'url', url })),
    context: 'sandbox',
    probes: [
      {
        role: 'ingress',
        label: `${url} (Host: blog.example.com)`,
        reached: true,
        httpStatus: 504,
        message: 'HTTP 504.',
        staticAnswer: 'fails at NetworkPolicy',
      },
    ],
    timings: { staticMs: 1.5, probeMs: 1100, totalMs: 1102 },
    startedAt: '2026-12-07T04:00:00.000Z',
    cancelled: false,
  };
}

test('the webview heads the report with the request, escapes it, and lists the ten hops with the failing one open', async () => {
  const { reportHtml } = await import('../../../src/diagnose/reportPanel.ts');
  const html = reportHtml(report('http://blog.example.com/<img src=x>'), 'nonce', 'csp');
  assert.match(html, /<h2>Outside the cluster → http:\/\/blog\.example\.com\/&lt;img src=x&gt;<\/h2>/);
  assert.ok(!html.includes('<img'));
  assert.equal(html.match(/<li class="hop /g)?.length, 10);
  assert.match(html, /<li class="hop failed"><details open><summary>.*9\. NetworkPolicy/);
  assert.match(html, /data-kind="NetworkPolicy" data-namespace="blog"/);
});

test('the Markdown export: conclusion, fix, the hop table, the probes; credentials redacted', () => {
  const markdown = externalToMarkdown(report('http://admin:s3cr3t-pw@blog.example.com/'));
  assert.match(markdown, /^# External access diagnosis: /);
  assert.match(markdown, /\*\*Conclusion:\*\* A client outside the cluster cannot reach/);
  assert.match(markdown, /\| 9 \| NetworkPolicy \| ❌ failed \|/);
  assert.match(markdown, /\| yes \(504\) \| fails at NetworkPolicy \| HTTP 504\. \|/);
  assert.ok(!markdown.includes('s3cr3t-pw'));
});
