import type { wire } from '@kiln/protocol';

/** Reason code the manager gives a queued stage when no live delegate has all its selectors. */
export const NO_MATCHING_DELEGATE = 'no_matching_delegate';

/**
 * Describes why a queued stage waits, e.g. `no connected delegate has the
 * tags [gpu] that connector account.k8s selects`; other reasons are shown as
 * the manager gives them, and '' means the stage does not wait.
 */
export function formatWaitReason(stage: wire.Stage__Output): string {
  if (stage.reason !== NO_MATCHING_DELEGATE) return stage.reason;
  const selectors = stage.selectors ?? [];
  if (selectors.length === 0) return 'no delegate is connected';
  const source = stage.selector_connector ? ` that connector ${stage.selector_connector} selects` : '';
  return `no connected delegate has the tags [${selectors.join(', ')}]${source}`;
}

/**
 * Returns why an execution waits for a delegate, naming the stage when more
 * than one waits, or '' when no stage of it is queued with a reason.
 */
export function formatExecutionWait(execution: wire.Execution__Output): string {
  const waiting = execution.stages.filter((stage) => stage.status === 'Queued' && stage.reason !== '');
  if (waiting.length === 1 && waiting[0] !== undefined) return formatWaitReason(waiting[0]);
  return waiting.map((stage) => `stage ${stage.id}: ${formatWaitReason(stage)}`).join('; ');
}
