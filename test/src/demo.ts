/**
 * The kiln demo. It starts NATS with one user per kiln role, a registry, the manager and a delegate on
 * loopback in a temporary directory, and applies the quickstart pipeline. It runs the pipeline twice and once
 * without pushing, prints the logs, Build IDs and image references, and confirms them through the registry's
 * /v2 API. Everything it started is stopped on exit, on failure and on Ctrl-C.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { getManifest, kiln, kilnJson, listTags, startStack, stopAll, writeFixture, type Stack } from './harness/index.js';

interface ExecutionView {
  id: string;
  sequence_id: number;
  status: string;
  stages: { steps: { id: string; artifacts: { registry: string; repository: string; tag: string; digest: string; pushed: boolean }[] }[] }[];
}

function say(message: string): void {
  process.stdout.write(`\n==> ${message}\n`);
}

async function runQuickstart(stack: Stack, label: string): Promise<ExecutionView> {
  say(`kiln run CI_Quickstart --branch main --follow   (${label})`);
  const run = kiln(stack.manager, ['run', 'CI_Quickstart', '--branch', 'main', '--follow']);
  run.stdout?.pipe(process.stdout);
  run.stderr?.pipe(process.stderr);
  const result = await run;
  if (result.exitCode !== 0) {
    throw new Error(`the run with ${label} did not succeed (kiln exited ${result.exitCode})`);
  }
  const executions = await kilnJson<{ executions: ExecutionView[] }>(stack.manager, ['executions', '--pipeline', 'CI_Quickstart', '--limit', '1']);
  const latest = executions.executions[0];
  if (!latest) throw new Error('kiln executions listed no execution after a run');
  return kilnJson<ExecutionView>(stack.manager, ['get', 'execution', latest.id]);
}

function artifactsOf(execution: ExecutionView) {
  return execution.stages.flatMap((stage) => stage.steps.flatMap((step) => step.artifacts));
}

async function demo(dir: string): Promise<void> {
  const stack = await startStack(dir, { onStep: say, natsUsers: true });
  const delegateUsers = stack.delegates.map((delegate) => `delegate-${delegate.name} (subscribes only to kiln.control.${delegate.name})`).join(', ');
  process.stdout.write(`NATS runs with separate users: manager, ${delegateUsers}\n`);
  const addresses = { registry: stack.registry.address, gitRoot: stack.repository.root };

  say('kiln apply -f connectors.yaml -f pipeline.yaml');
  for (const fixture of ['quickstart/connectors.yaml', 'quickstart/pipeline.yaml']) {
    const applied = await kiln(stack.manager, ['apply', '-f', await writeFixture(dir, fixture, addresses)]);
    process.stdout.write(String(applied.stdout));
    if (applied.exitCode !== 0) throw new Error(`kiln apply ${fixture} failed: ${String(applied.stderr)}`);
  }

  const first = await runQuickstart(stack, 'Build ID 1');
  const second = await runQuickstart(stack, 'Build ID 2');

  say('kiln apply -f pipeline-no-push.yaml   (adds the stage variable PLUGIN_NO_PUSH=true)');
  const noPushFile = await writeFixture(dir, 'quickstart/pipeline-no-push.yaml', addresses);
  const applied = await kiln(stack.manager, ['apply', '-f', noPushFile]);
  process.stdout.write(String(applied.stdout));
  const third = await runQuickstart(stack, 'PLUGIN_NO_PUSH=true');

  say('Build IDs and images');
  for (const execution of [first, second, third]) {
    for (const artifact of artifactsOf(execution)) {
      const state = artifact.pushed ? 'pushed' : 'built, not pushed';
      const digest = artifact.digest ? `@${artifact.digest}` : '';
      process.stdout.write(`Build ID ${execution.sequence_id}: ${artifact.registry}/${artifact.repository}:${artifact.tag}${digest} (${state})\n`);
    }
  }

  say(`checking the registry's /v2 API at ${stack.registry.address}`);
  const repository = 'kiln/ciquickstart';
  for (const execution of [first, second]) {
    for (const artifact of artifactsOf(execution)) {
      const manifest = await getManifest(stack.registry, repository, artifact.tag);
      if (!manifest) throw new Error(`the registry has no ${repository}:${artifact.tag}`);
      const match = manifest.digest === artifact.digest ? 'matches' : `DIFFERS from ${artifact.digest}`;
      process.stdout.write(`GET /v2/${repository}/manifests/${artifact.tag} -> ${manifest.digest} (${match} the digest kiln reported)\n`);
      if (manifest.digest !== artifact.digest) throw new Error('a pushed digest differs from the registry');
    }
  }
  const tags = await listTags(stack.registry, repository);
  process.stdout.write(`GET /v2/${repository}/tags/list -> ${tags.join(', ')}\n`);
  if (tags.includes(String(third.sequence_id))) throw new Error(`Build ID ${third.sequence_id} was pushed despite PLUGIN_NO_PUSH=true`);
  say('demo finished: every image is where kiln said it is');
}

async function main(): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'kiln-demo-'));
  let interrupted = false;
  const onSignal = (signal: NodeJS.Signals): void => {
    if (interrupted) return;
    interrupted = true;
    process.stderr.write(`\n${signal}: stopping everything the demo started; its files are kept in ${dir}\n`);
    void stopAll().finally(() => process.exit(130));
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  let failed = false;
  try {
    await demo(dir);
  } catch (error) {
    failed = true;
    // An interrupt stops the processes while the demo still uses them, and the signal handler has already reported it.
    if (interrupted) return;
    process.stderr.write(`\ndemo failed: ${error instanceof Error ? error.message : String(error)}\nlogs are kept in ${dir}\n`);
  } finally {
    await stopAll();
  }
  if (!failed) await rm(dir, { recursive: true, force: true });
  process.exitCode = failed ? 1 : 0;
}

await main();
