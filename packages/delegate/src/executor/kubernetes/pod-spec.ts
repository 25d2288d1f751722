import type { V1EnvVar, V1Pod, V1Secret, V1Volume } from '@kubernetes/client-node';
import type { Stage } from '@kiln/pipeline';
import type { CodebaseRecord, ConnectorRecord, ErrorRecord, TaskPayload, TaskScope } from '@kiln/protocol';
import type { SecretStore } from '../../secrets/secret-store.js';
import type { EnvSecret } from './container-env.js';
import { cloneContainer, doneContainer, KILN_VOLUME, WORKSPACE_VOLUME } from './containers.js';
import type { PodInfrastructure } from './infrastructure.js';
import type { KanikoBuild } from './kaniko-args.js';
import { ANNOTATIONS } from './pod-names.js';
import type { PlannedStep } from './step-plan.js';

/** The clone as a step of its own, as the Harness UI shows it. */
export const CLONE_STEP_ID = 'git_clone';

/** Entry of the `kiln.dev/steps` annotation: enough to report a pod's steps without the task payload. */
export interface StepAnnotation {
  stepId: string;
  name: string;
  type: string;
  kind: PlannedStep['kind'];
  container: string | null;
  outputs: string[];
  build?: KanikoBuild & { commandLine: string };
  error?: ErrorRecord;
  timeoutMs?: number;
}

/** The annotation form of a planned step; it holds no secret values. */
export function annotationOf(step: PlannedStep): StepAnnotation {
  const annotation: StepAnnotation = {
    stepId: step.stepId, name: step.name, type: step.type, kind: step.kind, container: step.container === undefined ? null : step.containerName, outputs: step.outputNames,
  };
  if (step.build !== undefined) annotation.build = step.build;
  if (step.error !== undefined) annotation.error = step.error;
  if (step.timeoutMs !== undefined) annotation.timeoutMs = step.timeoutMs;
  return annotation;
}

function credentialRefs(connector: ConnectorRecord | undefined): { username?: string; usernameRef?: string; passwordRef?: string } {
  const spec = connector?.spec ?? {};
  const authentication = spec.authentication as Record<string, unknown> | undefined;
  const nested = [spec, spec.spec, authentication?.spec, (authentication?.spec as Record<string, unknown> | undefined)?.spec];
  for (const candidate of nested) {
    if (typeof candidate !== 'object' || candidate === null) continue;
    const fields = candidate as Record<string, unknown>;
    const passwordRef = fields.passwordRef ?? fields.tokenRef;
    if (typeof passwordRef !== 'string') continue;
    const refs: { username?: string; usernameRef?: string; passwordRef?: string } = { passwordRef };
    if (typeof fields.username === 'string') refs.username = fields.username;
    if (typeof fields.usernameRef === 'string') refs.usernameRef = fields.usernameRef;
    return refs;
  }
  return {};
}

/**
 * Plans the clone step: its credentials (HTTP username and password of the
 * Git connector) go into the task's env Secret.
 * @throws KilnError SECRET_NOT_FOUND naming the reference.
 */
export function planClone(codebase: CodebaseRecord, connectors: Record<string, ConnectorRecord>, image: string, options: {
  secrets: SecretStore; envSecret: EnvSecret; addSecret: (value: string) => void; infrastructure: PodInfrastructure;
}): PlannedStep {
  const env: V1EnvVar[] = [];
  const refs = credentialRefs(connectors[codebase.connectorRef]);
  if (/^https?:\/\//.test(codebase.repoUrl) && refs.passwordRef !== undefined) {
    const usedBy = `connector "${codebase.connectorRef}"`;
    const password = options.secrets.require(refs.passwordRef, usedBy);
    options.addSecret(password);
    const username = refs.usernameRef === undefined ? refs.username ?? 'git' : options.secrets.require(refs.usernameRef, usedBy);
    env.push({ name: 'KILN_GIT_USERNAME', value: username }, options.envSecret.envVar('clone', 'KILN_GIT_PASSWORD', password));
  }
  const base = { name: 'clone', env, extraMounts: [], resources: options.infrastructure.resources, runAsUser: options.infrastructure.runAsUser };
  return {
    stepId: CLONE_STEP_ID, name: 'Clone codebase', type: 'GitClone', kind: 'clone', containerName: 'clone', outputNames: [],
    container: cloneContainer(image, codebase, base),
  };
}

export interface PodInputs {
  name: string;
  payload: TaskPayload<Stage>;
  scope: TaskScope;
  steps: PlannedStep[];
  infrastructure: PodInfrastructure;
  labels: Record<string, string>;
  delegateHost: string;
  doneImage: string;
}

function volumes(inputs: PodInputs): V1Volume[] {
  const list: V1Volume[] = [{ name: WORKSPACE_VOLUME, emptyDir: {} }, { name: KILN_VOLUME, emptyDir: { sizeLimit: '1Mi' } }];
  for (const step of inputs.steps) {
    const secretName = step.dockerSecret?.metadata?.name;
    if (secretName !== undefined) list.push({ name: secretName, secret: { secretName, defaultMode: 0o400 } });
  }
  list.push(...inputs.infrastructure.volumes.map((volume) => volume.volume));
  return list;
}

/**
 * Builds the stage pod: one init container per planned step with a container
 * (clone first), then a `done` container. restartPolicy Never, so a failing
 * init container fails the pod and the later ones never start.
 * activeDeadlineSeconds is the stage timeout.
 */
export function buildPod(inputs: PodInputs): V1Pod {
  const { infrastructure, scope } = inputs;
  const annotations: Record<string, string> = {
    ...infrastructure.annotations,
    [ANNOTATIONS.taskId]: scope.taskId,
    [ANNOTATIONS.attempt]: String(scope.attempt),
    [ANNOTATIONS.leaseId]: scope.leaseId,
    [ANNOTATIONS.executionId]: scope.executionId,
    [ANNOTATIONS.stageId]: scope.stageId,
    [ANNOTATIONS.delegateHost]: inputs.delegateHost,
    [ANNOTATIONS.safeToEvict]: 'false',
    [ANNOTATIONS.steps]: JSON.stringify(inputs.steps.map(annotationOf)),
  };
  const spec: NonNullable<V1Pod['spec']> = {
    restartPolicy: 'Never',
    initContainers: inputs.steps.flatMap((step) => (step.container === undefined ? [] : [step.container])),
    containers: [doneContainer(inputs.doneImage)],
    volumes: volumes(inputs),
    automountServiceAccountToken: infrastructure.automountServiceAccountToken,
    terminationGracePeriodSeconds: 30,
  };
  if (inputs.payload.timeoutMs > 0) spec.activeDeadlineSeconds = Math.ceil(inputs.payload.timeoutMs / 1000);
  if (Object.keys(infrastructure.nodeSelector).length > 0) spec.nodeSelector = infrastructure.nodeSelector;
  if (infrastructure.tolerations.length > 0) spec.tolerations = infrastructure.tolerations;
  if (infrastructure.serviceAccountName !== undefined) spec.serviceAccountName = infrastructure.serviceAccountName;
  if (infrastructure.priorityClassName !== undefined) spec.priorityClassName = infrastructure.priorityClassName;
  return {
    apiVersion: 'v1', kind: 'Pod',
    metadata: { name: inputs.name, namespace: infrastructure.namespace, labels: { ...infrastructure.labels, ...inputs.labels }, annotations },
    spec,
  };
}

/** The task's env Secret: values of the pod's environment that contain secrets. */
export function envSecretObject(envSecret: EnvSecret, namespace: string, labels: Record<string, string>): V1Secret {
  return { apiVersion: 'v1', kind: 'Secret', type: 'Opaque', metadata: { name: envSecret.name, namespace, labels }, stringData: { ...envSecret.data } };
}
