/**
 * Random command sequences that touch every command family that fires keyspace events. Only
 * deterministic commands are generated (SPOP pops whole sets, no random eviction or expiry
 * during the sequence: TTLs are long, or in the past so the key goes at once), so two servers
 * given the same sequence must publish the same notifications in the same order.
 */
import type { Step } from '../helpers/differential.js';
import type { RespClient, Reply } from '../helpers/resp.js';

type Rand = () => number;

const pick = <T>(r: Rand, xs: readonly T[]): T => xs[Math.floor(r() * xs.length)];
const int = (r: Rand, lo: number, hi: number): number => lo + Math.floor(r() * (hi - lo + 1));

// A few names per type, plus names shared by all types (so overwrites, WRONGTYPE and
// cross-type RENAME/COPY happen).
const SHARED = ['x0', 'x1'];
const keys = (prefix: string): string[] => [`${prefix}0`, `${prefix}1`, `${prefix}2`, ...SHARED];
const S = keys('s');
const L = keys('l');
const H = keys('h');
const T = keys('t');
const Z = keys('z');
const X = keys('q');
const P = keys('p');
const G = keys('g');
const ALL = [...new Set([...S, ...L, ...H, ...T, ...Z, ...X, ...P, ...G, 'missing'])];
const MEMBERS = ['a', 'b', 'c', 'd', '1', '2', '3'];

function member(r: Rand): string {
  return pick(r, MEMBERS);
}

function members(r: Rand, max = 3): string[] {
  const out: string[] = [];
  for (let i = int(r, 1, max); i > 0; i--) out.push(member(r));
  return out;
}

function stringStep(r: Rand): Step {
  const k = pick(r, S);
  switch (int(r, 0, 24)) {
    case 0:
      return ['SET', k, member(r)];
    case 1:
      return ['SET', k, member(r), ...pick(r, [['EX', '1000'], ['PX', '100000'], ['KEEPTTL'], ['NX'], ['XX'], ['GET'], ['XX', 'GET', 'EX', '500']])];
    case 2:
      return ['SETNX', k, member(r)];
    case 3:
      return ['SETEX', k, '1000', member(r)];
    case 4:
      return ['PSETEX', k, '1000000', member(r)];
    case 5:
      return ['GETSET', k, member(r)];
    case 6:
      return ['GETDEL', k];
    case 7:
      return ['GETEX', k, ...pick(r, [[], ['EX', '900'], ['PERSIST'], ['PXAT', '1'], ['EXAT', '4000000000']])];
    case 8:
      return ['MSET', k, member(r), pick(r, S), member(r)];
    case 9:
      return ['MSETNX', k, member(r), pick(r, S), member(r)];
    case 10:
      return ['APPEND', k, member(r)];
    case 11:
      return ['SETRANGE', k, String(int(r, 0, 6)), pick(r, ['', 'zz', 'q'])];
    case 12:
      return pick(r, [['INCR', k], ['DECR', k], ['INCRBY', k, '7'], ['DECRBY', k, '3']]);
    case 13:
      return ['INCRBYFLOAT', k, pick(r, ['1.5', '-2', '0.25'])];
    case 14:
      return ['GET', k];
    case 15:
      return ['MGET', k, pick(r, S)];
    case 16:
      return pick(r, [['STRLEN', k], ['GETRANGE', k, '0', '-1']]);
    case 17:
      return ['SETBIT', k, String(int(r, 0, 20)), String(int(r, 0, 1))];
    case 18:
      return ['BITOP', pick(r, ['AND', 'OR', 'XOR']), pick(r, S), k, pick(r, S)];
    case 19:
      return ['BITOP', 'NOT', pick(r, S), k];
    case 20:
      return ['BITFIELD', k, 'SET', 'u8', String(int(r, 0, 3) * 8), String(int(r, 0, 255))];
    case 21:
      return ['BITFIELD', k, 'INCRBY', 'i5', '0', String(int(r, -3, 3))];
    case 22:
      return ['LCS', k, pick(r, S)];
    case 23:
      return ['GETBIT', k, '3'];
    default:
      return ['BITCOUNT', k];
  }
}

function listStep(r: Rand): Step {
  const k = pick(r, L);
  switch (int(r, 0, 20)) {
    case 0:
      return ['LPUSH', k, ...members(r)];
    case 1:
      return ['RPUSH', k, ...members(r)];
    case 2:
      return [pick(r, ['LPUSHX', 'RPUSHX']), k, member(r)];
    case 3:
      return [pick(r, ['LPOP', 'RPOP']), k];
    case 4:
      return [pick(r, ['LPOP', 'RPOP']), k, String(int(r, 0, 3))];
    case 5:
      return ['LSET', k, String(int(r, -3, 3)), member(r)];
    case 6:
      return ['LTRIM', k, String(int(r, -3, 2)), String(int(r, -2, 3))];
    case 7:
      return ['LINSERT', k, pick(r, ['BEFORE', 'AFTER']), member(r), member(r)];
    case 8:
      return ['LREM', k, String(int(r, -2, 2)), member(r)];
    case 9:
      return ['LMOVE', k, pick(r, L), pick(r, ['LEFT', 'RIGHT']), pick(r, ['LEFT', 'RIGHT'])];
    case 10:
      return ['RPOPLPUSH', k, pick(r, L)];
    case 11:
      return ['LMPOP', '2', k, pick(r, L), pick(r, ['LEFT', 'RIGHT']), 'COUNT', String(int(r, 1, 3))];
    case 12:
      // Elements are available or the wait is short: either way no event depends on timing.
      return ['BLPOP', k, pick(r, L), '0.01'];
    case 13:
      return ['BLMOVE', k, pick(r, L), 'RIGHT', 'LEFT', '0.01'];
    case 14:
      return ['LRANGE', k, '0', '-1'];
    case 15:
      return ['LINDEX', k, '0'];
    case 16:
      return ['LLEN', k];
    case 17:
      return ['LPOS', k, member(r)];
    case 18:
      return ['BRPOP', k, '0.01'];
    case 19:
      return ['BLMPOP', '0.01', '1', k, 'RIGHT'];
    default:
      return ['RPUSH', k, member(r)];
  }
}

function hashStep(r: Rand): Step {
  const k = pick(r, H);
  switch (int(r, 0, 10)) {
    case 0:
      return ['HSET', k, member(r), member(r), member(r), member(r)];
    case 1:
      return ['HMSET', k, member(r), member(r)];
    case 2:
      return ['HSETNX', k, member(r), member(r)];
    case 3:
      return ['HDEL', k, ...members(r)];
    case 4:
      return ['HINCRBY', k, member(r), String(int(r, -5, 5))];
    case 5:
      return ['HINCRBYFLOAT', k, member(r), '1.5'];
    case 6:
      return ['HGET', k, member(r)];
    case 7:
      return ['HMGET', k, member(r), member(r)];
    case 8:
      return ['HLEN', k];
    case 9:
      return ['HEXISTS', k, member(r)];
    default:
      return ['HSTRLEN', k, member(r)];
  }
}

function setStep(r: Rand): Step {
  const k = pick(r, T);
  switch (int(r, 0, 13)) {
    case 0:
    case 1:
      return ['SADD', k, ...members(r)];
    case 2:
      return ['SREM', k, ...members(r)];
    case 3:
      return ['SMOVE', k, pick(r, T), member(r)];
    case 4:
      // Popping every member is the only deterministic SPOP.
      return ['SPOP', k, '100'];
    case 5:
      return ['SINTERSTORE', k, pick(r, T), pick(r, T)];
    case 6:
      return ['SUNIONSTORE', k, pick(r, T), pick(r, T)];
    case 7:
      return ['SDIFFSTORE', k, pick(r, T), pick(r, T)];
    case 8:
      return ['SISMEMBER', k, member(r)];
    case 9:
      return ['SCARD', k];
    case 10:
      return ['SINTER', k, pick(r, T)];
    case 11:
      return ['SUNION', k, pick(r, T)];
    case 12:
      return ['SMISMEMBER', k, member(r)];
    default:
      return ['SINTERCARD', '2', k, pick(r, T)];
  }
}

function zsetStep(r: Rand): Step {
  const k = pick(r, Z);
  const score = () => String(int(r, -3, 5));
  switch (int(r, 0, 19)) {
    case 0:
    case 1:
      return ['ZADD', k, score(), member(r), score(), member(r)];
    case 2:
      return ['ZADD', k, ...pick(r, [['NX'], ['XX'], ['GT', 'CH'], ['LT'], ['XX', 'INCR'], ['INCR']]), score(), member(r)];
    case 3:
      return ['ZINCRBY', k, score(), member(r)];
    case 4:
      return ['ZREM', k, ...members(r)];
    case 5:
      return ['ZREMRANGEBYSCORE', k, String(int(r, -3, 2)), String(int(r, 0, 5))];
    case 6:
      return ['ZREMRANGEBYRANK', k, String(int(r, -2, 1)), String(int(r, -1, 2))];
    case 7:
      return ['ZREMRANGEBYLEX', k, pick(r, ['-', '[a', '(b']), pick(r, ['+', '[c', '(d'])];
    case 8:
      return [pick(r, ['ZUNIONSTORE', 'ZINTERSTORE']), k, '2', pick(r, Z), pick(r, Z)];
    case 9:
      return ['ZDIFFSTORE', k, '2', pick(r, Z), pick(r, Z)];
    case 10:
      return ['ZRANGESTORE', k, pick(r, Z), '0', String(int(r, -1, 2))];
    case 11:
      return [pick(r, ['ZPOPMIN', 'ZPOPMAX']), k];
    case 12:
      return [pick(r, ['ZPOPMIN', 'ZPOPMAX']), k, String(int(r, 0, 3))];
    case 13:
      return ['ZMPOP', '2', k, pick(r, Z), pick(r, ['MIN', 'MAX'])];
    case 14:
      return ['BZPOPMIN', k, '0.01'];
    case 15:
      return ['ZRANGE', k, '0', '-1'];
    case 16:
      return ['ZSCORE', k, member(r)];
    case 17:
      return ['ZCARD', k];
    case 18:
      return ['ZRANK', k, member(r)];
    default:
      return ['ZCOUNT', k, '-inf', '+inf'];
  }
}

function genericStep(r: Rand): Step {
  const k = pick(r, ALL);
  switch (int(r, 0, 19)) {
    case 19:
      // Walking the keyspace meets lazily expired keys too.
      return pick(r, [['SCAN', '0', 'COUNT', '1000'], ['KEYS', '*'], ['DBSIZE']]);
    case 0:
      return ['DEL', k, pick(r, ALL)];
    case 1:
      return ['UNLINK', k];
    case 2:
      return ['EXPIRE', k, '1000', ...pick(r, [[], ['NX'], ['GT']])];
    case 3:
      return ['PEXPIRE', k, '2000000'];
    case 4:
      // In the past: the key is deleted at once (a del event).
      return pick(r, [['EXPIREAT', k, '1'], ['EXPIRE', k, '-5'], ['PEXPIREAT', k, '1000']]);
    case 5:
      return ['PERSIST', k];
    case 6:
      return ['RENAME', k, pick(r, ALL)];
    case 7:
      return ['RENAMENX', k, pick(r, ALL)];
    case 8:
      return ['MOVE', k, '1'];
    case 9:
      return ['COPY', k, pick(r, ALL), ...pick(r, [[], ['REPLACE'], ['DB', '1'], ['DB', '1', 'REPLACE']])];
    case 10:
      return ['EXISTS', k, pick(r, ALL)];
    case 11:
      return ['TYPE', k];
    case 12:
      return [pick(r, ['TTL', 'PTTL', 'EXPIRETIME']), k];
    case 13:
      return ['TOUCH', k];
    case 14:
      return ['OBJECT', 'ENCODING', k];
    case 15:
      // Brings keys back from db 1 (where MOVE and COPY put them).
      return ['MULTI_SELECT_MOVE', k];
    case 16:
      return ['DUMP_RESTORE', k, pick(r, ALL)];
    default:
      // Active expiry is off: the key expires lazily, at its next access (same point on both).
      return ['SHORT_EXPIRE', k];
  }
}


/** Stream IDs from a small range, so IDs collide, go backwards and hit tombstones. */
function streamId(r: Rand): string {
  return `${int(r, 1, 30)}-${int(r, 0, 2)}`;
}

// Replies that carry times (XPENDING's extended form, XINFO CONSUMERS, XINFO STREAM FULL) are
// left out: the same sequence must give the same replies on both servers.
function streamStep(r: Rand): Step {
  const k = pick(r, X);
  const group = pick(r, ['g1', 'g2']);
  const consumer = pick(r, ['c1', 'c2']);
  switch (int(r, 0, 22)) {
    case 0:
      return ['XADD', k, pick(r, [streamId(r), `${int(r, 1, 30)}-*`]), 'f', member(r)];
    case 1:
      return ['XADD', k, ...pick(r, [['MAXLEN', '3'], ['MAXLEN', '~', '2'], ['MINID', '=', streamId(r)], ['NOMKSTREAM']]), `${int(r, 1, 40)}-*`, 'f', member(r), 'g', member(r)];
    case 2:
      return ['XDEL', k, streamId(r), streamId(r)];
    case 3:
      return ['XTRIM', k, ...pick(r, [['MAXLEN', String(int(r, 0, 4))], ['MINID', streamId(r)], ['MAXLEN', '~', '1']])];
    case 4:
      return [pick(r, ['XRANGE', 'XREVRANGE']), k, pick(r, ['-', '+']), pick(r, ['+', '-']), 'COUNT', String(int(r, 1, 4))];
    case 5:
      return ['XRANGE', k, `(${streamId(r)}`, '+'];
    case 6:
      return ['XLEN', k];
    case 7:
      return ['XREAD', 'COUNT', String(int(r, 1, 3)), 'STREAMS', k, pick(r, X), streamId(r), '0-0'];
    case 8:
      return ['XSETID', k, `${int(r, 1, 60)}-0`];
    case 9:
      return ['XGROUP', 'CREATE', k, group, pick(r, ['0', '$', streamId(r)]), ...pick(r, [[], ['MKSTREAM'], ['ENTRIESREAD', '1']])];
    case 10:
    case 11:
      return ['XREADGROUP', 'GROUP', group, consumer, 'COUNT', String(int(r, 1, 3)), ...pick(r, [[], ['NOACK']]), 'STREAMS', k, pick(r, ['>', '>', '0'])];
    case 12:
      return ['XACK', k, group, streamId(r), streamId(r)];
    case 13:
      return ['XPENDING', k, group];
    case 14:
      return ['XCLAIM', k, group, consumer, '0', streamId(r), ...pick(r, [[], ['JUSTID'], ['FORCE']])];
    case 15:
      return ['XAUTOCLAIM', k, group, consumer, '0', '0-0', 'COUNT', String(int(r, 1, 3)), ...pick(r, [[], ['JUSTID']])];
    case 16:
      return ['XGROUP', 'SETID', k, group, pick(r, ['0', '$', streamId(r)])];
    case 17:
      return ['XGROUP', pick(r, ['CREATECONSUMER', 'DELCONSUMER']), k, group, consumer];
    case 18:
      return ['XGROUP', 'DESTROY', k, group];
    case 19:
      return ['XINFO', 'GROUPS', k];
    case 20:
      return ['XINFO', 'STREAM', k];
    default:
      return ['XADD', k, streamId(r), 'f', member(r)];
  }
}

function hllStep(r: Rand): Step {
  const k = pick(r, P);
  switch (int(r, 0, 5)) {
    case 0:
    case 1:
      return ['PFADD', k, ...members(r, 5)];
    case 2:
      return ['PFCOUNT', k, ...pick(r, [[], [pick(r, P)]])];
    case 3:
      return ['PFMERGE', k, pick(r, P), pick(r, P)];
    case 4:
      return ['GET', k];
    default:
      return ['PFADD', k];
  }
}

const PLACES: [string, string][] = [
  ['13.361389', '38.115556'],
  ['15.087269', '37.502669'],
  ['-0.127758', '51.507351'],
  ['179.99', '-85.0'],
  ['2.352222', '48.856613'],
];

function geoStep(r: Rand): Step {
  const k = pick(r, G);
  const [lon, lat] = pick(r, PLACES);
  switch (int(r, 0, 7)) {
    case 0:
    case 1:
      return ['GEOADD', k, ...pick(r, [[], ['NX'], ['XX', 'CH']]), lon, lat, member(r)];
    case 2:
      return ['GEODIST', k, member(r), member(r), pick(r, ['m', 'km', 'mi'])];
    case 3:
      return [pick(r, ['GEOPOS', 'GEOHASH']), k, member(r), member(r)];
    case 4:
      return ['GEOSEARCH', k, 'FROMLONLAT', lon, lat, 'BYRADIUS', pick(r, ['100', '3000']), 'km', 'ASC', 'WITHDIST'];
    case 5:
      return ['GEOSEARCHSTORE', pick(r, G), k, 'FROMMEMBER', member(r), 'BYBOX', '4000', '4000', 'km', ...pick(r, [[], ['STOREDIST']])];
    case 6:
      return ['GEORADIUS', k, lon, lat, '500', 'km', 'COUNT', '2', 'DESC'];
    default:
      return ['ZRANGE', k, '0', '-1', 'WITHSCORES'];
  }
}

/** One random step; steps whose first word contains '_' are composite (see runStep). */
export function randomStep(r: Rand): Step {
  const f = pick(r, [stringStep, listStep, hashStep, setStep, zsetStep, streamStep, hllStep, geoStep, genericStep]);
  return f(r);
}

/** Runs one step (composite steps expand to a few commands); returns the replies. */
export async function runStep(c: RespClient, step: Step): Promise<Reply[]> {
  const [cmd, a, b] = step.map(String);
  if (cmd === 'MULTI_SELECT_MOVE') {
    const out: Reply[] = [];
    for (const s of [['MULTI'], ['SELECT', '1'], ['MOVE', a, '0'], ['SELECT', '0'], ['EXEC']]) out.push(await c.call(...s));
    return out;
  }
  if (cmd === 'SHORT_EXPIRE') {
    const r = await c.call('PEXPIRE', a, '1');
    // Past its expire time on every clock once this returns.
    await new Promise((res) => setTimeout(res, 3));
    return [r];
  }
  if (cmd === 'DUMP_RESTORE') {
    const d = await c.call('DUMP', a);
    if (d.t !== 'bulk') return [d];
    return [await c.call('RESTORE', b, '0', Buffer.from(d.v, 'latin1'), 'REPLACE')];
  }
  return [await c.call(...step)];
}
