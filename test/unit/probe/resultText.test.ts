import assert from 'node:assert/strict';
import { test } from 'node:test';
import { timingsText, wrapCommand } from '../../../src/probe/resultText.ts';

test('a phase curl never reached is "not measured", not 0 ms (a timeout has no connect time)', () => {
  const text = timingsText({
    namelookupMs: 0.4,
    connectMs: 0,
    appconnectMs: 0,
    firstByteMs: 0,
    totalMs: 5000.2,
  });
  assert.equal(text, 'DNS 0.4 ms · connect not measured · first byte not measured · total 5000.2 ms');
  assert.doesNotMatch(text, /0\.0 ms/);
  assert.equal(
    timingsText({ namelookupMs: 1, connectMs: 2, appconnectMs: 5, firstByteMs: 7, totalMs: 8 }),
    'DNS 1.0 ms · connect 2.0 ms · TLS 5.0 ms · first byte 7.0 ms · total 8.0 ms',
  );
});

test('a long command wraps at spaces outside quotes, with continuations, and unwraps to itself', () => {
  const command =
    "kubectl --context kubereach-sandbox exec -n shop frontend-d96c58f58-4rhsz -- curl -sS --globoff -w '\\nkubereach-probe %{http_code} %{time_namelookup} %{time_connect}\\n' --connect-timeout 5 --max-time 5 -- http://backend:80/";
  const wrapped = wrapCommand(command, 60);
  const lines = wrapped.split('\n');
  assert.ok(lines.length > 2);
  for (const line of lines.slice(0, -1)) {
    assert.ok(line.endsWith(' \\'), line);
  }
  // The quoted -w argument stays on one line, whole.
  assert.ok(
    lines.some((line) =>
      line.includes("'\\nkubereach-probe %{http_code} %{time_namelookup} %{time_connect}\\n'"),
    ),
  );
  assert.equal(wrapped.replace(/ \\\n {2}/g, ' '), command);
  assert.equal(wrapCommand('curl http://x/'), 'curl http://x/');
});
