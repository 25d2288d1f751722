import type { Command } from 'commander';
import type { wire } from '@kiln/protocol';
import type { CommandContext } from '../context.js';

/** Formats the resources `kiln apply` stored, one line each, then a summary. */
export function formatApplied(file: string, resources: readonly wire.AppliedResource__Output[]): string[] {
  const lines = resources.map((resource) => {
    const scope = resource.scope === '' ? '' : ` (scope ${resource.scope})`;
    return `${resource.kind} ${resource.identifier}${scope} ${resource.action}`;
  });
  const counts = ['created', 'updated', 'unchanged'].map(
    (action) => `${resources.filter((resource) => resource.action === action).length} ${action}`,
  );
  lines.push(`Applied ${resources.length} resource${resources.length === 1 ? '' : 's'} from ${file}: ${counts.join(', ')}.`);
  return lines;
}

/** Registers `kiln apply -f FILE`: sends the file to the manager, which validates and stores it. */
export function registerApplyCommand(program: Command, context: CommandContext): void {
  program
    .command('apply')
    .description('validate and store the pipelines and connectors in a YAML file on the manager')
    .requiredOption('-f, --file <FILE>', 'YAML file with pipeline: and connector: documents')
    .action(async (options: { file: string }) => {
      const content = await context.readInputFile(options.file);
      const response = await context.manager().apply({ source_name: options.file, content });
      if (context.format === 'json') {
        context.output.json(response);
        return;
      }
      for (const line of formatApplied(options.file, response.resources)) context.output.line(line);
    });
}
