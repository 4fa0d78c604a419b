/**
 * The server's cooperative scheduler: jobs run to completion in turns of bounded length, side by
 * side, and stale jobs are dropped; the event loop gets its turns in between.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Slicer } from '../../../src/server/slicer.ts';

function* busy(steps: number, stepMs: number, log: string[], name: string): Generator<void, string> {
  for (let i = 0; i < steps; i++) {
    const until = performance.now() + stepMs;
    while (performance.now() < until) {
      // spin
    }
    log.push(name);
    yield;
  }
  return `${name} done`;
}

test('jobs finish with their value, interleaved round-robin', async () => {
  const slicer = new Slicer(100);
  const log: string[] = [];
  const [a, b] = await Promise.all([
    slicer.run(busy(3, 0, log, 'a'), () => false),
    slicer.run(busy(3, 0, log, 'b'), () => false),
  ]);
  assert.equal(a, 'a done');
  assert.equal(b, 'b done');
  assert.deepEqual(log, ['a', 'b', 'a', 'b', 'a', 'b']);
  assert.equal(slicer.pending, 0);
});

test('the event loop runs between turns', async () => {
  const slicer = new Slicer(5);
  const log: string[] = [];
  let ticks = 0;
  const timer = setInterval(() => ticks++, 1);
  const started = performance.now();
  let longestGap = 0;
  let last = performance.now();
  const probe = setInterval(() => {
    const now = performance.now();
    longestGap = Math.max(longestGap, now - last);
    last = now;
  }, 1);
  await slicer.run(busy(60, 2, log, 'x'), () => false);
  clearInterval(timer);
  clearInterval(probe);
  assert.equal(log.length, 60);
  assert.ok(ticks > 5, `timers ran ${ticks} times in ${Math.round(performance.now() - started)} ms`);
  assert.ok(longestGap < 60, `the longest gap between timer ticks was ${Math.round(longestGap)} ms`);
});

test('a stale job resolves undefined and stops', async () => {
  const slicer = new Slicer(100);
  const log: string[] = [];
  let stale = false;
  const result = slicer.run(busy(100, 0, log, 's'), () => stale);
  await new Promise((done) => setImmediate(done));
  stale = true;
  assert.equal(await result, undefined);
  assert.ok(log.length < 100);
});

test('a failing job rejects without stopping the others', async () => {
  const slicer = new Slicer(100);
  function* failing(): Generator<void, string> {
    yield;
    throw new Error('boom');
  }
  const log: string[] = [];
  const [failed, ok] = await Promise.allSettled([
    slicer.run(failing(), () => false),
    slicer.run(busy(3, 0, log, 'ok'), () => false),
  ]);
  assert.equal(failed.status, 'rejected');
  assert.deepEqual(ok, { status: 'fulfilled', value: 'ok done' });
});
