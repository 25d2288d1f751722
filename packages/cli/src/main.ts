#!/usr/bin/env node
import { runCli } from './cli.js';
import { EXIT_INTERRUPTED } from './error-report.js';
import { createConsoleOutput } from './output.js';

/** Grace period after the first Ctrl-C, in milliseconds, to cancel the stream and print the execution's state. */
const INTERRUPT_GRACE_MS = 2000;

const controller = new AbortController();
process.on('SIGINT', () => {
  if (controller.signal.aborted) process.exit(EXIT_INTERRUPTED);
  controller.abort();
  setTimeout(() => process.exit(EXIT_INTERRUPTED), INTERRUPT_GRACE_MS).unref();
});

process.exitCode = await runCli(process.argv.slice(2), {
  env: process.env,
  output: createConsoleOutput(),
  signal: controller.signal,
});
