/**
 * Reading YAML files into documents and objects: the split at `---`, what is parsed and what is
 * deliberately not, positions, anchors and merge keys, paths to and from offsets, and the cache.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  ChunkCache,
  chunkAt,
  objectsOf,
  parseManifestFile,
  parseManifestFileSteps,
  pathAt,
  peekKind,
  placeSpan,
  spanOf,
  splitChunks,
} from '../../../src/analysis/manifests/document.ts';

function objects(text: string) {
  return [...objectsOf(parseManifestFile(text))].map(({ object }) => object);
}

function statuses(text: string, limits = {}) {
  return parseManifestFile(text, { limits }).chunks.map((placed) => placed.chunk.status);
}

describe('splitChunks', () => {
  test('splits at --- lines and counts lines', () => {
    const text = 'a: 1\n---\nb: 2\nc: 3\n--- # comment\nd: 4\n';
    const chunks = splitChunks(text);
    assert.deepEqual(
      chunks.map((chunk) => [text.slice(chunk.offset, chunk.end), chunk.line]),
      [
        ['a: 1\n', 0],
        ['---\nb: 2\nc: 3\n', 1],
        ['--- # comment\nd: 4\n', 4],
      ],
    );
  });

  test('a file starting with --- has no empty first chunk', () => {
    assert.equal(splitChunks('---\na: 1\n').length, 1);
  });

  test('--- inside a line or as a longer run is content, not a separator', () => {
    assert.equal(splitChunks('a: ---\nb: "x\n  ---y"\n----\n').length, 1);
  });

  test('--- at the very end, and with CRLF line ends', () => {
    assert.equal(splitChunks('a: 1\n---').length, 2);
    const text = 'a: 1\r\n---\r\nb: 2\r\n';
    const chunks = splitChunks(text);
    assert.equal(chunks.length, 2);
    assert.equal(chunks[1]!.line, 1);
  });

  test('directives belong to the document that follows', () => {
    const text = 'a: 1\n%YAML 1.2\n---\nb: 2\n';
    const chunks = splitChunks(text);
    assert.equal(text.slice(chunks[1]!.offset, chunks[1]!.end), '%YAML 1.2\n---\nb: 2\n');
    assert.equal(
      parseManifestFile(text).chunks.every((placed) => placed.chunk.status === 'parsed'),
      true,
    );
  });
});

describe('what is parsed', () => {
  test('peekKind reads the top-level kind line only', () => {
    assert.equal(peekKind('apiVersion: v1\nkind: Service\n'), 'Service');
    assert.equal(peekKind("kind: 'ConfigMap' # x\n"), 'ConfigMap');
    assert.equal(peekKind('metadata:\n  kind: Service\n'), undefined);
    assert.equal(peekKind('{kind: Service}'), undefined);
  });

  test('other kinds are not parsed at all', () => {
    assert.deepEqual(statuses('apiVersion: v1\nkind: ConfigMap\ndata:\n  a: [unclosed\n'), ['other-kind']);
  });

  test('analysed kinds and unknown ones are parsed', () => {
    assert.deepEqual(
      statuses(
        'kind: Service\napiVersion: v1\n---\n{"kind": "Deployment", "apiVersion": "apps/v1"}\n---\nfoo: bar\n',
      ),
      ['parsed', 'parsed', 'parsed'],
    );
  });

  test('templates are not parsed', () => {
    assert.deepEqual(statuses('kind: Service\nmetadata:\n  name: {{ .Release.Name }}\n'), ['template']);
  });

  test('syntax errors make a document skipped', () => {
    const file = parseManifestFile(
      'kind: Service\napiVersion: v1\nspec: [1, 2\n---\nkind: Service\napiVersion: v1\n',
    );
    assert.deepEqual(
      file.chunks.map((placed) => placed.chunk.status),
      ['syntax-error', 'parsed'],
    );
    assert.equal([...objectsOf(file)].length, 1);
  });

  test('duplicate keys are read as kubectl reads them: the last value wins', () => {
    const text = 'kind: Service\napiVersion: v1\nkind: Pod\nmetadata: { name: a, name: b }\n';
    assert.deepEqual(statuses(text), ['parsed']);
    const [object] = objects(text);
    assert.equal(object!.kind, 'Pod');
    assert.equal(object!.name, 'b');
    assert.equal(peekKind(text), 'Pod');
    assert.deepEqual(statuses('kind: Service\napiVersion: v1\nkind: ConfigMap\n'), ['other-kind']);
  });

  test('documents over the size limit are not parsed', () => {
    const big = `kind: Service\napiVersion: v1\nmetadata:\n  annotations:\n    a: "${'x'.repeat(200)}"\n`;
    assert.deepEqual(statuses(big, { maxDocumentBytes: 100 }), ['too-large']);
    assert.deepEqual(statuses(big.replace('kind: Service', 'kind: ConfigMap'), { maxDocumentBytes: 100 }), [
      'other-kind',
    ]);
  });

  test('documents after the file budget are not parsed', () => {
    const doc = 'kind: Service\napiVersion: v1\nmetadata: { name: a }\n';
    const text = Array.from({ length: 5 }, () => `---\n${doc}`).join('');
    assert.deepEqual(statuses(text, { maxFileBytes: doc.length * 2 + 10 }), [
      'parsed',
      'parsed',
      'over-budget',
    ]);
    assert.equal(
      parseManifestFile(text, { limits: { maxFileBytes: doc.length * 2 + 10 } }).documentsOverBudget,
      3,
    );
  });

  test('a large document is parsed in steps, with the same result', () => {
    const items = Array.from(
      { length: 200 },
      (_, i) => `  - apiVersion: v1\n    kind: Service\n    metadata: { name: s${i} }\n`,
    );
    const text = `apiVersion: v1\nkind: List\nitems:\n${items.join('')}`;
    const steps = parseManifestFileSteps(text, { limits: { stepBytes: 1024 } });
    let count = 0;
    let step = steps.next();
    while (!step.done) {
      count++;
      step = steps.next();
    }
    assert.ok(count > 5, `parsed in ${count} steps`);
    const stepped = [...objectsOf(step.value)].map(({ object }) => object.name);
    const whole = objects(text).map((object) => object.name);
    assert.equal(stepped.length, 200);
    assert.deepEqual(stepped, whole);
  });
});

describe('objects', () => {
  test('only mappings with string apiVersion and kind are Kubernetes objects', () => {
    assert.deepEqual(
      objects('a: 1\n---\n- 1\n---\nkind: Service\n---\napiVersion: 1\nkind: Service\n---\n---\nnull\n')
        .length,
      0,
    );
  });

  test('name, namespace and patch directives', () => {
    const [plain, patch] = objects(
      'apiVersion: v1\nkind: Service\nmetadata: { name: a, namespace: shop }\n---\napiVersion: v1\nkind: Service\nmetadata: { name: b, namespace: "" }\nspec:\n  ports:\n    - $patch: delete\n',
    );
    assert.equal(plain!.name, 'a');
    assert.equal(plain!.namespace, 'shop');
    assert.equal(plain!.hasPatchDirectives, false);
    assert.equal(patch!.namespace, undefined, 'an empty namespace is no namespace');
    assert.equal(patch!.hasPatchDirectives, true);
  });

  test('a List contributes its items, with their path', () => {
    const listed = objects(
      'apiVersion: v1\nkind: List\nitems:\n  - apiVersion: v1\n    kind: Service\n    metadata: { name: a }\n  - not an object\n  - apiVersion: v1\n    kind: Pod\n    metadata: { name: b }\n',
    );
    assert.deepEqual(
      listed.map((object) => [object.kind, object.name, object.root]),
      [
        ['Service', 'a', ['items', 0]],
        ['Pod', 'b', ['items', 2]],
      ],
    );
  });

  test('aliases and merge keys are resolved in values', () => {
    const [object] = objects(
      'apiVersion: v1\nkind: Service\nmetadata:\n  labels: &l { app: web }\nspec:\n  selector: *l\n  ports:\n    - &p { name: http, port: 80 }\n    - <<: *p\n      name: grpc\n',
    );
    assert.deepEqual(object!.value.spec, {
      selector: { app: 'web' },
      ports: [
        { name: 'http', port: 80 },
        { name: 'grpc', port: 80 },
      ],
    });
  });

  test('an alias bomb is not expanded', () => {
    const bomb = ['apiVersion: v1', 'kind: Service', 'a: &a [x, x, x, x, x, x, x, x, x, x]'];
    for (let i = 0; i < 8; i++) {
      const name = String.fromCharCode(98 + i);
      const previous = String.fromCharCode(97 + i);
      bomb.push(`${name}: &${name} [${Array(10).fill(`*${previous}`).join(', ')}]`);
    }
    assert.deepEqual(objects(bomb.join('\n')), []);
  });
});

describe('positions', () => {
  const text =
    '# head\napiVersion: v1\nkind: Service\n---\napiVersion: v1\nkind: Service\nmetadata:\n  name: b\nspec:\n  ports:\n    - port: 80\n      targetPort: http\n';
  const file = parseManifestFile(text);
  const placed = file.chunks[1]!;
  const object = placed.chunk.objects[0]!;

  test('spanOf finds keys and values, falling back to the nearest ancestor', () => {
    const value = placeSpan(placed, spanOf(object, ['spec', 'ports', 0, 'targetPort']));
    assert.equal(text.slice(value.span.start, value.span.end), 'http');
    assert.deepEqual(value.range, { start: { line: 11, character: 18 }, end: { line: 11, character: 22 } });
    const key = placeSpan(placed, spanOf(object, ['spec', 'ports', 0, 'targetPort'], 'key'));
    assert.equal(text.slice(key.span.start, key.span.end), 'targetPort');
    const missing = placeSpan(placed, spanOf(object, ['spec', 'selector', 'app']));
    assert.equal(text.slice(missing.span.start, missing.span.end), 'spec');
    const map = placeSpan(placed, spanOf(object, ['spec', 'ports', 0]));
    assert.equal(text.slice(map.span.start, map.span.end), 'port: 80\n      targetPort: http');
  });

  test('a finding under an alias is placed on the alias', () => {
    const source =
      'apiVersion: v1\nkind: Service\nx: &p { port: 80, targetPort: Bad }\nspec:\n  ports:\n    - *p\n';
    const aliased = parseManifestFile(source);
    const span = spanOf(aliased.chunks[0]!.chunk.objects[0]!, ['spec', 'ports', 0, 'targetPort']);
    assert.equal(source.slice(span.start, span.end), '*p');
  });

  test('a finding under a merge key is placed on the merged alias', () => {
    const source =
      'apiVersion: v1\nkind: Service\nx: &p { port: 80, targetPort: Bad }\nspec:\n  ports:\n    - <<: *p\n      name: a\n';
    const merged = parseManifestFile(source);
    const object = merged.chunks[0]!.chunk.objects[0]!;
    assert.equal(
      source.slice(
        spanOf(object, ['spec', 'ports', 0, 'targetPort']).start,
        spanOf(object, ['spec', 'ports', 0, 'targetPort']).end,
      ),
      '*p',
    );
    assert.equal(
      source.slice(
        spanOf(object, ['spec', 'ports', 0, 'name']).start,
        spanOf(object, ['spec', 'ports', 0, 'name']).end,
      ),
      'a',
    );
  });

  test('pathAt maps an offset back to a path', () => {
    const local = (needle: string, delta = 0) => text.indexOf(needle) + delta - placed.offset;
    assert.deepEqual(pathAt(object.document, local('targetPort', 2)), {
      path: ['spec', 'ports', 0, 'targetPort'],
      part: 'key',
      span: { start: local('targetPort'), end: local('targetPort') + 10 },
    });
    assert.deepEqual(pathAt(object.document, local('http', 1))?.path, ['spec', 'ports', 0, 'targetPort']);
    assert.equal(pathAt(object.document, local('http', 1))?.part, 'value');
    assert.deepEqual(pathAt(object.document, local('name: b', 6))?.path, ['metadata', 'name']);
  });

  test('chunkAt finds the chunk of an offset', () => {
    assert.equal(chunkAt(file, 0), file.chunks[0]);
    assert.equal(chunkAt(file, text.indexOf('---')), file.chunks[1]);
    assert.equal(chunkAt(file, text.length - 1), file.chunks[1]);
  });
});

describe('ChunkCache', () => {
  test('unchanged documents are reused after an edit, changed ones parsed again', () => {
    const cache = new ChunkCache();
    const a = 'apiVersion: v1\nkind: Service\nmetadata: { name: a }\n';
    const b = '---\napiVersion: v1\nkind: Service\nmetadata: { name: b }\n';
    const first = parseManifestFile(a + b, { cache });
    const second = parseManifestFile(a + b.replace('name: b', 'name: c'), { cache });
    assert.equal(second.chunks[0]!.chunk, first.chunks[0]!.chunk, 'the first document is reused');
    assert.notEqual(second.chunks[1]!.chunk, first.chunks[1]!.chunk);
    assert.equal(cache.size, 2, 'the old version of the second document is dropped');
  });

  test('identical documents share one parse', () => {
    const doc = '---\napiVersion: v1\nkind: Service\n';
    const file = parseManifestFile(doc + doc);
    assert.equal(file.chunks[0]!.chunk, file.chunks[1]!.chunk);
    assert.notEqual(file.chunks[0]!.offset, file.chunks[1]!.offset);
  });
});
