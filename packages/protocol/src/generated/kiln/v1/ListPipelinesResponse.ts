// Original file: ../../proto/kiln/v1/manager.proto

import type { PipelineSummary as _kiln_v1_PipelineSummary, PipelineSummary__Output as _kiln_v1_PipelineSummary__Output } from '../../kiln/v1/PipelineSummary.js';

export interface ListPipelinesResponse {
  'pipelines'?: (_kiln_v1_PipelineSummary)[];
}

export interface ListPipelinesResponse__Output {
  'pipelines': (_kiln_v1_PipelineSummary__Output)[];
}
