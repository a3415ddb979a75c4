/**
 * MULTI / EXEC / DISCARD / WATCH / UNWATCH with Redis 7.0 semantics.
 *
 *   normal ──MULTI──▶ queuing ──EXEC──▶ (watched key touched? → null reply) ──▶ run all ──▶ normal
 *                       │  a command refused while queuing → EXEC replies EXECABORT
 *                       └──DISCARD──▶ normal
 *
 * A watched key is "touched" by any modification, deletion (also by expiry), FLUSHDB/FLUSHALL
 * and SWAPDB; a key watched while live that is expired when EXEC runs also aborts it.
 */
import type { Client } from '../net/client.js';
import type { Server } from '../server.js';
import type { Database } from '../store/database.js';
import type { CommandSpec } from './registry.js';

interface Watch {
  db: Database;
  key: string;
  /** The key was already logically expired when watched. */
  expiredAtWatch: boolean;
}

/** Watched keys per database: key → clients watching it. */
class WatchRegistry {
  private readonly byDb: Map<string, Set<Client>>[];
  private readonly byClient = new Map<Client, Watch[]>();

  constructor(server: Server) {
    this.byDb = server.keyspace.dbs.map(() => new Map());
    server.keyspace.addListener({
      modified: (db, key) => this.touch(db, key),
      beforeFlush: (db) => this.touchAllExisting(db),
      beforeSwap: (a, b) => this.touchSwap(a, b),
    });
  }

  watch(c: Client, db: Database, key: string): void {
    let list = this.byClient.get(c);
    if (!list) {
      this.byClient.set(c, (list = []));
      c.onClose.push(() => this.unwatchAll(c));
    }
    if (list.some((w) => w.db === db && w.key === key)) return;
    list.push({ db, key, expiredAtWatch: db.isExpired(key) });
    const map = this.byDb[db.id];
    let set = map.get(key);
    if (!set) map.set(key, (set = new Set()));
    set.add(c);
  }

  unwatchAll(c: Client): void {
    const list = this.byClient.get(c);
    if (!list) return;
    this.byClient.delete(c);
    for (const w of list) {
      const map = this.byDb[w.db.id];
      const set = map.get(w.key);
      if (!set) continue;
      set.delete(c);
      if (set.size === 0) map.delete(w.key);
    }
    c.dirtyCas = false;
  }

  watchedKeys(c: Client): number {
    return this.byClient.get(c)?.length ?? 0;
  }

  private touch(db: Database, key: string): void {
    const map = this.byDb[db.id];
    if (map.size === 0) return;
    const set = map.get(key);
    if (set) for (const c of set) c.dirtyCas = true;
  }

  /** FLUSHDB/SWAPDB: every watched key that exists in the database is touched. */
  private touchAllExisting(db: Database): void {
    const map = this.byDb[db.id];
    for (const [key, set] of map) if (db.dict.has(key)) for (const c of set) c.dirtyCas = true;
  }

  /** SWAPDB: a watched key is touched if it exists in either database (so its value changes). */
  touchSwap(a: Database, b: Database): void {
    for (const [db, other] of [
      [a, b],
      [b, a],
    ] as const) {
      for (const [key, set] of this.byDb[db.id]) if (db.dict.has(key) || other.dict.has(key)) for (const c of set) c.dirtyCas = true;
    }
  }

  /** True if a key that was live when watched has expired since (EXEC must fail). */
  anyExpired(c: Client): boolean {
    for (const w of this.byClient.get(c) ?? []) if (!w.expiredAtWatch && w.db.isExpired(w.key)) return true;
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
      server.call(c, cmd, q);
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
