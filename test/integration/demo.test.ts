/**
 * `npm run demo` on a machine that lacks something: it says what in one line before it builds or
 * downloads anything, and whatever fails later, it leaves nothing behind (no sandbox process, no
 * temporary folder, nothing in the home folder).
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, test } from 'node:test';
import { CODE_SERVER_VERSION } from '../e2e/support/codeServer.ts';

const root = resolve(import.meta.dirname, '../..');
const scratch = mkdtempSync(join(tmpdir(), 'kubereach-demo-test-'));
after(() => rmSync(scratch, { recursive: true, force: true }));

/** Runs the demo with a home, a temporary folder and a code-server cache of its own. */
function runDemo(name: string, env: Record<string, string>, timeoutMs: number) {
  const dirs = { home: join(scratch, name, 'home'), tmp: join(scratch, name, 'tmp') };
  Object.values(dirs).forEach((dir) => mkdirSync(dir, { recursive: true }));
  const cache = join(scratch, name, 'cache');
  mkdirSync(cache, { recursive: true });
  const child = spawn(process.execPath, [join(root, 'scripts/demo.ts'), '--port', '0'], {
    cwd: root,
    env: {
      PATH: process.env.PATH,
      HOME: dirs.home,
      TMPDIR: dirs.tmp,
      KUBEREACH_CODE_SERVER_CACHE: cache,
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<number | null>((done, fail) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      fail(new Error(`the demo did not end within ${timeoutMs} ms:\n${stdout}\n${stderr}`));
    }, timeoutMs);
    child.once('exit', (code) => {
      clearTimeout(timer);
      done(code);
    });
  });
  return { dirs, cache, exited, output: () => ({ stdout, stderr }) };
}

/** Processes whose command line names the folder: the sandbox runs with its state folder there. */
function processesUsing(folder: string): string[] {
  return readdirSync('/proc')
    .filter((entry) => /^\d+$/.test(entry))
    .flatMap((pid) => {
      try {
        const cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8').replaceAll('\0', ' ');
        return cmdline.includes(folder) ? [cmdline] : [];
      } catch {
        return [];
      }
    });
}

test('a missing header: one line naming the package, before any build or download, nothing left', async () => {
  const emptyInclude = join(scratch, 'include');
  mkdirSync(emptyInclude, { recursive: true });
  const demo = runDemo('preflight', { KUBEREACH_DEMO_INCLUDE_PATH: emptyInclude }, 30_000);
  assert.equal(await demo.exited, 1);
  const { stdout, stderr } = demo.output();
  assert.equal(stdout, '', 'nothing started, so nothing to say about it');
  const lines = stderr.trim().split('\n');
  assert.equal(lines.length, 1, `one line: ${stderr}`);
  assert.match(
    lines[0]!,
    /^npm run demo needs the Kerberos headers \(gssapi\/gssapi\.h.*install -y libkrb5-dev\.$/,
  );
  for (const dir of [...Object.values(demo.dirs), demo.cache]) {
    assert.deepEqual(readdirSync(dir), [], `${dir} stays empty: no download, no workspace, no settings`);
  }
});

test('code-server failing to start: the sandbox is stopped and every temporary folder removed', async (t) => {
  // A code-server that is "installed" and fails at once, so the demo gets past its build and sandbox.
  const cache = join(scratch, 'failing', 'cache');
  mkdirSync(join(cache, 'bin'), { recursive: true });
  const binary = join(cache, 'bin', 'code-server');
  writeFileSync(binary, '#!/bin/sh\necho "code-server: cannot start (injected failure)" >&2\nexit 3\n');
  chmodSync(binary, 0o755);
  writeFileSync(join(cache, `.installed-${CODE_SERVER_VERSION}`), 'test');
  t.after(() => {
    // The demo packaged a production build: leave the development build the other tests expect.
    const rebuilt = spawn(process.execPath, ['esbuild.js'], { cwd: root, stdio: 'ignore' });
    return new Promise((done) => rebuilt.once('exit', done));
  });

  const demo = runDemo('failing', {}, 240_000);
  assert.equal(await demo.exited, 1);
  const { stdout, stderr } = demo.output();
  assert.match(stdout, /Starting the sandbox[\s\S]*Starting VS Code/, 'it got as far as code-server');
  assert.match(stderr.trim().split('\n').at(-1)!, /^The demo could not start: code-server exited with 3:$/);
  assert.match(stderr, /injected failure/, "code-server's own words are shown");
  assert.deepEqual(
    // npm keeps Node's compile cache in the temporary folder, as it does for any npm command.
    readdirSync(demo.dirs.tmp).filter((entry) => entry !== 'node-compile-cache'),
    [],
    'the sandbox state, the workspace and the code-server folders are gone',
  );
  // npm run package keeps npm's logs in ~/.npm, as any npm command does; code-server writes nowhere in ~.
  assert.deepEqual(
    readdirSync(demo.dirs.home).filter((entry) => entry !== '.npm'),
    [],
    'nothing else written to the home folder (no ~/.config/code-server, no ~/.local/share/code-server)',
  );
  assert.deepEqual(processesUsing(demo.dirs.tmp), [], 'no sandbox process left');
});
