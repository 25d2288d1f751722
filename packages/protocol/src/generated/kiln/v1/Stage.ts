// Original file: ../../proto/kiln/v1/manager.proto

import type { Step as _kiln_v1_Step, Step__Output as _kiln_v1_Step__Output } from '../../kiln/v1/Step.js';
import type { Long } from '@grpc/proto-loader';

export interface Stage {
  'id'?: (string);
  'name'?: (string);
  'status'?: (string);
  'attempt'?: (number);
  'task_id'?: (string);
  'delegate_id'?: (string);
  'delegate_name'?: (string);
  'reason'?: (string);
  'error_message'?: (string);
  'started_at_ms'?: (number | string | Long);
  'finished_at_ms'?: (number | string | Long);
  'steps'?: (_kiln_v1_Step)[];
}

export interface Stage__Output {
  'id': (string);
  'name': (string);
  'status': (string);
  'attempt': (number);
  'task_id': (string);
  'delegate_id': (string);
  'delegate_name': (string);
  'reason': (string);
  'error_message': (string);
  'started_at_ms': (number);
  'finished_at_ms': (number);
  'steps': (_kiln_v1_Step__Output)[];
}
