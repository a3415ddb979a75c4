/**
 * HashValue unit tests: the packed listpack string (varint lengths, order, updates, deletes at
 * every position), conversion rules, the hashtable encoding, clone independence, iteration
 * accessors, random picks and memory estimates.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { HashValue, flat, lenPrefix } from '../../src/store/hash.js';
import { ValueType } from '../../src/store/values.js';

const E = 512;
const V = 64;

function fromPairs(pairs: [string, string][], entries = E, value = V): HashValue {
  const h = new HashValue();
  const argv = ['HSET', 'k'];
  for (const [f, v] of pairs) argv.push(f, v);
  h.setMany(argv, 2, entries, value);
  return h;
}

test('type, encoding and an empty hash', () => {
  const h = new HashValue();
  assert.equal(h.type, ValueType.Hash);
  assert.equal(h.encoding(), 'listpack');
  assert.equal(h.length, 0);
  assert.equal(h.get('a'), undefined);
  assert.equal(h.has('a'), false);
  assert.equal(h.delete('a'), false);
  assert.deepEqual([...h.entries()], []);
  assert.equal(h.packed, '');
});

test('listpack keeps insertion order; updates stay in place; deletes close the gap', () => {
  const h = fromPairs([
    ['a', '1'],
    ['b', '2'],
    ['c', '3'],
  ]);
  assert.equal(h.encoding(), 'listpack');
  assert.deepEqual([...h.entries()], [['a', '1'], ['b', '2'], ['c', '3']]);
  assert.equal(h.set('b', 'two', E, V), false);
  assert.equal(h.set('d', '4', E, V), true);
  assert.deepEqual([...h.entries()], [['a', '1'], ['b', 'two'], ['c', '3'], ['d', '4']]);
  assert.equal(h.length, 4);
  for (const [del, rest] of [
    ['b', 'a c d'],
    ['a', 'c d'],
    ['d', 'c'],
    ['c', ''],
  ]) {
    assert.equal(h.delete(del), true);
    assert.deepEqual(
      [...h.entries()].map((p) => p[0]).join(' '),
      rest,
    );
  }
  assert.equal(h.length, 0);
  assert.equal(h.packed, '');
});

test('fields and values of every length round-trip (varint prefixes of 1, 2 and 3 bytes)', () => {
  const lens = [0, 1, 12, 13, 127, 128, 129, 300, 16383, 16384, 70000];
  const pairs: [string, string][] = lens.map((n, i) => ['f'.repeat(n) + i, String.fromCharCode(i + 200).repeat(n)]);
  const h = fromPairs(pairs, E, 1 << 20);
  assert.equal(h.encoding(), 'listpack');
  assert.deepEqual([...h.entries()], pairs);
  for (const [f, v] of pairs) {
    assert.equal(h.get(f), v);
    assert.equal(h.strlen(f), v.length);
  }
  // a field that is a prefix of another, or whose bytes look like a length prefix
  const tricky = fromPairs([
    ['ab', '1'],
    ['a', '2'],
    ['\x01a', '3'],
    ['', '4'],
  ]);
  assert.equal(tricky.get('a'), '2');
  assert.equal(tricky.get('ab'), '1');
  assert.equal(tricky.get('\x01a'), '3');
  assert.equal(tricky.get(''), '4');
  assert.equal(tricky.get('b'), undefined);
  // delete each long field from the middle
  for (let i = pairs.length - 2; i >= 1; i -= 3) {
    assert.equal(h.delete(pairs[i][0]), true);
    pairs.splice(i, 1);
    assert.deepEqual([...h.entries()], pairs);
  }
  assert.equal(lenPrefix(300).length, 2);
  assert.equal(lenPrefix(127).length, 1);
});

test('duplicate fields in one HSET: last value wins at the first position', () => {
  const argv = ['HSET', 'k', 'x', '1', 'y', '2', 'x', '3'];
  const h = new HashValue();
  assert.equal(h.setMany(argv, 2, E, V), 2);
  assert.deepEqual([...h.entries()], [['x', '3'], ['y', '2']]);
  // more than 16 pairs takes the Map path
  const many = ['HSET', 'k'];
  for (let i = 0; i < 40; i++) many.push(`f${i % 20}`, `v${i}`);
  const g = new HashValue();
  assert.equal(g.setMany(many, 2, E, V), 20);
  assert.equal(g.get('f0'), 'v20');
  assert.deepEqual([...g.entries()].map((p) => p[0]), Array.from({ length: 20 }, (_, i) => `f${i}`));
  // updating an existing listpack with several pairs
  assert.equal(g.setMany(['HSET', 'k', 'f1', 'new', 'zz', 'z', 'zz', 'z2'], 2, E, V), 1);
  assert.equal(g.get('f1'), 'new');
  assert.equal(g.get('zz'), 'z2');
  assert.equal(g.length, 21);
});

test('conversion to hashtable: entry count, value length, field length; never back', () => {
  const h = fromPairs(
    [
      ['a', '1'],
      ['b', '2'],
    ],
    2,
    V,
  );
  assert.equal(h.encoding(), 'listpack');
  h.set('c', '3', 2, V);
  assert.equal(h.encoding(), 'hashtable');
  h.delete('a');
  h.delete('b');
  assert.equal(h.encoding(), 'hashtable');
  assert.deepEqual([...h.entries()], [['c', '3']]);

  const v = fromPairs([['a', 'x'.repeat(V)]]);
  assert.equal(v.encoding(), 'listpack');
  v.set('a', 'x'.repeat(V + 1), E, V);
  assert.equal(v.encoding(), 'hashtable');
  assert.equal(v.get('a'), 'x'.repeat(V + 1));

  const f = fromPairs([['f'.repeat(V + 1), 'v']]);
  assert.equal(f.encoding(), 'hashtable');

  // setMany checks every argument before inserting anything
  const m = fromPairs([['a', '1']]);
  m.setMany(['HSET', 'k', 'b', '2', 'c', 'y'.repeat(V + 1)], 2, E, V);
  assert.equal(m.encoding(), 'hashtable');
  assert.equal(m.length, 3);

  const zero = new HashValue();
  zero.set('a', '1', 0, V);
  assert.equal(zero.encoding(), 'hashtable');
});

test('hashtable: get/set/delete keep the index consistent', () => {
  const h = new HashValue();
  h.convert();
  const model = new Map<string, string>();
  let seed = 7;
  const rnd = (n: number) => {
    seed = (seed * 1103515245 + 12345) % 2147483648;
    return seed % n;
  };
  for (let i = 0; i < 5000; i++) {
    const f = `f${rnd(300)}`;
    if (rnd(3) === 0) {
      assert.equal(h.delete(f), model.delete(f));
    } else {
      const v = `v${i}`;
      assert.equal(h.set(f, v, E, V), !model.has(f));
      model.set(f, v);
    }
  }
  assert.equal(h.length, model.size);
  for (const [f, v] of model) assert.equal(h.get(f), v);
  assert.deepEqual(new Map(h.entries()), model);
  const src = h.scanSource()!;
  assert.equal(src.size, model.size);
  for (let i = 0; i < h.length; i++) {
    const [f, v] = h.pairAt(i);
    assert.equal(model.get(f), v);
  }
});

test('clone is deep and keeps the encoding', () => {
  for (const entries of [E, 1]) {
    const h = fromPairs(
      [
        ['a', '1'],
        ['b', '2'],
      ],
      entries,
    );
    const c = h.clone();
    assert.equal(c.encoding(), h.encoding());
    assert.notEqual(c, h);
    c.set('a', 'changed', entries, V);
    c.delete('b');
    assert.deepEqual([...h.entries()], [['a', '1'], ['b', '2']].sort() as [string, string][]);
    assert.deepEqual([...c.entries()], [['a', 'changed']]);
  }
});

test('forEach, toArrays, pairAt and random picks cover every pair', () => {
  for (const entries of [E, 3]) {
    const pairs: [string, string][] = [
      ['a', '1'],
      ['b', '2'],
      ['c', '3'],
      ['d', '4'],
      ['e', '5'],
    ];
    const h = fromPairs(pairs, entries);
    const seen: [string, string][] = [];
    h.forEach((f, v) => seen.push([f, v]));
    assert.deepEqual(new Map(seen), new Map(pairs));
    const { fields, values } = h.toArrays();
    assert.deepEqual(new Map(fields.map((f, i) => [f, values[i]])), new Map(pairs));
    const counts = new Map<string, number>();
    for (let i = 0; i < 5000; i++) {
      const [f, v] = h.randomPair();
      assert.equal(h.get(f), v);
      counts.set(f, (counts.get(f) ?? 0) + 1);
    }
    for (const [f] of pairs) assert.ok((counts.get(f) ?? 0) > 800, `${f}: ${counts.get(f)}`);
  }
});

test('stored strings are flat, and memory estimates grow with content', () => {
  const big = 'x'.repeat(40) + 'payload-payload-payload';
  const s = big.slice(5);
  assert.equal(flat(s), s);
  assert.equal(flat('short'), 'short');
  const small = fromPairs([['a', '1']]);
  const larger = fromPairs([
    ['a', '1'],
    ['field_1', 'lorem ipsum dolor'],
  ]);
  // Redis's figure: a 16-byte robj and an 11-byte listpack in its 16-byte size class.
  assert.equal(small.memoryUsage(), 32);
  assert.ok(larger.memoryUsage() > small.memoryUsage());
  const ht = larger.clone();
  ht.convert();
  assert.ok(ht.memoryUsage() > larger.memoryUsage());
});
