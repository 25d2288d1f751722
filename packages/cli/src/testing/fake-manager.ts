import * as grpc from '@grpc/grpc-js';
import { loadManagerProto, type ManagerServiceHandlers } from '@kiln/protocol';

/** One call the fake manager received. */
export interface RecordedCall {
  method: string;
  request: unknown;
  metadata: Record<string, string>;
}

/** A ManagerService on 127.0.0.1 with handlers given by a test; it checks only how the CLI uses the wire. */
export interface FakeManager {
  address: string;
  calls: RecordedCall[];
  close(): Promise<void>;
  /** Cuts every call at once, as a crashed manager does. */
  kill(): void;
}

function recordMetadata(metadata: grpc.Metadata): Record<string, string> {
  const map: Record<string, string> = {};
  for (const [key, value] of Object.entries(metadata.getMap())) map[key] = String(value);
  return map;
}

/**
 * Starts a gRPC server on 127.0.0.1 with `port`, by default an ephemeral one
 * (a restarted manager reuses its predecessor's port). Methods without a
 * handler return UNIMPLEMENTED, and every call is recorded with its metadata.
 */
export async function startFakeManager(handlers: Partial<ManagerServiceHandlers>, port = 0): Promise<FakeManager> {
  const calls: RecordedCall[] = [];
  const service = loadManagerProto().kiln.v1.ManagerService.service;
  const implementation: grpc.UntypedServiceImplementation = {};
  for (const method of Object.keys(service)) {
    const handler = handlers[method] as ((call: never, callback?: never) => void) | undefined;
    implementation[method] = (call: grpc.ServerUnaryCall<unknown, unknown>, callback?: grpc.sendUnaryData<unknown>) => {
      calls.push({ method, request: call.request, metadata: recordMetadata(call.metadata) });
      if (handler !== undefined) {
        handler(call as never, callback as never);
      } else if (callback !== undefined) {
        callback({ code: grpc.status.UNIMPLEMENTED, details: `${method} is not implemented by the fake manager` });
      } else {
        (call as unknown as grpc.ServerWritableStream<unknown, unknown>).destroy(new Error('not implemented'));
      }
    };
  }

  const server = new grpc.Server();
  server.addService(service, implementation);
  const boundPort = await new Promise<number>((resolve, reject) => {
    server.bindAsync(`127.0.0.1:${port}`, grpc.ServerCredentials.createInsecure(), (error, bound) => {
      if (error !== null) reject(error);
      else resolve(bound);
    });
  });
  return {
    address: `127.0.0.1:${boundPort}`,
    calls,
    close: () =>
      new Promise<void>((resolve) => {
        server.tryShutdown(() => resolve());
        // Open follow streams would hold tryShutdown forever; cut them after a short grace.
        setTimeout(() => server.forceShutdown(), 500).unref();
      }),
    kill: () => server.forceShutdown(),
  };
}
