import { isTerminal, type wire } from '@kiln/protocol';
import type { Command } from 'commander';
import type { CommandContext } from '../context.js';
import { EXIT_FAILURE, EXIT_INTERRUPTED } from '../error-report.js';
import { waitForTerminal } from '../execution-waiter.js';
import { pipelinePath } from '../format/execution.js';
import { parseDurationOption, parseExecutionRef } from '../options.js';
import { reconnectOptions } from './log-printing.js';

/** Default bound of `kiln cancel --wait`: 60 s. */
const DEFAULT_WAIT_TIMEOUT = '60s';

/**
 * Registers `kiln cancel EXECUTION`: requests the manager to abort a queued
 * or running execution and, with --wait, waits until it is terminal.
 */
export function registerCancelCommand(program: Command, context: CommandContext): void {
  program
    .command('cancel')
    .description('abort a queued or running execution')
    .argument('<EXECUTION>', 'execution id or PIPELINE/SEQUENCE_ID, e.g. CI_Quickstart/2')
    .option('--wait', 'wait until the execution has stopped and print its final status; exit 1 on timeout')
    .option('--timeout <DURATION>', `longest wait of --wait, e.g. 30s or 2m (default ${DEFAULT_WAIT_TIMEOUT})`)
    .action(async (ref: string, options: { wait?: boolean; timeout?: string }) => {
      const timeoutMs = parseDurationOption(options.timeout ?? DEFAULT_WAIT_TIMEOUT, '--timeout');
      const execution = await context.manager().cancelExecution(parseExecutionRef(ref));
      if (options.wait !== true || isTerminal(execution.status)) {
        printCancelled(context, execution);
        return;
      }
      if (context.format === 'text') context.output.line(`Cancel requested for execution ${execution.id} (${describe(execution)}); waiting for it to stop`);
      const final = await waitForTerminal(context.manager(), execution.id, {
        ...reconnectOptions(context),
        timeoutMs,
        context: `${Math.round(timeoutMs / 1000)}s after the cancel request`,
        timeoutHint: `Its stage may still be stopping; check it with \`kiln get execution ${execution.id}\`.`,
      });
      if (context.format === 'json') context.output.json(final);
      else context.output.line(`Execution ${final.id} (${describe(final)}) finished: ${final.status}`);
      if (!isTerminal(final.status)) context.exitCode = context.signal.aborted ? EXIT_INTERRUPTED : EXIT_FAILURE;
    });
}

function describe(execution: wire.Execution__Output): string {
  return `${pipelinePath(execution)}, Build ID ${execution.sequence_id}`;
}

/** Prints the answer to the cancel request: a terminal status as is, otherwise that the stop is on its way. */
function printCancelled(context: CommandContext, execution: wire.Execution__Output): void {
  if (context.format === 'json') {
    context.output.json(execution);
  } else if (isTerminal(execution.status)) {
    context.output.line(`Execution ${execution.id} (${describe(execution)}) is ${execution.status}`);
  } else {
    context.output.line(`Cancel requested for execution ${execution.id} (${describe(execution)}); the running stage stops within a few seconds`);
  }
}
