import type { DelegateRecord, EpochMs } from '../store/store.js';

/** Reason a queued task waits when no live delegate has all its selectors. */
export const NO_MATCHING_DELEGATE = 'no_matching_delegate';

/** Returns true when `tags` include every selector of a task; selectors compare exactly, case included. */
export function tagsMatch(tags: Iterable<string>, selectors: readonly string[]): boolean {
  const set = tags instanceof Set ? (tags as Set<string>) : new Set(tags);
  return selectors.every((selector) => set.has(selector));
}

/** Returns true when a connected delegate heartbeated within `staleAfterMs`. */
export function isLive(delegate: DelegateRecord, now: EpochMs, staleAfterMs: number): boolean {
  return delegate.state === 'connected' && now - delegate.lastHeartbeatAt <= staleAfterMs;
}

/** State shown for a delegate: `disconnected` when a connected one stopped heartbeating. */
export function displayState(delegate: DelegateRecord, now: EpochMs, staleAfterMs: number): string {
  if (delegate.state === 'connected' && !isLive(delegate, now, staleAfterMs)) return 'disconnected';
  return delegate.state;
}

/** Returns the reason a task with these selectors waits, or '' when a live delegate matches. */
export function queueReason(selectors: readonly string[], delegates: readonly DelegateRecord[], now: EpochMs, staleAfterMs: number): string {
  const matched = delegates.some((delegate) => isLive(delegate, now, staleAfterMs) && tagsMatch(delegate.tags, selectors));
  return matched ? '' : NO_MATCHING_DELEGATE;
}
