import { addSimulatedDelegates, startEnvironment } from './environment.js';
import { quantile, sleep } from './stats.js';

export interface DispatchResult {
  delegates: number;
  submitted: number;
  ratePerSecond: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
}

/**
 * Dispatch latency: executions of the no-op pipeline are submitted at a fixed rate to `delegates` idle
 * simulated delegates. The load is open loop: the next submit does not wait for the previous one. The
 * latency of each is the time from calling StartExecution to a delegate's AcceptTask returning the payload.
 */
export async function measureDispatch(delegates: number, ratePerSecond: number, seconds: number): Promise<DispatchResult> {
  const env = await startEnvironment(`dispatch-${delegates}`);
  const errors: unknown[] = [];
  try {
    await addSimulatedDelegates(env, delegates, true, errors);
    await sleep(500);
    const submittedAt = new Map<string, number>();
    const total = ratePerSecond * seconds;
    const interval = 1000 / ratePerSecond;
    const started = performance.now();
    const submits: Promise<void>[] = [];
    for (let index = 0; index < total; index += 1) {
      const due = started + index * interval;
      const wait = due - performance.now();
      if (wait > 0) await sleep(wait);
      const at = Date.now();
      submits.push(env.api.start('Noop').then((execution) => void submittedAt.set(execution.id, at)));
    }
    await Promise.all(submits);
    const timings = () => env.delegates.flatMap((delegate) => delegate.timings);
    const deadline = Date.now() + 60_000;
    while (timings().length < total && Date.now() < deadline && errors.length === 0) await sleep(20);
    if (errors.length > 0) throw errors[0];
    const latencies = timings().map((timing) => timing.acceptedAt - (submittedAt.get(timing.executionId) ?? Number.NaN));
    return {
      delegates,
      submitted: total,
      ratePerSecond,
      p50Ms: quantile(latencies, 0.5),
      p99Ms: quantile(latencies, 0.99),
      maxMs: quantile(latencies, 1),
    };
  } finally {
    await env.stop();
  }
}
