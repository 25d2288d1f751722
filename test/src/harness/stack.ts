import { randomBytes } from 'node:crypto';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { pushBaseImage } from './images.js';
import { createRepository, sampleAppFiles, type SampleRepository } from './git-repo.js';
import { startDelegate, startManager, type Delegate, type Manager } from './kiln.js';
import { startNats, startRegistry, type NatsServer, type Registry } from './services.js';

/** Password of the quickstart registry; the delegate resolves it as `account.local_registry_password`. */
export const REGISTRY_USER = 'kiln';

export interface Stack {
  dir: string;
  nats: NatsServer;
  registry: Registry;
  baseImage: string;
  repository: SampleRepository;
  manager: Manager;
  delegates: Delegate[];
  stop(): Promise<void>;
}

export interface StackOptions {
  /** Called before each component starts, e.g. to print progress. */
  onStep?: (message: string) => void;
  delegates?: number;
  registryPort?: number;
}

/**
 * Starts everything the quickstart needs on loopback under `dir`: nats-server with JetStream, a registry with
 * htpasswd credentials, a busybox base image in it, the sample app repository, the manager and delegates.
 */
export async function startStack(dir: string, options: StackOptions = {}): Promise<Stack> {
  const step = options.onStep ?? (() => undefined);
  await mkdir(dir, { recursive: true });
  const started: { stop(): Promise<void> }[] = [];
  const stop = async (): Promise<void> => {
    for (const component of started.reverse()) {
      await component.stop();
    }
  };
  try {
    step('starting nats-server with JetStream');
    const nats = await startNats(dir);
    started.push(nats.process);

    step('starting a registry with htpasswd authentication');
    const password = randomBytes(12).toString('base64url');
    const registry = await startRegistry(dir, { port: options.registryPort, credentials: { username: REGISTRY_USER, password } });
    started.push(registry.process);

    step('building a busybox base image and pushing it to the registry');
    const baseImage = await pushBaseImage(dir, registry);

    step('creating the sample app repository');
    const repository = await createRepository(join(dir, 'git'), 'sample-app', sampleAppFiles(baseImage));

    step('starting kiln-manager');
    const tokens = { apiToken: randomBytes(24).toString('base64url'), delegateToken: randomBytes(24).toString('base64url') };
    const manager = await startManager(dir, { natsUrl: nats.url, ...tokens });
    started.push(manager.process);

    const delegates: Delegate[] = [];
    for (let index = 1; index <= (options.delegates ?? 1); index += 1) {
      step(`starting kiln-delegate local-${index}`);
      const delegate = await startDelegate(dir, {
        name: `local-${index}`,
        manager,
        tags: ['local'],
        secrets: { 'account.local_registry_password': password },
      });
      started.push(delegate.process);
      delegates.push(delegate);
    }
    return { dir, nats, registry, baseImage, repository, manager, delegates, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}
