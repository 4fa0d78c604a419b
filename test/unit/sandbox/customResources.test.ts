/**
 * The pure parts of the sandbox's CustomResourceDefinition support: structural-schema pruning,
 * defaulting and validation with kube-openapi's wording, CRD validation and version priority,
 * and the printer columns' JSONPath subset.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { compareKubeVersions, typesOfCrd, validateCrd } from '../../../sandbox/api/customResources.ts';
import { customPrinter, evaluate, parseJsonPath } from '../../../sandbox/api/customTables.ts';
import {
  applyDefaults,
  unknownCustomFields,
  validateAgainstSchema,
} from '../../../sandbox/api/structuralSchema.ts';
import type { StructuralSchema } from '../../../sandbox/api/structuralSchema.ts';

const SCHEMA: StructuralSchema = {
  type: 'object',
  properties: {
    spec: {
      type: 'object',
      required: ['size'],
      properties: {
        size: { type: 'integer', minimum: 1 },
        color: { type: 'string', default: 'blue', enum: ['blue', 'red'] },
        port: { 'x-kubernetes-int-or-string': true },
        tags: { type: 'array', maxItems: 2, items: { type: 'string', pattern: '^[a-z]+$' } },
        labels: { type: 'object', additionalProperties: { type: 'string' } },
        free: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true },
      },
    },
  },
};

describe('structural schema', () => {
  test('unknown fields are named by path and pruned, except apiVersion, kind, metadata and open objects', () => {
    const object = {
      apiVersion: 'x/v1',
      kind: 'X',
      metadata: { name: 'a', anything: 1 },
      spec: { size: 1, shape: 'round', tags: ['a'], labels: { any: 'x' }, free: { deep: { er: 1 } } },
      extra: true,
    };
    assert.deepEqual(unknownCustomFields(SCHEMA, object), ['spec.shape', 'extra']);
    assert.deepEqual(unknownCustomFields(SCHEMA, object, true), ['spec.shape', 'extra']);
    assert.deepEqual(object, {
      apiVersion: 'x/v1',
      kind: 'X',
      metadata: { name: 'a', anything: 1 },
      spec: { size: 1, tags: ['a'], labels: { any: 'x' }, free: { deep: { er: 1 } } },
    });
  });

  test('defaults fill absent fields only', () => {
    const object = { spec: { size: 1 } } as Record<string, unknown>;
    applyDefaults(SCHEMA, object);
    assert.deepEqual(object, { spec: { size: 1, color: 'blue' } });
    const red = { spec: { size: 1, color: 'red' } };
    applyDefaults(SCHEMA, red);
    assert.equal(red.spec.color, 'red');
  });

  test('violations with the API server wording and reasons', () => {
    const causes = validateAgainstSchema(SCHEMA, {
      spec: { color: 'green', port: 1.5, tags: ['a', 'B', 'c'], labels: { a: 1 } },
    });
    assert.deepEqual(
      causes.map((c) => [c.field, c.reason, c.message]),
      [
        ['spec.size', 'FieldValueRequired', 'Required value'],
        [
          'spec.color',
          'FieldValueNotSupported',
          'Unsupported value: "green": supported values: "blue", "red"',
        ],
        [
          'spec.port',
          'FieldValueTypeInvalid',
          'Invalid value: "number": spec.port in body must be of type integer,string: "number"',
        ],
        ['spec.tags', 'FieldValueTooMany', 'Too many: 3: must have at most 2 items'],
        [
          'spec.tags[1]',
          'FieldValueInvalid',
          `Invalid value: "B": spec.tags[1] in body should match '^[a-z]+$'`,
        ],
        [
          'spec.labels.a',
          'FieldValueTypeInvalid',
          'Invalid value: "integer": spec.labels.a in body must be of type string: "integer"',
        ],
      ],
    );
    assert.deepEqual(validateAgainstSchema(SCHEMA, { spec: { size: 2, port: 'http' } }), []);
    assert.match(
      validateAgainstSchema(SCHEMA, { spec: { size: 0 } })[0]!.message,
      /greater than or equal to 1/,
    );
  });
});

describe('CustomResourceDefinition', () => {
  const crd = {
    metadata: { name: 'widgets.example.com' },
    spec: {
      group: 'example.com',
      names: { plural: 'widgets', kind: 'Widget' },
      scope: 'Namespaced',
      versions: [
        { name: 'v1beta1', served: true, storage: false, schema: { openAPIV3Schema: { type: 'object' } } },
        { name: 'v2alpha1', served: false, storage: false, schema: { openAPIV3Schema: { type: 'object' } } },
        {
          name: 'v1',
          served: true,
          storage: true,
          subresources: { status: {} },
          schema: { openAPIV3Schema: { type: 'object' } },
        },
      ],
    },
  };

  test('a valid CRD has no causes; name, scope and storage versions are checked', () => {
    assert.deepEqual(validateCrd(crd), []);
    const bad = structuredClone(crd) as typeof crd & { spec: { scope: string } };
    bad.metadata.name = 'widget.example.com';
    bad.spec.scope = 'Global';
    bad.spec.versions[0]!.storage = true;
    assert.deepEqual(
      validateCrd(bad).map((c) => c.field),
      ['metadata.name', 'spec.scope', 'spec.versions'],
    );
  });

  test('served versions become types in version priority, with the status subresource where declared', () => {
    const types = typesOfCrd(crd);
    assert.deepEqual(
      types.map((t) => [t.version, t.singular, t.custom?.listKind, t.subresources.map((s) => s.name)]),
      [
        ['v1', 'widget', 'WidgetList', ['status']],
        ['v1beta1', 'widget', 'WidgetList', []],
      ],
    );
    assert.deepEqual(
      ['v1alpha1', 'v2', 'foo', 'v1beta2', 'v1', 'v1beta1', 'v10', 'bar'].sort(compareKubeVersions),
      ['v10', 'v2', 'v1', 'v1beta2', 'v1beta1', 'v1alpha1', 'bar', 'foo'],
    );
  });
});

describe('printer columns', () => {
  const gateway = {
    metadata: { name: 'edge', creationTimestamp: '2026-01-01T00:00:00Z' },
    spec: { gatewayClassName: 'sandbox', hostnames: ['a.example.com', 'b.example.com'] },
    status: {
      addresses: [{ value: '127.1.1.1' }, { value: '127.1.1.2' }],
      conditions: [
        { type: 'Accepted', status: 'True' },
        { type: 'Programmed', status: 'False' },
      ],
    },
  };

  test('the JSONPath subset: fields, [*], [n] and equality filters', () => {
    assert.deepEqual(evaluate(parseJsonPath('.status.addresses[*].value'), gateway), [
      '127.1.1.1',
      '127.1.1.2',
    ]);
    assert.deepEqual(evaluate(parseJsonPath('.status.addresses[1].value'), gateway), ['127.1.1.2']);
    assert.deepEqual(evaluate(parseJsonPath('.status.conditions[?(@.type=="Programmed")].status'), gateway), [
      'False',
    ]);
    assert.deepEqual(evaluate(parseJsonPath('.spec.missing'), gateway), []);
  });

  test('cells: the first result, lists as JSON, dates as ages, Name first, Age by default', () => {
    const printer = customPrinter([
      { name: 'Address', type: 'string', jsonPath: '.status.addresses[*].value' },
      { name: 'Hostnames', type: 'string', jsonPath: '.spec.hostnames' },
      { name: 'Missing', type: 'string', jsonPath: '.spec.nothing' },
      { name: 'Age', type: 'date', jsonPath: '.metadata.creationTimestamp' },
    ]);
    assert.deepEqual(
      printer.columns.map((c) => c.name),
      ['Name', 'Address', 'Hostnames', 'Missing', 'Age'],
    );
    assert.deepEqual(printer.cells(gateway, Date.parse('2026-01-01T00:05:00Z')), [
      'edge',
      '127.1.1.1',
      '["a.example.com","b.example.com"]',
      null,
      '5m',
    ]);
    assert.deepEqual(
      customPrinter([]).columns.map((c) => c.name),
      ['Name', 'Age'],
    );
  });
});
