import { existsSync, readFileSync, statSync } from 'node:fs';
import { KilnError } from '@kiln/protocol';
import { baseImagesOf } from './dockerfile-refs.js';
import { checkNames, parseImageReference, type NameProblem } from './image-ref.js';
import { resolveInWorkspace } from './workspace-path.js';

const CONFIGURATION = { failureType: 'ConfigurationFailure' };

/**
 * Resolves the Dockerfile and context inside the workspace and checks that
 * both exist (the Dockerfile as a file, the context as a directory).
 * @throws KilnError PATH_OUTSIDE_WORKSPACE or INVALID_ARGUMENT naming the field and value.
 */
export function checkBuildPaths(workspace: string, dockerfileValue: string, contextValue: string): { dockerfile: string; context: string } {
  const context = resolveInWorkspace(workspace, contextValue, 'context');
  const dockerfile = resolveInWorkspace(workspace, dockerfileValue, 'dockerfile');
  if (!existsSync(context) || !statSync(context).isDirectory()) {
    throw new KilnError('INVALID_ARGUMENT', `context "${contextValue}" is not a directory in the workspace ${workspace}: give the build context's path relative to the repository root`, { details: CONFIGURATION });
  }
  if (!existsSync(dockerfile) || !statSync(dockerfile).isFile()) {
    throw new KilnError('INVALID_ARGUMENT', `dockerfile "${dockerfileValue}" was not found in the workspace ${workspace}: give its path relative to the repository root (not to the context)`, { details: CONFIGURATION });
  }
  return { dockerfile, context };
}

/**
 * Checks the repository and every tag, and reports all problems in one error.
 * @throws KilnError INVALID_ARGUMENT with details.problems.
 */
export function checkImageNames(stepId: string, repository: string, tags: string[], repositoryField: string, cache?: string): void {
  const problems: NameProblem[] = checkNames(repository, tags, repositoryField);
  if (cache !== undefined) {
    const reference = parseImageReference(cache);
    problems.push(...checkNames(reference.repository, [], 'remote cache').filter((problem) => problem.field !== 'tags'));
  }
  if (problems.length === 0) return;
  const messages = problems.map((problem) => problem.message);
  throw new KilnError('INVALID_ARGUMENT', `step ${stepId}: ${messages.join('; ')}`, { details: { ...CONFIGURATION, problems: messages } });
}

/** Registries a build pulls from: every base image's host, and what could not be resolved before the build. */
export function pulledRegistries(dockerfile: string, buildArgs: Record<string, string>): { hosts: string[]; images: string[]; unresolved: string[] } {
  const { images, unresolved } = baseImagesOf(readFileSync(dockerfile, 'utf8'), buildArgs);
  const hosts = [...new Set(images.map((image) => parseImageReference(image).host))];
  return { hosts, images, unresolved };
}

/** One registry the build needs credentials for, and why. */
export interface RegistryUse {
  host: string;
  /** e.g. `push of 127.0.0.1:5000/team/app`, `pull of base image busybox:1.36`. */
  purpose: string;
}

/**
 * Checks that every registry the build pushes to or pulls from has a
 * credential (or an explicit anonymous setting).
 * @throws KilnError CREDENTIALS_MISSING listing every registry without one and where to add it.
 */
export function checkCredentials(uses: RegistryUse[], hasCredential: (host: string) => boolean, configFile: string | undefined): void {
  const missing = uses.filter((use) => !hasCredential(use.host));
  if (missing.length === 0) return;
  const where = configFile ?? 'the delegate config';
  const problems = missing.map((use) => `no credentials for registry ${use.host} (${use.purpose}): add "registries: { ${use.host}: { auth: { username: ..., passwordRef: ... } } }" (or credHelper, or anonymous: true for a public registry) to ${where}, or use a connector for that registry`);
  throw new KilnError('CREDENTIALS_MISSING', problems.join('; '), { details: { failureType: 'Authentication', problems } });
}
