import type { TaskPayload } from '@kiln/protocol';

/** A stage's task before it is queued: payload without task id and attempt, and the delegate selectors. */
export interface PlannedStage {
  stageId: string;
  name: string;
  stageIndex: number;
  groupIndex: number;
  selectors: string[];
  /** Connector whose delegateSelectors are `selectors`; missing in plans stored before it was recorded. */
  selectorConnector?: string | undefined;
  payload: Omit<TaskPayload, 'taskId' | 'attempt'>;
}

/** Contents of `ExecutionRecord.preparedJson`. */
export interface ExecutionPlan {
  stages: PlannedStage[];
}

export function parsePlan(preparedJson: string): ExecutionPlan {
  return JSON.parse(preparedJson) as ExecutionPlan;
}
