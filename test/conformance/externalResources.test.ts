/**
 * Nodes, IngressClasses and Ingresses served by the sandbox as a real API server serves them:
 * kubectl 1.32's get (-o wide), describe, create with validation errors in the server's words,
 * and client-node's list, watch and status writes.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { CoreV1Api, NetworkingV1Api, Watch } from '@kubernetes/client-node';
import type { V1Ingress, V1Service } from '@kubernetes/client-node';
import { loadScenario } from '../../sandbox/scenario.ts';
import { kubectl, kubectlAvailable, useSandbox, waitFor } from '../support/sandbox.ts';

const THREE_NODES = { ...loadScenario('minimal'), nodes: 3 };

const INGRESS_YAML = `
apiVersion: networking.k8s.io/v1
kind: IngressClass
metadata:
  name: sandbox
  annotations: { ingressclass.kubernetes.io/is-default-class: "true" }
spec:
  controller: kubereach.dev/sandbox-ingress
---
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: { name: shop, namespace: web }
spec:
  ingressClassName: sandbox
  rules:
    - host: shop.example.com
      http:
        paths:
          - { path: /, pathType: Prefix, backend: { service: { name: web, port: { number: 80 } } } }
          - { path: /api, pathType: Exact, backend: { service: { name: api, port: { name: http } } } }
    - host: admin.example.com
      http:
        paths:
          - { path: /, pathType: Prefix, backend: { service: { name: web, port: { number: 80 } } } }
`;

describe('Nodes, IngressClasses and Ingresses', () => {
  const fixture = useSandbox({ scenario: THREE_NODES });
  const run = (...args: string[]) => kubectl(fixture.sandbox.kubeconfigPath, args);
  const block = () => fixture.sandbox.cluster.addresses.block;

  test('client-node lists the nodes with their addresses, Ready condition, kubelet version and capacity', async () => {
    const nodes = await fixture.kubeconfig.makeApiClient(CoreV1Api).listNode();
    assert.deepEqual(
      nodes.items.map((n) => n.metadata?.name),
      ['sandbox-node-1', 'sandbox-node-2', 'sandbox-node-3'],
    );
    for (const [index, node] of nodes.items.entries()) {
      const addresses = (node.status?.addresses ?? []).map((a) => ({ type: a.type, address: a.address }));
      assert.deepEqual(addresses, [
        { type: 'InternalIP', address: `127.${block() + 2}.0.${index + 1}` },
        { type: 'Hostname', address: `sandbox-node-${index + 1}` },
      ]);
      assert.equal(node.status?.conditions?.find((c) => c.type === 'Ready')?.status, 'True');
      assert.match(node.status?.nodeInfo?.kubeletVersion ?? '', /^v1\.32\./);
      assert.equal(node.status?.capacity?.pods, '110');
      assert.equal(node.metadata?.labels?.['kubernetes.io/hostname'], `sandbox-node-${index + 1}`);
    }
    const one = await fixture.kubeconfig.makeApiClient(CoreV1Api).readNode({ name: 'sandbox-node-2' });
    assert.equal(one.status?.addresses?.[0]?.address, `127.${block() + 2}.0.2`);
  });

  test('kubectl get nodes -o wide prints the API server columns', { skip: !kubectlAvailable }, async () => {
    const result = await run('get', 'nodes', '-o', 'wide');
    assert.equal(result.code, 0, result.stderr);
    const lines = result.stdout.trim().split('\n');
    assert.match(
      lines[0]!,
      /^NAME\s+STATUS\s+ROLES\s+AGE\s+VERSION\s+INTERNAL-IP\s+EXTERNAL-IP\s+OS-IMAGE\s+KERNEL-VERSION\s+CONTAINER-RUNTIME$/,
    );
    assert.equal(lines.length, 4, result.stdout);
    for (let i = 1; i <= 3; i++) {
      const ip = `127\\.${block() + 2}\\.0\\.${i}`;
      assert.match(
        lines[i]!,
        new RegExp(
          `^sandbox-node-${i}\\s+Ready\\s+<none>\\s+\\d+s\\s+v1\\.32\\.\\S+\\s+${ip}\\s+<none>\\s+KubeReach sandbox \\(simulated\\)\\s+\\S+\\s+containerd://\\S+$`,
        ),
      );
    }
  });

  test(
    'kubectl api-resources lists nodes, ingressclasses and ingresses',
    { skip: !kubectlAvailable },
    async () => {
      const result = await run('api-resources', '--no-headers');
      assert.equal(result.code, 0, result.stderr);
      assert.match(result.stdout, /^nodes\s+no\s+v1\s+false\s+Node$/m);
      assert.match(result.stdout, /^ingressclasses\s+networking\.k8s\.io\/v1\s+false\s+IngressClass$/m);
      assert.match(result.stdout, /^ingresses\s+ing\s+networking\.k8s\.io\/v1\s+true\s+Ingress$/m);
    },
  );

  test(
    'kubectl apply, get ingress and get ingressclass print the API server columns',
    { skip: !kubectlAvailable },
    async () => {
      const file = join(fixture.sandbox.kubeconfigPath, '..', 'ingress.yaml');
      writeFileSync(file, INGRESS_YAML);
      const applied = await run('apply', '-f', file);
      assert.equal(applied.code, 0, applied.stderr);
      assert.match(applied.stdout, /ingress\.networking\.k8s\.io\/shop created/);

      const classes = await run('get', 'ingressclass');
      assert.equal(classes.code, 0, classes.stderr);
      assert.match(classes.stdout, /^NAME\s+CONTROLLER\s+PARAMETERS\s+AGE\n/);
      assert.match(classes.stdout, /^sandbox\s+kubereach\.dev\/sandbox-ingress\s+<none>\s+\d+s$/m);

      const ingresses = await run('get', 'ingress', '-n', 'web');
      assert.equal(ingresses.code, 0, ingresses.stderr);
      const lines = ingresses.stdout.trim().split('\n');
      assert.match(lines[0]!, /^NAME\s+CLASS\s+HOSTS\s+ADDRESS\s+PORTS\s+AGE$/);
      // No controller has written an address yet: the ADDRESS cell is empty.
      assert.match(lines[1]!, /^shop\s+sandbox\s+shop\.example\.com,admin\.example\.com\s+80\s+\d+s$/);
    },
  );

  test('kubectl describe ingress shows the rules and backends', { skip: !kubectlAvailable }, async () => {
    await waitFor('the Ingress', async () => (await run('get', 'ingress', 'shop', '-n', 'web')).code === 0);
    const result = await run('describe', 'ingress', 'shop', '-n', 'web');
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, /^Name:\s+shop$/m);
    assert.match(result.stdout, /^Namespace:\s+web$/m);
    assert.match(result.stdout, /^Ingress Class:\s+sandbox$/m);
    assert.match(result.stdout, /^Rules:\n\s+Host\s+Path\s+Backends\n/m);
    assert.match(result.stdout, /^\s+shop\.example\.com\s*$/m);
    assert.match(result.stdout, /^\s+\/\s+web:80 \(/m);
    assert.match(result.stdout, /^\s+\/api\s+api:http \(/m);
  });

  test(
    'an Ingress with a bad pathType is refused with the API server message',
    { skip: !kubectlAvailable },
    async () => {
      const file = join(fixture.sandbox.kubeconfigPath, '..', 'bad-ingress.yaml');
      writeFileSync(
        file,
        `apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: { name: bad, namespace: web }
spec:
  rules:
    - http:
        paths:
          - { path: /, pathType: Foo, backend: { service: { name: web, port: { number: 80 } } } }
          - { path: api, pathType: Prefix, backend: { service: { name: web, port: { number: 80, name: http } } } }
`,
      );
      const result = await run('create', '-f', file);
      assert.notEqual(result.code, 0);
      assert.match(
        result.stderr,
        /The Ingress "bad" is invalid: \n\* spec\.rules\[0\]\.http\.paths\[0\]\.pathType: Unsupported value: "Foo": supported values: "Exact", "ImplementationSpecific", "Prefix"\n\* spec\.rules\[0\]\.http\.paths\[1\]\.path: Invalid value: "api": must be an absolute path\n\* spec\.rules\[0\]\.http\.paths\[1\]\.backend: Invalid value: "": cannot set both port name & port number/,
      );
    },
  );

  test('an Ingress without pathType gets the Required error', async () => {
    const networking = fixture.kubeconfig.makeApiClient(NetworkingV1Api);
    await assert.rejects(
      networking.createNamespacedIngress({
        namespace: 'web',
        body: {
          metadata: { name: 'no-path-type' },
          spec: {
            rules: [
              {
                http: {
                  paths: [
                    { path: '/', backend: { service: { name: 'web', port: { number: 80 } } } } as never,
                  ],
                },
              },
            ],
          },
        },
      }),
      (error: { code?: number; body?: string }) => {
        assert.equal(error.code, 422);
        const status = JSON.parse(String(error.body)) as {
          details: { causes: Array<{ field: string; message: string }> };
        };
        assert.deepEqual(status.details.causes, [
          {
            reason: 'FieldValueRequired',
            field: 'spec.rules[0].http.paths[0].pathType',
            message: 'Required value: pathType must be specified',
          },
        ]);
        return true;
      },
    );
  });

  test('client-node watches Ingresses, the default class is filled in, status is written through its subresource', async () => {
    const networking = fixture.kubeconfig.makeApiClient(NetworkingV1Api);
    const seen: Array<{ type: string; object: V1Ingress }> = [];
    const watch = await new Watch(fixture.kubeconfig).watch(
      '/apis/networking.k8s.io/v1/namespaces/web/ingresses',
      {},
      (type: string, object: V1Ingress) => seen.push({ type, object }),
      () => undefined,
    );
    try {
      await networking.createNamespacedIngress({
        namespace: 'web',
        body: {
          metadata: { name: 'classless' },
          spec: { defaultBackend: { service: { name: 'web', port: { number: 80 } } } },
        },
      });
      const added = await waitFor('ADDED classless', () =>
        seen.find((e) => e.type === 'ADDED' && e.object.metadata?.name === 'classless'),
      );
      assert.equal(added.object.spec?.ingressClassName, 'sandbox');
      const current = await networking.readNamespacedIngress({ namespace: 'web', name: 'classless' });
      await networking.replaceNamespacedIngressStatus({
        namespace: 'web',
        name: 'classless',
        body: { ...current, status: { loadBalancer: { ingress: [{ ip: '127.9.9.9' }] } } },
      });
      const modified = await waitFor('MODIFIED with status', () =>
        seen.find(
          (e) => e.type === 'MODIFIED' && e.object.status?.loadBalancer?.ingress?.[0]?.ip === '127.9.9.9',
        ),
      );
      assert.equal(modified.object.metadata?.name, 'classless');
    } finally {
      watch.abort();
    }
    if (kubectlAvailable) {
      const result = await run('get', 'ingress', 'classless', '-n', 'web');
      assert.match(result.stdout, /^classless\s+sandbox\s+\*\s+127\.9\.9\.9\s+80\s+\d+s$/m);
    }
  });

  test('Service validation of the external fields, and node ports released when the type changes', async () => {
    const core = fixture.kubeconfig.makeApiClient(CoreV1Api);
    const causes = async (body: V1Service): Promise<string[]> => {
      try {
        await core.createNamespacedService({ namespace: 'web', body });
      } catch (error) {
        const status = JSON.parse(String((error as { body?: string }).body)) as {
          details: { causes: Array<{ field: string; message: string }> };
        };
        return status.details.causes.map((c) => `${c.field}: ${c.message}`);
      }
      return [];
    };
    assert.deepEqual(
      await causes({
        metadata: { name: 'etp-clusterip' },
        spec: { externalTrafficPolicy: 'Local', ports: [{ port: 80 }] },
      }),
      [
        'spec.externalTrafficPolicy: Invalid value: "Local": may only be set for externally-accessible services',
      ],
    );
    assert.deepEqual(
      await causes({
        metadata: { name: 'bad-ranges' },
        spec: { type: 'LoadBalancer', loadBalancerSourceRanges: ['10.0.0.0/33'], ports: [{ port: 80 }] },
      }),
      [
        'spec.LoadBalancerSourceRanges[0]: Invalid value: "10.0.0.0/33": must be a valid CIDR value, (e.g. 10.9.8.0/24 or 2001:db8::/64)',
      ],
    );
    assert.deepEqual(
      await causes({ metadata: { name: 'np-clusterip' }, spec: { ports: [{ port: 80, nodePort: 30500 }] } }),
      ["spec.ports[0].nodePort: Forbidden: may not be used when `type` is 'ClusterIP'"],
    );
    const created = await core.createNamespacedService({
      namespace: 'web',
      body: {
        metadata: { name: 'np-then-clusterip' },
        spec: { type: 'NodePort', ports: [{ port: 80, nodePort: 30501 }] },
      },
    });
    assert.equal(created.spec?.externalTrafficPolicy, 'Cluster');
    const changed = await core.replaceNamespacedService({
      namespace: 'web',
      name: 'np-then-clusterip',
      body: { ...created, spec: { ...created.spec, type: 'ClusterIP' } },
    });
    assert.equal(changed.spec?.ports?.[0]?.nodePort, undefined);
    assert.equal(changed.spec?.externalTrafficPolicy, undefined);
    // The port is free again.
    const reused = await core.createNamespacedService({
      namespace: 'web',
      body: {
        metadata: { name: 'np-reuse' },
        spec: { type: 'NodePort', ports: [{ port: 80, nodePort: 30501 }] },
      },
    });
    assert.equal(reused.spec?.ports?.[0]?.nodePort, 30501);
  });

  test('kubectl get nodes -w sees a label change', { skip: !kubectlAvailable }, async () => {
    const watcher = spawn('kubectl', ['get', 'nodes', '-w', '-L', 'zone'], {
      env: { ...process.env, KUBECONFIG: fixture.sandbox.kubeconfigPath },
    });
    let output = '';
    watcher.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    try {
      await waitFor('the initial listing', () => output.includes('sandbox-node-3'));
      const labelled = await run('label', 'node', 'sandbox-node-2', 'zone=b');
      assert.equal(labelled.code, 0, labelled.stderr);
      await waitFor('the labelled node', () => /sandbox-node-2\s+Ready.*\sb\n/.test(output));
    } finally {
      watcher.kill();
    }
  });
});
