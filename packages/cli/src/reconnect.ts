import { setTimeout as sleep } from 'node:timers/promises';
import { KilnError } from '@kiln/protocol';
import { ManagerUnreachableError } from './errors.js';

/** Default time an unreachable manager is retried while following an execution: 2 minutes. */
export const DEFAULT_RECONNECT_WINDOW_MS = 120_000;

/** Settings of a Reconnector. */
export interface ReconnectOptions {
  signal: AbortSignal;
  /** Time an outage is retried before giving up, in milliseconds; default {@link DEFAULT_RECONNECT_WINDOW_MS}. */
  windowMs?: number;
  /** First wait between retries in milliseconds, doubled after each retry; default 500. */
  initialDelayMs?: number;
  /** Maximum wait between retries in milliseconds; default 8000. */
  maxDelayMs?: number;
  now?: () => number;
  /** Manager address for the give-up message; default the one in the error. */
  address?: string;
  /** Called once when an outage begins, with the error that began it. */
  onLost?: (error: KilnError) => void;
}

/** Timing of follows and waits, in milliseconds; tests shorten it. */
export interface FollowTiming {
  /** Time an unreachable manager is retried; default {@link DEFAULT_RECONNECT_WINDOW_MS}. */
  reconnectWindowMs?: number;
  /** First wait between retries, doubled after each; default 500. */
  reconnectDelayMs?: number;
  /** Time between checks of a queued execution's wait reason; default 2000. */
  queuePollMs?: number;
}

/** Error raised when the manager stays unreachable for the whole reconnect window while following an execution. */
export class ConnectionLostError extends KilnError {
  constructor(executionId: string, windowMs: number, cause: KilnError, address: string) {
    super(
      'UNAVAILABLE',
      `lost the connection to the manager at ${address} for ${Math.round(windowMs / 1000)}s (${reasonOf(cause)}); execution ${executionId} may still be running`,
      { cause, details: { address, hint: `Resume with \`kiln logs ${executionId} --follow\` once the manager is reachable.` } },
    );
    this.name = 'ConnectionLostError';
  }
}

/** Returns true when an error means the manager could not be reached, as opposed to a rejected request. */
export function isConnectionLoss(error: unknown): error is KilnError {
  return error instanceof ManagerUnreachableError || (error instanceof KilnError && error.code === 'UNAVAILABLE');
}

/**
 * Retry state of one follow: waits with exponential backoff between
 * attempts while the manager is unreachable, and gives up when an outage
 * lasts longer than the window. A success resets it.
 */
export class Reconnector {
  private lostAt: number | undefined;
  private delayMs: number;
  private readonly now: () => number;

  constructor(private readonly executionId: string, private readonly options: ReconnectOptions) {
    this.now = options.now ?? Date.now;
    this.delayMs = options.initialDelayMs ?? 500;
  }

  /** Ends the current outage, if any: the next failure starts a new window. */
  restored(): void {
    this.lostAt = undefined;
    this.delayMs = this.options.initialDelayMs ?? 500;
  }

  /**
   * Waits before the next attempt after `error`. Returns false when the
   * signal aborted during the wait.
   * @throws the error itself when it is not a connection loss, ConnectionLostError when the window has passed.
   */
  async backoff(error: unknown): Promise<boolean> {
    if (!isConnectionLoss(error)) throw error;
    const windowMs = this.options.windowMs ?? DEFAULT_RECONNECT_WINDOW_MS;
    if (this.lostAt === undefined) {
      this.lostAt = this.now();
      this.options.onLost?.(error);
    }
    const remaining = this.lostAt + windowMs - this.now();
    if (remaining <= 0) {
      const address = this.options.address ?? (typeof error.details.address === 'string' ? error.details.address : 'its address');
      throw new ConnectionLostError(this.executionId, windowMs, error, address);
    }

    // Jitter spreads the retries of many followers after a manager restart.
    const delay = Math.min(remaining, this.delayMs * (0.8 + Math.random() * 0.4));
    this.delayMs = Math.min(this.delayMs * 2, this.options.maxDelayMs ?? 8000);
    try {
      // The timer stays referenced because waiting is the CLI's only work; the signal ends it on Ctrl-C.
      await sleep(delay, undefined, { signal: this.options.signal });
      return true;
    } catch {
      return false;
    }
  }
}

function reasonOf(error: KilnError): string {
  return error instanceof ManagerUnreachableError ? error.reason : error.message;
}
