/** A callback run after a change to an execution commits. */
export type ChangeListener = () => void;

/**
 * In-process notification of committed changes per execution (log lines,
 * step and execution status), so log followers wake without polling.
 */
export class ChangeNotifier {
  private readonly listeners = new Map<string, Set<ChangeListener>>();

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

  notify(executionId: string): void {
    for (const listener of this.listeners.get(executionId) ?? []) listener();
  }
}
