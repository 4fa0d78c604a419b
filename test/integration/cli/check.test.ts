/**
 * `kubereach check` as a CI job runs it: the built dist/cli.js over the repository's examples/ and
 * the fixture workspace, with its text, JSON and SARIF outputs read back (SARIF validated by the
 * SARIF multitool against the 2.1.0 schema) and its exit statuses.
 */
import assert from 'node:assert/strict';
import { execFile, spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { CODES } from '../../../src/analysis/manifests/codes.ts';
import { assertOneLineError, binPath, root, runCli } from './run.ts';

interface JsonOutput {
  version: string;
  files: {
    path: string;
    diagnostics: {
      code: string;
      severity: string;
      message: string;
      line: number;
      column: number;
      range: { start: { line: number; character: number }; end: { line: number; character: number } };
    }[];
  }[];
  summary: { error: number; warning: number; information: number; files: number; filesWithProblems: number };
}

/** What examples/ holds: one error in the policy, a workspace error and warning in the Services. */
const EXAMPLES = [
  'examples/shop/policy.yaml:12:7 error KR2002',
  'examples/shop/services.yaml:16:19 error KR3002',
  'examples/shop/services.yaml:25:3 warning KR3001',
];

function flatten(output: JsonOutput): string[] {
  return output.files.flatMap((file) =>
    file.diagnostics.map((d) => `${file.path}:${d.line}:${d.column} ${d.severity} ${d.code}`),
  );
}

const temporary: string[] = [];
after(() => {
  for (const folder of temporary) {
    rmSync(folder, { recursive: true, force: true });
  }
});

function scratch(): string {
  const folder = mkdtempSync(join(tmpdir(), 'kubereach-cli-'));
  temporary.push(folder);
  return folder;
}

describe('text output', () => {
  test('grouped by file, file:line:col, severity, message and code, a summary, exit 1 on errors', async () => {
    const result = await runCli(['check', 'examples']);
    assert.equal(result.status, 1, result.stderr);
    assert.equal(result.stderr, '');
    const lines = result.stdout.split('\n');
    assert.equal(lines[0], 'examples/shop/policy.yaml');
    assert.match(lines[1]!, /^ {2}12:7 {2}error {7}policyTypes entry "ingress" is not valid.*KR2002$/);
    assert.ok(lines.includes('examples/shop/services.yaml'));
    assert.ok(lines.some((line) => /^ {2}16:19 {2}error .*"metrics".* {2}KR3002$/.test(line)));
    assert.ok(lines.some((line) => /^ {2}25:3 {3}warning .*app=api-server.* {2}KR3001$/.test(line)));
    assert.match(
      result.stdout,
      /✖ 3 problems \(2 errors, 1 warning, 0 information\) in 2 files of 4 checked\.\n$/,
    );
    // Not a terminal: no colour codes.
    assert.ok(!result.stdout.includes('\u001b['), 'no ANSI escapes off a terminal');
  });

  test('a clean folder: a line saying so, exit 0', async () => {
    const result = await runCli(['check', 'examples/clean']);
    assert.equal(result.status, 0);
    assert.equal(result.stdout, '✔ No problems in 1 manifest file.\n');
  });

  test('the disable comment of examples/ holds: the payments Service is not reported', async () => {
    const folder = scratch();
    cpSync(join(root, 'examples/shop'), folder, { recursive: true });
    const path = join(folder, 'services.yaml');
    writeFileSync(path, readFileSync(path, 'utf8').replace(/# kubereach-disable KR3001.*\n/, ''));
    const without = JSON.parse((await runCli(['check', folder, '-o', 'json'])).stdout) as JsonOutput;
    assert.ok(
      flatten(without).some((line) => /services\.yaml:\d+:3 warning KR3001/.test(line)) &&
        without.summary.warning === 2,
      'without the comment the payments Service is flagged too',
    );
    const withComment = JSON.parse((await runCli(['check', 'examples', '-o', 'json'])).stdout) as JsonOutput;
    assert.equal(withComment.summary.warning, 1);
  });
});

describe('JSON output', () => {
  test('every diagnostic with 1-based line and column, LSP range, and a summary', async () => {
    const result = await runCli(['check', 'examples', '-o', 'json']);
    assert.equal(result.status, 1);
    const output = JSON.parse(result.stdout) as JsonOutput;
    assert.match(output.version, /^\d+\.\d+\.\d+/);
    assert.deepEqual(flatten(output), EXAMPLES);
    assert.deepEqual(
      output.files.map((file) => file.path),
      [
        'examples/clean/app.yaml',
        'examples/shop/policy.yaml',
        'examples/shop/services.yaml',
        'examples/shop/workloads.yaml',
      ],
      'every manifest file read is listed, clean ones too',
    );
    const first = output.files[1]!.diagnostics[0]!;
    assert.deepEqual(first.range.start, { line: 11, character: 6 });
    assert.deepEqual(output.summary, {
      error: 2,
      warning: 1,
      information: 0,
      hint: 0,
      files: 4,
      filesWithProblems: 2,
    });
  });
});

describe('exit status', () => {
  test('--fail-on sets the threshold; --disable drops codes', async () => {
    const warningOnly = ['check', 'examples', '--disable', 'KR2002,kr3002'];
    const byDefault = await runCli(warningOnly);
    assert.equal(byDefault.status, 0, 'a warning does not fail by default');
    assert.match(byDefault.stdout, /1 problem \(0 errors, 1 warning/);
    assert.equal((await runCli([...warningOnly, '--fail-on', 'warning'])).status, 1);
    assert.equal((await runCli([...warningOnly, '--fail-on', 'information'])).status, 1);
    assert.equal((await runCli(['check', 'examples', '--fail-on', 'none'])).status, 0);
    const repeated = await runCli([
      'check',
      'examples',
      '--disable',
      'KR2002',
      '--disable',
      'KR3002',
      '-o',
      'json',
    ]);
    assert.deepEqual(flatten(JSON.parse(repeated.stdout) as JsonOutput), [EXAMPLES[2]]);
  });

  test('usage errors: one line, a hint, exit 2', async () => {
    assertOneLineError(await runCli(['check', '--bogus']), /unknown option '--bogus'/);
    assertOneLineError(await runCli(['check', '-o', 'xml']), /--output must be one of text, json, sarif/);
    assertOneLineError(await runCli(['check', '--fail-on', 'fatal']), /--fail-on must be one of/);
    assertOneLineError(await runCli(['check', '--disable', 'KR9999']), /unknown diagnostic code KR9999/);
    assertOneLineError(
      await runCli(['check', '--context', 'x']),
      /--kubeconfig and --context need --cluster/,
    );
    assertOneLineError(await runCli(['frobnicate']), /unknown command "frobnicate" for "kubereach"/);
  });

  test('a missing path: one line, exit 2', async () => {
    assertOneLineError(
      await runCli(['check', 'examples', 'no/such/folder']),
      /the path "no\/such\/folder" does not exist/,
    );
  });

  test('help and version through the npm bin', async () => {
    const help = await runCli(['--help'], { script: binPath });
    assert.equal(help.status, 0);
    assert.match(help.stdout, /Usage:\n {2}kubereach COMMAND/);
    assert.match(help.stdout, /\n {2}check /);
    const checkHelp = await runCli(['check', '--help'], { script: binPath });
    assert.equal(checkHelp.status, 0);
    assert.match(checkHelp.stdout, /--fail-on SEVERITY/);
    const version = await runCli(['--version'], { script: binPath });
    const { version: packageVersion } = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as {
      version: string;
    };
    assert.equal(version.stdout, `kubereach ${packageVersion}\n`);
  });
});

/** The machine's own Node, when it is older than client-node needs (Node 20 on the CI image). */
const oldNode = (() => {
  const result = spawnSync('/usr/bin/node', ['-p', 'process.versions.node'], { encoding: 'utf8' });
  const version = result.status === 0 ? result.stdout.trim() : undefined;
  return version !== undefined && Number(version.split('.')[0]) < 22 ? version : undefined;
})();

describe(
  'on a Node older than client-node needs',
  { skip: oldNode === undefined && 'no older Node here' },
  () => {
    test('check runs (it never loads client-node); --cluster says what it needs in one line', async () => {
      const plain = await runCli(['check', 'examples', '-o', 'json'], {
        node: '/usr/bin/node',
        script: binPath,
      });
      assert.equal(plain.status, 1, plain.stderr);
      assert.deepEqual(flatten(JSON.parse(plain.stdout) as JsonOutput), EXAMPLES);
      assertOneLineError(
        await runCli(['check', 'examples', '--cluster'], { node: '/usr/bin/node', script: binPath }),
        new RegExp(
          `needs Node 22\\.19\\.0 or newer \\(client-node 2\\); this is Node ${oldNode?.replace(/\./g, '\\.')}$`,
        ),
      );
    });
  },
);

describe('SARIF output', () => {
  const require = createRequire(import.meta.url);
  const multitool = require('@microsoft/sarif-multitool-linux') as string;
  const schema = join(multitool, '..', 'sarif-2.1.0.json');

  /** The multitool's `validate` (schema and SARIF rules); its findings as "LEVEL RULE: text". */
  function validate(file: string): Promise<string[]> {
    const output = `${file}.validation.sarif`;
    return new Promise((resolve, reject) => {
      execFile(
        multitool,
        ['validate', file, '--output', output, '--json-schema', schema, '--quiet'],
        { timeout: 120_000 },
        (error) => {
          if (error) {
            reject(error);
            return;
          }
          const log = JSON.parse(readFileSync(output, 'utf8')) as {
            runs: {
              results?: {
                ruleId: string;
                level?: string;
                message: { text?: string; arguments?: string[] };
              }[];
            }[];
          };
          resolve(
            (log.runs[0]!.results ?? []).map(
              (r) =>
                `${r.level ?? 'warning'} ${r.ruleId}: ${r.message.text ?? (r.message.arguments ?? []).join(' | ')}`,
            ),
          );
        },
      );
    });
  }

  test('valid SARIF 2.1.0: rules for every code, levels, regions, relative locations', async () => {
    const folder = scratch();
    const result = await runCli(['check', 'examples', '-o', 'sarif']);
    assert.equal(result.status, 1);
    const file = join(folder, 'kubereach.sarif');
    writeFileSync(file, result.stdout);
    const findings = await validate(file);
    assert.deepEqual(
      findings.filter((line) => line.startsWith('error')),
      [],
      'no schema or SARIF rule errors',
    );
    // The validator read this very log: it notes the driver has no informationUri (KubeReach has no
    // public home yet), which also proves the file was analysed rather than skipped.
    assert.ok(
      findings.some((line) => /SARIF2005: .*KubeReach/.test(line)),
      findings.join('\n'),
    );

    const log = JSON.parse(result.stdout) as {
      version: string;
      runs: {
        tool: { driver: { name: string; rules: { id: string; defaultConfiguration: { level: string } }[] } };
        originalUriBaseIds: Record<string, { uri: string }>;
        results: {
          ruleId: string;
          ruleIndex: number;
          level: string;
          locations: {
            physicalLocation: {
              artifactLocation: { uri: string; uriBaseId: string };
              region: { startLine: number; startColumn: number; endLine: number; endColumn: number };
            };
          }[];
        }[];
      }[];
    };
    assert.equal(log.version, '2.1.0');
    const run = log.runs[0]!;
    assert.deepEqual(
      run.tool.driver.rules.map((rule) => rule.id),
      Object.keys(CODES),
    );
    assert.equal(
      run.tool.driver.rules.find((rule) => rule.id === 'KR3004')!.defaultConfiguration.level,
      'note',
    );
    assert.deepEqual(
      run.results.map((r) => {
        const { artifactLocation, region } = r.locations[0]!.physicalLocation;
        return `${artifactLocation.uri}:${region.startLine}:${region.startColumn} ${r.level} ${r.ruleId}`;
      }),
      EXAMPLES,
    );
    for (const r of run.results) {
      assert.equal(run.tool.driver.rules[r.ruleIndex]!.id, r.ruleId);
      assert.equal(r.locations[0]!.physicalLocation.artifactLocation.uriBaseId, '%SRCROOT%');
    }
    assert.equal(run.originalUriBaseIds['%SRCROOT%']!.uri, `file://${root}/`);
  });

  test('the validator bites: a broken log is reported', async () => {
    const folder = scratch();
    const result = await runCli(['check', 'examples', '-o', 'sarif']);
    const log = JSON.parse(result.stdout) as {
      runs: { results: { locations: { physicalLocation: { region: { startLine: number } } }[] }[] }[];
    };
    log.runs[0]!.results[0]!.locations[0]!.physicalLocation.region.startLine = 0;
    const file = join(folder, 'broken.sarif');
    writeFileSync(file, JSON.stringify(log));
    const findings = await validate(file);
    assert.ok(
      findings.some((line) => /^error JSON1008: .*startLine/.test(line)),
      findings.join('\n'),
    );
  });
});
