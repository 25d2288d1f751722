import { Writable } from 'node:stream';
import { KilnError } from '@kiln/protocol';
import { pino } from 'pino';
import { Registry } from 'prom-client';
import { createMetrics } from '../metrics.js';
import { CallGuard } from './call-guard.js';
import { peerHost, RejectionLog } from './rejection-log.js';

function captureLogger(): { logger: pino.Logger; lines: Record<string, unknown>[] } {
  const lines: Record<string, unknown>[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(JSON.parse(chunk.toString('utf8')) as Record<string, unknown>);
      done();
    },
  });
  return { logger: pino({ level: 'debug' }, stream), lines };
}

async function flushed(): Promise<void> {
  await new Promise((resolve) => setImmediate(resolve));
}

describe('RejectionLog', () => {
  describe('when one peer is rejected repeatedly', () => {
    it('logs once per interval with the suppressed count', async () => {
      const { logger, lines } = captureLogger();
      const now = { value: 0 };
      const log = new RejectionLog(logger, { intervalMs: 10_000, clock: () => now.value });
      log.record('ipv4:10.0.0.5:40000', 'Register', 'UNAUTHENTICATED', 'delegate token does not match');
      for (let port = 40001; port < 40004; port += 1) log.record(`ipv4:10.0.0.5:${port}`, 'Register', 'UNAUTHENTICATED', 'delegate token does not match');
      now.value = 10_000;
      log.record('ipv4:10.0.0.5:40009', 'Register', 'UNAUTHENTICATED', 'delegate token does not match');
      await flushed();

      expect(lines).toHaveLength(2);
      expect(lines[0]).toMatchObject({ level: 40, peer: 'ipv4:10.0.0.5:40000', method: 'Register', suppressed: 0, msg: 'rejected a call with invalid credentials' });
      expect(lines[1]).toMatchObject({ peer: 'ipv4:10.0.0.5:40009', suppressed: 3 });
    });
  });

  describe('when two peers are rejected', () => {
    it('logs each of them', async () => {
      const { logger, lines } = captureLogger();
      const log = new RejectionLog(logger, { clock: () => 0 });
      log.record('ipv4:10.0.0.5:1', 'GetExecution', 'UNAUTHENTICATED', 'x');
      log.record('ipv6:[::1]:2', 'GetExecution', 'UNAUTHENTICATED', 'x');
      await flushed();
      expect(lines.map((line) => line.peer)).toEqual(['ipv4:10.0.0.5:1', 'ipv6:[::1]:2']);
    });
  });
});

describe('peerHost', () => {
  it.each([
    ['ipv4:127.0.0.1:50123', '127.0.0.1'],
    ['ipv6:[::1]:50123', '::1'],
    ['10.1.2.3:80', '10.1.2.3'],
  ])('returns the host of %s', (peer, host) => {
    expect(peerHost(peer)).toBe(host);
  });
});

describe('CallGuard', () => {
  describe('when a call presents a wrong token', () => {
    it('warns with peer and method but not the token', async () => {
      const { logger, lines } = captureLogger();
      const guard = new CallGuard(logger, createMetrics(new Registry(), { countTasks: async () => [], countDelegates: async () => [] } as never));
      guard.toError('ListDelegates', new KilnError('UNAUTHENTICATED', 'API token does not match KILN_API_TOKEN of the manager'), 'ipv4:127.0.0.1:5000');
      await flushed();
      expect(lines).toHaveLength(1);
      expect(lines[0]).toMatchObject({ level: 40, peer: 'ipv4:127.0.0.1:5000', method: 'ListDelegates', code: 'UNAUTHENTICATED' });
      expect(JSON.stringify(lines[0])).not.toContain('Bearer');
    });
  });
});
