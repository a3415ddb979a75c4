import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ZSetValue, parseScore, parseScoreRange, parseLexRange, strtod, formatListpackScore, formatScanScore, ZADD_NX, ZADD_XX, ZADD_GT, ZADD_INCR, ZADD_ADDED, ZADD_UPDATED, ZADD_NOP, ZADD_NAN } from '../../src/store/zset.js';
import { SkipList, LexKind } from '../../src/store/skiplist.js';
import { ValueType } from '../../src/store/values.js';
import { prng } from '../helpers/prng.js';

const cmp = (a: [string, number], b: [string, number]) => (a[1] < b[1] ? -1 : a[1] > b[1] ? 1 : a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0);

test('skiplist keeps order, spans and ranks under random inserts, updates and deletes', () => {
  const rnd = prng(7);
  const zsl = new SkipList();
  const model = new Map<string, number>();
  for (let i = 0; i < 20000; i++) {
    const ele = `m${Math.floor(rnd() * 2000)}`;
    const score = Math.floor(rnd() * 100);
    const cur = model.get(ele);
    const r = rnd();
    if (cur === undefined) {
      zsl.insert(score, ele);
      model.set(ele, score);
    } else if (r < 0.5) {
      zsl.updateScore(cur, ele, score);
      model.set(ele, score);
    } else {
      assert.ok(zsl.delete(cur, ele));
      model.delete(ele);
    }
    if (i % 2000 === 0) zsl.check();
  }
  zsl.check();
  const sorted = [...model].sort(cmp);
  assert.equal(zsl.length, sorted.length);
  for (let r = 0; r < sorted.length; r += 37) {
    const [e, s] = sorted[r];
    assert.equal(zsl.rank(s, e), r + 1);
    assert.equal(zsl.byRank(r + 1)!.ele, e);
  }
  assert.equal(zsl.rank(-1, 'nope'), 0);
  assert.equal(zsl.byRank(0), null);
  assert.equal(zsl.byRank(sorted.length + 1), null);
  // Range deletions
  const removed: string[] = [];
  const n = zsl.deleteRangeByScore({ min: 10, max: 20, minex: true, maxex: false }, (e) => removed.push(e));
  assert.equal(n, sorted.filter(([, s]) => s > 10 && s <= 20).length);
  zsl.check();
  const n2 = zsl.deleteRangeByRank(5, 50, () => undefined);
  assert.equal(n2, 46);
  zsl.check();
});

test('ZSetValue behaves the same in both encodings and converts one way', () => {
  const limits = { maxEntries: 32, maxValue: 64 };
  const rnd = prng(11);
  const z = new ZSetValue();
  assert.equal(z.type, ValueType.ZSet);
  assert.equal(z.encoding(), 'listpack');
  const model = new Map<string, number>();
  let converted = false;
  for (let i = 0; i < 5000; i++) {
    const ele = `e${Math.floor(rnd() * 50)}`;
    const score = Math.floor(rnd() * 20) - 10;
    const r = rnd();
    if (r < 0.6) {
      const out = z.add(score, ele, 0, limits);
      const had = model.has(ele);
      assert.equal(out, had ? (model.get(ele) === score ? 0 : ZADD_UPDATED) : ZADD_ADDED);
      model.set(ele, score);
    } else if (r < 0.8) {
      assert.equal(z.delete(ele), model.delete(ele));
    } else if (r < 0.9) {
      const exp = model.get(ele);
      assert.equal(z.score(ele), exp);
      const sorted = [...model].sort(cmp);
      const rank = sorted.findIndex(([e]) => e === ele);
      assert.equal(z.rank(ele, false), rank);
      assert.equal(z.rank(ele, true), rank < 0 ? -1 : sorted.length - 1 - rank);
    } else {
      const range = { min: score, max: score + 5, minex: rnd() < 0.5, maxex: rnd() < 0.5 };
      const exp = [...model].filter(([, s]) => (range.minex ? s > range.min : s >= range.min) && (range.maxex ? s < range.max : s <= range.max)).length;
      assert.equal(z.countInRange(range), exp);
    }
    if (!z.isListpack) converted = true;
    if (converted) assert.equal(z.encoding(), 'skiplist');
    assert.equal(z.size, model.size);
    assert.deepEqual([...z.entries()], [...model].sort(cmp));
  }
  assert.ok(converted, 'grew past the listpack limit');
  const c = z.clone();
  z.pop(false);
  assert.equal(c.size, z.size + 1);
});

test('add() implements NX XX GT INCR and NaN like zsetAdd', () => {
  const lim = { maxEntries: 128, maxValue: 64 };
  const z = new ZSetValue();
  assert.equal(z.add(1, 'a', ZADD_XX, lim), ZADD_NOP);
  assert.equal(z.add(1, 'a', ZADD_NX, lim), ZADD_ADDED);
  assert.equal(z.add(5, 'a', ZADD_NX, lim), ZADD_NOP);
  assert.equal(z.add(0, 'a', ZADD_GT, lim), ZADD_NOP);
  assert.equal(z.add(2, 'a', ZADD_GT, lim), ZADD_UPDATED);
  assert.equal(z.add(3, 'a', ZADD_INCR, lim), ZADD_UPDATED);
  assert.equal(z.lastScore, 5);
  assert.equal(z.add(Infinity, 'a', ZADD_INCR, lim), ZADD_UPDATED);
  assert.equal(z.add(-Infinity, 'a', ZADD_INCR, lim), ZADD_NAN);
  assert.equal(z.add(NaN, 'b', 0, lim), ZADD_NAN);
  // listpack keeps -0 as 0, skiplist keeps -0
  z.add(-0, 'neg', 0, lim);
  assert.ok(Object.is(z.score('neg'), 0));
  const s = new ZSetValue();
  s.add(-0, 'neg', 0, { maxEntries: 0, maxValue: 64 });
  assert.equal(s.encoding(), 'skiplist');
  assert.ok(Object.is(s.score('neg'), -0));
  // a long member converts at once
  const l = new ZSetValue();
  l.add(1, 'x'.repeat(65), 0, lim);
  assert.equal(l.encoding(), 'skiplist');
});

test('cursors walk ranks, score ranges and lex ranges in both directions', () => {
  for (const maxEntries of [128, 0]) {
    const z = new ZSetValue();
    for (const e of ['a', 'b', 'c', 'd', 'e']) z.add(0, e, 0, { maxEntries, maxValue: 64 });
    const walk = (c: ReturnType<ZSetValue['cursorAtRank']>) => {
      const out: string[] = [];
      for (; c.valid; c.next()) out.push(c.ele);
      return out;
    };
    assert.deepEqual(walk(z.cursorAtRank(1, false)), ['b', 'c', 'd', 'e']);
    assert.deepEqual(walk(z.cursorAtRank(1, true)), ['d', 'c', 'b', 'a']);
    assert.deepEqual(walk(z.cursorAtRank(5, false)), []);
    const lex = parseLexRange('(b', '[d')!;
    assert.deepEqual(walk(z.cursorInLex(lex, false)), ['c', 'd', 'e']);
    assert.deepEqual(walk(z.cursorInLex(lex, true)), ['d', 'c', 'b', 'a']);
    assert.equal(z.countInLex(lex), 2);
    assert.equal(z.countInLex(parseLexRange('-', '+')!), 5);
    assert.equal(z.countInLex(parseLexRange('+', '-')!), 0);
    assert.equal(z.countInLex(parseLexRange('(c', '(c')!), 0);
    assert.equal(z.deleteRangeByLex(parseLexRange('[b', '(e')!), 3);
    assert.deepEqual([...z.members()], ['a', 'e']);
  }
});

test('score parsing follows strtod/string2d', () => {
  const ok: [string, number][] = [
    ['1', 1], ['-1', -1], ['+5', 5], ['1.5', 1.5], ['.5', 0.5], ['5.', 5], ['1e3', 1000], ['1E-2', 0.01], ['0x10', 16], ['0x1p3', 8], ['0x.8', 0.5],
    ['inf', Infinity], ['-Infinity', -Infinity], ['+INF', Infinity], ['1e-310', 1e-310], ['1.7976931348623157e308', 1.7976931348623157e308],
  ];
  for (const [s, v] of ok) assert.equal(parseScore(s), v, s);
  for (const s of ['', ' 1', '1 ', 'x', '1x', 'nan', '-nan', 'nan(1)', '1e400', '-1e400', '1e-400', '0x', '--1', '1e', 'infin']) assert.equal(parseScore(s), null, JSON.stringify(s));
  assert.ok(Object.is(parseScore('-0'), -0));
  assert.deepEqual(strtod('  12abc'), { value: 12, end: 4, erange: false });
  assert.deepEqual(strtod('1e'), { value: 1, end: 1, erange: false });
  assert.equal(strtod('abc').end, 0);
  assert.deepEqual(parseScoreRange('(1', '+inf'), { min: 1, minex: true, max: Infinity, maxex: false });
  assert.deepEqual(parseScoreRange('', '('), { min: 0, minex: false, max: 0, maxex: true });
  assert.deepEqual(parseScoreRange(' 2', '1e400'), { min: 2, minex: false, max: Infinity, maxex: false });
  assert.equal(parseScoreRange('nan', '1'), null);
  assert.equal(parseScoreRange('1', '(x'), null);
  assert.deepEqual(parseLexRange('-', '(b'), { min: '', minKind: LexKind.Min, minex: true, max: 'b', maxKind: LexKind.Str, maxex: true });
  assert.equal(parseLexRange('a', '+'), null);
  assert.equal(parseLexRange('+a', '+'), null);
  assert.equal(parseLexRange('', '+'), null);
});

test('scores print like Redis in ZSCAN (listpack integers, %.17g otherwise)', () => {
  assert.equal(formatListpackScore(3), '3');
  assert.equal(formatListpackScore(1e17), '100000000000000000');
  assert.equal(formatListpackScore(1.1), '1.1000000000000001');
  assert.equal(formatListpackScore(1e-5), '1.0000000000000001e-05');
  assert.equal(formatListpackScore(Infinity), 'inf');
  assert.equal(formatListpackScore(2 ** 62), '4611686018427387904');
  assert.equal(formatListpackScore(2 ** 63), '9.2233720368547758e+18');
  assert.equal(formatScanScore(1e17), '1e+17');
  assert.equal(formatScanScore(-0), '-0');
  assert.equal(formatScanScore(-Infinity), '-inf');
});
