import type { TaskPayload } from '@kiln/protocol';
import { pino } from 'pino';
import { CONNECTORS_YAML, TWO_STAGES_YAML, createSchedulerFixture, type SchedulerFixture } from '../testing/fixtures.js';
import type { DelegateRecord } from '../store/store.js';
import { lostAttemptRetries } from './retry-policy.js';
import { Scheduler, type ControlRequest } from './scheduler.js';

const registration = { version: '0.1.0', executor: 'local', builder: 'buildah', builderVersion: '1.28', hostname: 'host' };
const RUN = { pipeline: 'two_stages', build: { type: 'branch' as const, value: 'main' }, inputs: {}, trigger: 'manual' };

async function register(fixture: SchedulerFixture, name: string, capacity = 2, tags = ['local']): Promise<DelegateRecord> {
  return (await fixture.scheduler.delegates.register({ ...registration, name, tags, capacity })).delegate;
}

async function acceptNext(fixture: SchedulerFixture, delegate: DelegateRecord) {
  const offer = await fixture.scheduler.dispatcher.acquireTask(delegate, new AbortController().signal);
  if (offer === undefined) throw new Error('expected an offer');
  const lease = await fixture.scheduler.dispatcher.acceptTask(delegate.id, offer.taskId, offer.attempt, offer.offerId);
  return { offer, lease, payload: JSON.parse(lease.payloadJson) as TaskPayload };
}

function heartbeat(fixture: SchedulerFixture, delegate: DelegateRecord) {
  return fixture.scheduler.delegates.heartbeat(delegate, { slotsUsed: 0, slotsFree: delegate.capacity, tasks: [], draining: false });
}

describe('dispatch sweep', () => {
  let fixture: SchedulerFixture;
  let pushed: ControlRequest[];

  async function create(overrides: { heartbeatTimeoutMs?: number; queueTtlMs?: number; pollTimeoutMs?: number } = {}): Promise<void> {
    pushed = [];
    fixture = createSchedulerFixture({ pollTimeoutMs: 200, ...overrides, control: { cancelTask: (request) => pushed.push(request) } });
    await fixture.apply(CONNECTORS_YAML);
    await fixture.apply(TWO_STAGES_YAML);
  }

  afterEach(async () => {
    await fixture.close();
  });

  describe('when a delegate stops heartbeating', () => {
    it('loses the attempt after the timeout', async () => {
      await create({ heartbeatTimeoutMs: 15_000 });
      const silent = await register(fixture, 'silent');
      const view = await fixture.scheduler.startExecution(RUN);
      const first = await acceptNext(fixture, silent);
      const other = await register(fixture, 'other');

      fixture.now.value += 14_000;
      await heartbeat(fixture, other);
      await fixture.scheduler.sweep();
      expect((await fixture.store.getTask(first.offer.taskId))?.state).toBe('running');

      fixture.now.value += 2_000;
      await heartbeat(fixture, other);
      await fixture.scheduler.sweep();
      expect((await fixture.store.getTask(first.offer.taskId))?.result).toBe('lost');
      // The next attempt goes to the delegate that still heartbeats.
      expect((await fixture.store.getDelegate(silent.id))?.state).toBe('lost');
      const second = await acceptNext(fixture, other);
      expect(second.offer.attempt).toBe(2);
      expect(second.payload.attempt).toBe(2);
      expect(second.payload.taskId).toBe(second.offer.taskId);
      const stage = (await fixture.store.listStages(view.execution.id))[0];
      expect(stage).toMatchObject({ attempt: 2, status: 'Running', delegateId: other.id });
    });
  });

  describe('when the manager restarts', () => {
    it('counts its start as the last heartbeat and renewal', async () => {
      await create({ heartbeatTimeoutMs: 15_000 });
      const delegate = await register(fixture, 'survivor');
      await fixture.scheduler.startExecution(RUN);
      const first = await acceptNext(fixture, delegate);
      // A second scheduler over the same store plays the restarted manager, 2 minutes later.
      fixture.now.value += 120_000;
      fixture.scheduler.stop();
      const scheduler = new Scheduler({
        store: fixture.store, logger: pino({ level: 'silent' }), metrics: fixture.metrics, pollTimeoutMs: 200,
        offerAckDeadlineMs: 15_000, leaseTtlMs: 60_000, heartbeatIntervalMs: 5_000, heartbeatTimeoutMs: 15_000, clock: () => fixture.now.value,
      });
      await scheduler.sweep();
      expect((await fixture.store.getTask(first.offer.taskId))?.state).toBe('running');
      const renewed = await scheduler.dispatcher.renewLease(delegate.id, { taskId: first.offer.taskId, attempt: 1, leaseId: first.lease.leaseId });
      expect(renewed.expiresAt).toBe(fixture.now.value + 60_000);
      scheduler.stop();
    });
  });

  describe('when a delegate is at capacity', () => {
    it('gets no offer until a task ends', async () => {
      await create();
      const delegate = await register(fixture, 'small', 1);
      await fixture.scheduler.startExecution(RUN);
      await fixture.scheduler.startExecution(RUN);
      await acceptNext(fixture, delegate);
      const poll = await fixture.scheduler.dispatcher.acquireTask(delegate, new AbortController().signal);
      expect(poll).toBeUndefined();
      expect(await fixture.store.listDelegateTasks(delegate.id)).toHaveLength(1);
    });
  });

  describe('when a task waits longer than the queue TTL', () => {
    it('ends the execution Expired with reason no_matching_delegate', async () => {
      await create({ queueTtlMs: 60_000 });
      const view = await fixture.scheduler.startExecution(RUN);
      await fixture.scheduler.sweep();
      expect((await fixture.store.listExecutionTasks(view.execution.id))[0]?.reason).toBe('no_matching_delegate');
      fixture.now.value += 61_000;
      await fixture.scheduler.sweep();
      const after = await fixture.scheduler.getExecution(view.execution.id);
      expect(after.execution.status).toBe('Expired');
      expect(after.execution.errorMessage).toMatch(/queue TTL of 1m.*no_matching_delegate/);
      expect(after.stages.map((stage) => stage.status)).toEqual(['Expired', 'Skipped']);
    });
  });

  describe('when a running execution is cancelled', () => {
    it('pushes the cancel to the delegate that runs it', async () => {
      await create();
      const delegate = await register(fixture, 'runner');
      const view = await fixture.scheduler.startExecution(RUN);
      const build = await acceptNext(fixture, delegate);
      await fixture.scheduler.cancelExecution(view.execution.id);
      expect(pushed).toEqual([{ delegateId: delegate.id, delegateName: 'runner', taskId: build.offer.taskId, attempt: 1, leaseId: build.lease.leaseId, reason: 'execution cancelled by user' }]);
    });
  });
});

describe('lostAttemptRetries', () => {
  const retry = (errors: string[], type: string, spec?: Record<string, unknown>) => [{ onFailure: { errors, action: { type, spec } } }];

  it.each([
    ['no strategy', 1, undefined],
    ['Retry on DelegateRestart', 3, retry(['DelegateRestart'], 'Retry', { retryCount: 3 })],
    ['Retry on AllErrors', 0, retry(['AllErrors'], 'Retry', { retryCount: 0 })],
    ['Abort on Unknown', 0, retry(['Unknown'], 'Abort')],
    ['Retry on Timeout only', 1, retry(['Timeout'], 'Retry', { retryCount: 5 })],
  ])('%s gives %i retries', (_name, expected, strategies) => {
    expect(lostAttemptRetries(strategies)).toBe(expected);
  });
});
