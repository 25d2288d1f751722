/** JetStream stream of log records; subjects `kiln.logs.<executionId>.<stageId>.<stepId>`. */
export const LOGS_STREAM = 'KILN_LOGS';
/** JetStream stream of status events; subjects `kiln.events.<executionId>`. */
export const EVENTS_STREAM = 'KILN_EVENTS';

export const LOGS_SUBJECTS = 'kiln.logs.>';
export const EVENTS_SUBJECTS = 'kiln.events.>';

/** Characters NATS does not allow inside one subject token. */
const INVALID_TOKEN = /[\s.*>]/;

function token(value: string, kind: string): string {
  if (value.length === 0 || INVALID_TOKEN.test(value)) {
    throw new Error(`invalid ${kind} "${value}" for a NATS subject: it must be non-empty and contain no spaces, '.', '*' or '>'`);
  }
  return value;
}

export function logSubject(executionId: string, stageId: string, stepId: string): string {
  return `kiln.logs.${token(executionId, 'execution id')}.${token(stageId, 'stage id')}.${token(stepId, 'step id')}`;
}

export function eventSubject(executionId: string): string {
  return `kiln.events.${token(executionId, 'execution id')}`;
}

/** Control subject a delegate listens on for cancel requests. */
export function controlSubject(delegateId: string): string {
  return `kiln.control.${token(delegateId, 'delegate id')}`;
}

/** `Nats-Msg-Id` of a log batch, so JetStream drops a resent batch. */
export function logMessageId(taskId: string, attempt: number, stepId: string, firstSeq: number): string {
  return `${taskId}:${attempt}:${stepId}:${firstSeq}`;
}
