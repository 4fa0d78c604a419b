/**
 * Static checks of Services (KR1xxx), valid and invalid, each with where it points and its fixes.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { checkService, suggestPortName } from '../../../src/analysis/manifests/service.ts';
import { analyze, applyFix, codes, service, spans } from './helpers.ts';

function found(spec: string, options: { patch?: boolean } = {}): { codes: string[]; spans: string[] } {
  const text = service(spec);
  const diagnostics = analyze(text, {}, { isPatch: options.patch ?? false });
  return { codes: codes(diagnostics), spans: spans(text, diagnostics) };
}

describe('valid Services give no findings', () => {
  const valid: [string, string][] = [
    ['a single unnamed port', '  selector: { app: web }\n  ports:\n    - port: 80\n'],
    [
      'named ports with named and numeric targets',
      '  selector: { app: web }\n  ports:\n    - { name: http, port: 80, targetPort: http }\n    - { name: metrics, port: 9100, targetPort: 9100 }\n',
    ],
    [
      'the same port for TCP and UDP',
      '  ports:\n    - { name: dns, port: 53, protocol: UDP }\n    - { name: dns-tcp, port: 53, protocol: TCP }\n',
    ],
    ['SCTP', '  ports:\n    - { port: 9999, protocol: SCTP }\n'],
    ['a NodePort in range', '  type: NodePort\n  ports:\n    - { port: 80, nodePort: 30080 }\n'],
    [
      'a LoadBalancer with a nodePort',
      '  type: LoadBalancer\n  ports:\n    - { port: 443, nodePort: 32767 }\n',
    ],
    [
      'a headless ClusterIP Service',
      '  clusterIP: None\n  selector: { app: db }\n  ports:\n    - port: 5432\n',
    ],
    ['an ExternalName without ports', '  type: ExternalName\n  externalName: db.example.com\n'],
    [
      'a selector with prefixed keys and empty values',
      '  selector:\n    app.kubernetes.io/name: web\n    track: ""\n  ports:\n    - port: 80\n',
    ],
    ['a targetPort of 15 characters', '  ports:\n    - { port: 80, targetPort: abcdefghijklmno }\n'],
    ['an empty targetPort defaults to port', '  ports:\n    - { port: 80, targetPort: }\n'],
    [
      'every known spec field',
      '  type: LoadBalancer\n  ipFamilyPolicy: SingleStack\n  ipFamilies: [IPv4]\n  sessionAffinity: ClientIP\n  externalTrafficPolicy: Local\n  internalTrafficPolicy: Cluster\n  publishNotReadyAddresses: true\n  loadBalancerSourceRanges: [10.0.0.0/8]\n  allocateLoadBalancerNodePorts: false\n  ports:\n    - { port: 80, appProtocol: http }\n',
    ],
  ];
  for (const [name, spec] of valid) {
    test(name, () => assert.deepEqual(found(spec).codes, []));
  }

  test('metadata with every common field', () => {
    const text =
      'apiVersion: v1\nkind: Service\nmetadata:\n  name: a\n  namespace: b\n  labels: { x: y }\n  annotations: { a: b }\n  finalizers: []\n  ownerReferences: []\nspec:\n  ports: [{ port: 80 }]\n';
    assert.deepEqual(codes(analyze(text)), []);
  });
});

describe('KR1001: ports required', () => {
  test('no ports', () =>
    assert.deepEqual(found('  selector: { app: web }\n'), { codes: ['KR1001'], spans: ['spec'] }));
  test('an empty list', () =>
    assert.deepEqual(found('  ports: []\n'), { codes: ['KR1001'], spans: ['ports'] }));
  test('no spec at all', () => {
    const text = 'apiVersion: v1\nkind: Service\nmetadata: { name: a }\n';
    const diagnostics = analyze(text);
    assert.deepEqual(codes(diagnostics), ['KR1001']);
    assert.deepEqual(spans(text, diagnostics), ['kind']);
  });
  test('ports that are not a list', () => assert.deepEqual(found('  ports: 80\n').codes, ['KR1001']));
  test('not for ExternalName', () =>
    assert.deepEqual(found('  type: ExternalName\n  externalName: x.example.com\n').codes, []));
  test('not in a patch', () => assert.deepEqual(found('  type: LoadBalancer\n', { patch: true }).codes, []));
  test('the fix adds a port', () => {
    const text = service('  selector:\n    app: web\n');
    const [diagnostic] = analyze(text);
    assert.equal(
      applyFix(text, diagnostic!),
      service('  selector:\n    app: web\n  ports: [{ name: http, port: 80, targetPort: http }]\n'),
    );
  });
});

describe('KR1002: port', () => {
  for (const value of ['0', '65536', '-1', '80.5', 'http', 'true']) {
    test(`port: ${value}`, () =>
      assert.deepEqual(found(`  ports:\n    - port: ${value}\n`), { codes: ['KR1002'], spans: [value] }));
  }
  test('missing', () => assert.deepEqual(found('  ports:\n    - targetPort: 80\n').codes, ['KR1002']));
  test('a port that is not a mapping', () =>
    assert.deepEqual(found('  ports:\n    - 80\n').codes, ['KR1002']));
  test('quoted: the fix removes the quotes', () => {
    const text = service('  ports:\n    - port: "80"\n');
    const [diagnostic] = analyze(text);
    assert.equal(diagnostic!.code, 'KR1002');
    assert.equal(applyFix(text, diagnostic!), service('  ports:\n    - port: 80\n'));
  });
  test('1 and 65535 are fine', () => {
    assert.deepEqual(
      found('  ports:\n    - { name: a, port: 1 }\n    - { name: b, port: 65535 }\n').codes,
      [],
    );
  });
});

describe('KR1003: targetPort', () => {
  const invalid = [
    'a.b',
    'http_port',
    'Http',
    'a-',
    '-a',
    'a--b',
    'abcdefghijklmnop',
    '"8080"',
    '70000',
    '-5',
    '[80]',
  ];
  for (const value of invalid) {
    test(`targetPort: ${value}`, () => {
      const result = found(`  ports:\n    - port: 80\n      targetPort: ${value}\n`);
      assert.deepEqual(result.codes, ['KR1003'], value);
      assert.equal(result.spans[0], value);
    });
  }
  const validValues = ['8080', 'http', 'h2c', 'web-ui', '1a', '65535', '0'];
  for (const value of validValues) {
    test(`targetPort: ${value} is valid`, () => {
      assert.deepEqual(found(`  ports:\n    - port: 80\n      targetPort: ${value}\n`).codes, []);
    });
  }
  test('a quoted number: the fix unquotes it', () => {
    const text = service('  ports:\n    - port: 80\n      targetPort: "8080"\n');
    const [diagnostic] = analyze(text);
    assert.match(diagnostic!.message, /write 8080 without quotes/);
    assert.equal(applyFix(text, diagnostic!), service('  ports:\n    - port: 80\n      targetPort: 8080\n'));
  });
  test('a name in the wrong case: the fix lower-cases it', () => {
    const text = service('  ports:\n    - port: 80\n      targetPort: Http_Port\n');
    const [diagnostic] = analyze(text);
    assert.equal(diagnostic!.fixes[0]!.title, 'Change to http-port');
    assert.equal(
      applyFix(text, diagnostic!),
      service('  ports:\n    - port: 80\n      targetPort: http-port\n'),
    );
  });
});

describe('KR1004: protocol', () => {
  for (const value of ['tcp', 'HTTP', 'udp', 'Sctp', '6']) {
    test(`protocol: ${value}`, () => {
      assert.deepEqual(found(`  ports:\n    - port: 80\n      protocol: ${value}\n`), {
        codes: ['KR1004'],
        spans: [value],
      });
    });
  }
  test('the fix corrects the case', () => {
    const text = service('  ports:\n    - port: 53\n      protocol: udp\n');
    const [diagnostic] = analyze(text);
    assert.equal(applyFix(text, diagnostic!), service('  ports:\n    - port: 53\n      protocol: UDP\n'));
  });
  test('HTTP has no fix (it is not a protocol the API knows)', () => {
    const [diagnostic] = analyze(service('  ports:\n    - port: 80\n      protocol: HTTP\n'));
    assert.deepEqual(diagnostic!.fixes, []);
  });
});

describe('KR1005 and KR1006: port names', () => {
  test('unnamed ports in a multi-port Service', () => {
    assert.deepEqual(found('  ports:\n    - port: 80\n    - port: 443\n'), {
      codes: ['KR1005', 'KR1005'],
      spans: ['port', 'port'],
    });
  });
  test('one unnamed among named ones', () => {
    assert.deepEqual(found('  ports:\n    - { name: http, port: 80 }\n    - { port: 443 }\n').codes, [
      'KR1005',
    ]);
  });
  test('the fix names it, first, in block style', () => {
    const text = service(
      '  ports:\n    - port: 80\n      targetPort: web\n    - name: tls\n      port: 443\n',
    );
    const [diagnostic] = analyze(text);
    assert.equal(diagnostic!.fixes[0]!.title, 'Name this port "web"');
    assert.equal(
      applyFix(text, diagnostic!),
      service(
        '  ports:\n    - name: web\n      port: 80\n      targetPort: web\n    - name: tls\n      port: 443\n',
      ),
    );
  });
  test('the fix names it in flow style', () => {
    const text = service('  ports:\n    - { port: 443 }\n    - { name: http, port: 80 }\n');
    const [diagnostic] = analyze(text);
    assert.equal(
      applyFix(text, diagnostic!),
      service('  ports:\n    - { name: https, port: 443 }\n    - { name: http, port: 80 }\n'),
    );
  });
  test('suggested names avoid those taken', () => {
    assert.equal(suggestPortName({ port: 80 }, new Set()), 'http');
    assert.equal(suggestPortName({ port: 80 }, new Set(['http'])), 'port-80');
    assert.equal(suggestPortName({ port: 53, protocol: 'UDP' }, new Set(['dns'])), 'udp-53');
    assert.equal(suggestPortName({ port: 7, targetPort: 'echo' }, new Set()), 'echo');
    assert.equal(suggestPortName({}, new Set(['port'])), 'port-2');
  });
  test('duplicate names', () => {
    assert.deepEqual(found('  ports:\n    - { name: http, port: 80 }\n    - { name: http, port: 8080 }\n'), {
      codes: ['KR1006'],
      spans: ['http'],
    });
  });
});

describe('KR1007: duplicate port and protocol', () => {
  test('the same port twice', () => {
    assert.deepEqual(found('  ports:\n    - { name: a, port: 80 }\n    - { name: b, port: 80 }\n'), {
      codes: ['KR1007'],
      spans: ['80'],
    });
  });
  test('TCP by default and explicitly', () => {
    assert.deepEqual(
      found('  ports:\n    - { name: a, port: 80 }\n    - { name: b, port: 80, protocol: TCP }\n').codes,
      ['KR1007'],
    );
  });
});

describe('KR1008 and KR1009: nodePort', () => {
  test('outside the default range: a warning', () => {
    const text = service('  type: NodePort\n  ports:\n    - { port: 80, nodePort: 8080 }\n');
    const [diagnostic] = analyze(text);
    assert.equal(diagnostic!.code, 'KR1008');
    assert.equal(diagnostic!.severity, 'warning');
  });
  test('not a port number: an error', () => {
    const [diagnostic] = analyze(
      service('  type: NodePort\n  ports:\n    - { port: 80, nodePort: 99999 }\n'),
    );
    assert.equal(diagnostic!.code, 'KR1008');
    assert.equal(diagnostic!.severity, 'error');
  });
  test('on a ClusterIP Service', () => {
    assert.deepEqual(found('  ports:\n    - { port: 80, nodePort: 30080 }\n'), {
      codes: ['KR1009'],
      spans: ['30080'],
    });
    assert.deepEqual(found('  type: ClusterIP\n  ports:\n    - { port: 80, nodePort: 30080 }\n').codes, [
      'KR1009',
    ]);
  });
  test('nodePort 0 means "allocate one"', () => {
    assert.deepEqual(found('  ports:\n    - { port: 80, nodePort: 0 }\n').codes, []);
  });
  test('the fix sets the type when there is none', () => {
    const text = service('  ports:\n    - port: 80\n      nodePort: 30080\n');
    const [diagnostic] = analyze(text);
    assert.equal(
      applyFix(text, diagnostic!),
      service('  ports:\n    - port: 80\n      nodePort: 30080\n  type: NodePort\n'),
    );
  });
});

describe('KR1010, KR1011, KR1012: type, headless, ExternalName', () => {
  test('an unknown type, fixed by case', () => {
    const text = service('  type: loadbalancer\n  ports: [{ port: 80 }]\n');
    const [diagnostic] = analyze(text);
    assert.equal(diagnostic!.code, 'KR1010');
    assert.equal(applyFix(text, diagnostic!), service('  type: LoadBalancer\n  ports: [{ port: 80 }]\n'));
  });
  test('a type that is nothing like one', () =>
    assert.deepEqual(found('  type: Ingress\n  ports: [{ port: 80 }]\n').codes, ['KR1010']));
  for (const type of ['NodePort', 'LoadBalancer']) {
    test(`clusterIP: None on ${type}`, () => {
      assert.deepEqual(found(`  type: ${type}\n  clusterIP: None\n  ports: [{ port: 80 }]\n`), {
        codes: ['KR1011'],
        spans: ['None'],
      });
    });
  }
  test('ExternalName with clusterIP: None and no externalName', () => {
    assert.deepEqual(found('  type: ExternalName\n  clusterIP: None\n').codes.sort(), ['KR1011', 'KR1012']);
  });
  test('the ExternalName fix adds a placeholder name', () => {
    const text = service('  type: ExternalName\n');
    const [diagnostic] = analyze(text);
    assert.equal(
      applyFix(text, diagnostic!),
      service('  type: ExternalName\n  externalName: my.database.example.com\n'),
    );
  });
});

describe('KR1013 and KR1014: selector', () => {
  test('an invalid key', () =>
    assert.deepEqual(found('  selector:\n    "app name": web\n  ports: [{ port: 80 }]\n'), {
      codes: ['KR1013'],
      spans: ['"app name"'],
    }));
  test('a key with a bad prefix', () =>
    assert.deepEqual(found('  selector:\n    Example.com/app: web\n  ports: [{ port: 80 }]\n').codes, [
      'KR1013',
    ]));
  test('an invalid value', () =>
    assert.deepEqual(found('  selector:\n    app: "web app"\n  ports: [{ port: 80 }]\n').codes, ['KR1014']));
  test('a value of 64 characters', () =>
    assert.deepEqual(found(`  selector:\n    app: ${'a'.repeat(64)}\n  ports: [{ port: 80 }]\n`).codes, [
      'KR1014',
    ]));
  for (const value of ['1.0', 'true', '8080', 'null', '[a]']) {
    test(`a value that YAML does not read as a string: ${value}`, () => {
      assert.deepEqual(found(`  selector:\n    version: ${value}\n  ports: [{ port: 80 }]\n`).codes, [
        'KR1014',
      ]);
    });
  }
  test('the fix quotes the value as written', () => {
    const text = service('  selector:\n    version: 1.0\n  ports: [{ port: 80 }]\n');
    const [diagnostic] = analyze(text);
    assert.equal(
      applyFix(text, diagnostic!),
      service('  selector:\n    version: "1.0"\n  ports: [{ port: 80 }]\n'),
    );
  });
  for (const word of ['NO', 'no', 'yes', 'On', 'off', 'y', 'N']) {
    test(`${word}: a boolean to YAML 1.1, which kubectl reads`, () => {
      const text = service(`  selector:\n    country: ${word}\n  ports: [{ port: 80 }]\n`);
      const [diagnostic] = analyze(text);
      assert.equal(diagnostic!.code, 'KR1014');
      assert.match(diagnostic!.message, /YAML 1\.1/);
      assert.equal(applyFix(text, diagnostic!), text.replace(`country: ${word}`, `country: "${word}"`));
    });
  }
  test('quoted, or words YAML 1.1 reads as strings: fine', () => {
    assert.deepEqual(
      found('  selector:\n    a: "no"\n    b: \'on\'\n    c: nope\n    d: yess\n  ports: [{ port: 80 }]\n')
        .codes,
      [],
    );
  });
  test('matchLabels in a Service selector, lifted by the fix', () => {
    const text = service('  selector:\n    matchLabels:\n      app: web\n  ports: [{ port: 80 }]\n');
    const diagnostics = analyze(text);
    assert.deepEqual(codes(diagnostics), ['KR1014']);
    assert.equal(
      applyFix(text, diagnostics[0]!),
      service('  selector:\n    app: web\n  ports: [{ port: 80 }]\n'),
    );
  });
  test('a selector that is not a map', () =>
    assert.deepEqual(found('  selector: web\n  ports: [{ port: 80 }]\n').codes, ['KR1014']));
});

describe('KR1015: unknown fields, did you mean', () => {
  const typos: [string, string, string][] = [
    ['  poarts:\n    - port: 80\n', 'poarts', 'ports'],
    ['  selecter: { app: web }\n  ports: [{ port: 80 }]\n', 'selecter', 'selector'],
    ['  ports:\n    - port: 80\n      targetPoart: http\n', 'targetPoart', 'targetPort'],
    ['  ports:\n    - port: 80\n      targetport: http\n', 'targetport', 'targetPort'],
    ['  Type: NodePort\n  ports: [{ port: 80 }]\n', 'Type', 'type'],
    ['  clusterIp: None\n  ports: [{ port: 80 }]\n', 'clusterIp', 'clusterIP'],
    ['  ports:\n    - port: 80\n      protcol: UDP\n', 'protcol', 'protocol'],
    ['  ports:\n    - port: 80\n      nodeport: 30000\n', 'nodeport', 'nodePort'],
    [
      '  externalTraficPolicy: Local\n  ports: [{ port: 80 }]\n',
      'externalTraficPolicy',
      'externalTrafficPolicy',
    ],
  ];
  for (const [spec, typo, suggestion] of typos) {
    test(`${typo} → ${suggestion}`, () => {
      const text = service(spec);
      const diagnostic = analyze(text).find((candidate) => candidate.code === 'KR1015');
      assert.ok(diagnostic);
      assert.equal(text.slice(diagnostic.span.start, diagnostic.span.end), typo);
      assert.match(diagnostic.message, new RegExp(`Did you mean "${suggestion}"`));
      assert.equal(diagnostic.fixes[0]!.title, `Rename "${typo}" to "${suggestion}"`);
      assert.equal(diagnostic.fixes[0]!.preferred, true);
      assert.equal(applyFix(text, diagnostic), text.replace(typo, suggestion));
    });
  }
  test('no suggestion for a key unlike any field', () => {
    const [diagnostic] = analyze(service('  flavour: vanilla\n  ports: [{ port: 80 }]\n'));
    assert.equal(diagnostic!.code, 'KR1015');
    assert.deepEqual(diagnostic!.fixes, []);
    assert.doesNotMatch(diagnostic!.message, /Did you mean/);
  });
  test('top-level and metadata typos', () => {
    const text =
      'apiVersion: v1\nkind: Service\nmetdata: { name: a }\nspec:\n  ports: [{ port: 80 }]\n---\napiVersion: v1\nkind: Service\nmetadata: { nmae: a }\nspec:\n  ports: [{ port: 80 }]\n';
    assert.deepEqual(spans(text, analyze(text)), ['metdata', 'nmae']);
  });
  test('a field already present is not suggested twice', () => {
    const [diagnostic] = analyze(service('  ports: [{ port: 80 }]\n  port: 80\n'));
    assert.equal(diagnostic!.code, 'KR1015');
    assert.deepEqual(diagnostic!.fixes, []);
  });
  test('patch directives are not unknown fields', () => {
    assert.deepEqual(found('  $retainKeys: [ports]\n  ports: [{ port: 80 }]\n').codes, []);
  });
  test('labels, annotations and selectors are free-form', () => {
    const text =
      'apiVersion: v1\nkind: Service\nmetadata:\n  labels: { poarts: x }\n  annotations: { selecter: y }\nspec:\n  selector: { targetPoart: z }\n  ports: [{ port: 80 }]\n';
    assert.deepEqual(codes(analyze(text)), []);
  });
});

describe('KR1016: Service port names', () => {
  for (const name of ['HTTP', 'http_api', '-http', 'a'.repeat(64)]) {
    test(`name: ${name.length > 20 ? 'a×64' : name}`, () => {
      assert.deepEqual(found(`  ports:\n    - name: ${name}\n      port: 80\n`).codes, ['KR1016']);
    });
  }
  test('a long DNS label is fine (Service port names are not IANA names)', () => {
    assert.deepEqual(found('  ports:\n    - name: a-very-long-port-name-indeed\n      port: 80\n').codes, []);
  });
});

describe('patches', () => {
  test('a patch with partial ports still gets value checks', () => {
    assert.deepEqual(found('  ports:\n    - name: http\n      targetPort: "8080"\n', { patch: true }).codes, [
      'KR1003',
    ]);
  });
  test('checkService on a patch skips required fields', () => {
    assert.deepEqual(
      checkService({ apiVersion: 'v1', kind: 'Service', spec: { type: 'ExternalName' } }, true),
      [],
    );
    assert.deepEqual(checkService({ apiVersion: 'v1', kind: 'Service', metadata: { name: 'a' } }, true), []);
  });
  test('a document with $patch is read as a patch', () => {
    const text = service('  ports:\n    - $patch: replace\n');
    assert.deepEqual(codes(analyze(text)), []);
  });
});
