// Original file: ../../proto/kiln/v1/delegate.proto

import type { Long } from '@grpc/proto-loader';

export interface RenewLeaseResponse {
  'expires_at_ms'?: (number | string | Long);
  'cancel_requested'?: (boolean);
  'cancel_reason'?: (string);
}

export interface RenewLeaseResponse__Output {
  'expires_at_ms': (number);
  'cancel_requested': (boolean);
  'cancel_reason': (string);
}
