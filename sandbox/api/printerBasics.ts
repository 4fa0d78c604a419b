/**
 * What every server-side printer shares (tables.ts, printersExternal.ts): column definitions, the
 * Name and Age columns, Go's string order, the load-balancer address list of Services and Ingresses.
 */
import type { KubeObject, TableColumnDefinition, TableRowCondition } from './tables.ts';

export const NAME_DOC =
  'Name must be unique within a namespace. Is required when creating resources, although some resources may allow a client to request the generation of an appropriate name automatically. Name is primarily intended for creation idempotence and configuration definition. Cannot be updated. More info: https://kubernetes.io/docs/concepts/overview/working-with-objects/names#names';
export const CREATION_DOC =
  'CreationTimestamp is a timestamp representing the server time when this object was created. It is not guaranteed to be set in happens-before order across separate operations. Clients may not set this value. It is represented in RFC3339 form and is in UTC.\n\nPopulated by the system. Read-only. Null for lists. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#metadata';

export interface Printer {
  readonly columns: readonly TableColumnDefinition[];
  cells(object: KubeObject, now: number): unknown[];
  conditions?(object: KubeObject): readonly TableRowCondition[] | undefined;
}

export function column(
  name: string,
  type: string,
  description: string,
  priority = 0,
  format = '',
): TableColumnDefinition {
  return { name, type, format, description, priority };
}

export const NAME = column('Name', 'string', NAME_DOC, 0, 'name');
export const AGE = column('Age', 'string', CREATION_DOC);

/** Go compares strings bytewise; for the ASCII of label keys that is code-unit order. */
export function compareGoStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * `loadBalancerStatusStringer` (Services) and `ingressLoadBalancerStatusStringer` (Ingresses) in
 * their wide form, as the server prints: each entry's IP, else its hostname, sorted, de-duplicated.
 */
export function loadBalancerAddresses(
  ingress: readonly { readonly ip?: string; readonly hostname?: string }[] | undefined,
): string {
  const result = new Set<string>();
  for (const entry of ingress ?? []) {
    if (entry.ip) {
      result.add(entry.ip);
    } else if (entry.hostname) {
      result.add(entry.hostname);
    }
  }
  return [...result].sort(compareGoStrings).join(',');
}
