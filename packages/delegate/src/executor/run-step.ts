import { mkdir, readFile, readdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { RunStepSpec } from '@kiln/pipeline';
import { KilnError } from '@kiln/protocol';
import type { StepLog } from '../nats/step-log.js';
import { runProcess } from './process-runner.js';
import { buildStepEnvironment } from './step-env.js';
import type { StepOutcome, StepRun, TaskContext } from './task-context.js';
import { fileSafe } from './workspace.js';

const SHELLS: Record<string, string> = { sh: 'sh', bash: 'bash' };
const VARIABLE_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

function shellOf(spec: RunStepSpec, stepId: string): string {
  const shell = SHELLS[(spec.shell ?? 'Sh').toLowerCase()];
  if (shell === undefined) {
    throw new KilnError('INVALID_ARGUMENT', `step ${stepId}: shell "${spec.shell}" is not supported by the local executor: use Sh or Bash`);
  }
  return shell;
}

function outputNames(spec: RunStepSpec, stepId: string): string[] {
  const names = (spec.outputVariables ?? []).map((variable) => variable.name);
  for (const name of names) {
    if (!VARIABLE_NAME.test(name)) {
      throw new KilnError('INVALID_ARGUMENT', `step ${stepId}: output variable "${name}" is not a shell variable name (letters, digits and _, not starting with a digit)`);
    }
  }
  return names;
}

/**
 * Writes the step's command to a script file. With output variables it also
 * writes a wrapper that sources the script and then stores each named
 * variable in its own file. The names are checked identifiers, so the wrapper
 * contains no user text beyond them.
 */
async function writeScripts(ctx: TaskContext, stepId: string, command: string, names: string[]): Promise<{ script: string; outputsDir?: string }> {
  const stepsDir = path.join(ctx.taskDir, 'steps');
  const script = path.join(stepsDir, `${fileSafe(stepId)}.sh`);
  await writeFile(script, command.endsWith('\n') ? command : `${command}\n`, { mode: 0o700 });
  if (names.length === 0) return { script };
  const outputsDir = path.join(stepsDir, `${fileSafe(stepId)}.outputs`);
  // A retried step writes its outputs into the directory of the earlier try; the wrapper rewrites every file.
  await mkdir(outputsDir, { recursive: true, mode: 0o700 });
  const captures = names.map((name) => `printf '%s' "\${${name}-}" > "$KILN_OUTPUTS_DIR/${name}"`);
  const wrapper = path.join(stepsDir, `${fileSafe(stepId)}.wrapper.sh`);
  await writeFile(wrapper, ['. "$KILN_STEP_SCRIPT"', ...captures, ''].join('\n'), { mode: 0o700 });
  return { script: wrapper, outputsDir };
}

async function readOutputs(outputsDir: string | undefined): Promise<Record<string, string> | undefined> {
  if (outputsDir === undefined) return undefined;
  const outputs: Record<string, string> = {};
  for (const name of await readdir(outputsDir)) outputs[name] = await readFile(path.join(outputsDir, name), 'utf8');
  return outputs;
}

/** Runs a Run step as `sh -e <scriptfile>` (or bash) in the workspace with the step environment. */
export async function runRunStep(ctx: TaskContext, run: StepRun, log: StepLog): Promise<StepOutcome> {
  const spec = ctx.expressions.deep(run.step.spec, `step ${run.stepId}`) as unknown as RunStepSpec;
  const shell = shellOf(spec, run.stepId);
  const names = outputNames(spec, run.stepId);
  if (spec.image !== undefined && spec.image !== '') {
    log.system(`image ${spec.image} is not used: the local executor runs the command on the delegate host`);
  }
  const { script, outputsDir } = await writeScripts(ctx, run.stepId, spec.command, names);
  const env = buildStepEnvironment(ctx, run.stepId, spec.envVariables ?? {});
  if (outputsDir !== undefined) Object.assign(env, { KILN_STEP_SCRIPT: path.join(ctx.taskDir, 'steps', `${fileSafe(run.stepId)}.sh`), KILN_OUTPUTS_DIR: outputsDir });
  // The step timeout is part of ctx.signal; the caller turns an abort by the timeout into Expired.
  const result = await runProcess({
    command: shell, args: ['-e', script], cwd: ctx.workspace, env,
    onLine: (stream, text) => log.write(stream, text), signal: ctx.signal, killGracePeriodMs: ctx.killGracePeriodMs,
  });
  if (result.aborted) return { status: 'Aborted', error: { code: 'ABORTED', message: `step ${run.stepId} was stopped` } };
  if (result.startError !== undefined) {
    return { status: 'Failed', error: { code: 'STEP_FAILED', message: `cannot start ${shell}: ${result.startError}`, failureType: 'Application' } };
  }
  const exitCode = result.exitCode ?? 128;
  if (exitCode !== 0) {
    const how = result.signal === undefined ? `exited with code ${exitCode}` : `was killed by ${result.signal}`;
    return { status: 'Failed', exitCode, error: { code: 'STEP_FAILED', message: `step ${run.stepId} ${how}`, failureType: 'Application' } };
  }
  const outputs = await readOutputs(outputsDir);
  return outputs === undefined ? { status: 'Succeeded', exitCode: 0 } : { status: 'Succeeded', exitCode: 0, outputs };
}
