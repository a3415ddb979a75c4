/**
 * Test helper: deterministic datasets of plain records covering every type and the encoding
 * thresholds (listpack/intset limits, INT string encodings, LZF, quicklist node splits), plus
 * helpers to normalise records for comparison.
 */
import type { RdbRecord, RdbValue } from '../../src/persistence/rdb-types.js';

export function prng(seed: number): () => number {
  let x = seed >>> 0 || 1;
  return () => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return (x >>> 0) / 4294967296;
  };
}

function rec(db: number, key: string, value: RdbValue, expireMs: number | null = null): RdbRecord {
  return { db, key, expireMs, idle: null, freq: null, value };
}

const FUTURE = 4102444800000; // 2100-01-01

function binary(n: number, r: () => number): string {
  let s = '';
  for (let i = 0; i < n; i++) s += String.fromCharCode(Math.floor(r() * 256));
  return s;
}

/** Every type, every encoding boundary of Redis 7.0's defaults. */
export function edgeDataset(): RdbRecord[] {
  const r = prng(42);
  const out: RdbRecord[] = [];
  const strings: [string, string][] = [
    ['s:empty', ''],
    ['s:hello', 'hello'],
    ['s:0', '0'],
    ['s:-1', '-1'],
    ['s:127', '127'],
    ['s:128', '128'],
    ['s:-129', '-129'],
    ['s:32767', '32767'],
    ['s:32768', '32768'],
    ['s:int32max', '2147483647'],
    ['s:int32min', '-2147483648'],
    ['s:int32over', '2147483648'],
    ['s:11digits', '12345678901'],
    ['s:int64', '9223372036854775807'],
    ['s:leading0', '007'],
    ['s:minus0', '-0'],
    ['s:plus', '+5'],
    ['s:20', 'abcdefghijabcdefghij'],
    ['s:21', 'abcdefghijabcdefghija'],
    ['s:compressible', 'a'.repeat(1000)],
    ['s:text', 'The quick brown fox jumps over the lazy dog. '.repeat(20)],
    ['s:random', binary(300, r)],
    ['s:allbytes', Array.from({ length: 256 }, (_, i) => String.fromCharCode(i)).join('')],
    ['s:big', 'xyz'.repeat(100000)],
    [binary(12, r), 'binary key'],
  ];
  for (const [k, v] of strings) out.push(rec(0, k, { type: 'string', value: v }));

  const list = <T>(n: number, f: (i: number) => T): T[] => Array.from({ length: n }, (_, i) => f(i));
  out.push(rec(0, 'l:one', { type: 'list', items: ['x'], encoding: 'quicklist' }));
  out.push(rec(0, 'l:mixed', { type: 'list', items: ['a', '1', '-1', '300', '70000', '9223372036854775807', '-9223372036854775808', '0x10', '', 'a'.repeat(100)], encoding: 'quicklist' }));
  out.push(rec(0, 'l:big', { type: 'list', items: list(20000, (i) => `item${String(i).padStart(5, '0')}`), encoding: 'quicklist' }));
  out.push(rec(0, 'l:ints', { type: 'list', items: list(5000, (i) => String(i * 7919 - 100000)), encoding: 'quicklist' }));
  out.push(rec(0, 'l:fat', { type: 'list', items: list(10, (i) => String(i).repeat(5000)), encoding: 'quicklist' }));
  out.push(rec(0, 'l:random', { type: 'list', items: list(300, () => binary(Math.floor(r() * 40), r)), encoding: 'quicklist' }));

  out.push(rec(0, 'set:int3', { type: 'set', members: ['3', '1', '2'], intset: false, encoding: 'hashtable' }));
  out.push(rec(0, 'set:i64', { type: 'set', members: ['1', '-70000', '5000000000', '9223372036854775807', '-9223372036854775808'], intset: false, encoding: 'hashtable' }));
  out.push(rec(0, 'set:int512', { type: 'set', members: list(512, (i) => String(i * 3)), intset: false, encoding: 'hashtable' }));
  out.push(rec(0, 'set:int513', { type: 'set', members: list(513, (i) => String(i * 3)), intset: false, encoding: 'hashtable' }));
  out.push(rec(0, 'set:str', { type: 'set', members: ['c', 'b', 'a'], intset: false, encoding: 'hashtable' }));
  out.push(rec(0, 'set:mixed', { type: 'set', members: ['1', '2', 'x', '007'], intset: false, encoding: 'hashtable' }));
  out.push(rec(0, 'set:big', { type: 'set', members: list(3000, (i) => `member:${i}`), intset: false, encoding: 'hashtable' }));

  const zset = (members: string[], scores: number[]): RdbValue => ({ type: 'zset', members, scores, encoding: 'skiplist' });
  out.push(rec(0, 'z:small', zset(['a', 'b', 'c'], [1, 2.5, 0.1])));
  out.push(rec(0, 'z:special', zset(['ninf', 'pinf', 'negz', 'tiny', 'huge', 'big53', 'llhalf', 'neg'], [-Infinity, Infinity, -0, 5e-324, 1e300, 2 ** 53 + 2, 4611686018427387904, -12.75])));
  out.push(rec(0, 'z:ties', zset(['b', 'a', 'c', '10', '9'], [1, 1, 1, 1, 1])));
  out.push(rec(0, 'z:128', zset(list(128, (i) => `m${i}`), list(128, (i) => i / 3))));
  out.push(rec(0, 'z:129', zset(list(129, (i) => `m${i}`), list(129, (i) => i * 1.5))));
  out.push(rec(0, 'z:member64', zset(['x'.repeat(64), 'y'], [1, 2])));
  out.push(rec(0, 'z:member65', zset(['x'.repeat(65), 'y'], [1, 2])));
  out.push(rec(0, 'z:intmembers', zset(['1', '2', '300000'], [3, 2, 1])));

  const hash = (pairs: string[]): RdbValue => ({ type: 'hash', pairs, encoding: 'hashtable' });
  const pairs = (n: number, f: (i: number) => [string, string]): string[] => list(n, f).flat();
  out.push(rec(0, 'h:small', hash(['f1', 'v1', 'f2', '2', 'f3', '-70000'])));
  out.push(rec(0, 'h:512', hash(pairs(512, (i) => [`f${i}`, `v${i}`]))));
  out.push(rec(0, 'h:513', hash(pairs(513, (i) => [`f${i}`, `v${i}`]))));
  out.push(rec(0, 'h:val64', hash(['f', 'v'.repeat(64)])));
  out.push(rec(0, 'h:val65', hash(['f', 'v'.repeat(65)])));
  out.push(rec(0, 'h:field65', hash(['f'.repeat(65), 'v'])));
  out.push(rec(0, 'h:intfields', hash(['1', '2', '3', '4'])));
  out.push(rec(0, 'h:empty-value', hash(['f', ''])));

  out.push(rec(0, 'e:str', { type: 'string', value: 'expiring' }, FUTURE));
  out.push(rec(0, 'e:hash', hash(['a', 'b']), FUTURE + 1));
  out.push(rec(1, 'db1:key', { type: 'string', value: 'one' }));
  out.push(rec(1, 'db1:list', { type: 'list', items: ['p', 'q'], encoding: 'quicklist' }));
  out.push(rec(15, 'db15:key', { type: 'string', value: 'fifteen' }, FUTURE + 15));
  return out;
}

/** Random records of every type with sizes around the thresholds. */
export function randomDataset(seed: number, n: number): RdbRecord[] {
  const r = prng(seed);
  const out: RdbRecord[] = [];
  const pick = <T>(a: T[]): T => a[Math.floor(r() * a.length)];
  const str = (): string => {
    const kind = r();
    if (kind < 0.25) return String(Math.floor((r() - 0.5) * 2 ** (r() * 64)));
    if (kind < 0.5) return pick(['a', 'bb', 'field', 'value', '']) + Math.floor(r() * 1000);
    if (kind < 0.75) return pick(['x', 'ab', 'xyz']).repeat(Math.floor(r() * 40));
    return binary(Math.floor(r() * 70), r);
  };
  const size = (): number => pick([1, 2, 5, 60, 127, 128, 129, 300, 511, 512, 513, 700]);
  const seen = new Set<string>();
  for (let i = 0; i < n; i++) {
    const key = `k${i}:${str()}`;
    if (seen.has(key)) continue;
    seen.add(key);
    const t = r();
    const db = r() < 0.8 ? 0 : Math.floor(r() * 16);
    const expire = r() < 0.2 ? FUTURE + Math.floor(r() * 1e9) : null;
    let value: RdbValue;
    if (t < 0.2) {
      value = { type: 'string', value: r() < 0.1 ? 'z'.repeat(Math.floor(r() * 5000)) : str() };
    } else if (t < 0.4) {
      const items: string[] = [];
      for (let k = size(); k > 0; k--) items.push(str());
      value = { type: 'list', items, encoding: 'quicklist' };
    } else if (t < 0.6) {
      const m = new Set<string>();
      const ints = r() < 0.5;
      for (let k = size(); k > 0; k--) m.add(ints ? String(Math.floor((r() - 0.5) * 2 ** (r() * 62))) : str());
      value = { type: 'set', members: [...m], intset: false, encoding: 'hashtable' };
    } else if (t < 0.8) {
      const m = new Map<string, number>();
      for (let k = size(); k > 0; k--) m.set(str(), r() < 0.3 ? Math.floor((r() - 0.5) * 1000) : (r() - 0.5) * 10 ** Math.floor(r() * 20));
      value = { type: 'zset', members: [...m.keys()], scores: [...m.values()], encoding: 'skiplist' };
    } else {
      const m = new Map<string, string>();
      for (let k = size(); k > 0; k--) m.set(str(), str());
      value = { type: 'hash', pairs: [...m].flat(), encoding: 'hashtable' };
    }
    out.push({ db, key, expireMs: expire, idle: null, freq: null, value });
  }
  return out;
}

/** Order-insensitive canonical form (sets sorted, zsets by score/member) without encoding hints. */
export function normalize(records: RdbRecord[]): unknown[] {
  return records
    .map((x) => ({ db: x.db, key: x.key, expireMs: x.expireMs, value: normValue(x.value) }))
    .sort((a, b) => (a.db - b.db) || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
}

function normValue(v: RdbValue): unknown {
  switch (v.type) {
    case 'string':
      return { string: v.value };
    case 'list':
      return { list: v.items };
    case 'set':
      return { set: [...v.members].sort() };
    case 'zset':
      return {
        zset: v.members
          .map((m, i) => [m, v.scores[i]] as [string, number])
          .sort((a, b) => a[1] - b[1] || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0))
          .map(([m, s]) => [m, Object.is(s, -0) ? 0 : s]),
      };
    case 'hash': {
      const p: [string, string][] = [];
      for (let i = 0; i < v.pairs.length; i += 2) p.push([v.pairs[i], v.pairs[i + 1]]);
      return { hash: p.sort((a, b) => (a[0] < b[0] ? -1 : 1)) };
    }
    case 'stream':
      return { stream: v.entries };
  }
}
