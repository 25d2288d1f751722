/** Where a secret value comes from: inline, a file (read at each use) or an environment variable. */
export type SecretSource = { value: string } | { file: string } | { env: string };

export type LogLevel = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';

export const LOG_LEVELS: readonly LogLevel[] = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];

export interface HostPort {
  host: string;
  port: number;
}

/** How images are built. Only buildah exists today; kaniko comes with the kubernetes executor. */
export interface BuilderConfig {
  type: 'buildah';
  /** Executable name or path, default `buildah`. */
  path: string;
  /** `--storage-driver`, default `vfs` (works without fuse or overlay support). */
  storageDriver: string;
  /** `--isolation` of `buildah bud`, default `chroot`. */
  isolation: string;
}

/** The delegate's settings after the config file, flags and environment were merged and validated. */
export interface DelegateConfig {
  /** Absolute path of the config file, when one was given; error messages name it. */
  configFile?: string;
  /** Manager gRPC address `HOST:PORT`, default 127.0.0.1:7443. */
  manager: string;
  /** Delegate registration token, exchanged for a session token on Register. */
  token: string;
  name: string;
  /** Tags matched against delegate selectors; a task goes only to delegates that carry all of them. */
  tags: string[];
  /** Number of tasks run at the same time, default 1. */
  capacity: number;
  /** Parent of the per-task directories and buildah storage. */
  workDir: string;
  /** Address of the /healthz, /readyz and /metrics server; port 0 picks a free port. */
  healthListen: HostPort;
  /** NATS servers that replace the ones the manager sends on Register. */
  natsServers?: string[];
  builder: BuilderConfig;
  /** Secret sources keyed by the reference as pipelines and connectors write it. */
  secrets: Record<string, SecretSource>;
  logLevel: LogLevel;
  /** How long a drain waits for running tasks before aborting them, default 5 minutes. */
  drainTimeoutMs: number;
  /** Time between SIGTERM and SIGKILL when a step's process group is stopped, default 10 seconds. */
  killGracePeriodMs: number;
  /** Keep the directory of a failed task for debugging instead of removing it, default false. */
  keepFailedWorkspaces: boolean;
}

/** Command-line flags as commander returns them; each overrides the config file key of the same meaning. */
export interface DelegateFlags {
  config?: string;
  manager?: string;
  name?: string;
  tags?: string;
  capacity?: string;
  workDir?: string;
  healthListen?: string;
  logLevel?: string;
}
