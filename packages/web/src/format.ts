import { h } from './dom.js';

/** Formats milliseconds as `850ms`, `42s`, `3m 05s` or `1h 02m`. */
export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms) || ms < 0) return '';
  if (ms < 1000) return `${Math.round(ms)}ms`;
  const seconds = Math.floor(ms / 1000);
  if (seconds < 60) return `${seconds}s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes}m ${String(seconds % 60).padStart(2, '0')}s`;
  return `${Math.floor(minutes / 60)}h ${String(minutes % 60).padStart(2, '0')}m`;
}

/** Duration of something that started at `startedAt` and finished at `finishedAt`, or is still running (0 = not finished). */
export function elapsed(startedAt: number, finishedAt: number, now = Date.now()): string {
  if (!startedAt) return '';
  return formatDuration((finishedAt || now) - startedAt);
}

/** Formats epoch milliseconds as local date and time, e.g. `2026-12-04 21:07:41`. */
export function formatTime(ms: number): string {
  if (!ms) return '';
  const date = new Date(ms);
  const pad = (value: number): string => String(value).padStart(2, '0');
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())} ${pad(date.getHours())}:${pad(date.getMinutes())}:${pad(date.getSeconds())}`;
}

/** Formats how long ago `ms` was, e.g. `4s ago`. */
export function formatAgo(ms: number, now = Date.now()): string {
  if (!ms) return 'never';
  return `${formatDuration(Math.max(0, now - ms))} ago`;
}

/** Returns a status badge. Its text names the status, so the colour is never the only cue. */
export function statusBadge(status: string): HTMLElement {
  return h('span', { class: `status status-${status.toLowerCase()}`, 'data-status': status }, status || 'Unknown');
}

/** Describes a build: `branch main`, `tag v1.2`, `PR 42` or `commit abc1234`. */
export function describeBuild(type: string, value: string): string {
  if (!type) return '';
  if (type === 'commitSha') return `commit ${value.slice(0, 12)}`;
  return `${type} ${value}`;
}

/** Text shown for the reason a queued stage waits. */
export function describeQueueReason(reason: string): string {
  if (reason === 'no_matching_delegate') return 'Waiting for a delegate: no connected delegate has every selector of this stage.';
  return reason ? `Waiting: ${reason}` : '';
}
