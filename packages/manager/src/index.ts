export { KilnManager, type ListeningAddresses, type ManagerState } from './manager.js';
export { parseOptions, parseDuration, parseListen, type ManagerOptions, type RawFlags } from './options.js';
export { createMetrics, type ManagerMetrics } from './metrics.js';
export type * from './store/store.js';
export { openSqliteStore, DATABASE_FILE } from './store/sqlite-store.js';
export { Scheduler, type SchedulerOptions, type ExecutionView } from './scheduler/scheduler.js';
export type { StartRequest } from './scheduler/execution-starter.js';
export { NatsIngest } from './nats/nats-ingest.js';
