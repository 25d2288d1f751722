// Original file: ../../proto/kiln/v1/delegate.proto

import type { TaskRef as _kiln_v1_TaskRef, TaskRef__Output as _kiln_v1_TaskRef__Output } from '../../kiln/v1/TaskRef.js';

export interface HeartbeatResponse {
  'lost'?: (_kiln_v1_TaskRef)[];
  'cancel'?: (_kiln_v1_TaskRef)[];
}

export interface HeartbeatResponse__Output {
  'lost': (_kiln_v1_TaskRef__Output)[];
  'cancel': (_kiln_v1_TaskRef__Output)[];
}
