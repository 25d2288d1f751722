import { randomBytes } from 'node:crypto';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  applyDocuments,
  buildPipelineDocument,
  createRepository,
  pushBaseImage,
  runAndGet,
  startConfiguredDelegate,
  startManager,
  startNats,
  startRegistry,
  startTlsRegistry,
  stepOf,
  tlsManifestDigest,
  type Manager,
  type Registry,
  type StepDocument,
  type TlsRegistry,
} from '../src/harness/index.js';

const USER = 'kiln';
const BASE_PASSWORD = randomBytes(12).toString('base64url');
const TLS_PASSWORD = randomBytes(12).toString('base64url');

let dir: string;
let gitRoot: string;
let baseRegistry: Registry;
let tlsRegistry: TlsRegistry;
let manager: Manager;
const stops: { stop(): Promise<void> }[] = [];

/** Returns the `registries:` lines that let a delegate pull the base image from the plain-HTTP htpasswd registry. */
function baseRegistryConfig(extra: string[] = []): string[] {
  return [
    'registries:',
    `  "${baseRegistry.address}":`,
    '    insecure: true',
    `    auth: { username: ${USER}, passwordRef: account.base_password }`,
    ...extra,
  ];
}

function connectors(): string {
  const cluster = (identifier: string, selector: string) => ({
    connector: { name: identifier, identifier, type: 'K8sCluster', spec: { credential: { type: 'InheritFromDelegate' }, delegateSelectors: [selector] } },
  });
  return [
    { connector: { name: 'Samples', identifier: 'kiln_samples', type: 'Git', spec: { url: `file://${gitRoot}`, connectionType: 'Account', type: 'Http' } } },
    {
      connector: {
        name: 'TLS registry', identifier: 'tls_registry', type: 'DockerRegistry',
        spec: { dockerRegistryUrl: `https://${tlsRegistry.address}`, providerType: 'Other', auth: { type: 'UsernamePassword', spec: { username: USER, passwordRef: 'account.tls_password' } } },
      },
    },
    cluster('no_ca', 'no_ca'),
    cluster('with_ca', 'with_ca'),
    cluster('skip_verify', 'skip_verify'),
  ].map((document) => JSON.stringify(document, null, 2)).join('\n---\n');
}

async function build(identifier: string, infrastructureConnector: string, tag: string, envVariables?: Record<string, string>) {
  const step: StepDocument = {
    type: 'BuildAndPushDockerRegistry', name: 'build', identifier: 'build',
    spec: { connectorRef: 'account.tls_registry', repo: `${tlsRegistry.address}/kiln/tls-app`, tags: [tag], ...(envVariables ? { envVariables } : {}) },
  };
  await applyDocuments(manager, dir, `${identifier}.yaml`, buildPipelineDocument({ identifier, repoName: 'tls-app', infrastructureConnector, steps: [step] }));
  return runAndGet(manager, identifier);
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'kiln-e2e-registries-tls-'));
  gitRoot = join(dir, 'git');
  const nats = await startNats(dir);
  stops.push(nats.process);
  baseRegistry = await startRegistry(dir, { credentials: { username: USER, password: BASE_PASSWORD } });
  stops.push(baseRegistry.process);
  tlsRegistry = await startTlsRegistry(dir, { credentials: { username: USER, password: TLS_PASSWORD } });
  stops.push(tlsRegistry.process);
  const baseImage = await pushBaseImage(dir, baseRegistry);
  await createRepository(gitRoot, 'tls-app', { Dockerfile: `FROM ${baseImage}\nCOPY hello.sh /hello.sh\n`, 'hello.sh': '#!/bin/sh\necho hello\n' });
  manager = await startManager(dir, { natsUrl: nats.url, apiToken: randomBytes(24).toString('base64url'), delegateToken: randomBytes(24).toString('base64url') });
  stops.push(manager.process);
  const secrets = { 'account.base_password': BASE_PASSWORD, 'account.tls_password': TLS_PASSWORD };
  const delegates = [
    { name: 'no-ca', tags: ['no_ca'], extraConfig: baseRegistryConfig() },
    { name: 'with-ca', tags: ['with_ca'], extraConfig: baseRegistryConfig([`  "${tlsRegistry.address}":`, `    ca: ${tlsRegistry.certificates.caFile}`]) },
    { name: 'skip-verify', tags: ['skip_verify'], extraConfig: baseRegistryConfig([`  "${tlsRegistry.address}":`, '    skipTlsVerify: true']) },
  ];
  for (const delegate of delegates) {
    stops.push((await startConfiguredDelegate(dir, { ...delegate, manager, secrets })).process);
  }
  await applyDocuments(manager, dir, 'connectors.yaml', connectors());
}, 180_000);

afterAll(async () => {
  for (const component of stops.reverse()) await component.stop();
});

describe('BuildAndPushDockerRegistry to a registry with a self-signed certificate', () => {
  it('fails with REGISTRY_TLS when the delegate does not trust the CA', async () => {
    const { execution } = await build('Tls_Untrusted', 'account.no_ca', 'untrusted');
    const step = stepOf(execution, 'build');
    expect(step.error_code).toBe('REGISTRY_TLS');
    expect(step.error_message).toContain(`registry ${tlsRegistry.address}, repository kiln/tls-app, tag untrusted`);
    expect(step.error_message).toContain('connector "account.tls_registry"');
    expect(step.error_message).toContain('"ca" under "registries:"');
    expect(await tlsManifestDigest(tlsRegistry, 'kiln/tls-app', 'untrusted')).toBeUndefined();
  }, 120_000);

  it('pushes when the delegate config gives the CA', async () => {
    const { execution } = await build('Tls_With_Ca', 'account.with_ca', 'with-ca');
    expect(execution.status).toBe('Succeeded');
    const [artifact] = stepOf(execution, 'build').artifacts;
    expect(await tlsManifestDigest(tlsRegistry, 'kiln/tls-app', 'with-ca')).toBe(artifact?.digest);
  }, 120_000);

  it('pushes with PLUGIN_SKIP_TLS_VERIFY=true on a delegate without the CA', async () => {
    const { execution } = await build('Tls_Plugin_Skip', 'account.no_ca', 'plugin-skip', { PLUGIN_SKIP_TLS_VERIFY: 'true' });
    expect(execution.status).toBe('Succeeded');
    const [artifact] = stepOf(execution, 'build').artifacts;
    expect(await tlsManifestDigest(tlsRegistry, 'kiln/tls-app', 'plugin-skip')).toBe(artifact?.digest);
  }, 120_000);

  it('pushes with skipTlsVerify under registries: in the delegate config', async () => {
    const { execution } = await build('Tls_Config_Skip', 'account.skip_verify', 'config-skip');
    expect(execution.status).toBe('Succeeded');
    const [artifact] = stepOf(execution, 'build').artifacts;
    expect(await tlsManifestDigest(tlsRegistry, 'kiln/tls-app', 'config-skip')).toBe(artifact?.digest);
  }, 120_000);
});
