import assert from 'node:assert/strict';
import { test } from 'node:test';
import { redact } from '../../src/logging/redact.ts';

const cases: Array<[string, string, string]> = [
  ['bearer header', 'Authorization: Bearer abc.def-ghi', 'abc.def-ghi'],
  ['bearer in prose', 'sent bearer eyJhbGciOiJSUzI1NiJ9.payload.sig to the server', 'eyJhbGciOiJSUzI1NiJ9'],
  ['basic header', 'authorization: basic dXNlcjpwYXNz', 'dXNlcjpwYXNz'],
  ['yaml token', 'token: s3cr3t-value', 's3cr3t-value'],
  ['json token', '{"token":"s3cr3t"}', 's3cr3t'],
  ['client key data', 'client-key-data: LS0tLS1CRUdJTg==', 'LS0tLS1CRUdJTg=='],
  ['password', 'password=hunter2', 'hunter2'],
  ['url credentials', 'https://admin:pa55@10.0.0.1:6443/api', 'pa55'],
  ['pem key', '-----BEGIN RSA PRIVATE KEY-----\nMIIE\n-----END RSA PRIVATE KEY-----', 'MIIE'],
];

for (const [name, input, secret] of cases) {
  test(`redacts ${name}`, () => {
    const output = redact(input);
    assert.ok(!output.includes(secret), `${JSON.stringify(output)} still holds the secret`);
    assert.match(output, /redacted/);
  });
}

test('leaves ordinary text alone', () => {
  const text = 'GET https://127.0.0.1:6443/api/v1/pods?limit=500 200 OK (token count: n/a)';
  assert.equal(
    redact('pod frontend-7d9 in namespace shop is Ready'),
    'pod frontend-7d9 in namespace shop is Ready',
  );
  assert.ok(redact(text).startsWith('GET https://127.0.0.1:6443/api/v1/pods?limit=500 200 OK'));
});
