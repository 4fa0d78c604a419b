/**
 * Hops 6 and 7, NetworkPolicy: the source's egress, and each backing Pod's ingress, against each
 * Pod on its resolved port, with the deciding policy and rule, or the fact that a policy isolates
 * the Pod and no rule admits this peer and port (and the rule to add). What no policy can block (a
 * Pod to itself, traffic to and from its own node) passes with the rule named instead of a policy;
 * a Pod reaching itself through its own Service where its policies would deny it is "unknown" with
 * `uncertainty: 'hairpin'` (plugins differ, kubernetes/kubernetes#95879), which the probe settles.
 * An address outside the cluster has only the source's egress to check.
 */
import type { HopDraft } from '../hops.ts';
import { skipped } from '../hops.ts';
import type { NetworkPolicy, Protocol } from '../k8s.ts';
import { podEndpoint } from '../networkPolicy.ts';
import type { ConnectionVerdict, DirectionVerdict, Endpoint, KubernetesRule } from '../networkPolicy.ts';
import { list, plural, upperFirst } from '../sentences.ts';
import type { ExternalTarget } from './name.ts';
import type { TargetStage } from './target.ts';
import type { Backend, DiagnosisPod, ManifestReference } from './types.ts';
import { flowMap, stableLabels } from './wording.ts';
import { nameOf, nsOf, podIp } from './world.ts';
import type { World } from './world.ts';

function policySuggestion(
  direction: 'ingress' | 'egress',
  subjectNs: string,
  peer: DiagnosisPod | undefined,
  peerIp: string | undefined,
  port: number,
  protocol: Protocol,
): string {
  let peerText: string;
  if (peer !== undefined) {
    const podSelector = flowMap(stableLabels(peer.metadata.labels));
    peerText =
      nsOf(peer) === subjectNs
        ? `{podSelector: {matchLabels: ${podSelector}}}`
        : `{namespaceSelector: {matchLabels: {kubernetes.io/metadata.name: ${nsOf(peer)}}}, podSelector: {matchLabels: ${podSelector}}}`;
  } else {
    peerText = `{ipBlock: {cidr: ${peerIp ?? '0.0.0.0'}/32}}`;
  }
  const key = direction === 'ingress' ? 'from' : 'to';
  return `- ${key}: [${peerText}]\n  ports: [{protocol: ${protocol}, port: ${port}}]`;
}

interface PolicyCheck {
  readonly backend: Backend;
  readonly pod?: DiagnosisPod;
  readonly verdict: ConnectionVerdict;
  readonly port: number;
  readonly protocol: Protocol;
}

function ruleText(verdict: DirectionVerdict): string {
  const by = verdict.allowedBy;
  if (by === undefined) {
    return '';
  }
  const key = verdict.direction === 'ingress' ? 'from' : 'to';
  return `${verdict.direction}[${by.ruleIndex}]${by.peerIndex === undefined ? '' : `.${key}[${by.peerIndex}]`}${by.portIndex === undefined ? '' : `.ports[${by.portIndex}]`}`;
}

function policyManifest(id: string): ManifestReference {
  const slash = id.indexOf('/');
  return { kind: 'NetworkPolicy', namespace: id.slice(0, slash), name: id.slice(slash + 1) };
}

/** Hops 6 and 7: the source's egress and the ingress of each Pod behind the target. */
export function policyStage(
  world: World,
  stage: TargetStage,
  external: ExternalTarget | undefined,
  protocol: Protocol,
): { readonly egress: HopDraft; readonly ingress: HopDraft } {
  const { input } = world;
  const { source } = input;
  const unreadable = (namespace: string) => input.unreadable?.networkPolicies?.includes(namespace) === true;
  const sourceNs = nsOf(source);
  const checked = stage.backends.filter((backend) => backend.port !== undefined);
  if (checked.length > 0) {
    const sourceEndpoint = podEndpoint(source);
    const checks = checked.map((backend): PolicyCheck => {
      const pod = stage.backendPods.find(
        (candidate) => nameOf(candidate) === backend.name && nsOf(candidate) === backend.namespace,
      );
      const destination: Endpoint =
        pod === undefined ? { kind: 'external', ip: backend.ip ?? '' } : podEndpoint(pod);
      return {
        backend,
        ...(pod === undefined ? {} : { pod }),
        port: backend.port!,
        protocol,
        verdict: world.evaluate({
          source: sourceEndpoint,
          destination,
          port: backend.port!,
          protocol,
          // Through a ClusterIP the connection goes by the service proxy: a Pod reaching itself so
          // is the hairpin case network plugins differ on. A headless name gives the Pod's own IP.
          throughService: stage.resolved.kind === 'service' && !stage.resolved.headless,
        }),
      };
    });
    const targetNs = checked[0]!.namespace;
    return {
      egress: unreadable(sourceNs)
        ? unreadablePolicies(sourceNs)
        : policyHop('egress', checks, source, world.policiesIn(sourceNs)),
      ingress: unreadable(targetNs)
        ? unreadablePolicies(targetNs)
        : policyHop('ingress', checks, source, world.policiesIn(targetNs)),
    };
  }
  if (external !== undefined) {
    return {
      egress: unreadable(sourceNs)
        ? unreadablePolicies(sourceNs)
        : externalEgressHop(world, source, external, protocol),
      ingress: skipped(
        `${external.ip ?? external.host} is not a Pod in view: no NetworkPolicy of the cluster governs traffic into it.`,
      ),
    };
  }
  const why =
    stage.resolved.kind === 'unresolved'
      ? 'Skipped: the target does not lead to a Pod.'
      : 'Skipped: there is no Pod and port to evaluate the policies against.';
  return { egress: skipped(why), ingress: skipped(why) };
}

function unreadablePolicies(namespace: string): HopDraft {
  return {
    status: 'unknown',
    summary: `The NetworkPolicies of namespace ${namespace} may not be read with these credentials.`,
    evidence: [],
  };
}

function policyHop(
  direction: 'egress' | 'ingress',
  checks: readonly PolicyCheck[],
  source: DiagnosisPod,
  policies: readonly NetworkPolicy[],
): HopDraft {
  const sourceName = `${nsOf(source)}/${nameOf(source)}`;
  const verdicts = checks.map((check) => ({ check, verdict: check.verdict[direction] }));
  const denied = verdicts.filter(({ verdict }) => verdict.outcome === 'denied');
  const evidence = verdicts.map(({ check, verdict }) => {
    const rule = ruleText(verdict);
    const where =
      rule !== ''
        ? ` (${verdict.allowedBy!.policy} ${rule})`
        : verdict.allowedByKubernetes === undefined
          ? ''
          : verdict.outcome === 'uncertain'
            ? ' (allowed by the Kubernetes rule)'
            : ' by the Kubernetes rule';
    return `${check.backend.namespace}/${check.backend.name} on ${check.protocol} ${check.port}: ${verdict.outcome}${where}; ${verdict.reason}.`;
  });
  const uncertain = verdicts.filter(({ verdict }) => verdict.outcome === 'uncertain');
  if (denied.length === 0 && uncertain.length > 0) {
    return uncertainPolicyHop(direction, uncertain[0]!.check, uncertain[0]!.verdict, source, evidence);
  }
  if (denied.length === 0) {
    const isolated = verdicts.filter(({ verdict }) => verdict.isolated);
    const deciding = [
      ...new Set(
        isolated
          .map(({ verdict }) => verdict.allowedBy?.policy)
          .filter((id): id is string => id !== undefined),
      ),
    ];
    const subject =
      direction === 'egress'
        ? sourceName
        : verdicts.length === 1
          ? `${verdicts[0]!.check.backend.namespace}/${verdicts[0]!.check.backend.name}`
          : `the ${plural(verdicts.length, 'Pod')}`;
    if (isolated.length === 0) {
      return {
        status: 'passed',
        summary: `No NetworkPolicy restricts the ${direction} of ${subject}.`,
        evidence,
      };
    }
    const byPolicy = isolated.find(({ verdict }) => verdict.allowedBy !== undefined)?.verdict;
    const admitted =
      deciding.length === 0
        ? undefined
        : deciding.length === 1
          ? `policy ${deciding[0]} admits this connection${byPolicy === undefined ? '' : ` (${ruleText(byPolicy)})`}`
          : `policies ${list(deciding)} admit this connection`;
    const rules = [
      ...new Set(
        isolated
          .map(({ verdict }) => verdict.allowedByKubernetes)
          .filter((rule): rule is KubernetesRule => rule !== undefined),
      ),
    ].map((rule) => KUBERNETES_RULES[rule]);
    const isolating = [...new Set(isolated.flatMap(({ verdict }) => verdict.selectingPolicies))];
    const summary =
      rules.length === 0
        ? `The ${direction} of ${subject} is restricted, and ${admitted ?? 'a policy admits this connection'}.`
        : admitted === undefined
          ? `The ${direction} of ${subject} is restricted by ${list(isolating)}, but ${list(rules)}: the Kubernetes rule, not a policy, allows this connection.`
          : `The ${direction} of ${subject} is restricted: ${admitted} to some Pods, and to the others ${list(rules)}, so the Kubernetes rule, not a policy, allows it.`;
    return { status: 'passed', summary, evidence };
  }
  const first = denied[0]!;
  const subjectNs = direction === 'egress' ? nsOf(source) : first.check.backend.namespace;
  const rule = policySuggestion(
    direction,
    subjectNs,
    direction === 'egress' ? first.check.pod : source.spec?.hostNetwork === true ? undefined : source,
    direction === 'egress' ? first.check.backend.ip : podIp(source),
    first.check.port,
    first.check.protocol,
  );
  const isolating = first.verdict.selectingPolicies;
  const manifest = isolating[0] === undefined ? undefined : policyManifest(isolating[0]);
  const hasRules = policies.some(
    (policy) =>
      isolating.includes(`${nsOf(policy)}/${nameOf(policy)}`) &&
      ((direction === 'ingress' ? policy.spec?.ingress : policy.spec?.egress)?.length ?? 0) > 0,
  );
  const scope =
    denied.length === verdicts.length
      ? ''
      : ` (${denied.length} of ${plural(verdicts.length, 'backing Pod')} denied: connections through the Service fail at random)`;
  const peerName =
    direction === 'egress' ? `${first.check.backend.namespace}/${first.check.backend.name}` : sourceName;
  const where =
    isolating.length === 1
      ? `NetworkPolicy ${isolating[0]}`
      : `one of the NetworkPolicies ${list(isolating, 'or')}`;
  const fix =
    `Add ${hasRules ? 'a rule' : `an ${direction} rule`} to ${where} that ${direction === 'egress' ? 'lets it reach' : 'admits'} ${peerName} on ${first.check.protocol} ${first.check.port}, under spec.${direction}:\n${rule}` +
    (direction === 'ingress' ? '\nOr connect from a Pod the policy already admits.' : '');
  return {
    status: 'failed',
    summary: `${upperFirst(first.verdict.reason)}${scope}.`,
    evidence,
    fix,
    ...(manifest === undefined ? {} : { manifest }),
  };
}

/** What each rule of Kubernetes says, as the concept page puts it. */
const KUBERNETES_RULES: Readonly<Record<KubernetesRule, string>> = {
  self: 'a Pod cannot block access to itself',
  node: 'traffic to and from the node where a Pod is running is always allowed',
};

/**
 * A Pod reaching itself through its Service where its policies would deny it: the Kubernetes rule
 * allows it, some network plugins do not (kubernetes/kubernetes#95879), so the hop says "unknown"
 * and how to make it hold on every plugin, rather than guessing.
 */
function uncertainPolicyHop(
  direction: 'egress' | 'ingress',
  check: PolicyCheck,
  verdict: DirectionVerdict,
  source: DiagnosisPod,
  evidence: string[],
): HopDraft {
  const isolating = verdict.selectingPolicies;
  const where =
    isolating.length === 1
      ? `NetworkPolicy ${isolating[0]}`
      : `one of the NetworkPolicies ${list(isolating, 'or')}`;
  const rule = policySuggestion(direction, nsOf(source), source, podIp(source), check.port, check.protocol);
  return {
    status: 'unknown',
    uncertainty: 'hairpin',
    summary: `${upperFirst(verdict.reason)}: verify with a probe.`,
    evidence,
    fix: `To have it allowed on every network plugin, add a rule to ${where} that ${direction === 'egress' ? 'lets it reach' : 'admits'} ${nsOf(source)}/${nameOf(source)} itself on ${check.protocol} ${check.port}, under spec.${direction}:\n${rule}`,
    ...(isolating[0] === undefined ? {} : { manifest: policyManifest(isolating[0]) }),
  };
}

function externalEgressHop(
  world: World,
  source: DiagnosisPod,
  external: { host: string; ip?: string; port: number },
  protocol: Protocol,
): HopDraft {
  const sourceName = `${nsOf(source)}/${nameOf(source)}`;
  const verdict = world.evaluate({
    source: podEndpoint(source),
    destination: { kind: 'external', ip: external.ip ?? '', name: external.host },
    port: external.port,
    protocol,
  }).egress;
  const evidence = [
    `${external.ip ?? external.host} on ${external.port}: ${verdict.allowed ? 'allowed' : 'denied'}, ${verdict.reason}.`,
  ];
  if (verdict.allowed) {
    return {
      status: 'passed',
      summary: !verdict.isolated
        ? `No NetworkPolicy restricts the egress of ${sourceName}.`
        : verdict.allowedByKubernetes !== undefined
          ? `The egress of ${sourceName} is restricted by ${list(verdict.selectingPolicies)}, but ${KUBERNETES_RULES[verdict.allowedByKubernetes]}: the Kubernetes rule, not a policy, lets it reach ${external.ip ?? external.host} on ${external.port}.`
          : `Policy ${verdict.allowedBy?.policy ?? ''} lets ${sourceName} reach ${external.ip ?? external.host} on ${external.port}.`,
      evidence,
    };
  }
  if (external.ip === undefined) {
    // The verdict hangs on the address the name resolves to, which ipBlocks may admit.
    const selecting = world
      .policiesIn(nsOf(source))
      .filter((policy) => verdict.selectingPolicies.includes(`${nsOf(policy)}/${nameOf(policy)}`));
    if (
      selecting.some((policy) =>
        (policy.spec?.egress ?? []).some((rule) =>
          (rule.to ?? []).some((peer) => peer.ipBlock !== undefined),
        ),
      )
    ) {
      return {
        status: 'unknown',
        summary: `The egress of ${sourceName} is restricted by ${list(verdict.selectingPolicies)}, whose ipBlocks may or may not hold the address ${external.host} resolves to.`,
        evidence,
      };
    }
  }
  const policies = verdict.selectingPolicies;
  return {
    status: 'failed',
    summary: `${upperFirst(verdict.reason)}.`,
    evidence,
    fix: `Add an egress rule to ${policies.length === 1 ? `NetworkPolicy ${policies[0]}` : `one of ${list(policies, 'or')}`} for ${external.ip === undefined ? external.host : `${external.ip}/32`} on ${protocol} ${external.port}, e.g.:\n${policySuggestion('egress', nsOf(source), undefined, external.ip, external.port, protocol)}`,
    ...(policies[0] === undefined ? {} : { manifest: policyManifest(policies[0]) }),
  };
}
