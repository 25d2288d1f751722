import { request } from 'node:https';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { execa } from 'execa';
import { freePort, startProcess, waitFor, type ManagedProcess } from './process.js';

/** A test certificate authority and a server certificate for 127.0.0.1 and localhost that it signed. */
export interface TestCertificates {
  caFile: string;
  certFile: string;
  keyFile: string;
}

/** Generates a CA and a server certificate (P-256 keys, valid for 2 days) under `dir` with openssl. */
export async function createCertificates(dir: string): Promise<TestCertificates> {
  await mkdir(dir, { recursive: true });
  const caKey = join(dir, 'ca.key');
  const caFile = join(dir, 'ca.crt');
  const keyFile = join(dir, 'server.key');
  const csr = join(dir, 'server.csr');
  const certFile = join(dir, 'server.crt');
  const extensions = join(dir, 'server.ext');
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
  await execa('openssl', ['req', '-x509', ...ec, '-keyout', caKey, '-out', caFile, '-days', '2', '-subj', '/CN=kiln test CA']);
  await execa('openssl', ['req', ...ec, '-keyout', keyFile, '-out', csr, '-subj', '/CN=127.0.0.1']);
  await writeFile(extensions, ['subjectAltName=IP:127.0.0.1,DNS:localhost', 'basicConstraints=CA:FALSE', 'extendedKeyUsage=serverAuth', ''].join('\n'));
  await execa('openssl', ['x509', '-req', '-in', csr, '-CA', caFile, '-CAkey', caKey, '-CAcreateserial', '-out', certFile, '-days', '2', '-extfile', extensions]);
  return { caFile, certFile, keyFile };
}

export interface TlsRegistry {
  /** host:port, e.g. 127.0.0.1:5443 */
  address: string;
  username?: string;
  password?: string;
  certificates: TestCertificates;
  process: ManagedProcess;
}

/** GETs `path` from the registry over HTTPS, trusting only the test CA; returns the status, headers and body. */
export async function tlsRegistryGet(registry: TlsRegistry, path: string, accept?: string): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: string }> {
  const ca = await readFile(registry.certificates.caFile);
  const headers: Record<string, string> = {};
  if (accept) headers.Accept = accept;
  if (registry.username) headers.Authorization = `Basic ${Buffer.from(`${registry.username}:${registry.password}`).toString('base64')}`;
  return new Promise((resolve, reject) => {
    const req = request(`https://${registry.address}${path}`, { ca, headers }, (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, headers: response.headers, body: Buffer.concat(chunks).toString('utf8') }));
    });
    req.on('error', reject);
    req.end();
  });
}

/** Returns the digest of `repository:tag` in the TLS registry, or undefined when the tag does not exist. */
export async function tlsManifestDigest(registry: TlsRegistry, repository: string, tag: string): Promise<string | undefined> {
  const accept = 'application/vnd.docker.distribution.manifest.v2+json, application/vnd.oci.image.manifest.v1+json';
  const response = await tlsRegistryGet(registry, `/v2/${repository}/manifests/${tag}`, accept);
  if (response.status === 404) return undefined;
  if (response.status !== 200) throw new Error(`GET manifest ${repository}:${tag} returned ${response.status}`);
  const digest = response.headers['docker-content-digest'];
  return typeof digest === 'string' ? digest : undefined;
}

/**
 * Starts Debian's docker-registry on loopback with HTTPS, using a certificate
 * from a CA generated under `dir/tls` (so a client trusts it only when given
 * that CA), and optionally htpasswd credentials.
 */
export async function startTlsRegistry(dir: string, options: { credentials?: { username: string; password: string } } = {}): Promise<TlsRegistry> {
  const root = join(dir, 'tls-registry');
  await mkdir(root, { recursive: true });
  const certificates = await createCertificates(join(dir, 'tls'));
  const port = await freePort();
  const lines = [
    'version: 0.1', 'log:', '  level: warn', 'storage:', '  filesystem:', `    rootdirectory: ${join(root, 'data')}`,
    'http:', `  addr: 127.0.0.1:${port}`, '  tls:', `    certificate: ${certificates.certFile}`, `    key: ${certificates.keyFile}`,
  ];
  if (options.credentials) {
    const { stdout } = await execa('htpasswd', ['-nbB', '-C', '4', options.credentials.username, options.credentials.password]);
    await writeFile(join(root, 'htpasswd'), `${stdout.trim()}\n`, { mode: 0o600 });
    lines.push('auth:', '  htpasswd:', '    realm: kiln', `    path: ${join(root, 'htpasswd')}`);
  }
  const configPath = join(root, 'config.yml');
  await writeFile(configPath, `${lines.join('\n')}\n`);
  const registryProcess = startProcess({ name: 'docker-registry (TLS)', command: 'docker-registry', args: ['serve', configPath], logFile: join(dir, 'tls-registry.log') });
  const registry: TlsRegistry = { address: `127.0.0.1:${port}`, certificates, process: registryProcess };
  if (options.credentials) Object.assign(registry, options.credentials);
  await waitFor('the TLS registry to answer /v2/', async () => {
    const response = await tlsRegistryGet(registry, '/v2/').catch(() => undefined);
    return response !== undefined && (response.status === 200 || response.status === 401) ? true : undefined;
  });
  return registry;
}
