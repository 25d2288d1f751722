// Original file: ../../proto/kiln/v1/manager.proto

import type { Long } from '@grpc/proto-loader';

export interface LogLine {
  'stage_id'?: (string);
  'step_id'?: (string);
  'attempt'?: (number);
  'seq'?: (number | string | Long);
  'ts_ms'?: (number | string | Long);
  'stream'?: (string);
  'text'?: (string);
  'incomplete'?: (boolean);
}

export interface LogLine__Output {
  'stage_id': (string);
  'step_id': (string);
  'attempt': (number);
  'seq': (number);
  'ts_ms': (number);
  'stream': (string);
  'text': (string);
  'incomplete': (boolean);
}
