import type { wire } from '@kiln/protocol';
import { renderTable } from './table.js';
import { formatAge } from './time.js';

/** Formats `kiln delegates` as a table sorted by name. */
export function formatDelegateTable(delegates: readonly wire.Delegate__Output[], nowMs: number): string[] {
  if (delegates.length === 0) return ['No delegates registered.'];
  const sorted = [...delegates].sort((a, b) => a.name.localeCompare(b.name) || a.id.localeCompare(b.id));
  const rows = sorted.map((delegate) => [
    delegate.name,
    delegate.tags.length === 0 ? '-' : delegate.tags.join(','),
    delegate.state,
    `${delegate.slots_used}/${delegate.capacity}`,
    [delegate.builder, delegate.builder_version].filter((part) => part !== '').join(' ') || '-',
    delegate.version || '-',
    formatAge(delegate.last_heartbeat_ms, nowMs),
  ]);
  return renderTable(['NAME', 'TAGS', 'STATE', 'SLOTS', 'BUILDER', 'VERSION', 'LAST HEARTBEAT'], rows);
}
