import type { Step, StepNode } from '@kiln/pipeline';
import type { ErrorRecord, Status } from '@kiln/protocol';
import type { StepResult } from '../metrics.js';
import type { StepLog } from '../nats/step-log.js';
import { runBuildStep } from './build-step.js';
import { runRunStep } from './run-step.js';
import { errorRecord, outcomeFromError } from './step-outcome.js';
import type { StepOutcome, StepRun, TaskContext } from './task-context.js';

export type StepHandler = (ctx: TaskContext, run: StepRun, log: StepLog) => Promise<StepOutcome>;

const HANDLERS: Partial<Record<string, StepHandler>> = {
  Run: runRunStep,
  BuildAndPushDockerRegistry: runBuildStep,
};

/** Shared state of a stage run: once a step fails or is aborted, the steps after it are skipped. */
export class StageProgress {
  failure: ErrorRecord | undefined;
  failedStatus: Status | undefined;

  get stopped(): boolean {
    return this.failedStatus !== undefined;
  }

  record(outcome: StepOutcome): void {
    if (this.failedStatus !== undefined || outcome.status === 'Succeeded' || outcome.status === 'Skipped') return;
    this.failedStatus = outcome.status;
    this.failure = outcome.error;
  }
}

function resultLabel(status: Status): StepResult {
  if (status === 'Succeeded') return 'succeeded';
  if (status === 'Aborted') return 'aborted';
  return status === 'Skipped' ? 'skipped' : 'failed';
}

async function executeStep(ctx: TaskContext, run: StepRun, handler: StepHandler | undefined, log: StepLog): Promise<StepOutcome> {
  const mask = (text: string): string => ctx.masker.mask(text);
  if (handler === undefined) {
    return { status: 'Failed', error: errorRecord('INVALID_ARGUMENT', `step ${run.stepId}: type ${run.step.type} is not supported by the local executor yet (supported: ${Object.keys(HANDLERS).join(', ')})`, mask) };
  }
  try {
    return await handler(ctx, run, log);
  } catch (error) {
    return outcomeFromError(error, ctx.signal.aborted, mask);
  }
}

/**
 * Runs one step with its events and log: step.started, the step, a closing
 * system line on failure, the LogEnd record, then step.finished. When the
 * stage has already stopped, only step.finished with Skipped is published.
 */
export async function runStepWithEvents(ctx: TaskContext, run: StepRun, progress: StageProgress, handler: StepHandler | undefined): Promise<void> {
  const base = { ...ctx.scope, ts: Date.now(), stepId: run.stepId };
  if (progress.stopped || ctx.signal.aborted) {
    await ctx.events.publish({ ...base, type: 'step.finished', status: 'Skipped' });
    return;
  }
  await ctx.events.publish({ ...base, type: 'step.started', name: run.step.name, stepType: run.step.type });
  const log = ctx.openLog(run.stepId);
  const started = performance.now();
  const outcome = await executeStep(ctx, run, handler, log);
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
 * a step group runs its steps in order with ids `<groupId>/<stepId>`.
 */
export async function runStepNodes(ctx: TaskContext, nodes: StepNode[], progress: StageProgress, prefix = ''): Promise<void> {
  for (const node of nodes) {
    await runStepNode(ctx, node, progress, prefix);
  }
}

async function runStepNode(ctx: TaskContext, node: StepNode, progress: StageProgress, prefix: string): Promise<void> {
  if (node.kind === 'step') {
    const step: Step = node.step;
    await runStepWithEvents(ctx, { stepId: `${prefix}${step.identifier}`, step }, progress, HANDLERS[step.type]);
  } else if (node.kind === 'parallel') {
    await Promise.all(node.nodes.map((child) => runStepNode(ctx, child, progress, prefix)));
  } else {
    await runStepNodes(ctx, node.group.steps, progress, `${prefix}${node.group.identifier}/`);
  }
}
