import {
  environment,
  failureStrategies,
  identifier,
  imagePullPolicy,
  reports,
  resources,
  runAsUser,
  stepWhen,
} from './common-schemas.js';
import {
  any,
  bool,
  duration,
  listOf,
  mapOf,
  object,
  oneOf,
  required,
  stringList,
  text,
  type ObjectSchema,
  type Schema,
  type WrapperSchema,
} from './types.js';

const outputVariable = object('output variable', {
  name: required(text),
  type: oneOf('String', 'Secret'),
  value: text,
});

const containerFields = {
  image: text,
  connectorRef: text,
  envVariables: environment,
  privileged: bool,
  runAsUser,
  resources,
  imagePullPolicy,
  reports,
};

const runSpec = object('Run step spec', {
  ...containerFields,
  command: required(text),
  shell: oneOf('Sh', 'Bash', 'Powershell', 'Pwsh', 'Python'),
  outputVariables: listOf(outputVariable),
});

const backgroundSpec = object('Background step spec', {
  ...containerFields,
  command: text,
  shell: oneOf('Sh', 'Bash', 'Powershell', 'Pwsh', 'Python'),
  entrypoint: stringList,
  portBindings: mapOf('port bindings'),
});

const pluginSpec = object('Plugin step spec', {
  ...containerFields,
  image: required(text),
  settings: mapOf('plugin settings', any),
  entrypoint: stringList,
});

/** Fields every Build and Push step shares. */
const buildFields = {
  connectorRef: required(text),
  tags: required(stringList),
  dockerfile: text,
  context: text,
  labels: mapOf('labels'),
  buildArgs: mapOf('build arguments'),
  target: text,
  optimize: bool,
  envVariables: environment,
  runAsUser,
  resources,
  caching: bool,
  cacheFrom: stringList,
  cacheTo: text,
  baseImageConnectorRefs: { kind: 'union', options: [stringList, text] } as Schema,
};

const registryFields = { ...buildFields, imageName: required(text), remoteCacheImage: text };

/** The spec schema of each step type, by the YAML `type` value. */
export const STEP_SPECS: Record<string, ObjectSchema> = {
  Run: runSpec,
  Background: backgroundSpec,
  Plugin: pluginSpec,
  BuildAndPushDockerRegistry: object('BuildAndPushDockerRegistry step spec', {
    ...buildFields,
    repo: required(text),
    remoteCacheRepo: text,
    privileged: bool,
    reports,
  }),
  BuildAndPushECR: object('BuildAndPushECR step spec', { ...registryFields, region: required(text), account: required(text) }),
  BuildAndPushGCR: object('BuildAndPushGCR step spec', { ...registryFields, host: required(text), projectID: required(text) }),
  BuildAndPushGAR: object('BuildAndPushGAR step spec', { ...registryFields, host: required(text), projectID: required(text) }),
  BuildAndPushACR: object('BuildAndPushACR step spec', {
    ...buildFields,
    repository: required(text),
    subscriptionId: text,
    remoteCacheImage: text,
  }),
};

export const STEP_TYPES = Object.keys(STEP_SPECS);

const step = object(
  'step',
  {
    identifier: required(identifier('step')),
    name: required(text),
    type: required({ kind: 'string', expressions: false }),
    description: text,
    timeout: duration,
    when: stepWhen,
    failureStrategies,
  },
  {
    variants: {
      discriminator: 'type',
      target: 'spec',
      noun: 'step type',
      code: 'UNKNOWN_STEP_TYPE',
      schemas: STEP_SPECS,
      targetRequired: true,
    },
  },
);

const stepVariants: Record<string, Schema> = {};

/** One entry of `execution.steps`: `step`, `parallel` or `stepGroup`. */
export const stepElement: WrapperSchema = { kind: 'wrapper', title: 'step element', variants: stepVariants };

stepVariants.step = step;
stepVariants.parallel = listOf(stepElement);
stepVariants.stepGroup = object('step group', {
  identifier: required(identifier('step')),
  name: required(text),
  description: text,
  steps: required(listOf(stepElement)),
  when: stepWhen,
  failureStrategies,
});
