import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { wire } from '@kiln/protocol';
import { DispatchStack, kiln, kilnJson, metricValue, processesWithCommandLine, publishEvent, runPipelineYaml, waitFor, type Delegate } from '../src/harness/index.js';

type Execution = wire.Execution__Output;

interface LogLineView {
  stage_id: string;
  step_id: string;
  attempt: number;
  seq: number;
  text: string;
  incomplete: boolean;
}

/** Builds a Run step command that prints `line 1` to `line N`, one every `sleep` seconds. */
function numberedLines(count: number, sleep: number): string {
  return `for i in $(seq 1 ${count}); do echo line $i; sleep ${sleep}; done`;
}

function expectedLines(count: number): string[] {
  return Array.from({ length: count }, (_, index) => `line ${index + 1}`);
}

async function newStack(name: string, managerArgs: string[] = []): Promise<DispatchStack> {
  return DispatchStack.start(await mkdtemp(join(tmpdir(), `kiln-e2e-dispatch-${name}-`)), managerArgs);
}

async function start(stack: DispatchStack, pipeline: string): Promise<string> {
  return (await stack.managerApi.startExecution(pipeline)).id;
}

function getExecution(stack: DispatchStack, id: string): Promise<Execution> {
  return kilnJson<Execution>(stack.manager, ['get', 'execution', id]);
}

async function waitForStatus(stack: DispatchStack, id: string, statuses: string[], timeoutMs: number): Promise<Execution> {
  return waitFor(`execution ${id} to reach ${statuses.join(' or ')}`, async () => {
    const execution = await stack.managerApi.getExecution(id);
    return statuses.includes(execution.status) ? execution : undefined;
  }, timeoutMs, 200);
}

/** Reads the stored log with `kiln logs`; `follow` waits until every finished step's log is complete. */
async function logLines(stack: DispatchStack, id: string, follow = false): Promise<LogLineView[]> {
  const result = await kiln(stack.manager, ['logs', id, '--output', 'json', ...(follow ? ['--follow'] : [])], { timeoutMs: 60_000 });
  expect(result.exitCode).toBe(0);
  return String(result.stdout)
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line) as LogLineView);
}

/** Returns the Run step's output lines of one attempt, in the order `kiln logs` prints them. */
function stepOutput(lines: LogLineView[], attempt: number): string[] {
  return lines.filter((line) => line.step_id === 'work' && line.attempt === attempt && !line.incomplete).map((line) => line.text);
}

/** Returns the harness delegate that runs the execution's current attempt, once it runs. */
async function runningDelegate(stack: DispatchStack, id: string): Promise<Delegate> {
  const stage = await waitFor(`execution ${id} to run on a delegate`, async () => {
    const execution = await stack.managerApi.getExecution(id);
    const current = execution.stages.at(-1);
    return current?.status === 'Running' && current.delegate_id !== '' ? current : undefined;
  }, 30_000, 100);
  const delegate = stack.delegates.find((candidate) => candidate.id === stage.delegate_id);
  if (delegate === undefined) throw new Error(`delegate ${stage.delegate_id} is not one the test started`);
  return delegate;
}

async function waitForStoredLines(stack: DispatchStack, id: string, count: number): Promise<void> {
  await waitFor(`${count} stored log lines of ${id}`, async () => ((await logLines(stack, id)).length >= count ? true : undefined), 30_000, 200);
}

/** Reads the lease id the delegate logged when it accepted `taskId`. */
async function loggedLeaseId(stack: DispatchStack, delegate: Delegate, taskId: string): Promise<string> {
  return waitFor(`delegate ${delegate.name} to log the lease of task ${taskId}`, async () => {
    for (const line of (await stack.delegateLog(delegate)).split('\n')) {
      if (!line.includes('"task accepted"') || !line.includes(taskId)) continue;
      return (JSON.parse(line) as { leaseId?: string }).leaseId;
    }
    return undefined;
  }, 10_000);
}

describe('dispatch', () => {
  describe('when a delegate is killed mid-build', () => {
    let stack: DispatchStack;

    beforeAll(async () => {
      stack = await newStack('kill');
      await stack.addDelegate({ name: 'kill-1' });
      await stack.addDelegate({ name: 'kill-2' });
      await stack.apply('pipeline.yaml', runPipelineYaml('slow_numbers', numberedLines(20, 0.25)));
    }, 60_000);

    afterAll(async () => stack?.stop());

    it('retries the stage on the other delegate and succeeds', async () => {
      const id = await start(stack, 'slow_numbers');
      const victim = await runningDelegate(stack, id);
      await waitForStoredLines(stack, id, 2);
      const firstTask = (await stack.managerApi.getExecution(id)).stages.at(-1)?.task_id ?? '';
      const firstLease = await loggedLeaseId(stack, victim, firstTask);
      const killedAt = Date.now();
      process.kill(victim.process.pid, 'SIGKILL');
      await victim.process.exited;

      await waitFor('attempt 2 to be queued', async () => ((await stack.managerApi.getExecution(id)).stages.length === 2 ? true : undefined), 25_000, 200);
      expect(Date.now() - killedAt).toBeLessThan(17_000);

      // The killed delegate's late event, with the lease that moved on, must change nothing.
      await publishEvent(stack.nats.url, {
        type: 'stage.finished', taskId: firstTask, attempt: 1, leaseId: firstLease, executionId: id, stageId: 'work', status: 'Failed', ts: Date.now(),
      });
      const final = await waitForStatus(stack, id, ['Succeeded', 'Failed', 'Aborted'], 60_000);
      expect(final.status).toBe('Succeeded');

      const shown = await getExecution(stack, id);
      expect(shown.stages.map((stage) => [stage.attempt, stage.status])).toEqual([[1, 'Failed'], [2, 'Succeeded']]);
      expect(shown.stages[0]?.delegate_id).toBe(victim.id);
      expect(shown.stages[0]?.error_message).toMatch(/attempt 1 lost: delegate kill-\d/);
      expect(shown.stages[1]?.delegate_id).not.toBe(victim.id);

      const lines = await logLines(stack, id);
      expect(stepOutput(lines, 1).length).toBeGreaterThanOrEqual(2);
      expect(stepOutput(lines, 2)).toEqual(expectedLines(20));
    }, 120_000);

    it('rejects a forged event with an old lease id', async () => {
      const id = await start(stack, 'slow_numbers');
      await runningDelegate(stack, id);
      const current = (await stack.managerApi.getExecution(id)).stages.at(-1);
      const rejectedBefore = (await metricValue(stack.manager.http, 'kiln_events_rejected_total{reason="stale_lease"}')) ?? 0;
      await publishEvent(stack.nats.url, {
        type: 'stage.finished', taskId: current?.task_id ?? '', attempt: 1, leaseId: 'lease-that-moved-on', executionId: id, stageId: 'work', status: 'Failed', ts: Date.now(),
      });
      await waitFor('the forged event to be rejected', async () => {
        const rejected = (await metricValue(stack.manager.http, 'kiln_events_rejected_total{reason="stale_lease"}')) ?? 0;
        return rejected > rejectedBefore ? true : undefined;
      }, 15_000, 200);
      expect((await stack.managerApi.getExecution(id)).status).toBe('Running');
      const final = await waitForStatus(stack, id, ['Succeeded', 'Failed', 'Aborted'], 60_000);
      expect(final.status).toBe('Succeeded');
      expect(final.stages).toHaveLength(1);
    }, 120_000);
  });

  describe('when the manager is killed mid-run', () => {
    let stack: DispatchStack;
    let delegate: Delegate;

    beforeAll(async () => {
      // A 6 s lease is renewed every 2 s, so the 3 s outage makes renewals fail and lets the stored lease run out.
      stack = await newStack('manager', ['--lease-ttl', '6s']);
      delegate = await stack.addDelegate({ name: 'manager-1' });
      await stack.apply('pipeline.yaml', runPipelineYaml('numbers', numberedLines(200, 0.04)));
    }, 60_000);

    afterAll(async () => stack?.stop());

    it('completes the run and stores each line once', async () => {
      const id = await start(stack, 'numbers');
      await runningDelegate(stack, id);
      await waitForStoredLines(stack, id, 10);
      await stack.restartManager(3_000);

      const final = await waitForStatus(stack, id, ['Succeeded', 'Failed', 'Aborted'], 90_000);
      expect(final.status).toBe('Succeeded');
      expect(final.stages).toHaveLength(1);
      const lines = await logLines(stack, id, true);
      expect(stepOutput(lines, 1)).toEqual(expectedLines(200));
      expect(lines.filter((line) => line.incomplete)).toEqual([]);
      expect((await stack.delegateLog(delegate)).match(/"msg":"task accepted"/g)).toHaveLength(1);
    }, 150_000);
  });

  describe('when nats-server restarts mid-run', () => {
    let stack: DispatchStack;

    beforeAll(async () => {
      stack = await newStack('nats');
      await stack.addDelegate({ name: 'nats-1' });
      await stack.apply('pipeline.yaml', runPipelineYaml('numbers', numberedLines(200, 0.02)));
    }, 60_000);

    afterAll(async () => stack?.stop());

    it('completes the run and stores each line once', async () => {
      const id = await start(stack, 'numbers');
      await runningDelegate(stack, id);
      await waitForStoredLines(stack, id, 10);
      await stack.restartNats(2_000);

      const final = await waitForStatus(stack, id, ['Succeeded', 'Failed', 'Aborted'], 90_000);
      expect(final.status).toBe('Succeeded');
      const lines = await logLines(stack, id, true);
      expect(stepOutput(lines, 1)).toEqual(expectedLines(200));
      expect(lines.filter((line) => line.incomplete)).toEqual([]);
    }, 150_000);
  });

  describe('when an execution is cancelled during a build', () => {
    let stack: DispatchStack;
    let delegate: Delegate;

    beforeAll(async () => {
      stack = await newStack('cancel');
      delegate = await stack.addDelegate({ name: 'cancel-1' });
      // Each child names the workspace in its command line, so the test can find it in /proc.
      const command = 'echo started; sh -c "sleep 300" "$PWD/child-1" & sh -c "sleep 300" "$PWD/child-2" & wait';
      await stack.apply('pipeline.yaml', runPipelineYaml('sleeper', command));
    }, 60_000);

    afterAll(async () => stack?.stop());

    it('ends Aborted, stops every process and keeps the log', async () => {
      const id = await start(stack, 'sleeper');
      await runningDelegate(stack, id);
      await waitForStoredLines(stack, id, 1);
      const taskId = (await stack.managerApi.getExecution(id)).stages.at(-1)?.task_id ?? '';
      const taskPath = join(delegate.workDir, 'work', 'tasks', `${taskId}-1`);
      await waitFor('both children to run', async () => ((await processesWithCommandLine(`${taskPath}/workspace/child-`)).length === 2 ? true : undefined), 10_000);

      const cancelledAt = Date.now();
      const cancel = await kiln(stack.manager, ['cancel', id]);
      expect(cancel.exitCode).toBe(0);
      const final = await waitForStatus(stack, id, ['Aborted', 'Succeeded', 'Failed'], 15_000);
      expect(final.status).toBe('Aborted');
      expect(Date.now() - cancelledAt).toBeLessThan(5_000);

      await waitFor('no process of the task to be left', async () => ((await processesWithCommandLine(taskPath)).length === 0 ? true : undefined), 15_000, 200);
      expect(await stack.delegateLog(delegate)).toContain('cancel received on the control subject');
      const output = stepOutput(await logLines(stack, id), 1);
      expect(output[0]).toBe('started');
      expect(output.at(-1)).toMatch(/Aborted/);
    }, 60_000);
  });

  describe('when a delegate drains', () => {
    let stack: DispatchStack;
    let delegate: Delegate;

    beforeAll(async () => {
      stack = await newStack('drain');
      delegate = await stack.addDelegate({ name: 'drain-1' });
      await stack.apply('pipeline.yaml', runPipelineYaml('slow_numbers', numberedLines(16, 0.25)));
    }, 60_000);

    afterAll(async () => stack?.stop());

    it('finishes its task, shows draining, then deregisters', async () => {
      const id = await start(stack, 'slow_numbers');
      await runningDelegate(stack, id);
      delegate.process.child.kill('SIGTERM');
      const states = new Set<string>();
      const delegateState = async (): Promise<string> => {
        // --all lists lost and deregistered delegates too, so a lost state cannot hide as a missing row.
        const listed = await kilnJson<{ delegates: { id: string; state: string }[] }>(stack.manager, ['delegates', '--all']);
        return listed.delegates.find((candidate) => candidate.id === delegate.id)?.state ?? 'gone';
      };
      await waitFor('the delegate to show draining', async () => {
        const state = await delegateState();
        states.add(state);
        return state === 'draining' ? true : undefined;
      }, 15_000, 200);
      const final = await waitForStatus(stack, id, ['Succeeded', 'Failed', 'Aborted'], 30_000);
      expect(final.status).toBe('Succeeded');
      expect(await delegate.process.exited).toBe(0);
      states.add(await delegateState());
      expect(states.has('lost')).toBe(false);
      expect(await delegateState()).toBe('deregistered');
    }, 60_000);
  });
});
