/** Formats epoch milliseconds as UTC `YYYY-MM-DD HH:MM:SSZ`, or `-` for 0 (not set). */
export function formatTimestamp(ms: number): string {
  if (ms <= 0) return '-';
  return new Date(ms).toISOString().replace('T', ' ').replace(/\.\d{3}Z$/, 'Z');
}

/** Formats a duration in milliseconds as `850ms`, `12s`, `3m 05s` or `2h 07m`. */
export function formatDuration(ms: number): string {
  if (ms < 0) return '-';
  if (ms < 1000) return `${Math.round(ms)}ms`;
  const totalSeconds = Math.floor(ms / 1000);
  if (totalSeconds < 60) return `${totalSeconds}s`;
  const totalMinutes = Math.floor(totalSeconds / 60);
  if (totalMinutes < 60) return `${totalMinutes}m ${String(totalSeconds % 60).padStart(2, '0')}s`;
  return `${Math.floor(totalMinutes / 60)}h ${String(totalMinutes % 60).padStart(2, '0')}m`;
}

/**
 * Formats how long something ran: the duration when it finished, `running Ns`
 * while it runs (measured to `nowMs`) and `-` when it has not started.
 */
export function formatElapsed(startedAtMs: number, finishedAtMs: number, nowMs: number): string {
  if (startedAtMs <= 0) return '-';
  if (finishedAtMs > 0) return formatDuration(finishedAtMs - startedAtMs);
  return `running ${formatDuration(Math.max(0, nowMs - startedAtMs))}`;
}

/** Formats how long ago `ms` was, e.g. `4s ago`, or `never` for 0. */
export function formatAge(ms: number, nowMs: number): string {
  if (ms <= 0) return 'never';
  return `${formatDuration(Math.max(0, nowMs - ms))} ago`;
}
