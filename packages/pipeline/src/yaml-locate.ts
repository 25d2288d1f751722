import { isMap, isScalar, isSeq, LineCounter, parseDocument, type Node } from 'yaml';

/** A node of a YAML text: its path in kiln's notation (`pipeline.stages[0].stage`) and 1-based position. */
export interface YamlLocation {
  path: string;
  line: number;
  column: number;
}

interface ParsedText {
  root: Node | null;
  lineCounter: LineCounter;
}

function parse(text: string): ParsedText {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false });
  return { root: doc.contents as Node | null, lineCounter };
}

function locationOf(node: Node, path: string, lineCounter: LineCounter): YamlLocation {
  const { line, col } = lineCounter.linePos(node.range?.[0] ?? 0);
  return { path, line, column: col };
}

/** Splits `a.b[2].c` into the keys and indexes `['a', 'b', 2, 'c']`. */
function pathSegments(path: string): (string | number)[] {
  const segments: (string | number)[] = [];
  for (const part of path.split('.')) {
    const match = /^([^[\]]*)((?:\[\d+\])*)$/.exec(part);
    if (match === null) return [];
    if (match[1] !== '') segments.push(match[1] as string);
    for (const index of (match[2] ?? '').matchAll(/\[(\d+)\]/g)) segments.push(Number(index[1]));
  }
  return segments;
}

function child(node: Node | null, segment: string | number): Node | null {
  if (typeof segment === 'number') return isSeq(node) ? ((node.items[segment] as Node | undefined) ?? null) : null;
  if (!isMap(node)) return null;
  const pair = node.items.find((item) => isScalar(item.key) && String(item.key.value) === segment);
  return (pair?.value as Node | null | undefined) ?? null;
}

function nodeAt(root: Node | null, path: string): Node | null {
  if (path === '') return root;
  const segments = pathSegments(path);
  if (segments.length === 0) return null;
  return segments.reduce<Node | null>((node, segment) => child(node, segment), root);
}

/**
 * Returns the position of the node at `path` in the first document of a YAML
 * text, e.g. `pipeline.stages[0].stage.spec` (keys joined by dots, list
 * indexes in brackets), or undefined when the text has no such node. Never throws for bad YAML.
 */
export function locateYamlPath(text: string, path: string): YamlLocation | undefined {
  const { root, lineCounter } = parse(text);
  const node = nodeAt(root, path);
  return node === null ? undefined : locationOf(node, path, lineCounter);
}

/**
 * Finds the first scalar `value` of a `key` at or below `under` (default the
 * whole document), depth first in document order, e.g. the `connectorRef:
 * account.docker` of a stage. Returns its path and position, or undefined.
 */
export function findYamlValue(text: string, search: { key: string; value: string; under?: string }): YamlLocation | undefined {
  const { root, lineCounter } = parse(text);
  const start = search.under ?? '';
  const visit = (node: Node | null, path: string): YamlLocation | undefined => {
    if (isMap(node)) {
      for (const pair of node.items) {
        if (!isScalar(pair.key)) continue;
        const key = String(pair.key.value);
        const value = pair.value as Node | null;
        const at = path === '' ? key : `${path}.${key}`;
        if (key === search.key && isScalar(value) && String(value.value) === search.value) return locationOf(value, at, lineCounter);
        const found = visit(value, at);
        if (found !== undefined) return found;
      }
    } else if (isSeq(node)) {
      for (const [index, item] of node.items.entries()) {
        const found = visit(item as Node | null, `${path}[${index}]`);
        if (found !== undefined) return found;
      }
    }
    return undefined;
  };
  return visit(nodeAt(root, start), start);
}
