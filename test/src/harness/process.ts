import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { createServer } from 'node:net';
import { createInterface } from 'node:readline';

/** A child process started by the harness, stopped by its PID. */
export interface ManagedProcess {
  name: string;
  pid: number;
  child: ChildProcess;
  /** Resolves with the exit code (or the signal name) once the process has ended. */
  exited: Promise<number | string>;
  /** Sends SIGTERM, then SIGKILL after `graceMs`; resolves when the process has ended. */
  stop(graceMs?: number): Promise<void>;
  /** Calls `listener` with each later stdout line; the returned function removes it. */
  onLine(listener: (line: string) => void): () => void;
}

const running = new Set<ManagedProcess>();

export interface StartOptions {
  name: string;
  command: string;
  args: string[];
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  /** File that receives the process's stdout and stderr. */
  logFile: string;
  /** Called with each stdout line, e.g. to find a "listening" message. */
  onLine?: (line: string) => void;
}

/** Starts a process whose output goes to a log file; every such process is stopped by stopAll(). */
export function startProcess(options: StartOptions): ManagedProcess {
  const child = spawn(options.command, options.args, {
    cwd: options.cwd,
    env: options.env ?? process.env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  if (child.pid === undefined) {
    throw new Error(`${options.name}: failed to start ${options.command}`);
  }
  const log = createWriteStream(options.logFile, { flags: 'a' });
  child.stderr?.pipe(log, { end: false });
  // One reader for the process's whole life: closing a second readline interface would pause stdout,
  // and a child that fills the pipe then blocks on its next write.
  const listeners = new Set<(line: string) => void>();
  if (options.onLine) listeners.add(options.onLine);
  const lines = createInterface({ input: child.stdout! });
  lines.on('line', (line) => {
    if (!log.writableEnded) log.write(`${line}\n`);
    for (const listener of listeners) listener(line);
  });
  // 'close' comes after 'exit' once stdout and stderr are drained, so no line is written after end().
  child.once('close', () => log.end());
  const exited = new Promise<number | string>((resolve) => {
    child.once('exit', (code, signal) => resolve(code ?? signal ?? 'unknown'));
  });
  const managed: ManagedProcess = {
    name: options.name,
    pid: child.pid,
    child,
    exited,
    async stop(graceMs = 10_000) {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
        timer.unref();
        await exited;
        clearTimeout(timer);
      }
      running.delete(managed);
    },
    onLine(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
  running.add(managed);
  void exited.then(() => running.delete(managed));
  return managed;
}

/** Stops every process the harness started, newest first. */
export async function stopAll(): Promise<void> {
  const processes = [...running].reverse();
  for (const managed of processes) {
    await managed.stop();
  }
}

/** Returns a TCP port that was free on 127.0.0.1 a moment ago. */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/**
 * Polls `check` until it returns a value other than undefined, or throws after `timeoutMs`.
 * `describe` names the condition in the timeout error.
 */
export async function waitFor<T>(
  describe: string,
  check: () => Promise<T | undefined> | T | undefined,
  timeoutMs = 30_000,
  intervalMs = 50,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    try {
      const value = await check();
      if (value !== undefined) return value;
    } catch (error) {
      lastError = error;
    }
    if (Date.now() > deadline) {
      const reason = lastError instanceof Error ? `: ${lastError.message}` : '';
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${describe}${reason}`);
    }
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}

/** Resolves with the first stdout line for which `match` returns a value, or rejects when the process exits first. */
export function waitForLine<T>(managed: ManagedProcess, match: (line: string) => T | undefined, timeoutMs = 30_000): Promise<T> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      unsubscribe();
      reject(new Error(`${managed.name}: timed out after ${timeoutMs} ms waiting for its start message`));
    }, timeoutMs);
    timer.unref();
    const unsubscribe = managed.onLine((line) => {
      const value = match(line);
      if (value !== undefined) {
        clearTimeout(timer);
        unsubscribe();
        resolve(value);
      }
    });
    void managed.exited.then((code) => {
      clearTimeout(timer);
      unsubscribe();
      reject(new Error(`${managed.name} exited with ${code} before it was ready; see its log`));
    });
  });
}
