import { mkdir, writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { execa } from 'execa';
import { startProcess, waitFor, waitForLine, type ManagedProcess } from './process.js';

/** Root of the repository, resolved from this module. */
export const REPO_ROOT = fileURLToPath(new URL('../../..', import.meta.url));
export const MANAGER_BIN = join(REPO_ROOT, 'packages/manager/dist/main.js');
export const DELEGATE_BIN = join(REPO_ROOT, 'packages/delegate/dist/main.js');
export const CLI_BIN = join(REPO_ROOT, 'packages/cli/dist/main.js');

export interface Manager {
  grpc: string;
  http: string;
  dataDir: string;
  apiToken: string;
  delegateToken: string;
  process: ManagedProcess;
}

export interface ManagerOptions {
  natsUrl: string;
  apiToken: string;
  delegateToken: string;
  /** Fixed listen addresses, e.g. to restart on the same ports; default 127.0.0.1:0. */
  grpcListen?: string;
  httpListen?: string;
  extraArgs?: string[];
  /** Options for node itself, e.g. `--cpu-prof`. */
  nodeArgs?: string[];
}

export function parseJsonLine(line: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(line);
    return typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

/** Starts kiln-manager with its data in `dir/manager` and waits for its `manager listening` message. */
export async function startManager(dir: string, options: ManagerOptions): Promise<Manager> {
  const dataDir = join(dir, 'manager');
  await mkdir(dataDir, { recursive: true });
  const manager = startProcess({
    name: 'kiln-manager',
    command: process.execPath,
    args: [
      ...(options.nodeArgs ?? []),
      MANAGER_BIN,
      '--data-dir',
      dataDir,
      '--grpc-listen',
      options.grpcListen ?? '127.0.0.1:0',
      '--http-listen',
      options.httpListen ?? '127.0.0.1:0',
      '--nats-url',
      options.natsUrl,
      ...(options.extraArgs ?? []),
    ],
    env: { ...process.env, KILN_API_TOKEN: options.apiToken, KILN_DELEGATE_TOKEN: options.delegateToken },
    logFile: join(dir, 'manager.log'),
  });
  const addresses = await waitForLine(manager, (line) => {
    const record = parseJsonLine(line);
    if (record?.msg === 'manager listening' && typeof record.grpc === 'string' && typeof record.http === 'string') {
      return { grpc: record.grpc, http: record.http };
    }
    return undefined;
  });
  await waitFor('the manager to be ready', async () => ((await fetch(`http://${addresses.http}/readyz`)).ok ? true : undefined));
  return { ...addresses, dataDir, apiToken: options.apiToken, delegateToken: options.delegateToken, process: manager };
}

export interface Delegate {
  name: string;
  id: string;
  /** HOST:PORT of its /healthz, /readyz and /metrics server. */
  health: string;
  configPath: string;
  workDir: string;
  process: ManagedProcess;
}

export interface DelegateOptions {
  name: string;
  manager: Manager;
  tags?: string[];
  capacity?: number;
  /** Secrets the delegate resolves, by reference. */
  secrets?: Record<string, string>;
  /** NATS user and password file for the delegate config's `nats:` section; without it the delegate connects anonymously. */
  nats?: { user: string; passwordFile: string };
  /** `builder:` section lines; default buildah with vfs and chroot. */
  builder?: string[];
  /** Extra top-level YAML lines of the delegate config, e.g. a `registries:` section. */
  extraConfig?: string[];
}

/** Waits for a starting kiln-delegate's `delegate registered` message; returns its id and health address. */
export async function waitForRegistration(delegate: ManagedProcess): Promise<{ id: string; health: string }> {
  let health = '';
  const stopListening = delegate.onLine((line) => {
    const record = parseJsonLine(line);
    if (record?.msg === 'health server listening' && typeof record.address === 'string') health = record.address;
  });
  const id = await waitForLine(delegate, (line) => {
    const record = parseJsonLine(line);
    return record?.msg === 'delegate registered' && typeof record.delegateId === 'string' ? record.delegateId : undefined;
  }).finally(stopListening);
  return { id, health };
}

/** Writes a delegate config file under `dir/<name>` and starts kiln-delegate with it. */
export async function startDelegate(dir: string, options: DelegateOptions): Promise<Delegate> {
  const workDir = join(dir, options.name);
  await mkdir(workDir, { recursive: true });
  const tokenFile = join(workDir, 'token');
  await writeFile(tokenFile, `${options.manager.delegateToken}\n`, { mode: 0o600 });
  const secrets = Object.entries(options.secrets ?? {}).map(([ref, value]) => `  ${ref}:\n    value: ${JSON.stringify(value)}`);
  const config = [
    `manager: ${options.manager.grpc}`,
    `tokenFile: ${tokenFile}`,
    `name: ${options.name}`,
    `tags: [${(options.tags ?? ['local']).join(', ')}]`,
    `capacity: ${options.capacity ?? 2}`,
    `workDir: ${join(workDir, 'work')}`,
    'healthListen: 127.0.0.1:0',
    'builder:',
    ...(options.builder ?? ['  type: buildah', '  storageDriver: vfs', '  isolation: chroot']),
    ...(secrets.length > 0 ? ['secrets:', ...secrets] : []),
    ...(options.nats ? ['nats:', `  user: ${options.nats.user}`, `  passwordFile: ${options.nats.passwordFile}`] : []),
    ...(options.extraConfig ?? []),
    '',
  ].join('\n');
  const configPath = join(workDir, 'delegate.yaml');
  await writeFile(configPath, config, { mode: 0o600 });
  const delegate = startProcess({
    name: `kiln-delegate ${options.name}`,
    command: process.execPath,
    args: [DELEGATE_BIN, '--config', configPath],
    logFile: join(dir, `${options.name}.log`),
  });
  const { id, health } = await waitForRegistration(delegate);
  return { name: options.name, id, health, configPath, workDir, process: delegate };
}

/** Runs the kiln CLI against `manager` and returns its result without throwing on a non-zero exit. */
export function kiln(manager: Manager, args: string[], options: { timeoutMs?: number } = {}) {
  return execa(process.execPath, [CLI_BIN, ...args], {
    env: { KILN_MANAGER: manager.grpc, KILN_TOKEN: manager.apiToken },
    reject: false,
    timeout: options.timeoutMs ?? 300_000,
    stripFinalNewline: false,
  });
}

/** Runs the kiln CLI with `--output json` and parses its stdout; throws with stderr when it fails. */
export async function kilnJson<T = Record<string, unknown>>(manager: Manager, args: string[]): Promise<T> {
  const result = await kiln(manager, ['--output', 'json', ...args]);
  if (result.exitCode !== 0) {
    throw new Error(`kiln ${args.join(' ')} exited ${result.exitCode}: ${String(result.stderr)}`);
  }
  return JSON.parse(String(result.stdout)) as T;
}
