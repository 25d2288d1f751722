import * as net from 'node:net';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as grpc from '@grpc/grpc-js';
import { KilnError, toServiceError, type wire } from '@kiln/protocol';
import { runCli } from './cli.js';
import { MemoryOutput } from './output.js';
import type { FollowTiming } from './reconnect.js';
import { startFakeManager, type FakeManager } from './testing/fake-manager.js';
import { delegate, failedExecution, logLine, T0 } from './testing/fixtures.js';

type Unary<Request, Response> = (
  call: grpc.ServerUnaryCall<Request, Response>,
  callback: grpc.sendUnaryData<Response>,
) => void;
type Streaming = (call: grpc.ServerWritableStream<wire.StreamLogsRequest__Output, wire.LogLine>) => void;

const TOKEN = 'cli-test-token';
let directory: string;

beforeAll(async () => {
  directory = await mkdtemp(join(tmpdir(), 'kiln-cli-test-'));
});

afterAll(async () => {
  await rm(directory, { recursive: true, force: true });
});

/** Short reconnect and polling intervals, so restarts and queue waits take milliseconds. */
const FAST: FollowTiming = { reconnectDelayMs: 50, reconnectWindowMs: 5_000, queuePollMs: 50 };

async function kiln(manager: FakeManager | string, args: string[], env: NodeJS.ProcessEnv = { KILN_TOKEN: TOKEN }, followTiming = FAST) {
  const output = new MemoryOutput();
  const address = typeof manager === 'string' ? manager : manager.address;
  const code = await runCli(['--manager', address, ...args], { env, output, now: () => T0 + 60_000, followTiming });
  return { code, stdout: output.stdout, stderr: output.stderr };
}

/** Writes the lines one by one with a short gap, as a manager does while the execution runs, then ends the stream. */
function streamLines(lines: wire.LogLine[], end: (call: Parameters<Streaming>[0]) => void = (call) => call.end()): Streaming {
  return (call) => {
    let index = 0;
    const writeNext = (): void => {
      const line = lines[index];
      if (line === undefined) {
        end(call);
        return;
      }
      index += 1;
      call.write(line);
      setTimeout(writeNext, 20);
    };
    writeNext();
  };
}

function executionSequence(...executions: wire.Execution__Output[]): Unary<wire.GetExecutionRequest__Output, wire.Execution> {
  let index = 0;
  return (_call, callback) => {
    const execution = executions[Math.min(index, executions.length - 1)];
    index += 1;
    callback(null, execution);
  };
}

const buildLog = [
  logLine({ step_id: 'git_clone', seq: 1, text: 'Cloning into /workspace' }),
  logLine({ seq: 1, text: 'STEP 1/3: FROM busybox' }),
  logLine({ seq: 2, text: 'Pushing 127.0.0.1:5000/kiln/app:7' }),
];

describe('kiln CLI against a ManagerService', () => {
  let manager: FakeManager | undefined;

  afterEach(async () => {
    await manager?.close();
    manager = undefined;
  });

  describe('when listing delegates', () => {
    it('sends auth metadata and prints a table', async () => {
      manager = await startFakeManager({
        ListDelegates: ((_call, callback) => callback(null, { delegates: [delegate()] })) as Unary<unknown, wire.ListDelegatesResponse>,
      });
      const result = await kiln(manager, ['delegates']);
      expect(result.code).toBe(0);
      expect(result.stdout[0]).toMatch(/^ID\s+NAME\s+TAGS\s+STATE\s+SLOTS\s+BUILDER\s+VERSION\s+LAST HEARTBEAT$/);
      expect(result.stdout[1]).toMatch(/^dlg-1\s+local-1\s+local,linux\s+connected\s+1\/2\s+buildah 1\.28\.2\s+0\.1\.0\s+5s ago$/);
      expect(manager.calls[0]?.metadata.authorization).toBe(`Bearer ${TOKEN}`);
      expect(manager.calls[0]?.metadata['kiln-protocol-version']).toBe('1');
    });

    it('prints wire objects as JSON', async () => {
      manager = await startFakeManager({
        ListDelegates: ((_call, callback) => callback(null, { delegates: [delegate()] })) as Unary<unknown, wire.ListDelegatesResponse>,
      });
      const result = await kiln(manager, ['--output', 'json', 'delegates']);
      expect(JSON.parse(result.stdout.join('\n'))).toEqual({ delegates: [delegate()] });
    });
  });

  describe('when applying a file', () => {
    it('prints each applied resource', async () => {
      const file = join(directory, 'pipeline.yaml');
      await writeFile(file, 'pipeline:\n  identifier: CI_Quickstart\n');
      manager = await startFakeManager({
        Apply: ((_call, callback) => callback(null, {
          resources: [
            { kind: 'connector', identifier: 'kiln_samples', scope: 'account', action: 'created' },
            { kind: 'pipeline', identifier: 'CI_Quickstart', scope: 'default/kiln', action: 'unchanged' },
          ],
        })) as Unary<unknown, wire.ApplyResponse>,
      });
      const result = await kiln(manager, ['apply', '-f', file]);
      expect(result.code).toBe(0);
      expect(manager.calls[0]?.request).toEqual({ source_name: file, content: 'pipeline:\n  identifier: CI_Quickstart\n' });
      expect(result.stdout).toEqual([
        'connector kiln_samples (scope account) created',
        'pipeline CI_Quickstart (scope default/kiln) unchanged',
        `Applied 2 resources from ${file}: 1 created, 0 updated, 1 unchanged.`,
      ]);
    });

    it('prints every trailer problem', async () => {
      const file = join(directory, 'broken.yaml');
      await writeFile(file, 'pipeline: {}\n');
      const problems = [
        { code: 'MISSING_FIELD', message: 'identifier is required', file, line: 1, column: 11, path: 'pipeline' },
        { code: 'UNKNOWN_STEP_TYPE', message: "unknown step type 'Shell'", file, line: 9, column: 17, path: 'pipeline.stages[0].stage.spec.execution.steps[0].step.type' },
      ];
      manager = await startFakeManager({
        Apply: ((_call, callback) => callback(toServiceError(
          new KilnError('INVALID_PIPELINE', `${file} has 2 problems`, { details: { problems } }),
        ), null)) as Unary<unknown, wire.ApplyResponse>,
      });
      const result = await kiln(manager, ['apply', '-f', file]);
      expect(result.code).toBe(1);
      expect(result.stderr).toEqual([
        `error: ${file} has 2 problems`,
        `  ${file}:1:11: identifier is required (at pipeline)`,
        `  ${file}:9:17: unknown step type 'Shell' (at pipeline.stages[0].stage.spec.execution.steps[0].step.type)`,
        'Fix the problems listed above; `kiln validate -f FILE` checks a file without the manager.',
      ]);
    });

    it('names a missing file', async () => {
      manager = await startFakeManager({});
      const result = await kiln(manager, ['apply', '-f', join(directory, 'absent.yaml')]);
      expect(result.code).toBe(1);
      expect(result.stderr[0]).toBe(`error: cannot read file '${join(directory, 'absent.yaml')}' (ENOENT)`);
      expect(manager.calls).toHaveLength(0);
    });
  });

  describe('when starting a run', () => {
    it('prints the execution id and Build ID', async () => {
      manager = await startFakeManager({
        StartExecution: ((_call, callback) => callback(null, failedExecution({ status: 'Queued' }))) as Unary<unknown, wire.Execution>,
      });
      const result = await kiln(manager, ['run', 'CI_Quickstart', '--branch', 'main', '--set', 'imageTag=v1', '--set', 'note=a b']);
      expect(result.code).toBe(0);
      expect(manager.calls[0]?.request).toMatchObject({
        pipeline: 'CI_Quickstart', branch: 'main', tag: '', inputs: { imageTag: 'v1', note: 'a b' },
      });
      expect(result.stdout).toEqual(['Execution exec-0001 queued: default/kiln/CI_Quickstart, Build ID 7']);
    });

    it('rejects --branch with --tag', async () => {
      manager = await startFakeManager({});
      const result = await kiln(manager, ['run', 'CI_Quickstart', '--branch', 'main', '--tag', 'v1']);
      expect(result.code).toBe(1);
      expect(result.stderr).toEqual([
        "error: --branch 'main' and --tag 'v1' cannot be used together because an execution builds one ref",
        'Pass only one of --branch or --tag.',
      ]);
      expect(manager.calls).toHaveLength(0);
    });

    it('exits 0 after Succeeded', async () => {
      const running = failedExecution({ status: 'Running', finished_at_ms: 0, error_message: '' });
      manager = await startFakeManager({
        StartExecution: ((_call, callback) => callback(null, failedExecution({ status: 'Queued' }))) as Unary<unknown, wire.Execution>,
        StreamLogs: streamLines(buildLog),
        GetExecution: executionSequence(running, failedExecution({ status: 'Succeeded', error_message: '' })),
      });
      const result = await kiln(manager, ['run', 'CI_Quickstart', '--branch', 'main', '--follow']);
      expect(result.stdout).toEqual([
        'Execution exec-0001 queued: default/kiln/CI_Quickstart, Build ID 7',
        '[git_clone] Cloning into /workspace',
        '[Build_and_push] STEP 1/3: FROM busybox',
        '[Build_and_push] Pushing 127.0.0.1:5000/kiln/app:7',
        'Execution exec-0001 (default/kiln/CI_Quickstart, Build ID 7) finished: Succeeded',
      ]);
      expect(result.code).toBe(0);
      const streamCall = manager.calls.find((call) => call.method === 'StreamLogs');
      expect(streamCall?.request).toMatchObject({ execution_id: 'exec-0001', follow: true });
    });

    it('exits 1 after Failed', async () => {
      manager = await startFakeManager({
        StartExecution: ((_call, callback) => callback(null, failedExecution({ status: 'Queued' }))) as Unary<unknown, wire.Execution>,
        StreamLogs: streamLines(buildLog),
        GetExecution: executionSequence(failedExecution()),
      });
      const result = await kiln(manager, ['run', 'CI_Quickstart', '--follow']);
      expect(result.code).toBe(1);
      expect(result.stdout.slice(-2)).toEqual([
        'Execution exec-0001 (default/kiln/CI_Quickstart, Build ID 7) finished: Failed',
        'Error: stage build failed',
      ]);
    });

    it('prints NDJSON when following', async () => {
      manager = await startFakeManager({
        StartExecution: ((_call, callback) => callback(null, failedExecution({ status: 'Queued' }))) as Unary<unknown, wire.Execution>,
        StreamLogs: streamLines(buildLog.slice(0, 1)),
        GetExecution: executionSequence(failedExecution()),
      });
      const result = await kiln(manager, ['--output', 'json', 'run', 'CI_Quickstart', '--follow']);
      const objects = result.stdout.map((line) => JSON.parse(line) as Record<string, unknown>);
      expect(objects.map((object) => object.status ?? object.text)).toEqual(['Queued', 'Cloning into /workspace', 'Failed']);
      expect(result.code).toBe(1);
    });
  });

  describe('when reading logs', () => {
    it('marks an incomplete step log', async () => {
      manager = await startFakeManager({
        GetExecution: executionSequence(failedExecution()),
        StreamLogs: streamLines([...buildLog, logLine({ seq: 3, incomplete: true, text: 'no completeness record: the delegate was lost' })]),
      });
      const result = await kiln(manager, ['logs', 'CI_Quickstart/7', '--follow']);
      expect(result.code).toBe(0);
      expect(manager.calls[0]?.request).toEqual({ id: 'CI_Quickstart/7' });
      const streamCall = manager.calls.find((call) => call.method === 'StreamLogs');
      expect(streamCall?.request).toMatchObject({ execution_id: 'exec-0001', follow: true });
      expect(result.stdout.at(-1)).toBe('[Build_and_push] !!! log incomplete: no completeness record: the delegate was lost');
    });

    it('reopens a broken stream without duplicates', async () => {
      let opened = 0;
      manager = await startFakeManager({
        StreamLogs: (call) => {
          opened += 1;
          const breakAfterTwo = (stream: Parameters<Streaming>[0]): void => {
            stream.emit('error', { code: grpc.status.UNAVAILABLE, details: 'manager restarting' });
          };
          if (opened === 1) streamLines(buildLog.slice(0, 2), breakAfterTwo)(call);
          else streamLines(buildLog)(call);
        },
      });
      const result = await kiln(manager, ['logs', 'exec-0001', '--follow']);
      expect(result.code).toBe(0);
      expect(result.stdout).toEqual([
        '[git_clone] Cloning into /workspace',
        '[Build_and_push] STEP 1/3: FROM busybox',
        '[Build_and_push] Pushing 127.0.0.1:5000/kiln/app:7',
      ]);
      expect(result.stderr).toEqual([
        `lost the connection to the manager at ${manager.address}, retrying (the execution keeps running)`,
      ]);
    });

    it('exits 130 when interrupted', async () => {
      manager = await startFakeManager({ StreamLogs: (call) => call.write(buildLog[0]) });
      const output = new MemoryOutput();
      const controller = new AbortController();
      const running = runCli(['--manager', manager.address, 'logs', 'exec-0001', '--follow'], {
        env: { KILN_TOKEN: TOKEN }, output, signal: controller.signal,
      });
      const deadline = Date.now() + 5000;
      while (output.stdout.length === 0 && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
      controller.abort();
      expect(await running).toBe(130);
      expect(output.stdout).toEqual(['[git_clone] Cloning into /workspace']);
    });
  });

  describe('when the manager restarts during a follow', () => {
    let restarted: FakeManager | undefined;

    afterEach(async () => {
      await restarted?.close();
      restarted = undefined;
    });

    it('resumes the log without duplicates', async () => {
      manager = await startFakeManager({ StreamLogs: streamLines(buildLog.slice(0, 2), () => undefined) });
      const first = manager;
      const port = Number(first.address.split(':')[1]);
      const output = new MemoryOutput();
      const running = runCli(['--manager', first.address, 'logs', 'exec-0001', '--follow'], {
        env: { KILN_TOKEN: TOKEN }, output, followTiming: FAST,
      });
      await waitUntil(() => output.stdout.length === 2);
      first.kill();
      // The manager is down for longer than the first retries, as during a real restart.
      await waitUntil(() => output.stderr.length === 1);
      await new Promise((resolve) => setTimeout(resolve, 300));
      restarted = await startFakeManager({ StreamLogs: streamLines(buildLog) }, port);

      expect(await running).toBe(0);
      expect(output.stdout).toEqual([
        '[git_clone] Cloning into /workspace',
        '[Build_and_push] STEP 1/3: FROM busybox',
        '[Build_and_push] Pushing 127.0.0.1:5000/kiln/app:7',
      ]);
      expect(output.stderr).toEqual([`lost the connection to the manager at ${first.address}, retrying (the execution keeps running)`]);
    });

    it('says how to resume when the manager stays away', async () => {
      manager = await startFakeManager({ StreamLogs: streamLines(buildLog.slice(0, 1), () => undefined) });
      const output = new MemoryOutput();
      const running = runCli(['--manager', manager.address, 'logs', 'exec-0001', '--follow'], {
        env: { KILN_TOKEN: TOKEN }, output, followTiming: { ...FAST, reconnectWindowMs: 500 },
      });
      await waitUntil(() => output.stdout.length === 1);
      manager.kill();

      expect(await running).toBe(2);
      expect(output.stderr[0]).toBe(`lost the connection to the manager at ${manager.address}, retrying (the execution keeps running)`);
      expect(output.stderr[1]).toMatch(/^error: lost the connection to the manager at 127\.0\.0\.1:\d+ for 1s \(.+\); execution exec-0001 may still be running$/);
      expect(output.stderr[2]).toBe('Resume with `kiln logs exec-0001 --follow` once the manager is reachable.');
    });

    it('waits for the final status across a restart', async () => {
      manager = await startFakeManager({
        StartExecution: ((_call, callback) => callback(null, failedExecution({ status: 'Queued' }))) as Unary<unknown, wire.Execution>,
        StreamLogs: streamLines(buildLog),
        GetExecution: executionSequence(failedExecution({ status: 'Running', error_message: '' })),
      });
      const first = manager;
      const port = Number(first.address.split(':')[1]);
      const output = new MemoryOutput();
      const running = runCli(['--manager', first.address, 'run', 'CI_Quickstart', '--follow'], {
        env: { KILN_TOKEN: TOKEN }, output, followTiming: FAST,
      });
      await waitUntil(() => output.stdout.length === 4);
      first.kill();
      await waitUntil(() => output.stderr.length === 1);
      restarted = await startFakeManager({
        StreamLogs: streamLines(buildLog),
        GetExecution: executionSequence(failedExecution({ status: 'Succeeded', error_message: '' })),
      }, port);

      expect(await running).toBe(0);
      expect(output.stdout.slice(1)).toEqual([
        '[git_clone] Cloning into /workspace',
        '[Build_and_push] STEP 1/3: FROM busybox',
        '[Build_and_push] Pushing 127.0.0.1:5000/kiln/app:7',
        'Execution exec-0001 (default/kiln/CI_Quickstart, Build ID 7) finished: Succeeded',
      ]);
    });
  });

  describe('when the execution waits for a delegate', () => {
    it('prints each new wait reason once', async () => {
      const queued = (reason: string, selectors: string[]): wire.Execution__Output => {
        const execution = failedExecution({ status: 'Queued', started_at_ms: 0, finished_at_ms: 0, error_message: '' });
        execution.stages = execution.stages.map((stage) => ({
          ...stage, status: 'Queued', reason, selectors, selector_connector: 'account.k8s', steps: [],
        }));
        return execution;
      };
      const gpu = queued('no_matching_delegate', ['gpu']);
      const gpuLinux = queued('no_matching_delegate', ['gpu', 'linux']);
      manager = await startFakeManager({
        StartExecution: ((_call, callback) => callback(null, gpu)) as Unary<unknown, wire.Execution>,
        GetExecution: executionSequence(gpu, gpu, gpu, gpuLinux, gpuLinux, failedExecution({ status: 'Succeeded', error_message: '' })),
        // The stream stays silent while queued and ends once the execution has run.
        StreamLogs: (call) => {
          setTimeout(() => streamLines(buildLog.slice(0, 1))(call), 600);
        },
      });
      const result = await kiln(manager, ['run', 'CI_Quickstart', '--follow']);
      expect(result.code).toBe(0);
      expect(result.stderr).toEqual([
        'waiting for a delegate: no connected delegate has the tags [gpu] that connector account.k8s selects',
        'waiting for a delegate: no connected delegate has the tags [gpu, linux] that connector account.k8s selects',
      ]);
      expect(result.stdout[0]).toBe('Execution exec-0001 queued: default/kiln/CI_Quickstart, Build ID 7');
    });
  });

  describe('when cancelling', () => {
    const running = failedExecution({ status: 'Running', finished_at_ms: 0, error_message: '' });
    const aborted = failedExecution({ status: 'Aborted', error_message: 'execution cancelled by user' });

    it('says the stage stops soon', async () => {
      manager = await startFakeManager({ CancelExecution: executionSequence(running) });
      const result = await kiln(manager, ['cancel', 'CI_Quickstart/7']);
      expect(result.code).toBe(0);
      expect(result.stdout).toEqual([
        'Cancel requested for execution exec-0001 (default/kiln/CI_Quickstart, Build ID 7); the running stage stops within a few seconds',
      ]);
    });

    it('waits for the final status with --wait', async () => {
      manager = await startFakeManager({
        CancelExecution: executionSequence(running),
        GetExecution: executionSequence(running, running, aborted),
      });
      const result = await kiln(manager, ['cancel', 'exec-0001', '--wait']);
      expect(result.code).toBe(0);
      expect(result.stdout.at(-1)).toBe('Execution exec-0001 (default/kiln/CI_Quickstart, Build ID 7) finished: Aborted');
      expect(manager.calls.filter((call) => call.method === 'GetExecution')).toHaveLength(3);
    });

    it('exits 1 when --wait times out', async () => {
      manager = await startFakeManager({ CancelExecution: executionSequence(running), GetExecution: executionSequence(running) });
      const result = await kiln(manager, ['cancel', 'exec-0001', '--wait', '--timeout', '1s']);
      expect(result.code).toBe(1);
      expect(result.stderr[0]).toBe('error: execution exec-0001 is still Running 1s after the cancel request');
    });

    it('rejects an invalid --timeout before calling', async () => {
      manager = await startFakeManager({});
      const result = await kiln(manager, ['cancel', 'exec-0001', '--wait', '--timeout', 'soon']);
      expect(result.code).toBe(1);
      expect(result.stderr[0]).toBe("error: invalid --timeout 'soon'");
      expect(manager.calls).toHaveLength(0);
    });
  });

  describe('when listing delegates after a restart', () => {
    const restartedDelegates = [
      delegate({ id: '0a1b2c3d-old', name: 'build-1', state: 'lost', registered_at_ms: T0 }),
      delegate({ id: '9f8e7d6c-new', name: 'build-1', state: 'connected', registered_at_ms: T0 + 30_000 }),
    ];

    it('hides lost delegates and shows short ids', async () => {
      manager = await startFakeManager({
        ListDelegates: ((_call, callback) => callback(null, { delegates: restartedDelegates })) as Unary<unknown, wire.ListDelegatesResponse>,
      });
      const result = await kiln(manager, ['delegates']);
      expect(result.stdout).toHaveLength(2);
      expect(result.stdout[1]).toMatch(/^9f8e7d6c\s+build-1\s+local,linux\s+connected\s/);
      expect(manager.calls[0]?.request).toEqual({ all: false });
    });

    it('lists lost delegates with --all', async () => {
      manager = await startFakeManager({
        ListDelegates: ((_call, callback) => callback(null, { delegates: restartedDelegates })) as Unary<unknown, wire.ListDelegatesResponse>,
      });
      const result = await kiln(manager, ['delegates', '--all']);
      expect(result.stdout.slice(1).map((line) => line.split(/\s+/).slice(0, 4).join(' '))).toEqual([
        '9f8e7d6c build-1 local,linux connected',
        '0a1b2c3d build-1 local,linux lost',
      ]);
      expect(manager.calls[0]?.request).toEqual({ all: true });
    });
  });

  describe('when getting and listing executions', () => {
    it('prints the execution as JSON', async () => {
      manager = await startFakeManager({ GetExecution: executionSequence(failedExecution()) });
      const result = await kiln(manager, ['get', 'execution', 'exec-0001', '--output', 'json']);
      expect(JSON.parse(result.stdout.join('\n'))).toEqual(failedExecution());
    });

    it('prints artifacts in the text view', async () => {
      manager = await startFakeManager({ GetExecution: executionSequence(failedExecution()) });
      const result = await kiln(manager, ['get', 'execution', 'CI_Quickstart/7']);
      expect(result.stdout).toContain('  Build_and_push: artifact 127.0.0.1:5000/kiln/app:7@sha256:abc123 (pushed)');
    });

    it('sends filters with canonical status', async () => {
      manager = await startFakeManager({
        ListExecutions: ((_call, callback) => callback(null, { executions: [failedExecution()] })) as Unary<unknown, wire.ListExecutionsResponse>,
      });
      const result = await kiln(manager, ['executions', '--pipeline', 'CI_Quickstart', '--status', 'failed', '--limit', '5']);
      expect(result.code).toBe(0);
      expect(manager.calls[0]?.request).toEqual({ pipeline: 'CI_Quickstart', status: 'Failed', limit: 5 });
      expect(result.stdout).toHaveLength(2);
    });
  });

  describe('when the manager rejects or cannot be reached', () => {
    it('points to the token when UNAUTHENTICATED', async () => {
      manager = await startFakeManager({
        ListDelegates: ((_call, callback) => callback(toServiceError(new KilnError('UNAUTHENTICATED', 'invalid API token')), null)) as Unary<unknown, wire.ListDelegatesResponse>,
      });
      const result = await kiln(manager, ['delegates']);
      expect(result.code).toBe(1);
      expect(result.stderr).toEqual([
        'error: invalid API token',
        "Set --token or KILN_TOKEN to the manager's KILN_API_TOKEN or to an API token from `kiln token create`.",
      ]);
    });

    it('requires a token before connecting', async () => {
      manager = await startFakeManager({});
      const result = await kiln(manager, ['delegates'], {});
      expect(result.code).toBe(1);
      expect(result.stderr[0]).toBe('error: no API token is set for the kiln manager');
      expect(manager.calls).toHaveLength(0);
    });

    it('exits 2 when nothing listens', async () => {
      const address = await closedPortAddress();
      const result = await kiln(address, ['delegates']);
      expect(result.code).toBe(2);
      expect(result.stderr[0]).toMatch(new RegExp(`^error: cannot reach the kiln manager at ${address} \\(.+\\)$`));
      expect(result.stderr[1]).toContain('set --manager HOST:PORT or KILN_MANAGER');
    });

    it('exits 1 on an unknown option', async () => {
      const result = await kiln('127.0.0.1:1', ['delegates', '--colour']);
      expect(result.code).toBe(1);
      expect(result.stderr[0]).toBe("error: unknown option '--colour'");
      expect(result.stderr[1]).toBe('(run kiln --help, or kiln COMMAND --help, for usage)');
    });
  });
});

/** Polls `condition` every 10 ms until it holds; fails after 5 s. */
async function waitUntil(condition: () => boolean): Promise<void> {
  const deadline = Date.now() + 5000;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met within 5 s');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/** Returns `127.0.0.1:PORT` of a port that was free a moment ago and now has no listener. */
async function closedPortAddress(): Promise<string> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return `127.0.0.1:${port}`;
}
