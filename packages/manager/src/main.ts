#!/usr/bin/env node
import { Command } from 'commander';
import { pino, type Logger } from 'pino';
import { Registry } from 'prom-client';
import { isKilnError } from '@kiln/protocol';
import { KilnManager } from './manager.js';
import { parseOptions, type ManagerOptions, type RawFlags } from './options.js';

function readFlags(argv: string[]): RawFlags {
  const program = new Command('kiln-manager')
    .description('kiln manager: stores pipelines, schedules executions on delegates and collects their logs and events.')
    .option('--grpc-listen <HOST:PORT>', 'address of the gRPC API for delegates and the CLI (port 0 picks a free port)', '127.0.0.1:7443')
    .option('--http-listen <HOST:PORT>', 'address of /healthz, /readyz, /metrics and the web UI (port 0 picks a free port)', '127.0.0.1:8080')
    .option('--data-dir <DIR>', 'directory of the SQLite database kiln.db (required)')
    .option('--nats-url <URL>', 'NATS server(s) the manager consumes logs and events from, comma-separated', 'nats://127.0.0.1:4222')
    .option('--nats-public-url <URL>', 'NATS server(s) sent to delegates on Register (default: --nats-url)')
    .option('--poll-timeout <DURATION>', 'how long an AcquireTask long poll waits for work, e.g. 30s', '30s')
    .option('--offer-ack-deadline <DURATION>', 'how long a delegate has to accept an offered task before it is queued again', '15s')
    .option('--lease-ttl <DURATION>', 'lease time of a running task; delegates renew it every third of it', '60s')
    .option('--heartbeat-timeout <DURATION>', 'a delegate without a heartbeat for this long is lost and its tasks\' attempts end as lost; delegates heartbeat every third of it', '15s')
    .option('--queue-ttl <DURATION>', 'a task waiting in the queue longer than this ends its execution as Expired', '24h')
    .option('--tls-cert <FILE>', 'PEM certificate chain; with --tls-key, gRPC and HTTP are served over TLS')
    .option('--tls-key <FILE>', 'PEM private key of --tls-cert')
    .option('--client-ca <FILE>', 'PEM CA bundle: gRPC clients (delegates and the CLI) must present a certificate it signed (mutual TLS)')
    .option('--allow-plaintext', 'listen without TLS on a non-loopback address (only behind a TLS proxy or on a private network)')
    .option('--nats-user <USER>', 'NATS user the manager connects as (with --nats-password-file)')
    .option('--nats-password-file <FILE>', 'file that contains the password of --nats-user')
    .option('--log-level <LEVEL>', 'fatal, error, warn, info, debug, trace or silent', 'info')
    .addHelpText('after', '\nEnvironment:\n  KILN_DELEGATE_TOKEN  token delegates register with (required)\n  KILN_API_TOKEN       token the kiln CLI sends (required)')
    .parse(argv);
  return program.opts<RawFlags>();
}

/** Wires SIGINT and SIGTERM: the first signal stops gracefully, a second one exits at once. */
function handleSignals(manager: KilnManager, logger: Logger): void {
  let received = 0;
  const onSignal = (signal: NodeJS.Signals): void => {
    received += 1;
    if (received > 1) {
      logger.warn({ signal }, 'second signal received; exiting without waiting for shutdown');
      process.exit(1);
    }
    logger.info({ signal }, 'shutting down');
    manager.stop().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
}

async function main(): Promise<void> {
  let options: ManagerOptions;
  try {
    options = parseOptions(readFlags(process.argv), process.env);
  } catch (error) {
    process.stderr.write(`kiln-manager: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  }
  const logger = pino({ level: options.logLevel, base: { service: 'kiln-manager' } });
  const manager = new KilnManager(options, logger, new Registry());
  handleSignals(manager, logger);
  try {
    await manager.start();
  } catch (error) {
    logger.fatal({ err: error, code: isKilnError(error) ? error.code : undefined }, 'manager failed to start');
    await manager.stop().catch(() => undefined);
    process.exit(1);
  }
}

void main();
