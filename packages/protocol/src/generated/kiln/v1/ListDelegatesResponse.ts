// Original file: ../../proto/kiln/v1/manager.proto

import type { Delegate as _kiln_v1_Delegate, Delegate__Output as _kiln_v1_Delegate__Output } from '../../kiln/v1/Delegate.js';

export interface ListDelegatesResponse {
  'delegates'?: (_kiln_v1_Delegate)[];
}

export interface ListDelegatesResponse__Output {
  'delegates': (_kiln_v1_Delegate__Output)[];
}
