import { isTerminal } from '@kiln/protocol';
import type { StepRecord, StoreOperations } from '../store/store.js';

/** A finished step whose stored log is missing lines or its completeness record. */
export interface IncompleteStep {
  stageId: string;
  stepId: string;
  attempt: number;
  /** Sentence describing the gap, sent as the text of an incomplete log line. */
  description: string;
}

/**
 * Returns the finished steps of an execution whose log is not complete yet.
 * A step that never started (no step.started event and no stored line) has
 * no log to complete, so it is never listed.
 */
export async function findIncompleteSteps(tx: StoreOperations, executionId: string, steps: readonly StepRecord[]): Promise<IncompleteStep[]> {
  const ends = new Map((await tx.listLogEnds(executionId)).map((end) => [`${end.stageId}/${end.stepId}/${end.attempt}`, end]));
  const incomplete: IncompleteStep[] = [];
  for (const step of steps) {
    if (!isTerminal(step.status)) continue;
    const key = { executionId, stageId: step.stageId, stepId: step.stepId, attempt: step.attempt };
    const end = ends.get(`${step.stageId}/${step.stepId}/${step.attempt}`);
    const name = `step ${step.stageId}/${step.stepId} attempt ${step.attempt}`;
    if (end === undefined && (await neverRan(tx, step))) continue;
    if (end === undefined) {
      incomplete.push({ ...key, description: `log of ${name} is incomplete: the delegate sent no completeness record` });
      continue;
    }
    const stored = await tx.countLogLines(key);
    if (stored < end.lastSeq) {
      incomplete.push({ ...key, description: `log of ${name} is incomplete: ${stored} of ${end.lastSeq} lines were received` });
    }
  }
  return incomplete;
}

/** Returns true for a step that was skipped, or aborted before it started and wrote no line. */
async function neverRan(tx: StoreOperations, step: StepRecord): Promise<boolean> {
  if (step.status === 'Skipped') return true;
  if (step.status !== 'Aborted' || step.startedAt !== undefined) return false;
  return (await tx.countLogLines(step)) === 0;
}
