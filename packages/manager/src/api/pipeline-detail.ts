import { listRuntimeInputs, type Pipeline, type RuntimeInputField } from '@kiln/pipeline';
import type { PipelineRecord } from '../store/store.js';

/**
 * How a run of the pipeline gets its codebase build: `input` when the run
 * must give a branch, tag, PR or commit, `fixed` when the YAML sets it, and
 * `none` without a codebase.
 */
export type CodebaseBuildMode = 'input' | 'fixed' | 'none';

/** A stored pipeline with what a run form needs. */
export interface PipelineDetail {
  identifier: string;
  name: string;
  org: string;
  project: string;
  last_sequence_id: number;
  updated_at_ms: number;
  /** YAML text of the `pipeline:` document as applied. */
  yaml: string;
  source_file: string;
  codebase_build: CodebaseBuildMode;
  /** Every `<+input>` except the codebase build, in YAML order. */
  inputs: RuntimeInputField[];
}

function buildMode(pipeline: Pipeline): CodebaseBuildMode {
  const build = pipeline.codebase?.build;
  if (build === undefined) return 'none';
  return typeof build === 'string' ? 'input' : 'fixed';
}

/** Builds the detail of a stored pipeline from its record and parsed model. */
export function pipelineDetail(record: PipelineRecord): PipelineDetail {
  const pipeline = JSON.parse(record.modelJson) as Pipeline;
  return {
    identifier: record.identifier,
    name: record.name,
    org: record.org,
    project: record.project,
    last_sequence_id: record.nextSequenceId - 1,
    updated_at_ms: record.updatedAt,
    yaml: record.source,
    source_file: record.sourceFile,
    codebase_build: buildMode(pipeline),
    inputs: listRuntimeInputs(pipeline),
  };
}
