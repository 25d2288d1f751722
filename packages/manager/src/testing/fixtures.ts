import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { Registry } from 'prom-client';
import { applyDocuments, parseForApply } from '../apply/apply-documents.js';
import { createMetrics, type ManagerMetrics } from '../metrics.js';
import { Scheduler, type ControlChannel } from '../scheduler/scheduler.js';
import { openSqliteStore } from '../store/sqlite-store.js';
import type { Store } from '../store/store.js';

/** Connectors of the test pipelines: a Git account connector and a K8sCluster connector selecting tag `local`. */
export const CONNECTORS_YAML = `
connector:
  name: Samples
  identifier: kiln_samples
  type: Git
  spec:
    url: file:///srv/git
    connectionType: Account
    type: Http
---
connector:
  name: Local delegates
  identifier: kiln_delegate
  type: K8sCluster
  spec:
    credential:
      type: InheritFromDelegate
    delegateSelectors:
      - local
`;

function stageYaml(identifier: string, indent: string): string {
  return `
${indent}- stage:
${indent}    name: ${identifier}
${indent}    identifier: ${identifier}
${indent}    type: CI
${indent}    spec:
${indent}      cloneCodebase: true
${indent}      infrastructure:
${indent}        type: KubernetesDirect
${indent}        spec:
${indent}          connectorRef: account.kiln_delegate
${indent}          namespace: builds
${indent}      execution:
${indent}        steps:
${indent}          - step:
${indent}              type: Run
${indent}              name: say hello
${indent}              identifier: hello
${indent}              spec:
${indent}                shell: Sh
${indent}                command: echo hello <+pipeline.sequenceId>`;
}

/** A pipeline `two_stages` whose stages `build` and `test` run one after the other. */
export const TWO_STAGES_YAML = `
pipeline:
  name: Two stages
  identifier: two_stages
  projectIdentifier: default
  orgIdentifier: default
  properties:
    ci:
      codebase:
        connectorRef: account.kiln_samples
        repoName: sample-app
        build: <+input>
  stages:${stageYaml('build', '    ')}${stageYaml('test', '    ')}
`;

/** A pipeline `fan_out` with stages `left` and `right` in one parallel group, then `last`. */
export const PARALLEL_YAML = `
pipeline:
  name: Fan out
  identifier: fan_out
  projectIdentifier: default
  orgIdentifier: default
  properties:
    ci:
      codebase:
        connectorRef: account.kiln_samples
        repoName: sample-app
        build: <+input>
  stages:
    - parallel:${stageYaml('left', '        ')}${stageYaml('right', '        ')}${stageYaml('last', '    ')}
`;

/** A scheduler over a fresh SQLite store in a temp directory, with a clock the test moves. */
export interface SchedulerFixture {
  scheduler: Scheduler;
  store: Store;
  metrics: ManagerMetrics;
  now: { value: number };
  apply(yaml: string): Promise<void>;
  close(): Promise<void>;
}

export function createSchedulerFixture(
  overrides: { pollTimeoutMs?: number; offerAckDeadlineMs?: number; leaseTtlMs?: number; heartbeatTimeoutMs?: number; queueTtlMs?: number; control?: ControlChannel } = {},
): SchedulerFixture {
  const dir = mkdtempSync(join(tmpdir(), 'kiln-manager-scheduler-'));
  const store = openSqliteStore(dir);
  const now = { value: 1_700_000_000_000 };
  const metrics = createMetrics(new Registry(), { countTasks: () => store.countTasks(), oldestQueuedAt: () => store.oldestQueuedAt(), countDelegates: async () => [] });
  const scheduler = new Scheduler({
    store,
    logger: pino({ level: 'silent' }),
    metrics,
    pollTimeoutMs: overrides.pollTimeoutMs ?? 5_000,
    offerAckDeadlineMs: overrides.offerAckDeadlineMs ?? 15_000,
    leaseTtlMs: overrides.leaseTtlMs ?? 60_000,
    heartbeatIntervalMs: 10_000,
    heartbeatTimeoutMs: overrides.heartbeatTimeoutMs ?? 30_000,
    queueTtlMs: overrides.queueTtlMs,
    control: overrides.control,
    clock: () => now.value,
  });
  return {
    scheduler,
    store,
    metrics,
    now,
    apply: async (yaml) => {
      const documents = parseForApply(yaml, 'test.yaml');
      await scheduler.transact((tx) => applyDocuments(tx, documents, now.value));
    },
    close: async () => {
      scheduler.stop();
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
