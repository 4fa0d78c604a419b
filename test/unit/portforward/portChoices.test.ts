import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  acceptedPorts,
  parseTypedPort,
  podPortChoices,
  servicePortChoices,
} from '../../../src/portforward/portChoices.ts';

test("a Service's ports are the choices, with their names and target ports", () => {
  const choices = servicePortChoices({
    spec: {
      ports: [
        { name: 'http', port: 80, targetPort: 'http' },
        { name: 'grpc', port: 9090, targetPort: 9091, protocol: 'TCP' },
      ],
    },
  });
  assert.deepEqual(choices, [
    { label: '80/TCP', description: 'http · → http', remote: 80 },
    { label: '9090/TCP', description: 'grpc · → 9091', remote: 9090 },
  ]);
  assert.deepEqual(servicePortChoices(undefined), []);
});

test("a Pod's declared ports across its containers, a port declared twice once", () => {
  const choices = podPortChoices({
    spec: {
      containers: [
        { name: 'web', ports: [{ name: 'http', containerPort: 8080 }] },
        { name: 'sidecar', ports: [{ containerPort: 8080 }, { containerPort: 9100, protocol: 'TCP' }] },
        { name: 'bare' },
      ],
    },
  });
  assert.deepEqual(
    choices.map((choice) => [choice.label, choice.description]),
    [
      ['8080/TCP', 'http · container web'],
      ['9100/TCP', 'container sidecar'],
    ],
  );
});

test('Enter forwards the checked ports; with none checked, the highlighted one (never nothing)', () => {
  const a = { label: '80/TCP', description: '', remote: 80 };
  const b = { label: '9090/TCP', description: '', remote: 9090 };
  assert.deepEqual(acceptedPorts([a, b], [b]), [80, 9090]);
  assert.deepEqual(acceptedPorts([], [b]), [9090]);
  assert.deepEqual(acceptedPorts([], []), []);
});

test('a typed port is a number from 1 to 65535 or a port name', () => {
  assert.equal(parseTypedPort(' 8080 '), 8080);
  assert.equal(parseTypedPort('http-alt'), 'http-alt');
  assert.equal(parseTypedPort('0'), undefined);
  assert.equal(parseTypedPort('70000'), undefined);
  assert.equal(parseTypedPort('-http'), undefined);
  assert.equal(parseTypedPort('123456'), undefined);
  assert.equal(parseTypedPort(''), undefined);
});
