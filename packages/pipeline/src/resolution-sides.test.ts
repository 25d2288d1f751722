import { parseDocuments, prepareExecution, resolveDelegateExpressions, resolveStageOutputs, type Pipeline, type Stage } from './index.js';
import { indent, pipelineWithStages, runStep } from './test-support/fixtures.js';

/** Every reference kiln resolves, the side that resolves it, and its value in this test. */
const REFERENCES: [expression: string, side: 'manager' | 'stage-start' | 'delegate', value: string][] = [
  ['<+pipeline.sequenceId>', 'manager', '7'],
  ['<+pipeline.executionId>', 'manager', 'exec-7'],
  ['<+pipeline.identifier>', 'manager', 'Test'],
  ['<+pipeline.name>', 'manager', 'Test'],
  ['<+pipeline.variables.plain>', 'manager', 'p'],
  ['<+stage.identifier>', 'manager', 'second'],
  ['<+stage.name>', 'manager', 'second'],
  ['<+stage.variables.local>', 'manager', 'l'],
  ['<+codebase.branch>', 'manager', 'main'],
  ['<+codebase.tag>', 'manager', 'null'],
  ['<+codebase.repoName>', 'manager', 'app'],
  ['<+codebase.prNumber>', 'manager', 'null'],
  ['<+codebase.build.type>', 'manager', 'branch'],
  ['<+pipeline.stages.first.spec.execution.steps.make.output.outputVariables.V>', 'stage-start', '1.0'],
  ['<+codebase.commitSha>', 'delegate', 'abcdef0123'],
  ['<+codebase.shortCommitSha>', 'delegate', 'abcdef0'],
  ['<+steps.early.output.outputVariables.E>', 'delegate', 'e'],
  ['<+secrets.getValue("account.token")>', 'delegate', 's3cret-value'],
  ['<+pipeline.variables.hidden>', 'delegate', 's3cret-value'],
  ['<+stage.variables.secretLocal>', 'delegate', 's3cret-value'],
];

function parsePipeline(text: string): Pipeline {
  const result = parseDocuments(text, 'test.yaml');
  expect(result.problems).toEqual([]);
  const document = result.documents[0];
  if (document?.kind !== 'pipeline') throw new Error('expected a pipeline document');
  return document.pipeline;
}

function stageYaml(identifier: string, steps: string, variables = ''): string {
  return `- stage:
    name: ${identifier}
    identifier: ${identifier}
    type: CI
${indent(variables, 4)}
    spec:
      cloneCodebase: true
      execution:
        steps:
${indent(steps, 10)}`;
}

const PIPELINE = pipelineWithStages(
  [
    stageYaml('first', runStep('make', 'make', 'outputVariables:\n  - name: V')),
    stageYaml(
      'second',
      [runStep('early', 'true', 'outputVariables:\n  - name: E'), ...REFERENCES.map(([expression], index) => runStep(`use${index}`, `'${expression}'`))].join('\n'),
      'variables:\n  - name: local\n    type: String\n    value: l\n  - name: secretLocal\n    type: Secret\n    value: account.token',
    ),
  ].join('\n'),
  'properties:\n  ci:\n    codebase:\n      connectorRef: account.git\n      repoName: app\n      build: <+input>\nvariables:\n  - name: plain\n    type: String\n    value: p\n  - name: hidden\n    type: Secret\n    value: account.token',
);

function commands(stage: Stage): string[] {
  return stage.spec.execution.steps.slice(1).map((node) => (node.kind === 'step' ? String(node.step.spec.command) : ''));
}

describe('resolution sides', () => {
  const prepared = prepareExecution(parsePipeline(PIPELINE), { executionId: 'exec-7', sequenceId: 7, build: { type: 'branch', value: 'main' }, inputs: {} });
  const second = prepared.stages[1]?.stage;
  if (second === undefined) throw new Error('expected stage second');
  const afterPrepare = commands(second);
  const afterQueue = commands(resolveStageOutputs(second, { first: { make: { V: '1.0' } } }));
  const onDelegate = afterQueue.map((text) =>
    resolveDelegateExpressions(text, { secret: (ref) => (ref === 'account.token' ? 's3cret-value' : undefined), codebase: { commitSha: 'abcdef0123' }, stepOutputs: { early: { E: 'e' } } }),
  );

  describe.each(REFERENCES.map(([expression, side, value], index) => ({ expression, side, value, index })))('$expression', ({ side, value, index }) => {
    it(`resolves on the ${side} side`, () => {
      const stages = { manager: afterPrepare, 'stage-start': afterQueue, delegate: onDelegate };
      expect(stages[side][index]).toBe(value);
      if (side !== 'manager') expect(afterPrepare[index]).toContain('<+');
      if (side === 'delegate') expect(afterQueue[index]).toContain('<+');
    });
  });

  it('never puts a secret value into what the manager stores', () => {
    expect(JSON.stringify(prepared)).not.toContain('s3cret-value');
  });
});
