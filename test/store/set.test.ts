/**
 * SetValue unit tests: intset membership rules (canonical int64 text only), sorted order with
 * values beyond 2^53, conversion rules, the hashtable index, clone independence, iteration and
 * random picks.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SetValue, memberToInt } from '../../src/store/set.js';
import { ValueType } from '../../src/store/values.js';

const MAX = 512;

test('memberToInt follows string2ll: canonical signed 64-bit integers only', () => {
  assert.equal(memberToInt('0'), 0);
  assert.equal(memberToInt('-1'), -1);
  assert.equal(memberToInt('123456789012345'), 123456789012345);
  assert.equal(memberToInt('9007199254740991'), 9007199254740991);
  assert.equal(memberToInt('9007199254740993'), 9007199254740993n);
  assert.equal(memberToInt('9223372036854775807'), 9223372036854775807n);
  assert.equal(memberToInt('-9223372036854775808'), -9223372036854775808n);
  for (const bad of ['', '-', '-0', '01', '+1', ' 1', '1 ', '1.0', '1e3', '9223372036854775808', '-9223372036854775809', 'x', '0x1']) {
    assert.equal(memberToInt(bad), null, JSON.stringify(bad));
  }
});

test('intset: sorted, exact beyond 2^53, membership by canonical text', () => {
  const s = SetValue.forMember('5');
  assert.equal(s.type, ValueType.Set);
  assert.equal(s.encoding(), 'intset');
  const members = ['5', '-3', '9223372036854775807', '9007199254740993', '9007199254740992', '-9223372036854775808', '0', '42'];
  for (const m of members) assert.equal(s.add(m, MAX), true);
  assert.equal(s.add('42', MAX), false);
  assert.equal(s.add('9007199254740993', MAX), false);
  assert.equal(s.encoding(), 'intset');
  assert.deepEqual([...s.members()], ['-9223372036854775808', '-3', '0', '5', '42', '9007199254740992', '9007199254740993', '9223372036854775807']);
  assert.equal(s.has('9007199254740993'), true);
  assert.equal(s.has('9007199254740994'), false);
  assert.equal(s.has('042'), false);
  assert.equal(s.has('x'), false);
  assert.equal(s.remove('x'), false);
  assert.equal(s.remove('9007199254740992'), true);
  assert.equal(s.has('9007199254740993'), true);
  assert.equal(s.size, 7);
  assert.deepEqual(s.ints()?.length, 7);
});

test('conversions: non-integer member, too many entries, set-max-intset-entries 0; never back', () => {
  const a = SetValue.forMember('1');
  a.add('1', MAX);
  a.add('x', MAX);
  assert.equal(a.encoding(), 'hashtable');
  a.remove('x');
  assert.equal(a.encoding(), 'hashtable');
  assert.deepEqual([...a.members()], ['1']);
  assert.equal(a.has('1'), true);

  const b = new SetValue();
  for (let i = 0; i < 5; i++) b.add(String(i), 5);
  assert.equal(b.encoding(), 'intset');
  b.add('5', 5);
  assert.equal(b.encoding(), 'hashtable');
  assert.equal(b.size, 6);

  const c = SetValue.forMember('1');
  c.add('1', 0);
  assert.equal(c.encoding(), 'hashtable');

  const d = SetValue.forMember('abc');
  assert.equal(d.encoding(), 'hashtable');
});

test('hashtable: add/remove/popRandom keep the index consistent', () => {
  const s = SetValue.forMember('m');
  const model = new Set<string>();
  let seed = 11;
  const rnd = (n: number) => {
    seed = (seed * 1103515245 + 12345) % 2147483648;
    return seed % n;
  };
  for (let i = 0; i < 5000; i++) {
    const m = `m${rnd(400)}`;
    const op = rnd(4);
    if (op === 0) assert.equal(s.remove(m), model.delete(m));
    else if (op === 1 && s.size > 0) {
      const p = s.popRandom();
      assert.ok(model.delete(p));
    } else assert.equal(s.add(m, MAX), !model.has(m) && model.add(m) !== undefined);
  }
  assert.equal(s.size, model.size);
  assert.deepEqual(new Set(s.members()), model);
  for (const m of model) assert.ok(s.has(m));
  assert.equal(s.scanSource()!.size, model.size);
});

test('clone is deep and keeps the encoding; toArray/forEach/at agree', () => {
  for (const first of ['1', 'a']) {
    const s = SetValue.forMember(first);
    s.add(first, MAX);
    s.add('2', MAX);
    s.add('3', MAX);
    const c = s.clone();
    assert.equal(c.encoding(), s.encoding());
    c.remove('2');
    c.add('9', MAX);
    assert.equal(s.has('2'), true);
    assert.equal(s.has('9'), false);
    const viaEach: string[] = [];
    s.forEach((m) => viaEach.push(m));
    assert.deepEqual(viaEach, s.toArray());
    assert.deepEqual(
      Array.from({ length: s.size }, (_, i) => s.at(i)),
      s.toArray(),
    );
  }
});

test('random picks are fair for both encodings; memory estimates are positive', () => {
  for (const members of [
    ['1', '2', '3', '4'],
    ['a', 'b', 'c', 'd'],
  ]) {
    const s = SetValue.forMember(members[0]);
    for (const m of members) s.add(m, MAX);
    const counts = new Map<string, number>();
    for (let i = 0; i < 4000; i++) {
      const m = s.random();
      counts.set(m, (counts.get(m) ?? 0) + 1);
    }
    for (const m of members) assert.ok((counts.get(m) ?? 0) > 800, `${m}: ${counts.get(m)}`);
    assert.ok(s.memoryUsage() > 16, 'more than the robj');
  }
});
