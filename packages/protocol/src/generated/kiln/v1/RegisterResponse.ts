// Original file: ../../proto/kiln/v1/delegate.proto

import type { NatsSettings as _kiln_v1_NatsSettings, NatsSettings__Output as _kiln_v1_NatsSettings__Output } from '../../kiln/v1/NatsSettings.js';
import type { Long } from '@grpc/proto-loader';

export interface RegisterResponse {
  'delegate_id'?: (string);
  'session_token'?: (string);
  'nats'?: (_kiln_v1_NatsSettings | null);
  'heartbeat_interval_ms'?: (number | string | Long);
  'poll_timeout_ms'?: (number | string | Long);
  'lease_ttl_ms'?: (number | string | Long);
  'renew_interval_ms'?: (number | string | Long);
  'log_flush_interval_ms'?: (number | string | Long);
  'log_flush_bytes'?: (number | string | Long);
}

export interface RegisterResponse__Output {
  'delegate_id': (string);
  'session_token': (string);
  'nats': (_kiln_v1_NatsSettings__Output | null);
  'heartbeat_interval_ms': (number);
  'poll_timeout_ms': (number);
  'lease_ttl_ms': (number);
  'renew_interval_ms': (number);
  'log_flush_interval_ms': (number);
  'log_flush_bytes': (number);
}
