import { randomUUID } from 'node:crypto';
import { KilnError } from '@kiln/protocol';
import { connectorKeyOf, formatProblem, parseDocuments, type Connector, type Document, type Pipeline, type SourcePosition } from '@kiln/pipeline';
import type { EpochMs, StoreOperations } from '../store/store.js';

export type ApplyAction = 'created' | 'updated' | 'unchanged';

/** One stored document and what applying it did. */
export interface AppliedResource {
  kind: 'pipeline' | 'connector';
  identifier: string;
  /** `account`, `org/O` or `project/O/P`. */
  scope: string;
  action: ApplyAction;
}

/**
 * Parses and validates every document of a file.
 * @throws KilnError INVALID_ARGUMENT with `details.problems` listing every problem, each with file:line:column.
 */
export function parseForApply(content: string, sourceName: string): Document[] {
  const file = sourceName || 'input';
  const { documents, problems } = parseDocuments(content, file);
  if (problems.length > 0) {
    const lines = problems.map(formatProblem).join('\n');
    throw new KilnError('INVALID_ARGUMENT', `${file} has ${problems.length} problem${problems.length === 1 ? '' : 's'}:\n${lines}`, { details: { problems } });
  }
  if (documents.length === 0) {
    throw new KilnError('INVALID_ARGUMENT', `${file} contains no pipeline: or connector: document`, {
      details: { problems: [{ code: 'MISSING_FIELD', message: 'expected a pipeline: or connector: document', file, line: 1, column: 1, path: '' }] },
    });
  }
  return documents;
}

async function applyPipeline(tx: StoreOperations, pipeline: Pipeline, position: SourcePosition, source: string, now: EpochMs): Promise<AppliedResource> {
  const existing = await tx.getPipeline(pipeline.orgIdentifier, pipeline.projectIdentifier, pipeline.identifier);
  const modelJson = JSON.stringify(pipeline);
  const resource = { kind: 'pipeline' as const, identifier: pipeline.identifier, scope: `project/${pipeline.orgIdentifier}/${pipeline.projectIdentifier}` };
  if (existing !== undefined && existing.modelJson === modelJson && existing.source === source) return { ...resource, action: 'unchanged' };
  await tx.upsertPipeline({
    id: existing?.id ?? randomUUID(),
    org: pipeline.orgIdentifier,
    project: pipeline.projectIdentifier,
    identifier: pipeline.identifier,
    name: pipeline.name,
    source,
    sourceFile: position.file,
    sourceLine: position.line,
    modelJson,
    createdAt: existing?.createdAt ?? now,
    updatedAt: now,
  });
  return { ...resource, action: existing === undefined ? 'created' : 'updated' };
}

function scopeOf(connector: Connector): string {
  if (connector.orgIdentifier && connector.projectIdentifier) return `project/${connector.orgIdentifier}/${connector.projectIdentifier}`;
  if (connector.orgIdentifier) return `org/${connector.orgIdentifier}`;
  return 'account';
}

async function applyConnector(tx: StoreOperations, connector: Connector, source: string, now: EpochMs): Promise<AppliedResource> {
  const key = connectorKeyOf(connector);
  const existing = await tx.getConnector(key);
  const specJson = JSON.stringify(connector.spec);
  const resource = { kind: 'connector' as const, identifier: connector.identifier, scope: scopeOf(connector) };
  const same = existing !== undefined && existing.specJson === specJson && existing.type === connector.type && existing.name === connector.name;
  if (same) return { ...resource, action: 'unchanged' };
  await tx.upsertConnector({
    key,
    identifier: connector.identifier,
    name: connector.name,
    type: connector.type,
    org: connector.orgIdentifier,
    project: connector.projectIdentifier,
    specJson,
    source,
    createdAt: existing?.createdAt ?? now,
    updatedAt: now,
  });
  return { ...resource, action: existing === undefined ? 'created' : 'updated' };
}

/** Stores parsed documents inside the caller's transaction, in file order. */
export async function applyDocuments(tx: StoreOperations, documents: readonly Document[], now: EpochMs): Promise<AppliedResource[]> {
  const applied: AppliedResource[] = [];
  for (const document of documents) {
    if (document.kind === 'pipeline') applied.push(await applyPipeline(tx, document.pipeline, document.position, document.source, now));
    else applied.push(await applyConnector(tx, document.connector, document.source, now));
  }
  return applied;
}
