/**
 * A DelegateService server that keeps every AcquireTask call open and does nothing else. It is the
 * benchmarks' baseline for what grpc-js and Node's HTTP/2 cost per connected delegate, before any of kiln's
 * own state. It prints its port as JSON on stdout.
 */
import * as grpc from '@grpc/grpc-js';
import { loadDelegateProto } from '@kiln/protocol';

const openCalls: unknown[] = [];
const unimplemented = (_call: unknown, callback: grpc.sendUnaryData<object>): void => callback(null, {});
const server = new grpc.Server();
server.addService(loadDelegateProto().kiln.v1.DelegateService.service, {
  AcquireTask: (_call: unknown, callback: unknown) => void openCalls.push(callback),
  Register: unimplemented,
  AcceptTask: unimplemented,
  RenewLease: unimplemented,
  Heartbeat: unimplemented,
  Deregister: unimplemented,
});
server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (error, port) => {
  if (error) throw error;
  process.stdout.write(`${JSON.stringify({ port })}\n`);
});
