import { createInterface } from 'node:readline';
import type { Readable } from 'node:stream';
import { execa } from 'execa';

export type LineSink = (stream: 'stdout' | 'stderr', text: string) => void;

export interface RunProcessOptions {
  command: string;
  args: readonly string[];
  cwd: string;
  /** The whole environment of the process; the delegate's own environment is not inherited. */
  env: Record<string, string>;
  onLine: LineSink;
  /** Stops the process group: SIGTERM, then SIGKILL after `killGracePeriodMs`. */
  signal: AbortSignal;
  killGracePeriodMs: number;
}

export interface ProcessResult {
  /** Exit code, undefined when the process was killed by a signal or did not start. */
  exitCode: number | undefined;
  /** Name of the signal that ended the process, if one did. */
  signal: string | undefined;
  /** True when `signal` aborted while the process ran. */
  aborted: boolean;
  /** Reason the process could not start (e.g. ENOENT), if it did not. */
  startError: string | undefined;
}

function killGroup(pid: number | undefined, signal: NodeJS.Signals): void {
  if (pid === undefined) return;
  try {
    process.kill(-pid, signal);
  } catch {
    // The group is already gone.
  }
}

function readLines(stream: Readable | null, name: 'stdout' | 'stderr', onLine: LineSink): Promise<void> {
  if (stream === null) return Promise.resolve();
  const lines = createInterface({ input: stream, crlfDelay: Infinity });
  lines.on('line', (line) => onLine(name, line));
  return new Promise((resolve) => lines.once('close', resolve));
}

/**
 * Runs a command with an argument array (never through a shell of ours) in
 * its own process group, and passes each stdout and stderr line to `onLine`.
 * When the command exits, whatever it left running in its group is killed, so
 * that a background process cannot hold the step open.
 */
export async function runProcess(options: RunProcessOptions): Promise<ProcessResult> {
  const subprocess = execa(options.command, [...options.args], {
    cwd: options.cwd,
    env: options.env,
    extendEnv: false,
    detached: true,
    stdin: 'ignore',
    buffer: false,
    reject: false,
  });
  let aborted = false;
  let killTimer: NodeJS.Timeout | undefined;
  const onAbort = (): void => {
    aborted = true;
    killGroup(subprocess.pid, 'SIGTERM');
    killTimer = setTimeout(() => killGroup(subprocess.pid, 'SIGKILL'), options.killGracePeriodMs);
    killTimer.unref();
  };
  if (options.signal.aborted) onAbort();
  else options.signal.addEventListener('abort', onAbort, { once: true });

  const stdout = readLines(subprocess.stdout, 'stdout', options.onLine);
  const stderr = readLines(subprocess.stderr, 'stderr', options.onLine);
  const result = await subprocess;
  options.signal.removeEventListener('abort', onAbort);
  killGroup(subprocess.pid, 'SIGKILL');
  clearTimeout(killTimer);
  await Promise.all([stdout, stderr]);

  const startError = result.exitCode === undefined && result.signal === undefined ? result.shortMessage : undefined;
  return { exitCode: result.exitCode, signal: result.signal, aborted, startError };
}
