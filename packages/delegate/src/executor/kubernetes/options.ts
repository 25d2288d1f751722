import type { KubeConfig } from '@kubernetes/client-node';
import type { Logger } from 'pino';
import type { DelegateMetrics } from '../../metrics.js';
import type { Publisher } from '../../nats/jetstream-publisher.js';
import type { SecretStore } from '../../secrets/secret-store.js';

/**
 * kaniko executor image, pinned by digest. gcr.io/kaniko-project/executor
 * v1.23.2 is the last release whose digest we have from two independent
 * public sources.
 * NOTE: the digest was not pulled from this machine (no registry is reachable
 * here); verify it with `crane digest` before a production install.
 */
export const DEFAULT_KANIKO_IMAGE = 'gcr.io/kaniko-project/executor:v1.23.2@sha256:9e69fd4330ec887829c780f5126dd80edc663df6def362cd22e79bcdf00ac53f';

/**
 * Image of the clone init container: it needs `git` and a POSIX `sh`.
 * NOTE: the digest comes from a public Dockerfile and was not pulled here.
 */
export const DEFAULT_CLONE_IMAGE = 'alpine/git:v2.45.2@sha256:16ad8e788e1d3b0c30f18da8dde5c0ace3b187445a62d8af893b003ca1e70592';

/** Time a pod may stay unschedulable or fail to pull an image before the stage fails, as Harness's Initialize step (8 minutes). */
export const DEFAULT_INIT_TIMEOUT_MS = 8 * 60_000;

/** Settings of the kubernetes executor that a delegate operator chooses. */
export interface KubernetesSettings {
  /** Namespace of build pods when the stage infrastructure names none; default `default`. */
  namespace?: string;
  /** Path of a kubeconfig file. Without it the executor uses the pod's service account when it runs in a cluster, else `~/.kube/config`. */
  kubeconfig?: string;
  /** Forces the in-cluster service account even when KUBERNETES_SERVICE_HOST is unset. */
  inCluster?: boolean;
  /** kaniko image for BuildAndPush steps, pinned by digest; default {@link DEFAULT_KANIKO_IMAGE}. */
  kanikoImage?: string;
  /** Image of the clone init container; default {@link DEFAULT_CLONE_IMAGE}. */
  cloneImage?: string;
  /** Milliseconds a pod may stay unschedulable or in ImagePullBackOff before the stage fails; default 8 minutes. */
  initTimeoutMs?: number;
  /** Name of this delegate, written to pod labels so that a restarted delegate finds its pods. */
  delegateName: string;
  /** Host name of this delegate process (the pod name in a cluster); pods carry it to tell replicas apart. */
  delegateHost?: string;
}

/** Everything {@link createKubernetesExecutor} needs: the operator's settings plus the delegate's shared services. */
export interface KubernetesExecutorOptions extends KubernetesSettings {
  secrets: SecretStore;
  publisher: Publisher;
  logger: Logger;
  metrics: DelegateMetrics;
  /** Grace period given to a step container when its pod is deleted (cancel), in milliseconds. */
  killGracePeriodMs: number;
  /** Batch settings from the Register reply. */
  logFlush: () => { intervalMs: number; bytes: number };
  /** A ready KubeConfig, used instead of `kubeconfig`/`inCluster`; tests point it at a fake API server. */
  kubeConfig?: KubeConfig;
  /** How often a waiting executor re-checks a pod without a watch event, in milliseconds; default 1000. */
  recheckIntervalMs?: number;
}

/** Options after defaults were applied. */
export type ResolvedKubernetesOptions = Required<Omit<KubernetesExecutorOptions, 'kubeconfig' | 'inCluster' | 'kubeConfig'>> & Pick<KubernetesExecutorOptions, 'kubeconfig' | 'inCluster' | 'kubeConfig'>;

export function resolveOptions(options: KubernetesExecutorOptions): ResolvedKubernetesOptions {
  return {
    ...options,
    namespace: options.namespace ?? 'default',
    kanikoImage: options.kanikoImage ?? DEFAULT_KANIKO_IMAGE,
    cloneImage: options.cloneImage ?? DEFAULT_CLONE_IMAGE,
    initTimeoutMs: options.initTimeoutMs ?? DEFAULT_INIT_TIMEOUT_MS,
    delegateHost: options.delegateHost ?? process.env.HOSTNAME ?? 'unknown',
    recheckIntervalMs: options.recheckIntervalMs ?? 1000,
  };
}
