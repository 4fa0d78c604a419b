/**
 * Static checks of NetworkPolicies (KR2xxx), valid and invalid.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { checkLabelSelector } from '../../../src/analysis/manifests/policy.ts';
import { analyze, applyFix, codes, policy, spans } from './helpers.ts';

function found(spec: string, options: { patch?: boolean } = {}): { codes: string[]; spans: string[] } {
  const text = policy(spec);
  const diagnostics = analyze(text, {}, { isPatch: options.patch ?? false });
  return { codes: codes(diagnostics), spans: spans(text, diagnostics) };
}

describe('valid NetworkPolicies give no findings', () => {
  const valid: [string, string][] = [
    ['deny all ingress', '  podSelector: {}\n  policyTypes: [Ingress]\n'],
    ['deny all egress', '  podSelector: {}\n  policyTypes: [Egress]\n'],
    ['allow all ingress', '  podSelector: {}\n  ingress:\n    - {}\n'],
    [
      'the upstream example',
      `  podSelector:
    matchLabels:
      role: db
  policyTypes:
    - Ingress
    - Egress
  ingress:
    - from:
        - ipBlock:
            cidr: 172.17.0.0/16
            except:
              - 172.17.1.0/24
        - namespaceSelector:
            matchLabels:
              project: myproject
        - podSelector:
            matchLabels:
              role: frontend
      ports:
        - protocol: TCP
          port: 6379
  egress:
    - to:
        - ipBlock:
            cidr: 10.0.0.0/24
      ports:
        - protocol: TCP
          port: 5978
`,
    ],
    [
      'a port range',
      '  podSelector: {}\n  egress:\n    - ports:\n        - { protocol: TCP, port: 32000, endPort: 32768 }\n',
    ],
    ['a named port', '  podSelector: {}\n  ingress:\n    - ports:\n        - port: postgres\n'],
    [
      'IPv6 blocks',
      '  podSelector: {}\n  ingress:\n    - from:\n        - ipBlock: { cidr: "fd00::/8", except: ["fd00:1::/32"] }\n',
    ],
    [
      'matchExpressions',
      '  podSelector:\n    matchExpressions:\n      - { key: app, operator: In, values: [a, b] }\n      - { key: tier, operator: DoesNotExist }\n',
    ],
    [
      'a namespaceSelector and podSelector in one peer',
      '  podSelector: {}\n  ingress:\n    - from:\n        - namespaceSelector: {}\n          podSelector: { matchLabels: { app: a } }\n',
    ],
    [
      'ipBlock 0.0.0.0/0 with host bits except',
      '  podSelector: {}\n  egress:\n    - to:\n        - ipBlock: { cidr: 0.0.0.0/0, except: [169.254.169.254/32] }\n',
    ],
  ];
  for (const [name, spec] of valid) {
    test(name, () => assert.deepEqual(found(spec).codes, []));
  }
});

describe('KR2001: podSelector present', () => {
  test('missing podSelector: a warning on spec, with a fix', () => {
    const text = policy('  policyTypes: [Ingress]\n');
    const [diagnostic] = analyze(text);
    assert.equal(diagnostic!.code, 'KR2001');
    assert.equal(diagnostic!.severity, 'warning');
    assert.equal(text.slice(diagnostic!.span.start, diagnostic!.span.end), 'spec');
    assert.equal(applyFix(text, diagnostic!), policy('  podSelector: {}\n  policyTypes: [Ingress]\n'));
  });
  test('no spec at all', () => {
    assert.deepEqual(
      codes(analyze('apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: { name: a }\n')),
      ['KR2001'],
    );
  });
  test('not in a patch', () =>
    assert.deepEqual(found('  policyTypes: [Ingress]\n', { patch: true }).codes, []));
});

describe('KR2002: policyTypes', () => {
  test('lower case, fixed', () => {
    const text = policy('  podSelector: {}\n  policyTypes: [ingress]\n');
    const [diagnostic] = analyze(text);
    assert.equal(diagnostic!.code, 'KR2002');
    assert.equal(applyFix(text, diagnostic!), policy('  podSelector: {}\n  policyTypes: [Ingress]\n'));
  });
  test('an unknown type', () =>
    assert.deepEqual(found('  podSelector: {}\n  policyTypes: [Both]\n'), {
      codes: ['KR2002'],
      spans: ['Both'],
    }));
  test('not a list', () =>
    assert.deepEqual(found('  podSelector: {}\n  policyTypes: Ingress\n').codes, ['KR2002']));
  test('three entries', () =>
    assert.deepEqual(found('  podSelector: {}\n  policyTypes: [Ingress, Egress, Ingress]\n').codes, [
      'KR2002',
    ]));
});

describe('KR2003, KR2004, KR2005: ports', () => {
  const rule = (port: string) => `  podSelector: {}\n  ingress:\n    - ports:\n        - ${port}\n`;
  test('protocol in lower case', () =>
    assert.deepEqual(found(rule('{ protocol: tcp, port: 80 }')), { codes: ['KR2003'], spans: ['tcp'] }));
  for (const port of ['0', '65536', '"80"', 'Http', 'a_b', '1.5']) {
    test(`port: ${port}`, () =>
      assert.deepEqual(found(rule(`{ port: ${port} }`)), { codes: ['KR2004'], spans: [port] }));
  }
  test('a quoted number: the fix unquotes it', () => {
    const text = policy(rule('{ port: "5432" }').slice(0, -1) + '\n');
    const [diagnostic] = analyze(text);
    assert.equal(applyFix(text, diagnostic!), text.replace('"5432"', '5432'));
  });
  test('endPort below port', () =>
    assert.deepEqual(found(rule('{ port: 8000, endPort: 7000 }')), { codes: ['KR2005'], spans: ['7000'] }));
  test('endPort with a named port', () =>
    assert.deepEqual(found(rule('{ port: http, endPort: 9000 }')).codes, ['KR2005']));
  test('endPort without port', () => assert.deepEqual(found(rule('{ endPort: 9000 }')).codes, ['KR2005']));
  test('endPort out of range', () =>
    assert.deepEqual(found(rule('{ port: 80, endPort: 70000 }')).codes, ['KR2005']));
  test('endPort equal to port is a range of one', () =>
    assert.deepEqual(found(rule('{ port: 80, endPort: 80 }')).codes, []));
  test('ports not a list', () =>
    assert.deepEqual(found('  podSelector: {}\n  ingress:\n    - ports: 80\n').codes, ['KR2004']));
});

describe('KR2006 and KR2007: ipBlock', () => {
  const block = (value: string) => `  podSelector: {}\n  egress:\n    - to:\n        - ipBlock: ${value}\n`;
  for (const cidr of [
    '10.0.0.0/33',
    '10.0.0.0',
    '300.0.0.0/8',
    '010.0.0.0/8',
    'fd00::/129',
    'example.com/24',
  ]) {
    test(`cidr ${cidr}`, () => assert.deepEqual(found(block(`{ cidr: "${cidr}" }`)).codes, ['KR2006']));
  }
  test('no cidr', () => assert.deepEqual(found(block('{ except: [10.0.0.0/8] }')).codes, ['KR2006']));
  test('an invalid except', () =>
    assert.deepEqual(found(block('{ cidr: 10.0.0.0/8, except: [nonsense] }')), {
      codes: ['KR2006'],
      spans: ['nonsense'],
    }));
  test('an except outside the cidr', () => {
    assert.deepEqual(found(block('{ cidr: 10.0.0.0/16, except: [10.1.0.0/24] }')), {
      codes: ['KR2007'],
      spans: ['10.1.0.0/24'],
    });
  });
  test('an except equal to the cidr is not strictly inside', () => {
    assert.deepEqual(found(block('{ cidr: 10.0.0.0/16, except: [10.0.0.0/16] }')).codes, ['KR2007']);
  });
  test('an except larger than the cidr', () =>
    assert.deepEqual(found(block('{ cidr: 10.0.0.0/16, except: [10.0.0.0/8] }')).codes, ['KR2007']));
  test('an except of the other family', () => {
    const [diagnostic] = analyze(policy(block('{ cidr: 10.0.0.0/8, except: ["fd00::/16"] }').slice(0)));
    assert.equal(diagnostic!.code, 'KR2007');
    assert.match(diagnostic!.message, /IPv6/);
  });
  test('an except with host bits inside the cidr', () =>
    assert.deepEqual(found(block('{ cidr: 10.0.0.0/8, except: [10.1.2.3/16] }')).codes, []));
});

describe('KR2008: unknown fields', () => {
  const typos: [string, string, string][] = [
    ['  podSelecter: {}\n', 'podSelecter', 'podSelector'],
    ['  podSelector: {}\n  polcyTypes: [Ingress]\n', 'polcyTypes', 'policyTypes'],
    ['  podSelector: {}\n  ingres:\n    - {}\n', 'ingres', 'ingress'],
    ['  podSelector:\n    matchLabel: { app: a }\n', 'matchLabel', 'matchLabels'],
    ['  podSelector: {}\n  ingress:\n    - form:\n        - podSelector: {}\n', 'form', 'from'],
    ['  podSelector: {}\n  egress:\n    - too:\n        - podSelector: {}\n', 'too', 'to'],
    [
      '  podSelector: {}\n  ingress:\n    - from:\n        - namespaceSelecter: {}\n',
      'namespaceSelecter',
      'namespaceSelector',
    ],
    ['  podSelector: {}\n  ingress:\n    - from:\n        - ipBlock: { cird: 10.0.0.0/8 }\n', 'cird', 'cidr'],
    ['  podSelector: {}\n  ingress:\n    - ports:\n        - { prot: 80 }\n', 'prot', 'port'],
  ];
  for (const [spec, typo, suggestion] of typos) {
    test(`${typo} → ${suggestion}`, () => {
      const text = policy(spec);
      const diagnostic = analyze(text).find((candidate) => candidate.code === 'KR2008');
      assert.ok(diagnostic, JSON.stringify(codes(analyze(text))));
      assert.equal(text.slice(diagnostic.span.start, diagnostic.span.end), typo);
      assert.equal(applyFix(text, diagnostic), text.replace(typo, suggestion));
    });
  }
  test('rules that are not lists', () =>
    assert.deepEqual(found('  podSelector: {}\n  ingress: {}\n').codes, ['KR2008']));
});

describe('KR2009: label selectors', () => {
  const selector = (value: string) => `  podSelector:\n${value}`;
  test('an operator in the wrong case, fixed', () => {
    const text = policy(selector('    matchExpressions:\n      - { key: app, operator: in, values: [a] }\n'));
    const [diagnostic] = analyze(text);
    assert.equal(diagnostic!.code, 'KR2009');
    assert.equal(applyFix(text, diagnostic!), text.replace('operator: in', 'operator: In'));
  });
  test('In without values', () =>
    assert.deepEqual(found(selector('    matchExpressions:\n      - { key: app, operator: In }\n')).codes, [
      'KR2009',
    ]));
  test('Exists with values', () =>
    assert.deepEqual(
      found(selector('    matchExpressions:\n      - { key: app, operator: Exists, values: [a] }\n')).codes,
      ['KR2009'],
    ));
  test('no key', () =>
    assert.deepEqual(found(selector('    matchExpressions:\n      - { operator: Exists }\n')).codes, [
      'KR2009',
    ]));
  test('a bad key in matchLabels', () =>
    assert.deepEqual(found(selector('    matchLabels: { "a b": c }\n')).codes, ['KR2009']));
  test('a number in matchLabels, quoted by the fix', () => {
    const text = policy(selector('    matchLabels:\n      version: 2\n'));
    const [diagnostic] = analyze(text);
    assert.equal(applyFix(text, diagnostic!), text.replace('version: 2', 'version: "2"'));
  });
  test('a selector that is not a mapping', () =>
    assert.deepEqual(found('  podSelector: app=web\n').codes, ['KR2009']));
  test('YAML 1.1 booleans in matchLabels, in the podSelector and in peers', () => {
    const text = policy(
      '  podSelector:\n    matchLabels: { canary: yes }\n  ingress:\n    - from:\n        - namespaceSelector: { matchLabels: { prod: "on" } }\n          podSelector: { matchLabels: { trusted: on } }\n',
    );
    const diagnostics = analyze(text);
    assert.deepEqual(codes(diagnostics), ['KR2009', 'KR2009']);
    assert.deepEqual(spans(text, diagnostics), ['yes', 'on']);
  });
  test('peer selectors are checked too', () => {
    assert.deepEqual(
      found(
        '  podSelector: {}\n  ingress:\n    - from:\n        - namespaceSelector: { matchLabels: { team: "a b" } }\n',
      ).codes,
      ['KR2009'],
    );
  });
  test('checkLabelSelector directly', () => {
    assert.deepEqual(checkLabelSelector({}, ['x']), []);
    assert.deepEqual(
      checkLabelSelector({ matchExpressions: 'no' }, ['x']).map((finding) => finding.code),
      ['KR2009'],
    );
    assert.deepEqual(
      checkLabelSelector({ matchExpressions: [{ key: 'a', operator: 'In', values: 'b' }] }, ['x']).map(
        (finding) => finding.code,
      ),
      ['KR2009'],
    );
  });
});

describe('KR2010: peers', () => {
  test('an empty peer', () =>
    assert.deepEqual(found('  podSelector: {}\n  ingress:\n    - from:\n        - {}\n'), {
      codes: ['KR2010'],
      spans: ['{}'],
    }));
  test('ipBlock with a selector', () => {
    assert.deepEqual(
      found(
        '  podSelector: {}\n  ingress:\n    - from:\n        - ipBlock: { cidr: 10.0.0.0/8 }\n          namespaceSelector: {}\n',
      ),
      {
        codes: ['KR2010'],
        spans: ['ipBlock'],
      },
    );
  });
  test('from that is not a list', () =>
    assert.deepEqual(found('  podSelector: {}\n  ingress:\n    - from: {}\n').codes, ['KR2010']));
});

describe('KR2011: rules policyTypes makes inert', () => {
  test('egress rules with policyTypes [Ingress]', () => {
    assert.deepEqual(found('  podSelector: {}\n  policyTypes: [Ingress]\n  egress:\n    - {}\n'), {
      codes: ['KR2011'],
      spans: ['egress'],
    });
  });
  test('ingress rules with policyTypes [Egress]', () => {
    assert.deepEqual(found('  podSelector: {}\n  policyTypes: [Egress]\n  ingress:\n    - {}\n').codes, [
      'KR2011',
    ]);
  });
  test('without policyTypes the rules decide', () =>
    assert.deepEqual(found('  podSelector: {}\n  egress:\n    - {}\n').codes, []));
  test('an empty egress list is fine', () =>
    assert.deepEqual(found('  podSelector: {}\n  policyTypes: [Ingress]\n  egress: []\n').codes, []));
});
