/** The host-port annotation's format, shared by the sandbox (writer) and the extension (reader). */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  formatHostPorts,
  HOST_PORTS_ANNOTATION,
  hostPortSentence,
  hostPortsOf,
  parseHostPorts,
} from '../../../src/analysis/hostPorts.ts';

const REASON = 'its process may not listen below port 1024';

test('what the sandbox writes, the extension reads back', () => {
  const value = formatHostPorts(
    REASON,
    new Map([
      ['127.12.1.1:80', 8080],
      ['127.11.0.10:443', 8443],
      ['127.11.0.9:80', 8080],
    ]),
  );
  assert.equal(
    value,
    `{"reason":"${REASON}","ports":{"127.11.0.9:80":8080,"127.11.0.10:443":8443,"127.12.1.1:80":8080}}`,
  );
  assert.deepEqual(
    parseHostPorts(value),
    new Map([
      ['127.11.0.9:80', { hostPort: 8080, reason: REASON }],
      ['127.11.0.10:443', { hostPort: 8443, reason: REASON }],
      ['127.12.1.1:80', { hostPort: 8080, reason: REASON }],
    ]),
  );
});

test('a value not in the format states no mapping; bad entries are left out', () => {
  assert.equal(parseHostPorts(undefined).size, 0);
  assert.equal(parseHostPorts('8080').size, 0);
  assert.equal(parseHostPorts('{not json').size, 0);
  assert.equal(parseHostPorts('{"ports":null}').size, 0);
  assert.deepEqual(
    [
      ...parseHostPorts(
        '{"ports":{"127.1.1.1:80":"8080","127.1.1.1:81":70000,"nowhere":8082,"127.1.1.1:82":8082}}',
      ),
    ],
    [['127.1.1.1:82', { hostPort: 8082, reason: 'the sandbox could not listen on the port' }]],
  );
});

test('hostPortsOf gathers the annotations of many objects; the sentence names both ports and why', () => {
  const mappings = hostPortsOf([
    {
      metadata: {
        annotations: { [HOST_PORTS_ANNOTATION]: formatHostPorts(REASON, new Map([['127.9.1.1:80', 8080]])) },
      },
    },
    { metadata: { annotations: { other: 'x' } } },
    {},
  ]);
  assert.deepEqual([...mappings.keys()], ['127.9.1.1:80']);
  assert.equal(
    hostPortSentence('127.9.1.1', 80, mappings.get('127.9.1.1:80')!),
    `Port 80 of 127.9.1.1 is served at 127.9.1.1:8080 by the sandbox, because ${REASON}.`,
  );
});
