import type { wire } from '@kiln/protocol';
import { renderTable } from './table.js';
import { formatAge } from './time.js';

/** Characters of a delegate id shown in the ID column, enough to tell registrations apart. */
const SHORT_ID_LENGTH = 8;

/** Returns true for a delegate that will not take work again: lost, or deregistered at shutdown. */
export function isGone(delegate: wire.Delegate__Output): boolean {
  return delegate.state === 'lost' || delegate.state === 'deregistered';
}

/**
 * Formats `kiln delegates` as a table sorted by name, then live before gone,
 * then newest registration first. `all` says gone delegates were asked for,
 * which changes only the message for an empty list.
 */
export function formatDelegateTable(delegates: readonly wire.Delegate__Output[], nowMs: number, all = false): string[] {
  if (delegates.length === 0) return [all ? 'No delegates registered.' : 'No delegates connected; `kiln delegates --all` also lists lost ones.'];
  const sorted = [...delegates].sort((a, b) =>
    a.name.localeCompare(b.name) || Number(isGone(a)) - Number(isGone(b)) || b.registered_at_ms - a.registered_at_ms || a.id.localeCompare(b.id));
  const rows = sorted.map((delegate) => [
    delegate.id.slice(0, SHORT_ID_LENGTH),
    delegate.name,
    delegate.tags.length === 0 ? '-' : delegate.tags.join(','),
    delegate.state,
    `${delegate.slots_used}/${delegate.capacity}`,
    [delegate.builder, delegate.builder_version].filter((part) => part !== '').join(' ') || '-',
    delegate.version || '-',
    formatAge(delegate.last_heartbeat_ms, nowMs),
  ]);
  return renderTable(['ID', 'NAME', 'TAGS', 'STATE', 'SLOTS', 'BUILDER', 'VERSION', 'LAST HEARTBEAT'], rows);
}
