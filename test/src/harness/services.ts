import { connect } from 'node:net';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { execa } from 'execa';
import { freePort, startProcess, waitFor, type ManagedProcess } from './process.js';

export interface NatsServer {
  url: string;
  port: number;
  process: ManagedProcess;
}

function canConnect(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

/** Starts nats-server with JetStream on a free loopback port, storing in `dir/nats`. */
export async function startNats(dir: string, port?: number): Promise<NatsServer> {
  const storeDir = join(dir, 'nats');
  await mkdir(storeDir, { recursive: true });
  const natsPort = port ?? (await freePort());
  const nats = startProcess({
    name: 'nats-server',
    command: '/usr/sbin/nats-server',
    args: ['-js', '-sd', storeDir, '-a', '127.0.0.1', '-p', String(natsPort)],
    logFile: join(dir, 'nats.log'),
  });
  await waitFor('nats-server to accept connections', async () => ((await canConnect(natsPort)) ? true : undefined));
  return { url: `nats://127.0.0.1:${natsPort}`, port: natsPort, process: nats };
}

export interface Registry {
  /** host:port, e.g. 127.0.0.1:5000 */
  address: string;
  username?: string;
  password?: string;
  process: ManagedProcess;
}

export interface RegistryOptions {
  port?: number;
  /** Require these credentials (htpasswd with bcrypt). */
  credentials?: { username: string; password: string };
}

/** Starts Debian's docker-registry (distribution v2) on loopback with filesystem storage under `dir/registry`. */
export async function startRegistry(dir: string, options: RegistryOptions = {}): Promise<Registry> {
  const root = join(dir, 'registry');
  await mkdir(root, { recursive: true });
  const port = options.port ?? (await freePort());
  const lines = [
    'version: 0.1',
    'log:',
    '  level: warn',
    'storage:',
    '  filesystem:',
    `    rootdirectory: ${join(root, 'data')}`,
    '  delete:',
    '    enabled: true',
    'http:',
    `  addr: 127.0.0.1:${port}`,
  ];
  if (options.credentials) {
    // Cost 4 is bcrypt's minimum: the registry checks the password on every request.
    const { stdout } = await execa('htpasswd', ['-nbB', '-C', '4', options.credentials.username, options.credentials.password]);
    await writeFile(join(root, 'htpasswd'), `${stdout.trim()}\n`, { mode: 0o600 });
    lines.push('auth:', '  htpasswd:', '    realm: kiln', `    path: ${join(root, 'htpasswd')}`);
  }
  const configPath = join(root, 'config.yml');
  await writeFile(configPath, `${lines.join('\n')}\n`);
  const registry = startProcess({
    name: 'docker-registry',
    command: 'docker-registry',
    args: ['serve', configPath],
    logFile: join(dir, 'registry.log'),
  });
  const address = `127.0.0.1:${port}`;
  await waitFor('the registry to answer /v2/', async () => {
    const response = await fetch(`http://${address}/v2/`);
    return response.status === 200 || response.status === 401 ? true : undefined;
  });
  return { address, username: options.credentials?.username, password: options.credentials?.password, process: registry };
}
