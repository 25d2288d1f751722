import { addSimulatedDelegates, startEnvironment } from './environment.js';
import { sleep } from './stats.js';

export interface ThroughputResult {
  delegates: number;
  tasks: number;
  seconds: number;
  tasksPerSecond: number;
  succeeded: number;
}

/**
 * No-op task throughput: `tasks` executions are submitted with at most `inFlight` StartExecution calls
 * outstanding; simulated delegates accept each task and report it finished through JetStream. The time runs
 * from the first submit until the manager lists every execution as Succeeded.
 */
export async function measureThroughput(delegates: number, tasks: number, inFlight = 32): Promise<ThroughputResult> {
  const env = await startEnvironment(`throughput-${delegates}`);
  const errors: unknown[] = [];
  try {
    await addSimulatedDelegates(env, delegates, true, errors);
    await sleep(500);
    const started = performance.now();
    let next = 0;
    const worker = async (): Promise<void> => {
      while (next < tasks) {
        next += 1;
        await env.api.start('Noop');
      }
    };
    await Promise.all(Array.from({ length: inFlight }, worker));
    let succeeded = 0;
    const deadline = Date.now() + 120_000;
    while (Date.now() < deadline && errors.length === 0) {
      const list = await env.api.list('Noop', tasks);
      succeeded = list.executions.filter((execution) => execution.status === 'Succeeded').length;
      if (succeeded >= tasks) break;
      await sleep(25);
    }
    if (errors.length > 0) throw errors[0];
    const seconds = (performance.now() - started) / 1000;
    return { delegates, tasks, seconds, tasksPerSecond: tasks / seconds, succeeded };
  } finally {
    await env.stop();
  }
}
