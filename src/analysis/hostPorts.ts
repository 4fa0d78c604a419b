/**
 * The sandbox's host ports: where a process that may not listen below a port (an ordinary user on
 * Linux, `net.ipv4.ip_unprivileged_port_start`, 1024 by default) serves an address's privileged
 * port instead. The sandbox writes the annotation on the Service, Pod or Gateway that owns the
 * address; the extension reads it before probing that address from this machine, so it can say
 * where the port is served rather than report a bare refusal. One format, shared by both sides.
 * Pure: no `vscode`, no network.
 */

/** On a Service, Pod or Gateway: `{"reason": "...", "ports": {"127.11.0.4:80": 8080}}`. */
export const HOST_PORTS_ANNOTATION = 'sandbox.kubereach.dev/host-ports';

/** A privileged port P is served at P + this on the same address, when that port is free. */
export const HOST_PORT_OFFSET = 8000;

export interface HostPortMapping {
  /** The port the address actually listens on, on this machine. */
  readonly hostPort: number;
  /** Why it is not the declared port, in words (the limit and its setting). */
  readonly reason: string;
}

export function formatHostPorts(reason: string, ports: ReadonlyMap<string, number>): string {
  const sorted = [...ports].sort(([a], [b]) => a.localeCompare(b, 'en', { numeric: true }));
  return JSON.stringify({ reason, ports: Object.fromEntries(sorted) });
}

/**
 * The mappings an annotation value states, by `address:port`; a value that is not this format
 * states none (it is someone's hand-written text, not the sandbox's).
 */
export function parseHostPorts(value: string | undefined): Map<string, HostPortMapping> {
  const mappings = new Map<string, HostPortMapping>();
  if (value === undefined) {
    return mappings;
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(value);
  } catch {
    return mappings;
  }
  if (typeof parsed !== 'object' || parsed === null) {
    return mappings;
  }
  const { reason, ports } = parsed as { reason?: unknown; ports?: unknown };
  if (typeof ports !== 'object' || ports === null) {
    return mappings;
  }
  for (const [address, hostPort] of Object.entries(ports)) {
    if (Number.isInteger(hostPort) && hostPort > 0 && hostPort < 65_536 && /:\d+$/.test(address)) {
      mappings.set(address, {
        hostPort: hostPort as number,
        reason: typeof reason === 'string' ? reason : 'the sandbox could not listen on the port',
      });
    }
  }
  return mappings;
}

/** Every mapping the objects' annotations state, by `address:port`. */
export function hostPortsOf(
  objects: Iterable<{ readonly metadata?: { readonly annotations?: Readonly<Record<string, string>> } }>,
): Map<string, HostPortMapping> {
  const all = new Map<string, HostPortMapping>();
  for (const object of objects) {
    for (const [address, mapping] of parseHostPorts(object.metadata?.annotations?.[HOST_PORTS_ANNOTATION])) {
      all.set(address, mapping);
    }
  }
  return all;
}

/** "Port 80 of 127.12.1.1 is served at 127.12.1.1:8080 by the sandbox, because …." */
export function hostPortSentence(address: string, port: number, mapping: HostPortMapping): string {
  return `Port ${port} of ${address} is served at ${address}:${mapping.hostPort} by the sandbox, because ${mapping.reason}.`;
}

/** One sentence per mapping an object's annotation states (for a tooltip): none on a real cluster. */
export function hostPortSentencesOf(object: {
  readonly metadata?: { readonly annotations?: Readonly<Record<string, string>> };
}): string[] {
  return [...hostPortsOf([object])].map(([key, mapping]) => {
    const colon = key.lastIndexOf(':');
    return hostPortSentence(key.slice(0, colon), Number(key.slice(colon + 1)), mapping);
  });
}
