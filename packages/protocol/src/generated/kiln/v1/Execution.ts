// Original file: ../../proto/kiln/v1/manager.proto

import type { Stage as _kiln_v1_Stage, Stage__Output as _kiln_v1_Stage__Output } from '../../kiln/v1/Stage.js';
import type { Long } from '@grpc/proto-loader';

export interface Execution {
  'id'?: (string);
  'pipeline'?: (string);
  'org'?: (string);
  'project'?: (string);
  'sequence_id'?: (number | string | Long);
  'status'?: (string);
  'build_type'?: (string);
  'build_value'?: (string);
  'commit_sha'?: (string);
  'trigger'?: (string);
  'created_at_ms'?: (number | string | Long);
  'started_at_ms'?: (number | string | Long);
  'finished_at_ms'?: (number | string | Long);
  'error_message'?: (string);
  'stages'?: (_kiln_v1_Stage)[];
}

export interface Execution__Output {
  'id': (string);
  'pipeline': (string);
  'org': (string);
  'project': (string);
  'sequence_id': (number);
  'status': (string);
  'build_type': (string);
  'build_value': (string);
  'commit_sha': (string);
  'trigger': (string);
  'created_at_ms': (number);
  'started_at_ms': (number);
  'finished_at_ms': (number);
  'error_message': (string);
  'stages': (_kiln_v1_Stage__Output)[];
}
