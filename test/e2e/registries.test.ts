import { randomBytes } from 'node:crypto';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  applyDocuments,
  buildPipelineDocument,
  createRepository,
  getBlob,
  getManifest,
  kiln,
  listTags,
  pushBaseImage,
  readLayerFiles,
  runAndGet,
  startConfiguredDelegate,
  startManager,
  startNats,
  startRegistry,
  stepOf,
  type Manager,
  type Registry,
  type StepDocument,
} from '../src/harness/index.js';

const USER = 'kiln';
const PASSWORD = randomBytes(12).toString('base64url');
const WRONG_PASSWORD = randomBytes(12).toString('base64url');

let dir: string;
let gitRoot: string;
let registry: Registry;
let baseImage: string;
let manager: Manager;
const stops: { stop(): Promise<void> }[] = [];

function connectors(): string {
  const dockerRegistry = (identifier: string, passwordRef: string) => ({
    connector: {
      name: identifier, identifier, type: 'DockerRegistry',
      spec: { dockerRegistryUrl: `http://${registry.address}`, providerType: 'Other', auth: { type: 'UsernamePassword', spec: { username: USER, passwordRef } } },
    },
  });
  const cluster = (identifier: string, selector: string) => ({
    connector: { name: identifier, identifier, type: 'K8sCluster', spec: { credential: { type: 'InheritFromDelegate' }, delegateSelectors: [selector] } },
  });
  return [
    { connector: { name: 'Samples', identifier: 'kiln_samples', type: 'Git', spec: { url: `file://${gitRoot}`, connectionType: 'Account', type: 'Http' } } },
    dockerRegistry('local_registry', 'account.registry_password'),
    dockerRegistry('wrong_registry', 'account.wrong_password'),
    cluster('delegate_a', 'reg_a'),
    cluster('delegate_b', 'reg_b'),
  ].map((document) => JSON.stringify(document, null, 2)).join('\n---\n');
}

function buildStep(spec: Record<string, unknown>, identifier = 'build'): StepDocument {
  return { type: 'BuildAndPushDockerRegistry', name: identifier, identifier, spec: { connectorRef: 'account.local_registry', ...spec } };
}

async function run(identifier: string, repoName: string, steps: StepDocument[], infrastructureConnector = 'account.delegate_a') {
  await applyDocuments(manager, dir, `${identifier}.yaml`, buildPipelineDocument({ identifier, repoName, infrastructureConnector, steps }));
  return runAndGet(manager, identifier);
}

async function layerFiles(repository: string, tag: string): Promise<Map<string, string>> {
  const manifest = await getManifest(registry, repository, tag);
  if (!manifest) throw new Error(`${repository}:${tag} is missing`);
  const files = new Map<string, string>();
  for (const layer of manifest.layers) {
    for (const [path, content] of readLayerFiles(await getBlob(registry, repository, layer.digest))) files.set(path, content.toString('utf8'));
  }
  return files;
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'kiln-e2e-registries-'));
  gitRoot = join(dir, 'git');
  const nats = await startNats(dir);
  stops.push(nats.process);
  registry = await startRegistry(dir, { credentials: { username: USER, password: PASSWORD } });
  stops.push(registry.process);
  baseImage = await pushBaseImage(dir, registry);
  manager = await startManager(dir, { natsUrl: nats.url, apiToken: randomBytes(24).toString('base64url'), delegateToken: randomBytes(24).toString('base64url') });
  stops.push(manager.process);
  const secrets = { 'account.registry_password': PASSWORD, 'account.wrong_password': WRONG_PASSWORD };
  for (const [name, tag] of [['reg-a', 'reg_a'], ['reg-b', 'reg_b']] as const) {
    stops.push((await startConfiguredDelegate(dir, { name, manager, tags: [tag], secrets })).process);
  }
  await applyDocuments(manager, dir, 'connectors.yaml', connectors());
}, 180_000);

afterAll(async () => {
  for (const component of stops.reverse()) await component.stop();
});

describe('kiln delegates', () => {
  it('shows the builder and its version', async () => {
    const output = String((await kiln(manager, ['delegates'])).stdout);
    expect(output).toMatch(/reg-a\b.*buildah \d+\.\d+/);
  });
});

describe('BuildAndPushDockerRegistry against an htpasswd registry', () => {
  describe('with the right credentials and every path option', () => {
    let result: Awaited<ReturnType<typeof run>>;

    beforeAll(async () => {
      await createRepository(gitRoot, 'full-app', {
        'docker/app/Dockerfile': [
          `ARG BASE=${baseImage}`,
          'FROM ${BASE} AS builder',
          'ARG GREETING',
          'RUN printf "%s" "$GREETING" > /greeting',
          'FROM ${BASE} AS broken',
          'RUN exit 9',
          'FROM ${BASE} AS final',
          'COPY --from=builder /greeting /greeting',
          'COPY . /app/',
          '',
        ].join('\n'),
        'docker/unknown-registry/Dockerfile': 'ARG REGISTRY=127.0.0.1:9\nFROM ${REGISTRY}/kiln/base:1\n',
        'src/hello.sh': '#!/bin/sh\necho hello\n',
        'src/secret.txt': 'must not be in the image\n',
        'src/.dockerignore': 'secret.txt\n',
      });
      result = await run('Full_Build', 'full-app', [
        buildStep({
          repo: `${registry.address}/kiln/full`, tags: ['<+pipeline.sequenceId>', 'latest', 'stable'],
          dockerfile: 'docker/app/Dockerfile', context: 'src', target: 'final',
          buildArgs: { GREETING: `hello world, a=b "double" 'single'` },
        }),
        { type: 'Run', name: 'show', identifier: 'show', spec: { shell: 'Sh', command: 'echo "digest=<+steps.build.output.outputVariables.IMAGE_DIGEST> image=<+steps.build.output.outputVariables.IMAGE>"' } },
      ]);
    }, 240_000);

    it('pushes three tags with one digest', async () => {
      expect(result.execution.status).toBe('Succeeded');
      const artifacts = stepOf(result.execution, 'build').artifacts;
      expect(artifacts.map((artifact) => [artifact.tag, artifact.pushed])).toEqual([['1', true], ['latest', true], ['stable', true]]);
      expect(new Set(artifacts.map((artifact) => artifact.digest)).size).toBe(1);
      for (const tag of ['1', 'latest', 'stable']) {
        expect((await getManifest(registry, 'kiln/full', tag))?.digest).toBe(artifacts[0]?.digest);
      }
    });

    it('builds the target stage with the build argument whole and honours .dockerignore', async () => {
      const files = await layerFiles('kiln/full', 'latest');
      expect(files.get('greeting')).toBe(`hello world, a=b "double" 'single'`);
      expect(files.has('app/hello.sh')).toBe(true);
      expect(files.has('app/secret.txt')).toBe(false);
    });

    it('gives later steps the digest and image as outputs', async () => {
      const [artifact] = stepOf(result.execution, 'build').artifacts;
      expect(stepOf(result.execution, 'build').outputs).toMatchObject({ IMAGE_DIGEST: artifact?.digest, IMAGE: `${registry.address}/kiln/full:1` });
      const logs = await kiln(manager, ['logs', result.execution.id]);
      expect(String(logs.stdout)).toContain(`digest=${artifact?.digest} image=${registry.address}/kiln/full:1`);
    });

    it('shows every artifact in kiln get', async () => {
      const text = String((await kiln(manager, ['get', 'execution', result.execution.id])).stdout);
      const digest = stepOf(result.execution, 'build').artifacts[0]?.digest ?? '<none>';
      for (const tag of ['1', 'latest', 'stable']) expect(text).toContain(`${registry.address}/kiln/full:${tag}@${digest} (pushed)`);
    });

    it('never writes the password or its base64 form into the log', async () => {
      const logs = String((await kiln(manager, ['logs', result.execution.id])).stdout);
      expect(logs).not.toContain(PASSWORD);
      expect(logs).not.toContain(Buffer.from(`${USER}:${PASSWORD}`).toString('base64'));
    });
  });

  describe('with the wrong password', () => {
    it('fails with REGISTRY_UNAUTHORIZED naming the registry and the connector', async () => {
      const { execution } = await run('Wrong_Password', 'full-app', [buildStep({ connectorRef: 'account.wrong_registry', repo: `${registry.address}/kiln/wrong`, tags: ['1'], dockerfile: 'docker/app/Dockerfile', context: 'src', target: 'final' })]);
      const step = stepOf(execution, 'build');
      expect(step.status).toBe('Failed');
      expect(step.error_code).toBe('REGISTRY_UNAUTHORIZED');
      expect(step.error_message).toContain(`registry ${registry.address}`);
      expect(step.error_message).toContain('connector "account.wrong_registry"');
      expect(step.error_message).not.toContain(WRONG_PASSWORD);
      expect(await listTags(registry, 'kiln/wrong')).toEqual([]);
    }, 120_000);
  });

  describe('with checks that fail before the build', () => {
    it.each([
      ['a Dockerfile outside the workspace', { dockerfile: '../../outside/Dockerfile' }, 'PATH_OUTSIDE_WORKSPACE', 'dockerfile "../../outside/Dockerfile"'],
      ['a context outside the workspace', { context: '..' }, 'PATH_OUTSIDE_WORKSPACE', 'context ".."'],
      ['a branch name as tag', { tags: ['feature/login'] }, 'INVALID_ARGUMENT', '<+codebase.branch.replace("/", "-")>'],
      ['a missing Dockerfile', { dockerfile: 'nope/Dockerfile' }, 'INVALID_ARGUMENT', 'dockerfile "nope/Dockerfile" was not found'],
      ['a base image without credentials', { dockerfile: 'docker/unknown-registry/Dockerfile' }, 'CREDENTIALS_MISSING', 'no credentials for registry 127.0.0.1:9 (pull of base image 127.0.0.1:9/kiln/base:1)'],
    ])('rejects %s', async (name, spec, code, text) => {
      const identifier = `Check_${name.replace(/[^A-Za-z]+/g, '_')}`;
      const { execution } = await run(identifier, 'full-app', [buildStep({ repo: `${registry.address}/kiln/checks`, tags: ['1'], dockerfile: 'docker/app/Dockerfile', context: 'src', ...spec })]);
      const step = stepOf(execution, 'build');
      expect(step.error_code).toBe(code);
      expect(step.error_message).toContain(text);
    }, 60_000);
  });

  describe('with a remote cache repository', () => {
    it('reuses the cache from another delegate with empty local storage', async () => {
      await createRepository(gitRoot, 'cache-app', {
        Dockerfile: [`FROM ${baseImage}`, 'RUN echo "expensive step" && echo built > /layer', 'COPY hello.sh /hello.sh', ''].join('\n'),
        'hello.sh': '#!/bin/sh\necho hello\n',
      });
      const step = buildStep({ repo: `${registry.address}/kiln/cached`, tags: ['<+pipeline.sequenceId>'], remoteCacheRepo: `${registry.address}/kiln/build-cache` });
      const first = await run('Cache_First', 'cache-app', [step], 'account.delegate_a');
      expect(first.execution.status).toBe('Succeeded');
      expect((await listTags(registry, 'kiln/build-cache')).length).toBeGreaterThan(0);
      expect(String((await kiln(manager, ['logs', first.execution.id])).stdout).split('\n')).toContain('[build] expensive step');

      const second = await run('Cache_Second', 'cache-app', [step], 'account.delegate_b');
      expect(second.execution.status).toBe('Succeeded');
      const logs = String((await kiln(manager, ['logs', second.execution.id])).stdout);
      expect(logs).toContain(`Cache pulled from remote ${registry.address}/kiln/build-cache:`);
      expect(logs).toMatch(/Using cache/);
      // The RUN instruction's own output appears only when it runs; the STEP line quotes the instruction text.
      expect(logs.split('\n')).not.toContain('[build] expensive step');
    }, 240_000);
  });
});
