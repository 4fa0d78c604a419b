/**
 * The kubectl verbs a user tries first, against the sandbox: create (protobuf bodies), apply with
 * client-side validation and server-side, scale, logs, events and describe.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { type } from '../../sandbox/cluster.ts';
import { kubectl, kubectlAvailable, useSandbox } from '../support/sandbox.ts';

describe('kubectl verbs against the sandbox', { skip: !kubectlAvailable && 'kubectl not installed' }, () => {
  const fixture = useSandbox({ scenario: 'minimal' });
  const run = (...args: string[]) => kubectl(fixture.sandbox.kubeconfigPath, args);
  const store = () => fixture.sandbox.cluster.store;

  test('kubectl create deployment, service and namespace send protobuf and the sandbox reads it', async () => {
    const deployment = await run(
      'create',
      'deployment',
      'created',
      '-n',
      'web',
      '--image=registry.example/echo:1.0',
      '--port=8080',
      '--replicas=2',
    );
    assert.equal(deployment.code, 0, deployment.stderr);
    assert.match(deployment.stdout, /deployment.apps\/created created/);
    const stored = store().peek(type('deployments'), 'web', 'created')!;
    const spec = stored.spec as {
      replicas: number;
      selector: { matchLabels: Record<string, string> };
      template: { spec: { containers: Array<{ name: string; image: string; ports: unknown[] }> } };
    };
    assert.equal(spec.replicas, 2);
    assert.deepEqual(spec.selector.matchLabels, { app: 'created' });
    assert.deepEqual(spec.template.spec.containers[0]!.ports, [{ containerPort: 8080 }]);
    assert.equal(spec.template.spec.containers[0]!.image, 'registry.example/echo:1.0');

    const service = await run('create', 'service', 'nodeport', 'created', '-n', 'web', '--tcp=80:8080');
    assert.equal(service.code, 0, service.stderr);
    const svc = store().peek(type('services'), 'web', 'created')!;
    const ports = (svc.spec as { type: string; ports: Array<Record<string, unknown>> }).ports;
    assert.equal((svc.spec as { type: string }).type, 'NodePort');
    assert.equal(ports[0]!.port, 80);
    assert.equal(ports[0]!.targetPort, 8080);
    assert.equal(ports[0]!.name, '80-8080');

    const namespace = await run('create', 'namespace', 'created');
    assert.equal(namespace.code, 0, namespace.stderr);
    assert.ok(store().peek(type('namespaces'), '', 'created'));
  });
});
