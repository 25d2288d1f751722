import { formatProblem, parseDocuments } from './index.js';
import { CONNECTORS, QUICKSTART, pipelineWithSteps, runStep } from './test-support/fixtures.js';

describe('parseDocuments', () => {
  describe('when given the quickstart pipeline', () => {
    const result = parseDocuments(QUICKSTART, 'quickstart.yaml');

    it('reports no problems', () => {
      expect(result.problems).toEqual([]);
    });

    it('builds the pipeline model', () => {
      const document = result.documents[0];
      expect(document?.kind).toBe('pipeline');
      if (document?.kind !== 'pipeline') return;
      const pipeline = document.pipeline;
      expect(pipeline.identifier).toBe('CI_Quickstart');
      expect(pipeline.orgIdentifier).toBe('default');
      expect(pipeline.projectIdentifier).toBe('CI_Quickstart');
      expect(pipeline.codebase).toEqual({ connectorRef: 'account.kiln_samples', repoName: 'sample-app', build: '<+input>' });
      const stage = pipeline.stages[0];
      expect(stage?.kind).toBe('stage');
      if (stage?.kind !== 'stage') return;
      expect(stage.stage.spec.cloneCodebase).toBe(true);
      expect(stage.stage.spec.infrastructure).toEqual({
        type: 'KubernetesDirect',
        spec: { connectorRef: 'account.kiln_delegate', namespace: 'kiln-builds' },
      });
      expect(stage.stage.spec.execution.steps[0]).toEqual({
        kind: 'step',
        step: {
          identifier: 'Build_and_push_image_to_DockerHub',
          name: 'Build and push image to DockerHub',
          type: 'BuildAndPushDockerRegistry',
          spec: { connectorRef: 'account.local_registry', repo: '127.0.0.1:5000/kiln/ciquickstart', tags: ['<+pipeline.sequenceId>'] },
        },
      });
    });

    it('records where the document starts', () => {
      expect(result.documents[0]?.position).toEqual({ file: 'quickstart.yaml', line: 1, column: 1 });
    });
  });

  describe('when a step type is unknown', () => {
    const text = pipelineWithSteps(`- step:
    type: Runn
    name: Test
    identifier: test
    spec:
      command: make test`);
    const result = parseDocuments(text, 'ci.yaml');

    it('reports the type with file, line and column', () => {
      expect(result.problems).toHaveLength(1);
      expect(result.problems[0]).toEqual({
        code: 'UNKNOWN_STEP_TYPE',
        message:
          'unknown step type "Runn" (did you mean "Run"?); known types: Run, Background, Plugin, BuildAndPushDockerRegistry, ' +
          'BuildAndPushECR, BuildAndPushGCR, BuildAndPushGAR, BuildAndPushACR',
        file: 'ci.yaml',
        line: 27,
        column: 25,
        path: 'pipeline.stages[0].stage.spec.execution.steps[0].step.type',
      });
    });

    it('formats the problem as file:line:column', () => {
      expect(formatProblem(result.problems[0]!)).toBe(
        'ci.yaml:27:25: unknown step type "Runn" (did you mean "Run"?); known types: Run, Background, Plugin, ' +
          'BuildAndPushDockerRegistry, BuildAndPushECR, BuildAndPushGCR, BuildAndPushGAR, BuildAndPushACR ' +
          '(at pipeline.stages[0].stage.spec.execution.steps[0].step.type)',
      );
    });

    it('returns no document for the invalid pipeline', () => {
      expect(result.documents).toEqual([]);
    });
  });

  describe('when a file has several problems', () => {
    const text = pipelineWithSteps(
      [runStep('a', 'echo <+pipeline.variables.missing>'), runStep('a', 'make', 'shell: Zsh'), '- step:\n    type: Plugin\n    name: p\n    identifier: p\n    spec: {}'].join('\n'),
      { stage: 'timeout: 5 minutes' },
    );
    const result = parseDocuments(text, 'ci.yaml');

    it('reports every problem in file order', () => {
      expect(result.problems.map((problem) => problem.code)).toEqual([
        'INVALID_DURATION',
        'UNKNOWN_REFERENCE',
        'DUPLICATE_IDENTIFIER',
        'INVALID_VALUE',
        'MISSING_FIELD',
      ]);
    });

    it('orders problems by line', () => {
      const lines = result.problems.map((problem) => problem.line);
      expect([...lines].sort((a, b) => a - b)).toEqual(lines);
    });
  });

  describe('when a file holds pipeline and connector documents', () => {
    const result = parseDocuments(`${CONNECTORS}---\n${QUICKSTART}`, 'all.yaml');

    it('returns every document in order', () => {
      expect(result.problems).toEqual([]);
      expect(result.documents.map((document) => document.kind)).toEqual(['connector', 'connector', 'connector', 'pipeline']);
    });

    it('builds connectors in account scope', () => {
      const registry = result.documents[1];
      expect(registry?.kind === 'connector' && registry.connector).toEqual({
        identifier: 'local_registry',
        name: 'Local registry',
        type: 'DockerRegistry',
        spec: {
          dockerRegistryUrl: 'http://127.0.0.1:5000',
          providerType: 'Other',
          auth: { type: 'UsernamePassword', spec: { username: 'kiln', passwordRef: 'account.local_registry_password' } },
        },
      });
    });

    it('keeps each document source and position', () => {
      const pipeline = result.documents[3];
      expect(pipeline?.source.startsWith('pipeline:')).toBe(true);
      expect(pipeline?.position.line).toBe(29);
    });
  });

  describe('when the YAML is malformed', () => {
    it('reports a YAML_SYNTAX problem with a position', () => {
      const result = parseDocuments('pipeline:\n  name: [unclosed\n', 'broken.yaml');
      expect(result.problems[0]?.code).toBe('YAML_SYNTAX');
      expect(result.problems[0]?.file).toBe('broken.yaml');
      expect(result.problems[0]?.line).toBeGreaterThan(0);
    });

    it('reports a repeated key', () => {
      const result = parseDocuments('pipeline:\n  name: a\n  name: b\n  identifier: x\n  stages: []\n', 'dup.yaml');
      expect(result.problems).toEqual([
        expect.objectContaining({ code: 'YAML_SYNTAX', message: 'invalid YAML: Map keys must be unique', line: 3, column: 3 }),
      ]);
    });
  });

  describe('when the file is empty', () => {
    it('reports that no document was found', () => {
      expect(parseDocuments('', 'empty.yaml').problems).toEqual([
        { code: 'UNKNOWN_DOCUMENT', message: 'the file holds no "pipeline:" or "connector:" document', file: 'empty.yaml', line: 1, column: 1, path: '' },
      ]);
    });
  });

  describe('when anchors and aliases are used', () => {
    it('validates the aliased value', () => {
      const text = pipelineWithSteps(`- step:
    type: Run
    name: a
    identifier: a
    spec:
      command: make
      envVariables: &env
        A: "1"
- step:
    type: Run
    name: b
    identifier: b
    spec:
      command: make
      envVariables: *env`);
      const result = parseDocuments(text, 'ci.yaml');
      expect(result.problems).toEqual([]);
    });
  });
});
