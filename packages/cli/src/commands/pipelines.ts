import type { Command } from 'commander';
import type { wire } from '@kiln/protocol';
import type { CommandContext } from '../context.js';
import { renderTable } from '../format/table.js';
import { formatTimestamp } from '../format/time.js';

/** Formats `kiln pipelines` as a table sorted by org, project and identifier. */
export function formatPipelineTable(pipelines: readonly wire.PipelineSummary__Output[]): string[] {
  if (pipelines.length === 0) return ['No pipelines applied.'];
  const key = (pipeline: wire.PipelineSummary__Output): string => `${pipeline.org}/${pipeline.project}/${pipeline.identifier}`;
  const sorted = [...pipelines].sort((a, b) => key(a).localeCompare(key(b)));
  const rows = sorted.map((pipeline) => [
    pipeline.identifier,
    pipeline.name,
    [pipeline.org, pipeline.project].filter((part) => part !== '').join('/') || '-',
    pipeline.last_sequence_id === 0 ? '-' : String(pipeline.last_sequence_id),
    formatTimestamp(pipeline.updated_at_ms),
  ]);
  return renderTable(['PIPELINE', 'NAME', 'ORG/PROJECT', 'LAST BUILD ID', 'UPDATED'], rows);
}

/** Registers `kiln pipelines`: the applied pipelines as a table. */
export function registerPipelinesCommand(program: Command, context: CommandContext): void {
  program
    .command('pipelines')
    .description('list the pipelines applied to the manager')
    .action(async () => {
      const response = await context.manager().listPipelines();
      if (context.format === 'json') context.output.json(response);
      else for (const line of formatPipelineTable(response.pipelines)) context.output.line(line);
    });
}
