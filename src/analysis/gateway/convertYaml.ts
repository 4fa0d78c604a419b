/**
 * The text "Convert to Gateway API" writes beside an Ingress: the Gateway (when one was asked
 * for) and the HTTPRoute(s) as YAML documents, headed by comments that spell out what did not
 * carry over (the conversion's notes) and which requests the two route differently, by cause.
 */
import { stringify } from 'yaml';
import type { Ingress } from '../ingress.ts';
import type { IngressConversion } from './convert.ts';
import { groupByCause, groupDifferences } from './convertCompare.ts';
import type { RouteTableComparison } from './convertCompare.ts';

/** Examples shown per cause; the rest are counted. */
const EXAMPLES = 3;

function comment(text: string): string {
  return text
    .split('\n')
    .map((line) => (line === '' ? '#' : `# ${line}`))
    .join('\n');
}

/** The header comment: source, notes, differences by cause. */
export function conversionHeader(
  ingress: Ingress,
  conversion: IngressConversion,
  comparison?: RouteTableComparison,
): string {
  const source = `${ingress.metadata.namespace ?? 'default'}/${ingress.metadata.name ?? '(unnamed)'}`;
  const lines = [`Converted from Ingress ${source} by KubeReach.`];
  if (conversion.notes.length > 0) {
    lines.push('', 'Not carried over as it was:');
    lines.push(...conversion.notes.map((note) => `- ${note.message}`));
  }
  if (comparison !== undefined) {
    lines.push('');
    if (comparison.differences.length === 0) {
      lines.push(
        `All ${comparison.requests.length} generated requests are routed the same by the Ingress and by these routes.`,
      );
    } else {
      lines.push(
        `${comparison.differences.length} of ${comparison.requests.length} generated requests are routed differently (Ingress → HTTPRoute):`,
      );
      for (const group of groupDifferences(comparison)) {
        lines.push(`- ${group.cause}:`);
        lines.push(...group.requests.slice(0, EXAMPLES).map((r) => `    ${r}`));
        if (group.requests.length > EXAMPLES) {
          lines.push(`    … and ${group.requests.length - EXAMPLES} more`);
        }
      }
    }
    const caveats = groupByCause(comparison.sameWithCaveats);
    if (caveats.length > 0) {
      lines.push('', 'Routed to the same backend, but worth knowing:');
      for (const group of caveats) {
        lines.push(
          `- ${group.cause} (${group.requests.length} request${group.requests.length === 1 ? '' : 's'}, e.g. ${group.requests[0]})`,
        );
      }
    }
  }
  return comment(lines.join('\n'));
}

/** The YAML text: the header, then the Gateway (if any) and each HTTPRoute as its own document. */
export function conversionYaml(
  ingress: Ingress,
  conversion: IngressConversion,
  comparison?: RouteTableComparison,
): string {
  const documents = [
    ...(conversion.gateway === undefined ? [] : [conversion.gateway]),
    ...conversion.httpRoutes,
  ].map((object) => stringify(object, { lineWidth: 0 }));
  return `${conversionHeader(ingress, conversion, comparison)}\n${documents.join('---\n')}`;
}
