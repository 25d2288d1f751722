// Original file: ../../proto/kiln/v1/delegate.proto

import type { TaskRef as _kiln_v1_TaskRef, TaskRef__Output as _kiln_v1_TaskRef__Output } from '../../kiln/v1/TaskRef.js';

export interface RenewLeaseRequest {
  'task'?: (_kiln_v1_TaskRef | null);
}

export interface RenewLeaseRequest__Output {
  'task': (_kiln_v1_TaskRef__Output | null);
}
