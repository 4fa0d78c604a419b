/**
 * Workspace-aware checks (KR3xxx) and the Pod templates they compare with.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { sameNamespace } from '../../../src/analysis/manifests/workloads.ts';
import { analyze, applyFix, codes, service, spans, WORKLOADS, workloadsOf, workspaceOf } from './helpers.ts';

const workspace = workspaceOf(WORKLOADS);

function inWorkspace(spec: string, metadata?: string): { codes: string[]; spans: string[]; text: string } {
  const text = service(spec, metadata);
  const diagnostics = analyze(text, { workspace });
  return { codes: codes(diagnostics), spans: spans(text, diagnostics), text };
}

describe('Pod templates', () => {
  test('every workload kind', () => {
    const template =
      'metadata: { labels: { app: x } }\n    spec: { containers: [{ name: c, ports: [{ containerPort: 80 }] }] }';
    const text = [
      `apiVersion: apps/v1\nkind: Deployment\nmetadata: { name: d }\nspec:\n  template:\n    ${template}\n`,
      `apiVersion: apps/v1\nkind: StatefulSet\nmetadata: { name: s }\nspec:\n  template:\n    ${template}\n`,
      `apiVersion: apps/v1\nkind: DaemonSet\nmetadata: { name: ds }\nspec:\n  template:\n    ${template}\n`,
      `apiVersion: apps/v1\nkind: ReplicaSet\nmetadata: { name: rs }\nspec:\n  template:\n    ${template}\n`,
      `apiVersion: v1\nkind: ReplicationController\nmetadata: { name: rc }\nspec:\n  selector: { app: x }\n  template:\n    ${template}\n`,
      `apiVersion: batch/v1\nkind: Job\nmetadata: { name: j }\nspec:\n  template:\n    ${template}\n`,
      `apiVersion: batch/v1\nkind: CronJob\nmetadata: { name: cj }\nspec:\n  jobTemplate:\n    spec:\n      template:\n        metadata: { labels: { app: x } }\n        spec: { containers: [{ name: c }] }\n`,
      'apiVersion: v1\nkind: Pod\nmetadata: { name: p, labels: { app: x } }\nspec: { containers: [{ name: c }] }\n',
      'apiVersion: v1\nkind: ConfigMap\nmetadata: { name: cm }\n',
    ].join('---\n');
    const workloads = workloadsOf(text);
    assert.deepEqual(
      workloads.map((workload) => [workload.kind, workload.name, workload.labels.app]),
      [
        ['Deployment', 'd', 'x'],
        ['StatefulSet', 's', 'x'],
        ['DaemonSet', 'ds', 'x'],
        ['ReplicaSet', 'rs', 'x'],
        ['ReplicationController', 'rc', 'x'],
        ['Job', 'j', 'x'],
        ['CronJob', 'cj', 'x'],
        ['Pod', 'p', 'x'],
      ],
    );
    assert.deepEqual(workloads[4]!.selectorLabels, { app: 'x' });
  });

  test('containers, sidecars and ports are read defensively', () => {
    const [workload] = workloadsOf(
      'apiVersion: apps/v1\nkind: Deployment\nmetadata: { name: d }\nspec:\n  selector: { matchLabels: { app: x } }\n  template:\n    metadata: { labels: { app: x, n: 1 } }\n    spec:\n      containers:\n        - name: a\n          ports: [{ containerPort: 80, name: http }, { containerPort: "x" }, 7]\n        - 3\n      initContainers:\n        - { name: mesh, restartPolicy: Always, ports: [{ containerPort: 15000 }] }\n',
    );
    assert.deepEqual(workload!.labels, { app: 'x', n: '1' });
    assert.deepEqual(workload!.selectorLabels, { app: 'x' });
    assert.deepEqual(workload!.pod.spec?.containers, [
      { name: 'a', ports: [{ containerPort: 80, name: 'http' }] },
    ]);
    assert.deepEqual(workload!.pod.spec?.initContainers, [
      { name: 'mesh', ports: [{ containerPort: 15000 }], restartPolicy: 'Always' },
    ]);
  });

  test('a workload selected by expressions has no plain selector labels', () => {
    const [workload] = workloadsOf(
      'apiVersion: apps/v1\nkind: Deployment\nmetadata: { name: d }\nspec:\n  selector: { matchExpressions: [{ key: app, operator: Exists }] }\n  template:\n    metadata: { labels: { app: x } }\n    spec: {}\n',
    );
    assert.equal(workload!.selectorLabels, undefined);
  });

  test('namespaces: equal, or one left to kubectl -n', () => {
    assert.equal(sameNamespace('a', 'a'), true);
    assert.equal(sameNamespace('a', 'b'), false);
    assert.equal(sameNamespace(undefined, 'b'), true);
    assert.equal(sameNamespace('a', undefined), true);
  });
});

describe('KR3001: selector matches no workload', () => {
  test('a selector matching a workload: nothing to say', () => {
    assert.deepEqual(
      inWorkspace(
        '  selector: { app: backend }\n  ports:\n    - { name: http, port: 80, targetPort: http }\n',
      ).codes,
      [],
    );
  });

  test('every selector key must match', () => {
    const result = inWorkspace(
      '  selector: { app: backend, tier: web }\n  ports: [{ port: 80, targetPort: 8080 }]\n',
    );
    assert.deepEqual(result.codes, ['KR3001']);
    assert.deepEqual(result.spans, ['selector']);
  });

  test('a selector matching nothing, with fixes copying workload selectors', () => {
    const text = service(
      '  selector:\n    app: backedn\n  ports:\n    - port: 80\n',
      'name: backend\n  namespace: shop',
    );
    const [diagnostic] = analyze(text, { workspace });
    assert.equal(diagnostic!.code, 'KR3001');
    assert.match(diagnostic!.message, /app=backedn/);
    assert.match(diagnostic!.message, /Deployment backend and Deployment frontend/);
    assert.deepEqual(
      diagnostic!.fixes.map((fix) => [fix.title, fix.preferred]),
      [
        ['Copy the selector of Deployment backend (app=backend)', true],
        ['Copy the selector of Deployment frontend (app=frontend)', false],
      ],
    );
    assert.equal(
      applyFix(text, diagnostic!),
      service(
        '  selector:\n    app: backend\n  ports:\n    - port: 80\n',
        'name: backend\n  namespace: shop',
      ),
    );
  });

  test('the copy fix in flow style, and into an empty selector', () => {
    const flow = service('  selector: { app: nope }\n  ports: [{ port: 80 }]\n');
    const [first] = analyze(flow, { workspace });
    assert.equal(
      applyFix(flow, first!, 1),
      service('  selector: { app: frontend }\n  ports: [{ port: 80 }]\n'),
    );
  });

  test('a workload in another namespace does not count', () => {
    assert.deepEqual(
      inWorkspace('  selector: { app: backend }\n  ports: [{ port: 80 }]\n', 'name: a\n  namespace: data')
        .codes,
      [],
    );
    assert.deepEqual(
      inWorkspace('  selector: { app: nothing }\n  ports: [{ port: 80 }]\n', 'name: a\n  namespace: data')
        .codes,
      [],
    );
  });

  test('a Service without namespace is compared with every workload', () => {
    assert.deepEqual(
      inWorkspace('  selector: { app: nothing }\n  ports: [{ port: 80 }]\n', 'name: a').codes,
      ['KR3001'],
    );
  });

  test('quiet until the workspace has been read', () => {
    const text = service('  selector: { app: nothing }\n  ports: [{ port: 80 }]\n');
    assert.deepEqual(codes(analyze(text, { workspace: workspaceOf(WORKLOADS, false) })), []);
  });

  test('no selector, an ExternalName, or a malformed selector: not compared', () => {
    assert.deepEqual(inWorkspace('  ports: [{ port: 80 }]\n').codes, []);
    assert.deepEqual(
      inWorkspace('  type: ExternalName\n  externalName: a.b\n  selector: { app: x }\n').codes,
      [],
    );
    assert.deepEqual(inWorkspace('  selector: { app: 1 }\n  ports: [{ port: 80 }]\n').codes, ['KR1014']);
  });

  test('a kustomize patch is not compared', () => {
    const text = service('  selector: { app: nothing }\n  ports: [{ port: 80 }]\n');
    assert.deepEqual(codes(analyze(text, { workspace }, { isPatch: true })), []);
  });

  test('a Service and its workload in one file', () => {
    const text = `${WORKLOADS}---\n${service('  selector: { app: frontend }\n  ports: [{ port: 80, targetPort: 3000 }]\n')}`;
    assert.deepEqual(codes(analyze(text, { workspace: workspaceOf(text) })), []);
  });
});

describe('KR3002 and KR3003: targetPort against the templates', () => {
  test('a named targetPort nobody declares', () => {
    const result = inWorkspace(
      '  selector: { app: backend }\n  ports:\n    - name: m\n      port: 9100\n      targetPort: metrics\n',
    );
    assert.deepEqual(result.codes, ['KR3002']);
    assert.deepEqual(result.spans, ['metrics']);
  });

  test('the same Deployment written in two files is named once, with its files', () => {
    const [backend] = workloadsOf(WORKLOADS);
    const at = (label: string) => ({ ...backend!, source: { uri: `file:///w/${label}`, line: 1, label } });
    const twice = [at('backend.yaml'), at('demo-cluster.yaml')];
    const text = service(
      '  selector: { app: backend }\n  ports:\n    - name: m\n      port: 9100\n      targetPort: metrics\n',
    );
    const [diagnostic] = analyze(text, { workspace: { complete: true, workloads: () => twice } });
    assert.equal(diagnostic!.code, 'KR3002');
    assert.match(
      diagnostic!.message,
      /^No container of Deployment backend \(backend\.yaml and demo-cluster\.yaml\) declares/,
    );
    // One of them alone, or two that differ by name, need no file.
    const [once] = analyze(text, { workspace: { complete: true, workloads: () => [twice[0]!] } });
    assert.match(once!.message, /^No container of Deployment backend declares/);
  });

  test('a named port of another protocol does not count', () => {
    const result = inWorkspace(
      '  selector: { app: backend }\n  ports:\n    - name: dns\n      port: 53\n      targetPort: dns\n',
    );
    assert.deepEqual(result.codes, ['KR3002']);
    assert.deepEqual(
      inWorkspace(
        '  selector: { app: backend }\n  ports:\n    - { name: dns, port: 53, protocol: UDP, targetPort: dns }\n',
      ).codes,
      [],
    );
  });

  test('the fixes: each declared port of the protocol, by name then number', () => {
    const text = service(
      '  selector: { app: backend }\n  ports:\n    - name: m\n      port: 9100\n      targetPort: metrics\n',
    );
    const [diagnostic] = analyze(text, { workspace });
    assert.deepEqual(
      diagnostic!.fixes.map((fix) => fix.title),
      [
        'Set targetPort to http (8080 in container backend of Deployment backend)',
        'Set targetPort to 8080',
        'Set targetPort to grpc (9090 in container backend of Deployment backend)',
        'Set targetPort to 9090',
      ],
    );
    assert.equal(applyFix(text, diagnostic!, 3), text.replace('targetPort: metrics', 'targetPort: 9090'));
  });

  test('a numeric targetPort nobody declares: information', () => {
    const text = service('  selector: { app: frontend }\n  ports:\n    - port: 80\n      targetPort: 8080\n');
    const [diagnostic] = analyze(text, { workspace });
    assert.equal(diagnostic!.code, 'KR3003');
    assert.equal(diagnostic!.severity, 'information');
    assert.deepEqual(
      diagnostic!.fixes.map((fix) => fix.title),
      ['Set targetPort to 3000 (3000 in container web of Deployment frontend)'],
    );
    assert.equal(diagnostic!.fixes[0]!.preferred, true);
    assert.equal(applyFix(text, diagnostic!), text.replace('targetPort: 8080', 'targetPort: 3000'));
  });

  test('no targetPort: the port is the target, and the fix adds targetPort', () => {
    const text = service('  selector: { app: frontend }\n  ports:\n    - port: 80\n');
    const [diagnostic] = analyze(text, { workspace });
    assert.equal(diagnostic!.code, 'KR3003');
    assert.equal(text.slice(diagnostic!.span.start, diagnostic!.span.end), '80');
    assert.equal(
      applyFix(text, diagnostic!),
      service('  selector: { app: frontend }\n  ports:\n    - port: 80\n      targetPort: 3000\n'),
    );
  });

  test('a port declared by one of several matching workloads is enough', () => {
    const text = `${WORKLOADS}---\napiVersion: apps/v1\nkind: Deployment\nmetadata: { name: canary, namespace: shop }\nspec:\n  template:\n    metadata: { labels: { app: backend } }\n    spec: { containers: [{ name: c, ports: [{ name: metrics, containerPort: 9100 }] }] }\n`;
    const result = analyze(
      service('  selector: { app: backend }\n  ports:\n    - { name: m, port: 9100, targetPort: metrics }\n'),
      { workspace: workspaceOf(text) },
    );
    assert.deepEqual(codes(result), []);
  });

  test('sidecars count, ordinary init containers do not', () => {
    const text =
      'apiVersion: v1\nkind: Pod\nmetadata: { name: p, labels: { app: p } }\nspec:\n  containers: [{ name: app }]\n  initContainers:\n    - { name: mesh, restartPolicy: Always, ports: [{ name: admin, containerPort: 15000 }] }\n    - { name: migrate, ports: [{ name: migrate, containerPort: 7000 }] }\n';
    const local = workspaceOf(text);
    assert.deepEqual(
      codes(
        analyze(
          service(
            '  selector: { app: p }\n  ports: [{ name: a, port: 1, targetPort: admin }, { name: b, port: 2, targetPort: migrate }]\n',
          ),
          { workspace: local },
        ),
      ),
      ['KR3002'],
    );
  });
});

describe('KR3004: NetworkPolicy podSelector matches no workload', () => {
  const np = (selector: string, namespace = 'shop') =>
    `apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: { name: p, namespace: ${namespace} }\nspec:\n  podSelector: ${selector}\n`;
  test('matching nothing', () => {
    const text = np('{ matchLabels: { app: cache } }');
    const [diagnostic] = analyze(text, { workspace });
    assert.equal(diagnostic!.code, 'KR3004');
    assert.equal(diagnostic!.severity, 'information');
    assert.equal(text.slice(diagnostic!.span.start, diagnostic!.span.end), 'podSelector');
  });
  test('matching a workload', () =>
    assert.deepEqual(codes(analyze(np('{ matchLabels: { app: backend } }'), { workspace })), []));
  test('matching by expressions', () => {
    assert.deepEqual(
      codes(analyze(np('{ matchExpressions: [{ key: tier, operator: In, values: [api] }] }'), { workspace })),
      [],
    );
    assert.deepEqual(
      codes(analyze(np('{ matchExpressions: [{ key: tier, operator: In, values: [db] }] }'), { workspace })),
      ['KR3004'],
    );
  });
  test('an empty podSelector selects everything', () =>
    assert.deepEqual(codes(analyze(np('{}'), { workspace })), []));
  test('another namespace with no workloads: quiet', () =>
    assert.deepEqual(codes(analyze(np('{ matchLabels: { app: x } }', 'data'), { workspace })), []));
});
