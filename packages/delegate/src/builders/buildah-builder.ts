import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { KilnError, type ArtifactRecord } from '@kiln/protocol';
import type { Logger } from 'pino';
import { runProcess } from '../executor/process-runner.js';
import type { DelegateMetrics } from '../metrics.js';
import { OutputTail, classifyBuildahFailure } from './build-failure.js';
import { destinations, type BuildRequest } from './build-request.js';
import { formatCommandLine, renderBudArgs, renderPushArgs, renderRemoveArgs, type BuildahOptions } from './buildah-argv.js';
import type { BuildIo, ImageBuilder } from './image-builder.js';

function builderEnvironment(): Record<string, string> {
  const env: Record<string, string> = {};
  for (const name of ['PATH', 'HOME', 'TMPDIR']) {
    const value = process.env[name];
    if (value !== undefined) env[name] = value;
  }
  return env;
}

/** Builds with `buildah bud` and pushes each destination with `buildah push`, as separate processes with argument arrays. */
export class BuildahBuilder implements ImageBuilder {
  readonly name = 'buildah';

  constructor(
    private readonly options: BuildahOptions,
    private readonly logger: Logger,
    private readonly metrics?: DelegateMetrics,
  ) {}

  async build(request: BuildRequest, io: BuildIo): Promise<ArtifactRecord[]> {
    const stopTimer = this.metrics?.buildDuration.startTimer({ builder: this.name });
    let result = 'failed';
    let built = false;
    try {
      await this.runBuildah(renderBudArgs(request, this.options), request, io, 'build');
      built = true;
      const artifacts = request.noPush ? this.unpushedArtifacts(request, io) : await this.pushAll(request, io);
      result = 'succeeded';
      return artifacts;
    } catch (error) {
      if (io.signal.aborted) result = 'aborted';
      throw error;
    } finally {
      stopTimer?.({ result });
      if (built) await this.removeLocalImage(request);
    }
  }

  private unpushedArtifacts(request: BuildRequest, io: BuildIo): ArtifactRecord[] {
    io.log.system('PLUGIN_NO_PUSH is true: the image was built and not pushed');
    return request.tags.map((tag) => ({ registry: request.registry.host, repository: request.repository, tag, digest: '', pushed: false }));
  }

  private async pushAll(request: BuildRequest, io: BuildIo): Promise<ArtifactRecord[]> {
    const artifacts: ArtifactRecord[] = [];
    const names = destinations(request);
    for (const [index, destination] of names.entries()) {
      const digestFile = path.join(io.taskDir, `digest-${io.stepKey}-${index}`);
      await this.runBuildah(renderPushArgs(request, destination, digestFile, this.options), request, io, 'push');
      const digest = (await readFile(digestFile, 'utf8')).trim();
      this.metrics?.imagesPushed.inc();
      io.log.system(`pushed ${destination}@${digest}`);
      artifacts.push({ registry: request.registry.host, repository: request.repository, tag: request.tags[index] ?? '', digest, pushed: true });
    }
    return artifacts;
  }

  private async runBuildah(args: string[], request: BuildRequest, io: BuildIo, phase: 'build' | 'push'): Promise<void> {
    io.log.system(io.mask(formatCommandLine(this.options.path, args)));
    const tail = new OutputTail();
    const result = await runProcess({
      command: this.options.path,
      args,
      cwd: request.context,
      env: builderEnvironment(),
      onLine: (stream, text) => {
        tail.push(text);
        io.log.write(stream, text);
      },
      signal: io.signal,
      killGracePeriodMs: io.killGracePeriodMs,
    });
    if (result.aborted) throw new KilnError('ABORTED', `buildah ${phase} was stopped`);
    if (result.startError !== undefined) {
      throw new KilnError('BUILD_FAILED', `cannot start ${this.options.path}: ${result.startError}; install buildah or set builder.path in the delegate config`);
    }
    if (result.exitCode === 0) return;
    throw classifyBuildahFailure(tail, {
      phase,
      registry: request.registry.host,
      repository: request.repository,
      credentialSource: request.credentialSource,
      dockerfile: request.dockerfile,
      exitCode: result.exitCode,
    });
  }

  private async removeLocalImage(request: BuildRequest): Promise<void> {
    const controller = new AbortController();
    const result = await runProcess({
      command: this.options.path,
      args: renderRemoveArgs(request, this.options),
      cwd: request.context,
      env: builderEnvironment(),
      onLine: (stream, text) => this.logger.debug({ stream, text }, 'buildah rmi output'),
      signal: controller.signal,
      killGracePeriodMs: 1000,
    });
    if (result.exitCode !== 0) this.logger.warn({ exitCode: result.exitCode, startError: result.startError }, 'removing the local image failed');
  }
}
