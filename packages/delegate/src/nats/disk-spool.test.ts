import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pino } from 'pino';
import { Registry } from 'prom-client';
import { DelegateMetrics } from '../metrics.js';
import { DiskSpool, type SpooledMessage } from './disk-spool.js';

const logger = pino({ level: 'silent' });

function message(index: number): SpooledMessage {
  return { subject: 'kiln.logs.e.s.step', msgID: `task:1:step:${index}`, kind: 'log', data: Buffer.from(`batch ${index}`).toString('base64') };
}

describe('DiskSpool', () => {
  let dir: string;
  let metrics: DelegateMetrics;

  beforeEach(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'kiln-spool-'));
    metrics = new DelegateMetrics(new Registry(), { defaultMetrics: false });
  });

  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  describe('when NATS is back', () => {
    it('resends messages in the order they were written and removes them', async () => {
      const spool = new DiskSpool(dir, logger, metrics);
      for (let index = 1; index <= 3; index += 1) expect(await spool.append(message(index))).toBe(true);
      const sent: string[] = [];
      await spool.resendOnce(async (spooled) => {
        sent.push(spooled.msgID);
        return true;
      });
      expect(sent).toEqual(['task:1:step:1', 'task:1:step:2', 'task:1:step:3']);
      expect(spool.empty).toBe(true);
      expect(await readdir(dir)).toEqual([]);
    });
  });

  describe('when a resend fails', () => {
    it('keeps that message and the later ones for the next pass', async () => {
      const spool = new DiskSpool(dir, logger, metrics);
      await spool.append(message(1));
      await spool.append(message(2));
      await spool.resendOnce(async (spooled) => spooled.msgID.endsWith(':1'));
      expect(await readdir(dir)).toHaveLength(1);
      const reopened = new DiskSpool(dir, logger, metrics);
      const sent: string[] = [];
      await reopened.resendOnce(async (spooled) => sent.push(spooled.msgID) > 0);
      expect(sent).toEqual(['task:1:step:2']);
    });
  });

  describe('when the spool is full', () => {
    it('drops the message and counts it', async () => {
      const spool = new DiskSpool(dir, logger, metrics, 150);
      expect(await spool.append(message(1))).toBe(true);
      expect(await spool.append(message(2))).toBe(false);
      const dropped = await metrics.registry.getSingleMetricAsString('kiln_delegate_spool_dropped_total');
      expect(dropped).toContain('kiln_delegate_spool_dropped_total{kind="log"} 1');
    });
  });
});
