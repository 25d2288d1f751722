import type * as grpc from '@grpc/grpc-js';
import { KilnError, type BuildType, type ManagerServiceHandlers, type wire } from '@kiln/protocol';
import { applyDocuments, parseForApply } from '../apply/apply-documents.js';
import { followLogs, type LogFollowerOptions } from '../logs/log-follower.js';
import { countUsedSlots, tokenMatches } from '../scheduler/delegate-registry.js';
import type { Scheduler } from '../scheduler/scheduler.js';
import type { EpochMs } from '../store/store.js';
import { bearerToken, checkProtocolVersion, type CallGuard } from './call-guard.js';
import { delegateToWire, executionToWire, logLineToWire, pipelineToWire } from './wire-mapping.js';

export interface ManagerHandlerOptions {
  scheduler: Scheduler;
  guard: CallGuard;
  /** Hex SHA-256 of KILN_API_TOKEN. */
  apiTokenHash: string;
  clock: () => EpochMs;
  delegateStaleAfterMs: number;
  logCompletenessWaitMs: number;
  /** False once shutdown began: new executions are rejected. */
  acceptingWork: () => boolean;
  /** Aborts when shutdown begins, ending log follows. */
  shutdownSignal: AbortSignal;
}

function authorize(options: ManagerHandlerOptions, metadata: grpc.Metadata): void {
  checkProtocolVersion(metadata);
  if (!tokenMatches(bearerToken(metadata), options.apiTokenHash)) {
    throw new KilnError('UNAUTHENTICATED', 'API token does not match KILN_API_TOKEN of the manager; pass it with --token or KILN_TOKEN');
  }
}

/**
 * Returns the build of a run request.
 * @throws KilnError INVALID_ARGUMENT when more than one of branch, tag, commit and PR is set.
 */
export function buildOf(request: wire.StartExecutionRequest__Output): { type: BuildType; value: string } | undefined {
  const builds: { type: BuildType; value: string }[] = [];
  if (request.branch) builds.push({ type: 'branch', value: request.branch });
  if (request.tag) builds.push({ type: 'tag', value: request.tag });
  if (request.commit_sha) builds.push({ type: 'commitSha', value: request.commit_sha });
  if (request.pr_number) builds.push({ type: 'PR', value: request.pr_number });
  if (builds.length > 1) {
    throw new KilnError('INVALID_ARGUMENT', `give at most one of branch, tag, commit and PR; got ${builds.map((build) => `${build.type} ${build.value}`).join(', ')}`);
  }
  return builds[0];
}

/** Waits until a stream's write buffer drains or the call ends. */
function waitForDrain(call: grpc.ServerWritableStream<unknown, unknown>, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const done = (): void => {
      call.off('drain', done);
      signal.removeEventListener('abort', done);
      resolve();
    };
    call.once('drain', done);
    signal.addEventListener('abort', done, { once: true });
  });
}

/** Builds the ManagerService handlers: wire to domain translation only. */
export function createManagerHandlers(options: ManagerHandlerOptions): ManagerServiceHandlers {
  const { guard, scheduler } = options;
  const followerOptions: LogFollowerOptions = {
    read: (work) => scheduler.transact((tx) => work(tx)),
    notifier: scheduler.notifier,
    clock: options.clock,
    completenessWaitMs: options.logCompletenessWaitMs,
  };
  return {
    Apply: guard.unary('Apply', async (call) => {
      authorize(options, call.metadata);
      const documents = parseForApply(call.request.content, call.request.source_name);
      const resources = await scheduler.transact((tx) => applyDocuments(tx, documents, options.clock()));
      return { resources };
    }),

    StartExecution: guard.unary('StartExecution', async (call) => {
      authorize(options, call.metadata);
      if (!options.acceptingWork()) throw new KilnError('UNAVAILABLE', 'the manager is shutting down and starts no new executions; retry when it is back');
      const request = call.request;
      const view = await scheduler.startExecution({ pipeline: request.pipeline, build: buildOf(request), inputs: request.inputs, trigger: 'manual' });
      return executionToWire(view);
    }),

    GetExecution: guard.unary('GetExecution', async (call) => {
      authorize(options, call.metadata);
      return executionToWire(await scheduler.getExecution(call.request.id));
    }),

    ListExecutions: guard.unary('ListExecutions', async (call) => {
      authorize(options, call.metadata);
      const { pipeline, status, limit } = call.request;
      const views = await scheduler.listExecutions({ pipeline: pipeline || undefined, status: status || undefined, limit });
      return { executions: views.map(executionToWire) };
    }),

    CancelExecution: guard.unary('CancelExecution', async (call) => {
      authorize(options, call.metadata);
      return executionToWire(await scheduler.cancelExecution(call.request.id));
    }),

    StreamLogs: guard.serverStream('StreamLogs', async (call) => {
      authorize(options, call.metadata);
      const view = await scheduler.getExecution(call.request.execution_id);
      const abort = new AbortController();
      const onShutdown = (): void => abort.abort();
      options.shutdownSignal.addEventListener('abort', onShutdown);
      call.on('cancelled', () => abort.abort());
      try {
        const request = { executionId: view.execution.id, follow: call.request.follow, stageId: call.request.stage_id, stepId: call.request.step_id };
        for await (const line of followLogs(followerOptions, request, abort.signal)) {
          if (abort.signal.aborted) break;
          if (!call.write(logLineToWire(line))) await waitForDrain(call, abort.signal);
        }
        // A follow cut short by shutdown ends with UNAVAILABLE, so the client reconnects instead of taking the end as complete.
        if (call.request.follow && options.shutdownSignal.aborted) {
          throw new KilnError('UNAVAILABLE', 'the manager is shutting down; reopen the log stream when it is back');
        }
      } finally {
        options.shutdownSignal.removeEventListener('abort', onShutdown);
      }
    }),

    ListDelegates: guard.unary('ListDelegates', async (call) => {
      authorize(options, call.metadata);
      const { delegates, used } = await scheduler.transact(async (tx) => ({ delegates: await tx.listDelegates(), used: await countUsedSlots(tx) }));
      const now = options.clock();
      const shown = call.request.all ? delegates : delegates.filter((delegate) => delegate.state !== 'deregistered');
      return { delegates: shown.map((delegate) => delegateToWire(delegate, now, options.delegateStaleAfterMs, used.get(delegate.id) ?? 0)) };
    }),

    ListPipelines: guard.unary('ListPipelines', async (call) => {
      authorize(options, call.metadata);
      const pipelines = await scheduler.transact((tx) => tx.listPipelines());
      return { pipelines: pipelines.map(pipelineToWire) };
    }),
  };
}
