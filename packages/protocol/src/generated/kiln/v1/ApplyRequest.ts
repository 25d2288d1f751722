// Original file: ../../proto/kiln/v1/manager.proto


export interface ApplyRequest {
  'source_name'?: (string);
  'content'?: (string);
}

export interface ApplyRequest__Output {
  'source_name': (string);
  'content': (string);
}
