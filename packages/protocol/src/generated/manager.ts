import type * as grpc from '@grpc/grpc-js';
import type { MessageTypeDefinition } from '@grpc/proto-loader';

import type { AppliedResource as _kiln_v1_AppliedResource, AppliedResource__Output as _kiln_v1_AppliedResource__Output } from './kiln/v1/AppliedResource.js';
import type { ApplyRequest as _kiln_v1_ApplyRequest, ApplyRequest__Output as _kiln_v1_ApplyRequest__Output } from './kiln/v1/ApplyRequest.js';
import type { ApplyResponse as _kiln_v1_ApplyResponse, ApplyResponse__Output as _kiln_v1_ApplyResponse__Output } from './kiln/v1/ApplyResponse.js';
import type { Artifact as _kiln_v1_Artifact, Artifact__Output as _kiln_v1_Artifact__Output } from './kiln/v1/Artifact.js';
import type { CancelExecutionRequest as _kiln_v1_CancelExecutionRequest, CancelExecutionRequest__Output as _kiln_v1_CancelExecutionRequest__Output } from './kiln/v1/CancelExecutionRequest.js';
import type { Delegate as _kiln_v1_Delegate, Delegate__Output as _kiln_v1_Delegate__Output } from './kiln/v1/Delegate.js';
import type { Execution as _kiln_v1_Execution, Execution__Output as _kiln_v1_Execution__Output } from './kiln/v1/Execution.js';
import type { GetExecutionRequest as _kiln_v1_GetExecutionRequest, GetExecutionRequest__Output as _kiln_v1_GetExecutionRequest__Output } from './kiln/v1/GetExecutionRequest.js';
import type { ListDelegatesRequest as _kiln_v1_ListDelegatesRequest, ListDelegatesRequest__Output as _kiln_v1_ListDelegatesRequest__Output } from './kiln/v1/ListDelegatesRequest.js';
import type { ListDelegatesResponse as _kiln_v1_ListDelegatesResponse, ListDelegatesResponse__Output as _kiln_v1_ListDelegatesResponse__Output } from './kiln/v1/ListDelegatesResponse.js';
import type { ListExecutionsRequest as _kiln_v1_ListExecutionsRequest, ListExecutionsRequest__Output as _kiln_v1_ListExecutionsRequest__Output } from './kiln/v1/ListExecutionsRequest.js';
import type { ListExecutionsResponse as _kiln_v1_ListExecutionsResponse, ListExecutionsResponse__Output as _kiln_v1_ListExecutionsResponse__Output } from './kiln/v1/ListExecutionsResponse.js';
import type { ListPipelinesRequest as _kiln_v1_ListPipelinesRequest, ListPipelinesRequest__Output as _kiln_v1_ListPipelinesRequest__Output } from './kiln/v1/ListPipelinesRequest.js';
import type { ListPipelinesResponse as _kiln_v1_ListPipelinesResponse, ListPipelinesResponse__Output as _kiln_v1_ListPipelinesResponse__Output } from './kiln/v1/ListPipelinesResponse.js';
import type { LogLine as _kiln_v1_LogLine, LogLine__Output as _kiln_v1_LogLine__Output } from './kiln/v1/LogLine.js';
import type { ManagerServiceClient as _kiln_v1_ManagerServiceClient, ManagerServiceDefinition as _kiln_v1_ManagerServiceDefinition } from './kiln/v1/ManagerService.js';
import type { PipelineSummary as _kiln_v1_PipelineSummary, PipelineSummary__Output as _kiln_v1_PipelineSummary__Output } from './kiln/v1/PipelineSummary.js';
import type { Problem as _kiln_v1_Problem, Problem__Output as _kiln_v1_Problem__Output } from './kiln/v1/Problem.js';
import type { Stage as _kiln_v1_Stage, Stage__Output as _kiln_v1_Stage__Output } from './kiln/v1/Stage.js';
import type { StartExecutionRequest as _kiln_v1_StartExecutionRequest, StartExecutionRequest__Output as _kiln_v1_StartExecutionRequest__Output } from './kiln/v1/StartExecutionRequest.js';
import type { Step as _kiln_v1_Step, Step__Output as _kiln_v1_Step__Output } from './kiln/v1/Step.js';
import type { StreamLogsRequest as _kiln_v1_StreamLogsRequest, StreamLogsRequest__Output as _kiln_v1_StreamLogsRequest__Output } from './kiln/v1/StreamLogsRequest.js';

type SubtypeConstructor<Constructor extends new (...args: any) => any, Subtype> = {
  new(...args: ConstructorParameters<Constructor>): Subtype;
};

export interface ProtoGrpcType {
  kiln: {
    v1: {
      AppliedResource: MessageTypeDefinition<_kiln_v1_AppliedResource, _kiln_v1_AppliedResource__Output>
      ApplyRequest: MessageTypeDefinition<_kiln_v1_ApplyRequest, _kiln_v1_ApplyRequest__Output>
      ApplyResponse: MessageTypeDefinition<_kiln_v1_ApplyResponse, _kiln_v1_ApplyResponse__Output>
      Artifact: MessageTypeDefinition<_kiln_v1_Artifact, _kiln_v1_Artifact__Output>
      CancelExecutionRequest: MessageTypeDefinition<_kiln_v1_CancelExecutionRequest, _kiln_v1_CancelExecutionRequest__Output>
      Delegate: MessageTypeDefinition<_kiln_v1_Delegate, _kiln_v1_Delegate__Output>
      Execution: MessageTypeDefinition<_kiln_v1_Execution, _kiln_v1_Execution__Output>
      GetExecutionRequest: MessageTypeDefinition<_kiln_v1_GetExecutionRequest, _kiln_v1_GetExecutionRequest__Output>
      ListDelegatesRequest: MessageTypeDefinition<_kiln_v1_ListDelegatesRequest, _kiln_v1_ListDelegatesRequest__Output>
      ListDelegatesResponse: MessageTypeDefinition<_kiln_v1_ListDelegatesResponse, _kiln_v1_ListDelegatesResponse__Output>
      ListExecutionsRequest: MessageTypeDefinition<_kiln_v1_ListExecutionsRequest, _kiln_v1_ListExecutionsRequest__Output>
      ListExecutionsResponse: MessageTypeDefinition<_kiln_v1_ListExecutionsResponse, _kiln_v1_ListExecutionsResponse__Output>
      ListPipelinesRequest: MessageTypeDefinition<_kiln_v1_ListPipelinesRequest, _kiln_v1_ListPipelinesRequest__Output>
      ListPipelinesResponse: MessageTypeDefinition<_kiln_v1_ListPipelinesResponse, _kiln_v1_ListPipelinesResponse__Output>
      LogLine: MessageTypeDefinition<_kiln_v1_LogLine, _kiln_v1_LogLine__Output>
      ManagerService: SubtypeConstructor<typeof grpc.Client, _kiln_v1_ManagerServiceClient> & { service: _kiln_v1_ManagerServiceDefinition }
      PipelineSummary: MessageTypeDefinition<_kiln_v1_PipelineSummary, _kiln_v1_PipelineSummary__Output>
      Problem: MessageTypeDefinition<_kiln_v1_Problem, _kiln_v1_Problem__Output>
      Stage: MessageTypeDefinition<_kiln_v1_Stage, _kiln_v1_Stage__Output>
      StartExecutionRequest: MessageTypeDefinition<_kiln_v1_StartExecutionRequest, _kiln_v1_StartExecutionRequest__Output>
      Step: MessageTypeDefinition<_kiln_v1_Step, _kiln_v1_Step__Output>
      StreamLogsRequest: MessageTypeDefinition<_kiln_v1_StreamLogsRequest, _kiln_v1_StreamLogsRequest__Output>
    }
  }
}

