import type { TaskScope } from '@kiln/protocol';

/** Label and annotation keys on build pods and their Secrets. */
export const LABELS = {
  managedBy: 'app.kubernetes.io/managed-by',
  delegate: 'kiln.dev/delegate',
  taskId: 'kiln.dev/task-id',
  attempt: 'kiln.dev/attempt',
  leaseId: 'kiln.dev/lease-id',
} as const;

export const ANNOTATIONS = {
  /** Exact ids: label values are cut to 63 characters and restricted in charset. */
  taskId: 'kiln.dev/task-id',
  attempt: 'kiln.dev/attempt',
  leaseId: 'kiln.dev/lease-id',
  executionId: 'kiln.dev/execution-id',
  stageId: 'kiln.dev/stage-id',
  delegateHost: 'kiln.dev/delegate-host',
  /** JSON list of the planned steps; a restarted delegate reads it to adopt the pod. */
  steps: 'kiln.dev/steps',
  /** Build pods have no controller, so the cluster autoscaler must not evict them. */
  safeToEvict: 'cluster-autoscaler.kubernetes.io/safe-to-evict',
} as const;

export const MANAGED_BY = 'kiln-delegate';

/** Turns a value into a valid label value: at most 63 of [A-Za-z0-9._-], starting and ending alphanumeric. */
export function labelValue(value: string): string {
  const cleaned = value.replace(/[^A-Za-z0-9._-]/g, '-').slice(0, 63);
  return cleaned.replace(/^[^A-Za-z0-9]+/, '').replace(/[^A-Za-z0-9]+$/, '');
}

/** Pod name of a task attempt: `kiln-<task>-<attempt>` as a DNS label (lowercase, at most 63 characters). */
export function podName(scope: Pick<TaskScope, 'taskId' | 'attempt'>): string {
  const suffix = `-${scope.attempt}`;
  const task = scope.taskId.toLowerCase().replace(/[^a-z0-9-]/g, '-').replace(/-+/g, '-');
  return `kiln-${task}`.slice(0, 63 - suffix.length).replace(/-+$/, '') + suffix;
}

/** Labels that identify a task attempt's pod and Secrets. */
export function taskLabels(scope: TaskScope, delegateName: string): Record<string, string> {
  return {
    [LABELS.managedBy]: MANAGED_BY,
    [LABELS.delegate]: labelValue(delegateName),
    [LABELS.taskId]: labelValue(scope.taskId),
    [LABELS.attempt]: String(scope.attempt),
    [LABELS.leaseId]: labelValue(scope.leaseId),
  };
}

/** Label selector of the pods and Secrets of one task attempt. */
export function taskSelector(scope: Pick<TaskScope, 'taskId' | 'attempt'>): string {
  return `${LABELS.managedBy}=${MANAGED_BY},${LABELS.taskId}=${labelValue(scope.taskId)},${LABELS.attempt}=${scope.attempt}`;
}
