import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse, parseAllDocuments } from 'yaml';
import { ConfigMap } from 'kubernetes-models/v1/ConfigMap';
import { Namespace } from 'kubernetes-models/v1/Namespace';
import { Secret } from 'kubernetes-models/v1/Secret';
import { ServiceAccount } from 'kubernetes-models/v1/ServiceAccount';
import { Deployment } from 'kubernetes-models/apps/v1/Deployment';
import { Role } from 'kubernetes-models/rbac.authorization.k8s.io/v1/Role';
import { RoleBinding } from 'kubernetes-models/rbac.authorization.k8s.io/v1/RoleBinding';
import { runCli } from '../cli.js';
import { MemoryOutput } from '../output.js';

const MODELS: Record<string, new (data: never) => { validate(): void }> = { Namespace, ServiceAccount, Role, RoleBinding, Secret, ConfigMap, Deployment };
const ARGS = ['delegate', 'install', '--name', 'kiln-delegate', '--namespace', 'kiln', '--manager', 'kiln-manager.kiln.svc:7443', '--token', 'example-delegate-token', '--tags', 'k8s,linux', '--replicas', '2'];

async function install(extra: string[]): Promise<{ code: number; output: MemoryOutput }> {
  const output = new MemoryOutput();
  const code = await runCli([...ARGS, ...extra], { env: {}, output });
  return { code, output };
}

/** Compares with the golden file; UPDATE_GOLDEN=1 rewrites it. */
async function expectGolden(text: string, name: string): Promise<void> {
  const file = new URL(`golden/${name}`, import.meta.url);
  if (process.env.UPDATE_GOLDEN === '1') await writeFile(file, `${text}\n`);
  expect(`${text}\n`).toBe(await readFile(file, 'utf8'));
}

describe('kiln delegate install', () => {
  describe.each([['kaniko'], ['buildah']])('with --builder %s', (builder) => {
    it('prints the golden manifests', async () => {
      const { code, output } = await install(['--builder', builder]);
      expect(code).toBe(0);
      await expectGolden(output.text, `delegate-install-${builder}.yaml`);
    });

    it('prints objects valid against the Kubernetes schemas', async () => {
      const { output } = await install(['--builder', builder]);
      const documents = parseAllDocuments(output.text).map((document) => document.toJS() as { kind: string });
      expect(documents.map((document) => document.kind)).toEqual(['Namespace', 'ServiceAccount', 'Role', 'RoleBinding', 'Secret', 'ConfigMap', 'Deployment']);
      for (const document of documents) {
        const Model = MODELS[document.kind];
        expect(Model).toBeDefined();
        expect(() => new Model!(document as never).validate()).not.toThrow();
      }
    });
  });

  describe('with --manager-ca', () => {
    it('puts the CA into the ConfigMap and turns TLS on', async () => {
      const dir = await mkdtemp(join(tmpdir(), 'kiln-install-'));
      const caFile = join(dir, 'ca.crt');
      await writeFile(caFile, '-----BEGIN CERTIFICATE-----\nexample\n-----END CERTIFICATE-----\n');
      const { code, output } = await install(['--manager-ca', caFile]);
      expect(code).toBe(0);
      const configMap = parseAllDocuments(output.text).map((document) => document.toJS() as { kind: string; data?: Record<string, string> }).find((document) => document.kind === 'ConfigMap');
      expect(configMap?.data?.['manager-ca.crt']).toContain('BEGIN CERTIFICATE');
      const config = parse(configMap?.data?.['delegate.yaml'] ?? '') as Record<string, unknown>;
      expect(config.tls).toEqual({ ca: 'manager-ca.crt' });
      expect(config.allowPlaintext).toBeUndefined();
      expect(output.stderr).toEqual([]);
    });

    it('warns about plaintext without it', async () => {
      const { output } = await install([]);
      expect(output.stderr.join('\n')).toContain('without TLS');
    });
  });

  describe('when --token is missing', () => {
    it('exits 1 naming the flag', async () => {
      const output = new MemoryOutput();
      const code = await runCli(['delegate', 'install', '--name', 'd', '--namespace', 'kiln', '--manager', 'm.kiln.svc:7443'], { env: { KILN_TOKEN: 'api-token' }, output });
      expect(code).toBe(1);
      expect(output.stderr.join('\n')).toContain('--token');
    });
  });

  describe('when --name is not a DNS label', () => {
    it('exits 1 naming the value', async () => {
      const output = new MemoryOutput();
      const code = await runCli([...ARGS.slice(0, 2), '--name', 'Bad_Name', ...ARGS.slice(4)], { env: {}, output });
      expect(code).toBe(1);
      expect(output.stderr.join('\n')).toContain('Bad_Name');
    });
  });
});
