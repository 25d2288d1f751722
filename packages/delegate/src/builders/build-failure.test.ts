import { isKilnError } from '@kiln/protocol';
import { OutputTail, classifyBuildFailure } from './build-failure.js';
import type { BuildRequest } from './build-request.js';

const REQUEST = {
  registry: '127.0.0.1:5000', repository: 'kiln/app', dockerfile: '/ws/Dockerfile',
  credentialSources: { '127.0.0.1:5000': 'connector "account.local" (username kiln, password from secret "account.pw")' },
} as unknown as BuildRequest;

function classify(lines: string[], phase: 'build' | 'push', exitCode = 125, destination?: string) {
  const tail = new OutputTail();
  for (const line of lines) tail.push(line);
  const context = { builder: 'buildah', phase, request: REQUEST, exitCode };
  return classifyBuildFailure(tail, destination === undefined ? context : { ...context, destination });
}

describe('classifyBuildFailure', () => {
  it.each([
    ['a rejected login', 'Error: pushing image: unauthorized: authentication required', 'REGISTRY_UNAUTHORIZED', 'Authentication'],
    ['a denied push', 'Error: writing blob: denied: requested access to the resource is denied', 'REGISTRY_DENIED', 'Authorization'],
    ['an unknown base image', 'Error: creating build container: initializing source docker://127.0.0.1:5000/kiln/base:9: reading manifest 9 in 127.0.0.1:5000/kiln/base: manifest unknown: manifest unknown', 'IMAGE_NOT_FOUND', 'ConfigurationFailure'],
    ['an untrusted certificate', 'Error: pinging container registry 127.0.0.1:5443: Get "https://127.0.0.1:5443/v2/": x509: certificate signed by unknown authority', 'REGISTRY_TLS', 'Connectivity'],
    ['a refused connection', 'Error: pinging container registry 127.0.0.1:1: Get "https://127.0.0.1:1/v2/": dial tcp 127.0.0.1:1: connect: connection refused', 'REGISTRY_UNREACHABLE', 'Connectivity'],
    ['a DNS failure', 'Error: pinging container registry nope.invalid: dial tcp: lookup nope.invalid: no such host', 'REGISTRY_UNREACHABLE', 'Connectivity'],
    ['rate limiting', 'Error: reading manifest: toomanyrequests: You have reached your pull rate limit', 'REGISTRY_RATE_LIMITED', 'Connectivity'],
    ['a server error', 'Error: writing blob: uploading layer chunked: received unexpected HTTP status: 502 Bad Gateway', 'REGISTRY_ERROR', 'Connectivity'],
    ['a full disk', 'Error: committing container: write /var/lib/containers/x: no space left on device', 'BUILDER_OUT_OF_RESOURCES', 'ResourceLimitsFailure'],
    ['a missing user namespace', 'Error: error running container: unshare(CLONE_NEWUSER): Operation not permitted', 'BUILDER_INFRASTRUCTURE', 'InfrastructureFailure'],
  ])('classifies %s', (_name, line, code, failureType) => {
    const error = classify([line], 'push', 125, '127.0.0.1:5000/kiln/app:1');
    expect(error.code).toBe(code);
    expect(error.details.failureType).toBe(failureType);
  });

  it('names registry, repository, tag and credential source, never the password', () => {
    const error = classify(['Error: pushing image: unauthorized: authentication required'], 'push', 125, '127.0.0.1:5000/kiln/app:1');
    expect(error.message).toContain('push to registry 127.0.0.1:5000, repository kiln/app, tag 1');
    expect(error.message).toContain('connector "account.local"');
  });

  it('names the base image of a failed pull', () => {
    const error = classify(['Error: creating build container: initializing source docker://127.0.0.1:5000/kiln/base:9: reading manifest 9: manifest unknown'], 'build');
    expect(error.message).toContain('pull of registry 127.0.0.1:5000, repository kiln/base, tag 9');
  });

  it('reports a failing RUN with its exit code', () => {
    const error = classify(['error building at STEP "RUN exit 3": while running runtime: exit status 3'], 'build', 3);
    expect(isKilnError(error, 'BUILD_FAILED')).toBe(true);
    expect(error.details).toMatchObject({ exitCode: 3, failureType: 'Application' });
  });

  it('treats exit code 137 as out of memory', () => {
    expect(classify(['Killed'], 'build', 137).code).toBe('BUILDER_OUT_OF_RESOURCES');
  });
});
