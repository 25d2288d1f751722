import type { Command } from 'commander';
import type { CommandContext } from '../context.js';
import { EXIT_INTERRUPTED } from '../error-report.js';
import { parseExecutionRef } from '../options.js';
import { printLogStream, resolveExecutionId } from './log-printing.js';

/** Registers `kiln logs EXECUTION`: prints the stored log and, with --follow, the rest as it arrives. */
export function registerLogsCommand(program: Command, context: CommandContext): void {
  program
    .command('logs')
    .description("print an execution's log, each line prefixed by its step id")
    .argument('<EXECUTION>', 'execution id or PIPELINE/SEQUENCE_ID, e.g. CI_Quickstart/2')
    .option('--follow', 'keep streaming until the execution ends and every step log is complete')
    .option('--stage <STAGE_ID>', 'only this stage')
    .option('--step <STEP_ID>', 'only this step')
    .action(async (ref: string, options: { follow?: boolean; stage?: string; step?: string }) => {
      const id = await resolveExecutionId(context, parseExecutionRef(ref));
      const request = { execution_id: id, follow: options.follow === true, stage_id: options.stage ?? '', step_id: options.step ?? '' };
      // A PIPELINE/SEQUENCE_ID reference was resolved by the manager, which proves the address is right.
      await printLogStream(context, request, id !== ref);
      if (context.signal.aborted) context.exitCode = EXIT_INTERRUPTED;
    });
}
