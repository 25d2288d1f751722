import type { V1ContainerStateTerminated } from '@kubernetes/client-node';
import type { ErrorRecord, Status, TaskScope } from '@kiln/protocol';
import type { Logger } from 'pino';
import { OutputTail } from '../../builders/build-failure.js';
import { sleep } from '../../backoff.js';
import type { DelegateMetrics, StepResult } from '../../metrics.js';
import type { EventPublisher } from '../../nats/event-publisher.js';
import type { StepLog } from '../../nats/step-log.js';
import type { StepOutcome } from '../task-context.js';
import { blockerOf, hasStarted, podEnd, terminatedState, type PodEnd } from './container-state.js';
import type { KubeApi } from './kube-api.js';
import type { StepAnnotation } from './pod-spec.js';
import type { PodTracker } from './pod-tracker.js';
import { infrastructureError, outcomeOfTermination } from './step-result.js';

/** Time to let a container's log stream finish after the container ended. */
const LOG_DRAIN_MS = 5000;

/** Shared state of one pod's run: the first failure stops the stage. */
export class PodProgress {
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

/** What running a pod's steps needs. */
export interface PodRun {
  api: KubeApi;
  tracker: PodTracker;
  namespace: string;
  podName: string;
  scope: TaskScope;
  events: EventPublisher;
  openLog: (stepId: string) => StepLog;
  logger: Logger;
  metrics: DelegateMetrics;
  initTimeoutMs: number;
  killGracePeriodMs: number;
  /** Aborts on cancel, lease loss or delegate shutdown. */
  taskSignal: AbortSignal;
  /** Aborts when the stage timeout passed. */
  stageSignal: AbortSignal;
  /** Called with the commit the clone container checked out. */
  onCloned: (commitSha: string) => Promise<void>;
}

type StartResult = { kind: 'started' } | { kind: 'end'; end: PodEnd } | { kind: 'blocked'; reason: string; message: string };

function resultLabel(status: Status): StepResult {
  if (status === 'Succeeded') return 'succeeded';
  if (status === 'Aborted') return 'aborted';
  return status === 'Skipped' ? 'skipped' : 'failed';
}

/** Waits until the container runs or ended, the pod ended, or a blocker lasted past the init timeout (at once for a permanent one). */
function waitForStart(run: PodRun, container: string, signal: AbortSignal): Promise<StartResult> {
  let blockedSince: number | undefined;
  return run.tracker.waitFor<StartResult>((view) => {
    if (hasStarted(view.pod, container)) return { kind: 'started' };
    const end = podEnd(view);
    if (end !== undefined) return { kind: 'end', end };
    const blocker = blockerOf(view.pod, container);
    if (blocker === undefined) {
      blockedSince = undefined;
      return undefined;
    }
    blockedSince ??= Date.now();
    if (blocker.permanent || Date.now() - blockedSince >= run.initTimeoutMs) return { kind: 'blocked', reason: blocker.reason, message: blocker.message };
    return undefined;
  }, signal);
}

function endOutcome(run: PodRun, end: PodEnd, stepId: string): StepOutcome {
  if (end.kind === 'deadline') return { status: 'Expired', error: { code: 'TIMEOUT', message: 'the stage timed out (the pod passed its activeDeadlineSeconds)', failureType: 'Timeout' } };
  if (end.kind === 'deleted') return { status: 'Failed', error: infrastructureError('the pod was deleted', `step ${stepId} had not finished`, run.podName, run.namespace) };
  return { status: 'Failed', error: infrastructureError(end.reason, end.message, run.podName, run.namespace) };
}

/** The outcome of a step interrupted by the task signal, the stage timeout or the step timeout. */
function interruptedOutcome(run: PodRun, step: StepAnnotation, stepTimedOut: boolean): StepOutcome {
  if (run.taskSignal.aborted) return { status: 'Aborted', error: { code: 'ABORTED', message: `step ${step.stepId} was stopped` } };
  if (run.stageSignal.aborted) return { status: 'Expired', error: { code: 'TIMEOUT', message: 'the stage timed out', failureType: 'Timeout' } };
  const message = stepTimedOut ? `step ${step.stepId} timed out after ${step.timeoutMs ?? 0} ms` : `step ${step.stepId} was interrupted`;
  return { status: 'Expired', error: { code: 'TIMEOUT', message, failureType: 'Timeout' } };
}

async function followLog(run: PodRun, container: string, log: StepLog, tail: OutputTail, signal: AbortSignal): Promise<void> {
  try {
    await run.api.followLog(run.namespace, run.podName, container, (line) => {
      tail.push(line);
      log.write('stdout', line);
    }, signal);
  } catch (error) {
    if (!signal.aborted) run.logger.warn({ err: error, container }, 'reading the container log failed');
  }
}

/** Runs one step's container: waits for it, streams its log, and maps its exit to the outcome. */
async function runContainer(run: PodRun, step: StepAnnotation, container: string, log: StepLog): Promise<StepOutcome> {
  const stepTimer = step.timeoutMs === undefined ? undefined : AbortSignal.timeout(step.timeoutMs);
  const signal = AbortSignal.any([run.taskSignal, run.stageSignal, ...(stepTimer === undefined ? [] : [stepTimer])]);
  const tail = new OutputTail(200);
  const logStop = new AbortController();
  let logDone: Promise<void> | undefined;
  try {
    const start = await waitForStart(run, container, signal);
    if (start.kind === 'end') return endOutcome(run, start.end, step.stepId);
    if (start.kind === 'blocked') return { status: 'Failed', error: infrastructureError(start.reason, start.message, run.podName, run.namespace) };
    if (step.build !== undefined) log.system(step.build.commandLine);
    logDone = followLog(run, container, log, tail, logStop.signal);
    const ended = await run.tracker.waitFor<{ terminated: V1ContainerStateTerminated } | { end: PodEnd }>((view) => {
      const terminated = terminatedState(view.pod, container);
      if (terminated !== undefined) return { terminated };
      const end = podEnd(view);
      return end === undefined ? undefined : { end };
    }, signal);
    await Promise.race([logDone, sleep(LOG_DRAIN_MS)]);
    if ('end' in ended) return endOutcome(run, ended.end, step.stepId);
    if (ended.terminated.reason === 'DeadlineExceeded') return endOutcome(run, { kind: 'deadline' }, step.stepId);
    return outcomeOfTermination(step, ended.terminated, tail, step.build);
  } catch (error) {
    if (!signal.aborted) throw error;
    await run.api.deletePod(run.namespace, run.podName, Math.ceil(run.killGracePeriodMs / 1000))
      .catch((deleteError: unknown) => run.logger.warn({ err: deleteError }, 'deleting the pod after an interruption failed'));
    return interruptedOutcome(run, step, stepTimer?.aborted === true);
  } finally {
    logStop.abort();
    await logDone;
  }
}

async function runStep(run: PodRun, step: StepAnnotation, progress: PodProgress): Promise<void> {
  const base = { ...run.scope, ts: Date.now(), stepId: step.stepId };
  if (progress.stopped || run.taskSignal.aborted || run.stageSignal.aborted) {
    await run.events.publish({ ...base, type: 'step.finished', status: 'Skipped' });
    return;
  }
  await run.events.publish({ ...base, type: 'step.started', name: step.name, stepType: step.type });
  const log = run.openLog(step.stepId);
  const started = performance.now();
  let outcome: StepOutcome;
  if (step.container === null) outcome = { status: 'Failed', error: step.error ?? { code: 'INTERNAL', message: `step ${step.stepId} has no container` } };
  else outcome = await runContainer(run, step, step.container, log);
  if (outcome.error !== undefined && outcome.status !== 'Succeeded') log.system(`${outcome.status}: ${outcome.error.message}`);
  await log.end();
  run.metrics.stepDuration.observe({ type: step.type, result: resultLabel(outcome.status) }, (performance.now() - started) / 1000);
  run.logger.info({ stepId: step.stepId, status: outcome.status, exitCode: outcome.exitCode, code: outcome.error?.code }, 'step finished');
  progress.record(outcome);
  if (step.kind === 'clone' && outcome.status === 'Succeeded') {
    const terminated = terminatedState(run.tracker.current.pod, 'clone');
    const commitSha = /^[0-9a-f]{40,64}$/.exec(terminated?.message?.trim() ?? '')?.[0];
    if (commitSha !== undefined) await run.onCloned(commitSha);
  }
  await run.events.publish({ ...run.scope, ts: Date.now(), type: 'step.finished', stepId: step.stepId, ...outcome });
}

/** Runs the pod's steps in order and publishes their events and logs; after the first failure the rest are Skipped. */
export async function runPodSteps(run: PodRun, steps: StepAnnotation[], progress: PodProgress): Promise<void> {
  for (const step of steps) {
    await runStep(run, step, progress);
  }
}
