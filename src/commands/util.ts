/**
 * Argument parsing and the error replies shared by command families. Texts are Redis 7.0's.
 */
import type { Client } from '../net/client.js';
import type { RedisValue } from '../store/values.js';
import { ValueType } from '../store/values.js';

export const E = {
  WRONGTYPE: 'WRONGTYPE Operation against a key holding the wrong kind of value',
  SYNTAX: 'ERR syntax error',
  NOT_INTEGER: 'ERR value is not an integer or out of range',
  NOT_FLOAT: 'ERR value is not a valid float',
  OVERFLOW: 'ERR increment or decrement would overflow',
  NO_SUCH_KEY: 'ERR no such key',
  OUT_OF_RANGE: 'ERR index out of range',
  DB_INDEX: 'ERR DB index is out of range',
  SAME_OBJECT: 'ERR source and destination objects are the same',
  BIT_OFFSET: 'ERR bit offset is not an integer or out of range',
  BIT_VALUE: 'ERR bit is not an integer or out of range',
  STRING_TOO_LONG: 'ERR string exceeds maximum allowed size (proto-max-bulk-len)',
  TIMEOUT: 'ERR timeout is not a float or out of range',
} as const;

const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;

/** string2ll: a canonical signed 64-bit integer, as a bigint, or null. */
export function parseBigInt64(s: string): bigint | null {
  const n = s.length;
  if (n === 0 || n > 20) return null;
  let i = 0;
  if (s.charCodeAt(0) === 45) {
    if (n === 1) return null;
    i = 1;
  }
  if (s.charCodeAt(i) === 48) return n === 1 ? 0n : null;
  for (; i < n; i++) {
    const c = s.charCodeAt(i);
    if (c < 48 || c > 57) return null;
  }
  const b = BigInt(s);
  return b < INT64_MIN || b > INT64_MAX ? null : b;
}

/**
 * string2ll as a JS number: null when not a canonical 64-bit integer. Values beyond 2^53 lose
 * precision, which is fine for indexes, counts and times (exact arithmetic uses parseBigInt64).
 */
export function parseInt64(s: string): number | null {
  const n = s.length;
  if (n === 0) return null;
  if (n < 16) {
    let i = 0;
    let neg = false;
    if (s.charCodeAt(0) === 45) {
      if (n === 1) return null;
      neg = true;
      i = 1;
    }
    if (s.charCodeAt(i) === 48) return n === 1 ? 0 : null;
    let v = 0;
    for (; i < n; i++) {
      const d = s.charCodeAt(i) - 48;
      if (d < 0 || d > 9) return null;
      v = v * 10 + d;
    }
    return neg ? -v : v;
  }
  const b = parseBigInt64(s);
  return b === null ? null : Number(b);
}

/** Parses an integer argument or replies "not an integer" and returns null. */
export function intArg(c: Client, s: string, err: string = E.NOT_INTEGER): number | null {
  const v = parseInt64(s);
  if (v === null) c.error(err);
  return v;
}

/** Non-negative integer (e.g. COUNT) or error with the given message. */
export function positiveArg(c: Client, s: string, err: string): number | null {
  const v = parseInt64(s);
  if (v === null || v < 0) {
    c.error(v === null ? E.NOT_INTEGER : err);
    return null;
  }
  return v;
}

/**
 * strtold-like parsing used by Redis for floats (INCRBYFLOAT, scores, timeouts): accepts
 * decimal and exponent forms, "inf"/"+inf"/"-inf"; rejects empty, spaces, NaN and trailing junk.
 */
export function parseFloatArg(s: string): number | null {
  if (s.length === 0 || s.length > 5000) return null;
  const c0 = s.charCodeAt(0);
  if (c0 === 32 || c0 === 9 || c0 === 10 || c0 === 13 || c0 === 11 || c0 === 12) return null;
  const l = s.toLowerCase();
  if (l === 'inf' || l === '+inf' || l === 'infinity' || l === '+infinity') return Infinity;
  if (l === '-inf' || l === '-infinity') return -Infinity;
  if (!/^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i.test(s)) {
    if (/^[+-]?0x[0-9a-f]+(\.[0-9a-f]*)?(p[+-]?\d+)?$/i.test(s)) {
      const neg = s[0] === '-';
      const v = parseInt(s.replace(/^[+-]?0x/i, ''), 16);
      return neg ? -v : v;
    }
    return null;
  }
  const v = Number(s);
  return Number.isNaN(v) ? null : v;
}

/** The value of `key` if it has type `t`; replies WRONGTYPE and returns null on mismatch. */
export function checkType<T extends RedisValue>(c: Client, v: RedisValue | undefined, t: ValueType): T | undefined | null {
  if (v === undefined) return undefined;
  if (v.type !== t) {
    c.error(E.WRONGTYPE);
    return null;
  }
  return v as T;
}

/**
 * HDEL / SREM: removes argv[2..] from a container at `key`, deletes the key when it empties,
 * signals the change and counts it as dirty. Returns how many were removed.
 */
export function removeMembers(c: Client, key: string, argv: string[], remove: (m: string) => boolean, isEmpty: () => boolean): number {
  let deleted = 0;
  let removed = false;
  for (let i = 2; i < argv.length; i++) {
    if (remove(argv[i])) {
      deleted++;
      if (isEmpty()) {
        c.db.delete(key);
        removed = true;
        break;
      }
    }
  }
  if (deleted > 0) {
    if (!removed) c.db.touched(key);
    c.server.dirty += deleted;
  }
  return deleted;
}

/** The result of rankRange (one shared object: rank ranges are on hot paths, no allocation). */
export const ranks = { start: 0, end: 0 };

/**
 * An inclusive index range of LRANGE/LTRIM/ZRANGE style (negative = from the tail) over `len`
 * elements: false when it selects nothing, else true with the clamped bounds in `ranks`.
 */
export function rankRange(start: number, end: number, len: number): boolean {
  if (start < 0) start += len;
  if (end < 0) end += len;
  if (start < 0) start = 0;
  if (start > end || start >= len) return false;
  ranks.start = start;
  ranks.end = end >= len ? len - 1 : end;
  return true;
}

/** Case-insensitive keyword comparison for options ("ex" vs "EX"). */
export function is(arg: string, upper: string): boolean {
  return arg.length === upper.length && arg.toUpperCase() === upper;
}

/** An integer in [min, max], or the error `ERR <msg>` (Redis's getRangeLongFromObjectOrReply). */
export function rangeArg(c: Client, s: string, min: number, max: number, msg: string): number | null {
  const v = parseInt64(s);
  if (v === null || v < min || v > max) {
    c.error('ERR ' + msg);
    return null;
  }
  return v;
}

/** An integer or "not an integer or out of range" (Redis's getLongFromObjectOrReply). */
export function longArg(c: Client, s: string): number | null {
  const v = parseInt64(s);
  if (v === null) c.error(E.NOT_INTEGER);
  return v;
}

export interface MpopArgs {
  keys: string[];
  /** True for the first of the two `where` words (LEFT, MIN). */
  first: boolean;
  count: number;
}

/**
 * Parses the shared tail of LMPOP/BLMPOP/ZMPOP/BZMPOP: `numkeys key... <first|second> [COUNT n]`
 * starting at argv[numkeysIdx], with Redis's errors.
 */
export function parseMpop(c: Client, argv: string[], numkeysIdx: number, first: string, second: string): MpopArgs | null {
  const numkeys = rangeArg(c, argv[numkeysIdx], 1, Infinity, 'numkeys should be greater than 0');
  if (numkeys === null) return null;
  const whereIdx = numkeysIdx + numkeys + 1;
  if (whereIdx >= argv.length) {
    c.error(E.SYNTAX);
    return null;
  }
  const where = argv[whereIdx].toUpperCase();
  if (where !== first && where !== second) {
    c.error(E.SYNTAX);
    return null;
  }
  let count = -1;
  for (let j = whereIdx + 1; j < argv.length; j++) {
    const more = argv.length - 1 - j;
    if (count === -1 && more && argv[j].toUpperCase() === 'COUNT') {
      const n = rangeArg(c, argv[++j], 1, Infinity, 'count should be greater than 0');
      if (n === null) return null;
      count = n;
    } else {
      c.error(E.SYNTAX);
      return null;
    }
  }
  return { keys: argv.slice(numkeysIdx + 1, whereIdx), first: where === first, count: count === -1 ? 1 : count };
}
