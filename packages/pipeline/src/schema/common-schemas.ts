import {
  condition,
  duration,
  integer,
  listOf,
  mapOf,
  object,
  oneOf,
  required,
  text,
  type ListSchema,
  type ObjectSchema,
  type StringSchema,
} from './types.js';

/** An identifier that must be unique within `scope` (stage ids in a pipeline, step ids in a stage). */
export function identifier(scope?: string): StringSchema {
  return scope === undefined
    ? { kind: 'string', format: 'identifier', expressions: false }
    : { kind: 'string', format: 'identifier', expressions: false, scope };
}

const variable = object('variable', {
  name: required({ kind: 'string', format: 'variableName', expressions: false, scope: 'variable' }),
  type: required({ kind: 'string', enum: ['String', 'Number', 'Secret'], expressions: false }),
  value: required(text),
  description: text,
  required: { kind: 'boolean' },
  default: text,
});

/** A `variables:` list; names are unique within it. */
export const variables: ListSchema = { kind: 'list', items: variable, opensScopes: ['variable'] };

const STATUSES = ['Success', 'Failure', 'All'];

export const stageWhen = object('stage when', { pipelineStatus: required(oneOf(...STATUSES)), condition });
export const stepWhen = object('step when', { stageStatus: required(oneOf(...STATUSES)), condition });

export const FAILURE_ERRORS = [
  'AllErrors', 'Authentication', 'Authorization', 'Connectivity', 'DelegateProvisioning', 'DelegateRestart',
  'Timeout', 'Unknown', 'TaskFailure', 'Verification', 'InputTimeoutError', 'PolicyEvaluationFailure',
  'ApprovalRejection', 'UserMarkedFailure', 'InfrastructureFailure', 'PluginImageFailure',
  'ResourceLimitsFailure', 'ConfigurationFailure', 'RetryableTransientFailure',
];

const SIMPLE_ACTIONS = { Abort: undefined, Fail: undefined, Ignore: undefined, MarkAsSuccess: undefined, StageRollback: undefined };

const afterRetryAction = object(
  'failure action',
  { type: required({ kind: 'string', expressions: false }) },
  {
    variants: {
      discriminator: 'type',
      target: 'spec',
      noun: 'failure action',
      code: 'INVALID_VALUE',
      schemas: SIMPLE_ACTIONS,
      targetRequired: false,
    },
  },
);

const retrySpec = object('Retry spec', {
  retryCount: required({ kind: 'number', integer: true, minimum: 1 }),
  retryIntervals: required(listOf(duration)),
  onRetryFailure: required(object('onRetryFailure', { action: required(afterRetryAction) })),
});

const failureAction = object(
  'failure action',
  { type: required({ kind: 'string', expressions: false }) },
  {
    variants: {
      discriminator: 'type',
      target: 'spec',
      noun: 'failure action',
      code: 'INVALID_VALUE',
      schemas: { ...SIMPLE_ACTIONS, Retry: retrySpec },
      targetRequired: true,
    },
  },
);

export const failureStrategies: ListSchema = listOf(
  object('failure strategy', {
    onFailure: required(
      object('onFailure', {
        errors: required(listOf(oneOf(...FAILURE_ERRORS))),
        action: required(failureAction),
      }),
    ),
  }),
);

/** Container resources: `limits.cpu` (e.g. 500m or 1) and `limits.memory` (e.g. 500Mi). */
export const resources: ObjectSchema = object('resources', {
  limits: object('resource limits', { cpu: text, memory: text }),
});

export const environment = mapOf('environment variables');
export const delegateSelectors = listOf(text);
export const runAsUser = integer;
export const imagePullPolicy = oneOf('Always', 'Never', 'IfNotPresent');

export const reports = object('reports', {
  type: required(oneOf('JUnit')),
  spec: required(object('JUnit reports', { paths: required(listOf(text)) })),
});
