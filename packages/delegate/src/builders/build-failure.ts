import { KilnError } from '@kiln/protocol';

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

  /** Returns the last line starting with `Error:` (buildah's summary), else the last non-empty line. */
  lastError(): string {
    const error = this.find(/^Error: (.*)$/);
    if (error !== undefined) return error[1] ?? '';
    return [...this.lines].reverse().find((line) => line.trim() !== '') ?? 'no output';
  }
}

const UNAUTHORIZED = /unauthorized|authentication required|access denied|denied:|401 Unauthorized|403 Forbidden/i;
const UNREACHABLE = /connection refused|no such host|i\/o timeout|network is unreachable|no route to host|server gave HTTP response to HTTPS client|TLS handshake timeout/i;
const FAILED_INSTRUCTION = /building at STEP "(.+)": (?:exit status|exited with status) (\d+)/;

export interface FailureContext {
  phase: 'build' | 'push';
  registry: string;
  repository: string;
  credentialSource: string;
  dockerfile: string;
  exitCode: number | undefined;
}

/**
 * Turns a failed buildah run into a step error: a failing RUN instruction is
 * BUILD_FAILED with the instruction and its exit code. Registry errors are
 * REGISTRY_UNAUTHORIZED or REGISTRY_UNREACHABLE naming the registry, the
 * repository and the credential source. Anything else is BUILD_FAILED
 * (build) or REGISTRY_ERROR (push) with buildah's error line.
 */
export function classifyBuildahFailure(tail: OutputTail, context: FailureContext): KilnError {
  const details = { exitCode: context.exitCode, registry: context.registry, repository: context.repository };
  const instruction = tail.find(FAILED_INSTRUCTION);
  if (context.phase === 'build' && instruction !== undefined) {
    return new KilnError('BUILD_FAILED', `Dockerfile instruction ${instruction[1]} failed with exit code ${instruction[2]} (${context.dockerfile})`, { details });
  }
  const action = context.phase === 'push' ? 'push to' : 'pull from';
  const target = `registry ${context.registry}, repository ${context.repository}`;
  if (tail.find(UNAUTHORIZED) !== undefined) {
    return new KilnError('REGISTRY_UNAUTHORIZED', `${action} ${target} was not authorized with the credentials of ${context.credentialSource}: check the username and the password secret, and that the user may ${context.phase === 'push' ? 'push to' : 'pull from'} this repository (${tail.lastError()})`, { details });
  }
  if (tail.find(UNREACHABLE) !== undefined) {
    return new KilnError('REGISTRY_UNREACHABLE', `cannot reach ${target} to ${context.phase === 'push' ? 'push' : 'pull'}: check the connector's dockerRegistryUrl (http:// for a plain-HTTP registry) and that the registry is running (${tail.lastError()})`, { details });
  }
  if (context.phase === 'push') {
    return new KilnError('REGISTRY_ERROR', `push to ${target} failed: ${tail.lastError()}`, { details });
  }
  return new KilnError('BUILD_FAILED', `buildah bud failed with exit code ${context.exitCode ?? 'none'}: ${tail.lastError()} (${context.dockerfile})`, { details });
}
