/**
 * SORT and SORT_RO as Redis 7.0 runs them:
 *
 *   parse options ─▶ look up the source (list, set or sorted set; missing = empty list)
 *     ─▶ load the elements (BY <constant> on a list or zset loads just the LIMIT window, in the
 *        stored order, reversed by DESC) ─▶ weigh (numbers, or strings with ALPHA; BY patterns
 *        read string keys or hash fields) ─▶ sort ─▶ reply, or STORE the window as a list
 *
 * What decides the order of equal elements is kept on purpose: numeric ties compare the elements
 * themselves; ALPHA ties (equal or missing BY weights) keep their input order under the plain
 * sort, which is stable as glibc's qsort is, while a BY sort with a LIMIT window runs a partial
 * Bentley–McIlroy quicksort that only sorts the partitions overlapping the window, as Redis does,
 * so the same ties land in the same places.
 */
import type { Client } from '../net/client.js';
import type { CommandArg, CommandSpec } from './registry.js';
import { E, is, parseInt64 } from './util.js';
import { ValueType, type RedisValue, type StringValue } from '../store/values.js';
import { ListValue } from '../store/list.js';
import type { SetValue } from '../store/set.js';
import type { ZSetValue } from '../store/zset.js';
import type { HashValue } from '../store/hash.js';
import { strtod } from '../store/zset.js';
import type { Database } from '../store/database.js';
import { NOTIFY } from '../notify/index.js';
import { partialSort } from '../util/pqsort.js';

const SCORE_ERROR = "ERR One or more scores can't be converted into double";
const DBL_MIN = 2.2250738585072014e-308;

interface Item {
  obj: string;
  score: number;
  /** The BY weight read for ALPHA sorting; null when the weight key/field is missing. */
  cmp: string | null;
}

/** The C string view of a binary string: everything before its first NUL byte. */
function cstr(s: string): string {
  const z = s.indexOf('\0');
  return z < 0 ? s : s.slice(0, z);
}

/**
 * Redis's lookupKeyByPattern: "#" is the element itself; otherwise the first '*' is replaced by
 * the element and the key read (a string, or with "->field" a hash field). Null when missing,
 * of another type, or when the pattern has no '*'.
 */
function lookupByPattern(db: Database, pattern: string, subst: string): string | null {
  if (pattern.charCodeAt(0) === 35 /* # */ && (pattern.length === 1 || pattern.charCodeAt(1) === 0)) return subst;
  const clen = cstr(pattern).length;
  const star = pattern.indexOf('*');
  if (star < 0 || star >= clen) return null;
  const arrow = pattern.indexOf('->', star + 1);
  let field: string | null = null;
  let postfix: string;
  if (arrow >= 0 && arrow + 2 < clen) {
    field = pattern.slice(arrow + 2);
    postfix = pattern.slice(star + 1, arrow);
  } else {
    postfix = pattern.slice(star + 1);
  }
  const v = db.lookupRead(pattern.slice(0, star) + subst + postfix);
  if (v === undefined) return null;
  if (field !== null) return v.type === ValueType.Hash ? ((v as HashValue).get(field) ?? null) : null;
  return v.type === ValueType.String ? (v as StringValue).toString() : null;
}

/**
 * A weight as SORT reads it with C's strtod: the text up to a NUL must convert completely; an
 * empty text is 0; NaN, overflow and inexact underflow (glibc's ERANGE) are errors (null).
 */
export function sortWeight(text: string): number | null {
  const s = cstr(text);
  if (s.length === 0) return 0;
  const r = strtod(s);
  if (r.end !== s.length || r.erange || Number.isNaN(r.value)) return null;
  const a = Math.abs(r.value);
  if (a !== 0 && a < DBL_MIN && !exactHexSubnormal(s, a)) return null;
  return r.value;
}

/** True when a hexadecimal text converts to the subnormal `a` without rounding (no ERANGE). */
function exactHexSubnormal(s: string, a: number): boolean {
  const m = /^\s*[+-]?0[xX]([0-9a-fA-F]*)(?:\.([0-9a-fA-F]*))?(?:[pP]([+-]?\d+))?$/.exec(s);
  if (!m) return false; // decimal subnormals are inexact
  const frac = m[2] ?? '';
  const mant = BigInt('0x' + ((m[1] ?? '') + frac || '0'));
  const shift = Number(m[3] ?? '0') - 4 * frac.length + 1074;
  const k = BigInt(a * 2 ** 537 * 2 ** 537); // the subnormal in units of 2^-1074
  return shift >= 0 ? mant << BigInt(shift) === k : mant === k << BigInt(-shift);
}

/** Byte-wise comparison (Redis's compareStringObjects on binary strings). */
function binaryCompare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** strcoll in the C / C.UTF-8 locales: strcmp, which stops at the first NUL. */
function collate(a: string, b: string): number {
  return binaryCompare(cstr(a), cstr(b));
}

// ---------------------------------------------------------------- the command

function sortGeneric(c: Client, argv: string[], readonly: boolean): void {
  let desc = false;
  let alpha = false;
  let limitStart = 0;
  let limitCount = -1;
  let dontsort = false;
  let sortby: string | null = null;
  let storekey: string | null = null;
  const gets: string[] = [];
  // BY/GET patterns read arbitrary keys: the user needs read access to every key (7.0).
  const fullKeys = c.cmd === null || (c.server.hooks.acl?.fullKeyAccess(c, c.cmd, argv) ?? true);
  for (let j = 2; j < argv.length; j++) {
    const a = argv[j];
    const left = argv.length - j - 1;
    if (is(a, 'ASC')) desc = false;
    else if (is(a, 'DESC')) desc = true;
    else if (is(a, 'ALPHA')) alpha = true;
    else if (is(a, 'LIMIT') && left >= 2) {
      const s = parseInt64(argv[j + 1]);
      const n = s === null ? null : parseInt64(argv[j + 2]);
      if (s === null || n === null) {
        c.error(E.NOT_INTEGER);
        return;
      }
      limitStart = s;
      limitCount = n;
      j += 2;
    } else if (!readonly && is(a, 'STORE') && left >= 1) {
      storekey = argv[++j];
    } else if (is(a, 'BY') && left >= 1) {
      sortby = argv[++j];
      // A pattern without '*' is constant: nothing to weigh, the stored order stays.
      if (!cstr(sortby).includes('*')) dontsort = true;
      else if (!fullKeys) {
        c.error('ERR BY option of SORT denied due to insufficient ACL permissions.');
        return;
      }
    } else if (is(a, 'GET') && left >= 1) {
      if (!fullKeys) {
        c.error('ERR GET option of SORT denied due to insufficient ACL permissions.');
        return;
      }
      gets.push(argv[++j]);
    } else {
      c.error(E.SYNTAX);
      return;
    }
  }

  const db = c.db;
  const key = argv[1];
  const value: RedisValue | undefined = db.lookupRead(key);
  if (value !== undefined && value.type !== ValueType.List && value.type !== ValueType.Set && value.type !== ValueType.ZSet) {
    c.error(E.WRONGTYPE);
    return;
  }
  const type = value === undefined ? ValueType.List : value.type;

  // An unsorted set would store (or replicate) an arbitrary order: sort it as strings instead.
  // Scripts get the same (7.0's CLIENT_SCRIPT), so their effects do not depend on set order.
  if (dontsort && type === ValueType.Set && (storekey !== null || c.luaClient)) {
    dontsort = false;
    alpha = true;
    sortby = null;
  }

  // Redis converts a small sorted set to its skiplist encoding for SORT, for good.
  if (type === ValueType.ZSet && (value as ZSetValue).isListpack) {
    c.server.keyspace.beforeWrite(db, key);
    (value as ZSetValue).toSkiplist();
  }

  let vectorlen =
    value === undefined ? 0 : type === ValueType.List ? (value as ListValue).length : type === ValueType.Set ? (value as SetValue).size : (value as ZSetValue).size;

  // LIMIT, clamped to the size (so no overflow either).
  let start = Math.min(Math.max(limitStart, 0), vectorlen);
  const count = Math.min(Math.max(limitCount, -1), vectorlen);
  let end = count < 0 ? vectorlen - 1 : start + count - 1;
  if (start >= vectorlen) {
    start = vectorlen - 1;
    end = vectorlen - 2;
  }
  if (end >= vectorlen) end = vectorlen - 1;

  const vector: Item[] = [];
  const item = (obj: string): Item => ({ obj, score: 0, cmp: null });
  if (dontsort && (type === ValueType.List || type === ValueType.ZSet)) {
    // Ordered sources without sorting: load only the window, in stored (or reversed) order.
    if (start !== 0 || end !== vectorlen - 1) vectorlen = end - start + 1;
    if (type === ValueType.List) {
      // (A missing key is an empty list: its range is empty.)
      if (end >= start) {
        const l = value as ListValue;
        const len = l.length;
        for (let k = 0; k < vectorlen; k++) vector.push(item(l.get(desc ? len - start - 1 - k : start + k)));
        end -= start;
        start = 0;
      }
    } else {
      const members = [...(value as ZSetValue).members()];
      const len = members.length;
      for (let k = 0; k < vectorlen; k++) vector.push(item(members[desc ? len - start - 1 - k : start + k]));
      end -= start;
      start = 0;
    }
  } else if (value !== undefined) {
    if (type === ValueType.List) for (const e of (value as ListValue).values()) vector.push(item(e));
    else if (type === ValueType.Set) (value as SetValue).forEach((m) => vector.push(item(m)));
    else for (const m of (value as ZSetValue).members()) vector.push(item(m));
  }

  let scoreError = false;
  if (!dontsort) {
    for (const it of vector) {
      let byval: string | null;
      if (sortby !== null) {
        byval = lookupByPattern(db, sortby, it.obj);
        if (byval === null) continue;
      } else byval = it.obj;
      if (alpha) {
        if (sortby !== null) it.cmp = byval;
      } else {
        const w = sortWeight(byval);
        if (w === null) scoreError = true;
        else it.score = w;
      }
    }
    const byPattern = sortby !== null;
    const strcmp = storekey !== null ? binaryCompare : collate;
    const cmp = (a: Item, b: Item): number => {
      let r: number;
      if (!alpha) {
        r = a.score > b.score ? 1 : a.score < b.score ? -1 : binaryCompare(a.obj, b.obj);
      } else if (byPattern) {
        if (a.cmp === null || b.cmp === null) r = a.cmp === b.cmp ? 0 : a.cmp === null ? -1 : 1;
        else r = strcmp(a.cmp, b.cmp);
      } else {
        r = strcmp(a.obj, b.obj);
      }
      return desc ? -r : r;
    };
    if (byPattern && (start !== 0 || end !== vectorlen - 1)) partialSort(vector, 0, vector.length, cmp, start, end);
    else vector.sort(cmp);
  }

  const span = end - start + 1;
  const outputlen = gets.length > 0 ? gets.length * span : span;
  if (scoreError) {
    c.error(SCORE_ERROR);
    return;
  }
  if (storekey === null) {
    const w = c.w;
    w.array(outputlen);
    for (let j = start; j <= end; j++) {
      const obj = vector[j].obj;
      if (gets.length === 0) w.bulk(obj);
      for (const g of gets) {
        const v = lookupByPattern(db, g, obj);
        if (v === null) w.nil();
        else w.bulk(v);
      }
    }
    return;
  }
  const out: string[] = [];
  for (let j = start; j <= end; j++) {
    const obj = vector[j].obj;
    if (gets.length === 0) out.push(obj);
    else for (const g of gets) out.push(lookupByPattern(db, g, obj) ?? '');
  }
  if (outputlen > 0) {
    db.has(storekey); // an expired destination is deleted first, as Redis's setKey does
    db.set(storekey, ListValue.from(out));
    db.notify(NOTIFY.LIST, 'sortstore', storekey);
    c.server.dirty += outputlen;
  } else if (db.deleteUnchecked(storekey)) {
    db.notify(NOTIFY.GENERIC, 'del', storekey);
    c.server.dirty++;
  }
  c.w.int(outputlen);
}

/**
 * SORT's keys (Redis's sortGetKeys): the source, plus the last STORE destination. Option words
 * are skipped with their arguments so a GET/BY pattern spelled "store" is not taken for one.
 */
function sortKeys(argv: string[]): number[] {
  const skips: [string, number][] = [
    ['LIMIT', 2],
    ['GET', 1],
    ['BY', 1],
  ];
  let store = -1;
  for (let i = 2; i < argv.length; i++) {
    for (const [word, skip] of skips) {
      if (is(argv[i], word)) {
        i += skip;
        break;
      } else if (is(argv[i], 'STORE') && i + 1 < argv.length) {
        store = i + 1;
        break;
      }
    }
  }
  return store < 0 ? [1] : [1, store];
}

function sortArgs(withStore: boolean): CommandArg[] {
  const args: CommandArg[] = [
    { name: 'key', type: 'key', keySpecIndex: 0 },
    { name: 'pattern', type: 'pattern', keySpecIndex: 1, token: 'BY', optional: true },
    {
      name: 'offset_count',
      type: 'block',
      token: 'LIMIT',
      optional: true,
      arguments: [
        { name: 'offset', type: 'integer' },
        { name: 'count', type: 'integer' },
      ],
    },
    { name: 'pattern', type: 'pattern', keySpecIndex: 1, token: 'GET', optional: true, multiple: true, multipleToken: true },
    {
      name: 'order',
      type: 'oneof',
      optional: true,
      arguments: [
        { name: 'asc', type: 'pure-token', token: 'ASC' },
        { name: 'desc', type: 'pure-token', token: 'DESC' },
      ],
    },
    { name: 'sorting', type: 'pure-token', token: 'ALPHA', optional: true },
  ];
  if (withStore) args.push({ name: 'destination', type: 'key', keySpecIndex: 2, token: 'STORE', optional: true });
  return args;
}

export function sortCommands(): CommandSpec[] {
  const complexity =
    'O(N+M*log(M)) where N is the number of elements in the list or set to sort, and M the number of returned elements. When the elements are not sorted, complexity is O(N).';
  // Redis gives SORT the categories of the types it reads, not @keyspace.
  const acl = ['-keyspace', 'set', 'sortedset', 'list', 'dangerous'];
  return [
    {
      name: 'sort',
      arity: -2,
      flags: ['write', 'denyoom'],
      keys: [1, 1, 1],
      getKeys: sortKeys,
      group: 'generic',
      since: '1.0.0',
      summary: 'Sort the elements in a list, set or sorted set',
      complexity,
      acl,
      args: sortArgs(true),
      handler: (c, argv) => sortGeneric(c, argv, false),
    },
    {
      name: 'sort_ro',
      arity: -2,
      flags: ['readonly'],
      keys: [1, 1, 1],
      getKeys: () => [1],
      group: 'generic',
      since: '7.0.0',
      summary: 'Sort the elements in a list, set or sorted set. Read-only variant of SORT.',
      complexity,
      acl,
      args: sortArgs(false),
      handler: (c, argv) => sortGeneric(c, argv, true),
    },
  ];
}
