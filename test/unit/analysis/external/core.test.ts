/** The core: every hop in order, evaluated even after one fails; the conclusion names the first failing one. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  concludeExternal,
  diagnoseExternal,
  EXTERNAL_HOP_IDS,
} from '../../../../src/analysis/external/index.ts';
import type { ExternalHop } from '../../../../src/analysis/external/index.ts';
import { blogIngress, frontendIngress, world } from './world.ts';

test('every hop is present, in order, with a title; the probe is left to the engine', () => {
  const d = diagnoseExternal(world({ kind: 'url', url: 'http://shop.example.com/' }));
  assert.deepEqual(
    d.hops.map((h) => h.id),
    EXTERNAL_HOP_IDS,
  );
  assert.ok(d.hops.every((h) => h.title !== ''));
  assert.equal(d.hops.at(-1)!.status, 'skipped');
  assert.match(
    d.conclusion.sentence,
    /Nothing in the cluster state stops a client outside the cluster from reaching http:\/\/shop\.example\.com\//,
  );
});

test('hops after a failing one are still evaluated; the first failure concludes, with its fix and manifest', () => {
  const unaddressed = { ...blogIngress, status: {} };
  const d = diagnoseExternal(
    world({ kind: 'url', url: 'http://blog.example.com/' }, { ingresses: [frontendIngress, unaddressed] }),
  );
  const failed = d.hops.filter((h) => h.status === 'failed').map((h) => h.id);
  assert.deepEqual(failed, ['address', 'policy']);
  assert.equal(d.conclusion.failedHop, 'address');
  assert.deepEqual(d.conclusion.manifest, { kind: 'Ingress', namespace: 'blog', name: 'blog' });
  assert.ok(d.conclusion.fix);
});

test('the conclusion of hops with a passed probe says the probe confirmed it', () => {
  const hops: ExternalHop[] = EXTERNAL_HOP_IDS.map((id) => ({
    id,
    title: id,
    status: 'passed',
    summary: 'Fine.',
    evidence: [],
  }));
  const conclusion = concludeExternal(hops, {}, 'http://shop.example.com/');
  assert.equal(conclusion.failedHop, undefined);
  assert.match(
    conclusion.sentence,
    /^A client outside the cluster reaches http:\/\/shop\.example\.com\/: every hop checked passed, and so did the live probe/,
  );
});

test('the static part is fast: 1,000 diagnoses of the demo well under the 50 ms floor each', () => {
  const input = world({ kind: 'url', url: 'http://blog.example.com/' });
  const started = performance.now();
  for (let i = 0; i < 1000; i++) {
    diagnoseExternal(input);
  }
  const each = (performance.now() - started) / 1000;
  assert.ok(each < 50, `${each} ms per diagnosis`);
});
