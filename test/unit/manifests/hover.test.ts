/**
 * Hovers: selector, targetPort, port and podSelector, with the workspace and the cluster.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { parseManifestFile } from '../../../src/analysis/manifests/document.ts';
import { hoverAt } from '../../../src/analysis/manifests/hover.ts';
import type { HoverContext } from '../../../src/analysis/manifests/hover.ts';
import { clusterOf, livePod, service, WORKLOADS, workspaceOf } from './helpers.ts';

const text = `${service(
  '  selector:\n    app: backend\n  ports:\n    - name: http\n      port: 80\n      targetPort: http\n    - name: metrics\n      port: 9100\n      targetPort: metrics\n',
  'name: backend\n  namespace: shop',
)}---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: p
  namespace: shop
spec:
  podSelector:
    matchLabels:
      app: backend
  ingress: []
`;
const file = parseManifestFile(text);
const pods = [
  livePod('backend-1', { app: 'backend' }, { ip: '10.0.0.1' }),
  livePod('backend-2', { app: 'backend' }, { ip: '10.0.0.2', ready: false }),
  livePod('other', { app: 'other' }, { ip: '10.0.0.3' }),
];
const cluster = clusterOf(pods, {
  slices: {
    backend: [
      {
        ports: [{ name: 'http', port: 8080, protocol: 'TCP' }],
        endpoints: [
          {
            addresses: ['10.0.0.1'],
            conditions: { ready: true },
            targetRef: { kind: 'Pod', name: 'backend-1' },
          },
          {
            addresses: ['10.0.0.2'],
            conditions: { ready: false },
            targetRef: { kind: 'Pod', name: 'backend-2' },
          },
        ],
      },
    ],
  },
});
const context: HoverContext = { workspace: workspaceOf(WORKLOADS), cluster };

function hover(needle: string, delta = 1, hoverContext: HoverContext = context): string | undefined {
  const offset = text.indexOf(needle) + delta;
  return hoverAt(file, offset, hoverContext)?.markdown;
}

describe('hover on a Service selector', () => {
  test('the workloads and live Pods it matches, with readiness and IPs', () => {
    const markdown = hover('selector:')!;
    assert.match(markdown, /^\*\*Selector\*\* `app=backend`/);
    assert.match(markdown, /\*\*Workspace\*\*: 1 matching workload\n- Deployment `backend`/);
    assert.match(markdown, /\*\*Cluster\*\* `test-context`, namespace `shop`: 2 Pods, 1 ready/);
    assert.match(markdown, /- ✓ `backend-1` ready · `10\.0\.0\.1`/);
    assert.match(markdown, /- ✗ `backend-2` running, not ready · `10\.0\.0\.2`/);
    assert.doesNotMatch(markdown, /other/);
  });

  test('on a selector entry too', () => {
    assert.match(hover('app: backend', 6)!, /^\*\*Selector\*\*/);
  });

  test('the range is the word hovered', () => {
    const result = hoverAt(file, text.indexOf('selector:') + 1, context)!;
    assert.equal(text.slice(result.span.start, result.span.end), 'selector');
    assert.equal(result.range.start.line, 6);
  });

  test('without a cluster, the note says why', () => {
    const markdown = hover('selector:', 1, {
      workspace: workspaceOf(WORKLOADS),
      clusterNote: 'cluster-aware checks are off.',
    })!;
    assert.match(markdown, /\*\*Cluster\*\*: cluster-aware checks are off\./);
  });

  test('a namespace not loaded yet', () => {
    assert.match(
      hover('selector:', 1, { cluster: clusterOf(pods, { synced: [] }) })!,
      /namespace `shop`: not loaded yet/,
    );
  });

  test('a namespace the identity may not read says so with the server\'s reason, not "not loaded yet"', () => {
    const reason = 'no access (403): pods is forbidden: User "viewer" cannot list resource "pods"';
    const markdown = hover('selector:', 1, {
      cluster: clusterOf(pods, { synced: [], unknown: { shop: reason } }),
    })!;
    assert.match(
      markdown,
      /namespace `shop`: no access \(403\): pods is forbidden: User "viewer" cannot list resource "pods"/,
    );
    assert.doesNotMatch(markdown, /not loaded yet/);
  });

  test('long lists are cut', () => {
    const many = Array.from({ length: 15 }, (_, i) => livePod(`backend-${i}`, { app: 'backend' }));
    const markdown = hover('selector:', 1, { cluster: clusterOf(many), maxItems: 4 })!;
    assert.match(markdown, /- … and 11 more/);
    assert.equal(markdown.split('\n').filter((line) => line.startsWith('- ✓')).length, 4);
  });
});

describe('hover on a targetPort', () => {
  test('the container port in each template and Pod', () => {
    const markdown = hover('targetPort: http', 3)!;
    assert.match(markdown, /^\*\*targetPort\*\*: TCP port named "http"/);
    assert.match(markdown, /Deployment `backend` · container `backend` port 8080\/TCP/);
    assert.match(markdown, /`backend-1` ready · `10\.0\.0\.1` · container `app` port 8080\/TCP/);
  });

  test('a port nobody declares', () => {
    const markdown = hover('targetPort: metrics', 3)!;
    assert.match(markdown, /✗ no TCP port named "metrics"/);
  });
});

describe('hover on a port', () => {
  test('the live endpoints', () => {
    const markdown = hover('port: 80', 2)!;
    assert.match(markdown, /^\*\*Service port\*\* 80\/TCP → TCP port named "http" \(`http`\)/);
    assert.match(markdown, /2 endpoints, 1 ready/);
    assert.match(markdown, /- ✓ `10\.0\.0\.1:8080` ready · Pod `backend-1`/);
    assert.match(markdown, /- ✗ `10\.0\.0\.2:8080` not ready · Pod `backend-2`/);
  });

  test('unreadable EndpointSlices: the endpoints are unknown, not "no endpoints"', () => {
    const cluster = clusterOf(pods, {
      slices: { unreadable: 'no access (403): endpointslices is forbidden' },
    });
    const markdown = hover('port: 80', 2, { cluster })!;
    assert.match(markdown, /endpoints unknown: no access \(403\): endpointslices is forbidden/);
    assert.doesNotMatch(markdown, /no endpoints/);
  });

  test('no endpoints for a port the slices do not carry', () => {
    assert.match(hover('port: 9100', 2)!, /no endpoints for Service `backend` on this port/);
  });
});

describe('hover on a NetworkPolicy podSelector', () => {
  test('the workloads and Pods it selects', () => {
    const markdown = hover('podSelector:')!;
    assert.match(markdown, /^\*\*podSelector\*\* `app=backend`/);
    assert.match(markdown, /Deployment `backend`/);
    assert.match(markdown, /selects 2 Pods/);
  });

  test('an empty podSelector selects every Pod', () => {
    const local = parseManifestFile(
      'apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: { name: p, namespace: shop }\nspec:\n  podSelector: {}\n',
    );
    const markdown = hoverAt(local, local.text.indexOf('podSelector') + 1, { cluster })!.markdown;
    assert.match(markdown, /`\{\}`: every Pod in the namespace/);
    assert.match(markdown, /selects 3 Pods/);
  });
});

describe('no hover', () => {
  test('elsewhere in a Service, outside documents, in other kinds', () => {
    assert.equal(hover('name: backend', 2), undefined);
    assert.equal(hover('apiVersion', 0), undefined);
    const other = parseManifestFile(
      'apiVersion: v1\nkind: Pod\nmetadata: { name: p }\nspec:\n  selector: {}\n',
    );
    assert.equal(hoverAt(other, other.text.indexOf('selector'), context), undefined);
    const template = parseManifestFile('kind: Service\nspec:\n  selector: {{ .Values.selector }}\n');
    assert.equal(hoverAt(template, template.text.indexOf('selector'), context), undefined);
  });
});
