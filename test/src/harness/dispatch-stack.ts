import { randomBytes } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fixedManagerAddresses, ManagerApi } from './dispatch.js';
import { kiln, startDelegate, startManager, type Delegate, type DelegateOptions, type Manager } from './kiln.js';
import { startNats, type NatsServer } from './services.js';

/**
 * nats-server, the manager and delegates on fixed loopback ports under `dir`,
 * so that a test can kill and restart each of them on the same port and data directory.
 */
export class DispatchStack {
  readonly delegates: Delegate[] = [];
  private api: ManagerApi | undefined;

  private constructor(
    readonly dir: string,
    public nats: NatsServer,
    public manager: Manager,
    private readonly addresses: { grpcListen: string; httpListen: string },
    private readonly managerArgs: string[],
  ) {}

  /** Starts nats-server and the manager; `managerArgs` are extra manager flags, e.g. `--queue-ttl 3s`. */
  static async start(dir: string, managerArgs: string[] = []): Promise<DispatchStack> {
    await mkdir(dir, { recursive: true });
    const nats = await startNats(dir);
    const addresses = await fixedManagerAddresses();
    const tokens = { apiToken: randomBytes(24).toString('base64url'), delegateToken: randomBytes(24).toString('base64url') };
    const manager = await startManager(dir, { natsUrl: nats.url, ...tokens, ...addresses, extraArgs: managerArgs });
    return new DispatchStack(dir, nats, manager, addresses, managerArgs);
  }

  /** Starts a delegate with capacity 1 and tag `local` unless `capacity` or `tags` is given. */
  async addDelegate(options: Omit<DelegateOptions, 'manager'>): Promise<Delegate> {
    const delegate = await startDelegate(this.dir, { capacity: 1, ...options, manager: this.manager });
    this.delegates.push(delegate);
    return delegate;
  }

  /** The ManagerService API of the current manager process. */
  get managerApi(): ManagerApi {
    this.api ??= new ManagerApi(this.manager);
    return this.api;
  }

  /** Applies YAML documents with `kiln apply`; throws with the CLI's stderr when it fails. */
  async apply(name: string, yaml: string): Promise<void> {
    const file = join(this.dir, name);
    await writeFile(file, yaml);
    const result = await kiln(this.manager, ['apply', '-f', file]);
    if (result.exitCode !== 0) throw new Error(`kiln apply -f ${file} exited ${result.exitCode}: ${String(result.stderr)}`);
  }

  /** Kills the manager with SIGKILL and starts it again on the same ports and data directory. */
  async restartManager(downMs: number): Promise<void> {
    this.manager.process.child.kill('SIGKILL');
    await this.manager.process.exited;
    this.api?.close();
    this.api = undefined;
    await new Promise((resolve) => setTimeout(resolve, downMs));
    const { apiToken, delegateToken } = this.manager;
    this.manager = await startManager(this.dir, { natsUrl: this.nats.url, apiToken, delegateToken, ...this.addresses, extraArgs: this.managerArgs });
  }

  /** Stops nats-server and starts it again on the same port and store directory after `downMs`. */
  async restartNats(downMs: number): Promise<void> {
    await this.nats.process.stop();
    await new Promise((resolve) => setTimeout(resolve, downMs));
    this.nats = await startNats(this.dir, this.nats.port);
  }

  /** Returns the log file of a delegate as written by the harness. */
  delegateLog(delegate: Delegate): Promise<string> {
    return readFile(join(this.dir, `${delegate.name}.log`), 'utf8');
  }

  /** Stops every process of the stack, delegates first. */
  async stop(): Promise<void> {
    this.api?.close();
    for (const delegate of [...this.delegates].reverse()) await delegate.process.stop(5_000);
    await this.manager.process.stop(5_000);
    await this.nats.process.stop(5_000);
  }
}
