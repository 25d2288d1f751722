import type { Logger } from 'pino';
import { sleep } from '../backoff.js';
import type { ManagerClient } from '../manager/manager-client.js';
import type { DelegateMetrics } from '../metrics.js';
import type { TaskLoop } from './task-loop.js';

export interface HeartbeatOptions {
  client: Pick<ManagerClient, 'heartbeat'>;
  tasks: TaskLoop;
  capacity: number;
  intervalMs: () => number;
  draining: () => boolean;
  logger: Logger;
  metrics: DelegateMetrics;
}

/** Share of the interval by which each heartbeat wait varies, so delegates restarted together spread out: 10 %. */
const HEARTBEAT_JITTER = 0.1;

/**
 * Sends a heartbeat every interval (varied by up to 10 % either way) with the
 * used and free slots and the tasks the delegate believes it owns, and stops
 * the tasks the manager reports as lost or cancelled. Runs until `signal` aborts.
 */
export async function runHeartbeats(options: HeartbeatOptions, signal: AbortSignal): Promise<void> {
  let failures = 0;
  while (!signal.aborted) {
    const intervalMs = options.intervalMs();
    await sleep(intervalMs * (1 - HEARTBEAT_JITTER + 2 * HEARTBEAT_JITTER * Math.random()), signal);
    if (signal.aborted) return;
    await sendHeartbeat(options).then(
      () => {
        if (failures > 0) options.logger.info({ failures }, 'heartbeat succeeded again');
        failures = 0;
      },
      (error: unknown) => {
        failures += 1;
        options.metrics.connected.set({ peer: 'manager' }, 0);
        options.logger.warn({ err: error, failures }, 'heartbeat failed');
      },
    );
  }
}

/** Sends one heartbeat and applies its reply. */
export async function sendHeartbeat(options: HeartbeatOptions): Promise<void> {
  const used = options.tasks.size;
  const reply = await options.client.heartbeat(used, Math.max(0, options.capacity - used), options.tasks.ownedTasks(), options.draining());
  options.metrics.connected.set({ peer: 'manager' }, 1);
  if (reply.lost.length > 0) options.tasks.abort(reply.lost, 'lease lost');
  if (reply.cancel.length > 0) options.tasks.abort(reply.cancel, 'cancel requested');
}
