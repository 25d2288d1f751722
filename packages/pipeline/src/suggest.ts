/**
 * Returns the edit distance between two strings, case-insensitively: insertions,
 * deletions, substitutions and swaps of two adjacent characters each count 1
 * (optimal string alignment distance).
 */
export function editDistance(a: string, b: string): number {
  const left = a.toLowerCase();
  const right = b.toLowerCase();
  const rows: number[][] = [];
  for (let i = 0; i <= left.length; i += 1) {
    const row = [i];
    for (let j = 1; j <= right.length; j += 1) {
      if (i === 0) {
        row.push(j);
        continue;
      }
      const above = rows[i - 1] ?? [];
      const cost = left[i - 1] === right[j - 1] ? 0 : 1;
      let best = Math.min((above[j] ?? 0) + 1, (row[j - 1] ?? 0) + 1, (above[j - 1] ?? 0) + cost);
      if (i > 1 && j > 1 && left[i - 1] === right[j - 2] && left[i - 2] === right[j - 1]) {
        best = Math.min(best, (rows[i - 2]?.[j - 2] ?? 0) + 1);
      }
      row.push(best);
    }
    rows.push(row);
  }
  return rows[left.length]?.[right.length] ?? 0;
}

/**
 * Returns the candidate `value` most likely misspells: the only candidate it
 * begins, else the closest one if at most a third of the longer name differs.
 * Returns undefined when none is likely.
 */
export function closestName(value: string, candidates: readonly string[]): string | undefined {
  const lower = value.toLowerCase();
  // A value that begins a candidate is most likely that candidate written short (toLower for toLowerCase).
  const extended = lower.length >= 3 ? candidates.filter((candidate) => candidate.toLowerCase().startsWith(lower)) : [];
  if (extended.length === 1) return extended[0];
  let best: string | undefined;
  let bestDistance = Number.POSITIVE_INFINITY;
  for (const candidate of candidates) {
    const distance = editDistance(value, candidate);
    if (distance < bestDistance) {
      best = candidate;
      bestDistance = distance;
    }
  }
  if (best === undefined) return undefined;
  const limit = Math.max(1, Math.floor(Math.max(value.length, best.length) / 3));
  return bestDistance <= limit ? best : undefined;
}

/** Builds the ` (did you mean "x"?)` part of a message, or '' when nothing is close. */
export function didYouMean(value: string, candidates: readonly string[]): string {
  const closest = closestName(value, candidates);
  return closest === undefined ? '' : ` (did you mean "${closest}"?)`;
}
