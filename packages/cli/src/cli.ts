import { readFileSync } from 'node:fs';
import { Command, CommanderError } from 'commander';
import { registerApplyCommand } from './commands/apply.js';
import { registerAuditCommand } from './commands/audit.js';
import { registerCancelCommand } from './commands/cancel.js';
import { registerDelegateInstallCommand } from './commands/delegate-install.js';
import { registerDelegatesCommand } from './commands/delegates.js';
import { registerExecutionsCommand } from './commands/executions.js';
import { registerGetCommand } from './commands/get.js';
import { registerLogsCommand } from './commands/logs.js';
import { registerPipelinesCommand } from './commands/pipelines.js';
import { registerRunCommand } from './commands/run.js';
import { registerTokenCommand } from './commands/token.js';
import { registerValidateCommand } from './commands/validate.js';
import { CommandContext, defaultClientFactory, type ClientFactory } from './context.js';
import { reportError } from './error-report.js';
import { DEFAULT_MANAGER_ADDRESS, parseGlobalOptions, type RawGlobalOptions } from './options.js';
import type { Output } from './output.js';
import type { FollowTiming } from './reconnect.js';

/** Environment of runCli: main.ts passes the process's env, console output and Ctrl-C signal. */
export interface CliEnvironment {
  env: NodeJS.ProcessEnv;
  output: Output;
  /** Aborts a followed log stream or wait, e.g. on Ctrl-C. */
  signal?: AbortSignal;
  /** Clock in epoch milliseconds for durations and ages; default Date.now. */
  now?: () => number;
  createClient?: ClientFactory;
  /** Reconnect and polling intervals of `--follow` and `--wait`; defaults suit people, tests shorten them. */
  followTiming?: FollowTiming;
}

function readVersion(): string {
  const manifest = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version?: string };
  return manifest.version ?? 'unknown';
}

/** Builds the commander program with the global options and every command. */
export function buildProgram(context: CommandContext, env: NodeJS.ProcessEnv): Command {
  const program = new Command('kiln')
    .description('kiln: apply pipelines, start executions and read their logs on a kiln manager')
    .version(readVersion(), '--version', 'print the CLI version')
    .option('--manager <HOST:PORT>', `manager gRPC address (env KILN_MANAGER, default ${DEFAULT_MANAGER_ADDRESS})`)
    .option('--token <TOKEN>', 'API token of the manager (env KILN_TOKEN)')
    .option('--output <FORMAT>', 'output format: text or json (default text)')
    .option('--ca-file <FILE>', 'PEM CA bundle that verifies the manager\'s TLS certificate; implies TLS (env KILN_CA_FILE)')
    .option('--tls', 'connect to the manager over TLS, verified with the system CA store')
    .option('--cert <FILE>', 'PEM client certificate for a manager that requires mutual TLS (env KILN_CERT_FILE)')
    .option('--key <FILE>', 'PEM private key of --cert (env KILN_KEY_FILE)')
    .exitOverride()
    .configureOutput({
      writeOut: (text) => context.output.line(text.trimEnd()),
      writeErr: (text) => context.output.error(text.trimEnd()),
    })
    .showHelpAfterError('(run kiln --help, or kiln COMMAND --help, for usage)')
    .hook('preAction', () => {
      context.setGlobals(parseGlobalOptions(program.opts<RawGlobalOptions>(), env));
    });

  registerApplyCommand(program, context);
  registerValidateCommand(program, context);
  registerRunCommand(program, context);
  registerLogsCommand(program, context);
  registerGetCommand(program, context);
  registerExecutionsCommand(program, context);
  registerDelegatesCommand(program, context);
  registerDelegateInstallCommand(program, context);
  registerPipelinesCommand(program, context);
  registerCancelCommand(program, context);
  registerTokenCommand(program, context);
  registerAuditCommand(program, context);
  return program;
}

/**
 * Runs the CLI with `argv` (the arguments after `kiln`) and returns the exit
 * code: 0 ok, 1 user error or failed execution, 2 manager unreachable, 130
 * interrupted while following.
 */
export async function runCli(argv: readonly string[], environment: CliEnvironment): Promise<number> {
  const context = new CommandContext({
    output: environment.output,
    signal: environment.signal ?? new AbortController().signal,
    now: environment.now ?? Date.now,
    createClient: environment.createClient ?? defaultClientFactory,
    followTiming: environment.followTiming,
  });
  const program = buildProgram(context, environment.env);
  try {
    await program.parseAsync([...argv], { from: 'user' });
    return context.exitCode;
  } catch (error) {
    // Commander has already printed its own usage errors and help.
    if (error instanceof CommanderError) return error.exitCode;
    return reportError(error, context.output, context.format);
  } finally {
    context.close();
  }
}
