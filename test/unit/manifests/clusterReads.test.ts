/**
 * What a validation reads of the cluster (src/server/clusterReads.ts), and which changes it is
 * affected by: the language server validates a document again when, and only when, something its
 * last validation read changed, in its own namespace or another one, or at cluster scope.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { ClusterModel, LiveNamespace } from '../../../src/analysis/manifests/cluster.ts';
import { affectedBy, recordReads } from '../../../src/server/clusterReads.ts';
import { analyze } from './helpers.ts';

const sandboxClass = {
  metadata: { name: 'sandbox', annotations: { 'ingressclass.kubernetes.io/is-default-class': 'true' } },
  spec: { controller: 'sandbox.kubereach.dev/ingress-controller' },
};

function live(): LiveNamespace {
  return { pods: [], networkPolicies: [], services: [], ingresses: [], endpointSlices: () => [] };
}

const model: ClusterModel = {
  context: 'test-context',
  defaultNamespace: 'default',
  namespace: (name) => (['shop', 'blog'].includes(name) ? live() : undefined),
  whyUnknown: () => 'not loaded yet',
  watchedNamespaces: () => ['shop', 'blog'],
  ingressClasses: () => [sandboxClass] as never,
};

const ingress = `apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: { name: storefront, namespace: shop }
spec:
  rules:
    - host: blog.example.com
      http:
        paths:
          - path: /
            pathType: Prefix
            backend: { service: { name: web, port: { number: 80 } } }
`;

const clusterIpService = `apiVersion: v1
kind: Service
metadata: { name: web, namespace: shop }
spec:
  selector: { app: web }
  ports: [{ port: 80, targetPort: 8080 }]
`;

const change = (namespaces: string[], ingressClasses = false) => ({
  namespaces: new Set(namespaces),
  ingressClasses,
});

test("an Ingress's validation reads its own namespace, every watched one (claims) and the IngressClasses", () => {
  const recorded = recordReads(model);
  analyze(ingress, { cluster: recorded.model });
  const { reads } = recorded;
  assert.ok(reads.namespaces.has('shop'));
  assert.ok(reads.namespaces.has('blog'), 'the live Ingresses of blog were read for KR5206');
  assert.equal(reads.everyWatchedNamespace, true);
  assert.equal(reads.ingressClasses, true);
  assert.equal(affectedBy(reads, change(['blog'])), true, 'an Ingress in another namespace');
  assert.equal(affectedBy(reads, change([], true)), true, 'the default IngressClass');
  assert.equal(affectedBy(reads, 'all'), true);
});

test('a ClusterIP Service reads its own namespace only: a change elsewhere leaves it alone', () => {
  const recorded = recordReads(model);
  analyze(clusterIpService, { cluster: recorded.model });
  const { reads } = recorded;
  assert.deepEqual([...reads.namespaces], ['shop']);
  assert.equal(reads.everyWatchedNamespace, false);
  assert.equal(affectedBy(reads, change(['blog'])), false);
  assert.equal(affectedBy(reads, change([], true)), false);
  assert.equal(affectedBy(reads, change(['shop'])), true);
});
