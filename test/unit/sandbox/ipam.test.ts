/** Address plans: one block holds 65,024 Pod addresses; a wide plan puts 130,048 in a /15 of its two blocks. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { cidrContains } from '../../../src/analysis/cidr.ts';
import { addressPlan, POD_ADDRESSES_PER_BLOCK } from '../../../sandbox/dataplane/ipam.ts';

test('a plan of one block runs out of Pod addresses after one /16', () => {
  const plan = addressPlan(10);
  assert.equal(plan.podCidr, '127.10.0.0/16');
  for (let i = 0; i < POD_ADDRESSES_PER_BLOCK; i++) {
    plan.pods.allocate();
  }
  assert.throws(() => plan.pods.allocate(), /address range 127\.10\.0\.1-127\.10\.255\.254 is exhausted/);
});

test('a wide plan holds twice as many Pods in an aligned /15, and stays within its two blocks', () => {
  const plan = addressPlan(16, { wide: true });
  assert.equal(plan.podCidr, '127.16.0.0/15');
  assert.equal(plan.serviceCidr, '127.19.0.0/16', 'Services in the second block');
  assert.equal(plan.kubernetesServiceIp, '127.19.0.1');
  assert.equal(plan.clusterDnsIp, '127.19.0.10');
  assert.equal(plan.loadBalancerRange, '127.18.1.1-127.18.1.254', 'nodes and load balancers as in one block');
  const seen = new Set<string>();
  for (let i = 0; i < 2 * POD_ADDRESSES_PER_BLOCK; i++) {
    const ip = plan.pods.allocate();
    assert.ok(cidrContains(plan.podCidr, ip), ip);
    assert.ok(!ip.endsWith('.0') && !ip.endsWith('.255'), ip);
    seen.add(ip);
  }
  assert.equal(seen.size, 130_048);
  assert.throws(() => plan.pods.allocate(), /exhausted/);
  // Nothing of the plan overlaps another: Services are not in the Pod range.
  assert.ok(!cidrContains(plan.podCidr, plan.services.allocate()));
});

test('a wide plan needs an even block (an aligned /15) with room for the second block', () => {
  assert.throws(() => addressPlan(13, { wide: true }), /even integer from 2 to 250, not 13/);
  assert.throws(() => addressPlan(252, { wide: true }), /not 252/);
  assert.doesNotThrow(() => addressPlan(13));
});
