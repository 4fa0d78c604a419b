/**
 * OpenAPI v3, as kube-apiserver 1.32 publishes it: `/openapi/v3` lists one document per group
 * version (`api/v1`, `apis/apps/v1`, …) with a `serverRelativeURL` carrying a content hash, and
 * each document holds the paths of that group version (whose PATCH operations list the
 * `fieldValidation` parameter, which is how kubectl 1.32 decides to let the server validate instead
 * of validating client-side) and the schemas of its kinds.
 *
 * The schemas are hand-written and compact: every field the sandbox reads is described with its
 * type, list merge keys and GVK; parts the sandbox does not interpret (status, volumes, security
 * contexts, affinity) are open objects. `unknownFields` walks an object against them for
 * `fieldValidation` (Strict: 400, Warn: a Warning header), checking only where a schema is closed.
 * `/openapi/v2` is an empty document (kubectl reads it only for kinds no v3 document describes).
 */
import { createHash } from 'node:crypto';
import { SANDBOX_VERSION } from './discovery.ts';
import type { ResourceType } from './resources.ts';
import { apiVersionOf, RESOURCES } from './resources.ts';
import { COMMON, KINDS, SCALE } from './openapiSchemas.ts';
import type { Schema } from './openapiSchemas.ts';
import type { StructuralSchema } from './structuralSchema.ts';
import { unknownCustomFields } from './structuralSchema.ts';

function schemaName(type: ResourceType): string {
  if (type.custom) {
    // As the CRD OpenAPI builder names them: the group reversed, then version and kind.
    return `${type.group.split('.').reverse().join('.')}.${type.version}.${type.kind}`;
  }
  const key = `${apiVersionOf(type)}/${type.kind}`;
  return Object.keys(KINDS[key] ?? {})[0] ?? '';
}

/** A custom resource's schema as published: the CRD's, with metadata as ObjectMeta and its GVK. */
function customSchema(type: ResourceType): Record<string, Schema> {
  const schema = (type.custom?.schema ?? {
    type: 'object',
    'x-kubernetes-preserve-unknown-fields': true,
  }) as Schema;
  const properties = (schema.properties ?? {}) as Record<string, Schema>;
  return {
    [schemaName(type)]: {
      ...schema,
      properties: {
        ...properties,
        apiVersion: { type: 'string' },
        kind: { type: 'string' },
        metadata: {
          allOf: [{ $ref: '#/components/schemas/io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta' }],
        },
      },
      'x-kubernetes-group-version-kind': [{ group: type.group, kind: type.kind, version: type.version }],
    },
  };
}

// ---- documents -----------------------------------------------------------------------------------

/** `api/v1`, `apis/apps/v1`, …: the keys of `/openapi/v3`. */
function groupVersionPaths(types: readonly ResourceType[]): string[] {
  const paths = new Set<string>();
  for (const type of types) {
    paths.add(type.group === '' ? `api/${type.version}` : `apis/${type.group}/${type.version}`);
  }
  return [...paths];
}

const documents = new Map<string, { body: string; hash: string }>();

function documentFor(
  path: string,
  served: readonly ResourceType[],
): { body: string; hash: string } | undefined {
  const types = served.filter(
    (type) => (type.group === '' ? `api/${type.version}` : `apis/${type.group}/${type.version}`) === path,
  );
  // Built-in documents never change; a custom group version's follows its CRDs, so it is rebuilt.
  const custom = types.some((type) => type.custom !== undefined);
  const cached = custom ? undefined : documents.get(path);
  if (cached) {
    return cached;
  }
  if (types.length === 0) {
    return undefined;
  }
  const schemas: Record<string, Schema> = { ...COMMON };
  const paths: Record<string, unknown> = {};
  for (const type of types) {
    Object.assign(
      schemas,
      type.custom ? customSchema(type) : (KINDS[`${apiVersionOf(type)}/${type.kind}`] ?? {}),
    );
    if (type.subresources.some((s) => s.name === 'scale')) {
      Object.assign(schemas, SCALE);
    }
    Object.assign(paths, pathsOf(type));
  }
  const body = JSON.stringify({
    openapi: '3.0.0',
    info: { title: 'Kubernetes', version: SANDBOX_VERSION.gitVersion },
    paths,
    components: {
      schemas,
      securitySchemes: { BearerToken: { type: 'apiKey', name: 'authorization', in: 'header' } },
    },
  });
  // The hash in serverRelativeURL is the document's, so clients cache it until it changes.
  const hash = createHash('sha512').update(body).digest('hex').toUpperCase().slice(0, 128);
  const document = { body, hash };
  if (!custom) {
    documents.set(path, document);
  }
  return document;
}

function pathsOf(type: ResourceType): Record<string, unknown> {
  const prefix = type.group === '' ? `/api/${type.version}` : `/apis/${type.group}/${type.version}`;
  const scope = type.namespaced
    ? `${prefix}/namespaces/{namespace}/${type.plural}`
    : `${prefix}/${type.plural}`;
  const kind = { group: type.group, version: type.version, kind: type.kind };
  const body = { $ref: `#/components/schemas/${schemaName(type)}` };
  const parameter = (name: string, description: string, location = 'query') => ({
    name,
    in: location,
    description,
    ...(location === 'path' ? { required: true } : {}),
    schema: { type: 'string', uniqueItems: true },
  });
  const write = [
    parameter('dryRun', 'When present, indicates that modifications should not be persisted.'),
    parameter(
      'fieldManager',
      'fieldManager is a name associated with the actor or entity that is making these changes.',
    ),
    parameter(
      'fieldValidation',
      'fieldValidation instructs the server on how to handle objects in the request containing unknown or duplicate fields. Valid values are: Ignore, Warn and Strict.',
    ),
  ];
  const operation = (action: string, verb: string, extra: Schema = {}) => ({
    tags: [type.group === '' ? `core_${type.version}` : `${type.group.split('.')[0]}_${type.version}`],
    operationId: `${verb}${type.kind}`,
    responses: { '200': { description: 'OK', content: { 'application/json': { schema: body } } } },
    'x-kubernetes-action': action,
    'x-kubernetes-group-version-kind': kind,
    ...extra,
  });
  const request = (types: string[]) => ({
    requestBody: { content: Object.fromEntries(types.map((t) => [t, { schema: body }])), required: true },
  });
  const named = {
    parameters: [
      parameter('name', `name of the ${type.kind}`, 'path'),
      ...(type.namespaced ? [parameter('namespace', 'object name and auth scope', 'path')] : []),
      parameter('pretty', "If 'true', then the output is pretty printed."),
    ],
    get: operation('get', 'read'),
    put: operation('put', 'replace', { ...request(['*/*']), parameters: write }),
    patch: operation('patch', 'patch', {
      // Custom resources take no strategic merge patch; kubectl apply reads this and sends a merge patch.
      ...request([
        'application/apply-patch+yaml',
        'application/json-patch+json',
        'application/merge-patch+json',
        ...(type.custom ? [] : ['application/strategic-merge-patch+json']),
      ]),
      parameters: [...write, parameter('force', 'Force is going to "force" Apply requests.')],
    }),
    delete: operation('delete', 'delete'),
  };
  const collection = {
    parameters: [
      ...(type.namespaced ? [parameter('namespace', 'object name and auth scope', 'path')] : []),
      parameter('pretty', "If 'true', then the output is pretty printed."),
    ],
    get: operation('list', 'list'),
    post: operation('post', 'create', { ...request(['*/*']), parameters: write }),
  };
  return { [scope]: collection, [`${scope}/{name}`]: named };
}

/** Answers `/openapi/v3` and its documents; undefined for any other path. */
export function openApiDocument(
  path: string,
  types: readonly ResourceType[] = RESOURCES,
): { contentType: string; body: string } | undefined {
  if (path === '/openapi/v2') {
    // kubectl falls back to v2 (as protobuf) to validate a kind no v3 document describes. An empty
    // message is an empty document: no definitions, so the kind goes unvalidated and kubectl goes
    // on to say the server does not serve it, as a real server's answer would lead it to.
    return { contentType: 'application/com.github.proto-openapi.spec.v2.v1.0+protobuf', body: '' };
  }
  if (path === '/openapi/v3') {
    const paths: Record<string, { serverRelativeURL: string }> = {};
    for (const key of groupVersionPaths(types)) {
      paths[key] = { serverRelativeURL: `/openapi/v3/${key}?hash=${documentFor(key, types)!.hash}` };
    }
    return { contentType: 'application/json', body: JSON.stringify({ paths }) };
  }
  const match = /^\/openapi\/v3\/(.+)$/.exec(path);
  const document = match ? documentFor(match[1]!, types) : undefined;
  return document && { contentType: 'application/json', body: document.body };
}

// ---- field validation ----------------------------------------------------------------------------

/** The paths of fields the schema does not know, as the API server's strict decoder names them. */
export function unknownFields(type: ResourceType, object: unknown): string[] {
  if (type.custom) {
    return type.custom.schema ? unknownCustomFields(type.custom.schema as StructuralSchema, object) : [];
  }
  const name = schemaName(type);
  if (!name) {
    return [];
  }
  const schemas = { ...COMMON, ...KINDS[`${apiVersionOf(type)}/${type.kind}`] };
  const found: string[] = [];
  walk(schemas, schemas[name]!, object, '', found);
  return found;
}

function resolve(schemas: Record<string, Schema>, schema: Schema): Schema {
  const allOf = schema.allOf as Array<{ $ref: string }> | undefined;
  if (allOf?.[0]?.$ref) {
    return schemas[allOf[0].$ref.replace('#/components/schemas/', '')] ?? {};
  }
  return schema;
}

function walk(
  schemas: Record<string, Schema>,
  raw: Schema,
  value: unknown,
  path: string,
  found: string[],
): void {
  const schema = resolve(schemas, raw);
  if (Array.isArray(value) && schema.type === 'array') {
    value.forEach((item, index) => walk(schemas, schema.items as Schema, item, `${path}[${index}]`, found));
    return;
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return;
  }
  const properties = schema.properties as Record<string, Schema> | undefined;
  if (!properties) {
    return;
  }
  for (const [key, child] of Object.entries(value)) {
    if (key.startsWith('$')) {
      // Strategic merge patch directives ($patch, $setElementOrder/…, $retainKeys).
      continue;
    }
    const childPath = path ? `${path}.${key}` : key;
    const childSchema = properties[key];
    if (!childSchema) {
      found.push(childPath);
      continue;
    }
    walk(schemas, childSchema, child, childPath, found);
  }
}
