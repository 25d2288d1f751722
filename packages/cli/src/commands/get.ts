import type { Command } from 'commander';
import type { CommandContext } from '../context.js';
import { formatExecution } from '../format/execution.js';
import { parseExecutionRef } from '../options.js';

/** Registers `kiln get execution ID`: one execution with its stages, steps and artifacts. */
export function registerGetCommand(program: Command, context: CommandContext): void {
  const get = program.command('get').description('show one resource in detail');
  get
    .command('execution')
    .description('show an execution: status, ref, times, stages, steps, exit codes and artifacts')
    .argument('<ID>', 'execution id or PIPELINE/SEQUENCE_ID, e.g. CI_Quickstart/2')
    .action(async (ref: string) => {
      const execution = await context.manager().getExecution(parseExecutionRef(ref));
      if (context.format === 'json') context.output.json(execution);
      else for (const line of formatExecution(execution, context.now())) context.output.line(line);
    });
}
