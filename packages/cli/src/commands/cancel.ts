import type { Command } from 'commander';
import type { CommandContext } from '../context.js';
import { pipelinePath } from '../format/execution.js';
import { parseExecutionRef } from '../options.js';

/** Registers `kiln cancel EXECUTION`: requests the manager to abort a queued or running execution. */
export function registerCancelCommand(program: Command, context: CommandContext): void {
  program
    .command('cancel')
    .description('abort a queued or running execution')
    .argument('<EXECUTION>', 'execution id or PIPELINE/SEQUENCE_ID, e.g. CI_Quickstart/2')
    .action(async (ref: string) => {
      const execution = await context.manager().cancelExecution(parseExecutionRef(ref));
      if (context.format === 'json') context.output.json(execution);
      else context.output.line(`Execution ${execution.id} (${pipelinePath(execution)}, Build ID ${execution.sequence_id}): ${execution.status}`);
    });
}
