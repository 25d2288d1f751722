import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { DELEGATE_BIN, waitForRegistration, type Delegate, type Manager } from './kiln.js';
import { startProcess } from './process.js';

export interface ConfiguredDelegateOptions {
  name: string;
  manager: Manager;
  tags: string[];
  /** Secrets the delegate resolves, by reference. */
  secrets?: Record<string, string>;
  /** Extra top-level YAML lines of the delegate config, e.g. a `registries:` section. */
  extraConfig?: string[];
  /** `builder:` section lines; default buildah with vfs and chroot. */
  builder?: string[];
}

/** Writes a delegate config with extra sections (registries, builder) under `dir/<name>` and starts kiln-delegate with it. */
export async function startConfiguredDelegate(dir: string, options: ConfiguredDelegateOptions): Promise<Delegate> {
  const workDir = join(dir, options.name);
  await mkdir(workDir, { recursive: true });
  const tokenFile = join(workDir, 'token');
  await writeFile(tokenFile, `${options.manager.delegateToken}\n`, { mode: 0o600 });
  const secrets = Object.entries(options.secrets ?? {}).map(([ref, value]) => `  ${ref}:\n    value: ${JSON.stringify(value)}`);
  const config = [
    `manager: ${options.manager.grpc}`,
    `tokenFile: ${tokenFile}`,
    `name: ${options.name}`,
    `tags: [${options.tags.join(', ')}]`,
    'capacity: 1',
    `workDir: ${join(workDir, 'work')}`,
    'healthListen: 127.0.0.1:0',
    'builder:',
    ...(options.builder ?? ['  type: buildah', '  storageDriver: vfs', '  isolation: chroot']),
    ...(secrets.length > 0 ? ['secrets:', ...secrets] : []),
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
