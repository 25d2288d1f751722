import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { isKilnError } from '@kiln/protocol';
import type { StepLog } from '../nats/step-log.js';
import type { BuildRequest } from './build-request.js';
import type { BuildIo } from './image-builder.js';
import { KanikoBuilder } from './kaniko-builder.js';

// No kaniko executor can be downloaded in this environment (the upstream project is archived and no registry
// is reachable), so these tests run a fake executor: a shell script that records its argv and environment,
// writes the digest files kaniko writes, prints a few lines and exits with the code in FAKE_EXIT.
const FAKE_EXECUTOR = `#!/bin/sh
record="$FAKE_RECORD"
: > "$record"
for arg in "$@"; do printf '%s\\n' "$arg" >> "$record"; done
echo "DOCKER_CONFIG=$DOCKER_CONFIG" > "$record.env"
test -f "$DOCKER_CONFIG/config.json" && echo "config present" >> "$record.env"
digest_file=""; names_file=""; destinations=""
for arg in "$@"; do
  case "$arg" in
    --digest-file=*) digest_file="\${arg#--digest-file=}" ;;
    --image-name-tag-with-digest-file=*) names_file="\${arg#--image-name-tag-with-digest-file=}" ;;
    --destination=*) destinations="$destinations \${arg#--destination=}" ;;
  esac
done
echo "INFO[0000] Building stage"
if [ -n "$FAKE_FAIL_LINE" ]; then echo "$FAKE_FAIL_LINE" >&2; exit "\${FAKE_EXIT:-1}"; fi
printf 'sha256:%064d' 7 > "$digest_file"
: > "$names_file"
for destination in $destinations; do printf '%s@sha256:%064d\\n' "$destination" 7 >> "$names_file"; done
echo "INFO[0001] Pushed image"
`;

const DIGEST = `sha256:${'0'.repeat(63)}7`;

interface Recorded {
  lines: string[];
  system: string[];
}

let root: string;
let executor: string;

beforeAll(async () => {
  root = await mkdtemp(path.join(tmpdir(), 'kiln-kaniko-fake-'));
  executor = path.join(root, 'executor');
  await writeFile(executor, FAKE_EXECUTOR, { mode: 0o755 });
});

afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

async function setup(env: Record<string, string>, overrides: Partial<BuildRequest> = {}): Promise<{ request: BuildRequest; io: BuildIo; recorded: Recorded; record: string }> {
  const taskDir = await mkdtemp(path.join(root, 'task-'));
  const workspace = path.join(taskDir, 'workspace');
  const dockerConfigDir = path.join(taskDir, 'docker');
  await mkdir(workspace, { recursive: true });
  await mkdir(dockerConfigDir, { recursive: true });
  await writeFile(path.join(dockerConfigDir, 'config.json'), '{"auths":{}}');
  const record = path.join(taskDir, 'argv');
  const recorded: Recorded = { lines: [], system: [] };
  const log = { system: (text: string) => recorded.system.push(text), write: (_stream: string, text: string) => recorded.lines.push(text) } as unknown as StepLog;
  const request: BuildRequest = {
    stepType: 'BuildAndPushDockerRegistry', registry: '127.0.0.1:5000', repository: 'kiln/app', tags: ['1', 'latest'], workspace,
    dockerfile: path.join(workspace, 'Dockerfile'), context: workspace, labels: {}, buildArgs: { GREETING: 'a b=c,"d"' }, skipUnusedStages: false,
    noPush: false, pushRetry: 3, transportFlags: { skipTlsVerify: false, skipTlsVerifyPull: false, insecure: false, insecurePull: false },
    registries: [{ host: '127.0.0.1:5000', insecure: true, skipTlsVerify: false }], mirrors: [], dockerConfigDir,
    builderEnv: { FAKE_RECORD: record, ...env }, credentialSources: { '127.0.0.1:5000': 'connector "account.local"' }, kanikoPassthrough: [],
    ...overrides,
  };
  const io: BuildIo = { log, signal: new AbortController().signal, killGracePeriodMs: 1000, taskDir, stepKey: 'build', mask: (text) => text };
  return { request, io, recorded, record };
}

describe('KanikoBuilder with a fake executor', () => {
  describe('when the build succeeds', () => {
    it('runs the executor with argv and reports one digest per destination', async () => {
      const { request, io, recorded, record } = await setup({});
      const artifacts = await new KanikoBuilder({ path: executor }).build(request, io);

      expect(artifacts).toEqual([
        { registry: '127.0.0.1:5000', repository: 'kiln/app', tag: '1', digest: DIGEST, pushed: true },
        { registry: '127.0.0.1:5000', repository: 'kiln/app', tag: 'latest', digest: DIGEST, pushed: true },
      ]);
      const argv = (await readFile(record, 'utf8')).trimEnd().split('\n');
      expect(argv).toContain('--destination=127.0.0.1:5000/kiln/app:1');
      expect(argv).toContain('--build-arg=GREETING=a b=c,"d"');
      expect(argv).toContain('--insecure-registry=127.0.0.1:5000');
      expect(recorded.system[0]).toMatch(new RegExp(`^\\+ ${executor} --dockerfile=`));
      expect(recorded.lines).toContain('INFO[0001] Pushed image');
    });

    it('passes the docker config directory as DOCKER_CONFIG', async () => {
      const { request, io, record } = await setup({});
      await new KanikoBuilder({ path: executor }).build(request, io);
      expect(await readFile(`${record}.env`, 'utf8')).toBe(`DOCKER_CONFIG=${request.dockerConfigDir}\nconfig present\n`);
    });

    it('reports unpushed artifacts with PLUGIN_NO_PUSH', async () => {
      const { request, io } = await setup({}, { noPush: true });
      const artifacts = await new KanikoBuilder({ path: executor }).build(request, io);
      expect(artifacts.map((artifact) => artifact.pushed)).toEqual([false, false]);
    });
  });

  describe('when the executor fails', () => {
    it('reports a RUN failure with its exit code', async () => {
      const { request, io } = await setup({ FAKE_FAIL_LINE: 'error building image: error building stage: failed to execute command: waiting for process to exit: exit status 42', FAKE_EXIT: '42' });
      const error = await new KanikoBuilder({ path: executor }).build(request, io).catch((caught: unknown) => caught);
      expect(isKilnError(error, 'BUILD_FAILED')).toBe(true);
      expect(isKilnError(error) ? error.details : undefined).toMatchObject({ exitCode: 42, failureType: 'Application' });
    });

    it('reports a rejected push naming the destination and the credential source', async () => {
      const line = 'error pushing image: failed to push to destination 127.0.0.1:5000/kiln/app:1: POST http://127.0.0.1:5000/v2/kiln/app/blobs/uploads/: UNAUTHORIZED: authentication required';
      const { request, io } = await setup({ FAKE_FAIL_LINE: line, FAKE_EXIT: '1' });
      const error = await new KanikoBuilder({ path: executor }).build(request, io).catch((caught: unknown) => caught);
      expect(isKilnError(error, 'REGISTRY_UNAUTHORIZED')).toBe(true);
      const message = error instanceof Error ? error.message : '';
      expect(message).toContain('push to registry 127.0.0.1:5000, repository kiln/app, tag 1');
      expect(message).toContain('connector "account.local"');
      expect(isKilnError(error) ? error.details.failureType : undefined).toBe('Authentication');
    });

    it('reports a missing executor as an infrastructure failure', async () => {
      const { request, io } = await setup({});
      const error = await new KanikoBuilder({ path: path.join(root, 'missing-executor') }).build(request, io).catch((caught: unknown) => caught);
      expect(isKilnError(error, 'BUILDER_INFRASTRUCTURE')).toBe(true);
    });
  });
});
