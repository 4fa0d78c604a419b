/**
 * Disable comments (`# kubereach-disable-line`, `-next-line`, and per document) and codes disabled
 * for a run: read by the analysis itself, so the editor and `kubereach check` agree.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { suppressionsOf } from '../../../src/analysis/manifests/suppress.ts';
import { analyze, codes, service } from './helpers.ts';

/** Two problems on two lines: port 70000 (KR1002) and an unknown protocol (KR1004). */
const PORTS = '  ports:\n    - port: 70000\n      protocol: SCTPX\n';

describe('disable comments', () => {
  test('without a comment both problems are reported', () => {
    assert.deepEqual(codes(analyze(service(PORTS))), ['KR1002', 'KR1004']);
  });

  test('disable-line silences its own line only, for the code named', () => {
    const text = service(
      '  ports:\n    - port: 70000 # kubereach-disable-line KR1002\n      protocol: SCTPX\n',
    );
    assert.deepEqual(codes(analyze(text)), ['KR1004']);
  });

  test('disable-line naming another code silences nothing', () => {
    const text = service(
      '  ports:\n    - port: 70000 # kubereach-disable-line KR1004\n      protocol: SCTPX\n',
    );
    assert.deepEqual(codes(analyze(text)), ['KR1002', 'KR1004']);
  });

  test('disable-next-line silences the line below, with a reason after --', () => {
    const text = service(
      '  ports:\n    - port: 70000\n      # kubereach-disable-next-line KR1004 -- a CNI-specific protocol\n      protocol: SCTPX\n',
    );
    assert.deepEqual(codes(analyze(text)), ['KR1002']);
  });

  test('disable without codes in a document silences it whole, and only it', () => {
    const text = `${service(`${PORTS}  # kubereach-disable\n`)}---\n${service(PORTS, 'name: other')}`;
    assert.deepEqual(codes(analyze(text)), ['KR1002', 'KR1004']);
    const diagnostics = analyze(text);
    assert.ok(diagnostics.every((diagnostic) => diagnostic.range.start.line > 8));
  });

  test('codes may be comma- or space-separated and in any case', () => {
    const text = `# kubereach-disable kr1002, KR1004\n${service(PORTS)}`;
    assert.deepEqual(codes(analyze(text)), []);
  });

  test('a # inside a word is not a comment', () => {
    const text = service('  ports:\n    - port: 70000\n      name: a#kubereach-disable-line\n');
    assert.ok(codes(analyze(text)).includes('KR1002'));
    assert.deepEqual(suppressionsOf('x: a#kubereach-disable').lines.size, 0);
  });

  test('a directive with a longer name is not one', () => {
    assert.equal(suppressionsOf('# kubereach-disabled KR1002').document, undefined);
  });
});

describe('codes disabled for a run', () => {
  test('disabledCodes drops those codes and keeps the others', () => {
    assert.deepEqual(codes(analyze(service(PORTS), { disabledCodes: new Set(['KR1004']) })), ['KR1002']);
  });

  test('the cap counts what is left after disabling', () => {
    const text = Array.from({ length: 12 }, (_, i) => `---\n${service(PORTS, `name: s${i}`)}`).join('');
    const diagnostics = analyze(text, { disabledCodes: new Set(['KR1004']), maxDiagnostics: 12 });
    assert.deepEqual(
      codes(diagnostics),
      Array.from({ length: 12 }, () => 'KR1002'),
    );
  });
});
