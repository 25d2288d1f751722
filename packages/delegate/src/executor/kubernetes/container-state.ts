import type { V1ContainerStateTerminated, V1ContainerStatus, V1Pod } from '@kubernetes/client-node';
import type { PodView } from './pod-tracker.js';

/** Waiting reasons that retrying cannot fix: the stage fails at once. */
const PERMANENT = new Set(['InvalidImageName', 'ErrImageNeverPull', 'CreateContainerConfigError', 'CreateContainerError']);
/** Waiting reasons that may clear (a registry rate limit, a node coming up): the stage fails after the init timeout. */
const TRANSIENT = new Set(['ImagePullBackOff', 'ErrImagePull']);

export function containerStatus(pod: V1Pod | undefined, name: string): V1ContainerStatus | undefined {
  const status = pod?.status;
  return [...(status?.initContainerStatuses ?? []), ...(status?.containerStatuses ?? [])].find((item) => item.name === name);
}

/** True once the container runs or has ended. */
export function hasStarted(pod: V1Pod | undefined, name: string): boolean {
  const state = containerStatus(pod, name)?.state;
  return state?.running !== undefined || state?.terminated !== undefined;
}

export function terminatedState(pod: V1Pod | undefined, name: string): V1ContainerStateTerminated | undefined {
  return containerStatus(pod, name)?.state?.terminated;
}

/** Why the pod cannot start the container: unschedulable, or an image pull or container config error. */
export interface Blocker {
  reason: string;
  message: string;
  permanent: boolean;
}

export function blockerOf(pod: V1Pod | undefined, name: string): Blocker | undefined {
  const scheduled = pod?.status?.conditions?.find((condition) => condition.type === 'PodScheduled');
  if (scheduled?.status === 'False' && scheduled.reason === 'Unschedulable') {
    return { reason: 'Unschedulable', message: scheduled.message ?? 'no node fits the pod', permanent: false };
  }
  const waiting = containerStatus(pod, name)?.state?.waiting;
  if (waiting?.reason === undefined) return undefined;
  if (PERMANENT.has(waiting.reason)) return { reason: waiting.reason, message: waiting.message ?? '', permanent: true };
  if (TRANSIENT.has(waiting.reason)) return { reason: waiting.reason, message: waiting.message ?? '', permanent: false };
  return undefined;
}

/** The pod ended without the container running: deleted, past its deadline, evicted or failed. */
export type PodEnd = { kind: 'deleted' } | { kind: 'deadline' } | { kind: 'failed'; reason: string; message: string };

export function podEnd(view: PodView): PodEnd | undefined {
  if (view.deleted) return { kind: 'deleted' };
  const status = view.pod?.status;
  if (status?.reason === 'DeadlineExceeded') return { kind: 'deadline' };
  if (status?.phase === 'Failed') return { kind: 'failed', reason: status.reason ?? 'Failed', message: status.message ?? '' };
  return undefined;
}
