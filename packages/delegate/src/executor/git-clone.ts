import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { KilnError, type CodebaseRecord, type ConnectorRecord } from '@kiln/protocol';
import { formatCommandLine } from '../builders/buildah-argv.js';
import { resolveInWorkspace } from '../builders/workspace-path.js';
import type { StepLog } from '../nats/step-log.js';
import { OutputTail } from '../builders/build-failure.js';
import { runProcess } from './process-runner.js';
import type { TaskContext } from './task-context.js';

/** Depth of the shallow fetch when the codebase sets none; 0 fetches the whole history. */
export const DEFAULT_CLONE_DEPTH = 50;

/** Git reads the username and password from these variables through the askpass script, so they never appear in argv. */
const ASKPASS_SCRIPT = `#!/bin/sh
case "$1" in
Username*) printf '%s\\n' "$KILN_GIT_USERNAME" ;;
*) printf '%s\\n' "$KILN_GIT_PASSWORD" ;;
esac
`;

export interface CloneResult {
  commitSha: string;
  directory: string;
}

/** Returns the ref to fetch for a build: refs/heads/B, refs/tags/T, refs/pull/N/head or the commit itself. */
export function fetchRef(build: CodebaseRecord['build']): string {
  switch (build.type) {
    case 'branch':
      return `refs/heads/${build.value}`;
    case 'tag':
      return `refs/tags/${build.value}`;
    case 'PR':
      return `refs/pull/${build.value}/head`;
    case 'commitSha':
      return build.value;
  }
}

function httpCredentialRefs(connector: ConnectorRecord | undefined): { username?: string; usernameRef?: string; passwordRef?: string } {
  if (connector === undefined) return {};
  const spec = connector.spec;
  const nested = [spec, spec.spec, (spec.authentication as Record<string, unknown> | undefined)?.spec, ((spec.authentication as Record<string, unknown> | undefined)?.spec as Record<string, unknown> | undefined)?.spec];
  for (const candidate of nested) {
    if (typeof candidate !== 'object' || candidate === null) continue;
    const fields = candidate as Record<string, unknown>;
    const passwordRef = fields.passwordRef ?? fields.tokenRef;
    if (typeof passwordRef === 'string') {
      return { username: typeof fields.username === 'string' ? fields.username : undefined, usernameRef: typeof fields.usernameRef === 'string' ? fields.usernameRef : undefined, passwordRef };
    }
  }
  return {};
}

async function gitEnvironment(ctx: TaskContext, codebase: CodebaseRecord): Promise<Record<string, string>> {
  const env: Record<string, string> = { GIT_TERMINAL_PROMPT: '0' };
  for (const name of ['PATH', 'HOME']) {
    const value = process.env[name];
    if (value !== undefined) env[name] = value;
  }
  const refs = httpCredentialRefs(ctx.payload.connectors[codebase.connectorRef]);
  if (!/^https?:\/\//.test(codebase.repoUrl) || refs.passwordRef === undefined) return env;
  const usedBy = `connector "${codebase.connectorRef}"`;
  const password = ctx.secrets.require(refs.passwordRef, usedBy);
  ctx.masker.add(password);
  const askpass = path.join(ctx.taskDir, 'git-askpass.sh');
  await writeFile(askpass, ASKPASS_SCRIPT, { mode: 0o700 });
  const username = refs.usernameRef === undefined ? refs.username ?? 'git' : ctx.secrets.require(refs.usernameRef, usedBy);
  return { ...env, GIT_ASKPASS: askpass, KILN_GIT_USERNAME: username, KILN_GIT_PASSWORD: password };
}

/** Runs one git command, logging its command line; returns its stdout lines. @throws KilnError CLONE_FAILED or ABORTED. */
async function git(ctx: TaskContext, log: StepLog, cwd: string, env: Record<string, string>, args: string[]): Promise<string[]> {
  log.system(ctx.masker.mask(formatCommandLine('git', args)));
  const stdout: string[] = [];
  const tail = new OutputTail(50);
  const result = await runProcess({
    command: 'git', args, cwd, env, signal: ctx.signal, killGracePeriodMs: ctx.killGracePeriodMs,
    onLine: (stream, text) => {
      if (stream === 'stdout') stdout.push(text);
      tail.push(text);
      log.write(stream, text);
    },
  });
  if (result.aborted) throw new KilnError('ABORTED', 'clone was stopped');
  if (result.exitCode !== 0) {
    const reason = result.startError ?? tail.find(/^(fatal|error): .*/)?.[0] ?? `exit code ${result.exitCode}`;
    throw new KilnError('CLONE_FAILED', ctx.masker.mask(`git ${args[0]} failed: ${reason}`), { details: { exitCode: result.exitCode } });
  }
  return stdout;
}

/**
 * Fetches the codebase's build ref into the workspace (`git init`, a shallow
 * `git fetch`, `git checkout --detach`) and returns the checked-out commit.
 * A commit that cannot be fetched by its id is fetched with all branches.
 * @throws KilnError CLONE_FAILED, SECRET_NOT_FOUND, PATH_OUTSIDE_WORKSPACE or ABORTED.
 */
export async function cloneCodebase(ctx: TaskContext, codebase: CodebaseRecord, log: StepLog): Promise<CloneResult> {
  const directory = codebase.cloneDirectory === undefined || codebase.cloneDirectory === ''
    ? ctx.workspace
    : resolveInWorkspace(ctx.workspace, codebase.cloneDirectory, 'cloneDirectory');
  const env = await gitEnvironment(ctx, codebase);
  const depth = codebase.depth ?? DEFAULT_CLONE_DEPTH;
  const depthArgs = depth > 0 ? ['--depth', String(depth)] : [];
  const ref = fetchRef(codebase.build);
  await git(ctx, log, ctx.workspace, env, ['init', '--quiet', directory]);
  if (codebase.build.type === 'commitSha') {
    try {
      await git(ctx, log, directory, env, ['fetch', ...depthArgs, codebase.repoUrl, ref]);
    } catch (error) {
      if (ctx.signal.aborted) throw error;
      log.system('fetching the commit by its id failed; fetching all branches instead');
      await git(ctx, log, directory, env, ['fetch', codebase.repoUrl, '+refs/heads/*:refs/remotes/origin/*']);
    }
    await git(ctx, log, directory, env, ['-c', 'advice.detachedHead=false', 'checkout', '--detach', codebase.build.value]);
  } else {
    await git(ctx, log, directory, env, ['fetch', ...depthArgs, codebase.repoUrl, ref]);
    await git(ctx, log, directory, env, ['-c', 'advice.detachedHead=false', 'checkout', '--detach', 'FETCH_HEAD']);
  }
  const [commitSha] = await git(ctx, log, directory, env, ['rev-parse', 'HEAD']);
  if (commitSha === undefined || !/^[0-9a-f]{40,64}$/.test(commitSha)) {
    throw new KilnError('CLONE_FAILED', `git rev-parse HEAD printed no commit id after checking out ${ref}`);
  }
  return { commitSha, directory };
}
