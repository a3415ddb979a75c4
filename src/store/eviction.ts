/**
 * maxmemory and the eviction policies of Redis (noeviction, allkeys-/volatile- lru, lfu,
 * random, and volatile-ttl), following 7.0's performEvictions.
 *
 * The memory compared with maxmemory is used_memory (memory.ts): Redis's accounting of the
 * data, so deleting a key lowers it by exactly what the key was counted at and the loop can
 * stop as soon as the target is met, as Redis's does.
 *
 * Candidates: for the LRU, LFU and TTL policies, every database contributes maxmemory-samples
 * keys per round to an eviction pool of 16 kept sorted by score (idle time, inverted frequency,
 * or nearness of the expire time), and the best live entry of the pool is evicted. Redis samples
 * a run of consecutive buckets from a random position (dictGetSomeKeys); a JS Map has no random
 * position, so each database keeps a rolling iterator that goes on where the last sample ended
 * and, like a bucket run, covers every key in turn. The random policies pick one key per round,
 * visiting the databases round-robin.
 *
 * Time: after every 16 evictions the loop checks the budget given by
 * maxmemory-eviction-tenacity; past it, eviction goes on from a timer (Redis's evictionTimeProc)
 * and commands are allowed meanwhile.
 */
import type { Server } from '../server.js';
import type { Database } from './database.js';
import type { RedisValue } from './values.js';
import { idleSeconds, lfuDecayed } from './keyspace.js';
import { NOTIFY } from '../config/config.js';

/** Redis's EVPOOL_SIZE. */
const POOL_SIZE = 16;

interface PoolEntry {
  key: string;
  dbid: number;
  score: number;
}

export const enum EvictResult {
  Ok = 0,
  Running = 1,
  Fail = 2,
}

/** Redis's evictionTimeLimitUs: tenacity 0..10 is linear up to 500 µs, then 15% more per step, 100 is no limit. */
export function evictionTimeLimitUs(tenacity: number): number {
  if (tenacity <= 10) return 50 * tenacity;
  if (tenacity < 100) return Math.floor(500 * Math.pow(1.15, tenacity - 10));
  return Infinity;
}

export class Evictor {
  /** Sorted by ascending score: the best candidate is at the end. */
  private pool: PoolEntry[] = [];
  private readonly samplers = new Map<string, { source: Map<string, unknown>; it: Iterator<string> }>();
  private nextDb = 0;
  private procRunning = false;
  private procTimer: NodeJS.Immediate | null = null;

  constructor(private readonly server: Server) {}

  stop(): void {
    if (this.procTimer !== null) clearImmediate(this.procTimer);
    this.procTimer = null;
    this.procRunning = false;
  }

  /** Kept for the executor's interface: memory is accounted by the data itself, not by arguments. */
  noteWrite(_argv: string[]): void {}

  /** The figure compared with maxmemory (used_memory minus replica output buffers). */
  used(): number {
    return this.server.memory.usedForEviction();
  }

  /** Redis's isSafeToPerformEvictions: not while loading, on a replica that ignores maxmemory, or while clients are paused. */
  private safe(): boolean {
    const s = this.server;
    if (s.loading) return false;
    if (s.masterHost !== null && s.config.bool('replica-ignore-maxmemory')) return false;
    if (s.pause.until !== 0 && Date.now() < s.pause.until) return false;
    return true;
  }

  /**
   * Evicts until used memory is within maxmemory. Returns false when still over the limit and
   * nothing more can be evicted (the caller then refuses commands that may grow memory with
   * -OOM); true when within the limit or when eviction goes on from the timer.
   */
  perform(): boolean {
    return this.performEvictions() !== EvictResult.Fail;
  }

  /** Starts eviction from a timer (CONFIG SET maxmemory does, as Redis's updateMaxmemory). */
  startProc(): void {
    if (this.procRunning) return;
    this.procRunning = true;
    const tick = (): void => {
      this.procTimer = null;
      if (this.performEvictions() === EvictResult.Running) this.procTimer = setImmediate(tick);
      else this.procRunning = false;
    };
    this.procTimer = setImmediate(tick);
  }

  /** When the memory went over the limit without being brought back (0: it is not), and the total of those spells (µs). */
  private exceededSince = 0;
  private exceededTotalUs = 0;

  /** INFO's total_eviction_exceeded_time and current_eviction_exceeded_time, in ms. */
  exceededTimes(): { total: number; current: number } {
    const cur = this.exceededSince !== 0 ? (performance.now() - this.exceededSince) * 1000 : 0;
    return { total: Math.floor((this.exceededTotalUs + cur) / 1000), current: Math.floor(cur / 1000) };
  }

  /** CONFIG RESETSTAT. */
  resetStats(): void {
    this.exceededSince = 0;
    this.exceededTotalUs = 0;
  }

  performEvictions(): EvictResult {
    const s = this.server;
    if (s.config.num('maxmemory') === 0 || !this.safe()) return EvictResult.Ok;
    const result = this.evict();
    // Redis's update_metrics: time spent over the limit.
    if (result !== EvictResult.Ok) {
      if (this.exceededSince === 0) this.exceededSince = performance.now();
    } else if (this.exceededSince !== 0) {
      this.exceededTotalUs += (performance.now() - this.exceededSince) * 1000;
      this.exceededSince = 0;
    }
    return result;
  }

  private evict(): EvictResult {
    const s = this.server;
    const max = s.config.num('maxmemory');
    const used = this.used();
    if (used <= max) return EvictResult.Ok;
    const policy = s.config.str('maxmemory-policy');
    if (policy === 'noeviction') return EvictResult.Fail;
    const toFree = used - max;
    let freed = 0;
    const limitUs = evictionTimeLimitUs(s.config.num('maxmemory-eviction-tenacity'));
    const lazy = s.config.bool('lazyfree-lazy-eviction');
    const lat = s.latency;
    const threshold = s.hot.latencyThreshold;
    const start = performance.now();
    const allkeys = policy.startsWith('allkeys');
    const random = policy.endsWith('random');
    let keysFreed = 0;
    let result = EvictResult.Fail;
    const dbs = s.keyspace.dbs;
    for (;;) {
      if (freed >= toFree) {
        result = this.procRunning ? EvictResult.Running : EvictResult.Ok;
        break;
      }
      let best: { db: Database; key: string } | null = null;
      if (!random) best = this.fromPool(policy, allkeys);
      else {
        for (let i = 0; i < dbs.length; i++) {
          const j = ++this.nextDb % dbs.length;
          const db = dbs[j];
          const source: Map<string, unknown> = allkeys ? db.dict : db.expires;
          if (source.size === 0) continue;
          const key = this.sample(db, !allkeys, 1, true)[0];
          if (key !== undefined) {
            best = { db, key };
            break;
          }
        }
      }
      if (best === null) break; // nothing left to evict: Fail
      const { db, key } = best;
      const before = s.keyspace.usedBytes();
      const delStart = performance.now();
      db.deleteUnchecked(key);
      lat.maybeAdd('eviction-del', performance.now() - delStart, threshold);
      freed += before - s.keyspace.usedBytes();
      s.stats.evictedKeys++;
      db.notify(NOTIFY.EVICTED, 'evicted', key);
      // Propagated one by one, never wrapped in a transaction; UNLINK under lazyfree-lazy-eviction.
      s.exec.alsoPropagate(db.id, [lazy ? 'UNLINK' : 'DEL', key]);
      keysFreed++;
      if (keysFreed % 16 === 0 && (performance.now() - start) * 1000 > limitUs) {
        // Over the time budget: go on from the timer, let commands run meanwhile.
        this.startProc();
        result = EvictResult.Running;
        break;
      }
    }
    lat.maybeAdd('eviction-cycle', performance.now() - start, threshold);
    return result;
  }

  /** Fills the pool from every database and returns its best live entry (Redis's pool loop). */
  private fromPool(policy: string, allkeys: boolean): { db: Database; key: string } | null {
    const dbs = this.server.keyspace.dbs;
    for (;;) {
      let total = 0;
      for (const db of dbs) {
        const source: Map<string, unknown> = allkeys ? db.dict : db.expires;
        if (source.size === 0) continue;
        total += source.size;
        this.populate(db, policy, allkeys);
      }
      if (total === 0) return null;
      const pool = this.pool;
      while (pool.length > 0) {
        const e = pool.pop()!;
        const db = dbs[e.dbid];
        // A key evicted or deleted since it was pooled is a ghost: try the next one.
        const exists = allkeys ? db.dict.has(e.key) : db.expires.has(e.key);
        if (exists) return { db, key: e.key };
      }
    }
  }

  /** Redis's evictionPoolPopulate: samples keys of one database into the sorted pool. */
  private populate(db: Database, policy: string, allkeys: boolean): void {
    const samples = this.server.config.num('maxmemory-samples');
    const decay = this.server.config.num('lfu-decay-time');
    const pool = this.pool;
    for (const key of this.sample(db, !allkeys, samples, true)) {
      let score: number;
      if (policy === 'volatile-ttl') {
        const when = db.expires.get(key);
        if (when === undefined) continue;
        score = -when; // the sooner it expires, the better
      } else {
        const v: RedisValue | undefined = db.dict.get(key);
        if (v === undefined) continue;
        score = policy.endsWith('lfu') ? 255 - lfuDecayed(v.lru, decay) : idleSeconds(v.lru);
      }
      // A key already pooled is updated in place (Redis's run of buckets rarely meets one twice).
      const dup = pool.findIndex((e) => e.key === key && e.dbid === db.id);
      if (dup >= 0) pool.splice(dup, 1);
      let k = 0;
      while (k < pool.length && pool[k].score < score) k++;
      if (k === 0 && pool.length === POOL_SIZE) continue; // worse than everything in a full pool
      pool.splice(k, 0, { key, dbid: db.id, score });
      if (pool.length > POOL_SIZE) pool.shift(); // drop the worst
    }
  }

  /**
   * Up to n keys of a database (or of its keys with a TTL), continuing a rolling walk. With
   * `spread` the walk skips a random distance (up to 256 keys) before each key, so that one
   * sample spans a stretch of the keyspace: keys written together (and so likely used together)
   * do not fill a whole sample, as they would not in Redis's hash order.
   */
  private sample(db: Database, volatile: boolean, n: number, spread: boolean): string[] {
    const id = `${db.id}:${volatile ? 'v' : 'a'}`;
    const source: Map<string, unknown> = volatile ? db.expires : db.dict;
    let entry = this.samplers.get(id);
    // FLUSHDB/SWAPDB replace the dictionaries: start over on the current one.
    if (entry && entry.source !== source) entry = undefined;
    const out: string[] = [];
    const maxSkip = spread ? Math.min(256, Math.floor(source.size / Math.max(1, n))) : 0;
    let skip = Math.floor(Math.random() * maxSkip);
    for (let restarts = 0; out.length < n && restarts < 2; ) {
      if (!entry) {
        entry = { source, it: source.keys() };
        this.samplers.set(id, entry);
      }
      const r = entry.it.next();
      if (r.done) {
        entry = undefined;
        restarts++;
        continue;
      }
      if (skip > 0) {
        skip--;
        continue;
      }
      out.push(r.value);
      skip = Math.floor(Math.random() * maxSkip);
    }
    return out;
  }
}
