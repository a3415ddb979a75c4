/**
 * One numbered database: the key → value dictionary and the key → expire-time (ms) dictionary,
 * kept apart as Redis does so keys without a TTL pay nothing for it.
 *
 * Every read or write of a key goes through lookupRead / lookupWrite / set / delete, which is
 * where lazy expiry, hit/miss statistics, the access clock and the hooks that other parts need
 * (WATCH invalidation, copy-on-write for snapshots, propagation of expiries) happen.
 */
import { ValueType, type RedisValue } from './values.js';
import { NOTIFY } from '../config/config.js';
import type { StreamValue } from './stream.js';
import { DICT_ENTRY, dictBuckets, keyBytes, streamBytes } from './memsize.js';

/** Redis's bytes for a value (memsize.ts). Streams are estimated from their entry and node counts. */
export function valueBytes(v: RedisValue): number {
  return v.type === ValueType.Stream ? streamBytes(v as StreamValue) : v.memoryUsage();
}

/**
 * Redis's bucket count for a dict of n entries that had `slots`: it doubles as soon as it is
 * full, and shrinks (in the cron) to fit only once under 10% full; an emptied table keeps 4.
 */
function resizedSlots(slots: number, n: number): number {
  if (n > slots) return dictBuckets(n) / 8;
  if (slots > 4 && n * 10 < slots) return Math.max(4, dictBuckets(n) / 8);
  return slots;
}

/**
 * Values marked as changing are re-measured at the end of each command, or once this many are
 * pending (a script or transaction writing many keys).
 */
const DIRTY_MAX = 256;

// Notification classes this layer fires itself.
const N_NEW = NOTIFY.NEW;
const N_EXPIRED = NOTIFY.EXPIRED;
const N_KEY_MISS = NOTIFY.KEY_MISS;

/** Receives a keyspace event whose class is enabled (installed by src/notify). */
export type NotifySink = (event: string, key: string, dbid: number) => void;

export interface KeyspaceHooks {
  /** Called before a key's value is modified in place: it is re-measured at the command's end. */
  beforeWrite(db: Database, key: string): void;
  /**
   * Called before a key's value is replaced whole or deleted, or its TTL changes: listeners
   * (snapshots) see it as a write, but there is nothing to re-measure (the old value is
   * uncharged at what it was counted at).
   */
  beforeReplace(db: Database, key: string): void;
  /** Called after a key was modified (Redis's signalModifiedKey: WATCH, client tracking). */
  modified(db: Database, key: string): void;
  /** Called when lazy or active expiry deletes a key (propagates a DEL, counts expired_keys). */
  expired(db: Database, key: string): void;
  /** Access clock value for a touched key (LRU seconds or LFU counter). */
  touch(value: RedisValue): void;
  /** When true expired keys are hidden but not deleted (a replica waits for its master's DEL). */
  readonly keepExpired: boolean;
  /** Current snapshot epoch: values stored now are stamped with it. */
  readonly epoch: number;
  /** Time used for expiry decisions (frozen during a command, like Redis's mstime cache). */
  now(): number;
  hits: number;
  misses: number;
}

export class Database {
  /**
   * Set (synchronously, around each command) while a replica applies its master's stream:
   * like Redis's expireIfNeeded for the master client, expired keys then count as existing,
   * so the master's commands see exactly the dataset the master saw.
   */
  static applyingMasterStream = false;

  dict = new Map<string, RedisValue>();
  expires = new Map<string, number>();
  /**
   * Memory accounting (see memsize.ts): Redis's bytes for every key's dictEntry, name and value.
   * A value handed out for writing (or just stored) is kept in `dirty` with the bytes it was
   * counted at, and re-measured at the next read of the figure, so each change costs O(1) here
   * and the figure follows in-place edits exactly.
   */
  bytes = 0;
  /** Values that may have changed since they were counted, and the bytes they were counted at (parallel arrays: a command marks one to three). */
  private dirty: (RedisValue | null)[] = [];
  private dirtyBytes: number[] = [];
  /** How many of `dirty` are in use (the arrays are reused, not truncated, to spare the allocator). */
  dirtyCount = 0;
  /** The dictionary `bytes` describes: one installed directly (a replica's diskless load) is recounted. */
  counted: Map<string, RedisValue> = this.dict;
  /** Average TTL estimate for INFO keyspace (`avg_ttl`), refreshed by active expiry. */
  avgTtl = 0;
  /**
   * Enabled notification classes (notify-keyspace-events), copied into every database so the
   * check on each write is one integer test; 0 when notifications are off.
   */
  notifyFlags = 0;
  notifySink: NotifySink | null = null;

  constructor(
    readonly id: number,
    private readonly hooks: KeyspaceHooks,
  ) {}

  /** Redis's notifyKeyspaceEvent for this database: a no-op unless class `type` is enabled. */
  notify(type: number, event: string, key: string): void {
    if ((this.notifyFlags & type) !== 0) this.notifySink!(event, key, this.id);
  }

  get size(): number {
    return this.dict.size;
  }

  /**
   * True when the key exists but its TTL has passed. Like Redis, a key is still alive during
   * the millisecond of its expire time and logically expired only once the clock is past it.
   */
  isExpired(key: string): boolean {
    if (this.expires.size === 0 || Database.applyingMasterStream) return false;
    const when = this.expires.get(key);
    return when !== undefined && when < this.hooks.now();
  }

  /** Counts a key and its value just stored; the value may still change within the command. */
  private charge(key: string, v: RedisValue): void {
    const b = valueBytes(v);
    this.bytes += keyBytes(key) + b;
    this.markDirty(v, b);
  }

  private markDirty(v: RedisValue, counted: number): void {
    if (this.dirtyCount >= DIRTY_MAX) this.settle();
    const n = this.dirtyCount++;
    if (n < this.dirty.length) {
      this.dirty[n] = v;
      this.dirtyBytes[n] = counted;
    } else {
      this.dirty.push(v);
      this.dirtyBytes.push(counted);
    }
  }

  /**
   * A key's value is about to change in place: it is re-measured at the end of the command.
   * Called from the keyspace's beforeWrite hook, which every in-place writer already signals
   * (snapshots rely on it for copy-on-write), so no edit escapes the accounting.
   */
  markChanging(key: string): void {
    const v = this.dict.get(key);
    if (v !== undefined && (this.dirtyCount === 0 || this.dirtyIndex(v) < 0)) this.markDirty(v, valueBytes(v));
  }

  /** Position of v among the dirty values, or -1. */
  private dirtyIndex(v: RedisValue): number {
    const d = this.dirty;
    for (let i = this.dirtyCount - 1; i >= 0; i--) if (d[i] === v) return i;
    return -1;
  }

  /** Uncounts a key and its value, at the bytes it was counted at. */
  private uncharge(key: string, v: RedisValue): void {
    const i = this.dirtyCount === 0 ? -1 : this.dirtyIndex(v);
    if (i >= 0) {
      this.bytes -= keyBytes(key) + this.dirtyBytes[i];
      const last = --this.dirtyCount;
      this.dirty[i] = this.dirty[last];
      this.dirtyBytes[i] = this.dirtyBytes[last];
      this.dirty[last] = null;
    } else this.bytes -= keyBytes(key) + valueBytes(v);
  }

  /** Re-measures the values changed since the last read. */
  settle(): void {
    if (this.counted !== this.dict) {
      this.recount();
      return;
    }
    const d = this.dirty;
    const b = this.dirtyBytes;
    for (let i = 0; i < this.dirtyCount; i++) {
      this.bytes += valueBytes(d[i]!) - b[i];
      d[i] = null;
    }
    this.dirtyCount = 0;
  }

  private recount(): void {
    let b = 0;
    for (const [k, v] of this.dict) b += keyBytes(k) + valueBytes(v);
    this.bytes = b;
    this.dirty.fill(null);
    this.dirtyCount = 0;
    this.counted = this.dict;
  }

  /**
   * Redis's allocations for this database: keys and values, the expires dict's entries, and the
   * bucket arrays of both dicts. O(1) apart from re-measuring the values changed since the last call.
   */
  usedBytes(): number {
    if (this.dirtyCount !== 0 || this.counted !== this.dict) this.settle();
    this.mainSlots = resizedSlots(this.mainSlots, this.dict.size);
    this.expireSlots = resizedSlots(this.expireSlots, this.expires.size);
    return this.bytes + this.mainSlots * 8 + this.expires.size * DICT_ENTRY + this.expireSlots * 8;
  }

  /** Bucket counts of the two dicts as Redis's would be (they grow at once, shrink only below 10% full). */
  private mainSlots = 0;
  private expireSlots = 0;

  /** SWAPDB, after both were settled and their dictionaries exchanged: the accounting follows them. */
  swapAccounting(o: Database): void {
    const b = this.bytes;
    const c = this.counted;
    this.bytes = o.bytes;
    this.counted = o.counted;
    o.bytes = b;
    o.counted = c;
    const ms = this.mainSlots;
    const es = this.expireSlots;
    this.mainSlots = o.mainSlots;
    this.expireSlots = o.expireSlots;
    o.mainSlots = ms;
    o.expireSlots = es;
  }

  /** Lazy expiry: deletes the key if its time has come. Returns true if the key is (logically) gone. */
  expireIfNeeded(key: string): boolean {
    if (!this.isExpired(key)) return false;
    if (this.hooks.keepExpired) return true;
    this.hooks.beforeReplace(this, key);
    const old = this.dict.get(key);
    if (old !== undefined) this.uncharge(key, old);
    this.dict.delete(key);
    this.expires.delete(key);
    this.hooks.expired(this, key);
    if ((this.notifyFlags & N_EXPIRED) !== 0) this.notifySink!('expired', key, this.id);
    this.hooks.modified(this, key);
    return true;
  }

  /** Value for a read command: counts hit/miss and refreshes the access clock. */
  lookupRead(key: string): RedisValue | undefined {
    if (this.expireIfNeeded(key)) {
      this.hooks.misses++;
      if ((this.notifyFlags & N_KEY_MISS) !== 0) this.notifySink!('keymiss', key, this.id);
      return undefined;
    }
    const v = this.dict.get(key);
    if (v === undefined) {
      this.hooks.misses++;
      if ((this.notifyFlags & N_KEY_MISS) !== 0) this.notifySink!('keymiss', key, this.id);
      return undefined;
    }
    this.hooks.hits++;
    this.hooks.touch(v);
    return v;
  }

  /** Value that the caller is about to modify in place (snapshot copy-on-write happens here). */
  lookupWrite(key: string): RedisValue | undefined {
    if (this.expireIfNeeded(key)) return undefined;
    const v = this.dict.get(key);
    if (v !== undefined) {
      this.hooks.beforeWrite(this, key); // marks v as changing (markChanging)
      this.hooks.touch(v);
    }
    return v;
  }

  /** Existence check without touching statistics or the access clock (still expires lazily). */
  has(key: string): boolean {
    if (this.expireIfNeeded(key)) return false;
    return this.dict.has(key);
  }

  /** Value without side effects other than lazy expiry (used by OBJECT, TYPE-like inspection). */
  peek(key: string): RedisValue | undefined {
    if (this.expireIfNeeded(key)) return undefined;
    return this.dict.get(key);
  }

  /** Sets a value, dropping any TTL unless keepTtl. Signals the modification. */
  set(key: string, value: RedisValue, keepTtl = false): void {
    this.hooks.beforeReplace(this, key);
    this.hooks.touch(value);
    value.sv = this.hooks.epoch;
    // Redis's dbAdd fires 'new' when the key did not exist (an overwrite does not).
    const isNew = (this.notifyFlags & N_NEW) !== 0 && !this.dict.has(key);
    const old = this.dict.get(key);
    if (old !== undefined) this.uncharge(key, old);
    this.dict.set(key, value);
    this.charge(key, value);
    if (!keepTtl && this.expires.size !== 0) this.expires.delete(key);
    if (isNew) this.notifySink!('new', key, this.id);
    this.hooks.modified(this, key);
  }

  /**
   * Inserts a key while loading a dataset (RDB at startup, DEBUG RELOAD, a replica's full
   * sync): no client can watch, wait on or snapshot these keys yet, so the hooks are skipped.
   */
  loadEntry(key: string, value: RedisValue, expireMs: number | null): void {
    value.sv = this.hooks.epoch;
    const old = this.dict.get(key);
    if (old !== undefined) this.uncharge(key, old);
    this.dict.set(key, value);
    this.bytes += keyBytes(key) + valueBytes(value);
    if (expireMs !== null) this.expires.set(key, expireMs);
  }

  /** Adds a key that the caller knows does not exist yet (no expiry to clear). */
  add(key: string, value: RedisValue): void {
    this.hooks.beforeReplace(this, key);
    this.hooks.touch(value);
    value.sv = this.hooks.epoch;
    const old = this.dict.get(key);
    if (old !== undefined) this.uncharge(key, old);
    this.dict.set(key, value);
    this.charge(key, value);
    if ((this.notifyFlags & N_NEW) !== 0) this.notifySink!('new', key, this.id);
    this.hooks.modified(this, key);
  }

  delete(key: string): boolean {
    // A replica hides expired keys but an explicit delete (the master's DEL) still removes them.
    if (this.expireIfNeeded(key) && !this.hooks.keepExpired) return false;
    const old = this.dict.get(key);
    if (old === undefined) return false;
    this.hooks.beforeReplace(this, key);
    this.uncharge(key, old);
    this.dict.delete(key);
    if (this.expires.size !== 0) this.expires.delete(key);
    this.hooks.modified(this, key);
    return true;
  }

  /**
   * Redis's dbDelete without a lookup first: removes the key even when it is logically expired,
   * as a plain deletion (no 'expired' event, no expiry DEL). Used where Redis deletes a
   * destination it never looked up (an empty STORE result, RESTORE REPLACE).
   */
  deleteUnchecked(key: string): boolean {
    const old = this.dict.get(key);
    if (old === undefined) return false;
    this.hooks.beforeReplace(this, key);
    this.uncharge(key, old);
    this.dict.delete(key);
    if (this.expires.size !== 0) this.expires.delete(key);
    this.hooks.modified(this, key);
    return true;
  }

  getExpire(key: string): number | undefined {
    return this.expires.size === 0 ? undefined : this.expires.get(key);
  }

  setExpire(key: string, whenMs: number): void {
    this.hooks.beforeReplace(this, key);
    this.expires.set(key, whenMs);
    this.hooks.modified(this, key);
  }

  persist(key: string): boolean {
    if (!this.expires.has(key)) return false;
    this.hooks.beforeReplace(this, key);
    this.expires.delete(key);
    this.hooks.modified(this, key);
    return true;
  }

  /** Signals a modification made in place through a value returned by lookupWrite. */
  touched(key: string): void {
    this.hooks.modified(this, key);
  }

  /** Empties the database, returning the number of keys removed. */
  clear(): number {
    const n = this.dict.size;
    this.dict = new Map();
    this.expires = new Map();
    this.bytes = 0;
    this.dirty.fill(null);
    this.dirtyCount = 0;
    this.counted = this.dict;
    this.mainSlots = 0;
    this.expireSlots = 0;
    this.avgTtl = 0;
    return n;
  }

  /**
   * A random key that is not expired, or undefined when empty. Expired keys met on the way are
   * deleted, so on a master this always ends. A replica cannot delete them: when every key has a
   * TTL it gives up after 100 tries and returns a possibly expired key (Redis does the same).
   */
  randomKey(): string | undefined {
    const allVolatile = this.dict.size === this.expires.size;
    let tries = 100;
    for (;;) {
      const k = randomMapKey(this.dict);
      if (k === undefined) return undefined;
      if (this.expires.size !== 0 && this.expires.has(k)) {
        if (allVolatile && this.hooks.keepExpired && --tries === 0) return k;
        if (this.expireIfNeeded(k)) continue;
      }
      return k;
    }
  }
}

/**
 * A uniformly random key of a Map. Map has no random access, so this walks an iterator a random
 * distance; it is O(n) but bounded to small steps by sampling from the start when large.
 */
export function randomMapKey<K>(m: Map<K, unknown>): K | undefined {
  const n = m.size;
  if (n === 0) return undefined;
  let skip = Math.floor(Math.random() * n);
  for (const k of m.keys()) {
    if (skip-- === 0) return k;
  }
  return undefined;
}
