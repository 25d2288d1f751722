import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { startStack, writeFixture } from '../harness/index.js';
import { ApiClient } from './api-client.js';
import { median, sleep } from './stats.js';

export interface BuildOverheadResult {
  runs: number;
  kilnMedianMs: number;
  buildahMedianMs: number;
  overheadMs: number;
}

const TERMINAL = new Set(['Succeeded', 'Failed', 'Aborted', 'Expired']);

/**
 * Build overhead: the quickstart run through kiln (StartExecution until the manager reports it finished)
 * against the same `buildah bud` and `buildah push` run directly on the same storage, median of `runs` each,
 * after one warm-up run that pulls the base image.
 */
export async function measureBuildOverhead(runs: number): Promise<BuildOverheadResult> {
  const dir = await mkdtemp(join(tmpdir(), 'kiln-bench-build-'));
  const stack = await startStack(dir);
  try {
    const api = new ApiClient(stack.manager.grpc, stack.manager.apiToken);
    const addresses = { registry: stack.registry.address, gitRoot: stack.repository.root };
    for (const fixture of ['quickstart/connectors.yaml', 'quickstart/pipeline.yaml']) {
      const file = await writeFixture(dir, fixture, addresses);
      await api.apply(file, await readFile(file, 'utf8'));
    }
    const runThroughKiln = async (): Promise<number> => {
      const started = performance.now();
      const execution = await api.start('CI_Quickstart', 'main');
      for (;;) {
        const current = await api.get(execution.id);
        if (TERMINAL.has(current.status)) {
          if (current.status !== 'Succeeded') throw new Error(`quickstart run ${execution.id} ended ${current.status}`);
          return performance.now() - started;
        }
        await sleep(10);
      }
    };
    await runThroughKiln();
    const kilnTimes: number[] = [];
    for (let index = 0; index < runs; index += 1) kilnTimes.push(await runThroughKiln());
    api.close();

    const work = join(stack.delegates[0]!.workDir, 'work');
    const storage = ['--storage-driver', 'vfs', '--root', join(work, 'buildah/root'), '--runroot', join(work, 'buildah/runroot')];
    const authFile = join(dir, 'bench-auth.json');
    const auth = Buffer.from(`${stack.registry.username}:${stack.registry.password}`).toString('base64');
    await writeFile(authFile, JSON.stringify({ auths: { [stack.registry.address]: { auth } } }), { mode: 0o600 });
    const destination = `${stack.registry.address}/kiln/direct:bench`;
    const buildahTimes: number[] = [];
    for (let index = 0; index < runs; index += 1) {
      const started = performance.now();
      await execa('buildah', [...storage, 'bud', '--isolation', 'chroot', '--format', 'docker', '--authfile', authFile, '--tls-verify=false', '-f', join(stack.repository.path, 'Dockerfile'), '-t', destination, stack.repository.path]);
      await execa('buildah', [...storage, 'push', '--authfile', authFile, '--tls-verify=false', '--digestfile', join(dir, 'digest'), destination, `docker://${destination}`]);
      buildahTimes.push(performance.now() - started);
      await execa('buildah', [...storage, 'rmi', destination]);
    }
    const kilnMedianMs = median(kilnTimes);
    const buildahMedianMs = median(buildahTimes);
    return { runs, kilnMedianMs, buildahMedianMs, overheadMs: kilnMedianMs - buildahMedianMs };
  } finally {
    await stack.stop();
    await rm(dir, { recursive: true, force: true });
  }
}
