import { isKilnError, type KilnEvent, type TaskPayload } from '@kiln/protocol';
import { CONNECTORS_YAML, PARALLEL_YAML, TWO_STAGES_YAML, createSchedulerFixture, type SchedulerFixture } from '../testing/fixtures.js';
import type { DelegateRecord } from '../store/store.js';
import type { TaskOffer } from './poll-waiters.js';
import { findIncompleteSteps } from '../logs/log-completeness.js';

const registration = { version: '0.1.0', executor: 'local', builder: 'buildah', builderVersion: '1.28', capacity: 2, hostname: 'host' };

async function register(fixture: SchedulerFixture, tags: string[], name = 'local-1'): Promise<DelegateRecord> {
  return (await fixture.scheduler.delegates.register({ ...registration, name, tags })).delegate;
}

function acquire(fixture: SchedulerFixture, delegate: DelegateRecord, signal = new AbortController().signal): Promise<TaskOffer | undefined> {
  return fixture.scheduler.dispatcher.acquireTask(delegate, signal);
}

async function acceptNext(fixture: SchedulerFixture, delegate: DelegateRecord) {
  const offer = await acquire(fixture, delegate);
  if (offer === undefined) throw new Error('expected an offer');
  const lease = await fixture.scheduler.dispatcher.acceptTask(delegate.id, offer.taskId, offer.attempt, offer.offerId);
  return { offer, lease, payload: JSON.parse(lease.payloadJson) as TaskPayload<{ identifier: string }> };
}

function stageFinished(offer: TaskOffer, leaseId: string, status: 'Succeeded' | 'Failed' | 'Aborted'): KilnEvent {
  return { type: 'stage.finished', taskId: offer.taskId, attempt: offer.attempt, leaseId, executionId: offer.executionId, stageId: offer.stageId, status, ts: 1 };
}

async function statusOf(fixture: SchedulerFixture, executionId: string) {
  const view = await fixture.scheduler.getExecution(executionId);
  return { execution: view.execution.status, stages: Object.fromEntries(view.stages.map((stage) => [stage.stageId, stage.status])), view };
}

describe('Scheduler', () => {
  let fixture: SchedulerFixture;

  beforeEach(async () => {
    fixture = createSchedulerFixture({ pollTimeoutMs: 300 });
    await fixture.apply(CONNECTORS_YAML);
    await fixture.apply(TWO_STAGES_YAML);
  });

  afterEach(async () => {
    await fixture.close();
  });

  describe('when a pipeline runs three times', () => {
    it('gives sequence ids 1, 2 and 3', async () => {
      const ids: number[] = [];
      for (let run = 0; run < 3; run += 1) {
        ids.push((await fixture.scheduler.startExecution({ pipeline: 'two_stages', build: { type: 'branch', value: 'main' }, inputs: {}, trigger: 'manual' })).execution.sequenceId);
      }
      expect(ids).toEqual([1, 2, 3]);
    });
  });

  describe('when the pipeline is unknown', () => {
    it('fails with NOT_FOUND listing the stored pipelines', async () => {
      const start = fixture.scheduler.startExecution({ pipeline: 'nope', inputs: {}, trigger: 'manual' });
      await expect(start).rejects.toMatchObject({ code: 'NOT_FOUND' });
      await expect(start).rejects.toThrow(/two_stages/);
    });
  });

  describe('when a connector is missing', () => {
    it('names the ref and keeps the sequence id', async () => {
      await fixture.apply(TWO_STAGES_YAML.replaceAll('account.kiln_delegate', 'account.missing_cluster'));
      const error: unknown = await fixture.scheduler.startExecution({ pipeline: 'two_stages', build: { type: 'branch', value: 'main' }, inputs: {}, trigger: 'manual' }).catch((caught: unknown) => caught);
      expect(isKilnError(error, 'CONNECTOR_NOT_FOUND')).toBe(true);
      expect(String((error as Error).message)).toMatch(/account\.missing_cluster.*kiln apply/);
      expect((error as { details: { problems: unknown[] } }).details.problems.length).toBeGreaterThan(0);
      await fixture.apply(TWO_STAGES_YAML);
      const next = await fixture.scheduler.startExecution({ pipeline: 'two_stages', build: { type: 'branch', value: 'main' }, inputs: {}, trigger: 'manual' });
      expect(next.execution.sequenceId).toBe(1);
    });
  });

  describe('when a connector of a stage is missing', () => {
    it('points at the connectorRef itself', async () => {
      await fixture.apply(TWO_STAGES_YAML.replaceAll('account.kiln_delegate', 'account.missing_cluster'));
      const error: unknown = await fixture.scheduler.startExecution({ pipeline: 'two_stages', build: { type: 'branch', value: 'main' }, inputs: {}, trigger: 'manual' }).catch((caught: unknown) => caught);
      const problems = (error as { details: { problems: { line: number; column: number; path: string }[] } }).details.problems;
      // TWO_STAGES_YAML has `pipeline:` on line 2 and stage build's infrastructure connectorRef on line 23.
      expect(problems[0]).toMatchObject({ line: 23, column: 29, path: 'pipeline.stages[0].stage.spec.infrastructure.spec.connectorRef' });
      expect(problems[1]).toMatchObject({ line: 43, column: 29, path: 'pipeline.stages[1].stage.spec.infrastructure.spec.connectorRef' });
    });
  });

  describe('when a delegate waits before work is queued', () => {
    it('answers the long poll as soon as the task is queued', async () => {
      fixture = await recreate(fixture, 30_000);
      const delegate = await register(fixture, ['local', 'linux']);
      const poll = acquire(fixture, delegate);
      const started = Date.now();
      const view = await fixture.scheduler.startExecution({ pipeline: 'two_stages', build: { type: 'branch', value: 'main' }, inputs: {}, trigger: 'manual' });
      const offer = await poll;
      expect(offer?.executionId).toBe(view.execution.id);
      expect(offer?.stageId).toBe('build');
      expect(Date.now() - started).toBeLessThan(5_000);
    });
  });

  describe('when no delegate has the selectors', () => {
    it('keeps the task queued with reason no_matching_delegate and answers the poll empty', async () => {
      const delegate = await register(fixture, ['windows']);
      const view = await fixture.scheduler.startExecution({ pipeline: 'two_stages', build: { type: 'branch', value: 'main' }, inputs: {}, trigger: 'manual' });
      expect(await acquire(fixture, delegate)).toBeUndefined();
      const task = view.tasks[0];
      expect(task?.state).toBe('queued');
      expect(task?.reason).toBe('no_matching_delegate');
      expect(task?.selectors).toEqual(['local']);
    });
  });

  describe('when a delegate accepts the first stage', () => {
    it('returns the payload with the clone URL, connectors and resolved sequence id', async () => {
      const delegate = await register(fixture, ['local']);
      await fixture.scheduler.startExecution({ pipeline: 'two_stages', build: { type: 'branch', value: 'main' }, inputs: {}, trigger: 'manual' });
      const { payload, lease } = await acceptNext(fixture, delegate);
      expect(lease.expiresAt).toBe(fixture.now.value + 60_000);
      expect(payload.stage.identifier).toBe('build');
      expect(payload.codebase?.repoUrl).toBe('file:///srv/git/sample-app');
      expect(payload.codebase?.build).toEqual({ type: 'branch', value: 'main' });
      expect(Object.keys(payload.connectors).sort()).toEqual(['account.kiln_delegate', 'account.kiln_samples']);
      expect(JSON.stringify(payload.stage)).toContain('echo hello 1');
    });
  });

  describe('when an offer is not accepted before its deadline', () => {
    it('queues the task again and offers it to the next poll', async () => {
      const delegate = await register(fixture, ['local']);
      await fixture.scheduler.startExecution({ pipeline: 'two_stages', build: { type: 'branch', value: 'main' }, inputs: {}, trigger: 'manual' });
      const first = await acquire(fixture, delegate);
      expect(first).toBeDefined();
      fixture.now.value += 16_000;
      await fixture.scheduler.sweep();
      const second = await acquire(fixture, delegate);
      expect(second?.taskId).toBe(first?.taskId);
      expect(second?.offerId).not.toBe(first?.offerId);
      await expect(fixture.scheduler.dispatcher.acceptTask(delegate.id, first!.taskId, 1, first!.offerId)).rejects.toMatchObject({ code: 'OFFER_EXPIRED' });
    });
  });

  describe('when the first stage succeeds', () => {
    it('queues the next stage, and the execution succeeds after it', async () => {
      const delegate = await register(fixture, ['local']);
      const view = await fixture.scheduler.startExecution({ pipeline: 'two_stages', build: { type: 'branch', value: 'main' }, inputs: {}, trigger: 'manual' });
      const build = await acceptNext(fixture, delegate);
      expect((await statusOf(fixture, view.execution.id)).stages).toEqual({ build: 'Running', test: 'Queued' });
      await fixture.scheduler.applyEvent(stageFinished(build.offer, build.lease.leaseId, 'Succeeded'));
      const test = await acceptNext(fixture, delegate);
      expect(test.offer.stageId).toBe('test');
      await fixture.scheduler.applyEvent(stageFinished(test.offer, test.lease.leaseId, 'Succeeded'));
      const final = await statusOf(fixture, view.execution.id);
      expect(final.execution).toBe('Succeeded');
      expect(final.stages).toEqual({ build: 'Succeeded', test: 'Succeeded' });
    });
  });

  describe('when a stage fails', () => {
    it('fails the execution and skips the remaining stages', async () => {
      const delegate = await register(fixture, ['local']);
      const view = await fixture.scheduler.startExecution({ pipeline: 'two_stages', build: { type: 'branch', value: 'main' }, inputs: {}, trigger: 'manual' });
      const build = await acceptNext(fixture, delegate);
      await fixture.scheduler.applyEvent(stageFinished(build.offer, build.lease.leaseId, 'Failed'));
      const final = await statusOf(fixture, view.execution.id);
      expect(final.execution).toBe('Failed');
      expect(final.stages).toEqual({ build: 'Failed', test: 'Skipped' });
      expect(await acquire(fixture, delegate)).toBeUndefined();
    });
  });

  describe('when a step is skipped without starting', () => {
    it('keeps its declared name and type and no incomplete log', async () => {
      const delegate = await register(fixture, ['local']);
      const view = await fixture.scheduler.startExecution({ pipeline: 'two_stages', build: { type: 'branch', value: 'main' }, inputs: {}, trigger: 'manual' });
      const build = await acceptNext(fixture, delegate);
      const scope = { taskId: build.offer.taskId, attempt: 1, leaseId: build.lease.leaseId, executionId: view.execution.id, stageId: 'build' };
      await fixture.scheduler.applyEvent({ ...scope, type: 'step.finished', stepId: 'hello', status: 'Skipped', ts: 2 });
      await fixture.scheduler.applyEvent(stageFinished(build.offer, build.lease.leaseId, 'Failed'));

      const { steps } = await fixture.scheduler.getExecution(view.execution.id);
      expect(steps).toHaveLength(1);
      expect(steps[0]).toMatchObject({ stepId: 'hello', name: 'say hello', type: 'Run', status: 'Skipped' });
      expect(await fixture.store.transaction((tx) => findIncompleteSteps(tx, view.execution.id, steps))).toEqual([]);
    });
  });

  describe('when an event carries a stale lease', () => {
    it('rejects it without changing the stage', async () => {
      const delegate = await register(fixture, ['local']);
      const view = await fixture.scheduler.startExecution({ pipeline: 'two_stages', build: { type: 'branch', value: 'main' }, inputs: {}, trigger: 'manual' });
      const build = await acceptNext(fixture, delegate);
      const outcome = await fixture.scheduler.applyEvent(stageFinished(build.offer, 'old-lease', 'Failed'));
      expect(outcome).toMatchObject({ applied: false, reason: 'stale_lease' });
      expect((await statusOf(fixture, view.execution.id)).stages.build).toBe('Running');
    });
  });

  describe('when a lease expires', () => {
    it('ends the attempt lost and queues attempt 2', async () => {
      const delegate = await register(fixture, ['local'], 'builder-7');
      const view = await fixture.scheduler.startExecution({ pipeline: 'two_stages', build: { type: 'branch', value: 'main' }, inputs: {}, trigger: 'manual' });
      const build = await acceptNext(fixture, delegate);
      fixture.now.value += 61_000;
      await fixture.scheduler.delegates.heartbeat(delegate, { slotsUsed: 1, slotsFree: 1, tasks: [], draining: false });
      await fixture.scheduler.sweep();
      const after = await statusOf(fixture, view.execution.id);
      expect(after.execution).toBe('Running');
      expect(after.stages.build).toBe('Queued');
      expect(after.view.stages[0]?.attempt).toBe(2);
      expect(after.view.tasks[0]?.result).toBe('lost');
      expect(after.view.tasks[0]?.errorMessage).toMatch(/builder-7/);
      const renew = fixture.scheduler.dispatcher.renewLease(delegate.id, { taskId: build.offer.taskId, attempt: 1, leaseId: build.lease.leaseId });
      await expect(renew).rejects.toMatchObject({ code: 'LEASE_LOST' });
    });

    it('fails the stage naming the delegate when attempt 2 is lost too', async () => {
      const delegate = await register(fixture, ['local'], 'builder-7');
      const view = await fixture.scheduler.startExecution({ pipeline: 'two_stages', build: { type: 'branch', value: 'main' }, inputs: {}, trigger: 'manual' });
      for (let attempt = 1; attempt <= 2; attempt += 1) {
        const build = await acceptNext(fixture, delegate);
        expect(build.offer.attempt).toBe(attempt);
        fixture.now.value += 61_000;
        await fixture.scheduler.delegates.heartbeat(delegate, { slotsUsed: 1, slotsFree: 1, tasks: [], draining: false });
        await fixture.scheduler.sweep();
      }
      const final = await statusOf(fixture, view.execution.id);
      expect(final.execution).toBe('Failed');
      expect(final.view.stages[0]?.errorMessage).toMatch(/builder-7.*attempt 2 of 2/);
    });
  });

  describe('when an execution is cancelled', () => {
    it('aborts a queued stage at once', async () => {
      const view = await fixture.scheduler.startExecution({ pipeline: 'two_stages', build: { type: 'branch', value: 'main' }, inputs: {}, trigger: 'manual' });
      const cancelled = await fixture.scheduler.cancelExecution(`two_stages/${view.execution.sequenceId}`);
      expect(cancelled.execution.status).toBe('Aborted');
      expect(cancelled.stages.map((stage) => stage.status)).toEqual(['Aborted', 'Skipped']);
    });

    it('delivers the cancel in the renew reply of a running stage', async () => {
      const delegate = await register(fixture, ['local']);
      const view = await fixture.scheduler.startExecution({ pipeline: 'two_stages', build: { type: 'branch', value: 'main' }, inputs: {}, trigger: 'manual' });
      const build = await acceptNext(fixture, delegate);
      await fixture.scheduler.cancelExecution(view.execution.id);
      const renew = await fixture.scheduler.dispatcher.renewLease(delegate.id, { taskId: build.offer.taskId, attempt: 1, leaseId: build.lease.leaseId });
      expect(renew.cancelRequested).toBe(true);
      await fixture.scheduler.applyEvent(stageFinished(build.offer, build.lease.leaseId, 'Aborted'));
      expect((await statusOf(fixture, view.execution.id)).execution).toBe('Aborted');
    });
  });

  describe('when stages run in a parallel group', () => {
    it('queues both together and the next stage after both succeed', async () => {
      await fixture.apply(PARALLEL_YAML);
      const delegate = await register(fixture, ['local']);
      await fixture.scheduler.startExecution({ pipeline: 'fan_out', build: { type: 'branch', value: 'main' }, inputs: {}, trigger: 'manual' });
      const first = await acceptNext(fixture, delegate);
      const second = await acceptNext(fixture, delegate);
      expect([first.offer.stageId, second.offer.stageId].sort()).toEqual(['left', 'right']);
      await fixture.scheduler.applyEvent(stageFinished(first.offer, first.lease.leaseId, 'Succeeded'));
      expect(await acquire(fixture, delegate)).toBeUndefined();
      await fixture.scheduler.applyEvent(stageFinished(second.offer, second.lease.leaseId, 'Succeeded'));
      expect((await acceptNext(fixture, delegate)).offer.stageId).toBe('last');
    });
  });
});

/** Replaces the fixture with one whose long polls last `pollTimeoutMs`. */
async function recreate(previous: SchedulerFixture, pollTimeoutMs: number): Promise<SchedulerFixture> {
  await previous.close();
  const fixture = createSchedulerFixture({ pollTimeoutMs });
  await fixture.apply(CONNECTORS_YAML);
  await fixture.apply(TWO_STAGES_YAML);
  return fixture;
}
