import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  cidrContains,
  cidrWithin,
  formatCidr,
  formatIp,
  isValidCidr,
  isValidIp,
  parseCidr,
  parseIp,
} from '../../../src/analysis/cidr.ts';

describe('parseIp', () => {
  test('reads IPv4 dotted decimal', () => {
    assert.deepEqual(parseIp('10.244.1.10'), { family: 4, bytes: [10, 244, 1, 10] });
    assert.deepEqual(parseIp('0.0.0.0'), { family: 4, bytes: [0, 0, 0, 0] });
    assert.deepEqual(parseIp('255.255.255.255'), { family: 4, bytes: [255, 255, 255, 255] });
  });

  test('refuses what Go refuses in IPv4', () => {
    for (const text of [
      '',
      '1.2.3',
      '1.2.3.4.5',
      '256.0.0.1',
      '1.2.3.-4',
      '010.0.0.1',
      '1.2.3.04',
      '1..2.3',
      ' 1.2.3.4',
      'a.b.c.d',
      '1.2.3.4/32',
    ]) {
      assert.equal(parseIp(text), undefined, text);
    }
  });

  test('reads IPv6 with and without "::", with a dotted tail', () => {
    assert.deepEqual(parseIp('::'), { family: 6, bytes: new Array(16).fill(0) });
    assert.deepEqual(parseIp('::1')?.bytes, [...new Array(15).fill(0), 1]);
    assert.deepEqual(
      parseIp('2001:db8::8a2e:370:7334')?.bytes,
      [0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0x8a, 0x2e, 0x03, 0x70, 0x73, 0x34],
    );
    assert.deepEqual(parseIp('2001:DB8:0:0:0:0:0:1'), parseIp('2001:db8::1'));
    assert.deepEqual(parseIp('1:2:3:4:5:6:7::')?.bytes.slice(12), [0, 7, 0, 0]);
    assert.deepEqual(
      parseIp('::ffff:10.0.0.1')?.bytes,
      [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 10, 0, 0, 1],
    );
    assert.deepEqual(parseIp('1:2:3:4:5:6:10.0.0.1')?.bytes.slice(12), [10, 0, 0, 1]);
    assert.deepEqual(parseIp('64:ff9b::192.0.2.33')?.bytes.slice(12), [192, 0, 2, 33]);
  });

  test('refuses malformed IPv6', () => {
    for (const text of [
      ':',
      ':::',
      '1::2::3',
      '1:2:3:4:5:6:7:8:9',
      '1:2:3:4:5:6:7:8::',
      '1:2:3:4:5:6:7',
      '12345::',
      'g::1',
      ':1:2:3:4:5:6:7',
      '1:2:3:4:5:6:7:',
      'fe80::1%eth0',
      '::1.2.3',
      '1:2:3:4:5:6:7:1.2.3.4',
    ]) {
      assert.equal(parseIp(text), undefined, text);
    }
  });

  test('isValidIp', () => {
    assert.equal(isValidIp('192.0.2.1'), true);
    assert.equal(isValidIp('2001:db8::1'), true);
    assert.equal(isValidIp('example.com'), false);
  });
});

describe('parseCidr and isValidCidr', () => {
  test('reads the block and clears host bits, as net.ParseCIDR does', () => {
    assert.deepEqual(parseCidr('10.0.0.0/24'), { family: 4, network: [10, 0, 0, 0], prefix: 24 });
    assert.deepEqual(parseCidr('10.244.1.10/4'), { family: 4, network: [0, 0, 0, 0], prefix: 4 });
    assert.deepEqual(parseCidr('172.17.1.77/23'), { family: 4, network: [172, 17, 0, 0], prefix: 23 });
    assert.deepEqual(parseCidr('0.0.0.0/0'), { family: 4, network: [0, 0, 0, 0], prefix: 0 });
    assert.equal(parseCidr('2001:db8::1/32')?.prefix, 32);
    assert.equal(formatCidr(parseCidr('2001:db8:abcd::1/33') ?? assert.fail()), '2001:db8:8000::/33');
  });

  test('refuses what is not a block', () => {
    for (const text of [
      '10.0.0.0',
      '10.0.0.0/33',
      '10.0.0.0/-1',
      '10.0.0.0/08',
      '10.0.0.0/',
      '/24',
      '::/129',
      '10.0.0.0/24/1',
      'x/8',
    ]) {
      assert.equal(isValidCidr(text), false, text);
    }
    for (const text of ['10.0.0.0/8', '192.168.0.1/32', '::/0', '::1/128', 'fd00::/8']) {
      assert.equal(isValidCidr(text), true, text);
    }
  });
});

describe('cidrContains', () => {
  const cases: Array<[string, string, boolean]> = [
    ['172.17.0.0/16', '172.17.0.0', true],
    ['172.17.0.0/16', '172.17.255.255', true],
    ['172.17.0.0/16', '172.18.0.0', false],
    ['172.17.0.0/16', '172.16.255.255', false],
    ['172.17.1.0/24', '172.17.1.9', true],
    ['10.0.0.0/24', '10.0.0.255', true],
    ['10.0.0.0/24', '10.0.1.0', false],
    ['10.0.0.1/32', '10.0.0.1', true],
    ['10.0.0.1/32', '10.0.0.2', false],
    ['10.0.0.0/31', '10.0.0.1', true],
    ['0.0.0.0/0', '203.0.113.9', true],
    ['0.0.0.0/4', '10.244.1.10', true],
    ['0.0.0.0/4', '16.0.0.1', false],
    ['10.244.1.10/4', '15.255.255.255', true],
    ['2001:db8::/32', '2001:db8:ffff::1', true],
    ['2001:db8::/32', '2001:db9::1', false],
    ['::/0', '::1', true],
    ['fe80::/10', 'febf::1', true],
    ['fe80::/10', 'fec0::1', false],
    ['10.0.0.0/8', '::ffff:10.1.2.3', true],
    ['10.0.0.0/8', '2001:db8::1', false],
    ['::/0', '10.0.0.1', false],
    ['10.0.0.0/8', 'not-an-ip', false],
    ['bogus', '10.0.0.1', false],
  ];
  for (const [cidr, ip, expected] of cases) {
    test(`${cidr} ${expected ? 'holds' : 'does not hold'} ${ip}`, () => {
      assert.equal(cidrContains(cidr, ip), expected);
    });
  }

  test('accepts parsed values too', () => {
    const block = parseCidr('192.168.0.0/16') ?? assert.fail();
    const ip = parseIp('192.168.44.1') ?? assert.fail();
    assert.equal(cidrContains(block, ip), true);
  });
});

describe('cidrWithin', () => {
  const cases: Array<[string, string, boolean]> = [
    ['172.17.1.0/24', '172.17.0.0/16', true],
    ['172.17.0.0/16', '172.17.0.0/16', true],
    ['172.17.0.0/16', '172.17.1.0/24', false],
    ['172.18.0.0/24', '172.17.0.0/16', false],
    ['10.244.1.10/32', '0.0.0.0/4', true],
    ['0.0.0.0/0', '0.0.0.0/0', true],
    ['10.0.0.0/8', '0.0.0.0/0', true],
    ['2001:db8:dead::/48', '2001:db8::/32', true],
    ['2001:db8::/32', '2001:db8:dead::/48', false],
    ['10.0.0.0/8', '::/0', false],
    ['nonsense', '0.0.0.0/0', false],
  ];
  for (const [inner, outer, expected] of cases) {
    test(`${inner} is ${expected ? '' : 'not '}within ${outer}`, () => {
      assert.equal(cidrWithin(inner, outer), expected);
    });
  }
});

describe('formatIp', () => {
  const cases: Array<[string, string]> = [
    ['10.0.0.1', '10.0.0.1'],
    ['2001:0DB8:0000:0000:0000:0000:0000:0001', '2001:db8::1'],
    ['2001:db8:0:0:1:0:0:1', '2001:db8::1:0:0:1'],
    ['2001:db8:0:1:1:1:1:1', '2001:db8:0:1:1:1:1:1'],
    ['0:0:0:0:0:0:0:0', '::'],
    ['0:0:0:0:0:0:0:1', '::1'],
    ['1:0:0:0:0:0:0:0', '1::'],
    ['::ffff:192.0.2.1', '::ffff:192.0.2.1'],
  ];
  for (const [input, output] of cases) {
    test(`${input} is written ${output}`, () => {
      assert.equal(formatIp(parseIp(input) ?? assert.fail()), output);
    });
  }
});
