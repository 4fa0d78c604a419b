/**
 * Service target ports as podutil.FindPort resolves them (k8s.io/kubernetes pkg/api/v1/pod) and port
 * names as validation.IsValidPortName judges them (k8s.io/apimachinery pkg/util/validation).
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { Pod } from '../../../src/analysis/k8s.ts';
import {
  declaredPorts,
  isValidIanaSvcName,
  isValidPortNumber,
  resolveTargetPort,
  validatePortName,
} from '../../../src/analysis/ports.ts';

const pod: Pod = {
  metadata: { name: 'web-0', namespace: 'shop', labels: { app: 'web' } },
  spec: {
    containers: [
      {
        name: 'app',
        ports: [
          { name: 'http', containerPort: 8080 },
          { name: 'dns', containerPort: 5353, protocol: 'UDP' },
        ],
      },
      { name: 'metrics', ports: [{ name: 'metrics', containerPort: 9090, protocol: 'TCP' }] },
    ],
    initContainers: [
      { name: 'mesh', restartPolicy: 'Always', ports: [{ name: 'mesh-admin', containerPort: 15000 }] },
      { name: 'migrate', ports: [{ name: 'migrate', containerPort: 7000 }] },
    ],
  },
};

describe('resolveTargetPort', () => {
  test('a numeric targetPort passes through, declared or not', () => {
    assert.deepEqual(resolveTargetPort({ port: 80, targetPort: 8080 }, pod), {
      ok: true,
      port: 8080,
      container: 'app',
      declared: true,
    });
    assert.deepEqual(resolveTargetPort({ port: 80, targetPort: 3000 }, pod), {
      ok: true,
      port: 3000,
      container: undefined,
      declared: false,
    });
  });

  test('a numeric targetPort is declared only with the same protocol', () => {
    assert.deepEqual(resolveTargetPort({ port: 53, targetPort: 5353, protocol: 'UDP' }, pod), {
      ok: true,
      port: 5353,
      container: 'app',
      declared: true,
    });
    assert.deepEqual(resolveTargetPort({ port: 53, targetPort: 5353 }, pod), {
      ok: true,
      port: 5353,
      container: undefined,
      declared: false,
    });
  });

  test('a missing, zero or empty targetPort means the service port', () => {
    for (const targetPort of [undefined, 0, '']) {
      assert.deepEqual(
        resolveTargetPort({ port: 9090, ...(targetPort === undefined ? {} : { targetPort }) }, pod),
        {
          ok: true,
          port: 9090,
          container: 'metrics',
          declared: true,
        },
      );
    }
  });

  test('a named targetPort is looked up by name and protocol, TCP by default on both sides', () => {
    assert.deepEqual(resolveTargetPort({ port: 80, targetPort: 'http' }, pod), {
      ok: true,
      port: 8080,
      container: 'app',
      declared: true,
    });
    assert.deepEqual(resolveTargetPort({ port: 80, targetPort: 'metrics', protocol: 'TCP' }, pod), {
      ok: true,
      port: 9090,
      container: 'metrics',
      declared: true,
    });
    assert.deepEqual(resolveTargetPort({ port: 53, targetPort: 'dns', protocol: 'UDP' }, pod), {
      ok: true,
      port: 5353,
      container: 'app',
      declared: true,
    });
  });

  test('a name declared for another protocol does not resolve, and the reason says so', () => {
    assert.deepEqual(resolveTargetPort({ port: 53, targetPort: 'dns' }, pod), {
      ok: false,
      reason:
        'pod shop/web-0 has no TCP container port named "dns" (it declares "dns" for UDP, and the Service port is TCP)',
    });
    assert.deepEqual(resolveTargetPort({ port: 80, targetPort: 'http', protocol: 'SCTP' }, pod), {
      ok: false,
      reason:
        'pod shop/web-0 has no SCTP container port named "http" (it declares "http" for TCP, and the Service port is SCTP)',
    });
  });

  test('an unknown name does not resolve', () => {
    assert.deepEqual(resolveTargetPort({ port: 80, targetPort: 'https' }, pod), {
      ok: false,
      reason: 'pod shop/web-0 has no TCP container port named "https"',
    });
  });

  test('sidecars (init containers that always restart) serve named ports; other init containers do not', () => {
    assert.deepEqual(resolveTargetPort({ port: 15000, targetPort: 'mesh-admin' }, pod), {
      ok: true,
      port: 15000,
      container: 'mesh',
      declared: true,
    });
    assert.equal(resolveTargetPort({ port: 7000, targetPort: 'migrate' }, pod).ok, false);
  });

  test('the first container declaring the name wins, as FindPort scans in order', () => {
    const twice: Pod = {
      metadata: { name: 'p' },
      spec: {
        containers: [
          { name: 'one', ports: [{ name: 'http', containerPort: 8080 }] },
          { name: 'two', ports: [{ name: 'http', containerPort: 9080 }] },
        ],
      },
    };
    assert.deepEqual(resolveTargetPort({ port: 80, targetPort: 'http' }, twice), {
      ok: true,
      port: 8080,
      container: 'one',
      declared: true,
    });
  });

  test('a pod without a spec has no named ports', () => {
    assert.deepEqual(resolveTargetPort({ port: 80, targetPort: 'http' }, { metadata: {} }), {
      ok: false,
      reason: 'pod default/(unnamed) has no TCP container port named "http"',
    });
  });

  test('declaredPorts lists containers then sidecars', () => {
    assert.deepEqual(
      declaredPorts(pod).map(({ container, port }) => `${container}:${port.name}`),
      ['app:http', 'app:dns', 'metrics:metrics', 'mesh:mesh-admin'],
    );
  });
});

describe('port names (IANA_SVC_NAME)', () => {
  for (const name of ['http', 'h2c', 'serve-80-tcp', 'a', 'x1', '1x', 'my-port-name-15']) {
    test(`accepts ${JSON.stringify(name)}`, () => {
      assert.equal(isValidIanaSvcName(name), true);
      assert.deepEqual(validatePortName(name), []);
    });
  }

  const invalid: Array<[string, string[]]> = [
    [
      '',
      [
        'must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)',
        'must contain at least one letter (a-z)',
      ],
    ],
    ['8080', ['must contain at least one letter (a-z)']],
    [
      'HTTP',
      [
        'must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)',
        'must contain at least one letter (a-z)',
      ],
    ],
    ['http_alt', ['must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)']],
    ['-http', ['must not begin or end with a hyphen']],
    ['http-', ['must not begin or end with a hyphen']],
    ['http--alt', ['must not contain consecutive hyphens']],
    ['a-very-long-name', ['must be no more than 15 bytes']],
    ['-', ['must contain at least one letter (a-z)', 'must not begin or end with a hyphen']],
  ];
  for (const [name, errors] of invalid) {
    test(`rejects ${JSON.stringify(name)}`, () => {
      assert.equal(isValidIanaSvcName(name), false);
      assert.deepEqual(validatePortName(name), errors);
    });
  }

  test('port numbers are 1 to 65535', () => {
    assert.equal(isValidPortNumber(1), true);
    assert.equal(isValidPortNumber(65535), true);
    assert.equal(isValidPortNumber(0), false);
    assert.equal(isValidPortNumber(65536), false);
    assert.equal(isValidPortNumber(80.5), false);
  });
});
