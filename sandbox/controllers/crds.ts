/**
 * The apiextensions controllers folded into one: the naming controller (NamesAccepted, with the
 * accepted names), the establishing controller (Established), the API-approval condition of
 * protected groups, and the finalizer that deletes every custom resource of a deleted CRD before
 * the CRD itself goes. Serving follows the stored CRD: its versions enter the cluster's registry
 * (routing, discovery, OpenAPI) when it is established and leave it when it is deleted.
 */
import { CRD_CLEANUP_FINALIZER, crdSpec, nameConflict, typesOfCrd } from '../api/customResources.ts';
import type { CrdCondition } from '../api/customResources.ts';
import type { ResourceType } from '../api/resources.ts';
import { resourceKey } from '../api/resources.ts';
import { timestamp } from '../api/store.ts';
import type { ChangeEvent, KubeObject } from '../api/store.ts';
import type { Cluster } from '../cluster.ts';
import { SYSTEM_USER, type } from '../cluster.ts';

const APPROVAL_ANNOTATION = 'api-approved.kubernetes.io';

export class CrdController {
  private readonly cluster: Cluster;
  private readonly unsubscribe: () => void;
  private readonly crdType: ResourceType;

  constructor(cluster: Cluster) {
    this.cluster = cluster;
    this.crdType = type('customresourcedefinitions');
    const key = resourceKey(this.crdType);
    this.unsubscribe = cluster.store.subscribe((event: ChangeEvent) => {
      if (event.resource === key) {
        this.reconcile(event);
      }
    });
  }

  stop(): void {
    this.unsubscribe();
  }

  private reconcile(event: ChangeEvent): void {
    const crd = event.object;
    const name = crd.metadata.name ?? '';
    if (event.type === 'DELETED') {
      this.cluster.resources.setCustom(name, []);
      return;
    }
    if (crd.metadata.deletionTimestamp) {
      // The finalizer runs after the request that set deletionTimestamp has answered.
      setImmediate(() => this.finalize(name));
      return;
    }
    const conflict = nameConflict(crd, this.cluster.resources.all());
    const status = statusOf(crd, conflict);
    if (JSON.stringify(status) !== JSON.stringify(crd.status)) {
      // Written synchronously, so that the next write of the same client may already use the new type.
      this.cluster.update(this.crdType, { ...crd, status }, { subresource: 'status', user: SYSTEM_USER });
    }
    if (conflict === undefined) {
      this.cluster.resources.setCustom(name, typesOfCrd(crd));
    }
  }

  /** Deletes every instance, then lets the CRD go (the cleanup finalizer's work). */
  private finalize(name: string): void {
    const store = this.cluster.store;
    const crd = store.peek(this.crdType, '', name);
    if (!crd?.metadata.deletionTimestamp) {
      return;
    }
    const served = this.cluster.resources.customTypes(name)[0] ?? typesOfCrd(crd)[0];
    if (served) {
      for (const { object } of store.list(served)) {
        if (store.peek(served, object.metadata.namespace ?? '', object.metadata.name ?? '')) {
          store.delete(served, object.metadata.namespace ?? '', object.metadata.name ?? '');
        }
      }
    }
    this.cluster.resources.setCustom(name, []);
    const finalizers = (crd.metadata.finalizers ?? []).filter((f) => f !== CRD_CLEANUP_FINALIZER);
    if (finalizers.length > 0) {
      // Someone else's finalizer holds it: only ours is removed.
      this.cluster.update(
        this.crdType,
        { ...crd, metadata: { ...crd.metadata, finalizers } },
        { user: SYSTEM_USER },
      );
      return;
    }
    store.delete(this.crdType, '', name);
  }
}

/** The status the apiextensions controllers write: accepted names, conditions, stored versions. */
function statusOf(crd: KubeObject, conflict: string | undefined): Record<string, unknown> {
  const spec = crdSpec(crd);
  const names = spec.names ?? {};
  const previous = (crd.status ?? {}) as {
    conditions?: CrdCondition[];
    acceptedNames?: unknown;
    storedVersions?: string[];
  };
  const condition = (
    conditionType: string,
    status: 'True' | 'False',
    reason: string,
    message: string,
  ): CrdCondition => {
    const before = previous.conditions?.find((c) => c.type === conditionType);
    return {
      type: conditionType,
      status,
      lastTransitionTime: before?.status === status ? before.lastTransitionTime : timestamp(),
      reason,
      message,
    };
  };
  const conditions: CrdCondition[] = [];
  if (/(^|\.)(k8s\.io|kubernetes\.io)$/.test(spec.group ?? '')) {
    const approval = crd.metadata.annotations?.[APPROVAL_ANNOTATION];
    conditions.push(
      approval === undefined
        ? condition(
            'KubernetesAPIApprovalPolicyConformant',
            'False',
            'MissingAnnotation',
            `protected groups must have approval annotation "${APPROVAL_ANNOTATION}", see https://github.com/kubernetes/enhancements/pull/1111`,
          )
        : approval.startsWith('unapproved')
          ? condition(
              'KubernetesAPIApprovalPolicyConformant',
              'False',
              'UnapprovedAnnotation',
              `not approved: "${approval}"`,
            )
          : condition(
              'KubernetesAPIApprovalPolicyConformant',
              'True',
              'ApprovedAnnotation',
              `approved in ${approval}`,
            ),
    );
  }
  if (conflict !== undefined) {
    conditions.push(condition('NamesAccepted', 'False', 'NameConflict', conflict));
    conditions.push(condition('Established', 'False', 'NotAccepted', 'not all names are accepted'));
  } else {
    conditions.push(condition('NamesAccepted', 'True', 'NoConflicts', 'no conflicts found'));
    conditions.push(
      condition('Established', 'True', 'InitialNamesAccepted', 'the initial names have been accepted'),
    );
  }
  const storage = spec.versions?.find((v) => v.storage === true)?.name;
  const storedVersions = [...new Set([...(previous.storedVersions ?? []), ...(storage ? [storage] : [])])];
  const acceptedNames =
    conflict !== undefined
      ? (previous.acceptedNames ?? { plural: '', kind: '' })
      : {
          plural: names.plural,
          singular: names.singular ?? (names.kind ?? '').toLowerCase(),
          ...(names.shortNames ? { shortNames: names.shortNames } : {}),
          kind: names.kind,
          listKind: names.listKind ?? `${names.kind ?? ''}List`,
          ...(names.categories ? { categories: names.categories } : {}),
        };
  return { conditions, acceptedNames, storedVersions };
}
