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

describe('parseOptions security flags', () => {
  const files: Record<string, string> = { '/tls/server.crt': 'CERT', '/tls/server.key': 'KEY', '/tls/ca.crt': 'CA', '/nats/password': 'pw\n' };
  const readFile = (file: string): Buffer => {
    const text = files[file];
    if (text === undefined) throw Object.assign(new Error(`no such file ${file}`), { code: 'ENOENT' });
    return Buffer.from(text);
  };

  describe('when --tls-cert, --tls-key and --client-ca are given', () => {
    it('reads the PEM files', () => {
      const options = parseOptions({ ...flags, tlsCert: '/tls/server.crt', tlsKey: '/tls/server.key', clientCa: '/tls/ca.crt' }, env, readFile);
      expect(options.tls?.cert.toString()).toBe('CERT');
      expect(options.tls?.key.toString()).toBe('KEY');
      expect(options.tls?.clientCa?.toString()).toBe('CA');
    });
  });

  describe('when a TLS file cannot be read', () => {
    it('names the flag and the path', () => {
      expect(() => parseOptions({ ...flags, tlsCert: '/tls/missing.crt', tlsKey: '/tls/server.key' }, env, readFile)).toThrow('--tls-cert /tls/missing.crt cannot be read (ENOENT)');
    });
  });

  describe('when --tls-cert comes without --tls-key', () => {
    it('rejects the flags', () => {
      expect(() => parseOptions({ ...flags, tlsCert: '/tls/server.crt' }, env, readFile)).toThrow('--tls-cert and --tls-key go together');
    });
  });

  describe('when --client-ca comes without TLS', () => {
    it('rejects the flag', () => {
      expect(() => parseOptions({ ...flags, clientCa: '/tls/ca.crt' }, env, readFile)).toThrow('--client-ca needs --tls-cert and --tls-key');
    });
  });

  describe('when a listener is not on loopback and TLS is off', () => {
    it('rejects it unless --allow-plaintext is given', () => {
      expect(() => parseOptions({ ...flags, httpListen: '0.0.0.0:8080' }, env, readFile)).toThrow('would listen on 0.0.0.0 without TLS');
      expect(parseOptions({ ...flags, grpcListen: '0.0.0.0:7443', allowPlaintext: true }, env, readFile).allowPlaintext).toBe(true);
    });
  });

  describe('when --nats-user and --nats-password-file are given', () => {
    it('reads the password from the file', () => {
      const options = parseOptions({ ...flags, natsUser: 'manager', natsPasswordFile: '/nats/password' }, env, readFile);
      expect(options.natsAuth).toEqual({ user: 'manager', pass: 'pw' });
    });
  });
});
