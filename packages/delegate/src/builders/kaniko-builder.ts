import { mkdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import type { ArtifactRecord } from '@kiln/protocol';
import type { DelegateMetrics } from '../metrics.js';
import { classifyBuildFailure } from './build-failure.js';
import { destinations, type BuildRequest } from './build-request.js';
import { builderEnvironment, runBuilderCommand } from './builder-process.js';
import type { BuildIo, BuilderSettings, ImageBuilder } from './image-builder.js';
import { imageNameTagDigestFileOf, renderKanikoArgs, type KanikoOutputFiles } from './kaniko-argv.js';

export interface KanikoOptions {
  /** Path of the kaniko executor binary, e.g. `/kaniko/executor`. */
  path: string;
}

async function readOptional(file: string): Promise<string | undefined> {
  try {
    return await readFile(file, 'utf8');
  } catch {
    return undefined;
  }
}

/** Maps `host/repo:tag@sha256:...` lines to their digests by reference. */
function parseImageDigests(text: string | undefined): Map<string, string> {
  const digests = new Map<string, string>();
  for (const line of (text ?? '').split(/\r?\n/)) {
    const at = line.lastIndexOf('@');
    if (at > 0) digests.set(line.slice(0, at).trim().replace(/^index\.docker\.io\//, 'docker.io/'), line.slice(at + 1).trim());
  }
  return digests;
}

/**
 * Builds and pushes with one kaniko executor run (kaniko pushes every
 * `--destination` itself). Credentials reach it through DOCKER_CONFIG; the
 * digest comes from `--digest-file`, per destination from
 * `--image-name-tag-with-digest-file` when kaniko wrote it.
 * NOTE: kaniko unpacks base images over its own root filesystem, so the
 * executor must run inside its own container image, one build at a time.
 */
export class KanikoBuilder implements ImageBuilder {
  readonly name = 'kaniko';

  constructor(
    private readonly options: KanikoOptions,
    private readonly metrics?: DelegateMetrics,
    readonly settings: BuilderSettings = { registries: {} },
  ) {}

  async build(request: BuildRequest, io: BuildIo): Promise<ArtifactRecord[]> {
    const stopTimer = this.metrics?.buildDuration.startTimer({ builder: this.name });
    let result = 'failed';
    try {
      const directory = path.join(io.taskDir, `kaniko-${io.stepKey}`);
      await mkdir(directory, { recursive: true, mode: 0o700 });
      const files: KanikoOutputFiles = { digestFile: path.join(directory, 'digest'), imageNameTagDigestFile: path.join(directory, 'image-digests') };
      const env = builderEnvironment({ ...request.builderEnv, DOCKER_CONFIG: request.dockerConfigDir });
      const { result: run, tail } = await runBuilderCommand(this.options.path, renderKanikoArgs(request, files), { cwd: request.workspace, env, io });
      if (run.exitCode !== 0) {
        const pushFailure = tail.find(/failed to push to destination (\S+?):?\s/);
        const context = { builder: this.name, phase: pushFailure === undefined ? 'build' as const : 'push' as const, request, exitCode: run.exitCode ?? (run.signal === 'SIGKILL' ? 137 : undefined) };
        throw classifyBuildFailure(tail, pushFailure?.[1] === undefined ? context : { ...context, destination: pushFailure[1] });
      }
      const artifacts = await this.artifacts(request, files, io);
      result = 'succeeded';
      return artifacts;
    } catch (error) {
      if (io.signal.aborted) result = 'aborted';
      throw error;
    } finally {
      stopTimer?.({ result });
    }
  }

  private async artifacts(request: BuildRequest, files: KanikoOutputFiles, io: BuildIo): Promise<ArtifactRecord[]> {
    const digest = (await readOptional(files.digestFile))?.trim() ?? '';
    const perDestination = parseImageDigests(await readOptional(imageNameTagDigestFileOf(request, files)));
    if (request.noPush) io.log.system('PLUGIN_NO_PUSH is true: the image was built and not pushed');
    return destinations(request).map((destination, index) => {
      const artifact = { registry: request.registry, repository: request.repository, tag: request.tags[index] ?? '', digest: perDestination.get(destination) ?? digest, pushed: !request.noPush };
      if (artifact.pushed) {
        this.metrics?.imagesPushed.inc();
        io.log.system(`pushed ${destination}@${artifact.digest}`);
      }
      return artifact;
    });
  }
}
