// Original file: ../../proto/kiln/v1/delegate.proto


export interface DeregisterRequest {
  'reason'?: (string);
}

export interface DeregisterRequest__Output {
  'reason': (string);
}
