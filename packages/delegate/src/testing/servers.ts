import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';

/** Test helpers that start real servers on loopback ports and stop them by PID. */

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

/** Polls `condition` every 50 ms until it returns true or `timeoutMs` passes. */
export async function waitFor(condition: () => boolean | Promise<boolean>, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await condition()) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
}

async function canConnect(port: number): Promise<boolean> {
  const { connect } = await import('node:net');
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

export interface RunningServer {
  url: string;
  port: number;
  dir: string;
  stop(): Promise<void>;
}

async function startProcess(command: string, args: string[], port: number, dir: string, url: string): Promise<RunningServer> {
  const child: ChildProcess = spawn(command, args, { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  try {
    await waitFor(() => canConnect(port), 10_000, `${command} on port ${port} (${stderr.slice(-500)})`);
  } catch (error) {
    child.kill('SIGKILL');
    throw error;
  }
  return {
    url, port, dir,
    stop: async () => {
      if (child.exitCode === null && child.pid !== undefined) {
        const exited = new Promise((resolve) => child.once('exit', resolve));
        process.kill(child.pid, 'SIGTERM');
        await exited;
      }
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** Starts `nats-server -js` with a temporary store on a free loopback port. */
export async function startNatsServer(): Promise<RunningServer> {
  const dir = await mkdtemp(path.join(tmpdir(), 'delegate-nats-'));
  const port = await freePort();
  return startProcess('/usr/sbin/nats-server', ['-js', '-sd', dir, '-a', '127.0.0.1', '-p', String(port)], port, dir, `nats://127.0.0.1:${port}`);
}

/** Starts `docker-registry serve` with filesystem storage; with `htpasswd` set, pushes need those credentials. */
export async function startRegistry(options: { htpasswd?: string } = {}): Promise<RunningServer> {
  const dir = await mkdtemp(path.join(tmpdir(), 'delegate-registry-'));
  const port = await freePort();
  const auth = options.htpasswd === undefined ? '' : `auth:\n  htpasswd:\n    realm: kiln-test\n    path: ${path.join(dir, 'htpasswd')}\n`;
  if (options.htpasswd !== undefined) await writeFile(path.join(dir, 'htpasswd'), options.htpasswd);
  const config = `version: 0.1\nlog:\n  level: error\nstorage:\n  filesystem:\n    rootdirectory: ${path.join(dir, 'data')}\nhttp:\n  addr: 127.0.0.1:${port}\n${auth}`;
  await writeFile(path.join(dir, 'config.yml'), config);
  return startProcess('docker-registry', ['serve', path.join(dir, 'config.yml')], port, dir, `http://127.0.0.1:${port}`);
}
