import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, readdir, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { kiln, kilnJson, startDelegate, startManager, startNats, type Manager } from '../src/harness/index.js';

interface StepView {
  id: string;
  status: string;
  error_code: string;
  error_message: string;
}

interface ExecutionView {
  id: string;
  status: string;
  error_message: string;
  stages: { id: string; status: string; attempt: number; steps: StepView[] }[];
}

interface LogLineView {
  stage_id: string;
  step_id: string;
  text: string;
}

const SECRET = `e2e-secret-${randomBytes(8).toString('hex')}`;

type Node = Record<string, unknown>;

function pipeline(identifier: string, stages: Node[], variables: Node[] = []): Node {
  return { pipeline: { name: identifier, identifier, orgIdentifier: 'default', projectIdentifier: 'kiln', variables, stages } };
}

/** Builds a CI stage without a codebase clone. */
function stage(identifier: string, steps: Node[], extra: Node = {}): Node {
  return { stage: { name: identifier, identifier, type: 'CI', ...extra, spec: { cloneCodebase: false, execution: { steps } } } };
}

function run(identifier: string, command: string, extra: Node = {}, spec: Node = {}): Node {
  return { step: { type: 'Run', name: identifier, identifier, ...extra, spec: { shell: 'Sh', command, ...spec } } };
}

function variable(name: string, value: string, type = 'String'): Node {
  return { name, type, value };
}

const outputs = (...names: string[]): Node => ({ outputVariables: names.map((name) => ({ name })) });

const FLOW = pipeline(
  'Runtime_Flow',
  [
    stage('produce', [
      run('version', 'export VERSION=1.2.<+pipeline.sequenceId>', {}, outputs('VERSION')),
      {
        stepGroup: {
          identifier: 'checks',
          name: 'checks',
          steps: [
            run('lint', 'echo "lint sees <+steps.version.output.outputVariables.VERSION>"; export RESULT=clean', {}, outputs('RESULT')),
            run('report', 'echo "report sees <+steps.checks.steps.lint.output.outputVariables.RESULT>"'),
          ],
        },
      },
      run('not_this_version', 'echo should not run', { when: { stageStatus: 'Success', condition: '<+steps.version.output.outputVariables.VERSION> == "0.0.0"' } }),
      run('greet', 'echo "greeting <+pipeline.variables.greeting>"'),
    ]),
    stage('consume', [run('use', 'echo "consume sees <+pipeline.stages.produce.spec.execution.steps.version.output.outputVariables.VERSION>"')], {
      when: { pipelineStatus: 'Success', condition: '<+pipeline.stages.produce.spec.execution.steps.checks.steps.lint.output.outputVariables.RESULT> == "clean"' },
    }),
    stage('never', [run('nothing', 'echo never')], { when: { pipelineStatus: 'Success', condition: '<+pipeline.variables.greeting> == "skip me"' } }),
  ],
  [variable('greeting', '<+input>')],
);

const FLAKY = 'n=$(cat count 2>/dev/null || echo 0); n=$((n+1)); echo $n > count; echo "try $n"; test "$n" -ge 3';
const RETRY_STRATEGY = [
  { onFailure: { errors: ['AllErrors'], action: { type: 'Retry', spec: { retryCount: 3, retryIntervals: ['100ms'], onRetryFailure: { action: { type: 'Fail' } } } } } },
];
const RETRY = pipeline('Runtime_Retry', [
  stage('build', [
    run('flaky', FLAKY, { failureStrategies: RETRY_STRATEGY }),
    run('slow', 'echo started; sleep 60', { timeout: '2s' }),
    run('after_slow', 'echo not reached'),
  ]),
  stage('on_failure', [run('report', 'echo "reporting the failure"')], { when: { pipelineStatus: 'Failure' } }),
  stage('on_success', [run('deploy', 'echo deploy')]),
]);

/** Builds a command that writes its marker and waits for its peer's, so two of them pass only when they run at the same time. */
function waitForPeer(own: string, peer: string): string {
  return `touch "${own}"; i=0; while [ ! -e "${peer}" ]; do i=$((i+1)); if [ $i -gt 200 ]; then echo "no ${peer}"; exit 1; fi; sleep 0.1; done; echo "saw ${peer}"`;
}

const SYNC = '<+pipeline.variables.sync>';
const PARALLEL = pipeline(
  'Runtime_Parallel',
  [
    stage('steps', [{ parallel: [run('left', waitForPeer('left.marker', 'right.marker')), run('right', waitForPeer('right.marker', 'left.marker'))] }]),
    {
      parallel: [
        stage('east', [run('east', waitForPeer(`${SYNC}/east`, `${SYNC}/west`))]),
        stage('west', [run('west', waitForPeer(`${SYNC}/west`, `${SYNC}/east`))]),
      ],
    },
  ],
  [variable('sync', '<+input>')],
);

const INPUTS = pipeline(
  'Runtime_Inputs',
  [
    stage('build', [run('show', 'echo "tag=<+pipeline.variables.tag> target=<+stage.variables.target> mode=$MODE"', {}, { envVariables: { MODE: '<+input>' } })], {
      variables: [variable('target', '<+input>.allowedValues(debug,release)')],
    }),
  ],
  [variable('tag', '<+input>')],
);

const INPUT_SET = `inputSet:
  identifier: nightly
  name: Nightly
  orgIdentifier: default
  projectIdentifier: kiln
  pipeline:
    identifier: Runtime_Inputs
    variables:
      - name: tag
        type: String
        value: v9
    stages:
      - stage:
          identifier: build
          type: CI
          variables:
            - name: target
              type: String
              value: release
          spec:
            execution:
              steps:
                - step:
                    identifier: show
                    type: Run
                    spec:
                      envVariables:
                        MODE: fast
`;

const SECRETS = pipeline('Runtime_Secrets', [
  stage(
    'use',
    [run('print', 'echo "token <+secrets.getValue("account.e2e_token")> and $TOKEN"; export LEAK="<+secrets.getValue("account.e2e_token")>"', {}, outputs('LEAK'))],
    { variables: [variable('TOKEN', 'account.e2e_token', 'Secret')] },
  ),
]);

/** A file outside every workspace: each stage attempt gets a fresh workspace, so the marker must live elsewhere. */
const STAGE_RETRY_MARKER = join(tmpdir(), `kiln-e2e-stage-retry-${randomBytes(6).toString('hex')}`);

const STAGE_RETRY = pipeline('Runtime_Stage_Retry', [
  stage('flaky', [run('once', `if [ -f ${STAGE_RETRY_MARKER} ]; then echo "second attempt"; else touch ${STAGE_RETRY_MARKER}; exit 4; fi`)], {
    failureStrategies: [{ onFailure: { errors: ['AllErrors'], action: { type: 'Retry', spec: { retryCount: 1, retryIntervals: ['1s'], onRetryFailure: { action: { type: 'Fail' } } } } } }],
  }),
]);

let dir: string;
let manager: Manager;
let stops: (() => Promise<void>)[] = [];

async function runPipeline(pipeline: string, ...args: string[]): Promise<{ exitCode: number; output: string; execution: ExecutionView }> {
  const result = await kiln(manager, ['run', pipeline, ...args, '--follow'], { timeoutMs: 120_000 });
  const list = await kilnJson<{ executions: ExecutionView[] }>(manager, ['executions', '--pipeline', pipeline, '--limit', '1']);
  const latest = list.executions[0];
  if (!latest) throw new Error(`no execution of ${pipeline} after kiln run: ${String(result.stderr)}`);
  const execution = await kilnJson<ExecutionView>(manager, ['get', 'execution', latest.id]);
  return { exitCode: result.exitCode ?? -1, output: `${String(result.stdout)}${String(result.stderr)}`, execution };
}

async function logLines(executionId: string): Promise<LogLineView[]> {
  const result = await kiln(manager, ['logs', executionId, '--output', 'json']);
  return String(result.stdout)
    .split('\n')
    .filter((line) => line.trim().length > 0)
    .map((line) => JSON.parse(line) as LogLineView);
}

function stepOf(execution: ExecutionView, stageId: string, stepId: string): StepView | undefined {
  return execution.stages.find((candidate) => candidate.id === stageId)?.steps.find((step) => step.id === stepId);
}

function stageStatus(execution: ExecutionView, stageId: string): string | undefined {
  return execution.stages.find((candidate) => candidate.id === stageId)?.status;
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'kiln-e2e-runtime-'));
  const nats = await startNats(dir);
  stops.push(() => nats.process.stop());
  manager = await startManager(dir, { natsUrl: nats.url, apiToken: randomBytes(24).toString('base64url'), delegateToken: randomBytes(24).toString('base64url') });
  stops.push(() => manager.process.stop());
  const delegate = await startDelegate(dir, { name: 'runtime-1', manager, capacity: 3, secrets: { 'account.e2e_token': SECRET } });
  stops.push(() => delegate.process.stop());
  const file = join(dir, 'pipelines.yaml');
  await writeFile(file, [FLOW, RETRY, PARALLEL, INPUTS, SECRETS, STAGE_RETRY].map((document) => stringify(document)).join('---\n'));
  const applied = await kiln(manager, ['apply', '-f', file]);
  if (applied.exitCode !== 0) throw new Error(`kiln apply failed: ${String(applied.stderr)}`);
}, 120_000);

afterAll(async () => {
  for (const stop of stops.reverse()) await stop();
  stops = [];
});

describe('pipeline runtime', () => {
  describe('when steps and stages pass outputs and have when conditions', () => {
    let result: Awaited<ReturnType<typeof runPipeline>>;
    let lines: LogLineView[];

    beforeAll(async () => {
      result = await runPipeline('Runtime_Flow', '--set', 'greeting=hello');
      lines = await logLines(result.execution.id);
    }, 120_000);

    it('succeeds', () => {
      expect(result.exitCode).toBe(0);
      expect(result.execution.status).toBe('Succeeded');
    });

    it('passes outputs into and within a step group', () => {
      expect(lines.map((line) => line.text)).toEqual(expect.arrayContaining(['lint sees 1.2.1', 'report sees clean', 'greeting hello']));
      expect(stepOf(result.execution, 'produce', 'checks/lint')?.status).toBe('Succeeded');
      expect(stepOf(result.execution, 'produce', 'checks/report')?.status).toBe('Succeeded');
    });

    it('skips a step whose condition is false', () => {
      expect(stepOf(result.execution, 'produce', 'not_this_version')?.status).toBe('Skipped');
      expect(lines.some((line) => line.text === 'should not run')).toBe(false);
    });

    it('passes an output into a later stage and runs it on its condition', () => {
      expect(stageStatus(result.execution, 'consume')).toBe('Succeeded');
      expect(lines).toContainEqual(expect.objectContaining({ stage_id: 'consume', text: 'consume sees 1.2.1' }));
    });

    it('skips a stage whose condition the manager resolves to false', () => {
      expect(stageStatus(result.execution, 'never')).toBe('Skipped');
    });
  });

  describe('when a step fails twice under Retry and another times out', () => {
    let result: Awaited<ReturnType<typeof runPipeline>>;
    let lines: LogLineView[];

    beforeAll(async () => {
      result = await runPipeline('Runtime_Retry');
      lines = await logLines(result.execution.id);
    }, 120_000);

    it('retries the flaky step until it succeeds', () => {
      expect(stepOf(result.execution, 'build', 'flaky')?.status).toBe('Succeeded');
      const tries = lines.filter((line) => line.step_id === 'flaky' && line.text.startsWith('try ')).map((line) => line.text);
      expect(tries).toEqual(['try 1', 'try 2', 'try 3']);
    });

    it('expires the slow step with code TIMEOUT and skips the next', () => {
      expect(stepOf(result.execution, 'build', 'slow')).toMatchObject({ status: 'Expired', error_code: 'TIMEOUT' });
      expect(stepOf(result.execution, 'build', 'after_slow')?.status).toBe('Skipped');
    });

    it('runs only the stage for failures afterwards', () => {
      expect(result.exitCode).toBe(1);
      expect(result.execution.status).toBe('Failed');
      expect(stageStatus(result.execution, 'on_failure')).toBe('Succeeded');
      expect(stageStatus(result.execution, 'on_success')).toBe('Skipped');
    });
  });

  describe('when steps and stages run in parallel', () => {
    it('runs them at the same time', async () => {
      const sync = join(dir, 'sync');
      await mkdir(sync);
      const result = await runPipeline('Runtime_Parallel', '--set', `sync=${sync}`);
      expect(result.execution.status).toBe('Succeeded');
      const texts = (await logLines(result.execution.id)).map((line) => line.text);
      expect(texts).toEqual(expect.arrayContaining(['saw right.marker', 'saw left.marker', `saw ${sync}/west`, `saw ${sync}/east`]));
    }, 120_000);
  });

  describe('when runtime inputs are missing', () => {
    it('lists all of them and starts nothing', async () => {
      const result = await kiln(manager, ['run', 'Runtime_Inputs']);
      const output = String(result.stderr);
      expect(result.exitCode).toBe(1);
      expect(output).toContain('missing pipeline variable "tag"');
      expect(output).toContain('missing variable "target" of stage "build"');
      expect(output).toContain('missing runtime input at pipeline.stages.build.spec.execution.steps.show.spec.envVariables.MODE');
    });
  });

  describe('when runtime inputs come from an input set file', () => {
    it('runs with its values and lets --set override one', async () => {
      const file = join(dir, 'nightly.yaml');
      await writeFile(file, INPUT_SET);
      const result = await runPipeline('Runtime_Inputs', '--inputs', file, '--set', 'tag=v10');
      expect(result.execution.status).toBe('Succeeded');
      const texts = (await logLines(result.execution.id)).map((line) => line.text);
      expect(texts).toContain('tag=v10 target=release mode=fast');
    }, 120_000);
  });

  describe('when a stage fails under a stage Retry strategy', () => {
    it('runs a second attempt of the stage, and both attempts show', async () => {
      const result = await runPipeline('Runtime_Stage_Retry');

      expect(result.execution.status).toBe('Succeeded');
      const attempts = result.execution.stages.filter((candidate) => candidate.id === 'flaky').map((candidate) => [candidate.attempt, candidate.status]);
      expect(attempts).toEqual(expect.arrayContaining([[1, 'Failed'], [2, 'Succeeded']]));
      expect((await logLines(result.execution.id)).map((line) => line.text)).toContain('second attempt');
    }, 120_000);
  });

  describe('when a step uses a secret', () => {
    it('keeps the secret value out of the manager', async () => {
      const result = await runPipeline('Runtime_Secrets');
      expect(result.execution.status).toBe('Succeeded');
      const texts = (await logLines(result.execution.id)).map((line) => line.text);
      expect(texts).toContain('token ************** and **************');

      const stored = await kiln(manager, ['--output', 'json', 'get', 'execution', result.execution.id]);
      expect(String(stored.stdout)).not.toContain(SECRET);
      const files = await readdir(manager.dataDir);
      expect(files).toContain('kiln.db');
      for (const name of files) {
        const bytes = await readFile(join(manager.dataDir, name));
        expect({ file: name, containsSecret: bytes.includes(SECRET) }).toEqual({ file: name, containsSecret: false });
      }
    }, 120_000);
  });
});
