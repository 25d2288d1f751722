const UNIT_MS: Record<string, number> = {
  w: 7 * 24 * 3600 * 1000,
  d: 24 * 3600 * 1000,
  h: 3600 * 1000,
  m: 60 * 1000,
  s: 1000,
  ms: 1,
};
const UNIT_ORDER = ['w', 'd', 'h', 'm', 's', 'ms'];
const PART = /(\d+)\s*(ms|w|d|h|m|s)\s*/y;

/**
 * Parses a Harness duration such as `30s`, `10m`, `1h30m`, `1d` or `1h 30m`
 * into milliseconds. Units are w, d, h, m, s and ms, each at most once and from
 * the largest to the smallest. Returns undefined when the text is not a duration.
 */
export function parseDuration(text: string): number | undefined {
  const trimmed = text.trim();
  if (trimmed === '') return undefined;
  PART.lastIndex = 0;
  let total = 0;
  let lastUnit = -1;
  while (PART.lastIndex < trimmed.length) {
    const match = PART.exec(trimmed);
    if (match === null) return undefined;
    const unitIndex = UNIT_ORDER.indexOf(match[2] ?? '');
    if (unitIndex <= lastUnit) return undefined;
    lastUnit = unitIndex;
    total += Number(match[1]) * (UNIT_MS[match[2] ?? ''] ?? 0);
  }
  return total;
}

/** Describes the accepted duration forms, for error messages. */
export const DURATION_HINT = 'use a number and a unit (w, d, h, m, s or ms), largest first, e.g. 30s, 10m, 1h30m or 1d';
