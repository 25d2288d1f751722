import type { V1Pod } from '@kubernetes/client-node';
import type { Logger } from 'pino';
import { sleep } from '../../backoff.js';
import { isNotFound, type KubeApi } from './kube-api.js';

/** What the tracker knows about the pod: its last state, or that it is gone. */
export interface PodView {
  pod: V1Pod | undefined;
  deleted: boolean;
}

/**
 * Keeps the latest state of one pod from a watch. When the server closes the
 * watch (it does so every few minutes) the tracker reads the pod again and
 * watches from that version. Waiters re-check on every change and every
 * `recheckIntervalMs`, so time-based conditions such as the init timeout fire
 * without an event.
 */
export class PodTracker {
  private view: PodView = { pod: undefined, deleted: false };
  private readonly listeners = new Set<() => void>();
  private readonly stopped = new AbortController();
  private watch: AbortController | undefined;

  constructor(
    private readonly api: KubeApi,
    private readonly namespace: string,
    private readonly name: string,
    private readonly logger: Logger,
    private readonly recheckIntervalMs: number,
  ) {}

  get current(): PodView {
    return this.view;
  }

  start(initial: V1Pod): void {
    this.update({ pod: initial, deleted: false });
    void this.watchLoop().catch((error: unknown) => this.logger.error({ err: error, pod: this.name }, 'pod watch loop failed'));
  }

  stop(): void {
    this.stopped.abort();
    this.watch?.abort();
    this.notify();
  }

  private update(view: PodView): void {
    this.view = view;
    this.notify();
  }

  private notify(): void {
    for (const listener of [...this.listeners]) listener();
  }

  private async watchLoop(): Promise<void> {
    while (!this.stopped.signal.aborted && !this.view.deleted) {
      const closed = await this.watchOnce();
      if (this.stopped.signal.aborted || this.view.deleted) return;
      if (closed !== null) this.logger.warn({ err: closed, pod: this.name }, 'pod watch failed, watching again');
      await sleep(closed === null ? 100 : 1000, this.stopped.signal);
      await this.refresh();
    }
  }

  private async watchOnce(): Promise<unknown> {
    return new Promise((resolve) => {
      this.api.watchPod(this.namespace, this.name, this.view.pod?.metadata?.resourceVersion, (type, pod) => {
        if (type === 'DELETED') this.update({ pod, deleted: true });
        else if (type === 'ADDED' || type === 'MODIFIED') this.update({ pod, deleted: false });
      }, (error: unknown) => resolve(error ?? null)).then((controller) => {
        this.watch = controller;
        if (this.stopped.signal.aborted) controller.abort();
      }, resolve);
    });
  }

  private async refresh(): Promise<void> {
    try {
      this.update({ pod: await this.api.readPod(this.namespace, this.name), deleted: false });
    } catch (error) {
      if (isNotFound(error)) this.update({ pod: this.view.pod, deleted: true });
      else this.logger.warn({ err: error, pod: this.name }, 'reading the pod failed');
    }
  }

  /**
   * Resolves with the first value `select` returns for the pod's state;
   * rejects with the signal's reason when `signal` aborts first.
   */
  waitFor<T>(select: (view: PodView) => T | undefined, signal: AbortSignal): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const check = (): void => {
        if (signal.aborted) {
          finish();
          reject(signal.reason instanceof Error ? signal.reason : new Error('aborted'));
          return;
        }
        const value = select(this.view);
        if (value !== undefined) {
          finish();
          resolve(value);
        }
      };
      const timer = setInterval(check, this.recheckIntervalMs);
      timer.unref();
      const finish = (): void => {
        clearInterval(timer);
        this.listeners.delete(check);
        signal.removeEventListener('abort', check);
      };
      this.listeners.add(check);
      signal.addEventListener('abort', check, { once: true });
      check();
    });
  }
}
