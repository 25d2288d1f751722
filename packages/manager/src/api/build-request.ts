import { KilnError, type BuildType, type wire } from '@kiln/protocol';

/** The codebase build fields of a run request, as StartExecutionRequest carries them. */
export type BuildFields = Pick<wire.StartExecutionRequest__Output, 'branch' | 'tag' | 'commit_sha' | 'pr_number'>;

/**
 * Returns the build of a run request, or undefined when none is set.
 * @throws KilnError INVALID_ARGUMENT when more than one of branch, tag, commit and PR is set.
 */
export function buildOf(request: BuildFields): { type: BuildType; value: string } | undefined {
  const builds: { type: BuildType; value: string }[] = [];
  if (request.branch) builds.push({ type: 'branch', value: request.branch });
  if (request.tag) builds.push({ type: 'tag', value: request.tag });
  if (request.commit_sha) builds.push({ type: 'commitSha', value: request.commit_sha });
  if (request.pr_number) builds.push({ type: 'PR', value: request.pr_number });
  if (builds.length > 1) {
    throw new KilnError('INVALID_ARGUMENT', `give at most one of branch, tag, commit and PR; got ${builds.map((build) => `${build.type} ${build.value}`).join(', ')}`);
  }
  return builds[0];
}

/** Returns the build fields that start an execution with the same build as `execution`. */
export function buildFieldsOf(execution: wire.Execution): BuildFields {
  const value = execution.build_value ?? '';
  return {
    branch: execution.build_type === 'branch' ? value : '',
    tag: execution.build_type === 'tag' ? value : '',
    commit_sha: execution.build_type === 'commitSha' ? value : '',
    pr_number: execution.build_type === 'PR' ? value : '',
  };
}
