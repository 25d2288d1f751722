import { randomBytes } from 'node:crypto';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { pushBaseImage } from './images.js';
import { createRepository, sampleAppFiles, type SampleRepository } from './git-repo.js';
import { startDelegate, startManager, type Delegate, type Manager } from './kiln.js';
import { startSecuredNats } from './security.js';
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
  /** Folder of the NATS password files (`<user>.password`) when the stack started with `natsUsers`. */
  natsSecretsDir?: string;
  stop(): Promise<void>;
}

export interface StackOptions {
  /** Called before each component starts, e.g. to print progress. */
  onStep?: (message: string) => void;
  delegates?: number;
  registryPort?: number;
  /**
   * Run NATS with the users of scripts/nats-config.mjs: the manager connects as `manager`, each delegate local-N as
   * `delegate-local-N`, which may subscribe only to its own control subject. Default false: NATS without users.
   */
  natsUsers?: boolean;
  /** Secrets every delegate resolves, by reference, besides `account.local_registry_password`. */
  secrets?: Record<string, string>;
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
    const delegateNames = Array.from({ length: options.delegates ?? 1 }, (_, index) => `local-${index + 1}`);
    const { nats, secretsDir } = await startStackNats(dir, options.natsUsers === true ? delegateNames : undefined, step);
    started.push(nats.process);
    const natsUser = (user: string) => (secretsDir === undefined ? undefined : { user, passwordFile: join(secretsDir, `${user}.password`) });
    const managerNats = natsUser('manager');

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
    const extraArgs = managerNats === undefined ? [] : ['--nats-user', managerNats.user, '--nats-password-file', managerNats.passwordFile];
    const manager = await startManager(dir, { natsUrl: nats.url, ...tokens, extraArgs });
    started.push(manager.process);

    const delegates: Delegate[] = [];
    for (const name of delegateNames) {
      step(`starting kiln-delegate ${name}`);
      const delegate = await startDelegate(dir, {
        name,
        manager,
        tags: ['local'],
        secrets: { ...options.secrets, 'account.local_registry_password': password },
        nats: natsUser(`delegate-${name}`),
      });
      started.push(delegate.process);
      delegates.push(delegate);
    }
    return { dir, nats, registry, baseImage, repository, manager, delegates, natsSecretsDir: secretsDir, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}

/** Starts nats-server without users, or with the users of scripts/nats-config.mjs for `delegateNames` when given. */
async function startStackNats(dir: string, delegateNames: string[] | undefined, step: (message: string) => void): Promise<{ nats: NatsServer; secretsDir?: string }> {
  if (delegateNames === undefined) {
    step('starting nats-server with JetStream');
    return { nats: await startNats(dir) };
  }
  step('starting nats-server with JetStream and one NATS user per kiln role (scripts/nats-config.mjs)');
  const secured = await startSecuredNats(dir, delegateNames);
  const port = Number(new URL(secured.url).port);
  return { nats: { url: secured.url, port, process: secured.process }, secretsDir: secured.secretsDir };
}
