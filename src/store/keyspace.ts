/**
 * All databases of a server plus the machinery shared by them: statistics, the access clock,
 * the listeners other modules attach (WATCH, snapshots, propagation) and active expiry.
 */
import { Database, type KeyspaceHooks, type NotifySink } from './database.js';
import type { RedisValue } from './values.js';
import { NOTIFY } from '../config/config.js';

export interface KeyspaceListener {
  beforeWrite?(db: Database, key: string): void;
  modified?(db: Database, key: string): void;
  expired?(db: Database, key: string): void;
  /** A whole database is about to be emptied. */
  beforeFlush?(db: Database): void;
  /** Two databases are about to exchange their contents (SWAPDB). */
  beforeSwap?(a: Database, b: Database): void;
}

export class Keyspace implements KeyspaceHooks {
  readonly dbs: Database[];
  /** Snapshot epoch (persistence/snapshot.ts): only increases. */
  epoch = 1;
  hits = 0;
  misses = 0;
  expiredKeys = 0;
  expiredStalePerc = 0;
  expiredTimeCapReached = 0;
  /** Set on a replica: reads hide expired keys but only the master's DEL removes them. */
  keepExpired = false;
  /** Cached command time so a command sees one consistent clock. */
  private cachedNow = 0;
  private listeners: KeyspaceListener[] = [];
  // The per-key hooks run on every write: keep only the listeners that have them.
  private beforeWriteFns: ((db: Database, key: string) => void)[] = [];
  private modifiedFns: ((db: Database, key: string) => void)[] = [];
  /** Mode of the access clock: 'lru' stores seconds, 'lfu' stores Redis's packed counter. */
  lfu = false;
  lfuLogFactor = 10;
  lfuDecayTime = 1;

  constructor(count: number) {
    this.dbs = [];
    for (let i = 0; i < count; i++) this.dbs.push(new Database(i, this));
  }

  /** Notification classes in effect (0 while neither K nor E is enabled). */
  get notifyFlags(): number {
    return this.dbs[0].notifyFlags;
  }

  /**
   * Turns keyspace notifications on for the classes in `flags` (0 turns them off). A class is
   * only worth firing when one of the two channel kinds (K, E) is enabled too.
   */
  setNotify(flags: number, sink: NotifySink | null): void {
    const K_OR_E = NOTIFY.KEYSPACE | NOTIFY.KEYEVENT;
    const effective = sink !== null && (flags & K_OR_E) !== 0 ? flags : 0;
    for (const db of this.dbs) {
      db.notifyFlags = effective;
      db.notifySink = sink;
    }
  }

  addListener(l: KeyspaceListener): void {
    this.listeners.push(l);
    this.indexHooks();
  }

  removeListener(l: KeyspaceListener): void {
    this.listeners = this.listeners.filter((x) => x !== l);
    this.indexHooks();
  }

  private indexHooks(): void {
    this.beforeWriteFns = this.listeners.filter((l) => l.beforeWrite).map((l) => l.beforeWrite!.bind(l));
    this.modifiedFns = this.listeners.filter((l) => l.modified).map((l) => l.modified!.bind(l));
  }

  /** Freezes the clock for the duration of a command (call with Date.now() before executing). */
  setNow(ms: number): void {
    this.cachedNow = ms;
    // At the end of a command: re-measure the values it changed, so the dirty lists stay short.
    if (ms === 0) {
      for (const db of this.dbs) if (db.dirtyCount !== 0) db.settle();
    }
  }

  now(): number {
    return this.cachedNow || Date.now();
  }

  beforeWrite(db: Database, key: string): void {
    db.markChanging(key);
    const fns = this.beforeWriteFns;
    for (let i = 0; i < fns.length; i++) fns[i](db, key);
  }

  beforeReplace(db: Database, key: string): void {
    const fns = this.beforeWriteFns;
    for (let i = 0; i < fns.length; i++) fns[i](db, key);
  }

  modified(db: Database, key: string): void {
    const fns = this.modifiedFns;
    for (let i = 0; i < fns.length; i++) fns[i](db, key);
  }

  expired(db: Database, key: string): void {
    this.expiredKeys++;
    for (const l of this.listeners) l.expired?.(db, key);
  }

  touch(v: RedisValue): void {
    if (!this.lfu) {
      // The command's frozen clock avoids a Date.now() per key access.
      v.lru = Math.floor(this.now() / 1000) & 0xffffff;
      return;
    }
    // A value that was never touched is new: it starts at the initial counter (Redis's
    // createObject), the first access increments it.
    v.lru = v.lru === 0 ? lfuInitial() : lfuIncrement(v.lru, this.lfuLogFactor, this.lfuDecayTime);
  }

  /** Empties one database (FLUSHDB) and returns how many keys it had. */
  flushDb(db: Database): number {
    for (const l of this.listeners) l.beforeFlush?.(db);
    return db.clear();
  }

  flushAll(): number {
    let n = 0;
    for (const db of this.dbs) n += this.flushDb(db);
    return n;
  }

  /** SWAPDB: exchanges the contents of two databases. */
  swap(a: number, b: number): void {
    const da = this.dbs[a];
    const dbb = this.dbs[b];
    for (const l of this.listeners) l.beforeSwap?.(da, dbb);
    da.settle();
    dbb.settle();
    const dict = da.dict;
    const exp = da.expires;
    const avg = da.avgTtl;
    da.dict = dbb.dict;
    da.expires = dbb.expires;
    da.avgTtl = dbb.avgTtl;
    dbb.dict = dict;
    dbb.expires = exp;
    dbb.avgTtl = avg;
    da.swapAccounting(dbb);
  }

  /** Redis's allocations for every database's keys, values and dicts (see memsize.ts). */
  usedBytes(): number {
    let n = 0;
    for (const db of this.dbs) n += db.usedBytes();
    return n;
  }

  totalKeys(): number {
    let n = 0;
    for (const db of this.dbs) n += db.size;
    return n;
  }

  /**
   * One slice of active expiry (Redis's activeExpireCycle, slow mode): samples keys with a TTL in
   * each database, deletes the expired ones, and repeats while more than a quarter of a sample was
   * expired, within a time budget of `budgetMs`.
   */
  activeExpireCycle(budgetMs: number): void {
    if (this.keepExpired) return;
    const start = Date.now();
    const now = start;
    this.cachedNow = now;
    let sampledAll = 0;
    let expiredAll = 0;
    try {
      for (const db of this.dbs) {
        if (db.expires.size === 0) continue;
        let iterations = 0;
        for (;;) {
          let sampled = 0;
          let expired = 0;
          let ttlSum = 0;
          let ttlSamples = 0;
          // Maps iterate in insertion order; start from a rotating position so we do not keep
          // sampling the same keys.
          const it = db.expires.entries();
          const toDelete: string[] = [];
          for (const [key, when] of it) {
            if (sampled >= 20) break;
            sampled++;
            if (when < now) {
              toDelete.push(key);
            } else {
              ttlSum += when - now;
              ttlSamples++;
            }
          }
          for (const key of toDelete) {
            if (db.expireIfNeeded(key)) expired++;
          }
          // Move unexpired sampled keys to the back so the next sample sees new ones.
          if (db.expires.size > sampled) rotate(db.expires, sampled - expired);
          if (ttlSamples > 0) {
            const avg = ttlSum / ttlSamples;
            db.avgTtl = db.avgTtl === 0 ? avg : (db.avgTtl / 50) * 49 + avg / 50;
          }
          sampledAll += sampled;
          expiredAll += expired;
          iterations++;
          if (sampled === 0 || expired * 4 <= sampled) break;
          if ((iterations & 15) === 0 && Date.now() - start > budgetMs) {
            this.expiredTimeCapReached++;
            return;
          }
        }
      }
    } finally {
      this.cachedNow = 0;
      if (sampledAll > 0) {
        const perc = expiredAll / sampledAll;
        this.expiredStalePerc = perc * 0.05 + this.expiredStalePerc * 0.95;
      }
    }
  }
}

/** Moves the first n entries of a map to its end (Map keeps insertion order). */
function rotate(m: Map<string, number>, n: number): void {
  let i = 0;
  for (const [k, v] of m) {
    if (i++ >= n) break;
    m.delete(k);
    m.set(k, v);
  }
}

/** Seconds clock used for LRU, wrapped to 24 bits like Redis's LRU_CLOCK. */
export function lruClock(): number {
  return Math.floor(Date.now() / 1000) & 0xffffff;
}

/** Seconds since the access clock value `lru` (OBJECT IDLETIME). */
export function idleSeconds(lru: number): number {
  const now = lruClock();
  return now >= lru ? now - lru : 0xffffff - lru + now;
}

const LFU_INIT_VAL = 5;

/** Minutes clock in 16 bits for LFU decay. */
function lfuMinutes(): number {
  return Math.floor(Date.now() / 60000) & 0xffff;
}

/** Packed LFU value: 16 bits of last-decrement time (minutes), 8 bits of logarithmic counter. */
export function lfuInitial(): number {
  return (lfuMinutes() << 8) | LFU_INIT_VAL;
}

export function lfuDecayed(lru: number, decayTime: number): number {
  const last = lru >> 8;
  let counter = lru & 255;
  const now = lfuMinutes();
  const elapsed = now >= last ? now - last : 65535 - last + now;
  const periods = decayTime ? Math.floor(elapsed / decayTime) : 0;
  counter = periods > counter ? 0 : counter - periods;
  return counter;
}

export function lfuIncrement(lru: number, logFactor: number, decayTime: number): number {
  let counter = lru === 0 ? LFU_INIT_VAL : lfuDecayed(lru, decayTime);
  if (counter < 255) {
    const base = Math.max(0, counter - LFU_INIT_VAL);
    const p = 1 / (base * logFactor + 1);
    if (Math.random() < p) counter++;
  }
  return (lfuMinutes() << 8) | counter;
}
