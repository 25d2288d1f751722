import { parseDocuments, parseInputSet, type ProblemCode } from './index.js';
import { CONNECTORS, QUICKSTART, indent, locateMarker, pipelineWithStages, pipelineWithSteps, runStep } from './test-support/fixtures.js';

const S = 'pipeline.stages[0].stage.spec.execution.steps[0].step';
const STEP_FIELDS = 'identifier, name, type, description, timeout, when, failureStrategies, spec';
const RUN_FIELDS = 'image, connectorRef, envVariables, privileged, runAsUser, resources, imagePullPolicy, reports, command, shell, outputVariables';
const STEP_TYPES = 'Run, Background, Plugin, BuildAndPushDockerRegistry, BuildAndPushECR, BuildAndPushGCR, BuildAndPushGAR, BuildAndPushACR';
const REFERENCES =
  'pipeline.sequenceId, pipeline.executionId, pipeline.identifier, pipeline.name, pipeline.variables.X, stage.identifier, ' +
  'stage.name, stage.variables.X, codebase.branch, codebase.tag, codebase.repoName, codebase.prNumber, codebase.build.type, ' +
  'codebase.commitSha, codebase.shortCommitSha, steps.X.output.outputVariables.X, steps.X.steps.X.output.outputVariables.X, ' +
  'pipeline.stages.X.spec.execution.steps.X.output.outputVariables.X, pipeline.stages.X.spec.execution.steps.X.steps.X.output.outputVariables.X, ' +
  'secrets.getValue("id")';
const STATUSES = 'Success, Failure, All';

/** Builds a CI stage in YAML list form with the given extra stage fields and spec fields. */
function ciStage(identifier: string, options: { stage?: string; spec?: string; steps?: string } = {}): string {
  return `- stage:
    name: ${identifier}
    identifier: ${identifier}
    type: CI
${indent(options.stage ?? '', 4)}
    spec:
      infrastructure:
        type: KubernetesDirect
        spec:
          connectorRef: account.kiln_delegate
          namespace: kiln-builds
${indent(options.spec ?? '', 6)}
      execution:
        steps:
${indent(options.steps ?? runStep('test', 'make test'), 10)}`;
}

interface InvalidCase {
  name: string;
  /** YAML with a » marking where the first problem is reported. */
  yaml: string;
  code: ProblemCode;
  message: string;
  path: string;
  /** How many problems the file has in all; 1 unless given. */
  count?: number;
}

const invalidCases: InvalidCase[] = [
  {
    name: 'unknown step type without a close match',
    yaml: pipelineWithSteps(`- step:\n    type: »Shell\n    name: a\n    identifier: a\n    spec: {}`),
    code: 'UNKNOWN_STEP_TYPE',
    message: `unknown step type "Shell"; known types: ${STEP_TYPES}`,
    path: `${S}.type`,
  },
  {
    name: 'unknown step type with a close match',
    yaml: pipelineWithSteps(`- step:\n    type: »BuildAndPushDocker\n    name: a\n    identifier: a\n    spec: {}`),
    code: 'UNKNOWN_STEP_TYPE',
    message: `unknown step type "BuildAndPushDocker" (did you mean "BuildAndPushDockerRegistry"?); known types: ${STEP_TYPES}`,
    path: `${S}.type`,
  },
  {
    name: 'unknown step type in lower case',
    yaml: pipelineWithSteps(`- step:\n    type: »run\n    name: a\n    identifier: a\n    spec: {}`),
    code: 'UNKNOWN_STEP_TYPE',
    message: `unknown step type "run" (did you mean "Run"?); known types: ${STEP_TYPES}`,
    path: `${S}.type`,
  },
  {
    name: 'unknown field in a step',
    yaml: pipelineWithSteps(runStep('a', 'make').replace('    spec:', '    »descripton: x\n    spec:')),
    code: 'UNKNOWN_FIELD',
    message: `unknown field "descripton" in step (did you mean "description"?); known fields: ${STEP_FIELDS}`,
    path: `${S}.descripton`,
  },
  {
    name: 'unknown field in a Run spec',
    yaml: pipelineWithSteps(runStep('a', 'make', '»shel: Bash')),
    code: 'UNKNOWN_FIELD',
    message: `unknown field "shel" in Run step spec (did you mean "shell"?); known fields: ${RUN_FIELDS}`,
    path: `${S}.spec.shel`,
  },
  {
    name: 'unknown field in a stage',
    yaml: pipelineWithSteps(runStep('a', 'make'), { stage: '»timout: 10m' }),
    code: 'UNKNOWN_FIELD',
    message:
      'unknown field "timout" in stage (did you mean "timeout"?); known fields: identifier, name, description, type, variables, ' +
      'when, failureStrategies, timeout, delegateSelectors, tags, spec',
    path: 'pipeline.stages[0].stage.timout',
  },
  {
    name: 'unknown field in a pipeline',
    yaml: pipelineWithSteps(runStep('a', 'make'), { pipeline: '»tag: {}' }),
    code: 'UNKNOWN_FIELD',
    message:
      'unknown field "tag" in pipeline (did you mean "tags"?); known fields: identifier, name, orgIdentifier, projectIdentifier, ' +
      'description, tags, variables, timeout, delegateSelectors, allowStageExecutions, properties, stages',
    path: 'pipeline.tag',
  },
  {
    name: 'unknown field in the codebase',
    yaml: pipelineWithSteps(runStep('a', 'make')).replace('        repoName: sample-app', '        »repo: sample-app'),
    code: 'UNKNOWN_FIELD',
    message:
      'unknown field "repo" in codebase (did you mean "repoName"?); known fields: connectorRef, repoName, build, depth, cloneDirectory, prCloneStrategy, sslVerify, resources',
    path: 'pipeline.properties.ci.codebase.repo',
  },
  {
    name: 'list where a string is expected',
    yaml: pipelineWithSteps(runStep('a', '»[make, test]')),
    code: 'WRONG_TYPE',
    message: '"command" must be a string, but is a list',
    path: `${S}.spec.command`,
  },
  {
    name: 'string where a boolean is expected',
    yaml: pipelineWithSteps(runStep('a', 'make', 'privileged: »maybe')),
    code: 'WRONG_TYPE',
    message: '"privileged" must be a boolean (true or false), but is the string "maybe"',
    path: `${S}.spec.privileged`,
  },
  {
    name: 'string where a whole number is expected',
    yaml: pipelineWithSteps(runStep('a', 'make', 'runAsUser: »root')),
    code: 'WRONG_TYPE',
    message: '"runAsUser" must be a whole number, but is the string "root"',
    path: `${S}.spec.runAsUser`,
  },
  {
    name: 'fraction where a whole number is expected',
    yaml: pipelineWithSteps(runStep('a', 'make', 'runAsUser: »1.5')),
    code: 'WRONG_TYPE',
    message: '"runAsUser" must be a whole number, but is the number 1.5',
    path: `${S}.spec.runAsUser`,
  },
  {
    name: 'list where a mapping of strings is expected',
    yaml: pipelineWithSteps(runStep('a', 'make', 'envVariables: »[A]')),
    code: 'WRONG_TYPE',
    message: '"envVariables" must be a mapping of environment variables, but is a list',
    path: `${S}.spec.envVariables`,
  },
  {
    name: 'empty value for a required string',
    yaml: pipelineWithSteps(`- step:\n    type: Run\n    name: »\n    identifier: a\n    spec:\n      command: make`),
    code: 'WRONG_TYPE',
    message: '"name" must be a string, but is empty',
    path: `${S}.name`,
  },
  {
    name: 'scalar where the steps list is expected',
    yaml: pipelineWithStages(ciStage('b', { steps: '' }).replace('        steps:\n', '        steps: »none\n')),
    code: 'WRONG_TYPE',
    message: '"steps" must be a list, but is the string "none"',
    path: 'pipeline.stages[0].stage.spec.execution.steps',
  },
  {
    name: 'cloneCodebase given as yes',
    yaml: pipelineWithStages(ciStage('b', { spec: 'cloneCodebase: »yes' })),
    code: 'WRONG_TYPE',
    message: '"cloneCodebase" must be a boolean (true or false), but is the string "yes"',
    path: 'pipeline.stages[0].stage.spec.cloneCodebase',
  },
  {
    name: 'missing command in a Run step',
    yaml: pipelineWithSteps(`- step:\n    type: Run\n    name: a\n    identifier: a\n    spec:\n      »shell: Bash`),
    code: 'MISSING_FIELD',
    message: 'Run step spec is missing required field "command"',
    path: `${S}.spec`,
  },
  {
    name: 'missing spec in a step',
    yaml: pipelineWithSteps(`- step:\n    »type: Run\n    name: a\n    identifier: a`),
    code: 'MISSING_FIELD',
    message: 'step is missing required field "spec"',
    path: S,
  },
  {
    name: 'missing identifier in a stage',
    yaml: pipelineWithStages(ciStage('b').replace('    identifier: b\n', '').replace('    name: b', '    »name: b')),
    code: 'MISSING_FIELD',
    message: 'stage is missing required field "identifier"',
    path: 'pipeline.stages[0].stage',
  },
  {
    name: 'missing stages in a pipeline',
    yaml: 'pipeline:\n  »name: Test\n  identifier: Test\n',
    code: 'MISSING_FIELD',
    message: 'pipeline is missing required field "stages"',
    path: 'pipeline',
  },
  {
    name: 'missing repo in a Docker build step',
    yaml: pipelineWithSteps(
      `- step:\n    type: BuildAndPushDockerRegistry\n    name: a\n    identifier: a\n    spec:\n      »connectorRef: account.local_registry\n      tags: [latest]`,
    ),
    code: 'MISSING_FIELD',
    message: 'BuildAndPushDockerRegistry step spec is missing required field "repo"',
    path: `${S}.spec`,
  },
  {
    name: 'missing region and account in an ECR build step',
    yaml: pipelineWithSteps(
      `- step:\n    type: BuildAndPushECR\n    name: a\n    identifier: a\n    spec:\n      »connectorRef: account.aws\n      imageName: app\n      tags: [latest]`,
    ),
    code: 'MISSING_FIELD',
    message: 'BuildAndPushECR step spec is missing required field "region"',
    path: `${S}.spec`,
    count: 2,
  },
  {
    name: 'missing repository in an ACR build step',
    yaml: pipelineWithSteps(
      `- step:\n    type: BuildAndPushACR\n    name: a\n    identifier: a\n    spec:\n      »connectorRef: account.azure\n      tags: [latest]`,
    ),
    code: 'MISSING_FIELD',
    message: 'BuildAndPushACR step spec is missing required field "repository"',
    path: `${S}.spec`,
  },
  {
    name: 'missing image in a Plugin step',
    yaml: pipelineWithSteps(`- step:\n    type: Plugin\n    name: a\n    identifier: a\n    spec:\n      »settings: { a: 1 }`),
    code: 'MISSING_FIELD',
    message: 'Plugin step spec is missing required field "image"',
    path: `${S}.spec`,
  },
  {
    name: 'missing namespace in the infrastructure',
    yaml: pipelineWithStages(ciStage('b').replace('          namespace: kiln-builds\n', '').replace('          connectorRef', '          »connectorRef')),
    code: 'MISSING_FIELD',
    message: 'KubernetesDirect infrastructure spec is missing required field "namespace"',
    path: 'pipeline.stages[0].stage.spec.infrastructure.spec',
  },
  {
    name: 'identifier starting with a digit',
    yaml: pipelineWithSteps(runStep('a', 'make').replace('identifier: a', 'identifier: »1a')),
    code: 'INVALID_IDENTIFIER',
    message: 'invalid identifier "1a": an identifier starts with a letter or "_" and contains only letters, digits, "_" and "$" (128 characters at most)',
    path: `${S}.identifier`,
  },
  {
    name: 'identifier with a hyphen',
    yaml: pipelineWithSteps(runStep('a', 'make')).replace('  identifier: Test', '  identifier: »my-pipeline'),
    code: 'INVALID_IDENTIFIER',
    message: 'invalid identifier "my-pipeline": an identifier starts with a letter or "_" and contains only letters, digits, "_" and "$" (128 characters at most)',
    path: 'pipeline.identifier',
  },
  {
    name: 'identifier longer than 128 characters',
    yaml: pipelineWithSteps(runStep('a', 'make').replace('identifier: a', `identifier: »${'x'.repeat(129)}`)),
    code: 'INVALID_IDENTIFIER',
    message: `invalid identifier "${'x'.repeat(129)}": an identifier starts with a letter or "_" and contains only letters, digits, "_" and "$" (128 characters at most)`,
    path: `${S}.identifier`,
  },
  {
    name: 'reserved word as identifier',
    yaml: pipelineWithSteps(runStep('a', 'make').replace('identifier: a', 'identifier: »or')),
    code: 'INVALID_IDENTIFIER',
    message: 'invalid identifier "or": "or" is a reserved word of the expression language',
    path: `${S}.identifier`,
  },
  {
    name: 'expression as identifier',
    yaml: pipelineWithSteps(runStep('a', 'make').replace('identifier: a', 'identifier: »<+input>')),
    code: 'INVALID_VALUE',
    message: '"identifier" cannot be an expression: write it literally',
    path: `${S}.identifier`,
  },
  {
    name: 'duplicate step identifier',
    yaml: pipelineWithSteps([runStep('a', 'make'), runStep('b', 'make').replace('identifier: b', 'identifier: »a')].join('\n')),
    code: 'DUPLICATE_IDENTIFIER',
    message: 'duplicate step identifier "a": already used at line 29, column 31',
    path: 'pipeline.stages[0].stage.spec.execution.steps[1].step.identifier',
  },
  {
    name: 'duplicate step identifier inside a parallel group',
    yaml: pipelineWithSteps(`- parallel:\n${indent([runStep('a', 'make'), runStep('b', 'make').replace('identifier: b', 'identifier: »a')].join('\n'), 4)}`),
    code: 'DUPLICATE_IDENTIFIER',
    message: 'duplicate step identifier "a": already used at line 30, column 35',
    path: 'pipeline.stages[0].stage.spec.execution.steps[0].parallel[1].step.identifier',
  },
  {
    name: 'step group identifier repeating a step identifier',
    yaml: pipelineWithSteps(`${runStep('a', 'make')}\n- stepGroup:\n    name: g\n    identifier: »a\n    steps:\n${indent(runStep('c', 'make'), 6)}`),
    code: 'DUPLICATE_IDENTIFIER',
    message: 'duplicate step identifier "a": already used at line 29, column 31',
    path: 'pipeline.stages[0].stage.spec.execution.steps[1].stepGroup.identifier',
  },
  {
    name: 'duplicate stage identifier in a parallel group',
    yaml: pipelineWithStages(`${ciStage('b')}\n- parallel:\n${indent(ciStage('c'), 4)}\n${indent(ciStage('x').replace('identifier: x', 'identifier: »b'), 4)}`),
    code: 'DUPLICATE_IDENTIFIER',
    message: 'duplicate stage identifier "b": already used at line 8, column 21',
    path: 'pipeline.stages[1].parallel[1].stage.identifier',
  },
  {
    name: 'duplicate pipeline variable name',
    yaml: pipelineWithSteps(runStep('a', 'make'), {
      pipeline: 'variables:\n  - name: tag\n    type: String\n    value: a\n  - name: »tag\n    type: String\n    value: b',
    }),
    code: 'DUPLICATE_IDENTIFIER',
    message: 'duplicate variable name "tag": already used at line 5, column 13',
    path: 'pipeline.variables[1].name',
  },
  {
    name: 'variable name with a hyphen',
    yaml: pipelineWithSteps(runStep('a', 'make'), { pipeline: 'variables:\n  - name: »image-tag\n    type: String\n    value: a' }),
    code: 'INVALID_IDENTIFIER',
    message: 'invalid identifier "image-tag": an identifier starts with a letter or "_" and contains only letters, digits, "_" and "$" (128 characters at most)',
    path: 'pipeline.variables[0].name',
  },
  {
    name: 'variable type in lower case',
    yaml: pipelineWithSteps(runStep('a', 'make'), { pipeline: 'variables:\n  - name: tag\n    type: »string\n    value: a' }),
    code: 'INVALID_VALUE',
    message: 'invalid value "string" for "type" (did you mean "String"?); allowed values: String, Number, Secret',
    path: 'pipeline.variables[0].type',
  },
  {
    name: 'duration in words',
    yaml: pipelineWithSteps(runStep('a', 'make').replace('    spec:', '    timeout: »10 minutes\n    spec:')),
    code: 'INVALID_DURATION',
    message: 'invalid duration "10 minutes" for "timeout": use a number and a unit (w, d, h, m, s or ms), largest first, e.g. 30s, 10m, 1h30m or 1d',
    path: `${S}.timeout`,
  },
  {
    name: 'duration with units out of order',
    yaml: pipelineWithSteps(runStep('a', 'make'), { stage: 'timeout: »30m1h' }),
    code: 'INVALID_DURATION',
    message: 'invalid duration "30m1h" for "timeout": use a number and a unit (w, d, h, m, s or ms), largest first, e.g. 30s, 10m, 1h30m or 1d',
    path: 'pipeline.stages[0].stage.timeout',
  },
  {
    name: 'duration without a unit',
    yaml: pipelineWithSteps(runStep('a', 'make'), { pipeline: 'timeout: »600' }),
    code: 'INVALID_DURATION',
    message: 'invalid duration "600" for "timeout": use a number and a unit (w, d, h, m, s or ms), largest first, e.g. 30s, 10m, 1h30m or 1d',
    path: 'pipeline.timeout',
  },
  {
    name: 'unknown shell',
    yaml: pipelineWithSteps(runStep('a', 'make', 'shell: »Zsh')),
    code: 'INVALID_VALUE',
    message: 'invalid value "Zsh" for "shell" (did you mean "Sh"?); allowed values: Sh, Bash, Powershell, Pwsh, Python',
    path: `${S}.spec.shell`,
  },
  {
    name: 'shell in lower case',
    yaml: pipelineWithSteps(runStep('a', 'make', 'shell: »bash')),
    code: 'INVALID_VALUE',
    message: 'invalid value "bash" for "shell" (did you mean "Bash"?); allowed values: Sh, Bash, Powershell, Pwsh, Python',
    path: `${S}.spec.shell`,
  },
  {
    name: 'image pull policy in lower case',
    yaml: pipelineWithSteps(runStep('a', 'make', 'imagePullPolicy: »always')),
    code: 'INVALID_VALUE',
    message: 'invalid value "always" for "imagePullPolicy" (did you mean "Always"?); allowed values: Always, Never, IfNotPresent',
    path: `${S}.spec.imagePullPolicy`,
  },
  {
    name: 'report type in lower case',
    yaml: pipelineWithSteps(runStep('a', 'make', 'reports:\n  type: »junit\n  spec:\n    paths: [report.xml]')),
    code: 'INVALID_VALUE',
    message: 'invalid value "junit" for "type" (did you mean "JUnit"?); allowed values: JUnit',
    path: `${S}.spec.reports.type`,
  },
  {
    name: 'non-CI stage type',
    yaml: pipelineWithStages(ciStage('b').replace('type: CI', 'type: »Deployment')),
    code: 'UNKNOWN_STAGE_TYPE',
    message: 'unknown stage type "Deployment"; known types: CI (kiln runs CI stages only)',
    path: 'pipeline.stages[0].stage.type',
  },
  {
    name: 'VM infrastructure',
    yaml: pipelineWithStages(ciStage('b').replace('type: KubernetesDirect', 'type: »VM')),
    code: 'INVALID_VALUE',
    message: 'unknown infrastructure type "VM"; known types: KubernetesDirect (kiln runs stages on delegates; VM and Cloud infrastructure are not supported)',
    path: 'pipeline.stages[0].stage.spec.infrastructure.type',
  },
  {
    name: 'unknown volume type',
    yaml: pipelineWithStages(ciStage('b').replace('          namespace: kiln-builds', '          namespace: kiln-builds\n          volumes:\n            - mountPath: /cache\n              type: »EmptyDirectory\n              spec: {}')),
    code: 'INVALID_VALUE',
    message: 'unknown volume type "EmptyDirectory"; known types: EmptyDir, PersistentVolumeClaim, HostPath',
    path: 'pipeline.stages[0].stage.spec.infrastructure.spec.volumes[0].type',
  },
  {
    name: 'tolerations given as a mapping',
    yaml: pipelineWithStages(ciStage('b').replace('          namespace: kiln-builds', '          namespace: kiln-builds\n          tolerations:\n            »key: a')),
    code: 'WRONG_TYPE',
    message: '"tolerations" must be a list, but is a mapping',
    path: 'pipeline.stages[0].stage.spec.infrastructure.spec.tolerations',
  },
  {
    name: 'unknown platform architecture',
    yaml: pipelineWithStages(ciStage('b', { spec: 'platform:\n  os: Linux\n  arch: »x86' })),
    code: 'INVALID_VALUE',
    message: 'invalid value "x86" for "arch"; allowed values: Amd64, Arm64',
    path: 'pipeline.stages[0].stage.spec.platform.arch',
  },
  {
    name: 'unknown caching policy',
    yaml: pipelineWithStages(ciStage('b', { spec: 'caching:\n  enabled: true\n  policy: »pull_push' })),
    code: 'INVALID_VALUE',
    message: 'invalid value "pull_push" for "policy" (did you mean "pull-push"?); allowed values: pull, push, pull-push',
    path: 'pipeline.stages[0].stage.spec.caching.policy',
  },
  {
    name: 'codebase build type misspelled',
    yaml: pipelineWithSteps(runStep('a', 'make')).replace('build: <+input>', 'build:\n          type: »branches\n          spec:\n            branch: main'),
    code: 'INVALID_VALUE',
    message: 'unknown build type "branches" (did you mean "branch"?); known types: branch, tag, PR, commitSha',
    path: 'pipeline.properties.ci.codebase.build.type',
  },
  {
    name: 'codebase build given as a branch name',
    yaml: pipelineWithSteps(runStep('a', 'make')).replace('build: <+input>', 'build: »main'),
    code: 'INVALID_VALUE',
    message: 'invalid value "main" for "build"; allowed values: <+input>',
    path: 'pipeline.properties.ci.codebase.build',
  },
  {
    name: 'codebase branch build without a branch',
    yaml: pipelineWithSteps(runStep('a', 'make')).replace('build: <+input>', 'build:\n          type: branch\n          spec:\n            »tag: v1'),
    code: 'UNKNOWN_FIELD',
    message: 'unknown field "tag" in branch build spec; known fields: branch',
    path: 'pipeline.properties.ci.codebase.build.spec.tag',
    count: 2,
  },
  {
    name: 'failure action misspelled',
    yaml: pipelineWithSteps(runStep('a', 'make').replace('    spec:', '    failureStrategies:\n      - onFailure:\n          errors: [AllErrors]\n          action:\n            type: »Retryy\n    spec:')),
    code: 'INVALID_VALUE',
    message: 'unknown failure action "Retryy" (did you mean "Retry"?); known types: Abort, Fail, Ignore, MarkAsSuccess, StageRollback, Retry',
    path: `${S}.failureStrategies[0].onFailure.action.type`,
  },
  {
    name: 'failure error misspelled',
    yaml: pipelineWithSteps(runStep('a', 'make').replace('    spec:', '    failureStrategies:\n      - onFailure:\n          errors: [»Timeouts]\n          action:\n            type: Ignore\n    spec:')),
    code: 'INVALID_VALUE',
    message:
      'invalid value "Timeouts" for "errors" (did you mean "Timeout"?); allowed values: AllErrors, Authentication, Authorization, ' +
      'Connectivity, DelegateProvisioning, DelegateRestart, Timeout, Unknown, TaskFailure, Verification, InputTimeoutError, ' +
      'PolicyEvaluationFailure, ApprovalRejection, UserMarkedFailure, InfrastructureFailure, PluginImageFailure, ' +
      'ResourceLimitsFailure, ConfigurationFailure, RetryableTransientFailure',
    path: `${S}.failureStrategies[0].onFailure.errors[0]`,
  },
  {
    name: 'Retry without a spec',
    yaml: pipelineWithSteps(runStep('a', 'make').replace('    spec:', '    failureStrategies:\n      - onFailure:\n          errors: [AllErrors]\n          action:\n            »type: Retry\n    spec:')),
    code: 'MISSING_FIELD',
    message: 'failure action is missing required field "spec"',
    path: `${S}.failureStrategies[0].onFailure.action`,
  },
  {
    name: 'Retry with zero retries',
    yaml: pipelineWithSteps(
      runStep('a', 'make').replace(
        '    spec:',
        '    failureStrategies:\n      - onFailure:\n          errors: [AllErrors]\n          action:\n            type: Retry\n            spec:\n              retryCount: »0\n              retryIntervals: [10s]\n              onRetryFailure:\n                action:\n                  type: Abort\n    spec:',
      ),
    ),
    code: 'INVALID_VALUE',
    message: '"retryCount" must be at least 1, but is 0',
    path: `${S}.failureStrategies[0].onFailure.action.spec.retryCount`,
  },
  {
    name: 'step condition status misspelled',
    yaml: pipelineWithSteps(runStep('a', 'make').replace('    spec:', '    when:\n      stageStatus: »Sucess\n    spec:')),
    code: 'INVALID_VALUE',
    message: `invalid value "Sucess" for "stageStatus" (did you mean "Success"?); allowed values: ${STATUSES}`,
    path: `${S}.when.stageStatus`,
  },
  {
    name: 'step condition without a status',
    yaml: pipelineWithSteps(runStep('a', 'make').replace('    spec:', '    when:\n      »condition: "true"\n    spec:')),
    code: 'MISSING_FIELD',
    message: 'step when is missing required field "stageStatus"',
    path: `${S}.when`,
  },
  {
    name: 'stage condition with a step status',
    yaml: pipelineWithSteps(runStep('a', 'make'), { stage: 'when:\n  »stageStatus: Success' }),
    code: 'UNKNOWN_FIELD',
    message: 'unknown field "stageStatus" in stage when; known fields: pipelineStatus, condition',
    path: 'pipeline.stages[0].stage.when.stageStatus',
    count: 2,
  },
  {
    name: 'condition with a stray "="',
    yaml: pipelineWithSteps(runStep('a', 'make').replace('    spec:', '    when:\n      stageStatus: Success\n      condition: <+codebase.branch> ==»= "main"\n    spec:')),
    code: 'INVALID_EXPRESSION',
    message: 'invalid expression in "condition": unexpected character "=" (in "<+codebase.branch> === \\"main\\"")',
    path: `${S}.when.condition`,
  },
  {
    name: 'unclosed expression',
    yaml: pipelineWithSteps(runStep('a', 'echo <+pipeline.sequenceId»')),
    code: 'INVALID_EXPRESSION',
    message: 'invalid expression in "command": expected ">" to close the expression opened by "<+", found the end of the value (in "echo <+pipeline.sequenceId")',
    path: `${S}.spec.command`,
  },
  {
    name: 'expression with a dangling dot',
    yaml: pipelineWithSteps(runStep('a', 'echo <+pipeline.»>')),
    code: 'INVALID_EXPRESSION',
    message: 'invalid expression in "command": expected a name after ".", found ">" (in "echo <+pipeline.>")',
    path: `${S}.spec.command`,
  },
  {
    name: 'empty expression',
    yaml: pipelineWithSteps(runStep('a', 'echo »<+>')),
    code: 'INVALID_EXPRESSION',
    message: 'invalid expression in "command": empty expression "<+>" (in "echo <+>")',
    path: `${S}.spec.command`,
  },
  {
    name: 'unterminated string in an expression',
    yaml: pipelineWithSteps(runStep('a', `'echo <+codebase.branch.replace("/, "-»")>'`)),
    code: 'INVALID_EXPRESSION',
    message: 'invalid expression in "command": unterminated string: expected a closing " (in "echo <+codebase.branch.replace(\\"/, \\"-\\")>")',
    path: `${S}.spec.command`,
  },
  {
    name: 'unknown reference with a close match',
    yaml: pipelineWithSteps(runStep('a', 'echo <+»pipeline.sequenceID>')),
    code: 'UNKNOWN_REFERENCE',
    message: `unknown reference "pipeline.sequenceID" in "echo <+pipeline.sequenceID>" (did you mean "pipeline.sequenceId"?); known references: ${REFERENCES}`,
    path: `${S}.spec.command`,
  },
  {
    name: 'unknown reference root',
    yaml: pipelineWithSteps(runStep('a', 'echo <+»trigger.branch>')),
    code: 'UNKNOWN_REFERENCE',
    message: `unknown reference "trigger.branch" in "echo <+trigger.branch>"; known references: ${REFERENCES}`,
    path: `${S}.spec.command`,
  },
  {
    name: 'undeclared pipeline variable',
    yaml: pipelineWithSteps(runStep('a', 'echo <+»pipeline.variables.tagg>'), { pipeline: 'variables:\n  - name: tag\n    type: String\n    value: a' }),
    code: 'UNKNOWN_REFERENCE',
    message: 'unknown reference "pipeline.variables.tagg" in "echo <+pipeline.variables.tagg>": pipeline variable "tagg" is not declared (did you mean "tag"?); declared: tag',
    path: `${S}.spec.command`,
  },
  {
    name: 'undeclared stage variable',
    yaml: pipelineWithSteps(runStep('a', 'echo <+»stage.variables.x>')),
    code: 'UNKNOWN_REFERENCE',
    message: 'unknown reference "stage.variables.x" in "echo <+stage.variables.x>": stage variable "x" is not declared in this stage; no stage variable is declared',
    path: `${S}.spec.command`,
  },
  {
    name: 'output of a step not in the stage',
    yaml: pipelineWithSteps(runStep('a', 'echo <+»steps.bulid.output.outputVariables.V>')),
    code: 'UNKNOWN_REFERENCE',
    message: 'unknown reference "steps.bulid.output.outputVariables.V" in "echo <+steps.bulid.output.outputVariables.V>": step "bulid" is not in this stage; steps: a',
    path: `${S}.spec.command`,
  },
  {
    name: 'output of a stage not in the pipeline',
    yaml: pipelineWithStages(`${ciStage('a')}\n${ciStage('b', { steps: runStep('use', 'echo <+»pipeline.stages.c.spec.execution.steps.test.output.outputVariables.V>') })}`),
    code: 'UNKNOWN_REFERENCE',
    message: 'unknown reference "pipeline.stages.c.spec.execution.steps.test.output.outputVariables.V" in "echo <+pipeline.stages.c.spec.execution.steps.test.output.ou...": stage "c" is not in the pipeline (did you mean "a"?); stages: a, b',
    path: 'pipeline.stages[1].stage.spec.execution.steps[0].step.spec.command',
  },
  {
    name: 'output of a later stage',
    yaml: pipelineWithStages(`${ciStage('a', { steps: runStep('use', 'echo <+»pipeline.stages.b.spec.execution.steps.test.output.outputVariables.V>') })}\n${ciStage('b')}`),
    code: 'UNKNOWN_REFERENCE',
    message: 'unknown reference "pipeline.stages.b.spec.execution.steps.test.output.outputVariables.V" in "echo <+pipeline.stages.b.spec.execution.steps.test.output.ou...": stage "b" runs after stage "a", so its outputs do not exist yet',
    path: 'pipeline.stages[0].stage.spec.execution.steps[0].step.spec.command',
  },
  {
    name: 'output of an earlier stage that its step does not declare',
    yaml: pipelineWithStages(
      `${ciStage('a', { steps: runStep('make', 'make', 'outputVariables:\n  - name: VERSION') })}\n${ciStage('b', { steps: runStep('use', 'echo <+»pipeline.stages.a.spec.execution.steps.make.output.outputVariables.V>') })}`,
    ),
    code: 'UNKNOWN_REFERENCE',
    message: 'unknown reference "pipeline.stages.a.spec.execution.steps.make.output.outputVariables.V" in "echo <+pipeline.stages.a.spec.execution.steps.make.output.ou...": step "make" does not declare output variable "V"; declared: VERSION',
    path: 'pipeline.stages[1].stage.spec.execution.steps[0].step.spec.command',
  },
  {
    name: 'output variable a step does not declare',
    yaml: pipelineWithSteps(
      [runStep('build', 'make', 'outputVariables:\n  - name: VERSION'), runStep('b', 'echo <+»steps.build.output.outputVariables.VERSON>')].join('\n'),
    ),
    code: 'UNKNOWN_REFERENCE',
    message:
      'unknown reference "steps.build.output.outputVariables.VERSON" in "echo <+steps.build.output.outputVariables.VERSON>": ' +
      'step "build" does not declare output variable "VERSON" (did you mean "VERSION"?); declared: VERSION',
    path: 'pipeline.stages[0].stage.spec.execution.steps[1].step.spec.command',
  },
  {
    name: 'stage reference outside a stage',
    yaml: pipelineWithSteps(runStep('a', 'make'), { pipeline: 'variables:\n  - name: tag\n    type: String\n    value: <+»stage.name>' }),
    code: 'UNKNOWN_REFERENCE',
    message: 'unknown reference "stage.name" in "<+stage.name>": "stage." references can be used only inside a stage',
    path: 'pipeline.variables[0].value',
  },
  {
    name: 'codebase reference without a codebase',
    yaml: pipelineWithStages(ciStage('b', { steps: runStep('a', 'echo <+»codebase.branch>') })),
    code: 'UNKNOWN_REFERENCE',
    message: 'unknown reference "codebase.branch" in "echo <+codebase.branch>": the pipeline has no codebase (properties.ci.codebase)',
    path: 'pipeline.stages[0].stage.spec.execution.steps[0].step.spec.command',
  },
  {
    name: 'runtime input inside text',
    yaml: pipelineWithSteps(runStep('a', 'echo <+»input>')),
    code: 'UNKNOWN_REFERENCE',
    message: '<+input> must be the whole value of a field, optionally followed by .default(...) or .allowedValues(...) in "echo <+input>"',
    path: `${S}.spec.command`,
  },
  {
    name: 'unknown runtime input method',
    yaml: pipelineWithSteps(runStep('a', 'make'), { pipeline: 'variables:\n  - name: tag\n    type: String\n    value: <+input>.»defaults(x)' }),
    code: 'INVALID_EXPRESSION',
    message:
      'invalid expression in "value": unknown runtime input method "defaults" (did you mean "default"?); known methods: default, allowedValues, selectOneFrom, executionInput, regex (in "<+input>.defaults(x)")',
    path: 'pipeline.variables[0].value',
  },
  {
    name: 'unknown string method',
    yaml: pipelineWithSteps(runStep('a', 'echo <+codebase.branch.»toLower()>')),
    code: 'INVALID_EXPRESSION',
    message:
      'unknown method "toLower" in "echo <+codebase.branch.toLower()>" (did you mean "toLowerCase"?); known methods: charAt, concat, contains, ' +
      'endsWith, equals, equalsIgnoreCase, indexOf, isEmpty, join, lastIndexOf, length, replace, replaceAll, size, split, startsWith, substring, ' +
      'toLowerCase, toUpperCase, trim',
    path: `${S}.spec.command`,
  },
  {
    name: 'property of a value',
    yaml: pipelineWithSteps(runStep('a', 'echo <+»pipeline.name.size>')),
    code: 'UNKNOWN_REFERENCE',
    message: 'unknown reference "pipeline.name.size" in "echo <+pipeline.name.size>": "pipeline.name" has no property "size"',
    path: `${S}.spec.command`,
  },
  {
    name: 'misspelled stage element',
    yaml: pipelineWithStages(ciStage('b').replace('- stage:', '- »stag:')),
    code: 'UNKNOWN_FIELD',
    message: 'unknown field "stag" in stage element (did you mean "stage"?); known fields: stage, parallel',
    path: 'pipeline.stages[0].stag',
  },
  {
    name: 'step element with two keys',
    yaml: pipelineWithSteps(`- »step:\n    type: Run\n    name: a\n    identifier: a\n    spec:\n      command: make\n  parallel: []`),
    code: 'INVALID_VALUE',
    message: 'each step element must have exactly one key (step, parallel, stepGroup), found "step", "parallel"',
    path: 'pipeline.stages[0].stage.spec.execution.steps[0]',
  },
  {
    name: 'step inside a parallel stage group',
    yaml: pipelineWithStages(`- parallel:\n${indent(runStep('a', 'make').replace('- step:', '- »step:'), 4)}`),
    code: 'UNKNOWN_FIELD',
    message: 'unknown field "step" in parallel stage element; known fields: stage',
    path: 'pipeline.stages[0].parallel[0].step',
  },
  {
    name: 'step group without steps',
    yaml: pipelineWithSteps(`- stepGroup:\n    »name: g\n    identifier: g`),
    code: 'MISSING_FIELD',
    message: 'step group is missing required field "steps"',
    path: 'pipeline.stages[0].stage.spec.execution.steps[0].stepGroup',
  },
  {
    name: 'misspelled document kind',
    yaml: '»pipline:\n  name: a\n',
    code: 'UNKNOWN_DOCUMENT',
    message: 'unknown document: expected a top-level "pipeline:" or "connector:" key, found "pipline" (did you mean "pipeline"?)',
    path: 'pipline',
  },
  {
    name: 'list as a document',
    yaml: '»- pipeline: {}\n',
    code: 'UNKNOWN_DOCUMENT',
    message: 'unknown document: expected a mapping with a top-level "pipeline:" or "connector:" key',
    path: '',
  },
  {
    name: 'unknown connector type',
    yaml: 'connector:\n  name: a\n  identifier: a\n  type: »Docker\n  spec: {}\n',
    code: 'INVALID_VALUE',
    message: 'unknown connector type "Docker" (did you mean "DockerRegistry"?); known types: DockerRegistry, Git, Github, K8sCluster, Aws, Gcp, Azure',
    path: 'connector.type',
  },
  {
    name: 'Git connector without a url',
    yaml: 'connector:\n  name: a\n  identifier: a\n  type: Git\n  spec:\n    »connectionType: Account\n',
    code: 'MISSING_FIELD',
    message: 'Git connector spec is missing required field "url"',
    path: 'connector.spec',
  },
  {
    name: 'registry password given in clear',
    yaml: 'connector:\n  name: a\n  identifier: a\n  type: DockerRegistry\n  spec:\n    dockerRegistryUrl: http://127.0.0.1:5000\n    auth:\n      type: UsernamePassword\n      spec:\n        »username: kiln\n        password: s3cret\n',
    code: 'MISSING_FIELD',
    message: 'UsernamePassword auth spec is missing required field "passwordRef"',
    path: 'connector.spec.auth.spec',
    count: 2,
  },
  {
    name: 'cluster credential misspelled',
    yaml: 'connector:\n  name: a\n  identifier: a\n  type: K8sCluster\n  spec:\n    credential:\n      type: »InheritFromDelegates\n',
    code: 'INVALID_VALUE',
    message: 'unknown credential type "InheritFromDelegates" (did you mean "InheritFromDelegate"?); known types: InheritFromDelegate, ManualConfig',
    path: 'connector.spec.credential.type',
  },
];

interface ValidCase {
  name: string;
  yaml: string;
}

const validCases: ValidCase[] = [
  { name: 'quickstart pipeline', yaml: QUICKSTART },
  { name: 'connector documents', yaml: CONNECTORS },
  {
    name: 'every step type',
    yaml: pipelineWithSteps(
      [
        runStep('run', 'make', 'shell: Bash\nimage: golang:1.22\nconnectorRef: account.hub\nenvVariables:\n  GOFLAGS: -mod=mod\nprivileged: false\nrunAsUser: 1000\nresources:\n  limits:\n    cpu: 500m\n    memory: 1Gi\nimagePullPolicy: IfNotPresent\nreports:\n  type: JUnit\n  spec:\n    paths: [out/*.xml]\noutputVariables:\n  - name: VERSION'),
        '- step:\n    type: Background\n    name: db\n    identifier: db\n    spec:\n      image: postgres:16\n      entrypoint: [docker-entrypoint.sh]\n      portBindings:\n        "5432": "5432"',
        '- step:\n    type: Plugin\n    name: p\n    identifier: p\n    spec:\n      image: plugins/slack\n      settings:\n        channel: builds\n        recipients: [a, b]',
        '- step:\n    type: BuildAndPushDockerRegistry\n    name: d\n    identifier: d\n    spec:\n      connectorRef: account.local_registry\n      repo: 127.0.0.1:5000/app\n      tags: [latest, <+pipeline.sequenceId>]\n      dockerfile: Dockerfile\n      context: .\n      labels: { a: b }\n      buildArgs: { V: "1" }\n      target: prod\n      optimize: true\n      remoteCacheRepo: 127.0.0.1:5000/cache',
        '- step:\n    type: BuildAndPushECR\n    name: e\n    identifier: e\n    spec:\n      connectorRef: account.aws\n      region: us-east-1\n      account: "123456789012"\n      imageName: app\n      tags: [latest]\n      baseImageConnectorRefs: account.hub',
        '- step:\n    type: BuildAndPushGCR\n    name: g\n    identifier: g\n    spec:\n      connectorRef: account.gcp\n      host: gcr.io\n      projectID: proj\n      imageName: app\n      tags: [latest]',
        '- step:\n    type: BuildAndPushGAR\n    name: ga\n    identifier: ga\n    spec:\n      connectorRef: account.gcp\n      host: us-docker.pkg.dev\n      projectID: proj\n      imageName: repo/app\n      tags: [latest]',
        '- step:\n    type: BuildAndPushACR\n    name: ac\n    identifier: ac\n    spec:\n      connectorRef: account.azure\n      repository: me.azurecr.io/app\n      subscriptionId: sub\n      tags: [latest]',
      ].join('\n'),
    ),
  },
  {
    name: 'parallel steps and step groups',
    yaml: pipelineWithSteps(
      `- parallel:\n${indent([runStep('a', 'make a'), runStep('b', 'make b')].join('\n'), 4)}\n- stepGroup:\n    name: g\n    identifier: g\n    when:\n      stageStatus: Success\n    steps:\n${indent(runStep('c', 'make c', 'outputVariables:\n  - name: OUT'), 6)}\n${indent(runStep('d', 'echo <+steps.c.output.outputVariables.OUT>'), 6)}\n${runStep('e', 'echo <+steps.g.steps.c.output.outputVariables.OUT>')}`,
    ),
  },
  {
    name: 'parallel stages',
    yaml: pipelineWithStages(`- parallel:\n${indent(ciStage('a'), 4)}\n${indent(ciStage('b'), 4)}\n${ciStage('c')}`),
  },
  {
    name: 'conditions with expressions',
    yaml: pipelineWithSteps(
      runStep('a', 'make').replace(
        '    spec:',
        '    when:\n      stageStatus: All\n      condition: <+codebase.branch> == "main" && (<+pipeline.variables.deploy> != "no" || !<+codebase.tag>.isEmpty())\n    spec:',
      ),
      { pipeline: 'variables:\n  - name: deploy\n    type: String\n    value: <+input>.default(yes).allowedValues(yes,no)', stage: 'when:\n  pipelineStatus: Success\n  condition: <+pipeline.sequenceId> > 1' },
    ),
  },
  {
    name: 'failure strategies with retry',
    yaml: pipelineWithSteps(
      runStep('a', 'make').replace(
        '    spec:',
        '    timeout: 1h30m\n    failureStrategies:\n      - onFailure:\n          errors: [Timeout, Connectivity]\n          action:\n            type: Retry\n            spec:\n              retryCount: 2\n              retryIntervals: [10s, 1m]\n              onRetryFailure:\n                action:\n                  type: MarkAsSuccess\n      - onFailure:\n          errors: [AllErrors]\n          action:\n            type: Abort\n    spec:',
      ),
      { stage: 'timeout: 1d\nfailureStrategies:\n  - onFailure:\n      errors: [AllErrors]\n      action:\n        type: StageRollback' },
    ),
  },
  {
    name: 'stage variables of each type',
    yaml: pipelineWithSteps(runStep('a', 'echo <+stage.variables.name> <+stage.variables.count>'), {
      stage: 'variables:\n  - name: name\n    type: String\n    value: app\n  - name: count\n    type: Number\n    value: 3\n  - name: token\n    type: Secret\n    value: account.token\n  - name: PLUGIN_NO_PUSH\n    type: String\n    value: "true"',
    }),
  },
  {
    name: 'full infrastructure spec',
    yaml: pipelineWithStages(
      ciStage('b').replace(
        '          namespace: kiln-builds',
        '          namespace: <+input>.default(kiln-builds)\n          annotations: { a: b }\n          labels: { team: ci }\n          automountServiceAccountToken: false\n          nodeSelector: { pool: builds }\n          os: Linux\n          tolerations:\n            - effect: NoSchedule\n              key: builds\n              operator: Equal\n              value: "true"\n          volumes:\n            - mountPath: /cache\n              type: EmptyDir\n              spec:\n                medium: Memory\n                size: 1Gi\n            - mountPath: /data\n              type: PersistentVolumeClaim\n              spec:\n                claimName: data\n          serviceAccountName: builder\n          runAsUser: 1000\n          priorityClassName: high\n          initTimeout: 8m\n          containerSecurityContext:\n            privileged: false\n            capabilities:\n              add: [NET_ADMIN]\n          harnessImageConnectorRef: account.hub\n          podSpecOverlay: "spec: {}"\n          hostNames: [build.local]',
      ),
    ),
  },
  {
    name: 'expressions in boolean and number fields',
    yaml: pipelineWithSteps(runStep('a', 'make', 'privileged: <+input>.allowedValues(true,false)\nrunAsUser: <+pipeline.variables.uid>'), {
      pipeline: 'variables:\n  - name: uid\n    type: Number\n    value: 1000',
    }),
  },
  {
    name: 'secrets and string methods',
    yaml: pipelineWithSteps(
      runStep(
        'a',
        `'docker login -p <+secrets.getValue("account.hub_token")> && echo <+codebase.branch.replace("/", "-").toLowerCase()>-<+codebase.shortCommitSha> <+codebase.commitSha.substring(0, 7)> <+pipeline.name.split(" ")[0]>'`,
      ),
    ),
  },
  {
    name: 'fixed tag build and codebase options',
    yaml: pipelineWithSteps(runStep('a', 'make')).replace(
      'build: <+input>',
      'build:\n          type: tag\n          spec:\n            tag: v1.2.0\n        depth: 1\n        cloneDirectory: /harness/app\n        prCloneStrategy: SourceBranch\n        sslVerify: true',
    ),
  },
  {
    name: 'infrastructure from another stage',
    yaml: pipelineWithStages(`${ciStage('a')}\n${ciStage('b').replace(/infrastructure:\n.*\n.*\n.*\n.*namespace: kiln-builds/, 'infrastructure:\n        useFromStage: a')}`),
  },
  {
    name: 'outputs of an earlier stage, also from a step group',
    yaml: pipelineWithStages(
      `${ciStage('a', { steps: `${runStep('make', 'make', 'outputVariables:\n  - name: VERSION')}\n- stepGroup:\n    identifier: g\n    name: g\n    steps:\n${indent(runStep('inner', 'make', 'outputVariables:\n  - name: ID'), 6)}` })}\n` +
        ciStage('b', {
          stage: 'when:\n  pipelineStatus: Success\n  condition: <+pipeline.stages.a.spec.execution.steps.make.output.outputVariables.VERSION> != ""',
          steps: runStep('use', 'echo <+pipeline.stages.a.spec.execution.steps.make.output.outputVariables.VERSION> <+pipeline.stages.a.spec.execution.steps.g.steps.inner.output.outputVariables.ID>'),
        }),
    ),
  },
  {
    name: 'nested expression',
    yaml: pipelineWithSteps(runStep('a', 'echo <+<+pipeline.variables.v>.toUpperCase()>'), { pipeline: 'variables:\n  - name: v\n    type: String\n    value: abc' }),
  },
];

describe('validation cases', () => {
  describe.each(invalidCases)('when the YAML has $name', (testCase) => {
    it(`reports ${testCase.code} at the marked position`, () => {
      const { text, line, column } = locateMarker(testCase.yaml);
      const result = parseDocuments(text, 'case.yaml');
      expect(result.problems[0]).toEqual({ code: testCase.code, message: testCase.message, file: 'case.yaml', line, column, path: testCase.path });
      expect(result.problems).toHaveLength(testCase.count ?? 1);
    });
  });

  describe.each(validCases)('when the YAML is a valid $name', (testCase) => {
    it('reports no problems', () => {
      const result = parseDocuments(testCase.yaml, 'case.yaml');
      expect(result.problems).toEqual([]);
      expect(result.documents.length).toBeGreaterThan(0);
    });
  });
});

/** An input set for pipeline Test whose `pipeline:` body is `body` (YAML at indent 0). */
function inputSet(body: string, header = 'identifier: nightly\nname: Nightly'): string {
  return `inputSet:\n${indent(header, 2)}\n  pipeline:\n${indent(body, 4)}\n`;
}

const STAGE_BUILD = 'stages:\n  - stage:\n      identifier: build\n      spec:\n        execution:\n          steps:\n';

const invalidInputSetCases: InvalidCase[] = [
  {
    name: 'a pipeline document',
    yaml: '»pipeline:\n  identifier: Test\n',
    code: 'UNKNOWN_DOCUMENT',
    message: 'unknown document key "pipeline": an input set file holds one top-level "inputSet:"',
    path: 'pipeline',
    count: 2,
  },
  {
    name: 'unknown input set field',
    yaml: inputSet('identifier: Test', 'identifier: nightly\nname: Nightly\n»pipelines: {}'),
    code: 'UNKNOWN_FIELD',
    message: 'unknown field "pipelines" in inputSet (did you mean "pipeline"?); known fields: identifier, name, orgIdentifier, projectIdentifier, description, tags, pipeline',
    path: 'inputSet.pipelines',
  },
  {
    name: 'missing pipeline identifier',
    yaml: inputSet('»variables:\n  - name: tag\n    value: v1'),
    code: 'MISSING_FIELD',
    message: 'missing field "identifier" in inputSet.pipeline',
    path: 'inputSet.pipeline.identifier',
  },
  {
    name: 'stage without identifier',
    yaml: inputSet('identifier: Test\nstages:\n  - stage:\n      »type: CI'),
    code: 'MISSING_FIELD',
    message: 'missing field "identifier" in inputSet.pipeline.stages[0].stage',
    path: 'inputSet.pipeline.stages[0].stage.identifier',
  },
  {
    name: 'invalid step identifier',
    yaml: inputSet(`identifier: Test\n${STAGE_BUILD}            - step:\n                identifier: »1st\n                spec: { command: make }`),
    code: 'INVALID_IDENTIFIER',
    message: 'invalid identifier "1st": an identifier starts with a letter or "_" and contains only letters, digits, "_" and "$" (128 characters at most)',
    path: 'inputSet.pipeline.stages[0].stage.spec.execution.steps[0].step.identifier',
  },
  {
    name: 'unknown step element',
    yaml: inputSet(`identifier: Test\n${STAGE_BUILD}            - »stpe:\n                identifier: a`),
    code: 'UNKNOWN_FIELD',
    message: 'unknown step element "stpe" (did you mean "step"?); expected step, parallel or stepGroup',
    path: 'inputSet.pipeline.stages[0].stage.spec.execution.steps[0].stpe',
  },
  {
    name: 'list as an input value',
    yaml: inputSet(`identifier: Test\n${STAGE_BUILD}            - step:\n                identifier: push\n                spec:\n                  tags: »[a, b]`),
    code: 'WRONG_TYPE',
    message: 'inputSet.pipeline.stages[0].stage.spec.execution.steps[0].step.spec.tags is a list: kiln takes a runtime input as one string, so give the whole field as a string in the pipeline or leave it out of the input set',
    path: 'inputSet.pipeline.stages[0].stage.spec.execution.steps[0].step.spec.tags',
  },
  {
    name: 'variable without value',
    yaml: inputSet('identifier: Test\nvariables:\n  - »name: tag'),
    code: 'MISSING_FIELD',
    message: 'missing field "value" in variable "tag"',
    path: 'inputSet.pipeline.variables[0].value',
  },
  {
    name: 'unknown build type',
    yaml: inputSet('identifier: Test\nproperties:\n  ci:\n    codebase:\n      build:\n        »type: branches\n        spec: { branch: main }'),
    code: 'INVALID_VALUE',
    message: 'invalid build type "branches": use one of branch, tag, PR, commitSha',
    path: 'inputSet.pipeline.properties.ci.codebase.build.type',
  },
  {
    name: 'invalid YAML',
    yaml: 'inputSet:\n  identifier: a\n  name: [b\n»',
    code: 'YAML_SYNTAX',
    message: 'invalid YAML: Flow sequence in block collection must be sufficiently indented and end with a ]',
    path: '',
  },
];

const validInputSetCases: { name: string; yaml: string; inputs: Record<string, string> }[] = [
  {
    name: 'parallel stages and steps',
    yaml: inputSet(
      'identifier: Test\nstages:\n  - parallel:\n      - stage:\n          identifier: a\n          timeout: 10m\n          spec:\n            execution:\n              steps:\n                - parallel:\n                    - step:\n                        identifier: s\n                        timeout: 1m',
    ),
    inputs: { 'pipeline.stages.a.timeout': '10m', 'pipeline.stages.a.spec.execution.steps.s.timeout': '1m' },
  },
  {
    name: 'infrastructure and when fields',
    yaml: inputSet(
      'identifier: Test\nstages:\n  - stage:\n      identifier: a\n      when:\n        condition: <+pipeline.variables.go> == "yes"\n      spec:\n        infrastructure:\n          spec:\n            namespace: builds',
    ),
    inputs: { 'pipeline.stages.a.when.condition': '<+pipeline.variables.go> == "yes"', 'pipeline.stages.a.spec.infrastructure.spec.namespace': 'builds' },
  },
  {
    name: 'numbers and booleans as text',
    yaml: inputSet(`identifier: Test\n${STAGE_BUILD}            - step:\n                identifier: a\n                spec:\n                  privileged: true\n                  runAsUser: 1000`),
    inputs: { 'pipeline.stages.build.spec.execution.steps.a.spec.privileged': 'true', 'pipeline.stages.build.spec.execution.steps.a.spec.runAsUser': '1000' },
  },
];

describe('input set cases', () => {
  describe.each(invalidInputSetCases)('when the input set has $name', (testCase) => {
    it(`reports ${testCase.code} at the marked position`, () => {
      const { text, line, column } = locateMarker(testCase.yaml);
      const result = parseInputSet(text, 'inputs.yaml');
      expect(result.problems[0]).toEqual({ code: testCase.code, message: testCase.message, file: 'inputs.yaml', line, column, path: testCase.path });
      expect(result.problems).toHaveLength(testCase.count ?? 1);
      expect(result.inputSet).toBeUndefined();
    });
  });

  describe.each(validInputSetCases)('when the input set has $name', (testCase) => {
    it('flattens it without problems', () => {
      const result = parseInputSet(testCase.yaml, 'inputs.yaml');
      expect(result.problems).toEqual([]);
      expect(result.inputSet?.inputs).toEqual(testCase.inputs);
    });
  });
});
