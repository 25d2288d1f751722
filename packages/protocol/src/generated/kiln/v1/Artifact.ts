// Original file: ../../proto/kiln/v1/manager.proto


export interface Artifact {
  'registry'?: (string);
  'repository'?: (string);
  'tag'?: (string);
  'digest'?: (string);
  'pushed'?: (boolean);
}

export interface Artifact__Output {
  'registry': (string);
  'repository': (string);
  'tag': (string);
  'digest': (string);
  'pushed': (boolean);
}
