import type { Stage, Step } from '@kiln/pipeline';
import type { ArtifactRecord, ErrorRecord, Status, TaskPayload, TaskScope } from '@kiln/protocol';
import type { Logger } from 'pino';
import type { ImageBuilder } from '../builders/image-builder.js';
import type { DelegateMetrics } from '../metrics.js';
import type { EventPublisher } from '../nats/event-publisher.js';
import type { StepLog } from '../nats/step-log.js';
import type { SecretMasker } from '../secrets/secret-masker.js';
import type { SecretStore } from '../secrets/secret-store.js';
import type { ExpressionResolver, ExpressionState } from './expressions.js';

/** Everything the steps of one task attempt share. */
export interface TaskContext {
  payload: TaskPayload<Stage>;
  scope: TaskScope;
  delegateId: string;
  /** `<workDir>/tasks/<taskId>-<attempt>`, which contains the workspace and private files such as the registry auth file. */
  taskDir: string;
  workspace: string;
  secrets: SecretStore;
  masker: SecretMasker;
  expressions: ExpressionResolver;
  state: ExpressionState;
  /** Stage variables after resolution, by name; they become every step's environment. */
  stageVariables: Record<string, string>;
  events: EventPublisher;
  openLog(stepId: string): StepLog;
  builder: ImageBuilder;
  logger: Logger;
  metrics: DelegateMetrics;
  /**
   * Aborts when the task is cancelled, its lease is lost, the stage times out or is aborted, or the delegate stops.
   * Inside a step it also aborts at the step timeout.
   */
  signal: AbortSignal;
  /** Aborts when the stage timeout fires; undefined without a stage timeout. */
  stageTimeout?: AbortSignal;
  killGracePeriodMs: number;
}

/** A step as the executor runs it: its id in events and log subjects (`group/step` inside a step group). */
export interface StepRun {
  stepId: string;
  step: Step;
}

export interface StepOutcome {
  status: Status;
  exitCode?: number;
  error?: ErrorRecord;
  outputs?: Record<string, string>;
  artifacts?: ArtifactRecord[];
}
