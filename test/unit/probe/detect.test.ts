/**
 * Tool detection: the detection script run by the sandbox's shell interpreters (busybox ash, dash,
 * bash), what the runtime says for a missing executable, and the choice of tool.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { DIRECT_DETECTION, SHELL_DETECTION } from '../../../src/probe/commands.ts';
import {
  chooseTool,
  describeTools,
  directDetection,
  hasProbingTool,
  NO_TOOLS,
  parseDetectionOutput,
} from '../../../src/probe/detect.ts';
import { describeExecRejection, outcomeFromStatus, toolWasMissing } from '../../../src/probe/execStatus.ts';
import { ExecStartError } from '../../../sandbox/exec/index.ts';
import { run } from '../sandbox-exec/harness.ts';

const output = { stdout: '', stderr: '', elapsedMs: 1 };

describe('detection script', () => {
  for (const sh of ['busybox', 'dash', 'bash'] as const) {
    test(`${sh}: finds every tool present, whatever command -v does with missing ones`, async () => {
      const shellName = sh === 'bash' ? 'bash' : 'sh';
      const script = SHELL_DETECTION.find((argv) => argv[0] === shellName)!;
      const result = await run([...script], {
        tools: new Set([shellName, 'nc', 'wget']),
        flavours: { sh },
      });
      assert.equal(result.code, 0, result.stderr);
      const tools = parseDetectionOutput(result.stdout, shellName);
      assert.deepEqual(tools, {
        curl: false,
        wget: true,
        nc: true,
        bash: sh === 'bash',
        timeout: true,
        shell: shellName,
      });
    });
  }

  test('parses paths, bare names and ignores aliases and noise', () => {
    assert.deepEqual(
      parseDetectionOutput('/usr/bin/curl\nalias wget=busybox\n/bin/bash\r\n\ntimeout\n/opt/x/ncat\n', 'sh'),
      {
        curl: true,
        wget: false,
        nc: false,
        bash: true,
        timeout: true,
        shell: 'sh',
      },
    );
    assert.equal(parseDetectionOutput('', 'bash').bash, true);
  });

  test('without a shell, each tool is started on its own', async () => {
    for (const argv of Object.values(DIRECT_DETECTION)) {
      const present = await run([...argv], { tools: new Set(['curl', 'wget', 'nc']) });
      assert.ok(
        !toolWasMissing({ kind: 'exited', exitCode: present.code, ...output, stdout: present.stdout }),
        argv[0],
      );
      await assert.rejects(run([...argv], { tools: new Set([]) }), ExecStartError);
    }
    assert.deepEqual(directDetection({ curl: false, wget: true, nc: false }), { ...NO_TOOLS, wget: true });
  });
});

describe('choosing the tool', () => {
  const all = {
    ...NO_TOOLS,
    curl: true,
    wget: true,
    nc: true,
    bash: true,
    timeout: true,
    shell: 'sh' as const,
  };
  test('HTTP: curl, wget, nc, bash', () => {
    assert.equal(chooseTool(all, { protocol: 'http' }), 'curl');
    assert.equal(chooseTool({ ...all, curl: false }, { protocol: 'http' }), 'wget');
    assert.equal(chooseTool({ ...all, curl: false, wget: false }, { protocol: 'http' }), 'nc');
    assert.equal(chooseTool({ ...NO_TOOLS, bash: true }, { protocol: 'http' }), 'bash');
  });

  test('TCP: the tools that connect without HTTP first', () => {
    assert.equal(chooseTool(all, { protocol: 'tcp' }), 'nc');
    assert.equal(chooseTool({ ...all, nc: false }, { protocol: 'tcp' }), 'bash');
    assert.equal(chooseTool({ ...NO_TOOLS, curl: true }, { protocol: 'tcp' }), 'curl');
    assert.equal(chooseTool({ ...NO_TOOLS, wget: true }, { protocol: 'tcp' }), 'wget');
  });

  test('none', () => {
    assert.equal(chooseTool({ ...NO_TOOLS, timeout: true }, { protocol: 'http' }), undefined);
    assert.equal(hasProbingTool(NO_TOOLS), false);
    assert.equal(describeTools(NO_TOOLS), 'none of curl, wget, nc or bash');
    assert.equal(describeTools(all), 'curl, wget, nc, bash');
  });
});

describe('exec status', () => {
  test('exit codes from the error channel', () => {
    assert.deepEqual(outcomeFromStatus({ metadata: {}, status: 'Success' } as never, output), {
      kind: 'exited',
      exitCode: 0,
      ...output,
    });
    const failure = {
      status: 'Failure',
      reason: 'NonZeroExitCode',
      message: 'command terminated with non-zero exit code: error executing command [curl x], exit code 28',
      details: { causes: [{ reason: 'ExitCode', message: '28' }] },
    };
    assert.deepEqual(outcomeFromStatus(failure, output), { kind: 'exited', exitCode: 28, ...output });
  });

  test("the runtime's executable file not found is a missing tool, not an exit status", () => {
    const message =
      'Internal error occurred: error executing command in container: failed to exec in container: failed to start exec "5f44": OCI runtime exec failed: exec failed: unable to start container process: exec: "sh": executable file not found in $PATH: unknown';
    const outcome = outcomeFromStatus(
      { status: 'Failure', reason: 'InternalError', code: 500, message },
      output,
    );
    assert.equal(outcome.kind, 'not-started');
    assert.equal((outcome as { message: string }).message, 'exec: "sh": executable file not found in $PATH');
    assert.ok(toolWasMissing(outcome));
    // A runtime that reports it as 127 with nothing on stdout.
    assert.ok(toolWasMissing({ kind: 'exited', exitCode: 127, ...output, stderr: 'sh: curl: not found\n' }));
    assert.ok(!toolWasMissing({ kind: 'exited', exitCode: 7, ...output }));
    const other = outcomeFromStatus(
      { status: 'Failure', reason: 'InternalError', code: 500, message: 'Internal error occurred: boom' },
      output,
    );
    assert.equal(other.kind, 'failed');
  });

  test('refused upgrades say why, with the server message', () => {
    const where = { namespace: 'shop', pod: 'web', container: 'app' };
    const forbidden = JSON.stringify({
      kind: 'Status',
      message:
        'pods "web" is forbidden: User "viewer" cannot create resource "pods/exec" in API group "" in the namespace "shop"',
    });
    assert.equal(
      describeExecRejection(403, forbidden, where),
      'You may not run commands in Pod shop/web (403 Forbidden on pods/exec): pods "web" is forbidden: User "viewer" cannot create resource "pods/exec" in API group "" in the namespace "shop".',
    );
    assert.match(
      describeExecRejection(
        400,
        JSON.stringify({ message: 'unable to upgrade connection: container not found ("app")' }),
        where,
      ),
      /^Container app of Pod shop\/web is not running or does not exist: unable to upgrade/,
    );
    assert.match(describeExecRejection(404, '{}', where), /was not found/);
    assert.match(describeExecRejection(401, '', where), /401 Unauthorized/);
    assert.match(describeExecRejection(500, 'oops', where), /\(HTTP 500\): oops\.$/);
  });
});
