import type * as grpc from '@grpc/grpc-js';
import type { MessageTypeDefinition } from '@grpc/proto-loader';

import type { AcceptTaskRequest as _kiln_v1_AcceptTaskRequest, AcceptTaskRequest__Output as _kiln_v1_AcceptTaskRequest__Output } from './kiln/v1/AcceptTaskRequest.js';
import type { AcceptTaskResponse as _kiln_v1_AcceptTaskResponse, AcceptTaskResponse__Output as _kiln_v1_AcceptTaskResponse__Output } from './kiln/v1/AcceptTaskResponse.js';
import type { AcquireTaskRequest as _kiln_v1_AcquireTaskRequest, AcquireTaskRequest__Output as _kiln_v1_AcquireTaskRequest__Output } from './kiln/v1/AcquireTaskRequest.js';
import type { AcquireTaskResponse as _kiln_v1_AcquireTaskResponse, AcquireTaskResponse__Output as _kiln_v1_AcquireTaskResponse__Output } from './kiln/v1/AcquireTaskResponse.js';
import type { DelegateServiceClient as _kiln_v1_DelegateServiceClient, DelegateServiceDefinition as _kiln_v1_DelegateServiceDefinition } from './kiln/v1/DelegateService.js';
import type { DeregisterRequest as _kiln_v1_DeregisterRequest, DeregisterRequest__Output as _kiln_v1_DeregisterRequest__Output } from './kiln/v1/DeregisterRequest.js';
import type { DeregisterResponse as _kiln_v1_DeregisterResponse, DeregisterResponse__Output as _kiln_v1_DeregisterResponse__Output } from './kiln/v1/DeregisterResponse.js';
import type { HeartbeatRequest as _kiln_v1_HeartbeatRequest, HeartbeatRequest__Output as _kiln_v1_HeartbeatRequest__Output } from './kiln/v1/HeartbeatRequest.js';
import type { HeartbeatResponse as _kiln_v1_HeartbeatResponse, HeartbeatResponse__Output as _kiln_v1_HeartbeatResponse__Output } from './kiln/v1/HeartbeatResponse.js';
import type { Lease as _kiln_v1_Lease, Lease__Output as _kiln_v1_Lease__Output } from './kiln/v1/Lease.js';
import type { NatsSettings as _kiln_v1_NatsSettings, NatsSettings__Output as _kiln_v1_NatsSettings__Output } from './kiln/v1/NatsSettings.js';
import type { RegisterRequest as _kiln_v1_RegisterRequest, RegisterRequest__Output as _kiln_v1_RegisterRequest__Output } from './kiln/v1/RegisterRequest.js';
import type { RegisterResponse as _kiln_v1_RegisterResponse, RegisterResponse__Output as _kiln_v1_RegisterResponse__Output } from './kiln/v1/RegisterResponse.js';
import type { RenewLeaseRequest as _kiln_v1_RenewLeaseRequest, RenewLeaseRequest__Output as _kiln_v1_RenewLeaseRequest__Output } from './kiln/v1/RenewLeaseRequest.js';
import type { RenewLeaseResponse as _kiln_v1_RenewLeaseResponse, RenewLeaseResponse__Output as _kiln_v1_RenewLeaseResponse__Output } from './kiln/v1/RenewLeaseResponse.js';
import type { TaskOffer as _kiln_v1_TaskOffer, TaskOffer__Output as _kiln_v1_TaskOffer__Output } from './kiln/v1/TaskOffer.js';
import type { TaskRef as _kiln_v1_TaskRef, TaskRef__Output as _kiln_v1_TaskRef__Output } from './kiln/v1/TaskRef.js';

type SubtypeConstructor<Constructor extends new (...args: any) => any, Subtype> = {
  new(...args: ConstructorParameters<Constructor>): Subtype;
};

export interface ProtoGrpcType {
  kiln: {
    v1: {
      AcceptTaskRequest: MessageTypeDefinition<_kiln_v1_AcceptTaskRequest, _kiln_v1_AcceptTaskRequest__Output>
      AcceptTaskResponse: MessageTypeDefinition<_kiln_v1_AcceptTaskResponse, _kiln_v1_AcceptTaskResponse__Output>
      AcquireTaskRequest: MessageTypeDefinition<_kiln_v1_AcquireTaskRequest, _kiln_v1_AcquireTaskRequest__Output>
      AcquireTaskResponse: MessageTypeDefinition<_kiln_v1_AcquireTaskResponse, _kiln_v1_AcquireTaskResponse__Output>
      DelegateService: SubtypeConstructor<typeof grpc.Client, _kiln_v1_DelegateServiceClient> & { service: _kiln_v1_DelegateServiceDefinition }
      DeregisterRequest: MessageTypeDefinition<_kiln_v1_DeregisterRequest, _kiln_v1_DeregisterRequest__Output>
      DeregisterResponse: MessageTypeDefinition<_kiln_v1_DeregisterResponse, _kiln_v1_DeregisterResponse__Output>
      HeartbeatRequest: MessageTypeDefinition<_kiln_v1_HeartbeatRequest, _kiln_v1_HeartbeatRequest__Output>
      HeartbeatResponse: MessageTypeDefinition<_kiln_v1_HeartbeatResponse, _kiln_v1_HeartbeatResponse__Output>
      Lease: MessageTypeDefinition<_kiln_v1_Lease, _kiln_v1_Lease__Output>
      NatsSettings: MessageTypeDefinition<_kiln_v1_NatsSettings, _kiln_v1_NatsSettings__Output>
      RegisterRequest: MessageTypeDefinition<_kiln_v1_RegisterRequest, _kiln_v1_RegisterRequest__Output>
      RegisterResponse: MessageTypeDefinition<_kiln_v1_RegisterResponse, _kiln_v1_RegisterResponse__Output>
      RenewLeaseRequest: MessageTypeDefinition<_kiln_v1_RenewLeaseRequest, _kiln_v1_RenewLeaseRequest__Output>
      RenewLeaseResponse: MessageTypeDefinition<_kiln_v1_RenewLeaseResponse, _kiln_v1_RenewLeaseResponse__Output>
      TaskOffer: MessageTypeDefinition<_kiln_v1_TaskOffer, _kiln_v1_TaskOffer__Output>
      TaskRef: MessageTypeDefinition<_kiln_v1_TaskRef, _kiln_v1_TaskRef__Output>
    }
  }
}

