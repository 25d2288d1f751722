// Original file: ../../proto/kiln/v1/manager.proto

import type { Execution as _kiln_v1_Execution, Execution__Output as _kiln_v1_Execution__Output } from '../../kiln/v1/Execution.js';

export interface ListExecutionsResponse {
  'executions'?: (_kiln_v1_Execution)[];
}

export interface ListExecutionsResponse__Output {
  'executions': (_kiln_v1_Execution__Output)[];
}
