// Original file: ../../proto/kiln/v1/manager.proto

import type { AppliedResource as _kiln_v1_AppliedResource, AppliedResource__Output as _kiln_v1_AppliedResource__Output } from '../../kiln/v1/AppliedResource.js';

export interface ApplyResponse {
  'resources'?: (_kiln_v1_AppliedResource)[];
}

export interface ApplyResponse__Output {
  'resources': (_kiln_v1_AppliedResource__Output)[];
}
