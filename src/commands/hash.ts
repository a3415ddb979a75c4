/**
 * Hash commands: HSET HMSET HSETNX HGET HMGET HGETALL HKEYS HVALS HDEL HEXISTS HLEN HSTRLEN
 * HINCRBY HINCRBYFLOAT HRANDFIELD HSCAN. Replies, errors, encodings and propagation follow
 * Redis 7.0 (t_hash.c behaviour); the value class is src/store/hash.ts.
 *
 * Also the helpers the set (and later zset) commands share: HSCAN/SSCAN cursor handling, the
 * count argument of the random commands, and the guard against unbounded random replies.
 */
import type { Client } from '../net/client.js';
import type { CommandSpec } from './registry.js';
import { E, checkType, is, parseBigInt64, removeMembers } from './util.js';
import { HashValue, flat } from '../store/hash.js';
import { ValueType, type RedisValue } from '../store/values.js';
import { ScanCursors, parseScanCursor } from '../store/scan.js';
import { globMatch } from '../store/glob.js';
import type { Keyspace } from '../store/keyspace.js';
import { parseExt, addExt, formatExt } from './string-float.js';
import { NOTIFY } from '../config/config.js';

// ---------------------------------------------------------------- shared helpers

const LONG_MAX = 9223372036854775807n;

/**
 * getRangeLongFromObjectOrReply: an integer in [min, max] or an error reply (`msg` replaces
 * both the "not an integer" and the "out of range" texts when given, as in Redis).
 */
export function rangeLongArg(c: Client, s: string, min: bigint, max: bigint, msg?: string): bigint | null {
  const v = parseBigInt64(s);
  if (v === null) {
    c.error(msg !== undefined ? 'ERR ' + msg : E.NOT_INTEGER);
    return null;
  }
  if (v < min || v > max) {
    c.error(msg !== undefined ? 'ERR ' + msg : `ERR value is out of range, value must between ${min} and ${max}`);
    return null;
  }
  return v;
}

/** Count of HRANDFIELD / SRANDMEMBER: -LONG_MAX..LONG_MAX. */
export function randomCountArg(c: Client, s: string): bigint | null {
  return rangeLongArg(c, s, -LONG_MAX, LONG_MAX);
}

/** Reply bytes after which an unbounded random reply (negative counts) is abandoned. */
const REPLY_GUARD = 512 * 1024 * 1024;

/**
 * True when a reply grew beyond what reddish agrees to build: the client is closed, like Redis
 * does when a client overcomes its output buffer limit (Redis with no limit would grow until
 * the machine runs out of memory on `SRANDMEMBER key -9223372036854775807`).
 */
export function replyOverflow(c: Client): boolean {
  if (c.w.len < REPLY_GUARD) return false;
  if (!c.closeAsap) {
    c.closeAsap = true;
    c.server.log.warning(`Client ${c.info()} closed: a reply grew beyond ${REPLY_GUARD} bytes.`);
    setImmediate(() => c.close());
  }
  return true;
}

const scanTables = new WeakMap<Keyspace, ScanCursors>();

/**
 * Cursor table for HSCAN/SSCAN/ZSCAN over hashtable-encoded collections (one per keyspace). A
 * cursor pins its collection, so the table is smaller than SCAN's and dropped on any flush;
 * an unknown cursor restarts the iteration (it can repeat elements, never miss them).
 */
export function collectionCursors(c: Client): ScanCursors {
  const ks = c.server.keyspace;
  let t = scanTables.get(ks);
  if (t === undefined) {
    const table = new ScanCursors(4096, 10 * 60 * 1000);
    ks.addListener({ beforeFlush: () => table.clear() });
    scanTables.set(ks, table);
    t = table;
  }
  return t;
}

export interface ScanOptions {
  count: number;
  pattern: string | null;
}

/**
 * Parses the options of HSCAN/SSCAN/ZSCAN (after cursor and key), replying on error. Like
 * Redis they are parsed after the key lookup, so a missing key answers an empty scan even with
 * bad options.
 */
export function parseCollectionScanOptions(c: Client, argv: string[]): ScanOptions | null {
  let count = 10;
  let pattern: string | null = null;
  for (let i = 3; i < argv.length; ) {
    const left = argv.length - i;
    if (is(argv[i], 'COUNT') && left >= 2) {
      const n = parseBigInt64(argv[i + 1]);
      if (n === null) {
        c.error(E.NOT_INTEGER);
        return null;
      }
      if (n < 1n) {
        c.error(E.SYNTAX);
        return null;
      }
      count = Number(n);
      i += 2;
    } else if (is(argv[i], 'MATCH') && left >= 2) {
      const p = argv[i + 1];
      pattern = p === '*' ? null : p;
      i += 2;
    } else {
      c.error(E.SYNTAX);
      return null;
    }
  }
  return { count, pattern };
}

/**
 * Looks up the key of a *SCAN command after validating its cursor: returns the value, or null
 * when the reply was already written (invalid cursor, missing key, wrong type).
 */
export function scanLookup(c: Client, argv: string[], type: ValueType): { value: RedisValue; cursor: bigint } | null {
  const cursor = parseScanCursor(argv[2]);
  if (cursor === null) {
    c.error('ERR invalid cursor');
    return null;
  }
  const v = c.db.lookupRead(argv[1]);
  if (v === undefined) {
    c.w.array(2);
    c.w.bulk('0');
    c.w.array(0);
    return null;
  }
  if (v.type !== type) {
    c.error(E.WRONGTYPE);
    return null;
  }
  return { value: v, cursor };
}

// ---------------------------------------------------------------- helpers

function limits(c: Client): [entries: number, value: number] {
  const cfg = c.server.config;
  return [cfg.num('hash-max-listpack-entries'), cfg.num('hash-max-listpack-value')];
}

/** The hash at key for reading: HashValue, undefined when missing, null after a WRONGTYPE reply. */
function readHash(c: Client, key: string): HashValue | undefined | null {
  return checkType<HashValue>(c, c.db.lookupRead(key), ValueType.Hash);
}

/**
 * Redis's hashTypeLookupWriteOrCreate: the hash to modify, created (empty, listpack) when
 * missing. `created` tells the caller to add it to the keyspace once it has content.
 */
let created = false;
function writeHash(c: Client, key: string): HashValue | null {
  const v = checkType<HashValue>(c, c.db.lookupWrite(key), ValueType.Hash);
  if (v === null) return null;
  created = v === undefined;
  return v ?? new HashValue();
}

/** Puts a hash obtained from writeHash back: adds a new key, or signals the in-place change. */
function commit(c: Client, key: string, h: HashValue): void {
  if (created) {
    created = false;
    c.db.add(key, h);
  } else {
    c.db.touched(key);
  }
}

// ---------------------------------------------------------------- commands

function hsetCommand(c: Client, argv: string[]): void {
  if (argv.length % 2 === 1) {
    c.error(`ERR wrong number of arguments for '${c.cmd?.fullName ?? 'hset'}' command`);
    return;
  }
  const key = argv[1];
  const h = writeHash(c, key);
  if (h === null) return;
  const [maxEntries, maxValue] = limits(c);
  const n = h.setMany(argv, 2, maxEntries, maxValue);
  commit(c, key, h);
  if (argv[0].charCodeAt(1) === 115 || argv[0].charCodeAt(1) === 83) c.w.int(n);
  else c.w.ok();
  c.db.notify(NOTIFY.HASH, 'hset', key);
  c.server.dirty += (argv.length - 2) / 2;
}

function hsetnxCommand(c: Client, argv: string[]): void {
  const key = argv[1];
  const h = writeHash(c, key);
  if (h === null) return;
  if (h.has(argv[2])) {
    c.w.int(0);
    return;
  }
  const [maxEntries, maxValue] = limits(c);
  h.set(argv[2], argv[3], maxEntries, maxValue);
  commit(c, key, h);
  c.w.int(1);
  c.db.notify(NOTIFY.HASH, 'hset', key);
  c.server.dirty++;
}

function hgetCommand(c: Client, argv: string[]): void {
  const h = readHash(c, argv[1]);
  if (h === null) return;
  const v = h?.get(argv[2]);
  if (v === undefined) c.w.nil();
  else c.w.bulk(v);
}

function hmgetCommand(c: Client, argv: string[]): void {
  const h = readHash(c, argv[1]);
  if (h === null) return;
  c.w.array(argv.length - 2);
  for (let i = 2; i < argv.length; i++) {
    const v = h?.get(argv[i]);
    if (v === undefined) c.w.nil();
    else c.w.bulk(v);
  }
}

function hdelCommand(c: Client, argv: string[]): void {
  const key = argv[1];
  const h = checkType<HashValue>(c, c.db.lookupWrite(key), ValueType.Hash);
  if (h === null) return;
  if (h === undefined) {
    c.w.int(0);
    return;
  }
  const n = removeMembers(c, key, argv, (m) => h.delete(m), () => h.isEmpty);
  c.w.int(n);
  if (n > 0) {
    c.db.notify(NOTIFY.HASH, 'hdel', key);
    if (h.isEmpty) c.db.notify(NOTIFY.GENERIC, 'del', key);
  }
}

function hlenCommand(c: Client, argv: string[]): void {
  const h = readHash(c, argv[1]);
  if (h === null) return;
  c.w.int(h ? h.length : 0);
}

function hstrlenCommand(c: Client, argv: string[]): void {
  const h = readHash(c, argv[1]);
  if (h === null) return;
  c.w.int(h ? h.strlen(argv[2]) : 0);
}

function hexistsCommand(c: Client, argv: string[]): void {
  const h = readHash(c, argv[1]);
  if (h === null) return;
  c.w.int(h && h.has(argv[2]) ? 1 : 0);
}

const KEYS = 1;
const VALUES = 2;

function getall(c: Client, argv: string[], what: number): void {
  const h = readHash(c, argv[1]);
  if (h === null) return;
  const w = c.w;
  const n = h ? h.length : 0;
  if (what === (KEYS | VALUES)) w.map(n);
  else w.array(n);
  if (!h) return;
  if (what === KEYS) h.forEach((f) => w.bulk(f));
  else if (what === VALUES) h.forEach((_f, v) => w.bulk(v));
  else
    h.forEach((f, v) => {
      w.bulk(f);
      w.bulk(v);
    });
}

function hincrbyCommand(c: Client, argv: string[]): void {
  const incr = parseBigInt64(argv[3]);
  if (incr === null) {
    c.error(E.NOT_INTEGER);
    return;
  }
  const key = argv[1];
  const h = writeHash(c, key);
  if (h === null) return;
  const cur = h.get(argv[2]);
  let value = 0n;
  if (cur !== undefined) {
    const v = parseBigInt64(cur);
    if (v === null) {
      c.error('ERR hash value is not an integer');
      return;
    }
    value = v;
  }
  const sum = value + incr;
  if (sum > LONG_MAX || sum < -LONG_MAX - 1n) {
    c.error('ERR increment or decrement would overflow');
    return;
  }
  const text = String(sum);
  const [maxEntries, maxValue] = limits(c);
  h.set(argv[2], text, maxEntries, maxValue);
  commit(c, key, h);
  c.w.int(sum);
  c.db.notify(NOTIFY.HASH, 'hincrby', key);
  c.server.dirty++;
}

function hincrbyfloatCommand(c: Client, argv: string[]): void {
  const incr = parseExt(argv[3]);
  if (incr === null) {
    c.error(E.NOT_FLOAT);
    return;
  }
  if (typeof incr === 'string') {
    c.error('ERR value is NaN or Infinity');
    return;
  }
  const key = argv[1];
  const h = writeHash(c, key);
  if (h === null) return;
  const cur = h.get(argv[2]);
  let sum: ReturnType<typeof addExt> = incr;
  if (cur !== undefined) {
    const v = parseExt(cur);
    if (v === null) {
      c.error('ERR hash value is not a float');
      return;
    }
    sum = typeof v === 'string' ? v : addExt(v, incr);
  }
  if (typeof sum === 'string') {
    c.error('ERR increment would produce NaN or Infinity');
    return;
  }
  const text = flat(formatExt(sum));
  const [maxEntries, maxValue] = limits(c);
  h.set(argv[2], text, maxEntries, maxValue);
  commit(c, key, h);
  c.w.bulk(text);
  c.db.notify(NOTIFY.HASH, 'hincrbyfloat', key);
  c.server.dirty++;
  // Replicas must not redo the float arithmetic: they get the result (Redis rewrites to HSET).
  c.propagateArgv = ['HSET', key, argv[2], text];
}

// ---------------------------------------------------------------- HRANDFIELD

/** Picks `count` distinct indexes of 0..size-1 (count < size), in random order. */
export function distinctIndexes(size: number, count: number): number[] {
  if (count * 3 > size) {
    // Dense: partial Fisher-Yates over all indexes.
    const idx = new Array<number>(size);
    for (let i = 0; i < size; i++) idx[i] = i;
    for (let i = 0; i < count; i++) {
      const j = i + Math.floor(Math.random() * (size - i));
      const t = idx[i];
      idx[i] = idx[j];
      idx[j] = t;
    }
    idx.length = count;
    return idx;
  }
  // Sparse: random picks, rejecting repeats.
  const seen = new Set<number>();
  const out: number[] = [];
  while (out.length < count) {
    const i = Math.floor(Math.random() * size);
    if (seen.has(i)) continue;
    seen.add(i);
    out.push(i);
  }
  return out;
}

function hrandfieldCommand(c: Client, argv: string[]): void {
  const w = c.w;
  if (argv.length === 2) {
    const h = readHash(c, argv[1]);
    if (h === null) return;
    if (h === undefined) w.nil();
    else w.bulk(h.randomPair()[0]);
    return;
  }
  const l = randomCountArg(c, argv[2]);
  if (l === null) return;
  let withValues = false;
  if (argv.length > 4 || (argv.length === 4 && !is(argv[3], 'WITHVALUES'))) {
    c.error(E.SYNTAX);
    return;
  }
  if (argv.length === 4) {
    withValues = true;
    if (l < -LONG_MAX / 2n || l > LONG_MAX / 2n) {
      c.error('ERR value is out of range');
      return;
    }
  }
  const h = readHash(c, argv[1]);
  if (h === null) return;
  if (h === undefined || l === 0n) {
    w.array(0);
    return;
  }
  const resp3 = c.resp === 3;
  const pair = (f: string, v: string): void => {
    if (withValues && resp3) w.array(2);
    w.bulk(f);
    if (withValues) w.bulk(v);
  };
  const size = h.length;
  const unique = l > 0n;
  const big = unique ? l : -l;
  const count = Number(big);
  if (!unique || count === 1) {
    // With repetitions: count independent fair picks.
    w.raw(`*${withValues && !resp3 ? big * 2n : big}\r\n`);
    if (h.isListpack) {
      const { fields, values } = h.toArrays();
      for (let i = 0; i < count; i++) {
        const j = Math.floor(Math.random() * size);
        pair(fields[j], values[j]);
        if ((i & 1023) === 1023 && replyOverflow(c)) return;
      }
    } else {
      for (let i = 0; i < count; i++) {
        const [f, v] = h.pairAt(Math.floor(Math.random() * size));
        pair(f, v);
        if ((i & 1023) === 1023 && replyOverflow(c)) return;
      }
    }
    return;
  }
  const n = Math.min(count, size);
  w.array(withValues && !resp3 ? n * 2 : n);
  if (count >= size) {
    h.forEach(pair);
    return;
  }
  const { fields, values } = h.isListpack ? h.toArrays() : { fields: null, values: null };
  for (const i of distinctIndexes(size, count)) {
    if (fields !== null) pair(fields[i], values![i]);
    else {
      const [f, v] = h.pairAt(i);
      pair(f, v);
    }
  }
}

// ---------------------------------------------------------------- HSCAN

function hscanCommand(c: Client, argv: string[]): void {
  const found = scanLookup(c, argv, ValueType.Hash);
  if (found === null) return;
  const opts = parseCollectionScanOptions(c, argv);
  if (opts === null) return;
  const h = found.value as HashValue;
  const out: string[] = [];
  const { pattern } = opts;
  let cursor = '0';
  const src = h.scanSource();
  if (src === null) {
    h.forEach((f, v) => {
      if (pattern === null || globMatch(pattern, f)) out.push(f, v);
    });
  } else {
    const step = collectionCursors(c).step(src, found.cursor, opts.count);
    cursor = step.cursor;
    for (const f of step.keys) {
      if (pattern !== null && !globMatch(pattern, f)) continue;
      const v = h.get(f);
      if (v !== undefined) out.push(f, v);
    }
  }
  c.w.array(2);
  c.w.bulk(cursor);
  c.w.bulks(out);
}

// ---------------------------------------------------------------- table

export function hashCommands(): CommandSpec[] {
  const group = 'hash';
  const one: [number, number, number] = [1, 1, 1];
  return [
    {
      name: 'hset',
      arity: -4,
      flags: ['write', 'denyoom', 'fast'],
      keys: one,
      group,
      since: '2.0.0',
      summary: 'Set the string value of a hash field',
      complexity: 'O(1) for each field/value pair added, so O(N) to add N field/value pairs when the command is called with multiple field/value pairs.',
      handler: hsetCommand,
    },
    {
      name: 'hmset',
      arity: -4,
      flags: ['write', 'denyoom', 'fast'],
      keys: one,
      group,
      since: '2.0.0',
      summary: 'Set multiple hash fields to multiple values',
      complexity: 'O(N) where N is the number of fields being set.',
      handler: hsetCommand,
    },
    { name: 'hsetnx', arity: 4, flags: ['write', 'denyoom', 'fast'], keys: one, group, since: '2.0.0', summary: 'Set the value of a hash field, only if the field does not exist', complexity: 'O(1)', handler: hsetnxCommand },
    { name: 'hget', arity: 3, flags: ['readonly', 'fast'], keys: one, group, since: '2.0.0', summary: 'Get the value of a hash field', complexity: 'O(1)', handler: hgetCommand },
    { name: 'hmget', arity: -3, flags: ['readonly', 'fast'], keys: one, group, since: '2.0.0', summary: 'Get the values of all the given hash fields', complexity: 'O(N) where N is the number of fields being requested.', handler: hmgetCommand },
    {
      name: 'hgetall',
      arity: 2,
      flags: ['readonly'],
      keys: one,
      group,
      since: '2.0.0',
      summary: 'Get all the fields and values in a hash',
      complexity: 'O(N) where N is the size of the hash.',
      tips: ['nondeterministic_output_order'],
      handler: (c, argv) => getall(c, argv, KEYS | VALUES),
    },
    {
      name: 'hkeys',
      arity: 2,
      flags: ['readonly'],
      keys: one,
      group,
      since: '2.0.0',
      summary: 'Get all the fields in a hash',
      complexity: 'O(N) where N is the size of the hash.',
      tips: ['nondeterministic_output_order'],
      handler: (c, argv) => getall(c, argv, KEYS),
    },
    {
      name: 'hvals',
      arity: 2,
      flags: ['readonly'],
      keys: one,
      group,
      since: '2.0.0',
      summary: 'Get all the values in a hash',
      complexity: 'O(N) where N is the size of the hash.',
      tips: ['nondeterministic_output_order'],
      handler: (c, argv) => getall(c, argv, VALUES),
    },
    { name: 'hdel', arity: -3, flags: ['write', 'fast'], keys: one, group, since: '2.0.0', summary: 'Delete one or more hash fields', complexity: 'O(N) where N is the number of fields to be removed.', handler: hdelCommand },
    { name: 'hexists', arity: 3, flags: ['readonly', 'fast'], keys: one, group, since: '2.0.0', summary: 'Determine if a hash field exists', complexity: 'O(1)', handler: hexistsCommand },
    { name: 'hlen', arity: 2, flags: ['readonly', 'fast'], keys: one, group, since: '2.0.0', summary: 'Get the number of fields in a hash', complexity: 'O(1)', handler: hlenCommand },
    { name: 'hstrlen', arity: 3, flags: ['readonly', 'fast'], keys: one, group, since: '3.2.0', summary: 'Get the length of the value of a hash field', complexity: 'O(1)', handler: hstrlenCommand },
    { name: 'hincrby', arity: 4, flags: ['write', 'denyoom', 'fast'], keys: one, group, since: '2.0.0', summary: 'Increment the integer value of a hash field by the given number', complexity: 'O(1)', handler: hincrbyCommand },
    { name: 'hincrbyfloat', arity: 4, flags: ['write', 'denyoom', 'fast'], keys: one, group, since: '2.6.0', summary: 'Increment the float value of a hash field by the given amount', complexity: 'O(1)', handler: hincrbyfloatCommand },
    {
      name: 'hrandfield',
      arity: -2,
      flags: ['readonly'],
      keys: one,
      group,
      since: '6.2.0',
      summary: 'Get one or multiple random fields from a hash',
      complexity: 'O(N) where N is the number of fields returned',
      tips: ['nondeterministic_output'],
      handler: hrandfieldCommand,
    },
    {
      name: 'hscan',
      arity: -3,
      flags: ['readonly'],
      keys: one,
      group,
      since: '2.8.0',
      summary: 'Incrementally iterate hash fields and associated values',
      complexity: 'O(1) for every call. O(N) for a complete iteration, including enough command calls for the cursor to return back to 0. N is the number of elements inside the collection..',
      tips: ['nondeterministic_output'],
      handler: hscanCommand,
    },
  ];
}
