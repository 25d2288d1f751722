/**
 * Runs async work one at a time, in call order. The SQLite store uses it so
 * that a statement from another caller cannot run inside an open transaction
 * while the transaction awaits.
 */
export class AsyncLock {
  private tail: Promise<unknown> = Promise.resolve();

  run<T>(work: () => Promise<T>): Promise<T> {
    const result = this.tail.then(work);
    this.tail = result.catch(() => undefined);
    return result;
  }
}
