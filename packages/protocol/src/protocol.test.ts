import * as grpc from '@grpc/grpc-js';
import { KilnError } from './errors.js';
import { decodeEvent, decodeLogRecord, encodeJson, eventMessageId, type StepFinishedEvent } from './events.js';
import { fromServiceError, toServiceError } from './grpc-status.js';
import { loadDelegateProto, loadManagerProto } from './proto.js';
import { eventSubject, logMessageId, logSubject } from './subjects.js';

const scope = { taskId: 't1', attempt: 2, leaseId: 'l1', executionId: 'e1', stageId: 'Build' };

describe('subjects', () => {
  it('builds log and event subjects from ids', () => {
    expect(logSubject('e1', 'Build', 'group/step')).toBe('kiln.logs.e1.Build.group/step');
    expect(eventSubject('e1')).toBe('kiln.events.e1');
    expect(logMessageId('t1', 2, 'step', 41)).toBe('t1:2:step:41');
  });

  it.each(['', 'a.b', 'a b', 'a*', 'a>'])('rejects the token %j', (token) => {
    expect(() => logSubject('e1', token, 'step')).toThrow(/invalid stage id/);
  });
});

describe('decodeEvent', () => {
  it('returns a step.finished event unchanged', () => {
    const event: StepFinishedEvent = { ...scope, type: 'step.finished', ts: 1, stepId: 's', status: 'Failed', exitCode: 3 };
    expect(decodeEvent(encodeJson(event))).toEqual(event);
    expect(eventMessageId(event)).toBe('t1:2:step.finished:s');
  });

  it('rejects an event without fencing fields', () => {
    expect(() => decodeEvent('{"type":"stage.started"}')).toThrow(/taskId, attempt, leaseId/);
  });

  it('rejects an unknown event type and lists the known ones', () => {
    expect(() => decodeEvent(JSON.stringify({ ...scope, type: 'stage.exploded' }))).toThrow(
      'invalid event type "stage.exploded": expected one of stage.started, codebase.cloned, step.started, step.finished, stage.finished',
    );
  });

  it('rejects a step event without a step id', () => {
    expect(() => decodeEvent(JSON.stringify({ ...scope, type: 'step.started' }))).toThrow(/stepId is required/);
  });
});

describe('decodeLogRecord', () => {
  it('accepts lines and end records', () => {
    const lines = { ...scope, kind: 'lines', stepId: 's', lines: [{ seq: 1, ts: 1, stream: 'stdout', text: 'x' }] };
    expect(decodeLogRecord(JSON.stringify(lines))).toEqual(lines);
    const end = { ...scope, kind: 'end', stepId: 's', lastSeq: 1, lineCount: 1, byteCount: 1 };
    expect(decodeLogRecord(JSON.stringify(end))).toEqual(end);
  });

  it('rejects an unknown kind', () => {
    expect(() => decodeLogRecord(JSON.stringify({ ...scope, stepId: 's', kind: 'chunk' }))).toThrow(/expected lines or end/);
  });
});

describe('gRPC status mapping', () => {
  it('keeps the code and problems of a KilnError across the wire', () => {
    const problems = [{ code: 'UNKNOWN_FIELD', message: 'unknown field', file: 'p.yaml', line: 3, column: 5, path: 'pipeline.x' }];
    const sent = toServiceError(new KilnError('INVALID_PIPELINE', 'p.yaml has 1 problem', { details: { problems } }));
    expect(sent.code).toBe(grpc.status.INVALID_ARGUMENT);

    const received = fromServiceError({ ...sent, message: '', name: 'Error' } as grpc.ServiceError);

    expect(received.code).toBe('INVALID_PIPELINE');
    expect(received.message).toBe('p.yaml has 1 problem');
    expect(received.details.problems).toEqual(problems);
  });

  it('reports an unexpected error as INTERNAL', () => {
    expect(toServiceError(new Error('boom'))).toMatchObject({ code: grpc.status.INTERNAL, details: 'internal error: boom' });
  });
});

describe('proto loading', () => {
  it('loads both services', () => {
    expect(Object.keys(loadDelegateProto().kiln.v1.DelegateService.service)).toContain('AcquireTask');
    expect(Object.keys(loadManagerProto().kiln.v1.ManagerService.service)).toContain('StreamLogs');
  });
});
