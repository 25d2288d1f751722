// Original file: ../../proto/kiln/v1/delegate.proto

import type { Long } from '@grpc/proto-loader';

export interface Lease {
  'task_id'?: (string);
  'attempt'?: (number);
  'lease_id'?: (string);
  'expires_at_ms'?: (number | string | Long);
  'ttl_ms'?: (number | string | Long);
}

export interface Lease__Output {
  'task_id': (string);
  'attempt': (number);
  'lease_id': (string);
  'expires_at_ms': (number);
  'ttl_ms': (number);
}
