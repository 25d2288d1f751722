import fc from 'fast-check';
import { parseDocuments, parseInputSet, prepareExecution, resolveStageOutputs, type Pipeline, type Step } from './index.js';
import { pipelineWithStages, runStep } from './test-support/fixtures.js';

const PIPELINE = pipelineWithStages(
  `- stage:
    name: build
    identifier: build
    type: CI
    variables:
      - name: target
        type: String
        value: <+input>
    spec:
      cloneCodebase: false
      execution:
        steps:
${runStep('compile', 'make', 'image: <+input>').replace(/^/gm, '          ')}
          - stepGroup:
              identifier: checks
              name: checks
              steps:
${runStep('lint', '<+input>', 'outputVariables:\n  - name: RESULT').replace(/^/gm, '                ')}
- stage:
    name: deploy
    identifier: deploy
    type: CI
    when:
      pipelineStatus: Success
      condition: <+pipeline.stages.build.spec.execution.steps.checks.steps.lint.output.outputVariables.RESULT> == "ok"
    spec:
      cloneCodebase: false
      execution:
        steps:
${runStep('ship', 'echo <+pipeline.stages.build.spec.execution.steps.checks.steps.lint.output.outputVariables.RESULT>').replace(/^/gm, '          ')}`,
  'variables:\n  - name: tag\n    type: String\n    value: <+input>',
);

function parsePipeline(text: string): Pipeline {
  const result = parseDocuments(text, 'test.yaml');
  expect(result.problems).toEqual([]);
  const document = result.documents[0];
  if (document?.kind !== 'pipeline') throw new Error('expected a pipeline document');
  return document.pipeline;
}

const INPUT_SET = `inputSet:
  identifier: nightly
  name: Nightly
  orgIdentifier: default
  projectIdentifier: kiln
  pipeline:
    identifier: Test
    variables:
      - name: tag
        type: String
        value: v1
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
                    identifier: compile
                    type: Run
                    spec:
                      image: alpine:3
                - stepGroup:
                    identifier: checks
                    steps:
                      - step:
                          identifier: lint
                          type: Run
                          spec:
                            command: make lint
`;

describe('parseInputSet', () => {
  describe('when given a Harness input set', () => {
    const result = parseInputSet(INPUT_SET, 'nightly.yaml');

    it('flattens the values to fully qualified names', () => {
      expect(result.problems).toEqual([]);
      expect(result.inputSet).toEqual({
        identifier: 'nightly',
        name: 'Nightly',
        orgIdentifier: 'default',
        projectIdentifier: 'kiln',
        pipelineIdentifier: 'Test',
        inputs: {
          'pipeline.variables.tag': 'v1',
          'pipeline.stages.build.variables.target': 'release',
          'pipeline.stages.build.spec.execution.steps.compile.spec.image': 'alpine:3',
          'pipeline.stages.build.spec.execution.steps.checks.steps.lint.spec.command': 'make lint',
        },
      });
    });

    it('fills every runtime input of the pipeline through prepareExecution', () => {
      const prepared = prepareExecution(parsePipeline(PIPELINE), { executionId: 'e1', sequenceId: 1, inputs: result.inputSet?.inputs ?? {} });
      const build = prepared.stages[0]?.stage;
      const steps = build?.spec.execution.steps ?? [];
      const compile = steps[0]?.kind === 'step' ? steps[0].step : undefined;
      const group = steps[1]?.kind === 'stepGroup' ? steps[1].group : undefined;
      const lint = group?.steps[0]?.kind === 'step' ? group.steps[0].step : undefined;
      expect(prepared.variables).toEqual({ tag: 'v1' });
      expect(build?.variables[0]?.value).toBe('release');
      expect(compile?.spec.image).toBe('alpine:3');
      expect(lint?.spec.command).toBe('make lint');
    });
  });

  describe('when the input set leaves a field as <+input>', () => {
    it('leaves it out, so prepareExecution lists it as missing', () => {
      const result = parseInputSet(INPUT_SET.replace('value: v1', 'value: <+input>'), 'nightly.yaml');
      expect(result.inputSet?.inputs).not.toHaveProperty(['pipeline.variables.tag']);
      expect(() => prepareExecution(parsePipeline(PIPELINE), { executionId: 'e1', sequenceId: 1, inputs: result.inputSet?.inputs ?? {} })).toThrow(
        'missing pipeline variable "tag": pass --set tag=VALUE',
      );
    });
  });

  describe('when the input set gives a codebase build', () => {
    it('returns it as the build', () => {
      const text = INPUT_SET.replace('  pipeline:\n    identifier: Test\n', '  pipeline:\n    identifier: Test\n    properties:\n      ci:\n        codebase:\n          build:\n            type: branch\n            spec:\n              branch: main\n');
      expect(parseInputSet(text, 'nightly.yaml').inputSet?.build).toEqual({ type: 'branch', value: 'main' });
    });
  });
});

describe('prepareExecution with fully qualified input names', () => {
  it('accepts a step field by stage and step identifiers', () => {
    const inputs = {
      tag: 'v2',
      'build.variables.target': 'debug',
      'pipeline.stages.build.spec.execution.steps.compile.spec.image': 'busybox',
      'stages.build.spec.execution.steps.checks.steps.lint.spec.command': 'true',
    };
    const prepared = prepareExecution(parsePipeline(PIPELINE), { executionId: 'e1', sequenceId: 1, inputs });
    const node = prepared.stages[0]?.stage.spec.execution.steps[0];
    expect(node?.kind === 'step' ? node.step.spec.image : undefined).toBe('busybox');
  });

  it('takes a --set name over an input set name of the same input', () => {
    const inputs = { tag: 'from-set', 'pipeline.variables.tag': 'from-file', 'build.variables.target': 'x', 'build.spec.execution.steps.compile.spec.image': 'a', 'build.spec.execution.steps.checks.steps.lint.spec.command': 'b' };
    expect(prepareExecution(parsePipeline(PIPELINE), { executionId: 'e1', sequenceId: 1, inputs }).variables.tag).toBe('from-set');
  });
});

describe('resolveStageOutputs', () => {
  const inputs = { tag: 'v', 'build.variables.target': 'x', 'build.spec.execution.steps.compile.spec.image': 'a', 'build.spec.execution.steps.checks.steps.lint.spec.command': 'b' };
  const deploy = prepareExecution(parsePipeline(PIPELINE), { executionId: 'e1', sequenceId: 1, inputs }).stages[1]?.stage;

  it('leaves outputs of earlier stages unresolved when preparing', () => {
    expect(deploy?.when?.condition).toBe('<+pipeline.stages.build.spec.execution.steps.checks.steps.lint.output.outputVariables.RESULT> == "ok"');
  });

  it('resolves them from the stored outputs when the stage is queued', () => {
    if (deploy === undefined) throw new Error('expected the deploy stage');
    const resolved = resolveStageOutputs(deploy, { build: { 'checks/lint': { RESULT: 'ok' } } });
    const ship = resolved.spec.execution.steps[0];
    expect(resolved.when?.condition).toBe('true');
    expect(ship?.kind === 'step' ? (ship.step as Step).spec.command : undefined).toBe('echo ok');
  });

  it('resolves a missing output to null', () => {
    if (deploy === undefined) throw new Error('expected the deploy stage');
    expect(resolveStageOutputs(deploy, {}).when?.condition).toBe('false');
  });
});

describe('parseInputSet on arbitrary text', () => {
  it('returns problems instead of throwing', () => {
    const lines = fc.constantFrom('inputSet:', '  identifier: a', '  name: b', '  pipeline:', '    identifier: P', '    stages:', '      - stage: {}', '      - parallel: [1]', '    variables: [{ name: x }]', '  - [', ': :', '');
    fc.assert(
      fc.property(fc.oneof(fc.array(lines, { maxLength: 12 }).map((parts) => parts.join('\n')), fc.string({ maxLength: 80 })), (text) => {
        const result = parseInputSet(text, 'fuzz.yaml');
        expect(result.inputSet !== undefined || result.problems.length > 0).toBe(true);
      }),
      { numRuns: 300 },
    );
  });
});
