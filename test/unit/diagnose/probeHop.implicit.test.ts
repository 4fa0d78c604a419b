/**
 * The live probe settles what the cluster state cannot: whether this cluster's network plugin
 * applies NetworkPolicy to a Pod reaching itself through its own Service (hairpin,
 * kubernetes/kubernetes#95879). The static hop says "unknown: verify with a probe"; the probe hop
 * then says which way the plugin went.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { StaticDiagnosis } from '../../../src/analysis/diagnosis/index.ts';
import { diagnoseStatic } from '../../../src/analysis/diagnosis/index.ts';
import type { NetworkPolicy } from '../../../src/analysis/k8s.ts';
import { plannedProbes } from '../../../src/diagnose/diagnoser.ts';
import { concludeWithProbe, probeHop } from '../../../src/diagnose/probeHop.ts';
import type { DiagnosisProbe } from '../../../src/diagnose/types.ts';
import type { ProbeVerdict } from '../../../src/probe/types.ts';
import { backend1, checkout, db, frontend, input } from '../analysis/diagnosis/world.ts';

const denyIngressShop: NetworkPolicy = {
  metadata: { namespace: 'shop', name: 'deny-ingress' },
  spec: { podSelector: {}, policyTypes: ['Ingress'] },
};

// backend1 is the only Pod behind Service backend, and diagnoses a connection to it from itself.
const diagnosis = diagnoseStatic(
  input(
    { kind: 'service', namespace: 'shop', name: 'backend', port: 80 },
    { source: backend1, pods: [frontend, backend1, checkout, db], networkPolicies: [denyIngressShop] },
  ),
);

function probes(throughService: ProbeVerdict): DiagnosisProbe[] {
  return plannedProbes(diagnosis.plan).map(({ probe, target }) => {
    const host = target.kind === 'pod' ? target.ip : target.kind === 'address' ? target.host : '';
    const port = target.kind === 'url' ? 0 : target.port;
    // By its own IP a Pod always reaches itself; through the Service it depends on the plugin.
    const verdict = probe.role === 'target' ? throughService : 'reachable';
    const reachable = verdict === 'reachable';
    return {
      ...probe,
      result: {
        source: { namespace: 'shop', pod: backend1.metadata.name!, debugContainer: false },
        target: { label: `${host}:${port}`, protocol: 'tcp', host, port },
        verdict,
        reachable,
        message: `${verdict} at ${host}:${port}.`,
        elapsedMs: 7,
        stdout: '',
        stderr: '',
        notes: [],
        startedAt: '2024-01-01T00:00:00.000Z',
      },
    };
  });
}

function settle(report: StaticDiagnosis, list: DiagnosisProbe[]) {
  const hop = probeHop(report, list);
  const hops = report.hops.map((candidate) => (candidate.id === 'probe' ? hop : candidate));
  return { hop, conclusion: concludeWithProbe(report, hops) };
}

describe('the probe settles the hairpin case', () => {
  test('the static hop is unknown, marked as the hairpin case', () => {
    const ingress = diagnosis.hops.find((hop) => hop.id === 'ingress')!;
    assert.equal(ingress.status, 'unknown');
    assert.equal(ingress.uncertainty, 'hairpin');
  });

  test('the probe through the Service times out: the plugin applies policy to hairpin traffic', () => {
    const { hop, conclusion } = settle(diagnosis, probes('timeout'));
    assert.equal(hop.status, 'failed');
    assert.match(
      hop.summary,
      /timed out: this cluster's network plugin applies NetworkPolicy to a Pod reaching itself through its Service/,
    );
    assert.match(
      hop.fix!,
      /^To have it allowed on every network plugin, add a rule to NetworkPolicy shop\/deny-ingress/,
    );
    assert.equal(conclusion.failedHop, 'probe');
    assert.deepEqual(conclusion.manifest, { kind: 'NetworkPolicy', namespace: 'shop', name: 'deny-ingress' });
  });

  test('the probe through the Service gets through: the plugin follows the Kubernetes rule', () => {
    const { hop, conclusion } = settle(diagnosis, probes('reachable'));
    assert.equal(hop.status, 'passed');
    assert.ok(
      hop.evidence.some((line) =>
        /this cluster's network plugin lets a Pod reach itself through its Service, as the Kubernetes rule says/.test(
          line,
        ),
      ),
    );
    assert.equal(conclusion.failedHop, undefined);
    assert.match(conclusion.sentence, /lets a Pod reach itself through its Service/);
  });
});
