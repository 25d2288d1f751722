// Original file: ../../proto/kiln/v1/delegate.proto

import type * as grpc from '@grpc/grpc-js'
import type { MethodDefinition } from '@grpc/proto-loader'
import type { AcceptTaskRequest as _kiln_v1_AcceptTaskRequest, AcceptTaskRequest__Output as _kiln_v1_AcceptTaskRequest__Output } from '../../kiln/v1/AcceptTaskRequest.js';
import type { AcceptTaskResponse as _kiln_v1_AcceptTaskResponse, AcceptTaskResponse__Output as _kiln_v1_AcceptTaskResponse__Output } from '../../kiln/v1/AcceptTaskResponse.js';
import type { AcquireTaskRequest as _kiln_v1_AcquireTaskRequest, AcquireTaskRequest__Output as _kiln_v1_AcquireTaskRequest__Output } from '../../kiln/v1/AcquireTaskRequest.js';
import type { AcquireTaskResponse as _kiln_v1_AcquireTaskResponse, AcquireTaskResponse__Output as _kiln_v1_AcquireTaskResponse__Output } from '../../kiln/v1/AcquireTaskResponse.js';
import type { DeregisterRequest as _kiln_v1_DeregisterRequest, DeregisterRequest__Output as _kiln_v1_DeregisterRequest__Output } from '../../kiln/v1/DeregisterRequest.js';
import type { DeregisterResponse as _kiln_v1_DeregisterResponse, DeregisterResponse__Output as _kiln_v1_DeregisterResponse__Output } from '../../kiln/v1/DeregisterResponse.js';
import type { HeartbeatRequest as _kiln_v1_HeartbeatRequest, HeartbeatRequest__Output as _kiln_v1_HeartbeatRequest__Output } from '../../kiln/v1/HeartbeatRequest.js';
import type { HeartbeatResponse as _kiln_v1_HeartbeatResponse, HeartbeatResponse__Output as _kiln_v1_HeartbeatResponse__Output } from '../../kiln/v1/HeartbeatResponse.js';
import type { RegisterRequest as _kiln_v1_RegisterRequest, RegisterRequest__Output as _kiln_v1_RegisterRequest__Output } from '../../kiln/v1/RegisterRequest.js';
import type { RegisterResponse as _kiln_v1_RegisterResponse, RegisterResponse__Output as _kiln_v1_RegisterResponse__Output } from '../../kiln/v1/RegisterResponse.js';
import type { RenewLeaseRequest as _kiln_v1_RenewLeaseRequest, RenewLeaseRequest__Output as _kiln_v1_RenewLeaseRequest__Output } from '../../kiln/v1/RenewLeaseRequest.js';
import type { RenewLeaseResponse as _kiln_v1_RenewLeaseResponse, RenewLeaseResponse__Output as _kiln_v1_RenewLeaseResponse__Output } from '../../kiln/v1/RenewLeaseResponse.js';

export interface DelegateServiceClient extends grpc.Client {
  AcceptTask(argument: _kiln_v1_AcceptTaskRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_kiln_v1_AcceptTaskResponse__Output>): grpc.ClientUnaryCall;
  AcceptTask(argument: _kiln_v1_AcceptTaskRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_kiln_v1_AcceptTaskResponse__Output>): grpc.ClientUnaryCall;
  AcceptTask(argument: _kiln_v1_AcceptTaskRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_kiln_v1_AcceptTaskResponse__Output>): grpc.ClientUnaryCall;
  AcceptTask(argument: _kiln_v1_AcceptTaskRequest, callback: grpc.requestCallback<_kiln_v1_AcceptTaskResponse__Output>): grpc.ClientUnaryCall;
  acceptTask(argument: _kiln_v1_AcceptTaskRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_kiln_v1_AcceptTaskResponse__Output>): grpc.ClientUnaryCall;
  acceptTask(argument: _kiln_v1_AcceptTaskRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_kiln_v1_AcceptTaskResponse__Output>): grpc.ClientUnaryCall;
  acceptTask(argument: _kiln_v1_AcceptTaskRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_kiln_v1_AcceptTaskResponse__Output>): grpc.ClientUnaryCall;
  acceptTask(argument: _kiln_v1_AcceptTaskRequest, callback: grpc.requestCallback<_kiln_v1_AcceptTaskResponse__Output>): grpc.ClientUnaryCall;
  
  AcquireTask(argument: _kiln_v1_AcquireTaskRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_kiln_v1_AcquireTaskResponse__Output>): grpc.ClientUnaryCall;
  AcquireTask(argument: _kiln_v1_AcquireTaskRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_kiln_v1_AcquireTaskResponse__Output>): grpc.ClientUnaryCall;
  AcquireTask(argument: _kiln_v1_AcquireTaskRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_kiln_v1_AcquireTaskResponse__Output>): grpc.ClientUnaryCall;
  AcquireTask(argument: _kiln_v1_AcquireTaskRequest, callback: grpc.requestCallback<_kiln_v1_AcquireTaskResponse__Output>): grpc.ClientUnaryCall;
  acquireTask(argument: _kiln_v1_AcquireTaskRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_kiln_v1_AcquireTaskResponse__Output>): grpc.ClientUnaryCall;
  acquireTask(argument: _kiln_v1_AcquireTaskRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_kiln_v1_AcquireTaskResponse__Output>): grpc.ClientUnaryCall;
  acquireTask(argument: _kiln_v1_AcquireTaskRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_kiln_v1_AcquireTaskResponse__Output>): grpc.ClientUnaryCall;
  acquireTask(argument: _kiln_v1_AcquireTaskRequest, callback: grpc.requestCallback<_kiln_v1_AcquireTaskResponse__Output>): grpc.ClientUnaryCall;
  
  Deregister(argument: _kiln_v1_DeregisterRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_kiln_v1_DeregisterResponse__Output>): grpc.ClientUnaryCall;
  Deregister(argument: _kiln_v1_DeregisterRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_kiln_v1_DeregisterResponse__Output>): grpc.ClientUnaryCall;
  Deregister(argument: _kiln_v1_DeregisterRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_kiln_v1_DeregisterResponse__Output>): grpc.ClientUnaryCall;
  Deregister(argument: _kiln_v1_DeregisterRequest, callback: grpc.requestCallback<_kiln_v1_DeregisterResponse__Output>): grpc.ClientUnaryCall;
  deregister(argument: _kiln_v1_DeregisterRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_kiln_v1_DeregisterResponse__Output>): grpc.ClientUnaryCall;
  deregister(argument: _kiln_v1_DeregisterRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_kiln_v1_DeregisterResponse__Output>): grpc.ClientUnaryCall;
  deregister(argument: _kiln_v1_DeregisterRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_kiln_v1_DeregisterResponse__Output>): grpc.ClientUnaryCall;
  deregister(argument: _kiln_v1_DeregisterRequest, callback: grpc.requestCallback<_kiln_v1_DeregisterResponse__Output>): grpc.ClientUnaryCall;
  
  Heartbeat(argument: _kiln_v1_HeartbeatRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_kiln_v1_HeartbeatResponse__Output>): grpc.ClientUnaryCall;
  Heartbeat(argument: _kiln_v1_HeartbeatRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_kiln_v1_HeartbeatResponse__Output>): grpc.ClientUnaryCall;
  Heartbeat(argument: _kiln_v1_HeartbeatRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_kiln_v1_HeartbeatResponse__Output>): grpc.ClientUnaryCall;
  Heartbeat(argument: _kiln_v1_HeartbeatRequest, callback: grpc.requestCallback<_kiln_v1_HeartbeatResponse__Output>): grpc.ClientUnaryCall;
  heartbeat(argument: _kiln_v1_HeartbeatRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_kiln_v1_HeartbeatResponse__Output>): grpc.ClientUnaryCall;
  heartbeat(argument: _kiln_v1_HeartbeatRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_kiln_v1_HeartbeatResponse__Output>): grpc.ClientUnaryCall;
  heartbeat(argument: _kiln_v1_HeartbeatRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_kiln_v1_HeartbeatResponse__Output>): grpc.ClientUnaryCall;
  heartbeat(argument: _kiln_v1_HeartbeatRequest, callback: grpc.requestCallback<_kiln_v1_HeartbeatResponse__Output>): grpc.ClientUnaryCall;
  
  Register(argument: _kiln_v1_RegisterRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_kiln_v1_RegisterResponse__Output>): grpc.ClientUnaryCall;
  Register(argument: _kiln_v1_RegisterRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_kiln_v1_RegisterResponse__Output>): grpc.ClientUnaryCall;
  Register(argument: _kiln_v1_RegisterRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_kiln_v1_RegisterResponse__Output>): grpc.ClientUnaryCall;
  Register(argument: _kiln_v1_RegisterRequest, callback: grpc.requestCallback<_kiln_v1_RegisterResponse__Output>): grpc.ClientUnaryCall;
  register(argument: _kiln_v1_RegisterRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_kiln_v1_RegisterResponse__Output>): grpc.ClientUnaryCall;
  register(argument: _kiln_v1_RegisterRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_kiln_v1_RegisterResponse__Output>): grpc.ClientUnaryCall;
  register(argument: _kiln_v1_RegisterRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_kiln_v1_RegisterResponse__Output>): grpc.ClientUnaryCall;
  register(argument: _kiln_v1_RegisterRequest, callback: grpc.requestCallback<_kiln_v1_RegisterResponse__Output>): grpc.ClientUnaryCall;
  
  RenewLease(argument: _kiln_v1_RenewLeaseRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_kiln_v1_RenewLeaseResponse__Output>): grpc.ClientUnaryCall;
  RenewLease(argument: _kiln_v1_RenewLeaseRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_kiln_v1_RenewLeaseResponse__Output>): grpc.ClientUnaryCall;
  RenewLease(argument: _kiln_v1_RenewLeaseRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_kiln_v1_RenewLeaseResponse__Output>): grpc.ClientUnaryCall;
  RenewLease(argument: _kiln_v1_RenewLeaseRequest, callback: grpc.requestCallback<_kiln_v1_RenewLeaseResponse__Output>): grpc.ClientUnaryCall;
  renewLease(argument: _kiln_v1_RenewLeaseRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_kiln_v1_RenewLeaseResponse__Output>): grpc.ClientUnaryCall;
  renewLease(argument: _kiln_v1_RenewLeaseRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_kiln_v1_RenewLeaseResponse__Output>): grpc.ClientUnaryCall;
  renewLease(argument: _kiln_v1_RenewLeaseRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_kiln_v1_RenewLeaseResponse__Output>): grpc.ClientUnaryCall;
  renewLease(argument: _kiln_v1_RenewLeaseRequest, callback: grpc.requestCallback<_kiln_v1_RenewLeaseResponse__Output>): grpc.ClientUnaryCall;
  
}

export interface DelegateServiceHandlers extends grpc.UntypedServiceImplementation {
  AcceptTask: grpc.handleUnaryCall<_kiln_v1_AcceptTaskRequest__Output, _kiln_v1_AcceptTaskResponse>;
  
  AcquireTask: grpc.handleUnaryCall<_kiln_v1_AcquireTaskRequest__Output, _kiln_v1_AcquireTaskResponse>;
  
  Deregister: grpc.handleUnaryCall<_kiln_v1_DeregisterRequest__Output, _kiln_v1_DeregisterResponse>;
  
  Heartbeat: grpc.handleUnaryCall<_kiln_v1_HeartbeatRequest__Output, _kiln_v1_HeartbeatResponse>;
  
  Register: grpc.handleUnaryCall<_kiln_v1_RegisterRequest__Output, _kiln_v1_RegisterResponse>;
  
  RenewLease: grpc.handleUnaryCall<_kiln_v1_RenewLeaseRequest__Output, _kiln_v1_RenewLeaseResponse>;
  
}

export interface DelegateServiceDefinition extends grpc.ServiceDefinition {
  AcceptTask: MethodDefinition<_kiln_v1_AcceptTaskRequest, _kiln_v1_AcceptTaskResponse, _kiln_v1_AcceptTaskRequest__Output, _kiln_v1_AcceptTaskResponse__Output>
  AcquireTask: MethodDefinition<_kiln_v1_AcquireTaskRequest, _kiln_v1_AcquireTaskResponse, _kiln_v1_AcquireTaskRequest__Output, _kiln_v1_AcquireTaskResponse__Output>
  Deregister: MethodDefinition<_kiln_v1_DeregisterRequest, _kiln_v1_DeregisterResponse, _kiln_v1_DeregisterRequest__Output, _kiln_v1_DeregisterResponse__Output>
  Heartbeat: MethodDefinition<_kiln_v1_HeartbeatRequest, _kiln_v1_HeartbeatResponse, _kiln_v1_HeartbeatRequest__Output, _kiln_v1_HeartbeatResponse__Output>
  Register: MethodDefinition<_kiln_v1_RegisterRequest, _kiln_v1_RegisterResponse, _kiln_v1_RegisterRequest__Output, _kiln_v1_RegisterResponse__Output>
  RenewLease: MethodDefinition<_kiln_v1_RenewLeaseRequest, _kiln_v1_RenewLeaseResponse, _kiln_v1_RenewLeaseRequest__Output, _kiln_v1_RenewLeaseResponse__Output>
}
