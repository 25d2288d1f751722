// Original file: ../../proto/kiln/v1/delegate.proto

import type { TaskRef as _kiln_v1_TaskRef, TaskRef__Output as _kiln_v1_TaskRef__Output } from '../../kiln/v1/TaskRef.js';

export interface HeartbeatRequest {
  'slots_used'?: (number);
  'slots_free'?: (number);
  'tasks'?: (_kiln_v1_TaskRef)[];
  'draining'?: (boolean);
}

export interface HeartbeatRequest__Output {
  'slots_used': (number);
  'slots_free': (number);
  'tasks': (_kiln_v1_TaskRef__Output)[];
  'draining': (boolean);
}
