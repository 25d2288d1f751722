/** A callback run after a change to an execution commits. */
export type ChangeListener = () => void;

/**
 * In-process notification of committed changes per execution (log lines,
 * step and execution status), so log followers wake without polling.
 */
export class ChangeNotifier {
  private readonly listeners = new Map<string, Set<ChangeListener>>();
  private readonly allListeners = new Set<(executionId: string) => void>();

  /** Registers `listener` for changes of one execution; returns the function that removes it. */
  subscribe(executionId: string, listener: ChangeListener): () => void {
    let set = this.listeners.get(executionId);
    if (set === undefined) {
      set = new Set();
      this.listeners.set(executionId, set);
    }
    set.add(listener);
    return () => {
      set.delete(listener);
      if (set.size === 0) this.listeners.delete(executionId);
    };
  }

  /** Registers `listener` for changes of every execution; returns the function that removes it. */
  subscribeAll(listener: (executionId: string) => void): () => void {
    this.allListeners.add(listener);
    return () => this.allListeners.delete(listener);
  }

  notify(executionId: string): void {
    for (const listener of this.listeners.get(executionId) ?? []) listener();
    for (const listener of this.allListeners) listener(executionId);
  }
}
