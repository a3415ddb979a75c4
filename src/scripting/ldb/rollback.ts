/**
 * SCRIPT DEBUG YES without fork(): Redis debugs in a forked child, so the parent's dataset never
 * sees the session's writes. reddish runs the session in the server itself and undoes them
 * afterwards from a journal of before-images, taken through the keyspace's hooks (the ones the
 * fork-less snapshot uses to keep values point-in-time):
 *
 *   beforeWrite(db, key)  first touch of a key (per dictionary): a deep copy of its value and TTL
 *   beforeFlush(db)       FLUSHDB/FLUSHALL: the dictionaries being dropped (they are replaced, not emptied)
 *   beforeSwap(a, b)      SWAPDB: the pair
 *
 * rollback() undoes the journal backwards, so each entry meets the dataset as it was when the
 * entry was taken.
 */
import type { Keyspace, KeyspaceListener } from '../../store/keyspace.js';
import type { Database } from '../../store/database.js';
import type { RedisValue } from '../../store/values.js';
import { copyValue } from '../../commands/keyspace.js';

type Entry =
  | { kind: 'key'; db: Database; key: string; value: RedisValue | undefined; expire: number | undefined }
  | { kind: 'flush'; db: Database; dict: Map<string, RedisValue>; expires: Map<string, number>; avgTtl: number }
  | { kind: 'swap'; a: number; b: number };

export class RollbackJournal {
  private readonly entries: Entry[] = [];
  /** Keys already saved, per dictionary (a FLUSHDB starts a new dictionary, hence new saves). */
  private readonly seen = new WeakMap<Map<string, RedisValue>, Set<string>>();
  private readonly listener: KeyspaceListener;
  private closed = false;

  constructor(private readonly keyspace: Keyspace) {
    this.listener = {
      beforeWrite: (db, key) => this.beforeWrite(db, key),
      beforeFlush: (db) => this.entries.push({ kind: 'flush', db, dict: db.dict, expires: db.expires, avgTtl: db.avgTtl }),
      beforeSwap: (a, b) => this.entries.push({ kind: 'swap', a: a.id, b: b.id }),
    };
    keyspace.addListener(this.listener);
  }

  private beforeWrite(db: Database, key: string): void {
    let keys = this.seen.get(db.dict);
    if (keys === undefined) this.seen.set(db.dict, (keys = new Set()));
    if (keys.has(key)) return;
    keys.add(key);
    const v = db.dict.get(key);
    let value: RedisValue | undefined;
    if (v !== undefined) {
      value = copyValue(v);
      value.lru = v.lru;
    }
    this.entries.push({ kind: 'key', db, key, value, expire: db.expires.get(key) });
  }

  /** Puts every database back as it was when the journal started. */
  rollback(): void {
    if (this.closed) return;
    this.closed = true;
    this.keyspace.removeListener(this.listener);
    for (let i = this.entries.length - 1; i >= 0; i--) {
      const e = this.entries[i];
      if (e.kind === 'swap') {
        this.keyspace.swap(e.a, e.b);
      } else if (e.kind === 'flush') {
        // The dropped dictionaries come back (clear() replaced them, so they are as they were).
        const db = e.db;
        db.dict = e.dict;
        db.expires = e.expires;
        db.avgTtl = e.avgTtl;
        db.settle(); // recounts the memory of the dictionary it now holds
      } else {
        const db = e.db;
        if (e.value === undefined) db.deleteUnchecked(e.key);
        else {
          const lru = e.value.lru;
          db.set(e.key, e.value);
          e.value.lru = lru;
          if (e.expire !== undefined) db.setExpire(e.key, e.expire);
        }
      }
    }
    this.entries.length = 0;
  }

  /** Stops journaling without undoing anything (the session did not run). */
  discard(): void {
    if (this.closed) return;
    this.closed = true;
    this.keyspace.removeListener(this.listener);
  }
}
