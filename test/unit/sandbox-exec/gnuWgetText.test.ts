/**
 * GNU wget's URL rewriting and sizes. The URLs were read from Debian 12's wget 1.21.3 (the request
 * target an echo server received, LC_ALL=C); 293K too (its "Length:" line), the other sizes follow
 * utils.c's human_readable(). test/conformance/sandboxTools.test.ts compares the rest with the real binary.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { gnuWgetUrl, humanReadable } from '../../../sandbox/exec/tools/gnuWgetText.ts';

test('gnuWgetUrl decodes what is not reserved and escapes what is unsafe, as wget 1.21.3 sends it', () => {
  assert.equal(
    gnuWgetUrl('http://h/x%2Fy%25z%zz%7e~{}|^`"<>'),
    'http://h/x%2Fy%25z%25zz~~%7B%7D%7C%5E%60%22%3C%3E',
  );
  assert.equal(gnuWgetUrl('http://h/%00a%3Fb%41'), 'http://h/%00a%3FbA');
  assert.equal(gnuWgetUrl('http://h/caf%C3%A9/é'), 'http://h/caf%C3%A9/%C3%A9');
  assert.equal(gnuWgetUrl('http://h/a%20b/[1-2]/{x,y}/%41?q=[]'), 'http://h/a%20b/[1-2]/%7Bx,y%7D/A?q=[]');
});

test('humanReadable: wget\'s "Length: N (…)" sizes', () => {
  assert.equal(humanReadable(300_000), '293K');
  assert.equal(humanReadable(1536), '1.5K');
  assert.equal(humanReadable(5 * 1024 * 1024), '5.0M');
});
