/**
 * GEO commands of Redis 7.0 over sorted sets whose scores are 52-bit geohashes
 * (src/store/geohash.ts): GEOADD (rewritten to ZADD, which is also what replicas receive),
 * GEODIST, GEOHASH, GEOPOS, GEORADIUS / GEORADIUSBYMEMBER (+ _RO), GEOSEARCH and
 * GEOSEARCHSTORE. Searches scan the 9 geohash boxes in Redis's order and sort the same way
 * (a stable sort, or Redis's partial quicksort when COUNT cuts the result), so ties and
 * COUNT ANY pick the same members.
 */
import type { Client } from '../net/client.js';
import { ValueType } from '../store/values.js';
import { ZSetValue, parseScore, type ZLimits } from '../store/zset.js';
import type { CommandSpec } from './registry.js';
import { E, checkType, parseInt64 } from './util.js';
import { zaddGeneric } from './zset.js';
import { partialSort } from '../util/pqsort.js';
import { NOTIFY } from '../config/config.js';
import {
  GEO_LAT_MAX,
  GEO_LAT_MIN,
  GEO_LONG_MAX,
  GEO_LONG_MIN,
  boxScores,
  decodeScore,
  distance,
  formatDistance,
  formatFixed,
  formatHuman,
  geohashString,
  scoreOf,
  searchAreas,
  withinShape,
  type Shape,
} from '../store/geohash.js';

const UNIT_ERR = 'ERR unsupported unit provided. please use M, KM, FT, MI';
const MEMBER_ERR = 'ERR could not decode requested zset member';

function zsetForRead(c: Client, key: string): ZSetValue | undefined | null {
  return checkType<ZSetValue>(c, c.db.lookupRead(key), ValueType.ZSet);
}

/** Meters per unit, or -1 after replying the error. */
function unitOrReply(c: Client, u: string): number {
  switch (u.toLowerCase()) {
    case 'm':
      return 1;
    case 'km':
      return 1000;
    case 'ft':
      return 0.3048;
    case 'mi':
      return 1609.34;
  }
  c.error(UNIT_ERR);
  return -1;
}

/** getDoubleFromObjectOrReply with an optional custom message. */
function doubleOrReply(c: Client, s: string, msg?: string): number | null {
  const v = parseScore(s);
  if (v === null) c.error(msg ? 'ERR ' + msg : E.NOT_FLOAT);
  return v;
}

/** Longitude and latitude from argv[i], argv[i+1], range-checked; null after an error reply. */
function lonLatOrReply(c: Client, argv: string[], i: number): [number, number] | null {
  const x = doubleOrReply(c, argv[i]);
  if (x === null) return null;
  const y = doubleOrReply(c, argv[i + 1]);
  if (y === null) return null;
  if (x < GEO_LONG_MIN || x > GEO_LONG_MAX || y < GEO_LAT_MIN || y > GEO_LAT_MAX) {
    c.error(`ERR invalid longitude,latitude pair ${formatFixed(x, 6)},${formatFixed(y, 6)}`);
    return null;
  }
  return [x, y];
}

/** Distance argument and unit: [radius, conversion] or null after an error reply. */
function distanceOrReply(c: Client, argv: string[], i: number): [number, number] | null {
  const d = doubleOrReply(c, argv[i], 'need numeric radius');
  if (d === null) return null;
  if (d < 0) {
    c.error('ERR radius cannot be negative');
    return null;
  }
  const conv = unitOrReply(c, argv[i + 1]);
  return conv < 0 ? null : [d, conv];
}

/** Width, height and unit: [width, height, conversion] or null after an error reply. */
function boxOrReply(c: Client, argv: string[], i: number): [number, number, number] | null {
  const w = doubleOrReply(c, argv[i], 'need numeric width');
  if (w === null) return null;
  const h = doubleOrReply(c, argv[i + 1], 'need numeric height');
  if (h === null) return null;
  if (h < 0 || w < 0) {
    c.error('ERR height or width cannot be negative');
    return null;
  }
  const conv = unitOrReply(c, argv[i + 2]);
  return conv < 0 ? null : [w, h, conv];
}

/** RESP2 bulk / RESP3 double with Redis's "human" long double text (coordinates). */
function replyHuman(c: Client, d: number): void {
  const s = formatHuman(d);
  if (c.resp === 3) c.w.raw(',' + s + '\r\n');
  else c.w.bulk(s);
}

// ---------------------------------------------------------------- GEOADD

function geoadd(c: Client, argv: string[]): void {
  let xx = false;
  let nx = false;
  let longIdx = 2;
  const argc = argv.length;
  while (longIdx < argc) {
    const o = argv[longIdx].toLowerCase();
    if (o === 'nx') nx = true;
    else if (o === 'xx') xx = true;
    else if (o !== 'ch') break;
    longIdx++;
  }
  if ((argc - longIdx) % 3 !== 0 || (xx && nx)) {
    c.error(E.SYNTAX);
    return;
  }
  const elements = (argc - longIdx) / 3;
  // ZADD key [options] score member ...: what runs, and what replicas and the AOF receive.
  const zargv = ['zadd', ...argv.slice(1, longIdx)];
  for (let i = 0; i < elements; i++) {
    const xy = lonLatOrReply(c, argv, longIdx + i * 3);
    if (xy === null) return;
    zargv.push(scoreOf(xy[0], xy[1]), argv[longIdx + i * 3 + 2]);
  }
  c.propagateArgv = zargv;
  zaddGeneric(c, zargv, false);
}

// ---------------------------------------------------------------- GEODIST / GEOHASH / GEOPOS

function geodist(c: Client, argv: string[]): void {
  let toMeter = 1;
  if (argv.length === 5) {
    toMeter = unitOrReply(c, argv[4]);
    if (toMeter < 0) return;
  } else if (argv.length > 5) {
    c.error(E.SYNTAX);
    return;
  }
  const z = zsetForRead(c, argv[1]);
  if (z === null) return;
  if (z === undefined) {
    c.w.nil();
    return;
  }
  const s1 = z.score(argv[2]);
  const s2 = s1 === undefined ? undefined : z.score(argv[3]);
  if (s1 === undefined || s2 === undefined) {
    c.w.nil();
    return;
  }
  const [x1, y1] = decodeScore(s1);
  const [x2, y2] = decodeScore(s2);
  c.w.bulk(formatDistance(distance(x1, y1, x2, y2) / toMeter));
}

function geohash(c: Client, argv: string[]): void {
  const z = zsetForRead(c, argv[1]);
  if (z === null) return;
  c.w.array(argv.length - 2);
  for (let j = 2; j < argv.length; j++) {
    const s = z?.score(argv[j]);
    if (s === undefined) c.w.nil();
    else c.w.bulk(geohashString(s));
  }
}

function geopos(c: Client, argv: string[]): void {
  const z = zsetForRead(c, argv[1]);
  if (z === null) return;
  c.w.array(argv.length - 2);
  for (let j = 2; j < argv.length; j++) {
    const s = z?.score(argv[j]);
    if (s === undefined) c.w.nilArray();
    else {
      const [x, y] = decodeScore(s);
      c.w.array(2);
      replyHuman(c, x);
      replyHuman(c, y);
    }
  }
}

// ---------------------------------------------------------------- searches

const RADIUS_COORDS = 1;
const RADIUS_MEMBER = 2;
const RADIUS_NOSTORE = 4;
const GEOSEARCH = 8;
const GEOSEARCHSTORE = 16;

const SORT_NONE = 0;
const SORT_ASC = 1;
const SORT_DESC = 2;

interface GeoPoint {
  lon: number;
  lat: number;
  dist: number;
  score: number;
  member: string;
}

/**
 * Appends the members with scores in [min, max) that fall inside the shape, stopping once
 * `limit` points were gathered (limit 0 = no limit).
 */
function pointsInRange(z: ZSetValue, min: number, max: number, shape: Shape, out: GeoPoint[], limit: number): void {
  const cur = z.cursorInRange({ min, max, minex: false, maxex: true }, false);
  const xy: [number, number] = [0, 0];
  for (; cur.valid; cur.next()) {
    if (!(cur.score < max)) break;
    const d = withinShape(shape, cur.score, xy);
    if (d >= 0) out.push({ lon: xy[0], lat: xy[1], dist: d, score: cur.score, member: cur.ele });
    if (out.length && limit && out.length >= limit) break;
  }
}

function membersOfAllNeighbors(z: ZSetValue, shape: Shape, out: GeoPoint[], limit: number): void {
  const boxes = searchAreas(shape);
  let lastProcessed = 0;
  for (let i = 0; i < boxes.length; i++) {
    const b = boxes[i];
    if (b === null) continue;
    // With huge radii neighbouring boxes can coincide: skip a repeat of the previous box.
    const prev = boxes[lastProcessed];
    if (lastProcessed && prev && b.bits === prev.bits && b.step === prev.step) continue;
    if (out.length && limit && out.length >= limit) break;
    const [min, max] = boxScores(b);
    pointsInRange(z, min, max, shape, out, limit);
    lastProcessed = i;
  }
}

type Cmp = (a: GeoPoint, b: GeoPoint) => number;

const cmpAsc: Cmp = (a, b) => (a.dist > b.dist ? 1 : a.dist === b.dist ? 0 : -1);
const cmpDesc: Cmp = (a, b) => -cmpAsc(a, b);


function limitsOf(c: Client): ZLimits {
  return { maxEntries: c.server.config.num('zset-max-listpack-entries'), maxValue: c.server.config.num('zset-max-listpack-value') };
}

function georadiusGeneric(c: Client, argv: string[], srcKeyIndex: number, flags: number): void {
  let storeKey: string | null = null;
  let storeDist = false;
  const db = c.db;
  const z = zsetForRead(c, argv[srcKeyIndex]);
  if (z === null) return;
  const shape: Shape = { circular: true, x: 0, y: 0, conversion: 0, radius: 0, width: 0, height: 0, bounds: [0, 0, 0, 0] };
  let baseArgs: number;
  if (flags & RADIUS_COORDS) {
    baseArgs = 6;
    const xy = lonLatOrReply(c, argv, 2);
    if (xy === null) return;
    [shape.x, shape.y] = xy;
    const d = distanceOrReply(c, argv, baseArgs - 2);
    if (d === null) return;
    [shape.radius, shape.conversion] = d;
  } else if (flags & RADIUS_MEMBER && z === undefined) {
    // No source key: the options are still parsed to pick the reply.
    baseArgs = 5;
  } else if (flags & RADIUS_MEMBER) {
    baseArgs = 5;
    const s = z!.score(argv[2]);
    if (s === undefined) {
      c.error(MEMBER_ERR);
      return;
    }
    [shape.x, shape.y] = decodeScore(s);
    const d = distanceOrReply(c, argv, baseArgs - 2);
    if (d === null) return;
    [shape.radius, shape.conversion] = d;
  } else {
    baseArgs = 2;
    if (flags & GEOSEARCHSTORE) {
      baseArgs = 3;
      storeKey = argv[1];
    }
  }

  let withDist = false;
  let withHash = false;
  let withCoords = false;
  let fromMember = false;
  let fromLoc = false;
  let byRadius = false;
  let byBox = false;
  let sort = SORT_NONE;
  let any = false;
  let count = 0;
  const remaining = argv.length - baseArgs;
  for (let i = 0; i < remaining; i++) {
    const arg = argv[baseArgs + i].toLowerCase();
    if (arg === 'withdist') withDist = true;
    else if (arg === 'withhash') withHash = true;
    else if (arg === 'withcoord') withCoords = true;
    else if (arg === 'any') any = true;
    else if (arg === 'asc') sort = SORT_ASC;
    else if (arg === 'desc') sort = SORT_DESC;
    else if (arg === 'count' && i + 1 < remaining) {
      const n = parseInt64(argv[baseArgs + i + 1]);
      if (n === null) {
        c.error(E.NOT_INTEGER);
        return;
      }
      if (n <= 0) {
        c.error('ERR COUNT must be > 0');
        return;
      }
      count = n;
      i++;
    } else if ((arg === 'store' || arg === 'storedist') && i + 1 < remaining && !(flags & RADIUS_NOSTORE) && !(flags & GEOSEARCH)) {
      storeKey = argv[baseArgs + i + 1];
      storeDist = arg === 'storedist';
      i++;
    } else if (arg === 'storedist' && flags & GEOSEARCH && flags & GEOSEARCHSTORE) {
      storeDist = true;
    } else if (arg === 'frommember' && i + 1 < remaining && flags & GEOSEARCH && !fromLoc) {
      if (z !== undefined) {
        const s = z.score(argv[baseArgs + i + 1]);
        if (s === undefined) {
          c.error(MEMBER_ERR);
          return;
        }
        [shape.x, shape.y] = decodeScore(s);
      }
      fromMember = true;
      i++;
    } else if (arg === 'fromlonlat' && i + 2 < remaining && flags & GEOSEARCH && !fromMember) {
      const xy = lonLatOrReply(c, argv, baseArgs + i + 1);
      if (xy === null) return;
      [shape.x, shape.y] = xy;
      fromLoc = true;
      i += 2;
    } else if (arg === 'byradius' && i + 2 < remaining && flags & GEOSEARCH && !byBox) {
      const d = distanceOrReply(c, argv, baseArgs + i + 1);
      if (d === null) return;
      [shape.radius, shape.conversion] = d;
      shape.circular = true;
      byRadius = true;
      i += 2;
    } else if (arg === 'bybox' && i + 3 < remaining && flags & GEOSEARCH && !byRadius) {
      const b = boxOrReply(c, argv, baseArgs + i + 1);
      if (b === null) return;
      [shape.width, shape.height, shape.conversion] = b;
      shape.circular = false;
      byBox = true;
      i += 3;
    } else {
      c.error(E.SYNTAX);
      return;
    }
  }

  if (storeKey !== null && (withDist || withHash || withCoords)) {
    c.error(`ERR ${flags & GEOSEARCHSTORE ? 'GEOSEARCHSTORE' : 'STORE option in GEORADIUS'} is not compatible with WITHDIST, WITHHASH and WITHCOORD options`);
    return;
  }
  if (flags & GEOSEARCH && !(fromMember || fromLoc)) {
    c.error(`ERR exactly one of FROMMEMBER or FROMLONLAT can be specified for ${argv[0]}`);
    return;
  }
  if (flags & GEOSEARCH && !(byRadius || byBox)) {
    c.error(`ERR exactly one of BYRADIUS and BYBOX can be specified for ${argv[0]}`);
    return;
  }
  if (any && !count) {
    c.error('ERR the ANY argument requires COUNT argument');
    return;
  }

  if (z === undefined) {
    if (storeKey !== null) {
      if (db.deleteUnchecked(storeKey)) {
        db.notify(NOTIFY.GENERIC, 'del', storeKey);
        c.server.dirty++;
      }
      c.w.raw(':0\r\n');
    } else c.w.array(0);
    return;
  }

  // COUNT without an order means the closest ones (unless ANY).
  if (count !== 0 && sort === SORT_NONE && !any) sort = SORT_ASC;

  const ga: GeoPoint[] = [];
  membersOfAllNeighbors(z, shape, ga, any ? count : 0);

  if (ga.length === 0 && storeKey === null) {
    c.w.array(0);
    return;
  }
  const resultLength = ga.length;
  const returned = count === 0 || resultLength < count ? resultLength : count;
  if (sort !== SORT_NONE) {
    const cmp = sort === SORT_ASC ? cmpAsc : cmpDesc;
    // glibc's qsort is a stable merge sort, like Array.prototype.sort.
    if (returned === resultLength) ga.sort(cmp);
    else partialSort(ga, 0, resultLength, cmp, 0, returned - 1);
  }

  if (storeKey === null) {
    let optionLength = 0;
    if (withDist) optionLength++;
    if (withCoords) optionLength++;
    if (withHash) optionLength++;
    const w = c.w;
    w.array(returned);
    for (let i = 0; i < returned; i++) {
      const gp = ga[i];
      const dist = gp.dist / shape.conversion;
      if (optionLength) w.array(optionLength + 1);
      w.bulk(gp.member);
      if (withDist) w.bulk(formatDistance(dist));
      if (withHash) w.int(BigInt(Math.trunc(gp.score)));
      if (withCoords) {
        w.array(2);
        replyHuman(c, gp.lon);
        replyHuman(c, gp.lat);
      }
    }
    return;
  }

  if (returned > 0) {
    const zs = new ZSetValue();
    zs.toSkiplist();
    let maxLen = 0;
    const lim = limitsOf(c);
    const big: ZLimits = { maxEntries: Infinity, maxValue: Infinity };
    for (let i = 0; i < returned; i++) {
      const gp = ga[i];
      const score = storeDist ? gp.dist / shape.conversion : gp.score;
      if (gp.member.length > maxLen) maxLen = gp.member.length;
      zs.add(score, gp.member, 0, big);
    }
    // zsetConvertToListpackIfNeeded: small results are stored compact.
    const out = returned <= lim.maxEntries && maxLen <= lim.maxValue ? ZSetValue.fromSorted([...zs.members()], [...zs.entries()].map((e) => e[1]), lim) : zs;
    db.expireIfNeeded(storeKey);
    db.set(storeKey, out);
    db.notify(NOTIFY.ZSET, flags & GEOSEARCH ? 'geosearchstore' : 'georadiusstore', storeKey);
    c.server.dirty += returned;
  } else if (db.deleteUnchecked(storeKey)) {
    db.notify(NOTIFY.GENERIC, 'del', storeKey);
    c.server.dirty++;
  }
  c.w.int(returned);
}

// ---------------------------------------------------------------- table

export function geoCommands(): CommandSpec[] {
  const group = 'geo';
  const one: [number, number, number] = [1, 1, 1];
  const logN = 'O(log(N))';
  const radiusCx = 'O(N+log(M)) where N is the number of elements inside the bounding box of the circular area delimited by center and radius and M is the number of items inside the index.';
  return [
    { name: 'geoadd', arity: -5, flags: ['write', 'denyoom'], keys: one, group, since: '3.2.0', summary: 'Add one or more geospatial items in the geospatial index represented using a sorted set', complexity: logN, handler: geoadd },
    { name: 'geodist', arity: -4, flags: ['readonly'], keys: one, group, since: '3.2.0', summary: 'Returns the distance between two members of a geospatial index', complexity: logN, handler: geodist },
    { name: 'geohash', arity: -2, flags: ['readonly'], keys: one, group, since: '3.2.0', summary: 'Returns members of a geospatial index as standard geohash strings', complexity: logN, handler: geohash },
    { name: 'geopos', arity: -2, flags: ['readonly'], keys: one, group, since: '3.2.0', summary: 'Returns longitude and latitude of members of a geospatial index', complexity: logN, handler: geopos },
    { name: 'georadius', arity: -6, flags: ['write', 'denyoom'], keys: one, getKeys: radiusKeys, group, since: '3.2.0', summary: 'Query by radius around a point', complexity: radiusCx, handler: (c, a) => georadiusGeneric(c, a, 1, RADIUS_COORDS) },
    { name: 'georadius_ro', arity: -6, flags: ['readonly'], keys: one, group, since: '3.2.10', summary: 'Query by radius around a point', complexity: radiusCx, handler: (c, a) => georadiusGeneric(c, a, 1, RADIUS_COORDS | RADIUS_NOSTORE) },
    { name: 'georadiusbymember', arity: -5, flags: ['write', 'denyoom'], keys: one, getKeys: radiusKeys, group, since: '3.2.0', summary: 'Query by radius around a member', complexity: radiusCx, handler: (c, a) => georadiusGeneric(c, a, 1, RADIUS_MEMBER) },
    { name: 'georadiusbymember_ro', arity: -5, flags: ['readonly'], keys: one, group, since: '3.2.10', summary: 'Query by radius around a member', complexity: radiusCx, handler: (c, a) => georadiusGeneric(c, a, 1, RADIUS_MEMBER | RADIUS_NOSTORE) },
    { name: 'geosearch', arity: -7, flags: ['readonly'], keys: one, group, since: '6.2.0', summary: 'Query by radius or box', complexity: radiusCx, handler: (c, a) => georadiusGeneric(c, a, 1, GEOSEARCH) },
    { name: 'geosearchstore', arity: -8, flags: ['write', 'denyoom'], keys: [1, 2, 1], group, since: '6.2.0', summary: 'Query by radius or box and store the result', complexity: radiusCx, handler: (c, a) => georadiusGeneric(c, a, 2, GEOSEARCH | GEOSEARCHSTORE) },
  ];
}

/** Source key, plus the STORE / STOREDIST destination (the last one given). */
function radiusKeys(argv: string[]): number[] {
  let stored = -1;
  for (let i = 5; i < argv.length; i++) {
    const a = argv[i].toLowerCase();
    if ((a === 'store' || a === 'storedist') && i + 1 < argv.length) {
      stored = i + 1;
      i++;
    }
  }
  return stored >= 0 ? [1, stored] : [1];
}
