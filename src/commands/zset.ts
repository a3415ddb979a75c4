/**
 * Sorted set commands of Redis 7.0: ZADD/ZINCRBY with every option, removal by member, rank,
 * score and lex ranges, the ZRANGE family (BYSCORE BYLEX REV LIMIT WITHSCORES, ZRANGESTORE and
 * the legacy forms), counts, scores and ranks, pops (ZPOPMIN/MAX, ZMPOP, blocking BZPOPMIN/MAX
 * and BZMPOP), ZRANDMEMBER, the set operations ZUNION/ZINTER/ZDIFF (+STORE, WEIGHTS,
 * AGGREGATE, ZINTERCARD) which also take plain sets as inputs, and ZSCAN.
 *
 * Scores are parsed with Redis's strtod rules (src/store/zset.ts) and replied as doubles
 * (%.17g bulk strings in RESP2, RESP3 doubles). Replies, errors and check order are Redis's.
 */
import type { Client } from '../net/client.js';
import type { Database } from '../store/database.js';
import { ValueType, type RedisValue } from '../store/values.js';
import {
  ZSetValue,
  type ZLimits,
  type ZCursor,
  type ScoreRange,
  type LexRange,
  parseScore,
  parseScoreRange,
  parseLexRange,
  formatListpackScore,
  formatScanScore,
  ZADD_NX,
  ZADD_XX,
  ZADD_GT,
  ZADD_LT,
  ZADD_INCR,
  ZADD_ADDED,
  ZADD_UPDATED,
  ZADD_NOP,
  ZADD_NAN,
} from '../store/zset.js';
import { scoreGteMin, scoreLteMax, lexGteMin, lexLteMax } from '../store/skiplist.js';
import { ScanCursors, parseScanCursor } from '../store/scan.js';
import { globMatch } from '../store/glob.js';
import { parseTimeout } from '../net/blocking.js';
import type { Server } from '../server.js';
import type { CommandSpec } from './registry.js';
import { E, parseBigInt64, checkType, rangeArg, longArg, parseMpop, rankRange, ranks } from './util.js';
import { numkeysKeys } from './list.js';
import { NOTIFY } from '../config/config.js';

const NAN_ERR = 'ERR resulting score is not a number (NaN)';
const RANGE_ERR = 'ERR min or max is not a float';
const LEX_ERR = 'ERR min or max not valid string range item';

// ---------------------------------------------------------------- helpers

const LIMITS: ZLimits = { maxEntries: 128, maxValue: 64 };

/** The encoding thresholds as configured right now (one shared object, refreshed per call). */
function limits(c: Client): ZLimits {
  LIMITS.maxEntries = c.server.config.num('zset-max-listpack-entries');
  LIMITS.maxValue = c.server.config.num('zset-max-listpack-value');
  return LIMITS;
}

function zsetForWrite(c: Client, key: string): ZSetValue | undefined | null {
  return checkType<ZSetValue>(c, c.db.lookupWrite(key), ValueType.ZSet);
}

function zsetForRead(c: Client, key: string): ZSetValue | undefined | null {
  return checkType<ZSetValue>(c, c.db.lookupRead(key), ValueType.ZSet);
}

/** Deletes the key of a set that became empty, otherwise signals the modification. */
function afterRemove(db: Database, key: string, z: ZSetValue): void {
  if (z.size === 0) db.delete(key);
  else db.touched(key);
}

/** Redis's setKey for STORE destinations: the new value replaces anything (and its TTL). */
function storeKey(db: Database, key: string, value: RedisValue): void {
  db.expireIfNeeded(key);
  db.set(key, value);
}

/** Replies member/score pairs: flat in RESP2, [member, score] arrays in RESP3 (WITHSCORES). */
function replyPairs(c: Client, eles: string[], scores: number[] | null): void {
  const w = c.w;
  const n = eles.length;
  if (scores === null) {
    w.array(n);
    for (let i = 0; i < n; i++) w.bulk(eles[i]);
    return;
  }
  const nested = c.resp === 3;
  w.array(nested ? n : n * 2);
  for (let i = 0; i < n; i++) {
    if (nested) w.array(2);
    w.bulk(eles[i]);
    w.double(scores[i]);
  }
}

// ---------------------------------------------------------------- ZADD / ZINCRBY

export function zaddGeneric(c: Client, argv: string[], incrCommand: boolean): void {
  const key = argv[1];
  let flags = incrCommand ? ZADD_INCR : 0;
  let ch = false;
  let idx = 2;
  const argc = argv.length;
  for (; idx < argc; idx++) {
    const o = argv[idx];
    if (o.length > 4 || o.length < 2) break;
    const l = o.toLowerCase();
    if (l === 'nx') flags |= ZADD_NX;
    else if (l === 'xx') flags |= ZADD_XX;
    else if (l === 'ch') ch = true;
    else if (l === 'incr') flags |= ZADD_INCR;
    else if (l === 'gt') flags |= ZADD_GT;
    else if (l === 'lt') flags |= ZADD_LT;
    else break;
  }
  const rest = argc - idx;
  if (rest % 2 !== 0 || rest === 0) {
    c.error(E.SYNTAX);
    return;
  }
  const elements = rest / 2;
  const nx = (flags & ZADD_NX) !== 0;
  const xx = (flags & ZADD_XX) !== 0;
  const gt = (flags & ZADD_GT) !== 0;
  const lt = (flags & ZADD_LT) !== 0;
  const incr = (flags & ZADD_INCR) !== 0;
  if (nx && xx) {
    c.error('ERR XX and NX options at the same time are not compatible');
    return;
  }
  if ((gt && nx) || (lt && nx) || (gt && lt)) {
    c.error('ERR GT, LT, and/or NX options at the same time are not compatible');
    return;
  }
  if (incr && elements > 1) {
    c.error('ERR INCR option supports a single increment-element pair');
    return;
  }
  // Every score is validated before anything changes.
  const scores: number[] = [];
  for (let j = 0; j < elements; j++) {
    const s = parseScore(argv[idx + j * 2]);
    if (s === null) {
      c.error(E.NOT_FLOAT);
      return;
    }
    scores.push(s);
  }
  const db = c.db;
  let z = zsetForWrite(c, key);
  if (z === null) return;
  let added = 0;
  let updated = 0;
  let processed = 0;
  let score = 0;
  const existed = z !== undefined;
  if (z === undefined) {
    if (xx) {
      if (incr) c.w.nil();
      else c.w.raw(':0\r\n');
      return;
    }
    z = new ZSetValue();
    db.add(key, z);
  }
  const lim = limits(c);
  for (let j = 0; j < elements; j++) {
    const out = z.add(scores[j], argv[idx + 1 + j * 2], flags, lim);
    if (out & ZADD_NAN) {
      c.error(NAN_ERR);
      if (z.size === 0) db.delete(key);
      else if (added + updated > 0) db.touched(key);
      return;
    }
    if (out & ZADD_ADDED) added++;
    if (out & ZADD_UPDATED) updated++;
    if (!(out & ZADD_NOP)) processed++;
    score = z.lastScore;
  }
  c.server.dirty += added + updated;
  if (incr) {
    if (processed) c.w.double(score);
    else c.w.nil();
  } else {
    c.w.int(ch ? added + updated : added);
  }
  if (existed && added + updated > 0) db.touched(key);
  if (added + updated > 0) db.notify(NOTIFY.ZSET, incr ? 'zincr' : 'zadd', key);
}

// ---------------------------------------------------------------- removal

function zrem(c: Client, argv: string[]): void {
  const key = argv[1];
  const z = zsetForWrite(c, key);
  if (z === null) return;
  if (z === undefined) {
    c.w.raw(':0\r\n');
    return;
  }
  let deleted = 0;
  let removedKey = false;
  for (let j = 2; j < argv.length; j++) {
    if (z.delete(argv[j])) deleted++;
    if (z.size === 0) {
      c.db.delete(key);
      removedKey = true;
      break;
    }
  }
  if (deleted > 0) {
    if (!removedKey) c.db.touched(key);
    c.db.notify(NOTIFY.ZSET, 'zrem', key);
    if (removedKey) c.db.notify(NOTIFY.GENERIC, 'del', key);
    c.server.dirty += deleted;
  }
  c.w.int(deleted);
}

const enum RangeType {
  Auto = 0,
  Rank = 1,
  Score = 2,
  Lex = 3,
}

function zremrangeGeneric(c: Client, argv: string[], type: RangeType): void {
  const key = argv[1];
  let start = 0;
  let end = 0;
  let range: ScoreRange | null = null;
  let lex: LexRange | null = null;
  if (type === RangeType.Rank) {
    const s = longArg(c, argv[2]);
    if (s === null) return;
    const e = longArg(c, argv[3]);
    if (e === null) return;
    start = s;
    end = e;
  } else if (type === RangeType.Score) {
    range = parseScoreRange(argv[2], argv[3]);
    if (range === null) {
      c.error(RANGE_ERR);
      return;
    }
  } else {
    lex = parseLexRange(argv[2], argv[3]);
    if (lex === null) {
      c.error(LEX_ERR);
      return;
    }
  }
  const z = zsetForWrite(c, key);
  if (z === null) return;
  if (z === undefined) {
    c.w.raw(':0\r\n');
    return;
  }
  let deleted: number;
  if (type === RangeType.Rank) {
    if (!rankRange(start, end, z.size)) {
      c.w.raw(':0\r\n');
      return;
    }
    deleted = z.deleteRangeByRank(ranks.start, ranks.end);
  } else if (range !== null) {
    deleted = z.deleteRangeByScore(range);
  } else {
    deleted = z.deleteRangeByLex(lex!);
  }
  const emptied = z.size === 0;
  if (emptied) c.db.delete(key);
  else if (deleted > 0) c.db.touched(key);
  if (deleted > 0) {
    c.db.notify(NOTIFY.ZSET, type === RangeType.Rank ? 'zremrangebyrank' : range !== null ? 'zremrangebyscore' : 'zremrangebylex', key);
    if (emptied) c.db.notify(NOTIFY.GENERIC, 'del', key);
  }
  c.server.dirty += deleted;
  c.w.int(deleted);
}

// ---------------------------------------------------------------- ZRANGE family

/**
 * Redis's zrangeGenericCommand. `argStart` is the index of the source key; `dst` is set for
 * ZRANGESTORE. `type`/`reverse` are fixed by the legacy commands, Auto/null for ZRANGE.
 */
function zrangeGeneric(c: Client, argv: string[], argStart: number, dst: string | null, type: RangeType, reverse: boolean | null): void {
  const store = dst !== null;
  const key = argv[argStart];
  let minIdx = argStart + 1;
  let maxIdx = argStart + 2;
  let withScores = false;
  let offset = 0;
  let limit = -1;
  for (let j = argStart + 3; j < argv.length; j++) {
    const left = argv.length - j - 1;
    const o = argv[j].toLowerCase();
    if (!store && o === 'withscores') {
      withScores = true;
    } else if (o === 'limit' && left >= 2) {
      const off = longArg(c, argv[j + 1]);
      if (off === null) return;
      const lim = longArg(c, argv[j + 2]);
      if (lim === null) return;
      offset = off;
      limit = lim;
      j += 2;
    } else if (reverse === null && o === 'rev') {
      reverse = true;
    } else if (type === RangeType.Auto && o === 'bylex') {
      type = RangeType.Lex;
    } else if (type === RangeType.Auto && o === 'byscore') {
      type = RangeType.Score;
    } else {
      c.error(E.SYNTAX);
      return;
    }
  }
  if (reverse === null) reverse = false;
  if (type === RangeType.Auto) type = RangeType.Rank;
  if (limit !== -1 && type === RangeType.Rank) {
    c.error('ERR syntax error, LIMIT is only supported in combination with either BYSCORE or BYLEX');
    return;
  }
  if (withScores && type === RangeType.Lex) {
    c.error('ERR syntax error, WITHSCORES not supported in combination with BYLEX');
    return;
  }
  if (reverse && type !== RangeType.Rank) {
    const t = maxIdx;
    maxIdx = minIdx;
    minIdx = t;
  }
  let start = 0;
  let end = 0;
  let range: ScoreRange | null = null;
  let lex: LexRange | null = null;
  if (type === RangeType.Rank) {
    const s = longArg(c, argv[minIdx]);
    if (s === null) return;
    const e = longArg(c, argv[maxIdx]);
    if (e === null) return;
    start = s;
    end = e;
  } else if (type === RangeType.Score) {
    range = parseScoreRange(argv[minIdx], argv[maxIdx]);
    if (range === null) {
      c.error(RANGE_ERR);
      return;
    }
  } else {
    lex = parseLexRange(argv[minIdx], argv[maxIdx]);
    if (lex === null) {
      c.error(LEX_ERR);
      return;
    }
  }
  const z = zsetForRead(c, key);
  if (z === null) return;
  if (z === undefined) {
    if (store) finishStore(c, dst, [], [], 'zrangestore');
    else c.w.raw('*0\r\n');
    return;
  }
  const wantScores = withScores || store;
  if (type === RangeType.Rank && !store) {
    replyRankRange(c, z, start, end, reverse, withScores);
    return;
  }
  // Collect, then reply or store.
  const eles: string[] = [];
  const scores: number[] = [];
  let cur: ZCursor;
  if (type === RangeType.Rank) {
    if (rankRange(start, end, z.size)) {
      cur = z.cursorAtRank(ranks.start, reverse);
      for (let n = ranks.end - ranks.start + 1; n > 0 && cur.valid; n--, cur.next()) {
        eles.push(cur.ele);
        scores.push(cur.score);
      }
    }
  } else if (!(offset > 0 && offset >= z.size) && offset >= 0) {
    // A negative offset skips everything (Redis counts it down past the end of the set).
    if (range !== null) {
      cur = z.cursorInRange(range, reverse);
      for (let k = 0; k < offset && cur.valid; k++) cur.next();
      for (let n = limit; n !== 0 && cur.valid; n--, cur.next()) {
        if (reverse ? !scoreGteMin(cur.score, range) : !scoreLteMax(cur.score, range)) break;
        eles.push(cur.ele);
        scores.push(cur.score);
      }
    } else {
      const r = lex!;
      cur = z.cursorInLex(r, reverse);
      for (let k = 0; k < offset && cur.valid; k++) cur.next();
      for (let n = limit; n !== 0 && cur.valid; n--, cur.next()) {
        if (reverse ? !lexGteMin(cur.ele, r) : !lexLteMax(cur.ele, r)) break;
        eles.push(cur.ele);
        scores.push(cur.score);
      }
    }
  }
  if (store) {
    if (reverse) {
      eles.reverse();
      scores.reverse();
    }
    finishStore(c, dst, eles, scores, 'zrangestore');
    return;
  }
  replyPairs(c, eles, wantScores ? scores : null);
}

/** ZRANGE by rank straight to the reply (the common, hot form). */
function replyRankRange(c: Client, z: ZSetValue, start: number, end: number, reverse: boolean, withScores: boolean): void {
  const len = z.size;
  if (!rankRange(start, end, len)) {
    c.w.raw('*0\r\n');
    return;
  }
  start = ranks.start;
  end = ranks.end;
  const n = end - start + 1;
  const w = c.w;
  const nested = withScores && c.resp === 3;
  w.array(withScores && !nested ? n * 2 : n);
  const eles = z.lpEle;
  if (eles !== null) {
    const scores = z.lpScore!;
    for (let k = 0; k < n; k++) {
      const i = reverse ? len - 1 - start - k : start + k;
      if (nested) w.array(2);
      w.bulk(eles[i]);
      if (withScores) w.double(scores[i]);
    }
    return;
  }
  const cur = z.cursorAtRank(start, reverse);
  for (let k = 0; k < n && cur.valid; k++, cur.next()) {
    if (nested) w.array(2);
    w.bulk(cur.ele);
    if (withScores) w.double(cur.score);
  }
}

/** STORE destinations: a non-empty result replaces dst, an empty one deletes it. */
function finishStore(c: Client, dst: string, eles: string[], scores: number[], event: string): void {
  const db = c.db;
  if (eles.length > 0) {
    storeKey(db, dst, ZSetValue.fromSorted(eles, scores, limits(c)));
    c.w.int(eles.length);
    db.notify(NOTIFY.ZSET, event, dst);
    c.server.dirty++;
  } else {
    c.w.raw(':0\r\n');
    if (db.deleteUnchecked(dst)) {
      db.notify(NOTIFY.GENERIC, 'del', dst);
      c.server.dirty++;
    }
  }
}

function zcount(c: Client, argv: string[]): void {
  const range = parseScoreRange(argv[2], argv[3]);
  if (range === null) {
    c.error(RANGE_ERR);
    return;
  }
  const z = zsetForRead(c, argv[1]);
  if (z === null) return;
  c.w.int(z === undefined ? 0 : z.countInRange(range));
}

function zlexcount(c: Client, argv: string[]): void {
  const range = parseLexRange(argv[2], argv[3]);
  if (range === null) {
    c.error(LEX_ERR);
    return;
  }
  const z = zsetForRead(c, argv[1]);
  if (z === null) return;
  c.w.int(z === undefined ? 0 : z.countInLex(range));
}

function zcard(c: Client, argv: string[]): void {
  const z = zsetForRead(c, argv[1]);
  if (z === null) return;
  c.w.int(z === undefined ? 0 : z.size);
}

function zscore(c: Client, argv: string[]): void {
  const z = zsetForRead(c, argv[1]);
  if (z === null) return;
  const s = z === undefined ? undefined : z.score(argv[2]);
  if (s === undefined) c.w.nil();
  else c.w.double(s);
}

function zmscore(c: Client, argv: string[]): void {
  const z = zsetForRead(c, argv[1]);
  if (z === null) return;
  c.w.array(argv.length - 2);
  for (let j = 2; j < argv.length; j++) {
    const s = z === undefined ? undefined : z.score(argv[j]);
    if (s === undefined) c.w.nil();
    else c.w.double(s);
  }
}

function zrankGeneric(c: Client, argv: string[], reverse: boolean): void {
  const z = zsetForRead(c, argv[1]);
  if (z === null) return;
  const r = z === undefined ? -1 : z.rank(argv[2], reverse);
  if (r < 0) c.w.nil();
  else c.w.int(r);
}

// ---------------------------------------------------------------- pops

/**
 * Pops up to `count` (-1: one, replied as a pair) members from the min or max end of z and
 * replies in the shape the caller wants (Redis's genericZpopCommand). Returns how many.
 */
function zpopReply(c: Client, db: Database, key: string, z: ZSetValue, max: boolean, emitKey: boolean, count: number, nested: boolean, signal = true): number {
  const n = Math.min(count === -1 ? 1 : count, z.size);
  const w = c.w;
  if (!emitKey) {
    w.array(nested ? n : n * 2);
  } else if (!nested) {
    w.array(n * 2 + 1);
    w.bulk(key);
  } else {
    w.array(2);
    w.bulk(key);
    w.array(n);
  }
  if (n > 0) db.notify(NOTIFY.ZSET, max ? 'zpopmax' : 'zpopmin', key);
  for (let i = 0; i < n; i++) {
    z.pop(max);
    if (nested) w.array(2);
    w.bulk(z.lastEle);
    w.double(z.lastScore);
  }
  c.server.dirty += n;
  // A blocked client served later does not signal the key again (its writer already did).
  if (signal || z.size === 0) afterRemove(db, key, z);
  if (z.size === 0) db.notify(NOTIFY.GENERIC, 'del', key);
  return n;
}

function zpopMinMax(c: Client, argv: string[], max: boolean): void {
  if (argv.length > 3) {
    c.error(E.SYNTAX);
    return;
  }
  let count = -1;
  if (argv.length === 3) {
    const n = rangeArg(c, argv[2], 0, Infinity, 'value is out of range, must be positive');
    if (n === null) return;
    count = n;
  }
  const key = argv[1];
  const z = zsetForWrite(c, key);
  if (z === null) return;
  if (z === undefined || count === 0) {
    c.w.raw('*0\r\n');
    return;
  }
  zpopReply(c, c.db, key, z, max, false, count, c.resp === 3 && count !== -1);
}

function zmpop(c: Client, argv: string[]): void {
  const a = parseMpop(c, argv, 1, 'MIN', 'MAX');
  if (a === null) return;
  for (const key of a.keys) {
    const z = zsetForWrite(c, key);
    if (z === null) return;
    if (z === undefined) continue;
    const n = zpopReply(c, c.db, key, z, !a.first, true, a.count, true);
    c.propagateArgv = [!a.first ? 'ZPOPMAX' : 'ZPOPMIN', key, String(n)];
    return;
  }
  c.w.nilArray();
}

/** BZPOPMIN/BZPOPMAX (count -1, flat reply) and BZMPOP (count ≥ 1, nested reply). */
function blockingZpop(c: Client, keys: string[], max: boolean, timeoutArg: string, count: number): void {
  const deadline = parseTimeout(c, timeoutArg);
  if (deadline === null) return;
  const nested = count !== -1;
  const op = max ? 'ZPOPMAX' : 'ZPOPMIN';
  const db = c.db;
  for (const key of keys) {
    const z = zsetForWrite(c, key);
    if (z === null) return;
    if (z === undefined || z.size === 0) continue;
    const n = zpopReply(c, db, key, z, max, true, count, nested);
    c.propagateArgv = count === -1 ? [op, key] : [op, key, String(n)];
    return;
  }
  if (c.server.inExec) {
    c.w.nilArray();
    return;
  }
  const tryServe = (readyKey?: string): boolean => {
    for (const key of readyKey !== undefined ? [readyKey] : keys) {
      const v = db.lookupWrite(key);
      if (v === undefined || v.type !== ValueType.ZSet || (v as ZSetValue).size === 0) continue;
      const z = v as ZSetValue;
      const len = z.size;
      c.server.exec.alsoPropagate(db.id, count === -1 ? [op, key] : [op, key, String(Math.min(count, len))]);
      zpopReply(c, db, key, z, max, true, count, nested, false);
      return true;
    }
    return false;
  };
  c.server.blocking.block({ client: c, db, keys, deadline, tryServe, onTimeout: () => c.w.nilArray() });
}

function bzmpop(c: Client, argv: string[]): void {
  const a = parseMpop(c, argv, 2, 'MIN', 'MAX');
  if (a === null) return;
  blockingZpop(c, a.keys, !a.first, argv[1], a.count);
}

// ---------------------------------------------------------------- ZRANDMEMBER

const LONG_MAX_HALF = 4611686018427387903n;

function zrandmember(c: Client, argv: string[]): void {
  if (argv.length >= 3) {
    const big = parseBigInt64(argv[2]);
    if (big === null) {
      c.error(E.NOT_INTEGER);
      return;
    }
    if (big < -9223372036854775807n) {
      c.error('ERR value is out of range, value must between -9223372036854775807 and 9223372036854775807');
      return;
    }
    let withScores = false;
    if (argv.length > 4 || (argv.length === 4 && argv[3].toLowerCase() !== 'withscores')) {
      c.error(E.SYNTAX);
      return;
    }
    if (argv.length === 4) {
      withScores = true;
      if (big < -LONG_MAX_HALF || big > LONG_MAX_HALF) {
        c.error('ERR value is out of range');
        return;
      }
    }
    zrandmemberWithCount(c, argv[1], Number(big), withScores);
    return;
  }
  const z = zsetForRead(c, argv[1]);
  if (z === null) return;
  if (z === undefined) {
    c.w.nil();
    return;
  }
  z.atRank(Math.floor(Math.random() * z.size));
  c.w.bulk(z.lastEle);
}

function zrandmemberWithCount(c: Client, key: string, l: number, withScores: boolean): void {
  const z = zsetForRead(c, key);
  if (z === null) return;
  if (z === undefined) {
    c.w.raw('*0\r\n');
    return;
  }
  const size = z.size;
  const uniq = l >= 0;
  let count = Math.abs(l);
  if (count === 0) {
    c.w.raw('*0\r\n');
    return;
  }
  const w = c.w;
  const nested = withScores && c.resp === 3;
  const emit = (): void => {
    if (nested) w.array(2);
    w.bulk(z.lastEle);
    if (withScores) w.double(z.lastScore);
  };
  if (!uniq || count === 1) {
    // With repetitions: independent picks.
    w.array(withScores && !nested ? count * 2 : count);
    while (count-- > 0) {
      z.atRank(Math.floor(Math.random() * size));
      emit();
      if (c.closeAsap) break;
    }
    return;
  }
  const n = Math.min(count, size);
  w.array(withScores && !nested ? n * 2 : n);
  if (count >= size) {
    // The whole set, read from the highest score down like Redis.
    z.forEachReverse((e, s) => {
      if (nested) w.array(2);
      w.bulk(e);
      if (withScores) w.double(s);
    });
    return;
  }
  // Distinct random ranks. Small sets answer in their order (like a listpack sample).
  const picked = new Set<number>();
  if (count * 3 > size) {
    const all: number[] = [];
    for (let i = 0; i < size; i++) all.push(i);
    for (let i = size - 1; i > 0; i--) {
      const j = Math.floor(Math.random() * (i + 1));
      const t = all[i];
      all[i] = all[j];
      all[j] = t;
    }
    for (let i = 0; i < count; i++) picked.add(all[i]);
  } else {
    while (picked.size < count) picked.add(Math.floor(Math.random() * size));
  }
  const ranks = [...picked];
  if (z.isListpack) ranks.sort((a, b) => a - b);
  for (const r of ranks) {
    z.atRank(r);
    emit();
  }
}

// ---------------------------------------------------------------- ZUNION / ZINTER / ZDIFF

/**
 * Plain sets as inputs of ZUNION/ZINTER/ZDIFF (every member scores 1). The set value class
 * belongs to another module (src/store/set.ts), so it is read through this duck-typed view.
 * A value with type === ValueType.Set must offer:
 *   - its cardinality: a `size` number property (or a `size()` / `card()` method),
 *   - `has(member: string): boolean`,
 *   - `members(): Iterable<string>` (or be iterable itself).
 */
interface SetView {
  size: number;
  has(member: string): boolean;
  forEach(fn: (member: string) => void): void;
}

function setView(v: RedisValue): SetView {
  const o = v as unknown as Record<string, unknown>;
  const sizeProp = o['size'];
  let size: number;
  if (typeof sizeProp === 'number') size = sizeProp;
  else if (typeof sizeProp === 'function') size = (sizeProp as () => number).call(v);
  else if (typeof o['card'] === 'function') size = (o['card'] as () => number).call(v);
  else throw new Error('set value without size');
  const has = o['has'] as (m: string) => boolean;
  if (typeof has !== 'function') throw new Error('set value without has()');
  const members = o['members'];
  const iterate = (): Iterable<string> =>
    typeof members === 'function' ? (members as () => Iterable<string>).call(v) : (v as unknown as Iterable<string>);
  return {
    size,
    has: (m) => has.call(v, m),
    forEach(fn) {
      for (const m of iterate()) fn(m);
    },
  };
}

interface OpSource {
  /** The stored value (identity matters: the same key twice is the same source). */
  obj: RedisValue | null;
  z: ZSetValue | null;
  set: SetView | null;
  size: number;
  weight: number;
}

const enum SetOp {
  Union = 0,
  Inter = 1,
  Diff = 2,
}

const enum Aggregate {
  Sum = 0,
  Min = 1,
  Max = 2,
}

function aggregate(target: number, val: number, agg: Aggregate): number {
  if (agg === Aggregate.Sum) {
    const t = target + val;
    return Number.isNaN(t) ? 0 : t; // inf + -inf counts as 0
  }
  if (agg === Aggregate.Min) return val < target ? val : target;
  return val > target ? val : target;
}

function srcEach(src: OpSource, fn: (ele: string, score: number) => void): void {
  if (src.z !== null) src.z.forEachReverse(fn);
  else if (src.set !== null) src.set.forEach((m) => fn(m, 1));
}

function srcFind(src: OpSource, ele: string): number | undefined {
  if (src.z !== null) return src.z.score(ele);
  if (src.set !== null) return src.set.has(ele) ? 1 : undefined;
  return undefined;
}

/** Sorts members by (score, member) into parallel arrays. */
function sortResult(eles: string[], scores: number[]): [string[], number[]] {
  const idx = eles.map((_, i) => i);
  idx.sort((a, b) => {
    const sa = scores[a];
    const sb = scores[b];
    if (sa < sb) return -1;
    if (sa > sb) return 1;
    const ea = eles[a];
    const eb = eles[b];
    return ea < eb ? -1 : ea > eb ? 1 : 0;
  });
  return [idx.map((i) => eles[i]), idx.map((i) => scores[i])];
}

function zsetOpGeneric(c: Client, argv: string[], dst: string | null, numkeysIdx: number, op: SetOp, cardOnly: boolean): void {
  const setnum = longArg(c, argv[numkeysIdx]);
  if (setnum === null) return;
  if (setnum < 1) {
    c.error(`ERR at least 1 input key is needed for '${argv[0].toLowerCase()}' command`);
    return;
  }
  if (setnum > argv.length - (numkeysIdx + 1)) {
    c.error(E.SYNTAX);
    return;
  }
  const src: OpSource[] = [];
  let j = numkeysIdx + 1;
  for (let i = 0; i < setnum; i++, j++) {
    const v = c.db.lookupRead(argv[j]);
    if (v === undefined) {
      src.push({ obj: null, z: null, set: null, size: 0, weight: 1 });
      continue;
    }
    if (v.type === ValueType.ZSet) {
      src.push({ obj: v, z: v as ZSetValue, set: null, size: (v as ZSetValue).size, weight: 1 });
    } else if (v.type === ValueType.Set) {
      const s = setView(v);
      src.push({ obj: v, z: null, set: s, size: s.size, weight: 1 });
    } else {
      c.error(E.WRONGTYPE);
      return;
    }
  }
  let agg = Aggregate.Sum;
  let withScores = false;
  let limit = 0;
  let remaining = argv.length - j;
  while (remaining > 0) {
    const o = argv[j].toLowerCase();
    if (op !== SetOp.Diff && !cardOnly && remaining >= setnum + 1 && o === 'weights') {
      j++;
      remaining--;
      for (let i = 0; i < setnum; i++, j++, remaining--) {
        const wv = parseScore(argv[j]);
        if (wv === null) {
          c.error('ERR weight value is not a float');
          return;
        }
        src[i].weight = wv;
      }
    } else if (op !== SetOp.Diff && !cardOnly && remaining >= 2 && o === 'aggregate') {
      const a = argv[j + 1].toLowerCase();
      if (a === 'sum') agg = Aggregate.Sum;
      else if (a === 'min') agg = Aggregate.Min;
      else if (a === 'max') agg = Aggregate.Max;
      else {
        c.error(E.SYNTAX);
        return;
      }
      j += 2;
      remaining -= 2;
    } else if (remaining >= 1 && dst === null && !cardOnly && o === 'withscores') {
      withScores = true;
      j++;
      remaining--;
    } else if (cardOnly && remaining >= 2 && o === 'limit') {
      const n = rangeArg(c, argv[j + 1], 0, Infinity, "LIMIT can't be negative");
      if (n === null) return;
      limit = n;
      j += 2;
      remaining -= 2;
    } else {
      c.error(E.SYNTAX);
      return;
    }
  }
  // Smallest inputs first (a stable sort, like glibc's qsort in practice).
  if (op !== SetOp.Diff) src.sort((a, b) => a.size - b.size);

  const eles: string[] = [];
  const scores: number[] = [];
  let cardinality = 0;
  if (op === SetOp.Inter) {
    if (src[0].size > 0) {
      const first = src[0];
      try {
        srcEach(first, (ele, s) => {
          let score = first.weight * s;
          if (Number.isNaN(score)) score = 0;
          let k = 1;
          for (; k < src.length; k++) {
            const other = src[k];
            let value: number;
            if (other.obj === first.obj) {
              value = s * other.weight;
            } else {
              const found = srcFind(other, ele);
              if (found === undefined) break;
              value = found * other.weight;
            }
            score = aggregate(score, value, agg);
          }
          if (k !== src.length) return;
          if (cardOnly) {
            cardinality++;
            if (limit && cardinality >= limit) throw STOP;
          } else {
            eles.push(ele);
            scores.push(score);
          }
        });
      } catch (e) {
        if (e !== STOP) throw e;
      }
    }
  } else if (op === SetOp.Union) {
    const acc = new Map<string, number>();
    for (const s of src) {
      if (s.size === 0) continue;
      srcEach(s, (ele, sc) => {
        let score = s.weight * sc;
        if (Number.isNaN(score)) score = 0;
        const cur = acc.get(ele);
        acc.set(ele, cur === undefined ? score : aggregate(cur, score, agg));
      });
    }
    for (const [e, s] of acc) {
      eles.push(e);
      scores.push(s);
    }
  } else {
    const first = src[0];
    let same = false;
    for (let k = 1; k < src.length; k++) if (src[k].obj !== null && src[k].obj === first.obj) same = true;
    if (first.size > 0 && !same) {
      srcEach(first, (ele, s) => {
        for (let k = 1; k < src.length; k++) if (srcFind(src[k], ele) !== undefined) return;
        eles.push(ele);
        scores.push(s);
      });
    }
  }

  if (cardOnly) {
    c.w.int(cardinality);
    return;
  }
  const [se, ss] = sortResult(eles, scores);
  if (dst !== null) {
    finishStore(c, dst, se, ss, op === SetOp.Union ? 'zunionstore' : op === SetOp.Inter ? 'zinterstore' : 'zdiffstore');
    return;
  }
  replyPairs(c, se, withScores ? ss : null);
}

const STOP = new Error('stop');

// ---------------------------------------------------------------- ZSCAN

const scanTables = new WeakMap<Server, ScanCursors>();

function scanTable(s: Server): ScanCursors {
  let t = scanTables.get(s);
  if (t === undefined) scanTables.set(s, (t = new ScanCursors()));
  return t;
}

function zscan(c: Client, argv: string[]): void {
  const cursor = parseScanCursor(argv[2]);
  if (cursor === null) {
    c.error('ERR invalid cursor');
    return;
  }
  const z = zsetForRead(c, argv[1]);
  if (z === null) return;
  if (z === undefined) {
    c.w.raw('*2\r\n$1\r\n0\r\n*0\r\n');
    return;
  }
  let count = 10;
  let pattern: string | null = null;
  for (let i = 3; i < argv.length; ) {
    const left = argv.length - i;
    const o = argv[i].toLowerCase();
    if (o === 'count' && left >= 2) {
      const n = longArg(c, argv[i + 1]);
      if (n === null) return;
      if (n < 1) {
        c.error(E.SYNTAX);
        return;
      }
      count = n;
      i += 2;
    } else if (o === 'match' && left >= 2) {
      pattern = argv[i + 1] === '*' ? null : argv[i + 1];
      i += 2;
    } else {
      c.error(E.SYNTAX);
      return;
    }
  }
  const out: string[] = [];
  let next = '0';
  if (z.lpEle !== null) {
    // A listpack-encoded set is returned whole in one step, like Redis.
    const eles = z.lpEle;
    const scores = z.lpScore!;
    for (let i = 0; i < eles.length; i++) {
      if (pattern !== null && !globMatch(pattern, eles[i])) continue;
      out.push(eles[i], formatListpackScore(scores[i]));
    }
  } else {
    const dict = z.dict!;
    const step = scanTable(c.server).step(dict, cursor, count);
    next = step.cursor;
    for (const ele of step.keys) {
      const node = dict.get(ele);
      if (node === undefined) continue;
      if (pattern !== null && !globMatch(pattern, ele)) continue;
      out.push(ele, formatScanScore(node.score));
    }
  }
  c.w.array(2);
  c.w.bulk(next);
  c.w.bulks(out);
}

// ---------------------------------------------------------------- key extraction

/** ZUNIONSTORE-style: destination at 1, `numkeys` at 2, inputs after it. */
function storeKeys(argv: string[]): number[] {
  const inputs = numkeysKeys(argv, 2);
  return inputs.length === 0 ? [] : [1, ...inputs];
}

// ---------------------------------------------------------------- table

export function zsetCommands(): CommandSpec[] {
  const group = 'sorted_set';
  const one: [number, number, number] = [1, 1, 1];
  const none: [number, number, number] = [0, 0, 0];
  const logN = 'O(log(N)) with N being the number of elements in the sorted set.';
  const rangeCx = 'O(log(N)+M) with N being the number of elements in the sorted set and M the number of elements returned.';
  const byCx =
    'O(log(N)+M) with N being the number of elements in the sorted set and M the number of elements being returned. If M is constant (e.g. always asking for the first 10 elements with LIMIT), you can consider it O(log(N)).';
  const remCx = 'O(log(N)+M) with N being the number of elements in the sorted set and M the number of elements removed by the operation.';
  const popCx = 'O(log(N)*M) with N being the number of elements in the sorted set, and M being the number of elements popped.';
  const mpopCx = 'O(K) + O(M*log(N)) where K is the number of provided keys, N being the number of elements in the sorted set, and M being the number of elements popped.';
  const unionCx = 'O(N)+O(M*log(M)) with N being the sum of the sizes of the input sorted sets, and M being the number of elements in the resulting sorted set.';
  const interCx =
    'O(N*K)+O(M*log(M)) worst case with N being the smallest input sorted set, K being the number of input sorted sets and M being the number of elements in the resulting sorted set.';
  const diffCx = 'O(L + (N-K)log(N)) worst case where L is the total number of elements in all the sets, N is the size of the first set, and K is the size of the result set.';
  const bzpopCx = 'O(log(N)) with N being the number of elements in the sorted set.';
  return [
    { name: 'zadd', arity: -4, flags: ['write', 'denyoom', 'fast'], keys: one, group, since: '1.2.0', summary: 'Add one or more members to a sorted set, or update its score if it already exists', complexity: 'O(log(N)) for each item added, where N is the number of elements in the sorted set.', handler: (c, a) => zaddGeneric(c, a, false) },
    { name: 'zincrby', arity: 4, flags: ['write', 'denyoom', 'fast'], keys: one, group, since: '1.2.0', summary: 'Increment the score of a member in a sorted set', complexity: 'O(log(N)) where N is the number of elements in the sorted set.', handler: (c, a) => zaddGeneric(c, a, true) },
    { name: 'zrem', arity: -3, flags: ['write', 'fast'], keys: one, group, since: '1.2.0', summary: 'Remove one or more members from a sorted set', complexity: 'O(M*log(N)) with N being the number of elements in the sorted set and M the number of elements to be removed.', handler: zrem },
    { name: 'zcard', arity: 2, flags: ['readonly', 'fast'], keys: one, group, since: '1.2.0', summary: 'Get the number of members in a sorted set', complexity: 'O(1)', handler: zcard },
    { name: 'zscore', arity: 3, flags: ['readonly', 'fast'], keys: one, group, since: '1.2.0', summary: 'Get the score associated with the given member in a sorted set', complexity: 'O(1)', handler: zscore },
    { name: 'zmscore', arity: -3, flags: ['readonly', 'fast'], keys: one, group, since: '6.2.0', summary: 'Get the score associated with the given members in a sorted set', complexity: 'O(N) where N is the number of members being requested.', handler: zmscore },
    { name: 'zrank', arity: 3, flags: ['readonly', 'fast'], keys: one, group, since: '2.0.0', summary: 'Determine the index of a member in a sorted set', complexity: 'O(log(N))', handler: (c, a) => zrankGeneric(c, a, false) },
    { name: 'zrevrank', arity: 3, flags: ['readonly', 'fast'], keys: one, group, since: '2.0.0', summary: 'Determine the index of a member in a sorted set, with scores ordered from high to low', complexity: 'O(log(N))', handler: (c, a) => zrankGeneric(c, a, true) },
    { name: 'zcount', arity: 4, flags: ['readonly', 'fast'], keys: one, group, since: '2.0.0', summary: 'Count the members in a sorted set with scores within the given values', complexity: logN, handler: zcount },
    { name: 'zlexcount', arity: 4, flags: ['readonly', 'fast'], keys: one, group, since: '2.8.9', summary: 'Count the number of members in a sorted set between a given lexicographical range', complexity: logN, handler: zlexcount },
    { name: 'zrange', arity: -4, flags: ['readonly'], keys: one, group, since: '1.2.0', summary: 'Return a range of members in a sorted set', complexity: rangeCx, handler: (c, a) => zrangeGeneric(c, a, 1, null, RangeType.Auto, null) },
    {
      name: 'zrangestore',
      arity: -5,
      flags: ['write', 'denyoom'],
      keys: [1, 2, 1],
      group,
      since: '6.2.0',
      summary: 'Store a range of members from sorted set into another key',
      complexity: 'O(log(N)+M) with N being the number of elements in the sorted set and M the number of elements stored into the destination key.',
      handler: (c, a) => zrangeGeneric(c, a, 2, a[1], RangeType.Auto, null),
    },
    { name: 'zrevrange', arity: -4, flags: ['readonly'], keys: one, group, since: '1.2.0', summary: 'Return a range of members in a sorted set, by index, with scores ordered from high to low', complexity: rangeCx, handler: (c, a) => zrangeGeneric(c, a, 1, null, RangeType.Rank, true) },
    { name: 'zrangebyscore', arity: -4, flags: ['readonly'], keys: one, group, since: '1.0.5', summary: 'Return a range of members in a sorted set, by score', complexity: byCx, handler: (c, a) => zrangeGeneric(c, a, 1, null, RangeType.Score, false) },
    { name: 'zrevrangebyscore', arity: -4, flags: ['readonly'], keys: one, group, since: '2.2.0', summary: 'Return a range of members in a sorted set, by score, with scores ordered from high to low', complexity: byCx, handler: (c, a) => zrangeGeneric(c, a, 1, null, RangeType.Score, true) },
    { name: 'zrangebylex', arity: -4, flags: ['readonly'], keys: one, group, since: '2.8.9', summary: 'Return a range of members in a sorted set, by lexicographical range', complexity: byCx, handler: (c, a) => zrangeGeneric(c, a, 1, null, RangeType.Lex, false) },
    { name: 'zrevrangebylex', arity: -4, flags: ['readonly'], keys: one, group, since: '2.8.9', summary: 'Return a range of members in a sorted set, by lexicographical range, ordered from higher to lower strings.', complexity: byCx, handler: (c, a) => zrangeGeneric(c, a, 1, null, RangeType.Lex, true) },
    { name: 'zremrangebyrank', arity: 4, flags: ['write'], keys: one, group, since: '2.0.0', summary: 'Remove all members in a sorted set within the given indexes', complexity: remCx, handler: (c, a) => zremrangeGeneric(c, a, RangeType.Rank) },
    { name: 'zremrangebyscore', arity: 4, flags: ['write'], keys: one, group, since: '1.2.0', summary: 'Remove all members in a sorted set within the given scores', complexity: remCx, handler: (c, a) => zremrangeGeneric(c, a, RangeType.Score) },
    { name: 'zremrangebylex', arity: 4, flags: ['write'], keys: one, group, since: '2.8.9', summary: 'Remove all members in a sorted set between the given lexicographical range', complexity: remCx, handler: (c, a) => zremrangeGeneric(c, a, RangeType.Lex) },
    { name: 'zpopmin', arity: -2, flags: ['write', 'fast'], keys: one, group, since: '5.0.0', summary: 'Remove and return members with the lowest scores in a sorted set', complexity: popCx, handler: (c, a) => zpopMinMax(c, a, false) },
    { name: 'zpopmax', arity: -2, flags: ['write', 'fast'], keys: one, group, since: '5.0.0', summary: 'Remove and return members with the highest scores in a sorted set', complexity: popCx, handler: (c, a) => zpopMinMax(c, a, true) },
    {
      name: 'bzpopmin',
      arity: -3,
      flags: ['write', 'noscript', 'fast', 'blocking'],
      keys: [1, -2, 1],
      group,
      since: '5.0.0',
      summary: 'Remove and return the member with the lowest score from one or more sorted sets, or block until one is available',
      complexity: bzpopCx,
      handler: (c, a) => blockingZpop(c, a.slice(1, -1), false, a[a.length - 1], -1),
    },
    {
      name: 'bzpopmax',
      arity: -3,
      flags: ['write', 'noscript', 'fast', 'blocking'],
      keys: [1, -2, 1],
      group,
      since: '5.0.0',
      summary: 'Remove and return the member with the highest score from one or more sorted sets, or block until one is available',
      complexity: bzpopCx,
      handler: (c, a) => blockingZpop(c, a.slice(1, -1), true, a[a.length - 1], -1),
    },
    { name: 'zmpop', arity: -4, flags: ['write'], keys: none, getKeys: (a) => numkeysKeys(a, 1), group, since: '7.0.0', summary: 'Remove and return members with scores in a sorted set', complexity: mpopCx, handler: zmpop },
    { name: 'bzmpop', arity: -5, flags: ['write', 'blocking'], keys: none, getKeys: (a) => numkeysKeys(a, 2), group, since: '7.0.0', summary: 'Remove and return members with scores in a sorted set or block until one is available', complexity: mpopCx, handler: bzmpop },
    { name: 'zrandmember', arity: -2, flags: ['readonly'], keys: one, group, since: '6.2.0', summary: 'Get one or multiple random elements from a sorted set', complexity: 'O(N) where N is the number of elements returned', tips: ['nondeterministic_output'], handler: zrandmember },
    { name: 'zunion', arity: -3, flags: ['readonly'], keys: none, getKeys: (a) => numkeysKeys(a, 1), group, since: '6.2.0', summary: 'Add multiple sorted sets', complexity: unionCx, handler: (c, a) => zsetOpGeneric(c, a, null, 1, SetOp.Union, false) },
    { name: 'zinter', arity: -3, flags: ['readonly'], keys: none, getKeys: (a) => numkeysKeys(a, 1), group, since: '6.2.0', summary: 'Intersect multiple sorted sets', complexity: interCx, handler: (c, a) => zsetOpGeneric(c, a, null, 1, SetOp.Inter, false) },
    { name: 'zdiff', arity: -3, flags: ['readonly'], keys: none, getKeys: (a) => numkeysKeys(a, 1), group, since: '6.2.0', summary: 'Subtract multiple sorted sets', complexity: diffCx, handler: (c, a) => zsetOpGeneric(c, a, null, 1, SetOp.Diff, false) },
    {
      name: 'zunionstore',
      arity: -4,
      flags: ['write', 'denyoom'],
      keys: one,
      getKeys: storeKeys,
      group,
      since: '2.0.0',
      summary: 'Add multiple sorted sets and store the resulting sorted set in a new key',
      complexity: 'O(N)+O(M log(M)) with N being the sum of the sizes of the input sorted sets, and M being the number of elements in the resulting sorted set.',
      handler: (c, a) => zsetOpGeneric(c, a, a[1], 2, SetOp.Union, false),
    },
    { name: 'zinterstore', arity: -4, flags: ['write', 'denyoom'], keys: one, getKeys: storeKeys, group, since: '2.0.0', summary: 'Intersect multiple sorted sets and store the resulting sorted set in a new key', complexity: interCx, handler: (c, a) => zsetOpGeneric(c, a, a[1], 2, SetOp.Inter, false) },
    { name: 'zdiffstore', arity: -4, flags: ['write', 'denyoom'], keys: one, getKeys: storeKeys, group, since: '6.2.0', summary: 'Subtract multiple sorted sets and store the resulting sorted set in a new key', complexity: diffCx, handler: (c, a) => zsetOpGeneric(c, a, a[1], 2, SetOp.Diff, false) },
    {
      name: 'zintercard',
      arity: -3,
      flags: ['readonly'],
      keys: none,
      getKeys: (a) => numkeysKeys(a, 1),
      group,
      since: '7.0.0',
      summary: 'Intersect multiple sorted sets and return the cardinality of the result',
      complexity: 'O(N*K) worst case with N being the smallest input sorted set, K being the number of input sorted sets.',
      handler: (c, a) => zsetOpGeneric(c, a, null, 1, SetOp.Inter, true),
    },
    {
      name: 'zscan',
      arity: -3,
      flags: ['readonly'],
      keys: one,
      group,
      since: '2.8.0',
      summary: 'Incrementally iterate sorted sets elements and associated scores',
      complexity: 'O(1) for every call. O(N) for a complete iteration, including enough command calls for the cursor to return back to 0. N is the number of elements inside the collection..',
      tips: ['nondeterministic_output'],
      handler: zscan,
    },
  ];
}
