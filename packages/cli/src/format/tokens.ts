import type { wire } from '@kiln/protocol';
import { renderTable } from './table.js';
import { formatTimestamp } from './time.js';

/** Formats `kiln token list` as a table, oldest token first; it never has the tokens themselves. */
export function formatTokenTable(tokens: readonly wire.TokenInfo__Output[]): string[] {
  if (tokens.length === 0) return ['No stored tokens; `kiln token create --kind api|delegate` creates one.'];
  const rows = tokens.map((token) => [
    token.id,
    token.name || '-',
    token.kind,
    token.role || '-',
    formatTimestamp(token.created_at_ms),
    token.expires_at_ms > 0 ? formatTimestamp(token.expires_at_ms) : 'never',
    token.revoked_at_ms > 0 ? formatTimestamp(token.revoked_at_ms) : '-',
    token.last_used_at_ms > 0 ? formatTimestamp(token.last_used_at_ms) : 'never',
  ]);
  return renderTable(['ID', 'NAME', 'KIND', 'ROLE', 'CREATED', 'EXPIRES', 'REVOKED', 'LAST USED'], rows);
}

/** Formats `kiln audit` as a table, newest record first. */
export function formatAuditTable(records: readonly wire.AuditRecord__Output[]): string[] {
  if (records.length === 0) return ['No audit records.'];
  const rows = records.map((record) => [
    formatTimestamp(record.at_ms),
    record.token_id === 'env' ? 'env' : `${record.token_id} (${record.token_name || '-'})`,
    record.operation,
    record.target,
    record.peer,
  ]);
  return renderTable(['WHEN', 'WHO', 'OPERATION', 'TARGET', 'PEER'], rows);
}
