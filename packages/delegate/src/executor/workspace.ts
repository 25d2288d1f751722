import { mkdir, rm } from 'node:fs/promises';
import path from 'node:path';

/** Replaces characters that are not safe in a file name (e.g. the `/` of `group/step`) with `_`. */
export function fileSafe(id: string): string {
  return id.replace(/[^A-Za-z0-9_.-]/g, '_');
}

export interface TaskDirectories {
  /** `<workDir>/tasks/<taskId>-<attempt>`, mode 0700: the workspace plus private files (auth, scripts, digests). */
  taskDir: string;
  /** `<taskDir>/workspace`: the clone and the steps' working directory. */
  workspace: string;
}

export function taskDirectories(workDir: string, taskId: string, attempt: number): TaskDirectories {
  const taskDir = path.join(workDir, 'tasks', `${fileSafe(taskId)}-${attempt}`);
  return { taskDir, workspace: path.join(taskDir, 'workspace') };
}

/** Creates empty task directories, removing what an earlier run of the same attempt left behind. */
export async function createTaskDirectories(workDir: string, taskId: string, attempt: number): Promise<TaskDirectories> {
  const directories = taskDirectories(workDir, taskId, attempt);
  await rm(directories.taskDir, { recursive: true, force: true });
  await mkdir(directories.workspace, { recursive: true, mode: 0o700 });
  await mkdir(path.join(directories.taskDir, 'steps'), { mode: 0o700 });
  return directories;
}

export async function removeTaskDirectories(directories: TaskDirectories): Promise<void> {
  await rm(directories.taskDir, { recursive: true, force: true });
}
