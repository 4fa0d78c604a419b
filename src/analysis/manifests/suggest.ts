/**
 * "Did you mean": the closest known word to a misspelt one, by optimal-string-alignment distance
 * (Levenshtein plus adjacent transpositions), ignoring case first.
 */

/** Edit distance with adjacent transpositions; stops early once it exceeds `max`. */
export function editDistance(a: string, b: string, max = Number.POSITIVE_INFINITY): number {
  if (Math.abs(a.length - b.length) > max) {
    return max + 1;
  }
  let previous2: number[] = [];
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    let rowMin = i;
    for (let j = 1; j <= b.length; j++) {
      const cost = a.charAt(i - 1) === b.charAt(j - 1) ? 0 : 1;
      let value = Math.min(previous[j]! + 1, current[j - 1]! + 1, previous[j - 1]! + cost);
      if (i > 1 && j > 1 && a.charAt(i - 1) === b.charAt(j - 2) && a.charAt(i - 2) === b.charAt(j - 1)) {
        value = Math.min(value, previous2[j - 2]! + 1);
      }
      current.push(value);
      rowMin = Math.min(rowMin, value);
    }
    if (rowMin > max) {
      return max + 1;
    }
    previous2 = previous;
    previous = current;
  }
  return previous[b.length]!;
}

/**
 * The known word closest to `word`: an exact match ignoring case first, else the nearest within
 * one edit for words of up to 4 characters, two for up to 8, three beyond. Undefined when none is
 * close enough or two are equally close.
 */
export function didYouMean(word: string, known: Iterable<string>): string | undefined {
  const lower = word.toLowerCase();
  const candidates = [...known];
  const sameCase = candidates.find((candidate) => candidate.toLowerCase() === lower);
  if (sameCase !== undefined) {
    return sameCase;
  }
  const max = word.length <= 4 ? 1 : word.length <= 8 ? 2 : 3;
  let best: string | undefined;
  let bestDistance = max + 1;
  let tie = false;
  for (const candidate of candidates) {
    const distance = editDistance(lower, candidate.toLowerCase(), max);
    if (distance < bestDistance) {
      best = candidate;
      bestDistance = distance;
      tie = false;
    } else if (distance === bestDistance) {
      tie = true;
    }
  }
  return bestDistance <= max && !tie ? best : undefined;
}
