import type { V1ContainerStateTerminated } from '@kubernetes/client-node';
import type { ArtifactRecord, ErrorRecord } from '@kiln/protocol';
import { OutputTail } from '../../builders/build-failure.js';
import type { StepOutcome } from '../task-context.js';
import { parseOutputs } from './containers.js';
import type { StepAnnotation } from './pod-spec.js';
import type { KanikoBuild } from './kaniko-args.js';

const UNAUTHORIZED = /UNAUTHORIZED|authentication required|access denied|DENIED|401 Unauthorized|403 Forbidden/i;
const UNREACHABLE = /connection refused|no such host|i\/o timeout|network is unreachable|no route to host|server gave HTTP response to HTTPS client|x509:/i;
const FAILED_RUN = /error building image: error building stage: failed to execute command: .*exit status (\d+)|RUN .*returned a non-zero code: (\d+)/;

function failed(code: string, message: string, failureType: string, exitCode?: number): StepOutcome {
  const error: ErrorRecord = { code, message, failureType };
  return exitCode === undefined ? { status: 'Failed', error } : { status: 'Failed', exitCode, error };
}

/** Turns a failed kaniko container into a step error naming the registry, repository and credential source. */
function kanikoFailure(stepId: string, build: KanikoBuild, tail: OutputTail, exitCode: number): StepOutcome {
  const target = `registry ${build.registry.host}, repository ${build.repository}`;
  const last = tail.find(/^(?:error|Error|ERROR).*$/)?.[0] ?? tail.lastError();
  if (tail.find(UNAUTHORIZED) !== undefined) {
    return failed('REGISTRY_UNAUTHORIZED', `step ${stepId}: ${target} rejected the credentials of ${build.credentialSource}: check the username, the password secret and push access (${last})`, 'Authentication', exitCode);
  }
  if (tail.find(UNREACHABLE) !== undefined) {
    return failed('REGISTRY_UNREACHABLE', `step ${stepId}: cannot reach ${target}: check the connector's dockerRegistryUrl (http:// for a plain-HTTP registry) and the pod's network (${last})`, 'Connectivity', exitCode);
  }
  const run = tail.find(FAILED_RUN);
  if (run !== null && run !== undefined) {
    return failed('BUILD_FAILED', `step ${stepId}: a Dockerfile RUN instruction failed with exit code ${run[1] ?? run[2]} (${build.dockerfile})`, 'Application', exitCode);
  }
  return failed('BUILD_FAILED', `step ${stepId}: kaniko exited with code ${exitCode}: ${last}`, 'Application', exitCode);
}

function artifacts(build: KanikoBuild, digest: string): ArtifactRecord[] {
  return build.tags.map((tag) => ({ registry: build.registry.host, repository: build.repository, tag, digest, pushed: !build.noPush }));
}

/**
 * Maps a container's termination to the step's outcome: exit 0 succeeds
 * (with output variables, the digest or the commit from the termination
 * message); OOMKilled and non-zero exits fail with the step kind's code.
 */
export function outcomeOfTermination(step: StepAnnotation, terminated: V1ContainerStateTerminated, tail: OutputTail, build?: KanikoBuild): StepOutcome {
  const exitCode = terminated.exitCode;
  const message = terminated.message?.trim();
  if (exitCode === 0) {
    if (step.kind === 'build' && build !== undefined) {
      const digest = /sha256:[0-9a-f]{64}/.exec(message ?? '')?.[0] ?? '';
      return { status: 'Succeeded', exitCode: 0, artifacts: artifacts(build, digest) };
    }
    if (step.kind === 'run' && step.outputs.length > 0) return { status: 'Succeeded', exitCode: 0, outputs: parseOutputs(message, step.outputs) };
    return { status: 'Succeeded', exitCode: 0 };
  }
  if (terminated.reason === 'OOMKilled') {
    return failed(step.kind === 'build' ? 'BUILD_FAILED' : 'STEP_FAILED', `step ${step.stepId} was killed for running out of memory (OOMKilled): raise its resources.limits.memory`, 'Application', exitCode);
  }
  if (step.kind === 'build' && build !== undefined) return kanikoFailure(step.stepId, build, tail, exitCode);
  if (step.kind === 'clone') {
    const reason = tail.find(/^(fatal|error): .*/)?.[0] ?? `exit code ${exitCode}`;
    return failed('CLONE_FAILED', `clone failed: ${reason}`, 'Application', exitCode);
  }
  return failed('STEP_FAILED', `step ${step.stepId} exited with code ${exitCode}`, 'Application', exitCode);
}

/** The error of a stage whose pod could not start a container within the init timeout, or at all. */
export function infrastructureError(reason: string, message: string, podName: string, namespace: string): ErrorRecord {
  return {
    code: 'INFRASTRUCTURE_FAILED',
    message: `build pod ${namespace}/${podName} could not start: ${reason}${message === '' ? '' : `: ${message}`} (check the image names, the registry credentials of the cluster and the node capacity; kubectl describe pod -n ${namespace} ${podName})`,
    failureType: 'Unknown',
  };
}
