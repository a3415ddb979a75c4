/**
 * MULTI / EXEC / DISCARD / WATCH / UNWATCH with Redis 7.0 semantics.
 *
 *   normal ──MULTI──▶ queuing ──EXEC──▶ (watched key touched? → null reply) ──▶ run all ──▶ normal
 *                       │  a command refused while queuing → EXEC replies EXECABORT
 *                       └──DISCARD──▶ normal
 *
 * A watched key is "touched" by any modification, deletion (also by expiry), FLUSHDB/FLUSHALL
 * and SWAPDB; a key watched while live that is expired when EXEC runs also aborts it.
 *
 * A key that was already logically expired when WATCHed is special (7.0's watchedKey.expired):
 * its deletion (lazy or active expiry, DEL, FLUSHDB/FLUSHALL) is no logical change, so it does
 * not abort EXEC and only clears the mark; writing a new value does abort it.
 */
import type { Client } from '../net/client.js';
import type { Server } from '../server.js';
import type { Database } from '../store/database.js';
import type { CommandSpec } from './registry.js';

interface Watch {
  db: Database;
  key: string;
  client: Client;
  /** The key was logically expired (still stored) when watched, or became so through SWAPDB. */
  expired: boolean;
}

/** Watched keys per database: key → watches of it, in the order they were made. */
class WatchRegistry {
  private readonly byDb: Map<string, Watch[]>[];
  private readonly byClient = new Map<Client, Watch[]>();

  constructor(server: Server) {
    this.byDb = server.keyspace.dbs.map(() => new Map());
    server.keyspace.addListener({
      modified: (db, key) => this.touch(db, key),
      beforeFlush: (db) => this.touchAll(db, null),
      beforeSwap: (a, b) => {
        this.touchAll(a, b);
        this.touchAll(b, a);
      },
    });
  }

  watch(c: Client, db: Database, key: string): void {
    // A client already doomed to fail its EXEC has no use for more watches.
    if (c.dirtyCas) return;
    let list = this.byClient.get(c);
    if (!list) {
      this.byClient.set(c, (list = []));
      c.onClose.push(() => this.unwatchAll(c));
    }
    if (list.some((w) => w.db === db && w.key === key)) return;
    const w: Watch = { db, key, client: c, expired: db.isExpired(key) };
    list.push(w);
    const map = this.byDb[db.id];
    const watchers = map.get(key);
    if (watchers) watchers.push(w);
    else map.set(key, [w]);
  }

  /** Forgets the client's watches and its dirty mark (UNWATCH, EXEC, DISCARD, RESET). */
  unwatchAll(c: Client): void {
    this.dropWatches(c);
    c.dirtyCas = false;
  }

  /** Removes every watch of a client, keeping its dirty mark. */
  private dropWatches(c: Client): void {
    const list = this.byClient.get(c);
    if (!list) return;
    this.byClient.delete(c);
    for (const w of list) {
      const map = this.byDb[w.db.id];
      const watchers = map.get(w.key);
      if (!watchers) continue;
      const i = watchers.indexOf(w);
      if (i >= 0) watchers.splice(i, 1);
      if (watchers.length === 0) map.delete(w.key);
    }
  }

  watchedKeys(c: Client): number {
    return this.byClient.get(c)?.length ?? 0;
  }

  /** A watched key was modified or deleted (Redis's touchWatchedKey). */
  private touch(db: Database, key: string): void {
    const map = this.byDb[db.id];
    if (map.size === 0) return;
    const watchers = map.get(key);
    if (!watchers) return;
    for (const w of watchers.slice()) {
      if (w.expired) {
        // Deleting a key that was already expired when watched changes nothing logically.
        if (!db.dict.has(key)) {
          w.expired = false;
          continue;
        }
        // Still stored and still expired: 7.0 stops looking at this key's watchers here.
        if (db.isExpired(key)) break;
        // Otherwise a new value replaced it (Redis would have expired it first): a real write.
      }
      w.client.dirtyCas = true;
      // A dirty client's EXEC fails whatever else happens: its watches are no longer needed.
      this.dropWatches(w.client);
    }
  }

  /**
   * FLUSHDB/FLUSHALL (`replacedWith` null) or SWAPDB: every watched key of `emptied` that exists
   * there or in `replacedWith` is touched, except that an expired key that is dropped or
   * replaced by another expired key is no change (Redis's touchAllWatchedKeysInDb).
   */
  private touchAll(emptied: Database, replacedWith: Database | null): void {
    for (const [key, watchers] of this.byDb[emptied.id]) {
      const existsInEmptied = emptied.dict.has(key);
      const existsInOther = replacedWith !== null && replacedWith.dict.has(key);
      if (!existsInEmptied && !existsInOther) continue;
      for (const w of watchers) {
        if (w.expired) {
          if (!existsInOther) {
            w.expired = false;
            continue;
          }
          if (replacedWith!.isExpired(key)) continue;
        } else if (!existsInEmptied && replacedWith!.isExpired(key)) {
          // A missing key replaced by an expired one: still logically missing.
          w.expired = true;
          continue;
        }
        w.client.dirtyCas = true;
      }
    }
  }

  /** True if a key that was live when watched has expired since (EXEC must fail). */
  anyExpired(c: Client): boolean {
    for (const w of this.byClient.get(c) ?? []) if (!w.expired && w.db.isExpired(w.key)) return true;
    return false;
  }
}

function discard(c: Client, watches: WatchRegistry): void {
  c.inMulti = false;
  c.multiQueue = null;
  c.multiError = false;
  watches.unwatchAll(c);
}

function exec(c: Client, argv: string[], watches: WatchRegistry): void {
  if (!c.inMulti) {
    c.error('ERR EXEC without MULTI');
    return;
  }
  const server = c.server;
  if (c.multiError) {
    discard(c, watches);
    c.error('EXECABORT Transaction discarded because of previous errors.');
    return;
  }
  if (c.dirtyCas || watches.anyExpired(c)) {
    discard(c, watches);
    c.w.nilArray();
    return;
  }
  const queue = c.multiQueue!;
  c.inMulti = false;
  c.multiQueue = null;
  watches.unwatchAll(c);
  c.w.array(queue.length);
  server.inExec = true;
  try {
    for (const q of queue) {
      const cmd = server.commands.lookup(q)!;
      const denied = server.hooks.acl?.checkQueued(c, cmd, q) ?? null;
      if (denied !== null) c.error(denied);
      else server.exec.call(c, cmd, q);
    }
  } finally {
    server.inExec = false;
  }
  // The queued writes were collected as one unit; EXEC itself is not propagated.
  c.preventPropagation = true;
  void argv;
}

export function transactionCommands(server: Server): CommandSpec[] {
  const watches = new WatchRegistry(server);
  server.hooks.clientReset.push((c) => discard(c, watches));
  server.hooks.abortTransaction.push((c) => discard(c, watches));
  const tx = { group: 'transactions' };
  return [
    {
      ...tx,
      name: 'multi',
      arity: 1,
      flags: ['noscript', 'loading', 'stale', 'fast', 'allow_busy'],
      since: '1.2.0',
      summary: 'Starts a transaction.',
      handler: (c) => {
        if (c.inMulti) {
          c.error('ERR MULTI calls can not be nested');
          return;
        }
        c.inMulti = true;
        c.multiQueue = [];
        c.multiError = false;
        c.w.ok();
      },
    },
    {
      ...tx,
      name: 'exec',
      arity: 1,
      flags: ['noscript', 'loading', 'stale', 'skip_slowlog'],
      since: '1.2.0',
      summary: 'Executes all commands in a transaction.',
      handler: (c, argv) => exec(c, argv, watches),
    },
    {
      ...tx,
      name: 'discard',
      arity: 1,
      flags: ['noscript', 'loading', 'stale', 'fast', 'allow_busy'],
      since: '2.0.0',
      summary: 'Discards a transaction.',
      handler: (c) => {
        if (!c.inMulti) {
          c.error('ERR DISCARD without MULTI');
          return;
        }
        discard(c, watches);
        c.w.ok();
      },
    },
    {
      ...tx,
      name: 'watch',
      arity: -2,
      flags: ['noscript', 'loading', 'stale', 'fast', 'allow_busy'],
      keys: [1, -1, 1],
      since: '2.2.0',
      summary: 'Monitors changes to keys to determine the execution of a transaction.',
      handler: (c, argv) => {
        if (c.inMulti) {
          c.error('ERR WATCH inside MULTI is not allowed');
          return;
        }
        for (let i = 1; i < argv.length; i++) watches.watch(c, c.db, argv[i]);
        c.w.ok();
      },
    },
    {
      ...tx,
      name: 'unwatch',
      arity: 1,
      flags: ['noscript', 'loading', 'stale', 'fast', 'allow_busy'],
      since: '2.2.0',
      summary: 'Forgets about watched keys of a transaction.',
      handler: (c) => {
        watches.unwatchAll(c);
        c.w.ok();
      },
    },
  ];
}
