import { randomBytes } from 'node:crypto';
import { mkdtemp, readdir, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { kiln, startStack, writeFixture, type Stack } from '../src/harness/index.js';

const SECRET = `e2e-argv-secret-${randomBytes(12).toString('hex')}`;
const RUN_STEP = 'Use_secret';
const BUILD_STEP = 'Build_and_push';
/** Upper bound on the whole scan; the pipeline takes about 10 s on the 2-core test machine. */
const SCAN_DEADLINE_MS = 180_000;

let stack: Stack;
let dir: string;

/** A pipeline that clones the sample app, runs a step that sleeps with the secret in its environment, then builds and pushes. */
function secretsPipeline(registry: string): string {
  const steps = [
    {
      step: {
        type: 'Run', name: RUN_STEP, identifier: RUN_STEP,
        spec: { shell: 'Sh', command: 'sleep 3; test -n "$E2E_SECRET" && echo "the secret is set"', envVariables: { E2E_SECRET: '<+secrets.getValue("account.e2e_secret")>' } },
      },
    },
    {
      step: {
        type: 'BuildAndPushDockerRegistry', name: BUILD_STEP, identifier: BUILD_STEP,
        spec: { connectorRef: 'account.local_registry', repo: `${registry}/kiln/secrets-app`, tags: ['<+pipeline.sequenceId>'] },
      },
    },
  ];
  return stringify({
    pipeline: {
      name: 'Secrets in argv', identifier: 'Secrets_Argv', orgIdentifier: 'default', projectIdentifier: 'CI_Quickstart',
      properties: { ci: { codebase: { connectorRef: 'account.kiln_samples', repoName: 'sample-app', build: '<+input>' } } },
      stages: [{
        stage: {
          name: 'Build', identifier: 'Build', type: 'CI',
          spec: {
            cloneCodebase: true, execution: { steps },
            infrastructure: { type: 'KubernetesDirect', spec: { connectorRef: 'account.kiln_delegate', namespace: 'kiln-builds' } },
          },
        },
      }],
    },
  });
}

/** Returns the argument list of every process that still exists, with NUL separators replaced by spaces. */
async function readAllCommandLines(): Promise<string[]> {
  const pids = (await readdir('/proc')).filter((entry) => /^\d+$/.test(entry));
  const lines = await Promise.all(pids.map((pid) => readFile(`/proc/${pid}/cmdline`, 'utf8').then((text) => text.replaceAll('\0', ' '), () => '')));
  return lines.filter((line) => line !== '');
}

interface Scan {
  /** Command lines that contained a secret. */
  leaks: string[];
  /** Every distinct command line seen, to show that the scan covered the steps. */
  seen: Set<string>;
}

/** Reads every /proc/<pid>/cmdline until `done` settles or the deadline passes, collecting those that contain a secret. */
async function scanUntil(done: Promise<unknown>, secrets: string[]): Promise<Scan> {
  let finished = false;
  void done.finally(() => {
    finished = true;
  });
  const scan: Scan = { leaks: [], seen: new Set() };
  const deadline = Date.now() + SCAN_DEADLINE_MS;
  while (!finished && Date.now() < deadline) {
    for (const line of await readAllCommandLines()) {
      scan.seen.add(line);
      if (secrets.some((secret) => line.includes(secret))) scan.leaks.push(line);
    }
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  return scan;
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'kiln-secrets-'));
  stack = await startStack(dir, { secrets: { 'account.e2e_secret': SECRET } });
  const addresses = { registry: stack.registry.address, gitRoot: stack.repository.root };
  const pipelineFile = join(dir, 'secrets-pipeline.yaml');
  await writeFile(pipelineFile, secretsPipeline(stack.registry.address));
  for (const file of [await writeFixture(dir, 'quickstart/connectors.yaml', addresses), pipelineFile]) {
    const applied = await kiln(stack.manager, ['apply', '-f', file]);
    if (applied.exitCode !== 0) throw new Error(`kiln apply ${file} failed: ${String(applied.stderr)}`);
  }
}, 180_000);

afterAll(async () => {
  await stack?.stop();
});

describe('process argument lists during a build', () => {
  describe('when a Run step has a secret in its environment and a build pushes with registry credentials', () => {
    let scan: Scan;
    let output: string;
    let exitCode: number | undefined;

    beforeAll(async () => {
      const run = kiln(stack.manager, ['run', 'Secrets_Argv', '--branch', 'main', '--follow']);
      scan = await scanUntil(run, [SECRET, stack.registry.password ?? '']);
      const result = await run;
      output = `${String(result.stdout)}${String(result.stderr)}`;
      exitCode = result.exitCode;
    }, SCAN_DEADLINE_MS + 30_000);

    it('runs both steps to success', () => {
      expect(output).toContain('the secret is set');
      expect(exitCode).toBe(0);
    });

    it('saw the sleeping step and buildah while scanning', () => {
      const seen = [...scan.seen];
      expect(seen.some((line) => line.startsWith('sleep 3') || line.includes(' sleep 3'))).toBe(true);
      expect(seen.some((line) => /(^|\/)buildah /.test(line))).toBe(true);
    });

    it('finds neither the secret value nor the registry password in any command line', () => {
      expect(stack.registry.password).toBeTruthy();
      expect(scan.leaks).toEqual([]);
    });
  });
});
