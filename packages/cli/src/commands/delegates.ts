import type { Command } from 'commander';
import type { CommandContext } from '../context.js';
import { formatDelegateTable } from '../format/delegates.js';

/** Registers `kiln delegates`: the registered delegates as a table. */
export function registerDelegatesCommand(program: Command, context: CommandContext): void {
  program
    .command('delegates')
    .description('list registered delegates with their tags, state, slots and last heartbeat')
    .action(async () => {
      const response = await context.manager().listDelegates();
      if (context.format === 'json') context.output.json(response);
      else for (const line of formatDelegateTable(response.delegates, context.now())) context.output.line(line);
    });
}
