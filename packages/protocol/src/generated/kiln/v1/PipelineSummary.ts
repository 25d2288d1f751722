// Original file: ../../proto/kiln/v1/manager.proto

import type { Long } from '@grpc/proto-loader';

export interface PipelineSummary {
  'identifier'?: (string);
  'name'?: (string);
  'org'?: (string);
  'project'?: (string);
  'last_sequence_id'?: (number | string | Long);
  'updated_at_ms'?: (number | string | Long);
}

export interface PipelineSummary__Output {
  'identifier': (string);
  'name': (string);
  'org': (string);
  'project': (string);
  'last_sequence_id': (number);
  'updated_at_ms': (number);
}
