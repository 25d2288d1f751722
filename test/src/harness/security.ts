import { request } from 'node:https';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { execa } from 'execa';
import { CLI_BIN, DELEGATE_BIN, MANAGER_BIN, REPO_ROOT, parseJsonLine, type Manager } from './kiln.js';
import { freePort, startProcess, waitFor, waitForLine, type ManagedProcess } from './process.js';
import { createCertificates, type TestCertificates } from './tls-registry.js';

/** A test CA with a server certificate for 127.0.0.1 and a client certificate, all under one directory. */
export interface TlsMaterial extends TestCertificates {
  caKeyFile: string;
  clientCertFile: string;
  clientKeyFile: string;
}

/** Generates a CA, a server certificate for 127.0.0.1 and localhost, and a client certificate (clientAuth) under `dir` with openssl. */
export async function createTlsMaterial(dir: string): Promise<TlsMaterial> {
  const certificates = await createCertificates(dir);
  const caKeyFile = join(dir, 'ca.key');
  const clientKeyFile = join(dir, 'client.key');
  const clientCertFile = join(dir, 'client.crt');
  const csr = join(dir, 'client.csr');
  const extensions = join(dir, 'client.ext');
  await execa('openssl', ['req', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', clientKeyFile, '-out', csr, '-subj', '/CN=kiln test client']);
  await writeFile(extensions, ['basicConstraints=CA:FALSE', 'extendedKeyUsage=clientAuth', ''].join('\n'));
  await execa('openssl', ['x509', '-req', '-in', csr, '-CA', certificates.caFile, '-CAkey', caKeyFile, '-CAcreateserial', '-out', clientCertFile, '-days', '2', '-extfile', extensions]);
  return { ...certificates, caKeyFile, clientCertFile, clientKeyFile };
}

/** Returns the status of GET `url` over HTTPS, trusting only `caFile`. */
export async function httpsStatus(url: string, caFile: string): Promise<number> {
  const ca = await readFile(caFile);
  return new Promise((resolve, reject) => {
    const req = request(url, { ca }, (response) => {
      response.resume();
      resolve(response.statusCode ?? 0);
    });
    req.on('error', reject);
    req.end();
  });
}

export interface TlsManagerOptions {
  natsUrl: string;
  apiToken: string;
  delegateToken: string;
  tls: TlsMaterial;
  /** Require client certificates signed by the test CA on gRPC. */
  mutual?: boolean;
  extraArgs?: string[];
}

/** Starts kiln-manager serving gRPC and HTTP over TLS on loopback and waits until /readyz answers over HTTPS. */
export async function startTlsManager(dir: string, options: TlsManagerOptions): Promise<Manager> {
  const dataDir = join(dir, 'manager');
  await mkdir(dataDir, { recursive: true });
  const args = [
    MANAGER_BIN, '--data-dir', dataDir, '--grpc-listen', '127.0.0.1:0', '--http-listen', '127.0.0.1:0', '--nats-url', options.natsUrl,
    '--tls-cert', options.tls.certFile, '--tls-key', options.tls.keyFile,
    ...(options.mutual === true ? ['--client-ca', options.tls.caFile] : []),
    ...(options.extraArgs ?? []),
  ];
  const manager = startProcess({
    name: 'kiln-manager (TLS)',
    command: process.execPath,
    args,
    env: { ...process.env, KILN_API_TOKEN: options.apiToken, KILN_DELEGATE_TOKEN: options.delegateToken },
    logFile: join(dir, 'manager.log'),
  });
  const addresses = await waitForLine(manager, (line) => {
    const record = parseJsonLine(line);
    return record?.msg === 'manager listening' && typeof record.grpc === 'string' && typeof record.http === 'string' ? { grpc: record.grpc, http: record.http } : undefined;
  });
  await waitFor('the TLS manager to be ready', async () => ((await httpsStatus(`https://${addresses.http}/readyz`, options.tls.caFile)) === 200 ? true : undefined));
  return { ...addresses, dataDir, apiToken: options.apiToken, delegateToken: options.delegateToken, process: manager };
}

export interface SecureDelegateOptions {
  name: string;
  manager: Manager;
  /** YAML lines of the delegate config beyond manager, token, name, tags, workDir and healthListen, e.g. a `tls:` section. */
  extraConfig: string[];
}

/** Writes a delegate config under `dir/<name>` and starts kiln-delegate without waiting for it to register. */
export async function launchDelegate(dir: string, options: SecureDelegateOptions): Promise<{ process: ManagedProcess; configPath: string }> {
  const workDir = join(dir, options.name);
  await mkdir(workDir, { recursive: true });
  const tokenFile = join(workDir, 'token');
  await writeFile(tokenFile, `${options.manager.delegateToken}\n`, { mode: 0o600 });
  const config = [
    `manager: ${options.manager.grpc}`, `tokenFile: ${tokenFile}`, `name: ${options.name}`, 'tags: [local]', 'capacity: 1',
    `workDir: ${join(workDir, 'work')}`, 'healthListen: 127.0.0.1:0', 'builder:', '  type: buildah', '  storageDriver: vfs', '  isolation: chroot',
    ...options.extraConfig, '',
  ].join('\n');
  const configPath = join(workDir, 'delegate.yaml');
  await writeFile(configPath, config, { mode: 0o600 });
  const delegate = startProcess({ name: `kiln-delegate ${options.name}`, command: process.execPath, args: [DELEGATE_BIN, '--config', configPath], logFile: join(dir, `${options.name}.log`) });
  return { process: delegate, configPath };
}

/** Runs the kiln CLI against a TLS manager with the given extra global flags; never throws on a non-zero exit. */
export function kilnTls(manager: Manager, globalFlags: string[], args: string[], timeoutMs = 120_000) {
  return execa(process.execPath, [CLI_BIN, ...globalFlags, ...args], {
    env: { KILN_MANAGER: manager.grpc, KILN_TOKEN: manager.apiToken },
    reject: false,
    timeout: timeoutMs,
  });
}

/** A nats-server started with a config from scripts/nats-config.mjs, and the directory of its password files. */
export interface SecuredNats {
  url: string;
  secretsDir: string;
  process: ManagedProcess;
}

/** Generates a config with scripts/nats-config.mjs (loopback, free port) and starts nats-server with it. */
export async function startSecuredNats(dir: string, delegateNames: string[] = []): Promise<SecuredNats> {
  const root = join(dir, 'secured-nats');
  await mkdir(root, { recursive: true });
  const port = await freePort();
  const configFile = join(root, 'nats.conf');
  const secretsDir = join(root, 'secrets');
  const delegates = delegateNames.flatMap((name) => ['--delegate', name]);
  await execa(process.execPath, [join(REPO_ROOT, 'scripts/nats-config.mjs'), '--out', configFile, '--secrets-dir', secretsDir, '--listen', `127.0.0.1:${port}`, '--store-dir', join(root, 'jetstream'), ...delegates]);
  const nats = startProcess({ name: 'nats-server (users)', command: '/usr/sbin/nats-server', args: ['-c', configFile], logFile: join(dir, 'secured-nats.log') });
  const url = `nats://127.0.0.1:${port}`;
  await waitFor('nats-server with users to accept connections', async () => {
    const { connect } = await import('node:net');
    return new Promise<true | undefined>((resolve) => {
      const socket = connect({ host: '127.0.0.1', port });
      socket.once('connect', () => {
        socket.destroy();
        resolve(true);
      });
      socket.once('error', () => resolve(undefined));
    });
  });
  return { url, secretsDir, process: nats };
}
