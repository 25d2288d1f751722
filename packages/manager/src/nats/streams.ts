import { AckPolicy, DeliverPolicy, JetStreamApiCodes, JetStreamApiError, RetentionPolicy, StorageType, type JetStreamManager } from '@nats-io/jetstream';
import { nanos } from '@nats-io/transport-node';
import { EVENTS_STREAM, EVENTS_SUBJECTS, LOGS_STREAM, LOGS_SUBJECTS } from '@kiln/protocol';
import type { Logger } from 'pino';

/** Window in which JetStream drops a message whose Nats-Msg-Id it has seen: 2 minutes. */
const DUPLICATE_WINDOW_MS = 2 * 60 * 1000;
/**
 * Age after which JetStream discards messages: 7 days. The manager stores
 * every message it acknowledges, so this bounds only what a stopped manager can catch up on.
 */
const MAX_AGE_MS = 7 * 24 * 60 * 60 * 1000;

/** Durable consumers of the manager, one per stream. */
export const LOGS_CONSUMER = 'kiln-manager-logs';
export const EVENTS_CONSUMER = 'kiln-manager-events';

function isNotFound(error: unknown): boolean {
  return error instanceof JetStreamApiError && (error.code === JetStreamApiCodes.StreamNotFound || error.code === JetStreamApiCodes.ConsumerNotFound);
}

async function ensureStream(jsm: JetStreamManager, name: string, subject: string, logger: Logger): Promise<void> {
  try {
    await jsm.streams.info(name);
    return;
  } catch (error) {
    if (!isNotFound(error)) throw error;
  }
  await jsm.streams.add({
    name,
    subjects: [subject],
    storage: StorageType.File,
    retention: RetentionPolicy.Limits,
    duplicate_window: nanos(DUPLICATE_WINDOW_MS),
    max_age: nanos(MAX_AGE_MS),
  });
  logger.info({ stream: name, subject }, 'created JetStream stream');
}

/**
 * Time JetStream waits for the manager's acknowledgement before it delivers a
 * message again: 10 s. After the manager is killed, the messages it had
 * received but not acknowledged come back this long after they were sent.
 * A message delivered twice is stored once, because each log line and status
 * change is keyed. NOTE: an existing consumer keeps the ack wait it was created with.
 */
const ACK_WAIT_MS = 10_000;

async function ensureConsumer(jsm: JetStreamManager, stream: string, durable: string, logger: Logger): Promise<void> {
  try {
    await jsm.consumers.info(stream, durable);
    return;
  } catch (error) {
    if (!isNotFound(error)) throw error;
  }
  await jsm.consumers.add(stream, {
    durable_name: durable,
    ack_policy: AckPolicy.Explicit,
    deliver_policy: DeliverPolicy.All,
    ack_wait: nanos(ACK_WAIT_MS),
    max_ack_pending: 1000,
  });
  logger.info({ stream, consumer: durable }, 'created JetStream consumer');
}

/** Creates the KILN_LOGS and KILN_EVENTS streams and the manager's durable pull consumers when missing; existing ones are left as they are. */
export async function ensureStreamsAndConsumers(jsm: JetStreamManager, logger: Logger): Promise<void> {
  await ensureStream(jsm, LOGS_STREAM, LOGS_SUBJECTS, logger);
  await ensureStream(jsm, EVENTS_STREAM, EVENTS_SUBJECTS, logger);
  await ensureConsumer(jsm, LOGS_STREAM, LOGS_CONSUMER, logger);
  await ensureConsumer(jsm, EVENTS_STREAM, EVENTS_CONSUMER, logger);
}
