/**
 * The ports a forward can be asked for: a Service's ports, or the ports a Pod's containers declare.
 * Pure (no `vscode`): the picker (`portPicker.ts`) shows them, all checked, and a target with one
 * port is forwarded without asking.
 */
import type { V1Pod, V1Service } from '@kubernetes/client-node';

export interface PortChoice {
  /** `80/TCP` */
  readonly label: string;
  /** `http · → 8080`, `http · container web` */
  readonly description: string;
  /** What the forward asks the API server for: a Service port or a container port number. */
  readonly remote: number;
}

export function servicePortChoices(service: V1Service | undefined): PortChoice[] {
  return (service?.spec?.ports ?? []).map((p) => ({
    label: `${p.port}/${p.protocol ?? 'TCP'}`,
    description: `${p.name ? `${p.name} · ` : ''}→ ${String(p.targetPort ?? p.port)}`,
    remote: p.port,
  }));
}

export function podPortChoices(pod: V1Pod | undefined): PortChoice[] {
  const seen = new Set<number>();
  return (pod?.spec?.containers ?? []).flatMap((c) =>
    (c.ports ?? []).flatMap((p) => {
      // Two containers may declare the same port number: one forward serves both entries.
      if (seen.has(p.containerPort)) {
        return [];
      }
      seen.add(p.containerPort);
      return [
        {
          label: `${p.containerPort}/${p.protocol ?? 'TCP'}`,
          description: `${p.name ? `${p.name} · ` : ''}container ${c.name}`,
          remote: p.containerPort,
        },
      ];
    }),
  );
}

/**
 * What Enter in the picker means: the checked ports; with none checked, the highlighted one (Enter
 * on a row must not close the picker and do nothing).
 */
export function acceptedPorts(checked: readonly PortChoice[], highlighted: readonly PortChoice[]): number[] {
  return (checked.length > 0 ? checked : highlighted).map((choice) => choice.remote);
}

/** A typed port: a number from 1 to 65535 or an IANA port name (as a Service or container names its ports). */
export function parseTypedPort(text: string): number | string | undefined {
  const value = text.trim();
  if (/^\d{1,5}$/.test(value)) {
    const port = Number(value);
    return port >= 1 && port <= 65535 ? port : undefined;
  }
  return /^[a-z0-9]([a-z0-9-]{0,13}[a-z0-9])?$/.test(value) && /[a-z]/.test(value) ? value : undefined;
}
