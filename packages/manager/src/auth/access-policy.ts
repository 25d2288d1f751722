import { KilnError } from '@kiln/protocol';
import type { TokenRole } from '../store/store.js';

/** Roles an API token can have, from most to least allowed. */
export const TOKEN_ROLES: readonly TokenRole[] = ['admin', 'runner', 'viewer'];

/** Operations of ManagerService that need more than the viewer role; every authenticated caller may read. */
export type Operation = 'apply' | 'run' | 'rerun' | 'cancel' | 'token.create' | 'token.list' | 'token.revoke' | 'audit.list';

const RUNNER_OPERATIONS: ReadonlySet<Operation> = new Set(['apply', 'run', 'rerun', 'cancel']);

/** The authenticated caller of an API call. */
export interface Caller {
  /** Stored token id, or `env` for KILN_API_TOKEN. */
  tokenId: string;
  tokenName: string;
  role: TokenRole;
  /** Address of the client, e.g. `ipv4:127.0.0.1:50123`. */
  peer: string;
}

/** Returns whether `role` may perform `operation`: admin everything, runner apply/run/rerun/cancel, viewer none of them. */
export function isAllowed(role: TokenRole, operation: Operation): boolean {
  if (role === 'admin') return true;
  return role === 'runner' && RUNNER_OPERATIONS.has(operation);
}

/**
 * Checks that the caller's role allows `operation`.
 * @throws KilnError PERMISSION_DENIED naming the role, the token and the operation.
 */
export function authorize(caller: Caller, operation: Operation): void {
  if (isAllowed(caller.role, operation)) return;
  const needed = RUNNER_OPERATIONS.has(operation) ? 'runner or admin' : 'admin';
  throw new KilnError('PERMISSION_DENIED', `role ${caller.role} of token ${caller.tokenId} (${caller.tokenName}) may not perform ${operation}: it needs the ${needed} role; ask an admin for a token with that role`);
}

/** Returns the actions of the web UI's session endpoint the role allows. */
export function sessionActions(role: TokenRole): string[] {
  return (['run', 'cancel', 'rerun', 'apply'] as const).filter((action) => isAllowed(role, action));
}
