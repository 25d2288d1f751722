import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { isKilnError } from '@kiln/protocol';
import { resolveInWorkspace } from './workspace-path.js';

describe('resolveInWorkspace', () => {
  let root: string;
  let workspace: string;

  beforeAll(async () => {
    root = await mkdtemp(path.join(tmpdir(), 'delegate-confine-'));
    workspace = path.join(root, 'workspace');
    await mkdir(path.join(workspace, 'app'), { recursive: true });
    await writeFile(path.join(workspace, 'app', 'Dockerfile'), 'FROM scratch\n');
    await writeFile(path.join(root, 'outside'), 'secret\n');
    await symlink(path.join(root, 'outside'), path.join(workspace, 'escape'));
    await symlink(root, path.join(workspace, 'parent-link'));
    await symlink('app', path.join(workspace, 'inner-link'));
  });

  afterAll(async () => {
    await rm(root, { recursive: true, force: true });
  });

  function codeOf(value: string): string | undefined {
    try {
      resolveInWorkspace(workspace, value, 'dockerfile');
      return undefined;
    } catch (error) {
      return isKilnError(error) ? error.code : 'other';
    }
  }

  it('resolves relative paths inside the workspace', () => {
    expect(resolveInWorkspace(workspace, 'app/Dockerfile', 'dockerfile')).toBe(path.join(workspace, 'app', 'Dockerfile'));
    expect(resolveInWorkspace(workspace, '.', 'context')).toBe(workspace);
  });

  it('accepts a symlink that stays inside', () => {
    expect(codeOf('inner-link/Dockerfile')).toBeUndefined();
  });

  it('accepts a path that does not exist yet', () => {
    expect(codeOf('new/dir')).toBeUndefined();
  });

  it.each([
    ['an absolute path', '/etc/passwd'],
    ['a .. segment', '../outside'],
    ['a .. segment in the middle', 'app/../../outside'],
    ['a symlink to a file outside', 'escape'],
    ['a path through a symlink to a parent', 'parent-link/outside'],
  ])('rejects %s', (_case, value) => {
    expect(codeOf(value)).toBe('PATH_OUTSIDE_WORKSPACE');
  });

  it('names the field and the value in the message', () => {
    expect(() => resolveInWorkspace(workspace, '../x', 'context')).toThrow('context "../x" contains a ".." segment');
  });
});
