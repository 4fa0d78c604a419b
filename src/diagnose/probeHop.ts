/**
 * Hop 8, the live probe, read against the static hops: the probe of the target as the application
 * addresses it and the probes of each backing Pod directly tell a Service problem (the Pods answer,
 * the Service does not) from a Pod problem (neither answers), and a contradiction with the static
 * verdicts is called out (a NetworkPolicy the network plugin does not enforce, a drop no policy in
 * view explains). Pure: no network, no `vscode`.
 */
import { conclude, lowerFirst } from '../analysis/diagnosis/index.ts';
import type { Conclusion, Hop, StaticDiagnosis } from '../analysis/diagnosis/index.ts';
import type { ProbeResult, ProbeVerdict } from '../probe/types.ts';
import type { DiagnosisProbe } from './types.ts';

/** Verdicts that say nothing about the network path. */
const INCONCLUSIVE: ReadonlySet<ProbeVerdict> = new Set([
  'no-tool',
  'exec-failed',
  'cancelled',
  'invalid-target',
  'error',
]);

const WORDS: Readonly<Record<ProbeVerdict, string>> = {
  reachable: 'answered',
  'http-error-status': 'answered with an unexpected status',
  refused: 'refused the connection',
  timeout: 'timed out',
  dns: 'did not resolve',
  tls: 'failed the TLS handshake',
  reset: 'reset the connection',
  'empty-reply': 'closed without a reply',
  'protocol-error': 'answered, but not in HTTP',
  unreachable: 'had no route',
  'invalid-target': 'could not be probed',
  'no-tool': 'could not be probed',
  'exec-failed': 'could not be probed',
  cancelled: 'was cancelled',
  error: 'failed',
};

export function isConclusive(result: ProbeResult): boolean {
  return !INCONCLUSIVE.has(result.verdict);
}

function outcome(probe: DiagnosisProbe): string {
  const { result } = probe;
  const status = result.httpStatus === undefined ? '' : ` (HTTP ${result.httpStatus})`;
  return `${WORDS[result.verdict]}${status}`;
}

function evidenceLine(probe: DiagnosisProbe): string {
  const { result } = probe;
  const who =
    probe.role === 'pod'
      ? `Pod ${probe.pod?.name ?? '?'}${probe.pod?.ready === false ? ' (not ready)' : ''} directly at ${probe.label}`
      : probe.label;
  const tool = result.tool === undefined ? '' : `, ${result.tool}`;
  return `${who}: ${result.verdict}${result.httpStatus === undefined ? '' : ` ${result.httpStatus}`} in ${result.elapsedMs} ms${tool}. ${result.message}`;
}

function names(probes: readonly DiagnosisProbe[]): string {
  const labels = probes.map((probe) => probe.pod?.name ?? probe.label);
  return labels.length <= 1
    ? labels.join('')
    : `${labels.slice(0, -1).join(', ')} and ${labels.at(-1) ?? ''}`;
}

function verdictHint(verdict: ProbeVerdict, port: number | undefined): string {
  switch (verdict) {
    case 'timeout':
      return 'a timeout usually means a NetworkPolicy or a firewall drops the packets, or the application hangs';
    case 'refused':
      return `refused means nothing listens on port ${port ?? 'the port'}, or the Service has no ready endpoint`;
    case 'reset':
      return 'the peer reset the connection';
    default:
      return '';
  }
}

const HAIRPIN_ALLOWED =
  "The probe through the Service got through: this cluster's network plugin lets a Pod reach itself through its Service, as the Kubernetes rule says.";

/** The probe hop from the probes made, read against the static hops. */
export function probeHop(diagnosis: StaticDiagnosis, probes: readonly DiagnosisProbe[]): Hop {
  const base = { id: 'probe' as const, title: 'Live probe' };
  if (probes.length === 0) {
    return {
      ...base,
      status: 'skipped',
      summary:
        diagnosis.plan.primary === undefined
          ? 'Nothing to probe: the target has no address and port to connect to.'
          : (diagnosis.plan.note ?? 'Not run.'),
      evidence: [],
    };
  }
  const evidence = probes.map(evidenceLine);
  if (diagnosis.plan.note !== undefined) {
    evidence.push(diagnosis.plan.note);
  }
  const conclusive = probes.filter((probe) => isConclusive(probe.result));
  if (conclusive.length === 0) {
    const first = probes[0]!.result;
    const suggestion = probes.find((probe) => probe.result.suggestion !== undefined)?.result.suggestion;
    return {
      ...base,
      status: 'unknown',
      summary: first.message,
      evidence,
      ...(suggestion === undefined ? {} : { fix: suggestion.message }),
    };
  }

  const hop = (id: string) => diagnosis.hops.find((candidate) => candidate.id === id);
  const policyDenies = hop('egress')?.status === 'failed' || hop('ingress')?.status === 'failed';
  const policyAllows = hop('egress')?.status === 'passed' && hop('ingress')?.status === 'passed';
  const portUndeclared = hop('port')?.status === 'unknown';

  // Contradictions with the static verdicts, pair by pair.
  const contradictions: string[] = [];
  const reachedDespitePolicy = conclusive.filter(
    (probe) => probe.result.reachable && policyDenies && probe.role === 'pod',
  );
  const target = probes.find((probe) => probe.role === 'target');
  if (
    policyDenies &&
    (reachedDespitePolicy.length > 0 || (target !== undefined && target.result.reachable))
  ) {
    contradictions.push(
      'The probe got through although the NetworkPolicies deny it: the network plugin of this cluster may not enforce NetworkPolicy (or the policies changed since).',
    );
  }
  const silentDrops = conclusive.filter((probe) => probe.result.verdict === 'timeout' && policyAllows);
  if (silentDrops.length > 0) {
    contradictions.push(
      `${names(silentDrops)} timed out though no NetworkPolicy in view denies it: something else drops the packets (a policy of a namespace not in view, a cluster-wide policy of the network plugin, a firewall) or the application hangs.`,
    );
  }
  evidence.push(...contradictions);

  // A Pod reaching itself through its Service, which the policies would deny: the Kubernetes rule
  // allows it, some plugins do not (kubernetes/kubernetes#95879). The probe through the Service
  // tells which way this cluster's plugin goes; the Pod's probe of its own IP says nothing here.
  const hairpin = [hop('egress'), hop('ingress')].find((candidate) => candidate?.uncertainty === 'hairpin');
  if (hairpin !== undefined && !policyDenies && target !== undefined && isConclusive(target.result)) {
    if (target.result.verdict === 'timeout') {
      return {
        ...base,
        status: 'failed',
        summary: `${target.label} timed out: this cluster's network plugin applies NetworkPolicy to a Pod reaching itself through its Service (hairpin), and the policies do not admit ${diagnosis.source.name} to itself.`,
        evidence,
        ...(hairpin.fix === undefined ? {} : { fix: hairpin.fix }),
        ...(hairpin.manifest === undefined ? {} : { manifest: hairpin.manifest }),
      };
    }
    if (target.result.reachable) {
      evidence.push(HAIRPIN_ALLOWED);
    }
  }

  const pods = probes.filter((probe) => probe.role === 'pod' && isConclusive(probe.result));
  const podsUp = pods.filter((probe) => probe.result.reachable);
  const podsDown = pods.filter((probe) => !probe.result.reachable);
  const contradiction = contradictions.length > 0 ? ` ${contradictions[0]}` : '';

  let status: Hop['status'];
  let summary: string;
  let fix: string | undefined;
  if (target === undefined || !isConclusive(target.result)) {
    // Only the Pods could be probed.
    status = podsDown.length === 0 ? 'passed' : 'failed';
    summary =
      podsDown.length === 0
        ? `Each of ${pods.length} Pods answered directly${target === undefined ? '' : `; the probe of ${target.label} could not run (${target.result.message})`}.`
        : `${names(podsDown)} ${outcome(podsDown[0]!)} when probed directly.`;
  } else if (target.result.reachable) {
    if (podsDown.length === 0) {
      status = 'passed';
      summary = `${target.label} ${outcome(target)} in ${target.result.elapsedMs} ms${pods.length > 0 ? `, and so did ${pods.length === 1 ? 'its Pod' : `each of its ${pods.length} Pods`} directly` : ''}.${contradiction}`;
    } else {
      status = 'failed';
      summary = `${target.label} ${outcome(target)}, but ${names(podsDown)} ${outcome(podsDown[0]!)} when probed directly: connections the Service sends there fail.`;
      const hint = verdictHint(podsDown[0]!.result.verdict, podsDown[0]!.pod?.port);
      fix =
        hint === ''
          ? undefined
          : `${hint[0]!.toUpperCase()}${hint.slice(1)}; compare that Pod with the ones that answer.`;
    }
  } else {
    status = 'failed';
    const verdict = target.result.verdict;
    if (verdict === 'dns') {
      summary = `${target.label} does not resolve from ${diagnosis.source.name}: ${lowerFirst(target.result.message)}`;
    } else if (
      pods.length > 0 &&
      podsDown.length === 0 &&
      podsUp.every((probe) => probe.pod?.ready === false)
    ) {
      summary = `${target.label} ${outcome(target)}, but ${pods.length === 1 ? 'its Pod answers' : `its ${pods.length} Pods answer`} directly on the targetPort: ${pods.length === 1 ? 'it is' : 'they are'} not ready, so the Service sends ${pods.length === 1 ? 'it' : 'them'} nothing. Readiness, not the network, is the problem.${contradiction}`;
    } else if (pods.length > 0 && podsDown.length === 0) {
      summary = `${target.label} ${outcome(target)}, but ${pods.length === 1 ? 'its Pod answers' : `its ${pods.length} Pods answer`} directly on the targetPort: the problem is in the Service (its ports, selector or endpoints), not in the Pods.${contradiction}`;
    } else if (pods.length > 0 && podsUp.length === 0) {
      const hint = verdictHint(podsDown[0]!.result.verdict, podsDown[0]!.pod?.port);
      const predicted =
        policyDenies && podsDown.every((probe) => probe.result.verdict === 'timeout')
          ? ': the packets are dropped, as the NetworkPolicy verdict predicts'
          : `: the problem is at the Pods or on the way to them${hint === '' ? '' : `; ${hint}`}`;
      summary = `${target.label} ${outcome(target)}, and ${pods.length === 1 ? 'its Pod' : `its ${pods.length} Pods`} ${outcome(podsDown[0]!)} when probed directly too${predicted}.${contradiction}`;
    } else if (pods.length > 0) {
      summary = `${target.label} ${outcome(target)}; ${names(podsUp)} answered directly, ${names(podsDown)} did not.${contradiction}`;
    } else {
      const hint = verdictHint(verdict, target.pod?.port ?? diagnosis.plan.primary?.port);
      summary =
        policyDenies && verdict === 'timeout'
          ? `${target.label} ${outcome(target)}: the packets are dropped, as the NetworkPolicy verdict predicts.`
          : `${target.label} ${outcome(target)}${hint === '' ? '' : `: ${hint}`}.${contradiction}`;
    }
    if (verdict === 'refused' && portUndeclared) {
      fix =
        hop('port')?.fix ??
        'Nothing listens on that port: check which port the application listens on and set the targetPort to it.';
    } else if (
      verdict === 'refused' &&
      !policyDenies &&
      target.role === 'target' &&
      (pods.length === 0 || podsUp.length === 0)
    ) {
      fix =
        'Check that the application listens on that port on every interface (0.0.0.0), not only on 127.0.0.1, and that it has started.';
    } else if (verdict === 'timeout' && policyAllows) {
      fix =
        'Look for what drops the packets: NetworkPolicies of namespaces not in view, cluster-wide policies of the network plugin (Calico GlobalNetworkPolicy, Cilium CiliumClusterwideNetworkPolicy), or a firewall; or an application that accepts but never answers.';
    }
  }
  return {
    ...base,
    status,
    summary,
    evidence,
    ...(fix === undefined ? {} : { fix }),
  };
}

/**
 * The conclusion once the probe hop is in: the first failing hop as before, with what the probe
 * adds (a failure the cluster state does not explain, or a probe that got through anyway).
 */
export function concludeWithProbe(diagnosis: StaticDiagnosis, hops: readonly Hop[]): Conclusion {
  const conclusion = conclude(hops, {
    source: `${diagnosis.source.namespace}/${diagnosis.source.name}`,
    target: diagnosis.targetLabel,
  });
  const probe = hops.find((candidate) => candidate.id === 'probe');
  if (conclusion.failedHop !== undefined && conclusion.failedHop !== 'probe' && probe?.status === 'passed') {
    const why =
      conclusion.failedHop === 'egress' || conclusion.failedHop === 'ingress'
        ? 'the network plugin may not enforce NetworkPolicy'
        : 'the cluster state may have changed since, or the traffic takes another path';
    return { ...conclusion, sentence: `${conclusion.sentence} Yet the live probe got through: ${why}.` };
  }
  if (conclusion.failedHop === undefined && probe?.evidence.includes(HAIRPIN_ALLOWED) === true) {
    // The one unknown hop the probe settled: say how, rather than "could not be checked".
    const rest = hops.filter(
      (candidate) =>
        candidate.status === 'unknown' && candidate.id !== 'probe' && candidate.uncertainty !== 'hairpin',
    );
    return {
      sentence: `${diagnosis.source.namespace}/${diagnosis.source.name} reaches ${diagnosis.targetLabel}: the live probe got through, so this cluster's network plugin lets a Pod reach itself through its Service, as the Kubernetes rule says.${rest.length === 0 ? '' : ` ${rest.length === 1 ? '1 hop' : `${rest.length} hops`} could not be checked (${rest.map((candidate) => candidate.title.toLowerCase()).join(', ')}).`}`,
    };
  }
  return conclusion;
}
