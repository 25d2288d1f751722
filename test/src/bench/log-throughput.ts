import * as grpc from '@grpc/grpc-js';
import { METADATA, PROTOCOL_VERSION, loadManagerProto, type wire } from '@kiln/protocol';
import { startDelegate } from '../harness/index.js';
import { startEnvironment } from './environment.js';

export interface LogThroughputResult {
  lines: number;
  received: number;
  seconds: number;
  linesPerSecond: number;
  outOfOrder: number;
  gaps: number;
  duplicates: number;
}

function logPipeline(lines: number): string {
  return `
pipeline:
  name: Log flood
  identifier: Log_Flood
  orgIdentifier: default
  projectIdentifier: bench
  stages:
    - stage:
        name: Flood
        identifier: Flood
        type: CI
        spec:
          cloneCodebase: false
          infrastructure:
            type: KubernetesDirect
            spec:
              connectorRef: account.kiln_delegate
              namespace: bench
          execution:
            steps:
              - step:
                  type: Run
                  name: Print
                  identifier: Print
                  spec:
                    command: seq 1 ${lines}
`;
}

/**
 * End-to-end log throughput: a real delegate runs `seq 1 N`; the time runs from StartExecution until the
 * manager's StreamLogs (follow) has delivered the step's last line. Every line is checked for order, gaps and
 * duplicates by its text and sequence number.
 */
export async function measureLogThroughput(lines: number): Promise<LogThroughputResult> {
  const env = await startEnvironment('logs');
  try {
    await startDelegate(env.dir, { name: 'logs', manager: env.manager });
    await env.api.apply('flood.yaml', logPipeline(lines));
    const started = performance.now();
    const execution = await env.api.start('Log_Flood');
    const client = new (loadManagerProto().kiln.v1.ManagerService)(env.manager.grpc, grpc.credentials.createInsecure());
    const metadata = new grpc.Metadata();
    metadata.set(METADATA.protocolVersion, PROTOCOL_VERSION);
    metadata.set(METADATA.authorization, `Bearer ${env.manager.apiToken}`);
    let received = 0;
    let outOfOrder = 0;
    let gaps = 0;
    let duplicates = 0;
    let lastSeq = 0;
    let lastEnd = started;
    await new Promise<void>((resolve, reject) => {
      const stream = client.StreamLogs({ execution_id: execution.id, follow: true, step_id: 'Print' }, metadata);
      stream.on('data', (line: wire.LogLine__Output) => {
        if (line.step_id !== 'Print' || line.incomplete) return;
        received += 1;
        if (line.seq === lastSeq) duplicates += 1;
        else if (line.seq < lastSeq) outOfOrder += 1;
        else if (line.seq > lastSeq + 1) gaps += 1;
        if (line.text !== String(line.seq)) outOfOrder += 1;
        lastSeq = Math.max(lastSeq, line.seq);
        lastEnd = performance.now();
      });
      stream.on('end', () => resolve());
      stream.on('error', reject);
    });
    client.close();
    const seconds = (lastEnd - started) / 1000;
    return { lines, received, seconds, linesPerSecond: received / seconds, outOfOrder, gaps, duplicates };
  } finally {
    await env.stop();
  }
}
