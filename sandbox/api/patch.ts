/**
 * The patch types the API server accepts: JSON merge patch (RFC 7386), JSON patch (RFC 6902) and
 * strategic merge patch, the last one simplified: lists of objects with a merge key (`name` for
 * containers, ports and env; `containerPort` for container ports; `port` for service ports) are
 * merged by that key, other lists are replaced. `$patch: delete` and `$retainKeys` are not supported.
 */
import { ApiError, errors } from './status.ts';

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

export const PATCH_TYPES = {
  merge: 'application/merge-patch+json',
  json: 'application/json-patch+json',
  strategic: 'application/strategic-merge-patch+json',
} as const;

export function applyPatch(target: unknown, patch: unknown, contentType: string): unknown {
  const type = contentType.split(';')[0]!.trim();
  switch (type) {
    case PATCH_TYPES.merge:
      return mergePatch(target as Json, patch as Json, false);
    case PATCH_TYPES.strategic:
      return mergePatch(target as Json, patch as Json, true);
    case PATCH_TYPES.json:
      return jsonPatch(target as Json, patch);
    default:
      throw errors.unsupportedMediaType(contentType);
  }
}

const MERGE_KEYS: Record<string, string> = {
  containers: 'name',
  initContainers: 'name',
  ephemeralContainers: 'name',
  env: 'name',
  volumeMounts: 'mountPath',
  volumes: 'name',
  conditions: 'type',
  ports: 'port',
};

function isObject(value: unknown): value is { [key: string]: Json } {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function mergePatch(target: Json, patch: Json, strategic: boolean, key?: string): Json {
  if (!isObject(patch)) {
    if (strategic && Array.isArray(patch) && Array.isArray(target) && key) {
      return mergeList(target, patch, key);
    }
    return structuredClone(patch);
  }
  const result: { [key: string]: Json } = isObject(target) ? structuredClone(target) : {};
  for (const [name, value] of Object.entries(patch)) {
    if (value === null) {
      delete result[name];
    } else {
      result[name] = mergePatch(result[name] ?? null, value, strategic, name);
    }
  }
  return result;
}

function mergeList(target: Json[], patch: Json[], field: string): Json[] {
  // Container ports merge on containerPort, service ports on port: tell them apart by content.
  const mergeKey =
    field === 'ports' && patch.some((item) => isObject(item) && 'containerPort' in item)
      ? 'containerPort'
      : MERGE_KEYS[field];
  if (!mergeKey || !patch.every((item) => isObject(item) && mergeKey in item)) {
    return structuredClone(patch);
  }
  const result = structuredClone(target);
  for (const item of patch as Array<{ [key: string]: Json }>) {
    const index = result.findIndex((existing) => isObject(existing) && existing[mergeKey] === item[mergeKey]);
    if (index >= 0) {
      result[index] = mergePatch(result[index]!, item, true);
    } else {
      result.push(structuredClone(item));
    }
  }
  return result;
}

interface Operation {
  op: string;
  path: string;
  value?: Json;
  from?: string;
}

function jsonPatch(target: Json, patch: unknown): Json {
  if (!Array.isArray(patch)) {
    throw errors.badRequest('json: cannot unmarshal object into Go value of type jsonpatch.Patch');
  }
  let document = structuredClone(target);
  for (const operation of patch as Operation[]) {
    document = applyOperation(document, operation);
  }
  return document;
}

function parsePointer(path: string): string[] {
  if (path === '') {
    return [];
  }
  if (!path.startsWith('/')) {
    throw errors.badRequest(
      `the server rejected our request due to an error in our request: invalid JSON pointer "${path}"`,
    );
  }
  return path
    .slice(1)
    .split('/')
    .map((part) => part.replace(/~1/g, '/').replace(/~0/g, '~'));
}

function applyOperation(document: Json, operation: Operation): Json {
  const parts = parsePointer(operation.path);
  switch (operation.op) {
    case 'add':
      return setAt(document, parts, operation.value ?? null, 'add');
    case 'replace':
      getAt(document, parts, operation);
      return setAt(document, parts, operation.value ?? null, 'replace');
    case 'remove':
      getAt(document, parts, operation);
      return removeAt(document, parts);
    case 'test': {
      const actual = getAt(document, parts, operation);
      if (JSON.stringify(actual) !== JSON.stringify(operation.value)) {
        throw new ApiError({
          ...errors.internal('').status,
          code: 422,
          reason: 'Invalid',
          message: `the server rejected our request due to an error in our request: testing value ${operation.path} failed`,
        });
      }
      return document;
    }
    case 'move':
    case 'copy': {
      const fromParts = parsePointer(operation.from ?? '');
      const value = structuredClone(getAt(document, fromParts, operation));
      const without = operation.op === 'move' ? removeAt(document, fromParts) : document;
      return setAt(without, parts, value, 'add');
    }
    default:
      throw errors.badRequest(`Unexpected kind: ${operation.op}`);
  }
}

function getAt(document: Json, parts: string[], operation: Operation): Json {
  let current: Json = document;
  for (const part of parts) {
    if (Array.isArray(current)) {
      current = current[Number(part)] as Json;
    } else if (isObject(current)) {
      current = current[part] as Json;
    } else {
      current = undefined as unknown as Json;
    }
    if (current === undefined) {
      throw new ApiError({
        ...errors.internal('').status,
        code: 422,
        reason: 'Invalid',
        message: `the server rejected our request due to an error in our request: ${operation.op} operation does not apply: doc is missing path: "${operation.path}": missing value`,
      });
    }
  }
  return current;
}

function setAt(document: Json, parts: string[], value: Json, mode: 'add' | 'replace'): Json {
  if (parts.length === 0) {
    return structuredClone(value);
  }
  const parent =
    parts.length === 1
      ? document
      : getAt(document, parts.slice(0, -1), { op: mode, path: '/' + parts.slice(0, -1).join('/') });
  const last = parts.at(-1)!;
  if (Array.isArray(parent)) {
    const index = last === '-' ? parent.length : Number(last);
    if (mode === 'add') {
      parent.splice(index, 0, structuredClone(value));
    } else {
      parent[index] = structuredClone(value);
    }
  } else if (isObject(parent)) {
    parent[last] = structuredClone(value);
  }
  return document;
}

function removeAt(document: Json, parts: string[]): Json {
  const parent =
    parts.length === 1 ? document : getAt(document, parts.slice(0, -1), { op: 'remove', path: '' });
  const last = parts.at(-1)!;
  if (Array.isArray(parent)) {
    parent.splice(Number(last), 1);
  } else if (isObject(parent)) {
    delete parent[last];
  }
  return document;
}
