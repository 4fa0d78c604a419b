/**
 * The kubectl verbs a user tries first, against the sandbox: create (protobuf bodies), apply with
 * client-side validation and server-side, scale, logs, events and describe.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { type } from '../../sandbox/cluster.ts';
import { kubectl, kubectlAvailable, useSandbox, waitFor } from '../support/sandbox.ts';

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

  test('kubectl scale changes replicas through the scale subresource', async () => {
    const raw = await run('get', '--raw', '/apis/apps/v1/namespaces/web/deployments/web/scale');
    assert.equal(raw.code, 0, raw.stderr);
    const scale = JSON.parse(raw.stdout) as {
      kind: string;
      apiVersion: string;
      spec: unknown;
      status: unknown;
    };
    assert.equal(scale.kind, 'Scale');
    assert.equal(scale.apiVersion, 'autoscaling/v1');
    assert.deepEqual(scale.spec, { replicas: 2 });
    assert.deepEqual(scale.status, { replicas: 2, selector: 'app=web' });

    const result = await run('scale', 'deployment/web', '-n', 'web', '--replicas=3');
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, /deployment.apps\/web scaled/);
    await waitFor(
      'three web Pods',
      () =>
        store()
          .list(type('pods'), 'web')
          .filter(({ object }) => object.metadata.labels?.app === 'web' && !object.metadata.deletionTimestamp)
          .length === 3,
    );
    // The controllers say what they did, as describe shows it.
    const described = await run('describe', 'deployment', 'web', '-n', 'web');
    assert.equal(described.code, 0, described.stderr);
    assert.match(
      described.stdout,
      /Normal\s+ScalingReplicaSet\s+\S+\s+deployment-controller\s+Scaled up replica set web-[a-z0-9]+ from 2 to 3/,
    );
    const replicaSet = await run('describe', 'replicaset', '-n', 'web', '-l', 'app=web');
    assert.match(
      replicaSet.stdout,
      /Normal\s+SuccessfulCreate\s+\S+\s+replicaset-controller\s+Created pod: web-/,
    );
    const back = await run('scale', 'deployment/web', '-n', 'web', '--replicas=2', '--current-replicas=3');
    assert.equal(back.code, 0, back.stderr);
    const stale = await run('scale', 'deployment/web', '-n', 'web', '--replicas=1', '--current-replicas=5');
    assert.notEqual(stale.code, 0);
    assert.match(stale.stderr, /Expected replicas to be 5, was 2/);
  });

  test('kubectl logs shows the requests a Pod answered, with --tail, --timestamps and -f', async () => {
    const web = store()
      .list(type('pods'), 'web')
      .map(({ object }) => object)
      .find((pod) => pod.metadata.labels?.app === 'web' && !pod.metadata.deletionTimestamp)!;
    const podIP = (web.status as { podIP: string }).podIP;
    const clientIP = (store().peek(type('pods'), 'web', 'client')!.status as { podIP: string }).podIP;
    const curl = await run('exec', '-n', 'web', 'client', '--', 'curl', '-sS', `http://${podIP}:8080/first`);
    assert.equal(curl.code, 0, curl.stderr);
    await run('exec', '-n', 'web', 'client', '--', 'curl', '-sS', `http://${podIP}:8080/second`);

    const logs = await run('logs', '-n', 'web', web.metadata.name!);
    assert.equal(logs.code, 0, logs.stderr);
    const lines = logs.stdout.trim().split('\n');
    const first = lines.find((line) => line.includes('/first'));
    assert.ok(first, logs.stdout);
    assert.match(
      first,
      new RegExp(`^${clientIP.replace(/\./g, '\\.')} - - \\[[^\\]]+\\] "GET /first HTTP/1.1" 200 \\d+ `),
    );

    const tail = await run('logs', '-n', 'web', web.metadata.name!, '--tail=1', '--timestamps');
    assert.equal(tail.code, 0, tail.stderr);
    assert.match(tail.stdout, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{9}Z .*"GET \/second HTTP\/1.1" 200/);
    assert.equal(tail.stdout.trim().split('\n').length, 1);

    // --since-time (sent with second precision, as kubectl sends it): an hour ago keeps both, an
    // hour ahead none.
    for (const [offsetMs, expected] of [
      [-3_600_000, 2],
      [3_600_000, 0],
    ] as const) {
      const time = new Date(Date.now() + offsetMs).toISOString().replace(/\.\d+Z$/, 'Z');
      const since = await run('logs', '-n', 'web', web.metadata.name!, `--since-time=${time}`);
      assert.equal(since.code, 0, since.stderr);
      assert.equal(
        since.stdout.split('\n').filter((line) => /\/(first|second) /.test(line)).length,
        expected,
      );
    }

    const wrong = await run('logs', '-n', 'web', web.metadata.name!, '-c', 'nope');
    assert.notEqual(wrong.code, 0);
    assert.match(wrong.stderr, /container nope is not valid for pod/);

    const follower = spawn('kubectl', ['logs', '-n', 'web', web.metadata.name!, '-f', '--tail=0'], {
      env: { ...process.env, KUBECONFIG: fixture.sandbox.kubeconfigPath },
    });
    let followed = '';
    follower.stdout.on('data', (chunk: Buffer) => (followed += chunk.toString()));
    try {
      await waitFor(
        'the log stream to open',
        () => fixture.sandbox.cluster.logs.followerCount(web.metadata.namespace!, web.metadata.name!) > 0,
      );
      await run('exec', '-n', 'web', 'client', '--', 'curl', '-sS', `http://${podIP}:8080/followed`);
      await waitFor('the followed request in kubectl logs -f', () => followed.includes('GET /followed'));
      assert.ok(!followed.includes('/second'), followed);
    } finally {
      follower.kill();
    }
  });

  test('the scheduler and kubelet write Events that kubectl get events and describe pod show', async () => {
    const web = store()
      .list(type('pods'), 'web')
      .map(({ object }) => object)
      .find((pod) => pod.metadata.labels?.app === 'web' && !pod.metadata.deletionTimestamp)!;
    const name = web.metadata.name!;
    const events = await run('get', 'events', '-n', 'web', '--field-selector', `involvedObject.name=${name}`);
    assert.equal(events.code, 0, events.stderr);
    assert.match(events.stdout, /^LAST SEEN\s+TYPE\s+REASON\s+OBJECT\s+MESSAGE$/m);
    for (const [reason, message] of [
      ['Scheduled', `Successfully assigned web/${name} to sandbox-node-1`],
      ['Pulled', 'Container image "registry.example/echo:1.0" already present on machine'],
      ['Created', 'Created container: web'],
      ['Started', 'Started container web'],
    ]) {
      assert.match(
        events.stdout,
        new RegExp(`Normal\\s+${reason}\\s+pod/${name}\\s+${message!.replace(/[.()/]/g, '\\$&')}`),
        events.stdout,
      );
    }

    fixture.sandbox.cluster.kubelet.setReady('web', name, false);
    const unhealthy = await waitFor('an Unhealthy event', async () => {
      const result = await run(
        'get',
        'events',
        '-n',
        'web',
        '--field-selector',
        'reason=Unhealthy',
        '-o',
        'json',
      );
      const items = (JSON.parse(result.stdout) as { items: Array<Record<string, unknown>> }).items;
      return items.find((item) => (item.involvedObject as { name: string }).name === name);
    });
    assert.equal(unhealthy.type, 'Warning');
    assert.equal(unhealthy.message, 'Readiness probe failed: HTTP probe failed with statuscode: 503');
    assert.deepEqual(unhealthy.source, { component: 'kubelet', host: 'sandbox-node-1' });
    assert.equal((unhealthy.involvedObject as { fieldPath: string }).fieldPath, 'spec.containers{web}');

    const describePod = await run('describe', 'pod', '-n', 'web', name);
    assert.equal(describePod.code, 0, describePod.stderr);
    assert.match(describePod.stdout, /^Events:\n\s+Type\s+Reason\s+Age\s+From\s+Message$/m);
    assert.match(describePod.stdout, /Normal\s+Scheduled\s+\S+\s+default-scheduler\s+Successfully assigned/);
    assert.match(
      describePod.stdout,
      /Warning\s+Unhealthy\s+\S+\s+kubelet\s+Readiness probe failed: HTTP probe failed/,
    );

    const modern = await run('get', 'events.v1.events.k8s.io', '-n', 'web', '-o', 'json');
    assert.equal(modern.code, 0, modern.stderr);
    const items = (JSON.parse(modern.stdout) as { items: Array<Record<string, unknown>> }).items;
    const started = items.find(
      (item) => item.reason === 'Started' && (item.regarding as { name: string }).name === name,
    );
    assert.ok(started, modern.stdout);
    assert.equal(started.apiVersion, 'events.k8s.io/v1');
    assert.equal(started.note, 'Started container web');
    assert.equal(started.reportingController, 'kubelet');

    const deleted = await run('delete', 'pod', '-n', 'web', name, '--wait=false');
    assert.equal(deleted.code, 0, deleted.stderr);
    await waitFor('a Killing event', () => fixture.sandbox.cluster.events.latest('web', name, 'Killing'));
  });

  const manifest = (name: string, replicas: number, extra = '') => {
    const path = join(tmpdir(), `kubereach-verbs-${process.pid}-${name}-${replicas}.yaml`);
    writeFileSync(
      path,
      [
        'apiVersion: apps/v1',
        'kind: Deployment',
        'metadata:',
        `  name: ${name}`,
        '  namespace: web',
        'spec:',
        `  replicas: ${replicas}`,
        extra,
        '  selector:',
        `    matchLabels: { app: ${name} }`,
        '  template:',
        '    metadata:',
        `      labels: { app: ${name} }`,
        '    spec:',
        '      containers:',
        '        - name: web',
        '          image: registry.example/echo:1.0',
        '          ports: [{ name: http, containerPort: 8080 }]',
        '          readinessProbe: { httpGet: { path: /ready, port: http }, periodSeconds: 5 }',
      ]
        .filter(Boolean)
        .join('\n') + '\n',
    );
    return path;
  };

  test('kubectl apply -f validates through the server (OpenAPI v3, fieldValidation) and re-applies', async () => {
    const created = await run('apply', '-f', manifest('applied', 1));
    assert.equal(created.code, 0, created.stderr);
    assert.match(created.stdout, /deployment.apps\/applied created/);
    assert.equal(created.stderr, '');
    const updated = await run('apply', '-f', manifest('applied', 2));
    assert.equal(updated.code, 0, updated.stderr);
    assert.match(updated.stdout, /deployment.apps\/applied configured/);
    assert.equal(updated.stderr, '');
    const spec = store().peek(type('deployments'), 'web', 'applied')!.spec as { replicas: number };
    assert.equal(spec.replicas, 2);

    const typo = await run('apply', '-f', manifest('applied', 3, '  replicaz: 3'));
    assert.notEqual(typo.code, 0);
    assert.match(typo.stderr, /strict decoding error: unknown field "spec.replicaz"/);

    // A kind the sandbox does not serve: no schema to validate against (the empty OpenAPI v2
    // document), then the mapping error a server without the kind leads kubectl to.
    const unserved = join(tmpdir(), `kubereach-verbs-${process.pid}-statefulset.yaml`);
    writeFileSync(
      unserved,
      'apiVersion: apps/v1\nkind: StatefulSet\nmetadata: { name: db, namespace: web }\nspec: {}\n',
    );
    const statefulSet = await run('apply', '-f', unserved);
    assert.notEqual(statefulSet.code, 0);
    assert.match(statefulSet.stderr, /no matches for kind "StatefulSet" in version "apps\/v1"/);

    const explain = await run('explain', 'deployment.spec.replicas');
    assert.equal(explain.code, 0, explain.stderr);
    assert.match(explain.stdout, /FIELD: replicas <integer>/);
  });

  test('kubectl apply --server-side creates, then merges', async () => {
    const created = await run('apply', '--server-side', '-f', manifest('server-applied', 1));
    assert.equal(created.code, 0, created.stderr);
    assert.match(created.stdout, /deployment.apps\/server-applied serverside-applied/);
    const updated = await run('apply', '--server-side', '-f', manifest('server-applied', 3));
    assert.equal(updated.code, 0, updated.stderr);
    const stored = store().peek(type('deployments'), 'web', 'server-applied')!;
    assert.equal((stored.spec as { replicas: number }).replicas, 3);
    const containers = (stored.spec as { template: { spec: { containers: unknown[] } } }).template.spec
      .containers;
    assert.equal(containers.length, 1);
    const typo = await run('apply', '--server-side', '-f', manifest('server-applied', 3, '  replicaz: 3'));
    assert.notEqual(typo.code, 0);
    assert.match(typo.stderr, /unknown field "spec.replicaz"/);
  });
});
