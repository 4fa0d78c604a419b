/**
 * What the explorer may say about one kind of object (Pods, Services, EndpointSlices, Ingresses) in
 * a watched namespace, or of a cluster-scoped kind (Nodes, IngressClasses). "Loading", "no access" (403), "not served" (404) and "could not be read" are answers of
 * their own, different from "none": the tree shows each as itself and never turns one into a count
 * of zero. Pure: no `vscode`, so the presentations are unit-tested.
 */

/** The cache's answer for one resource of a namespace (`ResourceAccess` in `src/cluster/cache.ts`). */
export interface ResourceAccessInput {
  readonly status: 'syncing' | 'synced' | 'failed' | 'forbidden' | 'unavailable';
  readonly message?: string | undefined;
  /** Whether the objects were listed at least once (a failed watch keeps what it had). */
  readonly listed?: boolean | undefined;
}

export type Knowledge =
  | { readonly state: 'loading' }
  /** Listed; `stale` when the watch has failed since and the objects are the last known ones. */
  | { readonly state: 'known'; readonly stale: boolean }
  | { readonly state: 'forbidden' | 'unavailable' | 'failed'; readonly reason: string };

export function knowledgeOf(access: ResourceAccessInput | undefined): Knowledge {
  switch (access?.status) {
    case undefined:
    case 'syncing':
      return { state: 'loading' };
    case 'synced':
      return { state: 'known', stale: false };
    case 'failed':
      return access.listed === true
        ? { state: 'known', stale: true }
        : { state: 'failed', reason: access.message || 'the list request failed' };
    case 'forbidden':
    case 'unavailable':
      return { state: access.status, reason: access.message || access.status };
  }
}

export function isKnown(knowledge: Knowledge): boolean {
  return knowledge.state === 'known';
}

/** The short word the tree shows instead of a count: `no access`, `loading…`… */
export function unknownWord(knowledge: Knowledge): string {
  switch (knowledge.state) {
    case 'loading':
      return 'loading…';
    case 'forbidden':
      return 'no access';
    case 'unavailable':
      return 'not served';
    case 'failed':
      return 'not read';
    case 'known':
      return knowledge.stale ? 'last known' : '';
  }
}

/** `Pods: no access`, for descriptions where several kinds share a line. */
export function countOrWord(count: number, knowledge: Knowledge, noun: string, nounPlural: string): string {
  return knowledge.state === 'known'
    ? `${count} ${count === 1 ? noun : nounPlural}`
    : `${nounPlural}: ${unknownWord(knowledge)}`;
}

/**
 * The message node shown in place of objects that cannot be listed: a title for the tree and the
 * server's own words for the tooltip. Undefined when the objects are known. `namespace` is
 * undefined for a cluster-scoped kind (Nodes).
 */
export function unreadableMessage(
  knowledge: Knowledge,
  kindPlural: string,
  namespace: string | undefined,
):
  | { readonly text: string; readonly detail: string; readonly severity: 'info' | 'warning' | 'error' }
  | undefined {
  const where = namespace === undefined ? 'in the cluster' : `in namespace ${namespace}`;
  switch (knowledge.state) {
    case 'known':
      return undefined;
    case 'loading':
      return {
        text: 'Loading…',
        detail: `Listing ${kindPlural} ${where}…`,
        severity: 'info',
      };
    case 'forbidden':
      return {
        text: `Forbidden: no access to ${kindPlural}`,
        detail: `This identity may not list ${kindPlural} ${where} (403). The server said: ${knowledge.reason}`,
        severity: 'warning',
      };
    case 'unavailable':
      return {
        text: `Not served: the cluster does not serve ${kindPlural}`,
        detail: `The API server answered 404 for ${kindPlural} ${where}: ${knowledge.reason}`,
        severity: 'info',
      };
    case 'failed':
      return {
        text: `Could not list ${kindPlural}`,
        detail: `Listing ${kindPlural} ${where} failed: ${knowledge.reason}`,
        severity: 'error',
      };
  }
}
