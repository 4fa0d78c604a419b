/**
 * The vocabulary of "Diagnose Connectivity", as plain JSON-safe data for the webview: the report
 * (the static hops of `src/analysis/diagnosis/` with the live probe laid over them) and the
 * policy matrix. No network, no `vscode`.
 */
import type { StaticDiagnosis } from '../analysis/diagnosis/index.ts';
import type { Protocol } from '../analysis/k8s.ts';
import type { KubernetesRule, PolicyOutcome } from '../analysis/networkPolicy.ts';
import type { WorkloadOwner } from '../analysis/workloadGroups.ts';
import type { ProbeResult, ProbeVerdict } from '../probe/types.ts';

export type {
  Backend,
  Conclusion,
  DiagnosisTarget,
  Hop,
  HopId,
  HopStatus,
  ManifestReference,
  ProbePlan,
  ResolvedTarget,
  StaticDiagnosis,
} from '../analysis/diagnosis/index.ts';

/** One live probe of a diagnosis. */
export interface DiagnosisProbe {
  /** `target`: the target as the application addresses it (the Service name, the DNS name, the Pod IP); `pod`: one backing Pod directly, on its resolved targetPort. */
  readonly role: 'target' | 'pod';
  readonly label: string;
  /** For `pod` probes (and a Pod target): which Pod, and whether it is ready. */
  readonly pod?: {
    readonly namespace: string;
    readonly name: string;
    readonly ip: string;
    readonly port: number;
    readonly ready: boolean;
  };
  readonly result: ProbeResult;
}

export interface DiagnosisTimings {
  /** Reading the cache and the static hops. */
  readonly staticMs: number;
  /** The live probes (run concurrently), 0 without them. */
  readonly probeMs: number;
  readonly totalMs: number;
}

/** A full diagnosis: the static hops, the probe hop filled in, and the conclusion drawn from both. */
export interface DiagnosisReport extends StaticDiagnosis {
  /** The context the diagnosis ran against, for the report's heading. */
  readonly context?: string;
  readonly probes: readonly DiagnosisProbe[];
  readonly timings: DiagnosisTimings;
  /** ISO 8601. */
  readonly startedAt: string;
  /** The signal aborted before the probes finished. */
  readonly cancelled: boolean;
}

/** Where a diagnosis starts: a Pod and, optionally, the container to probe from. */
export interface DiagnosisSource {
  readonly namespace: string;
  readonly pod: string;
  readonly container?: string;
}

// --- the policy matrix ------------------------------------------------------------------------

/** What one direction of NetworkPolicy says about a pair. */
export interface PolicySide {
  readonly allowed: boolean;
  readonly outcome: PolicyOutcome;
  /** Set when a rule of Kubernetes, not a policy, allowed it: the Pod itself, or its own node. */
  readonly allowedByKubernetes?: KubernetesRule;
  /** Whether some policy selects the Pod for this direction. */
  readonly isolated: boolean;
  /** The policy whose rule admitted the connection (`ns/name`), when isolated and allowed. */
  readonly policy?: string;
  /** The rule that admitted it: `ingress[0].from[1].ports[0]`. */
  readonly rule?: string;
  /** The policies isolating the Pod for this direction. */
  readonly isolatedBy: readonly string[];
}

export interface PolicyMatrixCell {
  /** `ns/name` of the source and the destination. */
  readonly source: string;
  readonly destination: string;
  readonly port: number;
  readonly protocol: Protocol;
  /** True for `uncertain` too (what the Kubernetes documentation says). */
  readonly allowed: boolean;
  /** `uncertain` where network plugins are known to differ; only a probe tells. */
  readonly outcome: PolicyOutcome;
  readonly egress: PolicySide;
  readonly ingress: PolicySide;
  /** The policy that decided: the admitting one, or the first isolating one of the side that denies; absent when no policy is involved or a rule of Kubernetes decided. */
  readonly deciding?: string;
  /** A sentence (the evaluator's reason). */
  readonly reason: string;
  /** In a matrix grouped by workload: how many ordered pairs of two different Pods the cell stands for. */
  readonly pairs?: number;
}

export interface PolicyMatrixPod {
  readonly namespace: string;
  readonly name: string;
  readonly ip?: string;
  /** The port evaluated for connections to this Pod. */
  readonly port: number;
  /** Whether `port` is declared by the Pod (else it is the matrix's default port). */
  readonly declared: boolean;
  /**
   * In a matrix grouped by workload: the Pods this row and column stand for (the first is the one
   * above), their owner (absent for a Pod without one), and why the owner's Pods are in more than
   * one row, if they are (`ipBlock`: their IPs fall in different ipBlocks of the policies; `node`:
   * their nodes differ and host-network Pods are in the matrix).
   */
  readonly workload?: {
    readonly owner?: WorkloadOwner;
    readonly pods: readonly { readonly name: string; readonly ip?: string }[];
    readonly split?: 'ipBlock' | 'node';
  };
}

export interface PolicyMatrix {
  /** Rows and columns, in the same order. */
  readonly pods: readonly PolicyMatrixPod[];
  /** cells[row = source][column = destination]. */
  readonly cells: readonly (readonly PolicyMatrixCell[])[];
  /** Every policy that isolated or admitted something in the matrix (`ns/name`), sorted. */
  readonly policies: readonly string[];
  readonly protocol: Protocol;
  /** `workload`: rows and columns stand for workloads (`PolicyMatrixPod.workload`). */
  readonly groupBy?: 'pod' | 'workload';
}

export type Agreement =
  /** The probe did what the policies say. */
  | 'agree'
  /** The probe contradicts the policies (see `explanation`). */
  | 'disagree'
  /** The probe could not tell (no tool, exec failed, cancelled, DNS, another error). */
  | 'inconclusive'
  /** No probe result for this pair. */
  | 'not-probed';

export interface OverlayCell extends PolicyMatrixCell {
  readonly probe?: {
    readonly verdict: ProbeVerdict;
    readonly reachable: boolean;
    readonly message: string;
    readonly elapsedMs: number;
  };
  readonly agreement: Agreement;
  /** Why it disagrees or could not tell. */
  readonly explanation?: string;
}

export interface PolicyOverlay {
  readonly pods: readonly PolicyMatrixPod[];
  readonly cells: readonly (readonly OverlayCell[])[];
  readonly policies: readonly string[];
  readonly protocol: Protocol;
  readonly disagreements: readonly OverlayCell[];
  /**
   * Probed pairs the policies deny, all of which the probe reached: the signature of a network
   * plugin that does not enforce NetworkPolicy (kubenet, flannel alone, a CNI without policy support).
   */
  readonly policiesNotEnforced: boolean;
  /** One or two sentences: how many pairs agree, disagree, and what that suggests. */
  readonly summary: string;
}
