import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  createRepository,
  getImageConfig,
  getBlob,
  getManifest,
  kiln,
  kilnJson,
  listRepositories,
  listTags,
  readLayerFiles,
  sampleAppFiles,
  startStack,
  writeFixture,
  type Stack,
} from '../src/harness/index.js';

interface ArtifactView {
  registry: string;
  repository: string;
  tag: string;
  digest: string;
  pushed: boolean;
}

interface StepView {
  id: string;
  status: string;
  exit_code: number;
  has_exit_code: boolean;
  error_code: string;
  error_message: string;
  artifacts: ArtifactView[];
}

interface ExecutionView {
  id: string;
  pipeline: string;
  sequence_id: number;
  status: string;
  build_type: string;
  build_value: string;
  commit_sha: string;
  stages: { id: string; status: string; steps: StepView[] }[];
}

interface LogLineView {
  step_id: string;
  seq: number;
  text: string;
  stream: string;
}

const REPOSITORY = 'kiln/ciquickstart';
const BUILD_STEP = 'Build_and_push_image_to_DockerHub';

let stack: Stack;
let dir: string;

async function runPipeline(pipeline: string, ...args: string[]): Promise<{ exitCode: number; output: string; execution: ExecutionView }> {
  const result = await kiln(stack.manager, ['run', pipeline, ...args, '--follow']);
  const list = await kilnJson<{ executions: ExecutionView[] }>(stack.manager, ['executions', '--pipeline', pipeline, '--limit', '1']);
  const latest = list.executions[0];
  if (!latest) throw new Error(`no execution of ${pipeline} after kiln run: ${String(result.stderr)}`);
  const execution = await kilnJson<ExecutionView>(stack.manager, ['get', 'execution', latest.id]);
  return { exitCode: result.exitCode ?? -1, output: `${String(result.stdout)}${String(result.stderr)}`, execution };
}

function buildStep(execution: ExecutionView): StepView {
  const step = execution.stages.flatMap((stage) => stage.steps).find((candidate) => candidate.id === BUILD_STEP);
  if (!step) throw new Error(`execution ${execution.id} has no step ${BUILD_STEP}`);
  return step;
}

async function logLines(executionId: string): Promise<LogLineView[]> {
  const result = await kiln(stack.manager, ['logs', executionId, '--output', 'json']);
  expect(result.exitCode).toBe(0);
  return String(result.stdout)
    .split('\n')
    .filter((line) => line.trim().length > 0)
    .map((line) => JSON.parse(line) as LogLineView);
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'kiln-e2e-quickstart-'));
  stack = await startStack(dir);
  const addresses = { registry: stack.registry.address, gitRoot: stack.repository.root };
  for (const fixture of ['quickstart/connectors.yaml', 'quickstart/pipeline.yaml']) {
    const applied = await kiln(stack.manager, ['apply', '-f', await writeFixture(dir, fixture, addresses)]);
    expect(applied.exitCode).toBe(0);
  }
}, 300_000);

afterAll(async () => {
  await stack?.stop();
});

describe('quickstart pipeline', () => {
  let first: ExecutionView;
  let second: ExecutionView;

  beforeAll(async () => {
    const one = await runPipeline('CI_Quickstart', '--branch', 'main');
    expect(one.exitCode).toBe(0);
    first = one.execution;
    const two = await runPipeline('CI_Quickstart', '--branch', 'main');
    expect(two.exitCode).toBe(0);
    second = two.execution;
  }, 300_000);

  it('numbers the runs with Build IDs 1 and 2', () => {
    expect(first.sequence_id).toBe(1);
    expect(second.sequence_id).toBe(2);
    expect(first.status).toBe('Succeeded');
    expect(second.status).toBe('Succeeded');
    expect(first.build_type).toBe('branch');
    expect(first.build_value).toBe('main');
    expect(first.commit_sha).toMatch(/^[0-9a-f]{40}$/);
  });

  it('pushes tags 1 and 2 with the digests kiln reports', async () => {
    for (const [execution, tag] of [
      [first, '1'],
      [second, '2'],
    ] as const) {
      const [artifact] = buildStep(execution).artifacts;
      expect(artifact).toMatchObject({ registry: stack.registry.address, repository: REPOSITORY, tag, pushed: true });
      const manifest = await getManifest(stack.registry, REPOSITORY, tag);
      expect(manifest?.digest).toBe(artifact?.digest);
    }
    expect((await listTags(stack.registry, REPOSITORY)).sort()).toEqual(['1', '2']);
  });

  it('builds an image whose config carries the label and whose layer holds the app', async () => {
    const manifest = await getManifest(stack.registry, REPOSITORY, '1');
    if (!manifest) throw new Error('tag 1 is missing');
    const config = await getImageConfig(stack.registry, REPOSITORY, manifest);
    expect(config.config?.Labels?.maintainer).toBe('kiln developers <dev@kiln.invalid>');
    expect(config.config?.Entrypoint).toEqual(['/bin/hello']);
    const files = new Map<string, Buffer>();
    for (const layer of manifest.layers) {
      for (const [path, content] of readLayerFiles(await getBlob(stack.registry, REPOSITORY, layer.digest))) {
        files.set(path, content);
      }
    }
    expect(files.get('bin/hello')?.toString('utf8')).toContain('Hello from the kiln sample app');
  });

  it('stores the build output lines in order, each once', async () => {
    const lines = (await logLines(first.id)).filter((line) => line.step_id === BUILD_STEP);
    const seqs = lines.map((line) => line.seq);
    expect(seqs).toEqual(seqs.map((_, index) => index + 1));
    const texts = lines.map((line) => line.text);
    expect(texts[0]).toMatch(/^\+ buildah /);
    const steps = texts.filter((text) => /^STEP \d\/\d:/.test(text));
    expect(steps).toEqual([
      `STEP 1/5: FROM ${stack.baseImage}`,
      'STEP 2/5: LABEL maintainer="kiln developers <dev@kiln.invalid>"',
      'STEP 3/5: COPY hello.sh /bin/hello',
      'STEP 4/5: RUN echo "building the sample app" && /bin/hello',
      'STEP 5/5: ENTRYPOINT ["/bin/hello"]',
    ]);
    expect(texts.filter((text) => text === 'building the sample app')).toHaveLength(1);
    expect(texts.filter((text) => text === 'Hello from the kiln sample app')).toHaveLength(1);
  });

  it('never writes the registry password into the log', async () => {
    const lines = await logLines(first.id);
    expect(lines.some((line) => line.text.includes(stack.registry.password ?? '<none>'))).toBe(false);
  });
});

describe('build without pushing', () => {
  it('succeeds with PLUGIN_NO_PUSH=true and adds nothing to the registry', async () => {
    const addresses = { registry: stack.registry.address, gitRoot: stack.repository.root };
    const applied = await kiln(stack.manager, ['apply', '-f', await writeFixture(dir, 'quickstart/pipeline-no-push.yaml', addresses)]);
    expect(applied.exitCode).toBe(0);
    const tagsBefore = await listTags(stack.registry, REPOSITORY);

    const run = await runPipeline('CI_Quickstart', '--branch', 'main');

    expect(run.exitCode).toBe(0);
    expect(run.execution.status).toBe('Succeeded');
    const [artifact] = buildStep(run.execution).artifacts;
    expect(artifact?.pushed).toBe(false);
    expect(await listTags(stack.registry, REPOSITORY)).toEqual(tagsBefore);
  }, 300_000);
});

describe('a Dockerfile whose RUN exits 3', () => {
  it('fails the step with exit code 3 and the execution', async () => {
    await createRepository(stack.repository.root, 'failing-app', {
      ...sampleAppFiles(stack.baseImage),
      Dockerfile: `FROM ${stack.baseImage}\nRUN echo "about to fail" && exit 3\n`,
    });
    const pipelineFile = join(dir, 'failing.yaml');
    await writeFile(
      pipelineFile,
      [
        'pipeline:',
        '  name: Failing build',
        '  identifier: Failing_Build',
        '  orgIdentifier: default',
        '  projectIdentifier: CI_Quickstart',
        '  properties:',
        '    ci:',
        '      codebase:',
        '        connectorRef: account.kiln_samples',
        '        repoName: failing-app',
        '        build: <+input>',
        '  stages:',
        '    - stage:',
        '        name: Build',
        '        identifier: Build',
        '        type: CI',
        '        spec:',
        '          cloneCodebase: true',
        '          infrastructure:',
        '            type: KubernetesDirect',
        '            spec:',
        '              connectorRef: account.kiln_delegate',
        '              namespace: kiln-builds',
        '          execution:',
        '            steps:',
        '              - step:',
        '                  type: BuildAndPushDockerRegistry',
        `                  name: ${BUILD_STEP}`,
        `                  identifier: ${BUILD_STEP}`,
        '                  spec:',
        '                    connectorRef: account.local_registry',
        `                    repo: ${stack.registry.address}/kiln/failing`,
        '                    tags: [<+pipeline.sequenceId>]',
        '',
      ].join('\n'),
    );
    expect((await kiln(stack.manager, ['apply', '-f', pipelineFile])).exitCode).toBe(0);

    const run = await runPipeline('Failing_Build', '--branch', 'main');

    expect(run.exitCode).not.toBe(0);
    expect(run.execution.status).toBe('Failed');
    const step = buildStep(run.execution);
    expect(step.status).toBe('Failed');
    expect(step.has_exit_code).toBe(true);
    expect(step.exit_code).toBe(3);
    const text = await kiln(stack.manager, ['get', 'execution', run.execution.id]);
    expect(String(text.stdout)).toMatch(/exit code 3/i);
    expect(await listRepositories(stack.registry)).not.toContain('kiln/failing');
  }, 300_000);
});

describe('kiln apply', () => {
  it('rejects an unknown step type with file:line:column', async () => {
    const file = join(dir, 'unknown-step.yaml');
    await writeFile(
      file,
      [
        'pipeline:',
        '  name: Unknown step',
        '  identifier: Unknown_Step',
        '  orgIdentifier: default',
        '  projectIdentifier: CI_Quickstart',
        '  stages:',
        '    - stage:',
        '        name: Build',
        '        identifier: Build',
        '        type: CI',
        '        spec:',
        '          cloneCodebase: false',
        '          execution:',
        '            steps:',
        '              - step:',
        '                  type: BuildAndPushToTheMoon',
        '                  name: moon',
        '                  identifier: moon',
        '                  spec: {}',
        '',
      ].join('\n'),
    );

    const result = await kiln(stack.manager, ['apply', '-f', file]);

    expect(result.exitCode).toBe(1);
    expect(String(result.stderr)).toContain(`${file}:16:25`);
    expect(String(result.stderr)).toContain('BuildAndPushToTheMoon');
    expect(String(result.stderr)).toContain('BuildAndPushDockerRegistry');
  });
});

describe('a build step with every option', () => {
  it('builds the target with build args and labels, pushes every tag and runs Run steps', async () => {
    const base = stack.baseImage;
    await createRepository(stack.repository.root, 'options-app', {
      'src/app/hello.sh': '#!/bin/sh\necho "hello from options-app"\n',
      'docker/Dockerfile.app': [
        `FROM ${base} AS builder`,
        'ARG GREETING',
        'RUN echo "$GREETING" > /greeting',
        `FROM ${base} AS final`,
        'COPY --from=builder /greeting /greeting',
        'COPY app/hello.sh /bin/hello',
        `FROM ${base} AS broken`,
        'RUN exit 9',
        '',
      ].join('\n'),
    });
    const pipelineFile = join(dir, 'options.yaml');
    await writeFile(
      pipelineFile,
      [
        'pipeline:',
        '  name: Build options',
        '  identifier: Build_Options',
        '  orgIdentifier: default',
        '  projectIdentifier: CI_Quickstart',
        '  variables:',
        '    - name: greeting',
        '      type: String',
        '      value: "hello, world = yes \\"quoted\\""',
        '  properties:',
        '    ci:',
        '      codebase:',
        '        connectorRef: account.kiln_samples',
        '        repoName: options-app',
        '        build: <+input>',
        '  stages:',
        '    - stage:',
        '        name: Build',
        '        identifier: Build',
        '        type: CI',
        '        variables:',
        '          - name: FLAVOUR',
        '            type: String',
        '            value: vanilla',
        '        spec:',
        '          cloneCodebase: true',
        '          infrastructure:',
        '            type: KubernetesDirect',
        '            spec:',
        '              connectorRef: account.kiln_delegate',
        '              namespace: kiln-builds',
        '          execution:',
        '            steps:',
        '              - step:',
        '                  type: Run',
        '                  name: Show inputs',
        '                  identifier: Show_inputs',
        '                  spec:',
        '                    shell: Sh',
        '                    command: |',
        '                      echo "flavour=<+stage.variables.FLAVOUR> env=$FLAVOUR"',
        '                      echo "branch=<+codebase.branch> build=<+pipeline.sequenceId>"',
        '                      test -f docker/Dockerfile.app',
        '              - step:',
        '                  type: BuildAndPushDockerRegistry',
        `                  name: ${BUILD_STEP}`,
        `                  identifier: ${BUILD_STEP}`,
        '                  spec:',
        '                    connectorRef: account.local_registry',
        `                    repo: ${stack.registry.address}/kiln/options`,
        '                    tags:',
        '                      - <+pipeline.sequenceId>',
        '                      - latest',
        '                      - <+codebase.branch>',
        '                    dockerfile: docker/Dockerfile.app',
        '                    context: src',
        '                    target: final',
        '                    labels:',
        '                      org.opencontainers.image.title: options app',
        '                      flavour: <+stage.variables.FLAVOUR>',
        '                    buildArgs:',
        '                      GREETING: <+pipeline.variables.greeting>',
        '',
      ].join('\n'),
    );
    const applied = await kiln(stack.manager, ['apply', '-f', pipelineFile]);
    expect(String(applied.stderr)).toBe('');

    const run = await runPipeline('Build_Options', '--branch', 'main');

    expect(run.execution.status).toBe('Succeeded');
    const artifacts = buildStep(run.execution).artifacts;
    expect(artifacts.map((artifact) => artifact.tag)).toEqual(['1', 'latest', 'main']);
    expect(new Set(artifacts.map((artifact) => artifact.digest)).size).toBe(1);
    for (const tag of ['1', 'latest', 'main']) {
      expect((await getManifest(stack.registry, 'kiln/options', tag))?.digest).toBe(artifacts[0]?.digest);
    }
    const manifest = await getManifest(stack.registry, 'kiln/options', 'latest');
    if (!manifest) throw new Error('kiln/options:latest is missing');
    const config = await getImageConfig(stack.registry, 'kiln/options', manifest);
    expect(config.config?.Labels).toMatchObject({ 'org.opencontainers.image.title': 'options app', flavour: 'vanilla' });
    const files = new Map<string, Buffer>();
    for (const layer of manifest.layers) {
      for (const [path, content] of readLayerFiles(await getBlob(stack.registry, 'kiln/options', layer.digest))) {
        files.set(path, content);
      }
    }
    expect(files.get('greeting')?.toString('utf8')).toBe('hello, world = yes "quoted"\n');
    expect(files.has('bin/hello')).toBe(true);
    const texts = (await logLines(run.execution.id)).map((line) => line.text);
    expect(texts).toContain('flavour=vanilla env=vanilla');
    expect(texts).toContain('branch=main build=1');
  }, 300_000);
});
