/**
 * Quick fixes as text edits: the YAML's own style (block or flow), indentation and comments kept;
 * never an edit through an alias.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { parseManifestFile } from '../../../src/analysis/manifests/document.ts';
import type { FixSpec } from '../../../src/analysis/manifests/findings.ts';
import { resolveFix } from '../../../src/analysis/manifests/fixes.ts';

function fix(text: string, spec: FixSpec): string | undefined {
  const object = parseManifestFile(text).chunks[0]!.chunk.objects[0]!;
  const resolved = resolveFix(object, spec);
  if (resolved === undefined) {
    return undefined;
  }
  return [...resolved.edits]
    .sort((a, b) => b.span.start - a.span.start)
    .reduce(
      (result, edit) => result.slice(0, edit.span.start) + edit.newText + result.slice(edit.span.end),
      text,
    );
}

const head = 'apiVersion: v1\nkind: Service\n';

describe('replace-value', () => {
  test('a scalar, keeping the comment after it', () => {
    assert.equal(
      fix(`${head}spec:\n  type: nodeport # the type\n`, {
        kind: 'replace-value',
        title: '',
        path: ['spec', 'type'],
        text: 'NodePort',
      }),
      `${head}spec:\n  type: NodePort # the type\n`,
    );
  });
  test('an empty value', () => {
    assert.equal(
      fix(`${head}spec:\n  type:\n  ports: []\n`, {
        kind: 'replace-value',
        title: '',
        path: ['spec', 'type'],
        text: 'NodePort',
      }),
      `${head}spec:\n  type: NodePort\n  ports: []\n`,
    );
  });
  test('a missing key is added to its mapping', () => {
    assert.equal(
      fix(`${head}spec:\n  ports:\n    - port: 80\n`, {
        kind: 'replace-value',
        title: '',
        path: ['spec', 'ports', 0, 'targetPort'],
        text: 'http',
      }),
      `${head}spec:\n  ports:\n    - port: 80\n      targetPort: http\n`,
    );
  });
  test('not through an alias', () => {
    assert.equal(
      fix(`${head}x: &p { port: 80, targetPort: a }\nspec:\n  ports: [*p]\n`, {
        kind: 'replace-value',
        title: '',
        path: ['spec', 'ports', 0, 'targetPort'],
        text: 'b',
      }),
      undefined,
    );
  });
  test('not over a collection', () => {
    assert.equal(
      fix(`${head}spec:\n  ports: [1]\n`, {
        kind: 'replace-value',
        title: '',
        path: ['spec', 'ports'],
        text: 'x',
      }),
      undefined,
    );
  });
});

describe('rename-key', () => {
  test('block and flow', () => {
    assert.equal(
      fix(`${head}spec:\n  poarts: []\n`, {
        kind: 'rename-key',
        title: '',
        path: ['spec', 'poarts'],
        key: 'ports',
      }),
      `${head}spec:\n  ports: []\n`,
    );
    assert.equal(
      fix(`${head}spec: { poarts: [] }\n`, {
        kind: 'rename-key',
        title: '',
        path: ['spec', 'poarts'],
        key: 'ports',
      }),
      `${head}spec: { ports: [] }\n`,
    );
  });
  test('a quoted key', () => {
    assert.equal(
      fix(`${head}spec:\n  "poarts": []\n`, {
        kind: 'rename-key',
        title: '',
        path: ['spec', 'poarts'],
        key: 'ports',
      }),
      `${head}spec:\n  ports: []\n`,
    );
  });
});

describe('insert-pair', () => {
  const spec: FixSpec = {
    kind: 'insert-pair',
    title: '',
    mapPath: ['spec', 'ports', 0],
    key: 'name',
    value: 'http',
    first: true,
  };
  test('first, in a block mapping in a sequence', () => {
    assert.equal(
      fix(`${head}spec:\n  ports:\n    - port: 80\n      protocol: TCP\n`, spec),
      `${head}spec:\n  ports:\n    - name: http\n      port: 80\n      protocol: TCP\n`,
    );
  });
  test('first, in a flow mapping', () => {
    assert.equal(
      fix(`${head}spec:\n  ports: [{ port: 80 }]\n`, spec),
      `${head}spec:\n  ports: [{ name: http, port: 80 }]\n`,
    );
  });
  test('last, in a block mapping whose last value is a block collection', () => {
    assert.equal(
      fix(`${head}spec:\n  selector:\n    app: web\n  ports:\n    - port: 80\n# trailing comment\n`, {
        kind: 'insert-pair',
        title: '',
        mapPath: ['spec'],
        key: 'type',
        value: 'NodePort',
      }),
      `${head}spec:\n  selector:\n    app: web\n  ports:\n    - port: 80\n  type: NodePort\n# trailing comment\n`,
    );
  });
  test('last, after a comment on the last line', () => {
    assert.equal(
      fix(`${head}spec:\n  clusterIP: None # headless\n`, {
        kind: 'insert-pair',
        title: '',
        mapPath: ['spec'],
        key: 'type',
        value: 'ClusterIP',
      }),
      `${head}spec:\n  clusterIP: None # headless\n  type: ClusterIP\n`,
    );
  });
  test('into an empty flow mapping and an empty value', () => {
    assert.equal(
      fix(`${head}spec: {}\n`, {
        kind: 'insert-pair',
        title: '',
        mapPath: ['spec'],
        key: 'type',
        value: 'NodePort',
      }),
      `${head}spec: {type: NodePort}\n`,
    );
    assert.equal(
      fix(`${head}spec:\n`, {
        kind: 'insert-pair',
        title: '',
        mapPath: ['spec'],
        key: 'type',
        value: 'NodePort',
      }),
      `${head}spec:\n  type: NodePort\n`,
    );
  });
  test('CRLF files stay CRLF', () => {
    assert.equal(
      fix(`${head}spec:\r\n  ports:\r\n    - port: 80\r\n`, spec),
      `${head}spec:\r\n  ports:\r\n    - name: http\r\n      port: 80\r\n`,
    );
  });
});

describe('set-map', () => {
  const set = (entries: Record<string, string>): FixSpec => ({
    kind: 'set-map',
    title: '',
    path: ['spec', 'selector'],
    entries,
  });
  test('a block mapping stays a block mapping', () => {
    assert.equal(
      fix(
        `${head}spec:\n  selector:\n    app: nope\n    tier: x\n  ports: []\n`,
        set({ app: 'web', 'app.kubernetes.io/part-of': 'shop' }),
      ),
      `${head}spec:\n  selector:\n    app: web\n    app.kubernetes.io/part-of: shop\n  ports: []\n`,
    );
  });
  test('a flow mapping stays a flow mapping, values quoted when needed', () => {
    assert.equal(
      fix(`${head}spec:\n  selector: { app: nope }\n`, set({ app: 'web', version: '1.0' })),
      `${head}spec:\n  selector: { app: web, version: "1.0" }\n`,
    );
  });
  test('an empty selector gets a block', () => {
    assert.equal(
      fix(`${head}spec:\n  selector:\n  ports: []\n`, set({ app: 'web' })),
      `${head}spec:\n  selector:\n    app: web\n  ports: []\n`,
    );
  });
  test('a missing selector is added', () => {
    assert.equal(
      fix(`${head}spec:\n  ports: []\n`, set({ app: 'web' })),
      `${head}spec:\n  ports: []\n  selector:\n    app: web\n`,
    );
  });
});

describe('quote-value', () => {
  test('as written', () => {
    assert.equal(
      fix(`${head}spec:\n  selector:\n    version: 1.10\n`, {
        kind: 'quote-value',
        title: '',
        path: ['spec', 'selector', 'version'],
      }),
      `${head}spec:\n  selector:\n    version: "1.10"\n`,
    );
  });
});
