/**
 * Words that YAML 1.2 (this analysis, and most editors) reads as strings but YAML 1.1 reads as
 * booleans: `yes`, `no`, `on`, `off`, `y`, `n` in any of their spellings. kubectl and the API
 * server read manifests with a YAML 1.1 parser (sigs.k8s.io/yaml over go-yaml), so an unquoted
 * `country: NO` in a selector arrives as `false` and is rejected: label values are strings.
 */
import { isMap, isScalar } from 'yaml';
import { isRecord, locate } from './document.ts';
import type { ManifestObject, Path } from './document.ts';
import type { DiagnosticCode } from './codes.ts';
import type { Finding } from './findings.ts';

const YAML11_BOOLEANS = /^(?:y|Y|yes|Yes|YES|n|N|no|No|NO|on|On|ON|off|Off|OFF)$/;
const TRUE_WORDS = /^(?:y|yes|on)$/i;

/** Findings for the plain scalars of label maps (at these paths) that YAML 1.1 reads as booleans. */
export function yaml11BooleanFindings(
  object: ManifestObject,
  maps: readonly Path[],
  code: DiagnosticCode,
): Finding[] {
  const findings: Finding[] = [];
  for (const path of maps) {
    const located = locate(object.document, [...object.root, ...path]);
    if (located === undefined || located.alias || !isMap(located.value)) {
      continue;
    }
    for (const pair of located.value.items) {
      const key = isScalar(pair.key) ? pair.key.value : undefined;
      const value = pair.value;
      if (
        typeof key !== 'string' ||
        !isScalar(value) ||
        value.type !== 'PLAIN' ||
        typeof value.value !== 'string' ||
        !YAML11_BOOLEANS.test(value.value)
      ) {
        continue;
      }
      findings.push({
        code,
        message: `The value ${value.value} of "${key}" is a boolean (${TRUE_WORDS.test(value.value) ? 'true' : 'false'}) to kubectl and the API server, which read YAML 1.1, but label values are strings: quote it.`,
        at: { path: [...path, key] },
        fixes: [
          { kind: 'quote-value', title: `Quote ${value.value}`, path: [...path, key], preferred: true },
        ],
      });
    }
  }
  return findings;
}

/** The label maps of a NetworkPolicy: its podSelector's and its peers' matchLabels. */
export function policyLabelMaps(value: Readonly<Record<string, unknown>>): Path[] {
  const maps: Path[] = [['spec', 'podSelector', 'matchLabels']];
  const spec = isRecord(value.spec) ? value.spec : {};
  for (const [direction, peersKey] of [
    ['ingress', 'from'],
    ['egress', 'to'],
  ] as const) {
    const rules = spec[direction];
    if (!Array.isArray(rules)) {
      continue;
    }
    rules.forEach((rule: unknown, ruleIndex: number) => {
      const peers = isRecord(rule) ? rule[peersKey] : undefined;
      if (!Array.isArray(peers)) {
        return;
      }
      peers.forEach((_peer: unknown, peerIndex: number) => {
        for (const selector of ['podSelector', 'namespaceSelector']) {
          maps.push(['spec', direction, ruleIndex, peersKey, peerIndex, selector, 'matchLabels']);
        }
      });
    });
  }
  return maps;
}
