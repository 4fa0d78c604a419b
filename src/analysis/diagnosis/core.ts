/**
 * "Why can't A reach B?", hop by hop, from the cluster state alone: the static part of "Diagnose
 * Connectivity". Pure: no `vscode`, no network, no clock. The live probe (hop 8) is run by
 * `src/diagnose/diagnoser.ts`, which fills in the probe hop and concludes again.
 *
 * This file only orders the hops and concludes (through ../hops.ts, the core shared with the
 * external-access diagnosis); each hop family is a module beside it, in the order a connection
 * meets them:
 * 1. name (name.ts, with the resolver's rules in dns.ts): the target as the source Pod's resolver
 *    would see it: a Service, a Pod, an address outside the namespaces in view, or nothing.
 * 2. service (service.ts): the Service exists; its type; the requested port exists with this
 *    protocol.
 * 3. selector (selector.ts, readiness.ts): the Pods it selects, each ready or not and why not
 *    (conditions, container states, the kubelet's events). For a Pod target, the Pod itself.
 * 4. endpoints (endpoints.ts): the EndpointSlices hold the ready Pods' IPs and the targetPort
 *    resolved per Pod, as the EndpointSlice controller would write them; disagreements are named.
 * 5. port (targetPort.ts): the resolved targetPort is declared by a container of each Pod; a named
 *    one resolves. A declared port nothing listens on shows up only in the probe.
 * 6. egress, 7. ingress (policy.ts): the source's NetworkPolicies and each backing Pod's, against
 *    each Pod on its resolved port, with the deciding policy and rule, the rule to add, or the rule
 *    of Kubernetes no policy overrides (a Pod to itself, its own node); the hairpin case is
 *    "unknown" until the probe settles it.
 * 8. probe: filled in by the Diagnoser ("skipped" here); probePlan.ts says what it is to probe.
 * target.ts assembles hops 2 to 5 for what the name led to; world.ts indexes the cluster state the
 * hops read, wording.ts says how objects read in sentences, types.ts holds inputs and outputs.
 *
 * Every hop is evaluated even after one fails, unless it has nothing to look at (no Service, no
 * Pod): a report then shows every problem at once. The conclusion names the FIRST failing hop, in
 * one sentence, with a fix and, where one object is to change, a reference to it (`manifest`) for the
 * UI to link the workspace file that defines it.
 */
import { conclude, orderHops, skipped } from '../hops.ts';
import type { HopDraft } from '../hops.ts';
import type { Protocol } from '../k8s.ts';
import { nameStage, withDnsEgress } from './name.ts';
import { policyStage } from './policy.ts';
import { probePlan } from './probePlan.ts';
import { podStage, serviceStage, unresolvedStage } from './target.ts';
import { HOP_IDS } from './types.ts';
import type { DiagnosisInput, HopId, StaticDiagnosis } from './types.ts';
import { buildWorld, nameOf, nsOf, podIp, readinessEventOf } from './world.ts';

const TITLES: Readonly<Record<HopId, string>> = {
  name: 'Name resolution',
  service: 'Service and port',
  selector: 'Selected Pods and readiness',
  endpoints: 'EndpointSlices',
  port: 'Target port',
  egress: 'NetworkPolicy egress of the source',
  ingress: 'NetworkPolicy ingress of the target',
  probe: 'Live probe',
};

/** The static diagnosis: every hop but the probe, the conclusion, and what the probe is to check. */
export function diagnoseStatic(input: DiagnosisInput): StaticDiagnosis {
  const world = buildWorld(input);
  const { source, target } = input;
  const protocol: Protocol = target.protocol ?? 'TCP';

  // 1. name, then 2 to 5 on what it led to, then 6 and 7 against the Pods behind it.
  const name = nameStage(world, target);
  const nameDraft = withDnsEgress(world, name.draft);
  const stage =
    name.service !== undefined
      ? serviceStage(input, world, name.service, target.port, protocol)
      : name.pod !== undefined
        ? podStage(name.pod, target.port, protocol, readinessEventOf(world, name.pod))
        : unresolvedStage(name.external);
  const external = stage.external ?? name.external;
  const policies = policyStage(world, stage, external, protocol);

  const drafts: Record<HopId, HopDraft> = {
    name: nameDraft,
    service: stage.drafts.service,
    selector: stage.drafts.selector,
    endpoints: stage.drafts.endpoints,
    port: stage.drafts.port,
    egress: policies.egress,
    ingress: policies.ingress,
    probe: skipped('Not run: this is the static diagnosis from the cluster state.'),
  };
  const hops = orderHops(HOP_IDS, TITLES, drafts, stage.titles);
  const sourceIp = podIp(source);
  const sourceName = `${nsOf(source)}/${nameOf(source)}`;
  return {
    source: {
      namespace: nsOf(source),
      name: nameOf(source),
      ...(sourceIp === undefined ? {} : { ip: sourceIp }),
    },
    target,
    targetLabel: name.label,
    resolved: stage.resolved,
    hops,
    conclusion: conclude(hops, { source: sourceName, target: name.label }),
    plan: probePlan(name, stage, target, protocol, Math.max(0, input.maxProbedPods ?? 5)),
  };
}
