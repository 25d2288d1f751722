import type { Expr } from './ast.js';

/**
 * The side that resolves a reference: the manager when it prepares an
 * execution, the manager when it queues the stage (`stage-start`: outputs of
 * earlier stages), or the delegate that runs the stage.
 */
export type ReferenceSide = 'manager' | 'stage-start' | 'delegate';

/** One kind of reference: its dotted pattern (`*` matches one name) and where it resolves. */
export interface ReferenceSpec {
  pattern: readonly string[];
  side: ReferenceSide;
}

/** Every reference kiln resolves. `secrets.getValue("id")` is matched separately because it is a call. */
export const REFERENCES: readonly ReferenceSpec[] = [
  { pattern: ['pipeline', 'sequenceId'], side: 'manager' },
  { pattern: ['pipeline', 'executionId'], side: 'manager' },
  { pattern: ['pipeline', 'identifier'], side: 'manager' },
  { pattern: ['pipeline', 'name'], side: 'manager' },
  { pattern: ['pipeline', 'variables', '*'], side: 'manager' },
  { pattern: ['stage', 'identifier'], side: 'manager' },
  { pattern: ['stage', 'name'], side: 'manager' },
  { pattern: ['stage', 'variables', '*'], side: 'manager' },
  { pattern: ['codebase', 'branch'], side: 'manager' },
  { pattern: ['codebase', 'tag'], side: 'manager' },
  { pattern: ['codebase', 'repoName'], side: 'manager' },
  { pattern: ['codebase', 'prNumber'], side: 'manager' },
  { pattern: ['codebase', 'build', 'type'], side: 'manager' },
  { pattern: ['codebase', 'commitSha'], side: 'delegate' },
  { pattern: ['codebase', 'shortCommitSha'], side: 'delegate' },
  { pattern: ['steps', '*', 'output', 'outputVariables', '*'], side: 'delegate' },
  { pattern: ['steps', '*', 'steps', '*', 'output', 'outputVariables', '*'], side: 'delegate' },
  { pattern: ['pipeline', 'stages', '*', 'spec', 'execution', 'steps', '*', 'output', 'outputVariables', '*'], side: 'stage-start' },
  { pattern: ['pipeline', 'stages', '*', 'spec', 'execution', 'steps', '*', 'steps', '*', 'output', 'outputVariables', '*'], side: 'stage-start' },
];

/** The readable forms of REFERENCES, for messages. */
export const KNOWN_REFERENCE_NAMES: readonly string[] = [
  ...REFERENCES.map((spec) => spec.pattern.map((part) => (part === '*' ? 'X' : part)).join('.')),
  'secrets.getValue("id")',
];

/** One step of a postfix chain such as `codebase.branch.replace("/", "-")`. */
export type Link =
  | { kind: 'member'; name: string; node: Expr }
  | { kind: 'index'; index: Expr; node: Expr }
  | { kind: 'call'; method: string; methodStart: number; args: Expr[]; node: Expr };

/** A chain split into its innermost expression and the member, index and call steps applied to it. */
export interface Chain {
  base: Expr;
  links: Link[];
}

/** A reference found at the start of a chain. */
export interface MatchedReference {
  /** Undefined for `secrets.getValue(...)`. */
  spec?: ReferenceSpec;
  side: ReferenceSide;
  /** The names, wildcards filled in, e.g. `['pipeline', 'variables', 'tag']`. */
  path: string[];
  /** The argument of `secrets.getValue(...)`. */
  argument?: Expr;
  /** How many links of the chain the reference takes. */
  consumed: number;
}

export function flattenChain(expr: Expr): Chain {
  const links: Link[] = [];
  let current = expr;
  for (;;) {
    if (current.kind === 'member') links.unshift({ kind: 'member', name: current.property, node: current });
    else if (current.kind === 'index') links.unshift({ kind: 'index', index: current.index, node: current });
    else if (current.kind === 'call') links.unshift({ kind: 'call', method: current.method, methodStart: current.methodStart, args: current.args, node: current });
    else return { base: current, links };
    current = current.object;
  }
}

/** Returns the names at the start of a chain: the root and each `.name` or `["name"]` step. */
export function leadingNames(chain: Chain): string[] {
  if (chain.base.kind !== 'identifier') return [];
  const names = [chain.base.name];
  for (const link of chain.links) {
    if (link.kind === 'member') names.push(link.name);
    else if (link.kind === 'index' && link.index.kind === 'literal' && typeof link.index.value === 'string') names.push(link.index.value);
    else break;
  }
  return names;
}

function matches(pattern: readonly string[], names: string[]): boolean {
  return pattern.length <= names.length && pattern.every((part, index) => part === '*' || part === names[index]);
}

/** Matches the longest known reference at the start of a chain; undefined when none matches. */
export function matchReference(chain: Chain): MatchedReference | undefined {
  const names = leadingNames(chain);
  if (names.length === 0) return undefined;
  const first = chain.links[0];
  if (names[0] === 'secrets' && first?.kind === 'call' && first.method === 'getValue' && first.args.length === 1) {
    return { side: 'delegate', path: ['secrets', 'getValue'], argument: first.args[0], consumed: 1 };
  }
  let best: ReferenceSpec | undefined;
  for (const spec of REFERENCES) {
    if (matches(spec.pattern, names) && (best === undefined || spec.pattern.length > best.pattern.length)) best = spec;
  }
  if (best === undefined) return undefined;
  return { spec: best, side: best.side, path: names.slice(0, best.pattern.length), consumed: best.pattern.length - 1 };
}
