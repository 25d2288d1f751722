import { jetstreamManager, type JsMsg } from '@nats-io/jetstream';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { EVENTS_STREAM, EVENTS_SUBJECTS, LOGS_STREAM, LOGS_SUBJECTS } from '@kiln/protocol';
import { jetstream } from '@nats-io/jetstream';

/** Creates the KILN_LOGS and KILN_EVENTS streams as the manager does. */
export async function createStreams(url: string): Promise<NatsConnection> {
  const connection = await connect({ servers: url });
  const manager = await jetstreamManager(connection);
  await manager.streams.add({ name: LOGS_STREAM, subjects: [LOGS_SUBJECTS] });
  await manager.streams.add({ name: EVENTS_STREAM, subjects: [EVENTS_SUBJECTS] });
  return connection;
}

/** Reads every message stored in a stream, in order, with its Nats-Msg-Id header. */
export async function readStream(connection: NatsConnection, stream: string): Promise<{ subject: string; msgID: string | undefined; data: unknown }[]> {
  const manager = await jetstreamManager(connection);
  const info = await manager.streams.info(stream);
  const messages: { subject: string; msgID: string | undefined; data: unknown }[] = [];
  if (info.state.messages === 0) return messages;
  const consumer = await jetstream(connection).consumers.get(stream);
  const batch = await consumer.fetch({ max_messages: info.state.messages, expires: 2000 });
  for await (const message of batch as AsyncIterable<JsMsg>) {
    messages.push({ subject: message.subject, msgID: message.headers?.get('Nats-Msg-Id'), data: message.json() });
    if (messages.length === info.state.messages) break;
  }
  return messages;
}
