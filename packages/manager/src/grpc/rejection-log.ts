import type { Logger } from 'pino';

/** Default time between two warnings about the same peer: 10 s. */
export const REJECTION_LOG_INTERVAL_MS = 10_000;
/** Peers remembered at most; beyond it, peers quiet for a whole interval are forgotten. */
const MAX_TRACKED_PEERS = 1000;

interface PeerEntry {
  loggedAt: number;
  suppressed: number;
}

/** Returns the host of a grpc-js peer such as `ipv4:127.0.0.1:50123` or `[::1]:50123`, because each connection has its own port. */
export function peerHost(peer: string): string {
  const address = peer.replace(/^ipv[46]:/, '');
  const bracketed = /^\[([^\]]+)\](?::\d+)?$/.exec(address);
  if (bracketed !== null) return bracketed[1] as string;
  return address.replace(/:\d+$/, '');
}

/**
 * Logs rejected credentials as warnings, at most one line per peer host per
 * interval; the next line carries the count of rejections left out. Callers
 * pass the error message, which never contains the presented token.
 */
export class RejectionLog {
  private readonly peers = new Map<string, PeerEntry>();

  constructor(
    private readonly logger: Logger,
    private readonly options: { intervalMs?: number; clock?: () => number } = {},
  ) {}

  /** Records one rejected call of `method` from `peer` and logs it unless the peer was logged within the interval. */
  record(peer: string, method: string, code: string, message: string): void {
    const now = (this.options.clock ?? Date.now)();
    const intervalMs = this.options.intervalMs ?? REJECTION_LOG_INTERVAL_MS;
    const host = peerHost(peer);
    const entry = this.peers.get(host);
    if (entry !== undefined && now - entry.loggedAt < intervalMs) {
      entry.suppressed += 1;
      return;
    }
    this.logger.warn({ peer, method, code, reason: message, suppressed: entry?.suppressed ?? 0 }, 'rejected a call with invalid credentials');
    this.peers.set(host, { loggedAt: now, suppressed: 0 });
    if (this.peers.size > MAX_TRACKED_PEERS) this.forgetQuietPeers(now, intervalMs);
  }

  /**
   * Logs that `peer`'s host is blocked until `blockedUntil` (ms since the epoch)
   * after repeated failed authentications. The caller logs once per block, when it starts.
   */
  recordBlock(peer: string, method: string, failures: number, blockedUntil: number): void {
    const now = (this.options.clock ?? Date.now)();
    this.logger.warn(
      { peer, host: peerHost(peer), method, failures, blockedForMs: blockedUntil - now },
      'blocked a peer host after repeated failed authentications',
    );
  }

  private forgetQuietPeers(now: number, intervalMs: number): void {
    for (const [host, entry] of this.peers) {
      if (now - entry.loggedAt >= intervalMs) this.peers.delete(host);
    }
  }
}
