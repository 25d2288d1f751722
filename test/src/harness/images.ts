import { copyFile, mkdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { execa } from 'execa';
import type { Registry } from './services.js';

/** Path of Debian's busybox-static binary, the base of every test image (no public registry is reachable). */
export const BUSYBOX = '/bin/busybox';

/**
 * Builds a minimal base image from busybox-static with buildah and pushes it to `registry` as `repository:tag`.
 * Returns the pushed reference.
 */
export async function pushBaseImage(dir: string, registry: Registry, repository = 'kiln/busybox', tag = '1.35'): Promise<string> {
  const work = join(dir, 'base-image');
  const context = join(work, 'context');
  await mkdir(context, { recursive: true });
  await copyFile(BUSYBOX, join(context, 'busybox'));
  await writeFile(
    join(context, 'Dockerfile'),
    ['FROM scratch', 'COPY busybox /bin/busybox', 'RUN ["/bin/busybox", "--install", "-s", "/bin"]', 'CMD ["/bin/sh"]', ''].join('\n'),
  );
  const storage = ['--storage-driver', 'vfs', '--root', join(work, 'root'), '--runroot', join(work, 'runroot')];
  const image = `${registry.address}/${repository}:${tag}`;
  await execa('buildah', [...storage, 'bud', '--isolation', 'chroot', '--format', 'docker', '-t', image, context]);
  const credentials = registry.username ? ['--creds', `${registry.username}:${registry.password}`] : [];
  await execa('buildah', [...storage, 'push', '--tls-verify=false', ...credentials, image, `docker://${image}`]);
  await execa('buildah', [...storage, 'rmi', '--all', '--force']).catch(() => undefined);
  await rm(work, { recursive: true, force: true });
  return image;
}
