import type { V1Pod } from '@kubernetes/client-node';
import type { Status, TaskScope } from '@kiln/protocol';
import type { Logger } from 'pino';
import { EventPublisher } from '../../nats/event-publisher.js';
import { SecretMasker } from '../../secrets/secret-masker.js';
import type { KubeApi } from './kube-api.js';
import type { KubernetesExecutor, PreparedPod } from './kubernetes-executor.js';
import { stageStatus } from './kubernetes-executor.js';
import { ANNOTATIONS, LABELS, MANAGED_BY, labelValue, taskSelector } from './pod-names.js';
import type { StepAnnotation } from './pod-spec.js';
import { PodProgress } from './pod-steps.js';

/** A build pod left by an earlier run of this delegate whose lease the manager still honours. */
export interface AdoptedPod {
  scope: TaskScope;
  namespace: string;
  podName: string;
  steps: StepAnnotation[];
}

function scopeOf(pod: V1Pod): TaskScope | undefined {
  const annotations = pod.metadata?.annotations ?? {};
  const taskId = annotations[ANNOTATIONS.taskId];
  const leaseId = annotations[ANNOTATIONS.leaseId];
  const executionId = annotations[ANNOTATIONS.executionId];
  const stageId = annotations[ANNOTATIONS.stageId];
  const attempt = Number(annotations[ANNOTATIONS.attempt]);
  if (taskId === undefined || leaseId === undefined || executionId === undefined || stageId === undefined || !Number.isInteger(attempt)) return undefined;
  return { taskId, attempt, leaseId, executionId, stageId };
}

function stepsOf(pod: V1Pod): StepAnnotation[] | undefined {
  try {
    return JSON.parse(pod.metadata?.annotations?.[ANNOTATIONS.steps] ?? '') as StepAnnotation[];
  } catch {
    return undefined;
  }
}

/**
 * Looks for this delegate's build pods in `namespaces` at start. A pod whose
 * lease `isLeaseValid` confirms and that this process (same host name)
 * created is returned for adoption. A pod whose lease is no longer valid is
 * deleted with its Secrets. A pod of a sibling replica with a valid lease is
 * left alone.
 */
export async function reconcileLeftoverPods(api: KubeApi, options: {
  namespaces: string[]; delegateName: string; delegateHost: string; logger: Logger;
  isLeaseValid: (scope: TaskScope) => Promise<boolean>;
}): Promise<AdoptedPod[]> {
  const adopted: AdoptedPod[] = [];
  const selector = `${LABELS.managedBy}=${MANAGED_BY},${LABELS.delegate}=${labelValue(options.delegateName)}`;
  for (const namespace of new Set(options.namespaces)) {
    for (const pod of await api.listPods(namespace, selector)) {
      const podName = pod.metadata?.name ?? '';
      const scope = scopeOf(pod);
      const steps = stepsOf(pod);
      const valid = scope !== undefined && steps !== undefined && await options.isLeaseValid(scope);
      const mine = pod.metadata?.annotations?.[ANNOTATIONS.delegateHost] === options.delegateHost;
      if (valid && mine && scope !== undefined && steps !== undefined) {
        options.logger.info({ pod: podName, namespace, taskId: scope.taskId, attempt: scope.attempt }, 'adopting a build pod whose lease is still valid');
        adopted.push({ scope, namespace, podName, steps });
      } else if (!valid) {
        options.logger.info({ pod: podName, namespace, taskId: scope?.taskId }, 'deleting a leftover build pod whose lease is no longer valid');
        await deleteTaskResources(api, namespace, podName, scope, options.logger);
      }
    }
  }
  return adopted;
}

async function deleteTaskResources(api: KubeApi, namespace: string, podName: string, scope: TaskScope | undefined, logger: Logger): Promise<void> {
  await api.deletePod(namespace, podName).catch((error: unknown) => logger.warn({ err: error, pod: podName }, 'deleting a leftover pod failed'));
  if (scope === undefined) return;
  const secrets = await api.listSecretNames(namespace, taskSelector(scope)).catch(() => []);
  for (const secret of secrets) await api.deleteSecret(namespace, secret).catch((error: unknown) => logger.warn({ err: error, secret }, 'deleting a leftover secret failed'));
}

/**
 * Follows an adopted pod to its end as {@link KubernetesExecutor.run} would:
 * step events, logs (read again from the start; events and batches carry the
 * same message ids, so JetStream drops copies within its duplicate window),
 * stage.finished, then deletes the pod and its Secrets.
 */
export async function resumeAdoptedPod(executor: KubernetesExecutor, api: KubeApi, adopted: AdoptedPod, run: {
  signal: AbortSignal; abandonSignal: AbortSignal; publisher: ConstructorParameters<typeof EventPublisher>[0]; logger: Logger;
}): Promise<Status> {
  const { scope } = adopted;
  const logger = run.logger.child({ taskId: scope.taskId, attempt: scope.attempt, executionId: scope.executionId, stageId: scope.stageId });
  const masker = new SecretMasker();
  const events = new EventPublisher(run.publisher, masker, logger, run.abandonSignal);
  const secretNames = await api.listSecretNames(adopted.namespace, taskSelector(scope)).catch(() => []);
  const prepared: PreparedPod = {
    pod: { metadata: { name: adopted.podName, namespace: adopted.namespace } },
    secrets: secretNames.map((name) => ({ metadata: { name } })), steps: adopted.steps, initTimeoutMs: 0,
  };
  const progress = new PodProgress();
  const stageSignal = new AbortController().signal;
  const onCloned = async (commitSha: string): Promise<void> => {
    await events.publish({ ...scope, ts: Date.now(), type: 'codebase.cloned', repoUrl: '', commitSha });
  };
  await executor.runPod(prepared, { task: { signal: run.signal, abandonSignal: run.abandonSignal, scope }, events, masker, logger, stageSignal, progress, onCloned }, false);
  const result = stageStatus(progress, false, run.signal.aborted);
  await events.publish({ ...scope, ts: Date.now(), type: 'stage.finished', ...result });
  return result.status;
}
