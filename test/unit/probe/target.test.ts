import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { encodeUnsafePathCharacters, parseFreeFormTarget, resolveTarget } from '../../../src/probe/target.ts';
import type { ProbeTarget, ResolvedTarget } from '../../../src/probe/types.ts';

function resolved(target: ProbeTarget): ResolvedTarget {
  const result = resolveTarget(target);
  assert.ok(result.ok, result.ok ? '' : result.message);
  return result.target;
}

function problem(target: ProbeTarget): string {
  const result = resolveTarget(target);
  assert.ok(!result.ok, 'expected the target to be refused');
  return result.message;
}

describe('resolveTarget', () => {
  test('a Pod is its IP and a port, HTTP by default', () => {
    assert.deepEqual(
      resolved({ kind: 'pod', namespace: 'shop', name: 'web-1', ip: '10.1.2.3', port: 8080 }),
      {
        label: 'shop/web-1:8080',
        protocol: 'http',
        host: '10.1.2.3',
        port: 8080,
        scheme: 'http',
        path: '/',
        url: 'http://10.1.2.3:8080/',
        method: 'GET',
        insecure: false,
      },
    );
    assert.match(
      problem({ kind: 'pod', namespace: 'shop', name: 'p', ip: '', port: 80 }),
      /has no IP address yet/,
    );
  });

  test('a Service by short name, svc.ns, full name or ClusterIP', () => {
    const base = { kind: 'service', namespace: 'shop', name: 'backend', port: 80 } as const;
    assert.equal(resolved(base).host, 'backend.shop');
    assert.equal(resolved(base).url, 'http://backend.shop/');
    assert.equal(resolved({ ...base, addressing: 'short' }).host, 'backend');
    assert.equal(resolved({ ...base, addressing: 'fqdn' }).host, 'backend.shop.svc.cluster.local');
    assert.equal(
      resolved({ ...base, addressing: 'fqdn', clusterDomain: 'corp.internal' }).host,
      'backend.shop.svc.corp.internal',
    );
    assert.equal(
      resolved({ ...base, addressing: 'cluster-ip', clusterIP: '10.96.4.5' }).url,
      'http://10.96.4.5/',
    );
    assert.match(problem({ ...base, addressing: 'cluster-ip', clusterIP: 'None' }), /headless/);
    assert.equal(resolved({ ...base, port: 9090, protocol: 'tcp' }).label, 'backend.shop:9090');
  });

  test('HTTP options: method, path, expected status, https with insecure', () => {
    const target = resolved({
      kind: 'service',
      namespace: 'shop',
      name: 'api',
      port: 8443,
      http: { method: 'HEAD', path: 'healthz?full=1', expectedStatus: 204, https: true, insecure: true },
    });
    assert.equal(target.url, 'https://api.shop:8443/healthz?full=1');
    assert.equal(target.method, 'HEAD');
    assert.equal(target.expectedStatus, 204);
    assert.equal(target.insecure, true);
    assert.equal(
      resolved({ kind: 'address', host: 'x', port: 443, protocol: 'http', http: { https: true } }).url,
      'https://x/',
    );
    assert.match(
      problem({ kind: 'address', host: 'x', port: 80, http: { method: 'GET /evil HTTP/1.1\r\n' } }),
      /not an HTTP method/,
    );
    assert.match(
      problem({ kind: 'address', host: 'x', port: 80, http: { expectedStatus: 99 } }),
      /not an HTTP status/,
    );
  });

  test('paths keep shell metacharacters as typed; only spaces and control characters are encoded', () => {
    const path = '/a;b$(id)`uname`\'q\'"dq"&|<>*?x=1';
    const target = resolved({
      kind: 'pod',
      namespace: 'n',
      name: 'p',
      ip: '10.0.0.1',
      port: 80,
      http: { path },
    });
    assert.equal(target.path, path);
    assert.equal(target.url, `http://10.0.0.1${path}`);
    assert.equal(
      resolved({ kind: 'address', host: 'h', port: 80, protocol: 'http', http: { path: '/a b\té' } }).path,
      '/a%20b%09%C3%A9',
    );
    assert.equal(encodeUnsafePathCharacters('/x\r\nHost: evil'), '/x%0D%0AHost:%20evil');
  });

  test('URLs: scheme, userinfo, port, IPv6, fragment; the URL given to the tools is the one typed', () => {
    const url = "http://user@backend.shop:8080/p;$(id)`x`'q'?a=1#frag";
    const target = resolved({ kind: 'url', url });
    assert.equal(target.host, 'backend.shop');
    assert.equal(target.port, 8080);
    assert.equal(target.path, "/p;$(id)`x`'q'?a=1");
    assert.equal(target.url, url);
    assert.equal(resolved({ kind: 'url', url: 'https://secure.ns' }).url, 'https://secure.ns/');
    assert.equal(resolved({ kind: 'url', url: 'https://secure.ns' }).port, 443);
    const v6 = resolved({ kind: 'url', url: 'http://[fd00::1]:8080/x' });
    assert.deepEqual([v6.host, v6.port], ['fd00::1', 8080]);
    assert.equal(resolved({ kind: 'url', url: 'http://h/a b' }).url, 'http://h/a%20b');
    const tcp = resolved({ kind: 'url', url: 'tcp://db.data:5432' });
    assert.deepEqual([tcp.protocol, tcp.host, tcp.port], ['tcp', 'db.data', 5432]);
    assert.match(problem({ kind: 'url', url: 'ftp://x/' }), /Only http/);
    assert.match(problem({ kind: 'url', url: 'tcp://x' }), /needs a port/);
    assert.match(problem({ kind: 'url', url: 'http://x:99999/' }), /1 to 65535/);
    assert.match(problem({ kind: 'url', url: 'http:///path' }), /no host/);
  });

  test('hosts with metacharacters are kept (they reach the tool as one argument); control characters are not', () => {
    assert.equal(
      resolved({ kind: 'address', host: "db;rm -rf /$(id)'", port: 5432 }).host,
      "db;rm -rf /$(id)'",
    );
    assert.match(problem({ kind: 'address', host: 'db\r\nX: y', port: 5432 }), /control characters/);
    assert.match(problem({ kind: 'address', host: 'db', port: 0 }), /1 to 65535/);
  });

  test('a label given by the caller wins', () => {
    assert.equal(resolved({ kind: 'address', host: 'h', port: 1, label: 'my target' }).label, 'my target');
  });
});

describe('parseFreeFormTarget', () => {
  test('URLs and host:port', () => {
    assert.deepEqual(parseFreeFormTarget(' http://web.ns/x '), { kind: 'url', url: 'http://web.ns/x' });
    assert.deepEqual(parseFreeFormTarget('db.data:5432'), { kind: 'address', host: 'db.data', port: 5432 });
    assert.deepEqual(parseFreeFormTarget('[fd00::2]:53'), { kind: 'address', host: 'fd00::2', port: 53 });
    assert.deepEqual(parseFreeFormTarget('http://h/', { expectedStatus: 200 }), {
      kind: 'url',
      url: 'http://h/',
      http: { expectedStatus: 200 },
    });
  });

  test('says what is wrong', () => {
    assert.match((parseFreeFormTarget('db.data') as { error: string }).error, /neither a URL nor host:port/);
    assert.match((parseFreeFormTarget('db:70000') as { error: string }).error, /1 to 65535/);
    assert.match((parseFreeFormTarget('gopher://x/') as { error: string }).error, /Only http/);
  });
});
