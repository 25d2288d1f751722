import { isMap, isScalar, isSeq, type Alias, type LineCounter, type Node } from 'yaml';
import type { Problem, ProblemCode, SourcePosition } from '../model.js';
import type { Expr, TemplateSegment } from '../expressions/ast.js';

/** A string value that holds expressions, kept for the reference check after the schema pass. */
export interface ExpressionUse {
  path: string;
  node: Node;
  value: string;
  /** The parsed expressions: template segments, or the one condition expression. */
  expressions: Expr[];
  segments?: TemplateSegment[];
}

interface ScopeEntry {
  position: SourcePosition;
}

/** State of one document's validation: where problems go and which identifiers each scope holds. */
export class ValidationContext {
  readonly problems: Problem[] = [];
  readonly expressionUses: ExpressionUse[] = [];
  private readonly scopes = new Map<string, Map<string, ScopeEntry>>();

  constructor(
    readonly file: string,
    readonly text: string,
    private readonly lineCounter: LineCounter,
    /** Resolves an alias (`*name`) to the node its anchor marks. */
    readonly resolveAlias: (alias: Alias) => Node | null = () => null,
  ) {}

  positionAt(offset: number): SourcePosition {
    const { line, col } = this.lineCounter.linePos(offset);
    return { file: this.file, line, column: col };
  }

  positionOf(node: Node | null | undefined, fallback?: Node | null): SourcePosition {
    const range = node?.range ?? fallback?.range;
    return this.positionAt(range?.[0] ?? 0);
  }

  report(code: ProblemCode, message: string, path: string, position: SourcePosition): void {
    this.problems.push({ code, message, file: position.file, line: position.line, column: position.column, path });
  }

  /**
   * Maps an offset inside a scalar's value to a file position. Exact for plain
   * and simply quoted scalars; for block or escaped scalars it finds the text
   * near the offset in the source and falls back to the scalar's start.
   */
  positionInScalar(node: Node, valueOffset: number): SourcePosition {
    const range = node.range;
    if (!isScalar(node) || range === undefined || range === null) return this.positionOf(node);
    const source = this.text.slice(range[0], range[1]);
    const value = String(node.value);
    if (node.type === 'PLAIN' && source === value) return this.positionAt(range[0] + valueOffset);
    if ((node.type === 'QUOTE_DOUBLE' || node.type === 'QUOTE_SINGLE') && source.slice(1, -1) === value) {
      return this.positionAt(range[0] + 1 + valueOffset);
    }
    const snippet = value.slice(valueOffset).split('\n')[0]?.slice(0, 16) ?? '';
    const found = snippet === '' ? -1 : source.indexOf(snippet);
    return this.positionAt(range[0] + (found < 0 ? 0 : found));
  }

  /** Runs `body` with fresh identifier scopes, restoring the outer ones afterwards. */
  withScopes<T>(names: readonly string[] | undefined, body: () => T): T {
    if (names === undefined || names.length === 0) return body();
    const saved = names.map((name) => [name, this.scopes.get(name)] as const);
    for (const name of names) this.scopes.set(name, new Map());
    try {
      return body();
    } finally {
      for (const [name, scope] of saved) {
        if (scope === undefined) this.scopes.delete(name);
        else this.scopes.set(name, scope);
      }
    }
  }

  /** Records an identifier in a scope; returns where it was first declared when it repeats. */
  declare(scopeName: string, identifier: string, position: SourcePosition): SourcePosition | undefined {
    let scope = this.scopes.get(scopeName);
    if (scope === undefined) {
      scope = new Map();
      this.scopes.set(scopeName, scope);
    }
    const existing = scope.get(identifier);
    if (existing !== undefined) return existing.position;
    scope.set(identifier, { position });
    return undefined;
  }
}

/** Describes a YAML value for a WRONG_TYPE message, e.g. `a list` or `the string "yes"`. */
export function describeNode(node: unknown): string {
  if (node === null || node === undefined) return 'empty';
  const candidate = node as Node;
  if (isScalar(candidate)) {
    const value = candidate.value;
    if (value === null) return 'empty';
    if (typeof value === 'string') return `the string ${JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}...` : value)}`;
    if (typeof value === 'number') return `the number ${value}`;
    if (typeof value === 'boolean') return `the boolean ${value}`;
    return 'a scalar';
  }
  if (isSeq(candidate)) return 'a list';
  if (isMap(candidate)) return 'a mapping';
  return 'an alias or unknown node';
}
