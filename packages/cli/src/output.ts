import type { OutputFormat } from './options.js';

/**
 * Destination of everything the CLI prints. Commands print only through this
 * interface, and createConsoleOutput is the one place that writes to the
 * process's stdout and stderr.
 */
export interface Output {
  /** Prints one line of text on stdout. */
  line(text: string): void;
  /** Prints a value as indented JSON on stdout. */
  json(value: unknown): void;
  /** Prints a value as one line of JSON on stdout, for streams (NDJSON). */
  jsonLine(value: unknown): void;
  /** Prints one line on stderr. */
  error(text: string): void;
}

/** Settings each command receives with its output. */
export interface OutputContext {
  output: Output;
  format: OutputFormat;
}

/** Output to the process's stdout and stderr. A closed stdout (`kiln logs | head`) ends output quietly. */
export function createConsoleOutput(): Output {
  let stdoutClosed = false;
  process.stdout.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code !== 'EPIPE') throw error;
    stdoutClosed = true;
  });
  const write = (text: string): void => {
    if (!stdoutClosed) process.stdout.write(`${text}\n`);
  };
  return {
    line: write,
    json: (value) => write(JSON.stringify(value, null, 2)),
    jsonLine: (value) => write(JSON.stringify(value)),
    error: (text) => {
      process.stderr.write(`${text}\n`);
    },
  };
}

/** Output kept in memory, for tests and for embedding the CLI. */
export class MemoryOutput implements Output {
  readonly stdout: string[] = [];
  readonly stderr: string[] = [];

  line(text: string): void {
    this.stdout.push(...text.split('\n'));
  }

  json(value: unknown): void {
    this.line(JSON.stringify(value, null, 2));
  }

  jsonLine(value: unknown): void {
    this.stdout.push(JSON.stringify(value));
  }

  error(text: string): void {
    this.stderr.push(...text.split('\n'));
  }

  /** Returns stdout as one string, lines joined by newlines. */
  get text(): string {
    return this.stdout.join('\n');
  }
}
