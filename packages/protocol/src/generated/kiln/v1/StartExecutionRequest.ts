// Original file: ../../proto/kiln/v1/manager.proto


export interface StartExecutionRequest {
  'pipeline'?: (string);
  'branch'?: (string);
  'tag'?: (string);
  'commit_sha'?: (string);
  'pr_number'?: (string);
  'inputs'?: ({[key: string]: string});
}

export interface StartExecutionRequest__Output {
  'pipeline': (string);
  'branch': (string);
  'tag': (string);
  'commit_sha': (string);
  'pr_number': (string);
  'inputs': ({[key: string]: string});
}
