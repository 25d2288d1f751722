import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { KilnError, isKilnError, type ArtifactRecord } from '@kiln/protocol';
import type { Logger } from 'pino';
import { Backoff, sleep } from '../backoff.js';
import { runProcess } from '../executor/process-runner.js';
import type { DelegateMetrics } from '../metrics.js';
import { classifyBuildFailure, isTransientFailure } from './build-failure.js';
import { destinations, type BuildRequest } from './build-request.js';
import { renderBudArgs, renderPushArgs, renderRemoveArgs, renderTarArgs, type BuildahFiles, type BuildahOptions } from './buildah-argv.js';
import { builderEnvironment, runBuilderCommand } from './builder-process.js';
import type { BuildIo, BuilderSettings, ImageBuilder } from './image-builder.js';
import { writeBuildahFiles } from './registries-conf.js';

/** kaniko flags that buildah has no equivalent for; they are logged and ignored. The `optimize` snapshot mode is not logged because buildah does not take snapshots. */
const NO_BUILDAH_EQUIVALENT = /^--(snapshot-mode|use-new-run|compressed-caching|cleanup|single-snapshot|verbosity|log-format|log-timestamp|ignore-path|ignore-var-run|cache-dir|cache-copy-layers|cache-run-layers|context-sub-path|oci-layout-path|image-name-with-digest-file|image-name-tag-with-digest-file|skip-push-permission-check|skip-default-registry-fallback|force|registry-client-cert|image-download-retry|image-fs-extract-retry)=/;

/** Delegate-level attempts of a push that failed with a transient error, on top of buildah's own `--retry`. */
const PUSH_ATTEMPTS = 3;

/** Builds with `buildah bud` and pushes each destination with `buildah push`, as separate processes with argument arrays. */
export class BuildahBuilder implements ImageBuilder {
  readonly name = 'buildah';

  constructor(
    private readonly options: BuildahOptions,
    private readonly logger: Logger,
    private readonly metrics?: DelegateMetrics,
    readonly settings: BuilderSettings = { registries: {} },
  ) {}

  async build(request: BuildRequest, io: BuildIo): Promise<ArtifactRecord[]> {
    const stopTimer = this.metrics?.buildDuration.startTimer({ builder: this.name });
    let result = 'failed';
    let files: BuildahFiles | undefined;
    let built = false;
    try {
      files = await writeBuildahFiles(request, path.join(io.taskDir, `buildah-${io.stepKey}`));
      const ignored = request.kanikoPassthrough.filter((flag) => NO_BUILDAH_EQUIVALENT.test(flag));
      if (ignored.length > 0) io.log.system(`buildah has no equivalent of these kaniko settings, ignored: ${ignored.join(' ')}`);
      await this.run(renderBudArgs(request, this.options, files), request, io, 'build');
      built = true;
      if (request.tarPath !== undefined) await this.run(renderTarArgs(request, request.tarPath, this.options, files), request, io, 'build');
      const artifacts = request.noPush ? this.unpushedArtifacts(request, io) : await this.pushAll(request, io, files);
      result = 'succeeded';
      return artifacts;
    } catch (error) {
      if (io.signal.aborted) result = 'aborted';
      throw error;
    } finally {
      stopTimer?.({ result });
      if (built && files !== undefined) await this.removeLocalImage(request, files);
    }
  }

  private unpushedArtifacts(request: BuildRequest, io: BuildIo): ArtifactRecord[] {
    io.log.system('PLUGIN_NO_PUSH is true: the image was built and not pushed');
    return request.tags.map((tag) => ({ registry: request.registry, repository: request.repository, tag, digest: '', pushed: false }));
  }

  private async pushAll(request: BuildRequest, io: BuildIo, files: BuildahFiles): Promise<ArtifactRecord[]> {
    const artifacts: ArtifactRecord[] = [];
    for (const [index, destination] of destinations(request).entries()) {
      const digestFile = path.join(io.taskDir, `digest-${io.stepKey}-${index}`);
      await this.pushWithRetry(renderPushArgs(request, destination, digestFile, this.options, files), request, io, destination);
      const digest = (await readFile(digestFile, 'utf8')).trim();
      this.metrics?.imagesPushed.inc();
      io.log.system(`pushed ${destination}@${digest}`);
      artifacts.push({ registry: request.registry, repository: request.repository, tag: request.tags[index] ?? '', digest, pushed: true });
    }
    // buildah compresses layers at push time, so two pushes of one image can differ in digest.
    if (new Set(artifacts.map((artifact) => artifact.digest)).size > 1) {
      io.log.system(`warning: the destinations received different digests: ${artifacts.map((artifact) => `${artifact.tag}=${artifact.digest}`).join(', ')}`);
    }
    return artifacts;
  }

  /** Pushes one destination, repeating after 5xx, 429 or a dropped connection with exponential backoff. */
  private async pushWithRetry(args: string[], request: BuildRequest, io: BuildIo, destination: string): Promise<void> {
    const backoff = new Backoff(2000, 30_000);
    for (let attempt = 1; ; attempt += 1) {
      try {
        await this.run(args, request, io, 'push', destination);
        return;
      } catch (error) {
        if (!isKilnError(error) || !isTransientFailure(error) || attempt >= PUSH_ATTEMPTS || io.signal.aborted) throw error;
        const delayMs = backoff.next();
        io.log.system(`push of ${destination} failed with ${error.code}; attempt ${attempt + 1} of ${PUSH_ATTEMPTS} in ${Math.round(delayMs / 1000)}s`);
        await sleep(delayMs, io.signal);
        if (io.signal.aborted) throw new KilnError('ABORTED', 'the push was stopped', { cause: error });
      }
    }
  }

  private async run(args: string[], request: BuildRequest, io: BuildIo, phase: 'build' | 'push', destination?: string): Promise<void> {
    const { result, tail } = await runBuilderCommand(this.options.path, args, { cwd: request.context, env: builderEnvironment(request.builderEnv), io });
    if (result.exitCode === 0) return;
    const context = { builder: this.name, phase, request, exitCode: result.exitCode ?? (result.signal === 'SIGKILL' ? 137 : undefined) };
    throw classifyBuildFailure(tail, destination === undefined ? context : { ...context, destination });
  }

  private async removeLocalImage(request: BuildRequest, files: BuildahFiles): Promise<void> {
    const result = await runProcess({
      command: this.options.path,
      args: renderRemoveArgs(request, this.options, files),
      cwd: request.context,
      env: builderEnvironment({}),
      onLine: (stream, text) => this.logger.debug({ stream, text }, 'buildah rmi output'),
      signal: new AbortController().signal,
      killGracePeriodMs: 1000,
    });
    if (result.exitCode !== 0) this.logger.warn({ exitCode: result.exitCode, startError: result.startError }, 'removing the local image failed');
  }
}
