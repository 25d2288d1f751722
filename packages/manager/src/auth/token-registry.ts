import { createHash, timingSafeEqual } from 'node:crypto';
import { KilnError } from '@kiln/protocol';
import type { Transact } from '../scheduler/task-dispatcher.js';
import type { EpochMs, TokenKind, TokenRecord, TokenRole } from '../store/store.js';
import { generateToken, parseToken, verifyToken } from './token-secret.js';

/** Verified tokens kept in memory so a repeated call skips scrypt; beyond it the cache starts over. */
const MAX_CACHED_TOKENS = 1000;
/** `lastUsedAt` is written at most once per token per minute, so a busy client does not write on every call. */
const LAST_USED_RESOLUTION_MS = 60_000;

/** Fields of a token to create. */
export interface TokenRequest {
  kind: TokenKind;
  role: TokenRole | undefined;
  name: string;
  /** Lifetime in ms; undefined when the token does not expire. */
  expiresInMs: number | undefined;
}

function sha256(value: string): Buffer {
  return createHash('sha256').update(value, 'utf8').digest();
}

/** Returns why a stored token cannot be used now, or undefined when it is valid. */
export function tokenProblem(token: TokenRecord, now: EpochMs): string | undefined {
  if (token.revokedAt !== undefined) return 'is revoked';
  if (token.expiresAt !== undefined && token.expiresAt <= now) return `expired at ${new Date(token.expiresAt).toISOString()}`;
  return undefined;
}

/**
 * Stored API and delegate tokens: creation, listing, revocation and
 * verification of a presented token by the id it carries.
 */
export class TokenRegistry {
  /** SHA-256 of tokens whose scrypt hash matched, by token id; a hash never changes, so entries stay valid. */
  private readonly verified = new Map<string, Buffer>();

  constructor(private readonly options: { transact: Transact; clock: () => EpochMs }) {}

  /** Stores a new token and returns its record and the token itself, which is never stored. */
  async create(request: TokenRequest): Promise<{ record: TokenRecord; token: string }> {
    const generated = await generateToken(request.kind);
    const now = this.options.clock();
    const record: TokenRecord = {
      id: generated.id,
      name: request.name,
      kind: request.kind,
      role: request.kind === 'api' ? request.role ?? 'viewer' : undefined,
      salt: generated.salt,
      hash: generated.hash,
      createdAt: now,
      expiresAt: request.expiresInMs === undefined ? undefined : now + request.expiresInMs,
      revokedAt: undefined,
      lastUsedAt: undefined,
    };
    await this.options.transact(async (tx) => tx.insertToken(record));
    return { record, token: generated.token };
  }

  list(): Promise<TokenRecord[]> {
    return this.options.transact((tx) => tx.listTokens());
  }

  /**
   * Revokes a token; revoking a revoked token keeps its first revocation time.
   * @throws KilnError NOT_FOUND when no token has the id.
   */
  async revoke(id: string): Promise<TokenRecord> {
    return this.options.transact(async (tx) => {
      const token = await tx.getToken(id);
      if (token === undefined) throw new KilnError('NOT_FOUND', `no token has id ${JSON.stringify(id)}; \`kiln token list\` shows the ids`);
      if (token.revokedAt !== undefined) return token;
      const revokedAt = this.options.clock();
      await tx.updateToken(id, { revokedAt });
      return { ...token, revokedAt };
    });
  }

  /**
   * Returns the stored token of `kind` that `presented` is, or undefined when
   * it is not in the `kiln_<kind>_<id>...` form (so the caller can try the env token).
   * @throws KilnError UNAUTHENTICATED when the id is unknown, the secret does not match, or the token is revoked or expired.
   */
  async verify(presented: string, kind: TokenKind): Promise<TokenRecord | undefined> {
    const parsed = parseToken(presented);
    if (parsed === undefined || parsed.kind !== kind) return undefined;
    const token = await this.options.transact((tx) => tx.getToken(parsed.id));
    if (token === undefined || token.kind !== kind || !(await this.matches(token, presented))) {
      throw new KilnError('UNAUTHENTICATED', `${kind} token ${parsed.id} is unknown or its secret does not match; create one with \`kiln token create --kind ${kind}\``);
    }
    const now = this.options.clock();
    const problem = tokenProblem(token, now);
    if (problem !== undefined) throw new KilnError('UNAUTHENTICATED', `${kind} token ${token.id} (${token.name}) ${problem}; create a new one with \`kiln token create --kind ${kind}\``);
    if (token.lastUsedAt === undefined || now - token.lastUsedAt >= LAST_USED_RESOLUTION_MS) {
      await this.options.transact(async (tx) => tx.updateToken(token.id, { lastUsedAt: now }));
    }
    return token;
  }

  private async matches(token: TokenRecord, presented: string): Promise<boolean> {
    const digest = sha256(presented);
    const cached = this.verified.get(token.id);
    if (cached !== undefined && timingSafeEqual(cached, digest)) return true;
    if (!(await verifyToken(presented, token.salt, token.hash))) return false;
    if (this.verified.size >= MAX_CACHED_TOKENS) this.verified.clear();
    this.verified.set(token.id, digest);
    return true;
  }
}
