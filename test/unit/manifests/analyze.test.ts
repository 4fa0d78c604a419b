/**
 * The validation pass as a whole: limits and their notes, memoised static checks, ranges, the
 * object each diagnostic is about, and inputs that must give no noise.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { analyzeManifestFile, analyzeSteps } from '../../../src/analysis/manifests/analyze.ts';
import { parseManifestFile } from '../../../src/analysis/manifests/document.ts';
import { analyze, codes, service, WORKLOADS, workspaceOf } from './helpers.ts';

describe('limits', () => {
  test('a document over the size limit: one information on its first line', () => {
    const big = `apiVersion: v1\nkind: Service\nmetadata:\n  annotations:\n    note: "${'x'.repeat(70 * 1024)}"\n`;
    const text = `${service('  ports: []\n')}---\n${big}`;
    const diagnostics = analyze(text);
    assert.deepEqual(codes(diagnostics), ['KR1001', 'KR0001']);
    const note = diagnostics[1]!;
    assert.equal(note.severity, 'information');
    assert.equal(note.range.start.line, text.slice(0, text.indexOf('---')).split('\n').length - 1);
    assert.match(note.message, /\(71 KB\) is not analysed: KubeReach reads documents of up to 64 KB/);
  });

  test('an oversized document of a kind not analysed: no note', () => {
    const big = `apiVersion: v1\nkind: ConfigMap\ndata:\n  blob: "${'x'.repeat(70 * 1024)}"\n`;
    assert.deepEqual(codes(analyze(big)), []);
  });

  test('documents beyond the file budget: one note for all of them', () => {
    const doc = (i: number) => `---\n${service('  ports: []\n', `name: s${i}`)}`;
    const text = Array.from({ length: 10 }, (_, i) => doc(i)).join('');
    const diagnostics = analyzeManifestFile(
      parseManifestFile(text, { limits: { maxFileBytes: doc(0).length * 3 + 20 } }),
    );
    assert.deepEqual(codes(diagnostics), ['KR1001', 'KR1001', 'KR1001', 'KR0001']);
    assert.match(diagnostics[3]!.message, /these 7 documents, from line \d+/);
  });

  test('at most maxDiagnostics, then one note', () => {
    const text = Array.from({ length: 30 }, (_, i) => `---\n${service('  ports: []\n', `name: s${i}`)}`).join(
      '',
    );
    const diagnostics = analyzeManifestFile(parseManifestFile(text), { maxDiagnostics: 10 });
    assert.equal(diagnostics.length, 11);
    assert.equal(diagnostics[10]!.code, 'KR0002');
    assert.match(diagnostics[10]!.message, /^20 more problems/);
  });

  test('the notes about what was not analysed survive the cap', () => {
    const doc = (i: number) => `---\n${service('  ports: []\n', `name: s${i}`)}`;
    const text = Array.from({ length: 30 }, (_, i) => doc(i)).join('');
    const file = parseManifestFile(text, { limits: { maxFileBytes: doc(0).length * 20 + 20 } });
    const diagnostics = analyzeManifestFile(file, { maxDiagnostics: 10 });
    assert.deepEqual(codes(diagnostics).slice(9), ['KR1001', 'KR0002', 'KR0001']);
  });

  test('analysis steps once per document', () => {
    const text = Array.from({ length: 5 }, (_, i) => `---\n${service('  ports: []\n', `name: s${i}`)}`).join(
      '',
    );
    const steps = analyzeSteps(parseManifestFile(text));
    let count = 0;
    while (!steps.next().done) {
      count++;
    }
    assert.equal(count, 5);
  });
});

describe('the pass', () => {
  test('static findings are memoised per document, contextual ones are not', () => {
    const text = service('  selector: { app: nope }\n  ports: []\n');
    const file = parseManifestFile(text);
    const first = analyzeManifestFile(file);
    assert.deepEqual(codes(first), ['KR1001']);
    const withWorkspace = analyzeManifestFile(file, { workspace: workspaceOf(WORKLOADS) });
    assert.deepEqual(codes(withWorkspace), ['KR1001', 'KR3001']);
    assert.equal(file.chunks[0]!.chunk.memo?.size, 1);
  });

  test('ranges are file positions, after other documents', () => {
    const text = `# comment\n---\n${service('  ports:\n    - port: 80\n      protocol: tcp\n')}`;
    const [diagnostic] = analyze(text);
    assert.deepEqual(diagnostic!.range, {
      start: { line: 10, character: 16 },
      end: { line: 10, character: 19 },
    });
    assert.equal(text.slice(diagnostic!.span.start, diagnostic!.span.end), 'tcp');
  });

  test('each diagnostic names its object', () => {
    const [diagnostic] = analyze(service('  ports: []\n', 'name: web\n  namespace: shop'));
    assert.deepEqual(diagnostic!.object, { kind: 'Service', name: 'web', namespace: 'shop' });
  });

  test('no noise from what is not ours', () => {
    const inputs = [
      '',
      '# only a comment\n',
      'services:\n  web:\n    ports: ["80:80"]\n',
      'apiVersion: v1\nkind: ConfigMap\ndata:\n  poarts: x\n',
      'apiVersion: apps/v1\nkind: Deployment\nmetadata: { name: d }\nspec:\n  selecter: {}\n',
      'kind: Service\napiVersion: v1\nmetadata:\n  name: {{ .Release.Name }}\nspec:\n  poarts: []\n',
      'apiVersion: v1\nkind: Service\nspec:\n  ports: [ { port: 80\n',
      '[1, 2, 3]\n',
      'just a string\n',
    ];
    for (const input of inputs) {
      assert.deepEqual(codes(analyze(input, { workspace: workspaceOf(WORKLOADS) })), [], input);
    }
  });
});
