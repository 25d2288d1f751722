import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { execa } from 'execa';
import {
  MANAGER_BIN,
  createTlsMaterial,
  kilnTls,
  launchDelegate,
  parseJsonLine,
  startSecuredNats,
  startTlsManager,
  stopAll,
  waitForLine,
  waitForRegistration,
  type Manager,
  type ManagedProcess,
  type SecuredNats,
  type TlsMaterial,
} from '../src/harness/index.js';

const PIPELINE_YAML = [
  'pipeline:',
  '  name: Over TLS',
  '  identifier: Over_TLS',
  '  orgIdentifier: default',
  '  projectIdentifier: CI_Quickstart',
  '  stages:',
  '    - stage:',
  '        name: Main',
  '        identifier: Main',
  '        type: CI',
  '        spec:',
  '          cloneCodebase: false',
  '          execution:',
  '            steps:',
  '              - step:',
  '                  type: Run',
  '                  name: Say hello',
  '                  identifier: Say_hello',
  '                  spec:',
  '                    shell: Sh',
  '                    command: echo "hello over TLS"',
  '',
].join('\n');

let dir: string;
let trusted: TlsMaterial;
let untrusted: TlsMaterial;
let nats: SecuredNats;
let manager: Manager;

/** Returns the `delegate failed to start` record of a delegate that exits, or throws when it registers or keeps running. */
async function startFailure(delegate: ManagedProcess): Promise<Record<string, unknown>> {
  let registered = false;
  const stopWatching = delegate.onLine((line) => {
    if (parseJsonLine(line)?.msg === 'delegate registered') registered = true;
  });
  const failure = await waitForLine(delegate, (line) => {
    const record = parseJsonLine(line);
    return record?.msg === 'delegate failed to start' ? record : undefined;
  }).finally(stopWatching);
  expect(await delegate.exited).toBe(1);
  expect(registered).toBe(false);
  return failure;
}

function natsLines(user: string): string[] {
  return ['nats:', `  servers: ${nats.url}`, `  user: ${user}`, `  passwordFile: ${join(nats.secretsDir, `${user}.password`)}`];
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'kiln-security-'));
  trusted = await createTlsMaterial(join(dir, 'tls'));
  untrusted = await createTlsMaterial(join(dir, 'other-ca'));
  nats = await startSecuredNats(dir, ['a', 'b']);
  manager = await startTlsManager(dir, {
    natsUrl: nats.url,
    apiToken: randomBytes(24).toString('base64url'),
    delegateToken: randomBytes(24).toString('base64url'),
    tls: trusted,
    extraArgs: ['--nats-user', 'manager', '--nats-password-file', join(nats.secretsDir, 'manager.password')],
  });
});

afterAll(async () => {
  await stopAll();
});

describe('delegate to a TLS manager', () => {
  describe('when its CA did not sign the manager certificate', () => {
    it('exits with an error naming the manager and the CA', async () => {
      const { process: delegate } = await launchDelegate(dir, { name: 'wrong-ca', manager, extraConfig: ['tls:', `  ca: ${untrusted.caFile}`, ...natsLines('delegate')] });

      const failure = await startFailure(delegate);

      expect(failure.code).toBe('MANAGER_TLS');
      expect(String(failure.reason)).toContain(`manager at ${manager.grpc}`);
      expect(String(failure.reason)).toContain(untrusted.caFile);
    });
  });

  describe('when the right CA is given by a relative path', () => {
    it('registers and runs a pipeline applied by the CLI with --ca-file', async () => {
      const { process: delegate } = await launchDelegate(dir, { name: 'right-ca', manager, extraConfig: ['tls:', '  ca: ../tls/ca.crt', ...natsLines('delegate')] });
      await waitForRegistration(delegate);
      const file = join(dir, 'over-tls.yaml');
      await writeFile(file, PIPELINE_YAML);
      const caFlags = ['--ca-file', trusted.caFile];

      const applied = await kilnTls(manager, caFlags, ['apply', '-f', file]);
      const run = await kilnTls(manager, caFlags, ['run', 'Over_TLS', '--follow']);

      expect(applied.exitCode).toBe(0);
      expect(`${run.stdout}${run.stderr}`).toContain('hello over TLS');
      expect(run.exitCode).toBe(0);
    });
  });
});

describe('CLI to a TLS manager', () => {
  describe('when --ca-file did not sign the manager certificate', () => {
    it('fails naming the manager address and the CA file', async () => {
      const result = await kilnTls(manager, ['--ca-file', untrusted.caFile], ['pipelines']);

      expect(result.exitCode).toBe(1);
      expect(result.stderr).toContain(manager.grpc);
      expect(result.stderr).toContain(`--ca-file ${untrusted.caFile}`);
    });
  });
});

describe('manager with --client-ca', () => {
  let mutual: Manager;

  beforeAll(async () => {
    mutual = await startTlsManager(join(dir, 'mutual'), {
      natsUrl: nats.url, apiToken: manager.apiToken, delegateToken: manager.delegateToken, tls: trusted, mutual: true,
      extraArgs: ['--nats-user', 'manager', '--nats-password-file', join(nats.secretsDir, 'manager.password')],
    });
  });

  describe('when the delegate has no client certificate', () => {
    it('rejects it before registration', async () => {
      const { process: delegate } = await launchDelegate(dir, { name: 'no-client-cert', manager: mutual, extraConfig: ['tls:', `  ca: ${trusted.caFile}`, ...natsLines('delegate')] });

      const failure = await startFailure(delegate);

      expect(failure.code).toBe('MANAGER_TLS');
      expect(String(failure.reason)).toContain(`manager at ${mutual.grpc}`);
    });
  });

  describe('when the delegate and the CLI present client certificates', () => {
    it('registers the delegate and answers the CLI', async () => {
      const tls = ['tls:', `  ca: ${trusted.caFile}`, `  cert: ${trusted.clientCertFile}`, `  key: ${trusted.clientKeyFile}`];
      const { process: delegate } = await launchDelegate(dir, { name: 'client-cert', manager: mutual, extraConfig: [...tls, ...natsLines('delegate')] });
      await waitForRegistration(delegate);

      const listed = await kilnTls(mutual, ['--ca-file', trusted.caFile, '--cert', trusted.clientCertFile, '--key', trusted.clientKeyFile], ['delegates']);

      expect(listed.stdout).toContain('client-cert');
      expect(listed.exitCode).toBe(0);
    });
  });
});

describe('delegate NATS user', () => {
  let connection: NatsConnection;

  beforeAll(async () => {
    const pass = (await readFile(join(nats.secretsDir, 'delegate.password'), 'utf8')).trim();
    connection = await connect({ servers: nats.url, user: 'delegate', pass });
  });

  afterAll(async () => {
    if (!connection.isClosed()) await connection.close();
  });

  describe('when it publishes outside kiln.logs.> and kiln.events.>', () => {
    it('gets a permissions violation', async () => {
      const statuses = connection.status();

      connection.publish('kiln.other', 'not allowed');
      await connection.flush();

      for await (const status of statuses) {
        if (status.type !== 'error') continue;
        expect(String(status.error)).toContain('Permissions Violation for Publish to "kiln.other"');
        break;
      }
    });
  });
});

describe('NATS user of one delegate name', () => {
  let delegateA: NatsConnection;
  let managerConnection: NatsConnection;

  const passwordOf = async (user: string): Promise<string> => (await readFile(join(nats.secretsDir, `${user}.password`), 'utf8')).trim();

  beforeAll(async () => {
    delegateA = await connect({ servers: nats.url, user: 'delegate-a', pass: await passwordOf('delegate-a') });
    managerConnection = await connect({ servers: nats.url, user: 'manager', pass: await passwordOf('manager') });
  });

  afterAll(async () => {
    for (const connection of [delegateA, managerConnection]) if (!connection.isClosed()) await connection.close();
  });

  describe('when delegate-a subscribes to the control subject of delegate b', () => {
    it('gets a permissions violation', async () => {
      const subscription = delegateA.subscribe('kiln.control.b', { callback: () => undefined });
      await delegateA.flush();

      const closed = await Promise.race([subscription.closed, new Promise<string>((resolve) => setTimeout(resolve, 10_000, 'still open').unref())]);

      expect(String(closed)).toContain('Permissions Violation for Subscription to "kiln.control.b"');
    });
  });

  describe('when delegate-a subscribes to its own control subject', () => {
    it('receives the cancel the manager publishes there', async () => {
      const received = new Promise<string>((resolve) => {
        delegateA.subscribe('kiln.control.a', { max: 1, callback: (_error, message) => resolve(message.string()) });
      });
      await delegateA.flush();

      managerConnection.publish('kiln.control.a', 'cancel for a');
      await managerConnection.flush();
      const text = await Promise.race([received, new Promise<string>((resolve) => setTimeout(resolve, 10_000, 'nothing received').unref())]);

      expect(text).toBe('cancel for a');
    });
  });
});

describe('manager without TLS', () => {
  const baseArgs = (grpcListen: string): string[] => [MANAGER_BIN, '--data-dir', join(dir, 'plain'), '--grpc-listen', grpcListen, '--http-listen', '127.0.0.1:0', '--nats-url', nats.url];
  const env = { ...process.env, KILN_API_TOKEN: 'api', KILN_DELEGATE_TOKEN: 'delegate' };

  describe('when --grpc-listen is not a loopback address', () => {
    it('exits before listening and names --allow-plaintext', async () => {
      const result = await execa(process.execPath, baseArgs('192.0.2.1:0'), { env, reject: false, timeout: 30_000 });

      expect(result.exitCode).toBe(1);
      expect(result.stderr).toContain('would listen on 192.0.2.1 without TLS');
      expect(result.stderr).toContain('--allow-plaintext');
    });
  });

  describe('when --allow-plaintext is given', () => {
    it('logs a warning and goes on to bind', async () => {
      // 192.0.2.1 (TEST-NET-1) is on no interface, so the bind fails after the check instead of exposing a port.
      const result = await execa(process.execPath, [...baseArgs('192.0.2.1:0'), '--allow-plaintext'], { env, reject: false, timeout: 30_000 });

      expect(result.stdout).toContain('listening without TLS on a non-loopback address');
      expect(result.stdout).toContain('manager failed to start');
    });
  });
});
