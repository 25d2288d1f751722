import { parseInputSet, type InputSet } from '@kiln/pipeline';
import { KilnError, type wire } from '@kiln/protocol';
import { usageError } from './errors.js';
import { parseIntegerOption } from './options.js';

/** Options of `kiln run` as commander parsed them. */
export interface RawRunOptions {
  branch?: string;
  tag?: string;
  pr?: string;
  commit?: string;
  set?: string[];
  /** Path of a Harness input set file (`--inputs FILE`). */
  inputs?: string;
  follow?: boolean;
}

const BUILD_FLAGS: Record<NonNullable<InputSet['build']>['type'], 'branch' | 'tag' | 'pr' | 'commit'> = { branch: 'branch', tag: 'tag', PR: 'pr', commitSha: 'commit' };

/**
 * Parses the text of an `--inputs FILE` input set for pipeline `pipeline`.
 * @throws KilnError INVALID_ARGUMENT with `details.problems` (file:line:column)
 * when the file is not a valid input set, or when it is for another pipeline.
 */
export function parseInputSetFile(text: string, file: string, pipeline: string): InputSet {
  const { inputSet, problems } = parseInputSet(text, file);
  if (inputSet === undefined) {
    throw new KilnError('INVALID_ARGUMENT', `--inputs ${file} is not a valid input set`, {
      details: { problems, hint: 'Fix the problems listed above; the file holds one inputSet: document whose pipeline: mirrors the pipeline.' },
    });
  }
  const identifier = pipeline.split('/').pop() ?? pipeline;
  if (inputSet.pipelineIdentifier !== identifier) {
    throw usageError(
      `--inputs ${file}: input set ${inputSet.identifier} is for pipeline ${inputSet.pipelineIdentifier}, not ${identifier}`,
      `Run ${inputSet.pipelineIdentifier} with it, or give an input set whose pipeline.identifier is ${identifier}.`,
    );
  }
  return inputSet;
}

/**
 * Merges an input set into the `kiln run` options: --set values override the
 * input set's, and its codebase build applies when no --branch, --tag, --pr or
 * --commit is given.
 */
export function withInputSet(raw: RawRunOptions, inputSet: InputSet): { raw: RawRunOptions; inputs: Record<string, string> } {
  const merged: RawRunOptions = { ...raw };
  const build = inputSet.build;
  const buildGiven = raw.branch !== undefined || raw.tag !== undefined || raw.pr !== undefined || raw.commit !== undefined;
  if (build !== undefined && !buildGiven) merged[BUILD_FLAGS[build.type]] = build.value;
  return { raw: merged, inputs: { ...inputSet.inputs, ...parseInputs(raw.set ?? []) } };
}

/**
 * Builds the StartExecution request from `kiln run` options. Throws
 * INVALID_ARGUMENT when --branch and --tag are both given, when a value is
 * empty or malformed, or when --set repeats a name. `inputs` defaults to the
 * --set values; withInputSet merges an input set into them.
 */
export function buildStartRequest(pipeline: string, raw: RawRunOptions, inputs: Record<string, string> = parseInputs(raw.set ?? [])): wire.StartExecutionRequest {
  if (pipeline.trim() === '') {
    throw usageError('missing PIPELINE', 'Give the pipeline identifier, e.g. kiln run CI_Quickstart --branch main.');
  }
  if (raw.branch !== undefined && raw.tag !== undefined) {
    throw usageError(
      `--branch '${raw.branch}' and --tag '${raw.tag}' cannot be used together because an execution builds one ref`,
      'Pass only one of --branch or --tag.',
    );
  }
  const request: wire.StartExecutionRequest = { pipeline: pipeline.trim(), inputs };
  if (raw.branch !== undefined) request.branch = requireValue(raw.branch, '--branch');
  if (raw.tag !== undefined) request.tag = requireValue(raw.tag, '--tag');
  if (raw.pr !== undefined) request.pr_number = String(parseIntegerOption(raw.pr, '--pr', 1, 2 ** 31 - 1));
  if (raw.commit !== undefined) request.commit_sha = parseCommit(raw.commit);
  return request;
}

function requireValue(value: string, flag: string): string {
  if (value.trim() === '') {
    throw usageError(`empty ${flag}`, `Give a value, e.g. ${flag} main.`);
  }
  return value.trim();
}

function parseCommit(value: string): string {
  if (!/^[0-9a-fA-F]{7,64}$/.test(value)) {
    throw usageError(`invalid --commit '${value}'`, 'Give a commit SHA of 7 to 64 hexadecimal digits.');
  }
  return value.toLowerCase();
}

/** Parses repeated `--set NAME=VALUE` options; the value may contain `=` and may be empty. */
export function parseInputs(assignments: readonly string[]): Record<string, string> {
  const inputs: Record<string, string> = {};
  for (const assignment of assignments) {
    const separator = assignment.indexOf('=');
    const name = separator < 0 ? '' : assignment.slice(0, separator).trim();
    if (name === '') {
      throw usageError(
        `invalid --set '${assignment}'`,
        'Give NAME=VALUE, e.g. --set pipeline.variables.imageTag=v1 or --set imageTag=v1.',
      );
    }
    if (Object.hasOwn(inputs, name)) {
      throw usageError(`--set ${name} is given more than once`, `Pass --set ${name}=VALUE once.`);
    }
    inputs[name] = assignment.slice(separator + 1);
  }
  return inputs;
}
