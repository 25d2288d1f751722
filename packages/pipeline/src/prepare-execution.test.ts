import { isKilnError } from '@kiln/protocol';
import { parseDocuments, prepareExecution, PipelineInputError, type Pipeline, type Problem, type Step } from './index.js';
import { QUICKSTART, pipelineWithSteps, runStep } from './test-support/fixtures.js';

function parsePipeline(text: string): Pipeline {
  const result = parseDocuments(text, 'test.yaml');
  expect(result.problems).toEqual([]);
  const document = result.documents[0];
  if (document?.kind !== 'pipeline') throw new Error('expected a pipeline document');
  return document.pipeline;
}

function firstStep(prepared: ReturnType<typeof prepareExecution>, index = 0): Step {
  const node = prepared.stages[0]?.stage.spec.execution.steps[index];
  if (node?.kind !== 'step') throw new Error('expected a step');
  return node.step;
}

function inputProblems(run: () => unknown): Problem[] {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(PipelineInputError);
    return (error as PipelineInputError).details.problems as Problem[];
  }
  throw new Error('expected a PipelineInputError');
}

const request = { executionId: 'exec-1', sequenceId: 12, inputs: {} };

describe('prepareExecution', () => {
  describe('when given the quickstart with a branch', () => {
    const prepared = prepareExecution(parsePipeline(QUICKSTART), { ...request, build: { type: 'branch', value: 'main' } });

    it('resolves the codebase build', () => {
      expect(prepared.build).toEqual({ type: 'branch', value: 'main' });
      expect(prepared.pipeline.codebase?.build).toEqual({ type: 'branch', spec: { branch: 'main' } });
    });

    it('resolves the sequence id in the image tags', () => {
      expect(firstStep(prepared).spec.tags).toEqual(['12']);
    });

    it('returns one prepared stage with no timeout', () => {
      expect(prepared.stages.map((stage) => [stage.index, stage.stage.identifier, stage.timeoutMs])).toEqual([[0, 'Build_Test_and_Push', 0]]);
    });
  });

  describe('when the codebase build is missing', () => {
    it('throws MISSING_INPUT naming the flags', () => {
      const problems = inputProblems(() => prepareExecution(parsePipeline(QUICKSTART), request));
      expect(problems).toEqual([
        {
          code: 'MISSING_INPUT',
          message: 'missing codebase build: pass --branch, --tag, --pr or --commit',
          file: 'CI_Quickstart',
          line: 0,
          column: 0,
          path: 'pipeline.properties.ci.codebase.build',
        },
      ]);
    });

    it('uses the KilnError code MISSING_INPUT', () => {
      expect(() => prepareExecution(parsePipeline(QUICKSTART), request)).toThrow(
        expect.objectContaining({ code: 'MISSING_INPUT', name: 'PipelineInputError' }) as Error,
      );
    });
  });

  describe('when runtime inputs are missing or invalid', () => {
    const pipeline = parsePipeline(
      pipelineWithSteps(runStep('a', 'echo <+pipeline.variables.tag> <+pipeline.variables.env>', 'image: <+input>'), {
        pipeline:
          'variables:\n  - name: tag\n    type: String\n    value: <+input>\n  - name: env\n    type: String\n    value: <+input>.allowedValues(dev,prod)\n  - name: count\n    type: Number\n    value: <+input>.default(3)',
      }),
    );

    it('lists every problem at once', () => {
      const problems = inputProblems(() =>
        prepareExecution(pipeline, { ...request, inputs: { env: 'staging', count: 'many', colour: 'red' } }),
      );
      expect(problems.map((problem) => [problem.code, problem.message, problem.path])).toEqual([
        ['MISSING_INPUT', 'missing pipeline variable "tag": pass --set tag=VALUE', 'pipeline.variables[0].value'],
        ['INVALID_VALUE', 'invalid value "staging" for pipeline variable "env": allowed values are dev, prod', 'pipeline.variables[1].value'],
        ['INVALID_VALUE', 'invalid value "many" for pipeline variable "count": it is a Number variable', 'pipeline.variables[2].value'],
        [
          'MISSING_INPUT',
          'missing runtime input at pipeline.stages.Build.spec.execution.steps.a.spec.image: pass --set pipeline.stages.Build.spec.execution.steps.a.spec.image=VALUE',
          'pipeline.stages[0].stage.spec.execution.steps[0].step.spec.image',
        ],
        [
          'INVALID_VALUE',
          'unknown input "colour" in --set: runtime inputs: tag, env, count, pipeline.stages.Build.spec.execution.steps.a.spec.image',
          '',
        ],
        ['MISSING_INPUT', 'missing codebase build: pass --branch, --tag, --pr or --commit', 'pipeline.properties.ci.codebase.build'],
      ]);
    });

    it('applies values by name, by YAML path and by default', () => {
      const prepared = prepareExecution(pipeline, {
        ...request,
        build: { type: 'tag', value: 'v1.0.0' },
        inputs: { tag: 'v1', env: 'prod', 'stages[0].stage.spec.execution.steps[0].step.spec.image': 'alpine:3' },
      });
      expect(prepared.variables).toEqual({ tag: 'v1', env: 'prod', count: '3' });
      expect(firstStep(prepared).spec).toEqual({ command: 'echo v1 prod', image: 'alpine:3' });
      expect(prepared.build).toEqual({ type: 'tag', value: 'v1.0.0' });
    });
  });

  describe('when expressions mix manager and delegate references', () => {
    const pipeline = parsePipeline(
      pipelineWithSteps(
        [
          runStep('build', `'echo <+codebase.branch.replace("/", "-")>-<+codebase.shortCommitSha> <+pipeline.executionId> <+stage.name>'`, 'outputVariables:\n  - name: VERSION'),
          runStep('push', `'echo <+steps.build.output.outputVariables.VERSION> <+pipeline.variables.token> <+stage.variables.ver>'`, 'envVariables:\n  PASSWORD: <+secrets.getValue("account.pw")>'),
        ].join('\n'),
        {
          pipeline: 'variables:\n  - name: token\n    type: Secret\n    value: account.token',
          stage: 'timeout: 1h30m\nvariables:\n  - name: ver\n    type: String\n    value: v<+pipeline.sequenceId>-<+codebase.commitSha>\n  - name: key\n    type: Secret\n    value: account.key',
        },
      ),
    );
    const prepared = prepareExecution(pipeline, { ...request, build: { type: 'branch', value: 'feature/x' } });

    it('resolves manager-side references and keeps delegate-side ones', () => {
      expect(firstStep(prepared, 0).spec.command).toBe('echo feature-x-<+codebase.shortCommitSha> exec-1 Build');
    });

    it('turns secret variables into secrets.getValue expressions', () => {
      expect(firstStep(prepared, 1).spec.command).toBe(
        'echo <+steps.build.output.outputVariables.VERSION> <+secrets.getValue("account.token")> <+"v12-" + codebase.commitSha>',
      );
      expect(prepared.variables).toEqual({ token: '<+secrets.getValue("account.token")>' });
      expect(prepared.stages[0]?.stage.variables.map((variable) => variable.value)).toEqual([
        'v12-<+codebase.commitSha>',
        '<+secrets.getValue("account.key")>',
      ]);
    });

    it('leaves secrets in step environment as text', () => {
      expect(firstStep(prepared, 1).spec.envVariables).toEqual({ PASSWORD: '<+secrets.getValue("account.pw")>' });
    });

    it('converts the stage timeout to milliseconds', () => {
      expect(prepared.stages[0]?.timeoutMs).toBe(90 * 60 * 1000);
    });

    it('does not change the parsed pipeline', () => {
      const step = pipeline.stages[0]?.kind === 'stage' ? pipeline.stages[0].stage.spec.execution.steps[0] : undefined;
      expect(step?.kind === 'step' && step.step.spec.command).toContain('<+codebase.branch.replace');
    });
  });

  describe('when conditions use manager-side references', () => {
    const pipeline = parsePipeline(
      pipelineWithSteps(
        [
          runStep('a', 'make').replace('    spec:', '    when:\n      stageStatus: Success\n      condition: <+codebase.branch> == "main"\n    spec:'),
          runStep('b', 'make').replace(
            '    spec:',
            '    when:\n      stageStatus: Success\n      condition: <+codebase.branch> == "main" && <+codebase.commitSha> != ""\n    spec:',
          ),
        ].join('\n'),
        { stage: 'when:\n  pipelineStatus: Success\n  condition: <+pipeline.sequenceId> > 20' },
      ),
    );
    const prepared = prepareExecution(pipeline, { ...request, build: { type: 'branch', value: 'main' } });

    it('reduces a fully resolved condition to true or false', () => {
      expect(firstStep(prepared, 0).when?.condition).toBe('true');
      expect(prepared.stages[0]?.stage.when?.condition).toBe('false');
    });

    it('keeps the delegate-side part of a condition', () => {
      expect(firstStep(prepared, 1).when?.condition).toBe('true && (<+codebase.commitSha> != "")');
    });
  });

  describe('when the pipeline fixes the build and the request names another', () => {
    it('rejects the request', () => {
      const pipeline = parsePipeline(QUICKSTART.replace('build: <+input>', 'build:\n          type: branch\n          spec:\n            branch: main'));
      const problems = inputProblems(() => prepareExecution(pipeline, { ...request, build: { type: 'tag', value: 'v1' } }));
      expect(problems.map((problem) => problem.message)).toEqual(['the pipeline fixes the codebase build to branch "main"; remove --tag']);
    });
  });

  describe('when variables refer to each other in a cycle', () => {
    it('throws INVALID_ARGUMENT naming the variable', () => {
      const pipeline = parsePipeline(
        pipelineWithSteps(runStep('a', 'echo <+pipeline.variables.a>'), {
          pipeline: 'variables:\n  - name: a\n    type: String\n    value: <+pipeline.variables.b>\n  - name: b\n    type: String\n    value: <+pipeline.variables.a>',
        }),
      );
      const problems = inputProblems(() => prepareExecution(pipeline, { ...request, build: { type: 'branch', value: 'main' } }));
      expect(problems[0]?.message).toContain('refers to itself through other variables');
      expect(isKilnError(new PipelineInputError(pipeline, problems), 'INVALID_ARGUMENT')).toBe(true);
    });
  });

  describe('when stages run in parallel', () => {
    it('numbers the stages in order', () => {
      const text = QUICKSTART.replace(
        '  stages:\n    - stage:',
        '  stages:\n    - parallel:\n      - stage:\n          name: A\n          identifier: A\n          type: CI\n          spec:\n            execution:\n              steps:\n                - step:\n                    type: Run\n                    name: a\n                    identifier: a\n                    spec:\n                      command: echo <+stage.identifier>\n    - stage:',
      );
      const prepared = prepareExecution(parsePipeline(text), { ...request, build: { type: 'branch', value: 'main' } });
      expect(prepared.stages.map((stage) => [stage.index, stage.stage.identifier])).toEqual([
        [0, 'A'],
        [1, 'Build_Test_and_Push'],
      ]);
      expect(prepared.stages[0]?.stage.spec.execution.steps[0]).toMatchObject({ step: { spec: { command: 'echo A' } } });
    });
  });
});
