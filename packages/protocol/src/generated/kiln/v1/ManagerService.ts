// Original file: ../../proto/kiln/v1/manager.proto

import type * as grpc from '@grpc/grpc-js'
import type { MethodDefinition } from '@grpc/proto-loader'
import type { ApplyRequest as _kiln_v1_ApplyRequest, ApplyRequest__Output as _kiln_v1_ApplyRequest__Output } from '../../kiln/v1/ApplyRequest.js';
import type { ApplyResponse as _kiln_v1_ApplyResponse, ApplyResponse__Output as _kiln_v1_ApplyResponse__Output } from '../../kiln/v1/ApplyResponse.js';
import type { CancelExecutionRequest as _kiln_v1_CancelExecutionRequest, CancelExecutionRequest__Output as _kiln_v1_CancelExecutionRequest__Output } from '../../kiln/v1/CancelExecutionRequest.js';
import type { Execution as _kiln_v1_Execution, Execution__Output as _kiln_v1_Execution__Output } from '../../kiln/v1/Execution.js';
import type { GetExecutionRequest as _kiln_v1_GetExecutionRequest, GetExecutionRequest__Output as _kiln_v1_GetExecutionRequest__Output } from '../../kiln/v1/GetExecutionRequest.js';
import type { ListDelegatesRequest as _kiln_v1_ListDelegatesRequest, ListDelegatesRequest__Output as _kiln_v1_ListDelegatesRequest__Output } from '../../kiln/v1/ListDelegatesRequest.js';
import type { ListDelegatesResponse as _kiln_v1_ListDelegatesResponse, ListDelegatesResponse__Output as _kiln_v1_ListDelegatesResponse__Output } from '../../kiln/v1/ListDelegatesResponse.js';
import type { ListExecutionsRequest as _kiln_v1_ListExecutionsRequest, ListExecutionsRequest__Output as _kiln_v1_ListExecutionsRequest__Output } from '../../kiln/v1/ListExecutionsRequest.js';
import type { ListExecutionsResponse as _kiln_v1_ListExecutionsResponse, ListExecutionsResponse__Output as _kiln_v1_ListExecutionsResponse__Output } from '../../kiln/v1/ListExecutionsResponse.js';
import type { ListPipelinesRequest as _kiln_v1_ListPipelinesRequest, ListPipelinesRequest__Output as _kiln_v1_ListPipelinesRequest__Output } from '../../kiln/v1/ListPipelinesRequest.js';
import type { ListPipelinesResponse as _kiln_v1_ListPipelinesResponse, ListPipelinesResponse__Output as _kiln_v1_ListPipelinesResponse__Output } from '../../kiln/v1/ListPipelinesResponse.js';
import type { LogLine as _kiln_v1_LogLine, LogLine__Output as _kiln_v1_LogLine__Output } from '../../kiln/v1/LogLine.js';
import type { StartExecutionRequest as _kiln_v1_StartExecutionRequest, StartExecutionRequest__Output as _kiln_v1_StartExecutionRequest__Output } from '../../kiln/v1/StartExecutionRequest.js';
import type { StreamLogsRequest as _kiln_v1_StreamLogsRequest, StreamLogsRequest__Output as _kiln_v1_StreamLogsRequest__Output } from '../../kiln/v1/StreamLogsRequest.js';

export interface ManagerServiceClient extends grpc.Client {
  Apply(argument: _kiln_v1_ApplyRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_kiln_v1_ApplyResponse__Output>): grpc.ClientUnaryCall;
  Apply(argument: _kiln_v1_ApplyRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_kiln_v1_ApplyResponse__Output>): grpc.ClientUnaryCall;
  Apply(argument: _kiln_v1_ApplyRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_kiln_v1_ApplyResponse__Output>): grpc.ClientUnaryCall;
  Apply(argument: _kiln_v1_ApplyRequest, callback: grpc.requestCallback<_kiln_v1_ApplyResponse__Output>): grpc.ClientUnaryCall;
  apply(argument: _kiln_v1_ApplyRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_kiln_v1_ApplyResponse__Output>): grpc.ClientUnaryCall;
  apply(argument: _kiln_v1_ApplyRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_kiln_v1_ApplyResponse__Output>): grpc.ClientUnaryCall;
  apply(argument: _kiln_v1_ApplyRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_kiln_v1_ApplyResponse__Output>): grpc.ClientUnaryCall;
  apply(argument: _kiln_v1_ApplyRequest, callback: grpc.requestCallback<_kiln_v1_ApplyResponse__Output>): grpc.ClientUnaryCall;
  
  CancelExecution(argument: _kiln_v1_CancelExecutionRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_kiln_v1_Execution__Output>): grpc.ClientUnaryCall;
  CancelExecution(argument: _kiln_v1_CancelExecutionRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_kiln_v1_Execution__Output>): grpc.ClientUnaryCall;
  CancelExecution(argument: _kiln_v1_CancelExecutionRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_kiln_v1_Execution__Output>): grpc.ClientUnaryCall;
  CancelExecution(argument: _kiln_v1_CancelExecutionRequest, callback: grpc.requestCallback<_kiln_v1_Execution__Output>): grpc.ClientUnaryCall;
  cancelExecution(argument: _kiln_v1_CancelExecutionRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_kiln_v1_Execution__Output>): grpc.ClientUnaryCall;
  cancelExecution(argument: _kiln_v1_CancelExecutionRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_kiln_v1_Execution__Output>): grpc.ClientUnaryCall;
  cancelExecution(argument: _kiln_v1_CancelExecutionRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_kiln_v1_Execution__Output>): grpc.ClientUnaryCall;
  cancelExecution(argument: _kiln_v1_CancelExecutionRequest, callback: grpc.requestCallback<_kiln_v1_Execution__Output>): grpc.ClientUnaryCall;
  
  GetExecution(argument: _kiln_v1_GetExecutionRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_kiln_v1_Execution__Output>): grpc.ClientUnaryCall;
  GetExecution(argument: _kiln_v1_GetExecutionRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_kiln_v1_Execution__Output>): grpc.ClientUnaryCall;
  GetExecution(argument: _kiln_v1_GetExecutionRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_kiln_v1_Execution__Output>): grpc.ClientUnaryCall;
  GetExecution(argument: _kiln_v1_GetExecutionRequest, callback: grpc.requestCallback<_kiln_v1_Execution__Output>): grpc.ClientUnaryCall;
  getExecution(argument: _kiln_v1_GetExecutionRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_kiln_v1_Execution__Output>): grpc.ClientUnaryCall;
  getExecution(argument: _kiln_v1_GetExecutionRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_kiln_v1_Execution__Output>): grpc.ClientUnaryCall;
  getExecution(argument: _kiln_v1_GetExecutionRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_kiln_v1_Execution__Output>): grpc.ClientUnaryCall;
  getExecution(argument: _kiln_v1_GetExecutionRequest, callback: grpc.requestCallback<_kiln_v1_Execution__Output>): grpc.ClientUnaryCall;
  
  ListDelegates(argument: _kiln_v1_ListDelegatesRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_kiln_v1_ListDelegatesResponse__Output>): grpc.ClientUnaryCall;
  ListDelegates(argument: _kiln_v1_ListDelegatesRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_kiln_v1_ListDelegatesResponse__Output>): grpc.ClientUnaryCall;
  ListDelegates(argument: _kiln_v1_ListDelegatesRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_kiln_v1_ListDelegatesResponse__Output>): grpc.ClientUnaryCall;
  ListDelegates(argument: _kiln_v1_ListDelegatesRequest, callback: grpc.requestCallback<_kiln_v1_ListDelegatesResponse__Output>): grpc.ClientUnaryCall;
  listDelegates(argument: _kiln_v1_ListDelegatesRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_kiln_v1_ListDelegatesResponse__Output>): grpc.ClientUnaryCall;
  listDelegates(argument: _kiln_v1_ListDelegatesRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_kiln_v1_ListDelegatesResponse__Output>): grpc.ClientUnaryCall;
  listDelegates(argument: _kiln_v1_ListDelegatesRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_kiln_v1_ListDelegatesResponse__Output>): grpc.ClientUnaryCall;
  listDelegates(argument: _kiln_v1_ListDelegatesRequest, callback: grpc.requestCallback<_kiln_v1_ListDelegatesResponse__Output>): grpc.ClientUnaryCall;
  
  ListExecutions(argument: _kiln_v1_ListExecutionsRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_kiln_v1_ListExecutionsResponse__Output>): grpc.ClientUnaryCall;
  ListExecutions(argument: _kiln_v1_ListExecutionsRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_kiln_v1_ListExecutionsResponse__Output>): grpc.ClientUnaryCall;
  ListExecutions(argument: _kiln_v1_ListExecutionsRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_kiln_v1_ListExecutionsResponse__Output>): grpc.ClientUnaryCall;
  ListExecutions(argument: _kiln_v1_ListExecutionsRequest, callback: grpc.requestCallback<_kiln_v1_ListExecutionsResponse__Output>): grpc.ClientUnaryCall;
  listExecutions(argument: _kiln_v1_ListExecutionsRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_kiln_v1_ListExecutionsResponse__Output>): grpc.ClientUnaryCall;
  listExecutions(argument: _kiln_v1_ListExecutionsRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_kiln_v1_ListExecutionsResponse__Output>): grpc.ClientUnaryCall;
  listExecutions(argument: _kiln_v1_ListExecutionsRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_kiln_v1_ListExecutionsResponse__Output>): grpc.ClientUnaryCall;
  listExecutions(argument: _kiln_v1_ListExecutionsRequest, callback: grpc.requestCallback<_kiln_v1_ListExecutionsResponse__Output>): grpc.ClientUnaryCall;
  
  ListPipelines(argument: _kiln_v1_ListPipelinesRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_kiln_v1_ListPipelinesResponse__Output>): grpc.ClientUnaryCall;
  ListPipelines(argument: _kiln_v1_ListPipelinesRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_kiln_v1_ListPipelinesResponse__Output>): grpc.ClientUnaryCall;
  ListPipelines(argument: _kiln_v1_ListPipelinesRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_kiln_v1_ListPipelinesResponse__Output>): grpc.ClientUnaryCall;
  ListPipelines(argument: _kiln_v1_ListPipelinesRequest, callback: grpc.requestCallback<_kiln_v1_ListPipelinesResponse__Output>): grpc.ClientUnaryCall;
  listPipelines(argument: _kiln_v1_ListPipelinesRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_kiln_v1_ListPipelinesResponse__Output>): grpc.ClientUnaryCall;
  listPipelines(argument: _kiln_v1_ListPipelinesRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_kiln_v1_ListPipelinesResponse__Output>): grpc.ClientUnaryCall;
  listPipelines(argument: _kiln_v1_ListPipelinesRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_kiln_v1_ListPipelinesResponse__Output>): grpc.ClientUnaryCall;
  listPipelines(argument: _kiln_v1_ListPipelinesRequest, callback: grpc.requestCallback<_kiln_v1_ListPipelinesResponse__Output>): grpc.ClientUnaryCall;
  
  StartExecution(argument: _kiln_v1_StartExecutionRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_kiln_v1_Execution__Output>): grpc.ClientUnaryCall;
  StartExecution(argument: _kiln_v1_StartExecutionRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_kiln_v1_Execution__Output>): grpc.ClientUnaryCall;
  StartExecution(argument: _kiln_v1_StartExecutionRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_kiln_v1_Execution__Output>): grpc.ClientUnaryCall;
  StartExecution(argument: _kiln_v1_StartExecutionRequest, callback: grpc.requestCallback<_kiln_v1_Execution__Output>): grpc.ClientUnaryCall;
  startExecution(argument: _kiln_v1_StartExecutionRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_kiln_v1_Execution__Output>): grpc.ClientUnaryCall;
  startExecution(argument: _kiln_v1_StartExecutionRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_kiln_v1_Execution__Output>): grpc.ClientUnaryCall;
  startExecution(argument: _kiln_v1_StartExecutionRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_kiln_v1_Execution__Output>): grpc.ClientUnaryCall;
  startExecution(argument: _kiln_v1_StartExecutionRequest, callback: grpc.requestCallback<_kiln_v1_Execution__Output>): grpc.ClientUnaryCall;
  
  StreamLogs(argument: _kiln_v1_StreamLogsRequest, metadata: grpc.Metadata, options?: grpc.CallOptions): grpc.ClientReadableStream<_kiln_v1_LogLine__Output>;
  StreamLogs(argument: _kiln_v1_StreamLogsRequest, options?: grpc.CallOptions): grpc.ClientReadableStream<_kiln_v1_LogLine__Output>;
  streamLogs(argument: _kiln_v1_StreamLogsRequest, metadata: grpc.Metadata, options?: grpc.CallOptions): grpc.ClientReadableStream<_kiln_v1_LogLine__Output>;
  streamLogs(argument: _kiln_v1_StreamLogsRequest, options?: grpc.CallOptions): grpc.ClientReadableStream<_kiln_v1_LogLine__Output>;
  
}

export interface ManagerServiceHandlers extends grpc.UntypedServiceImplementation {
  Apply: grpc.handleUnaryCall<_kiln_v1_ApplyRequest__Output, _kiln_v1_ApplyResponse>;
  
  CancelExecution: grpc.handleUnaryCall<_kiln_v1_CancelExecutionRequest__Output, _kiln_v1_Execution>;
  
  GetExecution: grpc.handleUnaryCall<_kiln_v1_GetExecutionRequest__Output, _kiln_v1_Execution>;
  
  ListDelegates: grpc.handleUnaryCall<_kiln_v1_ListDelegatesRequest__Output, _kiln_v1_ListDelegatesResponse>;
  
  ListExecutions: grpc.handleUnaryCall<_kiln_v1_ListExecutionsRequest__Output, _kiln_v1_ListExecutionsResponse>;
  
  ListPipelines: grpc.handleUnaryCall<_kiln_v1_ListPipelinesRequest__Output, _kiln_v1_ListPipelinesResponse>;
  
  StartExecution: grpc.handleUnaryCall<_kiln_v1_StartExecutionRequest__Output, _kiln_v1_Execution>;
  
  StreamLogs: grpc.handleServerStreamingCall<_kiln_v1_StreamLogsRequest__Output, _kiln_v1_LogLine>;
  
}

export interface ManagerServiceDefinition extends grpc.ServiceDefinition {
  Apply: MethodDefinition<_kiln_v1_ApplyRequest, _kiln_v1_ApplyResponse, _kiln_v1_ApplyRequest__Output, _kiln_v1_ApplyResponse__Output>
  CancelExecution: MethodDefinition<_kiln_v1_CancelExecutionRequest, _kiln_v1_Execution, _kiln_v1_CancelExecutionRequest__Output, _kiln_v1_Execution__Output>
  GetExecution: MethodDefinition<_kiln_v1_GetExecutionRequest, _kiln_v1_Execution, _kiln_v1_GetExecutionRequest__Output, _kiln_v1_Execution__Output>
  ListDelegates: MethodDefinition<_kiln_v1_ListDelegatesRequest, _kiln_v1_ListDelegatesResponse, _kiln_v1_ListDelegatesRequest__Output, _kiln_v1_ListDelegatesResponse__Output>
  ListExecutions: MethodDefinition<_kiln_v1_ListExecutionsRequest, _kiln_v1_ListExecutionsResponse, _kiln_v1_ListExecutionsRequest__Output, _kiln_v1_ListExecutionsResponse__Output>
  ListPipelines: MethodDefinition<_kiln_v1_ListPipelinesRequest, _kiln_v1_ListPipelinesResponse, _kiln_v1_ListPipelinesRequest__Output, _kiln_v1_ListPipelinesResponse__Output>
  StartExecution: MethodDefinition<_kiln_v1_StartExecutionRequest, _kiln_v1_Execution, _kiln_v1_StartExecutionRequest__Output, _kiln_v1_Execution__Output>
  StreamLogs: MethodDefinition<_kiln_v1_StreamLogsRequest, _kiln_v1_LogLine, _kiln_v1_StreamLogsRequest__Output, _kiln_v1_LogLine__Output>
}
