// Original file: ../../proto/kiln/v1/delegate.proto

import type { TaskOffer as _kiln_v1_TaskOffer, TaskOffer__Output as _kiln_v1_TaskOffer__Output } from '../../kiln/v1/TaskOffer.js';

export interface AcquireTaskResponse {
  'offer'?: (_kiln_v1_TaskOffer | null);
}

export interface AcquireTaskResponse__Output {
  'offer': (_kiln_v1_TaskOffer__Output | null);
}
