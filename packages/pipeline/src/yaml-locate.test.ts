import { findYamlValue, locateYamlPath } from './yaml-locate.js';

const text = [
  'pipeline:',
  '  identifier: p',
  '  stages:',
  '    - stage:',
  '        identifier: build',
  '        spec:',
  '          execution:',
  '            steps:',
  '              - step:',
  '                  spec:',
  '                    connectorRef: account.other_registry',
  '    - parallel:',
  '        - stage:',
  '            identifier: test',
  '',
].join('\n');

describe('locateYamlPath', () => {
  it('returns the position of a nested node', () => {
    expect(locateYamlPath(text, 'pipeline.stages[1].parallel[0].stage.identifier')).toEqual({
      path: 'pipeline.stages[1].parallel[0].stage.identifier', line: 14, column: 25,
    });
  });

  it('returns undefined for a missing path', () => {
    expect(locateYamlPath(text, 'pipeline.stages[5].stage')).toBeUndefined();
  });

  it('returns undefined for text that is not YAML', () => {
    expect(locateYamlPath('pipeline: [', 'pipeline.identifier')).toBeUndefined();
  });
});

describe('findYamlValue', () => {
  it('finds a value below a path', () => {
    expect(findYamlValue(text, { key: 'connectorRef', value: 'account.other_registry', under: 'pipeline.stages[0].stage' })).toEqual({
      path: 'pipeline.stages[0].stage.spec.execution.steps[0].step.spec.connectorRef', line: 11, column: 35,
    });
  });

  it('returns undefined when the value is elsewhere', () => {
    expect(findYamlValue(text, { key: 'connectorRef', value: 'account.other_registry', under: 'pipeline.stages[1]' })).toBeUndefined();
  });
});
