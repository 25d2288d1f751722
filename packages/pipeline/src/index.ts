export * from './model.js';
export { parseDocuments } from './parse-documents.js';
export { DEFAULT_YAML_LIMITS } from './yaml-limits.js';
export type { YamlLimits } from './yaml-limits.js';
export { formatProblem, sortProblems } from './problems.js';
export { connectorKey, connectorKeyOf, collectConnectorRefs } from './connectors.js';
export { prepareExecution, PipelineInputError } from './prepare-execution.js';
export type { ExecutionRequest, PreparedExecution, PreparedStage } from './prepare-execution.js';
export { resolveStageOutputs } from './stage-outputs.js';
export type { StageOutputs } from './stage-outputs.js';
export { resolveDelegateExpressions, resolveDelegateDeep, evaluateCondition } from './delegate-expressions.js';
export type { DelegateExpressionContext } from './delegate-expressions.js';
export type {
  RunStepSpec,
  BackgroundStepSpec,
  PluginStepSpec,
  BuildAndPushCommonSpec,
  BuildAndPushDockerRegistrySpec,
  BuildAndPushECRSpec,
  BuildAndPushGCRSpec,
  BuildAndPushGARSpec,
  BuildAndPushACRSpec,
} from './step-specs.js';
export { parseDuration } from './duration.js';
export { STEP_TYPES } from './schema/step-schemas.js';
export { listStages } from './model-walk.js';
export type { LocatedStage } from './model-walk.js';
export { parseInputSet } from './input-set.js';
export type { InputSet } from './input-set.js';
export { fullyQualifiedName } from './input-names.js';
export { listRuntimeInputs } from './runtime-inputs.js';
export type { RuntimeInputField } from './runtime-inputs.js';
export { locateYamlPath, findYamlValue } from './yaml-locate.js';
export type { YamlLocation } from './yaml-locate.js';
