import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { afterEach, test } from 'node:test';
import { forgetSecrets, redact, redactStrings, rememberSecrets } from '../../src/logging/redact.ts';

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
  // The forms an independent review found past the first version.
  ['JSON-form basic authorization', '{"authorization":"Basic dXNlcjpwYXNz"}', 'dXNlcjpwYXNz'],
  ['JSON-form bearer authorization', '{"Authorization": "Bearer abc.def"}', 'abc.def'],
  [
    'authorization escaped in a Status body',
    '{"kind":"Status","message":"admission denied: {\\"authorization\\":\\"Basic dXNlcjpwYXNz\\"}","code":500}',
    'dXNlcjpwYXNz',
  ],
  [
    'authorization in a parsed Status message',
    'The API server answered 500 Internal Server Error: webhook saw {"headers":{"authorization":"Basic dXNlcjpwYXNz"}}.',
    'dXNlcjpwYXNz',
  ],
  ['single-quoted token', "token: 'tok en-123'", 'en-123'],
  ['double-quoted token with spaces', 'token: "tok en-123"', 'en-123'],
  ['double-quoted JSON password with spaces', '{"password": "my secret pass", "user": "x"}', 'secret pass'],
  ['password with spaces', 'password: my secret pass', 'secret pass'],
  ['cookie header', 'Cookie: session=abc123; csrf=def456', 'abc123'],
  ['set-cookie header', 'Set-Cookie: session=abc123; Path=/; HttpOnly', 'abc123'],
  ['x-api-key header', 'x-api-key: k3y-value', 'k3y-value'],
  ['x-api-key in JSON', '{"x-api-key":"k3y-value"}', 'k3y-value'],
  ['apiKey field', 'apiKey: k3y-value', 'k3y-value'],
  ['api_key query', 'GET /v1?api_key=k3y-value&x=1', 'k3y-value'],
  ['user and password in a URL', 'probe http://user:p4ss@web.shop:8080/x failed', 'p4ss'],
  ['password with @ in a URL', 'https://user:p@ss@host/x', 'p@ss'],
  ['token as URL user', 'https://ghp_t0k3n@github.com/org/repo', 'ghp_t0k3n'],
  [
    'URL pasted as a file path (one slash left)',
    'Cannot read the kubeconfig file /home/me/https:/admin:S3cretPw@example.com/kubeconfig',
    'S3cretPw',
  ],
  [
    'PEM cut before its END line',
    'could not load key: -----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEA7',
    'MIIEowIBAAKCAQEA7',
  ],
  ['PEM key on one line (JSON)', '"key":"-----BEGIN EC PRIVATE KEY-----\\nMHcCAQEE', 'MHcCAQEE'],
  [
    'base64 PEM anywhere',
    'data LS0tLS1CRUdJTiBSU0EgUFJJVkFURSBLRVktLS0tLQo= here',
    'LS0tLS1CRUdJTiBSU0EgUFJJ',
  ],
  ['id-token', 'id-token: eyJhbGciOi.x.y', 'eyJhbGciOi'],
  ['refresh token in JSON', '{"refresh-token":"r3fr3sh"}', 'r3fr3sh'],
  ['client secret', 'clientSecret: "cl13nt s3cret"', 's3cret'],
  [
    'exec env value (YAML)',
    'exec:\n  env:\n  - name: AWS_SECRET_ACCESS_KEY_ID\n    value: wJalrXUtnFEMI\n',
    'wJalrXUtnFEMI',
  ],
  ['exec env value (JSON)', '"env":[{"name":"VAULT_ADDR_X","value":"hvs.CAESI"}]', 'hvs.CAESI'],
  ['flag', 'kubectl --token=abc.def get pods', 'abc.def'],
];

for (const [name, input, secret] of cases) {
  test(`redacts ${name}`, () => {
    const output = redact(input);
    assert.ok(!output.includes(secret), `${JSON.stringify(output)} still holds the secret`);
    assert.match(output, /redacted/);
    assert.equal(redact(output), output, 'redacting twice changes nothing');
  });
}

test('keeps what is not secret: the scheme, the user, the host, the rest of the line', () => {
  assert.equal(redact('Authorization: Basic dXNlcjpwYXNz'), 'Authorization: Basic <redacted>');
  assert.equal(
    redact('{"authorization":"Basic dXNlcjpwYXNz","path":"/api"}'),
    '{"authorization":"Basic <redacted>","path":"/api"}',
  );
  assert.equal(redact('http://user:p4ss@web.shop:8080/x'), 'http://user:<redacted>@web.shop:8080/x');
  assert.equal(redact('/home/me/https:/user:p4ss@host/x'), '/home/me/https:/user:<redacted>@host/x');
  assert.equal(redact("token: 'abc' # comment"), "token: '<redacted>' # comment");
  assert.equal(redact('GET /v1?api_key=k3y&x=1'), 'GET /v1?api_key=<redacted>&x=1');
  assert.equal(redact('password: my secret pass\nnext line'), 'password: <redacted>\nnext line');
});

afterEach(() => forgetSecrets());

test('remembered secrets are removed wherever they appear (an exec plugin echoing its env)', () => {
  rememberSecrets(['Sup3rS3cretValue', undefined, 'abc']);
  const stderr = 'plugin: cannot log in with Sup3rS3cretValue (expired)';
  assert.equal(redact(stderr), 'plugin: cannot log in with <redacted> (expired)');
  assert.equal(
    redact('abc stays: too short to be told from a word'),
    'abc stays: too short to be told from a word',
  );
  // A value remembered later (another kubeconfig loaded) counts from then on.
  rememberSecrets(['An0therS3cret']);
  assert.equal(redact('An0therS3cret and Sup3rS3cretValue'), '<redacted> and <redacted>');
});

test('leaves ordinary text alone', () => {
  const text = 'GET https://127.0.0.1:6443/api/v1/pods?limit=500 200 OK (token count: n/a)';
  assert.equal(
    redact('pod frontend-7d9 in namespace shop is Ready'),
    'pod frontend-7d9 in namespace shop is Ready',
  );
  assert.equal(redact(text), text);
  const forbidden =
    'pods is forbidden: User "system:serviceaccount:tools:token-reader" cannot list resource "pods" in API group "" in the namespace "data"';
  assert.equal(redact(forbidden), forbidden);
  assert.equal(redact('secrets "db" not found'), 'secrets "db" not found');
  assert.equal(redact('name: web\nimage: nginx'), 'name: web\nimage: nginx');
});

test('redact.ts imports nothing, so the language server, the cluster layer and the pure engines can share it', () => {
  const source = readFileSync(new URL('../../src/logging/redact.ts', import.meta.url), 'utf8');
  assert.doesNotMatch(source, /^\s*(import|export)\b[^;]*\bfrom\s+['"]/m);
  assert.doesNotMatch(source, /\bimport\(|\brequire\(/);
});

test('redactStrings redacts every string of plain data and keeps its shape', () => {
  const when = new Date(0);
  const input = { a: ['token: abc', 1, true, null], b: { c: 'https://u:p4ss@h/' }, when };
  const output = redactStrings(input);
  assert.deepEqual(output, {
    a: ['token: <redacted>', 1, true, null],
    b: { c: 'https://u:<redacted>@h/' },
    when,
  });
  assert.equal(output.when, when);
});
