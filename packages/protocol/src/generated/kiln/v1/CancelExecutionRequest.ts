// Original file: ../../proto/kiln/v1/manager.proto


export interface CancelExecutionRequest {
  'id'?: (string);
}

export interface CancelExecutionRequest__Output {
  'id': (string);
}
