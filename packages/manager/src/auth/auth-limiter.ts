/** Failed authentications from one host within `windowMs` that start a block. Default 10. */
export const AUTH_FAILURE_LIMIT = 10;
/** Window in which failures are counted, and length of a block: 60 s. */
export const AUTH_WINDOW_MS = 60_000;
/** Hosts remembered at most; beyond it, hosts neither blocked nor failing within the window are forgotten. */
const MAX_TRACKED_HOSTS = 10_000;

interface HostEntry {
  /** Times of the failures within the window, oldest first. */
  failures: number[];
  /** End of the current block, or 0 when the host is not blocked. */
  blockedUntil: number;
}

/** Result of recording a failure: whether it started a block, and until when. */
export interface FailureOutcome {
  blockStarted: boolean;
  blockedUntil: number;
}

/**
 * Counts failed authentications per peer host and blocks a host for
 * `windowMs` once it has failed `maxFailures` times within `windowMs`.
 * Callers check `blockedUntil` before reading any credential, so a blocked
 * host is rejected without its token being checked.
 */
export class AuthLimiter {
  private readonly hosts = new Map<string, HostEntry>();
  /** Failures within the window that start a block. */
  readonly maxFailures: number;
  /** Length of the counting window and of a block, in milliseconds. */
  readonly windowMs: number;
  private readonly clock: () => number;

  constructor(options: { maxFailures?: number; windowMs?: number; clock?: () => number } = {}) {
    this.maxFailures = options.maxFailures ?? AUTH_FAILURE_LIMIT;
    this.windowMs = options.windowMs ?? AUTH_WINDOW_MS;
    this.clock = options.clock ?? Date.now;
  }

  /** Returns the time (ms since the epoch) the block of `host` ends, or undefined when it is not blocked. */
  blockedUntil(host: string): number | undefined {
    const entry = this.hosts.get(host);
    if (entry === undefined || entry.blockedUntil <= this.clock()) return undefined;
    return entry.blockedUntil;
  }

  /** Records one failed authentication from `host`; the failure that reaches the limit starts a block. */
  recordFailure(host: string): FailureOutcome {
    const now = this.clock();
    const entry = this.hosts.get(host) ?? { failures: [], blockedUntil: 0 };
    if (entry.blockedUntil > now) return { blockStarted: false, blockedUntil: entry.blockedUntil };

    entry.failures = entry.failures.filter((at) => now - at < this.windowMs);
    entry.failures.push(now);
    let blockStarted = false;
    if (entry.failures.length >= this.maxFailures) {
      entry.blockedUntil = now + this.windowMs;
      entry.failures = [];
      blockStarted = true;
    }
    this.hosts.set(host, entry);
    if (this.hosts.size > MAX_TRACKED_HOSTS) this.forgetQuietHosts(now);
    return { blockStarted, blockedUntil: entry.blockedUntil };
  }

  /** Number of hosts tracked, for tests and metrics. */
  get trackedHosts(): number {
    return this.hosts.size;
  }

  private forgetQuietHosts(now: number): void {
    for (const [host, entry] of this.hosts) {
      const failing = entry.failures.some((at) => now - at < this.windowMs);
      if (!failing && entry.blockedUntil <= now) this.hosts.delete(host);
    }
  }
}
