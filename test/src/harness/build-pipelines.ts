import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { kiln, kilnJson, type Manager } from './kiln.js';

/** A step as Harness YAML writes it, e.g. `{ type: 'BuildAndPushDockerRegistry', name, identifier, spec }`. */
export type StepDocument = Record<string, unknown>;

export interface BuildPipelineOptions {
  identifier: string;
  repoName: string;
  /** K8sCluster connector whose delegate selectors pick the delegate. */
  infrastructureConnector: string;
  steps: StepDocument[];
  stageVariables?: { name: string; type: string; value: string }[];
}

/**
 * Renders a one-stage CI pipeline that clones `account.kiln_samples/<repoName>`
 * and runs `steps`. The document is JSON, which is valid YAML.
 */
export function buildPipelineDocument(options: BuildPipelineOptions): string {
  const pipeline = {
    pipeline: {
      name: options.identifier, identifier: options.identifier, orgIdentifier: 'default', projectIdentifier: 'Registries',
      properties: { ci: { codebase: { connectorRef: 'account.kiln_samples', repoName: options.repoName, build: '<+input>' } } },
      stages: [{
        stage: {
          name: 'Build', identifier: 'Build', type: 'CI', ...(options.stageVariables ? { variables: options.stageVariables } : {}),
          spec: {
            cloneCodebase: true,
            infrastructure: { type: 'KubernetesDirect', spec: { connectorRef: options.infrastructureConnector, namespace: 'kiln-builds' } },
            execution: { steps: options.steps.map((step) => ({ step })) },
          },
        },
      }],
    },
  };
  return `${JSON.stringify(pipeline, null, 2)}\n`;
}

/** Applies YAML documents (pipelines, connectors) written to `dir/<name>` and throws with kiln's stderr when apply fails. */
export async function applyDocuments(manager: Manager, dir: string, name: string, text: string): Promise<void> {
  const file = join(dir, name);
  await writeFile(file, text);
  const result = await kiln(manager, ['apply', '-f', file]);
  if (result.exitCode !== 0) throw new Error(`kiln apply -f ${file} exited ${result.exitCode}: ${String(result.stderr)}`);
}

export interface StepResultView {
  id: string;
  status: string;
  exit_code: number;
  has_exit_code: boolean;
  error_code: string;
  error_message: string;
  outputs: Record<string, string>;
  artifacts: { registry: string; repository: string; tag: string; digest: string; pushed: boolean }[];
}

export interface ExecutionResultView {
  id: string;
  status: string;
  stages: { id: string; status: string; steps: StepResultView[] }[];
}

/** Runs `pipeline --branch main --follow` and returns the execution as `kiln get execution` reports it. */
export async function runAndGet(manager: Manager, pipeline: string): Promise<{ execution: ExecutionResultView; output: string }> {
  const result = await kiln(manager, ['run', pipeline, '--branch', 'main', '--follow']);
  const list = await kilnJson<{ executions: { id: string }[] }>(manager, ['executions', '--pipeline', pipeline, '--limit', '1']);
  const latest = list.executions[0];
  if (!latest) throw new Error(`no execution of ${pipeline}: ${String(result.stderr)}`);
  const execution = await kilnJson<ExecutionResultView>(manager, ['get', 'execution', latest.id]);
  return { execution, output: `${String(result.stdout)}${String(result.stderr)}` };
}

/** Returns a step of an execution by id, or throws naming the steps there are. */
export function stepOf(execution: ExecutionResultView, stepId: string): StepResultView {
  const steps = execution.stages.flatMap((stage) => stage.steps);
  const step = steps.find((candidate) => candidate.id === stepId);
  if (!step) throw new Error(`execution ${execution.id} has no step ${stepId} (steps: ${steps.map((candidate) => candidate.id).join(', ')})`);
  return step;
}
