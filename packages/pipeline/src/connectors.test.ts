import { collectConnectorRefs, connectorKey, connectorKeyOf, parseDocuments, type Pipeline } from './index.js';
import { pipelineWithSteps, runStep } from './test-support/fixtures.js';

describe('connectorKey', () => {
  it.each([
    ['account.hub', 'account/hub'],
    ['org.hub', 'org/default/hub'],
    ['hub', 'project/default/proj/hub'],
  ])('maps %s to %s', (ref, key) => {
    expect(connectorKey(ref, 'default', 'proj')).toBe(key);
  });
});

describe('connectorKeyOf', () => {
  it('keys connectors by their own scope', () => {
    const base = { name: 'n', identifier: 'hub', type: 'DockerRegistry' as const, spec: {} };
    expect(connectorKeyOf(base)).toBe('account/hub');
    expect(connectorKeyOf({ ...base, orgIdentifier: 'o' })).toBe('org/o/hub');
    expect(connectorKeyOf({ ...base, orgIdentifier: 'o', projectIdentifier: 'p' })).toBe('project/o/p/hub');
  });
});

describe('collectConnectorRefs', () => {
  const text = pipelineWithSteps(
    [
      runStep('a', 'make', 'image: golang\nconnectorRef: account.hub'),
      `- stepGroup:\n    name: g\n    identifier: g\n    steps:\n      - step:\n          type: BuildAndPushDockerRegistry\n          name: b\n          identifier: b\n          spec:\n            connectorRef: account.local_registry\n            repo: r\n            tags: [t]\n            baseImageConnectorRefs: [account.hub, account.base]`,
    ].join('\n'),
  );
  const result = parseDocuments(text, 'ci.yaml');
  const document = result.documents[0];
  const pipeline = document?.kind === 'pipeline' ? document.pipeline : (undefined as unknown as Pipeline);
  const stage = pipeline.stages[0]?.kind === 'stage' ? pipeline.stages[0].stage : undefined;

  it('lists infrastructure, codebase and step connectors once each', () => {
    expect(result.problems).toEqual([]);
    expect(stage && collectConnectorRefs(stage, pipeline)).toEqual([
      'account.kiln_delegate',
      'account.kiln_samples',
      'account.hub',
      'account.local_registry',
      'account.base',
    ]);
  });

  it('leaves out the codebase when the stage does not clone', () => {
    const noClone = stage && { ...stage, spec: { ...stage.spec, cloneCodebase: false } };
    expect(noClone && collectConnectorRefs(noClone, pipeline)).not.toContain('account.kiln_samples');
  });
});
