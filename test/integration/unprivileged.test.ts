/**
 * The demo as an ordinary user (issue 20). On Linux an ordinary user may not listen below
 * net.ipv4.ip_unprivileged_port_start (1024 by default); the sandbox used to print "ready" and
 * leave every port 80 and 443 unserved. Here the sandbox runs in a process of its own as uid
 * 65534 (we are root on our machines and CI; as an ordinary user the test runs it as itself), and
 * from this machine, with the real client-node: every Service port, load-balancer address and
 * Gateway listener answers at the port the sandbox publishes for it, the printed summary says so
 * and why, a port-forward through src/portforward's engine reaches a Pod's port 80, a probe from a
 * Pod reaches a Service on port 80, and Diagnose External Access says where port 80 is served.
 */
import assert from 'node:assert/strict';
import { accessSync, constants, readFileSync, statSync } from 'node:fs';
import * as http from 'node:http';
import { connect } from 'node:net';
import { dirname, resolve } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { CustomObjectsApi, KubeConfig } from '@kubernetes/client-node';
import { hostPortsOf } from '../../src/analysis/hostPorts.ts';
import { ClusterCache } from '../../src/cluster/cache.ts';
import { ExternalDiagnoser } from '../../src/diagnose/externalDiagnoser.ts';
import { readGatewayApi } from '../../src/diagnose/gatewayRead.ts';
import { PortForwardManager } from '../../src/portforward/engine.ts';
import { Prober } from '../../src/probe/prober.ts';
import { spawnSandbox } from '../../sandbox/spawn.ts';
import type { SandboxProcess } from '../../sandbox/spawn.ts';
import { waitFor } from '../support/sandbox.ts';

const ROOT = resolve(import.meta.dirname, '..', '..');
const NOBODY = { uid: 65534, gid: 65534 };
const asRoot = process.getuid?.() === 0;
/** Whether the sandbox, an ordinary user's process, will be refused ports below 1024 here. */
const limited = (() => {
  try {
    return Number(readFileSync('/proc/sys/net/ipv4/ip_unprivileged_port_start', 'utf8')) > 0;
  } catch {
    return true;
  }
})();

/** The sandbox's files must be readable by the user it runs as; a checkout under /root is not. */
function assertReadableByOthers(path: string): void {
  for (let dir = dirname(path); dir !== dirname(dir); dir = dirname(dir)) {
    assert.ok(
      (statSync(dir).mode & 0o001) !== 0,
      `${dir} is not searchable by uid ${NOBODY.uid}, which the sandbox runs as here: chmod o+x ${dir}`,
    );
  }
  accessSync(path, constants.R_OK);
  assert.ok(
    (statSync(path).mode & 0o004) !== 0,
    `${path} is not readable by uid ${NOBODY.uid}: chmod o+r ${path}`,
  );
}

/** Whether something listens at host:port ("accepted": the sandbox's listener took the connection). */
function accepts(host: string, port: number): Promise<string> {
  return new Promise((done) => {
    const socket = connect({ host, port });
    const timer = setTimeout(() => finish('timeout'), 2000);
    const finish = (outcome: string) => {
      clearTimeout(timer);
      socket.destroy();
      done(outcome);
    };
    socket.once('connect', () => finish('accepted'));
    // A Service without a ready endpoint takes the connection and resets it (kube-proxy's REJECT):
    // the reset may come before 'connect' is seen. Nothing listening is ECONNREFUSED.
    socket.once('error', (error: NodeJS.ErrnoException) =>
      finish(error.code === 'ECONNRESET' ? 'accepted' : (error.code ?? error.message)),
    );
  });
}

function get(host: string, port: number, hostHeader?: string, path = '/'): Promise<number> {
  return new Promise((done, fail) => {
    const request = http.get(
      {
        host,
        port,
        path,
        agent: false,
        timeout: 3000,
        ...(hostHeader ? { headers: { host: hostHeader } } : {}),
      },
      (response) => {
        response.resume();
        done(response.statusCode ?? 0);
      },
    );
    request.once('timeout', () => request.destroy(new Error(`GET http://${host}:${port}${path} timed out`)));
    request.once('error', fail);
  });
}

describe('the demo sandbox as an ordinary user', { timeout: 60_000 }, () => {
  let sandbox: SandboxProcess;
  let kubeconfig: KubeConfig;
  let cache: ClusterCache;

  before(async () => {
    if (asRoot) {
      for (const file of ['sandbox/cli.ts', 'sandbox/scenarios/demo.yaml', 'package.json']) {
        assertReadableByOthers(resolve(ROOT, file));
      }
      assertReadableByOthers(process.execPath);
    }
    sandbox = await spawnSandbox(['--scenario', 'demo'], asRoot ? { user: NOBODY } : {});
    await waitFor('the ready summary', () => sandbox.output().includes('Ctrl-C stops it.'));
    kubeconfig = new KubeConfig();
    kubeconfig.loadFromFile(sandbox.kubeconfigPath);
    cache = new ClusterCache(kubeconfig, { contextName: kubeconfig.getCurrentContext() });
    await waitFor('namespaces listed', () => cache.isSynced() && cache.namespaces().length > 0);
    const names = cache.namespaces().map((ns) => ns.metadata!.name!);
    cache.setWatchedNamespaces(names);
    await waitFor('every namespace synced', () => names.every((name) => cache.isSynced(name)), 15_000);
  });

  after(async () => {
    cache?.dispose();
    await sandbox?.stop();
  });

  test('ready is true: no port unserved, and the summary says where privileged ports are served and why', () => {
    const output = sandbox.output();
    assert.doesNotMatch(output, /NOT served/);
    if (limited) {
      assert.match(
        output,
        /ports: {6}a port P below 1024 is served at P\+8000 on the same address .* because its process may not listen below port 1024 \(net\.ipv4\.ip_unprivileged_port_start=1024/,
      );
      assert.match(
        output,
        /services\/shop\/frontend-public: 127\.\d+\.1\.\d+:80 is served at http:\/\/127\.\d+\.1\.\d+:8080\//,
      );
      assert.match(output, /sysctl -w net\.ipv4\.ip_unprivileged_port_start=0 \(lets every user/);
      // npm run demo prints the same lines under its own banner.
      assert.ok(sandbox.portSummary.length >= 4);
      sandbox.portSummary.forEach((line) => assert.ok(output.includes(`${line}\n`), line));
    } else {
      assert.deepEqual(sandbox.portSummary, []);
    }
  });

  test('every Service port and load-balancer address answers from this machine, at the port its annotation names', async () => {
    const services = cache.namespaces().flatMap((ns) => cache.services(ns.metadata!.name!));
    assert.ok(services.length >= 15, `the demo's Services are listed (${services.length})`);
    const outcomes: string[] = [];
    for (const service of services) {
      const mappings = hostPortsOf([service]);
      const name = `${service.metadata!.namespace}/${service.metadata!.name}`;
      const addresses = [
        service.spec!.clusterIP!,
        ...(service.status?.loadBalancer?.ingress ?? []).map((ingress) => ingress.ip!),
      ].filter((ip) => ip !== undefined && ip !== 'None');
      for (const address of addresses) {
        for (const port of service.spec!.ports ?? []) {
          const mapping = mappings.get(`${address}:${port.port}`);
          if (port.port < 1024 && limited) {
            assert.ok(mapping, `${name}: ${address}:${port.port} is privileged and its mapping is published`);
          }
          const at = mapping?.hostPort ?? port.port;
          outcomes.push(`${name} ${address}:${port.port}@${at} ${await accepts(address, at)}`);
        }
      }
    }
    assert.deepEqual(
      outcomes.filter((line) => !line.endsWith(' accepted')),
      [],
      'every Service port is listened on from the host',
    );
    const backend = cache.service('shop', 'backend')!;
    const ip = backend.spec!.clusterIP!;
    const port80 = hostPortsOf([backend]).get(`${ip}:80`)?.hostPort ?? 80;
    assert.equal(await get(ip, port80), 200, 'shop/backend answers on its port 80');
    assert.equal(await get(ip, 9090), 200, 'and on 9090, as before');
    const lb = cache.service('shop', 'frontend-public')!;
    const lbIp = lb.status!.loadBalancer!.ingress![0]!.ip!;
    assert.equal(await get(lbIp, hostPortsOf([lb]).get(`${lbIp}:80`)?.hostPort ?? 80), 200);
    if (limited) {
      assert.equal(await accepts(ip, 80), 'ECONNREFUSED', 'port 80 itself cannot be served by this user');
    }
  });

  test('the Ingress and the Gateway answer a browser at their published ports', async () => {
    const ingress = cache.ingress('shop', 'frontend')!;
    const ingressIp = ingress.status!.loadBalancer!.ingress![0]!.ip!;
    const controllerService = cache.service('ingress-sandbox', 'ingress-sandbox-controller')!;
    const ingressPort = hostPortsOf([controllerService]).get(`${ingressIp}:80`)?.hostPort ?? 80;
    assert.equal(await get(ingressIp, ingressPort, 'shop.example.com'), 200);
    const gateway = (await kubeconfig.makeApiClient(CustomObjectsApi).getNamespacedCustomObject({
      group: 'gateway.networking.k8s.io',
      version: 'v1',
      namespace: 'infra',
      plural: 'gateways',
      name: 'public',
    })) as {
      metadata: { annotations?: Record<string, string> };
      status?: { addresses?: { value: string }[] };
    };
    const gatewayIp = gateway.status!.addresses![0]!.value;
    const gatewayPort = hostPortsOf([gateway]).get(`${gatewayIp}:80`)?.hostPort ?? 80;
    if (limited) {
      assert.equal(gatewayPort, 8081, 'the Gateway declares 8080 too, so its port 80 moves past it');
    }
    assert.equal(await get(gatewayIp, gatewayPort, 'store.example.com', '/api'), 200);
    assert.equal(
      await get(gatewayIp, 8080, 'catalog.internal.example.com', '/api'),
      404,
      'the declared 8080 is the listener',
    );
  });

  test("a port-forward through the engine reaches the Ingress controller Pod's port 80", async () => {
    const pod = cache
      .pods('ingress-sandbox')
      .find((p) => p.metadata!.name!.startsWith('ingress-sandbox-controller'))!;
    const manager = new PortForwardManager({
      cluster: { cache, kubeConfig: kubeconfig },
      watchNamespaces: () => undefined,
    });
    try {
      const info = await manager.start({
        target: { kind: 'Pod', namespace: 'ingress-sandbox', name: pod.metadata!.name! },
        ports: [{ remote: 80 }],
      });
      assert.equal(info.state, 'active', info.reason);
      const local = info.ports[0]!.local!;
      assert.equal(await get(local.address, local.port, 'shop.example.com'), 200);
    } finally {
      await manager.dispose();
    }
  });

  test('a probe from a Pod reaches a Service on port 80, as inside any cluster', async () => {
    const frontend = cache.pods('shop').find((p) => p.metadata!.name!.startsWith('frontend-'))!;
    const prober = new Prober({ kubeconfig, timeoutMs: 2000 });
    const result = await prober.probe(
      { namespace: 'shop', pod: frontend.metadata!.name! },
      { kind: 'service', namespace: 'shop', name: 'backend', port: 80 },
    );
    assert.deepEqual([result.verdict, result.httpStatus], ['reachable', 200], result.message);
  });

  test('Diagnose External Access says port 80 is served elsewhere, and why, rather than refused', async () => {
    const diagnoser = new ExternalDiagnoser({
      cache,
      prober: new Prober({ kubeconfig, timeoutMs: 2000 }),
      timeoutMs: 2000,
      watchNamespaces: () => undefined,
      gatewayApi: (cached) => readGatewayApi(kubeconfig, cached),
    });
    const ingress = await diagnoser.diagnose({ kind: 'url', url: 'http://shop.example.com/' });
    const outside = ingress.probes.find((probe) => probe.role === 'ingress')!;
    assert.equal(outside.httpStatus, 200, outside.message);
    const gateway = await diagnoser.diagnose({
      kind: 'url',
      url: 'http://store.example.com/api',
      via: { kind: 'gateway', namespace: 'infra', name: 'public' },
    });
    const throughGateway = gateway.probes.find((probe) => probe.role === 'gateway')!;
    assert.equal(throughGateway.httpStatus, 200, throughGateway.message);
    if (limited) {
      assert.match(
        outside.message,
        /^Port 80 of 127\.\d+\.1\.\d+ is served at 127\.\d+\.1\.\d+:8080 by the sandbox, because its process may not listen below port 1024 .*\. HTTP 200\.$/,
      );
      assert.match(throughGateway.message, /^Port 80 of \S+ is served at \S+:8081 by the sandbox, because /);
    }
  });
});
