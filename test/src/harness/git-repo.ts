import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { execa } from 'execa';

export interface SampleRepository {
  /** Directory holding the repositories; a Git connector of type Account points at `file://<root>`. */
  root: string;
  name: string;
  path: string;
}

const GIT_ENV = {
  GIT_AUTHOR_NAME: 'kiln tests',
  GIT_AUTHOR_EMAIL: 'tests@kiln.invalid',
  GIT_COMMITTER_NAME: 'kiln tests',
  GIT_COMMITTER_EMAIL: 'tests@kiln.invalid',
};

async function git(cwd: string, ...args: string[]): Promise<string> {
  const { stdout } = await execa('git', args, { cwd, env: GIT_ENV });
  return stdout;
}

/** Writes `files` into a new repository `root/name` on branch main, commits them and returns the repository. */
export async function createRepository(root: string, name: string, files: Record<string, string>): Promise<SampleRepository> {
  const path = join(root, name);
  await mkdir(path, { recursive: true });
  await git(path, 'init', '--quiet', '--initial-branch', 'main');
  await commitFiles({ root, name, path }, files, 'Add the sample app');
  return { root, name, path };
}

/** Writes and commits `files` on the current branch; returns the commit sha. */
export async function commitFiles(repository: SampleRepository, files: Record<string, string>, message: string): Promise<string> {
  for (const [file, content] of Object.entries(files)) {
    const target = join(repository.path, file);
    await mkdir(join(target, '..'), { recursive: true });
    await writeFile(target, content, { mode: file.endsWith('.sh') ? 0o755 : 0o644 });
  }
  await git(repository.path, 'add', '--all');
  await git(repository.path, 'commit', '--quiet', '-m', message);
  return git(repository.path, 'rev-parse', 'HEAD');
}

export async function createTag(repository: SampleRepository, tag: string): Promise<void> {
  await git(repository.path, 'tag', tag);
}

export async function createBranch(repository: SampleRepository, branch: string): Promise<void> {
  await git(repository.path, 'checkout', '--quiet', '-b', branch);
}

/** The sample app the quickstart builds: a shell script, and a Dockerfile that labels and runs it. */
export function sampleAppFiles(baseImage: string): Record<string, string> {
  return {
    'hello.sh': '#!/bin/sh\necho "Hello from the kiln sample app"\n',
    Dockerfile: [
      `FROM ${baseImage}`,
      'LABEL maintainer="kiln developers <dev@kiln.invalid>"',
      'COPY hello.sh /bin/hello',
      'RUN echo "building the sample app" && /bin/hello',
      'ENTRYPOINT ["/bin/hello"]',
      '',
    ].join('\n'),
  };
}
