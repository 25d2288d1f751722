import { readFileSync } from 'node:fs';
import { KilnError } from '@kiln/protocol';
import { isLoopbackHost } from './http/web-app.js';

/** TLS material of the gRPC and HTTP listeners, read from the files given on the command line. */
export interface ManagerTlsOptions {
  /** PEM certificate chain (`--tls-cert`). */
  cert: Buffer;
  /** PEM private key (`--tls-key`). */
  key: Buffer;
  /** PEM CA bundle that signs client certificates (`--client-ca`); when set, gRPC requires and verifies one. */
  clientCa?: Buffer;
}

/** NATS user of the manager; the password comes from `--nats-password-file`. */
export interface NatsAuthOptions {
  user: string;
  pass: string;
}

/** Options of kiln-manager after parsing and validation. Durations are in milliseconds. */
export interface ManagerOptions {
  grpcListen: { host: string; port: number };
  httpListen: { host: string; port: number };
  dataDir: string;
  natsUrl: string;
  natsPublicUrl: string;
  pollTimeoutMs: number;
  offerAckDeadlineMs: number;
  leaseTtlMs: number;
  /** A delegate without a heartbeat for this long is lost; delegates heartbeat every third of it. */
  heartbeatTimeoutMs: number;
  /** A task queued for longer than this expires with its execution. */
  queueTtlMs: number;
  logLevel: string;
  delegateToken: string;
  apiToken: string;
  /** Serve gRPC and HTTP over TLS; undefined serves plaintext, which only a loopback address or `--allow-plaintext` permits. */
  tls?: ManagerTlsOptions;
  /** Plaintext on a non-loopback address was allowed with `--allow-plaintext`. */
  allowPlaintext: boolean;
  /** NATS user and password; undefined connects without credentials. */
  natsAuth?: NatsAuthOptions;
}

/** The flag values as commander returns them. */
export interface RawFlags {
  grpcListen: string;
  httpListen: string;
  dataDir?: string;
  natsUrl: string;
  natsPublicUrl?: string;
  pollTimeout: string;
  offerAckDeadline: string;
  leaseTtl: string;
  heartbeatTimeout: string;
  queueTtl: string;
  logLevel: string;
  tlsCert?: string;
  tlsKey?: string;
  clientCa?: string;
  allowPlaintext?: boolean;
  natsUser?: string;
  natsPasswordFile?: string;
}

/** Reads a file a flag names; injectable for tests. */
export type FileReader = (file: string) => Buffer;

const UNITS_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };
export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];

/**
 * Parses a duration such as `500ms`, `30s`, `5m` or `1h` into milliseconds.
 * @throws KilnError INVALID_ARGUMENT naming the flag and the expected form.
 */
export function parseDuration(value: string, flag: string): number {
  const match = /^(\d+(?:\.\d+)?)(ms|s|m|h)$/.exec(value.trim());
  if (match === null) throw new KilnError('INVALID_ARGUMENT', `${flag} ${JSON.stringify(value)} is not a duration: expected a number with ms, s, m or h, e.g. 30s or 5m`);
  const ms = Math.round(Number(match[1]) * (UNITS_MS[match[2] as string] as number));
  if (ms <= 0) throw new KilnError('INVALID_ARGUMENT', `${flag} ${value} must be greater than zero`);
  return ms;
}

/**
 * Parses HOST:PORT (`[::1]:7443` for IPv6); port 0 picks a free port.
 * @throws KilnError INVALID_ARGUMENT naming the flag.
 */
export function parseListen(value: string, flag: string): { host: string; port: number } {
  const match = /^(?:\[([^\]]+)\]|([^:]+)):(\d{1,5})$/.exec(value.trim());
  const port = Number(match?.[3]);
  if (match === null || port > 65535) throw new KilnError('INVALID_ARGUMENT', `${flag} ${JSON.stringify(value)} is invalid: expected HOST:PORT with a port from 0 to 65535, e.g. 127.0.0.1:7443`);
  return { host: (match[1] ?? match[2]) as string, port };
}

function parseNatsUrls(value: string, flag: string): string {
  for (const url of value.split(',')) {
    if (!/^(nats|tls|ws|wss):\/\/[^\s/]+/.test(url.trim())) {
      throw new KilnError('INVALID_ARGUMENT', `${flag} ${JSON.stringify(url)} is not a NATS URL: expected e.g. nats://127.0.0.1:4222 (several separated by commas)`);
    }
  }
  return value;
}

function readFlagFile(file: string, flag: string, readFile: FileReader): Buffer {
  try {
    return readFile(file);
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code ?? (error instanceof Error ? error.message : String(error));
    throw new KilnError('INVALID_ARGUMENT', `${flag} ${file} cannot be read (${reason}): give a readable PEM file`);
  }
}

/**
 * Reads the TLS files and checks that plaintext listens only on loopback unless `--allow-plaintext` is given.
 * @throws KilnError INVALID_ARGUMENT naming the flag and the path of a missing or unreadable file.
 */
function parseTls(flags: RawFlags, listens: { host: string }[], readFile: FileReader): ManagerTlsOptions | undefined {
  if ((flags.tlsCert === undefined) !== (flags.tlsKey === undefined)) {
    throw new KilnError('INVALID_ARGUMENT', '--tls-cert and --tls-key go together: give both to serve TLS, or neither');
  }
  if (flags.tlsCert === undefined || flags.tlsKey === undefined) {
    if (flags.clientCa !== undefined) throw new KilnError('INVALID_ARGUMENT', '--client-ca needs --tls-cert and --tls-key: client certificates are verified only over TLS');
    const exposed = listens.find((listen) => !isLoopbackHost(listen.host));
    if (exposed !== undefined && flags.allowPlaintext !== true) {
      throw new KilnError('INVALID_ARGUMENT', `the manager would listen on ${exposed.host} without TLS: give --tls-cert and --tls-key, listen on 127.0.0.1, or pass --allow-plaintext when a proxy or private network protects the traffic`);
    }
    return undefined;
  }
  const tls: ManagerTlsOptions = { cert: readFlagFile(flags.tlsCert, '--tls-cert', readFile), key: readFlagFile(flags.tlsKey, '--tls-key', readFile) };
  if (flags.clientCa !== undefined) tls.clientCa = readFlagFile(flags.clientCa, '--client-ca', readFile);
  return tls;
}

function parseNatsAuth(flags: RawFlags, readFile: FileReader): NatsAuthOptions | undefined {
  if ((flags.natsUser === undefined) !== (flags.natsPasswordFile === undefined)) {
    throw new KilnError('INVALID_ARGUMENT', '--nats-user and --nats-password-file go together: give both to connect to NATS as a user, or neither');
  }
  if (flags.natsUser === undefined || flags.natsPasswordFile === undefined) return undefined;
  const pass = readFlagFile(flags.natsPasswordFile, '--nats-password-file', readFile).toString('utf8').trim();
  if (pass === '') throw new KilnError('INVALID_ARGUMENT', `--nats-password-file ${flags.natsPasswordFile} is empty: write the NATS password of user ${flags.natsUser} into it`);
  return { user: flags.natsUser, pass };
}

/**
 * Validates flags and environment into `ManagerOptions`.
 * @throws KilnError INVALID_ARGUMENT naming the first bad flag or missing variable.
 */
export function parseOptions(flags: RawFlags, env: NodeJS.ProcessEnv, readFile: FileReader = (file) => readFileSync(file)): ManagerOptions {
  if (!flags.dataDir) throw new KilnError('INVALID_ARGUMENT', '--data-dir is required: give the directory that holds kiln.db, e.g. --data-dir /var/lib/kiln');
  if (!LOG_LEVELS.includes(flags.logLevel)) throw new KilnError('INVALID_ARGUMENT', `--log-level ${JSON.stringify(flags.logLevel)} is invalid: expected one of ${LOG_LEVELS.join(', ')}`);
  const natsUrl = parseNatsUrls(flags.natsUrl, '--nats-url');
  const parsed = {
    grpcListen: parseListen(flags.grpcListen, '--grpc-listen'),
    httpListen: parseListen(flags.httpListen, '--http-listen'),
    dataDir: flags.dataDir,
    natsUrl,
    natsPublicUrl: flags.natsPublicUrl ? parseNatsUrls(flags.natsPublicUrl, '--nats-public-url') : natsUrl,
    pollTimeoutMs: parseDuration(flags.pollTimeout, '--poll-timeout'),
    offerAckDeadlineMs: parseDuration(flags.offerAckDeadline, '--offer-ack-deadline'),
    leaseTtlMs: parseDuration(flags.leaseTtl, '--lease-ttl'),
    heartbeatTimeoutMs: parseDuration(flags.heartbeatTimeout, '--heartbeat-timeout'),
    queueTtlMs: parseDuration(flags.queueTtl, '--queue-ttl'),
    logLevel: flags.logLevel,
  };
  const delegateToken = env.KILN_DELEGATE_TOKEN ?? '';
  const apiToken = env.KILN_API_TOKEN ?? '';
  if (!delegateToken) throw new KilnError('INVALID_ARGUMENT', 'environment variable KILN_DELEGATE_TOKEN is missing or empty: set it to the token delegates register with');
  if (!apiToken) throw new KilnError('INVALID_ARGUMENT', 'environment variable KILN_API_TOKEN is missing or empty: set it to the token the kiln CLI sends');
  const tls = parseTls(flags, [parsed.grpcListen, parsed.httpListen], readFile);
  const natsAuth = parseNatsAuth(flags, readFile);
  const options: ManagerOptions = { ...parsed, delegateToken, apiToken, allowPlaintext: flags.allowPlaintext === true };
  if (tls !== undefined) options.tls = tls;
  if (natsAuth !== undefined) options.natsAuth = natsAuth;
  return options;
}
