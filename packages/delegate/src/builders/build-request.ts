/** Transport settings of one registry a build talks to, merged from the connector, the delegate config and PLUGIN_* settings. */
export interface RegistryTransport {
  /** `host[:port]`; Docker Hub is `docker.io`. */
  host: string;
  /** Plain HTTP (kaniko `--insecure-registry`, buildah registries.conf `insecure`). */
  insecure: boolean;
  /** HTTPS without certificate verification (kaniko `--skip-tls-verify-registry`). */
  skipTlsVerify: boolean;
  /** PEM CA bundle that signs the registry's certificate (kaniko `--registry-certificate`, buildah `--cert-dir`). */
  caFile?: string;
}

/** Transport settings that apply to every registry of one direction, as the kaniko plugin's PLUGIN_* settings give them. */
export interface TransportFlags {
  skipTlsVerify: boolean;
  skipTlsVerifyPull: boolean;
  insecure: boolean;
  insecurePull: boolean;
}

/** Flags without an equivalent in the request model that only kaniko understands, e.g. `--verbosity=debug`. */
export type KanikoPassthrough = string[];

/**
 * One image build, independent of the builder: it renders to kaniko
 * executor argv or to buildah argv plus a registries.conf. Paths are
 * absolute and already checked to stay inside the workspace.
 */
export interface BuildRequest {
  /** Step type, e.g. BuildAndPushECR; error messages name it. */
  stepType: string;
  /** Registry host the image is pushed to, e.g. `123.dkr.ecr.us-east-1.amazonaws.com`. */
  registry: string;
  /** Repository path without the registry host, e.g. `team/app`. */
  repository: string;
  tags: string[];
  /** The task workspace; kaniko runs in it so that relative PLUGIN_* paths resolve there. */
  workspace: string;
  dockerfile: string;
  context: string;
  labels: Record<string, string>;
  /** One `--build-arg K=V` each; values are never split on commas. */
  buildArgs: Record<string, string>;
  target?: string;
  /** Build only the stages the target needs (kaniko `--skip-unused-stages`). */
  skipUnusedStages: boolean;
  /** kaniko `--snapshot-mode`; `redo` when the step's `optimize` is true (its default). */
  snapshotMode?: string;
  /** Remote layer cache: full repository reference `host/path` and an optional TTL such as `336h`. */
  cache?: { repository: string; ttl?: string };
  /** Build only: no push, and artifacts are reported with `pushed: false`. */
  noPush: boolean;
  /** Also write a docker-archive tarball here. */
  tarPath?: string;
  /** `os/arch[/variant]`. */
  platform?: string;
  /** Retries of each push (and pulls for buildah) after a transient failure. */
  pushRetry: number;
  /** Blanket transport flags from PLUGIN_SKIP_TLS_VERIFY(_PULL) and PLUGIN_INSECURE(_PULL): push or pull, every registry. */
  transportFlags: TransportFlags;
  /** Every registry the build pushes to or pulls from, with its transport settings. */
  registries: RegistryTransport[];
  /** Pull-through mirrors of docker.io, `host[/path]`. */
  mirrors: string[];
  /** Directory holding `config.json` with the registry credentials (DOCKER_CONFIG). */
  dockerConfigDir: string;
  /** Extra environment of the builder process, e.g. AWS_* keys for the ecr-login credential helper. */
  builderEnv: Record<string, string>;
  /** Where the credentials of each registry host come from, for error messages; never the secret. */
  credentialSources: Record<string, string>;
  /** PLUGIN_* settings rendered as kaniko flags that the model does not cover. */
  kanikoPassthrough: KanikoPassthrough;
}

/** `host/repository:tag` for each tag. */
export function destinations(request: Pick<BuildRequest, 'registry' | 'repository' | 'tags'>): string[] {
  return request.tags.map((tag) => `${request.registry}/${request.repository}:${tag}`);
}

/** Returns the transport settings of `host`, or defaults (HTTPS with verification) when the request has none. */
export function transportOf(request: Pick<BuildRequest, 'registries'>, host: string): RegistryTransport {
  return request.registries.find((registry) => registry.host === host) ?? { host, insecure: false, skipTlsVerify: false };
}

/** Describes the credential source of `host` for an error message. */
export function credentialSourceOf(request: Pick<BuildRequest, 'credentialSources'>, host: string): string {
  return request.credentialSources[host] ?? 'no credentials (anonymous access)';
}
