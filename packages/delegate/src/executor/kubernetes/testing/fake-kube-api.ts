import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { KubeConfig, type V1ContainerState, type V1Pod, type V1Secret } from '@kubernetes/client-node';

/**
 * A fake Kubernetes API server for tests: no real API server or kubelet runs
 * here. It implements only what the kubernetes executor calls (pods and
 * secrets create, get, list, watch, delete, and container logs) and plays
 * each pod's containers from a script instead of running them.
 */

/** What a scripted container does: print lines and exit, or stay waiting (an image pull error), or run until the pod is deleted. */
export interface ContainerScript {
  lines?: string[];
  exitCode?: number;
  /** Termination message, as a container writes to /dev/termination-log. */
  message?: string;
  waiting?: { reason: string; message: string };
  runUntilDeleted?: boolean;
}

export interface FakeKubeApi {
  url: string;
  kubeConfig: KubeConfig;
  pods: Map<string, V1Pod>;
  /** Every pod as it was created, by name. */
  created: Map<string, V1Pod>;
  secrets: Map<string, V1Secret>;
  createdSecrets: V1Secret[];
  deletedPods: string[];
  deletedSecrets: string[];
  /** Scripts by container name; a container without one prints nothing and exits 0. */
  scripts: Map<string, ContainerScript>;
  /** Pod condition to set at creation, e.g. Unschedulable. */
  unschedulable: boolean;
  addPod(pod: V1Pod): void;
  close(): Promise<void>;
}

const STEP_DELAY_MS = 30;

export async function startFakeKubeApi(): Promise<FakeKubeApi> {
  let version = 1;
  const watchers = new Set<{ name: string; response: ServerResponse }>();
  const logWaiters = new Set<() => void>();
  const fake: Omit<FakeKubeApi, 'url' | 'kubeConfig' | 'close'> & { addPod(pod: V1Pod): void } = {
    pods: new Map(), created: new Map(), secrets: new Map(), createdSecrets: [], deletedPods: [], deletedSecrets: [], scripts: new Map(), unschedulable: false,
    addPod: (pod) => store(pod, 'ADDED'),
  };

  function store(pod: V1Pod, type: 'ADDED' | 'MODIFIED' | 'DELETED'): void {
    version += 1;
    pod.metadata = { ...pod.metadata, resourceVersion: String(version) };
    const name = pod.metadata.name ?? '';
    if (type === 'DELETED') fake.pods.delete(name);
    else fake.pods.set(name, pod);
    for (const watcher of watchers) if (watcher.name === name) watcher.response.write(`${JSON.stringify({ type, object: pod })}\n`);
    for (const wake of [...logWaiters]) wake();
  }

  function setState(name: string, container: string, state: V1ContainerState, init: boolean): void {
    const pod = fake.pods.get(name);
    if (pod === undefined) return;
    const status = { ...pod.status };
    const key = init ? 'initContainerStatuses' : 'containerStatuses';
    const others = (status[key] ?? []).filter((item) => item.name !== container);
    status[key] = [...others, { name: container, image: '', imageID: '', ready: false, restartCount: 0, state }];
    store({ ...pod, status }, 'MODIFIED');
  }

  async function playPod(name: string): Promise<void> {
    const pod = fake.pods.get(name);
    if (fake.unschedulable) {
      store({ ...pod, status: { phase: 'Pending', conditions: [{ type: 'PodScheduled', status: 'False', reason: 'Unschedulable', message: '0/3 nodes are available: insufficient cpu' }] } }, 'MODIFIED');
      return;
    }
    for (const container of pod?.spec?.initContainers ?? []) {
      await new Promise((resolve) => setTimeout(resolve, STEP_DELAY_MS));
      if (!fake.pods.has(name)) return;
      const script = fake.scripts.get(container.name) ?? {};
      if (script.waiting !== undefined) {
        setState(name, container.name, { waiting: script.waiting }, true);
        return;
      }
      setState(name, container.name, { running: { startedAt: new Date() } }, true);
      if (script.runUntilDeleted === true) return;
      await new Promise((resolve) => setTimeout(resolve, STEP_DELAY_MS));
      const exitCode = script.exitCode ?? 0;
      setState(name, container.name, { terminated: { exitCode, reason: exitCode === 0 ? 'Completed' : 'Error', message: script.message } }, true);
      if (exitCode !== 0) {
        const current = fake.pods.get(name);
        store({ ...current, status: { ...current?.status, phase: 'Failed' } }, 'MODIFIED');
        return;
      }
    }
    setState(name, 'done', { terminated: { exitCode: 0, reason: 'Completed' } }, false);
    const current = fake.pods.get(name);
    store({ ...current, status: { ...current?.status, phase: 'Succeeded' } }, 'MODIFIED');
  }

  function containerTerminated(name: string, container: string): boolean {
    const status = fake.pods.get(name)?.status;
    return [...(status?.initContainerStatuses ?? []), ...(status?.containerStatuses ?? [])].some((item) => item.name === container && item.state?.terminated !== undefined);
  }

  async function serveLog(name: string, container: string, response: ServerResponse): Promise<void> {
    response.writeHead(200, { 'content-type': 'text/plain' });
    for (const line of fake.scripts.get(container)?.lines ?? []) response.write(`${line}\n`);
    while (fake.pods.has(name) && !containerTerminated(name, container)) {
      await new Promise<void>((resolve) => {
        logWaiters.add(resolve);
        setTimeout(resolve, 200).unref();
      });
    }
    response.end();
  }

  function matches(labels: Record<string, string> | undefined, selector: string | null): boolean {
    if (selector === null || selector === '') return true;
    return selector.split(',').every((term) => {
      const [key, value] = term.split('=');
      return labels?.[key ?? ''] === value;
    });
  }

  async function body(request: IncomingMessage): Promise<unknown> {
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    return JSON.parse(Buffer.concat(chunks).toString('utf8'));
  }

  function json(response: ServerResponse, status: number, value: unknown): void {
    response.writeHead(status, { 'content-type': 'application/json' });
    response.end(JSON.stringify(value));
  }

  const notFound = (response: ServerResponse, what: string): void => json(response, 404, { kind: 'Status', apiVersion: 'v1', status: 'Failure', reason: 'NotFound', code: 404, message: `${what} not found` });

  async function handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const url = new URL(request.url ?? '/', 'http://127.0.0.1');
    const match = /^\/api\/v1\/namespaces\/([^/]+)\/(pods|secrets)(?:\/([^/]+))?(\/log)?$/.exec(url.pathname);
    if (match === null) return notFound(response, url.pathname);
    const [, , kind, name, log] = match;
    if (kind === 'secrets') {
      if (request.method === 'POST') {
        const secret = (await body(request)) as V1Secret;
        fake.secrets.set(secret.metadata?.name ?? '', secret);
        fake.createdSecrets.push(secret);
        return json(response, 201, secret);
      }
      if (request.method === 'DELETE' && name !== undefined) {
        if (!fake.secrets.delete(name)) return notFound(response, `secret ${name}`);
        fake.deletedSecrets.push(name);
        return json(response, 200, { kind: 'Status', status: 'Success' });
      }
      const items = [...fake.secrets.values()].filter((secret) => matches(secret.metadata?.labels, url.searchParams.get('labelSelector')));
      return json(response, 200, { kind: 'SecretList', apiVersion: 'v1', metadata: {}, items });
    }
    if (request.method === 'POST') {
      const pod = (await body(request)) as V1Pod;
      const podName = pod.metadata?.name ?? '';
      fake.created.set(podName, structuredClone(pod));
      store({ ...pod, status: { phase: 'Pending' } }, 'ADDED');
      void playPod(podName);
      return json(response, 201, fake.pods.get(podName));
    }
    if (name !== undefined && log !== undefined) {
      if (!fake.pods.has(name)) return notFound(response, `pod ${name}`);
      return serveLog(name, url.searchParams.get('container') ?? '', response);
    }
    if (name !== undefined && request.method === 'DELETE') {
      const pod = fake.pods.get(name);
      if (pod === undefined) return notFound(response, `pod ${name}`);
      fake.deletedPods.push(name);
      store(pod, 'DELETED');
      return json(response, 200, pod);
    }
    if (name !== undefined) {
      const pod = fake.pods.get(name);
      return pod === undefined ? notFound(response, `pod ${name}`) : json(response, 200, pod);
    }
    if (url.searchParams.get('watch') === 'true') {
      const watched = (url.searchParams.get('fieldSelector') ?? '').replace('metadata.name=', '');
      response.writeHead(200, { 'content-type': 'application/json' });
      const watcher = { name: watched, response };
      watchers.add(watcher);
      request.on('close', () => watchers.delete(watcher));
      return;
    }
    const items = [...fake.pods.values()].filter((pod) => matches(pod.metadata?.labels, url.searchParams.get('labelSelector')));
    return json(response, 200, { kind: 'PodList', apiVersion: 'v1', metadata: {}, items });
  }

  const server: Server = createServer((request, response) => {
    handle(request, response).catch((error: unknown) => json(response, 500, { kind: 'Status', code: 500, message: String(error) }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const kubeConfig = new KubeConfig();
  kubeConfig.loadFromOptions({
    clusters: [{ name: 'fake', server: url, skipTLSVerify: true }],
    users: [{ name: 'fake', token: 'fake-token' }],
    contexts: [{ name: 'fake', cluster: 'fake', user: 'fake' }],
    currentContext: 'fake',
  });
  return Object.assign(fake, {
    url, kubeConfig,
    close: async () => {
      for (const watcher of watchers) watcher.response.end();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  });
}
