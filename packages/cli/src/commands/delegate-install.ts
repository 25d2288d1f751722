import type { Command } from 'commander';
import { stringify } from 'yaml';
import type { CommandContext } from '../context.js';
import { usageError } from '../errors.js';
import { parseIntegerOption } from '../options.js';

/** Settings of `kiln delegate install`, validated. */
export interface DelegateInstallOptions {
  name: string;
  namespace: string;
  /** Manager gRPC address `HOST:PORT` as the delegate dials it. */
  manager: string;
  token: string;
  tags: string[];
  replicas: number;
  builder: 'kaniko' | 'buildah';
  /** PEM of the CA that signed the manager's certificate; without it the delegate dials the manager in plaintext. */
  managerCa?: string;
  image: string;
}

type Manifest = Record<string, unknown>;

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;
const HEALTH_PORT = 3460;

/** Default delegate image; NOTE: no image is published yet, so pass --image with one you built. */
export const DEFAULT_DELEGATE_IMAGE = 'ghcr.io/kiln-ci/kiln-delegate:0.1.0';

function delegateConfig(options: DelegateInstallOptions): string {
  const config: Record<string, unknown> = {
    manager: options.manager, tokenFile: '/etc/kiln/token/token', name: options.name, tags: options.tags, capacity: 4,
    workDir: '/var/lib/kiln-delegate', healthListen: `0.0.0.0:${HEALTH_PORT}`,
    executor: options.builder === 'kaniko' ? 'kubernetes' : 'local',
    builder: options.builder === 'kaniko' ? { type: 'kaniko' } : { type: 'buildah', storageDriver: 'vfs', isolation: 'chroot' },
  };
  if (options.builder === 'kaniko') config.kubernetes = { namespace: options.namespace };
  // The manager's address is not loopback here, so the delegate needs either TLS or an explicit opt-out.
  if (options.managerCa !== undefined) config.tls = { ca: 'manager-ca.crt' };
  else config.allowPlaintext = true;
  return stringify(config);
}

/** The delegate container's securityContext: non-root and read-only for kaniko; buildah builds inside the container, so it needs root and SETUID/SETGID/SYS_ADMIN. */
function containerSecurity(builder: DelegateInstallOptions['builder']): Manifest {
  if (builder === 'kaniko') {
    return { runAsNonRoot: true, runAsUser: 10001, runAsGroup: 10001, allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ['ALL'] }, seccompProfile: { type: 'RuntimeDefault' } };
  }
  // NOTE: buildah (vfs, chroot isolation) inside a pod needs these; this set was not tried on a cluster here.
  return { runAsUser: 0, allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'], add: ['CHOWN', 'DAC_OVERRIDE', 'FOWNER', 'SETUID', 'SETGID', 'SYS_ADMIN', 'SYS_CHROOT', 'MKNOD'] }, seccompProfile: { type: 'Unconfined' } };
}

function deployment(options: DelegateInstallOptions, labels: Record<string, string>): Manifest {
  const probe = (path: string, delay: number): Manifest => ({ httpGet: { path, port: 'health' }, initialDelaySeconds: delay, periodSeconds: 10, timeoutSeconds: 5, failureThreshold: 3 });
  return {
    apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: options.name, namespace: options.namespace, labels },
    spec: {
      replicas: options.replicas, selector: { matchLabels: labels },
      template: {
        metadata: { labels, annotations: { 'prometheus.io/scrape': 'true', 'prometheus.io/port': String(HEALTH_PORT), 'prometheus.io/path': '/metrics' } },
        spec: {
          serviceAccountName: options.name,
          // A drain lets running builds finish for up to drainTimeout (5m by default) before aborting them.
          terminationGracePeriodSeconds: 600,
          securityContext: { fsGroup: 10001, seccompProfile: { type: 'RuntimeDefault' } },
          containers: [{
            name: 'delegate', image: options.image, args: ['--config', '/etc/kiln/config/delegate.yaml'],
            ports: [{ name: 'health', containerPort: HEALTH_PORT }],
            resources: { requests: { cpu: '250m', memory: '512Mi' }, limits: { cpu: '1', memory: '2Gi' } },
            livenessProbe: probe('/healthz', 10), readinessProbe: probe('/readyz', 5),
            securityContext: containerSecurity(options.builder),
            volumeMounts: [
              { name: 'config', mountPath: '/etc/kiln/config', readOnly: true }, { name: 'token', mountPath: '/etc/kiln/token', readOnly: true },
              { name: 'work', mountPath: '/var/lib/kiln-delegate' }, { name: 'tmp', mountPath: '/tmp' },
            ],
          }],
          volumes: [
            { name: 'config', configMap: { name: `${options.name}-config` } }, { name: 'token', secret: { secretName: `${options.name}-token`, defaultMode: 0o400 } },
            { name: 'work', emptyDir: {} }, { name: 'tmp', emptyDir: {} },
          ],
        },
      },
    },
  };
}

/** Renders the delegate's manifests: Namespace, ServiceAccount, Role, RoleBinding, token Secret, config ConfigMap and Deployment. */
export function delegateManifests(options: DelegateInstallOptions): Manifest[] {
  const labels = { 'app.kubernetes.io/name': 'kiln-delegate', 'app.kubernetes.io/instance': options.name };
  const metadata = (name: string): Manifest => ({ name, namespace: options.namespace, labels });
  return [
    { apiVersion: 'v1', kind: 'Namespace', metadata: { name: options.namespace, labels: { 'app.kubernetes.io/part-of': 'kiln' } } },
    { apiVersion: 'v1', kind: 'ServiceAccount', metadata: metadata(options.name) },
    {
      apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'Role', metadata: metadata(options.name),
      rules: [
        { apiGroups: [''], resources: ['pods'], verbs: ['create', 'get', 'list', 'watch', 'delete'] },
        { apiGroups: [''], resources: ['pods/log'], verbs: ['get'] },
        { apiGroups: [''], resources: ['secrets'], verbs: ['create', 'get', 'list', 'delete'] },
      ],
    },
    {
      apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'RoleBinding', metadata: metadata(options.name),
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: options.name },
      subjects: [{ kind: 'ServiceAccount', name: options.name, namespace: options.namespace }],
    },
    { apiVersion: 'v1', kind: 'Secret', metadata: metadata(`${options.name}-token`), type: 'Opaque', stringData: { token: options.token } },
    {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: metadata(`${options.name}-config`),
      data: { 'delegate.yaml': delegateConfig(options), ...(options.managerCa === undefined ? {} : { 'manager-ca.crt': options.managerCa }) },
    },
    deployment(options, labels),
  ];
}

/** Validates the raw flags; `globals` carries --manager and --token, which commander gives to the program. */
export function parseInstallOptions(raw: Record<string, string | undefined>, globals: { manager?: string; token?: string }): DelegateInstallOptions {
  for (const [flag, value] of [['--name', raw.name], ['--namespace', raw.namespace]] as const) {
    if (value === undefined || !DNS_LABEL.test(value)) throw usageError(`invalid ${flag} '${value ?? ''}'`, 'Give a DNS label: lowercase letters, digits and -, at most 63 characters, e.g. kiln-delegate.');
  }
  if (globals.manager === undefined) throw usageError('missing --manager', 'Give the manager gRPC address as the delegate reaches it, e.g. --manager kiln-manager.kiln.svc:7443.');
  if (globals.token === undefined || globals.token === '') throw usageError('missing --token', 'Give the delegate registration token (the manager\'s KILN_DELEGATE_TOKEN) with --token.');
  const builder = raw.builder ?? 'kaniko';
  if (builder !== 'kaniko' && builder !== 'buildah') throw usageError(`invalid --builder '${builder}'`, 'Use --builder kaniko or --builder buildah.');
  const tags = (raw.tags ?? '').split(',').map((tag) => tag.trim()).filter((tag) => tag !== '');
  return {
    name: raw.name ?? '', namespace: raw.namespace ?? '', manager: globals.manager, token: globals.token, tags, builder,
    replicas: parseIntegerOption(raw.replicas ?? '1', '--replicas', 1, 100), image: raw.image ?? DEFAULT_DELEGATE_IMAGE,
  };
}

/** Registers `kiln delegate install`, which prints the manifests as YAML (or a JSON List with --output json) and contacts nothing. */
export function registerDelegateInstallCommand(program: Command, context: CommandContext): void {
  const delegate = program.command('delegate').description('manage delegates in your clusters');
  delegate
    .command('install')
    .description('print Kubernetes manifests that install a delegate; apply them with kubectl apply -f -')
    .requiredOption('--name <NAME>', 'delegate name (also its Deployment, ServiceAccount and Role)')
    .requiredOption('--namespace <NS>', 'namespace of the delegate and of its build pods')
    .option('--tags <a,b>', 'delegate tags matched against connector delegateSelectors')
    .option('--replicas <N>', 'delegate replicas (default 1)')
    .option('--builder <kaniko|buildah>', 'kaniko: build pods with kaniko (default); buildah: builds inside the delegate pod')
    .option('--image <IMAGE>', `delegate image (default ${DEFAULT_DELEGATE_IMAGE})`)
    .option('--manager-ca <FILE>', "CA certificate (PEM) of the manager's TLS certificate; without it the delegate connects in plaintext")
    .addHelpText('after', '\n--manager HOST:PORT (the manager gRPC address the delegate dials) and --token TOKEN (the delegate token) are required.')
    .action(async (raw: Record<string, string | undefined>) => {
      const globals = program.opts<{ manager?: string; token?: string }>();
      const fromFlags = {
        manager: program.getOptionValueSource('manager') === 'cli' ? globals.manager : undefined,
        token: program.getOptionValueSource('token') === 'cli' ? globals.token : undefined,
      };
      const options = parseInstallOptions(raw, fromFlags);
      if (raw.managerCa !== undefined) options.managerCa = await context.readInputFile(raw.managerCa);
      else context.output.error('warning: no --manager-ca given, so the delegate will connect to the manager without TLS (allowPlaintext: true)');
      const manifests = delegateManifests(options);
      if (context.format === 'json') context.output.json({ apiVersion: 'v1', kind: 'List', items: manifests });
      else context.output.line(manifests.map((manifest) => stringify(manifest, { lineWidth: 0 }).trimEnd()).join('\n---\n'));
    });
}
