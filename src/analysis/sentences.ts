/**
 * The words every hop's sentences share, in the Pod-to-Service and the external-access diagnoses
 * alike, so that both read the same: counts, lists, and a clause's first letter where a sentence is
 * spliced into another.
 */
export function plural(count: number, one: string, many = `${one}s`): string {
  return `${count} ${count === 1 ? one : many}`;
}

export function list(items: readonly string[], conjunction = 'and'): string {
  if (items.length <= 1) {
    return items.join('');
  }
  return `${items.slice(0, -1).join(', ')} ${conjunction} ${items.at(-1) ?? ''}`;
}

/** Upper-cases a sentence's first letter, for an evaluator's clause that opens a hop's summary. */
export function upperFirst(text: string): string {
  return text === '' ? text : `${text[0]!.toUpperCase()}${text.slice(1)}`;
}

/** Lower-cases a sentence's first word when it is an ordinary word, not a kind or a name. */
export function lowerFirst(text: string): string {
  return /^(The|A|An|No|Nothing|None|Every|Policy|Policies|Port|Its|It|Both|Each|All|Connections)\b/.test(
    text,
  )
    ? `${text[0]!.toLowerCase()}${text.slice(1)}`
    : text;
}
