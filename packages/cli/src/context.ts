import { readFile } from 'node:fs/promises';
import { KilnError } from '@kiln/protocol';
import { usageError } from './errors.js';
import { ManagerClient } from './manager-client.js';
import type { GlobalOptions } from './options.js';
import type { Output } from './output.js';
import type { FollowTiming } from './reconnect.js';

/** Creates the manager client from validated options; tests replace it to set short deadlines. */
export type ClientFactory = (options: GlobalOptions & { token: string }) => ManagerClient;

/** Shared state of the commands: validated options, output, the manager client, the clock and the abort signal. */
export class CommandContext {
  readonly output: Output;
  readonly signal: AbortSignal;
  readonly now: () => number;
  /** Reconnect and polling intervals of `--follow` and `--wait`. */
  readonly followTiming: FollowTiming;
  /** Exit code a command sets without failing, e.g. `validate` with problems or a failed execution. */
  exitCode = 0;
  private options: GlobalOptions | undefined;
  private client: ManagerClient | undefined;
  private readonly createClient: ClientFactory;

  constructor(init: { output: Output; signal: AbortSignal; now: () => number; createClient: ClientFactory; followTiming?: FollowTiming | undefined }) {
    this.output = init.output;
    this.followTiming = init.followTiming ?? {};
    this.signal = init.signal;
    this.now = init.now;
    this.createClient = init.createClient;
  }

  /** Stores the global options once they are validated. */
  setGlobals(options: GlobalOptions): void {
    this.options = options;
  }

  /** Returns the validated global options; throws if called before validation. */
  get globals(): GlobalOptions {
    if (this.options === undefined) throw new Error('global options are read before they are validated');
    return this.options;
  }

  /** Returns the output format, `text` until the global options are validated. */
  get format(): GlobalOptions['output'] {
    return this.options?.output ?? 'text';
  }

  /** Returns the manager client, created on first use. Throws UNAUTHENTICATED when no token is set. */
  manager(): ManagerClient {
    if (this.client !== undefined) return this.client;
    const options = this.globals;
    if (options.token === undefined) {
      throw new KilnError('UNAUTHENTICATED', 'no API token is set for the kiln manager');
    }
    this.client = this.createClient({ ...options, token: options.token });
    return this.client;
  }

  /** Reads a file given with -f; a missing or unreadable file is a usage error naming the path. */
  async readInputFile(path: string): Promise<string> {
    try {
      return await readFile(path, 'utf8');
    } catch (error) {
      const reason = (error as NodeJS.ErrnoException).code ?? (error as Error).message;
      throw usageError(`cannot read file '${path}' (${reason})`, 'Check the path given to -f.');
    }
  }

  /** Closes the manager connection if one was opened. */
  close(): void {
    this.client?.close();
    this.client = undefined;
  }
}

/** Creates a ManagerClient with the default call deadline. */
export const defaultClientFactory: ClientFactory = (options) =>
  new ManagerClient({ address: options.manager, addressSource: options.managerSource, token: options.token, tls: options.tls });
