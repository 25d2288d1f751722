import type { Stage, Step, Variable } from '@kiln/pipeline';
import type { ConnectorRecord, ErrorRecord, Status, TaskPayload, TaskScope } from '@kiln/protocol';
import type { Logger } from 'pino';
import type { ImageBuilder } from '../builders/image-builder.js';
import type { DelegateMetrics } from '../metrics.js';
import { EventPublisher } from '../nats/event-publisher.js';
import type { Publisher } from '../nats/jetstream-publisher.js';
import { StepLog } from '../nats/step-log.js';
import { SecretMasker } from '../secrets/secret-masker.js';
import type { SecretStore } from '../secrets/secret-store.js';
import { ExpressionResolver, type ExpressionState } from './expressions.js';
import { cloneCodebase } from './git-clone.js';
import { StageProgress, runStepNodes, runStepWithEvents, skipStepNodes } from './stage-runner.js';
import { errorRecord, outcomeFromError } from './step-outcome.js';
import type { StepOutcome, TaskContext } from './task-context.js';
import { createTaskDirectories, removeTaskDirectories, type TaskDirectories } from './workspace.js';

export interface LocalExecutorOptions {
  workDir: string;
  secrets: SecretStore;
  builder: ImageBuilder;
  publisher: Publisher;
  logger: Logger;
  metrics: DelegateMetrics;
  killGracePeriodMs: number;
  keepFailedWorkspaces: boolean;
  /** Batch settings from the Register reply. */
  logFlush: () => { intervalMs: number; bytes: number };
}

export interface TaskRun {
  payload: TaskPayload<Stage>;
  scope: TaskScope;
  delegateId: string;
  /** Aborts the steps: cancel, lease lost, stage timeout or delegate shutdown. */
  signal: AbortSignal;
  /** Aborts retries of terminal events when the delegate must exit. */
  abandonSignal: AbortSignal;
}

const SECRET_EXPRESSION = /secrets\.getValue\(\s*["']([^"']+)["']\s*\)/g;
const SECRET_REF_KEYS = new Set(['passwordRef', 'tokenRef', 'usernameRef']);

/**
 * Collects the secret references a task can use (expressions, connector
 * refs, Secret variables) and adds their values to the masker before any
 * step runs, so that output printed early is masked too.
 */
export function preloadSecrets(payload: TaskPayload<Stage>, secrets: SecretStore, masker: SecretMasker): void {
  const refs = new Set<string>();
  for (const match of JSON.stringify(payload).matchAll(SECRET_EXPRESSION)) refs.add(match[1] ?? '');
  const visit = (value: unknown): void => {
    if (typeof value !== 'object' || value === null) return;
    for (const [key, child] of Object.entries(value)) {
      if (SECRET_REF_KEYS.has(key) && typeof child === 'string') refs.add(child);
      else visit(child);
    }
  };
  Object.values(payload.connectors).forEach((connector: ConnectorRecord) => visit(connector.spec));
  for (const variable of payload.stage.variables ?? []) {
    if (variable.type === 'Secret' && !variable.value.includes('<+')) refs.add(variable.value);
  }
  for (const ref of refs) {
    const value = secrets.get(ref);
    if (value !== undefined) masker.add(value);
  }
}

/** Resolves stage variables; a Secret variable holds a secret reference or a `<+secrets.getValue(...)>` expression. */
function resolveStageVariables(variables: Variable[], expressions: ExpressionResolver, secrets: SecretStore, masker: SecretMasker): Record<string, string> {
  const resolved: Record<string, string> = {};
  for (const variable of variables) {
    const usedBy = `stage variable ${variable.name}`;
    if (variable.type === 'Secret' && !variable.value.includes('<+')) {
      resolved[variable.name] = secrets.require(variable.value, usedBy);
      masker.add(resolved[variable.name] ?? '');
    } else {
      resolved[variable.name] = expressions.text(String(variable.value), usedBy);
    }
  }
  return resolved;
}

/** The codebase clone as a step of its own, as the Harness UI shows it. */
const CLONE_STEP = { identifier: 'git_clone', name: 'Clone codebase', type: 'GitClone', spec: {} } as unknown as Step;

async function cloneHandler(ctx: TaskContext, _run: unknown, log: StepLog): Promise<StepOutcome> {
  const codebase = ctx.payload.codebase;
  if (codebase === undefined) return { status: 'Skipped' };
  const { commitSha } = await cloneCodebase(ctx, codebase, log);
  ctx.state.codebase.commitSha = commitSha;
  if (codebase.build.type === 'branch') ctx.state.codebase.branch = codebase.build.value;
  if (codebase.build.type === 'tag') ctx.state.codebase.tag = codebase.build.value;
  log.system(`checked out ${commitSha}`);
  await ctx.events.publish({ ...ctx.scope, ts: Date.now(), type: 'codebase.cloned', repoUrl: codebase.repoUrl, commitSha, ...ctx.state.codebase });
  return { status: 'Succeeded', exitCode: 0 };
}

/**
 * Evaluates the stage's `when.condition` with what the delegate resolves
 * (secrets, step outputs). The manager already applied `pipelineStatus` and
 * any condition it could evaluate alone, so only a condition with
 * delegate-side parts can be false here. The commit SHA is not known yet,
 * because the condition is evaluated before the clone.
 * @throws KilnError when the condition cannot be evaluated.
 */
function stageConditionHolds(ctx: TaskContext): boolean {
  const condition = ctx.payload.stage.when?.condition;
  if (condition === undefined || condition.trim() === '') return true;
  return ctx.expressions.condition(condition, `when.condition of stage ${ctx.payload.stage.identifier}`);
}

function stageStatus(progress: StageProgress, timedOut: boolean, aborted: boolean): { status: Status; error?: ErrorRecord } {
  if (timedOut) return { status: 'Expired', error: { code: 'TIMEOUT', message: 'the stage timed out', failureType: 'Timeout' } };
  if (aborted) return { status: 'Aborted', error: progress.failure ?? { code: 'ABORTED', message: 'the stage was aborted' } };
  if (progress.failedStatus === undefined) return { status: 'Succeeded' };
  const status = progress.failedStatus === 'Aborted' ? 'Aborted' : 'Failed';
  return progress.failure === undefined ? { status } : { status, error: progress.failure };
}

/**
 * Runs a stage task on the delegate host: a workspace per task attempt under
 * `<workDir>/tasks/<taskId>-<attempt>/workspace`, the clone, then the steps,
 * publishing events and logs. The task directory is removed afterwards,
 * except after a failure when `keepFailedWorkspaces` is set.
 */
export class LocalExecutor {
  constructor(private readonly options: LocalExecutorOptions) {}

  async run(task: TaskRun): Promise<Status> {
    const { payload, scope } = task;
    const logger = this.options.logger.child({ taskId: scope.taskId, attempt: scope.attempt, executionId: scope.executionId, stageId: scope.stageId });
    const masker = new SecretMasker();
    preloadSecrets(payload, this.options.secrets, masker);
    const events = new EventPublisher(this.options.publisher, masker, logger, task.abandonSignal);
    const timeout = payload.timeoutMs > 0 ? AbortSignal.timeout(payload.timeoutMs) : undefined;
    const progress = new StageProgress();
    const signal = AbortSignal.any([task.signal, progress.signal, ...(timeout === undefined ? [] : [timeout])]);
    await events.publish({ ...scope, ts: Date.now(), type: 'stage.started', delegateId: task.delegateId });

    let directories: TaskDirectories | undefined;
    let skipped = false;
    try {
      directories = await createTaskDirectories(this.options.workDir, scope.taskId, scope.attempt);
      const ctx = this.context(task, directories, masker, events, logger, signal, timeout);
      skipped = await this.runStage(ctx, progress);
    } catch (error) {
      logger.error({ err: error }, 'stage failed outside a step');
      progress.record(outcomeFromError(error, signal.aborted, (text) => masker.mask(text)));
    }
    const result = skipped ? { status: 'Skipped' as const } : stageStatus(progress, timeout?.aborted === true, task.signal.aborted);
    await this.cleanup(directories, result.status, logger);
    await events.publish({ ...scope, ts: Date.now(), type: 'stage.finished', ...result });
    logger.info({ status: result.status, code: result.error?.code }, 'stage finished');
    return result.status;
  }

  /** Runs the stage's steps; returns true when the stage's `when.condition` skipped the whole stage. */
  private async runStage(ctx: TaskContext, progress: StageProgress): Promise<boolean> {
    const { payload } = ctx;
    try {
      ctx.stageVariables = resolveStageVariables(payload.stage.variables ?? [], ctx.expressions, ctx.secrets, ctx.masker);
      if (!stageConditionHolds(ctx)) {
        ctx.logger.info({ condition: payload.stage.when?.condition }, 'stage skipped by its when.condition');
        await skipStepNodes(ctx, payload.stage.spec.execution.steps, 'the stage when.condition is false');
        return true;
      }
    } catch (error) {
      progress.record(outcomeFromError(error, false, (text) => ctx.masker.mask(text)));
    }
    if (payload.stage.spec.cloneCodebase && payload.codebase !== undefined) {
      await runStepWithEvents(ctx, { stepId: 'git_clone', step: CLONE_STEP }, progress, cloneHandler);
    }
    await runStepNodes(ctx, payload.stage.spec.execution.steps, progress);
    return false;
  }

  private context(task: TaskRun, directories: TaskDirectories, masker: SecretMasker, events: EventPublisher, logger: Logger, signal: AbortSignal, stageTimeout: AbortSignal | undefined): TaskContext {
    const state: ExpressionState = { codebase: {}, stepOutputs: {} };
    const { publisher, metrics, secrets } = this.options;
    return {
      payload: task.payload, scope: task.scope, delegateId: task.delegateId, ...directories,
      secrets, masker, state, expressions: new ExpressionResolver(secrets, masker, state), stageVariables: {},
      events, builder: this.options.builder, logger, metrics, signal, stageTimeout, killGracePeriodMs: this.options.killGracePeriodMs,
      openLog: (stepId) => {
        const flush = this.options.logFlush();
        return new StepLog({
          publisher, scope: task.scope, stepId, masker, flushIntervalMs: flush.intervalMs, flushBytes: flush.bytes,
          logger, metrics, abandonSignal: task.abandonSignal,
        });
      },
    };
  }

  private async cleanup(directories: TaskDirectories | undefined, status: Status, logger: Logger): Promise<void> {
    if (directories === undefined) return;
    if (status !== 'Succeeded' && this.options.keepFailedWorkspaces) {
      logger.info({ taskDir: directories.taskDir }, 'keeping the task directory of a failed task');
      return;
    }
    try {
      await removeTaskDirectories(directories);
    } catch (error) {
      logger.warn({ err: error, taskDir: directories.taskDir }, 'removing the task directory failed');
    }
  }
}
