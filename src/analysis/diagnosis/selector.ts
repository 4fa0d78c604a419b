/**
 * Hop 3, the Pods the selector picks and their readiness: a selector that matches no Pod (with the
 * label values a typo away, the labels a Pod lacks, Pods of another namespace that would match),
 * Pods none of which is ready (why, and the object to fix), or some ready. For a Pod target, the Pod
 * itself, which need not be ready to answer on its IP.
 */
import { matchesServiceSelector } from '../labels.ts';
import type { HopDraft } from '../hops.ts';
import { podHealth } from '../podStatus.ts';
import { plural } from '../sentences.ts';
import { isPodReady, podLine, readiness } from './readiness.ts';
import type { ServiceContext } from './service.ts';
import type { DiagnosisPod, ManifestReference, ReadinessEvent } from './types.ts';
import { flowMap, podManifest, selectorText, similarNames } from './wording.ts';
import { nameOf, nsOf, readinessEventOf } from './world.ts';
import type { World } from './world.ts';

export function selectorHop(world: World, context: ServiceContext): HopDraft {
  const { service, namespace, name, selected, hasSelector } = context;
  const manifest: ManifestReference = { kind: 'Service', namespace, name };
  if (!hasSelector) {
    return {
      status: 'skipped',
      summary: `Service ${namespace}/${name} has no selector: it selects no Pods, and its EndpointSlices are whatever was written by hand.`,
      evidence: [],
    };
  }
  const selector = service.spec?.selector ?? {};
  if (selected.length === 0) {
    const wanted = Object.entries(selector);
    const podsHere = world.podsIn(namespace);
    const evidence = [`Selector: ${selectorText(selector)}.`];
    const elsewhere = world.input.pods.filter(
      (pod) => nsOf(pod) !== namespace && matchesServiceSelector(selector, pod.metadata.labels),
    );
    if (elsewhere.length > 0) {
      evidence.push(
        `Pods in other namespaces match (${elsewhere
          .slice(0, 3)
          .map((pod) => `${nsOf(pod)}/${nameOf(pod)}`)
          .join(', ')}), but a Service selects only Pods of its own namespace.`,
      );
    }
    // What the Pods carry under the selector's keys, and values a typo away from the wanted ones.
    let typo: { key: string; value: string; pod: DiagnosisPod } | undefined;
    for (const [key, value] of wanted) {
      const values = [
        ...new Set(podsHere.map((pod) => pod.metadata.labels?.[key]).filter((v) => v !== undefined)),
      ];
      evidence.push(
        values.length > 0
          ? `Values of ${key} on the Pods of namespace ${namespace}: ${values.sort().join(', ')}.`
          : `No Pod of namespace ${namespace} has a label ${key}.`,
      );
      const near = similarNames(value, values)[0];
      if (near !== undefined && typo === undefined) {
        typo = { key, value: near, pod: podsHere.find((pod) => pod.metadata.labels?.[key] === near)! };
      }
    }
    // Pods that carry some of the wanted labels but not all (a selector with one label too many).
    const partial =
      wanted.length > 1
        ? podsHere.filter((pod) => wanted.some(([key, value]) => pod.metadata.labels?.[key] === value))
        : [];
    for (const pod of partial.slice(0, 3)) {
      const labels = pod.metadata.labels ?? {};
      const missing = wanted
        .filter(([key, value]) => labels[key] !== value)
        .map(([key, value]) => `${key}=${labels[key] ?? '(absent)'} where the selector wants ${value}`);
      evidence.push(`Pod ${nameOf(pod)} has part of the selector, but ${missing.join(', ')}.`);
    }
    let fix: string;
    if (typo !== undefined) {
      fix = `Did you mean ${typo.key}=${typo.value} (Pod ${nameOf(typo.pod)})? Fix the selector of Service ${namespace}/${name}, or the labels of the Pods it is for.`;
    } else if (partial.length > 0) {
      fix = `Remove from the selector of Service ${namespace}/${name} the labels Pod ${nameOf(partial[0]!)} lacks, or add them to the Pods' template.`;
    } else {
      fix = `Deploy the Pods Service ${namespace}/${name} is for, labelled ${flowMap(selector)}, or change its selector to the labels of the Pods it should reach.`;
    }
    return {
      status: 'failed',
      summary: `Service ${namespace}/${name} selects no Pod: no Pod in namespace ${namespace} has the labels ${selectorText(selector)}.`,
      evidence,
      fix,
      manifest,
    };
  }
  const ready = selected.filter(isPodReady);
  const evidence = [
    `Selector: ${selectorText(selector)}.`,
    ...selected.map((pod) => podLine(pod, readinessEventOf(world, pod))),
  ];
  if (ready.length === 0) {
    const first = selected[0]!;
    const why = readiness(first, readinessEventOf(world, first));
    return {
      status: 'failed',
      summary: `Service ${namespace}/${name} selects ${plural(selected.length, 'Pod')} and none is ready, so it has no endpoint to send traffic to: in ${nameOf(first)} (${why.status || 'not ready'}), ${why.reasons[0] ?? 'no container is ready'}.`,
      evidence,
      fix:
        why.fix ??
        `Find out why ${nameOf(first)} is not ready: \`kubectl describe pod -n ${namespace} ${nameOf(first)}\`.`,
      manifest: podManifest(first),
    };
  }
  const notReady = selected.length - ready.length;
  return {
    status: 'passed',
    summary:
      notReady === 0
        ? `Service ${namespace}/${name} selects ${plural(selected.length, 'Pod')}, all ready.`
        : `Service ${namespace}/${name} selects ${plural(selected.length, 'Pod')}, ${ready.length} ready; ${notReady === 1 ? '1 Pod is not ready and gets' : `${notReady} Pods are not ready and get`} no traffic.`,
    evidence,
  };
}

export function targetPodHop(pod: DiagnosisPod, event: ReadinessEvent | undefined): HopDraft {
  const health = podHealth(pod);
  const state = readiness(pod, event);
  const evidence = [podLine(pod, event)];
  if (state.ready) {
    return { status: 'passed', summary: `Pod ${nameOf(pod)} is running and ready.`, evidence };
  }
  if (health.state === 'running-not-ready') {
    return {
      status: 'passed',
      summary: `Pod ${nameOf(pod)} is running but not ready: Services leave it out, but a connection to its IP still reaches it.`,
      evidence,
    };
  }
  return {
    status: 'failed',
    summary: `Pod ${nameOf(pod)} is ${health.reason || health.state}, so nothing in it can answer (${state.reasons[0] ?? 'not running'}).`,
    evidence,
    ...(state.fix === undefined ? {} : { fix: state.fix }),
    manifest: podManifest(pod),
  };
}
