import { isMap, isScalar, LineCounter, parseDocument, type Node, type Pair } from 'yaml';
import { isRuntimeInput } from './expressions/runtime-input.js';
import { InputSetReader, keyOf } from './input-set-reader.js';
import type { BuildType, Problem } from './model.js';
import { sortProblems } from './problems.js';
import { didYouMean } from './suggest.js';
import { checkYamlDocument, checkYamlSize, resolveYamlLimits, type YamlLimits } from './yaml-limits.js';

/** A Harness input set, flattened to the runtime inputs `prepareExecution` takes. */
export interface InputSet {
  identifier: string;
  name: string;
  orgIdentifier?: string;
  projectIdentifier?: string;
  /** `inputSet.pipeline.identifier`: the pipeline the input set is for. */
  pipelineIdentifier: string;
  /**
   * Values by fully qualified name: `pipeline.variables.X`,
   * `pipeline.stages.S.variables.X`, `pipeline.stages.S.spec.execution.steps.ID.spec.F`
   * (`...steps.GROUP.steps.ID...` inside a step group), `pipeline.timeout`, ...
   * Fields still set to `<+input>` are left out.
   */
  inputs: Record<string, string>;
  /** From `pipeline.properties.ci.codebase.build`. */
  build?: { type: BuildType; value: string };
}

const INPUT_SET_FIELDS = ['identifier', 'name', 'orgIdentifier', 'projectIdentifier', 'description', 'tags', 'pipeline'];
const BUILD_FIELDS: Record<BuildType, string> = { branch: 'branch', tag: 'tag', PR: 'number', commitSha: 'commitSha' };
/** Fields that name a node rather than hold an input. */
const NAMING_FIELDS = new Set(['identifier', 'name', 'type']);

function readCodebase(reader: InputSetReader, node: Node | null, name: string, path: string): void {
  for (const pair of reader.pairs(node, path)) {
    const field = keyOf(pair);
    const value = pair.value as Node | null;
    if (field !== 'build' || (value !== null && isScalar(value))) {
      reader.value(value, `${name}.${field}`, `${path}.${field}`);
      continue;
    }
    const pairs = reader.pairs(value, `${path}.build`);
    const type = reader.text(pairs, 'type', `${path}.build`, value, true);
    if (type === undefined) continue;
    const specField = BUILD_FIELDS[type as BuildType] as string | undefined;
    if (specField === undefined) {
      reader.report('INVALID_VALUE', `invalid build type "${type}": use one of ${Object.keys(BUILD_FIELDS).join(', ')}`, `${path}.build.type`, value);
      continue;
    }
    const spec = pairs.find((candidate) => keyOf(candidate) === 'spec')?.value as Node | null | undefined;
    const buildValue = reader.text(reader.pairs(spec ?? null, `${path}.build.spec`), specField, `${path}.build.spec`, spec ?? value, true);
    if (buildValue !== undefined && !isRuntimeInput(buildValue)) reader.build = { type: type as BuildType, value: buildValue };
  }
}

function readSteps(reader: InputSetReader, node: Node | null, prefix: string, path: string): void {
  reader.items(node, path).forEach((item, index) => {
    const at = `${path}[${index}]`;
    for (const pair of reader.pairs(item, at)) {
      const kind = keyOf(pair);
      const value = pair.value as Node | null;
      if (kind === 'parallel') {
        readSteps(reader, value, prefix, `${at}.parallel`);
      } else if (kind === 'step' || kind === 'stepGroup') {
        readNamedNode(reader, value, prefix, `${at}.${kind}`, kind === 'stepGroup');
      } else {
        reader.report('UNKNOWN_FIELD', `unknown step element "${kind}"${didYouMean(kind, ['step', 'parallel', 'stepGroup'])}; expected step, parallel or stepGroup`, `${at}.${kind}`, pair.key as Node);
      }
    }
  });
}

/** Reads a step or step group: its fields go under `<prefix>.<identifier>`, a group's steps under `<prefix>.<identifier>.steps`. */
function readNamedNode(reader: InputSetReader, node: Node | null, prefix: string, path: string, group: boolean): void {
  const pairs = reader.pairs(node, path);
  const identifier = reader.identifier(pairs, path, node);
  if (identifier === undefined) return;
  const name = `${prefix}.${identifier}`;
  for (const pair of pairs) {
    const field = keyOf(pair);
    if (NAMING_FIELDS.has(field)) continue;
    if (group && field === 'steps') readSteps(reader, pair.value as Node | null, `${name}.steps`, `${path}.steps`);
    else reader.value(pair.value as Node | null, `${name}.${field}`, `${path}.${field}`);
  }
}

function readStage(reader: InputSetReader, node: Node | null, path: string): void {
  const pairs = reader.pairs(node, path);
  const identifier = reader.identifier(pairs, path, node);
  if (identifier === undefined) return;
  const name = `pipeline.stages.${identifier}`;
  for (const pair of pairs) {
    const field = keyOf(pair);
    const value = pair.value as Node | null;
    if (NAMING_FIELDS.has(field)) continue;
    if (field === 'variables') {
      reader.variables(value, name, `${path}.variables`);
    } else if (field === 'spec') {
      readStageSpec(reader, value, `${name}.spec`, `${path}.spec`);
    } else {
      reader.value(value, `${name}.${field}`, `${path}.${field}`);
    }
  }
}

function readStageSpec(reader: InputSetReader, node: Node | null, name: string, path: string): void {
  for (const pair of reader.pairs(node, path)) {
    const field = keyOf(pair);
    const value = pair.value as Node | null;
    if (field !== 'execution') {
      reader.value(value, `${name}.${field}`, `${path}.${field}`);
      continue;
    }
    for (const inner of reader.pairs(value, `${path}.execution`)) {
      if (keyOf(inner) === 'steps') readSteps(reader, inner.value as Node | null, `${name}.execution.steps`, `${path}.execution.steps`);
      else reader.value(inner.value as Node | null, `${name}.execution.${keyOf(inner)}`, `${path}.execution.${keyOf(inner)}`);
    }
  }
}

function readStages(reader: InputSetReader, node: Node | null, path: string): void {
  reader.items(node, path).forEach((item, index) => {
    const at = `${path}[${index}]`;
    for (const pair of reader.pairs(item, at)) {
      const kind = keyOf(pair);
      if (kind === 'stage') {
        readStage(reader, pair.value as Node | null, `${at}.stage`);
      } else if (kind === 'parallel') {
        reader.items(pair.value as Node | null, `${at}.parallel`).forEach((inner, innerIndex) => {
          const innerPath = `${at}.parallel[${innerIndex}]`;
          const stage = reader.pairs(inner, innerPath).find((candidate) => keyOf(candidate) === 'stage');
          if (stage === undefined) reader.report('MISSING_FIELD', `missing field "stage" in ${innerPath}`, innerPath, inner);
          else readStage(reader, stage.value as Node | null, `${innerPath}.stage`);
        });
      } else {
        reader.report('UNKNOWN_FIELD', `unknown stage element "${kind}"${didYouMean(kind, ['stage', 'parallel'])}; expected stage or parallel`, `${at}.${kind}`, pair.key as Node);
      }
    }
  });
}

function readPipeline(reader: InputSetReader, node: Node | null): string | undefined {
  const pairs = reader.pairs(node, 'inputSet.pipeline');
  const identifier = reader.text(pairs, 'identifier', 'inputSet.pipeline', node, true);
  for (const pair of pairs) {
    const field = keyOf(pair);
    const value = pair.value as Node | null;
    const path = `inputSet.pipeline.${field}`;
    if (field === 'identifier') continue;
    if (field === 'variables') reader.variables(value, 'pipeline', path);
    else if (field === 'stages') readStages(reader, value, path);
    else if (field === 'properties') readProperties(reader, value, path);
    else reader.value(value, `pipeline.${field}`, path);
  }
  return identifier;
}

function readProperties(reader: InputSetReader, node: Node | null, path: string): void {
  for (const pair of reader.pairs(node, path)) {
    const ci = keyOf(pair) === 'ci' ? reader.pairs(pair.value as Node | null, `${path}.ci`) : [];
    if (keyOf(pair) !== 'ci') reader.value(pair.value as Node | null, `pipeline.properties.${keyOf(pair)}`, `${path}.${keyOf(pair)}`);
    for (const inner of ci) {
      if (keyOf(inner) === 'codebase') readCodebase(reader, inner.value as Node | null, 'pipeline.properties.ci.codebase', `${path}.ci.codebase`);
      else reader.value(inner.value as Node | null, `pipeline.properties.ci.${keyOf(inner)}`, `${path}.ci.${keyOf(inner)}`);
    }
  }
}

/**
 * Parses a Harness input set document (`inputSet: {identifier, name,
 * orgIdentifier, projectIdentifier, pipeline: {...}}`), whose `pipeline`
 * mirrors the pipeline with only runtime input fields, stages and steps found
 * by identifier. Returns the input set with its values flattened to fully
 * qualified names, or the problems with file, line and column. Never throws
 * for bad input. The size, nesting and alias limits are those of `parseDocuments`.
 */
export function parseInputSet(text: string, file: string, limits: Partial<YamlLimits> = {}): { inputSet?: InputSet; problems: Problem[] } {
  const bounds = resolveYamlLimits(limits);
  const tooLarge = checkYamlSize(text, file, bounds);
  if (tooLarge !== undefined) return { problems: [tooLarge] };

  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false });
  const reader = new InputSetReader(file, lines);

  for (const error of doc.errors) {
    const { line, col } = lines.linePos(error.pos[0]);
    reader.problems.push({ code: 'YAML_SYNTAX', message: `invalid YAML: ${error.message}`, file, line, column: col, path: '' });
  }
  if (doc.errors.length > 0) return { problems: reader.problems };
  const overLimit = checkYamlDocument(doc, file, lines, bounds);
  if (overLimit !== undefined) return { problems: [overLimit] };

  const root = doc.contents as Node | null;
  const top = root !== null && isMap(root) ? (root.items as Pair[]) : [];
  const inputSetPair = top.find((pair) => keyOf(pair) === 'inputSet');
  for (const pair of top) {
    if (pair !== inputSetPair) reader.report('UNKNOWN_DOCUMENT', `unknown document key "${keyOf(pair)}": an input set file holds one top-level "inputSet:"`, keyOf(pair), pair.key as Node);
  }
  if (inputSetPair === undefined) {
    reader.report('UNKNOWN_DOCUMENT', 'the file holds no "inputSet:" document', '', root);
    return { problems: sortProblems(reader.problems) };
  }

  const node = inputSetPair.value as Node | null;
  const pairs = reader.pairs(node, 'inputSet');
  for (const pair of pairs) {
    const field = keyOf(pair);
    if (!INPUT_SET_FIELDS.includes(field)) {
      reader.report('UNKNOWN_FIELD', `unknown field "${field}" in inputSet${didYouMean(field, INPUT_SET_FIELDS)}; known fields: ${INPUT_SET_FIELDS.join(', ')}`, `inputSet.${field}`, pair.key as Node);
    }
  }

  const identifier = reader.text(pairs, 'identifier', 'inputSet', node, true);
  const name = reader.text(pairs, 'name', 'inputSet', node, true);
  const pipelineNode = pairs.find((pair) => keyOf(pair) === 'pipeline');
  if (pipelineNode === undefined) reader.report('MISSING_FIELD', 'missing field "pipeline" in inputSet', 'inputSet.pipeline', node);
  const pipelineIdentifier = pipelineNode === undefined ? undefined : readPipeline(reader, pipelineNode.value as Node | null);
  const problems = sortProblems(reader.problems);
  if (problems.length > 0 || identifier === undefined || name === undefined || pipelineIdentifier === undefined) return { problems };

  const inputSet: InputSet = { identifier, name, pipelineIdentifier, inputs: reader.inputs };
  const org = reader.text(pairs, 'orgIdentifier', 'inputSet', node, false);
  const project = reader.text(pairs, 'projectIdentifier', 'inputSet', node, false);
  if (org !== undefined) inputSet.orgIdentifier = org;
  if (project !== undefined) inputSet.projectIdentifier = project;
  if (reader.build !== undefined) inputSet.build = reader.build;
  return { inputSet, problems };
}
