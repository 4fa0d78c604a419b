/**
 * Server-side apply (`PATCH` with `application/apply-patch+yaml`, what `kubectl apply
 * --server-side` sends) and the `fieldValidation` directive of writes.
 *
 * Apply creates the object when it does not exist (201) and otherwise merges the applied
 * configuration into it, lists by their merge keys as a strategic merge patch does (200). Unlike a
 * real server the sandbox does not track field ownership: a field a manager applied before and
 * leaves out now is kept rather than removed, and applying over another manager's value never
 * conflicts (409), so `--force-conflicts` changes nothing.
 */
import type { ServerResponse } from 'node:http';
import { parse as parseYaml } from 'yaml';
import type { Cluster, User } from '../cluster.ts';
import { unknownFields } from './openapi.ts';
import { applyPatch, PATCH_TYPES } from './patch.ts';
import type { ResourceType } from './resources.ts';
import { apiVersionOf } from './resources.ts';
import { errors } from './status.ts';
import type { KubeObject } from './store.ts';

export const APPLY_PATCH_TYPE = 'application/apply-patch+yaml';

export function isApplyPatch(contentType: string | undefined): boolean {
  return (contentType ?? '').split(';')[0]!.trim() === APPLY_PATCH_TYPE;
}

/**
 * Applies `fieldValidation` to a write's object: Strict refuses unknown fields (400), Warn (the
 * default) answers with one `Warning` header per field, Ignore accepts silently.
 */
export function validateFields(
  type: ResourceType,
  object: unknown,
  directive: string | null,
  res: ServerResponse,
): void {
  const mode = directive ?? 'Warn';
  if (mode !== 'Strict' && mode !== 'Warn' && mode !== 'Ignore') {
    throw errors.badRequest(
      `fieldValidation parameter unsupported: ${mode}. Valid values are: Ignore, Warn, and Strict`,
    );
  }
  if (mode === 'Ignore') {
    return;
  }
  const unknown = unknownFields(type, object);
  if (unknown.length === 0) {
    return;
  }
  if (mode === 'Strict') {
    throw errors.badRequest(
      `${type.kind} in version "${type.version}" cannot be handled as a ${type.kind}: strict decoding error: ${unknown
        .map((field) => `unknown field "${field}"`)
        .join(', ')}`,
    );
  }
  res.setHeader(
    'Warning',
    unknown.map((field) => `299 - "unknown field \\"${field}\\""`),
  );
}

export interface ApplyRequest {
  readonly cluster: Cluster;
  readonly type: ResourceType;
  readonly namespace: string | undefined;
  readonly name: string;
  readonly body: Buffer;
  readonly query: URLSearchParams;
  readonly user: User;
  readonly res: ServerResponse;
  /** Maps the store's errors (conflict, already exists) to API errors. */
  readonly guard: <T>(action: () => T) => T;
}

/** Creates or merges the applied configuration; returns the status code and the stored object. */
export function serverSideApply(request: ApplyRequest): { code: number; object: KubeObject } {
  const { cluster, type, namespace, name, query } = request;
  if (!query.get('fieldManager')) {
    throw errors.badRequest(
      'PatchOptions.meta.k8s.io "" is invalid: fieldManager: Required value: is required for apply patch',
    );
  }
  let applied: unknown;
  try {
    applied = parseYaml(request.body.toString('utf8'));
  } catch (error) {
    throw errors.badRequest(`error decoding YAML: ${(error as Error).message}`);
  }
  if (typeof applied !== 'object' || applied === null || Array.isArray(applied)) {
    throw errors.badRequest('error decoding YAML: the applied configuration is not an object');
  }
  const object = applied as KubeObject;
  if (object.apiVersion !== apiVersionOf(type) || object.kind !== type.kind) {
    throw errors.badRequest(
      `the API version in the data (${String(object.apiVersion)}) does not match the expected API version (${apiVersionOf(type)})`,
    );
  }
  object.metadata ??= {};
  if (object.metadata.name !== undefined && object.metadata.name !== name) {
    throw errors.badRequest(
      `the name of the object (${String(object.metadata.name)}) does not match the name on the URL (${name})`,
    );
  }
  validateFields(type, object, query.get('fieldValidation') ?? 'Strict', request.res);
  const dryRun = query.getAll('dryRun').includes('All');
  const current = cluster.store.get(type, namespace ?? '', name);
  const identity = { ...object.metadata, name, ...(namespace !== undefined ? { namespace } : {}) };
  if (!current) {
    const created = request.guard(() =>
      cluster.create(type, { ...object, metadata: identity }, { dryRun, user: request.user }),
    );
    return { code: 201, object: created };
  }
  const { kind: _kind, apiVersion: _apiVersion, ...content } = object;
  const merged = applyPatch(current, { ...content, metadata: identity }, PATCH_TYPES.strategic) as KubeObject;
  const updated = request.guard(() => cluster.update(type, merged, { dryRun, user: request.user }));
  return { code: 200, object: updated };
}
