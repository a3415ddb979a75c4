/**
 * GEO commands against redis-server 7.0.15: scores, coordinates, distances, geohash strings,
 * search results and their order, STORE/STOREDIST contents and errors must be identical.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startPair, same, type Pair, type Step } from '../helpers/differential.js';
import { withPropagationLog } from '../helpers/propagation.js';
import { prng } from '../helpers/prng.js';
import type { Reply } from '../helpers/resp.js';

let pair: Pair;
before(async () => {
  pair = await startPair();
});
after(async () => {
  await pair.close();
});

const LAT = 85.05112878;

/** A random coordinate pair string with a random number of decimals, biased to edges. */
function randomPoint(rnd: () => number): [string, string] {
  const pick = rnd();
  let lon: number;
  let lat: number;
  if (pick < 0.1) {
    lon = rnd() < 0.5 ? -180 : 180;
    lat = (rnd() * 2 - 1) * LAT;
  } else if (pick < 0.2) {
    lon = (rnd() * 2 - 1) * 180;
    lat = rnd() < 0.5 ? -LAT : LAT;
  } else if (pick < 0.35) {
    lon = 179 + rnd() * 1 - (rnd() < 0.5 ? 359 : 0);
    lat = (rnd() * 2 - 1) * LAT;
  } else if (pick < 0.5) {
    lon = (rnd() * 2 - 1) * 180;
    lat = (rnd() < 0.5 ? -1 : 1) * (80 + rnd() * 5.05);
  } else {
    lon = (rnd() * 2 - 1) * 180;
    lat = (rnd() * 2 - 1) * LAT;
  }
  const digits = Math.floor(rnd() * 12);
  const f = (v: number, lim: number) => {
    let s = v.toFixed(digits);
    if (Math.abs(Number(s)) > lim) s = String(Math.sign(v) * lim);
    return s;
  };
  return [f(lon, 180), f(lat, LAT)];
}

test('GEOADD options, scores, replies and errors', async () => {
  await same(pair, [
    ['FLUSHALL'],
    ['GEOADD', 'g', '13.361389', '38.115556', 'Palermo', '15.087269', '37.502669', 'Catania'],
    ['ZRANGE', 'g', '0', '-1', 'WITHSCORES'],
    ['GEOADD', 'g', 'NX', '13.361389', '38.115556', 'Palermo', '1', '2', 'new'],
    ['GEOADD', 'g', 'XX', '1', '1', 'Palermo', '3', '4', 'nothere'],
    ['GEOADD', 'g', 'XX', 'CH', '2', '2', 'Palermo'],
    ['GEOADD', 'g', 'ch', '2', '2', 'Palermo', '5', '5', 'x'],
    ['GEOADD', 'g', 'CH', 'NX', 'xx', '1', '1', 'a'],
    ['GEOADD', 'g', 'NX', 'XX', '1', '1', 'a'],
    ['GEOADD', 'g', '1', '1'],
    ['GEOADD', 'g', '1', '1', 'a', '2'],
    ['GEOADD', 'g', 'GT', '1', '1', 'a'],
    ['GEOADD', 'g', 'abc', '1', 'a'],
    ['GEOADD', 'g', '1', 'abc', 'a'],
    ['GEOADD', 'g', '181', '1', 'a'],
    ['GEOADD', 'g', '-180.0000001', '1', 'a'],
    ['GEOADD', 'g', '1', '85.05112879', 'a'],
    ['GEOADD', 'g', '1', '-90', 'a'],
    ['GEOADD', 'g', 'inf', '1', 'a'],
    ['GEOADD', 'g', '1', '-inf', 'a'],
    ['GEOADD', 'g', '1e300', '0.0078125', 'a'],
    ['GEOADD', 'g', '1', '1', 'ok', '1', '100', 'bad'],
    ['ZCARD', 'g'],
    ['GEOADD', 'g', '180', '85.05112878', 'ne', '-180', '-85.05112878', 'sw', '180', '-85.05112878', 'se', '-180', '85.05112878', 'nw', '0', '0', 'zero'],
    ['GEOADD', 'g', '180', '0', 'e', '-180', '0', 'w', '0', '85.05112878', 'n', '0', '-85.05112878', 's'],
    ['ZRANGE', 'g', '0', '-1', 'WITHSCORES'],
    ['GEOPOS', 'g', 'ne', 'sw', 'se', 'nw', 'zero', 'e', 'w', 'n', 's', 'missing', 'Palermo', 'Catania'],
    ['GEOHASH', 'g', 'ne', 'sw', 'se', 'nw', 'zero', 'e', 'w', 'n', 's', 'missing', 'Palermo', 'Catania'],
    ['SET', 'str', 'x'],
    ['GEOADD', 'str', '1', '1', 'a'],
    ['GEOADD', 'str', '1', '100', 'a'],
    ['GEOPOS', 'str', 'a'],
    ['GEOHASH', 'str', 'a'],
    ['GEODIST', 'str', 'a', 'b'],
    ['GEOPOS', 'nokey', 'a', 'b'],
    ['GEOHASH', 'nokey', 'a'],
    ['GEOADD', 'g'],
    ['GEOADD', 'g', '1', '1'],
  ]);
});

test('GEODIST units and errors', async () => {
  await same(pair, [
    ['FLUSHALL'],
    ['GEOADD', 'g', '13.361389', '38.115556', 'Palermo', '15.087269', '37.502669', 'Catania', '-73.9', '40.7', 'NY', '151.2', '-33.8', 'Sydney'],
    ['GEODIST', 'g', 'Palermo', 'Catania'],
    ['GEODIST', 'g', 'Palermo', 'Catania', 'km'],
    ['GEODIST', 'g', 'Palermo', 'Catania', 'KM'],
    ['GEODIST', 'g', 'Palermo', 'Catania', 'mi'],
    ['GEODIST', 'g', 'Palermo', 'Catania', 'FT'],
    ['GEODIST', 'g', 'Palermo', 'Catania', 'M'],
    ['GEODIST', 'g', 'NY', 'Sydney', 'km'],
    ['GEODIST', 'g', 'Sydney', 'NY'],
    ['GEODIST', 'g', 'Palermo', 'Palermo'],
    ['GEODIST', 'g', 'Palermo', 'nope'],
    ['GEODIST', 'g', 'nope', 'Palermo'],
    ['GEODIST', 'g', 'Palermo', 'Catania', 'yd'],
    ['GEODIST', 'g', 'Palermo', 'Catania', 'km', 'extra'],
    ['GEODIST', 'nokey', 'a', 'b'],
    ['GEODIST', 'nokey', 'a', 'b', 'parsec'],
    ['GEODIST', 'g', 'a'],
  ]);
});

test('GEOPOS / GEOHASH / GEODIST on scores that are not geohashes', async () => {
  await same(pair, [
    ['FLUSHALL'],
    ['ZADD', 'z', '0', 'zero', '-1', 'neg', '1.5', 'frac', '4503599627370495', 'max52', '4503599627370496', 'p52', '9007199254740993', 'p53', '1e18', 'big', '1e30', 'huge', '-1e30', 'nhuge', 'inf', 'pinf', '-inf', 'ninf', '-123456789', 'n2'],
    ['GEOPOS', 'z', 'zero', 'neg', 'frac', 'max52', 'p52', 'p53', 'big', 'huge', 'nhuge', 'pinf', 'ninf', 'n2'],
    ['GEOHASH', 'z', 'zero', 'neg', 'frac', 'max52', 'p52', 'p53', 'big', 'huge', 'nhuge', 'pinf', 'ninf', 'n2'],
    ['GEODIST', 'z', 'zero', 'max52'],
    ['GEODIST', 'z', 'neg', 'huge', 'km'],
    ['GEORADIUS', 'z', '0', '0', '50000', 'km', 'WITHCOORD', 'WITHHASH', 'WITHDIST', 'ASC'],
  ]);
});

test('random points: scores, GEOPOS, GEOHASH, GEODIST match (RESP2 and RESP3)', async () => {
  const rnd = prng(1301);
  const steps: Step[] = [['FLUSHALL']];
  const names: string[] = [];
  for (let i = 0; i < 400; i++) {
    const [lon, lat] = randomPoint(rnd);
    names.push('p' + i);
    steps.push(['GEOADD', 'g', lon, lat, 'p' + i]);
  }
  steps.push(['ZRANGE', 'g', '0', '-1', 'WITHSCORES']);
  for (let i = 0; i < names.length; i += 20) {
    steps.push(['GEOPOS', 'g', ...names.slice(i, i + 20)]);
    steps.push(['GEOHASH', 'g', ...names.slice(i, i + 20)]);
  }
  const units = ['m', 'km', 'ft', 'mi'];
  for (let i = 0; i < 300; i++) {
    const a = names[Math.floor(rnd() * names.length)];
    const b = names[Math.floor(rnd() * names.length)];
    steps.push(['GEODIST', 'g', a, b, units[i % 4]]);
  }
  await same(pair, steps);
  await Promise.all([pair.a.call('HELLO', '3'), pair.b.call('HELLO', '3')]);
  try {
    await same(pair, [
      ['GEOPOS', 'g', ...names.slice(0, 50), 'missing'],
      ['GEOHASH', 'g', 'missing', ...names.slice(0, 5)],
      ['GEODIST', 'g', 'p1', 'missing'],
      ['GEORADIUS', 'g', '0', '0', '5000', 'km', 'WITHCOORD', 'WITHDIST', 'WITHHASH', 'COUNT', '20'],
      ['GEOSEARCH', 'g', 'FROMLONLAT', '170', '80', 'BYBOX', '4000', '3000', 'km', 'WITHCOORD', 'WITHDIST', 'DESC'],
    ]);
  } finally {
    await Promise.all([pair.a.call('HELLO', '2'), pair.b.call('HELLO', '2')]);
  }
});

/** Random searches of every kind over a random point set; results and stored zsets compared. */
async function randomSearches(seed: number, points: number, searches: number, cluster: boolean): Promise<void> {
  const rnd = prng(seed);
  const steps: Step[] = [['FLUSHALL']];
  const members: string[] = [];
  const center: [number, number] = [(rnd() * 2 - 1) * 179, (rnd() * 2 - 1) * 84];
  for (let i = 0; i < points; i++) {
    let lon: string, lat: string;
    if (cluster && rnd() < 0.7) {
      lon = String(Math.max(-180, Math.min(180, center[0] + (rnd() * 2 - 1) * 3)).toFixed(6));
      lat = String(Math.max(-LAT, Math.min(LAT, center[1] + (rnd() * 2 - 1) * 3)).toFixed(6));
    } else [lon, lat] = randomPoint(rnd);
    // Some duplicates: ties in distance exercise the sort order.
    if (rnd() < 0.1 && steps.length > 1) {
      const prev = steps[1 + Math.floor(rnd() * (steps.length - 1))];
      lon = String(prev[2]);
      lat = String(prev[3]);
    }
    members.push('m' + i);
    steps.push(['GEOADD', 'g', lon, lat, 'm' + i]);
  }
  const units = ['m', 'km', 'ft', 'mi', 'KM', 'Mi'];
  const radiusIn = (unit: string): string => {
    const meters = [100, 10000, 100000, 500000, 2000000, 8000000, 25000000][Math.floor(rnd() * 7)] * (0.2 + rnd());
    const conv = { m: 1, km: 1000, ft: 0.3048, mi: 1609.34 }[unit.toLowerCase()]!;
    return (meters / conv).toFixed(Math.floor(rnd() * 4));
  };
  const opts = (): string[] => {
    const o: string[] = [];
    if (rnd() < 0.5) o.push('WITHDIST');
    if (rnd() < 0.4) o.push('WITHCOORD');
    if (rnd() < 0.3) o.push('WITHHASH');
    const r = rnd();
    if (r < 0.3) o.push('ASC');
    else if (r < 0.5) o.push('DESC');
    if (rnd() < 0.5) {
      o.push('COUNT', String(1 + Math.floor(rnd() * 15)));
      if (rnd() < 0.4) o.push('ANY');
    }
    // shuffle option order
    return o;
  };
  const from = (): string[] => {
    if (rnd() < 0.5) return ['FROMMEMBER', members[Math.floor(rnd() * members.length)]];
    const [lon, lat] = rnd() < 0.5 ? [center[0].toFixed(4), center[1].toFixed(4)] : randomPoint(rnd);
    return ['FROMLONLAT', lon, lat];
  };
  for (let s = 0; s < searches; s++) {
    const unit = units[Math.floor(rnd() * units.length)];
    const kind = Math.floor(rnd() * 6);
    const [plon, plat] = rnd() < 0.5 ? [center[0].toFixed(5), center[1].toFixed(5)] : randomPoint(rnd);
    const m = members[Math.floor(rnd() * members.length)];
    const o = opts();
    const storeOpts = o.filter((x) => !x.startsWith('WITH'));
    switch (kind) {
      case 0:
        steps.push(['GEORADIUS', 'g', plon, plat, radiusIn(unit), unit, ...o]);
        steps.push(['GEORADIUS_RO', 'g', plon, plat, radiusIn(unit), unit, ...o]);
        break;
      case 1:
        steps.push(['GEORADIUSBYMEMBER', 'g', m, radiusIn(unit), unit, ...o]);
        steps.push(['GEORADIUSBYMEMBER_RO', 'g', m, radiusIn(unit), unit, ...o]);
        break;
      case 2:
        steps.push(['GEOSEARCH', 'g', ...from(), 'BYRADIUS', radiusIn(unit), unit, ...o]);
        break;
      case 3:
        steps.push(['GEOSEARCH', 'g', ...from(), 'BYBOX', radiusIn(unit), radiusIn(unit), unit, ...o]);
        break;
      case 4: {
        const dist = rnd() < 0.5;
        const dst = dist ? 'dstd' : 'dst';
        steps.push(['GEORADIUS', 'g', plon, plat, radiusIn(unit), unit, ...storeOpts, dist ? 'STOREDIST' : 'STORE', dst]);
        steps.push(['ZRANGE', dst, '0', '-1', 'WITHSCORES']);
        steps.push(['OBJECT', 'ENCODING', dst]);
        break;
      }
      default: {
        const byBox = rnd() < 0.5;
        const shape = byBox ? ['BYBOX', radiusIn(unit), radiusIn(unit), unit] : ['BYRADIUS', radiusIn(unit), unit];
        const dist = rnd() < 0.5;
        const dst = dist ? 'dstd' : 'dst';
        steps.push(['GEOSEARCHSTORE', dst, 'g', ...from(), ...shape, ...storeOpts, ...(dist ? ['STOREDIST'] : [])]);
        steps.push(['ZRANGE', dst, '0', '-1', 'WITHSCORES']);
      }
    }
  }
  await same(pair, steps, storedDistances);
}

/**
 * Distances stored by STOREDIST (key "dstd") are compared to 12 significant digits: glibc's
 * sin/cos are not always correctly rounded (up to ~0.52 ulp, FMA variants on x86-64) while
 * reddish's are, so about one distance in a few hundred differs in its last bit.
 */
function storedDistances(r: Reply, step: Step): Reply {
  if (step[0] !== 'ZRANGE' || step[1] !== 'dstd' || r.t !== 'array') return r;
  return { t: 'array', v: r.v.map((x, i) => (i % 2 === 1 && x.t === 'bulk' ? { t: 'bulk', v: Number(x.v).toPrecision(12) } : x)) } as Reply;
}

test('random searches over points all over the globe', async () => {
  await randomSearches(7, 300, 300, false);
});

test('random searches around a cluster (small radii, COUNT cuts, ties)', async () => {
  await randomSearches(8, 250, 300, true);
  await randomSearches(9, 1500, 150, true);
});

test('searches near the poles and the antimeridian', async () => {
  const steps: Step[] = [['FLUSHALL']];
  let i = 0;
  for (const lon of ['-180', '-179.9999', '-179.5', '-170', '170', '179.5', '179.9999', '180', '0']) {
    for (const lat of ['-85.05112878', '-85', '-84', '-80.5', '-66.5', '0', '66.5', '80.5', '84', '85', '85.05112878']) {
      steps.push(['GEOADD', 'g', lon, lat, `p${i++}`]);
    }
  }
  for (const [lon, lat] of [
    ['180', '0'],
    ['-180', '0'],
    ['179.9', '85'],
    ['-179.9', '-85'],
    ['0', '85.05112878'],
    ['0', '-85.05112878'],
    ['180', '85.05112878'],
  ]) {
    for (const r of ['1', '50', '200', '1000', '5000', '20000']) {
      steps.push(['GEORADIUS', 'g', lon, lat, r, 'km', 'WITHDIST', 'WITHCOORD', 'WITHHASH']);
      steps.push(['GEORADIUS', 'g', lon, lat, r, 'km', 'ASC', 'COUNT', '5']);
      steps.push(['GEORADIUS', 'g', lon, lat, r, 'km', 'COUNT', '3', 'ANY']);
      steps.push(['GEOSEARCH', 'g', 'FROMLONLAT', lon, lat, 'BYBOX', r, r, 'km', 'WITHDIST', 'DESC']);
      steps.push(['GEOSEARCH', 'g', 'FROMLONLAT', lon, lat, 'BYBOX', r, String(Number(r) * 3), 'km', 'COUNT', '4', 'ANY', 'WITHDIST']);
    }
  }
  await same(pair, steps);
});

test('search option parsing and errors', async () => {
  await same(pair, [
    ['FLUSHALL'],
    ['GEOADD', 'g', '13.361389', '38.115556', 'Palermo', '15.087269', '37.502669', 'Catania', '13.5', '38', 'x', '13.5', '38', 'y'],
    ['GEORADIUS', 'g', '15', '37', '200', 'km'],
    ['GEORADIUS', 'g', '15', '37', '200', 'km', 'WITHDIST', 'WITHCOORD', 'WITHHASH', 'ASC'],
    ['GEORADIUS', 'g', '15', '37', '200', 'km', 'withdist', 'desc', 'count', '2'],
    ['GEORADIUS', 'g', '15', '37', '200', 'km', 'COUNT', '1', 'ANY', 'ANY'],
    ['GEORADIUS', 'g', '15', '37', '200', 'km', 'ANY'],
    ['GEORADIUS', 'g', '15', '37', '200', 'km', 'COUNT', '0'],
    ['GEORADIUS', 'g', '15', '37', '200', 'km', 'COUNT', '-3'],
    ['GEORADIUS', 'g', '15', '37', '200', 'km', 'COUNT', 'abc'],
    ['GEORADIUS', 'g', '15', '37', '200', 'km', 'COUNT'],
    ['GEORADIUS', 'g', '15', '37', '200', 'km', 'STORE'],
    ['GEORADIUS', 'g', '15', '37', '200', 'km', 'bogus'],
    ['GEORADIUS', 'g', '15', '37', '200', 'parsec'],
    ['GEORADIUS', 'g', '15', '37', '-1', 'km'],
    ['GEORADIUS', 'g', '15', '37', 'abc', 'km'],
    ['GEORADIUS', 'g', '15', '137', '1', 'km'],
    ['GEORADIUS', 'g', 'x', '37', '1', 'km'],
    ['GEORADIUS', 'g', '15', '37', '0', 'km'],
    ['GEORADIUS', 'g', '15', '37', '200', 'km', 'WITHDIST', 'STORE', 'd'],
    ['GEORADIUS', 'g', '15', '37', '200', 'km', 'STOREDIST', 'd', 'WITHCOORD'],
    ['GEORADIUS_RO', 'g', '15', '37', '200', 'km', 'STORE', 'd'],
    ['GEORADIUS', 'nokey', '15', '37', '200', 'km'],
    ['GEORADIUS', 'nokey', '15', '370', '200', 'km'],
    ['GEORADIUS', 'g', '15', '37', '200', 'km', 'STORE', 'd', 'STOREDIST', 'd2'],
    ['ZRANGE', 'd2', '0', '-1', 'WITHSCORES'],
    ['EXISTS', 'd'],
    ['GEORADIUS', 'nokey', '15', '37', '200', 'km', 'STORE', 'd2'],
    ['EXISTS', 'd2'],
    ['GEORADIUSBYMEMBER', 'g', 'Palermo', '200', 'km', 'WITHDIST'],
    ['GEORADIUSBYMEMBER', 'g', 'nope', '200', 'km'],
    ['GEORADIUSBYMEMBER', 'g', 'nope', 'abc', 'parsec'],
    ['GEORADIUSBYMEMBER', 'g', 'Palermo', 'abc', 'km'],
    ['GEORADIUSBYMEMBER', 'nokey', 'nope', 'abc', 'parsec'],
    ['GEORADIUSBYMEMBER', 'nokey', 'nope', 'abc', 'parsec', 'bogus'],
    ['GEORADIUSBYMEMBER', 'nokey', 'nope', 'abc', 'parsec', 'STORE', 'x', 'WITHDIST'],
    ['GEORADIUSBYMEMBER_RO', 'g', 'Palermo', '200', 'km', 'STORE', 'x'],
    ['GEORADIUSBYMEMBER', 'g', 'Palermo', '200', 'km', 'STORE', 'bm'],
    ['ZRANGE', 'bm', '0', '-1', 'WITHSCORES'],
    ['GEOSEARCH', 'g', 'FROMMEMBER', 'Palermo', 'BYRADIUS', '200', 'km', 'ASC', 'WITHDIST'],
    ['GEOSEARCH', 'g', 'FROMMEMBER', 'Palermo', 'BYBOX', '400', '400', 'km', 'ASC', 'WITHDIST'],
    ['GEOSEARCH', 'g', 'FROMLONLAT', '15', '37', 'BYBOX', '400', '400', 'km', 'ASC', 'WITHDIST'],
    ['GEOSEARCH', 'g', 'FROMMEMBER', 'Palermo', 'FROMLONLAT', '15', '37', 'BYRADIUS', '200', 'km'],
    ['GEOSEARCH', 'g', 'FROMLONLAT', '15', '37', 'FROMMEMBER', 'Palermo', 'BYRADIUS', '200', 'km'],
    ['GEOSEARCH', 'g', 'FROMMEMBER', 'Palermo', 'FROMMEMBER', 'Catania', 'BYRADIUS', '200', 'km'],
    ['GEOSEARCH', 'g', 'FROMMEMBER', 'Palermo', 'BYRADIUS', '200', 'km', 'BYBOX', '1', '1', 'km'],
    ['GEOSEARCH', 'g', 'FROMMEMBER', 'Palermo', 'BYBOX', '1', '1', 'km', 'BYRADIUS', '200', 'km'],
    ['GEOSEARCH', 'g', 'BYRADIUS', '200', 'km', 'ASC'],
    ['geosearch', 'g', 'BYRADIUS', '200', 'km', 'ASC'],
    ['GeoSearch', 'g', 'FROMMEMBER', 'Palermo', 'ASC', 'WITHDIST'],
    ['GEOSEARCH', 'g', 'FROMMEMBER', 'nope', 'BYRADIUS', '200', 'km'],
    ['GEOSEARCH', 'nokey', 'FROMMEMBER', 'nope', 'BYRADIUS', '200', 'km'],
    ['GEOSEARCH', 'nokey', 'FROMMEMBER', 'nope', 'BYRADIUS', 'x', 'km'],
    ['GEOSEARCH', 'g', 'FROMMEMBER', 'Palermo', 'BYBOX', '-1', '1', 'km'],
    ['GEOSEARCH', 'g', 'FROMMEMBER', 'Palermo', 'BYBOX', 'a', '1', 'km'],
    ['GEOSEARCH', 'g', 'FROMMEMBER', 'Palermo', 'BYBOX', '1', 'b', 'km'],
    ['GEOSEARCH', 'g', 'FROMMEMBER', 'Palermo', 'BYBOX', '1', '1', 'parsec'],
    ['GEOSEARCH', 'g', 'FROMMEMBER', 'Palermo', 'BYBOX', '1', '1'],
    ['GEOSEARCH', 'g', 'FROMLONLAT', '200', '1', 'BYRADIUS', '1', 'km'],
    ['GEOSEARCH', 'g', 'FROMMEMBER', 'Palermo', 'BYRADIUS', '200', 'km', 'STORE', 'x'],
    ['GEOSEARCH', 'g', 'FROMMEMBER', 'Palermo', 'BYRADIUS', '200', 'km', 'STOREDIST'],
    ['GEOSEARCH', 'g', 'FROMMEMBER', 'Palermo', 'BYRADIUS', '200', 'km', 'COUNT', '1', 'ANY'],
    ['GEOSEARCH', 'g', 'FROMMEMBER', 'Palermo', 'BYRADIUS', '200', 'km', 'ANY', 'ASC'],
    ['GEOSEARCHSTORE', 'dst', 'g', 'FROMMEMBER', 'Palermo', 'BYRADIUS', '200', 'km', 'ASC', 'COUNT', '2'],
    ['ZRANGE', 'dst', '0', '-1', 'WITHSCORES'],
    ['GEOSEARCHSTORE', 'dst', 'g', 'FROMMEMBER', 'Palermo', 'BYRADIUS', '200', 'km', 'STOREDIST'],
    ['ZRANGE', 'dst', '0', '-1', 'WITHSCORES'],
    ['GEOSEARCHSTORE', 'dst', 'g', 'FROMMEMBER', 'Palermo', 'BYRADIUS', '200', 'km', 'WITHDIST'],
    ['GEOSEARCHSTORE', 'dst', 'g', 'FROMMEMBER', 'Palermo', 'BYRADIUS', '200', 'km', 'STORE', 'q'],
    ['GEOSEARCHSTORE', 'dst', 'g', 'FROMLONLAT', '0', '0', 'BYRADIUS', '1', 'km'],
    ['EXISTS', 'dst'],
    ['SET', 'dst', 'x'],
    ['GEOSEARCHSTORE', 'dst', 'nokey', 'FROMLONLAT', '0', '0', 'BYRADIUS', '1', 'km'],
    ['EXISTS', 'dst'],
    ['SET', 'str', 'x'],
    ['GEORADIUS', 'str', '15', '37', '200', 'km'],
    ['GEORADIUS', 'str', '15', '370', '200', 'km'],
    ['GEOSEARCH', 'str', 'FROMLONLAT', '0', '0', 'BYRADIUS', '1', 'km'],
    ['GEOSEARCHSTORE', 'dst', 'str', 'FROMLONLAT', '0', '0', 'BYRADIUS', '1', 'km'],
    ['GEOSEARCHSTORE', 'str', 'g', 'FROMLONLAT', '15', '37', 'BYRADIUS', '200', 'km'],
    ['TYPE', 'str'],
    ['GEORADIUS', 'g', '15', '37', '200', 'km', 'COUNT', '99999999999999999999'],
    ['GEORADIUS', 'g', '15', '37', 'inf', 'km', 'COUNT', '9223372036854775807'],
    ['GEORADIUS', 'g', '15', '37', '1e-300', 'km'],
    ['GEORADIUS', 'g', '15', '37', '1e30', 'km', 'WITHDIST', 'ASC'],
    ['GEORADIUS', 'g', '15', '37', '0', 'm', 'WITHDIST'],
    ['GEORADIUSBYMEMBER', 'g', 'x', '0', 'm', 'WITHDIST', 'WITHHASH'],
    ['GEOSEARCH', 'g', 'FROMLONLAT', '15', '37', 'BYBOX', 'inf', 'inf', 'km', 'WITHDIST', 'ASC'],
    ['GEOSEARCH', 'g', 'FROMLONLAT', '15', '37', 'BYBOX', 'inf', '1', 'km', 'WITHDIST', 'ASC'],
    ['GEOSEARCH', 'g', 'FROMLONLAT', '15', '37', 'BYBOX', '1', 'inf', 'km', 'WITHDIST', 'ASC'],
    ['GEOSEARCH', 'g', 'FROMLONLAT', '15', '37', 'BYBOX', '0', '0', 'km', 'WITHDIST', 'ASC'],
    ['GEOSEARCH', 'g', 'FROMLONLAT', '13.5', '38', 'BYBOX', '0', '0', 'km', 'WITHDIST', 'ASC'],
    ['GEOSEARCH', 'g', 'FROMLONLAT', '15', '37', 'BYBOX', '1e7', '1e7', 'mi', 'WITHDIST', 'DESC', 'COUNT', '3'],
    ['GEOSEARCH', 'g', 'FROMLONLAT', '15', '37', 'BYRADIUS', '1e12', 'ft', 'WITHCOORD', 'DESC', 'COUNT', '2', 'ANY'],
  ]);
});

test('STORE replaces the destination and drops its TTL; stored encodings', async () => {
  const steps: Step[] = [['FLUSHALL'], ['SET', 'dst', 'x', 'EX', '100']];
  for (let i = 0; i < 200; i++) steps.push(['GEOADD', 'g', String(10 + i / 1000), String(20 + i / 1000), `member-${i}`]);
  steps.push(
    ['GEORADIUS', 'g', '10', '20', '100', 'km', 'STORE', 'dst'],
    ['TTL', 'dst'],
    ['OBJECT', 'ENCODING', 'dst'],
    ['GEORADIUS', 'g', '10', '20', '100', 'km', 'COUNT', '10', 'STOREDIST', 'dst'],
    ['OBJECT', 'ENCODING', 'dst'],
    ['ZRANGE', 'dst', '0', '-1', 'WITHSCORES'],
    ['CONFIG', 'SET', 'zset-max-listpack-entries', '5'],
    ['GEORADIUS', 'g', '10', '20', '100', 'km', 'COUNT', '10', 'DESC', 'STOREDIST', 'dst'],
    ['OBJECT', 'ENCODING', 'dst'],
    ['ZRANGE', 'dst', '0', '-1', 'WITHSCORES'],
    ['CONFIG', 'SET', 'zset-max-listpack-entries', '128'],
    ['GEOSEARCH', 'g', 'FROMLONLAT', '10.1', '20.1', 'BYRADIUS', '5', 'km', 'WITHDIST', 'WITHCOORD', 'WITHHASH'],
    ['GEOSEARCH', 'g', 'FROMLONLAT', '10.1', '20.1', 'BYRADIUS', '50', 'km', 'COUNT', '7', 'DESC', 'WITHDIST'],
  );
  await same(pair, steps);
});

test('GEOADD propagates as ZADD; STORE forms propagate as themselves', async () => {
  await withPropagationLog(async (run) => {
    let r = await run('GEOADD', 'g', 'CH', '13.361389', '38.115556', 'Palermo', '15.087269', '37.502669', 'Catania');
    assert.deepEqual(r.reply, 2);
    assert.deepEqual(r.prop, [['0', 'zadd', 'g', 'CH', '3479099956230698', 'Palermo', '3479447370796909', 'Catania']]);
    r = await run('GEOADD', 'g', 'NX', '13.361389', '38.115556', 'Palermo');
    assert.deepEqual(r.prop, []);
    r = await run('GEOADD', 'g', '1', '100', 'bad');
    assert.deepEqual(r.prop, []);
    r = await run('GEORADIUS', 'g', '15', '37', '200', 'km');
    assert.deepEqual(r.prop, []);
    r = await run('GEORADIUS', 'g', '15', '37', '200', 'km', 'STORE', 'd');
    assert.deepEqual(r.prop, [['0', 'GEORADIUS', 'g', '15', '37', '200', 'km', 'STORE', 'd']]);
    r = await run('GEOSEARCHSTORE', 'd', 'g', 'FROMLONLAT', '0', '0', 'BYRADIUS', '1', 'km');
    assert.deepEqual(r.prop, [['0', 'GEOSEARCHSTORE', 'd', 'g', 'FROMLONLAT', '0', '0', 'BYRADIUS', '1', 'km']]);
    r = await run('GEOSEARCHSTORE', 'd', 'g', 'FROMLONLAT', '0', '0', 'BYRADIUS', '1', 'km');
    assert.deepEqual(r.prop, []);
  });
});

test('keyspace notifications of GEO writes', async () => {
  const { RespClient } = await import('../helpers/resp.js');
  const { Recorder } = await import('../notify/recorder.js');
  const events: Record<string, string[]> = {};
  for (const [name, port] of [
    ['redis', pair.redis.port],
    ['reddish', pair.reddish.port],
  ] as const) {
    const c = await RespClient.connect(port);
    await c.call('FLUSHALL');
    await c.call('CONFIG', 'SET', 'notify-keyspace-events', 'KEA');
    const rec = await Recorder.open(port);
    try {
      await c.call('GEOADD', 'g', '1', '1', 'a', '2', '2', 'b');
      await c.call('GEOADD', 'g', 'NX', '1', '1', 'a');
      await c.call('GEORADIUS', 'g', '1', '1', '500', 'km', 'STORE', 'd');
      await c.call('GEOSEARCHSTORE', 'd2', 'g', 'FROMLONLAT', '1', '1', 'BYRADIUS', '500', 'km', 'STOREDIST');
      await c.call('GEOSEARCHSTORE', 'd2', 'g', 'FROMLONLAT', '50', '1', 'BYRADIUS', '1', 'km');
      await c.call('GEORADIUS', 'missing', '1', '1', '500', 'km', 'STORE', 'd');
      await c.call('GEOPOS', 'missing', 'x');
      events[name] = await rec.drain(c);
    } finally {
      await c.call('CONFIG', 'SET', 'notify-keyspace-events', '');
      rec.close();
      c.close();
    }
  }
  assert.ok(events.redis.length > 5, events.redis.join('\n'));
  assert.deepEqual(events.reddish, events.redis);
});

test('COMMAND GETKEYS / GETKEYSANDFLAGS of GEO commands', async () => {
  await same(pair, [
    ['COMMAND', 'GETKEYS', 'GEOADD', 'g', '1', '1', 'a'],
    ['COMMAND', 'GETKEYS', 'GEORADIUS', 'g', '1', '1', '1', 'km'],
    ['COMMAND', 'GETKEYS', 'GEORADIUS', 'g', '1', '1', '1', 'km', 'STORE', 'd'],
    ['COMMAND', 'GETKEYSANDFLAGS', 'GEORADIUS', 'g', '1', '1', '1', 'km', 'STORE', 'd', 'STOREDIST', 'e'],
    ['COMMAND', 'GETKEYSANDFLAGS', 'GEORADIUSBYMEMBER', 'g', 'm', '1', 'km', 'STOREDIST', 'd'],
    ['COMMAND', 'GETKEYSANDFLAGS', 'GEORADIUS_RO', 'g', '1', '1', '1', 'km'],
    ['COMMAND', 'GETKEYSANDFLAGS', 'GEOSEARCHSTORE', 'd', 'g', 'FROMLONLAT', '1', '1', 'BYRADIUS', '1', 'km'],
    ['COMMAND', 'GETKEYSANDFLAGS', 'GEOSEARCH', 'g', 'FROMLONLAT', '1', '1', 'BYRADIUS', '1', 'km'],
    ['COMMAND', 'GETKEYSANDFLAGS', 'GEODIST', 'g', 'a', 'b'],
  ]);
});

test('GEOADD inside MULTI and scripts propagates ZADD', async () => {
  await withPropagationLog(async (run) => {
    await run('MULTI');
    await run('GEOADD', 'g', '1', '2', 'a');
    await run('GEORADIUS', 'g', '1', '2', '10', 'km', 'STORE', 'd');
    const r = await run('EXEC');
    assert.deepEqual(r.prop, [
      ['0', 'MULTI'],
      ['0', 'zadd', 'g', '3378080408407459', 'a'],
      ['0', 'GEORADIUS', 'g', '1', '2', '10', 'km', 'STORE', 'd'],
      ['0', 'EXEC'],
    ]);
    const s = await run('EVAL', "return redis.call('GEOADD', KEYS[1], '3', '4', 'b')", '1', 'g');
    assert.deepEqual(s.reply, 1);
    assert.deepEqual(s.prop, [['0', 'zadd', 'g', '3379626039612548', 'b']]);
  });
});

test('a STORE destination wakes clients blocked on it', async () => {
  const { RespClient } = await import('../helpers/resp.js');
  const got: Record<string, unknown> = {};
  for (const [name, port] of [
    ['redis', pair.redis.port],
    ['reddish', pair.reddish.port],
  ] as const) {
    const c = await RespClient.connect(port);
    const blocked = await RespClient.connect(port);
    try {
      await c.call('FLUSHALL');
      await c.call('GEOADD', 'g', '1', '1', 'a', '1.001', '1.001', 'b');
      const waiting = blocked.call('BZPOPMIN', 'dst', '0');
      // Let the BZPOPMIN block before the store happens.
      for (let i = 0; i < 100; i++) {
        const list = (await c.call('CLIENT', 'LIST')) as { v: string };
        if (list.v.includes('cmd=bzpopmin')) break;
        await new Promise((r) => setTimeout(r, 10));
      }
      const stored = await c.call('GEORADIUS', 'g', '1', '1', '10', 'km', 'STOREDIST', 'dst');
      got[name] = [stored, await waiting, await c.call('ZRANGE', 'dst', '0', '-1', 'WITHSCORES')];
    } finally {
      blocked.close();
      c.close();
    }
  }
  assert.deepEqual(got.reddish, got.redis);
});

test('INFO commandstats counts GEOADD as geoadd (not zadd)', async () => {
  const stats = async (c: typeof pair.a): Promise<string[]> => {
    const info = (await c.call('INFO', 'commandstats')) as { v: string };
    return info.v
      .split('\r\n')
      .filter((l) => l.startsWith('cmdstat_geo') || l.startsWith('cmdstat_zadd'))
      .map((l) => l.replace(/usec=[^,]*,usec_per_call=[^,]*,/, ''))
      .sort(); // Redis lists them in its dict order
  };
  const out: string[][] = [];
  for (const c of [pair.a, pair.b]) {
    await c.call('CONFIG', 'RESETSTAT');
    await c.call('GEOADD', 'g', '1', '1', 'a');
    await c.call('GEOADD', 'g', '1', '100', 'a');
    await c.call('GEORADIUS_RO', 'g', '1', '1', '1', 'km');
    out.push(await stats(c));
  }
  assert.deepEqual(out[1], out[0]);
  assert.ok(out[0].length >= 2, out[0].join('\n'));
});
