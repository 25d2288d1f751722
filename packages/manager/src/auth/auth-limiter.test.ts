import { Writable } from 'node:stream';
import { KilnError } from '@kiln/protocol';
import * as grpc from '@grpc/grpc-js';
import { pino } from 'pino';
import { Registry } from 'prom-client';
import { CallGuard } from '../grpc/call-guard.js';
import { RejectionLog } from '../grpc/rejection-log.js';
import { createMetrics } from '../metrics.js';
import { AuthLimiter } from './auth-limiter.js';

describe('AuthLimiter', () => {
  describe('when a host fails 10 times within 60 s', () => {
    it('blocks the host for 60 s from the tenth failure', () => {
      const now = { value: 1_000 };
      const limiter = new AuthLimiter({ clock: () => now.value });
      for (let i = 0; i < 9; i += 1) {
        expect(limiter.recordFailure('10.0.0.5').blockStarted).toBe(false);
        now.value += 1_000;
      }
      expect(limiter.blockedUntil('10.0.0.5')).toBeUndefined();

      const outcome = limiter.recordFailure('10.0.0.5');

      expect(outcome).toEqual({ blockStarted: true, blockedUntil: now.value + 60_000 });
      expect(limiter.blockedUntil('10.0.0.5')).toBe(now.value + 60_000);
      expect(limiter.blockedUntil('10.0.0.6')).toBeUndefined();
    });

    it('lifts the block after 60 s', () => {
      const now = { value: 0 };
      const limiter = new AuthLimiter({ clock: () => now.value });
      for (let i = 0; i < 10; i += 1) limiter.recordFailure('h');
      now.value = 59_999;
      expect(limiter.blockedUntil('h')).toBe(60_000);
      now.value = 60_000;
      expect(limiter.blockedUntil('h')).toBeUndefined();
    });

    it('starts one block however many failures follow', () => {
      const limiter = new AuthLimiter({ clock: () => 0 });
      const started = Array.from({ length: 25 }, () => limiter.recordFailure('h').blockStarted).filter(Boolean);
      expect(started).toHaveLength(1);
    });
  });

  describe('when failures are spread over more than 60 s', () => {
    it('does not block the host', () => {
      const now = { value: 0 };
      const limiter = new AuthLimiter({ clock: () => now.value });
      for (let i = 0; i < 30; i += 1) {
        limiter.recordFailure('h');
        now.value += 7_000;
      }
      expect(limiter.blockedUntil('h')).toBeUndefined();
    });
  });
});

function captureLogger(): { logger: pino.Logger; lines: Record<string, unknown>[] } {
  const lines: Record<string, unknown>[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(JSON.parse(chunk.toString('utf8')) as Record<string, unknown>);
      done();
    },
  });
  return { logger: pino({ level: 'info' }, stream), lines };
}

type Callback = (error: grpc.ServiceError | null, response?: unknown) => void;

/** Runs a guarded unary handler with a fake call from `peer` and returns its error. */
function invoke(handler: grpc.handleUnaryCall<unknown, unknown>, peer: string): Promise<grpc.ServiceError | null> {
  return new Promise((resolve) => {
    const call = { getPeer: () => peer } as unknown as grpc.ServerUnaryCall<unknown, unknown>;
    const callback: Callback = (error) => resolve(error);
    handler(call, callback as grpc.sendUnaryData<unknown>);
  });
}

describe('CallGuard with an AuthLimiter', () => {
  describe('when a host fails authentication 10 times', () => {
    it('rejects its next calls with RESOURCE_EXHAUSTED without running the handler', async () => {
      const { logger, lines } = captureLogger();
      const now = { value: 0 };
      const metrics = createMetrics(new Registry(), { countTasks: async () => [], countDelegates: async () => [] } as never);
      const guard = new CallGuard(logger, metrics, { rejections: new RejectionLog(logger, { clock: () => now.value }), authLimiter: new AuthLimiter({ clock: () => now.value }) });
      let checked = 0;
      const handler = guard.unary('ListPipelines', async () => {
        checked += 1;
        throw new KilnError('UNAUTHENTICATED', 'API token does not match KILN_API_TOKEN of the manager');
      });

      for (let port = 1; port <= 10; port += 1) expect((await invoke(handler, `ipv4:10.0.0.5:${port}`))?.code).toBe(grpc.status.UNAUTHENTICATED);
      const blocked = await invoke(handler, 'ipv4:10.0.0.5:99');
      const blockedAgain = await invoke(handler, 'ipv4:10.0.0.5:100');
      const otherHost = await invoke(handler, 'ipv4:10.0.0.6:1');
      await new Promise((resolve) => setImmediate(resolve));

      expect(checked).toBe(11);
      expect(blocked?.code).toBe(grpc.status.RESOURCE_EXHAUSTED);
      expect(blocked?.details).toMatch(/too many failed authentications/);
      expect(blockedAgain?.code).toBe(grpc.status.RESOURCE_EXHAUSTED);
      expect(otherHost?.code).toBe(grpc.status.UNAUTHENTICATED);
      const blockLines = lines.filter((line) => line.msg === 'blocked a peer host after repeated failed authentications');
      expect(blockLines).toHaveLength(1);
      expect(blockLines[0]).toMatchObject({ host: '10.0.0.5', failures: 10, blockedForMs: 60_000 });
      expect(JSON.stringify(lines)).not.toMatch(/Bearer/);

      now.value = 60_000;
      expect((await invoke(handler, 'ipv4:10.0.0.5:101'))?.code).toBe(grpc.status.UNAUTHENTICATED);
    });
  });
});
