// Original file: ../../proto/kiln/v1/manager.proto


export interface ListExecutionsRequest {
  'pipeline'?: (string);
  'status'?: (string);
  'limit'?: (number);
}

export interface ListExecutionsRequest__Output {
  'pipeline': (string);
  'status': (string);
  'limit': (number);
}
