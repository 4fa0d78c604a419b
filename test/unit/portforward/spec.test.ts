import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import type { Server } from 'node:net';
import { test } from 'node:test';
import {
  classifyTunnelError,
  describeErrorChannel,
  PortForwardError,
  UpgradeRejectedError,
} from '../../../src/portforward/errors.ts';
import { bindListener, isLoopbackAddress } from '../../../src/portforward/listener.ts';
import {
  normalizeRemote,
  parseForwardSpec,
  parseSavedForwards,
  validateForwardSpec,
} from '../../../src/portforward/spec.ts';
import type { ForwardSpec } from '../../../src/portforward/spec.ts';

const spec: ForwardSpec = {
  target: { kind: 'Service', namespace: 'web', name: 'web' },
  ports: [{ remote: 'http' }, { remote: 8443, local: 9443 }],
};

test('specs: valid ones pass, each problem is one plain sentence', () => {
  assert.deepEqual(validateForwardSpec(spec), []);
  assert.deepEqual(
    validateForwardSpec({
      target: { kind: 'Pod', namespace: 'Web', name: 'x_y' },
      ports: [
        { remote: 0 },
        { remote: 'Not A Name' },
        { remote: 80, local: 70000 },
        { remote: 81, local: 8080 },
        { remote: 82, local: 8080 },
      ],
      address: ' ',
    }),
    [
      '"Web" is not a valid namespace name.',
      '"x_y" is not a valid Pod name.',
      '0 is not a port number (1 to 65535).',
      '"Not A Name" is neither a port number nor a port name.',
      'Local port 70000 is not a port number (1 to 65535).',
      'Local port 8080 is asked for twice.',
      'The local address must not be empty.',
    ],
  );
  assert.deepEqual(validateForwardSpec({ ...spec, ports: [] }), ['Give at least one port to forward.']);
  assert.equal(normalizeRemote('8080'), 8080);
  assert.equal(normalizeRemote(' http '), 'http');
});

test('specs survive JSON and are checked when read back', () => {
  const saved = {
    version: 1,
    forwards: [
      {
        ...spec,
        context: 'kind',
        follow: { owner: { kind: 'ReplicaSet', name: 'web-1' }, labels: { app: 'web' } },
        extra: true,
      },
    ],
  };
  const { specs, problems } = parseSavedForwards(JSON.parse(JSON.stringify(saved)));
  assert.deepEqual(problems, []);
  assert.deepEqual(specs, [{ ...spec, context: 'kind', follow: saved.forwards[0]!.follow }]);
  assert.throws(
    () => parseForwardSpec({ target: { kind: 'Deployment', namespace: 'a', name: 'b' }, ports: [] }),
    /Pod or Service/,
  );
  assert.throws(
    () =>
      parseForwardSpec({
        target: { kind: 'Pod', namespace: 'a', name: 'b' },
        ports: [{ remote: 1, local: 'x' }],
      }),
    /local port must be a port number/,
  );
  assert.deepEqual(parseSavedForwards({ version: 2 }).problems, [
    'The saved port-forwards are not in a known format; they were ignored.',
  ]);
  assert.deepEqual(parseSavedForwards(undefined), { specs: [], problems: [] });
  const partly = parseSavedForwards({ version: 1, forwards: [spec, { target: 3 }] });
  assert.equal(partly.specs.length, 1);
  assert.deepEqual(partly.problems, ['Its target must be an object.']);
});

test('the upgrade refused with 403: "Forbidden: … cannot create pods/portforward", with the server words', () => {
  const body = JSON.stringify({
    kind: 'Status',
    status: 'Failure',
    reason: 'Forbidden',
    code: 403,
    message:
      'pods "web-1" is forbidden: User "dev" cannot create resource "pods/portforward" in API group "" in the namespace "web"',
  });
  const failure = classifyTunnelError(new UpgradeRejectedError(403, body), {
    namespace: 'web',
    pod: 'web-1',
    context: 'prod',
  });
  assert.deepEqual(failure, {
    kind: 'fatal',
    code: 'forbidden',
    message:
      'Forbidden: the credentials of context prod cannot create pods/portforward in namespace web. The API server said: pods "web-1" is forbidden: User "dev" cannot create resource "pods/portforward" in API group "" in the namespace "web".',
  });
});

test('other refusals and connection errors: Pod-level, API-level or fatal', () => {
  const context = { namespace: 'web', pod: 'p', server: 'https://10.0.0.1:6443' };
  const kinds = [
    [
      new UpgradeRejectedError(404, '{"message":"pods \\"p\\" not found"}'),
      'pod',
      /^Pod web\/p was not found by the API server\. The API server said: pods "p" not found\.$/,
    ],
    [
      new UpgradeRejectedError(400, '{"message":"unable to upgrade connection: pod does not exist"}'),
      'pod',
      /not running/,
    ],
    [
      new UpgradeRejectedError(
        500,
        '{"kind":"Status","status":"Failure","message":"error dialing backend: dial tcp 10.0.3.7:10250: connect: connection refused","code":500}',
      ),
      'node',
      /^The API server cannot reach the kubelet of its node, where Pod web\/p runs; .* The API server said: error dialing backend: dial tcp 10\.0\.3\.7:10250: connect: connection refused\.$/,
    ],
    [new UpgradeRejectedError(502, 'bad gateway'), 'pod', /could not reach Pod web\/p \(HTTP 502\)/],
    [new UpgradeRejectedError(401, ''), 'fatal', /rejected the credentials \(401 Unauthorized\)/],
    [
      Object.assign(new Error('connect ECONNREFUSED 10.0.0.1:6443'), { code: 'ECONNREFUSED' }),
      'api',
      /^The API server at https:\/\/10\.0\.0\.1:6443 refused the connection\.$/,
    ],
    [
      Object.assign(new Error('self-signed certificate'), { code: 'DEPTH_ZERO_SELF_SIGNED_CERT' }),
      'fatal',
      /not trusted/,
    ],
    [new Error('Opening handshake has timed out'), 'api', /handshake has timed out/],
  ] as const;
  for (const [error, kind, message] of kinds) {
    const failure = classifyTunnelError(error, context);
    assert.equal(failure.kind, kind, String(error));
    assert.match(failure.message, message);
  }
  assert.match(
    classifyTunnelError(new UpgradeRejectedError(500, '{"message":"error dialing backend: EOF"}'), {
      ...context,
      node: 'node-7',
    }).message,
    /cannot reach the kubelet of node node-7, where Pod web\/p runs/,
  );
  assert.equal(
    describeErrorChannel(
      'error forwarding port 9999 to pod abc, uid : failed to execute portforward in network namespace "/var/run/netns/cni-1": failed to connect to localhost:9999 inside namespace "1", IPv4: dial tcp4 127.0.0.1:9999: connect: connection refused ',
      'web-1',
      9999,
    ),
    'Nothing accepted the connection on port 9999 of Pod web-1 (connection refused).',
  );
  assert.equal(
    describeErrorChannel('something odd', 'p', 1),
    'Forwarding to port 1 of Pod p failed: something odd.',
  );
});

test('loopback peers', () => {
  for (const address of ['127.0.0.1', '127.1.2.3', '::1', '::ffff:127.0.0.1']) {
    assert.equal(isLoopbackAddress(address), true, address);
  }
  for (const address of ['192.0.2.2', '::ffff:10.0.0.1', 'fd00::2', '', undefined]) {
    assert.equal(isLoopbackAddress(address), false, String(address));
  }
});

test('binding: the exact port or a plain error; preferences fall back to a free port', async () => {
  const blocker = await new Promise<Server>((resolve) => {
    const server = createServer();
    server.listen(0, '127.0.0.1', () => resolve(server));
  });
  const taken = (blocker.address() as { port: number }).port;
  try {
    await assert.rejects(
      bindListener('127.0.0.1', { exact: taken }, () => undefined),
      (error: unknown) => {
        assert.ok(error instanceof PortForwardError);
        assert.equal(error.code, 'local-port-in-use');
        assert.match(error.message, new RegExp(`^The local port ${taken} is in use; port \\d+ is free\\.$`));
        return true;
      },
    );
    const fallback = await bindListener('127.0.0.1', { preferred: [taken, undefined] }, () => undefined);
    assert.notEqual(fallback.port, taken);
    fallback.server.close();
    await assert.rejects(
      bindListener('192.0.2.254', { preferred: [] }, () => undefined),
      (error: unknown) => {
        assert.ok(error instanceof PortForwardError);
        assert.equal(error.code, 'local-address');
        assert.equal(error.message, '192.0.2.254 is not an address of this machine.');
        return true;
      },
    );
  } finally {
    blocker.close();
  }
});
