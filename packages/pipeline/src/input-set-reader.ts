import { isMap, isScalar, isSeq, type LineCounter, type Node, type Pair } from 'yaml';
import { isRuntimeInput } from './expressions/runtime-input.js';
import { identifierError } from './identifiers.js';
import type { BuildType, Problem, ProblemCode } from './model.js';

/** Returns a mapping pair's key as text, or '' when the key is not a scalar. */
export function keyOf(pair: Pair): string {
  const key = pair.key as Node | null;
  return key !== null && isScalar(key) ? String(key.value) : '';
}

/** Walks an input set's YAML nodes, collecting inputs and problems. */
export class InputSetReader {
  readonly problems: Problem[] = [];
  readonly inputs: Record<string, string> = {};
  /** The codebase build from `properties.ci.codebase.build`, once read. */
  build: { type: BuildType; value: string } | undefined;

  constructor(
    private readonly file: string,
    private readonly lines: LineCounter,
  ) {}

  report(code: ProblemCode, message: string, path: string, node: Node | null | undefined): void {
    const { line, col } = this.lines.linePos(node?.range?.[0] ?? 0);
    this.problems.push({ code, message, file: this.file, line, column: col, path });
  }

  /** Returns the pairs of a mapping, or reports WRONG_TYPE. */
  pairs(node: Node | null, path: string): Pair[] {
    if (node !== null && isMap(node)) return node.items as Pair[];
    this.report('WRONG_TYPE', `${path} must be a mapping`, path, node);
    return [];
  }

  /** Returns the items of a sequence, or reports WRONG_TYPE. */
  items(node: Node | null, path: string): (Node | null)[] {
    if (node !== null && isSeq(node)) return node.items as (Node | null)[];
    this.report('WRONG_TYPE', `${path} must be a list`, path, node);
    return [];
  }

  /** Returns a field's scalar text; reports a missing or non-scalar required field. */
  text(pairs: Pair[], field: string, path: string, parent: Node | null, required: boolean): string | undefined {
    const pair = pairs.find((candidate) => keyOf(candidate) === field);
    const node = (pair?.value ?? null) as Node | null;
    if (pair === undefined || node === null) {
      if (required) this.report('MISSING_FIELD', `missing field "${field}" in ${path}`, `${path}.${field}`, parent);
      return undefined;
    }
    if (!isScalar(node)) {
      this.report('WRONG_TYPE', `${path}.${field} must be a string`, `${path}.${field}`, node);
      return undefined;
    }
    return String(node.value);
  }

  /** Reads an `identifier` that names a stage, step or step group in a fully qualified name. */
  identifier(pairs: Pair[], path: string, parent: Node | null): string | undefined {
    const identifier = this.text(pairs, 'identifier', path, parent, true);
    if (identifier === undefined) return undefined;
    const error = identifierError(identifier);
    if (error === undefined) return identifier;
    this.report('INVALID_IDENTIFIER', error, `${path}.identifier`, pairs.find((pair) => keyOf(pair) === 'identifier')?.value as Node);
    return undefined;
  }

  /** Records a scalar as the input `name`; mappings recurse, lists are rejected. */
  value(node: Node | null, name: string, path: string): void {
    if (node === null) return;
    if (isScalar(node)) {
      const value = node.value === null ? '' : String(node.value);
      if (!isRuntimeInput(value)) this.inputs[name] = value;
      return;
    }
    if (isMap(node)) {
      for (const pair of node.items as Pair[]) this.value(pair.value as Node | null, `${name}.${keyOf(pair)}`, `${path}.${keyOf(pair)}`);
      return;
    }
    this.report('WRONG_TYPE', `${path} is a list: kiln takes a runtime input as one string, so give the whole field as a string in the pipeline or leave it out of the input set`, path, node);
  }

  variables(node: Node | null, prefix: string, path: string): void {
    this.items(node, path).forEach((item, index) => {
      const at = `${path}[${index}]`;
      const pairs = this.pairs(item, at);
      const name = this.text(pairs, 'name', at, item, true);
      const value = pairs.find((pair) => keyOf(pair) === 'value');
      if (name === undefined) return;
      if (value === undefined) this.report('MISSING_FIELD', `missing field "value" in variable "${name}"`, `${at}.value`, item);
      else this.value(value.value as Node | null, `${prefix}.variables.${name}`, `${at}.value`);
    });
  }
}
