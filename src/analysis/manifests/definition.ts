/**
 * Where a YAML file defines an object: what the diagnosis report's "open the manifest" link jumps to.
 */
import { objectsOf, parseManifestFile, positionIn, spanOf } from './document.ts';

export interface ObjectReference {
  readonly kind: string;
  readonly namespace: string;
  readonly name: string;
}

/**
 * The zero-based line of the `kind:` of the object `reference` names, or undefined when the text
 * does not define it. Objects inside a `kind: List` count; a document without a namespace matches
 * any namespace (it is applied to whichever one kubectl is given).
 */
export function definitionLine(text: string, reference: ObjectReference): number | undefined {
  if (!text.includes(reference.name)) {
    return undefined;
  }
  const file = parseManifestFile(text, { kinds: new Set([reference.kind, 'List']) });
  for (const { object, placed } of objectsOf(file)) {
    if (
      object.kind === reference.kind &&
      object.name === reference.name &&
      (object.namespace === undefined || object.namespace === reference.namespace)
    ) {
      return positionIn(placed, spanOf(object, ['kind'], 'key').start).line;
    }
  }
  return undefined;
}
