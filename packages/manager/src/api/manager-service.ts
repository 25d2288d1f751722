import { KilnError, type wire } from '@kiln/protocol';
import { authorize, type Caller, type Operation } from '../auth/access-policy.js';
import { TokenRegistry } from '../auth/token-registry.js';
import { applyDocuments, parseForApply } from '../apply/apply-documents.js';
import { delegateToWire, executionToWire, logLineToWire, pipelineToWire } from '../grpc/wire-mapping.js';
import { followLogs, type LogFollowerOptions } from '../logs/log-follower.js';
import { countUsedSlots, tokenMatches } from '../scheduler/delegate-registry.js';
import { findPipeline } from '../scheduler/execution-starter.js';
import type { Scheduler } from '../scheduler/scheduler.js';
import type { EpochMs } from '../store/store.js';
import { buildFieldsOf, buildOf } from './build-request.js';
import { pipelineDetail, type PipelineDetail } from './pipeline-detail.js';
import { auditToWire, tokenRequestOf, tokenToWire } from './token-wire.js';

/** Audit records ListAudit returns when the request gives no limit, and at most. */
const DEFAULT_AUDIT_LIMIT = 50;
const MAX_AUDIT_LIMIT = 1000;

export interface ManagerServiceOptions {
  scheduler: Scheduler;
  /** Hex SHA-256 of KILN_API_TOKEN, the bootstrap admin token. */
  apiTokenHash: string;
  /** Stored tokens; by default a registry over the scheduler's store. */
  tokens?: TokenRegistry;
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
 * outputs. Each transport calls `authenticate` with the bearer token it
 * received and passes the returned Caller to every operation beyond reads,
 * which checks the caller's role and writes the audit record.
 */
export class ManagerService {
  private readonly followerOptions: LogFollowerOptions;
  readonly tokens: TokenRegistry;

  constructor(private readonly options: ManagerServiceOptions) {
    const { scheduler } = options;
    this.tokens = options.tokens ?? new TokenRegistry({ transact: (work) => scheduler.transact(work), clock: options.clock });
    this.followerOptions = {
      read: (work) => scheduler.transact((tx) => work(tx)),
      notifier: scheduler.notifier,
      clock: options.clock,
      completenessWaitMs: options.logCompletenessWaitMs,
    };
  }

  /**
   * Returns the caller an API token stands for: KILN_API_TOKEN (compared by
   * SHA-256 in constant time) is the admin `env`; a stored API token carries its role.
   * @throws KilnError UNAUTHENTICATED when the token is missing, unknown, revoked or expired.
   */
  async authenticate(token: string | undefined, peer = 'unknown'): Promise<Caller> {
    if (token !== undefined && token !== '') {
      if (tokenMatches(token, this.options.apiTokenHash)) return { tokenId: 'env', tokenName: 'KILN_API_TOKEN', role: 'admin', peer };
      const stored = await this.tokens.verify(token, 'api');
      if (stored !== undefined) return { tokenId: stored.id, tokenName: stored.name, role: stored.role ?? 'viewer', peer };
    }
    throw new KilnError('UNAUTHENTICATED', 'API token does not match KILN_API_TOKEN of the manager nor a stored API token; pass it with --token or KILN_TOKEN (the web UI asks for it at sign-in)');
  }

  /** Writes one audit record of a completed operation. */
  private async audit(caller: Caller, operation: Operation, target: string): Promise<void> {
    const record = { at: this.options.clock(), tokenId: caller.tokenId, tokenName: caller.tokenName, operation, target, peer: caller.peer };
    await this.options.scheduler.transact(async (tx) => tx.insertAudit(record));
  }

  /** Validates and stores the pipelines and connectors of one file. @throws KilnError PERMISSION_DENIED, or INVALID_ARGUMENT listing every problem. */
  async apply(caller: Caller, request: wire.ApplyRequest__Output): Promise<wire.ApplyResponse> {
    authorize(caller, 'apply');
    const documents = parseForApply(request.content, request.source_name);
    const resources = await this.options.scheduler.transact((tx) => applyDocuments(tx, documents, this.options.clock()));
    const applied = resources.map((resource) => `${resource.kind} ${resource.scope}/${resource.identifier} ${resource.action}`);
    await this.audit(caller, 'apply', `${request.source_name || '(unnamed)'}: ${applied.join(', ')}`);
    return { resources };
  }

  /**
   * Starts a run of a pipeline.
   * @throws KilnError PERMISSION_DENIED, UNAVAILABLE during shutdown, INVALID_ARGUMENT, NOT_FOUND, MISSING_INPUT or CONNECTOR_NOT_FOUND.
   */
  async startExecution(caller: Caller, request: wire.StartExecutionRequest__Output, trigger = 'manual'): Promise<wire.Execution> {
    authorize(caller, trigger === 'rerun' ? 'rerun' : 'run');
    if (!this.options.acceptingWork()) throw new KilnError('UNAVAILABLE', 'the manager is shutting down and starts no new executions; retry when it is back');
    const view = await this.options.scheduler.startExecution({ pipeline: request.pipeline, build: buildOf(request), inputs: request.inputs, trigger });
    const execution = executionToWire(view);
    await this.audit(caller, trigger === 'rerun' ? 'rerun' : 'run', `execution ${execution.id} (${execution.pipeline ?? ''}/${execution.sequence_id ?? ''})`);
    return execution;
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

  /** Cancels an execution: queued stages end Aborted at once, running ones when their delegate stops them. @throws KilnError PERMISSION_DENIED or NOT_FOUND. */
  async cancelExecution(caller: Caller, request: wire.CancelExecutionRequest__Output): Promise<wire.Execution> {
    authorize(caller, 'cancel');
    const execution = executionToWire(await this.options.scheduler.cancelExecution(request.id));
    await this.audit(caller, 'cancel', `execution ${execution.id} (${execution.pipeline ?? ''}/${execution.sequence_id ?? ''})`);
    return execution;
  }

  /**
   * Starts a new execution of the same pipeline with the same codebase build.
   * Runtime inputs are not stored with an execution, so the new run gets the
   * inputs' defaults.
   * @throws KilnError PERMISSION_DENIED, NOT_FOUND, or MISSING_INPUT when an input has no default.
   */
  async rerunExecution(caller: Caller, request: wire.GetExecutionRequest__Output): Promise<wire.Execution> {
    authorize(caller, 'rerun');
    const previous = await this.getExecution(request);
    const pipeline = `${previous.org ?? ''}/${previous.project ?? ''}/${previous.pipeline ?? ''}`;
    return this.startExecution(caller, { pipeline, inputs: {}, ...buildFieldsOf(previous) }, 'rerun');
  }

  /** Stores a new token and returns it once. @throws KilnError PERMISSION_DENIED or INVALID_ARGUMENT. */
  async createToken(caller: Caller, request: wire.CreateTokenRequest__Output): Promise<wire.CreateTokenResponse> {
    authorize(caller, 'token.create');
    const { record, token } = await this.tokens.create(tokenRequestOf(request));
    await this.audit(caller, 'token.create', `${record.kind} token ${record.id} (${record.name}${record.role ? `, role ${record.role}` : ''})`);
    return { token: tokenToWire(record), secret: token };
  }

  /** Lists stored tokens without secrets. @throws KilnError PERMISSION_DENIED. */
  async listTokens(caller: Caller): Promise<wire.ListTokensResponse> {
    authorize(caller, 'token.list');
    return { tokens: (await this.tokens.list()).map(tokenToWire) };
  }

  /** Revokes a stored token. @throws KilnError PERMISSION_DENIED or NOT_FOUND. */
  async revokeToken(caller: Caller, request: wire.RevokeTokenRequest__Output): Promise<wire.TokenInfo> {
    authorize(caller, 'token.revoke');
    const record = await this.tokens.revoke(request.id);
    await this.audit(caller, 'token.revoke', `${record.kind} token ${record.id} (${record.name})`);
    return tokenToWire(record);
  }

  /** Lists audit records newest first; a limit of 0 means 50. @throws KilnError PERMISSION_DENIED or INVALID_ARGUMENT. */
  async listAudit(caller: Caller, request: wire.ListAuditRequest__Output): Promise<wire.ListAuditResponse> {
    authorize(caller, 'audit.list');
    const limit = request.limit === 0 ? DEFAULT_AUDIT_LIMIT : request.limit;
    if (limit < 0 || limit > MAX_AUDIT_LIMIT) throw new KilnError('INVALID_ARGUMENT', `audit limit ${limit} is invalid: expected 1 to ${MAX_AUDIT_LIMIT}, or 0 for ${DEFAULT_AUDIT_LIMIT}`);
    const records = await this.options.scheduler.transact((tx) => tx.listAudit(limit));
    return { records: records.map(auditToWire) };
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
