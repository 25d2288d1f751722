const UNIT_MS: Record<string, number> = { h: 3_600_000, m: 60_000, s: 1000, ms: 1 };
const DURATION = /^(?:(\d+)h)?(?:(\d+)m(?!s))?(?:(\d+)s)?(?:(\d+)ms)?$/;

/**
 * Parses a duration such as `30s`, `5m`, `1h30m` or `250ms` into milliseconds.
 * Returns undefined when the text is not of that form or is empty.
 */
export function parseDuration(text: string): number | undefined {
  const trimmed = text.trim();
  const match = DURATION.exec(trimmed);
  if (trimmed === '' || match === null) return undefined;
  const [, hours, minutes, seconds, millis] = match;
  return (
    Number(hours ?? 0) * (UNIT_MS.h ?? 0) +
    Number(minutes ?? 0) * (UNIT_MS.m ?? 0) +
    Number(seconds ?? 0) * (UNIT_MS.s ?? 0) +
    Number(millis ?? 0)
  );
}

export const DURATION_FORM = 'a duration such as 30s, 5m, 1h30m or 250ms';
