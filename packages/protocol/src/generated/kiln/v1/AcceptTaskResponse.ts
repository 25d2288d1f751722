// Original file: ../../proto/kiln/v1/delegate.proto

import type { Lease as _kiln_v1_Lease, Lease__Output as _kiln_v1_Lease__Output } from '../../kiln/v1/Lease.js';

export interface AcceptTaskResponse {
  'lease'?: (_kiln_v1_Lease | null);
  'payload_json'?: (string);
}

export interface AcceptTaskResponse__Output {
  'lease': (_kiln_v1_Lease__Output | null);
  'payload_json': (string);
}
