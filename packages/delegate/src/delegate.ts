import { hostname } from 'node:os';
import path from 'node:path';
import type { TaskScope } from '@kiln/protocol';
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import { selectBuilder, type SelectedBuilder } from './builders/select-builder.js';
import type { DelegateConfig, HostPort } from './config/delegate-config.js';
import { LocalExecutor } from './executor/local-executor.js';
import type { KubernetesExecutorHandle } from './executor/kubernetes/index.js';
import { HealthServer } from './health/health-server.js';
import { ManagerClient, type Session } from './manager/manager-client.js';
import { registerUntilAnswered } from './manager/registration.js';
import { DelegateMetrics } from './metrics.js';
import { ControlListener } from './nats/control-listener.js';
import { JetStreamPublisher } from './nats/jetstream-publisher.js';
import { SecretStore } from './secrets/secret-store.js';
import { runHeartbeats, sendHeartbeat } from './task/heartbeat-loop.js';
import { TaskLoop } from './task/task-loop.js';

/** starting: registering and connecting; running: acquiring tasks; draining: finishing tasks; stopped; failed: startup failed. */
export type DelegateState = 'starting' | 'running' | 'draining' | 'stopped' | 'failed';

export interface DelegateOptions {
  config: DelegateConfig;
  logger: Logger;
  registry: Registry;
  version: string;
}

/** Time allowed for aborted tasks to publish their final events after SIGKILL before they are abandoned. */
const ABORT_REPORT_MS = 30_000;

/**
 * The delegate process: registers with the manager, connects to NATS, runs
 * the heartbeat and task loops, and drains on shutdown (stop acquiring, let
 * tasks finish within the drain timeout, abort the rest, deregister, close).
 */
export class Delegate {
  state: DelegateState = 'starting';
  /** Bound address of the health server once started (useful with port 0). */
  healthAddress: HostPort | undefined;
  private readonly metrics: DelegateMetrics;
  private readonly client: ManagerClient;
  private readonly health: HealthServer;
  private readonly startup = new AbortController();
  private readonly acquire = new AbortController();
  private readonly heartbeat = new AbortController();
  private readonly abandon = new AbortController();
  private session: Session | undefined;
  private publisher: JetStreamPublisher | undefined;
  private tasks: TaskLoop | undefined;
  private selectedBuilder: SelectedBuilder | undefined;
  private control: ControlListener | undefined;
  private loops: Promise<unknown>[] = [];
  private stopping: Promise<void> | undefined;

  constructor(private readonly options: DelegateOptions) {
    this.metrics = new DelegateMetrics(options.registry);
    this.client = new ManagerClient(options.config.manager, options.config.token, options.config.tls);
    this.health = new HealthServer(options.registry, () => ({
      registered: this.session !== undefined,
      natsConnected: this.publisher?.connected === true,
      running: this.state === 'running',
    }));
  }

  /** Selects the image builder once (kaniko, buildah or auto) and logs it with its version. */
  private async imageBuilder(): Promise<SelectedBuilder> {
    const { config, logger } = this.options;
    this.selectedBuilder ??= await selectBuilder(config.builder, config.workDir, { registries: config.registries, configFile: config.configFile }, logger, this.metrics);
    return this.selectedBuilder;
  }

  /** Returns true once Register has succeeded. */
  get registered(): boolean {
    return this.session !== undefined;
  }

  private setState(state: DelegateState): void {
    this.state = state;
    this.options.logger.info({ state }, 'delegate state changed');
  }

  /**
   * Starts the health server, registers (retrying until the manager replies),
   * connects to NATS and starts the loops.
   * @throws KilnError UNAUTHENTICATED or PROTOCOL_MISMATCH from Register, ABORTED when shut down while starting.
   */
  async start(): Promise<void> {
    const { config, logger } = this.options;
    const bound = await this.health.listen(config.healthListen);
    this.healthAddress = bound;
    logger.info({ address: `${bound.host}:${bound.port}` }, 'health server listening');
    try {
      await this.register(this.startup.signal);
      const servers = config.natsServers ?? (this.session?.natsServers.length ? this.session.natsServers : ['nats://127.0.0.1:4222']);
      this.publisher = await JetStreamPublisher.connect(servers, {
        name: `kiln-delegate ${config.name}`, auth: config.natsAuth, logger, metrics: this.metrics, signal: this.startup.signal, spoolDir: path.join(config.workDir, 'spool'),
      });
    } catch (error) {
      // A shutdown during startup is a stop, not a failure; drain() sets the state to stopped.
      if (!this.startup.signal.aborted) this.setState('failed');
      await this.health.close();
      this.client.close();
      throw error;
    }
    // @kubernetes/client-node adds about 80 MB to the process, so only a kubernetes delegate loads it.
    const kubernetesModule = this.options.config.executor === 'kubernetes' ? await import('./executor/kubernetes/index.js') : undefined;
    this.startLoops(this.publisher, kubernetesModule);
    this.setState('running');
  }

  private async register(signal: AbortSignal): Promise<void> {
    const { config, logger, version } = this.options;
    const selected = await this.imageBuilder();
    const info = {
      name: config.name, tags: config.tags, version, executor: config.executor, builder: selected.type,
      builderVersion: selected.version, capacity: config.capacity, hostname: hostname(),
    };
    this.session = await registerUntilAnswered(this.client, info, logger, signal, config.tokenSource);
    this.metrics.connected.set({ peer: 'manager' }, 1);
    logger.info({ delegateId: this.session.delegateId, manager: config.manager }, 'delegate registered');
  }

  private startLoops(publisher: JetStreamPublisher, kubernetesModule?: typeof import('./executor/kubernetes/index.js')): void {
    const { config, logger } = this.options;
    const session = (): Session => {
      if (this.session === undefined) throw new Error('the delegate is not registered');
      return this.session;
    };
    const builder = this.selectedBuilder?.builder;
    if (builder === undefined) throw new Error('the image builder was not selected before the loops started');
    const secrets = new SecretStore(config.secrets, config.configFile);
    const logFlush = () => ({ intervalMs: session().logFlushIntervalMs, bytes: session().logFlushBytes });
    const kubernetes = kubernetesModule !== undefined
      ? kubernetesModule.createKubernetesExecutor({
        ...config.kubernetes, delegateName: config.name, delegateHost: hostname(), secrets, publisher, logger,
        metrics: this.metrics, killGracePeriodMs: config.killGracePeriodMs, logFlush,
      })
      : undefined;
    const executor = kubernetes?.executor ?? new LocalExecutor({
      workDir: config.workDir, secrets, builder, publisher, logger,
      metrics: this.metrics, killGracePeriodMs: config.killGracePeriodMs, keepFailedWorkspaces: config.keepFailedWorkspaces,
      logFlush,
    });
    const tasks = new TaskLoop({
      client: this.client, executor, publisher, capacity: config.capacity, logger, metrics: this.metrics,
      delegateId: () => session().delegateId, renewIntervalMs: () => session().renewIntervalMs,
      reregister: () => this.register(this.acquire.signal).catch((error: unknown) => this.failWhileRunning(error)),
      abandonSignal: this.abandon.signal,
    });
    this.tasks = tasks;
    this.control = new ControlListener(publisher, (ref, reason) => tasks.abort([ref], reason), logger);
    this.control.listen(config.name);
    const heartbeatOptions = {
      client: this.client, tasks, capacity: config.capacity, intervalMs: () => session().heartbeatIntervalMs,
      draining: () => this.state === 'draining', logger, metrics: this.metrics,
    };
    if (kubernetes !== undefined) this.adoptLeftoverPods(kubernetes, tasks);
    this.loops = [
      tasks.acquireUntil(this.acquire.signal).catch((error: unknown) => logger.error({ err: error }, 'task loop failed')),
      runHeartbeats(heartbeatOptions, this.heartbeat.signal).catch((error: unknown) => logger.error({ err: error }, 'heartbeat loop failed')),
    ];
  }

  /**
   * Deletes the build pods a previous run of this delegate left whose lease the manager no longer honours,
   * and follows the others to their end under a renewed lease.
   */
  private adoptLeftoverPods(kubernetes: KubernetesExecutorHandle, tasks: TaskLoop): void {
    const { logger } = this.options;
    const isLeaseValid = (scope: TaskScope): Promise<boolean> =>
      this.client.renewLease(scope).then(() => true, () => false);
    const adopt = async (): Promise<void> => {
      for (const adopted of await kubernetes.reconcileLeftoverPods(isLeaseValid)) {
        const podLogger = logger.child({ taskId: adopted.scope.taskId, attempt: adopted.scope.attempt, pod: adopted.podName });
        tasks.adopt(adopted.scope, (signal) => kubernetes.resume(adopted, { signal, abandonSignal: this.abandon.signal }), podLogger);
      }
    };
    adopt().catch((error: unknown) => logger.error({ err: error }, 'adopting leftover build pods failed'));
  }

  /** Logs a fatal error after startup (e.g. a revoked token) and drains. */
  private failWhileRunning(error: unknown): void {
    this.options.logger.fatal({ err: error }, 'registering again failed, draining');
    void this.shutdown('registration failed');
  }

  /**
   * Drains and stops: stop acquiring, tell the manager, wait up to the drain
   * timeout for running tasks, abort the rest (SIGTERM, then SIGKILL), wait for
   * their final events, deregister, close NATS and the health server.
   * Idempotent; later calls return the same promise.
   */
  shutdown(reason: string): Promise<void> {
    this.stopping ??= this.drain(reason);
    return this.stopping;
  }

  /** Aborts running tasks at once; used on a second signal during a drain. */
  abortTasks(reason: string): void {
    this.tasks?.abortAll(reason);
  }

  private async drain(reason: string): Promise<void> {
    const { config, logger } = this.options;
    if (this.state === 'running') this.setState('draining');
    logger.info({ reason, running: this.tasks?.size ?? 0, drainTimeoutMs: config.drainTimeoutMs }, 'draining');
    this.startup.abort();
    this.acquire.abort();
    const tasks = this.tasks;
    if (tasks !== undefined) {
      await sendHeartbeat({
        client: this.client, tasks, capacity: config.capacity, intervalMs: () => 0, draining: () => true, logger, metrics: this.metrics,
      }).catch((error: unknown) => logger.warn({ err: error }, 'draining heartbeat failed'));
      await this.finishTasks(tasks);
    }
    this.heartbeat.abort();
    await Promise.all(this.loops);
    await this.closeConnections();
    this.setState('stopped');
  }

  private async finishTasks(tasks: TaskLoop): Promise<void> {
    const { config, logger } = this.options;
    if (await tasks.waitIdle(config.drainTimeoutMs)) return;
    logger.warn({ running: tasks.size }, 'drain timeout passed, aborting running tasks');
    tasks.abortAll('delegate shutdown');
    if (await tasks.waitIdle(config.killGracePeriodMs + ABORT_REPORT_MS)) return;
    logger.error({ running: tasks.size }, 'tasks did not report after abort, abandoning their events');
    this.abandon.abort();
    await tasks.waitIdle(5_000);
  }

  private async closeConnections(): Promise<void> {
    const { logger } = this.options;
    if (this.session !== undefined) {
      await this.client.deregister('drain').then(
        () => logger.info({ delegateId: this.session?.delegateId }, 'delegate deregistered'),
        (error: unknown) => logger.warn({ err: error }, 'deregister failed'),
      );
    }
    this.metrics.connected.set({ peer: 'manager' }, 0);
    this.control?.close();
    await this.publisher?.close().catch((error: unknown) => logger.warn({ err: error }, 'closing nats failed'));
    this.client.close();
    await this.health.close();
  }
}
