import type { Expr } from './expressions/ast.js';
import { DEFERRED, type ReferenceResolver, type Resolution } from './expressions/evaluate.js';
import { EvaluationError, type Value } from './expressions/methods.js';
import { parseTemplate } from './expressions/parser.js';
import type { MatchedReference } from './expressions/references.js';
import { templateToExpression } from './expressions/resolve-text.js';
import type { BuildType, Pipeline, Stage, Variable } from './model.js';

/** The values the manager has when it prepares an execution. */
export interface ManagerContext {
  pipeline: Pipeline;
  executionId: string;
  sequenceId: number;
  build?: { type: BuildType; value: string };
  /** Undefined when resolving outside any stage (pipeline variables, codebase). */
  stage?: Stage;
}

function literal(value: string): Expr {
  return { kind: 'literal', value, start: 0, end: 0 };
}

/**
 * Returns the expression that reads a Secret variable: its value when that is
 * already `<+secrets.getValue(...)>`, else `secrets.getValue("<value>")`,
 * because the value of a Harness Secret variable is a secret identifier.
 */
export function secretExpression(value: string): Expr {
  const trimmed = value.trim();
  if (trimmed.startsWith('<+')) return templateToExpression(parseTemplate(trimmed));
  const secrets: Expr = { kind: 'identifier', name: 'secrets', start: 0, end: 0 };
  return { kind: 'call', object: secrets, method: 'getValue', methodStart: 0, args: [literal(trimmed)], start: 0, end: 0 };
}

const VARIABLE_REFERENCE = /\b(pipeline|stage)\.variables\.([A-Za-z_$][\w$]*)/g;

/** Finds the variables whose values refer back to themselves, directly or through other variables. */
function findCyclicVariables(context: ManagerContext): Set<string> {
  const edges = new Map<string, string[]>();
  const add = (scope: string, variables: Variable[]): void => {
    for (const variable of variables) {
      const targets = [...variable.value.matchAll(VARIABLE_REFERENCE)].map((match) => `${match[1]}.variables.${match[2]}`);
      edges.set(`${scope}.variables.${variable.name}`, targets);
    }
  };
  add('pipeline', context.pipeline.variables);
  if (context.stage !== undefined) add('stage', context.stage.variables);
  const cyclic = new Set<string>();
  const reaches = (from: string, target: string, seen: Set<string>): boolean =>
    (edges.get(from) ?? []).some((next) => next === target || (!seen.has(next) && (seen.add(next), reaches(next, target, seen))));
  for (const label of edges.keys()) if (reaches(label, label, new Set())) cyclic.add(label);
  return cyclic;
}

/**
 * Resolves manager-side references; defers the others: outputs of earlier
 * stages (resolved when the stage is queued) and delegate-side ones (secrets,
 * commit SHA, step outputs).
 */
export class ManagerResolver implements ReferenceResolver {
  private readonly cyclic: ReadonlySet<string>;

  constructor(private readonly context: ManagerContext) {
    this.cyclic = findCyclicVariables(context);
  }

  resolve(reference: MatchedReference, _argument: Value | undefined, node: Expr): Resolution {
    if (reference.side !== 'manager') return DEFERRED;
    const [root, second, third] = reference.path;
    if (root === 'pipeline') return this.pipelineValue(second ?? '', third, node);
    if (root === 'stage') return this.stageValue(second ?? '', third, node);
    return this.codebaseValue(reference.path.slice(1).join('.'));
  }

  private pipelineValue(field: string, name: string | undefined, node: Expr): Resolution {
    const { pipeline } = this.context;
    if (field === 'sequenceId') return this.context.sequenceId;
    if (field === 'executionId') return this.context.executionId;
    if (field === 'identifier') return pipeline.identifier;
    if (field === 'name') return pipeline.name;
    return this.variableValue(pipeline.variables, `pipeline.variables.${name ?? ''}`, name, node);
  }

  private stageValue(field: string, name: string | undefined, node: Expr): Resolution {
    const stage = this.context.stage;
    if (stage === undefined) throw new EvaluationError(`"stage.${field}" can be used only inside a stage`, node.start, node.end);
    if (field === 'identifier') return stage.identifier;
    if (field === 'name') return stage.name;
    return this.variableValue(stage.variables, `stage.variables.${name ?? ''}`, name, node);
  }

  private variableValue(variables: Variable[], label: string, name: string | undefined, node: Expr): Resolution {
    const variable = variables.find((candidate) => candidate.name === name);
    if (variable === undefined) throw new EvaluationError(`unknown reference "${label}": no such variable is declared`, node.start, node.end);
    if (variable.type === 'Secret') return { expression: secretExpression(variable.value) };
    if (!variable.value.includes('<+')) return variable.value;
    if (this.cyclic.has(label)) throw new EvaluationError(`variable "${label}" refers to itself through other variables`, node.start, node.end);
    return { expression: templateToExpression(parseTemplate(variable.value)) };
  }

  private codebaseValue(field: string): Resolution {
    const build = this.context.build;
    switch (field) {
      case 'branch':
        return build?.type === 'branch' ? build.value : null;
      case 'tag':
        return build?.type === 'tag' ? build.value : null;
      case 'prNumber':
        return build?.type === 'PR' ? build.value : null;
      case 'build.type':
        return build?.type ?? null;
      case 'repoName':
        return this.context.pipeline.codebase?.repoName ?? null;
      default:
        return DEFERRED;
    }
  }
}
