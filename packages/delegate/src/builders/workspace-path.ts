import { realpathSync } from 'node:fs';
import path from 'node:path';
import { KilnError } from '@kiln/protocol';

function isInside(parent: string, child: string): boolean {
  const relative = path.relative(parent, child);
  // Only a whole ".." segment leaves the parent: a name such as "..cache" stays inside it.
  const leaves = relative === '..' || relative.startsWith(`..${path.sep}`);
  return relative === '' || (!leaves && !path.isAbsolute(relative));
}

/** Resolves symlinks of the longest existing prefix of `target`, so that a path not created yet can still be checked. */
function realpathOfExistingPrefix(target: string): string {
  const missing: string[] = [];
  let current = target;
  for (;;) {
    try {
      return path.join(realpathSync(current), ...missing.reverse());
    } catch {
      const parent = path.dirname(current);
      if (parent === current) return target;
      missing.push(path.basename(current));
      current = parent;
    }
  }
}

/**
 * Resolves a path a pipeline gives relative to the workspace (a dockerfile,
 * a build context, a clone directory) and checks that it stays inside it.
 * @throws KilnError PATH_OUTSIDE_WORKSPACE for an absolute path, a `..`
 * segment or a symlink that leads outside the workspace. The message names
 * the field and the value.
 */
export function resolveInWorkspace(workspace: string, value: string, field: string): string {
  const fail = (reason: string): never => {
    throw new KilnError('PATH_OUTSIDE_WORKSPACE', `${field} "${value}" ${reason}: give a path relative to the workspace ${workspace}, without ".." segments`, {
      details: { field, value },
    });
  };
  if (path.isAbsolute(value)) fail('is an absolute path');
  if (value.split(/[\\/]+/).includes('..')) fail('contains a ".." segment');
  const resolved = path.resolve(workspace, value);
  if (!isInside(workspace, resolved)) fail('is outside the workspace');
  const realWorkspace = realpathOfExistingPrefix(workspace);
  if (!isInside(realWorkspace, realpathOfExistingPrefix(resolved))) fail('leads outside the workspace through a symbolic link');
  return resolved;
}
