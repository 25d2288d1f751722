import { readFile } from 'node:fs/promises';
import { Command } from 'commander';
import type { wire } from '@kiln/protocol';
import type { CommandContext } from '../context.js';
import { EXIT_FAILURE, EXIT_INTERRUPTED } from '../error-report.js';
import { usageError } from '../errors.js';
import { waitForTerminal } from '../execution-waiter.js';
import { pipelinePath } from '../format/execution.js';
import { buildStartRequest, parseInputSetFile, withInputSet, type RawRunOptions } from '../run-options.js';
import { printLogStream, reconnectOptions } from './log-printing.js';

function collect(value: string, previous: string[] | undefined): string[] {
  return [...(previous ?? []), value];
}

/** Registers `kiln run PIPELINE`: starts an execution and, with --follow, streams its log to the end. */
export function registerRunCommand(program: Command, context: CommandContext): void {
  program
    .command('run')
    .description('start an execution of a pipeline and print its execution id and Build ID')
    .argument('<PIPELINE>', 'pipeline identifier, or org/project/identifier when it is ambiguous')
    .option('--branch <BRANCH>', 'build this branch of the codebase (not with --tag)')
    .option('--tag <TAG>', 'build this tag of the codebase (not with --branch)')
    .option('--pr <NUMBER>', 'build this pull request number')
    .option('--commit <SHA>', 'build this commit')
    .option('--set <NAME=VALUE>', 'set a runtime input (pipeline variable name or YAML path); repeat for more', collect)
    .option('--inputs <FILE>', 'read runtime inputs from a Harness input set file (inputSet: ...); --set overrides its values')
    .option('--follow', 'stream the log until the execution ends; exit 1 unless it Succeeded')
    .action(async (pipeline: string, raw: RawRunOptions) => {
      const request = await startRequest(context, pipeline, raw);
      const started = await context.manager().startExecution(request);
      printStarted(context, started, raw.follow === true);
      if (raw.follow === true) await followExecution(context, started);
    });
}

async function startRequest(context: CommandContext, pipeline: string, raw: RawRunOptions): Promise<wire.StartExecutionRequest> {
  if (raw.inputs === undefined) return buildStartRequest(pipeline, raw);
  let text: string;
  try {
    text = await readFile(raw.inputs, 'utf8');
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code ?? (error as Error).message;
    throw usageError(`cannot read the input set file '${raw.inputs}' (${reason})`, 'Check the path given to --inputs.');
  }
  const inputSet = parseInputSetFile(text, raw.inputs, pipeline.trim());
  const merged = withInputSet(raw, inputSet);
  return buildStartRequest(pipeline, merged.raw, merged.inputs);
}

function printStarted(context: CommandContext, execution: wire.Execution__Output, follow: boolean): void {
  if (context.format === 'json') {
    if (follow) context.output.jsonLine(execution);
    else context.output.json(execution);
    return;
  }
  // An execution waits as Queued until a delegate accepts its first stage.
  const state = execution.status === 'Queued' ? 'queued' : 'started';
  context.output.line(`Execution ${execution.id} ${state}: ${pipelinePath(execution)}, Build ID ${execution.sequence_id}`);
}

async function followExecution(context: CommandContext, started: wire.Execution__Output): Promise<void> {
  await printLogStream(context, { execution_id: started.id, follow: true }, true);
  if (context.signal.aborted) {
    context.output.error(`interrupted: execution ${started.id} keeps running; stop it with \`kiln cancel ${started.id}\``);
    context.exitCode = EXIT_INTERRUPTED;
    return;
  }

  const final = await waitForTerminal(context.manager(), started.id, reconnectOptions(context));
  if (context.format === 'json') {
    context.output.jsonLine(final);
  } else {
    context.output.line(`Execution ${final.id} (${pipelinePath(final)}, Build ID ${final.sequence_id}) finished: ${final.status}`);
    if (final.error_message !== '') context.output.line(`Error: ${final.error_message}`);
  }
  if (final.status !== 'Succeeded') context.exitCode = EXIT_FAILURE;
}
