/**
 * `kubereach check --cluster` against the sandbox (demo scenario): the cluster-aware findings the
 * language server makes, with the kubeconfig and context taken as kubectl takes them; and every
 * way the cluster can be missing, a one-line error with exit status 2.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { useSandbox } from '../../support/sandbox.ts';
import { assertOneLineError, root, runCli } from './run.ts';

const SHOP = join(root, 'test/fixtures/workspace/shop');

interface JsonOutput {
  files: { path: string; diagnostics: { code: string; line: number; message: string }[] }[];
}

function codes(stdout: string): string[] {
  return (JSON.parse(stdout) as JsonOutput).files.flatMap((file) =>
    file.diagnostics.map((d) => `${file.path.split('/').at(-1)}:${d.line} ${d.code}`),
  );
}

describe('check --cluster', () => {
  const fixture = useSandbox({ scenario: 'demo' });
  const scratch = mkdtempSync(join(tmpdir(), 'kubereach-cli-cluster-'));
  after(() => rmSync(scratch, { recursive: true, force: true }));

  test('the live Pods of the namespace: no Pod matches, none ready', async () => {
    const result = await runCli(['check', SHOP, '--cluster', '-o', 'json'], {
      env: { KUBECONFIG: fixture.sandbox.kubeconfigPath },
    });
    assert.equal(result.status, 1, result.stderr);
    const found = codes(result.stdout);
    assert.ok(found.includes('services.yaml:25 KR4001'), found.join('\n'));
    assert.ok(found.includes('services.yaml:53 KR4002'), found.join('\n'));
    assert.ok(found.includes('services.yaml:25 KR3001'), 'the workspace findings stay');
    const message = (JSON.parse(result.stdout) as JsonOutput).files
      .flatMap((file) => file.diagnostics)
      .find((d) => d.code === 'KR4002')!.message;
    assert.match(message, /context kubereach-sandbox/);
  });

  test('without --cluster, no cluster finding', async () => {
    const result = await runCli(['check', SHOP, '-o', 'json'], {
      env: { KUBECONFIG: fixture.sandbox.kubeconfigPath },
    });
    assert.ok(!codes(result.stdout).some((line) => / KR4\d{3}$/.test(line)));
  });

  test('--kubeconfig and --context as kubectl takes them', async () => {
    const result = await runCli(
      [
        'check',
        SHOP,
        '--cluster',
        '--kubeconfig',
        fixture.sandbox.kubeconfigPath,
        '--context',
        fixture.sandbox.context,
        '-o',
        'json',
      ],
      { env: { KUBECONFIG: join(scratch, 'elsewhere') } },
    );
    assert.equal(result.status, 1, result.stderr);
    assert.ok(codes(result.stdout).includes('services.yaml:25 KR4001'));
  });

  test('an unknown context: one line, exit 2', async () => {
    assertOneLineError(
      await runCli([
        'check',
        SHOP,
        '--cluster',
        '--kubeconfig',
        fixture.sandbox.kubeconfigPath,
        '--context',
        'nope',
      ]),
      /context "nope" does not exist/,
    );
  });

  test('an unreachable server: one line naming it, exit 2', async () => {
    const kubeconfig = join(scratch, 'unreachable');
    // Port 9 (discard) on loopback: nothing listens there in the test environment.
    writeFileSync(
      kubeconfig,
      readFileSync(fixture.sandbox.kubeconfigPath, 'utf8').replace(
        /https:\/\/127\.0\.0\.1:\d+/,
        'https://127.0.0.1:9',
      ),
    );
    assertOneLineError(
      await runCli(['check', SHOP, '--cluster', '--kubeconfig', kubeconfig]),
      /cannot read the cluster of context "kubereach-sandbox" \(disconnected\): .*127\.0\.0\.1:9 refused the connection/,
    );
  });

  test('no kubeconfig at all, or a missing file: one line, exit 2', async () => {
    assertOneLineError(await runCli(['check', SHOP, '--cluster']), /no cluster: no kubeconfig found/);
    assertOneLineError(
      await runCli(['check', SHOP, '--cluster', '--kubeconfig', join(scratch, 'missing')]),
      /stat .*missing: no such file or directory/,
    );
  });

  test('a bad --request-timeout: a usage error', async () => {
    assertOneLineError(
      await runCli(['check', SHOP, '--cluster', '--request-timeout', 'soon']),
      /--request-timeout must be a duration/,
    );
  });
});
