import { chmod, writeFile } from 'node:fs/promises';
import { KilnError, type ConnectorRecord } from '@kiln/protocol';
import type { SecretStore } from '../secrets/secret-store.js';
import { isDockerHub } from './image-ref.js';

export interface RegistryCredential {
  username: string;
  password: string;
}

/** Credentials of a DockerRegistry connector and a description of where they came from (never the secret). */
export interface ResolvedCredential {
  credential?: RegistryCredential;
  source: string;
}

function stringField(spec: Record<string, unknown>, key: string): string | undefined {
  const value = spec[key];
  return typeof value === 'string' && value !== '' ? value : undefined;
}

/**
 * Reads the credentials of a DockerRegistry connector. `spec.auth.type`
 * UsernamePassword takes `username` (or `usernameRef`) and `passwordRef`,
 * both resolved from the delegate's secrets; Anonymous or no auth gives none.
 * @throws KilnError SECRET_NOT_FOUND naming the reference and the config file, INVALID_ARGUMENT for another auth type.
 */
export function resolveRegistryCredential(connector: ConnectorRecord, secrets: SecretStore, onSecret: (value: string) => void): ResolvedCredential {
  const auth = connector.spec.auth as { type?: unknown; spec?: Record<string, unknown> } | undefined;
  const connectorName = `connector "${connector.ref}"`;
  if (auth === undefined || auth.type === 'Anonymous') return { source: `${connectorName} (anonymous access)` };
  if (auth.type !== 'UsernamePassword') {
    throw new KilnError('INVALID_ARGUMENT', `${connectorName} has auth type ${JSON.stringify(auth.type)}: the delegate supports UsernamePassword and Anonymous`);
  }
  const spec = auth.spec ?? {};
  const passwordRef = stringField(spec, 'passwordRef');
  if (passwordRef === undefined) {
    throw new KilnError('INVALID_ARGUMENT', `${connectorName} uses UsernamePassword auth without spec.auth.spec.passwordRef: add the secret reference of the password`);
  }
  const usernameRef = stringField(spec, 'usernameRef');
  const username = usernameRef === undefined ? stringField(spec, 'username') : secrets.require(usernameRef, `${connectorName} usernameRef`);
  if (username === undefined) {
    throw new KilnError('INVALID_ARGUMENT', `${connectorName} uses UsernamePassword auth without spec.auth.spec.username or usernameRef`);
  }
  const password = secrets.require(passwordRef, `${connectorName} passwordRef`);
  onSecret(password);
  return { credential: { username, password }, source: `${connectorName} (username ${username}, password from secret "${passwordRef}")` };
}

/**
 * Writes a docker config JSON `{"auths":{"<host>":{"auth":base64(user:pass)}}}`
 * readable only by the delegate (mode 0600). Docker Hub also gets its
 * `https://index.docker.io/v1/` key, the form older tools look up.
 */
export async function writeDockerConfig(file: string, host: string, credential: RegistryCredential | undefined): Promise<void> {
  const auths: Record<string, { auth: string }> = {};
  if (credential !== undefined) {
    const auth = Buffer.from(`${credential.username}:${credential.password}`, 'utf8').toString('base64');
    auths[host] = { auth };
    if (isDockerHub(host)) auths['https://index.docker.io/v1/'] = { auth };
  }
  await writeFile(file, `${JSON.stringify({ auths }, null, 2)}\n`, { mode: 0o600 });
  await chmod(file, 0o600);
}
