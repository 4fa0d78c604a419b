/** `Status` objects worded as the API server words them (k8s.io/apimachinery/pkg/api/errors). */
import type { ResourceType } from './resources.ts';

export interface StatusObject {
  kind: 'Status';
  apiVersion: 'v1';
  metadata: Record<string, unknown>;
  status: 'Success' | 'Failure';
  message?: string;
  reason?: string;
  details?: Record<string, unknown>;
  code: number;
}

export class ApiError extends Error {
  readonly status: StatusObject;
  constructor(status: StatusObject) {
    super(status.message);
    this.status = status;
  }
}

function failure(code: number, reason: string, message: string, details?: Record<string, unknown>): ApiError {
  return new ApiError({
    kind: 'Status',
    apiVersion: 'v1',
    metadata: {},
    status: 'Failure',
    message,
    reason,
    ...(details ? { details } : {}),
    code,
  });
}

function groupResource(type: ResourceType): string {
  return type.group ? `${type.plural}.${type.group}` : type.plural;
}

function details(type: ResourceType, name?: string): Record<string, unknown> {
  return {
    ...(name !== undefined ? { name } : {}),
    ...(type.group ? { group: type.group } : {}),
    kind: type.plural,
  };
}

export const errors = {
  unauthorized: () => failure(401, 'Unauthorized', 'Unauthorized'),
  notFound: (type: ResourceType, name: string) =>
    failure(404, 'NotFound', `${groupResource(type)} "${name}" not found`, details(type, name)),
  /** The path names no resource at all. */
  noRoute: () => failure(404, 'NotFound', 'the server could not find the requested resource', {}),
  alreadyExists: (type: ResourceType, name: string) =>
    failure(409, 'AlreadyExists', `${groupResource(type)} "${name}" already exists`, details(type, name)),
  conflict: (type: ResourceType, name: string, message: string) =>
    failure(409, 'Conflict', message, details(type, name)),
  badRequest: (message: string) => failure(400, 'BadRequest', message),
  methodNotAllowed: () =>
    failure(405, 'MethodNotAllowed', 'the server does not allow this method on the requested resource', {}),
  unsupportedMediaType: (contentType: string, strategic = true) =>
    failure(
      415,
      'UnsupportedMediaType',
      `the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml${strategic ? ', application/strategic-merge-patch+json' : ''} (got ${contentType})`,
    ),
  notAcceptable: () =>
    failure(
      406,
      'NotAcceptable',
      'only the following media types are accepted: application/json, application/yaml',
    ),
  gone: (message: string) => failure(410, 'Expired', message),
  forbidden: (message: string, type: ResourceType, name?: string) =>
    failure(403, 'Forbidden', message, details(type, name)),
  invalid: (
    type: ResourceType,
    name: string,
    causes: Array<{ field: string; message: string; reason?: string }>,
  ) =>
    failure(
      422,
      'Invalid',
      `${type.kind} "${name}" is invalid: ${causes.map((c) => `${c.field}: ${c.message}`).join(', ')}`,
      {
        name,
        ...(type.group ? { group: type.group } : {}),
        kind: type.kind,
        causes: causes.map((c) => ({
          reason: c.reason ?? 'FieldValueInvalid',
          message: c.message,
          field: c.field,
        })),
      },
    ),
  internal: (message: string) =>
    failure(500, 'InternalError', `Internal error occurred: ${message}`, { causes: [{ message }] }),
  serviceUnavailable: (message: string) => failure(503, 'ServiceUnavailable', message),
  /** storage.NewTooLargeResourceVersionError: a Timeout with its cause and a 1 s retry. */
  tooLargeResourceVersion: (requested: number, current: number) =>
    failure(504, 'Timeout', `Timeout: Too large resource version: ${requested}, current: ${current}`, {
      causes: [{ reason: 'ResourceVersionTooLarge', message: 'Too large resource version' }],
      retryAfterSeconds: 1,
    }),
};

export function success(details?: Record<string, unknown>): StatusObject {
  return {
    kind: 'Status',
    apiVersion: 'v1',
    metadata: {},
    status: 'Success',
    ...(details ? { details } : {}),
    code: 200,
  };
}
