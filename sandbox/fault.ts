/**
 * `npm run sandbox:fault -- ACTION [ARGS]`: breaks the running sandbox through its admin endpoint.
 *   status | apiserver-stop | apiserver-start | expire-watches | latency MS
 *   delete-pod NS NAME [GRACE] | replace-pod NS NAME | ready NS NAME true|false
 *   remove-endpoints NS SERVICE | restore-endpoints NS SERVICE
 *   kubelet-unreachable NODE | kubelet-reachable NODE (the API server cannot dial the node's kubelet)
 *   lb-pool off|on (off: new LoadBalancer Services stay pending)
 *   churn RATE SECONDS | churn stop (RATE Pod updates a second, for load tests)
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';

const [action, ...args] = process.argv.slice(2);
const stateDir = process.env.KUBEREACH_SANDBOX_STATE ?? resolve(import.meta.dirname, '..', '.sandbox');
if (!action || action === '--help') {
  console.log(
    readFileSync(new URL(import.meta.url), 'utf8')
      .split('\n')
      .slice(1, 8)
      .join('\n')
      .replace(/^ \*/gm, ''),
  );
  process.exit(action ? 0 : 2);
}
const state = JSON.parse(readFileSync(resolve(stateDir, 'admin.json'), 'utf8')) as {
  url: string;
  token: string;
};

const routes: Record<string, () => [string, string, unknown?]> = {
  status: () => ['GET', '/status'],
  'apiserver-stop': () => ['POST', '/faults/apiserver/stop'],
  'apiserver-start': () => ['POST', '/faults/apiserver/start'],
  'expire-watches': () => ['POST', '/faults/watches/expire'],
  latency: () => ['POST', '/faults/latency', { ms: Number(args[0] ?? 0) }],
  'kubelet-unreachable': () => ['POST', '/faults/nodes/kubelet', { node: args[0], reachable: false }],
  'kubelet-reachable': () => ['POST', '/faults/nodes/kubelet', { node: args[0], reachable: true }],
  'lb-pool': () => {
    if (args[0] !== 'on' && args[0] !== 'off') {
      console.error('lb-pool takes on or off');
      process.exit(2);
    }
    return ['POST', '/faults/loadbalancers/pool', { enabled: args[0] === 'on' }];
  },
  churn: () =>
    args[0] === 'stop'
      ? ['POST', '/faults/pods/churn', { stop: true }]
      : ['POST', '/faults/pods/churn', { rate: Number(args[0]), seconds: Number(args[1]) }],
  'delete-pod': () => [
    'POST',
    '/faults/pods/delete',
    { namespace: args[0], name: args[1], ...(args[2] ? { gracePeriodSeconds: Number(args[2]) } : {}) },
  ],
  'replace-pod': () => ['POST', '/faults/pods/replace', { namespace: args[0], name: args[1] }],
  ready: () => [
    'POST',
    '/faults/pods/readiness',
    { namespace: args[0], name: args[1], ready: args[2] === 'true' },
  ],
  'remove-endpoints': () => [
    'POST',
    '/faults/services/endpoints',
    { namespace: args[0], name: args[1], removed: true },
  ],
  'restore-endpoints': () => [
    'POST',
    '/faults/services/endpoints',
    { namespace: args[0], name: args[1], removed: false },
  ],
};
const route = routes[action];
if (!route) {
  console.error(`unknown action ${action}; see --help`);
  process.exit(2);
}
const [method, path, body] = route();
const response = await fetch(state.url + path, {
  method,
  headers: { Authorization: `Bearer ${state.token}`, 'Content-Type': 'application/json' },
  ...(body ? { body: JSON.stringify(body) } : {}),
});
console.log(JSON.stringify(await response.json(), null, 2));
process.exit(response.ok ? 0 : 1);
