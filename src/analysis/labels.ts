/**
 * Label and field selectors with the semantics of k8s.io/apimachinery (pkg/labels, pkg/fields,
 * pkg/api/validate/content), so that what KubeReach says a selector picks is what the API server
 * and the controllers pick. Error messages are worded like the API server's, because users paste
 * them into searches and compare them with what kubectl printed.
 */
import type { LabelSelector, Labels } from './k8s.ts';

/** apimachinery's selection.Operator values, spelled as it spells them. */
export type SelectionOperator = '=' | '==' | '!=' | 'in' | 'notin' | 'exists' | '!' | 'gt' | 'lt';

export interface LabelRequirement {
  readonly key: string;
  readonly operator: SelectionOperator;
  /** Sorted and without duplicates (apimachinery keeps a string set); empty for `exists` and `!`. */
  readonly values: readonly string[];
}

export interface FieldRequirement {
  readonly field: string;
  /** `==` is read as `=`, as apimachinery's field selectors do. */
  readonly operator: '=' | '!=';
  readonly value: string;
}

/**
 * What a selector that is not there at all selects. The API means two different things by it:
 * metav1.LabelSelectorAsSelector turns a nil selector into "nothing", while a NetworkPolicy's
 * required `podSelector`, when a manifest leaves it out, is the empty selector (every pod).
 */
export type AbsentSelector = 'matches-nothing' | 'matches-everything';

// ---------------------------------------------------------------------------------------------
// Validation (content.IsLabelKey / content.IsLabelValue)

const LABEL_KEY_FMT = '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]';
const LABEL_KEY_ERR =
  "must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character";
const LABEL_KEY_RE = new RegExp(`^${LABEL_KEY_FMT}$`);
const LABEL_KEY_MAX = 63;

const LABEL_VALUE_FMT = `(${LABEL_KEY_FMT})?`;
const LABEL_VALUE_ERR =
  "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character";
const LABEL_VALUE_RE = new RegExp(`^${LABEL_VALUE_FMT}$`);
const LABEL_VALUE_MAX = 63;

const DNS1123_LABEL_FMT = '[a-z0-9]([-a-z0-9]*[a-z0-9])?';
const DNS1123_SUBDOMAIN_FMT = `${DNS1123_LABEL_FMT}(\\.${DNS1123_LABEL_FMT})*`;
const DNS1123_SUBDOMAIN_ERR =
  "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character";
const DNS1123_SUBDOMAIN_RE = new RegExp(`^${DNS1123_SUBDOMAIN_FMT}$`);
const DNS1123_SUBDOMAIN_MAX = 253;

const utf8 = new TextEncoder();

/** Go measures strings in bytes; a multi-byte character must count as what it costs on the wire. */
function byteLength(text: string): number {
  return utf8.encode(text).length;
}

function maxLenError(length: number): string {
  return `must be no more than ${length} bytes`;
}

function regexError(message: string, regex: string, ...examples: string[]): string {
  if (examples.length === 0) {
    return `${message} (regex used for validation is '${regex}')`;
  }
  // The doubled space before "or" is apimachinery's, kept so messages compare equal.
  const shown = examples.map((example) => `'${example}', `).join(' or ');
  return `${message} (e.g. ${shown}regex used for validation is '${regex}')`;
}

function dns1123SubdomainErrors(value: string): string[] {
  const errors: string[] = [];
  if (byteLength(value) > DNS1123_SUBDOMAIN_MAX) {
    errors.push(maxLenError(DNS1123_SUBDOMAIN_MAX));
  }
  if (!DNS1123_SUBDOMAIN_RE.test(value)) {
    errors.push(regexError(DNS1123_SUBDOMAIN_ERR, DNS1123_SUBDOMAIN_FMT, 'example.com'));
  }
  return errors;
}

/**
 * Checks a label key (a "qualified name": an optional DNS-1123 subdomain prefix of at most 253
 * bytes and '/', then a name of at most 63 bytes). Returns apimachinery's messages; empty if valid.
 * The wording is current apimachinery's; API servers before it said "a qualified name" where this
 * says "a valid label key", and counted "characters" where it counts "bytes".
 */
export function validateLabelKey(key: string): string[] {
  const errors: string[] = [];
  const parts = key.split('/');
  let name: string;
  if (parts.length === 1) {
    name = parts[0] ?? '';
  } else if (parts.length === 2) {
    const prefix = parts[0] ?? '';
    name = parts[1] ?? '';
    if (prefix.length === 0) {
      errors.push('prefix part must be non-empty');
    } else {
      errors.push(...dns1123SubdomainErrors(prefix).map((message) => `prefix part ${message}`));
    }
  } else {
    return [
      `a valid label key ${regexError(LABEL_KEY_ERR, LABEL_KEY_FMT, 'MyName', 'my.name', '123-abc')} with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')`,
    ];
  }
  if (name.length === 0) {
    errors.push('name part must be non-empty');
  } else if (byteLength(name) > LABEL_KEY_MAX) {
    errors.push(`name part ${maxLenError(LABEL_KEY_MAX)}`);
  }
  if (!LABEL_KEY_RE.test(name)) {
    errors.push(`name part ${regexError(LABEL_KEY_ERR, LABEL_KEY_FMT, 'MyName', 'my.name', '123-abc')}`);
  }
  return errors;
}

/** Checks a label value: empty, or at most 63 bytes of the label-name alphabet. Empty if valid. */
export function validateLabelValue(value: string): string[] {
  const errors: string[] = [];
  if (byteLength(value) > LABEL_VALUE_MAX) {
    errors.push(maxLenError(LABEL_VALUE_MAX));
  }
  if (!LABEL_VALUE_RE.test(value)) {
    errors.push(regexError(LABEL_VALUE_ERR, LABEL_VALUE_FMT, 'MyValue', 'my_value', '12345'));
  }
  return errors;
}

// ---------------------------------------------------------------------------------------------
// Matching

function has(labels: Labels | undefined, key: string): boolean {
  return labels !== undefined && Object.hasOwn(labels, key);
}

/** The integers strconv.ParseInt(s, 10, 64) accepts, so `gt`/`lt` agree with upstream at the edges. */
function parseInt64(text: string): bigint | undefined {
  if (!/^[+-]?[0-9]+$/.test(text)) {
    return undefined;
  }
  const value = BigInt(text);
  return value >= -(2n ** 63n) && value < 2n ** 63n ? value : undefined;
}

/**
 * Whether labels satisfy one requirement. As upstream, `!=` and `notin` hold when the key is
 * absent, and `gt`/`lt` fail when the label is absent or is not an integer.
 */
export function matchesRequirement(requirement: LabelRequirement, labels: Labels | undefined): boolean {
  const { key, operator, values } = requirement;
  switch (operator) {
    case 'in':
    case '=':
    case '==':
      return has(labels, key) && values.includes(labels?.[key] ?? '');
    case 'notin':
    case '!=':
      return !has(labels, key) || !values.includes(labels?.[key] ?? '');
    case 'exists':
      return has(labels, key);
    case '!':
      return !has(labels, key);
    case 'gt':
    case 'lt': {
      if (!has(labels, key) || values.length !== 1) {
        return false;
      }
      const actual = parseInt64(labels?.[key] ?? '');
      const bound = parseInt64(values[0] ?? '');
      if (actual === undefined || bound === undefined) {
        return false;
      }
      return operator === 'gt' ? actual > bound : actual < bound;
    }
  }
}

/** All requirements hold (an empty list holds for every object, as the selector `""` does). */
export function matchesRequirements(
  requirements: readonly LabelRequirement[],
  labels: Labels | undefined,
): boolean {
  return requirements.every((requirement) => matchesRequirement(requirement, labels));
}

function sortedUnique(values: readonly string[]): string[] {
  return [...new Set(values)].sort();
}

/**
 * The requirements a metav1.LabelSelector stands for (matchLabels as `=`, then matchExpressions),
 * as metav1.LabelSelectorAsSelector builds them. Throws on what that function rejects: an unknown
 * operator, `In`/`NotIn` without values, `Exists`/`DoesNotExist` with values. Key and value syntax
 * is left to validateLabelKey/validateLabelValue: a manifest with a bad key still deserves an
 * answer about which pods it would select.
 */
export function labelSelectorAsRequirements(selector: LabelSelector): LabelRequirement[] {
  const requirements: LabelRequirement[] = [];
  for (const [key, value] of Object.entries(selector.matchLabels ?? {})) {
    requirements.push({ key, operator: '=', values: [value] });
  }
  for (const expression of selector.matchExpressions ?? []) {
    const values = expression.values ?? [];
    switch (expression.operator) {
      case 'In':
      case 'NotIn':
        if (values.length === 0) {
          throw new Error(
            `values: Invalid value: []: for 'in', 'notin' operators, values set can't be empty (key ${JSON.stringify(expression.key)})`,
          );
        }
        requirements.push({
          key: expression.key,
          operator: expression.operator === 'In' ? 'in' : 'notin',
          values: sortedUnique(values),
        });
        break;
      case 'Exists':
      case 'DoesNotExist':
        if (values.length !== 0) {
          throw new Error(
            `values: Invalid value: ${JSON.stringify(values)}: values set must be empty for exists and does not exist (key ${JSON.stringify(expression.key)})`,
          );
        }
        requirements.push({
          key: expression.key,
          operator: expression.operator === 'Exists' ? 'exists' : '!',
          values: [],
        });
        break;
      default:
        throw new Error(
          `${JSON.stringify(String(expression.operator))} is not a valid label selector operator`,
        );
    }
  }
  return requirements.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
}

/**
 * Whether a metav1.LabelSelector selects an object with these labels. `{}` selects everything;
 * a selector that is absent (null or undefined) selects what `absent` says, by default nothing,
 * as metav1.LabelSelectorAsSelector does. A malformed selector (see labelSelectorAsRequirements)
 * selects nothing: the API server would not have accepted the object that holds it.
 */
export function matchesLabelSelector(
  selector: LabelSelector | null | undefined,
  labels: Labels | undefined,
  absent: AbsentSelector = 'matches-nothing',
): boolean {
  if (selector == null) {
    return absent === 'matches-everything';
  }
  const requirements = requirementsOf(selector);
  return requirements !== undefined && matchesRequirements(requirements, labels);
}

/**
 * A selector's requirements, built once per selector object: a policy matrix matches the same
 * few hundred selectors millions of times, and building them was most of its time. Selectors are
 * read-only here (cached objects and parsed manifests are never edited in place), so an object's
 * requirements never change. `undefined` for a malformed selector.
 */
const requirementsCache = new WeakMap<LabelSelector, readonly LabelRequirement[] | undefined>();

function requirementsOf(selector: LabelSelector): readonly LabelRequirement[] | undefined {
  if (requirementsCache.has(selector)) {
    return requirementsCache.get(selector);
  }
  let requirements: LabelRequirement[] | undefined;
  try {
    requirements = labelSelectorAsRequirements(selector);
  } catch {
    requirements = undefined;
  }
  requirementsCache.set(selector, requirements);
  return requirements;
}

/**
 * Whether a Service's map selector picks a pod for its endpoints: every key present with an equal
 * value. A missing or empty selector picks nothing: the EndpointSlice controller leaves such a
 * Service's endpoints to the user, and `selector: {}` does not survive the API server's storage
 * as anything but "no selector".
 */
export function matchesServiceSelector(
  selector: Labels | null | undefined,
  labels: Labels | undefined,
): boolean {
  if (selector == null) {
    return false;
  }
  const entries = Object.entries(selector);
  return entries.length > 0 && entries.every(([key, value]) => has(labels, key) && labels?.[key] === value);
}

// ---------------------------------------------------------------------------------------------
// Parsing `labelSelector=` (labels.Parse)

type TokenKind =
  | 'end'
  | 'closedPar'
  | 'comma'
  | 'doesNotExist'
  | 'doubleEquals'
  | 'equals'
  | 'greaterThan'
  | 'identifier'
  | 'in'
  | 'lessThan'
  | 'notEquals'
  | 'notIn'
  | 'openPar';

interface Token {
  readonly kind: TokenKind;
  readonly literal: string;
}

const LITERAL_TOKENS: Readonly<Record<string, TokenKind>> = {
  ')': 'closedPar',
  ',': 'comma',
  '!': 'doesNotExist',
  '==': 'doubleEquals',
  '=': 'equals',
  '>': 'greaterThan',
  in: 'in',
  '<': 'lessThan',
  '!=': 'notEquals',
  notin: 'notIn',
  '(': 'openPar',
};

const BINARY_OPERATORS = 'in, notin, =, ==, !=, gt, lt';

function isWhitespace(ch: string): boolean {
  return ch === ' ' || ch === '\t' || ch === '\r' || ch === '\n';
}

function isSpecialSymbol(ch: string): boolean {
  return '=!(),><'.includes(ch) && ch.length === 1;
}

function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  let pos = 0;
  for (;;) {
    while (pos < text.length && isWhitespace(text.charAt(pos))) {
      pos++;
    }
    if (pos >= text.length) {
      tokens.push({ kind: 'end', literal: '' });
      return tokens;
    }
    if (isSpecialSymbol(text.charAt(pos))) {
      // The longest run of symbols that still spells an operator: "!=" rather than "!" then "=".
      let buffer = '';
      let last: Token | undefined;
      while (pos < text.length && isSpecialSymbol(text.charAt(pos))) {
        const candidate = buffer + text.charAt(pos);
        const kind = LITERAL_TOKENS[candidate];
        if (kind !== undefined) {
          last = { kind, literal: candidate };
        } else if (last !== undefined) {
          break;
        }
        buffer = candidate;
        pos++;
      }
      // Every single symbol is an operator, so `last` is always set here.
      tokens.push(last ?? { kind: 'identifier', literal: buffer });
      continue;
    }
    let word = '';
    while (pos < text.length && !isSpecialSymbol(text.charAt(pos)) && !isWhitespace(text.charAt(pos))) {
      word += text.charAt(pos);
      pos++;
    }
    const keyword = Object.hasOwn(LITERAL_TOKENS, word) ? LITERAL_TOKENS[word] : undefined;
    tokens.push({ kind: keyword ?? 'identifier', literal: word });
  }
}

/** Go's %q for the strings that reach these messages. */
function goQuote(text: string): string {
  let out = '"';
  for (const ch of text) {
    const code = ch.codePointAt(0) ?? 0;
    if (ch === '"' || ch === '\\') {
      out += `\\${ch}`;
    } else if (ch === '\n') {
      out += '\\n';
    } else if (ch === '\t') {
      out += '\\t';
    } else if (ch === '\r') {
      out += '\\r';
    } else if (code < 0x20 || code === 0x7f) {
      out += `\\x${code.toString(16).padStart(2, '0')}`;
    } else {
      out += ch;
    }
  }
  return `${out}"`;
}

function invalid(path: string, value: string, details: readonly string[]): string {
  return `${path}: Invalid value: ${goQuote(value)}: ${details.join('; ')}`;
}

/** field.ErrorList.ToAggregate().Error(): one message alone, several deduplicated in brackets. */
function aggregate(messages: readonly string[]): string {
  const unique = [...new Set(messages)];
  return unique.length === 1 ? (unique[0] ?? '') : `[${unique.join(', ')}]`;
}

class ParseFailure extends Error {}

/** labels.NewRequirement's checks of the values, with its field paths. */
function checkedRequirement(key: string, operator: SelectionOperator, values: string[]): LabelRequirement {
  const errors: string[] = [];
  if (operator === 'gt' || operator === 'lt') {
    values.forEach((value, index) => {
      if (parseInt64(value) === undefined) {
        errors.push(
          invalid(`values[${index}]`, value, ["for 'Gt', 'Lt' operators, the value must be an integer"]),
        );
      }
    });
  }
  values.forEach((value, index) => {
    const problems = validateLabelValue(value);
    if (problems.length > 0) {
      errors.push(invalid(`values[${index}][${key}]`, value, problems));
    }
  });
  if (errors.length > 0) {
    throw new ParseFailure(aggregate(errors));
  }
  return { key, operator, values };
}

/**
 * Parses the `labelSelector=` query syntax exactly as labels.Parse does: `a=b`, `a==b`, `a!=b`,
 * `a in (x,y)`, `a notin (x)`, `a`, `!a`, `a>1`, `a<1`, comma-separated and ANDed, blanks between
 * tokens ignored. Requirements come back sorted by key. Throws an Error worded like the API server
 * (`unable to parse requirement: ...`, `found '...', expected: ...`).
 */
export function parseLabelSelectorString(text: string): LabelRequirement[] {
  const tokens = tokenize(text);
  let position = 0;

  // In value position `in` and `notin` are plain words: `x in (in)` is legal.
  const asValue = (token: Token): Token =>
    token.kind === 'in' || token.kind === 'notIn' ? { kind: 'identifier', literal: token.literal } : token;
  const lookahead = (): Token => asValue(tokens[Math.min(position, tokens.length - 1)] as Token);
  const consume = (context: 'value' | 'operator'): Token => {
    const token = tokens[Math.min(position, tokens.length - 1)] as Token;
    position++;
    return context === 'value' ? asValue(token) : token;
  };

  const parseIdentifiers = (): string[] => {
    const values = new Set<string>();
    for (;;) {
      const token = consume('value');
      if (token.kind === 'identifier') {
        values.add(token.literal);
        const next = lookahead();
        if (next.kind === 'comma') {
          continue;
        }
        if (next.kind === 'closedPar') {
          return [...values];
        }
        throw new ParseFailure(`found '${next.literal}', expected: ',' or ')'`);
      } else if (token.kind === 'comma') {
        // Empty values are legal: "(,a)", "(a,)" and "(a,,b)" all hold "".
        if (values.size === 0) {
          values.add('');
        }
        const next = lookahead();
        if (next.kind === 'closedPar') {
          values.add('');
          return [...values];
        }
        if (next.kind === 'comma') {
          consume('value');
          values.add('');
        }
      } else {
        throw new ParseFailure(`found '${token.literal}', expected: ',', or identifier`);
      }
    }
  };

  const parseValues = (): string[] => {
    const open = consume('value');
    if (open.kind !== 'openPar') {
      throw new ParseFailure(`found '${open.literal}' expected: '('`);
    }
    const next = lookahead();
    if (next.kind === 'identifier' || next.kind === 'comma') {
      const values = parseIdentifiers();
      const close = consume('value');
      if (close.kind !== 'closedPar') {
        throw new ParseFailure(`found '${next.literal}', expected: ')'`);
      }
      return values;
    }
    if (next.kind === 'closedPar') {
      consume('value');
      return [''];
    }
    throw new ParseFailure(`found '${next.literal}', expected: ',', ')' or identifier`);
  };

  const parseRequirement = (): LabelRequirement => {
    let token = consume('value');
    let negated = false;
    if (token.kind === 'doesNotExist') {
      negated = true;
      token = consume('value');
    }
    if (token.kind !== 'identifier') {
      throw new ParseFailure(`found '${token.literal}', expected: identifier`);
    }
    const key = token.literal;
    const keyProblems = validateLabelKey(key);
    if (keyProblems.length > 0) {
      // The parser validates the key without a field path, which Go prints as "<nil>".
      throw new ParseFailure(invalid('<nil>', key, keyProblems));
    }
    const next = lookahead();
    if (negated) {
      return { key, operator: '!', values: [] };
    }
    if (next.kind === 'end' || next.kind === 'comma') {
      return { key, operator: 'exists', values: [] };
    }
    const operatorToken = consume('operator');
    const operators: Partial<Record<TokenKind, SelectionOperator>> = {
      in: 'in',
      notIn: 'notin',
      equals: '=',
      doubleEquals: '==',
      notEquals: '!=',
      greaterThan: 'gt',
      lessThan: 'lt',
    };
    const operator = operators[operatorToken.kind];
    if (operator === undefined) {
      throw new ParseFailure(`found '${operatorToken.literal}', expected: ${BINARY_OPERATORS}`);
    }
    let values: string[];
    if (operator === 'in' || operator === 'notin') {
      values = parseValues();
    } else {
      const valueToken = lookahead();
      if (valueToken.kind === 'end' || valueToken.kind === 'comma') {
        values = [''];
      } else {
        const consumed = consume('value');
        if (consumed.kind !== 'identifier') {
          throw new ParseFailure(`found '${consumed.literal}', expected: identifier`);
        }
        values = [consumed.literal];
      }
    }
    return checkedRequirement(key, operator, sortedUnique(values));
  };

  const requirements: LabelRequirement[] = [];
  for (;;) {
    const token = lookahead();
    if (token.kind === 'end') {
      break;
    }
    if (token.kind !== 'identifier' && token.kind !== 'doesNotExist') {
      throw new Error(`found '${token.literal}', expected: !, identifier, or 'end of string'`);
    }
    try {
      requirements.push(parseRequirement());
    } catch (error) {
      if (error instanceof ParseFailure) {
        throw new Error(`unable to parse requirement: ${error.message}`, { cause: error });
      }
      throw error;
    }
    const after = consume('value');
    if (after.kind === 'end') {
      break;
    }
    if (after.kind !== 'comma') {
      throw new Error(`found '${after.literal}', expected: ',' or 'end of string'`);
    }
    const next = lookahead();
    if (next.kind !== 'identifier' && next.kind !== 'doesNotExist') {
      throw new Error(`found '${next.literal}', expected: identifier after ','`);
    }
  }
  // A stable sort by key, so requirements on one key keep the order they were written in.
  return requirements.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
}

// ---------------------------------------------------------------------------------------------
// Parsing `fieldSelector=` (fields.ParseSelector)

/** Splits on commas that a backslash does not escape, keeping the escapes for unescapeFieldValue. */
function splitFieldTerms(text: string): string[] {
  if (text.length === 0) {
    return [];
  }
  const terms: string[] = [];
  let start = 0;
  let escaped = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text.charAt(i);
    if (escaped) {
      escaped = false;
    } else if (ch === '\\') {
      escaped = true;
    } else if (ch === ',') {
      terms.push(text.slice(start, i));
      start = i + 1;
    }
  }
  terms.push(text.slice(start));
  return terms;
}

function unescapeFieldValue(value: string): string {
  if (!/[\\,=]/.test(value)) {
    return value;
  }
  let out = '';
  let escaped = false;
  for (const ch of value) {
    if (escaped) {
      if (ch !== '\\' && ch !== ',' && ch !== '=') {
        throw new Error(`invalid field selector: invalid escape sequence: \\${ch}`);
      }
      out += ch;
      escaped = false;
    } else if (ch === '\\') {
      escaped = true;
    } else if (ch === ',' || ch === '=') {
      // Go formats the rune with %v, which prints its code point, not the character.
      throw new Error(`invalid field selector: unescaped character in value: ${ch.codePointAt(0)}`);
    } else {
      out += ch;
    }
  }
  if (escaped) {
    throw new Error('invalid field selector: invalid escape sequence: \\');
  }
  return out;
}

/**
 * Parses the `fieldSelector=` query syntax as fields.ParseSelector does: comma-separated `f=v`,
 * `f==v` and `f!=v`, the field split at the first operator, `\,` `\=` `\\` escapes in values,
 * empty terms skipped, terms sorted. Blanks are not trimmed: upstream keeps them in the field
 * name, and the API server then rejects the field. Throws an Error worded like the API server.
 */
export function parseFieldSelectorString(text: string): FieldRequirement[] {
  const terms = splitFieldTerms(text).sort();
  const requirements: FieldRequirement[] = [];
  for (const term of terms) {
    if (term === '') {
      continue;
    }
    let split: { field: string; operator: '=' | '!='; raw: string } | undefined;
    for (let i = 0; i < term.length && split === undefined; i++) {
      const rest = term.slice(i);
      if (rest.startsWith('!=')) {
        split = { field: term.slice(0, i), operator: '!=', raw: term.slice(i + 2) };
      } else if (rest.startsWith('==')) {
        split = { field: term.slice(0, i), operator: '=', raw: term.slice(i + 2) };
      } else if (rest.startsWith('=')) {
        split = { field: term.slice(0, i), operator: '=', raw: term.slice(i + 1) };
      }
    }
    if (split === undefined) {
      throw new Error(`invalid selector: '${text}'; can't understand '${term}'`);
    }
    requirements.push({ field: split.field, operator: split.operator, value: unescapeFieldValue(split.raw) });
  }
  return requirements;
}

/** Whether fields satisfy every requirement; a field the object lacks reads as "". */
export function matchesFieldRequirements(
  requirements: readonly FieldRequirement[],
  fields: Readonly<Record<string, string>>,
): boolean {
  return requirements.every((requirement) => {
    const actual = Object.hasOwn(fields, requirement.field) ? fields[requirement.field] : '';
    return requirement.operator === '=' ? actual === requirement.value : actual !== requirement.value;
  });
}

/**
 * An index of objects by label: `(key, value)` gives those carrying it, without walking them all
 * (a Service's selector reads the Pods with one of its labels, `LiveNamespace.podsWithLabel`).
 * Label keys cannot hold `=`, so no two labels share an entry.
 */
export function podLabelIndex<T extends { readonly metadata?: { readonly labels?: Labels } }>(
  objects: readonly T[],
): (key: string, value: string) => readonly T[] {
  const index = new Map<string, T[]>();
  for (const object of objects) {
    for (const [key, value] of Object.entries(object.metadata?.labels ?? {})) {
      const entry = `${key}=${value}`;
      const list = index.get(entry);
      if (list === undefined) {
        index.set(entry, [object]);
      } else {
        list.push(object);
      }
    }
  }
  return (key, value) => index.get(`${key}=${value}`) ?? [];
}

/**
 * The only objects a Service's selector can pick: those carrying the rarest of its labels, read
 * from an index (`podLabelIndex`). An empty selector picks none.
 */
export function selectorCandidates<T>(
  withLabel: (key: string, value: string) => readonly T[],
  selector: Labels,
): readonly T[] {
  let rarest: readonly T[] = [];
  let first = true;
  for (const [key, value] of Object.entries(selector)) {
    const objects = withLabel(key, value);
    if (first || objects.length < rarest.length) {
      rarest = objects;
      first = false;
    }
  }
  return rarest;
}
