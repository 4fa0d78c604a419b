/** The demo's preflight: what each missing piece is reported as, and the one line that says what to run. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { preflight, preflightMessage, systemProbes } from '../../../scripts/preflight.ts';
import type { PreflightProbes } from '../../../scripts/preflight.ts';

/** A Debian machine with everything, unless told otherwise. */
function machine(overrides: Partial<PreflightProbes> & { missing?: string[]; unlistenable?: string[] } = {}) {
  const missing = new Set(overrides.missing ?? []);
  const unlistenable = new Set(overrides.unlistenable ?? []);
  const probes: PreflightProbes = {
    platform: 'linux',
    nodeVersion: '24.11.0',
    distro: ['debian'],
    codeServerInstalled: false,
    port: 8080,
    hasCommand: (name) => !missing.has(name),
    hasHeader: (name) => !missing.has(name),
    canListen: (address, port) => Promise.resolve(!unlistenable.has(`${address}:${port}`)),
    ...overrides,
  };
  return probes;
}

async function line(probes: PreflightProbes): Promise<string | undefined> {
  return preflightMessage(await preflight(probes), probes);
}

test('a machine with everything passes', async () => {
  assert.deepEqual(await preflight(machine()), []);
  assert.equal(await line(machine()), undefined);
});

test('missing build tools and headers are named with one apt-get line', async () => {
  const message = await line(machine({ missing: ['g++', 'c++', 'make', 'gssapi/gssapi.h', 'python3'] }));
  assert.ok(message);
  assert.doesNotMatch(message, /\n/, 'one line');
  assert.match(message, /a C\+\+ compiler, make, the Kerberos headers \(gssapi\/gssapi\.h/);
  assert.match(message, /sudo apt-get install -y g\+\+ make libkrb5-dev python3\.$/);
});

test('the build tools do not matter once code-server is installed', async () => {
  const probes = machine({
    codeServerInstalled: true,
    missing: ['g++', 'c++', 'make', 'gssapi/gssapi.h', 'python3'],
  });
  assert.deepEqual(await preflight(probes), []);
});

test('Fedora gets dnf and its package names', async () => {
  const message = await line(machine({ distro: ['fedora'], missing: ['gssapi/gssapi.h', 'unzip'] }));
  assert.match(message!, /sudo dnf install -y unzip krb5-devel\.$/);
});

test('an unknown distribution gets the Debian names, said to be such', async () => {
  const message = await line(machine({ distro: ['arch'], missing: ['gssapi/gssapi.h'] }));
  assert.match(message!, /install libkrb5-dev \(Debian package names\)/);
});

test('the wrong Node says to run npm ci', async () => {
  const message = await line(machine({ nodeVersion: '20.19.2' }));
  assert.match(
    message!,
    /^npm run demo needs Node 24 \(this is Node 20\.19\.2\)\. To fix: run `npm ci` first/,
  );
});

test('macOS without loopback aliases: says what to do, and asks for the command line tools', async () => {
  const probes = machine({
    platform: 'darwin',
    distro: [],
    missing: ['c++'],
    unlistenable: ['127.0.0.2:0'],
  });
  const message = await line(probes);
  assert.match(message!, /a C\+\+ compiler and make .*loopback addresses beyond 127\.0\.0\.1/);
  assert.match(
    message!,
    /xcode-select --install; then macOS routes only 127\.0\.0\.1: run the demo in a Linux VM/,
  );
  assert.doesNotMatch(message!, /gssapi/, 'macOS brings GSSAPI in its SDK');
});

test('Linux with only 127.0.0.1 on lo gets the ip command', async () => {
  const message = await line(machine({ unlistenable: ['127.0.0.2:0'] }));
  assert.match(message!, /sudo ip addr add 127\.0\.0\.0\/8 dev lo/);
});

test('a taken port is said before anything starts, with the next one to try', async () => {
  const message = await line(machine({ port: 9000, unlistenable: ['127.0.0.1:9000'] }));
  assert.match(
    message!,
    /a free port 9000 on 127\.0\.0\.1\. To fix: choose another: npm run demo -- --port 9001\.$/,
  );
});

test('Windows is told about WSL and nothing else', async () => {
  const message = await line(machine({ platform: 'win32', missing: ['unzip'] }));
  assert.match(message!, /^npm run demo needs the platform win32 .* To fix: run it inside WSL 2/);
  assert.doesNotMatch(message!, /unzip/);
});

test("this machine's probes: an include path without the header makes it missing", async () => {
  const probes = systemProbes({
    port: 0,
    codeServerInstalled: false,
    env: { PATH: process.env.PATH, KUBEREACH_DEMO_INCLUDE_PATH: import.meta.dirname },
  });
  assert.equal(probes.hasHeader('gssapi/gssapi.h'), false);
  assert.equal(probes.hasCommand('node'), true);
  assert.equal(probes.hasCommand('surely-not-a-command-kubereach'), false);
  assert.equal(await probes.canListen('127.0.0.1', 0), true);
});
