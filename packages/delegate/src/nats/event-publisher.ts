import { encodeJson, eventMessageId, eventSubject, type KilnEvent } from '@kiln/protocol';
import type { Logger } from 'pino';
import type { SecretMasker } from '../secrets/secret-masker.js';
import type { Publisher } from './jetstream-publisher.js';

/** Distributes `Omit` over a union, so each event keeps its own fields. */
export type EventWithoutScope<E> = E extends KilnEvent ? Omit<E, 'taskId' | 'attempt' | 'leaseId' | 'executionId' | 'stageId' | 'ts'> : never;

function isTerminal(event: KilnEvent): boolean {
  return event.type === 'step.finished' || event.type === 'stage.finished';
}

/** Masks secrets in the free-text fields of an event: error messages and step outputs. */
function maskEvent(event: KilnEvent, masker: SecretMasker): KilnEvent {
  if (event.type !== 'step.finished' && event.type !== 'stage.finished') return event;
  const masked = { ...event };
  if (masked.error !== undefined) masked.error = { ...masked.error, message: masker.mask(masked.error.message) };
  if (masked.type === 'step.finished' && masked.outputs !== undefined) {
    masked.outputs = Object.fromEntries(Object.entries(masked.outputs).map(([key, value]) => [key, masker.mask(value)]));
  }
  return masked;
}

/**
 * Publishes status events of one task attempt to `kiln.events.<executionId>`
 * with `Nats-Msg-Id` from {@link eventMessageId}. Terminal events (step and
 * stage finished) are retried until acknowledged or until `abandonSignal`
 * aborts; the others are retried a bounded number of times.
 */
export class EventPublisher {
  constructor(
    private readonly publisher: Publisher,
    private readonly masker: SecretMasker,
    private readonly logger: Logger,
    private readonly abandonSignal?: AbortSignal,
  ) {}

  async publish(event: KilnEvent): Promise<boolean> {
    const masked = maskEvent(event, this.masker);
    const untilAcked = isTerminal(masked);
    const options = this.abandonSignal === undefined ? { kind: 'event' as const, untilAcked } : { kind: 'event' as const, untilAcked, signal: this.abandonSignal };
    const acked = await this.publisher.publish(eventSubject(masked.executionId), encodeJson(masked), eventMessageId(masked), options);
    if (!acked) this.logger.error({ eventType: masked.type, msgID: eventMessageId(masked) }, 'event not acknowledged by jetstream, giving up');
    return acked;
  }
}
