import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { kiln, kilnJson, sampleValue, scrapeMetrics, startStack, writeFixture, type Samples, type Stack } from '../src/harness/index.js';

interface LogLineView {
  step_id: string;
}

let stack: Stack;

beforeAll(async () => {
  const dir = await mkdtemp(join(tmpdir(), 'kiln-e2e-metrics-'));
  stack = await startStack(dir);
  const addresses = { registry: stack.registry.address, gitRoot: stack.repository.root };
  for (const fixture of ['quickstart/connectors.yaml', 'quickstart/pipeline.yaml']) {
    expect((await kiln(stack.manager, ['apply', '-f', await writeFixture(dir, fixture, addresses)])).exitCode).toBe(0);
  }
}, 300_000);

afterAll(async () => {
  await stack?.stop();
});

describe('metrics after one quickstart run', () => {
  let managerBefore: Samples;
  let managerAfter: Samples;
  let delegateBefore: Samples;
  let delegateAfter: Samples;
  let logLines: LogLineView[];

  beforeAll(async () => {
    const delegate = stack.delegates[0]!;
    managerBefore = await scrapeMetrics(stack.manager.http);
    delegateBefore = await scrapeMetrics(delegate.health);

    const run = await kiln(stack.manager, ['run', 'CI_Quickstart', '--branch', 'main', '--follow']);
    expect(run.exitCode).toBe(0);
    const executions = await kilnJson<{ executions: { id: string }[] }>(stack.manager, ['executions', '--pipeline', 'CI_Quickstart', '--limit', '1']);
    const logs = await kiln(stack.manager, ['logs', executions.executions[0]!.id, '--output', 'json']);
    logLines = String(logs.stdout).split('\n').filter((line) => line.trim() !== '').map((line) => JSON.parse(line) as LogLineView);

    managerAfter = await scrapeMetrics(stack.manager.http);
    delegateAfter = await scrapeMetrics(delegate.health);
  }, 300_000);

  function managerDelta(name: string, labels: Record<string, string> = {}): number {
    return sampleValue(managerAfter, name, labels) - sampleValue(managerBefore, name, labels);
  }

  function delegateDelta(name: string, labels: Record<string, string> = {}): number {
    return sampleValue(delegateAfter, name, labels) - sampleValue(delegateBefore, name, labels);
  }

  it('counts one succeeded execution on the manager', () => {
    expect(managerDelta('kiln_executions_total', { status: 'Succeeded' })).toBe(1);
    expect(managerDelta('kiln_executions_total', { status: 'Failed' })).toBe(0);
  });

  it('counts one offer and one schedule-to-start sample', () => {
    expect(managerDelta('kiln_acquire_polls_total', { result: 'offered' })).toBe(1);
    expect(managerDelta('kiln_task_schedule_to_start_seconds_count')).toBe(1);
  });

  it('counts each event the delegate sent', () => {
    expect(managerDelta('kiln_events_total', { type: 'stage.started' })).toBe(1);
    expect(managerDelta('kiln_events_total', { type: 'codebase.cloned' })).toBe(1);
    expect(managerDelta('kiln_events_total', { type: 'step.started' })).toBe(2);
    expect(managerDelta('kiln_events_total', { type: 'step.finished' })).toBe(2);
    expect(managerDelta('kiln_events_total', { type: 'stage.finished' })).toBe(1);
    expect(managerDelta('kiln_events_rejected_total')).toBe(0);
  });

  it('stores every log line once, on both sides', () => {
    expect(logLines.length).toBeGreaterThan(10);
    expect(managerDelta('kiln_log_lines_stored_total')).toBe(logLines.length);
    expect(managerDelta('kiln_log_lines_duplicate_total')).toBe(0);
    expect(delegateDelta('kiln_delegate_log_lines_published_total')).toBe(logLines.length);
    expect(delegateDelta('kiln_delegate_log_lines_dropped_total')).toBe(0);
  });

  it('shows the delegate connected and idle', () => {
    expect(sampleValue(managerAfter, 'kiln_delegates', { state: 'connected' })).toBe(1);
    expect(sampleValue(managerAfter, 'kiln_tasks')).toBe(0);
    expect(sampleValue(managerAfter, 'kiln_oldest_queued_task_age_seconds')).toBe(0);
    expect(sampleValue(delegateAfter, 'kiln_delegate_connected', { peer: 'manager' })).toBe(1);
    expect(sampleValue(delegateAfter, 'kiln_delegate_connected', { peer: 'nats' })).toBe(1);
    expect(sampleValue(delegateAfter, 'kiln_delegate_tasks_running')).toBe(0);
    expect(sampleValue(delegateAfter, 'kiln_delegate_slots', { state: 'free' })).toBe(2);
  });

  it('times one task, one build step and one build on the delegate', () => {
    expect(delegateDelta('kiln_delegate_task_duration_seconds_count', { result: 'succeeded' })).toBe(1);
    expect(delegateDelta('kiln_delegate_step_duration_seconds_count', { type: 'BuildAndPushDockerRegistry', result: 'succeeded' })).toBe(1);
    expect(delegateDelta('kiln_delegate_build_duration_seconds_count', { builder: 'buildah' })).toBe(1);
    expect(delegateDelta('kiln_delegate_images_pushed_total')).toBe(1);
  });

  it('exports process metrics on both', () => {
    expect(sampleValue(managerAfter, 'process_resident_memory_bytes')).toBeGreaterThan(0);
    expect(sampleValue(delegateAfter, 'process_resident_memory_bytes')).toBeGreaterThan(0);
  });
});
