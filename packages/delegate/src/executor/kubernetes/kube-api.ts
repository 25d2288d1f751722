import { PassThrough } from 'node:stream';
import { createInterface } from 'node:readline';
import { CoreV1Api, KubeConfig, Log, Watch, type V1Pod, type V1Secret } from '@kubernetes/client-node';
import { KilnError } from '@kiln/protocol';

/** Loads the cluster credentials: a kubeconfig file, the pod's service account, or the default kubeconfig. */
export function loadKubeConfig(options: { kubeconfig?: string; inCluster?: boolean }): KubeConfig {
  const config = new KubeConfig();
  try {
    if (options.kubeconfig !== undefined) config.loadFromFile(options.kubeconfig);
    else if (options.inCluster === true || process.env.KUBERNETES_SERVICE_HOST !== undefined) config.loadFromCluster();
    else config.loadFromDefault();
  } catch (error) {
    const source = options.kubeconfig ?? (options.inCluster === true ? 'the in-cluster service account' : 'the default kubeconfig');
    throw new KilnError('INVALID_ARGUMENT', `cannot load Kubernetes credentials from ${source}: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
  }
  return config;
}

function statusCode(error: unknown): number | undefined {
  const code = (error as { code?: unknown; statusCode?: unknown }).code ?? (error as { statusCode?: unknown }).statusCode;
  return typeof code === 'number' ? code : undefined;
}

/** True when the API server answered 404 Not Found. */
export function isNotFound(error: unknown): boolean {
  return statusCode(error) === 404;
}

/**
 * The few Kubernetes API calls the executor makes: pods and secrets create,
 * get, list, watch and delete, and container logs. Deletes treat 404 as done.
 */
export class KubeApi {
  private readonly core: CoreV1Api;

  constructor(readonly config: KubeConfig) {
    this.core = config.makeApiClient(CoreV1Api);
  }

  createPod(pod: V1Pod): Promise<V1Pod> {
    return this.core.createNamespacedPod({ namespace: pod.metadata?.namespace ?? 'default', body: pod });
  }

  readPod(namespace: string, name: string): Promise<V1Pod> {
    return this.core.readNamespacedPod({ namespace, name });
  }

  async listPods(namespace: string, labelSelector: string): Promise<V1Pod[]> {
    return (await this.core.listNamespacedPod({ namespace, labelSelector })).items;
  }

  async deletePod(namespace: string, name: string, gracePeriodSeconds?: number): Promise<void> {
    try {
      await this.core.deleteNamespacedPod(gracePeriodSeconds === undefined ? { namespace, name } : { namespace, name, gracePeriodSeconds });
    } catch (error) {
      if (!isNotFound(error)) throw error;
    }
  }

  async createSecret(secret: V1Secret): Promise<void> {
    await this.core.createNamespacedSecret({ namespace: secret.metadata?.namespace ?? 'default', body: secret });
  }

  async listSecretNames(namespace: string, labelSelector: string): Promise<string[]> {
    return (await this.core.listNamespacedSecret({ namespace, labelSelector })).items.flatMap((secret) => secret.metadata?.name ?? []);
  }

  async deleteSecret(namespace: string, name: string): Promise<void> {
    try {
      await this.core.deleteNamespacedSecret({ namespace, name });
    } catch (error) {
      if (!isNotFound(error)) throw error;
    }
  }

  /** Watches one pod from `resourceVersion`; `onDone` runs when the server closes the watch or it fails. Returns the abort handle. */
  watchPod(namespace: string, name: string, resourceVersion: string | undefined, onEvent: (type: string, pod: V1Pod) => void, onDone: (error: unknown) => void): Promise<AbortController> {
    const query: Record<string, string> = { fieldSelector: `metadata.name=${name}`, allowWatchBookmarks: 'false' };
    if (resourceVersion !== undefined) query.resourceVersion = resourceVersion;
    return new Watch(this.config).watch(`/api/v1/namespaces/${namespace}/pods`, query, (type, object: V1Pod) => onEvent(type, object), onDone);
  }

  /**
   * Follows a container's log and calls `onLine` per line until the container
   * ends (the server closes the stream) or `signal` aborts.
   */
  async followLog(namespace: string, pod: string, container: string, onLine: (line: string) => void, signal: AbortSignal): Promise<void> {
    const stream = new PassThrough();
    const lines = createInterface({ input: stream, crlfDelay: Infinity });
    lines.on('line', onLine);
    const closed = new Promise<void>((resolve) => lines.once('close', resolve));
    const controller = await new Log(this.config).log(namespace, pod, container, stream, { follow: true, timestamps: false });
    const abort = (): void => {
      controller.abort();
      stream.end();
    };
    if (signal.aborted) abort();
    signal.addEventListener('abort', abort, { once: true });
    try {
      await closed;
    } finally {
      signal.removeEventListener('abort', abort);
    }
  }
}
