// Original file: ../../proto/kiln/v1/manager.proto


export interface Problem {
  'code'?: (string);
  'message'?: (string);
  'file'?: (string);
  'line'?: (number);
  'column'?: (number);
  'path'?: (string);
}

export interface Problem__Output {
  'code': (string);
  'message': (string);
  'file': (string);
  'line': (number);
  'column': (number);
  'path': (string);
}
