import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ApiException } from '@kubernetes/client-node';
import { classifyError } from '../../../src/cluster/errors.ts';

const server = 'https://10.0.0.1:6443';

/** undici's `fetch` failure: a TypeError whose cause is the socket error. */
function fetchFailed(cause: Record<string, unknown> & { message: string }): Error {
  const inner = Object.assign(new Error(cause.message), cause);
  return new TypeError('fetch failed', { cause: inner });
}

function status(code: number, reason: string, message: string): string {
  return JSON.stringify({ kind: 'Status', apiVersion: 'v1', status: 'Failure', message, reason, code });
}

test('ECONNREFUSED through undici: unreachable, naming the server', () => {
  const error = fetchFailed({ message: 'connect ECONNREFUSED 10.0.0.1:6443', code: 'ECONNREFUSED' });
  assert.deepEqual(classifyError(error, { server }), {
    kind: 'unreachable',
    message: 'The API server at https://10.0.0.1:6443 refused the connection.',
  });
});

test('ECONNREFUSED inside an AggregateError (happy eyeballs), and from a plain socket (ws)', () => {
  const aggregate = Object.assign(
    new AggregateError([
      Object.assign(new Error('connect ECONNREFUSED ::1:6443'), { code: 'ECONNREFUSED' }),
      Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:6443'), { code: 'ECONNREFUSED' }),
    ]),
    { code: 'ECONNREFUSED' },
  );
  assert.equal(
    classifyError(new TypeError('fetch failed', { cause: aggregate }), { server }).kind,
    'unreachable',
  );
  const socket = Object.assign(new Error('connect ECONNREFUSED 10.0.0.1:6443'), {
    code: 'ECONNREFUSED',
    errno: -111,
    syscall: 'connect',
  });
  assert.equal(
    classifyError(socket, { server }).message,
    `The API server at ${server} refused the connection.`,
  );
});

test('DNS failures, lost connections and unreachable networks', () => {
  assert.deepEqual(
    classifyError(fetchFailed({ message: 'getaddrinfo ENOTFOUND api.example', code: 'ENOTFOUND' }), {
      server: 'https://api.example:6443',
    }),
    { kind: 'unreachable', message: 'The host name of the API server api.example could not be resolved.' },
  );
  const lost = new TypeError('terminated', {
    cause: Object.assign(new Error('other side closed'), { code: 'UND_ERR_SOCKET' }),
  });
  assert.deepEqual(classifyError(lost, { server }), {
    kind: 'unreachable',
    message: `The connection to the API server at ${server} was lost.`,
  });
  assert.equal(
    classifyError(fetchFailed({ message: 'connect EHOSTUNREACH', code: 'EHOSTUNREACH' }), { server }).message,
    `The API server at ${server} cannot be reached from this machine (EHOSTUNREACH).`,
  );
});

test('timeouts: undici connect timeout, the Watch TimeoutError, ETIMEDOUT, 504', () => {
  const timeouts = [
    fetchFailed({ message: 'Connect Timeout Error', code: 'UND_ERR_CONNECT_TIMEOUT' }),
    new DOMException('The operation was aborted due to timeout', 'TimeoutError'),
    Object.assign(new Error('connect ETIMEDOUT 10.0.0.1:6443'), { code: 'ETIMEDOUT' }),
    new ApiException(504, 'Gateway Timeout', '', {}),
  ];
  for (const error of timeouts) {
    const classified = classifyError(error, { server });
    assert.equal(classified.kind, 'timeout', String(error));
    assert.match(classified.message, /^The API server at https:\/\/10\.0\.0\.1:6443 did not answer in time/);
  }
});

test('certificate errors: tls', () => {
  const cases: Array<[string, RegExp]> = [
    ['DEPTH_ZERO_SELF_SIGNED_CERT', /presented a certificate that is not trusted/],
    ['UNABLE_TO_VERIFY_LEAF_SIGNATURE', /presented a certificate that is not trusted/],
    ['SELF_SIGNED_CERT_IN_CHAIN', /presented a certificate that is not trusted/],
    ['CERT_HAS_EXPIRED', /^The certificate of the API server at https:\/\/10\.0\.0\.1:6443 has expired\.$/],
    [
      'ERR_TLS_CERT_ALTNAME_INVALID',
      /^The certificate of the API server does not match the host 10\.0\.0\.1\.$/,
    ],
    ['ERR_SSL_WRONG_VERSION_NUMBER', /TLS connection .* failed \(ERR_SSL_WRONG_VERSION_NUMBER\)/],
  ];
  for (const [code, message] of cases) {
    const classified = classifyError(fetchFailed({ message: `some ${code} text`, code }), { server });
    assert.equal(classified.kind, 'tls', code);
    assert.match(classified.message, message);
  }
  assert.equal(
    classifyError(
      Object.assign(new Error('error:1E08010C:DECODER routines::unsupported'), {
        code: 'ERR_OSSL_UNSUPPORTED',
      }),
    ).kind,
    'tls',
  );
});

test('401 from the API (ApiException), from a watch (statusCode), from ws', () => {
  const errors = [
    new ApiException(401, 'Unauthorized', status(401, 'Unauthorized', 'Unauthorized'), {
      authorization: 'Bearer s3cr3t',
    }),
    Object.assign(new Error('Unauthorized'), { statusCode: 401 }),
    new Error('Unexpected server response: 401'),
  ];
  for (const error of errors) {
    const classified = classifyError(error, { server });
    assert.deepEqual(classified, {
      kind: 'unauthorized',
      status: 401,
      message: `The API server at ${server} rejected the credentials of this context (401 Unauthorized).`,
    });
  }
});

test("403 carries the server's message; a watch's 403 names the resource", () => {
  const body = status(
    403,
    'Forbidden',
    'namespaces is forbidden: User "dev" cannot list resource "namespaces" in API group "" at the cluster scope',
  );
  assert.deepEqual(classifyError(new ApiException(403, 'Forbidden', body, {}), { server }), {
    kind: 'forbidden',
    status: 403,
    message:
      'namespaces is forbidden: User "dev" cannot list resource "namespaces" in API group "" at the cluster scope.',
  });
  assert.deepEqual(
    classifyError(Object.assign(new Error('Forbidden'), { statusCode: 403 }), {
      server,
      resource: 'networkpolicies in namespace web',
    }),
    {
      kind: 'forbidden',
      status: 403,
      message: 'Access to networkpolicies in namespace web is forbidden (403 Forbidden).',
    },
  );
});

test('404 and other statuses', () => {
  assert.deepEqual(
    classifyError(new ApiException(404, 'Not Found', status(404, 'NotFound', 'pods "x" not found'), {})),
    { kind: 'not-found', status: 404, message: 'pods "x" not found.' },
  );
  assert.deepEqual(
    classifyError(Object.assign(new Error('Not Found'), { statusCode: 404 }), {
      server,
      resource: 'endpointslices in namespace web',
    }),
    {
      kind: 'not-found',
      status: 404,
      message: `The API server at ${server} does not serve endpointslices in namespace web (404 Not Found).`,
    },
  );
  assert.deepEqual(
    classifyError(
      new ApiException(500, 'oops', status(500, 'InternalError', 'etcdserver: request timed out.'), {}),
      {
        server,
      },
    ),
    {
      kind: 'other',
      status: 500,
      message: `The API server at ${server} answered 500 Internal Server Error: etcdserver: request timed out.`,
    },
  );
  // A body that is already an object (client-node sometimes parses it).
  assert.equal(
    classifyError(new ApiException(429, 'x', { kind: 'Status', message: 'slow down' }, {})).message,
    'The API server answered 429 Too Many Requests: slow down.',
  );
});

test('never a stack, never the response headers, never a credential', () => {
  const apiException = new ApiException(500, 'Internal', 'not json', {
    authorization: 'Bearer s3cr3t-token',
    'set-cookie': 'session=abc',
  });
  const classified = classifyError(apiException, { server });
  assert.ok(!classified.message.includes('s3cr3t') && !classified.message.includes('session'));
  assert.ok(!classified.message.includes('\n'));

  const leaky = new Error('exec plugin failed: token: s3cr3t-token\n    at Object.<anonymous> (/x.js:1:1)');
  const other = classifyError(leaky);
  assert.equal(other.kind, 'other');
  assert.ok(!other.message.includes('s3cr3t') && !other.message.includes('at Object'), other.message);
  assert.match(other.message, /^exec plugin failed: token: <redacted>\.$/);

  assert.deepEqual(classifyError('something odd'), { kind: 'other', message: 'something odd.' });
  assert.deepEqual(classifyError(undefined), { kind: 'other', message: 'Unknown error.' });
  assert.equal(
    classifyError(new DOMException('This operation was aborted', 'AbortError')).message,
    'The request was cancelled.',
  );
});
