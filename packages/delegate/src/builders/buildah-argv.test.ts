import type { BuildRequest } from './build-request.js';
import { formatCommandLine, renderBudArgs, renderPushArgs, renderRemoveArgs, type BuildahOptions } from './buildah-argv.js';

const OPTIONS: BuildahOptions = { path: 'buildah', storageDriver: 'vfs', isolation: 'chroot', root: '/work/buildah/root', runroot: '/work/buildah/runroot' };

function request(overrides: Partial<BuildRequest> = {}): BuildRequest {
  return {
    registry: { host: '127.0.0.1:5000', insecure: true }, repository: 'kiln/app', tags: ['1', 'latest'],
    dockerfile: '/ws/Dockerfile', context: '/ws', labels: {}, buildArgs: {}, noPush: false,
    authFile: '/task/auth.json', credentialSource: 'connector "account.local_registry"', ...overrides,
  };
}

describe('renderBudArgs', () => {
  it('renders a plain-HTTP build with every destination', () => {
    expect(renderBudArgs(request(), OPTIONS)).toEqual([
      '--storage-driver', 'vfs', '--root', '/work/buildah/root', '--runroot', '/work/buildah/runroot',
      'bud', '--isolation', 'chroot', '--format', 'docker', '--authfile', '/task/auth.json', '-f', '/ws/Dockerfile',
      '-t', '127.0.0.1:5000/kiln/app:1', '-t', '127.0.0.1:5000/kiln/app:latest', '--tls-verify=false', '/ws',
    ]);
  });

  it('keeps each label and build arg whole', () => {
    const args = renderBudArgs(request({
      registry: { host: 'registry.example.com', insecure: false }, tags: ['v1'],
      labels: { 'org.opencontainers.image.revision': 'abc' }, buildArgs: { JAVA_OPTS: "-Xms1g -Xmx2g,x;y='z'" }, target: 'runtime',
    }), OPTIONS);
    expect(args.slice(args.indexOf('-t'))).toEqual([
      '-t', 'registry.example.com/kiln/app:v1',
      '--label', 'org.opencontainers.image.revision=abc',
      '--build-arg', "JAVA_OPTS=-Xms1g -Xmx2g,x;y='z'",
      '--target', 'runtime',
      '/ws',
    ]);
  });
});

describe('renderPushArgs', () => {
  it('pushes one destination with the auth and digest files', () => {
    expect(renderPushArgs(request(), '127.0.0.1:5000/kiln/app:1', '/task/digest-0', OPTIONS)).toEqual([
      '--storage-driver', 'vfs', '--root', '/work/buildah/root', '--runroot', '/work/buildah/runroot',
      'push', '--authfile', '/task/auth.json', '--digestfile', '/task/digest-0', '--tls-verify=false',
      '127.0.0.1:5000/kiln/app:1', 'docker://127.0.0.1:5000/kiln/app:1',
    ]);
  });

  it('verifies TLS for an HTTPS registry', () => {
    const args = renderPushArgs(request({ registry: { host: 'r.example.com', insecure: false } }), 'r.example.com/kiln/app:1', '/d', OPTIONS);
    expect(args).not.toContain('--tls-verify=false');
  });
});

describe('renderRemoveArgs', () => {
  it('removes every local name', () => {
    expect(renderRemoveArgs(request(), OPTIONS).slice(6)).toEqual(['rmi', '--force', '127.0.0.1:5000/kiln/app:1', '127.0.0.1:5000/kiln/app:latest']);
  });
});

describe('formatCommandLine', () => {
  it('quotes arguments a shell would split', () => {
    expect(formatCommandLine('buildah', ['bud', '--build-arg', 'A=b c', "q='x'"])).toBe(`+ buildah bud --build-arg 'A=b c' 'q='\\''x'\\'''`);
  });
});
