import type { V1ResourceRequirements, V1Toleration, V1Volume, V1VolumeMount } from '@kubernetes/client-node';
import type { Stage } from '@kiln/pipeline';
import { KilnError } from '@kiln/protocol';
import { parseDuration } from '../../config/duration.js';

/** The parts of a stage's `infrastructure.spec` (KubernetesDirect) that shape the build pod. */
export interface PodInfrastructure {
  namespace: string;
  annotations: Record<string, string>;
  labels: Record<string, string>;
  nodeSelector: Record<string, string>;
  tolerations: V1Toleration[];
  serviceAccountName?: string;
  automountServiceAccountToken: boolean;
  runAsUser?: number;
  priorityClassName?: string;
  /** Variables added to every step container. */
  envVariables: Record<string, string>;
  /** Default requests and limits of every step container. */
  resources?: V1ResourceRequirements;
  volumes: { volume: V1Volume; mount: V1VolumeMount }[];
  initTimeoutMs?: number;
}

const QUANTITY = /^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+|[KMGTPE]i?|[mkMGTPE]|u|n)?$/;

function invalid(field: string, value: unknown, expected: string): KilnError {
  return new KilnError('INVALID_ARGUMENT', `stage infrastructure ${field} ${JSON.stringify(value)} is invalid: expected ${expected}`);
}

function stringMap(value: unknown, field: string): Record<string, string> {
  if (value === undefined || value === null) return {};
  if (typeof value !== 'object' || Array.isArray(value)) throw invalid(field, value, 'a mapping of names to strings');
  return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, String(item)]));
}

function optionalString(value: unknown, field: string): string | undefined {
  if (value === undefined || value === null || value === '') return undefined;
  if (typeof value !== 'string') throw invalid(field, value, 'a string');
  return value;
}

/** Parses a Harness `resources` block (`limits` and optional `requests` with `cpu` and `memory`); `field` names it in errors. */
export function parseResources(value: unknown, field: string): V1ResourceRequirements | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'object' || Array.isArray(value)) throw invalid(field, value, 'a mapping with limits and requests');
  const result: V1ResourceRequirements = {};
  for (const kind of ['limits', 'requests'] as const) {
    const section = (value as Record<string, unknown>)[kind];
    if (section === undefined) continue;
    const quantities = stringMap(section, `${field}.${kind}`);
    for (const [name, quantity] of Object.entries(quantities)) {
      if (!QUANTITY.test(quantity)) throw invalid(`${field}.${kind}.${name}`, quantity, 'a Kubernetes quantity such as 500m, 1, 512Mi or 2Gi');
    }
    result[kind] = quantities;
  }
  return result;
}

function parseTolerations(value: unknown): V1Toleration[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) throw invalid('tolerations', value, 'a list of {key, operator, value, effect}');
  return value.map((item: unknown, index) => {
    if (typeof item !== 'object' || item === null) throw invalid(`tolerations[${index}]`, item, 'a mapping');
    const fields = item as Record<string, unknown>;
    const toleration: V1Toleration = {};
    for (const key of ['key', 'operator', 'value', 'effect'] as const) {
      const text = optionalString(fields[key], `tolerations[${index}].${key}`);
      if (text !== undefined) toleration[key] = text;
    }
    if (typeof fields.tolerationSeconds === 'number') toleration.tolerationSeconds = fields.tolerationSeconds;
    return toleration;
  });
}

/** Parses Harness volumes: `{mountPath, type: EmptyDir | PersistentVolumeClaim | HostPath, spec}`. */
function parseVolumes(value: unknown): PodInfrastructure['volumes'] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) throw invalid('volumes', value, 'a list of {mountPath, type, spec}');
  return value.map((item: unknown, index) => {
    const field = `volumes[${index}]`;
    const fields = (typeof item === 'object' && item !== null ? item : {}) as Record<string, unknown>;
    const mountPath = optionalString(fields.mountPath, `${field}.mountPath`);
    if (mountPath === undefined || !mountPath.startsWith('/')) throw invalid(`${field}.mountPath`, fields.mountPath, 'an absolute path');
    const spec = (typeof fields.spec === 'object' && fields.spec !== null ? fields.spec : {}) as Record<string, unknown>;
    const name = `volume-${index + 1}`;
    const readOnly = spec.readOnly === true;
    if (fields.type === 'EmptyDir') {
      const emptyDir: Record<string, string> = {};
      if (typeof spec.medium === 'string') emptyDir.medium = spec.medium;
      if (spec.size !== undefined) emptyDir.sizeLimit = String(spec.size);
      return { volume: { name, emptyDir }, mount: { name, mountPath } };
    }
    if (fields.type === 'PersistentVolumeClaim') {
      const claimName = optionalString(spec.claimName, `${field}.spec.claimName`);
      if (claimName === undefined) throw invalid(`${field}.spec.claimName`, spec.claimName, 'the name of a PersistentVolumeClaim');
      return { volume: { name, persistentVolumeClaim: { claimName, readOnly } }, mount: { name, mountPath, readOnly } };
    }
    if (fields.type === 'HostPath') {
      const hostPath = optionalString(spec.path, `${field}.spec.path`);
      if (hostPath === undefined) throw invalid(`${field}.spec.path`, spec.path, 'a path on the node');
      const type = optionalString(spec.type, `${field}.spec.type`);
      return { volume: { name, hostPath: type === undefined ? { path: hostPath } : { path: hostPath, type } }, mount: { name, mountPath } };
    }
    throw invalid(`${field}.type`, fields.type, 'EmptyDir, PersistentVolumeClaim or HostPath');
  });
}

/**
 * Reads the build pod settings from a stage's KubernetesDirect infrastructure.
 * @throws KilnError INVALID_ARGUMENT naming the first invalid field.
 */
export function readInfrastructure(stage: Stage, defaultNamespace: string): PodInfrastructure {
  const spec = (stage.spec.infrastructure?.spec ?? {}) as Record<string, unknown>;
  const runAsUser = spec.runAsUser;
  if (runAsUser !== undefined && (typeof runAsUser !== 'number' || !Number.isInteger(runAsUser) || runAsUser < 0)) {
    throw invalid('runAsUser', runAsUser, 'a user id (a whole number, 0 for root)');
  }
  const initTimeout = optionalString(spec.initTimeout, 'initTimeout');
  const initTimeoutMs = initTimeout === undefined ? undefined : parseDuration(initTimeout);
  if (initTimeout !== undefined && initTimeoutMs === undefined) throw invalid('initTimeout', initTimeout, 'a duration such as 10m');
  const infrastructure: PodInfrastructure = {
    namespace: optionalString(spec.namespace, 'namespace') ?? defaultNamespace,
    annotations: stringMap(spec.annotations, 'annotations'),
    labels: stringMap(spec.labels, 'labels'),
    nodeSelector: stringMap(spec.nodeSelector, 'nodeSelector'),
    tolerations: parseTolerations(spec.tolerations),
    automountServiceAccountToken: spec.automountServiceAccountToken === true,
    envVariables: stringMap(spec.envVariables, 'envVariables'),
    volumes: parseVolumes(spec.volumes),
  };
  const serviceAccountName = optionalString(spec.serviceAccountName, 'serviceAccountName');
  if (serviceAccountName !== undefined) infrastructure.serviceAccountName = serviceAccountName;
  const priorityClassName = optionalString(spec.priorityClassName, 'priorityClassName');
  if (priorityClassName !== undefined) infrastructure.priorityClassName = priorityClassName;
  if (typeof runAsUser === 'number') infrastructure.runAsUser = runAsUser;
  const resources = parseResources(spec.resources, 'resources');
  if (resources !== undefined) infrastructure.resources = resources;
  if (initTimeoutMs !== undefined) infrastructure.initTimeoutMs = initTimeoutMs;
  return infrastructure;
}
