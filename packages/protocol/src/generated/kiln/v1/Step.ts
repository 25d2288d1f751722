// Original file: ../../proto/kiln/v1/manager.proto

import type { Artifact as _kiln_v1_Artifact, Artifact__Output as _kiln_v1_Artifact__Output } from '../../kiln/v1/Artifact.js';
import type { Long } from '@grpc/proto-loader';

export interface Step {
  'id'?: (string);
  'name'?: (string);
  'type'?: (string);
  'status'?: (string);
  'attempt'?: (number);
  'exit_code'?: (number);
  'has_exit_code'?: (boolean);
  'error_code'?: (string);
  'error_message'?: (string);
  'started_at_ms'?: (number | string | Long);
  'finished_at_ms'?: (number | string | Long);
  'outputs'?: ({[key: string]: string});
  'artifacts'?: (_kiln_v1_Artifact)[];
}

export interface Step__Output {
  'id': (string);
  'name': (string);
  'type': (string);
  'status': (string);
  'attempt': (number);
  'exit_code': (number);
  'has_exit_code': (boolean);
  'error_code': (string);
  'error_message': (string);
  'started_at_ms': (number);
  'finished_at_ms': (number);
  'outputs': ({[key: string]: string});
  'artifacts': (_kiln_v1_Artifact__Output)[];
}
