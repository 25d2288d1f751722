// Original file: ../../proto/kiln/v1/manager.proto


export interface GetExecutionRequest {
  'id'?: (string);
}

export interface GetExecutionRequest__Output {
  'id': (string);
}
