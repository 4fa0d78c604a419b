/**
 * The core of a path diagnosis, shared by Pod to Service (diagnosis/) and external access
 * (external/): a hop and its status, the hops in their diagnosis's order with their titles, and the
 * conclusion that names the first failing one with its fix. Each diagnosis brings its own hop ids,
 * titles and evaluations, one module per hop family; what a hop is and how a conclusion reads is
 * decided here once, so that every diagnosis (the next one included) reports alike.
 */
import { lowerFirst, plural } from './sentences.ts';

export type HopStatus = 'passed' | 'failed' | 'unknown' | 'skipped';

/** The object a fix changes; the UI links the workspace manifest that defines it. */
export interface ManifestReference {
  readonly kind: string;
  readonly namespace: string;
  readonly name: string;
}

/** `Id`: the hop family's ids (each diagnosis has its own: `HopId`, `ExternalHopId`). */
export interface Hop<Id extends string = string> {
  readonly id: Id;
  readonly title: string;
  readonly status: HopStatus;
  /** One sentence. */
  readonly summary: string;
  /** Details a user folds open, one fact a line. */
  readonly evidence: readonly string[];
  readonly fix?: string;
  readonly manifest?: ManifestReference;
  /**
   * Why an `unknown` hop cannot be decided from the cluster state, when the cause is one network
   * plugins are known to differ on. `hairpin`: a Pod reaching itself through its own Service, which
   * the Kubernetes rule allows and some plugins subject to policy; the live probe settles it.
   */
  readonly uncertainty?: 'hairpin';
}

export interface Conclusion<Id extends string = string> {
  readonly failedHop?: Id;
  readonly sentence: string;
  readonly fix?: string;
  readonly manifest?: ManifestReference;
}

/** A hop as its evaluation returns it, before the core gives it its id and title. */
export type HopDraft = Omit<Hop, 'id' | 'title'>;

/** A hop with nothing to look at; the summary says why (every hop is shown, even unevaluated). */
export function skipped(summary: string): HopDraft {
  return { status: 'skipped', summary, evidence: [] };
}

/**
 * The hops in the diagnosis's order, each with its title (`retitled` where the target changes what
 * a hop looks at, e.g. "Target Pod" for a Pod target). Only the fields a hop has are copied: a
 * report compares and serialises hops, and an absent fix must stay absent, not `undefined`.
 */
export function orderHops<Id extends string>(
  ids: readonly Id[],
  titles: Readonly<Record<Id, string>>,
  drafts: Readonly<Record<Id, HopDraft>>,
  retitled: Partial<Readonly<Record<Id, string>>> = {},
): Hop<Id>[] {
  return ids.map((id) => {
    const draft = drafts[id];
    return {
      id,
      title: retitled[id] ?? titles[id],
      status: draft.status,
      summary: draft.summary,
      evidence: draft.evidence,
      ...(draft.fix === undefined ? {} : { fix: draft.fix }),
      ...(draft.manifest === undefined ? {} : { manifest: draft.manifest }),
      ...(draft.uncertainty === undefined ? {} : { uncertainty: draft.uncertainty }),
    };
  });
}

/**
 * The conclusion of a list of hops: the first failing hop in one sentence, with its fix and the
 * object to change; else what is known. The Diagnoser calls it again once the probe hop is in.
 */
export function conclude<Id extends string>(
  hops: readonly Hop<Id>[],
  names: { readonly source: string; readonly target: string },
): Conclusion<Id> {
  const failed = hops.find((candidate) => candidate.status === 'failed');
  if (failed !== undefined) {
    return {
      failedHop: failed.id,
      sentence: `${names.source} cannot reach ${names.target} because ${lowerFirst(failed.summary)}`,
      ...(failed.fix === undefined ? {} : { fix: failed.fix }),
      ...(failed.manifest === undefined ? {} : { manifest: failed.manifest }),
    };
  }
  const probe = hops.find((candidate) => candidate.id === 'probe');
  const unknown = hops.filter((candidate) => candidate.status === 'unknown' && candidate.id !== 'probe');
  const caveat =
    unknown.length > 0
      ? ` ${plural(unknown.length, 'hop')} could not be checked (${unknown.map((candidate) => candidate.title.toLowerCase()).join(', ')}).`
      : '';
  if (probe?.status === 'passed') {
    return {
      sentence: `${names.source} reaches ${names.target}: every hop checked passed, and so did the live probe.${caveat}`,
    };
  }
  if (probe?.status === 'unknown') {
    return {
      sentence: `Nothing in the cluster state stops ${names.source} from reaching ${names.target}, but the live probe could not tell: ${lowerFirst(probe.summary)}${caveat}`,
      ...(probe.fix === undefined ? {} : { fix: probe.fix }),
    };
  }
  return {
    sentence: `Nothing in the cluster state stops ${names.source} from reaching ${names.target}.${caveat} Run the live probe to confirm.`,
  };
}
