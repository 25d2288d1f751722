import { KilnError } from '@kiln/protocol';
import { runProcess, type ProcessResult } from '../executor/process-runner.js';
import { formatCommandLine } from './buildah-argv.js';
import { OutputTail } from './build-failure.js';
import type { BuildIo } from './image-builder.js';

/** Environment variables a builder process inherits from the delegate; everything else is set explicitly. */
const INHERITED = ['PATH', 'HOME', 'TMPDIR', 'LANG'];

/** Returns the delegate's PATH, HOME, TMPDIR and LANG plus `extra`. */
export function builderEnvironment(extra: Record<string, string>): Record<string, string> {
  const env: Record<string, string> = {};
  for (const name of INHERITED) {
    const value = process.env[name];
    if (value !== undefined) env[name] = value;
  }
  return { ...env, ...extra };
}

export interface BuilderRun {
  result: ProcessResult;
  tail: OutputTail;
}

/**
 * Runs one builder command with an argument array, logging the masked
 * command line as `+ ...` first and every output line to the step log.
 * @throws KilnError ABORTED when the step was stopped, BUILDER_INFRASTRUCTURE when the binary cannot start.
 */
export async function runBuilderCommand(command: string, args: string[], options: { cwd: string; env: Record<string, string>; io: BuildIo }): Promise<BuilderRun> {
  const { io } = options;
  io.log.system(io.mask(formatCommandLine(command, args)));
  const tail = new OutputTail();
  const result = await runProcess({
    command, args, cwd: options.cwd, env: options.env, signal: io.signal, killGracePeriodMs: io.killGracePeriodMs,
    onLine: (stream, text) => {
      tail.push(text);
      io.log.write(stream, text);
    },
  });
  if (result.aborted) throw new KilnError('ABORTED', `${command} was stopped`);
  if (result.startError !== undefined) {
    throw new KilnError('BUILDER_INFRASTRUCTURE', `cannot start the builder ${command}: ${result.startError}; install it or set builder.path / builder.kanikoPath in the delegate config`, {
      details: { failureType: 'InfrastructureFailure' },
    });
  }
  return { result, tail };
}
