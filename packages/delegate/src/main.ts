#!/usr/bin/env node
import { readFileSync } from 'node:fs';
import { isKilnError } from '@kiln/protocol';
import { pino, type Logger } from 'pino';
import { Registry } from 'prom-client';
import { parseDelegateFlags } from './config/cli-flags.js';
import { loadDelegateConfig } from './config/load-config.js';
import type { DelegateConfig } from './config/delegate-config.js';
import { Delegate } from './delegate.js';

function packageVersion(): string {
  const manifest = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version?: string };
  return manifest.version ?? '0.0.0';
}

function loadConfigOrExit(version: string): DelegateConfig {
  try {
    return loadDelegateConfig({ flags: parseDelegateFlags(process.argv, version), env: process.env });
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    const details = (error as { code?: string; details?: { problems?: unknown } }) ?? {};
    pino().fatal({ code: details.code, problems: details.details?.problems }, 'invalid delegate configuration');
    process.stderr.write(`kiln-delegate: ${message}\n`);
    process.exit(1);
  }
}

/**
 * Wires SIGTERM and SIGINT: the first starts a drain, the second aborts
 * running tasks at once, the third exits without waiting.
 */
function handleSignals(delegate: Delegate, logger: Logger): void {
  let received = 0;
  const onSignal = (signal: NodeJS.Signals): void => {
    received += 1;
    logger.info({ signal, count: received }, 'signal received');
    if (received === 1) {
      delegate.shutdown(signal).then(
        () => process.exit(0),
        (error: unknown) => {
          logger.error({ err: error }, 'shutdown failed');
          process.exit(1);
        },
      );
    } else if (received === 2) {
      delegate.abortTasks(`second ${signal}`);
    } else {
      process.exit(1);
    }
  };
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);
}

async function main(): Promise<void> {
  const version = packageVersion();
  const config = loadConfigOrExit(version);
  const logger = pino({ level: config.logLevel, base: { service: 'kiln-delegate', name: config.name } });
  const delegate = new Delegate({ config, logger, registry: new Registry(), version });
  handleSignals(delegate, logger);
  try {
    await delegate.start();
  } catch (error) {
    // A signal during startup aborts it; the shutdown started by the signal exits the process.
    if (isKilnError(error, 'ABORTED')) {
      logger.info(delegate.registered ? 'stopped before connecting to NATS' : 'stopped before registering');
      return;
    }
    logStartFailure(logger, error);
    process.exit(1);
  }
}

/**
 * Logs why startup failed as one line. A KilnError is expected (a rejected
 * token, a protocol mismatch) and its message says what to check, so it is
 * logged without the stack and cause chain that would repeat it.
 */
function logStartFailure(logger: Logger, error: unknown): void {
  if (isKilnError(error)) logger.fatal({ code: error.code, reason: error.message }, 'delegate failed to start');
  else logger.fatal({ err: error }, 'delegate failed to start');
}

main().catch((error: unknown) => {
  pino().fatal({ err: error }, 'kiln-delegate crashed');
  process.exit(1);
});
