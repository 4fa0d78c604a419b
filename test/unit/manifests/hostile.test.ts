/**
 * Input built to hurt the parser, and line ends other than LF: a document nested thousands deep is
 * refused by a scan before any parsing (one KR0001 note); a file whose lines end with a lone CR (as
 * classic Mac editors write them) is read as kubectl's YAML reader reads it, line by line.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { MAX_NESTING, nestingExceeds, parseManifestFile } from '../../../src/analysis/manifests/document.ts';
import { analyze, codes, service, spans } from './helpers.ts';

const nestedFlow = (depth: number) =>
  `apiVersion: v1\nkind: Service\nmetadata: { name: deep }\nspec:\n  ports: ${'['.repeat(depth)}${']'.repeat(depth)}\n`;
const nestedBlock = (depth: number) =>
  `apiVersion: v1\nkind: Service\nmetadata: { name: deep }\nspec:\n  ports:\n  ${'- '.repeat(depth)}x\n`;

describe('nesting is bounded before parsing', () => {
  test('a 60 KB document of nested flow sequences is not parsed: one note instead', () => {
    const text = nestedFlow(30_000);
    assert.ok(text.length > 60_000);
    const file = parseManifestFile(text);
    assert.deepEqual(
      file.chunks.map((placed) => placed.chunk.status),
      ['too-deep'],
    );
    // Not parsed at all: no syntax tree, no objects.
    assert.equal(file.chunks[0]!.chunk.documents.length, 0);
    assert.equal(file.chunks[0]!.chunk.objects.length, 0);
    const diagnostics = analyze(text);
    assert.deepEqual(codes(diagnostics), ['KR0001']);
    assert.match(diagnostics[0]!.message, new RegExp(`nested more than ${MAX_NESTING} deep`));
    assert.deepEqual(spans(text, diagnostics), ['apiVersion: v1']);
  });

  test('flow mappings and compact block sequences count as nesting too', () => {
    assert.equal(nestingExceeds(`a: ${'{b: '.repeat(200)}1${'}'.repeat(200)}`, MAX_NESTING), true);
    assert.deepEqual(
      parseManifestFile(nestedBlock(30_000)).chunks.map((placed) => placed.chunk.status),
      ['too-deep'],
    );
  });

  test('ordinary nesting, brackets in strings and balanced runs are read as usual', () => {
    assert.equal(nestingExceeds(nestedFlow(MAX_NESTING - 4), MAX_NESTING), false);
    assert.equal(nestingExceeds(nestedBlock(MAX_NESTING - 4), MAX_NESTING), false);
    const script = service(
      '  selector: { app: web }\n  ports: [{ port: 70000 }]\n',
      `name: web\n  annotations:\n    run: "${'[[ -f x ]] && '.repeat(100)}true"`,
    );
    assert.deepEqual(codes(analyze(script)), ['KR1002']);
  });
});

describe('a lone CR is a line break', () => {
  test('a CR-only Service gets its port diagnostic, on the right line', () => {
    const lf = service('  selector:\n    app: web\n  ports:\n    - name: http\n      port: 70000\n');
    const cr = lf.replace(/\n/g, '\r');
    const expected = analyze(lf);
    assert.deepEqual(codes(expected), ['KR1002']);
    const diagnostics = analyze(cr);
    assert.deepEqual(codes(diagnostics), ['KR1002']);
    assert.deepEqual(spans(cr, diagnostics), ['70000']);
    assert.deepEqual(diagnostics[0]!.range, expected[0]!.range);
    assert.deepEqual(diagnostics[0]!.range.start, { line: 10, character: 12 });
  });

  test('mixed line ends: CRLF, LF and lone CR count one line each', () => {
    const text =
      'apiVersion: v1\r\nkind: Service\rmetadata:\n  name: web\r\n  namespace: shop\rspec:\n  ports:\r    - port: 70000\n';
    const diagnostics = analyze(text);
    assert.deepEqual(codes(diagnostics), ['KR1002']);
    assert.deepEqual(diagnostics[0]!.range.start, { line: 7, character: 12 });
  });

  test('documents split at a --- after a lone CR, with their lines counted', () => {
    const text =
      `${service('  ports: [{ port: 1 }]\n')}---\n${service('  ports: [{ port: 70000 }]\n', 'name: b')}`.replace(
        /\n/g,
        '\r',
      );
    const file = parseManifestFile(text);
    assert.equal(file.chunks.length, 2);
    const diagnostics = analyze(text);
    assert.deepEqual(codes(diagnostics), ['KR1002']);
    assert.equal(diagnostics[0]!.range.start.line, 13);
  });
});
