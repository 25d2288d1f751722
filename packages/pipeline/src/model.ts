/**
 * The pipeline model after parsing and validation. Field names follow
 * Harness CI's v0 YAML unchanged. Values that hold expressions stay strings
 * (for example a tag `<+pipeline.sequenceId>`) until they are resolved.
 */

/** Where a value came from in its YAML file; lines and columns start at 1. */
export interface SourcePosition {
  file: string;
  line: number;
  column: number;
}

export type ProblemCode =
  | 'YAML_SYNTAX'
  | 'UNKNOWN_FIELD'
  | 'WRONG_TYPE'
  | 'MISSING_FIELD'
  | 'INVALID_IDENTIFIER'
  | 'DUPLICATE_IDENTIFIER'
  | 'UNKNOWN_STEP_TYPE'
  | 'UNKNOWN_STAGE_TYPE'
  | 'UNKNOWN_DOCUMENT'
  | 'INVALID_VALUE'
  | 'INVALID_DURATION'
  | 'INVALID_EXPRESSION'
  | 'UNKNOWN_REFERENCE'
  | 'MISSING_INPUT'
  | 'LIMIT_EXCEEDED';

/** One problem found in a file, with its position and YAML path (e.g. `pipeline.stages[0].stage.spec`). */
export interface Problem {
  code: ProblemCode;
  message: string;
  file: string;
  line: number;
  column: number;
  path: string;
}

export interface Variable {
  name: string;
  type: 'String' | 'Number' | 'Secret';
  /** Raw value: a literal, an expression or `<+input>...`. */
  value: string;
  description?: string;
  required?: boolean;
}

export type BuildType = 'branch' | 'tag' | 'PR' | 'commitSha';

export interface CodebaseBuild {
  type: BuildType;
  spec: { branch?: string; tag?: string; number?: string; commitSha?: string };
}

export interface Codebase {
  connectorRef: string;
  repoName?: string;
  /** `<+input>` (possibly with methods) when the build is given at run time. */
  build: CodebaseBuild | string;
  depth?: number;
  cloneDirectory?: string;
  prCloneStrategy?: 'MergeCommit' | 'SourceBranch';
  sslVerify?: boolean;
  resources?: Record<string, unknown>;
}

export interface Infrastructure {
  type: 'KubernetesDirect';
  spec: Record<string, unknown> & { connectorRef?: string; namespace?: string };
  useFromStage?: string;
}

/** A step or stage condition. Stages use `pipelineStatus`, steps and step groups `stageStatus`. */
export interface When {
  pipelineStatus?: 'Success' | 'Failure' | 'All';
  stageStatus?: 'Success' | 'Failure' | 'All';
  condition?: string;
}

export interface FailureStrategy {
  onFailure: {
    errors: string[];
    action: { type: string; spec?: Record<string, unknown> };
  };
}

export interface Step {
  identifier: string;
  name: string;
  type: StepType;
  description?: string;
  timeout?: string;
  when?: When;
  failureStrategies?: FailureStrategy[];
  /** Type-specific fields exactly as written, validated by the step type's schema. */
  spec: Record<string, unknown>;
}

export type StepType =
  | 'Run'
  | 'Background'
  | 'Plugin'
  | 'BuildAndPushDockerRegistry'
  | 'BuildAndPushECR'
  | 'BuildAndPushGCR'
  | 'BuildAndPushGAR'
  | 'BuildAndPushACR';

export interface StepGroup {
  identifier: string;
  name: string;
  description?: string;
  when?: When;
  failureStrategies?: FailureStrategy[];
  steps: StepNode[];
}

export type StepNode =
  | { kind: 'step'; step: Step }
  | { kind: 'parallel'; nodes: StepNode[] }
  | { kind: 'stepGroup'; group: StepGroup };

export interface Stage {
  identifier: string;
  name: string;
  type: 'CI';
  description?: string;
  variables: Variable[];
  when?: When;
  failureStrategies?: FailureStrategy[];
  timeout?: string;
  delegateSelectors?: string[];
  spec: {
    cloneCodebase: boolean;
    infrastructure?: Infrastructure;
    platform?: { os?: string; arch?: string };
    runtime?: { type: string; spec?: Record<string, unknown> };
    execution: { steps: StepNode[] };
    serviceDependencies: unknown[];
    sharedPaths: string[];
    caching?: Record<string, unknown>;
  };
}

export type StageNode = { kind: 'stage'; stage: Stage } | { kind: 'parallel'; stages: Stage[] };

export interface Pipeline {
  identifier: string;
  name: string;
  orgIdentifier: string;
  projectIdentifier: string;
  description?: string;
  tags: Record<string, string>;
  variables: Variable[];
  timeout?: string;
  codebase?: Codebase;
  stages: StageNode[];
}

/** A Harness connector document (`connector:`). Secrets are referenced by identifier only. */
export interface Connector {
  identifier: string;
  name: string;
  /** Absent for account scope. */
  orgIdentifier?: string;
  projectIdentifier?: string;
  description?: string;
  tags?: Record<string, string>;
  type: 'DockerRegistry' | 'Git' | 'Github' | 'K8sCluster' | 'Aws' | 'Gcp' | 'Azure';
  spec: Record<string, unknown>;
}

export type Document =
  | { kind: 'pipeline'; pipeline: Pipeline; position: SourcePosition; source: string }
  | { kind: 'connector'; connector: Connector; position: SourcePosition; source: string };
