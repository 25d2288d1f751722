import type { ConnectorRecord } from '@kiln/protocol';
import type { RegistryConfig } from '../config/delegate-config.js';
import type { SecretStore } from '../secrets/secret-store.js';
import type { RegistryTransport } from './build-request.js';
import { checkCredentials, type RegistryUse } from './build-checks.js';
import type { PluginSettings } from './plugin-settings.js';
import { configuredCredential, connectorCredential, type HostCredential, type SecretSink } from './registry-credentials.js';
import type { StepTarget } from './step-target.js';

/** Credentials and transport settings of every registry one build uses. */
export interface RegistryPlan {
  credentials: Map<string, HostCredential>;
  transports: RegistryTransport[];
  sources: Record<string, string>;
  mirrors: string[];
}

export interface RegistryPlanInput {
  target: StepTarget;
  connector: ConnectorRecord;
  uses: RegistryUse[];
  plugin: PluginSettings;
  registries: Record<string, RegistryConfig>;
  secrets: SecretStore;
  onSecret: SecretSink;
  configFile: string | undefined;
}

/** True when a cloud connector leaves authentication to the delegate's own identity. */
function inheritsIdentity(connector: ConnectorRecord): boolean {
  const credential = connector.spec.credential as { type?: unknown } | undefined;
  return connector.type !== 'DockerRegistry' && credential?.type !== 'ManualConfig';
}

/**
 * The push registry authenticates with the step's connector, except that a
 * cloud connector inheriting the delegate's identity yields to a
 * `registries:` entry for that host. Every other registry (base images,
 * a cache elsewhere) uses its `registries:` entry.
 */
function credentialOf(host: string, input: RegistryPlanInput): HostCredential | undefined {
  const configured = (): HostCredential | undefined => configuredCredential(host, input.registries[host], input.secrets, input.onSecret);
  if (host !== input.target.registry) return configured();
  if (inheritsIdentity(input.connector)) return configured() ?? connectorCredential(input.connector, input.secrets, input.onSecret);
  return connectorCredential(input.connector, input.secrets, input.onSecret);
}

function transportOf(host: string, input: RegistryPlanInput): RegistryTransport {
  const entry = input.registries[host];
  const { plugin, target } = input;
  const transport: RegistryTransport = {
    host,
    insecure: (host === target.registry && target.insecure) || entry?.insecure === true || plugin.insecureRegistries.includes(host),
    skipTlsVerify: entry?.skipTlsVerify === true || plugin.skipTlsVerifyRegistries.includes(host),
  };
  const caFile = plugin.registryCertificates[host] ?? entry?.ca;
  if (caFile !== undefined) transport.caFile = caFile;
  return transport;
}

/**
 * Resolves the credential and transport settings of every registry in
 * `uses`, then checks that none lacks a credential.
 * @throws KilnError CREDENTIALS_MISSING, SECRET_NOT_FOUND or INVALID_ARGUMENT.
 */
export function planRegistries(input: RegistryPlanInput): RegistryPlan {
  const hosts = [...new Set([input.target.registry, ...input.uses.map((use) => use.host)])];
  const credentials = new Map<string, HostCredential>();
  const sources: Record<string, string> = {};
  for (const host of hosts) {
    const credential = credentialOf(host, input);
    if (credential === undefined) continue;
    credentials.set(host, credential);
    sources[host] = credential.source;
  }
  checkCredentials(input.uses, (host) => credentials.has(host), input.configFile);
  const mirrors = [...new Set([...input.plugin.mirrors, ...(input.registries['docker.io']?.mirrors ?? [])])];
  return { credentials, transports: hosts.map((host) => transportOf(host, input)), sources, mirrors };
}
