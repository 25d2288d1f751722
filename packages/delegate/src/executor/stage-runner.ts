import type { Step, StepNode } from '@kiln/pipeline';
import { isSuccessful, type ErrorRecord, type Status } from '@kiln/protocol';
import type { StepResult } from '../metrics.js';
import type { StepLog } from '../nats/step-log.js';
import { runBuildStep } from './build-step.js';
import type { StrategyLevel } from './failure-strategy.js';
import { runRunStep } from './run-step.js';
import { runStepWithStrategies, type StepHandler } from './step-attempts.js';
import { decideStep, type StepDecision } from './step-condition.js';
import { errorRecord } from './step-outcome.js';
import type { StepOutcome, StepRun, TaskContext } from './task-context.js';

export type { StepHandler } from './step-attempts.js';

const HANDLERS: Partial<Record<string, StepHandler>> = {
  Run: runRunStep,
  BuildAndPushDockerRegistry: runBuildStep,
  BuildAndPushECR: runBuildStep,
  BuildAndPushGCR: runBuildStep,
  BuildAndPushGAR: runBuildStep,
  BuildAndPushACR: runBuildStep,
};

/**
 * Shared state of a stage run. The first failure (a Failed, Expired or
 * Aborted step that no failure strategy turned into success) fails the stage;
 * later steps run only when their `when` allows it. An Aborted step aborts
 * the stage: `signal` stops the steps still running and nothing else starts.
 */
export class StageProgress {
  failure: ErrorRecord | undefined;
  failedStatus: Status | undefined;
  private readonly abortController = new AbortController();

  /** Aborts when a step ends Aborted, e.g. through an Abort failure action. */
  get signal(): AbortSignal {
    return this.abortController.signal;
  }

  get stopped(): boolean {
    return this.failedStatus !== undefined;
  }

  record(outcome: StepOutcome): void {
    if (outcome.status === 'Aborted') this.abortController.abort();
    if (this.failedStatus !== undefined || isSuccessful(outcome.status)) return;
    this.failedStatus = outcome.status;
    this.failure = outcome.error;
  }
}

/** The id prefix and failure strategies a step inherits from the step groups around it. */
interface NodeScope {
  /** `<groupId>/` for each enclosing step group. */
  prefix: string;
  /** Failure strategies of the enclosing step groups (innermost first), then the stage's. */
  levels: readonly StrategyLevel[];
}

function resultLabel(status: Status): StepResult {
  if (status === 'Succeeded') return 'succeeded';
  if (status === 'Aborted') return 'aborted';
  return status === 'Skipped' ? 'skipped' : 'failed';
}

function unsupported(ctx: TaskContext, run: StepRun): StepHandler {
  return () => {
    const message = `step ${run.stepId}: type ${run.step.type} is not supported by the local executor yet (supported: ${Object.keys(HANDLERS).join(', ')})`;
    return Promise.resolve({ status: 'Failed', error: errorRecord('INVALID_ARGUMENT', message, (text) => ctx.masker.mask(text)) });
  };
}

function decide(ctx: TaskContext, id: string, when: Step['when'], progress: StageProgress): StepDecision {
  const aborted = ctx.signal.aborted || progress.failedStatus === 'Aborted';
  return decideStep(ctx, id, when, { failed: progress.stopped, aborted });
}

async function publishSkipped(ctx: TaskContext, stepId: string, reason: string): Promise<void> {
  ctx.logger.info({ stepId, reason }, 'step skipped');
  await ctx.events.publish({ ...ctx.scope, ts: Date.now(), type: 'step.finished', stepId, status: 'Skipped' });
}

/**
 * Runs one step with its events and log: step.started, the tries of the step
 * (see runStepWithStrategies), a closing system line unless it succeeded, the
 * LogEnd record, then step.finished. A step its `when` skips gets only
 * step.finished with status Skipped.
 */
export async function runStepWithEvents(ctx: TaskContext, run: StepRun, progress: StageProgress, handler: StepHandler | undefined, levels: readonly StrategyLevel[] = []): Promise<void> {
  const decision = decide(ctx, run.stepId, run.step.when, progress);
  if (decision.kind === 'skip') {
    await publishSkipped(ctx, run.stepId, decision.reason);
    return;
  }
  await ctx.events.publish({ ...ctx.scope, ts: Date.now(), type: 'step.started', stepId: run.stepId, name: run.step.name, stepType: run.step.type });
  const log: StepLog = ctx.openLog(run.stepId);
  const started = performance.now();
  const outcome: StepOutcome =
    decision.kind === 'error'
      ? { status: 'Failed', error: decision.error }
      : await runStepWithStrategies(ctx, run, handler ?? unsupported(ctx, run), log, levels);
  if (outcome.error !== undefined && outcome.status !== 'Succeeded') log.system(`${outcome.status}: ${outcome.error.message}`);
  if (outcome.outputs !== undefined) ctx.state.stepOutputs[run.stepId] = outcome.outputs;
  await log.end();
  ctx.metrics.stepDuration.observe({ type: run.step.type, result: resultLabel(outcome.status) }, (performance.now() - started) / 1000);
  ctx.logger.info({ stepId: run.stepId, status: outcome.status, exitCode: outcome.exitCode, code: outcome.error?.code }, 'step finished');
  progress.record(outcome);
  await ctx.events.publish({ ...ctx.scope, ts: Date.now(), type: 'step.finished', stepId: run.stepId, ...outcome });
}

/**
 * Runs step nodes in order. Steps of a `parallel` node run at the same time;
 * a step group runs its steps in order with ids `<groupId>/<stepId>`. The
 * stage's failure strategies apply to every step without its own or its
 * step group's matching strategy.
 */
export async function runStepNodes(ctx: TaskContext, nodes: StepNode[], progress: StageProgress): Promise<void> {
  const levels: StrategyLevel[] = [{ source: 'stage', strategies: ctx.payload.stage.failureStrategies ?? [] }];
  await runNodes(ctx, nodes, progress, { prefix: '', levels });
}

async function runNodes(ctx: TaskContext, nodes: StepNode[], progress: StageProgress, scope: NodeScope): Promise<void> {
  for (const node of nodes) {
    await runStepNode(ctx, node, progress, scope);
  }
}

async function runStepNode(ctx: TaskContext, node: StepNode, progress: StageProgress, scope: NodeScope): Promise<void> {
  if (node.kind === 'step') {
    const step: Step = node.step;
    const levels = [{ source: 'step', strategies: step.failureStrategies ?? [] }, ...scope.levels];
    await runStepWithEvents(ctx, { stepId: `${scope.prefix}${step.identifier}`, step }, progress, HANDLERS[step.type], levels);
  } else if (node.kind === 'parallel') {
    await Promise.all(node.nodes.map((child) => runStepNode(ctx, child, progress, scope)));
  } else {
    const { group } = node;
    const groupId = `${scope.prefix}${group.identifier}`;
    const decision = decide(ctx, groupId, group.when, progress);
    if (decision.kind !== 'run') {
      const reason = decision.kind === 'skip' ? `step group ${groupId}: ${decision.reason}` : decision.error.message;
      if (decision.kind === 'error') progress.record({ status: 'Failed', error: decision.error });
      await skipNodes(ctx, group.steps, `${groupId}/`, reason);
      return;
    }
    const levels = [{ source: `step group ${groupId}`, strategies: group.failureStrategies ?? [] }, ...scope.levels];
    await runNodes(ctx, group.steps, progress, { prefix: `${groupId}/`, levels });
  }
}

/** Publishes Skipped for every step of a stage that does not run. */
export async function skipStepNodes(ctx: TaskContext, nodes: StepNode[], reason: string): Promise<void> {
  await skipNodes(ctx, nodes, '', reason);
}

/** Publishes Skipped for every step under nodes that do not run, e.g. the steps of a skipped step group. */
async function skipNodes(ctx: TaskContext, nodes: StepNode[], prefix: string, reason: string): Promise<void> {
  for (const node of nodes) {
    if (node.kind === 'step') await publishSkipped(ctx, `${prefix}${node.step.identifier}`, reason);
    else if (node.kind === 'parallel') await skipNodes(ctx, node.nodes, prefix, reason);
    else await skipNodes(ctx, node.group.steps, `${prefix}${node.group.identifier}/`, reason);
  }
}
