import type { Command } from 'commander';
import type { CommandContext } from '../context.js';
import { formatAuditTable } from '../format/tokens.js';
import { parseIntegerOption } from '../options.js';

/** Registers `kiln audit`: who applied, ran, cancelled and changed tokens, newest first (admin role). */
export function registerAuditCommand(program: Command, context: CommandContext): void {
  program
    .command('audit')
    .description('list audit records of apply, run, cancel and token changes, newest first (admin role)')
    .option('--limit <N>', 'show at most N records (1 to 1000)', '50')
    .action(async (options: { limit: string }) => {
      const response = await context.manager().listAudit(parseIntegerOption(options.limit, '--limit', 1, 1000));
      if (context.format === 'json') context.output.json(response);
      else for (const line of formatAuditTable(response.records)) context.output.line(line);
    });
}
