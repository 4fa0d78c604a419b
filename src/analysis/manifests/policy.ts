/**
 * Static checks of a NetworkPolicy manifest (KR2xxx), after ValidateNetworkPolicy in
 * k8s.io/kubernetes pkg/apis/networking/validation and the API reference.
 */
import { parseCidr } from '../cidr.ts';
import { validateLabelKey, validateLabelValue } from '../labels.ts';
import { isValidPortNumber, validatePortName } from '../ports.ts';
import { isRecord } from './document.ts';
import type { Path } from './document.ts';
import {
  EGRESS_RULE_FIELDS,
  INGRESS_RULE_FIELDS,
  IP_BLOCK_FIELDS,
  LABEL_SELECTOR_FIELDS,
  NETWORK_POLICY_SPEC_FIELDS,
  PEER_FIELDS,
  POLICY_PORT_FIELDS,
  POLICY_TYPES,
  SELECTOR_OPERATORS,
  SELECTOR_REQUIREMENT_FIELDS,
} from './fields.ts';
import { listWords } from './findings.ts';
import type { Finding, FixSpec } from './findings.ts';
import { describeValue, objectFieldFindings, protocolFinding, unknownFields } from './service.ts';
import { didYouMean } from './suggest.ts';

export function checkNetworkPolicy(value: Readonly<Record<string, unknown>>, isPatch: boolean): Finding[] {
  const findings: Finding[] = objectFieldFindings(value, 'KR2008', 'NetworkPolicy');
  const spec = value.spec;
  if (!isRecord(spec)) {
    if (!isPatch) {
      findings.push({
        code: 'KR2001',
        message:
          'This NetworkPolicy has no spec: it selects every Pod in its namespace and isolates them for ingress, admitting nothing. Add spec.podSelector ({} to mean every Pod) and rules.',
        at: { path: ['kind'], part: 'key' },
      });
    }
    return findings;
  }
  findings.push(
    ...unknownFields(spec, ['spec'], NETWORK_POLICY_SPEC_FIELDS, 'KR2008', 'a NetworkPolicy spec'),
  );

  if (spec.podSelector === undefined || spec.podSelector === null) {
    if (!isPatch) {
      findings.push({
        code: 'KR2001',
        message:
          'spec.podSelector is missing, which the API reads as {} (every Pod in the namespace). Write podSelector: {} if that is meant, or select the Pods this policy is for.',
        at: { path: ['spec'], part: 'key' },
        fixes: [
          {
            kind: 'insert-pair',
            title: 'Select every Pod explicitly (podSelector: {})',
            mapPath: ['spec'],
            key: 'podSelector',
            value: '{}',
            first: true,
          },
        ],
      });
    }
  } else {
    findings.push(...checkLabelSelector(spec.podSelector, ['spec', 'podSelector']));
  }

  // policyTypes
  const declaredTypes = new Set<string>();
  if (spec.policyTypes !== undefined && spec.policyTypes !== null) {
    if (!Array.isArray(spec.policyTypes)) {
      findings.push({
        code: 'KR2002',
        message: `policyTypes must be a list holding Ingress, Egress or both, not ${describeValue(spec.policyTypes)}.`,
        at: { path: ['spec', 'policyTypes'] },
      });
    } else {
      if (spec.policyTypes.length > 2) {
        findings.push({
          code: 'KR2002',
          message: 'policyTypes may hold at most two entries: Ingress and Egress.',
          at: { path: ['spec', 'policyTypes'], part: 'key' },
        });
      }
      spec.policyTypes.forEach((type: unknown, index: number) => {
        const path = ['spec', 'policyTypes', index];
        if (typeof type === 'string' && POLICY_TYPES.includes(type)) {
          declaredTypes.add(type);
          return;
        }
        const suggestion = typeof type === 'string' ? didYouMean(type, POLICY_TYPES) : undefined;
        findings.push({
          code: 'KR2002',
          message: `policyTypes entry ${describeValue(type)} is not valid: use Ingress or Egress (capitalised).`,
          at: { path },
          ...(suggestion === undefined
            ? {}
            : {
                fixes: [
                  {
                    kind: 'replace-value',
                    title: `Change to ${suggestion}`,
                    path,
                    text: suggestion,
                    preferred: true,
                  } satisfies FixSpec,
                ],
              }),
        });
      });
    }
  }

  for (const direction of ['ingress', 'egress'] as const) {
    const rules = spec[direction];
    if (rules === undefined || rules === null) {
      continue;
    }
    if (!Array.isArray(rules)) {
      findings.push({
        code: 'KR2008',
        message: `${direction} must be a list of rules, not ${describeValue(rules)}.`,
        at: { path: ['spec', direction] },
      });
      continue;
    }
    const type = direction === 'ingress' ? 'Ingress' : 'Egress';
    if (declaredTypes.size > 0 && !declaredTypes.has(type) && rules.length > 0) {
      findings.push({
        code: 'KR2011',
        message: `These ${direction} rules have no effect: policyTypes does not list ${type}. Add ${type} to policyTypes, or remove the rules.`,
        at: { path: ['spec', direction], part: 'key' },
      });
    }
    rules.forEach((rule: unknown, index: number) => {
      findings.push(...checkRule(direction, rule, ['spec', direction, index]));
    });
  }
  return findings;
}

function checkRule(direction: 'ingress' | 'egress', rule: unknown, path: Path): Finding[] {
  if (rule === null) {
    // `- {}` and an empty item both mean "every peer, every port".
    return [];
  }
  if (!isRecord(rule)) {
    return [
      {
        code: 'KR2008',
        message: `Each ${direction} rule is a mapping (with ${direction === 'ingress' ? 'from' : 'to'} and ports), not ${describeValue(rule)}.`,
        at: { path },
      },
    ];
  }
  const peersKey = direction === 'ingress' ? 'from' : 'to';
  const findings = unknownFields(
    rule,
    path,
    direction === 'ingress' ? INGRESS_RULE_FIELDS : EGRESS_RULE_FIELDS,
    'KR2008',
    `a NetworkPolicy ${direction} rule`,
  );
  const peers = rule[peersKey];
  if (Array.isArray(peers)) {
    peers.forEach((peer: unknown, index: number) =>
      findings.push(...checkPeer(peer, [...path, peersKey, index])),
    );
  } else if (peers !== undefined && peers !== null) {
    findings.push({
      code: 'KR2010',
      message: `${peersKey} must be a list of peers, not ${describeValue(peers)}.`,
      at: { path: [...path, peersKey] },
    });
  }
  const ports = rule.ports;
  if (Array.isArray(ports)) {
    ports.forEach((port: unknown, index: number) =>
      findings.push(...checkPolicyPort(port, [...path, 'ports', index])),
    );
  } else if (ports !== undefined && ports !== null) {
    findings.push({
      code: 'KR2004',
      message: `ports must be a list, not ${describeValue(ports)}.`,
      at: { path: [...path, 'ports'] },
    });
  }
  return findings;
}

function checkPeer(peer: unknown, path: Path): Finding[] {
  if (!isRecord(peer) || Object.keys(peer).length === 0) {
    return [
      {
        code: 'KR2010',
        message:
          'An empty peer is rejected: give it a podSelector, a namespaceSelector (or both), or an ipBlock. To admit every peer, leave out from/to altogether.',
        at: { path },
      },
    ];
  }
  const findings = unknownFields(peer, path, PEER_FIELDS, 'KR2008', 'a NetworkPolicy peer');
  const hasSelectors = peer.podSelector != null || peer.namespaceSelector != null;
  if (peer.ipBlock != null && hasSelectors) {
    findings.push({
      code: 'KR2010',
      message:
        'ipBlock cannot be combined with podSelector or namespaceSelector in one peer: make them two peers (two "-" entries).',
      at: { path: [...path, 'ipBlock'], part: 'key' },
    });
  }
  if (peer.podSelector != null) {
    findings.push(...checkLabelSelector(peer.podSelector, [...path, 'podSelector']));
  }
  if (peer.namespaceSelector != null) {
    findings.push(...checkLabelSelector(peer.namespaceSelector, [...path, 'namespaceSelector']));
  }
  if (peer.ipBlock != null) {
    findings.push(...checkIpBlock(peer.ipBlock, [...path, 'ipBlock']));
  }
  return findings;
}

function checkIpBlock(block: unknown, path: Path): Finding[] {
  if (!isRecord(block)) {
    return [
      {
        code: 'KR2006',
        message: `ipBlock is a mapping with cidr (and except), not ${describeValue(block)}.`,
        at: { path },
      },
    ];
  }
  const findings = unknownFields(block, path, IP_BLOCK_FIELDS, 'KR2008', 'an ipBlock');
  const cidr = typeof block.cidr === 'string' ? parseCidr(block.cidr) : undefined;
  if (block.cidr === undefined || block.cidr === null) {
    findings.push({
      code: 'KR2006',
      message: 'ipBlock needs a cidr, such as 10.0.0.0/16 (0.0.0.0/0 for every IPv4 address).',
      at: { path, part: 'key' },
    });
  } else if (cidr === undefined) {
    findings.push({
      code: 'KR2006',
      message: `cidr ${describeValue(block.cidr)} is not a valid CIDR block: write an address and a prefix length, such as 10.0.0.0/16 or fd00::/8.`,
      at: { path: [...path, 'cidr'] },
    });
  }
  const except = block.except;
  if (except !== undefined && except !== null && !Array.isArray(except)) {
    findings.push({
      code: 'KR2006',
      message: `except must be a list of CIDR blocks, not ${describeValue(except)}.`,
      at: { path: [...path, 'except'] },
    });
    return findings;
  }
  (except ?? []).forEach((entry: unknown, index: number) => {
    const entryPath = [...path, 'except', index];
    const parsed = typeof entry === 'string' ? parseCidr(entry) : undefined;
    if (parsed === undefined) {
      findings.push({
        code: 'KR2006',
        message: `except entry ${describeValue(entry)} is not a valid CIDR block.`,
        at: { path: entryPath },
      });
      return;
    }
    if (cidr === undefined) {
      return;
    }
    const inside =
      parsed.family === cidr.family &&
      parsed.prefix > cidr.prefix &&
      parsed.network.every((byte, i) => {
        const bits = Math.max(0, Math.min(8, cidr.prefix - i * 8));
        const mask = (0xff << (8 - bits)) & 0xff;
        return (byte & mask) === (cidr.network[i] ?? 0);
      });
    if (!inside) {
      findings.push({
        code: 'KR2007',
        message:
          parsed.family !== cidr.family
            ? `except ${String(entry)} is ${parsed.family === 4 ? 'IPv4' : 'IPv6'} but cidr ${String(block.cidr)} is not: except must lie strictly inside cidr.`
            : `except ${String(entry)} is not strictly inside cidr ${String(block.cidr)}: the API server rejects an except that is not a smaller block within cidr.`,
        at: { path: entryPath },
      });
    }
  });
  return findings;
}

function checkPolicyPort(port: unknown, path: Path): Finding[] {
  if (!isRecord(port)) {
    return [
      {
        code: 'KR2004',
        message: `Each ports entry is a mapping with protocol, port and endPort, not ${describeValue(port)}.`,
        at: { path },
      },
    ];
  }
  const findings = unknownFields(port, path, POLICY_PORT_FIELDS, 'KR2008', 'a NetworkPolicy port');
  const protocol = protocolFinding('KR2003', [...path, 'protocol'], port.protocol);
  if (protocol) {
    findings.push(protocol);
  }
  const value = port.port;
  let numeric: number | undefined;
  if (typeof value === 'number') {
    if (isValidPortNumber(value)) {
      numeric = value;
    } else {
      findings.push({
        code: 'KR2004',
        message: `port ${value} must be an integer from 1 to 65535, or the name of a container port.`,
        at: { path: [...path, 'port'] },
      });
    }
  } else if (typeof value === 'string') {
    if (/^[0-9]+$/.test(value)) {
      findings.push({
        code: 'KR2004',
        message: `port "${value}" is a string, so it is read as a port name, and a name needs a letter: write ${Number(value)} without quotes.`,
        at: { path: [...path, 'port'] },
        ...(isValidPortNumber(Number(value))
          ? {
              fixes: [
                {
                  kind: 'replace-value',
                  title: `Change to ${Number(value)}`,
                  path: [...path, 'port'],
                  text: String(Number(value)),
                  preferred: true,
                } satisfies FixSpec,
              ],
            }
          : {}),
      });
    } else {
      const errors = validatePortName(value);
      if (errors.length > 0) {
        findings.push({
          code: 'KR2004',
          message: `port "${value}" is not a valid port name (an IANA service name): it ${listWords(errors, 5)}.`,
          at: { path: [...path, 'port'] },
        });
      }
    }
  } else if (value !== undefined && value !== null) {
    findings.push({
      code: 'KR2004',
      message: `port must be a port number or the name of a container port, not ${describeValue(value)}.`,
      at: { path: [...path, 'port'] },
    });
  }

  const endPort = port.endPort;
  if (endPort !== undefined && endPort !== null) {
    const at = { path: [...path, 'endPort'] };
    if (typeof endPort !== 'number' || !isValidPortNumber(endPort)) {
      findings.push({
        code: 'KR2005',
        message: `endPort ${describeValue(endPort)} must be an integer from 1 to 65535.`,
        at,
      });
    } else if (value === undefined || value === null) {
      findings.push({
        code: 'KR2005',
        message: 'endPort needs a numeric port: the range is port to endPort.',
        at,
      });
    } else if (typeof value === 'string') {
      findings.push({
        code: 'KR2005',
        message: `endPort cannot follow a named port ("${value}"): a range needs a numeric port.`,
        at,
      });
    } else if (numeric !== undefined && endPort < numeric) {
      findings.push({
        code: 'KR2005',
        message: `endPort ${endPort} is smaller than port ${numeric}: the range is port to endPort, inclusive.`,
        at,
      });
    }
  }
  return findings;
}

/** A metav1.LabelSelector's shape, keys and values, as LabelSelectorAsSelector and validation see them. */
export function checkLabelSelector(selector: unknown, path: Path): Finding[] {
  if (!isRecord(selector)) {
    return [
      {
        code: 'KR2009',
        message: `A label selector is a mapping with matchLabels and/or matchExpressions ({} selects everything), not ${describeValue(selector)}.`,
        at: { path },
      },
    ];
  }
  const findings = unknownFields(selector, path, LABEL_SELECTOR_FIELDS, 'KR2008', 'a label selector');
  const matchLabels = selector.matchLabels;
  if (matchLabels !== undefined && matchLabels !== null) {
    if (!isRecord(matchLabels)) {
      findings.push({
        code: 'KR2009',
        message: `matchLabels is a mapping of label keys to values, not ${describeValue(matchLabels)}.`,
        at: { path: [...path, 'matchLabels'] },
      });
    } else {
      for (const [key, value] of Object.entries(matchLabels)) {
        findings.push(...labelPairFindings(key, value, [...path, 'matchLabels', key]));
      }
    }
  }
  const expressions = selector.matchExpressions;
  if (expressions !== undefined && expressions !== null) {
    if (!Array.isArray(expressions)) {
      findings.push({
        code: 'KR2009',
        message: `matchExpressions is a list of requirements, not ${describeValue(expressions)}.`,
        at: { path: [...path, 'matchExpressions'] },
      });
    } else {
      expressions.forEach((expression: unknown, index: number) => {
        findings.push(...checkRequirement(expression, [...path, 'matchExpressions', index]));
      });
    }
  }
  return findings;
}

function labelPairFindings(key: string, value: unknown, path: Path): Finding[] {
  const findings: Finding[] = [];
  const keyErrors = validateLabelKey(key);
  if (keyErrors.length > 0) {
    findings.push({
      code: 'KR2009',
      message: `Invalid label key "${key}": ${keyErrors.join('; ')}.`,
      at: { path, part: 'key' },
    });
  }
  if (typeof value === 'number' || typeof value === 'boolean') {
    findings.push({
      code: 'KR2009',
      message: `The value of "${key}" is read as a ${typeof value}, but label values are strings: quote it.`,
      at: { path },
      fixes: [{ kind: 'quote-value', title: 'Quote the value', path, preferred: true }],
    });
  } else if (typeof value !== 'string') {
    findings.push({
      code: 'KR2009',
      message: `The value of "${key}" is ${describeValue(value)}, but label values are strings.`,
      at: { path },
    });
  } else {
    const valueErrors = validateLabelValue(value);
    if (valueErrors.length > 0) {
      findings.push({
        code: 'KR2009',
        message: `Invalid label value "${value}" for "${key}": ${valueErrors.join('; ')}.`,
        at: { path },
      });
    }
  }
  return findings;
}

function checkRequirement(expression: unknown, path: Path): Finding[] {
  if (!isRecord(expression)) {
    return [
      {
        code: 'KR2009',
        message: `Each matchExpressions entry is a mapping with key, operator and values, not ${describeValue(expression)}.`,
        at: { path },
      },
    ];
  }
  const findings = unknownFields(
    expression,
    path,
    SELECTOR_REQUIREMENT_FIELDS,
    'KR2008',
    'a selector requirement',
  );
  const { key, operator, values } = expression;
  if (typeof key !== 'string' || key === '') {
    findings.push({ code: 'KR2009', message: 'This requirement has no key.', at: { path } });
  } else {
    const keyErrors = validateLabelKey(key);
    if (keyErrors.length > 0) {
      findings.push({
        code: 'KR2009',
        message: `Invalid label key "${key}": ${keyErrors.join('; ')}.`,
        at: { path: [...path, 'key'] },
      });
    }
  }
  if (typeof operator !== 'string' || !SELECTOR_OPERATORS.includes(operator)) {
    const suggestion = typeof operator === 'string' ? didYouMean(operator, SELECTOR_OPERATORS) : undefined;
    findings.push({
      code: 'KR2009',
      message: `operator ${describeValue(operator)} is not valid: use In, NotIn, Exists or DoesNotExist.`,
      at: operator === undefined ? { path } : { path: [...path, 'operator'] },
      ...(suggestion === undefined || operator === undefined
        ? {}
        : {
            fixes: [
              {
                kind: 'replace-value',
                title: `Change to ${suggestion}`,
                path: [...path, 'operator'],
                text: suggestion,
                preferred: true,
              } satisfies FixSpec,
            ],
          }),
    });
    return findings;
  }
  const list = Array.isArray(values) ? values : values === undefined || values === null ? [] : undefined;
  if (list === undefined) {
    findings.push({
      code: 'KR2009',
      message: `values must be a list of strings, not ${describeValue(values)}.`,
      at: { path: [...path, 'values'] },
    });
    return findings;
  }
  if ((operator === 'In' || operator === 'NotIn') && list.length === 0) {
    findings.push({
      code: 'KR2009',
      message: `${operator} needs at least one value.`,
      at: { path: [...path, 'operator'] },
    });
  }
  if ((operator === 'Exists' || operator === 'DoesNotExist') && list.length > 0) {
    findings.push({
      code: 'KR2009',
      message: `${operator} takes no values: remove values.`,
      at: { path: [...path, 'values'], part: 'key' },
    });
  }
  list.forEach((value: unknown, index: number) => {
    if (typeof value !== 'string') {
      findings.push({
        code: 'KR2009',
        message: `Requirement values are strings; ${describeValue(value)} must be quoted.`,
        at: { path: [...path, 'values', index] },
      });
    } else {
      const errors = validateLabelValue(value);
      if (errors.length > 0) {
        findings.push({
          code: 'KR2009',
          message: `Invalid label value "${value}": ${errors.join('; ')}.`,
          at: { path: [...path, 'values', index] },
        });
      }
    }
  });
  return findings;
}
