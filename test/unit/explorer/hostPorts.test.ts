/**
 * The explorer says where a sandbox run as an ordinary user serves a Service's or Gateway's
 * privileged ports on this machine (its host-port annotation, issue 20), and nothing where no
 * annotation says so (any real cluster).
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { formatHostPorts, HOST_PORTS_ANNOTATION } from '../../../src/analysis/hostPorts.ts';
import { servicePresentation } from '../../../src/explorer/format.ts';
import { gatewayPresentation } from '../../../src/explorer/gatewayFormat.ts';
import { gateway, http, world } from '../analysis/gateway/fixtures.ts';

const REASON = 'its process may not listen below port 1024 (net.ipv4.ip_unprivileged_port_start=1024)';
const annotations = (ports: [string, number][]) => ({
  [HOST_PORTS_ANNOTATION]: formatHostPorts(REASON, new Map(ports)),
});

test("a Service's tooltip says where each privileged port of its addresses is served from this machine", () => {
  const spec = { type: 'LoadBalancer', clusterIP: '127.11.0.9', ports: [{ name: 'http', port: 80 }] };
  const annotated = servicePresentation(
    {
      metadata: {
        name: 'frontend-public',
        namespace: 'shop',
        annotations: annotations([
          ['127.11.0.9:80', 8080],
          ['127.12.1.1:80', 8080],
        ]),
      },
      spec,
    },
    [],
    [],
  );
  assert.match(
    annotated.tooltip,
    /\*\*From this machine\*\*\n\n- Port 80 of 127\.11\.0\.9 is served at 127\.11\.0\.9:8080 by the sandbox, because its process may not listen below port 1024 \(net\.ipv4\.ip\\_unprivileged\\_port\\_start=1024\)\.\n- Port 80 of 127\.12\.1\.1 is served at 127\.12\.1\.1:8080/,
  );
  const plain = servicePresentation(
    { metadata: { name: 'frontend-public', namespace: 'shop' }, spec },
    [],
    [],
  );
  assert.doesNotMatch(plain.tooltip, /From this machine/);
});

test("a Gateway's tooltip says it too", () => {
  const base = gateway('public', [http('http', 80), http('internal', 8080)]);
  const annotated = {
    ...base,
    metadata: { ...base.metadata, annotations: annotations([['127.12.1.3:80', 8081]]) },
  };
  const p = gatewayPresentation(annotated, world({ gateways: [annotated] }));
  assert.match(
    p.tooltip,
    /\*\*From this machine\*\*\n\n- Port 80 of 127\.12\.1\.3 is served at 127\.12\.1\.3:8081 by the sandbox/,
  );
  assert.doesNotMatch(gatewayPresentation(base, world({ gateways: [base] })).tooltip, /From this machine/);
});
