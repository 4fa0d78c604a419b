/**
 * The words of the explorer's GatewayClass items (issue 15), shown under the context beside Nodes
 * (GatewayClasses are cluster-scoped): each class with its controllerName, its Accepted condition
 * in plain words, and the Gateways of the watched namespaces that use it; and what a Gateway's
 * tooltip says of its class. A class no controller has reported on is said to be so (not accepted
 * yet), never taken for accepted; a namespace whose Gateways could not be read is named, not
 * counted as having none.
 *
 * Pure, as `gatewayFormat.ts`: no `vscode`, no network; user data escaped or in code spans.
 * `contextValue`: `gatewayClass`.
 */
import type { Condition, Gateway, GatewayClass } from '../analysis/gateway/index.ts';
import { escapeMarkdown, markdownCode } from '../analysis/markdown.ts';
import type { Presentation } from './format.ts';

/** A class's Accepted condition, as the tree says it. */
export type ClassAcceptance =
  | { readonly state: 'accepted'; readonly stale: boolean }
  | { readonly state: 'refused'; readonly condition: Condition }
  /** No Accepted condition: no controller named by the class has written its status (yet). */
  | { readonly state: 'pending' };

export function classAcceptance(gatewayClass: GatewayClass): ClassAcceptance {
  const accepted = (gatewayClass.status?.conditions ?? []).find((c) => c.type === 'Accepted');
  if (accepted === undefined || accepted.status === 'Unknown') {
    return { state: 'pending' };
  }
  if (accepted.status !== 'True') {
    return { state: 'refused', condition: accepted };
  }
  const generation = gatewayClass.metadata.generation;
  const observed = accepted.observedGeneration;
  return {
    state: 'accepted',
    stale: generation !== undefined && observed !== undefined && observed < generation,
  };
}

function controllerOf(gatewayClass: GatewayClass): string {
  return gatewayClass.spec?.controllerName ?? '(none)';
}

/** The Accepted condition in plain words (Markdown), for a class's tooltip and a Gateway's. */
export function acceptanceWords(gatewayClass: GatewayClass): string {
  const acceptance = classAcceptance(gatewayClass);
  const controller = markdownCode(controllerOf(gatewayClass));
  switch (acceptance.state) {
    case 'accepted':
      return acceptance.stale
        ? `accepted by controller ${controller}, for an earlier version of the class (the controller has not reported on the latest change yet)`
        : `accepted by controller ${controller}`;
    case 'refused': {
      const { reason, message } = acceptance.condition;
      return `not accepted by controller ${controller} (Accepted ${escapeMarkdown(acceptance.condition.status)}${reason ? `, ${escapeMarkdown(reason)}` : ''}${message ? `: ${escapeMarkdown(message)}` : ''}): its Gateways are not served`;
    }
    case 'pending':
      return `not accepted yet: no controller named ${controller} has written its status, so nothing serves its Gateways until one does`;
  }
}

/** The warning a Gateway gets when its class exists and its controller refused it; none otherwise. */
export function classRefusedWarning(gatewayClass: GatewayClass | undefined): string | undefined {
  const acceptance = gatewayClass === undefined ? undefined : classAcceptance(gatewayClass);
  if (acceptance?.state !== 'refused') {
    return undefined;
  }
  const { reason, message } = acceptance.condition;
  return `GatewayClass ${gatewayClass!.metadata.name ?? ''} was not accepted by its controller (Accepted False${reason ? `, ${reason}` : ''}${message ? `: ${message}` : ''}): no controller serves this Gateway`;
}

/** The Gateways of the watched namespaces that use one class, and the namespaces not read. */
export interface ClassUsers {
  readonly gateways: readonly Gateway[];
  /** The watched namespaces whose Gateways could not be read, each with the tree's word (`no access`). */
  readonly unread: readonly { readonly namespace: string; readonly word: string }[];
  readonly watched: readonly string[];
}

export function gatewayClassPresentation(gatewayClass: GatewayClass, users: ClassUsers): Presentation {
  const name = gatewayClass.metadata.name ?? '(unnamed)';
  const acceptance = classAcceptance(gatewayClass);
  const refs = users.gateways
    .map((g) => `${g.metadata.namespace ?? ''}/${g.metadata.name ?? ''}`)
    .sort((a, b) => a.localeCompare(b));
  const count = `${refs.length} Gateway${refs.length === 1 ? '' : 's'}${users.unread.length > 0 ? '+?' : ''}`;
  const state =
    acceptance.state === 'accepted'
      ? 'accepted'
      : acceptance.state === 'refused'
        ? 'not accepted'
        : 'not accepted yet';
  const conditions = gatewayClass.status?.conditions ?? [];
  const blocks = [
    `**GatewayClass** ${markdownCode(name)}`,
    `**Controller:** ${markdownCode(controllerOf(gatewayClass))}`,
    ...(gatewayClass.spec?.description
      ? [`**Description:** ${escapeMarkdown(gatewayClass.spec.description)}`]
      : []),
    `**Accepted:** ${acceptanceWords(gatewayClass)}`,
    conditions.length > 0
      ? `**Conditions**\n\n${conditions
          .map(
            (c) =>
              `- ${markdownCode(c.type)} ${escapeMarkdown(c.status)}${c.reason ? ` (${escapeMarkdown(c.reason)})` : ''}${c.message ? `: ${escapeMarkdown(c.message)}` : ''}`,
          )
          .join('\n')}`
      : '**Conditions:** none written (no controller has reported on it)',
    refs.length > 0
      ? `**Gateways using it** (in the watched namespaces): ${refs.map(markdownCode).join(', ')}`
      : `**Gateways using it:** none in the watched namespaces (${users.watched.map(markdownCode).join(', ') || 'none watched'})`,
    ...users.unread.map(
      ({ namespace, word }) =>
        `**Not known:** the Gateways of namespace ${markdownCode(namespace)} could not be read (${escapeMarkdown(word)}): whether they use this class`,
    ),
  ];
  return {
    label: name,
    description: [controllerOf(gatewayClass), state, count].join(' · '),
    tooltip: blocks.join('\n\n'),
    icon:
      acceptance.state === 'accepted'
        ? { id: 'symbol-class' }
        : { id: 'warning', color: 'list.warningForeground' },
    contextValue: 'gatewayClass',
  };
}

/**
 * A Gateway's class line: the class and what its controller said of it, or, when the class could
 * not be looked up, nothing beyond its name (the "not known" block says why).
 */
export function gatewayClassLine(
  className: string | undefined,
  gatewayClass: GatewayClass | undefined,
): string {
  const named = markdownCode(className ?? '(none)');
  return gatewayClass === undefined
    ? `**Class:** ${named}`
    : `**Class:** ${named}, ${acceptanceWords(gatewayClass)}`;
}
