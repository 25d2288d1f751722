import { KilnError, type ConnectorRecord } from '@kiln/protocol';
import { parseRegistryUrl, splitRepository } from './image-ref.js';

/** The five Build and Push step types and the connector type each needs. */
export const BUILD_STEP_CONNECTORS: Record<string, string> = {
  BuildAndPushDockerRegistry: 'DockerRegistry',
  BuildAndPushECR: 'Aws',
  BuildAndPushGCR: 'Gcp',
  BuildAndPushGAR: 'Gcp',
  BuildAndPushACR: 'Azure',
};

/** Spec fields the registry derivation reads; each step type uses its own subset. */
export interface BuildTargetSpec {
  repo?: string;
  remoteCacheRepo?: string;
  remoteCacheImage?: string;
  region?: string;
  account?: string;
  imageName?: string;
  host?: string;
  projectID?: string;
  repository?: string;
}

/** Where a step pushes: the registry host, the repository path in it, and the remote cache reference. */
export interface StepTarget {
  registry: string;
  /** The registry speaks plain HTTP (a DockerRegistry connector with an http:// URL). */
  insecure: boolean;
  repository: string;
  /** Spec field the repository came from, for error messages. */
  repositoryField: string;
  /** Full `host/path` reference of the remote layer cache. */
  cache?: string;
}

function required(spec: BuildTargetSpec, key: keyof BuildTargetSpec, stepType: string): string {
  const value = spec[key]?.trim();
  if (value === undefined || value === '') {
    throw new KilnError('INVALID_ARGUMENT', `${stepType} step has no spec.${key}: it is required to name the image`, { details: { failureType: 'ConfigurationFailure' } });
  }
  return value;
}

/** A cache name without a registry host goes to the step's registry. */
function cacheReference(name: string | undefined, registry: string): string | undefined {
  const trimmed = name?.trim();
  if (trimmed === undefined || trimmed === '') return undefined;
  const split = splitRepository(trimmed, registry);
  return `${split.host}/${split.repository}`;
}

function dockerRegistryTarget(spec: BuildTargetSpec, connector: ConnectorRecord): StepTarget {
  const url = connector.spec.dockerRegistryUrl;
  if (typeof url !== 'string') {
    throw new KilnError('INVALID_ARGUMENT', `connector "${connector.ref}" has no spec.dockerRegistryUrl`, { details: { failureType: 'ConfigurationFailure' } });
  }
  const address = parseRegistryUrl(url, connector.ref);
  const { host, repository } = splitRepository(required(spec, 'repo', 'BuildAndPushDockerRegistry'), address.host);
  const target: StepTarget = { registry: host, insecure: host === address.host && address.insecure, repository, repositoryField: 'repo' };
  const cache = cacheReference(spec.remoteCacheRepo, host);
  if (cache !== undefined) target.cache = cache;
  return target;
}

function withCache(target: StepTarget, spec: BuildTargetSpec): StepTarget {
  const cache = cacheReference(spec.remoteCacheImage, target.registry);
  return cache === undefined ? target : { ...target, cache };
}

/**
 * Derives registry and repository as the original product does per step type:
 * DockerRegistry `repo` (a name without host goes to the connector's registry),
 * ECR `<account>.dkr.ecr.<region>.amazonaws.com/<imageName>`, GCR and GAR
 * `<host>/<projectID>/<imageName>`, ACR `repository` (`NAME.azurecr.io/IMAGE`).
 * @throws KilnError INVALID_ARGUMENT for a missing field or a connector of the wrong type.
 */
export function deriveStepTarget(stepType: string, spec: BuildTargetSpec, connector: ConnectorRecord): StepTarget {
  const expected = BUILD_STEP_CONNECTORS[stepType];
  if (expected !== undefined && connector.type !== expected) {
    throw new KilnError('INVALID_ARGUMENT', `connector "${connector.ref}" has type ${connector.type}: a ${stepType} step needs a ${expected} connector`, { details: { failureType: 'ConfigurationFailure' } });
  }
  switch (stepType) {
    case 'BuildAndPushDockerRegistry':
      return dockerRegistryTarget(spec, connector);
    case 'BuildAndPushECR': {
      const registry = `${required(spec, 'account', stepType)}.dkr.ecr.${required(spec, 'region', stepType)}.amazonaws.com`;
      return withCache({ registry, insecure: false, repository: required(spec, 'imageName', stepType), repositoryField: 'imageName' }, spec);
    }
    case 'BuildAndPushGCR':
    case 'BuildAndPushGAR': {
      const host = required(spec, 'host', stepType).replace(/^https?:\/\//, '').replace(/\/+$/, '').toLowerCase();
      const project = required(spec, 'projectID', stepType).replace(/^\/+|\/+$/g, '');
      return withCache({ registry: host, insecure: false, repository: `${project}/${required(spec, 'imageName', stepType)}`, repositoryField: 'projectID/imageName' }, spec);
    }
    case 'BuildAndPushACR': {
      const full = required(spec, 'repository', stepType).replace(/^https?:\/\//, '');
      const slash = full.indexOf('/');
      if (slash <= 0) {
        throw new KilnError('INVALID_ARGUMENT', `BuildAndPushACR repository "${full}" has no registry: write it as NAME.azurecr.io/IMAGE`, { details: { failureType: 'ConfigurationFailure' } });
      }
      return withCache({ registry: full.slice(0, slash).toLowerCase(), insecure: false, repository: full.slice(slash + 1), repositoryField: 'repository' }, spec);
    }
    default:
      throw new KilnError('INVALID_ARGUMENT', `step type ${stepType} is not a Build and Push step`, { details: { failureType: 'ConfigurationFailure' } });
  }
}
