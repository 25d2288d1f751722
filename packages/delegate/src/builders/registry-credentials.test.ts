import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { ConnectorRecord } from '@kiln/protocol';
import { SecretStore } from '../secrets/secret-store.js';
import { configuredCredential, connectorCredential, writeDockerConfigDir, type HostCredential } from './registry-credentials.js';

const SECRETS = new SecretStore({ 'account.pw': { value: 'hunter2-secret' }, 'account.key': { value: '{"type":"service_account"}' }, 'account.aws': { value: 'aws-secret' } }, '/etc/kiln/delegate.yaml');

describe('writeDockerConfigDir', () => {
  let dir: string;

  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'kiln-docker-config-'));
  });

  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('writes auths and helpers readable only by the delegate', async () => {
    const credentials = new Map<string, HostCredential>([
      ['docker.io', { kind: 'password', username: 'kiln', password: 'hunter2-secret', source: 'test' }],
      ['123.dkr.ecr.eu-west-1.amazonaws.com', { kind: 'helper', helper: 'ecr-login', env: { AWS_REGION: 'eu-west-1' }, source: 'test' }],
      ['public.example.com', { kind: 'anonymous', source: 'test' }],
    ]);
    const env = await writeDockerConfigDir(path.join(dir, 'docker'), credentials);
    const file = path.join(dir, 'docker', 'config.json');
    const auth = Buffer.from('kiln:hunter2-secret').toString('base64');

    expect((await stat(file)).mode & 0o777).toBe(0o600);
    expect(JSON.parse(await readFile(file, 'utf8'))).toEqual({
      auths: { 'docker.io': { auth }, 'https://index.docker.io/v1/': { auth } },
      credHelpers: { '123.dkr.ecr.eu-west-1.amazonaws.com': 'ecr-login' },
    });
    expect(env).toEqual({ AWS_REGION: 'eu-west-1' });
  });
});

describe('connectorCredential', () => {
  const secrets: string[] = [];
  const collect = (value: string): void => {
    secrets.push(value);
  };

  it('logs in to GCR and GAR with a service account key', () => {
    const gcp: ConnectorRecord = { ref: 'account.gcp', identifier: 'gcp', type: 'Gcp', spec: { credential: { type: 'ManualConfig', spec: { secretKeyRef: 'account.key' } } } };
    expect(connectorCredential(gcp, SECRETS, collect)).toMatchObject({ kind: 'password', username: '_json_key', password: '{"type":"service_account"}' });
  });

  it('uses the ecr-login helper with the connector access key', () => {
    const aws: ConnectorRecord = { ref: 'account.aws', identifier: 'aws', type: 'Aws', spec: { credential: { type: 'ManualConfig', spec: { accessKey: 'AKIA1', secretKeyRef: 'account.aws' }, region: 'eu-west-1' } } };
    expect(connectorCredential(aws, SECRETS, collect)).toMatchObject({ kind: 'helper', helper: 'ecr-login', env: { AWS_ACCESS_KEY_ID: 'AKIA1', AWS_SECRET_ACCESS_KEY: 'aws-secret', AWS_REGION: 'eu-west-1' } });
  });

  it('logs in to ACR as the service principal', () => {
    const azure: ConnectorRecord = { ref: 'account.azure', identifier: 'azure', type: 'Azure', spec: { credential: { type: 'ManualConfig', spec: { applicationId: 'app', auth: { type: 'Secret', spec: { secretRef: 'account.pw' } } } } } };
    expect(connectorCredential(azure, SECRETS, collect)).toMatchObject({ kind: 'password', username: 'app', password: 'hunter2-secret' });
  });

  it('hands every secret it reads to the masker', () => {
    expect(secrets).toEqual(expect.arrayContaining(['{"type":"service_account"}', 'aws-secret', 'hunter2-secret']));
  });

  it('names the config file for a missing registries secret', () => {
    expect(() => configuredCredential('r.example.com', { auth: { username: 'u', passwordRef: 'account.missing' }, insecure: false, skipTlsVerify: false, anonymous: false, mirrors: [] }, SECRETS, collect))
      .toThrow('secret "account.missing" used by registries.r.example.com in the delegate config passwordRef was not found: add it under "secrets:" in /etc/kiln/delegate.yaml');
  });
});
