// Original file: ../../proto/kiln/v1/manager.proto

import type { Long } from '@grpc/proto-loader';

export interface Delegate {
  'id'?: (string);
  'name'?: (string);
  'tags'?: (string)[];
  'version'?: (string);
  'executor'?: (string);
  'builder'?: (string);
  'builder_version'?: (string);
  'capacity'?: (number);
  'slots_used'?: (number);
  'state'?: (string);
  'registered_at_ms'?: (number | string | Long);
  'last_heartbeat_ms'?: (number | string | Long);
}

export interface Delegate__Output {
  'id': (string);
  'name': (string);
  'tags': (string)[];
  'version': (string);
  'executor': (string);
  'builder': (string);
  'builder_version': (string);
  'capacity': (number);
  'slots_used': (number);
  'state': (string);
  'registered_at_ms': (number);
  'last_heartbeat_ms': (number);
}
