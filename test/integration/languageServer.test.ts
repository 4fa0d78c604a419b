import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { resolve } from 'node:path';
import { test } from 'node:test';
import { createMessageConnection, StreamMessageReader, StreamMessageWriter } from 'vscode-jsonrpc/node';

const root = resolve(import.meta.dirname, '../..');

test('dist/server.js started with --stdio answers initialize and shuts down cleanly', async () => {
  const server = spawn(process.execPath, [resolve(root, 'dist/server.js'), '--stdio'], {
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  const exited = new Promise<number | null>((done) => server.once('exit', (code) => done(code)));
  const connection = createMessageConnection(
    new StreamMessageReader(server.stdout),
    new StreamMessageWriter(server.stdin),
  );
  const logged: string[] = [];
  connection.onNotification('window/logMessage', (params: { message: string }) => {
    logged.push(params.message);
  });
  connection.listen();

  const result = (await connection.sendRequest('initialize', {
    processId: process.pid,
    rootUri: null,
    capabilities: {},
    initializationOptions: { clientVersion: 'test' },
  })) as { serverInfo: { name: string; version: string }; capabilities: Record<string, unknown> };

  assert.equal(result.serverInfo.name, 'KubeReach');
  assert.match(result.serverInfo.version, /^\d+\.\d+\.\d+/);
  assert.ok(result.capabilities.textDocumentSync, 'server syncs documents');
  await connection.sendNotification('initialized', {});

  await connection.sendRequest('shutdown');
  await connection.sendNotification('exit');
  assert.equal(await exited, 0);
  assert.ok(
    logged.some((line) => line.includes('client test')),
    'server logged through connection.console',
  );
  connection.dispose();
});
