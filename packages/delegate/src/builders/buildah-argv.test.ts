import type { BuildRequest } from './build-request.js';
import { formatCommandLine, renderBudArgs, renderPushArgs, renderRemoveArgs, type BuildahOptions } from './buildah-argv.js';
import { renderRegistriesConf } from './registries-conf.js';

const OPTIONS: BuildahOptions = { path: 'buildah', storageDriver: 'vfs', isolation: 'chroot', root: '/work/buildah/root', runroot: '/work/buildah/runroot' };
const FILES = { registriesConf: '/task/buildah/registries.conf' };
const GLOBAL = ['--storage-driver', 'vfs', '--root', '/work/buildah/root', '--runroot', '/work/buildah/runroot', '--registries-conf', '/task/buildah/registries.conf'];

function request(overrides: Partial<BuildRequest> = {}): BuildRequest {
  return {
    stepType: 'BuildAndPushDockerRegistry', registry: '127.0.0.1:5000', repository: 'kiln/app', tags: ['1', 'latest'], workspace: '/ws',
    dockerfile: '/ws/Dockerfile', context: '/ws', labels: {}, buildArgs: {}, skipUnusedStages: false, noPush: false, pushRetry: 3,
    transportFlags: { skipTlsVerify: false, skipTlsVerifyPull: false, insecure: false, insecurePull: false },
    registries: [{ host: '127.0.0.1:5000', insecure: true, skipTlsVerify: false }], mirrors: [], dockerConfigDir: '/task/docker',
    builderEnv: {}, credentialSources: {}, kanikoPassthrough: [], ...overrides,
  };
}

describe('renderBudArgs', () => {
  it('pins the manifest format, stage handling and identity label', () => {
    expect(renderBudArgs(request(), OPTIONS, FILES)).toEqual([
      ...GLOBAL, 'bud', '--isolation', 'chroot', '--format', 'docker', '--identity-label=false', '--skip-unused-stages=false',
      '--authfile', '/task/docker/config.json', '--retry', '3', '-f', '/ws/Dockerfile',
      '-t', '127.0.0.1:5000/kiln/app:1', '-t', '127.0.0.1:5000/kiln/app:latest', '/ws',
    ]);
  });

  it('renders labels, build args, target and cache', () => {
    const args = renderBudArgs(request({
      tags: ['v1'], labels: { 'org.opencontainers.image.revision': 'abc' }, buildArgs: { JAVA_OPTS: "-Xms1g -Xmx2g,x;y='z'" },
      target: 'runtime', skipUnusedStages: true, cache: { repository: '127.0.0.1:5000/kiln/cache', ttl: '12h' },
    }), OPTIONS, { ...FILES, certDir: '/task/buildah/certs' });
    expect(args).toContain('--skip-unused-stages=true');
    expect(args.slice(args.indexOf('--cert-dir'), args.indexOf('--cert-dir') + 2)).toEqual(['--cert-dir', '/task/buildah/certs']);
    expect(args.slice(args.indexOf('-t'))).toEqual([
      '-t', '127.0.0.1:5000/kiln/app:v1',
      '--label', 'org.opencontainers.image.revision=abc',
      '--build-arg', "JAVA_OPTS=-Xms1g -Xmx2g,x;y='z'",
      '--target', 'runtime',
      '--layers', '--cache-from', '127.0.0.1:5000/kiln/cache', '--cache-to', '127.0.0.1:5000/kiln/cache', '--cache-ttl', '12h',
      '/ws',
    ]);
  });

  it('turns off TLS verification of pulls only for PLUGIN_SKIP_TLS_VERIFY_PULL', () => {
    expect(renderBudArgs(request(), OPTIONS, FILES)).not.toContain('--tls-verify=false');
    expect(renderBudArgs(request({ transportFlags: { skipTlsVerify: false, skipTlsVerifyPull: true, insecure: false, insecurePull: false } }), OPTIONS, FILES)).toContain('--tls-verify=false');
  });
});

describe('renderPushArgs', () => {
  it('pushes one destination with the auth and digest files', () => {
    expect(renderPushArgs(request(), '127.0.0.1:5000/kiln/app:1', '/task/digest-0', OPTIONS, FILES)).toEqual([
      ...GLOBAL, 'push', '--authfile', '/task/docker/config.json', '--retry', '3', '--digestfile', '/task/digest-0',
      '127.0.0.1:5000/kiln/app:1', 'docker://127.0.0.1:5000/kiln/app:1',
    ]);
  });

  it('turns off TLS verification for PLUGIN_SKIP_TLS_VERIFY', () => {
    const args = renderPushArgs(request({ transportFlags: { skipTlsVerify: true, skipTlsVerifyPull: false, insecure: false, insecurePull: false } }), 'r/kiln/app:1', '/d', OPTIONS, FILES);
    expect(args).toContain('--tls-verify=false');
  });
});

describe('renderRegistriesConf', () => {
  it('marks plain-HTTP and unverified registries insecure and adds docker.io mirrors', () => {
    const text = renderRegistriesConf({
      registries: [
        { host: '127.0.0.1:5000', insecure: true, skipTlsVerify: false },
        { host: 'registry.example.com', insecure: false, skipTlsVerify: false, caFile: '/ca.pem' },
        { host: 'self-signed.example.com', insecure: false, skipTlsVerify: true },
      ],
      mirrors: ['mirror.example.com'],
    });
    expect(text).toBe([
      'unqualified-search-registries = ["docker.io"]', 'short-name-mode = "permissive"', '',
      '[[registry]]', 'location = "127.0.0.1:5000"', 'insecure = true', '',
      '[[registry]]', 'location = "self-signed.example.com"', 'insecure = true', '',
      '[[registry]]', 'location = "docker.io"', '[[registry.mirror]]', 'location = "mirror.example.com"', '', '',
    ].join('\n'));
  });
});

describe('renderRemoveArgs', () => {
  it('removes every local name', () => {
    expect(renderRemoveArgs(request(), OPTIONS, FILES).slice(GLOBAL.length)).toEqual(['rmi', '--force', '127.0.0.1:5000/kiln/app:1', '127.0.0.1:5000/kiln/app:latest']);
  });
});

describe('formatCommandLine', () => {
  it('quotes arguments a shell would split', () => {
    expect(formatCommandLine('buildah', ['bud', '--build-arg', 'A=b c', "q='x'"])).toBe(`+ buildah bud --build-arg 'A=b c' 'q='\\''x'\\'''`);
  });
});
