/** Status of an execution, stage or step, with Harness's meaning of each name. */
export type Status =
  | 'Queued'
  | 'Running'
  | 'Succeeded'
  | 'Failed'
  | 'Aborted'
  | 'Expired'
  | 'Skipped'
  | 'IgnoreFailed';

export const TERMINAL_STATUSES: readonly Status[] = ['Succeeded', 'Failed', 'Aborted', 'Expired', 'Skipped', 'IgnoreFailed'];

export function isTerminal(status: string): boolean {
  return (TERMINAL_STATUSES as readonly string[]).includes(status);
}

/** Returns true when a node with this status counts as successful for the nodes after it. */
export function isSuccessful(status: string): boolean {
  return status === 'Succeeded' || status === 'Skipped' || status === 'IgnoreFailed';
}
