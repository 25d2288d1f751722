import { isKilnError } from '@kiln/protocol';
import { loadDelegateConfig, type ConfigSources } from './load-config.js';

const FILE = '/etc/kiln/delegate.yaml';

function load(yaml: string | undefined, flags: ConfigSources['flags'] = {}, env: Record<string, string> = {}) {
  const files: Record<string, string> = yaml === undefined ? {} : { [FILE]: yaml };
  return loadDelegateConfig({
    flags: yaml === undefined ? flags : { config: FILE, ...flags },
    env,
    readFile: (file) => {
      const text = files[file];
      if (text === undefined) throw new Error(`ENOENT: no such file ${file}`);
      return text;
    },
  });
}

function problemsOf(run: () => unknown): string[] {
  try {
    run();
  } catch (error) {
    if (isKilnError(error, 'INVALID_ARGUMENT')) return error.details.problems as string[];
    throw error;
  }
  throw new Error('expected an INVALID_ARGUMENT error');
}

describe('loadDelegateConfig', () => {
  describe('when the file sets every key', () => {
    const yaml = `
manager: 127.0.0.1:7443
token: t0ken
name: local-1
tags: [local, linux]
capacity: 2
workDir: /var/lib/kiln-delegate
healthListen: 127.0.0.1:0
nats: { servers: nats://127.0.0.1:4222 }
builder: { type: buildah, path: /usr/bin/buildah, storageDriver: vfs, isolation: chroot }
secrets:
  account.local_registry_password: { value: s3cret }
  from_env: { env: REGISTRY_PASSWORD }
  from_file: { file: secrets/token }
drainTimeout: 2m
`;

    it('returns the typed settings', () => {
      const config = load(yaml);
      expect(config).toMatchObject({
        manager: '127.0.0.1:7443', token: 't0ken', name: 'local-1', tags: ['local', 'linux'], capacity: 2,
        workDir: '/var/lib/kiln-delegate', healthListen: { host: '127.0.0.1', port: 0 }, natsServers: ['nats://127.0.0.1:4222'],
        builder: { type: 'buildah', path: '/usr/bin/buildah', storageDriver: 'vfs', isolation: 'chroot' },
        drainTimeoutMs: 120_000, configFile: FILE,
      });
    });

    it('resolves secret files against the config directory', () => {
      expect(load(yaml).secrets).toEqual({
        'account.local_registry_password': { value: 's3cret' },
        from_env: { env: 'REGISTRY_PASSWORD' },
        from_file: { file: '/etc/kiln/secrets/token' },
      });
    });

    it('lets flags override file keys', () => {
      const config = load(yaml, { capacity: '4', tags: 'a, b', manager: '127.0.0.2:9000', workDir: '/tmp/w' });
      expect(config.capacity).toBe(4);
      expect(config.tags).toEqual(['a', 'b']);
      expect(config.manager).toBe('127.0.0.2:9000');
      expect(config.workDir).toBe('/tmp/w');
    });
  });

  describe('when the token is in the file', () => {
    it('names the key and file as its source', () => {
      expect(load('token: t\n').tokenSource).toBe(`key "token" in ${FILE}`);
    });
  });

  describe('when no file is given', () => {
    it('takes the token from KILN_DELEGATE_TOKEN and defaults the rest', () => {
      const config = load(undefined, {}, { KILN_DELEGATE_TOKEN: 'env-token' });
      expect(config.token).toBe('env-token');
      expect(config.tokenSource).toBe('environment variable KILN_DELEGATE_TOKEN');
      expect(config.manager).toBe('127.0.0.1:7443');
      expect(config.capacity).toBe(1);
      expect(config.healthListen).toEqual({ host: '127.0.0.1', port: 3460 });
    });

    it('reports a missing token', () => {
      expect(problemsOf(() => load(undefined))).toEqual([expect.stringContaining('missing delegate token')]);
    });
  });

  describe('when values are invalid', () => {
    it('names the key, the file and the expected form', () => {
      const problems = problemsOf(() => load('token: t\ncapacity: two\n'));
      expect(problems).toEqual([`invalid key "capacity" in ${FILE}: expected a positive integer, got "two"`]);
    });

    it.each(['build.farm', 'two words', 'any*', 'all>'])('rejects the name %j, which cannot be a NATS subject token', (name) => {
      const problems = problemsOf(() => load(`token: t\nname: ${JSON.stringify(name)}\n`));
      expect(problems).toEqual([expect.stringContaining(`invalid key "name" in ${FILE}: expected a name without spaces, '.', '*' or '>'`)]);
    });

    it('names the flag for a bad flag value', () => {
      const problems = problemsOf(() => load('token: t\n', { healthListen: 'localhost' }));
      expect(problems).toEqual(['invalid flag --health-listen: expected HOST:PORT with a port from 0 to 65535, got "localhost"']);
    });

    it('reports every problem at once', () => {
      const problems = problemsOf(() => load('token: t\ncapacity: 0\nmanager: nope\nbuilder: { type: docker }\n'));
      expect(problems).toHaveLength(3);
      expect(problems.join('\n')).toContain('"manager"');
      expect(problems.join('\n')).toContain('"builder.type"');
      expect(problems.join('\n')).toContain('one of kaniko, buildah, auto');
    });

    it('rejects unknown keys with the list of known ones', () => {
      const problems = problemsOf(() => load('token: t\ncapacty: 2\n'));
      expect(problems[0]).toMatch(/^unknown key "capacty" in \/etc\/kiln\/delegate.yaml: known keys are manager, token/);
    });

    it('rejects a secret with two sources', () => {
      const problems = problemsOf(() => load('token: t\nsecrets:\n  x: { value: a, env: B }\n'));
      expect(problems[0]).toContain(`secret "x" in ${FILE}`);
    });

    it('rejects both token and tokenFile', () => {
      const problems = problemsOf(() => load('token: t\ntokenFile: /t\n'));
      expect(problems[0]).toContain('keep one of them');
    });

    it('reports an unreadable config file', () => {
      expect(() => loadDelegateConfig({ flags: { config: '/nonexistent/d.yaml' }, env: {}, readFile: () => { throw new Error('ENOENT'); } }))
        .toThrow('cannot read config file /nonexistent/d.yaml');
    });

    it('reports YAML syntax errors with the file', () => {
      const problems = problemsOf(() => load('token: [unclosed\n'));
      expect(problems[0]).toContain(FILE);
    });
  });

  describe('when the file sets builder, executor and registries', () => {
    const yaml = `
token: t
executor: local
builder: { type: auto, kanikoPath: /kaniko/executor }
registries:
  registry.example.com:5443:
    auth: { username: ci, passwordRef: account.registry_password }
    ca: certs/ca.pem
  123456789012.dkr.ecr.eu-west-1.amazonaws.com: { credHelper: docker-credential-ecr-login }
  127.0.0.1:5000: { insecure: true }
  docker.io: { anonymous: true, mirrors: [mirror.example.com] }
`;

    it('returns the typed registries with CA paths resolved against the config directory', () => {
      const config = load(yaml);
      expect(config.executor).toBe('local');
      expect(config.builder).toMatchObject({ type: 'auto', kanikoPath: '/kaniko/executor', path: 'buildah' });
      expect(config.registries).toEqual({
        'registry.example.com:5443': { auth: { username: 'ci', passwordRef: 'account.registry_password' }, ca: '/etc/kiln/certs/ca.pem', insecure: false, skipTlsVerify: false, anonymous: false, mirrors: [] },
        '123456789012.dkr.ecr.eu-west-1.amazonaws.com': { credHelper: 'ecr-login', insecure: false, skipTlsVerify: false, anonymous: false, mirrors: [] },
        '127.0.0.1:5000': { insecure: true, skipTlsVerify: false, anonymous: false, mirrors: [] },
        'docker.io': { insecure: false, skipTlsVerify: false, anonymous: true, mirrors: ['mirror.example.com'] },
      });
    });

    it('rejects an unknown executor', () => {
      expect(problemsOf(() => load('token: t\nexecutor: nomad\n'))).toEqual([`invalid key "executor" in ${FILE}: expected one of local, kubernetes, got "nomad"`]);
    });

    it('reads the kubernetes executor settings', () => {
      const config = load('token: t\nexecutor: kubernetes\nkubernetes:\n  namespace: builds\n  kubeconfig: kube.yaml\n  initTimeout: 2m\n');
      expect(config.executor).toBe('kubernetes');
      expect(config.kubernetes).toEqual({ namespace: 'builds', kubeconfig: '/etc/kiln/kube.yaml', initTimeoutMs: 120_000 });
    });

    it('rejects unknown kubernetes keys', () => {
      expect(problemsOf(() => load('token: t\nkubernetes:\n  namespaces: builds\n'))).toEqual([expect.stringContaining('"kubernetes.namespaces"')]);
    });

    it('reports invalid registry entries', () => {
      const problems = problemsOf(() => load('token: t\nregistries:\n  https://r.example.com: {}\n  r2.example.com: { auth: { username: u, password: p } }\n'));
      expect(problems).toEqual([
        expect.stringContaining('invalid registry "https://r.example.com"'),
        expect.stringContaining('unknown key "registries.r2.example.com.auth.password"'),
        expect.stringContaining('set "passwordRef"'),
      ]);
    });
  });
});


describe('loadDelegateConfig security settings', () => {
  const PEMS: Record<string, string> = { '/etc/kiln/tls/ca.crt': 'CA', '/etc/kiln/client.crt': 'CERT', '/etc/kiln/client.key': 'KEY', '/etc/kiln/nats.password': 'secret\n' };

  function loadWithFiles(yaml: string) {
    const files: Record<string, string> = { [FILE]: yaml, ...PEMS };
    return loadDelegateConfig({
      flags: { config: FILE },
      env: { KILN_DELEGATE_TOKEN: 't' },
      readFile: (file) => {
        const text = files[file];
        if (text === undefined) throw Object.assign(new Error(`no such file ${file}`), { code: 'ENOENT' });
        return text;
      },
    });
  }

  describe('when tls names files relative to the config file', () => {
    it('reads them resolved against its directory', () => {
      const config = loadWithFiles('manager: kiln.example:7443\ntls: { ca: tls/ca.crt, cert: client.crt, key: /etc/kiln/client.key }\n');
      expect(config.tls).toEqual({ caFile: '/etc/kiln/tls/ca.crt', ca: 'CA', certFile: '/etc/kiln/client.crt', cert: 'CERT', keyFile: '/etc/kiln/client.key', key: 'KEY' });
    });
  });

  describe('when a tls file is missing', () => {
    it('names the key and the resolved path', () => {
      const problems = problemsOf(() => loadWithFiles('tls: { ca: missing.crt }\n'));
      expect(problems).toEqual([expect.stringContaining('cannot read /etc/kiln/missing.crt (key "tls.ca" in /etc/kiln/delegate.yaml): ENOENT')]);
    });
  });

  describe('when tls.cert comes without tls.key', () => {
    it('reports that they go together', () => {
      const problems = problemsOf(() => loadWithFiles('tls: { cert: client.crt }\n'));
      expect(problems).toContain('"tls.cert" and "tls.key" in /etc/kiln/delegate.yaml go together: give both for mutual TLS, or neither');
    });
  });

  describe('when the manager is not on loopback and tls is absent', () => {
    it('rejects plaintext unless allowPlaintext is true', () => {
      const problems = problemsOf(() => loadWithFiles('manager: kiln.example:7443\n'));
      expect(problems).toEqual([expect.stringContaining('the manager kiln.example:7443 is not a loopback address and no "tls" section is set')]);
      expect(loadWithFiles('manager: kiln.example:7443\nallowPlaintext: true\n').allowPlaintext).toBe(true);
    });
  });

  describe('when nats names a user and a password file', () => {
    it('reads the password from the file', () => {
      const config = loadWithFiles('nats: { servers: nats://127.0.0.1:4222, user: delegate, passwordFile: nats.password }\n');
      expect(config.natsAuth).toEqual({ user: 'delegate', pass: 'secret', passwordFile: '/etc/kiln/nats.password' });
    });
  });

  describe('when nats.user comes without nats.passwordFile', () => {
    it('reports that they go together', () => {
      const problems = problemsOf(() => loadWithFiles('nats: { user: delegate }\n'));
      expect(problems).toEqual([expect.stringContaining('"nats.user" and "nats.passwordFile"')]);
    });
  });
});
