/**
 * What a port-forward is asked to do, as plain data: the target (a Pod or a Service), the ports and
 * where to listen. A spec is JSON-safe as it is, so the UI can save the forwards of a window and
 * start them again after a reload (`PortForwardManager.toJSON()` / `restore()`); `parseForwardSpec`
 * checks one that comes back from storage. No network, no `vscode`.
 */

export type ForwardTargetKind = 'Pod' | 'Service';

export interface ForwardTarget {
  readonly kind: ForwardTargetKind;
  readonly namespace: string;
  readonly name: string;
}

/**
 * Whom a Pod forward follows when its Pod goes away: the Pod's controller (kind and name, e.g.
 * ReplicaSet `web-5d4f…`) and its labels (without the per-Pod ones such as a StatefulSet's
 * `statefulset.kubernetes.io/pod-name`). Filled in by the engine when the forward starts, and kept
 * in the saved spec, so that a forward restored after its Pod was replaced finds the replacement.
 */
export interface ForwardFollow {
  readonly owner?: { readonly kind: string; readonly name: string };
  readonly labels?: Readonly<Record<string, string>>;
}

export interface ForwardPortSpec {
  /**
   * Pod target: a container port number, or the name of a declared container port.
   * Service target: a Service port number, or a Service port name (as `kubectl port-forward
   * svc/NAME LOCAL:REMOTE` takes it); its targetPort is resolved on the chosen Pod.
   */
  readonly remote: number | string;
  /**
   * Exactly this local port: if it is taken, starting fails with "local port N is in use" and a
   * suggested free port. Leave it out to get the remote port when free, else any free port.
   */
  readonly local?: number;
  /**
   * A soft preference, tried before the remote port (a restored forward asks for the port it had);
   * when it is taken, the usual choice applies. Ignored when `local` is set.
   */
  readonly preferredLocal?: number;
}

export interface ForwardSpec {
  readonly target: ForwardTarget;
  readonly ports: readonly ForwardPortSpec[];
  /**
   * The local address to listen on; default `127.0.0.1`. Another address (`0.0.0.0`, a LAN address)
   * exposes the Pod to whoever can reach that address, with the credentials of this kubeconfig:
   * connections from other hosts are still refused unless `allowNonLoopback` is also set.
   */
  readonly address?: string;
  /** Accept connections from addresses other than loopback (127.0.0.0/8, ::1). Default false. */
  readonly allowNonLoopback?: boolean;
  /** The kubeconfig context; filled in by the engine with the context of its cluster. */
  readonly context?: string;
  /** Pod targets only; see `ForwardFollow`. Filled in by the engine. */
  readonly follow?: ForwardFollow;
}

/** The saved form of a window's forwards (`PortForwardManager.toJSON()`). */
export interface SavedForwards {
  readonly version: 1;
  readonly forwards: readonly ForwardSpec[];
}

export const DEFAULT_BIND_ADDRESS = '127.0.0.1';

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const PORT_NAME = /^[-a-z0-9]{1,15}$/;

export function isPortNumber(value: unknown): value is number {
  return typeof value === 'number' && Number.isInteger(value) && value >= 1 && value <= 65535;
}

/** `Service web/web`, `Pod web/client`. */
export function describeTarget(target: ForwardTarget): string {
  return `${target.kind} ${target.namespace}/${target.name}`;
}

/**
 * A remote port as given: `8080` and `"8080"` are the number 8080, anything else is a port name.
 */
export function normalizeRemote(remote: number | string): number | string {
  if (typeof remote === 'string' && /^\d+$/.test(remote.trim())) {
    return Number(remote.trim());
  }
  return typeof remote === 'string' ? remote.trim() : remote;
}

/** The problems of a spec, each one plain sentence; empty when it can be started. */
export function validateForwardSpec(spec: ForwardSpec): string[] {
  const problems: string[] = [];
  const target = spec.target;
  if (target.kind !== 'Pod' && target.kind !== 'Service') {
    problems.push(`The target must be a Pod or a Service, not "${String(target.kind)}".`);
  }
  if (typeof target.namespace !== 'string' || !DNS_LABEL.test(target.namespace)) {
    problems.push(`"${String(target.namespace)}" is not a valid namespace name.`);
  }
  if (typeof target.name !== 'string' || !DNS_SUBDOMAIN.test(target.name) || target.name.length > 253) {
    problems.push(`"${String(target.name)}" is not a valid ${target.kind} name.`);
  }
  if (spec.ports.length === 0) {
    problems.push('Give at least one port to forward.');
  }
  const locals = new Set<number>();
  for (const port of spec.ports) {
    const remote = normalizeRemote(port.remote);
    if (typeof remote === 'number') {
      if (!isPortNumber(remote)) {
        problems.push(`${remote} is not a port number (1 to 65535).`);
      }
    } else if (!PORT_NAME.test(remote) || !/[a-z]/.test(remote)) {
      problems.push(`"${remote}" is neither a port number nor a port name.`);
    }
    if (port.local !== undefined) {
      if (!isPortNumber(port.local)) {
        problems.push(`Local port ${String(port.local)} is not a port number (1 to 65535).`);
      } else if (locals.has(port.local)) {
        problems.push(`Local port ${port.local} is asked for twice.`);
      } else {
        locals.add(port.local);
      }
    }
  }
  if (spec.address !== undefined && (typeof spec.address !== 'string' || spec.address.trim() === '')) {
    problems.push('The local address must not be empty.');
  }
  return problems;
}

/**
 * A spec read back from storage (or typed by a user), checked field by field; throws an Error
 * with a plain message when it is not one. Unknown fields are dropped.
 */
export function parseForwardSpec(value: unknown): ForwardSpec {
  const record = asRecord(value, 'A saved port-forward');
  const target = asRecord(record.target, 'Its target');
  const kind = target.kind;
  if (kind !== 'Pod' && kind !== 'Service') {
    throw new Error(`The target kind must be Pod or Service, not ${JSON.stringify(kind)}.`);
  }
  const namespace = asString(target.namespace, 'The target namespace');
  const name = asString(target.name, 'The target name');
  if (!Array.isArray(record.ports)) {
    throw new Error('The ports must be a list.');
  }
  const ports = record.ports.map((entry: unknown): ForwardPortSpec => {
    const port = asRecord(entry, 'A port');
    const remote = port.remote;
    if (typeof remote !== 'number' && typeof remote !== 'string') {
      throw new Error('A port needs a remote port number or name.');
    }
    return {
      remote: normalizeRemote(remote),
      ...(port.local !== undefined ? { local: asPort(port.local, 'A local port') } : {}),
      ...(port.preferredLocal !== undefined
        ? { preferredLocal: asPort(port.preferredLocal, 'A preferred local port') }
        : {}),
    };
  });
  const spec: ForwardSpec = {
    target: { kind, namespace, name },
    ports,
    ...(record.address !== undefined ? { address: asString(record.address, 'The local address') } : {}),
    ...(record.allowNonLoopback === true ? { allowNonLoopback: true } : {}),
    ...(record.context !== undefined ? { context: asString(record.context, 'The context') } : {}),
    ...(record.follow !== undefined ? { follow: parseFollow(record.follow) } : {}),
  };
  const problems = validateForwardSpec(spec);
  if (problems.length > 0) {
    throw new Error(problems.join(' '));
  }
  return spec;
}

/** Parses what `PortForwardManager.toJSON()` produced; bad entries are reported, not thrown. */
export function parseSavedForwards(value: unknown): {
  readonly specs: ForwardSpec[];
  readonly problems: string[];
} {
  const specs: ForwardSpec[] = [];
  const problems: string[] = [];
  if (value === undefined || value === null) {
    return { specs, problems };
  }
  const record = value as { version?: unknown; forwards?: unknown };
  if (typeof value !== 'object' || record.version !== 1 || !Array.isArray(record.forwards)) {
    return { specs, problems: ['The saved port-forwards are not in a known format; they were ignored.'] };
  }
  for (const entry of record.forwards) {
    try {
      specs.push(parseForwardSpec(entry));
    } catch (error) {
      problems.push(error instanceof Error ? error.message : String(error));
    }
  }
  return { specs, problems };
}

function parseFollow(value: unknown): ForwardFollow {
  const record = asRecord(value, 'The followed identity');
  const follow: { owner?: { kind: string; name: string }; labels?: Record<string, string> } = {};
  if (record.owner !== undefined) {
    const owner = asRecord(record.owner, 'The owner');
    follow.owner = {
      kind: asString(owner.kind, 'The owner kind'),
      name: asString(owner.name, 'The owner name'),
    };
  }
  if (record.labels !== undefined) {
    const labels = asRecord(record.labels, 'The labels');
    follow.labels = Object.fromEntries(
      Object.entries(labels).map(([key, label]) => [key, asString(label, `Label ${key}`)]),
    );
  }
  return follow;
}

function asRecord(value: unknown, what: string): Record<string, unknown> {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new Error(`${what} must be an object.`);
  }
  return value as Record<string, unknown>;
}

function asString(value: unknown, what: string): string {
  if (typeof value !== 'string') {
    throw new Error(`${what} must be a string.`);
  }
  return value;
}

function asPort(value: unknown, what: string): number {
  if (!isPortNumber(value)) {
    throw new Error(`${what} must be a port number (1 to 65535).`);
  }
  return value;
}
