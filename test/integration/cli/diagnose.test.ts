/**
 * `kubereach diagnose` against the sandbox (demo scenario): the extension's diagnosis from a
 * terminal, with live probes from inside the source Pod, in text, JSON and Markdown, and its exit
 * statuses (0 the path works, 1 it does not, 2 an error in one line).
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { useSandbox } from '../../support/sandbox.ts';
import { assertOneLineError, runCli } from './run.ts';

interface JsonReport {
  source: { namespace: string; name: string };
  targetLabel: string;
  context: string;
  hops: { id: string; status: string; summary: string }[];
  conclusion: { failedHop?: string; sentence: string };
  probes: unknown[];
}

describe('diagnose', () => {
  const fixture = useSandbox({ scenario: 'demo' });
  const scratch = mkdtempSync(join(tmpdir(), 'kubereach-cli-diagnose-'));
  after(() => rmSync(scratch, { recursive: true, force: true }));
  const env = () => ({ KUBECONFIG: fixture.sandbox.kubeconfigPath });

  test('a working path: every hop and the live probe passed, exit 0', async () => {
    const result = await runCli(['diagnose', 'deploy/frontend', '-n', 'shop', 'backend.shop:80'], {
      env: env(),
    });
    assert.equal(result.status, 0, result.stdout + result.stderr);
    assert.match(
      result.stdout,
      /^shop\/frontend-[a-z0-9]+-[a-z0-9]+ → backend\.shop:80 {2}\(context kubereach-sandbox\)\n/,
    );
    assert.match(result.stdout, /✔ Live probe +backend\.shop:80 answered \(HTTP 200\)/);
    assert.match(
      result.stdout,
      /reaches backend\.shop:80: every hop checked passed, and so did the live probe\.\n$/,
    );
  });

  test('a blocked path: the failing hop, its fix, the probe agreeing, exit 1', async () => {
    const result = await runCli(['diagnose', 'deploy/frontend', '-n', 'shop', 'db.data:5432', '-o', 'json'], {
      env: env(),
    });
    assert.equal(result.status, 1, result.stderr);
    const report = JSON.parse(result.stdout) as JsonReport;
    assert.equal(report.context, 'kubereach-sandbox');
    assert.equal(report.conclusion.failedHop, 'ingress');
    assert.match(report.conclusion.sentence, /db-allow-backend-only/);
    assert.equal(report.hops.find((hop) => hop.id === 'probe')?.status, 'failed');
    assert.ok(report.probes.length > 0);
  });

  test('--no-probe: the static hops only, as Markdown', async () => {
    const pods = await runCli(
      ['diagnose', 'shop/checkout', 'backend.shop:80', '--no-probe', '-o', 'markdown'],
      {
        env: env(),
      },
    );
    assert.equal(pods.status, 0, pods.stderr);
    assert.match(pods.stdout, /^# Connectivity diagnosis: shop\/checkout → backend\.shop:80\n/);
    assert.match(pods.stdout, /Run the live probe to confirm\./);
    assert.ok(!pods.stdout.includes('## Probes'), 'no probe ran');
  });

  test('a Pod target by NAMESPACE/POD:PORT', async () => {
    const result = await runCli(['diagnose', 'tools/toolbox', 'data/db-0:5432', '--no-probe', '-o', 'json'], {
      env: env(),
    });
    const report = JSON.parse(result.stdout) as JsonReport;
    assert.equal(report.targetLabel, 'data/db-0:5432');
    assert.equal(result.status, report.conclusion.failedHop === undefined ? 0 : 1);
  });

  test('errors: no such Pod, no Pod of the workload, a bad target, no cluster', async () => {
    assertOneLineError(
      await runCli(['diagnose', 'shop/nope', 'backend.shop:80', '--no-probe'], { env: env() }),
      /nope/,
    );
    assertOneLineError(
      await runCli(['diagnose', 'deploy/nope', '-n', 'shop', 'backend.shop:80'], { env: env() }),
      /no Pod of Deployment shop\/nope in context "kubereach-sandbox"/,
    );
    assertOneLineError(
      await runCli(['diagnose', 'shop/checkout', 'backend.shop'], { env: env() }),
      /TARGET needs a port/,
    );
    assertOneLineError(
      await runCli(['diagnose', 'shop/checkout', 'backend.shop:80', 'extra'], { env: env() }),
      /diagnose takes SOURCE and TARGET, or one URL or NODE:PORT \(got 3 arguments\)/,
    );
    const kubeconfig = join(scratch, 'unreachable');
    writeFileSync(
      kubeconfig,
      readFileSync(fixture.sandbox.kubeconfigPath, 'utf8').replace(
        /https:\/\/127\.0\.0\.1:\d+/,
        'https://127.0.0.1:9',
      ),
    );
    assertOneLineError(
      await runCli(['diagnose', 'shop/checkout', 'backend.shop:80', '--kubeconfig', kubeconfig]),
      /cannot read the cluster of context "kubereach-sandbox" \(disconnected\)/,
    );
    assertOneLineError(
      await runCli(['diagnose', 'shop/checkout', 'backend.shop:80']),
      /no cluster: no kubeconfig found/,
    );
  });
});
