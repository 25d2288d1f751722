import path from 'node:path';
import type { ConfigReader, RawValue } from './config-reader.js';
import type { ManagerTlsConfig, NatsAuthConfig } from './delegate-config.js';

const TLS_KEYS = ['ca', 'cert', 'key'] as const;

function isMapping(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Returns true for `localhost`, 127.0.0.0/8 and ::1, the hosts plaintext gRPC may reach without `allowPlaintext`. */
export function isLoopbackHost(host: string): boolean {
  const bare = host.replace(/^\[|\]$/g, '');
  return bare === 'localhost' || bare === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(bare);
}

/** Reads one PEM file a config key names, resolved against the config file; records a problem naming the key and path when it cannot. */
function readPem(reader: ConfigReader, key: string, value: unknown, file: string, readFile: (file: string) => string): { file: string; pem: string } | undefined {
  const relative = reader.string({ value, origin: { kind: 'file', key: `tls.${key}`, file } });
  if (relative === undefined) return undefined;
  const resolved = path.resolve(path.dirname(file), relative);
  try {
    return { file: resolved, pem: readFile(resolved) };
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code ?? (error instanceof Error ? error.message : String(error));
    reader.problems.push(`cannot read ${resolved} (key "tls.${key}" in ${file}): ${reason}; give a readable PEM file`);
    return undefined;
  }
}

/**
 * Reads the `tls:` section: `ca` verifies the manager (the system store when absent), `cert` and `key` add a
 * client certificate for mutual TLS. Returns undefined when the section is absent, so gRPC stays plaintext.
 */
export function readManagerTls(reader: ConfigReader, values: Record<string, unknown>, file: string | undefined, readFile: (file: string) => string): ManagerTlsConfig | undefined {
  const section = values.tls;
  if (section === undefined || section === null || file === undefined) return undefined;
  if (!isMapping(section)) {
    reader.problems.push(`invalid key "tls" in ${file}: expected a mapping with ${TLS_KEYS.join(', ')}, e.g. { ca: ca.crt }`);
    return undefined;
  }
  for (const key of Object.keys(section)) {
    if (!(TLS_KEYS as readonly string[]).includes(key)) reader.problems.push(`unknown key "tls.${key}" in ${file}: known keys are ${TLS_KEYS.join(', ')}`);
  }
  if ((section.cert === undefined) !== (section.key === undefined)) {
    reader.problems.push(`"tls.cert" and "tls.key" in ${file} go together: give both for mutual TLS, or neither`);
  }
  const tls: ManagerTlsConfig = {};
  const ca = section.ca === undefined ? undefined : readPem(reader, 'ca', section.ca, file, readFile);
  const cert = section.cert === undefined ? undefined : readPem(reader, 'cert', section.cert, file, readFile);
  const key = section.key === undefined ? undefined : readPem(reader, 'key', section.key, file, readFile);
  if (ca !== undefined) Object.assign(tls, { caFile: ca.file, ca: ca.pem });
  if (cert !== undefined) Object.assign(tls, { certFile: cert.file, cert: cert.pem });
  if (key !== undefined) Object.assign(tls, { keyFile: key.file, key: key.pem });
  return tls;
}

/** Reads `nats.user` and `nats.passwordFile` (resolved against the config file); both or neither. */
export function readNatsAuth(reader: ConfigReader, values: Record<string, unknown>, file: string | undefined, readFile: (file: string) => string): NatsAuthConfig | undefined {
  const nats = values.nats;
  if (!isMapping(nats) || file === undefined) return undefined;
  const raw = (key: string): RawValue | undefined => (nats[key] === undefined ? undefined : { value: nats[key], origin: { kind: 'file', key: `nats.${key}`, file } });
  const user = reader.string(raw('user'));
  const passwordFile = reader.string(raw('passwordFile'));
  if ((nats.user === undefined) !== (nats.passwordFile === undefined)) {
    reader.problems.push(`"nats.user" and "nats.passwordFile" in ${file} go together: give both to connect to NATS as a user, or neither`);
    return undefined;
  }
  if (user === undefined || passwordFile === undefined) return undefined;
  const resolved = path.resolve(path.dirname(file), passwordFile);
  try {
    const pass = readFile(resolved).trim();
    if (pass !== '') return { user, pass, passwordFile: resolved };
    reader.problems.push(`NATS password file ${resolved} (key "nats.passwordFile" in ${file}) is empty`);
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code ?? (error instanceof Error ? error.message : String(error));
    reader.problems.push(`cannot read NATS password file ${resolved} (key "nats.passwordFile" in ${file}): ${reason}`);
  }
  return undefined;
}

/** Records a problem when gRPC to a non-loopback manager would be plaintext without `allowPlaintext: true`. */
export function checkPlaintext(reader: ConfigReader, manager: string, tls: ManagerTlsConfig | undefined, allowPlaintext: boolean, file: string | undefined): void {
  const host = manager.replace(/:\d+$/, '');
  if (tls !== undefined || allowPlaintext || isLoopbackHost(host)) return;
  const where = file === undefined ? '' : ` in ${file}`;
  reader.problems.push(`the manager ${manager} is not a loopback address and no "tls" section is set${where}: add tls: { ca: FILE } to verify the manager, or allowPlaintext: true when a private network protects the traffic`);
}
