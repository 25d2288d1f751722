import type { V1Container, V1EnvVar, V1ResourceRequirements, V1VolumeMount } from '@kubernetes/client-node';
import type { CodebaseRecord } from '@kiln/protocol';
import { DEFAULT_CLONE_DEPTH, fetchRef } from '../git-clone.js';
import { KILN_DIR, WORKSPACE } from './container-env.js';
import { KANIKO_EXECUTOR } from './kaniko-args.js';

export const WORKSPACE_VOLUME = 'workspace';
export const KILN_VOLUME = 'kiln';

const BASE_MOUNTS: V1VolumeMount[] = [
  { name: WORKSPACE_VOLUME, mountPath: WORKSPACE },
  { name: KILN_VOLUME, mountPath: KILN_DIR },
];

/**
 * Script of the clone init container. It takes every value from the
 * environment, so no user text becomes shell code. Credentials reach git
 * through an inline credential helper that reads KILN_GIT_USERNAME and
 * KILN_GIT_PASSWORD, never argv. It leaves the commit in the termination
 * message and in /kiln/codebase.env for the later steps.
 */
export const CLONE_SCRIPT = `set -e
if [ -n "\${KILN_GIT_PASSWORD-}" ]; then
  set -- -c 'credential.helper=!f() { echo "username=\${KILN_GIT_USERNAME}"; echo "password=\${KILN_GIT_PASSWORD}"; }; f'
fi
depth=""
if [ "\${KILN_DEPTH:-0}" != 0 ]; then depth="--depth=\${KILN_DEPTH}"; fi
echo "+ git init --quiet \${KILN_CLONE_DIR}"
git init --quiet "\${KILN_CLONE_DIR}"
cd "\${KILN_CLONE_DIR}"
echo "+ git fetch \${depth} \${KILN_REPO_URL} \${KILN_FETCH_REF}"
if ! git "$@" fetch \${depth} "\${KILN_REPO_URL}" "\${KILN_FETCH_REF}"; then
  [ "\${KILN_CHECKOUT}" != FETCH_HEAD ] || exit 1
  echo "fetching the commit by its id failed; fetching all branches instead"
  git "$@" fetch "\${KILN_REPO_URL}" '+refs/heads/*:refs/remotes/origin/*'
fi
echo "+ git checkout --detach \${KILN_CHECKOUT}"
git -c advice.detachedHead=false checkout --detach "\${KILN_CHECKOUT}"
sha=$(git rev-parse HEAD)
printf 'export CI_COMMIT_SHA=%s DRONE_COMMIT_SHA=%s DRONE_COMMIT=%s\\n' "$sha" "$sha" "$sha" > ${KILN_DIR}/codebase.env
echo "checked out $sha"
printf '%s' "$sha" > /dev/termination-log
`;

/** Names shell variables may have; output variable names are checked against it before they enter a script. */
export const VARIABLE_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/**
 * Script of a Run step container: it loads the commit variables, then
 * evaluates KILN_STEP_COMMAND with errexit, as the local executor's `sh -e`.
 * Each output variable is written to the termination message as
 * `NAME=<hex of the value>`; names are checked identifiers, so the script
 * holds no user text.
 */
export function runScript(outputNames: string[]): string {
  const lines = [`if [ -f ${KILN_DIR}/codebase.env ]; then . ${KILN_DIR}/codebase.env; fi`, 'set -e', 'eval "$KILN_STEP_COMMAND"'];
  if (outputNames.length > 0) lines.push(': > /dev/termination-log');
  for (const name of outputNames) {
    if (!VARIABLE_NAME.test(name)) throw new Error(`output variable name ${name} was not checked`);
    lines.push(`{ printf '%s=' ${name}; printf '%s' "\${${name}-}" | od -An -v -tx1 | tr -d ' \\n'; echo; } >> /dev/termination-log`);
  }
  return `${lines.join('\n')}\n`;
}

/** Reads the `NAME=<hex>` lines a Run step wrote to its termination message. */
export function parseOutputs(message: string | undefined, names: string[]): Record<string, string> {
  const outputs: Record<string, string> = {};
  for (const line of (message ?? '').split('\n')) {
    const match = /^([A-Za-z_][A-Za-z0-9_]*)=([0-9a-f]*)$/.exec(line.trim());
    if (match?.[1] !== undefined && names.includes(match[1])) outputs[match[1]] = Buffer.from(match[2] ?? '', 'hex').toString('utf8');
  }
  return outputs;
}

interface ContainerBase {
  name: string;
  env: V1EnvVar[];
  extraMounts: V1VolumeMount[];
  resources?: V1ResourceRequirements;
  runAsUser?: number;
}

function securityContext(runAsUser: number | undefined): V1Container['securityContext'] {
  const context: NonNullable<V1Container['securityContext']> = { allowPrivilegeEscalation: false };
  if (runAsUser !== undefined) context.runAsUser = runAsUser;
  return context;
}

function withResources(container: V1Container, resources: V1ResourceRequirements | undefined): V1Container {
  if (resources !== undefined) container.resources = resources;
  return container;
}

/** Clone init container: environment for {@link CLONE_SCRIPT}; `credentials` are env entries already pointing at the task's Secret. */
export function cloneContainer(image: string, codebase: CodebaseRecord, base: ContainerBase): V1Container {
  const directory = codebase.cloneDirectory === undefined || codebase.cloneDirectory === '' ? WORKSPACE : `${WORKSPACE}/${codebase.cloneDirectory}`;
  const env: V1EnvVar[] = [
    { name: 'KILN_REPO_URL', value: codebase.repoUrl },
    { name: 'KILN_FETCH_REF', value: fetchRef(codebase.build) },
    { name: 'KILN_CHECKOUT', value: codebase.build.type === 'commitSha' ? codebase.build.value : 'FETCH_HEAD' },
    { name: 'KILN_CLONE_DIR', value: directory },
    { name: 'KILN_DEPTH', value: String(codebase.depth ?? DEFAULT_CLONE_DEPTH) },
    { name: 'GIT_TERMINAL_PROMPT', value: '0' },
    ...base.env,
  ];
  return withResources({
    name: base.name, image, command: ['sh', '-c', CLONE_SCRIPT], env, workingDir: WORKSPACE,
    volumeMounts: [...BASE_MOUNTS, ...base.extraMounts], terminationMessagePolicy: 'File', securityContext: securityContext(base.runAsUser),
  }, base.resources);
}

/** Run step init container: `<shell> -c <run script>` in the step's image with the command in KILN_STEP_COMMAND. */
export function runContainer(image: string, shell: string, outputNames: string[], base: ContainerBase & { imagePullPolicy?: string }): V1Container {
  const container: V1Container = {
    name: base.name, image, command: [shell, '-c', runScript(outputNames)], env: base.env, workingDir: WORKSPACE,
    volumeMounts: [...BASE_MOUNTS, ...base.extraMounts], terminationMessagePolicy: 'File', securityContext: securityContext(base.runAsUser),
  };
  if (base.imagePullPolicy !== undefined) container.imagePullPolicy = base.imagePullPolicy;
  return withResources(container, base.resources);
}

/**
 * kaniko init container. kaniko unpacks images over its own root file system,
 * so it runs as root whatever the infrastructure's runAsUser says. The
 * docker config Secret is mounted read-only at /kaniko/.docker.
 */
export function kanikoContainer(image: string, args: string[], dockerSecretVolume: string, base: ContainerBase): V1Container {
  return withResources({
    name: base.name, image, command: [KANIKO_EXECUTOR], args, env: base.env, workingDir: WORKSPACE,
    volumeMounts: [{ name: WORKSPACE_VOLUME, mountPath: WORKSPACE }, { name: dockerSecretVolume, mountPath: '/kaniko/.docker', readOnly: true }, ...base.extraMounts],
    terminationMessagePolicy: 'File', securityContext: { runAsUser: 0 },
  }, base.resources);
}

/** The pod's only regular container: it exits at once, after every step has run as an init container. */
export function doneContainer(image: string): V1Container {
  return {
    name: 'done', image, command: ['sh', '-c', 'exit 0'], terminationMessagePolicy: 'File',
    resources: { requests: { cpu: '10m', memory: '16Mi' }, limits: { cpu: '100m', memory: '64Mi' } },
    securityContext: { allowPrivilegeEscalation: false, runAsNonRoot: true, runAsUser: 65534, capabilities: { drop: ['ALL'] } },
  };
}
