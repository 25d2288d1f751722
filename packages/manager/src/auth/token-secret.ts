import { randomBytes, scrypt, timingSafeEqual } from 'node:crypto';
import type { TokenKind } from '../store/store.js';

/** Hex characters of a token id; the id follows `kiln_<kind>_` in the token, so lookup is by primary key. */
export const TOKEN_ID_LENGTH = 16;
/** Random bytes of a token's secret part, written as base64url after the id. */
const SECRET_BYTES = 32;
/** Bytes of the per-token scrypt salt and of the derived hash. */
const SALT_BYTES = 16;
const HASH_BYTES = 32;

/** A new token: its id, the whole token shown to the user once, and what the store keeps. */
export interface GeneratedToken {
  id: string;
  token: string;
  salt: string;
  hash: string;
}

/** Derives the hex scrypt hash of `token` with node:crypto's default cost (N=16384, r=8, p=1). */
export function hashToken(token: string, saltHex: string): Promise<string> {
  return new Promise((resolve, reject) => {
    scrypt(token, Buffer.from(saltHex, 'hex'), HASH_BYTES, (error, key) => (error ? reject(error) : resolve(key.toString('hex'))));
  });
}

/** Creates a token `kiln_<kind>_<id><secret>` with a random hex id and base64url secret, and its salted scrypt hash. */
export async function generateToken(kind: TokenKind): Promise<GeneratedToken> {
  const id = randomBytes(TOKEN_ID_LENGTH / 2).toString('hex');
  const token = `kiln_${kind}_${id}${randomBytes(SECRET_BYTES).toString('base64url')}`;
  const salt = randomBytes(SALT_BYTES).toString('hex');
  return { id, token, salt, hash: await hashToken(token, salt) };
}

/** Returns the kind and id of a presented `kiln_<kind>_<id>...` token, or undefined when it has another form. */
export function parseToken(token: string): { kind: TokenKind; id: string } | undefined {
  const match = /^kiln_(api|delegate)_([0-9a-f]{16})[A-Za-z0-9_-]+$/.exec(token);
  if (match === null) return undefined;
  return { kind: match[1] as TokenKind, id: match[2] as string };
}

/** Compares the scrypt hash of a presented token with a stored one in constant time. */
export async function verifyToken(token: string, saltHex: string, hashHex: string): Promise<boolean> {
  const presented = Buffer.from(await hashToken(token, saltHex), 'hex');
  const expected = Buffer.from(hashHex, 'hex');
  return presented.length === expected.length && timingSafeEqual(presented, expected);
}
