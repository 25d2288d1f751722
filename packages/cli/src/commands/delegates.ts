import type { Command } from 'commander';
import type { CommandContext } from '../context.js';
import { formatDelegateTable, isGone } from '../format/delegates.js';

/** Registers `kiln delegates`: the delegates as a table, without lost and deregistered ones unless --all. */
export function registerDelegatesCommand(program: Command, context: CommandContext): void {
  program
    .command('delegates')
    .description('list delegates with their id, tags, state, slots and last heartbeat')
    .option('--all', 'also list lost and deregistered delegates, e.g. the earlier registration of a restarted delegate')
    .action(async (options: { all?: boolean }) => {
      const all = options.all === true;
      const response = await context.manager().listDelegates({ all });
      // Older managers ignore `all` and send lost delegates, so the CLI filters too.
      const delegates = all ? response.delegates : response.delegates.filter((delegate) => !isGone(delegate));
      if (context.format === 'json') context.output.json({ ...response, delegates });
      else for (const line of formatDelegateTable(delegates, context.now(), all)) context.output.line(line);
    });
}
