import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DispatchStack, kilnJson, metricValue, runPipelineYaml, waitFor } from '../src/harness/index.js';

const TASKS = 300;

async function newStack(name: string, managerArgs: string[] = []): Promise<DispatchStack> {
  return DispatchStack.start(await mkdtemp(join(tmpdir(), `kiln-e2e-dispatch-${name}-`)), managerArgs);
}

/** Starts `count` executions of `pipeline` through the API, `parallel` requests at a time; returns their ids. */
async function startMany(stack: DispatchStack, pipeline: string, count: number, parallel: number): Promise<string[]> {
  const ids: string[] = [];
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < count) {
      next += 1;
      ids.push((await stack.managerApi.startExecution(pipeline)).id);
    }
  };
  await Promise.all(Array.from({ length: parallel }, () => worker()));
  return ids;
}

function countMatches(text: string, pattern: RegExp): number {
  return text.split('\n').filter((line) => pattern.test(line)).length;
}

describe('dispatch under load', () => {
  describe(`when two delegates of capacity 4 take ${TASKS} no-op tasks`, () => {
    let stack: DispatchStack;

    beforeAll(async () => {
      stack = await newStack('load');
      await stack.addDelegate({ name: 'load-1', capacity: 4 });
      await stack.addDelegate({ name: 'load-2', capacity: 4 });
      await stack.apply('pipeline.yaml', runPipelineYaml('noop', 'true'));
    }, 60_000);

    afterAll(async () => stack?.stop());

    it('runs every task exactly once and leaves none queued', async () => {
      const ids = await startMany(stack, 'noop', TASKS, 8);
      expect(new Set(ids).size).toBe(TASKS);
      let maxSlotsUsed = 0;
      const executions = await waitFor(`${TASKS} executions to finish`, async () => {
        const listed = await stack.managerApi.listExecutions('noop', 1000);
        const delegates = await kilnJson<{ delegates: { slots_used: number }[] }>(stack.manager, ['delegates']);
        maxSlotsUsed = Math.max(maxSlotsUsed, ...delegates.delegates.map((delegate) => delegate.slots_used));
        return listed.length === TASKS && listed.every((execution) => ['Succeeded', 'Failed', 'Aborted', 'Expired'].includes(execution.status)) ? listed : undefined;
      }, 150_000, 1_000);

      expect(executions.filter((execution) => execution.status !== 'Succeeded').map((execution) => `${execution.id}: ${execution.status}`)).toEqual([]);
      expect(executions.filter((execution) => execution.stages.length !== 1 || execution.stages[0]?.attempt !== 1).map((execution) => execution.id)).toEqual([]);
      expect(maxSlotsUsed).toBeLessThanOrEqual(4);

      const accepted = countMatches(await stack.delegateLog(stack.delegates[0]!), /"msg":"task accepted"/) + countMatches(await stack.delegateLog(stack.delegates[1]!), /"msg":"task accepted"/);
      expect(accepted).toBe(TASKS);
      expect(await metricValue(stack.manager.http, 'kiln_tasks{state="queued",reason="none"}')).toBeUndefined();
      expect(await metricValue(stack.manager.http, 'kiln_task_attempts_lost_total{cause="lease_expired"}')).toBeUndefined();
    }, 180_000);
  });

  describe('when no delegate matches the stage', () => {
    let stack: DispatchStack;

    beforeAll(async () => {
      stack = await newStack('routing', ['--queue-ttl', '4s']);
      await stack.addDelegate({ name: 'routing-1', tags: ['local'] });
      await stack.apply('pipeline.yaml', runPipelineYaml('gpu_only', 'true', { selector: 'gpu' }));
    }, 60_000);

    afterAll(async () => stack?.stop());

    it('keeps the task queued with reason no_matching_delegate, then expires it', async () => {
      const id = (await stack.managerApi.startExecution('gpu_only')).id;
      const queued = await stack.managerApi.getExecution(id);
      expect(queued.status).toBe('Queued');
      expect(queued.stages[0]?.reason).toBe('no_matching_delegate');
      expect(await metricValue(stack.manager.http, 'kiln_tasks{state="queued",reason="no_matching_delegate"}')).toBe(1);

      const expired = await waitFor('the execution to expire', async () => {
        const execution = await stack.managerApi.getExecution(id);
        return execution.status === 'Queued' ? undefined : execution;
      }, 15_000, 200);
      expect(expired.status).toBe('Expired');
      expect(expired.error_message).toMatch(/queue TTL of 4s/);
      expect(expired.stages[0]?.status).toBe('Expired');
    }, 60_000);
  });
});
