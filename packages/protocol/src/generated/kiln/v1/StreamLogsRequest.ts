// Original file: ../../proto/kiln/v1/manager.proto


export interface StreamLogsRequest {
  'execution_id'?: (string);
  'follow'?: (boolean);
  'stage_id'?: (string);
  'step_id'?: (string);
}

export interface StreamLogsRequest__Output {
  'execution_id': (string);
  'follow': (boolean);
  'stage_id': (string);
  'step_id': (string);
}
