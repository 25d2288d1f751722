import * as grpc from '@grpc/grpc-js';
import { loadDelegateProto, loadManagerProto, type DelegateServiceHandlers, type ManagerServiceHandlers } from '@kiln/protocol';
import { MAX_GRPC_MESSAGE_BYTES } from './limits.js';

/** A started gRPC server and the address it bound. */
export interface RunningGrpcServer {
  server: grpc.Server;
  /** `host:port` with the bound port (useful when listening on port 0). */
  address: string;
}

/** PEM material of a TLS listener; with `clientCa`, clients must present a certificate it signed. */
export interface GrpcTls {
  cert: Buffer;
  key: Buffer;
  clientCa?: Buffer;
}

/** Returns TLS server credentials, or plaintext ones when `tls` is undefined. */
export function serverCredentials(tls: GrpcTls | undefined): grpc.ServerCredentials {
  if (tls === undefined) return grpc.ServerCredentials.createInsecure();
  const keyPair = [{ private_key: tls.key, cert_chain: tls.cert }];
  return grpc.ServerCredentials.createSsl(tls.clientCa ?? null, keyPair, tls.clientCa !== undefined);
}

/**
 * Starts a gRPC server with both services on `listen` (HOST:PORT, port 0 picks a free port),
 * over TLS when `tls` is given and plaintext otherwise.
 * @throws the bind error, e.g. when the address is in use.
 */
export async function startGrpcServer(listen: { host: string; port: number }, delegate: DelegateServiceHandlers, manager: ManagerServiceHandlers, tls?: GrpcTls): Promise<RunningGrpcServer> {
  const server = new grpc.Server({
    'grpc.keepalive_permit_without_calls': 1,
    'grpc.keepalive_time_ms': 30_000,
    'grpc.max_receive_message_length': MAX_GRPC_MESSAGE_BYTES,
  });
  server.addService(loadDelegateProto().kiln.v1.DelegateService.service, delegate);
  server.addService(loadManagerProto().kiln.v1.ManagerService.service, manager);
  const hostPart = listen.host.includes(':') ? `[${listen.host}]` : listen.host;
  const port = await new Promise<number>((resolve, reject) => {
    server.bindAsync(`${hostPart}:${listen.port}`, serverCredentials(tls), (error, boundPort) => (error ? reject(error) : resolve(boundPort)));
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
