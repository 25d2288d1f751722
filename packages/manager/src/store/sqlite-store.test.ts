import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openSqliteStore } from './sqlite-store.js';
import type { ExecutionRecord, PipelineRecord, Store, TaskRecord } from './store.js';

function pipeline(overrides: Partial<PipelineRecord> = {}): Omit<PipelineRecord, 'nextSequenceId'> {
  return {
    id: 'p1',
    org: 'default',
    project: 'default',
    identifier: 'app',
    name: 'App',
    source: 'pipeline: {}',
    sourceFile: 'app.yaml',
    sourceLine: 1,
    modelJson: '{}',
    createdAt: 1,
    updatedAt: 1,
    ...overrides,
  };
}

function execution(id: string, sequenceId: number): ExecutionRecord {
  return {
    id,
    pipelineId: 'p1',
    pipelineIdentifier: 'app',
    org: 'default',
    project: 'default',
    sequenceId,
    status: 'Queued',
    buildType: 'branch',
    buildValue: 'main',
    commitSha: undefined,
    trigger: 'manual',
    preparedJson: '{"stages":[]}',
    cancelRequested: false,
    errorMessage: undefined,
    createdAt: sequenceId,
    startedAt: undefined,
    finishedAt: undefined,
  };
}

function task(id: string): TaskRecord {
  return {
    id,
    executionId: 'e1',
    stageId: 'build',
    attempt: 1,
    state: 'queued',
    offerId: undefined,
    offerDeadline: undefined,
    leaseId: undefined,
    leaseExpiresAt: undefined,
    delegateId: undefined,
    selectors: ['local'],
    payloadJson: '{}',
    reason: '',
    cancelRequested: false,
    result: undefined,
    queuedAt: 10,
    offeredAt: undefined,
    acceptedAt: undefined,
    finishedAt: undefined,
  };
}

describe('SqliteStore', () => {
  let dir: string;
  let store: Store;

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'kiln-manager-store-'));
    store = openSqliteStore(dir);
    await store.upsertPipeline(pipeline());
  });

  afterEach(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  describe('when sequence ids are allocated', () => {
    it('returns 1, 2, 3 for one pipeline', async () => {
      const ids = [await store.allocateSequenceId('p1'), await store.allocateSequenceId('p1'), await store.allocateSequenceId('p1')];
      expect(ids).toEqual([1, 2, 3]);
    });

    it('keeps the counter when the pipeline is applied again', async () => {
      await store.allocateSequenceId('p1');
      await store.upsertPipeline(pipeline({ name: 'Renamed', id: 'other-id' }));
      const stored = await store.getPipeline('default', 'default', 'app');
      expect(stored?.id).toBe('p1');
      expect(stored?.name).toBe('Renamed');
      expect(stored?.nextSequenceId).toBe(2);
    });
  });

  describe('when a transaction throws', () => {
    it('rolls back every write of it', async () => {
      await expect(
        store.transaction(async (tx) => {
          await tx.allocateSequenceId('p1');
          await tx.insertExecution(execution('e1', 1));
          throw new Error('boom');
        }),
      ).rejects.toThrow('boom');
      expect(await store.getExecution('e1')).toBeUndefined();
      expect((await store.getPipelineById('p1'))?.nextSequenceId).toBe(1);
    });
  });

  describe('when transactions and single calls interleave', () => {
    it('runs them one at a time in call order', async () => {
      const order: string[] = [];
      const first = store.transaction(async (tx) => {
        await tx.insertExecution(execution('e1', 1));
        await Promise.resolve();
        order.push('transaction');
      });
      const read = store.getExecution('e1').then((record) => order.push(`read ${record?.id ?? 'none'}`));
      await Promise.all([first, read]);
      expect(order).toEqual(['transaction', 'read e1']);
    });
  });

  describe('when a task is claimed by conditional update', () => {
    it('changes it only from the expected state', async () => {
      await store.insertExecution(execution('e1', 1));
      await store.insertTask(task('t1'));
      expect(await store.transitionTask('t1', 'queued', { state: 'offered', offerId: 'o1', offerDeadline: 99 })).toBe(true);
      expect(await store.transitionTask('t1', 'queued', { state: 'offered', offerId: 'o2' })).toBe(false);
      const stored = await store.getTask('t1');
      expect(stored?.offerId).toBe('o1');
      expect(stored?.selectors).toEqual(['local']);
    });

    it('clears fields set to undefined', async () => {
      await store.insertExecution(execution('e1', 1));
      await store.insertTask({ ...task('t1'), state: 'offered', offerId: 'o1' });
      await store.transitionTask('t1', 'offered', { state: 'queued', offerId: undefined });
      expect((await store.getTask('t1'))?.offerId).toBeUndefined();
    });
  });

  describe('when log lines arrive twice', () => {
    it('stores each (step attempt, seq) once', async () => {
      const key = { executionId: 'e1', stageId: 'build', stepId: 'run', attempt: 1 };
      const lines = [1, 2, 3].map((seq) => ({ seq, ts: seq, stream: 'stdout' as const, text: `line ${seq}` }));
      expect(await store.insertLogLines(key, lines)).toBe(3);
      expect(await store.insertLogLines(key, lines.slice(1))).toBe(0);
      const stored = await store.readLogLines('e1', 0, 100);
      expect(stored.map((line) => line.text)).toEqual(['line 1', 'line 2', 'line 3']);
      expect(await store.countLogLines(key)).toBe(3);
    });

    it('keeps the first completeness record', async () => {
      const end = { executionId: 'e1', stageId: 'build', stepId: 'run', attempt: 1, lastSeq: 3, lineCount: 3, byteCount: 21 };
      expect(await store.insertLogEnd(end)).toBe(true);
      expect(await store.insertLogEnd({ ...end, lastSeq: 9 })).toBe(false);
      expect((await store.listLogEnds('e1'))[0]?.lastSeq).toBe(3);
    });
  });

  describe('when the database is opened again', () => {
    it('keeps the data and the schema version', async () => {
      await store.allocateSequenceId('p1');
      await store.close();
      store = openSqliteStore(dir);
      expect((await store.getPipelineById('p1'))?.nextSequenceId).toBe(2);
      expect(await store.ping()).toBe(true);
    });
  });
});
