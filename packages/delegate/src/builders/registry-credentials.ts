import { chmod, mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { KilnError, type ConnectorRecord } from '@kiln/protocol';
import type { RegistryConfig } from '../config/delegate-config.js';
import type { SecretStore } from '../secrets/secret-store.js';
import { DOCKER_HUB_AUTH_KEY } from './image-ref.js';
import { resolveRegistryCredential } from './registry-auth.js';

/** How the builder authenticates to one registry host. */
export type HostCredential =
  | { kind: 'password'; username: string; password: string; source: string }
  | { kind: 'helper'; helper: string; env: Record<string, string>; source: string }
  | { kind: 'anonymous'; source: string };

/** Records every secret value so the task's masker hides it. */
export type SecretSink = (value: string) => void;

/** AWS variables the ecr-login helper reads when a connector inherits the delegate's AWS identity. */
const AWS_ENV = ['AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_SESSION_TOKEN', 'AWS_PROFILE', 'AWS_REGION', 'AWS_DEFAULT_REGION', 'AWS_ROLE_ARN', 'AWS_WEB_IDENTITY_TOKEN_FILE', 'AWS_SDK_LOAD_CONFIG', 'AWS_CONFIG_FILE', 'AWS_SHARED_CREDENTIALS_FILE'];

function field(spec: unknown, key: string): string | undefined {
  const value = typeof spec === 'object' && spec !== null ? (spec as Record<string, unknown>)[key] : undefined;
  return typeof value === 'string' && value !== '' ? value : undefined;
}

function record(value: unknown): Record<string, unknown> {
  return typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : {};
}

function inheritedEnv(names: string[]): Record<string, string> {
  const env: Record<string, string> = {};
  for (const name of names) {
    const value = process.env[name];
    if (value !== undefined) env[name] = value;
  }
  return env;
}

function secret(secrets: SecretStore, ref: string, usedBy: string, onSecret: SecretSink): string {
  const value = secrets.require(ref, usedBy);
  onSecret(value);
  return value;
}

function awsCredential(connector: ConnectorRecord, secrets: SecretStore, onSecret: SecretSink): HostCredential {
  const credential = record(connector.spec.credential);
  const name = `connector "${connector.ref}"`;
  if (credential.type !== 'ManualConfig') {
    return { kind: 'helper', helper: 'ecr-login', env: inheritedEnv(AWS_ENV), source: `docker-credential-ecr-login with the delegate's AWS identity (${name}, ${String(credential.type)})` };
  }
  const spec = credential.spec;
  const accessKeyRef = field(spec, 'accessKeyRef');
  const accessKey = accessKeyRef === undefined ? field(spec, 'accessKey') : secret(secrets, accessKeyRef, `${name} accessKeyRef`, onSecret);
  const secretKeyRef = field(spec, 'secretKeyRef');
  if (accessKey === undefined || secretKeyRef === undefined) {
    throw new KilnError('INVALID_ARGUMENT', `${name} uses ManualConfig without spec.credential.spec.accessKey (or accessKeyRef) and secretKeyRef`, { details: { failureType: 'ConfigurationFailure' } });
  }
  const env: Record<string, string> = { AWS_ACCESS_KEY_ID: accessKey, AWS_SECRET_ACCESS_KEY: secret(secrets, secretKeyRef, `${name} secretKeyRef`, onSecret) };
  const region = field(credential, 'region');
  if (region !== undefined) env.AWS_REGION = region;
  return { kind: 'helper', helper: 'ecr-login', env, source: `docker-credential-ecr-login with the access key of ${name} (secret "${secretKeyRef}")` };
}

function gcpCredential(connector: ConnectorRecord, secrets: SecretStore, onSecret: SecretSink): HostCredential {
  const credential = record(connector.spec.credential);
  const name = `connector "${connector.ref}"`;
  const keyRef = field(credential.spec, 'secretKeyRef');
  if (credential.type !== 'ManualConfig' || keyRef === undefined) {
    return { kind: 'helper', helper: 'gcr', env: inheritedEnv(['GOOGLE_APPLICATION_CREDENTIALS', 'CLOUDSDK_CONFIG']), source: `docker-credential-gcr with the delegate's Google identity (${name})` };
  }
  return { kind: 'password', username: '_json_key', password: secret(secrets, keyRef, `${name} secretKeyRef`, onSecret), source: `${name} (service account key from secret "${keyRef}")` };
}

function azureCredential(connector: ConnectorRecord, secrets: SecretStore, onSecret: SecretSink): HostCredential {
  const credential = record(connector.spec.credential);
  const name = `connector "${connector.ref}"`;
  const spec = record(credential.spec);
  const secretRef = field(record(spec.auth).spec, 'secretRef');
  const applicationId = field(spec, 'applicationId') ?? field(spec, 'clientId');
  if (credential.type !== 'ManualConfig' || secretRef === undefined || applicationId === undefined) {
    const env = inheritedEnv(['AZURE_CLIENT_ID', 'AZURE_CLIENT_SECRET', 'AZURE_TENANT_ID']);
    return { kind: 'helper', helper: 'acr-env', env, source: `docker-credential-acr-env with the delegate's Azure identity (${name})` };
  }
  return { kind: 'password', username: applicationId, password: secret(secrets, secretRef, `${name} auth.spec.secretRef`, onSecret), source: `${name} (application ${applicationId}, secret "${secretRef}")` };
}

/**
 * Resolves the credential a connector gives for its registry: DockerRegistry
 * user name and password, Aws through the ecr-login helper, Gcp as a
 * `_json_key` login, Azure as a service principal login.
 * @throws KilnError SECRET_NOT_FOUND or INVALID_ARGUMENT naming the connector.
 */
export function connectorCredential(connector: ConnectorRecord, secrets: SecretStore, onSecret: SecretSink): HostCredential {
  switch (connector.type) {
    case 'DockerRegistry': {
      const resolved = resolveRegistryCredential(connector, secrets, onSecret);
      return resolved.credential === undefined ? { kind: 'anonymous', source: resolved.source } : { kind: 'password', ...resolved.credential, source: resolved.source };
    }
    case 'Aws':
      return awsCredential(connector, secrets, onSecret);
    case 'Gcp':
      return gcpCredential(connector, secrets, onSecret);
    case 'Azure':
      return azureCredential(connector, secrets, onSecret);
    default:
      throw new KilnError('INVALID_ARGUMENT', `connector "${connector.ref}" has type ${connector.type}, which holds no registry credentials`, { details: { failureType: 'ConfigurationFailure' } });
  }
}

/** Resolves the credential of a `registries:` entry of the delegate config, if it has one. */
export function configuredCredential(host: string, entry: RegistryConfig | undefined, secrets: SecretStore, onSecret: SecretSink): HostCredential | undefined {
  if (entry === undefined) return undefined;
  const where = `registries.${host} in the delegate config`;
  if (entry.auth !== undefined) {
    const { auth } = entry;
    const username = auth.usernameRef === undefined ? auth.username ?? '' : secret(secrets, auth.usernameRef, `${where} usernameRef`, onSecret);
    const password = secret(secrets, auth.passwordRef, `${where} passwordRef`, onSecret);
    return { kind: 'password', username, password, source: `${where} (username ${auth.usernameRef === undefined ? username : `from secret "${auth.usernameRef}"`}, password from secret "${auth.passwordRef}")` };
  }
  if (entry.credHelper !== undefined) return { kind: 'helper', helper: entry.credHelper, env: {}, source: `docker-credential-${entry.credHelper} (${where})` };
  if (entry.anonymous) return { kind: 'anonymous', source: `anonymous access (${where})` };
  return undefined;
}

/**
 * Writes `<directory>/config.json` (mode 0600) with an `auths` entry per
 * password credential and a `credHelpers` entry per helper. Docker Hub is
 * written under both `docker.io` and `https://index.docker.io/v1/`, the only
 * key kaniko finds. Returns the builder environment the helpers need.
 */
export async function writeDockerConfigDir(directory: string, credentials: Map<string, HostCredential>): Promise<Record<string, string>> {
  const auths: Record<string, { auth: string }> = {};
  const credHelpers: Record<string, string> = {};
  const env: Record<string, string> = {};
  for (const [host, credential] of credentials) {
    if (credential.kind === 'password') {
      const auth = Buffer.from(`${credential.username}:${credential.password}`, 'utf8').toString('base64');
      auths[host] = { auth };
      if (host === 'docker.io') auths[DOCKER_HUB_AUTH_KEY] = { auth };
    } else if (credential.kind === 'helper') {
      credHelpers[host] = credential.helper;
      if (host === 'docker.io') credHelpers['index.docker.io'] = credential.helper;
      Object.assign(env, credential.env);
    }
  }
  await mkdir(directory, { recursive: true, mode: 0o700 });
  const file = path.join(directory, 'config.json');
  await writeFile(file, `${JSON.stringify({ auths, credHelpers }, null, 2)}\n`, { mode: 0o600 });
  await chmod(file, 0o600);
  return env;
}
