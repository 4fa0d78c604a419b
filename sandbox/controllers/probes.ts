/**
 * What the kubelet's readiness prober reports for a Pod the scenario (or a fault) holds not ready.
 * The sandbox does not run probes; it words the failure as the kubelet's prober would for the
 * Pod's declared readiness probe, so the Unhealthy event reads like a real cluster's.
 */
import type { KubeObject } from '../api/store.ts';

type Port = number | string;

interface Probe {
  httpGet?: { path?: string; port: Port; scheme?: string; host?: string };
  tcpSocket?: { port: Port; host?: string };
  exec?: { command?: string[] };
  grpc?: { port: number; service?: string };
  periodSeconds?: number;
  timeoutSeconds?: number;
}

interface Container {
  name: string;
  ports?: Array<{ containerPort: number; name?: string }>;
  readinessProbe?: Probe;
}

export interface ReadinessFailure {
  /** The container whose probe fails. */
  readonly container: string;
  /** The event message: `Readiness probe failed: …`. */
  readonly message: string;
  /** How often the prober repeats (the probe's periodSeconds, 10 by default). */
  readonly periodSeconds: number;
}

/** The failure a not-ready Pod's readiness probe reports; `refused` when nothing listens. */
export function readinessFailure(pod: KubeObject, podIP: string, refused: boolean): ReadinessFailure {
  const containers = (pod.spec as { containers: Container[] }).containers;
  const container = containers.find((c) => c.readinessProbe) ?? containers[0]!;
  const probe = container.readinessProbe;
  const resolve = (port: Port) =>
    typeof port === 'number' ? port : (container.ports?.find((p) => p.name === port)?.containerPort ?? 0);
  const periodSeconds = probe?.periodSeconds ?? 10;
  const failed = (detail: string) => ({
    container: container.name,
    message: `Readiness probe failed: ${detail}`,
    periodSeconds,
  });
  if (probe?.tcpSocket) {
    const port = resolve(probe.tcpSocket.port);
    return failed(`dial tcp ${probe.tcpSocket.host ?? podIP}:${port}: connect: connection refused`);
  }
  if (probe?.exec) {
    // The exec prober reports the command's output; a failing check usually prints nothing.
    return failed('');
  }
  if (probe?.grpc) {
    return failed(
      `timeout: failed to connect service ":${probe.grpc.port}" within ${probe.timeoutSeconds ?? 1}s`,
    );
  }
  // An httpGet probe, or no probe declared: the scenario's not-ready Pods answer as an HTTP probe
  // that gets 503 (or, with nothing listening, a refused connection).
  const http = probe?.httpGet;
  const port = http ? resolve(http.port) : (container.ports?.[0]?.containerPort ?? 80);
  const scheme = (http?.scheme ?? 'HTTP').toLowerCase();
  const url = `${scheme}://${http?.host ?? podIP}:${port}${http?.path ?? '/'}`;
  return failed(
    refused
      ? `Get "${url}": dial tcp ${http?.host ?? podIP}:${port}: connect: connection refused`
      : 'HTTP probe failed with statuscode: 503',
  );
}
