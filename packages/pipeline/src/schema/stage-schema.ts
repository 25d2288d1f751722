import { delegateSelectors, failureStrategies, identifier, imagePullPolicy, runAsUser, stageWhen, variables } from './common-schemas.js';
import { stepElement } from './step-schemas.js';
import {
  any,
  bool,
  duration,
  integer,
  listOf,
  mapOf,
  object,
  oneOf,
  required,
  stringList,
  text,
  type WrapperSchema,
} from './types.js';

const toleration = object('toleration', {
  effect: oneOf('NoSchedule', 'PreferNoSchedule', 'NoExecute'),
  key: text,
  operator: oneOf('Equal', 'Exists'),
  value: text,
  tolerationSeconds: integer,
});

const volume = object(
  'volume',
  { mountPath: required(text), type: required({ kind: 'string', expressions: false }) },
  {
    variants: {
      discriminator: 'type',
      target: 'spec',
      noun: 'volume type',
      code: 'INVALID_VALUE',
      schemas: {
        EmptyDir: object('EmptyDir volume spec', { medium: text, size: text }),
        PersistentVolumeClaim: object('PersistentVolumeClaim volume spec', { claimName: required(text), readOnly: bool }),
        HostPath: object('HostPath volume spec', { path: required(text), type: text }),
      },
      targetRequired: true,
    },
  },
);

const securityContext = object('container security context', {
  allowPrivilegeEscalation: bool,
  privileged: bool,
  readOnlyRootFilesystem: bool,
  runAsNonRoot: bool,
  runAsUser,
  procMount: text,
  capabilities: object('capabilities', { add: stringList, drop: stringList }),
});

const kubernetesSpec = object('KubernetesDirect infrastructure spec', {
  connectorRef: required(text),
  namespace: required(text),
  annotations: mapOf('annotations'),
  labels: mapOf('labels'),
  automountServiceAccountToken: bool,
  nodeSelector: mapOf('node selector labels'),
  os: oneOf('Linux', 'Windows'),
  tolerations: listOf(toleration),
  volumes: listOf(volume),
  serviceAccountName: text,
  runAsUser,
  priorityClassName: text,
  initTimeout: duration,
  containerSecurityContext: securityContext,
  harnessImageConnectorRef: text,
  imagePullPolicy,
  podSpecOverlay: text,
  hostNames: stringList,
});

const infrastructure = object(
  'infrastructure',
  { type: { kind: 'string', expressions: false }, useFromStage: { kind: 'string', format: 'identifier', expressions: false } },
  {
    variants: {
      discriminator: 'type',
      target: 'spec',
      noun: 'infrastructure type',
      code: 'INVALID_VALUE',
      schemas: { KubernetesDirect: kubernetesSpec },
      targetRequired: true,
      hint: '(kiln runs stages on delegates; VM and Cloud infrastructure are not supported)',
    },
  },
);

const ciStageSpec = object('CI stage spec', {
  cloneCodebase: bool,
  infrastructure,
  platform: object('platform', { os: oneOf('Linux', 'MacOS', 'Windows'), arch: oneOf('Amd64', 'Arm64') }),
  runtime: object('runtime', { type: required(oneOf('Cloud', 'Docker')), spec: any }),
  execution: required(object('execution', { steps: required(listOf(stepElement)) })),
  serviceDependencies: listOf(any),
  sharedPaths: stringList,
  caching: object('caching', {
    enabled: bool,
    key: text,
    paths: stringList,
    policy: oneOf('pull', 'push', 'pull-push'),
    override: bool,
  }),
});

export const stage = object(
  'stage',
  {
    identifier: required(identifier('stage')),
    name: required(text),
    description: text,
    type: required({ kind: 'string', expressions: false }),
    variables,
    when: stageWhen,
    failureStrategies,
    timeout: duration,
    delegateSelectors,
    tags: mapOf('tags'),
  },
  {
    opensScopes: ['step'],
    variants: {
      discriminator: 'type',
      target: 'spec',
      noun: 'stage type',
      code: 'UNKNOWN_STAGE_TYPE',
      schemas: { CI: ciStageSpec },
      targetRequired: true,
      hint: '(kiln runs CI stages only)',
    },
  },
);

/** One entry of `pipeline.stages`: `stage` or `parallel` (a list of `stage` entries). */
export const stageElement: WrapperSchema = {
  kind: 'wrapper',
  title: 'stage element',
  variants: {
    stage,
    parallel: listOf({ kind: 'wrapper', title: 'parallel stage element', variants: { stage } }),
  },
};
