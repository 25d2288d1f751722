import type { Server as HttpServer } from 'node:http';
import type * as grpc from '@grpc/grpc-js';
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import { CallGuard } from './grpc/call-guard.js';
import { createDelegateHandlers } from './grpc/delegate-handlers.js';
import { startGrpcServer, stopGrpcServer } from './grpc/grpc-server.js';
import { createManagerHandlers } from './grpc/manager-handlers.js';
import { ManagerService } from './api/manager-service.js';
import { TokenRegistry } from './auth/token-registry.js';
import { startHttpServer, stopHttpServer } from './http/http-server.js';
import { createWebApp, isLoopbackHost, type HttpApp } from './http/web-app.js';
import { createMetrics } from './metrics.js';
import { NatsControlChannel } from './nats/control-channel.js';
import { NatsIngest, type MessageSink } from './nats/nats-ingest.js';
import type { ManagerOptions } from './options.js';
import { sha256Hex } from './scheduler/delegate-registry.js';
import { displayState } from './scheduler/delegate-match.js';
import { Scheduler } from './scheduler/scheduler.js';
import { openSqliteStore } from './store/sqlite-store.js';
import type { Store } from './store/store.js';

/** Lifecycle of the manager process. */
export type ManagerState = 'starting' | 'running' | 'draining' | 'stopped' | 'failed';

/** Heartbeats a delegate sends within the heartbeat timeout; the interval sent on Register is the timeout divided by this. */
export const HEARTBEATS_PER_TIMEOUT = 3;
/** Log flush settings sent to delegates: every 100 ms or 256 KiB, whichever comes first. */
export const LOG_FLUSH_INTERVAL_MS = 100;
export const LOG_FLUSH_BYTES = 256 * 1024;
/** How long a log follower waits after an execution ends for missing completeness records: 10 s. */
export const LOG_COMPLETENESS_WAIT_MS = 10_000;
/** How long running gRPC calls may take to finish on shutdown before they are cancelled: 5 s. */
export const GRPC_SHUTDOWN_GRACE_MS = 5_000;

/** Addresses the manager bound. */
export interface ListeningAddresses {
  grpc: string;
  http: string;
}

/**
 * kiln-manager: wires the store, scheduler, NATS ingest and the gRPC and HTTP
 * servers, and stops them in order.
 */
export class KilnManager {
  private state: ManagerState = 'starting';
  private store: Store | undefined;
  private scheduler: Scheduler | undefined;
  private ingest: NatsIngest | undefined;
  private grpcServer: grpc.Server | undefined;
  private httpServer: HttpServer | undefined;
  private readonly shutdown = new AbortController();
  private stopping: Promise<void> | undefined;

  constructor(private readonly options: ManagerOptions, private readonly logger: Logger, private readonly registry: Registry) {}

  private transition(state: ManagerState): void {
    this.state = state;
    this.logger.info({ state }, 'manager state changed');
  }

  /**
   * Opens the store, starts the gRPC and HTTP servers and the NATS ingest.
   * @throws when the store cannot be opened or a port cannot be bound.
   */
  async start(): Promise<ListeningAddresses> {
    const { options, logger } = this;
    const store = openSqliteStore(options.dataDir);
    this.store = store;
    const heartbeatIntervalMs = Math.max(1, Math.floor(options.heartbeatTimeoutMs / HEARTBEATS_PER_TIMEOUT));
    const staleAfterMs = options.heartbeatTimeoutMs;
    const metrics = createMetrics(this.registry, {
      countTasks: () => store.countTasks(),
      oldestQueuedAt: () => store.oldestQueuedAt(),
      countDelegates: async () => {
        const counts = new Map<string, number>();
        for (const delegate of await store.listDelegates()) {
          const state = displayState(delegate, Date.now(), staleAfterMs);
          counts.set(state, (counts.get(state) ?? 0) + 1);
        }
        return [...counts].map(([state, count]) => ({ state, count }));
      },
    });
    // The ingest and the scheduler refer to each other: the ingest applies messages through the scheduler, which pushes cancels through the ingest's connection.
    const sink: MessageSink = {
      applyEvent: (event) => scheduler.applyEvent(event),
      applyLogRecord: (record) => scheduler.applyLogRecord(record),
    };
    const ingest: NatsIngest = new NatsIngest({ servers: options.natsUrl, auth: options.natsAuth, sink, logger: logger.child({ component: 'nats' }), metrics });
    this.ingest = ingest;
    const scheduler: Scheduler = new Scheduler({
      store, logger, metrics, pollTimeoutMs: options.pollTimeoutMs, offerAckDeadlineMs: options.offerAckDeadlineMs, leaseTtlMs: options.leaseTtlMs,
      heartbeatIntervalMs, heartbeatTimeoutMs: options.heartbeatTimeoutMs, queueTtlMs: options.queueTtlMs, control: new NatsControlChannel(ingest, logger),
    });
    this.scheduler = scheduler;
    const guard = new CallGuard(logger, metrics);
    const acceptingWork = (): boolean => this.state === 'running' || this.state === 'starting';
    const tokens = new TokenRegistry({ transact: (work) => scheduler.transact(work), clock: Date.now });
    const delegateHandlers = createDelegateHandlers({
      scheduler,
      guard,
      delegateTokenHash: sha256Hex(options.delegateToken),
      tokens,
      acceptingWork,
      settings: { natsServers: options.natsPublicUrl, heartbeatIntervalMs, pollTimeoutMs: options.pollTimeoutMs, leaseTtlMs: options.leaseTtlMs, logFlushIntervalMs: LOG_FLUSH_INTERVAL_MS, logFlushBytes: LOG_FLUSH_BYTES },
    });
    const service = new ManagerService({
      scheduler,
      apiTokenHash: sha256Hex(options.apiToken),
      tokens,
      clock: Date.now,
      delegateStaleAfterMs: staleAfterMs,
      logCompletenessWaitMs: LOG_COMPLETENESS_WAIT_MS,
      acceptingWork,
    });
    const managerHandlers = createManagerHandlers({ service, guard, shutdownSignal: this.shutdown.signal });
    this.warnIfPlaintext();
    const grpcServer = await startGrpcServer(options.grpcListen, delegateHandlers, managerHandlers, options.tls);
    this.grpcServer = grpcServer.server;

    ingest.start();
    scheduler.start();

    const http = await startHttpServer({
      ...options.httpListen,
      registry: this.registry,
      logger,
      app: this.webApp(service),
      tls: options.tls,
      readiness: { store: () => store.ping(), nats: () => ingest.isReady(), grpc: () => this.state === 'running' },
    });
    this.httpServer = http.server;
    this.transition('running');
    logger.info({ grpc: grpcServer.address, http: http.address, tls: options.tls !== undefined, mutualTls: options.tls?.clientCa !== undefined }, 'manager listening');
    return { grpc: grpcServer.address, http: http.address };
  }

  /** Logs a warning for each non-loopback listener that serves plaintext, which `--allow-plaintext` permitted. */
  private warnIfPlaintext(): void {
    if (this.options.tls !== undefined) return;
    for (const [flag, listen] of [['--grpc-listen', this.options.grpcListen], ['--http-listen', this.options.httpListen]] as const) {
      if (!isLoopbackHost(listen.host)) this.logger.warn({ flag, host: listen.host }, 'listening without TLS on a non-loopback address (--allow-plaintext): tokens and logs cross the network unencrypted');
    }
  }

  /** Returns the web UI and its API, or undefined when HTTP listens beyond loopback without TLS. */
  private webApp(service: ManagerService): HttpApp | undefined {
    if (this.options.tls === undefined && !isLoopbackHost(this.options.httpListen.host)) {
      this.logger.warn({ http: this.options.httpListen.host }, 'web UI and API disabled: --http-listen is not a loopback address and the manager serves no TLS');
      return undefined;
    }
    return createWebApp({ service, logger: this.logger.child({ component: 'web' }), shutdownSignal: this.shutdown.signal });
  }

  /**
   * Stops in two phases: first intake (new executions, long polls and log
   * follows end), then NATS is drained, gRPC shut down (tryShutdown, then
   * forceShutdown after a grace period), HTTP closed and the store closed.
   * Every step runs even if an earlier one throws. Idempotent.
   */
  stop(): Promise<void> {
    this.stopping ??= this.runStop();
    return this.stopping;
  }

  private async runStop(): Promise<void> {
    this.transition('draining');
    this.shutdown.abort();
    this.scheduler?.stop();
    const errors: unknown[] = [];
    const step = async (name: string, work: () => Promise<unknown>): Promise<void> => {
      try {
        await work();
      } catch (error) {
        errors.push(error);
        this.logger.error({ err: error, step: name }, 'shutdown step failed');
      }
    };
    await step('nats', async () => this.ingest?.stop());
    await step('grpc', async () => {
      if (this.grpcServer === undefined) return;
      const outcome = await stopGrpcServer(this.grpcServer, GRPC_SHUTDOWN_GRACE_MS);
      this.logger.info({ outcome }, 'gRPC server stopped');
    });
    await step('http', async () => this.httpServer && stopHttpServer(this.httpServer));
    await step('store', async () => this.store?.close());
    this.transition(errors.length > 0 ? 'failed' : 'stopped');
    if (errors.length > 0) throw new AggregateError(errors, 'manager shutdown failed');
  }
}
