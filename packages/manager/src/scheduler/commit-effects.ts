/**
 * Changes of one transaction that need work after it commits: waking long
 * polls, notifying log followers and counting finished executions.
 */
export class CommitEffects {
  tasksQueued = false;
  readonly changedExecutions = new Set<string>();
  /** Final statuses of executions that finished in this transaction. */
  readonly finishedStatuses: string[] = [];

  executionChanged(executionId: string): void {
    this.changedExecutions.add(executionId);
  }
}
