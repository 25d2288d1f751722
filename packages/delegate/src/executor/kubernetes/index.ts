import { KubeApi, loadKubeConfig } from './kube-api.js';
import { KubernetesExecutor } from './kubernetes-executor.js';
import { reconcileLeftoverPods, resumeAdoptedPod, type AdoptedPod } from './leftover-pods.js';
import { resolveOptions, type KubernetesExecutorOptions } from './options.js';
import type { TaskScope, Status } from '@kiln/protocol';

export { KubernetesExecutor, type PreparedPod } from './kubernetes-executor.js';
export { DEFAULT_CLONE_IMAGE, DEFAULT_INIT_TIMEOUT_MS, DEFAULT_KANIKO_IMAGE, type KubernetesExecutorOptions, type KubernetesSettings } from './options.js';
export type { AdoptedPod } from './leftover-pods.js';

/** The kubernetes executor with the start-up recovery of leftover pods. */
export interface KubernetesExecutorHandle {
  /** Implements the task loop's TaskExecutor. */
  executor: KubernetesExecutor;
  /**
   * Lists this delegate's build pods in `namespaces` (default: the configured
   * namespace), deletes those whose lease `isLeaseValid` rejects, and returns
   * those to adopt.
   */
  reconcileLeftoverPods(isLeaseValid: (scope: TaskScope) => Promise<boolean>, namespaces?: string[]): Promise<AdoptedPod[]>;
  /** Follows an adopted pod to its end, publishing its steps and stage.finished; the caller keeps its lease renewed. */
  resume(adopted: AdoptedPod, run: { signal: AbortSignal; abandonSignal: AbortSignal }): Promise<Status>;
}

/**
 * Creates the kubernetes executor. Credentials come from `kubeConfig`, else
 * the `kubeconfig` file, else the in-cluster service account, else ~/.kube/config.
 * @throws KilnError INVALID_ARGUMENT when the credentials cannot be loaded.
 */
export function createKubernetesExecutor(options: KubernetesExecutorOptions): KubernetesExecutorHandle {
  const resolved = resolveOptions(options);
  const api = new KubeApi(options.kubeConfig ?? loadKubeConfig(options));
  const executor = new KubernetesExecutor(resolved, api);
  return {
    executor,
    reconcileLeftoverPods: (isLeaseValid, namespaces) => reconcileLeftoverPods(api, {
      namespaces: namespaces ?? [resolved.namespace], delegateName: resolved.delegateName, delegateHost: resolved.delegateHost, logger: resolved.logger, isLeaseValid,
    }),
    resume: (adopted, run) => resumeAdoptedPod(executor, api, adopted, { ...run, publisher: resolved.publisher, logger: resolved.logger }),
  };
}
