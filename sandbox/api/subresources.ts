/**
 * Subresources served beside the main resource: `scale` (an autoscaling/v1 `Scale` view of a
 * Deployment's or ReplicaSet's replicas, what `kubectl scale` patches) and `pods/log` (the
 * container's log, with `container`, `tailLines`, `sinceSeconds`, `sinceTime`, `limitBytes`, `timestamps` and
 * `follow`).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Cluster, User } from '../cluster.ts';
import { applyPatch } from './patch.ts';
import type { ResourceType } from './resources.ts';
import { errors } from './status.ts';
import type { KubeObject } from './store.ts';

export interface SubresourceRoute {
  readonly type: ResourceType;
  readonly namespace: string | undefined;
  readonly name: string | undefined;
  readonly subresource: string | undefined;
}

export interface SubresourceContext {
  readonly cluster: Cluster;
  readonly user: User;
  /** Throws Forbidden unless the user may do `verb` on the route (the subresource included). */
  readonly authorize: (verb: string) => void;
  /** Maps the store's conflicts and not-founds to API errors. */
  readonly guard: <T>(action: () => T) => T;
}

/** Serves the request if it is for `scale` or `log`; false leaves it to the caller. */
export function serveSubresource(
  req: IncomingMessage,
  res: ServerResponse,
  url: URL,
  route: SubresourceRoute,
  body: Buffer,
  context: SubresourceContext,
): boolean {
  if (route.name === undefined) {
    return false;
  }
  if (
    route.subresource === 'scale' &&
    (route.type.plural === 'deployments' || route.type.plural === 'replicasets')
  ) {
    serveScale(req, res, route as SubresourceRoute & { name: string }, body, context);
    return true;
  }
  if (route.subresource === 'log' && route.type.plural === 'pods') {
    serveLog(req, res, url, route as SubresourceRoute & { name: string }, context);
    return true;
  }
  return false;
}

// ---- scale ---------------------------------------------------------------------------------------

function serveScale(
  req: IncomingMessage,
  res: ServerResponse,
  route: SubresourceRoute & { name: string },
  body: Buffer,
  context: SubresourceContext,
): void {
  const { cluster } = context;
  const namespace = route.namespace ?? '';
  const method = req.method ?? 'GET';
  const current = cluster.store.get(route.type, namespace, route.name);
  const verb = method === 'GET' ? 'get' : method === 'PUT' ? 'update' : method === 'PATCH' ? 'patch' : '';
  if (!verb) {
    throw errors.methodNotAllowed();
  }
  context.authorize(verb);
  if (!current) {
    throw errors.notFound(route.type, route.name);
  }
  if (method === 'GET') {
    sendJson(res, 200, scaleOf(current));
    return;
  }
  let requested: KubeObject;
  try {
    const input = JSON.parse(body.toString('utf8')) as unknown;
    requested = (
      method === 'PUT'
        ? input
        : applyPatch(scaleOf(current), input, String(req.headers['content-type'] ?? ''))
    ) as KubeObject;
  } catch (error) {
    if (error instanceof SyntaxError) {
      throw errors.badRequest(`error decoding request body: ${error.message}`);
    }
    throw error;
  }
  const replicas = (requested.spec as { replicas?: unknown } | undefined)?.replicas ?? 0;
  if (typeof replicas !== 'number' || !Number.isInteger(replicas) || replicas < 0) {
    throw errors.invalid({ ...route.type, kind: 'Scale' }, route.name, [
      {
        field: 'spec.replicas',
        message: `Invalid value: ${JSON.stringify(replicas)}: must be greater than or equal to 0`,
      },
    ]);
  }
  const expected = method === 'PUT' ? requested.metadata?.resourceVersion : undefined;
  const next = { ...current, spec: { ...(current.spec as object), replicas } };
  const updated = context.guard(() =>
    cluster.update(route.type, next, {
      user: context.user,
      ...(expected ? { expectedResourceVersion: expected } : {}),
    }),
  );
  sendJson(res, 200, scaleOf(updated));
}

function scaleOf(object: KubeObject): KubeObject {
  const spec = (object.spec ?? {}) as {
    replicas?: number;
    selector?: { matchLabels?: Record<string, string>; matchExpressions?: Expression[] };
  };
  const status = (object.status ?? {}) as { replicas?: number };
  return {
    kind: 'Scale',
    apiVersion: 'autoscaling/v1',
    metadata: {
      name: object.metadata.name,
      namespace: object.metadata.namespace,
      uid: object.metadata.uid,
      resourceVersion: object.metadata.resourceVersion,
      creationTimestamp: object.metadata.creationTimestamp,
    },
    spec: { replicas: spec.replicas ?? 1 },
    status: { replicas: status.replicas ?? 0, selector: selectorString(spec.selector ?? {}) },
  };
}

interface Expression {
  key: string;
  operator: string;
  values?: string[];
}

/** `metav1.FormatLabelSelector`'s string form, which Scale's status.selector carries. */
function selectorString(selector: {
  matchLabels?: Record<string, string>;
  matchExpressions?: Expression[];
}): string {
  const parts = Object.entries(selector.matchLabels ?? {}).map(([key, value]) => `${key}=${value}`);
  for (const expression of selector.matchExpressions ?? []) {
    const values = [...(expression.values ?? [])].sort().join(',');
    switch (expression.operator) {
      case 'In':
        parts.push(`${expression.key} in (${values})`);
        break;
      case 'NotIn':
        parts.push(`${expression.key} notin (${values})`);
        break;
      case 'Exists':
        parts.push(expression.key);
        break;
      case 'DoesNotExist':
        parts.push(`!${expression.key}`);
        break;
    }
  }
  return parts.sort().join(',');
}

// ---- log -----------------------------------------------------------------------------------------

function serveLog(
  req: IncomingMessage,
  res: ServerResponse,
  url: URL,
  route: SubresourceRoute & { name: string },
  context: SubresourceContext,
): void {
  if (req.method !== 'GET') {
    throw errors.methodNotAllowed();
  }
  context.authorize('get');
  const { cluster } = context;
  const namespace = route.namespace ?? '';
  const pod = cluster.store.get(route.type, namespace, route.name);
  if (!pod) {
    throw errors.notFound(route.type, route.name);
  }
  const query = url.searchParams;
  const spec = pod.spec as {
    containers: Array<{ name: string }>;
    ephemeralContainers?: Array<{ name: string }>;
  };
  const names = spec.containers.map((c) => c.name);
  let container = query.get('container') ?? '';
  if (!container) {
    if (names.length !== 1) {
      throw errors.badRequest(
        `a container name must be specified for pod ${route.name}, choose one of: [${names.join(' ')}]`,
      );
    }
    container = names[0]!;
  }
  const all = [...names, ...(spec.ephemeralContainers ?? []).map((c) => c.name)];
  if (!all.includes(container)) {
    throw errors.badRequest(`container ${container} is not valid for pod ${route.name}`);
  }
  if (query.get('previous') === 'true') {
    throw errors.badRequest(`previous terminated container "${container}" in pod "${route.name}" not found`);
  }
  const status = (pod.status ?? {}) as {
    containerStatuses?: Array<{ name: string; state?: { running?: unknown; waiting?: { reason?: string } } }>;
  };
  const state = status.containerStatuses?.find((s) => s.name === container)?.state;
  if (!state?.running && names.includes(container)) {
    const reason = state?.waiting?.reason ?? 'ContainerCreating';
    throw errors.badRequest(`container "${container}" in pod "${route.name}" is waiting to start: ${reason}`);
  }
  const number = (key: string): number | undefined => {
    const value = query.get(key);
    if (value === null) {
      return undefined;
    }
    const parsed = Number(value);
    if (!Number.isInteger(parsed) || parsed < 0) {
      throw errors.badRequest(`${key}: Invalid value: "${value}": must be greater than or equal to 0`);
    }
    return parsed;
  };
  const tailLines = number('tailLines');
  const sinceSeconds = number('sinceSeconds');
  const sinceTimeText = query.get('sinceTime');
  const sinceTime = sinceTimeText === null ? undefined : Date.parse(sinceTimeText);
  if (sinceTime !== undefined && Number.isNaN(sinceTime)) {
    throw errors.badRequest(`sinceTime: Invalid value: "${sinceTimeText}": must be an RFC 3339 time`);
  }
  if (sinceSeconds !== undefined && sinceTime !== undefined) {
    throw errors.badRequest('at most one of `sinceTime` or `sinceSeconds` may be specified');
  }
  const limitBytes = number('limitBytes');
  const timestamps = query.get('timestamps') === 'true';
  const follow = query.get('follow') === 'true';
  const format = (line: { time: string; text: string }) =>
    timestamps ? `${line.time} ${line.text}\n` : `${line.text}\n`;

  let remaining = limitBytes ?? Infinity;
  const write = (text: string): boolean => {
    if (remaining <= 0) {
      return false;
    }
    const chunk = Buffer.from(text);
    const part = chunk.length > remaining ? chunk.subarray(0, remaining) : chunk;
    remaining -= part.length;
    res.write(part);
    return remaining > 0;
  };
  res.writeHead(200, { 'Content-Type': 'text/plain', 'Transfer-Encoding': 'chunked' });
  const selection = { tailLines, sinceSeconds, sinceTime };
  for (const line of cluster.logs.read(namespace, route.name, container, selection)) {
    if (!write(format(line))) {
      break;
    }
  }
  if (!follow || remaining <= 0) {
    res.end();
    return;
  }
  // Follow until the client goes, the byte limit is reached or the Pod is deleted.
  const stopFollowing = cluster.logs.follow(namespace, route.name, container, (line) => {
    if (!write(format(line))) {
      finish();
    }
  });
  const unsubscribe = cluster.store.subscribe((event) => {
    if (
      event.resource === 'pods' &&
      event.type === 'DELETED' &&
      event.namespace === namespace &&
      event.object.metadata.name === route.name
    ) {
      finish();
    }
  });
  const finish = () => {
    stopFollowing();
    unsubscribe();
    if (!res.writableEnded) {
      res.end();
    }
  };
  res.once('close', finish);
}

function sendJson(res: ServerResponse, code: number, body: unknown): void {
  const payload = JSON.stringify(body);
  res.writeHead(code, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(payload) });
  res.end(payload);
}
