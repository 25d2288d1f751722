import { KilnError, type ErrorCode } from '@kiln/protocol';
import { credentialSourceOf, type BuildRequest } from './build-request.js';
import { parseImageReference } from './image-ref.js';

/** Recent output lines of a builder process, kept to explain a failure. */
export class OutputTail {
  private readonly lines: string[] = [];

  constructor(private readonly max = 200) {}

  push(line: string): void {
    this.lines.push(line);
    if (this.lines.length > this.max) this.lines.shift();
  }

  find(pattern: RegExp): RegExpExecArray | undefined {
    for (let index = this.lines.length - 1; index >= 0; index -= 1) {
      const match = pattern.exec(this.lines[index] ?? '');
      if (match !== null) return match;
    }
    return undefined;
  }

  /** Returns the last error summary line (buildah `Error: ...`, kaniko `error ...`), else the last non-empty line. */
  lastError(): string {
    const error = this.find(/^(?:Error: |error [a-z]+ing |.*level=(?:error|fatal)\b.*?msg=")(.*)$/);
    if (error !== undefined) return error[0].replace(/^Error: /, '');
    return [...this.lines].reverse().find((line) => line.trim() !== '') ?? 'no output';
  }
}

/** A failure class: the stable code, Harness's failure type, the output that identifies it and what to do. */
interface FailureRule {
  code: ErrorCode;
  failureType: string;
  pattern: RegExp;
  describe: string;
  hint: (credentials: string) => string;
}

/** Checked in order; the first rule whose pattern matches a recent output line wins. */
const RULES: FailureRule[] = [
  { code: 'REGISTRY_TLS', failureType: 'Connectivity', pattern: /x509:|certificate signed by unknown authority|tls: failed to verify|certificate is not valid|certificate has expired/i,
    describe: 'failed: the registry\'s TLS certificate is not trusted',
    hint: () => 'add the CA file as "ca" under "registries:" in the delegate config (or set skipTlsVerify there, or PLUGIN_SKIP_TLS_VERIFY=true)' },
  { code: 'REGISTRY_RATE_LIMITED', failureType: 'Connectivity', pattern: /\b429\b|toomanyrequests|too many requests|rate limit/i,
    describe: 'was rate limited by the registry (HTTP 429)',
    hint: () => 'retry later, authenticate the pulls, or configure a mirror under "registries:" in the delegate config' },
  { code: 'REGISTRY_UNAUTHORIZED', failureType: 'Authentication', pattern: /unauthorized|authentication required|\b401\b|invalid username\/password|no basic auth credentials/i,
    describe: 'was rejected: the registry did not accept the credentials',
    hint: (credentials) => `check the user name and password of ${credentials}` },
  { code: 'REGISTRY_DENIED', failureType: 'Authorization', pattern: /denied:|access to the resource is denied|\b403\b|forbidden/i,
    describe: 'was denied: the credentials are valid but lack permission',
    hint: (credentials) => `grant the user of ${credentials} access to this repository` },
  { code: 'IMAGE_NOT_FOUND', failureType: 'ConfigurationFailure', pattern: /manifest unknown|name unknown|not found: manifest|repository .* not found|does not exist in the registry|404 Not Found|: not found/i,
    describe: 'failed: the repository or tag does not exist',
    hint: () => 'check the image name and tag; create the repository first where the registry (e.g. ECR) does not create it on push' },
  { code: 'REGISTRY_UNREACHABLE', failureType: 'Connectivity', pattern: /connection refused|no such host|i\/o timeout|network is unreachable|no route to host|server gave HTTP response to HTTPS client|TLS handshake timeout|connection reset|EOF$/i,
    describe: 'failed: the registry cannot be reached',
    hint: () => 'check the registry host and port, that it runs, and http:// versus https:// in the connector (or "insecure" under "registries:")' },
  { code: 'REGISTRY_ERROR', failureType: 'Connectivity', pattern: /\b50[0-4]\b|internal server error|bad gateway|service unavailable|gateway timeout/i,
    describe: 'failed with a server error after retries',
    hint: () => 'the registry answered 5xx; retry the step or check the registry' },
  { code: 'BUILDER_OUT_OF_RESOURCES', failureType: 'ResourceLimitsFailure', pattern: /no space left on device|cannot allocate memory|out of memory|oom-?kill|signal: killed/i,
    describe: 'ran out of memory or disk',
    hint: () => 'free disk space in the delegate\'s workDir or give the builder more memory; for kaniko try PLUGIN_COMPRESSED_CACHING=false or PLUGIN_SINGLE_SNAPSHOT=true' },
  { code: 'BUILDER_INFRASTRUCTURE', failureType: 'InfrastructureFailure', pattern: /unshare|overlay.*not supported|fuse: device not found|operation not permitted|error checking push permissions|kaniko should only be run inside of a container|creating .*storage/i,
    describe: 'failed in the builder\'s own setup, not in the Dockerfile',
    hint: () => 'check the builder installation: buildah needs a storage driver and isolation that the host supports (vfs and chroot work almost everywhere); kaniko must run in its own image' },
];

/** The phase of a failed builder run: building (which pulls base images) or pushing one destination. */
export interface FailureContext {
  builder: string;
  phase: 'build' | 'push';
  request: BuildRequest;
  /** The destination being pushed, `host/repository:tag`. */
  destination?: string;
  exitCode: number | undefined;
}

const FAILED_RUN = [
  /building at STEP "(.+)": (?:exit status|exited with status|while running runtime: exit status) (\d+)/,
  /error building image: error building stage: failed to execute command: waiting for process to exit: exit status (\d+)/,
];

/** Finds the image a failed pull or push names in the builder's output (a docker:// reference or a /v2/ URL). */
function imageFromOutput(tail: OutputTail): string | undefined {
  const transport = tail.find(/docker:\/\/(\S+?):?(?:\s|$)/);
  if (transport?.[1] !== undefined) return transport[1].replace(/:$/, '');
  const url = tail.find(/https?:\/\/([^/\s]+)\/v2\/(\S+?)\/(?:manifests|blobs)\/([^\s:"]+)/);
  if (url !== undefined) return `${url[1]}/${url[2]}${url[3]?.startsWith('sha256') === true ? '' : `:${url[3]}`}`;
  return undefined;
}

function failedInstruction(tail: OutputTail): { instruction: string; code: number } | undefined {
  const buildah = tail.find(FAILED_RUN[0] as RegExp);
  if (buildah !== undefined) return { instruction: buildah[1] ?? 'RUN', code: Number(buildah[2]) };
  const kaniko = tail.find(FAILED_RUN[1] as RegExp);
  if (kaniko !== undefined) return { instruction: 'RUN', code: Number(kaniko[1]) };
  return undefined;
}

function describeTarget(context: FailureContext, tail: OutputTail): { text: string; host: string; image: string } {
  const image = context.destination ?? imageFromOutput(tail) ?? `${context.request.registry}/${context.request.repository}`;
  const reference = parseImageReference(image);
  const action = context.phase === 'push' || context.destination !== undefined ? 'push to' : 'pull of';
  const text = `${action} registry ${reference.host}, repository ${reference.repository}${reference.tag === undefined ? '' : `, tag ${reference.tag}`}`;
  return { text, host: reference.host, image };
}

/**
 * Turns a failed builder run into a step error with a stable code and
 * Harness's failure type. A failing RUN instruction is BUILD_FAILED with its
 * exit code (failure type Application); registry failures name the registry,
 * repository, tag and credential source, never a secret.
 */
export function classifyBuildFailure(tail: OutputTail, context: FailureContext): KilnError {
  const base = { exitCode: context.exitCode, registry: context.request.registry, repository: context.request.repository };
  const run = context.phase === 'build' ? failedInstruction(tail) : undefined;
  if (run !== undefined) {
    const message = `Dockerfile instruction ${run.instruction} failed with exit code ${run.code} (${context.request.dockerfile})`;
    return new KilnError('BUILD_FAILED', message, { details: { ...base, exitCode: run.code, failureType: 'Application' } });
  }
  const target = describeTarget(context, tail);
  const credentials = credentialSourceOf(context.request, target.host);
  const killed = context.exitCode === 137 ? RULES.find((rule) => rule.code === 'BUILDER_OUT_OF_RESOURCES') : undefined;
  const rule = killed ?? RULES.find((candidate) => tail.find(candidate.pattern) !== undefined);
  if (rule !== undefined) {
    const subject = rule.code.startsWith('BUILDER_') ? `${context.builder} ${context.phase}` : target.text;
    const message = `${subject} ${rule.describe} (credentials: ${credentials}): ${rule.hint(credentials)}. ${context.builder} reported: ${tail.lastError()}`;
    return new KilnError(rule.code, message, { details: { ...base, image: target.image, failureType: rule.failureType } });
  }
  if (context.phase === 'push') {
    return new KilnError('REGISTRY_ERROR', `${target.text} failed (credentials: ${credentials}): ${tail.lastError()}`, { details: { ...base, failureType: 'Connectivity' } });
  }
  const message = `${context.builder} build failed with exit code ${context.exitCode ?? 'none'}: ${tail.lastError()} (${context.request.dockerfile})`;
  return new KilnError('BUILD_FAILED', message, { details: { ...base, failureType: 'Application' } });
}

/** True for failures a later attempt may not repeat: 5xx, rate limiting and dropped connections. */
export function isTransientFailure(error: KilnError): boolean {
  return error.code === 'REGISTRY_ERROR' || error.code === 'REGISTRY_RATE_LIMITED' || (error.code === 'REGISTRY_UNREACHABLE' && /reset|EOF|timeout/i.test(error.message));
}
