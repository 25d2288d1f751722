// Original file: ../../proto/kiln/v1/delegate.proto


export interface TaskRef {
  'task_id'?: (string);
  'attempt'?: (number);
  'lease_id'?: (string);
}

export interface TaskRef__Output {
  'task_id': (string);
  'attempt': (number);
  'lease_id': (string);
}
