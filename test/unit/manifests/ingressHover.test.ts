/**
 * Hovers on an Ingress: a backend (the Service in the workspace and in the cluster, with its ready
 * endpoints) and a host (its class; the address only as far as it is known).
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { Service } from '../../../src/analysis/k8s.ts';
import type { ClusterModel } from '../../../src/analysis/manifests/cluster.ts';
import { parseManifestFile } from '../../../src/analysis/manifests/document.ts';
import { hoverAt } from '../../../src/analysis/manifests/hover.ts';
import type { WorkspaceModel } from '../../../src/analysis/manifests/workspace.ts';
import { clusterOf } from './helpers.ts';

const text = `apiVersion: networking.k8s.io/v1
kind: Ingress
metadata:
  name: shop
  namespace: shop
  annotations:
    cert-manager.io/cluster-issuer: letsencrypt
spec:
  ingressClassName: nginx
  tls:
    - hosts: [shop.example.com]
      secretName: shop-tls
  rules:
    - host: shop.example.com
      http:
        paths:
          - path: /
            pathType: Prefix
            backend:
              service:
                name: web
                port:
                  name: http
`;
const file = parseManifestFile(text);

function hover(
  needle: string,
  context: Parameters<typeof hoverAt>[2] = {},
  occurrence = 0,
): string | undefined {
  let at = -1;
  for (let i = 0; i <= occurrence; i++) {
    at = text.indexOf(needle, at + 1);
  }
  assert.ok(at >= 0, needle);
  return hoverAt(file, at + 1, context)?.markdown;
}

const workspace: WorkspaceModel = {
  complete: true,
  workloads: () => [],
  services: () => [
    {
      kind: 'Service',
      name: 'web',
      namespace: 'shop',
      value: { spec: { ports: [{ name: 'http', port: 80, targetPort: 8080 }] } },
      source: { uri: 'file:///w/shop/services.yaml', line: 3, label: 'shop/services.yaml' },
    },
  ],
};

const liveWeb: Service = {
  metadata: { name: 'web', namespace: 'shop' },
  spec: { selector: { app: 'web' }, ports: [{ name: 'http', port: 80, targetPort: 8080 }] },
};

function cluster(services: Service[] | { unreadable: string }): ClusterModel {
  const base = clusterOf([], {
    slices: {
      web: [
        {
          ports: [{ name: 'http', port: 8080, protocol: 'TCP' }],
          endpoints: [
            {
              addresses: ['10.0.0.2'],
              conditions: { ready: false },
              targetRef: { kind: 'Pod', name: 'web-b' },
            },
            {
              addresses: ['10.0.0.1'],
              conditions: { ready: true },
              targetRef: { kind: 'Pod', name: 'web-a' },
            },
          ],
        },
      ],
    },
  });
  return {
    ...base,
    namespace: (name) => (name === 'shop' ? { ...base.namespace(name)!, services } : undefined),
  };
}

describe('a backend', () => {
  test('the Service in the workspace and in the cluster, with its endpoints', () => {
    const markdown = hover('name: web', { workspace, cluster: cluster([liveWeb]) })!;
    assert.match(
      markdown,
      /\*\*Backend\*\* Service `web`, port `"http"` · `shop\.example\.com\/` \(Prefix\)/,
    );
    assert.match(
      markdown,
      /- Service `web` · `shop\/services\.yaml:4` · ports `80 \(http\)\/TCP` · ✓ has this port/,
    );
    assert.match(
      markdown,
      /\*\*Cluster\*\* `test-context`, namespace `shop`: Service `web` · ports `80 \(http\)\/TCP`/,
    );
    assert.match(
      markdown,
      /- 2 endpoints, 1 ready\n- ✓ `10\.0\.0\.1:8080` ready · Pod `web-a`\n- ✗ `10\.0\.0\.2:8080` not ready · Pod `web-b`/,
    );
  });
  test('on the port too; a Service missing from the cluster; Services not readable', () => {
    assert.match(hover('name: http', { cluster: cluster([]) })!, /namespace `shop`: no Service `web`/);
    assert.match(
      hover('name: http', { cluster: cluster({ unreadable: 'no access to Services (403): forbidden' }) })!,
      /no access to Services \(403\)/,
    );
  });
  test('without a cluster, the reason', () => {
    assert.match(
      hover('name: web', { clusterNote: 'cluster-aware checks are off' })!,
      /\*\*Cluster\*\*: cluster-aware checks are off/,
    );
  });
});

describe('a host', () => {
  test('its class, paths and TLS; the address unknown', () => {
    const markdown = hover('shop.example.com', {}, 1)!;
    assert.match(markdown, /\*\*Host\*\* `shop\.example\.com`/);
    assert.match(markdown, /\*\*Class\*\* `nginx` \(spec\.ingressClassName\)\./);
    assert.match(markdown, /\*\*Paths\*\*: `\/` \(Prefix\)/);
    assert.match(markdown, /\*\*TLS\*\*: yes/);
    assert.match(markdown, /\*\*Address\*\*: unknown/);
  });
  test('a TLS host, and an Ingress without class', () => {
    const markdown = hover('shop.example.com]', {})!;
    assert.match(markdown, /\*\*Host\*\* `shop\.example\.com`/);
    const classless = parseManifestFile(text.replace('  ingressClassName: nginx\n', ''));
    const at = text.replace('  ingressClassName: nginx\n', '').indexOf('host: shop') + 8;
    assert.match(
      hoverAt(classless, at)!.markdown,
      /\*\*Class\*\*: none named, so the cluster’s default IngressClass serves it/,
    );
  });
  test('no hover elsewhere in an Ingress', () => {
    assert.equal(hover('pathType'), undefined);
    assert.equal(hover('secretName'), undefined);
  });
});

describe('a host, with the cluster', () => {
  const nginx = {
    metadata: { name: 'nginx', annotations: { 'ingressclass.kubernetes.io/is-default-class': 'true' } },
    spec: { controller: 'k8s.io/ingress-nginx' },
  };
  function withIngresses(ingresses: unknown, classes: unknown = [nginx]): ClusterModel {
    const base = cluster([liveWeb]);
    return {
      ...base,
      namespace: (name) =>
        name === 'shop' ? { ...base.namespace(name)!, ingresses: ingresses as never } : undefined,
      ingressClasses: () => classes as never,
    };
  }
  test('the IngressClass with its controller, and the live address', () => {
    const markdown = hover(
      'shop.example.com',
      {
        cluster: withIngresses([
          {
            metadata: { name: 'shop', namespace: 'shop' },
            status: { loadBalancer: { ingress: [{ ip: '127.10.0.50' }] } },
          },
        ]),
      },
      1,
    )!;
    assert.match(
      markdown,
      /- IngressClass nginx \(by spec\.ingressClassName\), controller k8s\.io\/ingress-nginx/,
    );
    assert.match(markdown, /- address `127\.10\.0\.50` \(from the live Ingress's status\)/);
  });
  test('not applied yet, no address yet, unreadable', () => {
    assert.match(
      hover('shop.example.com', { cluster: withIngresses([]) }, 1)!,
      /Ingress `shop` is not in the cluster, so it has no address/,
    );
    assert.match(
      hover(
        'shop.example.com',
        { cluster: withIngresses([{ metadata: { name: 'shop', namespace: 'shop' } }]) },
        1,
      )!,
      /Ingress `shop` has no address yet/,
    );
    assert.match(
      hover(
        'shop.example.com',
        {
          cluster: withIngresses(
            { unreadable: 'no access to Ingresses (403): x' },
            { unreadable: 'IngressClasses not loaded yet' },
          ),
        },
        1,
      )!,
      /- IngressClasses unknown: IngressClasses not loaded yet\n- address unknown: no access to Ingresses \(403\): x/,
    );
  });
});
