import { isTerminal } from '@kiln/protocol';

/** Rank of a status: Queued < Running < any final status. */
function rank(status: string): number {
  if (isTerminal(status)) return 2;
  return status === 'Running' ? 1 : 0;
}

/** Returns true when a node may move from `from` to `to`: statuses only move forward and a final status is never replaced. */
export function canAdvance(from: string, to: string): boolean {
  return rank(to) > rank(from);
}
