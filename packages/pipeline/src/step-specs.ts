/** The spec of a `Run` step after parsing. Values may still hold delegate-side `<+...>` expressions. */
export interface RunStepSpec {
  command: string;
  /** Sh, Bash, Powershell, Pwsh or Python; Harness defaults to Sh. */
  shell?: string;
  image?: string;
  connectorRef?: string;
  envVariables?: Record<string, string>;
  outputVariables?: { name: string; type?: 'String' | 'Secret'; value?: string }[];
  privileged?: boolean;
  runAsUser?: number | string;
  resources?: { limits?: { cpu?: string; memory?: string } };
  imagePullPolicy?: 'Always' | 'Never' | 'IfNotPresent';
  reports?: { type: 'JUnit'; spec: { paths: string[] } };
}

/** The spec of a `Background` step: a Run step that keeps running beside the later steps. */
export interface BackgroundStepSpec extends Omit<RunStepSpec, 'command' | 'outputVariables'> {
  command?: string;
  entrypoint?: string[];
  portBindings?: Record<string, string>;
}

/** The spec of a `Plugin` step: `settings` become `PLUGIN_<KEY>` environment variables. */
export interface PluginStepSpec {
  image: string;
  connectorRef?: string;
  settings?: Record<string, unknown>;
  envVariables?: Record<string, string>;
  entrypoint?: string[];
  privileged?: boolean;
  runAsUser?: number | string;
  resources?: { limits?: { cpu?: string; memory?: string } };
  imagePullPolicy?: 'Always' | 'Never' | 'IfNotPresent';
  reports?: { type: 'JUnit'; spec: { paths: string[] } };
}

/** Fields all Build and Push step specs share. */
export interface BuildAndPushCommonSpec {
  connectorRef: string;
  tags: string[];
  /** Default `Dockerfile`. */
  dockerfile?: string;
  /** Default `.`. */
  context?: string;
  labels?: Record<string, string>;
  buildArgs?: Record<string, string>;
  target?: string;
  /** Harness defaults this to true (snapshot mode redo). */
  optimize?: boolean;
  envVariables?: Record<string, string>;
  runAsUser?: number | string;
  resources?: { limits?: { cpu?: string; memory?: string } };
  caching?: boolean;
  cacheFrom?: string[];
  cacheTo?: string;
  baseImageConnectorRefs?: string[] | string;
}

export interface BuildAndPushDockerRegistrySpec extends BuildAndPushCommonSpec {
  repo: string;
  remoteCacheRepo?: string;
  privileged?: boolean;
}

export interface BuildAndPushECRSpec extends BuildAndPushCommonSpec {
  region: string;
  account: string;
  imageName: string;
  remoteCacheImage?: string;
}

/** GCR and GAR share this shape; `host` is e.g. `gcr.io` or `us-docker.pkg.dev`. */
export interface BuildAndPushGCRSpec extends BuildAndPushCommonSpec {
  host: string;
  projectID: string;
  imageName: string;
  remoteCacheImage?: string;
}

export type BuildAndPushGARSpec = BuildAndPushGCRSpec;

export interface BuildAndPushACRSpec extends BuildAndPushCommonSpec {
  /** `NAME.azurecr.io/IMAGE`. */
  repository: string;
  subscriptionId?: string;
  remoteCacheImage?: string;
}
