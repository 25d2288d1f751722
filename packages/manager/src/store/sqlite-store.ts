import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { AsyncLock } from './async-lock.js';
import { migrate } from './sqlite-schema.js';
import { SqliteOperations } from './sqlite-operations.js';
import type { Store, StoreOperations } from './store.js';

/** File name of the database inside the data directory. */
export const DATABASE_FILE = 'kiln.db';

/**
 * Wraps every operation so it waits for the lock: better-sqlite3 has one
 * connection, and a statement run while a transaction awaits would join it.
 */
function lockedOperations(operations: StoreOperations, lock: AsyncLock): StoreOperations {
  return new Proxy(operations, {
    get(target, property, receiver) {
      const value: unknown = Reflect.get(target, property, receiver);
      if (typeof value !== 'function') return value;
      return (...args: unknown[]) => lock.run(() => (value as (...a: unknown[]) => Promise<unknown>).apply(target, args));
    },
  });
}

/**
 * Opens (creating when missing) `<dataDir>/kiln.db` in WAL mode and applies
 * schema migrations.
 * @throws the better-sqlite3 error when the file cannot be opened or migrated.
 */
export function openSqliteStore(dataDir: string): Store {
  mkdirSync(dataDir, { recursive: true });
  const db = new Database(join(dataDir, DATABASE_FILE));
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.pragma('foreign_keys = ON');
  db.pragma('busy_timeout = 5000');
  migrate(db);

  const lock = new AsyncLock();
  const operations = new SqliteOperations(db);
  const locked = lockedOperations(operations, lock);
  let closed = false;

  const extra: Pick<Store, 'transaction' | 'ping' | 'close'> = {
    transaction: <T>(work: (tx: StoreOperations) => Promise<T>) =>
      lock.run(async () => {
        db.exec('BEGIN IMMEDIATE');
        try {
          const result = await work(operations);
          db.exec('COMMIT');
          return result;
        } catch (error) {
          if (db.inTransaction) db.exec('ROLLBACK');
          throw error;
        }
      }),
    ping: () => lock.run(async () => !closed && db.prepare('SELECT 1 AS ok').get() !== undefined),
    close: () =>
      lock.run(async () => {
        if (closed) return;
        closed = true;
        db.close();
      }),
  };
  return new Proxy(locked, {
    get(target, property, receiver) {
      if (property in extra) return extra[property as keyof typeof extra];
      return Reflect.get(target, property, receiver);
    },
  }) as Store;
}
