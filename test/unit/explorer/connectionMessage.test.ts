/**
 * The message under a context for each connection state, with its actions.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { connectionMessage } from '../../../src/explorer/connectionMessage.ts';

const NOW = 1_000_000;
const titles = (state: Parameters<typeof connectionMessage>[0]) =>
  connectionMessage(state, NOW)?.actions?.map((action) => action.title);

test('connected: no message; connecting: an info line without actions', () => {
  assert.equal(connectionMessage({ kind: 'connected' }, NOW), undefined);
  assert.deepEqual(connectionMessage({ kind: 'connecting' }, NOW), { text: 'Connecting…', severity: 'info' });
});

test('disconnected: the seconds until the retry, rounded up, never negative', () => {
  const state = { kind: 'disconnected', message: 'connect ECONNREFUSED', retryAt: NOW + 2_100 } as const;
  assert.deepEqual(connectionMessage(state, NOW), {
    text: 'Disconnected, retrying in 3s',
    severity: 'warning',
    detail: 'connect ECONNREFUSED',
    actions: [
      { title: 'Retry now', command: 'kubereach.refresh' },
      { title: 'Open Output', command: 'kubereach.openOutput' },
    ],
  });
  assert.equal(
    connectionMessage({ ...state, retryAt: NOW - 5_000 }, NOW)?.text,
    'Disconnected, retrying in 0s',
  );
  assert.equal(connectionMessage({ kind: 'disconnected' }, NOW)?.text, 'Disconnected, retrying');
});

test('401, TLS, 403 and other errors: an error line with the actions that help', () => {
  assert.equal(
    connectionMessage({ kind: 'unauthorized', message: 'm' }, NOW)?.text,
    'Not authorized (401): check the credentials of this context',
  );
  assert.deepEqual(titles({ kind: 'unauthorized' }), ['Retry now', 'Open kubeconfig', 'Open Output']);
  assert.equal(
    connectionMessage({ kind: 'tls' }, NOW)?.text,
    'TLS failure: the server certificate could not be verified',
  );
  assert.deepEqual(titles({ kind: 'tls' }), ['Retry now', 'Open kubeconfig', 'Open Output']);
  assert.equal(
    connectionMessage({ kind: 'forbidden' }, NOW)?.text,
    'Forbidden (403): this identity may not read what is shown',
  );
  assert.deepEqual(titles({ kind: 'forbidden' }), ['Retry now', 'Open Output']);
  assert.deepEqual(
    connectionMessage({ kind: 'error', message: 'The kubeconfig has no context named x.' }, NOW),
    {
      text: 'The kubeconfig has no context named x.',
      severity: 'error',
      detail: 'The kubeconfig has no context named x.',
      actions: [
        { title: 'Retry now', command: 'kubereach.refresh' },
        { title: 'Open Output', command: 'kubereach.openOutput' },
      ],
    },
  );
  assert.equal(connectionMessage({ kind: 'error' }, NOW)?.text, 'The cluster could not be read');
});
