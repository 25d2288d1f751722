import { parseDuration, parseListen, parseOptions, type RawFlags } from './options.js';

const flags: RawFlags = {
  grpcListen: '127.0.0.1:7443',
  httpListen: '127.0.0.1:0',
  dataDir: '/tmp/kiln',
  natsUrl: 'nats://127.0.0.1:4222',
  pollTimeout: '30s',
  offerAckDeadline: '15s',
  leaseTtl: '1m',
  heartbeatTimeout: '15s',
  queueTtl: '24h',
  logLevel: 'info',
};
const env = { KILN_DELEGATE_TOKEN: 'd', KILN_API_TOKEN: 'a' };

describe('parseOptions', () => {
  describe('when every value is valid', () => {
    it('returns durations in milliseconds and the NATS URL as the public one', () => {
      const options = parseOptions(flags, env);
      expect(options.pollTimeoutMs).toBe(30_000);
      expect(options.leaseTtlMs).toBe(60_000);
      expect(options.httpListen).toEqual({ host: '127.0.0.1', port: 0 });
      expect(options.natsPublicUrl).toBe('nats://127.0.0.1:4222');
    });
  });

  describe('when a value is invalid', () => {
    it.each([
      [{ pollTimeout: '30' }, /--poll-timeout "30" is not a duration/],
      [{ leaseTtl: '0s' }, /--lease-ttl 0s must be greater than zero/],
      [{ grpcListen: 'localhost' }, /--grpc-listen "localhost" is invalid: expected HOST:PORT/],
      [{ natsUrl: 'http://x' }, /--nats-url "http:\/\/x" is not a NATS URL/],
      [{ dataDir: undefined }, /--data-dir is required/],
      [{ logLevel: 'loud' }, /--log-level "loud" is invalid/],
    ])('names the flag for %o', (override, message) => {
      expect(() => parseOptions({ ...flags, ...override }, env)).toThrow(message);
    });

    it('names a missing token variable', () => {
      expect(() => parseOptions(flags, { KILN_DELEGATE_TOKEN: 'd' })).toThrow(/KILN_API_TOKEN is missing/);
    });
  });
});

describe('parseDuration', () => {
  it('accepts ms, s, m and h', () => {
    expect([parseDuration('250ms', '--x'), parseDuration('2s', '--x'), parseDuration('5m', '--x'), parseDuration('1h', '--x')]).toEqual([250, 2000, 300_000, 3_600_000]);
  });
});

describe('parseListen', () => {
  it('accepts a bracketed IPv6 host', () => {
    expect(parseListen('[::1]:7443', '--grpc-listen')).toEqual({ host: '::1', port: 7443 });
  });
});
