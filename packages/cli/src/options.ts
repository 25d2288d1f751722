import { readFileSync } from 'node:fs';
import { parseDuration } from '@kiln/pipeline';
import { usageError } from './errors.js';

export type OutputFormat = 'text' | 'json';

/** Default manager gRPC address, the same as kiln-manager's default --grpc-listen. */
export const DEFAULT_MANAGER_ADDRESS = '127.0.0.1:7443';

/** Global options after validation: where the manager is, how to authenticate and how to print. */
export interface GlobalOptions {
  /** `HOST:PORT` of the manager's gRPC listener. */
  manager: string;
  /** Source of `manager` for error messages: `--manager`, `KILN_MANAGER` or `default`. */
  managerSource: string;
  /** API token, or undefined when neither --token nor KILN_TOKEN is set. */
  token: string | undefined;
  output: OutputFormat;
  /** TLS towards the manager; undefined is plaintext. */
  tls?: ClientTls;
}

/** PEM material for a TLS connection to the manager, with where each part came from for error messages. */
export interface ClientTls {
  /** CA bundle that verifies the manager; undefined uses the system store. */
  ca?: Buffer;
  /** `--ca-file PATH`, `KILN_CA_FILE PATH` or `the system CA store`. */
  caSource: string;
  /** Client certificate and key for mutual TLS; both or neither. */
  cert?: Buffer;
  key?: Buffer;
  certSource?: string;
}

/** Raw global options as commander parsed them, before validation. */
export interface RawGlobalOptions {
  manager?: string;
  token?: string;
  output?: string;
  caFile?: string;
  tls?: boolean;
  cert?: string;
  key?: string;
}

/** Returns the flag value, else the environment variable's, with its source; undefined when neither is set. */
function flagOrEnv(flagValue: string | undefined, flag: string, env: NodeJS.ProcessEnv, name: string): { path: string; source: string } | undefined {
  if (flagValue !== undefined && flagValue !== '') return { path: flagValue, source: flag };
  const fromEnv = env[name];
  return fromEnv === undefined || fromEnv === '' ? undefined : { path: fromEnv, source: name };
}

function readPemFile(file: { path: string; source: string }): Buffer {
  try {
    return readFileSync(file.path);
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code ?? (error as Error).message;
    throw usageError(`cannot read ${file.source} '${file.path}' (${reason})`, `Give a readable PEM file to ${file.source}.`);
  }
}

/**
 * Reads the TLS settings: `--ca-file`/KILN_CA_FILE verifies the manager with that CA, `--tls` alone uses the
 * system store, and `--cert`/`--key` (KILN_CERT_FILE/KILN_KEY_FILE) add a client certificate. Returns undefined
 * for plaintext. Throws INVALID_ARGUMENT naming the flag or variable and the path of an unreadable file.
 */
export function parseClientTls(raw: RawGlobalOptions, env: NodeJS.ProcessEnv): ClientTls | undefined {
  const caFile = flagOrEnv(raw.caFile, '--ca-file', env, 'KILN_CA_FILE');
  const certFile = flagOrEnv(raw.cert, '--cert', env, 'KILN_CERT_FILE');
  const keyFile = flagOrEnv(raw.key, '--key', env, 'KILN_KEY_FILE');
  if ((certFile === undefined) !== (keyFile === undefined)) {
    throw usageError('--cert and --key go together', 'Give both (or KILN_CERT_FILE and KILN_KEY_FILE) for mutual TLS, or neither.');
  }
  if (caFile === undefined && certFile === undefined && raw.tls !== true) return undefined;
  const tls: ClientTls = { caSource: caFile === undefined ? 'the system CA store' : `${caFile.source} ${caFile.path}` };
  if (caFile !== undefined) tls.ca = readPemFile(caFile);
  if (certFile !== undefined && keyFile !== undefined) {
    tls.cert = readPemFile(certFile);
    tls.key = readPemFile(keyFile);
    tls.certSource = `${certFile.source} ${certFile.path}`;
  }
  return tls;
}

/**
 * Validates the global options once, with flags taking precedence over the
 * environment. Throws a KilnError (INVALID_ARGUMENT) naming the flag or
 * variable and the expected form.
 */
export function parseGlobalOptions(raw: RawGlobalOptions, env: NodeJS.ProcessEnv): GlobalOptions {
  let manager = DEFAULT_MANAGER_ADDRESS;
  let managerSource = 'default';
  if (raw.manager !== undefined) {
    manager = raw.manager;
    managerSource = '--manager';
  } else if (env.KILN_MANAGER !== undefined && env.KILN_MANAGER !== '') {
    manager = env.KILN_MANAGER;
    managerSource = 'KILN_MANAGER';
  }
  checkHostPort(manager, managerSource);

  const token = nonEmpty(raw.token) ?? nonEmpty(env.KILN_TOKEN);
  const output = raw.output ?? 'text';
  if (output !== 'text' && output !== 'json') {
    throw usageError(`invalid --output '${output}'`, 'Use --output text or --output json.');
  }
  const tls = parseClientTls(raw, env);
  return tls === undefined ? { manager, managerSource, token, output } : { manager, managerSource, token, output, tls };
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value === '' ? undefined : value;
}

/** Checks `HOST:PORT` (IPv6 hosts in brackets, e.g. `[::1]:7443`) with a port from 1 to 65535. */
export function checkHostPort(value: string, source: string): void {
  const match = /^(\[[0-9a-fA-F:.]+\]|[^\s:/[\]]+):(\d{1,5})$/.exec(value);
  const port = match === null ? NaN : Number(match[2]);
  if (match === null || port < 1 || port > 65535) {
    throw usageError(
      `invalid manager address '${value}' from ${source === 'default' ? 'the default' : source}`,
      'Give HOST:PORT with a port from 1 to 65535, e.g. --manager 127.0.0.1:7443 or KILN_MANAGER=manager.example:7443.',
    );
  }
}

/** Parses a whole number in [min, max] given to `flag`; throws INVALID_ARGUMENT otherwise. */
export function parseIntegerOption(value: string, flag: string, min: number, max: number): number {
  if (!/^\d+$/.test(value) || Number(value) < min || Number(value) > max) {
    throw usageError(`invalid ${flag} '${value}'`, `Give a whole number from ${min} to ${max}.`);
  }
  return Number(value);
}

/** Parses a duration such as `30s` or `2m` given to `flag` into milliseconds; throws INVALID_ARGUMENT when it is not one or is 0. */
export function parseDurationOption(value: string, flag: string): number {
  const ms = parseDuration(value.trim());
  if (ms === undefined || ms <= 0) {
    throw usageError(`invalid ${flag} '${value}'`, 'Give a positive duration with a unit, e.g. 30s, 2m or 1m30s.');
  }
  return ms;
}

/**
 * Checks an EXECUTION argument: an execution id, or `PIPELINE/SEQUENCE_ID`
 * whose last part is a Build ID (a positive whole number).
 */
export function parseExecutionRef(value: string): string {
  const ref = value.trim();
  if (ref === '') {
    throw usageError('missing EXECUTION', 'Give an execution id or PIPELINE/SEQUENCE_ID, e.g. CI_Quickstart/2.');
  }
  if (ref.includes('/')) {
    const parts = ref.split('/');
    const sequence = parts.at(-1) ?? '';
    if (parts.some((part) => part === '') || !/^[1-9]\d*$/.test(sequence)) {
      throw usageError(
        `invalid EXECUTION '${value}'`,
        'Give an execution id or PIPELINE/SEQUENCE_ID with a Build ID from 1 up, e.g. CI_Quickstart/2.',
      );
    }
  }
  return ref;
}
