import type { Pipeline, Problem, Variable } from './model.js';
import { fullyQualifiedName } from './input-names.js';
import { listStages, mapPipelineStrings } from './model-walk.js';
import { ExpressionSyntaxError } from './expressions/ast.js';
import { isRuntimeInput, parseRuntimeInput, type RuntimeInput } from './expressions/runtime-input.js';

/** One `<+input>` site: its YAML path and the names a `--set NAME=VALUE` may use for it. */
interface InputSite {
  path: string;
  names: string[];
  input: RuntimeInput;
  label: string;
}

function variableSite(path: string, pipeline: Pipeline): { names: string[]; label: string } | undefined {
  const pipelineVariable = /^pipeline\.variables\[(\d+)\]\.value$/.exec(path);
  if (pipelineVariable !== null) {
    const name = pipeline.variables[Number(pipelineVariable[1])]?.name ?? '';
    return { names: [name, `pipeline.variables.${name}`], label: `pipeline variable "${name}"` };
  }
  for (const located of listStages(pipeline.stages)) {
    const match = new RegExp(`^${located.path.replace(/[[\].]/g, '\\$&')}\\.variables\\[(\\d+)\\]\\.value$`).exec(path);
    if (match === null) continue;
    const name = located.stage.variables[Number(match[1])]?.name ?? '';
    const stageId = located.stage.identifier;
    return { names: [`${stageId}.variables.${name}`, `pipeline.stages.${stageId}.variables.${name}`], label: `variable "${name}" of stage "${stageId}"` };
  }
  return undefined;
}

function findSites(pipeline: Pipeline): InputSite[] {
  const sites: InputSite[] = [];
  mapPipelineStrings(pipeline, (value, path) => {
    if (!isRuntimeInput(value) || path === 'pipeline.properties.ci.codebase.build') return undefined;
    let input: RuntimeInput;
    try {
      input = parseRuntimeInput(value);
    } catch (error) {
      if (error instanceof ExpressionSyntaxError) return undefined;
      throw error;
    }
    const variable = variableSite(path, pipeline);
    const shortPath = path.slice('pipeline.'.length);
    const qualified = fullyQualifiedName(path, pipeline);
    const qualifiedNames = qualified === undefined ? [] : [qualified, qualified.slice('pipeline.'.length), qualified.slice('pipeline.stages.'.length)];
    sites.push({
      path,
      input,
      names: [...new Set([...(variable?.names ?? []), ...qualifiedNames, path, shortPath])],
      label: variable?.label ?? `runtime input at ${qualified ?? path}`,
    });
    return undefined;
  });
  return sites;
}

function inputProblem(pipeline: Pipeline, code: 'MISSING_INPUT' | 'INVALID_VALUE', message: string, path: string): Problem {
  return { code, message, file: pipeline.identifier, line: 0, column: 0, path };
}

function checkValue(site: InputSite, value: string, variable: Variable | undefined): string | undefined {
  const allowed = site.input.allowedValues;
  if (allowed !== undefined && !allowed.includes(value)) {
    return `invalid value "${value}" for ${site.label}: allowed values are ${allowed.join(', ')}`;
  }
  if (site.input.regex !== undefined) {
    let pattern: RegExp;
    try {
      pattern = new RegExp(site.input.regex);
    } catch {
      return `invalid .regex(${site.input.regex}) for ${site.label}: it is not a valid regular expression`;
    }
    if (!pattern.test(value)) return `invalid value "${value}" for ${site.label}: it must match /${site.input.regex}/`;
  }
  if (variable?.type === 'Number' && (value.trim() === '' || !Number.isFinite(Number(value)))) {
    return `invalid value "${value}" for ${site.label}: it is a Number variable`;
  }
  return undefined;
}

function variableAt(pipeline: Pipeline, path: string): Variable | undefined {
  const match = /^pipeline\.variables\[(\d+)\]\.value$/.exec(path);
  return match === null ? undefined : pipeline.variables[Number(match[1])];
}

/**
 * Replaces every `<+input>` in a pipeline (except the codebase build) with the
 * value given by name in `inputs`, or its `.default()`. Returns the new
 * pipeline and one problem per missing, disallowed or unknown input.
 */
export function applyRuntimeInputs(pipeline: Pipeline, inputs: Record<string, string>): { pipeline: Pipeline; problems: Problem[] } {
  const sites = findSites(pipeline);
  const problems: Problem[] = [];
  const used = new Set<string>();
  const values = new Map<string, string>();
  for (const site of sites) {
    // Every name of the site counts as used, so that an input set and --set may name it differently; the first name given wins.
    const given = site.names.filter((candidate) => Object.hasOwn(inputs, candidate));
    const name = given[0];
    const value = name === undefined ? site.input.default : inputs[name];
    for (const candidate of given) used.add(candidate);
    if (value === undefined) {
      problems.push(inputProblem(pipeline, 'MISSING_INPUT', `missing ${site.label}: pass --set ${site.names[0]}=VALUE`, site.path));
      continue;
    }
    const error = checkValue(site, value, variableAt(pipeline, site.path));
    if (error !== undefined) problems.push(inputProblem(pipeline, 'INVALID_VALUE', error, site.path));
    else values.set(site.path, value);
  }
  for (const name of Object.keys(inputs)) {
    if (used.has(name)) continue;
    const known = sites.map((site) => site.names[0]);
    const list = known.length === 0 ? 'the pipeline has no runtime inputs' : `runtime inputs: ${known.join(', ')}`;
    problems.push(inputProblem(pipeline, 'INVALID_VALUE', `unknown input "${name}" in --set: ${list}`, ''));
  }
  const applied = mapPipelineStrings(pipeline, (_value, path) => values.get(path));
  return { pipeline: applied, problems };
}

/** A `<+input>` field of a pipeline, as a run form shows it. */
export interface RuntimeInputField {
  /** YAML path of the field, e.g. `pipeline.variables[0].value`. */
  path: string;
  /** Name to send as an input; the first of the names `--set` accepts. */
  name: string;
  /** What the field is, e.g. `pipeline variable "greeting"`. */
  label: string;
  default?: string;
  allowedValues?: string[];
  regex?: string;
}

/** Lists every `<+input>` of a pipeline except the codebase build, in YAML order. */
export function listRuntimeInputs(pipeline: Pipeline): RuntimeInputField[] {
  return findSites(pipeline).map((site) => ({
    path: site.path,
    name: site.names[0] ?? site.path,
    label: site.label,
    default: site.input.default,
    allowedValues: site.input.allowedValues,
    regex: site.input.regex,
  }));
}
