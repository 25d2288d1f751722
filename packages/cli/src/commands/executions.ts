import type { Command } from 'commander';
import { TERMINAL_STATUSES, type Status } from '@kiln/protocol';
import type { CommandContext } from '../context.js';
import { usageError } from '../errors.js';
import { formatExecutionTable } from '../format/execution.js';
import { parseIntegerOption } from '../options.js';

const STATUSES: readonly Status[] = ['Queued', 'Running', ...TERMINAL_STATUSES];

/** Returns the status name with kiln's spelling (`failed` -> `Failed`); throws INVALID_ARGUMENT for unknown names. */
export function parseStatusOption(value: string): Status {
  const status = STATUSES.find((name) => name.toLowerCase() === value.toLowerCase());
  if (status === undefined) {
    throw usageError(`invalid --status '${value}'`, `Use one of: ${STATUSES.join(', ')}.`);
  }
  return status;
}

/** Registers `kiln executions`: recent executions as a table, newest first. */
export function registerExecutionsCommand(program: Command, context: CommandContext): void {
  program
    .command('executions')
    .description('list recent executions, newest first')
    .option('--pipeline <PIPELINE>', 'only executions of this pipeline')
    .option('--status <STATUS>', `only executions with this status (${STATUSES.join(', ')})`)
    .option('--limit <N>', 'show at most N executions (1 to 1000)', '20')
    .action(async (options: { pipeline?: string; status?: string; limit: string }) => {
      const request = {
        pipeline: options.pipeline ?? '',
        status: options.status === undefined ? '' : parseStatusOption(options.status),
        limit: parseIntegerOption(options.limit, '--limit', 1, 1000),
      };
      const response = await context.manager().listExecutions(request);
      if (context.format === 'json') context.output.json(response);
      else for (const line of formatExecutionTable(response.executions, context.now())) context.output.line(line);
    });
}
