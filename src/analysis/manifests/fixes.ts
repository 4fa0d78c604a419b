/**
 * Quick fixes as text edits: a FixSpec (an intent: rename this key, set this value, add this pair)
 * becomes the smallest edit to the YAML as written, keeping its style (block or flow), its
 * indentation and its comments. Edits never go through an alias: changing an anchored node would
 * change every object that uses it, so such a fix is not offered.
 */
import { isMap, isScalar } from 'yaml';
import type { Node as YamlNode, YAMLMap } from 'yaml';
import { contentEnd, locate } from './document.ts';
import type { ManifestObject, Path, Span } from './document.ts';
import { yamlString } from './findings.ts';
import type { FixSpec } from './findings.ts';

/** An edit in chunk-relative offsets. */
export interface LocalEdit {
  readonly span: Span;
  readonly newText: string;
}

export interface LocalFix {
  readonly title: string;
  readonly preferred: boolean;
  readonly edits: readonly LocalEdit[];
}

function range(node: unknown): [number, number, number] | undefined {
  return (node as { range?: [number, number, number] } | null | undefined)?.range ?? undefined;
}

function columnOf(text: string, offset: number): number {
  return offset - (text.lastIndexOf('\n', offset - 1) + 1);
}

function lineEndOf(text: string, offset: number): number {
  const newline = text.indexOf('\n', offset);
  const end = newline < 0 ? text.length : newline;
  return text.charAt(end - 1) === '\r' ? end - 1 : end;
}

function isEmptyValue(node: unknown): boolean {
  if (node === null || node === undefined) {
    return true;
  }
  const r = range(node);
  return isScalar(node) && node.value === null && (r === undefined || r[1] === r[0]);
}

function blockLines(entries: Readonly<Record<string, string>>, indent: string): string {
  return Object.entries(entries)
    .map(([key, value]) => `${yamlString(key)}: ${yamlString(value)}`)
    .join(`\n${indent}`);
}

function flowMap(entries: Readonly<Record<string, string>>): string {
  const body = Object.entries(entries)
    .map(([key, value]) => `${yamlString(key)}: ${yamlString(value)}`)
    .join(', ');
  return body === '' ? '{}' : `{ ${body} }`;
}

type Value = { readonly scalar: string } | { readonly map: Readonly<Record<string, string>> };

function renderInline(value: Value): string {
  return 'scalar' in value ? value.scalar : flowMap(value.map);
}

/** Where the value of an empty `key:` starts; the insertion goes right after the colon. */
function afterColon(text: string, keyEnd: number): number {
  const colon = text.indexOf(':', keyEnd);
  return colon < 0 ? keyEnd : colon + 1;
}

/** Adds `key: value` to a mapping, first or last, in the mapping's own style. */
function insertIntoMap(
  text: string,
  map: YAMLMap,
  key: string,
  value: Value,
  first: boolean,
): LocalEdit | undefined {
  const mapRange = range(map);
  if (mapRange === undefined) {
    return undefined;
  }
  const items = map.items;
  if (map.flow) {
    const inline = `${key}: ${renderInline(value)}`;
    if (items.length === 0) {
      const open = text.indexOf('{', mapRange[0]);
      return open < 0 ? undefined : { span: { start: open + 1, end: open + 1 }, newText: inline };
    }
    if (first) {
      const start = range(items[0]?.key)?.[0];
      return start === undefined ? undefined : { span: { start, end: start }, newText: `${inline}, ` };
    }
    const last = items[items.length - 1];
    const end = contentEnd(last?.value) ?? contentEnd(last?.key);
    return end === undefined ? undefined : { span: { start: end, end }, newText: `, ${inline}` };
  }
  const firstKeyStart = range(items[0]?.key)?.[0] ?? mapRange[0];
  const indent = ' '.repeat(columnOf(text, firstKeyStart));
  const rendered =
    'scalar' in value
      ? `${key}: ${value.scalar}`
      : `${key}:\n${indent}  ${blockLines(value.map, `${indent}  `)}`;
  if (first) {
    return { span: { start: firstKeyStart, end: firstKeyStart }, newText: `${rendered}\n${indent}` };
  }
  const last = items[items.length - 1];
  const lastEnd = contentEnd(last?.value) ?? contentEnd(last?.key) ?? mapRange[1];
  const at = lineEndOf(text, Math.max(lastEnd, firstKeyStart));
  return { span: { start: at, end: at }, newText: `\n${indent}${rendered}` };
}

/** Sets the value of an existing pair whose value is empty (`key:` and nothing). */
function fillEmpty(text: string, keyNode: YamlNode, value: Value): LocalEdit | undefined {
  const keyRange = range(keyNode);
  if (keyRange === undefined) {
    return undefined;
  }
  const at = afterColon(text, keyRange[1]);
  if ('scalar' in value) {
    return { span: { start: at, end: at }, newText: ` ${value.scalar}` };
  }
  const indent = ' '.repeat(columnOf(text, keyRange[0]) + 2);
  return { span: { start: at, end: at }, newText: `\n${indent}${blockLines(value.map, indent)}` };
}

/** Gives an empty `parent:` its first pair, `key: value`, on a new line. */
function insertUnderEmptyKey(
  text: string,
  parentKey: YamlNode,
  key: string,
  value: Value,
): LocalEdit | undefined {
  const keyRange = range(parentKey);
  if (keyRange === undefined) {
    return undefined;
  }
  const at = afterColon(text, keyRange[1]);
  const indent = ' '.repeat(columnOf(text, keyRange[0]) + 2);
  const rendered =
    'scalar' in value
      ? `${key}: ${value.scalar}`
      : `${key}:\n${indent}  ${blockLines(value.map, `${indent}  `)}`;
  return { span: { start: at, end: at }, newText: `\n${indent}${rendered}` };
}

function setValue(object: ManifestObject, path: Path, value: Value): LocalEdit | undefined {
  const text = object.chunk.text;
  const full = [...object.root, ...path];
  const located = locate(object.document, full);
  if (located === undefined) {
    // Add the key to its parent mapping.
    const parent = locate(object.document, full.slice(0, -1));
    const key = String(full[full.length - 1]);
    if (parent === undefined || parent.alias) {
      return undefined;
    }
    if (isMap(parent.value)) {
      return insertIntoMap(text, parent.value, key, value, false);
    }
    if (parent.key && isEmptyValue(parent.value)) {
      return insertUnderEmptyKey(text, parent.key, key, value);
    }
    return undefined;
  }
  if (located.alias) {
    return undefined;
  }
  if (isEmptyValue(located.value)) {
    return located.key ? fillEmpty(text, located.key, value) : undefined;
  }
  const valueRange = range(located.value);
  if (valueRange === undefined) {
    return undefined;
  }
  const span = { start: valueRange[0], end: contentEnd(located.value) ?? valueRange[1] };
  if ('scalar' in value) {
    return isScalar(located.value) ? { span, newText: value.scalar } : undefined;
  }
  if (isMap(located.value) && !located.value.flow) {
    const indent = ' '.repeat(columnOf(text, valueRange[0]));
    return { span, newText: blockLines(value.map, indent) };
  }
  return { span, newText: flowMap(value.map) };
}

/** The text edits of a fix, or undefined when the YAML is shaped so that no safe edit exists. */
export function resolveFix(object: ManifestObject, fix: FixSpec): LocalFix | undefined {
  let edit: LocalEdit | undefined;
  switch (fix.kind) {
    case 'rename-key': {
      const located = locate(object.document, [...object.root, ...fix.path]);
      const keyRange = range(located?.key);
      if (located !== undefined && !located.alias && keyRange !== undefined) {
        edit = { span: { start: keyRange[0], end: keyRange[1] }, newText: fix.key };
      }
      break;
    }
    case 'quote-value': {
      const located = locate(object.document, [...object.root, ...fix.path]);
      const valueRange = range(located?.value);
      if (located !== undefined && !located.alias && isScalar(located.value) && valueRange !== undefined) {
        const source = object.chunk.text.slice(valueRange[0], valueRange[1]);
        edit = { span: { start: valueRange[0], end: valueRange[1] }, newText: JSON.stringify(source) };
      }
      break;
    }
    case 'replace-value':
      edit = setValue(object, fix.path, { scalar: fix.text });
      break;
    case 'set-map':
      edit = setValue(object, fix.path, { map: fix.entries });
      break;
    case 'insert-pair': {
      const located = locate(object.document, [...object.root, ...fix.mapPath]);
      if (located !== undefined && !located.alias && isMap(located.value)) {
        edit = insertIntoMap(
          object.chunk.text,
          located.value,
          fix.key,
          { scalar: fix.value },
          fix.first ?? false,
        );
      } else if (located?.key && !located.alias && isEmptyValue(located.value)) {
        edit = insertUnderEmptyKey(object.chunk.text, located.key, fix.key, { scalar: fix.value });
      }
      break;
    }
  }
  if (edit === undefined) {
    return undefined;
  }
  if (object.chunk.text.includes('\r\n')) {
    // Keep a CRLF file CRLF.
    edit = { span: edit.span, newText: edit.newText.replace(/\r?\n/g, '\r\n') };
  }
  return { title: fix.title, preferred: fix.preferred ?? false, edits: [edit] };
}
