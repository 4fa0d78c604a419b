/**
 * What the API server does with a custom resource's body on every write, from its CRD's structural
 * OpenAPI v3 schema (apiextensions-apiserver's pruning, defaulting and schema validation), in that
 * order: unknown fields are pruned (unless `x-kubernetes-preserve-unknown-fields`), `default`s are
 * filled in, then types, `required`, `enum`, lengths, bounds and patterns are checked and reported
 * as field causes of a 422 with upstream's wording. `apiVersion`, `kind` and `metadata` at the root
 * are never pruned (metadata is ObjectMeta, validated elsewhere). Not implemented: CEL rules
 * (`x-kubernetes-validations`), `format` checks, list-type uniqueness, `oneOf`/`anyOf`/`not`.
 */

export interface StructuralSchema {
  readonly type?: string;
  readonly properties?: Readonly<Record<string, StructuralSchema>>;
  readonly items?: StructuralSchema;
  readonly additionalProperties?: StructuralSchema | boolean;
  readonly required?: readonly string[];
  readonly enum?: readonly unknown[];
  readonly default?: unknown;
  readonly nullable?: boolean;
  readonly maxLength?: number;
  readonly minLength?: number;
  readonly maxItems?: number;
  readonly minItems?: number;
  readonly maximum?: number;
  readonly minimum?: number;
  readonly pattern?: string;
  readonly 'x-kubernetes-preserve-unknown-fields'?: boolean;
  readonly 'x-kubernetes-int-or-string'?: boolean;
  readonly 'x-kubernetes-embedded-resource'?: boolean;
}

export interface FieldCause {
  readonly field: string;
  readonly message: string;
  readonly reason: string;
}

const ROOT_META = new Set(['apiVersion', 'kind', 'metadata']);

function join(path: string, key: string): string {
  return path ? `${path}.${key}` : key;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * The paths of the fields the schema does not know, as the strict decoder names them (and as
 * `fieldValidation=Strict` refuses them). Removes them from `value` when `prune` is set.
 */
export function unknownCustomFields(schema: StructuralSchema, value: unknown, prune = false): string[] {
  const found: string[] = [];
  walkUnknown(schema, value, '', true, prune, found);
  return found;
}

function walkUnknown(
  schema: StructuralSchema,
  value: unknown,
  path: string,
  root: boolean,
  prune: boolean,
  found: string[],
): void {
  if (Array.isArray(value)) {
    if (schema.items) {
      value.forEach((item, index) =>
        walkUnknown(schema.items!, item, `${path}[${index}]`, false, prune, found),
      );
    }
    return;
  }
  if (!isObject(value) || schema['x-kubernetes-preserve-unknown-fields'] === true) {
    return;
  }
  const properties = schema.properties;
  const additional = schema.additionalProperties;
  for (const key of Object.keys(value)) {
    if (root && ROOT_META.has(key)) {
      continue;
    }
    const child = properties?.[key] ?? (isObject(additional) ? additional : undefined);
    if (child) {
      walkUnknown(child, value[key], join(path, key), false, prune, found);
    } else if (additional !== true) {
      found.push(join(path, key));
      if (prune) {
        delete value[key];
      }
    }
  }
}

/** Fills in the schema's defaults where a field is absent (in place), as the API server does on read and write. */
export function applyDefaults(schema: StructuralSchema, value: unknown): void {
  if (Array.isArray(value)) {
    if (schema.items) {
      for (const item of value) {
        applyDefaults(schema.items, item);
      }
    }
    return;
  }
  if (!isObject(value)) {
    return;
  }
  for (const [key, child] of Object.entries(schema.properties ?? {})) {
    if (value[key] === undefined && child.default !== undefined) {
      value[key] = structuredClone(child.default);
    }
    if (value[key] !== undefined) {
      applyDefaults(child, value[key]);
    }
  }
  if (isObject(schema.additionalProperties)) {
    for (const key of Object.keys(value)) {
      if (!schema.properties?.[key]) {
        applyDefaults(schema.additionalProperties, value[key]);
      }
    }
  }
}

function show(value: unknown): string {
  return typeof value === 'string' ? `"${value}"` : JSON.stringify(value);
}

function typeName(value: unknown): string {
  if (value === null) {
    return 'null';
  }
  if (Array.isArray(value)) {
    return 'array';
  }
  if (typeof value === 'number') {
    return Number.isInteger(value) ? 'integer' : 'number';
  }
  return typeof value;
}

function hasType(schema: StructuralSchema, value: unknown): boolean {
  if (schema['x-kubernetes-int-or-string']) {
    return typeof value === 'string' || (typeof value === 'number' && Number.isInteger(value));
  }
  switch (schema.type) {
    case 'string':
      return typeof value === 'string';
    case 'integer':
      return typeof value === 'number' && Number.isInteger(value);
    case 'number':
      return typeof value === 'number';
    case 'boolean':
      return typeof value === 'boolean';
    case 'array':
      return Array.isArray(value);
    case 'object':
      return isObject(value);
    default:
      return true;
  }
}

/** The schema violations of `value`, each a field cause with kube-openapi's wording. */
export function validateAgainstSchema(schema: StructuralSchema, value: unknown): FieldCause[] {
  const causes: FieldCause[] = [];
  check(schema, value, '', true, causes);
  return causes;
}

function check(
  schema: StructuralSchema,
  value: unknown,
  path: string,
  root: boolean,
  causes: FieldCause[],
): void {
  const invalid = (message: string, reason = 'FieldValueInvalid') =>
    causes.push({ field: path, message, reason });
  if (value === null) {
    if (!schema.nullable && schema.type !== undefined) {
      invalid(
        `Invalid value: "null": ${path} in body must be of type ${schema.type}: "null"`,
        'FieldValueTypeInvalid',
      );
    }
    return;
  }
  if (!hasType(schema, value)) {
    const expected = schema['x-kubernetes-int-or-string'] ? 'integer,string' : schema.type;
    invalid(
      `Invalid value: "${typeName(value)}": ${path} in body must be of type ${expected}: "${typeName(value)}"`,
      'FieldValueTypeInvalid',
    );
    return;
  }
  if (schema.enum && !schema.enum.some((allowed) => JSON.stringify(allowed) === JSON.stringify(value))) {
    invalid(
      `Unsupported value: ${show(value)}: supported values: ${schema.enum.map(show).join(', ')}`,
      'FieldValueNotSupported',
    );
  }
  if (typeof value === 'string') {
    if (schema.maxLength !== undefined && value.length > schema.maxLength) {
      invalid(`Too long: may not be more than ${schema.maxLength} bytes`, 'FieldValueTooLong');
    }
    if (schema.minLength !== undefined && value.length < schema.minLength) {
      invalid(
        `Invalid value: ${show(value)}: ${path} in body should be at least ${schema.minLength} chars long`,
      );
    }
    if (schema.pattern !== undefined && !safeTest(schema.pattern, value)) {
      invalid(`Invalid value: ${show(value)}: ${path} in body should match '${schema.pattern}'`);
    }
  }
  if (typeof value === 'number') {
    if (schema.maximum !== undefined && value > schema.maximum) {
      invalid(`Invalid value: ${value}: ${path} in body should be less than or equal to ${schema.maximum}`);
    }
    if (schema.minimum !== undefined && value < schema.minimum) {
      invalid(
        `Invalid value: ${value}: ${path} in body should be greater than or equal to ${schema.minimum}`,
      );
    }
  }
  if (Array.isArray(value)) {
    if (schema.maxItems !== undefined && value.length > schema.maxItems) {
      invalid(`Too many: ${value.length}: must have at most ${schema.maxItems} items`, 'FieldValueTooMany');
    }
    if (schema.minItems !== undefined && value.length < schema.minItems) {
      invalid(
        `Invalid value: ${value.length}: ${path} in body should have at least ${schema.minItems} items`,
      );
    }
    if (schema.items) {
      value.forEach((item, index) => check(schema.items!, item, `${path}[${index}]`, false, causes));
    }
    return;
  }
  if (!isObject(value)) {
    return;
  }
  for (const name of schema.required ?? []) {
    if (value[name] === undefined) {
      causes.push({ field: join(path, name), message: 'Required value', reason: 'FieldValueRequired' });
    }
  }
  for (const [key, child] of Object.entries(value)) {
    if (root && ROOT_META.has(key)) {
      continue;
    }
    const childSchema =
      schema.properties?.[key] ??
      (isObject(schema.additionalProperties) ? schema.additionalProperties : undefined);
    if (childSchema && child !== undefined) {
      check(childSchema, child, join(path, key), false, causes);
    }
  }
}

/** Go's RE2 patterns are mostly valid JavaScript; one that is not is treated as matching. */
function safeTest(pattern: string, value: string): boolean {
  try {
    return new RegExp(pattern, 'u').test(value);
  } catch {
    return true;
  }
}
