import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { checkBuildPaths } from '../builders/build-checks.js';
import { resolveInWorkspace } from '../builders/workspace-path.js';

/** The local executor resolves every workspace-relative path of a pipeline through these two functions. */
describe('workspace path confinement', () => {
  let root: string;
  let workspace: string;
  let outside: string;

  beforeAll(async () => {
    root = await mkdtemp(path.join(tmpdir(), 'kiln-confinement-'));
    workspace = path.join(root, 'workspace');
    outside = path.join(root, 'outside');
    await mkdir(path.join(workspace, 'app'), { recursive: true });
    await mkdir(outside);
    await writeFile(path.join(workspace, 'Dockerfile'), 'FROM scratch\n');
    await writeFile(path.join(outside, 'Dockerfile'), 'FROM scratch\n');
    await symlink(outside, path.join(workspace, 'link-out'));
    await symlink(path.join(outside, 'Dockerfile'), path.join(workspace, 'Dockerfile.out'));
    await symlink(path.join(workspace, 'app'), path.join(workspace, 'link-in'));
  });

  afterAll(async () => {
    await rm(root, { recursive: true, force: true });
  });

  const escapes: { name: string; value: string; reason: RegExp }[] = [
    { name: 'a ".." segment', value: '../outside', reason: /contains a "\.\." segment/ },
    { name: 'a ".." segment in the middle', value: 'app/../../outside', reason: /contains a "\.\." segment/ },
    { name: 'a backslash ".." segment', value: 'app\\..\\..\\outside', reason: /contains a "\.\." segment/ },
    { name: 'an absolute path', value: '/etc', reason: /is an absolute path/ },
    { name: 'a symbolic link to a directory outside', value: 'link-out', reason: /through a symbolic link/ },
    { name: 'a path under a symbolic link outside', value: 'link-out/not-created-yet', reason: /through a symbolic link/ },
  ];

  describe.each(['cloneDirectory', 'context', 'dockerfile'])('when %s leaves the workspace', (field) => {
    it.each(escapes)('rejects $name', ({ value, reason }) => {
      expect(() => resolveInWorkspace(workspace, value, field)).toThrow(expect.objectContaining({ code: 'PATH_OUTSIDE_WORKSPACE', message: expect.stringMatching(reason) }));
    });
  });

  describe('when a build step gives paths outside the workspace', () => {
    it('rejects a context that leaves it', () => {
      expect(() => checkBuildPaths(workspace, 'Dockerfile', '../outside')).toThrow(expect.objectContaining({ code: 'PATH_OUTSIDE_WORKSPACE', message: expect.stringMatching(/^context /) }));
    });

    it('rejects a dockerfile that leaves it', () => {
      expect(() => checkBuildPaths(workspace, '/etc/passwd', '.')).toThrow(expect.objectContaining({ code: 'PATH_OUTSIDE_WORKSPACE', message: expect.stringMatching(/^dockerfile /) }));
    });

    it('rejects a dockerfile that is a symbolic link to a file outside', () => {
      expect(() => checkBuildPaths(workspace, 'Dockerfile.out', '.')).toThrow(expect.objectContaining({ code: 'PATH_OUTSIDE_WORKSPACE' }));
    });

    it('rejects a context reached through a symbolic link outside', () => {
      expect(() => checkBuildPaths(workspace, 'Dockerfile', 'link-out')).toThrow(expect.objectContaining({ code: 'PATH_OUTSIDE_WORKSPACE' }));
    });
  });

  describe('when paths stay inside the workspace', () => {
    it('accepts a nested path and a symbolic link inside', () => {
      expect(resolveInWorkspace(workspace, 'app/sub', 'cloneDirectory')).toBe(path.join(workspace, 'app/sub'));
      expect(resolveInWorkspace(workspace, 'link-in', 'context')).toBe(path.join(workspace, 'link-in'));
      expect(checkBuildPaths(workspace, 'Dockerfile', '.')).toEqual({ dockerfile: path.join(workspace, 'Dockerfile'), context: workspace });
    });

    it('accepts a name that only starts with two dots', () => {
      expect(resolveInWorkspace(workspace, '..cache', 'cloneDirectory')).toBe(path.join(workspace, '..cache'));
    });
  });
});
