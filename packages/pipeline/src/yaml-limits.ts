import { isAlias, isCollection, isPair, type Document, type LineCounter, type Node } from 'yaml';
import type { Problem } from './model.js';

/** Bounds on one YAML file, checked before validation so hostile input stays cheap to reject. */
export interface YamlLimits {
  /** Maximum size of the file in UTF-8 bytes. Default 1 MiB. */
  maxBytes: number;
  /** Maximum nesting of mappings and sequences, the top-level mapping being depth 1. Default 64. */
  maxDepth: number;
  /**
   * Maximum alias expansion, passed to the `yaml` library's `toJS({ maxAliasCount })`: an alias is
   * rejected when its uses times the aliases inside its anchored node exceed it. Default 100,
   * the library's own default.
   */
  maxAliasCount: number;
}

export const DEFAULT_YAML_LIMITS: YamlLimits = { maxBytes: 1024 * 1024, maxDepth: 64, maxAliasCount: 100 };

/** Returns the default limits with any given ones in their place. */
export function resolveYamlLimits(limits: Partial<YamlLimits> = {}): YamlLimits {
  return { ...DEFAULT_YAML_LIMITS, ...limits };
}

function limitProblem(file: string, message: string, line = 1, column = 1): Problem {
  return { code: 'LIMIT_EXCEEDED', message, file, line, column, path: '' };
}

/** Returns a LIMIT_EXCEEDED problem when `text` is larger than `limits.maxBytes`. */
export function checkYamlSize(text: string, file: string, limits: YamlLimits): Problem | undefined {
  // A UTF-8 encoding is never shorter than the UTF-16 length, so a long string is rejected without encoding it.
  const bytes = text.length > limits.maxBytes ? text.length : Buffer.byteLength(text, 'utf8');
  if (bytes <= limits.maxBytes) return undefined;
  return limitProblem(
    file,
    `${file} is ${text.length > limits.maxBytes ? 'at least ' : ''}${bytes} bytes, over the limit of ${limits.maxBytes} bytes per YAML file; split it into smaller files or remove unused content`,
  );
}

/** Returns the first collection nested deeper than `maxDepth`, without following aliases. */
function findTooDeep(root: Node | null, maxDepth: number): Node | undefined {
  // An explicit stack, because a recursive walk could overflow on the nesting it is meant to reject.
  const stack: { node: unknown; depth: number }[] = [{ node: root, depth: 0 }];
  while (stack.length > 0) {
    const { node, depth } = stack.pop() as { node: unknown; depth: number };
    if (isPair(node)) {
      stack.push({ node: node.key, depth }, { node: node.value, depth });
      continue;
    }
    if (!isCollection(node)) continue;
    if (depth + 1 > maxDepth) return node;
    for (const item of node.items) stack.push({ node: item, depth: depth + 1 });
  }
  return undefined;
}

/**
 * Checks one parsed YAML document against the nesting and alias limits.
 * Returns a LIMIT_EXCEEDED problem with the position of the offending node, or undefined.
 */
export function checkYamlDocument(doc: Document.Parsed, file: string, lines: LineCounter, limits: YamlLimits): Problem | undefined {
  const tooDeep = findTooDeep(doc.contents as Node | null, limits.maxDepth);
  if (tooDeep !== undefined) {
    const { line, col } = lines.linePos(tooDeep.range?.[0] ?? 0);
    return limitProblem(file, `YAML nesting is deeper than the limit of ${limits.maxDepth} levels; flatten the structure`, line, col);
  }

  if (!hasAlias(doc.contents as Node | null)) return undefined;
  try {
    doc.toJS({ maxAliasCount: limits.maxAliasCount });
  } catch (error) {
    // The library throws a ReferenceError for an unresolved alias too; validation reports that one.
    if (!(error instanceof ReferenceError) || !error.message.startsWith('Excessive alias count')) return undefined;
    return limitProblem(
      file,
      `YAML aliases expand beyond the limit of ${limits.maxAliasCount} (maxAliasCount), as in an alias bomb; write the repeated values out or use fewer nested aliases`,
    );
  }
  return undefined;
}

function hasAlias(root: Node | null): boolean {
  const stack: unknown[] = [root];
  while (stack.length > 0) {
    const node = stack.pop();
    if (isAlias(node)) return true;
    if (isPair(node)) stack.push(node.key, node.value);
    else if (isCollection(node)) for (const item of node.items) stack.push(item);
  }
  return false;
}
