import { delegateSelectors, identifier, resources, variables } from './common-schemas.js';
import { stageElement } from './stage-schema.js';
import { bool, duration, listOf, mapOf, object, oneOf, required, text, type ObjectSchema } from './types.js';

const buildSpec = (field: string) => object(`${field} build spec`, { [field]: required(text) });

const codebaseBuild = object(
  'codebase build',
  { type: required({ kind: 'string', expressions: false }) },
  {
    variants: {
      discriminator: 'type',
      target: 'spec',
      noun: 'build type',
      code: 'INVALID_VALUE',
      schemas: {
        branch: buildSpec('branch'),
        tag: buildSpec('tag'),
        PR: buildSpec('number'),
        commitSha: buildSpec('commitSha'),
      },
      targetRequired: true,
    },
  },
);

const codebase = object('codebase', {
  connectorRef: required(text),
  repoName: text,
  build: required({ kind: 'union', options: [{ kind: 'string', enum: ['<+input>'] }, codebaseBuild] }),
  depth: { kind: 'number', integer: true, minimum: 0 },
  cloneDirectory: text,
  prCloneStrategy: oneOf('MergeCommit', 'SourceBranch'),
  sslVerify: bool,
  resources,
});

export const pipeline: ObjectSchema = object(
  'pipeline',
  {
    identifier: required(identifier()),
    name: required(text),
    orgIdentifier: identifier(),
    projectIdentifier: identifier(),
    description: text,
    tags: mapOf('tags'),
    variables,
    timeout: duration,
    delegateSelectors,
    allowStageExecutions: bool,
    properties: object('properties', { ci: object('ci properties', { codebase }) }),
    stages: required(listOf(stageElement)),
  },
  { opensScopes: ['stage'] },
);
