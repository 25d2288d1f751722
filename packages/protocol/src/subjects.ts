/** JetStream stream of log records; subjects `kiln.logs.<executionId>.<stageId>.<stepId>`. */
export const LOGS_STREAM = 'KILN_LOGS';
/** JetStream stream of status events; subjects `kiln.events.<executionId>`. */
export const EVENTS_STREAM = 'KILN_EVENTS';

export const LOGS_SUBJECTS = 'kiln.logs.>';
export const EVENTS_SUBJECTS = 'kiln.events.>';

/** Characters NATS does not allow inside one subject token. */
const INVALID_TOKEN = /[\s.*>]/;

/** Returns true when `value` can be one token of a NATS subject: non-empty, without spaces, '.', '*' or '>'. */
export function isSubjectToken(value: string): boolean {
  return value.length > 0 && !INVALID_TOKEN.test(value);
}

function token(value: string, kind: string): string {
  if (!isSubjectToken(value)) {
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

/**
 * Control subject a delegate listens on for cancel requests. It carries the delegate's configured name, not the id the
 * manager assigns at Register, so that a NATS user made for one delegate can be allowed only `kiln.control.<name>`.
 * Replicas with the same name share the subject.
 */
export function controlSubject(delegateName: string): string {
  return `kiln.control.${token(delegateName, 'delegate name')}`;
}

/** `Nats-Msg-Id` of a log batch, so JetStream drops a resent batch. */
export function logMessageId(taskId: string, attempt: number, stepId: string, firstSeq: number): string {
  return `${taskId}:${attempt}:${stepId}:${firstSeq}`;
}
