// Original file: ../../proto/kiln/v1/delegate.proto


export interface RegisterRequest {
  'name'?: (string);
  'tags'?: (string)[];
  'version'?: (string);
  'executor'?: (string);
  'builder'?: (string);
  'builder_version'?: (string);
  'capacity'?: (number);
  'hostname'?: (string);
}

export interface RegisterRequest__Output {
  'name': (string);
  'tags': (string)[];
  'version': (string);
  'executor': (string);
  'builder': (string);
  'builder_version': (string);
  'capacity': (number);
  'hostname': (string);
}
