/**
 * `npm run sandbox [-- --scenario NAME|FILE] [--pods N] [--namespaces M] [--port P]`: starts the sandbox cluster,
 * writes its kubeconfig and the admin endpoint's address, and runs until Ctrl-C.
 * A test and demo tool: it listens on 127.0.0.1 only and never runs host commands.
 */
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { hostPortSummary } from './dataplane/hostPorts.ts';
import { startSandbox } from './index.ts';

const { values } = parseArgs({
  options: {
    scenario: { type: 'string', default: 'demo' },
    pods: { type: 'string' },
    namespaces: { type: 'string' },
    port: { type: 'string', default: '0' },
    'address-block': { type: 'string' },
    'state-dir': { type: 'string', default: resolve(import.meta.dirname, '..', '.sandbox') },
    verbose: { type: 'boolean', default: false },
    help: { type: 'boolean', default: false },
  },
});

if (values.help) {
  console.log(
    'usage: npm run sandbox -- [--scenario demo|minimal|scale|FILE] [--pods N] [--namespaces M] [--port P] [--state-dir DIR] [--verbose]',
  );
  process.exit(0);
}

const stateDir = resolve(values['state-dir']);
mkdirSync(stateDir, { recursive: true });
const kubeconfigPath = resolve(stateDir, 'kubeconfig');
const started = performance.now();
const sandbox = await startSandbox({
  scenario: values.scenario,
  ...(values.pods ? { pods: Number(values.pods) } : {}),
  ...(values.namespaces ? { namespaces: Number(values.namespaces) } : {}),
  port: Number(values.port),
  kubeconfigPath,
  ...(values['address-block'] ? { addressBlock: Number(values['address-block']) } : {}),
  log: values.verbose ? (message) => console.error(`[sandbox] ${message}`) : () => undefined,
});
// A port that could not be listened on is said, not only logged: "ready" must be true.
const ports = hostPortSummary(
  sandbox.hostPorts.limit,
  sandbox.hostPorts.mappings(),
  sandbox.hostPorts.failures(),
  (entry) =>
    entry.owner.type.plural === 'gateways' || sandbox.cluster.addresses.loadBalancers.contains(entry.address),
);
ports.errors.forEach((line) => console.error(line));
sandbox.hostPorts.onFailure((failure) =>
  console.error(hostPortSummary(sandbox.hostPorts.limit, [], [failure], () => false).errors[0]),
);
const statePath = resolve(stateDir, 'admin.json');
// `ports`: the summary's lines about ports, for a wrapper that prints its own banner (npm run demo).
writeFileSync(
  statePath,
  JSON.stringify(
    { ...sandbox.admin, server: sandbox.server, kubeconfig: kubeconfigPath, ports: ports.lines },
    null,
    2,
  ),
  { mode: 0o600 },
);

const pods = sandbox.cluster.store.count((await import('./cluster.ts')).type('pods'));
const notServed = ports.errors.length === 0 ? '' : `; ${ports.errors.length} ports NOT served (errors above)`;
console.log(
  `KubeReach sandbox (scenario ${values.scenario}) ready in ${Math.round(performance.now() - started)} ms: ${pods} pods, API at ${sandbox.server}${notServed}`,
);
console.log(`kubeconfig: ${kubeconfigPath} (context ${sandbox.context})`);
console.log(
  `addresses:  Pods in ${sandbox.cluster.addresses.podCidr}, Services in ${sandbox.cluster.addresses.serviceCidr}`,
);
ports.lines.forEach((line) => console.log(line));
console.log(`try:        KUBECONFIG=${kubeconfigPath} kubectl get pods -A -o wide`);
console.log(`faults:     npm run sandbox:fault -- --help   (admin endpoint ${sandbox.admin?.url})`);
console.log('This is a test and demo tool, not a cluster: it listens on 127.0.0.1 only. Ctrl-C stops it.');

let stopping = false;
const stop = async () => {
  if (stopping) {
    return;
  }
  stopping = true;
  await sandbox.stop();
  rmSync(statePath, { force: true });
  process.exit(0);
};
process.on('SIGINT', () => void stop());
process.on('SIGTERM', () => void stop());
