// Original file: ../../proto/kiln/v1/delegate.proto


export interface AcceptTaskRequest {
  'task_id'?: (string);
  'attempt'?: (number);
  'offer_id'?: (string);
}

export interface AcceptTaskRequest__Output {
  'task_id': (string);
  'attempt': (number);
  'offer_id': (string);
}
