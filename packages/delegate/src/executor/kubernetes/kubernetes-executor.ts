import type { V1Pod, V1Secret } from '@kubernetes/client-node';
import type { Stage, Variable } from '@kiln/pipeline';
import type { ErrorRecord, Status, TaskScope } from '@kiln/protocol';
import type { Logger } from 'pino';
import { EventPublisher } from '../../nats/event-publisher.js';
import { StepLog } from '../../nats/step-log.js';
import { SecretMasker } from '../../secrets/secret-masker.js';
import type { SecretStore } from '../../secrets/secret-store.js';
import { ExpressionResolver, type ExpressionState } from '../expressions.js';
import { preloadSecrets, type TaskRun } from '../local-executor.js';
import { outcomeFromError } from '../step-outcome.js';
import { EnvSecret } from './container-env.js';
import { readInfrastructure } from './infrastructure.js';
import type { KubeApi } from './kube-api.js';
import type { ResolvedKubernetesOptions } from './options.js';
import { podName, taskLabels } from './pod-names.js';
import { annotationOf, buildPod, envSecretObject, planClone, type StepAnnotation } from './pod-spec.js';
import { PodProgress, runPodSteps, type PodRun } from './pod-steps.js';
import { PodTracker } from './pod-tracker.js';
import { planSteps, type PlannedStep } from './step-plan.js';

/** A stage's pod and Secrets, ready to create. */
export interface PreparedPod {
  pod: V1Pod;
  secrets: V1Secret[];
  steps: StepAnnotation[];
  initTimeoutMs: number;
}

/** What running a prepared pod needs from its task. */
export interface PodContext {
  task: Pick<TaskRun, 'signal' | 'abandonSignal' | 'scope'>;
  events: EventPublisher;
  masker: SecretMasker;
  logger: Logger;
  stageSignal: AbortSignal;
  progress: PodProgress;
  onCloned: (commitSha: string) => Promise<void>;
}

function resolveStageVariables(variables: Variable[], expressions: ExpressionResolver, secrets: SecretStore, masker: SecretMasker): Record<string, string> {
  const resolved: Record<string, string> = {};
  for (const variable of variables) {
    const usedBy = `stage variable ${variable.name}`;
    if (variable.type === 'Secret' && !variable.value.includes('<+')) {
      resolved[variable.name] = secrets.require(variable.value, usedBy);
      masker.add(resolved[variable.name] ?? '');
    } else {
      resolved[variable.name] = expressions.text(String(variable.value), usedBy);
    }
  }
  return resolved;
}

export function stageStatus(progress: PodProgress, timedOut: boolean, aborted: boolean): { status: Status; error?: ErrorRecord } {
  if (timedOut || progress.failedStatus === 'Expired') return { status: 'Expired', error: progress.failure ?? { code: 'TIMEOUT', message: 'the stage timed out', failureType: 'Timeout' } };
  if (aborted) return { status: 'Aborted', error: progress.failure ?? { code: 'ABORTED', message: 'the stage was aborted' } };
  if (progress.failedStatus === undefined) return { status: 'Succeeded' };
  const status = progress.failedStatus === 'Aborted' ? 'Aborted' : 'Failed';
  return progress.failure === undefined ? { status } : { status, error: progress.failure };
}

/**
 * Runs a stage task as one Kubernetes pod: the clone and the steps are init
 * containers sharing an emptyDir workspace, builds run in kaniko. It watches
 * the pod, streams each container's log as its step's log, maps container
 * exits to step results and deletes the pod and the task's Secrets at the end.
 */
export class KubernetesExecutor {
  constructor(
    private readonly options: ResolvedKubernetesOptions,
    private readonly api: KubeApi,
  ) {}

  /** Plans the pod of a task. Errors of single steps stay in their step; an error here fails the whole stage. */
  prepare(task: Pick<TaskRun, 'payload' | 'scope'>, masker: SecretMasker): PreparedPod {
    const { payload, scope } = task;
    const { secrets } = this.options;
    const infrastructure = readInfrastructure(payload.stage, this.options.namespace);
    const name = podName(scope);
    const labels = taskLabels(scope, this.options.delegateName);
    const codebase: ExpressionState['codebase'] = {};
    if (payload.codebase?.build.type === 'branch') codebase.branch = payload.codebase.build.value;
    if (payload.codebase?.build.type === 'tag') codebase.tag = payload.codebase.build.value;
    if (payload.codebase?.build.type === 'commitSha') codebase.commitSha = payload.codebase.build.value;
    const expressions = new ExpressionResolver(secrets, masker, { codebase, stepOutputs: {} });
    const envSecret = new EnvSecret(`${name}-env`, masker);
    const addSecret = (value: string): void => masker.add(value);
    const steps: PlannedStep[] = [];
    if (payload.stage.spec.cloneCodebase && payload.codebase !== undefined) {
      steps.push(planClone(payload.codebase, payload.connectors, this.options.cloneImage, { secrets, envSecret, addSecret, infrastructure }));
    }
    const stageVariables = resolveStageVariables(payload.stage.variables ?? [], expressions, secrets, masker);
    steps.push(...planSteps({
      payload, podName: name, secrets, mask: (text) => masker.mask(text), addSecret, expressions, stageVariables, codebase,
      infrastructure, envSecret, kanikoImage: this.options.kanikoImage, labels,
    }));
    const pod = buildPod({ name, payload, scope, steps, infrastructure, labels, delegateHost: this.options.delegateHost, doneImage: this.options.cloneImage });
    const taskSecrets = steps.flatMap((step) => (step.dockerSecret === undefined ? [] : [step.dockerSecret]));
    if (Object.keys(envSecret.data).length > 0) taskSecrets.unshift(envSecretObject(envSecret, infrastructure.namespace, labels));
    return { pod, secrets: taskSecrets, steps: steps.map(annotationOf), initTimeoutMs: infrastructure.initTimeoutMs ?? this.options.initTimeoutMs };
  }

  async run(task: TaskRun): Promise<Status> {
    const { payload, scope } = task;
    const logger = this.options.logger.child({ taskId: scope.taskId, attempt: scope.attempt, executionId: scope.executionId, stageId: scope.stageId });
    const masker = new SecretMasker();
    preloadSecrets(payload, this.options.secrets, masker);
    const events = new EventPublisher(this.options.publisher, masker, logger, task.abandonSignal);
    await events.publish({ ...scope, ts: Date.now(), type: 'stage.started', delegateId: task.delegateId });
    const timeout = payload.timeoutMs > 0 ? AbortSignal.timeout(payload.timeoutMs) : new AbortController().signal;
    const progress = new PodProgress();
    let prepared: PreparedPod | undefined;
    try {
      prepared = this.prepare(task, masker);
    } catch (error) {
      logger.error({ err: error }, 'preparing the build pod failed');
      progress.record(outcomeFromError(error, false, (text) => masker.mask(text)));
    }
    const codebase = payload.codebase;
    const onCloned = async (commitSha: string): Promise<void> => {
      const build = codebase?.build;
      const refs = build?.type === 'branch' ? { branch: build.value } : build?.type === 'tag' ? { tag: build.value } : {};
      await events.publish({ ...scope, ts: Date.now(), type: 'codebase.cloned', repoUrl: codebase?.repoUrl ?? '', commitSha, ...refs });
    };
    if (prepared !== undefined) await this.runPod(prepared, { task, events, masker, logger, stageSignal: timeout, progress, onCloned }, true);
    const result = stageStatus(progress, timeout.aborted, task.signal.aborted);
    await events.publish({ ...scope, ts: Date.now(), type: 'stage.finished', ...result });
    logger.info({ status: result.status, code: result.error?.code }, 'stage finished');
    return result.status;
  }

  /** Creates the Secrets and the pod (unless `create` is false: an adopted pod), runs the steps, then deletes both. */
  async runPod(prepared: PreparedPod, context: PodContext, create: boolean): Promise<void> {
    const { logger, masker } = context;
    const namespace = prepared.pod.metadata?.namespace ?? this.options.namespace;
    const name = prepared.pod.metadata?.name ?? '';
    const tracker = new PodTracker(this.api, namespace, name, logger, this.options.recheckIntervalMs);
    try {
      if (create) {
        for (const secret of prepared.secrets) await this.api.createSecret(secret);
        tracker.start(await this.api.createPod(prepared.pod));
        logger.info({ pod: name, namespace }, 'build pod created');
      } else {
        tracker.start(await this.api.readPod(namespace, name));
      }
      await runPodSteps(this.podRun(prepared, tracker, context), prepared.steps, context.progress);
    } catch (error) {
      logger.error({ err: error, pod: name }, 'running the build pod failed');
      context.progress.record(outcomeFromError(error, context.task.signal.aborted, (text) => masker.mask(text)));
    } finally {
      tracker.stop();
      await this.deleteResources(namespace, name, prepared.secrets, logger);
    }
  }

  private podRun(prepared: PreparedPod, tracker: PodTracker, context: PodContext): PodRun {
    const { publisher, metrics } = this.options;
    const scope: TaskScope = context.task.scope;
    return {
      api: this.api, tracker, namespace: prepared.pod.metadata?.namespace ?? '', podName: prepared.pod.metadata?.name ?? '', scope,
      events: context.events, logger: context.logger, metrics, initTimeoutMs: prepared.initTimeoutMs, killGracePeriodMs: this.options.killGracePeriodMs,
      taskSignal: context.task.signal, stageSignal: context.stageSignal,
      openLog: (stepId) => {
        const flush = this.options.logFlush();
        return new StepLog({
          publisher, scope, stepId, masker: context.masker, flushIntervalMs: flush.intervalMs, flushBytes: flush.bytes,
          logger: context.logger, metrics, abandonSignal: context.task.abandonSignal,
        });
      },
      onCloned: context.onCloned,
    };
  }

  /** Deletes the pod and the task's Secrets; every delete runs even when an earlier one fails. */
  async deleteResources(namespace: string, pod: string, secrets: V1Secret[], logger: Logger): Promise<void> {
    await this.api.deletePod(namespace, pod).catch((error: unknown) => logger.warn({ err: error, pod }, 'deleting the build pod failed'));
    for (const secret of secrets) {
      const secretName = secret.metadata?.name ?? '';
      await this.api.deleteSecret(namespace, secretName).catch((error: unknown) => logger.warn({ err: error, secret: secretName }, 'deleting a task secret failed'));
    }
  }
}
