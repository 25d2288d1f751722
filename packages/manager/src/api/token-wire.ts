import { KilnError, type wire } from '@kiln/protocol';
import { TOKEN_ROLES } from '../auth/access-policy.js';
import type { TokenRequest } from '../auth/token-registry.js';
import type { AuditRecord, TokenRecord, TokenRole } from '../store/store.js';

/** Maximum token lifetime: 10 years, in ms. */
const MAX_EXPIRES_IN_MS = 10 * 365 * 86_400_000;
/** Maximum length of a token name, in characters. */
const MAX_NAME_LENGTH = 100;

export function tokenToWire(token: TokenRecord): wire.TokenInfo {
  return {
    id: token.id,
    name: token.name,
    kind: token.kind,
    role: token.role ?? '',
    created_at_ms: token.createdAt,
    expires_at_ms: token.expiresAt ?? 0,
    revoked_at_ms: token.revokedAt ?? 0,
    last_used_at_ms: token.lastUsedAt ?? 0,
  };
}

export function auditToWire(record: AuditRecord): wire.AuditRecord {
  return {
    id: record.id,
    at_ms: record.at,
    token_id: record.tokenId,
    token_name: record.tokenName,
    operation: record.operation,
    target: record.target,
    peer: record.peer,
  };
}

/**
 * Validates a CreateTokenRequest.
 * @throws KilnError INVALID_ARGUMENT naming the field and the values it accepts.
 */
export function tokenRequestOf(request: wire.CreateTokenRequest__Output): TokenRequest {
  const { kind, role, name, expires_in_ms: expiresInMs } = request;
  if (kind !== 'api' && kind !== 'delegate') throw new KilnError('INVALID_ARGUMENT', `token kind ${JSON.stringify(kind)} is invalid: expected api or delegate`);
  if (role !== '' && !TOKEN_ROLES.includes(role as TokenRole)) {
    throw new KilnError('INVALID_ARGUMENT', `token role ${JSON.stringify(role)} is invalid: expected one of ${TOKEN_ROLES.join(', ')}`);
  }
  if (kind === 'delegate' && role !== '') throw new KilnError('INVALID_ARGUMENT', `a delegate token has no role, but role ${role} was given: give a role only with kind api`);
  if (name.length > MAX_NAME_LENGTH) throw new KilnError('INVALID_ARGUMENT', `token name has ${name.length} characters: give at most ${MAX_NAME_LENGTH}`);
  if (!Number.isInteger(expiresInMs) || expiresInMs < 0 || expiresInMs > MAX_EXPIRES_IN_MS) {
    throw new KilnError('INVALID_ARGUMENT', `expires_in_ms ${expiresInMs} is invalid: expected 0 (no expiry) or a lifetime of up to 10 years in ms`);
  }
  return { kind, role: role === '' ? undefined : (role as TokenRole), name, expiresInMs: expiresInMs === 0 ? undefined : expiresInMs };
}
