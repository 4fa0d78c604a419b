/**
 * `kubereach matrix` against the sandbox (demo scenario): the static policy matrix of a namespace
 * as text, CSV and Markdown, grouped by workload by default (as the editor's namespace-wide panel)
 * or by Pod, and compared with live probes.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { useSandbox } from '../../support/sandbox.ts';
import { assertOneLineError, runCli } from './run.ts';

describe('matrix', () => {
  const fixture = useSandbox({ scenario: 'demo' });
  const env = () => ({ KUBECONFIG: fixture.sandbox.kubeconfigPath });

  test('text: a row and a column per workload by default, as the editor groups a namespace', async () => {
    const result = await runCli(['matrix', '-n', 'shop'], { env: env() });
    assert.equal(result.status, 0, result.stderr);
    const lines = result.stdout.trimEnd().split('\n');
    const rows = lines.slice(1, lines.indexOf(''));
    assert.deepEqual(
      rows.map((row) => row.split(':8080')[0]!.replace(/-[a-z0-9]{8,10} /, '-HASH ')),
      [
        'shop/ReplicaSet backend-HASH (2 Pods)',
        'shop/checkout',
        'shop/ReplicaSet frontend-HASH (2 Pods)',
        'shop/static-site',
      ],
    );
    for (const row of rows) {
      assert.equal(row.split(/\s+/).filter((cell) => cell === 'allow').length, 4, row);
    }
    assert.match(result.stdout, /\nPolicies: none \(TCP\)\.\n$/);
  });

  test('--group-by pod: a row and a column per Pod', async () => {
    const result = await runCli(['matrix', '-n', 'shop', '--group-by', 'pod'], { env: env() });
    assert.equal(result.status, 0, result.stderr);
    const lines = result.stdout.trimEnd().split('\n');
    assert.match(lines[0]!, /^from \\ to +shop\/backend-[a-z0-9]+-[a-z0-9]+:8080 /);
    const rows = lines.slice(1, lines.indexOf(''));
    assert.equal(rows.length, 6, 'six Pods in shop');
    for (const row of rows) {
      assert.equal(row.split(/\s+/).filter((cell) => cell === 'allow').length, 6, row);
    }
  });

  test('CSV: one line per ordered pair of workloads; Markdown: a table', async () => {
    const csv = await runCli(['matrix', '-n', 'data', '-o', 'csv'], { env: env() });
    assert.equal(csv.status, 0, csv.stderr);
    const lines = csv.stdout.trimEnd().split('\n');
    assert.equal(lines[0], 'source,destination,port,verdict,deciding policy,reason');
    // db-0 has no owner: a row of its own, named as the Pod.
    assert.match(lines[1]!, /^data\/db-0,data\/db-0,5432,allowed,,/);
    const markdown = await runCli(['matrix', '-n', 'shop', '-o', 'markdown'], { env: env() });
    assert.equal(markdown.status, 0, markdown.stderr);
    assert.match(markdown.stdout, /^\| from \\ to \| shop\/ReplicaSet backend-[a-z0-9]+ \(2 Pods\):8080 \|/);
    assert.match(markdown.stdout, /\n\| shop\/ReplicaSet frontend-[a-z0-9]+ \(2 Pods\):8080 \| allow \|/);
  });

  test('--probe: every pair probed and compared; agreeing pairs exit 0', async () => {
    const result = await runCli(
      ['matrix', '-n', 'shop', '-l', 'app=backend', '--group-by', 'pod', '--probe', '-o', 'csv'],
      { env: env() },
    );
    assert.equal(result.status, 0, result.stdout + result.stderr);
    const rows = result.stdout.trimEnd().split('\n').slice(1);
    assert.equal(rows.length, 4);
    for (const row of rows) {
      assert.match(row, /,allowed,,reachable,agree,/);
    }
    const grouped = await runCli(['matrix', '-n', 'shop', '-l', 'app=backend', '--probe', '-o', 'csv'], {
      env: env(),
    });
    assert.equal(grouped.status, 0, grouped.stdout + grouped.stderr);
    const groupedRows = grouped.stdout.trimEnd().split('\n').slice(1);
    assert.equal(groupedRows.length, 1, 'the two backend Pods are one workload');
    assert.match(
      groupedRows[0]!,
      /^shop\/ReplicaSet backend-[a-z0-9]+ \(2 Pods\),.*,allowed,,reachable,agree,/,
    );
  });

  test('errors: a bad selector, nothing selected, an unknown flag', async () => {
    assertOneLineError(
      await runCli(['matrix', '-n', 'shop', '-l', 'app in ('], { env: env() }),
      /--selector:/,
    );
    assertOneLineError(
      await runCli(['matrix', '-n', 'shop', '-l', 'app=nothing'], { env: env() }),
      /no Pod in namespace shop matches app=nothing in context "kubereach-sandbox"/,
    );
    assertOneLineError(await runCli(['matrix', '--bogus'], { env: env() }), /unknown option '--bogus'/);
  });
});
