/** A connector as the delegate needs it: never with secret values, only secret references. */
export interface ConnectorRecord {
  /** The reference as the pipeline wrote it, e.g. `account.docker_hub`. */
  ref: string;
  identifier: string;
  type: string;
  spec: Record<string, unknown>;
}

export type BuildType = 'branch' | 'tag' | 'PR' | 'commitSha';

export interface CodebaseRecord {
  connectorRef: string;
  repoName?: string;
  /** Clone URL: the connector URL joined with repoName for account-type connectors. */
  repoUrl: string;
  build: { type: BuildType; value: string };
  depth?: number;
  cloneDirectory?: string;
}

/**
 * Everything a delegate needs to run one CI stage, sent on AcceptTask.
 * `TStage` is the stage model of @kiln/pipeline; the manager has already
 * resolved manager-side expressions in it and left delegate-side ones
 * (secrets, codebase.commitSha, step outputs) as `<+...>` text.
 */
export interface TaskPayload<TStage = unknown> {
  taskId: string;
  attempt: number;
  executionId: string;
  pipeline: {
    identifier: string;
    name: string;
    orgIdentifier: string;
    projectIdentifier: string;
    sequenceId: number;
    /** Pipeline variables after runtime inputs, by name. Secret variables hold their `<+secrets...>` reference. */
    variables: Record<string, string>;
  };
  stage: TStage;
  /** Position of the stage in the pipeline, from 0. */
  stageIndex: number;
  codebase?: CodebaseRecord;
  /** Connectors the stage's steps refer to, by the reference they use. */
  connectors: Record<string, ConnectorRecord>;
  /** Stage timeout in milliseconds, 0 for none. */
  timeoutMs: number;
}
