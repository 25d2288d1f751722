// Original file: ../../proto/kiln/v1/manager.proto


export interface AppliedResource {
  'kind'?: (string);
  'identifier'?: (string);
  'scope'?: (string);
  'action'?: (string);
}

export interface AppliedResource__Output {
  'kind': (string);
  'identifier': (string);
  'scope': (string);
  'action': (string);
}
