import * as grpc from '@grpc/grpc-js';
import { jetstream, type JetStreamClient } from '@nats-io/jetstream';
import {
  METADATA,
  PROTOCOL_VERSION,
  encodeJson,
  eventMessageId,
  eventSubject,
  loadDelegateProto,
  type DelegateServiceClient,
  type KilnEvent,
  type wire,
} from '@kiln/protocol';

/** What a simulated delegate reports for each task it ran. */
export interface TaskTiming {
  taskId: string;
  executionId: string;
  /** Milliseconds since the epoch when AcceptTask returned the payload. */
  acceptedAt: number;
}

export function call<Request, Response>(
  method: (request: Request, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<Response>) => unknown,
  request: Request,
  metadata: grpc.Metadata,
  deadlineMs: number,
): Promise<Response> {
  return new Promise((resolve, reject) => {
    method(request, metadata, { deadline: Date.now() + deadlineMs }, (error, response) => {
      if (error || response === undefined) reject(error ?? new Error('empty response'));
      else resolve(response);
    });
  });
}

/**
 * A delegate that speaks the DelegateService protocol and finishes every task at once by publishing its
 * events straight to JetStream, so benchmarks measure kiln's dispatch and not a build. Each instance has
 * its own HTTP/2 connection (`grpc.use_local_subchannel_pool`), as real delegates do.
 */
export class SimulatedDelegate {
  private readonly client: DelegateServiceClient;
  private sessionMetadata = new grpc.Metadata();
  private delegateId = '';
  private stopped = false;
  readonly timings: TaskTiming[] = [];

  constructor(
    private readonly managerAddress: string,
    private readonly token: string,
    private readonly name: string,
    private readonly js: JetStreamClient | undefined,
    private readonly capacity = 1,
  ) {
    const { DelegateService } = loadDelegateProto().kiln.v1;
    this.client = new DelegateService(managerAddress, grpc.credentials.createInsecure(), { 'grpc.use_local_subchannel_pool': 1 });
  }

  async register(): Promise<void> {
    const metadata = new grpc.Metadata();
    metadata.set(METADATA.protocolVersion, PROTOCOL_VERSION);
    metadata.set(METADATA.authorization, `Bearer ${this.token}`);
    const reply = await call<wire.RegisterRequest, wire.RegisterResponse__Output>(
      this.client.Register.bind(this.client),
      { name: this.name, tags: ['local'], version: 'bench', executor: 'simulated', builder: 'none', capacity: this.capacity, hostname: 'bench' },
      metadata,
      10_000,
    );
    this.delegateId = reply.delegate_id;
    this.sessionMetadata = new grpc.Metadata();
    this.sessionMetadata.set(METADATA.protocolVersion, PROTOCOL_VERSION);
    this.sessionMetadata.set(METADATA.authorization, `Bearer ${reply.session_token}`);
    this.sessionMetadata.set(METADATA.delegateId, reply.delegate_id);
  }

  /** Runs poll loops, one per slot, until stop() is called. */
  async run(): Promise<void> {
    await Promise.all(Array.from({ length: this.capacity }, () => this.pollLoop()));
  }

  stop(): void {
    this.stopped = true;
    this.client.close();
  }

  private async pollLoop(): Promise<void> {
    while (!this.stopped) {
      let reply: wire.AcquireTaskResponse__Output;
      try {
        reply = await call<wire.AcquireTaskRequest, wire.AcquireTaskResponse__Output>(this.client.AcquireTask.bind(this.client), { free_slots: 1 }, this.sessionMetadata, 60_000);
      } catch (error) {
        if (this.stopped) return;
        throw error;
      }
      const offer = reply.offer;
      if (!offer) continue;
      const accepted = await call<wire.AcceptTaskRequest, wire.AcceptTaskResponse__Output>(
        this.client.AcceptTask.bind(this.client),
        { task_id: offer.task_id, attempt: offer.attempt, offer_id: offer.offer_id },
        this.sessionMetadata,
        10_000,
      );
      this.timings.push({ taskId: offer.task_id, executionId: offer.execution_id, acceptedAt: Date.now() });
      const lease = accepted.lease;
      if (this.js && lease) {
        await this.finish({ taskId: offer.task_id, attempt: offer.attempt, leaseId: lease.lease_id, executionId: offer.execution_id, stageId: offer.stage_id });
      }
    }
  }

  private async finish(scope: { taskId: string; attempt: number; leaseId: string; executionId: string; stageId: string }): Promise<void> {
    const ts = Date.now();
    const events: KilnEvent[] = [
      { ...scope, ts, type: 'stage.started', delegateId: this.delegateId },
      { ...scope, ts, type: 'stage.finished', status: 'Succeeded' },
    ];
    for (const event of events) {
      await this.js!.publish(eventSubject(scope.executionId), encodeJson(event), { msgID: eventMessageId(event) });
    }
  }
}

export function connectJetStream(nc: Parameters<typeof jetstream>[0]): JetStreamClient {
  return jetstream(nc);
}
