import { Command } from 'commander';
import type { DelegateFlags } from './delegate-config.js';

/** Parses kiln-delegate's command line; `--help` and unknown flags end the process through commander (exit 1 on errors). */
export function parseDelegateFlags(argv: string[], version: string): DelegateFlags {
  const program = new Command('kiln-delegate')
    .description('Runs kiln CI stage tasks: registers with the manager, clones code, runs steps and builds images with kaniko or buildah.')
    .version(version)
    .option('--config <file>', 'YAML config file (manager, token or tokenFile, name, tags, capacity, workDir, healthListen, nats, executor, builder, registries, secrets)')
    .option('--manager <host:port>', 'manager gRPC address (default 127.0.0.1:7443)')
    .option('--name <name>', 'delegate name shown by `kiln delegates` (default the host name)')
    .option('--tags <a,b>', 'comma-separated tags matched against delegate selectors')
    .option('--capacity <n>', 'number of tasks run at the same time (default 1)')
    .option('--work-dir <dir>', 'directory for task workspaces and buildah storage (default /var/lib/kiln-delegate)')
    .option('--health-listen <host:port>', 'address of /healthz, /readyz and /metrics (default 127.0.0.1:3460)')
    .option('--log-level <level>', 'fatal, error, warn, info, debug, trace or silent (default info)')
    .addHelpText('after', '\nThe token comes from "token" or "tokenFile" in the config file, or the environment variable KILN_DELEGATE_TOKEN.')
    .showHelpAfterError()
    .parse(argv);
  return program.opts<DelegateFlags>();
}
