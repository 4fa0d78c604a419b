/**
 * The workspace and the cluster finding the same thing at the same place make one diagnostic that
 * names both sources (KR3002 with KR4003, KR3003 with KR4004); and a workload written in two files
 * is named once.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  applyFix,
  analyze,
  clusterOf,
  codes,
  livePod,
  service,
  spans,
  WORKLOADS,
  workloadsOf,
  workspaceOf,
} from './helpers.ts';

const workspace = workspaceOf(WORKLOADS);
const cluster = clusterOf([
  livePod('backend-1', { app: 'backend' }, { ports: [{ name: 'http', containerPort: 8080 }] }),
]);

describe('one diagnostic per claim', () => {
  test('a named targetPort nobody declares, in the workspace and in the cluster', () => {
    const text = service(
      '  selector: { app: backend }\n  ports:\n    - name: m\n      port: 9100\n      targetPort: metrics\n',
    );
    const diagnostics = analyze(text, { workspace, cluster });
    assert.deepEqual(codes(diagnostics), ['KR3002']);
    assert.deepEqual(spans(text, diagnostics), ['metrics']);
    const [diagnostic] = diagnostics;
    assert.equal(diagnostic!.severity, 'error');
    assert.equal(
      diagnostic!.message,
      'Nothing declares a TCP port named "metrics": no container of Deployment backend in the workspace, and not the ready Pod in namespace shop of context test-context. Traffic to this port has nowhere to go.',
    );
    // The fixes of both, each edit once.
    const titles = diagnostic!.fixes.map((fix) => fix.title);
    const edits = diagnostic!.fixes.map((fix) => JSON.stringify(fix.edits));
    assert.deepEqual(edits, [...new Set(edits)], titles.join(' | '));
    assert.equal(titles[0], 'Set targetPort to http (8080 in container backend of Deployment backend)');
    assert.equal(applyFix(text, diagnostic!), text.replace('targetPort: metrics', 'targetPort: http'));
  });

  test('a numeric targetPort nobody declares', () => {
    const text = service('  selector: { app: frontend }\n  ports:\n    - port: 80\n      targetPort: 8081\n');
    const frontend = clusterOf([
      livePod('frontend-1', { app: 'frontend' }),
      livePod('frontend-2', { app: 'frontend' }),
    ]);
    const diagnostics = analyze(text, { workspace, cluster: frontend });
    assert.deepEqual(codes(diagnostics), ['KR3003']);
    assert.match(
      diagnostics[0]!.message,
      /^Nothing declares TCP port 8081: no container of Deployment frontend in the workspace, and none of the 2 Pods matching app=frontend in namespace shop of context test-context\./,
    );
  });

  test('only one source finds it: its own diagnostic, as before', () => {
    const text = service(
      '  selector: { app: backend }\n  ports:\n    - name: m\n      port: 9100\n      targetPort: metrics\n',
    );
    const declared = clusterOf([
      livePod('backend-1', { app: 'backend' }, { ports: [{ name: 'metrics', containerPort: 9100 }] }),
    ]);
    const diagnostics = analyze(text, { workspace, cluster: declared });
    assert.deepEqual(codes(diagnostics), ['KR3002']);
    assert.match(diagnostics[0]!.message, /^No container of Deployment backend declares/);
    assert.deepEqual(codes(analyze(text, { cluster })), ['KR4003']);
  });

  test('different claims on one selector stay apart', () => {
    const text = service('  selector: { app: nothing }\n  ports: [{ port: 80 }]\n');
    assert.deepEqual(codes(analyze(text, { workspace, cluster })), ['KR3001', 'KR4001']);
  });
});

describe('a workload written in two files is named once', () => {
  const [backend] = workloadsOf(WORKLOADS);
  const at = (label: string, name = 'backend') => ({
    ...backend!,
    name,
    source: { uri: `file:///w/${label}`, line: 1, label },
  });
  const text = service(
    '  selector: { app: backend }\n  ports:\n    - name: m\n      port: 9100\n      targetPort: metrics\n',
  );

  test('its files in brackets, once', () => {
    const twice = [at('backend.yaml'), at('demo-cluster.yaml')];
    const [diagnostic] = analyze(text, { workspace: { complete: true, workloads: () => twice } });
    assert.match(
      diagnostic!.message,
      /^No container of Deployment backend \(backend\.yaml and demo-cluster\.yaml\) declares/,
    );
  });

  test('others in the list keep their place, without files', () => {
    const list = [at('a.yaml'), at('b.yaml', 'api'), at('c.yaml')];
    const [diagnostic] = analyze(text, { workspace: { complete: true, workloads: () => list } });
    assert.match(
      diagnostic!.message,
      /^No container of Deployment backend \(a\.yaml and c\.yaml\) and Deployment api declares/,
    );
  });

  test('the same file twice is no reason to name it', () => {
    const same = [at('a.yaml'), at('a.yaml')];
    const [diagnostic] = analyze(text, { workspace: { complete: true, workloads: () => same } });
    assert.match(diagnostic!.message, /^No container of Deployment backend declares/);
  });
});
