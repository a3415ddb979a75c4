/**
 * The generic keyspace commands: DEL UNLINK EXISTS TYPE RENAME RENAMENX KEYS SCAN RANDOMKEY TOUCH
 * EXPIRE PEXPIRE EXPIREAT PEXPIREAT TTL PTTL EXPIRETIME PEXPIRETIME PERSIST MOVE COPY OBJECT.
 *
 * They work on any value through the RedisValue interface (type tag, encoding(), access clock),
 * so they need no change when new value types arrive — except COPY, which needs a deep copy
 * (see copyValue).
 *
 * Key lookups follow Redis's flavours:
 *   read          db.lookupRead      hit/miss statistics + access clock   (TOUCH, COPY source)
 *   read-no-touch lookupNoTouch      hit/miss statistics only             (EXISTS, TYPE, TTL, OBJECT)
 *   write         lookupForWrite     access clock, no statistics          (EXPIRE, PERSIST, RENAME...)
 * All of them expire the key lazily first.
 */
import type { Client } from '../net/client.js';
import type { Database } from '../store/database.js';
import type { CommandSpec } from './registry.js';
import type { Keyspace } from '../store/keyspace.js';
import { idleSeconds, lfuDecayed } from '../store/keyspace.js';
import { StringValue, TYPE_NAMES, type RedisValue } from '../store/values.js';
import { globMatch, isLiteralPattern } from '../store/glob.js';
import { ScanCursors, parseScanCursor } from '../store/scan.js';
import { E, parseInt64, parseBigInt64, is } from './util.js';
import { NOTIFY } from '../config/config.js';

// ---------------------------------------------------------------- helpers

/**
 * Redis's lookupKeyReadWithFlags(LOOKUP_NOTOUCH): statistics but no access-clock update; a
 * miss fires keymiss unless `notify` is false (OBJECT's LOOKUP_NONOTIFY).
 */
function lookupNoTouch(c: Client, key: string, notify = true): RedisValue | undefined {
  const v = c.db.peek(key);
  if (v === undefined) {
    c.server.keyspace.misses++;
    if (notify) c.db.notify(NOTIFY.KEY_MISS, 'keymiss', key);
  } else c.server.keyspace.hits++;
  return v;
}

/** Redis's lookupKeyWrite: refreshes the access clock, counts no statistics. */
function lookupForWrite(c: Client, db: Database, key: string): RedisValue | undefined {
  const v = db.peek(key);
  if (v !== undefined) c.server.keyspace.touch(v);
  return v;
}

/** TYPE's name for a value ("none" when missing). */
export function typeName(v: RedisValue | undefined): string {
  return v === undefined ? 'none' : (TYPE_NAMES[v.type] ?? 'unknown');
}

/**
 * Millisecond times are JS numbers, exact up to 2^53 (year 287396). Beyond that they are the
 * nearest double; print them as the integer they are, clamped to the int64 range Redis has.
 */
function int64(n: number): number | bigint {
  if (Number.isSafeInteger(n)) return n;
  if (n >= 9223372036854775807) return 9223372036854775807n;
  if (n <= -9223372036854775808) return -9223372036854775808n;
  return BigInt(n);
}

/** Redis's getIntFromObjectOrReply: a 32-bit int (database indexes of MOVE and COPY). */
function int32Arg(c: Client, s: string): number | null {
  const v = parseInt64(s);
  if (v === null) {
    c.error(E.NOT_INTEGER);
    return null;
  }
  if (v < -2147483648 || v > 2147483647) {
    c.error('ERR value is out of range, value must between -2147483648 and 2147483647');
    return null;
  }
  return v;
}

/** A database by index for MOVE/COPY, or replies the error and returns null. */
function dbArg(c: Client, s: string): Database | null {
  const id = int32Arg(c, s);
  if (id === null) return null;
  const dbs = c.server.keyspace.dbs;
  if (id < 0 || id >= dbs.length) {
    c.error(E.DB_INDEX);
    return null;
  }
  return dbs[id];
}

/** Help reply in Redis's addReplyHelp format. */
function replyHelpLines(c: Client, argv0: string, lines: string[]): void {
  c.w.array(lines.length + 3);
  c.w.simple(`${argv0.toUpperCase()} <subcommand> [<arg> [value] [opt] ...]. Subcommands are:`);
  for (const l of lines) c.w.simple(l);
  c.w.simple('HELP');
  c.w.simple('    Prints this help.');
}

// ---------------------------------------------------------------- COPY support

/**
 * Values that COPY produced: Redis duplicates small integers as private objects, so their
 * OBJECT REFCOUNT is 1 where a SET of the same text shares the global integer (INT_MAX).
 */
const privateCopies = new WeakSet<RedisValue>();

/**
 * A deep copy of a value for COPY, with the same encoding and a fresh access clock.
 * Strings are handled here; a value class that implements `clone()` is copied through it.
 * Value classes (hash, list, set, zset, stream) should each get a `clone(): RedisValue`.
 */
export function copyValue(v: RedisValue): RedisValue {
  let out: RedisValue;
  if (v instanceof StringValue) {
    // In-place-modified strings are "raw" in Redis and stay raw in the copy.
    out = v.isRaw ? StringValue.fromBuffer(Buffer.from(v.bytes())) : new StringValue(v.toString());
  } else {
    const cloneable = v as RedisValue & { clone?: () => RedisValue };
    if (typeof cloneable.clone !== 'function') {
      throw new Error(`COPY of a ${typeName(v)} value is not supported yet: its value class needs a clone() method`);
    }
    out = cloneable.clone();
  }
  out.lru = 0;
  privateCopies.add(out);
  return out;
}

/** Redis keeps one shared object per integer 0..9999 unless an LRU/LFU maxmemory policy is on. */
const OBJ_SHARED_REFCOUNT = 2147483647;

export function refcount(c: Client, v: RedisValue): number {
  if (!(v instanceof StringValue) || v.length > 4 || privateCopies.has(v) || v.encoding() !== 'int') return 1;
  const s = v.toString();
  if (s.charCodeAt(0) === 45) return 1; // negative
  const cfg = c.server.config;
  const policy = cfg.str('maxmemory-policy');
  if (cfg.num('maxmemory') !== 0 && (policy.endsWith('-lru') || policy.endsWith('-lfu'))) return 1;
  return OBJ_SHARED_REFCOUNT;
}

// ---------------------------------------------------------------- DEL UNLINK EXISTS TYPE TOUCH

function del(c: Client, argv: string[]): void {
  const db = c.db;
  let n = 0;
  for (let i = 1; i < argv.length; i++) {
    if (db.delete(argv[i])) {
      n++;
      db.notify(NOTIFY.GENERIC, 'del', argv[i]);
    }
  }
  c.server.dirty += n;
  c.w.int(n);
}

function exists(c: Client, argv: string[]): void {
  let n = 0;
  for (let i = 1; i < argv.length; i++) if (lookupNoTouch(c, argv[i]) !== undefined) n++;
  c.w.int(n);
}

function type(c: Client, argv: string[]): void {
  c.w.simple(typeName(lookupNoTouch(c, argv[1])));
}

function touch(c: Client, argv: string[]): void {
  const db = c.db;
  let n = 0;
  for (let i = 1; i < argv.length; i++) if (db.lookupRead(argv[i]) !== undefined) n++;
  c.w.int(n);
}

// ---------------------------------------------------------------- RENAME MOVE COPY

function renameGeneric(c: Client, argv: string[], nx: boolean): void {
  const db = c.db;
  const src = argv[1];
  const dst = argv[2];
  const v = db.peek(src);
  if (v === undefined) {
    c.error(E.NO_SUCH_KEY);
    return;
  }
  if (src === dst) {
    c.server.keyspace.touch(v);
    if (nx) c.w.int(0);
    else c.w.ok();
    return;
  }
  const expire = db.getExpire(src);
  if (lookupForWrite(c, db, dst) !== undefined) {
    if (nx) {
      c.server.keyspace.touch(v);
      c.w.int(0);
      return;
    }
    db.delete(dst);
  }
  // The value object moves: the source is deleted first so a running snapshot preserves it
  // under its old name before set() stamps it as new; set() refreshes its access clock.
  db.delete(src);
  db.set(dst, v);
  if (expire !== undefined) db.setExpire(dst, expire);
  db.notify(NOTIFY.GENERIC, 'rename_from', src);
  db.notify(NOTIFY.GENERIC, 'rename_to', dst);
  c.server.dirty++;
  if (nx) c.w.int(1);
  else c.w.ok();
}

function move(c: Client, argv: string[]): void {
  const src = c.db;
  const dst = dbArg(c, argv[2]);
  if (dst === null) return;
  if (dst === src) {
    c.error(E.SAME_OBJECT);
    return;
  }
  const key = argv[1];
  const v = src.peek(key);
  if (v === undefined) {
    c.w.int(0);
    return;
  }
  const expire = src.getExpire(key);
  if (lookupForWrite(c, dst, key) !== undefined) {
    c.server.keyspace.touch(v);
    c.w.int(0);
    return;
  }
  // Delete first so a running snapshot preserves the value in the source database.
  src.delete(key);
  dst.set(key, v);
  if (expire !== undefined) dst.setExpire(key, expire);
  src.notify(NOTIFY.GENERIC, 'move_from', key);
  dst.notify(NOTIFY.GENERIC, 'move_to', key);
  c.server.dirty++;
  c.w.int(1);
}

function copy(c: Client, argv: string[]): void {
  const src = c.db;
  let dst = src;
  let replace = false;
  for (let j = 3; j < argv.length; j++) {
    if (is(argv[j], 'REPLACE')) {
      replace = true;
    } else if (is(argv[j], 'DB') && j + 1 < argv.length) {
      const d = dbArg(c, argv[j + 1]);
      if (d === null) return;
      dst = d;
      j++;
    } else {
      c.error(E.SYNTAX);
      return;
    }
  }
  const key = argv[1];
  const newkey = argv[2];
  if (src === dst && key === newkey) {
    c.error(E.SAME_OBJECT);
    return;
  }
  const v = src.lookupRead(key);
  if (v === undefined) {
    c.w.int(0);
    return;
  }
  const expire = src.getExpire(key);
  const existed = lookupForWrite(c, dst, newkey) !== undefined;
  if (existed && !replace) {
    c.w.int(0);
    return;
  }
  const dup = copyValue(v);
  // REPLACE deletes the destination first, so the copy is a new key (Redis fires 'new').
  if (existed && (dst.notifyFlags & NOTIFY.NEW) !== 0) dst.delete(newkey);
  // set() replaces an existing destination and drops its TTL (REPLACE).
  dst.set(newkey, dup);
  if (expire !== undefined) dst.setExpire(newkey, expire);
  dst.notify(NOTIFY.GENERIC, 'copy_to', newkey);
  c.server.dirty++;
  c.w.int(1);
}

// ---------------------------------------------------------------- KEYS SCAN RANDOMKEY

function keys(c: Client, argv: string[]): void {
  const pattern = argv[1];
  const db = c.db;
  const out: string[] = [];
  const expires = db.expires;
  const now = c.server.keyspace.now();
  // KEYS hides expired keys without deleting them (like Redis).
  if (pattern.length === 1 && pattern === '*') {
    if (expires.size === 0) {
      for (const k of db.dict.keys()) out.push(k);
    } else {
      for (const k of db.dict.keys()) {
        const when = expires.get(k);
        if (when === undefined || when >= now) out.push(k);
      }
    }
  } else if (isLiteralPattern(pattern)) {
    // No metacharacters: only the key spelled exactly like the pattern can match.
    if (db.dict.has(pattern)) {
      const when = expires.size === 0 ? undefined : expires.get(pattern);
      if (when === undefined || when >= now) out.push(pattern);
    }
  } else {
    for (const k of db.dict.keys()) {
      if (!globMatch(pattern, k)) continue;
      const when = expires.size === 0 ? undefined : expires.get(k);
      if (when === undefined || when >= now) out.push(k);
    }
  }
  c.w.bulks(out);
}

const scanTables = new WeakMap<Keyspace, ScanCursors>();

/** The SCAN cursor table of a server's keyspace (created on first use). */
export function scanCursorsFor(ks: Keyspace): ScanCursors {
  let t = scanTables.get(ks);
  if (t === undefined) {
    const table = new ScanCursors();
    // Cursors on a dictionary that is emptied or swapped away would only hold memory (a later
    // call notices the change and restarts anyway), so drop them. Declared apart so this works
    // whether or not the listener interface has a swap hook.
    const listener = {
      beforeFlush: (db: Database) => table.forget(db.dict),
      beforeSwap: (a: Database, b: Database) => {
        table.forget(a.dict);
        table.forget(b.dict);
      },
    };
    ks.addListener(listener);
    scanTables.set(ks, table);
    t = table;
  }
  return t;
}

function scan(c: Client, argv: string[]): void {
  const cursor = parseScanCursor(argv[1]);
  if (cursor === null) {
    c.error('ERR invalid cursor');
    return;
  }
  let count = 10;
  let pattern: string | null = null;
  let typeFilter: string | null = null;
  for (let i = 2; i < argv.length; ) {
    const left = argv.length - i;
    if (is(argv[i], 'COUNT') && left >= 2) {
      const n = parseInt64(argv[i + 1]);
      if (n === null) {
        c.error(E.NOT_INTEGER);
        return;
      }
      if (n < 1) {
        c.error(E.SYNTAX);
        return;
      }
      count = n;
      i += 2;
    } else if (is(argv[i], 'MATCH') && left >= 2) {
      pattern = argv[i + 1];
      if (pattern === '*') pattern = null; // matches everything
      i += 2;
    } else if (is(argv[i], 'TYPE') && left >= 2) {
      typeFilter = argv[i + 1].toLowerCase();
      i += 2;
    } else {
      c.error(E.SYNTAX);
      return;
    }
  }
  const db = c.db;
  const ks = c.server.keyspace;
  const step = scanCursorsFor(ks).step(db.dict, cursor, count);
  const out: string[] = [];
  for (const k of step.keys) {
    if (pattern !== null && !globMatch(pattern, k)) continue;
    if (typeFilter !== null) {
      // Gone (expired) keys read as "none"; they are dropped just below anyway.
      if (typeName(lookupNoTouch(c, k)) !== typeFilter) continue;
    }
    if (db.expireIfNeeded(k)) continue;
    out.push(k);
  }
  c.w.array(2);
  c.w.bulk(step.cursor);
  c.w.bulks(out);
}

function randomkey(c: Client): void {
  const k = c.db.randomKey();
  if (k === undefined) c.w.nil();
  else c.w.bulk(k);
}

// ---------------------------------------------------------------- EXPIRE family

const LLONG_MAX = 9223372036854775807n;
const LLONG_MIN = -9223372036854775808n;

const EXPIRE_NX = 1;
const EXPIRE_XX = 2;
const EXPIRE_GT = 4;
const EXPIRE_LT = 8;

/**
 * EXPIRE / PEXPIRE / EXPIREAT / PEXPIREAT key time [NX|XX|GT|LT]: `relative` adds the current
 * time, `seconds` scales by 1000. Propagated as PEXPIREAT with the absolute time in ms (options
 * kept), or as DEL when the time is already past and the key gets deleted.
 */
function expireGeneric(c: Client, argv: string[], relative: boolean, seconds: boolean): void {
  let flags = 0;
  for (let j = 3; j < argv.length; j++) {
    const opt = argv[j];
    if (is(opt, 'NX')) flags |= EXPIRE_NX;
    else if (is(opt, 'XX')) flags |= EXPIRE_XX;
    else if (is(opt, 'GT')) flags |= EXPIRE_GT;
    else if (is(opt, 'LT')) flags |= EXPIRE_LT;
    else {
      c.error(`ERR Unsupported option ${opt}`);
      return;
    }
  }
  if (flags & EXPIRE_NX && flags & (EXPIRE_XX | EXPIRE_GT | EXPIRE_LT)) {
    c.error('ERR NX and XX, GT or LT options at the same time are not compatible');
    return;
  }
  if (flags & EXPIRE_GT && flags & EXPIRE_LT) {
    c.error('ERR GT and LT options at the same time are not compatible');
    return;
  }
  const ks = c.server.keyspace;
  const now = ks.now();
  const arg = argv[2];
  let when: number;
  let whenText: string;
  if (arg.length <= 12) {
    // |value| < 10^12: the arithmetic below stays exact in doubles and cannot overflow int64.
    const v = parseInt64(arg);
    if (v === null) {
      c.error(E.NOT_INTEGER);
      return;
    }
    when = (seconds ? v * 1000 : v) + (relative ? now : 0);
    whenText = String(when);
  } else {
    let v = parseBigInt64(arg);
    if (v === null) {
      c.error(E.NOT_INTEGER);
      return;
    }
    if (seconds) {
      if (v > LLONG_MAX / 1000n || v < LLONG_MIN / 1000n) {
        c.error(`ERR invalid expire time in '${c.cmd!.fullName}' command`);
        return;
      }
      v *= 1000n;
    }
    const base = relative ? BigInt(now) : 0n;
    if (v > LLONG_MAX - base) {
      c.error(`ERR invalid expire time in '${c.cmd!.fullName}' command`);
      return;
    }
    v += base;
    when = Number(v);
    whenText = v.toString();
  }
  const db = c.db;
  const key = argv[1];
  if (lookupForWrite(c, db, key) === undefined) {
    c.w.int(0);
    return;
  }
  if (flags !== 0) {
    const exp = db.getExpire(key);
    const current = exp === undefined ? -1 : exp; // Redis's "no TTL" value
    if (flags & EXPIRE_NX && current !== -1) {
      c.w.int(0);
      return;
    }
    if (flags & EXPIRE_XX && current === -1) {
      c.w.int(0);
      return;
    }
    // No TTL counts as an infinite one: GT always fails, LT always succeeds.
    if (flags & EXPIRE_GT && (when <= current || current === -1)) {
      c.w.int(0);
      return;
    }
    if (flags & EXPIRE_LT && current !== -1 && when >= current) {
      c.w.int(0);
      return;
    }
  }
  const server = c.server;
  // A time in the past deletes the key — except on a replica or while loading, where the
  // expiry is stored and the master's DEL (or active expiry) removes the key later.
  if (when <= now && !server.loading && server.masterHost === null) {
    db.delete(key);
    db.notify(NOTIFY.GENERIC, 'del', key);
    server.dirty++;
    const lazy = server.config.bool('lazyfree-lazy-expire');
    c.propagateArgv = [lazy ? 'UNLINK' : 'DEL', key];
    c.w.int(1);
    return;
  }
  db.setExpire(key, when);
  db.notify(NOTIFY.GENERIC, 'expire', key);
  if (c.cmd!.name !== 'pexpireat') {
    const prop = argv.slice();
    prop[0] = 'PEXPIREAT';
    prop[2] = whenText;
    c.propagateArgv = prop;
  }
  server.dirty++;
  c.w.int(1);
}

/** TTL / PTTL / EXPIRETIME / PEXPIRETIME. */
function ttlGeneric(c: Client, argv: string[], ms: boolean, absolute: boolean): void {
  const key = argv[1];
  if (lookupNoTouch(c, key) === undefined) {
    c.w.int(-2);
    return;
  }
  const exp = c.db.getExpire(key);
  if (exp === undefined) {
    c.w.int(-1);
    return;
  }
  let t = absolute ? exp : exp - c.server.keyspace.now();
  if (t < 0) t = 0;
  c.w.int(int64(ms ? t : Math.floor((t + 500) / 1000)));
}

function persist(c: Client, argv: string[]): void {
  const db = c.db;
  const key = argv[1];
  if (lookupForWrite(c, db, key) !== undefined && db.persist(key)) {
    db.notify(NOTIFY.GENERIC, 'persist', key);
    c.server.dirty++;
    c.w.int(1);
  } else {
    c.w.int(0);
  }
}

// ---------------------------------------------------------------- OBJECT

const LFU_SELECTED =
  'ERR An LFU maxmemory policy is selected, idle time not tracked. Please note that when switching between policies at runtime LRU and LFU data will take some time to adjust.';
const LFU_NOT_SELECTED =
  'ERR An LFU maxmemory policy is not selected, access frequency not tracked. Please note that when switching between policies at runtime LRU and LFU data will take some time to adjust.';

/** OBJECT's lookup: statistics, no access-clock update; a missing key replies null. */
function objectLookup(c: Client, key: string): RedisValue | undefined {
  const v = lookupNoTouch(c, key, false);
  if (v === undefined) c.w.nil();
  return v;
}

function objectEncoding(c: Client, argv: string[]): void {
  const v = objectLookup(c, argv[2]);
  if (v !== undefined) c.w.bulk(v.encoding());
}

function objectRefcount(c: Client, argv: string[]): void {
  const v = objectLookup(c, argv[2]);
  if (v !== undefined) c.w.int(refcount(c, v));
}

function objectIdletime(c: Client, argv: string[]): void {
  const v = objectLookup(c, argv[2]);
  if (v === undefined) return;
  if (c.server.keyspace.lfu) {
    c.error(LFU_SELECTED);
    return;
  }
  c.w.int(idleSeconds(v.lru));
}

function objectFreq(c: Client, argv: string[]): void {
  const v = objectLookup(c, argv[2]);
  if (v === undefined) return;
  const ks = c.server.keyspace;
  if (!ks.lfu) {
    c.error(LFU_NOT_SELECTED);
    return;
  }
  c.w.int(lfuDecayed(v.lru, ks.lfuDecayTime));
}

function objectHelp(c: Client, argv: string[]): void {
  replyHelpLines(c, argv[0], [
    'ENCODING <key>',
    '    Return the kind of internal representation used in order to store the value',
    '    associated with a <key>.',
    'FREQ <key>',
    '    Return the access frequency index of the <key>. The returned integer is',
    '    proportional to the logarithm of the recent access frequency of the key.',
    'IDLETIME <key>',
    '    Return the idle time of the <key>, that is the approximated number of',
    '    seconds elapsed since the last access to the key.',
    'REFCOUNT <key>',
    '    Return the number of references of the value associated with the specified',
    '    <key>.',
  ]);
}

// ---------------------------------------------------------------- table

export function keyspaceCommands(): CommandSpec[] {
  const g = { group: 'generic' } as const;
  const one: [number, number, number] = [1, 1, 1];
  const all: [number, number, number] = [1, -1, 1];
  const two: [number, number, number] = [1, 2, 1];
  const expireComplexity = 'O(1)';
  return [
    {
      ...g,
      name: 'del', tips: ['request_policy:multi_shard', 'response_policy:agg_sum'],
      arity: -2,
      flags: ['write'],
      keys: all,
      since: '1.0.0',
      summary: 'Delete a key',
      complexity:
        'O(N) where N is the number of keys that will be removed. When a key to remove holds a value other than a string, the individual complexity for this key is O(M) where M is the number of elements in the list, set, sorted set or hash. Removing a single key that holds a string value is O(1).',
      handler: del,
    },
    {
      ...g,
      name: 'unlink', tips: ['request_policy:multi_shard', 'response_policy:agg_sum'],
      arity: -2,
      flags: ['write', 'fast'],
      keys: all,
      since: '4.0.0',
      summary: 'Delete a key asynchronously in another thread. Otherwise it is just as DEL, but non blocking.',
      complexity:
        'O(1) for each key removed regardless of its size. Then the command does O(N) work in a different thread in order to reclaim memory, where N is the number of allocations the deleted objects where composed of.',
      handler: del,
    },
    {
      ...g,
      name: 'exists', tips: ['request_policy:multi_shard', 'response_policy:agg_sum'],
      arity: -2,
      flags: ['readonly', 'fast'],
      keys: all,
      since: '1.0.0',
      summary: 'Determine if a key exists',
      complexity: 'O(N) where N is the number of keys to check.',
      handler: exists,
    },
    { ...g, name: 'type', arity: 2, flags: ['readonly', 'fast'], keys: one, since: '1.0.0', summary: 'Determine the type stored at key', complexity: 'O(1)', handler: type },
    {
      ...g,
      name: 'rename',
      arity: 3,
      flags: ['write'],
      keys: two,
      since: '1.0.0',
      summary: 'Rename a key',
      complexity: 'O(1)',
      handler: (c, argv) => renameGeneric(c, argv, false),
    },
    {
      ...g,
      name: 'renamenx',
      arity: 3,
      flags: ['write', 'fast'],
      keys: two,
      since: '1.0.0',
      summary: 'Rename a key, only if the new key does not exist',
      complexity: 'O(1)',
      handler: (c, argv) => renameGeneric(c, argv, true),
    },
    {
      ...g,
      name: 'keys', tips: ['request_policy:all_shards', 'nondeterministic_output_order'],
      arity: 2,
      flags: ['readonly'],
      since: '1.0.0',
      summary: 'Find all keys matching the given pattern',
      complexity:
        'O(N) with N being the number of keys in the database, under the assumption that the key names in the database and the given pattern have limited length.',
      acl: ['dangerous'],
      handler: keys,
    },
    {
      ...g,
      name: 'scan', tips: ['nondeterministic_output', 'request_policy:special'],
      arity: -2,
      flags: ['readonly'],
      since: '2.8.0',
      summary: 'Incrementally iterate the keys space',
      complexity:
        'O(1) for every call. O(N) for a complete iteration, including enough command calls for the cursor to return back to 0. N is the number of elements inside the collection.',
      handler: scan,
    },
    { ...g, name: 'randomkey', tips: ['request_policy:all_shards', 'nondeterministic_output'], arity: 1, flags: ['readonly'], since: '1.0.0', summary: 'Return a random key from the keyspace', complexity: 'O(1)', handler: randomkey },
    {
      ...g,
      name: 'touch', tips: ['request_policy:multi_shard', 'response_policy:agg_sum'],
      arity: -2,
      flags: ['readonly', 'fast'],
      keys: all,
      since: '3.2.1',
      summary: 'Alters the last access time of a key(s). Returns the number of existing keys specified.',
      complexity: 'O(N) where N is the number of keys that will be touched.',
      handler: touch,
    },
    {
      ...g,
      name: 'expire',
      arity: -3,
      flags: ['write', 'fast'],
      keys: one,
      since: '1.0.0',
      summary: "Set a key's time to live in seconds",
      complexity: expireComplexity,
      handler: (c, argv) => expireGeneric(c, argv, true, true),
    },
    {
      ...g,
      name: 'pexpire',
      arity: -3,
      flags: ['write', 'fast'],
      keys: one,
      since: '2.6.0',
      summary: "Set a key's time to live in milliseconds",
      complexity: expireComplexity,
      handler: (c, argv) => expireGeneric(c, argv, true, false),
    },
    {
      ...g,
      name: 'expireat',
      arity: -3,
      flags: ['write', 'fast'],
      keys: one,
      since: '1.2.0',
      summary: 'Set the expiration for a key as a UNIX timestamp',
      complexity: expireComplexity,
      handler: (c, argv) => expireGeneric(c, argv, false, true),
    },
    {
      ...g,
      name: 'pexpireat',
      arity: -3,
      flags: ['write', 'fast'],
      keys: one,
      since: '2.6.0',
      summary: 'Set the expiration for a key as a UNIX timestamp specified in milliseconds',
      complexity: expireComplexity,
      handler: (c, argv) => expireGeneric(c, argv, false, false),
    },
    {
      ...g,
      name: 'ttl', tips: ['nondeterministic_output'],
      arity: 2,
      flags: ['readonly', 'fast'],
      keys: one,
      since: '1.0.0',
      summary: 'Get the time to live for a key in seconds',
      complexity: 'O(1)',
      handler: (c, argv) => ttlGeneric(c, argv, false, false),
    },
    {
      ...g,
      name: 'pttl', tips: ['nondeterministic_output'],
      arity: 2,
      flags: ['readonly', 'fast'],
      keys: one,
      since: '2.6.0',
      summary: 'Get the time to live for a key in milliseconds',
      complexity: 'O(1)',
      handler: (c, argv) => ttlGeneric(c, argv, true, false),
    },
    {
      ...g,
      name: 'expiretime',
      arity: 2,
      flags: ['readonly', 'fast'],
      keys: one,
      since: '7.0.0',
      summary: 'Get the expiration Unix timestamp for a key',
      complexity: 'O(1)',
      handler: (c, argv) => ttlGeneric(c, argv, false, true),
    },
    {
      ...g,
      name: 'pexpiretime',
      arity: 2,
      flags: ['readonly', 'fast'],
      keys: one,
      since: '7.0.0',
      summary: 'Get the expiration Unix timestamp for a key in milliseconds',
      complexity: 'O(1)',
      handler: (c, argv) => ttlGeneric(c, argv, true, true),
    },
    { ...g, name: 'persist', arity: 2, flags: ['write', 'fast'], keys: one, since: '2.2.0', summary: 'Remove the expiration from a key', complexity: 'O(1)', handler: persist },
    { ...g, name: 'move', arity: 3, flags: ['write', 'fast'], keys: one, since: '1.0.0', summary: 'Move a key to another database', complexity: 'O(1)', handler: move },
    {
      ...g,
      name: 'copy',
      arity: -3,
      flags: ['write', 'denyoom'],
      keys: two,
      since: '6.2.0',
      summary: 'Copy a key',
      complexity: 'O(N) worst case for collections, where N is the number of nested items. O(1) for string values.',
      handler: copy,
    },
    {
      ...g,
      name: 'object',
      arity: -2,
      flags: [],
      since: '2.2.3',
      summary: 'A container for object introspection commands',
      complexity: 'Depends on subcommand.',
      subcommands: [
        {
          ...g,
          name: 'encoding', tips: ['nondeterministic_output'],
          arity: 3,
          flags: ['readonly'],
          keys: [2, 2, 1],
          since: '2.2.3',
          summary: 'Inspect the internal encoding of a Redis object',
          complexity: 'O(1)',
          handler: objectEncoding,
        },
        {
          ...g,
          name: 'refcount', tips: ['nondeterministic_output'],
          arity: 3,
          flags: ['readonly'],
          keys: [2, 2, 1],
          since: '2.2.3',
          summary: 'Get the number of references to the value of the key',
          complexity: 'O(1)',
          handler: objectRefcount,
        },
        {
          ...g,
          name: 'idletime', tips: ['nondeterministic_output'],
          arity: 3,
          flags: ['readonly'],
          keys: [2, 2, 1],
          since: '2.2.3',
          summary: 'Get the time since a Redis object was last accessed',
          complexity: 'O(1)',
          handler: objectIdletime,
        },
        {
          ...g,
          name: 'freq', tips: ['nondeterministic_output'],
          arity: 3,
          flags: ['readonly'],
          keys: [2, 2, 1],
          since: '4.0.0',
          summary: 'Get the logarithmic access frequency counter of a Redis object',
          complexity: 'O(1)',
          handler: objectFreq,
        },
        {
          ...g,
          name: 'help',
          arity: 2,
          flags: ['loading', 'stale'],
          since: '6.2.0',
          summary: 'Show helpful text about the different subcommands',
          complexity: 'O(1)',
          handler: objectHelp,
        },
      ],
    },
  ];
}
