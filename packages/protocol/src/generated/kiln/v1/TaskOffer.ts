// Original file: ../../proto/kiln/v1/delegate.proto

import type { Long } from '@grpc/proto-loader';

export interface TaskOffer {
  'task_id'?: (string);
  'attempt'?: (number);
  'offer_id'?: (string);
  'ack_deadline_ms'?: (number | string | Long);
  'execution_id'?: (string);
  'stage_id'?: (string);
}

export interface TaskOffer__Output {
  'task_id': (string);
  'attempt': (number);
  'offer_id': (string);
  'ack_deadline_ms': (number);
  'execution_id': (string);
  'stage_id': (string);
}
