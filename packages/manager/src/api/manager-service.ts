import { KilnError, type wire } from '@kiln/protocol';
import { applyDocuments, parseForApply } from '../apply/apply-documents.js';
import { delegateToWire, executionToWire, logLineToWire, pipelineToWire } from '../grpc/wire-mapping.js';
import { followLogs, type LogFollowerOptions } from '../logs/log-follower.js';
import { countUsedSlots, tokenMatches } from '../scheduler/delegate-registry.js';
import { findPipeline } from '../scheduler/execution-starter.js';
import type { Scheduler } from '../scheduler/scheduler.js';
import type { EpochMs } from '../store/store.js';
import { buildFieldsOf, buildOf } from './build-request.js';
import { pipelineDetail, type PipelineDetail } from './pipeline-detail.js';

export interface ManagerServiceOptions {
  scheduler: Scheduler;
  /** Hex SHA-256 of KILN_API_TOKEN. */
  apiTokenHash: string;
  clock: () => EpochMs;
  /** An active delegate without a heartbeat for this long is shown `disconnected`, in ms. */
  delegateStaleAfterMs: number;
  /** How long a log follow waits after the execution ends for missing completeness records, in ms. */
  logCompletenessWaitMs: number;
  /** False once shutdown began: new executions are rejected. */
  acceptingWork: () => boolean;
}

/** A log request: StreamLogsRequest, optionally narrowed to one attempt of the step. */
export interface LogRequest extends wire.StreamLogsRequest__Output {
  /** Only lines of this attempt when above 0. */
  attempt?: number;
}

/**
 * The operations of ManagerService without a transport: the gRPC handlers and
 * the HTTP JSON API both call these, with the wire message types as inputs and
 * outputs. Authentication is one method, `authenticate`, which each transport
 * calls with the bearer token it received.
 */
export class ManagerService {
  private readonly followerOptions: LogFollowerOptions;

  constructor(private readonly options: ManagerServiceOptions) {
    const { scheduler } = options;
    this.followerOptions = {
      read: (work) => scheduler.transact((tx) => work(tx)),
      notifier: scheduler.notifier,
      clock: options.clock,
      completenessWaitMs: options.logCompletenessWaitMs,
    };
  }

  /**
   * Checks an API token against KILN_API_TOKEN in constant time.
   * @throws KilnError UNAUTHENTICATED when the token is missing or does not match.
   */
  authenticate(token: string | undefined): void {
    if (token === undefined || token === '' || !tokenMatches(token, this.options.apiTokenHash)) {
      throw new KilnError('UNAUTHENTICATED', 'API token does not match KILN_API_TOKEN of the manager; pass it with --token or KILN_TOKEN (the web UI asks for it at sign-in)');
    }
  }

  /** Validates and stores the pipelines and connectors of one file. @throws KilnError INVALID_ARGUMENT listing every problem. */
  async apply(request: wire.ApplyRequest__Output): Promise<wire.ApplyResponse> {
    const documents = parseForApply(request.content, request.source_name);
    const resources = await this.options.scheduler.transact((tx) => applyDocuments(tx, documents, this.options.clock()));
    return { resources };
  }

  /**
   * Starts a run of a pipeline.
   * @throws KilnError UNAVAILABLE during shutdown, INVALID_ARGUMENT, NOT_FOUND, MISSING_INPUT or CONNECTOR_NOT_FOUND.
   */
  async startExecution(request: wire.StartExecutionRequest__Output, trigger = 'manual'): Promise<wire.Execution> {
    if (!this.options.acceptingWork()) throw new KilnError('UNAVAILABLE', 'the manager is shutting down and starts no new executions; retry when it is back');
    const view = await this.options.scheduler.startExecution({ pipeline: request.pipeline, build: buildOf(request), inputs: request.inputs, trigger });
    return executionToWire(view);
  }

  /** Returns an execution by id or `PIPELINE/SEQUENCE_ID`. @throws KilnError NOT_FOUND. */
  async getExecution(request: wire.GetExecutionRequest__Output): Promise<wire.Execution> {
    return executionToWire(await this.options.scheduler.getExecution(request.id));
  }

  /** Lists executions newest first; a limit of 0 means 50. */
  async listExecutions(request: wire.ListExecutionsRequest__Output): Promise<wire.ListExecutionsResponse> {
    const { pipeline, status, limit } = request;
    const views = await this.options.scheduler.listExecutions({ pipeline: pipeline || undefined, status: status || undefined, limit });
    return { executions: views.map(executionToWire) };
  }

  /** Cancels an execution: queued stages end Aborted at once, running ones when their delegate stops them. @throws KilnError NOT_FOUND. */
  async cancelExecution(request: wire.CancelExecutionRequest__Output): Promise<wire.Execution> {
    return executionToWire(await this.options.scheduler.cancelExecution(request.id));
  }

  /**
   * Starts a new execution of the same pipeline with the same codebase build.
   * Runtime inputs are not stored with an execution, so the new run gets the
   * inputs' defaults.
   * @throws KilnError NOT_FOUND, or MISSING_INPUT when an input has no default.
   */
  async rerunExecution(request: wire.GetExecutionRequest__Output, trigger = 'rerun'): Promise<wire.Execution> {
    const previous = await this.getExecution(request);
    const pipeline = `${previous.org ?? ''}/${previous.project ?? ''}/${previous.pipeline ?? ''}`;
    return this.startExecution({ pipeline, inputs: {}, ...buildFieldsOf(previous) }, trigger);
  }

  /**
   * Yields the stored log of an execution; with `follow` it goes on until the
   * execution ends and every step's log is complete, or `signal` aborts.
   * @throws KilnError NOT_FOUND before the first line.
   */
  async *streamLogs(request: LogRequest, signal: AbortSignal): AsyncGenerator<wire.LogLine> {
    const view = await this.options.scheduler.getExecution(request.execution_id);
    const follow = { executionId: view.execution.id, follow: request.follow, stageId: request.stage_id, stepId: request.step_id };
    const attempt = request.attempt ?? 0;
    for await (const line of followLogs(this.followerOptions, follow, signal)) {
      if (signal.aborted) return;
      if (attempt > 0 && line.attempt !== attempt) continue;
      yield logLineToWire(line);
    }
  }

  /**
   * Lists delegates with the state shown to users and the slots the manager has leased to each; lost and
   * deregistered ones only when `all` is set.
   */
  async listDelegates(request: Partial<wire.ListDelegatesRequest__Output> = {}): Promise<wire.ListDelegatesResponse> {
    const { delegates, used } = await this.options.scheduler.transact(async (tx) => ({ delegates: await tx.listDelegates(), used: await countUsedSlots(tx) }));
    const now = this.options.clock();
    const stale = this.options.delegateStaleAfterMs;
    const shown = request.all ? delegates : delegates.filter((delegate) => delegate.state !== 'deregistered' && delegate.state !== 'lost');
    return { delegates: shown.map((delegate) => delegateToWire(delegate, now, stale, used.get(delegate.id) ?? 0)) };
  }

  async listPipelines(): Promise<wire.ListPipelinesResponse> {
    const pipelines = await this.options.scheduler.transact((tx) => tx.listPipelines());
    return { pipelines: pipelines.map(pipelineToWire) };
  }

  /** Returns a pipeline's YAML and runtime inputs by identifier or `org/project/identifier`. @throws KilnError NOT_FOUND. */
  async getPipeline(reference: string): Promise<PipelineDetail> {
    const record = await this.options.scheduler.transact((tx) => findPipeline(tx, reference));
    return pipelineDetail(record);
  }

  /**
   * Returns, per execution id, one string made of the fields the Builds list
   * shows: status, commit, start and finish. Unknown ids are left out.
   */
  async executionListStates(ids: readonly string[]): Promise<Map<string, string>> {
    return this.options.scheduler.transact(async (tx) => {
      const states = new Map<string, string>();
      for (const id of ids) {
        const execution = await tx.getExecution(id);
        if (execution === undefined) continue;
        states.set(id, [execution.status, execution.commitSha ?? '', execution.startedAt ?? 0, execution.finishedAt ?? 0].join('|'));
      }
      return states;
    });
  }

  /** Calls `listener` with the id of each execution after a change to it commits; returns the function that stops it. */
  watchExecutions(listener: (executionId: string) => void): () => void {
    return this.options.scheduler.notifier.subscribeAll(listener);
  }

  /** Calls `listener` after each committed change to one execution; returns the function that stops it. */
  watchExecution(executionId: string, listener: () => void): () => void {
    return this.options.scheduler.notifier.subscribe(executionId, listener);
  }
}
