import { isMap, isScalar, LineCounter, parseAllDocuments, type Document as YamlDocument, type Node, type Pair } from 'yaml';
import { buildConnector, buildPipeline } from './build-model.js';
import type { Document, Problem } from './model.js';
import { sortProblems } from './problems.js';
import { connector as connectorSchema } from './schema/connector-schemas.js';
import { pipeline as pipelineSchema } from './schema/pipeline-schema.js';
import { didYouMean } from './suggest.js';
import { checkReferences } from './validation/check-references.js';
import { ValidationContext } from './validation/context.js';
import { validateNode } from './validation/validate-node.js';
import { checkYamlDocument, checkYamlSize, resolveYamlLimits, type YamlLimits } from './yaml-limits.js';

const DOCUMENT_KINDS = ['pipeline', 'connector'];

function keyOf(pair: Pair): string {
  const key = pair.key as Node | null;
  return key !== null && isScalar(key) ? String(key.value) : '';
}

function validateDocument(ctx: ValidationContext, doc: YamlDocument.Parsed, text: string): Document | undefined {
  const contents = doc.contents as Node | null;
  if (contents === null || !isMap(contents)) {
    ctx.report('UNKNOWN_DOCUMENT', 'unknown document: expected a mapping with a top-level "pipeline:" or "connector:" key', '', ctx.positionOf(contents));
    return undefined;
  }

  const kinds = contents.items.filter((pair) => DOCUMENT_KINDS.includes(keyOf(pair)));
  for (const pair of contents.items) {
    const key = keyOf(pair);
    if (DOCUMENT_KINDS.includes(key) && pair === kinds[0]) continue;
    const reason = DOCUMENT_KINDS.includes(key)
      ? `a document holds one "pipeline:" or "connector:"; start another document with "---"`
      : `expected a top-level "pipeline:" or "connector:" key, found "${key}"${didYouMean(key, DOCUMENT_KINDS)}`;
    ctx.report('UNKNOWN_DOCUMENT', `unknown document: ${reason}`, key, ctx.positionOf(pair.key as Node | null));
  }

  const pair = kinds[0];
  if (pair === undefined) return undefined;
  const kind = keyOf(pair);
  const node = pair.value as Node | null;
  const keyNode = pair.key as Node | null;
  const position = ctx.positionOf(keyNode);
  // The source starts at the document's content, after any `---` marker.
  const source = text.slice(contents.range?.[0] ?? doc.range[0], doc.range[2]);

  if (kind === 'pipeline') {
    const raw = validateNode(ctx, node, pipelineSchema, { path: 'pipeline', field: 'pipeline' }, keyNode);
    if (raw !== undefined) checkReferences(ctx, raw as Record<string, unknown>, ctx.expressionUses);
    if (ctx.problems.length > 0 || raw === undefined) return undefined;
    return { kind: 'pipeline', pipeline: buildPipeline(raw as Record<string, unknown>), position, source };
  }

  const raw = validateNode(ctx, node, connectorSchema, { path: 'connector', field: 'connector' }, keyNode);
  if (ctx.problems.length > 0 || raw === undefined) return undefined;
  return { kind: 'connector', connector: buildConnector(raw as Record<string, unknown>), position, source };
}

/**
 * Parses a YAML file of one or more documents, each a `pipeline:` or a
 * `connector:`, and validates every document against kiln's schema of Harness
 * CI v0 YAML. Returns the documents without problems and every problem found,
 * each with file, line, column and YAML path. Never throws for bad input.
 * A file over `limits.maxBytes` (default 1 MiB) is not parsed, and a document
 * nested deeper than `limits.maxDepth` (64) or whose aliases expand beyond
 * `limits.maxAliasCount` (100) is not validated: each is a LIMIT_EXCEEDED problem.
 */
export function parseDocuments(text: string, file: string, limits: Partial<YamlLimits> = {}): { documents: Document[]; problems: Problem[] } {
  const bounds = resolveYamlLimits(limits);
  const tooLarge = checkYamlSize(text, file, bounds);
  if (tooLarge !== undefined) return { documents: [], problems: [tooLarge] };

  const lineCounter = new LineCounter();
  const yamlDocuments = parseAllDocuments(text, { lineCounter, prettyErrors: false });
  const documents: Document[] = [];
  const problems: Problem[] = [];
  const list = Array.isArray(yamlDocuments) ? yamlDocuments : [];
  for (const doc of list) {
    const ctx = new ValidationContext(file, text, lineCounter, (alias) => (alias.resolve(doc as unknown as YamlDocument) as Node | undefined) ?? null);
    for (const error of doc.errors) {
      ctx.report('YAML_SYNTAX', `invalid YAML: ${error.message}`, '', ctx.positionAt(error.pos[0]));
    }
    const empty = doc.contents === null && doc.errors.length === 0;
    // Beyond a repeated key, a YAML error leaves a structure too unreliable to check against the schema.
    const malformed = doc.errors.some((error) => error.code !== 'DUPLICATE_KEY');
    const overLimit = empty || malformed ? undefined : checkYamlDocument(doc, file, lineCounter, bounds);
    if (overLimit !== undefined) ctx.problems.push(overLimit);
    if (!empty && !malformed && overLimit === undefined) {
      const document = validateDocument(ctx, doc, text);
      if (document !== undefined) documents.push(document);
    }
    problems.push(...ctx.problems);
  }
  if (list.length === 0 || (documents.length === 0 && problems.length === 0)) {
    problems.push({ code: 'UNKNOWN_DOCUMENT', message: 'the file holds no "pipeline:" or "connector:" document', file, line: 1, column: 1, path: '' });
  }
  return { documents, problems: sortProblems(problems) };
}
