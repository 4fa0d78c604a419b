/**
 * A GRPCRoute rule as a request for "Diagnose External Access": the gRPC call its first match
 * stands for (`POST /<service>/<method>`, content-type application/grpc, its exact header
 * matches), which the Gateway API core routes by GRPCRoute's own precedence (service, method,
 * headers; src/analysis/gateway/routing.ts). A match that leaves the service or method open (or
 * gives a regular expression) gets a stand-in name, said in the label, never hidden.
 *
 * The live probe is not run for a gRPC call: KubeReach's probes send HTTP/1.1 requests and TCP
 * connections, and a gRPC call needs HTTP/2 with gRPC framing (and the sandbox's gateway proxies
 * HTTP/1.1 only). The plan carries `notProbed` so the probe hop says so instead of passing.
 * Pure.
 */
import type { GatewayRequest, GRPCRoute } from '../gateway/index.ts';

export const GRPC_NOT_PROBED =
  "a gRPC call needs HTTP/2 with gRPC framing, and KubeReach's probes send HTTP/1.1 requests and TCP connections; the static hops above are the diagnosis";

/** The call one rule of a GRPCRoute stands for, and how it reads (`example.Echo/Say`). */
export function grpcRuleRequest(
  route: GRPCRoute,
  ruleIndex: number,
  host: string | undefined,
  port: number,
): { readonly request: GatewayRequest; readonly call: string } {
  const match = route.spec?.rules?.[ruleIndex]?.matches?.[0];
  const exact = (match?.method?.type ?? 'Exact') === 'Exact';
  const service = exact && match?.method?.service !== undefined ? match.method.service : undefined;
  const method = exact && match?.method?.method !== undefined ? match.method.method : undefined;
  const headers: Record<string, string> = { 'content-type': 'application/grpc' };
  for (const header of match?.headers ?? []) {
    if ((header.type ?? 'Exact') === 'Exact') {
      headers[header.name] = header.value;
    }
  }
  const call = `${service ?? 'any.Service'}/${method ?? 'AnyMethod'}`;
  const standIns = [
    ...(service === undefined ? ['the service (any.Service)'] : []),
    ...(method === undefined ? ['the method (AnyMethod)'] : []),
  ];
  return {
    request: {
      ...(host === undefined ? {} : { host }),
      port,
      path: `/${call}`,
      method: 'POST',
      headers,
    },
    call:
      standIns.length === 0
        ? call
        : `${call}, a stand-in for ${standIns.join(' and ')} the match leaves open`,
  };
}
