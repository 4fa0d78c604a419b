/**
 * Label and field selectors. Cases come from k8s.io/apimachinery: pkg/labels/selector_test.go
 * (TestSelectorParse, TestSetSelectorParser, TestSelectorMatches, TestRequirementSelectorMatching,
 * TestRequirementConstructor), pkg/fields/selector_test.go, and the messages of
 * pkg/labels/selector.go and pkg/api/validate/content as the API server prints them.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { LabelRequirement } from '../../../src/analysis/labels.ts';
import {
  labelSelectorAsRequirements,
  matchesFieldRequirements,
  matchesLabelSelector,
  matchesRequirements,
  matchesServiceSelector,
  parseFieldSelectorString,
  parseLabelSelectorString,
  validateLabelKey,
  validateLabelValue,
} from '../../../src/analysis/labels.ts';

const NAME_REGEX = "'([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]'";
const NAME_PART = `must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is ${NAME_REGEX})`;
const VALUE_RULE = `a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')`;
const SUBDOMAIN_RULE =
  "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')";

function req(key: string, operator: LabelRequirement['operator'], values: string[] = []): LabelRequirement {
  return { key, operator, values };
}

function matches(selector: string, labels: Record<string, string>): boolean {
  return matchesRequirements(parseLabelSelectorString(selector), labels);
}

describe('parseLabelSelectorString', () => {
  const valid: Array<[string, LabelRequirement[]]> = [
    ['', []],
    ['   ', []],
    ['x=a,y=b,z=c', [req('x', '=', ['a']), req('y', '=', ['b']), req('z', '=', ['c'])]],
    ['x!=a,y=b', [req('x', '!=', ['a']), req('y', '=', ['b'])]],
    ['x=', [req('x', '=', [''])]],
    ['x= ', [req('x', '=', [''])]],
    ['x=,z= ', [req('x', '=', ['']), req('z', '=', [''])]],
    ['x==a', [req('x', '==', ['a'])]],
    ['!x', [req('x', '!')]],
    ['x>1', [req('x', 'gt', ['1'])]],
    ['x>1,z<5', [req('x', 'gt', ['1']), req('z', 'lt', ['5'])]],
    ['\rx', [req('x', 'exists')]],
    ['a ', [req('a', 'exists')]],
    ['this-is-a-dns.domain.com/key-with-dash', [req('this-is-a-dns.domain.com/key-with-dash', 'exists')]],
    [
      'this-is-another-dns.domain.com/key-with-dash in (so,what)',
      [req('this-is-another-dns.domain.com/key-with-dash', 'in', ['so', 'what'])],
    ],
    [
      '0.1.2.domain/99 notin (10.10.100.1, tick.tack.clock)',
      [req('0.1.2.domain/99', 'notin', ['10.10.100.1', 'tick.tack.clock'])],
    ],
    ['foo  in\t (abc)', [req('foo', 'in', ['abc'])]],
    ['x notin\n (abc)', [req('x', 'notin', ['abc'])]],
    ['x  notin\t\t\t(abc,def)', [req('x', 'notin', ['abc', 'def'])]],
    ['x in (abc,)', [req('x', 'in', ['', 'abc'])]],
    ['x in ()', [req('x', 'in', [''])]],
    ['x notin ( )', [req('x', 'notin', [''])]],
    ['x notin (, a)', [req('x', 'notin', ['', 'a'])]],
    ['x in (b,a,b)', [req('x', 'in', ['a', 'b'])]],
    [
      'x notin (abc,,def),bar,z in (),w',
      [req('bar', 'exists'), req('w', 'exists'), req('x', 'notin', ['', 'abc', 'def']), req('z', 'in', [''])],
    ],
    ['x,y in (a)', [req('x', 'exists'), req('y', 'in', ['a'])]],
    ['x=a,y!=b,z in (h,i,j)', [req('x', '=', ['a']), req('y', '!=', ['b']), req('z', 'in', ['h', 'i', 'j'])]],
    ['a in (x,y,notin, z,in)', [req('a', 'in', ['in', 'notin', 'x', 'y', 'z'])]],
    ['notin=in', [req('notin', '=', ['in'])]],
    ['in in (in)', [req('in', 'in', ['in'])]],
    ['x=a,a=x', [req('a', '=', ['x']), req('x', '=', ['a'])]],
    ['z!=a,z', [req('z', '!=', ['a']), req('z', 'exists')]],
  ];
  for (const [text, expected] of valid) {
    test(`parses ${JSON.stringify(text)}`, () => {
      assert.deepEqual(parseLabelSelectorString(text), expected);
    });
  }

  const invalid: Array<[string, string]> = [
    ['x=a||y=b', `unable to parse requirement: values[0][x]: Invalid value: "a||y": ${VALUE_RULE}`],
    ['x==a==b', "found '==', expected: ',' or 'end of string'"],
    ['!x=a', "found '=', expected: ',' or 'end of string'"],
    [
      'x<a',
      `unable to parse requirement: values[0]: Invalid value: "a": for 'Gt', 'Lt' operators, the value must be an integer`,
    ],
    ['x<-7', `unable to parse requirement: values[0][x]: Invalid value: "-7": ${VALUE_RULE}`],
    [
      'x>',
      `unable to parse requirement: values[0]: Invalid value: "": for 'Gt', 'Lt' operators, the value must be an integer`,
    ],
    [
      'x>a$',
      `unable to parse requirement: [values[0]: Invalid value: "a$": for 'Gt', 'Lt' operators, the value must be an integer, values[0][x]: Invalid value: "a$": ${VALUE_RULE}]`,
    ],
    ['x,,y', "found ',', expected: identifier after ','"],
    [',x,y', "found ',', expected: !, identifier, or 'end of string'"],
    ['x nott in (y)', "unable to parse requirement: found 'nott', expected: in, notin, =, ==, !=, gt, lt"],
    ['a in (xyz),', "found '', expected: identifier after ','"],
    ['a in (xyz)b notin ()', "found 'b', expected: ',' or 'end of string'"],
    ['a in (xyz abc)', "unable to parse requirement: found 'abc', expected: ',' or ')'"],
    ['a notin(', "unable to parse requirement: found '', expected: ',', ')' or identifier"],
    ['a in (x,', "unable to parse requirement: found '', expected: ',', or identifier"],
    ['a in x', "unable to parse requirement: found 'x' expected: '('"],
    ['a (', "unable to parse requirement: found '(', expected: in, notin, =, ==, !=, gt, lt"],
    ['(', "found '(', expected: !, identifier, or 'end of string'"],
    ['!', "unable to parse requirement: found '', expected: identifier"],
    ['x=(', "unable to parse requirement: found '(', expected: identifier"],
    ['x in (b,$a)', `unable to parse requirement: values[0][x]: Invalid value: "$a": ${VALUE_RULE}`],
    ['-app=web', `unable to parse requirement: <nil>: Invalid value: "-app": name part ${NAME_PART}`],
    [
      'x/y/z',
      `unable to parse requirement: <nil>: Invalid value: "x/y/z": a valid label key ${NAME_PART} with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')`,
    ],
    ['/app', 'unable to parse requirement: <nil>: Invalid value: "/app": prefix part must be non-empty'],
    [
      'example.com/',
      `unable to parse requirement: <nil>: Invalid value: "example.com/": name part must be non-empty; name part ${NAME_PART}`,
    ],
    [
      'Example.com/app',
      `unable to parse requirement: <nil>: Invalid value: "Example.com/app": prefix part ${SUBDOMAIN_RULE}`,
    ],
    [
      `${'a'.repeat(64)}=b`,
      `unable to parse requirement: <nil>: Invalid value: "${'a'.repeat(64)}": name part must be no more than 63 bytes`,
    ],
  ];
  for (const [text, message] of invalid) {
    test(`rejects ${JSON.stringify(text)}`, () => {
      assert.throws(() => parseLabelSelectorString(text), { message });
    });
  }
});

describe('matchesRequirements', () => {
  const cases: Array<[string, Record<string, string>, boolean]> = [
    ['', { x: 'y' }, true],
    ['x=y', { x: 'y' }, true],
    ['x=y,z=w', { x: 'y', z: 'w' }, true],
    ['x!=y,z!=w', { x: 'z', z: 'a' }, true],
    ['notin=in', { notin: 'in' }, true],
    ['x', { x: 'z' }, true],
    ['!x', { y: 'z' }, true],
    ['x>1', { x: '2' }, true],
    ['x<1', { x: '0' }, true],
    ['x=z', {}, false],
    ['x=y', { x: 'z' }, false],
    ['x=y,z=w', { x: 'w', z: 'w' }, false],
    ['x!=y,z!=w', { x: 'z', z: 'w' }, false],
    ['x', { y: 'z' }, false],
    ['!x', { x: 'z' }, false],
    ['x>1', { x: '0' }, false],
    ['x<1', { x: '2' }, false],
    ['foo=bar,baz=blah', { foo: 'bar', baz: 'blah' }, true],
    ['foo=bar,foobar=bar,baz=blah', { foo: 'bar', baz: 'blah' }, false],
    ['x in (foo),y notin (alpha)', { x: 'foo', y: 'baz' }, true],
    ['x in (foo),y in (alpha)', { x: 'foo', y: 'baz' }, false],
    ['x notin (),y', { y: '' }, true],
    ['!x,y', { y: '' }, true],
    ['x notin (),!y', { y: '' }, false],
    ['x in ()', { y: 'baz' }, false],
    ['x in ()', { x: '' }, true],
    ['z>1', { z: '2' }, true],
    ['z>1', { z: 'v2' }, false],
    ['z>1', {}, false],
    ['z<1', {}, false],
    ['z<9223372036854775807', { z: '9223372036854775806' }, true],
    ['z>1', { z: '9223372036854775808' }, false],
  ];
  for (const [selector, labels, expected] of cases) {
    test(`${JSON.stringify(selector)} ${expected ? 'matches' : 'does not match'} ${JSON.stringify(labels)}`, () => {
      assert.equal(matches(selector, labels), expected);
    });
  }

  test('!= and notin hold when the key is absent, = and in do not', () => {
    assert.equal(matches('tier!=db', {}), true);
    assert.equal(matches('tier notin (db,cache)', { app: 'web' }), true);
    assert.equal(matches('tier=db', {}), false);
    assert.equal(matches('tier in (db)', {}), false);
  });

  test('gt and lt compare signed 64-bit integers', () => {
    assert.equal(matchesRequirements([req('z', 'gt', ['-5'])], { z: '-4' }), true);
    assert.equal(matchesRequirements([req('z', 'lt', ['+3'])], { z: '2' }), true);
    assert.equal(matchesRequirements([req('z', 'gt', ['1', '2'])], { z: '5' }), false);
  });

  test('an object without labels is matched like one with no labels', () => {
    assert.equal(matchesRequirements(parseLabelSelectorString('!x'), undefined), true);
    assert.equal(matchesRequirements(parseLabelSelectorString('x'), undefined), false);
  });
});

describe('matchesLabelSelector', () => {
  test('the empty selector matches everything', () => {
    assert.equal(matchesLabelSelector({}, { app: 'web' }), true);
    assert.equal(matchesLabelSelector({}, undefined), true);
    assert.equal(matchesLabelSelector({ matchLabels: {}, matchExpressions: [] }, {}), true);
  });

  test('an absent selector matches nothing unless told otherwise', () => {
    assert.equal(matchesLabelSelector(undefined, { app: 'web' }), false);
    assert.equal(matchesLabelSelector(null, { app: 'web' }), false);
    assert.equal(matchesLabelSelector(undefined, { app: 'web' }, 'matches-everything'), true);
    assert.equal(matchesLabelSelector(null, {}, 'matches-everything'), true);
  });

  test('matchLabels and matchExpressions are ANDed', () => {
    const selector = {
      matchLabels: { app: 'web' },
      matchExpressions: [
        { key: 'tier', operator: 'In' as const, values: ['frontend', 'edge'] },
        { key: 'canary', operator: 'DoesNotExist' as const },
      ],
    };
    assert.equal(matchesLabelSelector(selector, { app: 'web', tier: 'edge' }), true);
    assert.equal(matchesLabelSelector(selector, { app: 'web', tier: 'backend' }), false);
    assert.equal(matchesLabelSelector(selector, { app: 'api', tier: 'edge' }), false);
    assert.equal(matchesLabelSelector(selector, { app: 'web', tier: 'edge', canary: 'true' }), false);
  });

  test('NotIn and Exists behave as upstream for absent keys', () => {
    assert.equal(
      matchesLabelSelector({ matchExpressions: [{ key: 'env', operator: 'NotIn', values: ['prod'] }] }, {}),
      true,
    );
    assert.equal(matchesLabelSelector({ matchExpressions: [{ key: 'env', operator: 'Exists' }] }, {}), false);
    assert.equal(
      matchesLabelSelector({ matchExpressions: [{ key: 'env', operator: 'Exists' }] }, { env: '' }),
      true,
    );
  });

  test('a malformed selector matches nothing', () => {
    assert.equal(
      matchesLabelSelector({ matchExpressions: [{ key: 'a', operator: 'In', values: [] }] }, { a: 'x' }),
      false,
    );
    assert.equal(
      matchesLabelSelector(
        { matchExpressions: [{ key: 'a', operator: 'Exists', values: ['x'] }] },
        { a: 'x' },
      ),
      false,
    );
    const bogus = { matchExpressions: [{ key: 'a', operator: 'Gt' as unknown as 'In', values: ['1'] }] };
    assert.equal(matchesLabelSelector(bogus, { a: '2' }), false);
  });

  test('labelSelectorAsRequirements converts and explains what it refuses', () => {
    assert.deepEqual(
      labelSelectorAsRequirements({
        matchLabels: { b: '1' },
        matchExpressions: [{ key: 'a', operator: 'NotIn', values: ['y', 'x', 'y'] }],
      }),
      [req('a', 'notin', ['x', 'y']), req('b', '=', ['1'])],
    );
    assert.throws(
      () => labelSelectorAsRequirements({ matchExpressions: [{ key: 'a', operator: 'In' }] }),
      /for 'in', 'notin' operators, values set can't be empty/,
    );
    assert.throws(
      () =>
        labelSelectorAsRequirements({
          matchExpressions: [{ key: 'a', operator: 'DoesNotExist', values: ['x'] }],
        }),
      /values set must be empty for exists and does not exist/,
    );
    assert.throws(
      () =>
        labelSelectorAsRequirements({
          matchExpressions: [{ key: 'a', operator: 'in' as unknown as 'In', values: ['x'] }],
        }),
      { message: '"in" is not a valid label selector operator' },
    );
  });
});

describe('matchesServiceSelector', () => {
  test('every key of the selector must be present with an equal value', () => {
    assert.equal(matchesServiceSelector({ app: 'web' }, { app: 'web', tier: 'edge' }), true);
    assert.equal(matchesServiceSelector({ app: 'web', tier: 'edge' }, { app: 'web' }), false);
    assert.equal(matchesServiceSelector({ app: 'web' }, { app: 'api' }), false);
    assert.equal(matchesServiceSelector({ app: '' }, {}), false);
    assert.equal(matchesServiceSelector({ app: '' }, { app: '' }), true);
  });

  test('a missing or empty selector picks no pod for endpoints', () => {
    assert.equal(matchesServiceSelector(undefined, { app: 'web' }), false);
    assert.equal(matchesServiceSelector(null, { app: 'web' }), false);
    assert.equal(matchesServiceSelector({}, { app: 'web' }), false);
  });
});

describe('validateLabelKey and validateLabelValue', () => {
  const goodKeys = [
    'app',
    'a',
    '1234',
    '1foo',
    'app.kubernetes.io/name',
    'kubernetes.io/metadata.name',
    'A_b-C.d',
    'example.com/MyName',
    `${'a'.repeat(253)}/${'b'.repeat(63)}`,
  ];
  for (const key of goodKeys) {
    test(`accepts the key ${JSON.stringify(key.length > 40 ? `${key.slice(0, 20)}…` : key)}`, () => {
      assert.deepEqual(validateLabelKey(key), []);
    });
  }

  const badKeys: Array<[string, string[]]> = [
    ['', ['name part must be non-empty', `name part ${NAME_PART}`]],
    ['-app', [`name part ${NAME_PART}`]],
    ['app-', [`name part ${NAME_PART}`]],
    ['app name', [`name part ${NAME_PART}`]],
    ['a'.repeat(64), ['name part must be no more than 63 bytes']],
    ['/app', ['prefix part must be non-empty']],
    ['Example.com/app', [`prefix part ${SUBDOMAIN_RULE}`]],
    ['example_com/app', [`prefix part ${SUBDOMAIN_RULE}`]],
    [`${'a'.repeat(254)}/b`, ['prefix part must be no more than 253 bytes']],
    ['example.com/', ['name part must be non-empty', `name part ${NAME_PART}`]],
    [
      'a/b/c',
      [
        `a valid label key ${NAME_PART} with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')`,
      ],
    ],
    ['é', [`name part ${NAME_PART}`]],
  ];
  for (const [key, errors] of badKeys) {
    test(`rejects the key ${JSON.stringify(key.length > 40 ? `${key.slice(0, 20)}…` : key)}`, () => {
      assert.deepEqual(validateLabelKey(key), errors);
    });
  }

  test('values may be empty and follow the name alphabet', () => {
    for (const value of ['', 'web', 'v1.2.3', 'MyValue', 'my_value', '12345', 'a'.repeat(63)]) {
      assert.deepEqual(validateLabelValue(value), [], value);
    }
  });

  test('values are refused with the API server words', () => {
    assert.deepEqual(validateLabelValue('-web'), [VALUE_RULE]);
    assert.deepEqual(validateLabelValue('a b'), [VALUE_RULE]);
    assert.deepEqual(validateLabelValue('a'.repeat(64)), ['must be no more than 63 bytes']);
    assert.deepEqual(validateLabelValue(`-${'a'.repeat(63)}`), ['must be no more than 63 bytes', VALUE_RULE]);
    // Length counts bytes, as Go does: 32 two-byte characters are 64 bytes.
    assert.deepEqual(validateLabelValue('é'.repeat(32)), ['must be no more than 63 bytes', VALUE_RULE]);
  });
});

describe('parseFieldSelectorString', () => {
  test('parses =, == and != terms, sorted like upstream', () => {
    assert.deepEqual(parseFieldSelectorString('status.phase==Running,spec.nodeName!='), [
      { field: 'spec.nodeName', operator: '!=', value: '' },
      { field: 'status.phase', operator: '=', value: 'Running' },
    ]);
    assert.deepEqual(parseFieldSelectorString('metadata.name=web-0'), [
      { field: 'metadata.name', operator: '=', value: 'web-0' },
    ]);
  });

  test('empty selectors and empty terms select everything', () => {
    assert.deepEqual(parseFieldSelectorString(''), []);
    assert.deepEqual(parseFieldSelectorString('a=b,'), [{ field: 'a', operator: '=', value: 'b' }]);
    assert.deepEqual(parseFieldSelectorString(',,'), []);
  });

  test('the first operator splits a term', () => {
    assert.deepEqual(parseFieldSelectorString('a==b'), [{ field: 'a', operator: '=', value: 'b' }]);
    assert.deepEqual(parseFieldSelectorString('a=!b'), [{ field: 'a', operator: '=', value: '!b' }]);
  });

  test('values unescape \\, \\= and \\\\', () => {
    assert.deepEqual(parseFieldSelectorString('a=b\\,c,d=e\\=f,g=h\\\\'), [
      { field: 'a', operator: '=', value: 'b,c' },
      { field: 'd', operator: '=', value: 'e=f' },
      { field: 'g', operator: '=', value: 'h\\' },
    ]);
  });

  test('blanks are kept, as upstream keeps them', () => {
    assert.deepEqual(parseFieldSelectorString(' a = b '), [{ field: ' a ', operator: '=', value: ' b ' }]);
  });

  const invalid: Array<[string, string]> = [
    ['a', "invalid selector: 'a'; can't understand 'a'"],
    ['a=b,c', "invalid selector: 'a=b,c'; can't understand 'c'"],
    ['a=b=c', 'invalid field selector: unescaped character in value: 61'],
    ['a!==b', 'invalid field selector: unescaped character in value: 61'],
    ['a=b\\x', 'invalid field selector: invalid escape sequence: \\x'],
    ['a=b\\', 'invalid field selector: invalid escape sequence: \\'],
  ];
  for (const [text, message] of invalid) {
    test(`rejects ${JSON.stringify(text)}`, () => {
      assert.throws(() => parseFieldSelectorString(text), { message });
    });
  }

  test('matchesFieldRequirements compares fields, a missing one reading as ""', () => {
    const fields = { 'metadata.name': 'web-0', 'status.phase': 'Running' };
    assert.equal(matchesFieldRequirements(parseFieldSelectorString('status.phase=Running'), fields), true);
    assert.equal(matchesFieldRequirements(parseFieldSelectorString('status.phase!=Running'), fields), false);
    assert.equal(matchesFieldRequirements(parseFieldSelectorString('spec.nodeName='), fields), true);
    assert.equal(matchesFieldRequirements(parseFieldSelectorString('spec.nodeName!=node-1'), fields), true);
  });
});
