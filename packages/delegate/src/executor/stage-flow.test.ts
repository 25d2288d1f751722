import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { FailureStrategy, Stage, Step, StepNode } from '@kiln/pipeline';
import type { NatsConnection } from '@nats-io/transport-node';
import { EVENTS_STREAM, LOGS_STREAM, type KilnEvent, type LogBatch, type StepFinishedEvent, type TaskPayload, type TaskScope } from '@kiln/protocol';
import { pino } from 'pino';
import { Registry } from 'prom-client';
import type { ImageBuilder } from '../builders/image-builder.js';
import { DelegateMetrics } from '../metrics.js';
import { JetStreamPublisher } from '../nats/jetstream-publisher.js';
import { SecretStore } from '../secrets/secret-store.js';
import { createStreams, readStream } from '../testing/jetstream.js';
import { startNatsServer, type RunningServer } from '../testing/servers.js';
import { LocalExecutor } from './local-executor.js';

const logger = pino({ level: 'silent' });

const noBuilder = { build: () => Promise.reject(new Error('no builder in this test')) } as unknown as ImageBuilder;

function run(identifier: string, command: string, extra: Partial<Step> = {}, spec: Record<string, unknown> = {}): StepNode {
  return { kind: 'step', step: { identifier, name: identifier, type: 'Run', spec: { shell: 'Sh', command, ...spec }, ...extra } };
}

function onAll(type: string, spec?: Record<string, unknown>): FailureStrategy[] {
  return [{ onFailure: { errors: ['AllErrors'], action: spec === undefined ? { type } : { type, spec } } }];
}

describe('LocalExecutor stage flow', () => {
  let root: string;
  let nats: RunningServer;
  let reader: NatsConnection;
  let publisher: JetStreamPublisher;
  let counter = 0;

  beforeAll(async () => {
    root = await mkdtemp(path.join(tmpdir(), 'delegate-flow-'));
    nats = await startNatsServer();
    reader = await createStreams(nats.url);
    publisher = await JetStreamPublisher.connect([nats.url], { name: 'test', logger, signal: new AbortController().signal });
  });

  afterAll(async () => {
    await publisher.close();
    await reader.close();
    await nats.stop();
    await rm(root, { recursive: true, force: true });
  });

  async function runStage(steps: StepNode[], extra: Partial<Stage> = {}, timeoutMs = 0) {
    counter += 1;
    const executionId = `flow-${counter}`;
    const stage: Stage = {
      identifier: 'main', name: 'Main', type: 'CI', variables: [],
      spec: { cloneCodebase: false, execution: { steps }, serviceDependencies: [], sharedPaths: [] }, ...extra,
    };
    const payload: TaskPayload<Stage> = {
      taskId: `task-${executionId}`, attempt: 1, executionId, stageIndex: 0, timeoutMs, stage, connectors: {},
      pipeline: { identifier: 'ci', name: 'CI', orgIdentifier: 'default', projectIdentifier: 'kiln', sequenceId: counter, variables: {} },
    };
    const scope: TaskScope = { taskId: payload.taskId, attempt: 1, leaseId: 'lease-1', executionId, stageId: 'main' };
    const metrics = new DelegateMetrics(new Registry(), { defaultMetrics: false });
    const secrets = new SecretStore({ token: { value: 'tok-123' } }, '/etc/kiln/delegate.yaml');
    const executor = new LocalExecutor({
      workDir: path.join(root, 'work'), secrets, builder: noBuilder, publisher, logger, metrics, killGracePeriodMs: 1000,
      keepFailedWorkspaces: false, logFlush: () => ({ intervalMs: 50, bytes: 256 * 1024 }),
    });
    const status = await executor.run({ payload, scope, delegateId: 'd1', signal: new AbortController().signal, abandonSignal: new AbortController().signal });
    const events = (await readStream(reader, EVENTS_STREAM)).filter((message) => message.subject === `kiln.events.${executionId}`).map((message) => message.data as KilnEvent);
    const logs = (await readStream(reader, LOGS_STREAM)).filter((message) => message.subject.startsWith(`kiln.logs.${executionId}.`));
    const linesOf = (stepId: string): string[] => logs
      .filter((message) => (message.data as LogBatch).kind === 'lines' && (message.data as LogBatch).stepId === stepId)
      .flatMap((message) => (message.data as LogBatch).lines.map((line) => line.text));
    const finished = (stepId: string) => events.find((event): event is StepFinishedEvent => event.type === 'step.finished' && event.stepId === stepId);
    const stageFinished = events.find((event) => event.type === 'stage.finished');
    return { status, events, linesOf, finished, stageFinished };
  }

  describe('when a step has when.stageStatus', () => {
    it('runs Failure and All steps after a failure and skips Success steps', async () => {
      const result = await runStage([
        run('fails', 'exit 3'),
        run('after', 'echo no'),
        run('on_failure', 'echo cleanup', { when: { stageStatus: 'Failure' } }),
        run('always', 'echo always', { when: { stageStatus: 'All' } }),
      ]);
      expect(result.status).toBe('Failed');
      expect(result.finished('after')?.status).toBe('Skipped');
      expect(result.finished('on_failure')?.status).toBe('Succeeded');
      expect(result.finished('always')?.status).toBe('Succeeded');
      expect(result.linesOf('on_failure')).toEqual(['cleanup']);
    });
  });

  describe('when a step condition reads an earlier output', () => {
    it('runs the step whose condition is true and skips the other', async () => {
      const result = await runStage([
        run('decide', 'export MODE=fast', {}, { outputVariables: [{ name: 'MODE' }] }),
        run('fast', 'echo fast', { when: { stageStatus: 'Success', condition: '<+steps.decide.output.outputVariables.MODE> == "fast"' } }),
        run('slow', 'echo slow', { when: { stageStatus: 'Success', condition: '<+steps.decide.output.outputVariables.MODE> == "slow"' } }),
      ]);
      expect(result.status).toBe('Succeeded');
      expect(result.finished('fast')?.status).toBe('Succeeded');
      expect(result.finished('slow')?.status).toBe('Skipped');
      expect(result.events.some((event) => event.type === 'step.started' && event.stepId === 'slow')).toBe(false);
    });
  });

  describe('when a step group condition is false', () => {
    it('skips every step of the group with its group id', async () => {
      const group: StepNode = { kind: 'stepGroup', group: { identifier: 'g', name: 'g', when: { stageStatus: 'Success', condition: 'false' }, steps: [run('a', 'echo a'), run('b', 'echo b')] } };
      const result = await runStage([group, run('after', 'echo after')]);
      expect(result.status).toBe('Succeeded');
      expect(result.finished('g/a')?.status).toBe('Skipped');
      expect(result.finished('g/b')?.status).toBe('Skipped');
      expect(result.finished('after')?.status).toBe('Succeeded');
    });
  });

  describe('when a step fails under Retry', () => {
    it('runs it again until it succeeds, in one step log', async () => {
      const command = 'n=$(cat count 2>/dev/null || echo 0); n=$((n+1)); echo $n > count; echo "try $n"; [ "$n" -ge 3 ]';
      const retry = onAll('Retry', { retryCount: 3, retryIntervals: ['100ms'], onRetryFailure: { action: { type: 'Fail' } } });
      const result = await runStage([run('flaky', command, { failureStrategies: retry })]);
      expect(result.status).toBe('Succeeded');
      expect(result.finished('flaky')?.status).toBe('Succeeded');
      const lines = result.linesOf('flaky');
      expect(lines.filter((line) => line.startsWith('try '))).toEqual(['try 1', 'try 2', 'try 3']);
      expect(lines.filter((line) => line.includes('retry 1 of 3'))).toHaveLength(1);
      expect(result.events.filter((event) => event.type === 'step.started')).toHaveLength(1);
    });

    it('applies onRetryFailure when the retries run out', async () => {
      const retry = onAll('Retry', { retryCount: 1, retryIntervals: ['10ms'], onRetryFailure: { action: { type: 'Ignore' } } });
      const result = await runStage([run('broken', 'echo try; exit 2', { failureStrategies: retry }), run('next', 'echo next')]);
      expect(result.finished('broken')).toMatchObject({ status: 'IgnoreFailed', exitCode: 2 });
      expect(result.linesOf('broken').filter((line) => line === 'try')).toHaveLength(2);
      expect(result.finished('next')?.status).toBe('Succeeded');
      expect(result.status).toBe('Succeeded');
    });
  });

  describe('when a failure strategy matches', () => {
    it('marks the step IgnoreFailed under Ignore and Succeeded under MarkAsSuccess', async () => {
      const result = await runStage([
        run('ignored', 'exit 1', { failureStrategies: onAll('Ignore') }),
        run('marked', 'exit 1', { failureStrategies: onAll('MarkAsSuccess') }),
        run('next', 'echo next'),
      ]);
      expect(result.finished('ignored')?.status).toBe('IgnoreFailed');
      expect(result.finished('marked')?.status).toBe('Succeeded');
      expect(result.finished('next')?.status).toBe('Succeeded');
      expect(result.status).toBe('Succeeded');
    });

    it('applies the stage strategy to steps without their own', async () => {
      const result = await runStage([run('fails', 'exit 1'), run('next', 'echo next')], { failureStrategies: onAll('Ignore') });
      expect(result.finished('fails')?.status).toBe('IgnoreFailed');
      expect(result.status).toBe('Succeeded');
    });

    it('applies a step group strategy to the steps inside it', async () => {
      const group: StepNode = { kind: 'stepGroup', group: { identifier: 'g', name: 'g', failureStrategies: onAll('MarkAsSuccess'), steps: [run('fails', 'exit 1')] } };
      const result = await runStage([group]);
      expect(result.finished('g/fails')?.status).toBe('Succeeded');
      expect(result.status).toBe('Succeeded');
    });

    it('aborts the stage and its running parallel steps under Abort', async () => {
      const parallel: StepNode = {
        kind: 'parallel',
        nodes: [run('aborts', 'sleep 0.2; exit 1', { failureStrategies: onAll('Abort') }), run('long', 'sleep 30')],
      };
      const started = Date.now();
      const result = await runStage([parallel, run('after', 'echo after', { when: { stageStatus: 'All' } })]);
      expect(Date.now() - started).toBeLessThan(20_000);
      expect(result.status).toBe('Aborted');
      expect(result.finished('aborts')?.status).toBe('Aborted');
      expect(result.finished('long')?.status).toBe('Aborted');
      expect(result.finished('after')?.status).toBe('Skipped');
    });
  });

  describe('when a step runs past its timeout', () => {
    it('stops it and reports Expired with code TIMEOUT', async () => {
      const started = Date.now();
      const result = await runStage([run('slow', 'echo started; sleep 30', { timeout: '1s' })]);
      expect(Date.now() - started).toBeLessThan(15_000);
      expect(result.finished('slow')).toMatchObject({ status: 'Expired', error: { code: 'TIMEOUT', failureType: 'Timeout' } });
      expect(result.status).toBe('Failed');
    });

    it('can be ignored by a Timeout strategy', async () => {
      const ignoreTimeout: FailureStrategy[] = [{ onFailure: { errors: ['Timeout'], action: { type: 'Ignore' } } }];
      const result = await runStage([run('slow', 'sleep 30', { timeout: '500ms', failureStrategies: ignoreTimeout })]);
      expect(result.finished('slow')?.status).toBe('IgnoreFailed');
      expect(result.status).toBe('Succeeded');
    });
  });

  describe('when the stage runs past its timeout', () => {
    it('expires the running step and the stage', async () => {
      const result = await runStage([run('slow', 'sleep 30'), run('after', 'echo after')], {}, 1000);
      expect(result.status).toBe('Expired');
      expect(result.finished('slow')).toMatchObject({ status: 'Expired', error: { code: 'TIMEOUT' } });
      expect(result.finished('after')?.status).toBe('Skipped');
    });
  });

  describe('when the stage condition reads a secret and is false', () => {
    it('skips the stage and all its steps', async () => {
      const result = await runStage([run('a', 'echo a')], { when: { pipelineStatus: 'Success', condition: '<+secrets.getValue("token")> == "other"' } });
      expect(result.status).toBe('Skipped');
      expect(result.finished('a')?.status).toBe('Skipped');
    });
  });
});
