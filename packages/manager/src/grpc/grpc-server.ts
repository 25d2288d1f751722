import * as grpc from '@grpc/grpc-js';
import { loadDelegateProto, loadManagerProto, type DelegateServiceHandlers, type ManagerServiceHandlers } from '@kiln/protocol';

/** A started gRPC server and the address it bound. */
export interface RunningGrpcServer {
  server: grpc.Server;
  /** `host:port` with the bound port (useful when listening on port 0). */
  address: string;
}

/**
 * Starts a gRPC server with both services on `listen` (HOST:PORT, port 0 picks a free port).
 * NOTE: the server uses plaintext credentials; put it behind a TLS proxy or on a private network.
 * @throws the bind error, e.g. when the address is in use.
 */
export async function startGrpcServer(listen: { host: string; port: number }, delegate: DelegateServiceHandlers, manager: ManagerServiceHandlers): Promise<RunningGrpcServer> {
  const server = new grpc.Server({ 'grpc.keepalive_permit_without_calls': 1, 'grpc.keepalive_time_ms': 30_000 });
  server.addService(loadDelegateProto().kiln.v1.DelegateService.service, delegate);
  server.addService(loadManagerProto().kiln.v1.ManagerService.service, manager);
  const hostPart = listen.host.includes(':') ? `[${listen.host}]` : listen.host;
  const port = await new Promise<number>((resolve, reject) => {
    server.bindAsync(`${hostPart}:${listen.port}`, grpc.ServerCredentials.createInsecure(), (error, boundPort) => (error ? reject(error) : resolve(boundPort)));
  });
  return { server, address: `${hostPart}:${port}` };
}

/** Stops accepting calls and waits for running ones up to `graceMs`, then cancels the rest. */
export async function stopGrpcServer(server: grpc.Server, graceMs: number): Promise<'graceful' | 'forced'> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      server.forceShutdown();
      resolve('forced');
    }, graceMs);
    timer.unref();
    server.tryShutdown(() => {
      clearTimeout(timer);
      resolve('graceful');
    });
  });
}
