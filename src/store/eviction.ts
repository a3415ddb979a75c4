/**
 * maxmemory and the eviction policies of Redis (noeviction, allkeys-/volatile- lru, lfu,
 * random, and volatile-ttl).
 *
 * Used memory must not count garbage: V8 frees memory only when it collects, and a burst of
 * requests leaves megabytes of dead strings and buffers. So the live heap is measured right
 * after a full collection (forced at most ~10% of the time), and between collections the
 * estimate moves by the size of write commands' arguments and of evicted values.
 *
 * Candidates are sampled like Redis (maxmemory-samples per attempt): a rolling iterator over
 * each database walks its keys, so every key is considered in turn without O(n) random access.
 */
import v8 from 'node:v8';
import vm from 'node:vm';
import type { Server } from '../server.js';
import type { Database } from './database.js';
import { idleSeconds, lfuDecayed } from './keyspace.js';
import { NOTIFY } from '../config/config.js';
import { stringBytes } from './values.js';

/** Rough bytes a key costs besides its value: the key string and its dictionary slot. */
function keyOverhead(key: string): number {
  return stringBytes(key.length) + 48;
}

export class Evictor {
  /** Bytes evicted since the last measurement. */
  private pendingFreed = 0;
  private readonly samplers = new Map<string, { source: Map<string, unknown>; it: Iterator<string> }>();

  constructor(private readonly server: Server) {}

  stop(): void {
    // nothing to release: collections are triggered on demand
  }

  private gc: (() => void) | null = null;
  private lastGcAt = 0;
  private lastGcMs = 0;

  /**
   * Runs a full garbage collection if the last one is old enough (at least ten times its own
   * duration ago, so forced collections never take more than ~10% of the time).
   */
  private collectGarbage(force = false): boolean {
    const now = Date.now();
    if (!force && now - this.lastGcAt < Math.max(100, this.lastGcMs * 10)) return false;
    if (this.gc === null) {
      v8.setFlagsFromString('--expose-gc');
      this.gc = vm.runInNewContext('gc') as () => void;
    }
    this.gc();
    const end = Date.now();
    this.lastGcMs = end - now;
    this.lastGcAt = end;
    this.measure();
    return true;
  }

  /** Live bytes measured right after the last full collection. */
  private liveBase = 0;
  /** Estimated bytes written since that measurement (argument sizes of write commands). */
  private growth = 0;
  private measured = false;

  /** Called for every command that may grow memory: its arguments are an upper bound of what it adds. */
  noteWrite(argv: string[]): void {
    let n = 64 * argv.length;
    for (let i = 0; i < argv.length; i++) n += argv[i].length;
    this.growth += n;
  }

  private measure(): void {
    // External memory (Buffers) is left out: V8 releases dead ArrayBuffers concurrently after
    // a collection, so right after one it still counts socket read buffers that are garbage.
    this.liveBase = v8.getHeapStatistics().used_heap_size;
    this.growth = 0;
    this.pendingFreed = 0;
    this.measured = true;
  }

  /**
   * Memory counted against maxmemory: what was live at the last full collection, plus what
   * write commands may have added since, minus what was evicted since. Garbage never counts,
   * so a burst of requests cannot make the server evict live data.
   */
  used(): number {
    if (!this.measured) {
      this.collectGarbage(true);
    }
    return this.liveBase + this.growth - this.pendingFreed;
  }

  /**
   * Evicts until under maxmemory. Returns false when still over the limit and nothing more can
   * be evicted (the caller then refuses commands that may grow memory with -OOM).
   */
  perform(): boolean {
    const max = this.server.config.num('maxmemory');
    if (max === 0) return true;
    let used = this.used();
    if (used <= max) return true;
    const policy = this.server.config.str('maxmemory-policy');
    if (policy === 'noeviction') return false;
    // Before evicting, make the heap figure exact: garbage (old requests, replies, values
    // already evicted) would otherwise count as data and make us evict far too much.
    if (this.collectGarbage()) {
      used = this.used();
      if (used <= max) return true;
    }
    const volatile = policy.startsWith('volatile');
    const samples = this.server.config.num('maxmemory-samples');
    const deadline = Date.now() + 50;
    // Latency events as Redis: each deletion ('eviction-del') and the whole cycle ('eviction-cycle').
    const lat = this.server.latency;
    const threshold = this.server.hot.latencyThreshold;
    const cycleStart = performance.now();
    while (used > max) {
      const victim = this.pick(policy, volatile, samples);
      if (victim === null) {
        lat.maybeAdd('eviction-cycle', performance.now() - cycleStart, threshold);
        return false;
      }
      const { db, key } = victim;
      const value = db.dict.get(key);
      const freed = keyOverhead(key) + (value ? value.memoryUsage() : 0);
      const delStart = performance.now();
      db.delete(key);
      lat.maybeAdd('eviction-del', performance.now() - delStart, threshold);
      this.server.stats.evictedKeys++;
      // Evictions are propagated one by one, never wrapped in a transaction; as UNLINK when
      // lazyfree-lazy-eviction is on, like Redis.
      this.server.exec.alsoPropagate(db.id, [this.server.config.bool('lazyfree-lazy-eviction') ? 'UNLINK' : 'DEL', key]);
      db.notify(NOTIFY.EVICTED, 'evicted', key);
      this.pendingFreed += freed;
      used -= freed;
      if (Date.now() > deadline) break;
    }
    lat.maybeAdd('eviction-cycle', performance.now() - cycleStart, threshold);
    return true;
  }

  /** Samples keys from every database and returns the best candidate for the policy. */
  private pick(policy: string, volatile: boolean, samples: number): { db: Database; key: string } | null {
    let best: { db: Database; key: string } | null = null;
    let bestScore = -Infinity;
    const random = policy.endsWith('random');
    const lfu = policy.endsWith('lfu');
    const ttl = policy === 'volatile-ttl';
    const decay = this.server.config.num('lfu-decay-time');
    for (const db of this.server.keyspace.dbs) {
      const source = volatile ? db.expires : db.dict;
      if (source.size === 0) continue;
      for (const key of this.sample(db, volatile, random ? 1 : samples)) {
        const v = db.dict.get(key);
        if (v === undefined) continue;
        let score: number;
        if (random) score = Math.random();
        else if (ttl) score = -(db.expires.get(key) ?? Infinity);
        else if (lfu) score = 255 - lfuDecayed(v.lru, decay);
        else score = idleSeconds(v.lru);
        if (score > bestScore) {
          bestScore = score;
          best = { db, key };
        }
      }
      if (random && best) return best;
    }
    return best;
  }

  private sample(db: Database, volatile: boolean, n: number): string[] {
    const id = `${db.id}:${volatile ? 'v' : 'a'}`;
    const source: Map<string, unknown> = volatile ? db.expires : db.dict;
    let entry = this.samplers.get(id);
    // FLUSHDB/SWAPDB replace the dictionaries: start over on the current one.
    if (entry && entry.source !== source) entry = undefined;
    const out: string[] = [];
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
      out.push(r.value);
    }
    return out;
  }
}
