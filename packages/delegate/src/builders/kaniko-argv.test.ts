import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { ConnectorRecord } from '@kiln/protocol';
import type { RegistryConfig } from '../config/delegate-config.js';
import { SecretStore } from '../secrets/secret-store.js';
import { renderKanikoArgs } from './kaniko-argv.js';
import { readPluginSettings } from './plugin-settings.js';
import { planRegistries } from './registry-plan.js';
import { assembleBaseRequest, type BuildSpec } from './request-assembly.js';
import { deriveStepTarget } from './step-target.js';

const FILES = { digestFile: '/task/kaniko/digest', imageNameTagDigestFile: '/task/kaniko/image-digests' };
const SECRETS = new SecretStore({ 'account.docker_pw': { value: 'hunter2-secret' }, 'account.aws_secret': { value: 'aws-secret-key' }, 'account.gcp_key': { value: '{"type":"service_account"}' }, 'account.azure_secret': { value: 'azure-secret' } }, '/etc/kiln/delegate.yaml');

const CONNECTORS: Record<string, ConnectorRecord> = {
  docker: { ref: 'account.docker', identifier: 'docker', type: 'DockerRegistry', spec: { dockerRegistryUrl: 'https://index.docker.io/v1/', auth: { type: 'UsernamePassword', spec: { username: 'kiln', passwordRef: 'account.docker_pw' } } } },
  local: { ref: 'account.local', identifier: 'local', type: 'DockerRegistry', spec: { dockerRegistryUrl: 'http://127.0.0.1:5000', auth: { type: 'Anonymous' } } },
  aws: { ref: 'account.aws', identifier: 'aws', type: 'Aws', spec: { credential: { type: 'ManualConfig', spec: { accessKey: 'AKIAKILN', secretKeyRef: 'account.aws_secret' }, region: 'eu-west-1' } } },
  gcp: { ref: 'account.gcp', identifier: 'gcp', type: 'Gcp', spec: { credential: { type: 'ManualConfig', spec: { secretKeyRef: 'account.gcp_key' } } } },
  azure: { ref: 'account.azure', identifier: 'azure', type: 'Azure', spec: { credential: { type: 'ManualConfig', spec: { applicationId: 'app-id', tenantId: 't', auth: { type: 'Secret', spec: { secretRef: 'account.azure_secret' } } } } } },
};

let workspace: string;

beforeAll(async () => {
  workspace = await mkdtemp(path.join(tmpdir(), 'kiln-kaniko-argv-'));
  await mkdir(path.join(workspace, 'app', 'docker'), { recursive: true });
  await writeFile(path.join(workspace, 'Dockerfile'), 'FROM scratch\n');
  await writeFile(path.join(workspace, 'app', 'docker', 'Dockerfile.prod'), 'FROM scratch\n');
});

afterAll(async () => {
  await rm(workspace, { recursive: true, force: true });
});

/** Renders kaniko argv through the same steps as the delegate's build step, with the workspace shown as /ws. */
function kanikoArgs(stepType: string, spec: Partial<BuildSpec>, connector: ConnectorRecord, env: Record<string, string> = {}, registries: Record<string, RegistryConfig> = {}): string[] {
  const fullSpec = { connectorRef: connector.ref, tags: ['1.0'], ...spec } as BuildSpec;
  const target = deriveStepTarget(stepType, fullSpec, connector);
  const plugin = readPluginSettings(env);
  const base = assembleBaseRequest({ workspace, stepId: 'build', stepType, spec: fullSpec, target, plugin });
  const uses = base.noPush ? [] : [{ host: target.registry, purpose: 'push' }];
  const plan = planRegistries({ target, connector, uses, plugin, registries, secrets: SECRETS, onSecret: () => undefined, configFile: '/etc/kiln/delegate.yaml' });
  const request = { ...base, registries: plan.transports, mirrors: plan.mirrors, dockerConfigDir: '/task/docker', builderEnv: {}, credentialSources: plan.sources };
  return renderKanikoArgs(request, FILES).map((arg) => arg.replaceAll(workspace, '/ws'));
}

const COMMON_TAIL = ['--snapshot-mode=redo', `--digest-file=${FILES.digestFile}`, `--image-name-tag-with-digest-file=${FILES.imageNameTagDigestFile}`];

describe('renderKanikoArgs', () => {
  describe('for each step type', () => {
    it('maps BuildAndPushDockerRegistry to Docker Hub destinations', () => {
      expect(kanikoArgs('BuildAndPushDockerRegistry', { repo: 'kiln/app', tags: ['1.0', 'latest'] }, CONNECTORS.docker as ConnectorRecord)).toEqual([
        '--dockerfile=/ws/Dockerfile', '--context=dir:///ws',
        '--destination=docker.io/kiln/app:1.0', '--destination=docker.io/kiln/app:latest',
        ...COMMON_TAIL, '--push-retry=3',
      ]);
    });

    it('maps BuildAndPushECR to <account>.dkr.ecr.<region>.amazonaws.com/<imageName>', () => {
      expect(kanikoArgs('BuildAndPushECR', { account: '123456789012', region: 'eu-west-1', imageName: 'team/app', remoteCacheImage: 'team/app-cache' }, CONNECTORS.aws as ConnectorRecord)).toEqual([
        '--dockerfile=/ws/Dockerfile', '--context=dir:///ws', '--destination=123456789012.dkr.ecr.eu-west-1.amazonaws.com/team/app:1.0',
        ...COMMON_TAIL, '--cache=true', '--cache-repo=123456789012.dkr.ecr.eu-west-1.amazonaws.com/team/app-cache', '--push-retry=3',
      ]);
    });

    it('maps BuildAndPushGCR to <host>/<projectID>/<imageName>', () => {
      expect(kanikoArgs('BuildAndPushGCR', { host: 'https://gcr.io/', projectID: 'kiln-project', imageName: 'app' }, CONNECTORS.gcp as ConnectorRecord)).toContain('--destination=gcr.io/kiln-project/app:1.0');
    });

    it('maps BuildAndPushGAR to <host>/<projectID>/<repository>/<image>', () => {
      expect(kanikoArgs('BuildAndPushGAR', { host: 'europe-docker.pkg.dev', projectID: 'kiln-project', imageName: 'images/app' }, CONNECTORS.gcp as ConnectorRecord))
        .toContain('--destination=europe-docker.pkg.dev/kiln-project/images/app:1.0');
    });

    it('maps BuildAndPushACR to its repository field', () => {
      expect(kanikoArgs('BuildAndPushACR', { repository: 'kiln.azurecr.io/team/app' }, CONNECTORS.azure as ConnectorRecord)).toContain('--destination=kiln.azurecr.io/team/app:1.0');
    });
  });

  describe('for step fields', () => {
    it('renders dockerfile, context, labels, build args and target one argument each', () => {
      const args = kanikoArgs('BuildAndPushDockerRegistry', {
        repo: '127.0.0.1:5000/kiln/app', dockerfile: 'app/docker/Dockerfile.prod', context: 'app', target: 'runtime', optimize: false,
        labels: { 'org.opencontainers.image.title': 'my app' }, buildArgs: { JAVA_OPTS: "-Xms1g -Xmx2g,x=1 'q'" },
      }, CONNECTORS.local as ConnectorRecord);
      expect(args).toEqual([
        '--dockerfile=/ws/app/docker/Dockerfile.prod', '--context=dir:///ws/app', '--destination=127.0.0.1:5000/kiln/app:1.0',
        `--digest-file=${FILES.digestFile}`, `--image-name-tag-with-digest-file=${FILES.imageNameTagDigestFile}`,
        '--label=org.opencontainers.image.title=my app', "--build-arg=JAVA_OPTS=-Xms1g -Xmx2g,x=1 'q'",
        '--target=runtime', '--skip-unused-stages=true', '--insecure-registry=127.0.0.1:5000', '--push-retry=3',
      ]);
    });

    it('applies the delegate registries settings of the push registry', () => {
      const args = kanikoArgs('BuildAndPushDockerRegistry', { repo: 'registry.example.com:8443/app' }, CONNECTORS.local as ConnectorRecord, {}, {
        'registry.example.com:8443': { insecure: false, skipTlsVerify: true, anonymous: false, mirrors: [], ca: '/etc/kiln/ca.pem', auth: { username: 'u', passwordRef: 'account.docker_pw' } },
      });
      expect(args).toEqual(expect.arrayContaining(['--skip-tls-verify-registry=registry.example.com:8443', '--registry-certificate=registry.example.com:8443=/etc/kiln/ca.pem']));
    });
  });

  describe('for each PLUGIN_* override', () => {
    const cases: [string, Record<string, string>, string[]][] = [
      ['PLUGIN_NO_PUSH', { PLUGIN_NO_PUSH: 'true' }, ['--no-push']],
      ['PLUGIN_TAR_PATH', { PLUGIN_TAR_PATH: 'out/image.tar' }, ['--tar-path=/ws/out/image.tar']],
      ['PLUGIN_DESTINATION_TAR_PATH', { PLUGIN_DESTINATION_TAR_PATH: 'image.tar' }, ['--tar-path=/ws/image.tar']],
      ['PLUGIN_SKIP_TLS_VERIFY', { PLUGIN_SKIP_TLS_VERIFY: 'true' }, ['--skip-tls-verify=true']],
      ['PLUGIN_SKIP_TLS_VERIFY_PULL', { PLUGIN_SKIP_TLS_VERIFY_PULL: 'true' }, ['--skip-tls-verify-pull=true']],
      ['PLUGIN_SKIP_TLS_VERIFY_REGISTRY', { PLUGIN_SKIP_TLS_VERIFY_REGISTRY: 'docker.io' }, ['--skip-tls-verify-registry=docker.io']],
      ['PLUGIN_INSECURE', { PLUGIN_INSECURE: 'true' }, ['--insecure']],
      ['PLUGIN_INSECURE_PULL', { PLUGIN_INSECURE_PULL: 'true' }, ['--insecure-pull']],
      ['PLUGIN_INSECURE_REGISTRY', { PLUGIN_INSECURE_REGISTRY: 'docker.io' }, ['--insecure-registry=docker.io']],
      ['PLUGIN_REGISTRY_MIRRORS', { PLUGIN_REGISTRY_MIRRORS: 'mirror.example.com, mirror2.example.com' }, ['--registry-mirror=mirror.example.com', '--registry-mirror=mirror2.example.com']],
      ['PLUGIN_REGISTRY_CERTIFICATE', { PLUGIN_REGISTRY_CERTIFICATE: 'docker.io=/certs/ca.pem' }, ['--registry-certificate=docker.io=/certs/ca.pem']],
      ['PLUGIN_PLATFORM', { PLUGIN_PLATFORM: 'linux/arm64' }, ['--custom-platform=linux/arm64']],
      ['PLUGIN_SKIP_UNUSED_STAGES', { PLUGIN_SKIP_UNUSED_STAGES: 'true' }, ['--skip-unused-stages=true']],
      ['PLUGIN_PUSH_RETRY', { PLUGIN_PUSH_RETRY: '5' }, ['--push-retry=5']],
      ['PLUGIN_SNAPSHOT_MODE', { PLUGIN_SNAPSHOT_MODE: 'time' }, ['--snapshot-mode=time']],
      ['PLUGIN_ENABLE_CACHE with PLUGIN_CACHE_REPO and PLUGIN_CACHE_TTL', { PLUGIN_ENABLE_CACHE: 'true', PLUGIN_CACHE_REPO: 'docker.io/kiln/cache', PLUGIN_CACHE_TTL: '12' }, ['--cache=true', '--cache-repo=docker.io/kiln/cache', '--cache-ttl=12h']],
      ['PLUGIN_BUILD_ARGS', { PLUGIN_BUILD_ARGS: 'A=1,B=2' }, ['--build-arg=A=1', '--build-arg=B=2']],
      ['PLUGIN_BUILD_ARGS_NEW', { PLUGIN_BUILD_ARGS_NEW: 'OPTS=-Xms1g,-Xmx2g;B=x y' }, ['--build-arg=OPTS=-Xms1g,-Xmx2g', '--build-arg=B=x y']],
      ['PLUGIN_CUSTOM_LABELS', { PLUGIN_CUSTOM_LABELS: 'team=ci,tier=build' }, ['--label=team=ci', '--label=tier=build']],
      ['PLUGIN_SINGLE_SNAPSHOT', { PLUGIN_SINGLE_SNAPSHOT: 'true' }, ['--single-snapshot=true']],
      ['PLUGIN_USE_NEW_RUN', { PLUGIN_USE_NEW_RUN: 'true' }, ['--use-new-run=true']],
      ['PLUGIN_REPRODUCIBLE', { PLUGIN_REPRODUCIBLE: 'true' }, ['--reproducible=true']],
      ['PLUGIN_CLEANUP', { PLUGIN_CLEANUP: 'true' }, ['--cleanup=true']],
      ['PLUGIN_FORCE', { PLUGIN_FORCE: 'true' }, ['--force=true']],
      ['PLUGIN_SKIP_PUSH_PERMISSION_CHECK', { PLUGIN_SKIP_PUSH_PERMISSION_CHECK: 'true' }, ['--skip-push-permission-check=true']],
      ['PLUGIN_SKIP_DEFAULT_REGISTRY_FALLBACK', { PLUGIN_SKIP_DEFAULT_REGISTRY_FALLBACK: 'true' }, ['--skip-default-registry-fallback=true']],
      ['PLUGIN_CACHE_COPY_LAYERS', { PLUGIN_CACHE_COPY_LAYERS: 'true' }, ['--cache-copy-layers=true']],
      ['PLUGIN_CACHE_RUN_LAYERS', { PLUGIN_CACHE_RUN_LAYERS: 'false' }, ['--cache-run-layers=false']],
      ['PLUGIN_COMPRESSED_CACHING', { PLUGIN_COMPRESSED_CACHING: 'false' }, ['--compressed-caching=false']],
      ['PLUGIN_IGNORE_VAR_RUN', { PLUGIN_IGNORE_VAR_RUN: 'false' }, ['--ignore-var-run=false']],
      ['PLUGIN_LOG_TIMESTAMP', { PLUGIN_LOG_TIMESTAMP: 'true' }, ['--log-timestamp=true']],
      ['PLUGIN_VERBOSITY', { PLUGIN_VERBOSITY: 'debug' }, ['--verbosity=debug']],
      ['PLUGIN_LOG_FORMAT', { PLUGIN_LOG_FORMAT: 'text' }, ['--log-format=text']],
      ['PLUGIN_IMAGE_DOWNLOAD_RETRY', { PLUGIN_IMAGE_DOWNLOAD_RETRY: '3' }, ['--image-download-retry=3']],
      ['PLUGIN_IMAGE_FS_EXTRACT_RETRY', { PLUGIN_IMAGE_FS_EXTRACT_RETRY: '2' }, ['--image-fs-extract-retry=2']],
      ['PLUGIN_CONTEXT_SUB_PATH', { PLUGIN_CONTEXT_SUB_PATH: 'sub' }, ['--context-sub-path=sub']],
      ['PLUGIN_OCI_LAYOUT_PATH', { PLUGIN_OCI_LAYOUT_PATH: 'oci' }, ['--oci-layout-path=oci']],
      ['PLUGIN_IMAGE_NAME_WITH_DIGEST_FILE', { PLUGIN_IMAGE_NAME_WITH_DIGEST_FILE: 'names' }, ['--image-name-with-digest-file=names']],
      ['PLUGIN_CACHE_DIR', { PLUGIN_CACHE_DIR: '/cache' }, ['--cache-dir=/cache']],
      ['PLUGIN_REGISTRY_CLIENT_CERT', { PLUGIN_REGISTRY_CLIENT_CERT: 'docker.io=/c.crt,/c.key' }, ['--registry-client-cert=docker.io=/c.crt,/c.key']],
      ['PLUGIN_IGNORE_PATH', { PLUGIN_IGNORE_PATH: '/var/cache,/tmp/x' }, ['--ignore-path=/var/cache', '--ignore-path=/tmp/x']],
    ];

    it.each(cases)('renders %s', (_name, env, expected) => {
      const args = kanikoArgs('BuildAndPushDockerRegistry', { repo: 'kiln/app' }, CONNECTORS.docker as ConnectorRecord, env);
      expect(args).toEqual(expect.arrayContaining(expected));
    });

    it('keeps destinations with PLUGIN_NO_PUSH only when a tarball is written', () => {
      const noPush = kanikoArgs('BuildAndPushDockerRegistry', { repo: 'kiln/app' }, CONNECTORS.docker as ConnectorRecord, { PLUGIN_NO_PUSH: 'true' });
      expect(noPush.some((arg) => arg.startsWith('--destination='))).toBe(false);
      const withTar = kanikoArgs('BuildAndPushDockerRegistry', { repo: 'kiln/app' }, CONNECTORS.docker as ConnectorRecord, { PLUGIN_NO_PUSH: 'true', PLUGIN_TAR_PATH: 'image.tar' });
      expect(withTar).toContain('--destination=docker.io/kiln/app:1.0');
    });

    it('uses the PLUGIN_IMAGE_NAME_TAG_WITH_DIGEST_FILE path instead of its own', () => {
      const args = kanikoArgs('BuildAndPushDockerRegistry', { repo: 'kiln/app' }, CONNECTORS.docker as ConnectorRecord, { PLUGIN_IMAGE_NAME_TAG_WITH_DIGEST_FILE: 'refs' });
      expect(args.filter((arg) => arg.startsWith('--image-name-tag-with-digest-file='))).toEqual(['--image-name-tag-with-digest-file=refs']);
    });

    it('expands semantic-version tags with PLUGIN_EXPAND_TAG', () => {
      const args = kanikoArgs('BuildAndPushDockerRegistry', { repo: 'kiln/app', tags: ['v1.2.3'] }, CONNECTORS.docker as ConnectorRecord, { PLUGIN_EXPAND_TAG: 'true' });
      expect(args.filter((arg) => arg.startsWith('--destination='))).toEqual(['--destination=docker.io/kiln/app:1', '--destination=docker.io/kiln/app:1.2', '--destination=docker.io/kiln/app:1.2.3']);
    });

    it.each(['PLUGIN_PUSH_ONLY', 'PLUGIN_AUTO_TAG', 'PLUGIN_CONFIG'])('rejects %s', (name) => {
      expect(() => readPluginSettings({ [name]: 'true' })).toThrow(name);
    });

    it('rejects a boolean setting that is not true or false', () => {
      expect(() => readPluginSettings({ PLUGIN_NO_PUSH: 'yes' })).toThrow('PLUGIN_NO_PUSH is "yes": expected true or false');
    });

    it('lists settings it ignores', () => {
      expect(readPluginSettings({ PLUGIN_REPO: 'x', PLUGIN_CHANNEL: 'y' }).ignored).toEqual([
        'PLUGIN_REPO (kiln takes it from the step spec and the connector)',
        'PLUGIN_CHANNEL (not a setting of the kaniko plugin)',
      ]);
    });
  });
});
