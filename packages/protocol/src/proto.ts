import { fileURLToPath } from 'node:url';
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import type { ProtoGrpcType as DelegateProto } from './generated/delegate.js';
import type { ProtoGrpcType as ManagerProto } from './generated/manager.js';

/** Directory holding `kiln/v1/*.proto`, resolved from this module so it works from any working directory. */
export const PROTO_DIR = fileURLToPath(new URL('../../../proto', import.meta.url));

/** Options shared by the generated types and the runtime loader; they must agree. */
const LOADER_OPTIONS: protoLoader.Options = {
  keepCase: true,
  longs: Number,
  enums: String,
  defaults: true,
  oneofs: true,
  includeDirs: [PROTO_DIR],
};

let delegateProto: DelegateProto | undefined;
let managerProto: ManagerProto | undefined;

/** Loads `kiln/v1/delegate.proto` once and returns its typed package. */
export function loadDelegateProto(): DelegateProto {
  delegateProto ??= grpc.loadPackageDefinition(
    protoLoader.loadSync('kiln/v1/delegate.proto', LOADER_OPTIONS),
  ) as unknown as DelegateProto;
  return delegateProto;
}

/** Loads `kiln/v1/manager.proto` once and returns its typed package. */
export function loadManagerProto(): ManagerProto {
  managerProto ??= grpc.loadPackageDefinition(
    protoLoader.loadSync('kiln/v1/manager.proto', LOADER_OPTIONS),
  ) as unknown as ManagerProto;
  return managerProto;
}
