import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import * as grpc from '@grpc/grpc-js';
import { connect } from '@nats-io/transport-node';
import { jetstream } from '@nats-io/jetstream';
import { METADATA, PROTOCOL_VERSION, encodeJson, eventMessageId, eventSubject, loadManagerProto, type KilnEvent, type wire } from '@kiln/protocol';
import type { Manager } from './kiln.js';
import { freePort } from './process.js';

/**
 * Connector and one-stage pipeline for dispatch tests: no codebase, one Run
 * step with `command`, routed to delegates tagged `local`. `retryCount`
 * adds a failure strategy that retries a lost attempt that many times.
 */
export function runPipelineYaml(identifier: string, command: string, options: { retryCount?: number; selector?: string } = {}): string {
  const strategy =
    options.retryCount === undefined
      ? []
      : [
          '        failureStrategies:',
          '          - onFailure:',
          '              errors: [DelegateRestart]',
          '              action:',
          '                type: Retry',
          '                spec:',
          `                  retryCount: ${options.retryCount}`,
          '                  retryIntervals: [1s]',
          '                  onRetryFailure:',
          '                    action:',
          '                      type: Fail',
        ];
  return [
    'connector:',
    '  name: Dispatch delegates',
    `  identifier: dispatch_${options.selector ?? 'local'}`,
    '  type: K8sCluster',
    '  spec:',
    '    credential:',
    '      type: InheritFromDelegate',
    '    delegateSelectors:',
    `      - ${options.selector ?? 'local'}`,
    '---',
    'pipeline:',
    `  name: ${identifier}`,
    `  identifier: ${identifier}`,
    '  projectIdentifier: dispatch',
    '  orgIdentifier: default',
    '  stages:',
    '    - stage:',
    '        name: Work',
    '        identifier: work',
    '        type: CI',
    ...strategy,
    '        spec:',
    '          cloneCodebase: false',
    '          infrastructure:',
    '            type: KubernetesDirect',
    '            spec:',
    `              connectorRef: account.dispatch_${options.selector ?? 'local'}`,
    '              namespace: kiln-builds',
    '          execution:',
    '            steps:',
    '              - step:',
    '                  type: Run',
    '                  name: Work',
    '                  identifier: work',
    '                  spec:',
    '                    shell: Sh',
    `                    command: ${JSON.stringify(command)}`,
    '',
  ].join('\n');
}

/** Listen addresses picked once, so a restarted manager comes back on the same ports. */
export async function fixedManagerAddresses(): Promise<{ grpcListen: string; httpListen: string }> {
  return { grpcListen: `127.0.0.1:${await freePort()}`, httpListen: `127.0.0.1:${await freePort()}` };
}

/** A promise-based ManagerService client for tests that call the API directly, e.g. to start hundreds of executions. */
export class ManagerApi {
  private readonly client;

  constructor(private readonly manager: Pick<Manager, 'grpc' | 'apiToken'>) {
    const proto = loadManagerProto();
    this.client = new proto.kiln.v1.ManagerService(manager.grpc, grpc.credentials.createInsecure());
  }

  private metadata(): grpc.Metadata {
    const metadata = new grpc.Metadata();
    metadata.set(METADATA.protocolVersion, PROTOCOL_VERSION);
    metadata.set(METADATA.authorization, `Bearer ${this.manager.apiToken}`);
    return metadata;
  }

  startExecution(pipeline: string): Promise<wire.Execution__Output> {
    return new Promise((resolve, reject) => {
      this.client.startExecution({ pipeline }, this.metadata(), { deadline: Date.now() + 30_000 }, (error, response) => {
        if (error !== null || response === undefined) reject(error ?? new Error('StartExecution returned no execution'));
        else resolve(response);
      });
    });
  }

  getExecution(id: string): Promise<wire.Execution__Output> {
    return new Promise((resolve, reject) => {
      this.client.getExecution({ id }, this.metadata(), { deadline: Date.now() + 30_000 }, (error, response) => {
        if (error !== null || response === undefined) reject(error ?? new Error('GetExecution returned no execution'));
        else resolve(response);
      });
    });
  }

  listExecutions(pipeline: string, limit: number): Promise<wire.Execution__Output[]> {
    return new Promise((resolve, reject) => {
      this.client.listExecutions({ pipeline, limit }, this.metadata(), { deadline: Date.now() + 60_000 }, (error, response) => {
        if (error !== null || response === undefined) reject(error ?? new Error('ListExecutions returned nothing'));
        else resolve(response.executions);
      });
    });
  }

  close(): void {
    this.client.close();
  }
}

/** Publishes an event straight to JetStream, as a stale or forged delegate would; resolves when JetStream stored it. */
export async function publishEvent(natsUrl: string, event: KilnEvent): Promise<void> {
  const connection = await connect({ servers: [natsUrl], name: 'kiln-test-forger' });
  try {
    await jetstream(connection).publish(eventSubject(event.executionId), encodeJson(event), { msgID: `${eventMessageId(event)}:forged` });
  } finally {
    await connection.close();
  }
}

/** Returns the PIDs of processes whose command line contains `text`, read from /proc. */
export async function processesWithCommandLine(text: string): Promise<number[]> {
  const pids: number[] = [];
  for (const entry of await readdir('/proc')) {
    if (!/^\d+$/.test(entry) || Number(entry) === process.pid) continue;
    try {
      const commandLine = (await readFile(join('/proc', entry, 'cmdline'))).toString('utf8').replaceAll('\0', ' ');
      if (commandLine.includes(text)) pids.push(Number(entry));
    } catch {
      // The process ended while the list was read.
    }
  }
  return pids;
}

/** Reads one sample of a Prometheus metric from a /metrics endpoint; labels must match exactly as written. */
export async function metricValue(httpAddress: string, sample: string): Promise<number | undefined> {
  const text = await (await fetch(`http://${httpAddress}/metrics`)).text();
  for (const line of text.split('\n')) {
    if (line.startsWith(`${sample} `)) return Number(line.slice(sample.length + 1));
  }
  return undefined;
}
