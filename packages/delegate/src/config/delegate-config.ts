/** Where a secret value comes from: inline, a file (read at each use) or an environment variable. */
export type SecretSource = { value: string } | { file: string } | { env: string };

export type LogLevel = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';

export const LOG_LEVELS: readonly LogLevel[] = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];

export interface HostPort {
  host: string;
  port: number;
}

export type BuilderType = 'kaniko' | 'buildah' | 'auto';

/** How images are built: `auto` picks kaniko when `kanikoPath` exists, else buildah. */
export interface BuilderConfig {
  type: BuilderType;
  /** buildah executable name or path, default `buildah`. */
  path: string;
  /** kaniko executor path, default `/kaniko/executor`. */
  kanikoPath: string;
  /** `--storage-driver`, default `vfs` (works without fuse or overlay support). */
  storageDriver: string;
  /** `--isolation` of `buildah bud`, default `chroot`. */
  isolation: string;
}

/** Registry credentials as a user name and a secret reference resolved from `secrets:`. */
export interface RegistryAuthConfig {
  username?: string;
  usernameRef?: string;
  passwordRef: string;
}

/**
 * Delegate-held settings of one registry, keyed by `host[:port]` (`docker.io` for Docker Hub).
 * They apply to every build that pushes to or pulls from that host.
 */
export interface RegistryConfig {
  auth?: RegistryAuthConfig;
  /** Docker credential helper suffix, e.g. `ecr-login` runs `docker-credential-ecr-login`. */
  credHelper?: string;
  /** Absolute path of a PEM CA bundle that signs the registry's certificate. */
  ca?: string;
  /** Plain HTTP registry. */
  insecure: boolean;
  /** HTTPS without certificate verification. */
  skipTlsVerify: boolean;
  /** Pull without credentials is intended (public registry); satisfies the credential check for pulls. */
  anonymous: boolean;
  /** Mirrors tried before the registry itself when pulling (kaniko honours them for docker.io only). */
  mirrors: string[];
}

/** Where stage tasks run. Only `local` (processes on the delegate host) exists today. */
export type ExecutorType = 'local' | 'kubernetes';

/** The `kubernetes:` section: where and how the kubernetes executor creates build pods. */
export interface KubernetesConfig {
  /** Namespace of build pods when the stage infrastructure names none. */
  namespace?: string;
  /** Path of a kubeconfig file; without it the in-cluster service account, else ~/.kube/config. */
  kubeconfig?: string;
  /** kaniko image, pinned by digest. */
  kanikoImage?: string;
  /** Image of the clone init container. */
  cloneImage?: string;
  /** How long a pod may stay unschedulable or fail to pull an image, in milliseconds. */
  initTimeoutMs?: number;
}

/** TLS towards the manager: PEM contents and the files they came from. Without `ca` the system store verifies the manager. */
export interface ManagerTlsConfig {
  caFile?: string;
  ca?: string;
  /** Client certificate and key for mutual TLS; both or neither. */
  certFile?: string;
  cert?: string;
  keyFile?: string;
  key?: string;
}

/** NATS user of the delegate and its password, read from `nats.passwordFile`. */
export interface NatsAuthConfig {
  user: string;
  pass: string;
  passwordFile: string;
}

/** The delegate's settings after the config file, flags and environment were merged and validated. */
export interface DelegateConfig {
  /** Absolute path of the config file, when one was given; error messages name it. */
  configFile?: string;
  /** Manager gRPC address `HOST:PORT`, default 127.0.0.1:7443. */
  manager: string;
  /** Delegate registration token, exchanged for a session token on Register. */
  token: string;
  /** Where the token came from, for messages, e.g. `key "token" in /etc/kiln/d.yaml` or `environment variable KILN_DELEGATE_TOKEN`. */
  tokenSource?: string;
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
  /** NATS credentials; the manager's Register reply carries none. */
  natsAuth?: NatsAuthConfig;
  /** gRPC to the manager over TLS; undefined is plaintext, allowed to a loopback manager or with `allowPlaintext`. */
  tls?: ManagerTlsConfig;
  /** Plaintext gRPC to a non-loopback manager is allowed. */
  allowPlaintext: boolean;
  executor: ExecutorType;
  /** Settings of the kubernetes executor; read only when `executor` is `kubernetes`. */
  kubernetes: KubernetesConfig;
  builder: BuilderConfig;
  /** Registry settings by host. */
  registries: Record<string, RegistryConfig>;
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
