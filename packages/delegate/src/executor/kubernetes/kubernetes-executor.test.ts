import type { Stage, Step } from '@kiln/pipeline';
import type { NatsConnection } from '@nats-io/transport-node';
import { EVENTS_STREAM, LOGS_STREAM, type KilnEvent, type LogBatch, type StepFinishedEvent, type TaskPayload, type TaskScope } from '@kiln/protocol';
import { Pod } from 'kubernetes-models/v1/Pod';
import { Secret } from 'kubernetes-models/v1/Secret';
import { pino } from 'pino';
import { Registry } from 'prom-client';
import { DelegateMetrics } from '../../metrics.js';
import { JetStreamPublisher } from '../../nats/jetstream-publisher.js';
import { MASK } from '../../secrets/secret-masker.js';
import { SecretStore } from '../../secrets/secret-store.js';
import { createStreams, readStream } from '../../testing/jetstream.js';
import { startNatsServer, waitFor, type RunningServer } from '../../testing/servers.js';
import { createKubernetesExecutor } from './index.js';
import { startFakeKubeApi, type FakeKubeApi } from './testing/fake-kube-api.js';

// No Kubernetes API server can run on this machine: these tests run the
// executor against an in-test fake API server (node:http on 127.0.0.1:0) that
// implements only the endpoints the executor calls and plays each container
// from a script. NATS is a real nats-server.

const logger = pino({ level: 'silent' });
const DIGEST = `sha256:${'ab'.repeat(32)}`;
const SHA = 'c0ffee'.padEnd(40, '0');

function step(identifier: string, type: string, spec: Record<string, unknown>, extra: Partial<Step> = {}): { kind: 'step'; step: Step } {
  return { kind: 'step', step: { identifier, name: identifier, type, spec, ...extra } as Step };
}

describe('KubernetesExecutor', () => {
  let nats: RunningServer;
  let reader: NatsConnection;
  let publisher: JetStreamPublisher;
  let api: FakeKubeApi;
  let counter = 0;

  beforeAll(async () => {
    nats = await startNatsServer();
    reader = await createStreams(nats.url);
    publisher = await JetStreamPublisher.connect([nats.url], { name: 'test', logger, signal: new AbortController().signal });
  });

  beforeEach(async () => {
    api = await startFakeKubeApi();
  });

  afterEach(async () => {
    await api.close();
  });

  afterAll(async () => {
    await publisher.close();
    await reader.close();
    await nats.stop();
  });

  async function runTask(steps: Stage['spec']['execution']['steps'], options: { abort?: (controller: AbortController) => void; infrastructure?: Record<string, unknown>; initTimeoutMs?: number } = {}) {
    counter += 1;
    const executionId = `exec-k8s-${counter}`;
    const stage: Stage = {
      identifier: 'build', name: 'Build', type: 'CI', variables: [{ name: 'TOKEN', type: 'Secret', value: 'account.token' }],
      spec: {
        cloneCodebase: true, execution: { steps }, serviceDependencies: [], sharedPaths: [],
        infrastructure: { type: 'KubernetesDirect', spec: { connectorRef: 'account.k8s', namespace: 'builds', nodeSelector: { pool: 'ci' }, runAsUser: 1000, ...options.infrastructure } },
      },
    } as Stage;
    const payload: TaskPayload<Stage> = {
      taskId: `task-${counter}`, attempt: 1, executionId, stageIndex: 0, timeoutMs: 600_000, stage,
      pipeline: { identifier: 'ci', name: 'CI', orgIdentifier: 'default', projectIdentifier: 'kiln', sequenceId: counter, variables: {} },
      codebase: { connectorRef: 'account.git', repoUrl: 'https://git.example.com/app.git', build: { type: 'branch', value: 'main' } },
      connectors: {
        'account.git': { ref: 'account.git', identifier: 'git', type: 'Git', spec: { url: 'https://git.example.com/app.git', connectionType: 'Repo', type: 'Http', spec: { username: 'kiln', tokenRef: 'account.git_token' } } },
        'account.registry': { ref: 'account.registry', identifier: 'registry', type: 'DockerRegistry', spec: { dockerRegistryUrl: 'http://registry.local:5000', auth: { type: 'UsernamePassword', spec: { username: 'kiln', passwordRef: 'account.registry_password' } } } },
      },
    };
    const scope: TaskScope = { taskId: payload.taskId, attempt: 1, leaseId: 'lease-7', executionId, stageId: 'build' };
    const secrets = new SecretStore({ 'account.token': { value: 'stage-token-value' }, 'account.git_token': { value: 'git-token-value' }, 'account.registry_password': { value: 'registry-pw' } }, '/etc/kiln/delegate.yaml');
    const metrics = new DelegateMetrics(new Registry(), { defaultMetrics: false });
    const { executor } = createKubernetesExecutor({
      delegateName: 'cluster-1', delegateHost: 'delegate-0', namespace: 'default', kubeConfig: api.kubeConfig, secrets, publisher, logger, metrics,
      killGracePeriodMs: 1000, logFlush: () => ({ intervalMs: 50, bytes: 256 * 1024 }), recheckIntervalMs: 50, initTimeoutMs: options.initTimeoutMs ?? 60_000,
    });
    const controller = new AbortController();
    options.abort?.(controller);
    const status = await executor.run({ payload, scope, delegateId: 'delegate-1', signal: controller.signal, abandonSignal: new AbortController().signal });
    const events = (await readStream(reader, EVENTS_STREAM)).filter((message) => message.subject === `kiln.events.${executionId}`).map((message) => message.data as KilnEvent);
    const logs = (await readStream(reader, LOGS_STREAM)).filter((message) => message.subject.startsWith(`kiln.logs.${executionId}.`));
    const linesOf = (stepId: string): string[] => logs
      .filter((message) => message.subject.endsWith(`.${stepId}`) && (message.data as LogBatch).kind === 'lines')
      .flatMap((message) => (message.data as LogBatch).lines.map((line) => line.text));
    const finished = (stepId: string) => events.find((event): event is StepFinishedEvent => event.type === 'step.finished' && event.stepId === stepId);
    const pod = api.created.get(`kiln-task-${counter}-1`);
    return { status, events, linesOf, finished, pod };
  }

  const greet = step('greet', 'Run', { image: 'busybox:1.36', shell: 'Sh', command: 'echo "hello $TOKEN"', outputVariables: [{ name: 'VERSION' }], resources: { limits: { memory: '256Mi', cpu: '500m' } } });
  const build = step('build_push', 'BuildAndPushDockerRegistry', { connectorRef: 'account.registry', repo: 'team/app', tags: ['1.0', 'latest'], buildArgs: { NOTE: 'a b' } });

  describe('when a stage clones, runs and builds', () => {
    it('succeeds with outputs, the digest and masked logs', async () => {
      api.scripts.set('clone', { lines: ['+ git fetch'], message: SHA });
      api.scripts.set('step-1', { lines: ['hello stage-token-value'], message: `VERSION=${Buffer.from('1.2.3').toString('hex')}\n` });
      api.scripts.set('step-2', { lines: ['INFO[0001] Pushed registry.local:5000/team/app'], message: DIGEST });
      const result = await runTask([greet, build]);

      expect(result.status).toBe('Succeeded');
      expect(result.events.map((event) => `${event.type}${'stepId' in event ? `:${event.stepId}` : ''}`)).toEqual([
        'stage.started', 'step.started:git_clone', 'codebase.cloned', 'step.finished:git_clone', 'step.started:greet', 'step.finished:greet',
        'step.started:build_push', 'step.finished:build_push', 'stage.finished',
      ]);
      expect(result.events.find((event) => event.type === 'codebase.cloned')).toMatchObject({ commitSha: SHA, branch: 'main' });
      expect(result.finished('greet')).toMatchObject({ status: 'Succeeded', exitCode: 0, outputs: { VERSION: '1.2.3' } });
      expect(result.linesOf('greet')).toEqual([`hello ${MASK}`]);
      expect(result.finished('build_push')?.artifacts).toEqual([
        { registry: 'registry.local:5000', repository: 'team/app', tag: '1.0', digest: DIGEST, pushed: true },
        { registry: 'registry.local:5000', repository: 'team/app', tag: 'latest', digest: DIGEST, pushed: true },
      ]);
      expect(result.linesOf('build_push')[0]).toMatch(/^\+ \/kaniko\/executor --dockerfile=\/harness\/Dockerfile --context=dir:\/\/\/harness --destination=registry.local:5000\/team\/app:1.0 /);
    });

    it('creates a valid pod with the task labels and infrastructure settings', async () => {
      const result = await runTask([greet, build]);
      expect(result.pod).toBeDefined();
      expect(() => new Pod(result.pod as never).validate()).not.toThrow();
      const pod = result.pod!;
      expect(pod.metadata?.namespace).toBe('builds');
      expect(pod.metadata?.labels).toMatchObject({ 'kiln.dev/task-id': `task-${counter}`, 'kiln.dev/attempt': '1', 'kiln.dev/lease-id': 'lease-7', 'kiln.dev/delegate': 'cluster-1' });
      expect(pod.spec?.activeDeadlineSeconds).toBe(600);
      expect(pod.spec?.nodeSelector).toEqual({ pool: 'ci' });
      expect(pod.spec?.initContainers?.map((container) => container.name)).toEqual(['clone', 'step-1', 'step-2']);
      const run = pod.spec?.initContainers?.[1];
      expect(run?.image).toBe('busybox:1.36');
      expect(run?.command?.slice(0, 2)).toEqual(['sh', '-c']);
      expect(run?.securityContext?.runAsUser).toBe(1000);
      expect(run?.resources?.limits).toEqual({ memory: '256Mi', cpu: '500m' });
      const kaniko = pod.spec?.initContainers?.[2];
      expect(kaniko?.image).toMatch(/^gcr\.io\/kaniko-project\/executor:v[\d.]+@sha256:[0-9a-f]{64}$/);
      expect(kaniko?.volumeMounts).toContainEqual(expect.objectContaining({ mountPath: '/kaniko/.docker', readOnly: true }));
      expect(kaniko?.args).toContain('--digest-file=/dev/termination-log');
      expect(kaniko?.args).toContain('--insecure-registry=registry.local:5000');
      expect(JSON.stringify(pod)).not.toMatch(/stage-token-value|git-token-value|registry-pw/);
    });

    it('keeps secrets in task Secrets and deletes them with the pod', async () => {
      const result = await runTask([greet, build]);
      expect(result.status).toBe('Succeeded');
      expect(api.createdSecrets.map((secret) => secret.metadata?.name).sort()).toEqual([`kiln-task-${counter}-1-docker-step-2`, `kiln-task-${counter}-1-env`]);
      for (const secret of api.createdSecrets) expect(() => new Secret(secret as never).validate()).not.toThrow();
      const docker = api.createdSecrets.find((secret) => secret.metadata?.name?.endsWith('docker-step-2'));
      expect(JSON.parse(docker?.stringData?.['config.json'] ?? '{}')).toEqual({ auths: { 'registry.local:5000': { auth: Buffer.from('kiln:registry-pw').toString('base64') } } });
      expect(api.deletedSecrets.sort()).toEqual(api.createdSecrets.map((secret) => secret.metadata?.name).sort());
      expect(api.deletedPods).toEqual([`kiln-task-${counter}-1`]);
    });
  });

  describe('when a Run step exits non-zero', () => {
    it('fails the step and the stage and skips the rest', async () => {
      api.scripts.set('clone', { message: SHA });
      api.scripts.set('step-1', { lines: ['boom'], exitCode: 3 });
      const result = await runTask([greet, build]);
      expect(result.status).toBe('Failed');
      expect(result.finished('greet')).toMatchObject({ status: 'Failed', exitCode: 3, error: { code: 'STEP_FAILED' } });
      expect(result.finished('build_push')).toMatchObject({ status: 'Skipped' });
      expect(result.linesOf('greet')).toContain('boom');
    });
  });

  describe('when kaniko is rejected by the registry', () => {
    it('reports REGISTRY_UNAUTHORIZED naming the registry and connector', async () => {
      api.scripts.set('step-2', { lines: ['error checking push permissions -- make sure you entered the correct tag name: UNAUTHORIZED: authentication required'], exitCode: 1 });
      const result = await runTask([greet, build]);
      const error = result.finished('build_push')?.error;
      expect(error?.code).toBe('REGISTRY_UNAUTHORIZED');
      expect(error?.message).toContain('registry.local:5000');
      expect(error?.message).toContain('connector "account.registry"');
    });
  });

  describe('when an image cannot be pulled', () => {
    it('fails as an infrastructure error after the init timeout', async () => {
      api.scripts.set('step-1', { waiting: { reason: 'ImagePullBackOff', message: 'Back-off pulling image "busybox:nope"' } });
      const started = Date.now();
      const result = await runTask([greet], { initTimeoutMs: 300 });
      expect(Date.now() - started).toBeLessThan(10_000);
      expect(result.status).toBe('Failed');
      expect(result.finished('greet')?.error).toMatchObject({ code: 'INFRASTRUCTURE_FAILED' });
      expect(result.finished('greet')?.error?.message).toContain('ImagePullBackOff');
    });
  });

  describe('when the pod is unschedulable', () => {
    it('fails the clone step as an infrastructure error', async () => {
      api.unschedulable = true;
      const result = await runTask([greet], { initTimeoutMs: 300 });
      expect(result.finished('git_clone')?.error?.message).toContain('Unschedulable');
      expect(result.finished('greet')?.status).toBe('Skipped');
    });
  });

  describe('when the task is cancelled during a step', () => {
    it('deletes the pod and reports Aborted', async () => {
      api.scripts.set('step-1', { runUntilDeleted: true });
      const result = await runTask([greet, build], {
        abort: (controller) => {
          void waitFor(() => api.pods.get(`kiln-task-${counter}-1`)?.status?.initContainerStatuses?.some((status) => status.name === 'step-1' && status.state?.running !== undefined) === true, 10_000, 'step-1 running')
            .then(() => controller.abort(new Error('cancel requested')));
        },
      });
      expect(result.status).toBe('Aborted');
      expect(result.finished('greet')?.status).toBe('Aborted');
      expect(result.finished('build_push')?.status).toBe('Skipped');
      expect(api.deletedPods).toContain(`kiln-task-${counter}-1`);
    });
  });

  describe('when a step type is not supported', () => {
    it('runs the steps before it, then fails it', async () => {
      const result = await runTask([greet, step('plugin', 'Plugin', { image: 'plugins/slack' })]);
      expect(result.pod?.spec?.initContainers?.map((container) => container.name)).toEqual(['clone', 'step-1']);
      expect(result.finished('greet')?.status).toBe('Succeeded');
      expect(result.finished('plugin')).toMatchObject({ status: 'Failed', error: { code: 'INVALID_ARGUMENT' } });
    });
  });
});
