// Original file: ../../proto/kiln/v1/delegate.proto


export interface AcquireTaskRequest {
  'free_slots'?: (number);
}

export interface AcquireTaskRequest__Output {
  'free_slots': (number);
}
