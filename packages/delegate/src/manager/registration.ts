import { KilnError, isKilnError } from '@kiln/protocol';
import type { Logger } from 'pino';
import { Backoff, sleep } from '../backoff.js';
import type { ManagerClient, RegisterInfo, Session } from './manager-client.js';

/** Codes a manager returns while it cannot serve requests yet, so Register is repeated after them. */
const RETRYABLE_CODES = new Set(['UNAVAILABLE', 'TIMEOUT', 'INTERNAL']);

/** Returns true when a failed manager call may succeed if repeated: the manager was unreachable, slow or failed internally. */
export function isRetryableManagerError(error: unknown): boolean {
  return isKilnError(error) && RETRYABLE_CODES.has(error.code);
}

/**
 * Turns a rejected Register into a fatal error with what to check. The
 * message does not repeat the manager's, which says the same in its words;
 * the manager's error stays available as `cause`.
 */
function fatalRegisterError(error: KilnError, address: string, tokenSource: string): KilnError {
  if (error.code === 'UNAUTHENTICATED') {
    const source = tokenSource === '' ? 'the delegate token' : `the delegate token from ${tokenSource}`;
    return new KilnError('UNAUTHENTICATED', `the manager at ${address} rejected ${source}: set it to the manager's KILN_DELEGATE_TOKEN`, { cause: error });
  }
  if (error.code === 'PROTOCOL_MISMATCH') {
    return new KilnError('PROTOCOL_MISMATCH', `the manager at ${address} speaks another protocol version: upgrade the delegate or the manager so that both use the same kiln version (${error.message})`, { cause: error });
  }
  if (error.code === 'MANAGER_TLS') return error;
  return new KilnError(error.code, `the manager at ${address} rejected Register: ${error.message}`, { cause: error });
}

/**
 * Calls Register with backoff and jitter until the manager replies.
 * @throws KilnError UNAUTHENTICATED or PROTOCOL_MISMATCH (fatal, with what to check), ABORTED when `signal` aborts.
 */
export async function registerUntilAnswered(client: ManagerClient, info: RegisterInfo, logger: Logger, signal: AbortSignal, tokenSource = ''): Promise<Session> {
  const backoff = new Backoff(500, 15_000);
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await client.register(info, signal);
    } catch (error) {
      if (signal.aborted) throw new KilnError('ABORTED', 'registration stopped by shutdown', { cause: error });
      if (!isRetryableManagerError(error)) {
        throw fatalRegisterError(isKilnError(error) ? error : new KilnError('INTERNAL', String(error)), client.address, tokenSource);
      }
      const delayMs = backoff.next();
      const message = error instanceof Error ? error.message : String(error);
      logger.warn({ manager: client.address, attempt, delayMs, err: message }, 'manager not reachable, retrying register');
      await sleep(delayMs, signal);
      if (signal.aborted) throw new KilnError('ABORTED', 'registration stopped by shutdown');
    }
  }
}
