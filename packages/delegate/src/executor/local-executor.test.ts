import { copyFile, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import type { Stage, Step } from '@kiln/pipeline';
import type { NatsConnection } from '@nats-io/transport-node';
import { EVENTS_STREAM, LOGS_STREAM, type ConnectorRecord, type KilnEvent, type LogBatch, type StepFinishedEvent, type TaskPayload, type TaskScope } from '@kiln/protocol';
import { pino } from 'pino';
import { Registry } from 'prom-client';
import { BuildahBuilder } from '../builders/buildah-builder.js';
import { DelegateMetrics } from '../metrics.js';
import { JetStreamPublisher } from '../nats/jetstream-publisher.js';
import { MASK } from '../secrets/secret-masker.js';
import { SecretStore } from '../secrets/secret-store.js';
import { createStreams, readStream } from '../testing/jetstream.js';
import { startNatsServer, startRegistry, type RunningServer } from '../testing/servers.js';
import { LocalExecutor } from './local-executor.js';

const logger = pino({ level: 'silent' });
const PASSWORD = 's3cret-registry-pw';
const CONFIG_FILE = '/etc/kiln/delegate.yaml';

function runStep(identifier: string, command: string, extra: Record<string, unknown> = {}): { kind: 'step'; step: Step } {
  return { kind: 'step', step: { identifier, name: identifier, type: 'Run', spec: { shell: 'Sh', command, ...extra } } };
}

function buildStep(identifier: string, spec: Record<string, unknown> = {}): { kind: 'step'; step: Step } {
  return { kind: 'step', step: { identifier, name: identifier, type: 'BuildAndPushDockerRegistry', spec: { connectorRef: 'account.local_registry', repo: 'kiln/app', tags: ['latest'], ...spec } } };
}

describe('LocalExecutor', () => {
  let root: string;
  let nats: RunningServer;
  let registry: RunningServer;
  let reader: NatsConnection;
  let publisher: JetStreamPublisher;
  let repoUrl: string;
  let headSha: string;
  let taskCounter = 0;

  beforeAll(async () => {
    root = await mkdtemp(path.join(tmpdir(), 'delegate-exec-'));
    const { stdout: htpasswd } = await execa('htpasswd', ['-Bbn', 'kiln', PASSWORD]);
    [nats, registry] = await Promise.all([startNatsServer(), startRegistry({ htpasswd })]);
    reader = await createStreams(nats.url);
    publisher = await JetStreamPublisher.connect([nats.url], { name: 'test', logger, signal: new AbortController().signal });
    const repo = path.join(root, 'repo');
    await mkdir(repo);
    await copyFile('/bin/busybox', path.join(repo, 'busybox'));
    await writeFile(path.join(repo, 'Dockerfile'), 'FROM scratch\nCOPY busybox /bin/busybox\nRUN ["/bin/busybox", "echo", "built inside"]\n');
    await writeFile(path.join(repo, 'Dockerfile.fails'), 'FROM scratch\nCOPY busybox /bin/busybox\nRUN ["/bin/busybox", "sh", "-c", "exit 7"]\n');
    const git = (...args: string[]) => execa('git', args, { cwd: repo });
    await git('init', '--quiet', '--initial-branch', 'main');
    await git('add', '.');
    await git('-c', 'user.name=kiln', '-c', 'user.email=kiln@example.com', 'commit', '--quiet', '-m', 'initial');
    headSha = (await git('rev-parse', 'HEAD')).stdout.trim();
    repoUrl = `file://${repo}`;
  });

  afterAll(async () => {
    await publisher.close();
    await reader.close();
    await Promise.all([nats.stop(), registry.stop()]);
    await rm(root, { recursive: true, force: true });
  });

  function connectors(password = PASSWORD): Record<string, ConnectorRecord> {
    return {
      'account.local_registry': {
        ref: 'account.local_registry', identifier: 'local_registry', type: 'DockerRegistry',
        spec: { dockerRegistryUrl: registry.url, providerType: 'Other', auth: { type: 'UsernamePassword', spec: { username: 'kiln', passwordRef: password === PASSWORD ? 'account.local_registry_password' : 'account.wrong_password' } } },
      },
      'account.git': { ref: 'account.git', identifier: 'git', type: 'Git', spec: { url: repoUrl, connectionType: 'Repo', type: 'Http' } },
    };
  }

  async function runTask(steps: Stage['spec']['execution']['steps'], options: { variables?: Stage['variables']; password?: string; abortAfterMs?: number } = {}) {
    taskCounter += 1;
    const executionId = `exec-${taskCounter}`;
    const stage: Stage = {
      identifier: 'build', name: 'Build', type: 'CI', variables: options.variables ?? [],
      spec: { cloneCodebase: true, execution: { steps }, serviceDependencies: [], sharedPaths: [] },
    };
    const payload: TaskPayload<Stage> = {
      taskId: `task-${taskCounter}`, attempt: 1, executionId, stageIndex: 0, timeoutMs: 0, stage,
      pipeline: { identifier: 'ci', name: 'CI', orgIdentifier: 'default', projectIdentifier: 'kiln', sequenceId: taskCounter, variables: {} },
      codebase: { connectorRef: 'account.git', repoUrl, build: { type: 'branch', value: 'main' } },
      connectors: connectors(options.password),
    };
    const scope: TaskScope = { taskId: payload.taskId, attempt: 1, leaseId: 'lease-1', executionId, stageId: 'build' };
    const workDir = path.join(root, 'work');
    const metrics = new DelegateMetrics(new Registry(), { defaultMetrics: false });
    const builder = new BuildahBuilder({ path: 'buildah', storageDriver: 'vfs', isolation: 'chroot', root: path.join(workDir, 'buildah', 'root'), runroot: path.join(workDir, 'buildah', 'runroot') }, logger, metrics);
    const secrets = new SecretStore({ 'account.local_registry_password': { value: PASSWORD }, 'account.wrong_password': { value: 'not-it' } }, CONFIG_FILE);
    const executor = new LocalExecutor({ workDir, secrets, builder, publisher, logger, metrics, killGracePeriodMs: 2000, keepFailedWorkspaces: false, logFlush: () => ({ intervalMs: 100, bytes: 256 * 1024 }) });
    const controller = new AbortController();
    if (options.abortAfterMs !== undefined) setTimeout(() => controller.abort(), options.abortAfterMs).unref();
    const status = await executor.run({ payload, scope, delegateId: 'delegate-1', signal: controller.signal, abandonSignal: new AbortController().signal });
    const events = (await readStream(reader, EVENTS_STREAM)).filter((message) => message.subject === `kiln.events.${executionId}`).map((message) => message.data as KilnEvent);
    const logs = (await readStream(reader, LOGS_STREAM)).filter((message) => message.subject.startsWith(`kiln.logs.${executionId}.`));
    const linesOf = (stepId: string): string[] => logs
      .filter((message) => message.subject.endsWith(`.${stepId}`) && (message.data as LogBatch).kind === 'lines')
      .flatMap((message) => (message.data as LogBatch).lines.map((line) => line.text));
    const finished = (stepId: string) => events.find((event): event is StepFinishedEvent => event.type === 'step.finished' && event.stepId === stepId);
    return { status, events, linesOf, finished, workDir, metrics };
  }

  describe('when a stage clones, runs and builds', () => {
    it('succeeds and publishes events, logs and the pushed artifact', async () => {
      const result = await runTask([
        runStep('greet', 'echo "$GREETING from $HARNESS_STAGE_ID"\necho "sha <+codebase.commitSha>"\necho "pw <+secrets.getValue("account.local_registry_password")>"\nexport VERSION=1.2.3', { outputVariables: [{ name: 'VERSION' }] }),
        runStep('use_output', 'echo "version <+steps.greet.output.outputVariables.VERSION>"'),
        buildStep('build_push', { labels: { 'org.example.stage': 'build' }, buildArgs: { NOTE: 'a b,c' } }),
      ], { variables: [{ name: 'GREETING', type: 'String', value: 'hello' }] });

      expect(result.status).toBe('Succeeded');
      expect(result.events.map((event) => `${event.type}${'stepId' in event ? `:${event.stepId}` : ''}`)).toEqual([
        'stage.started', 'step.started:git_clone', 'codebase.cloned', 'step.finished:git_clone',
        'step.started:greet', 'step.finished:greet', 'step.started:use_output', 'step.finished:use_output',
        'step.started:build_push', 'step.finished:build_push', 'stage.finished',
      ]);
      expect(result.events.find((event) => event.type === 'codebase.cloned')).toMatchObject({ commitSha: headSha, branch: 'main', repoUrl });
      expect(result.linesOf('git_clone')).toContain(`+ git fetch --depth 50 ${repoUrl} refs/heads/main`);
      expect(result.linesOf('greet')).toEqual(['hello from build', `sha ${headSha}`, `pw ${MASK}`]);
      expect(result.finished('greet')).toMatchObject({ status: 'Succeeded', exitCode: 0, outputs: { VERSION: '1.2.3' } });
      expect(result.linesOf('use_output')).toEqual(['version 1.2.3']);

      const build = result.finished('build_push');
      const host = registry.url.replace('http://', '');
      expect(build?.status).toBe('Succeeded');
      expect(build?.artifacts).toEqual([{ registry: host, repository: 'kiln/app', tag: 'latest', digest: expect.stringMatching(/^sha256:[0-9a-f]{64}$/), pushed: true }]);
      const buildLines = result.linesOf('build_push');
      expect(buildLines[0]).toMatch(/^\+ buildah --storage-driver vfs --root \S+ --runroot \S+ --registries-conf \S+ bud --isolation chroot --format docker --identity-label=false --skip-unused-stages=false --authfile \S+ --retry 3 -f \S+Dockerfile -t \S+\/kiln\/app:latest --label org.example.stage=build --build-arg 'NOTE=a b,c' /);
      expect(buildLines).toContain('built inside');
      expect(buildLines.join('\n')).not.toContain(PASSWORD);

      const manifest = await fetch(`${registry.url}/v2/kiln/app/manifests/latest`, {
        headers: { authorization: `Basic ${Buffer.from(`kiln:${PASSWORD}`).toString('base64')}`, accept: 'application/vnd.docker.distribution.manifest.v2+json' },
      });
      expect(manifest.status).toBe(200);
      expect(manifest.headers.get('docker-content-digest')).toBe(build?.artifacts?.[0]?.digest);
      expect(result.events.at(-1)).toMatchObject({ type: 'stage.finished', status: 'Succeeded', taskId: expect.any(String), leaseId: 'lease-1' });
    });
  });

  describe('when a Run step exits non-zero', () => {
    it('fails the step and the stage and skips the rest', async () => {
      const result = await runTask([runStep('fails', 'echo before\nexit 3\necho never'), runStep('after', 'echo after')]);
      expect(result.status).toBe('Failed');
      expect(result.finished('fails')).toMatchObject({ status: 'Failed', exitCode: 3, error: { code: 'STEP_FAILED' } });
      expect(result.finished('after')).toMatchObject({ status: 'Skipped' });
      expect(result.events.some((event) => event.type === 'step.started' && event.stepId === 'after')).toBe(false);
      expect(result.events.at(-1)).toMatchObject({ type: 'stage.finished', status: 'Failed', error: { code: 'STEP_FAILED' } });
    });
  });

  describe('when a Dockerfile RUN fails', () => {
    it('reports BUILD_FAILED with the instruction and its exit code', async () => {
      const result = await runTask([buildStep('build_push', { dockerfile: 'Dockerfile.fails' })]);
      const finished = result.finished('build_push');
      expect(finished).toMatchObject({ status: 'Failed', exitCode: 7, error: { code: 'BUILD_FAILED' } });
      expect(finished?.error?.message).toContain('RUN /bin/busybox sh -c exit 7');
      expect(finished?.error?.message).toContain('exit code 7');
    });
  });

  describe('when the registry rejects the credentials', () => {
    it('reports REGISTRY_UNAUTHORIZED naming the registry, repository and connector', async () => {
      const result = await runTask([buildStep('build_push')], { password: 'wrong' });
      const finished = result.finished('build_push');
      expect(finished?.error?.code).toBe('REGISTRY_UNAUTHORIZED');
      expect(finished?.error?.message).toContain(registry.url.replace('http://', ''));
      expect(finished?.error?.message).toContain('kiln/app');
      expect(finished?.error?.message).toContain('connector "account.local_registry"');
      expect(finished?.error?.message).not.toContain('not-it');
    });
  });

  describe('when PLUGIN_NO_PUSH is true', () => {
    it('builds without pushing', async () => {
      const result = await runTask([buildStep('build_only', { tags: ['nopush'] })], { variables: [{ name: 'PLUGIN_NO_PUSH', type: 'String', value: 'true' }] });
      expect(result.finished('build_only')).toMatchObject({ status: 'Succeeded', artifacts: [{ tag: 'nopush', pushed: false, digest: '' }] });
      const manifest = await fetch(`${registry.url}/v2/kiln/app/manifests/nopush`, { headers: { authorization: `Basic ${Buffer.from(`kiln:${PASSWORD}`).toString('base64')}` } });
      expect(manifest.status).toBe(404);
    });
  });

  describe('when a secret is missing', () => {
    it('fails the step with SECRET_NOT_FOUND naming the reference and the config file', async () => {
      const result = await runTask([runStep('needs_secret', 'echo <+secrets.getValue("account.missing")>')]);
      const error = result.finished('needs_secret')?.error;
      expect(error?.code).toBe('SECRET_NOT_FOUND');
      expect(error?.message).toContain('account.missing');
      expect(error?.message).toContain(CONFIG_FILE);
    });
  });

  describe('when the dockerfile path leaves the workspace', () => {
    it('fails with PATH_OUTSIDE_WORKSPACE', async () => {
      const result = await runTask([buildStep('escape', { dockerfile: '../../etc/passwd' })]);
      expect(result.finished('escape')?.error?.code).toBe('PATH_OUTSIDE_WORKSPACE');
    });
  });

  describe('when the task is aborted during a step', () => {
    it('stops the process group and reports Aborted', async () => {
      const started = Date.now();
      const result = await runTask([runStep('sleeps', 'sleep 60 & wait'), runStep('next', 'echo next')], { abortAfterMs: 1500 });
      expect(Date.now() - started).toBeLessThan(20_000);
      expect(result.status).toBe('Aborted');
      expect(result.finished('sleeps')?.status).toBe('Aborted');
      expect(result.finished('next')?.status).toBe('Skipped');
    });
  });
});
