import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ListValue } from '../../src/store/list.js';
import { ValueType } from '../../src/store/values.js';
import { prng } from '../helpers/prng.js';

test('a new list is an empty quicklist-encoded list value', () => {
  const l = new ListValue();
  assert.equal(l.type, ValueType.List);
  assert.equal(l.encoding(), 'quicklist');
  assert.equal(l.length, 0);
  assert.equal(l.popHead(), undefined);
  assert.equal(l.popTail(), undefined);
  assert.equal(l.at(0), undefined);
  assert.deepEqual(l.toArray(), []);
});

test('push and pop at both ends wrap around the ring buffer', () => {
  const l = new ListValue();
  for (let i = 0; i < 3; i++) l.pushHead(`h${i}`);
  for (let i = 0; i < 3; i++) l.pushTail(`t${i}`);
  assert.deepEqual(l.toArray(), ['h2', 'h1', 'h0', 't0', 't1', 't2']);
  assert.equal(l.at(-1), 't2');
  assert.equal(l.at(-6), 'h2');
  assert.equal(l.at(-7), undefined);
  assert.equal(l.at(6), undefined);
  assert.equal(l.popHead(), 'h2');
  assert.equal(l.popTail(), 't2');
  assert.ok(l.set(-1, 'T'));
  assert.ok(!l.set(4, 'x'));
  assert.deepEqual([...l], ['h1', 'h0', 't0', 'T']);
});

test('random operations agree with a plain array model', () => {
  const rnd = prng(42);
  const l = new ListValue();
  const model: string[] = [];
  for (let step = 0; step < 50000; step++) {
    const r = rnd();
    const v = String(Math.floor(rnd() * 20));
    if (r < 0.25) {
      l.pushTail(v);
      model.push(v);
    } else if (r < 0.45) {
      l.pushHead(v);
      model.unshift(v);
    } else if (r < 0.55) {
      assert.equal(l.popHead(), model.shift());
    } else if (r < 0.65) {
      assert.equal(l.popTail(), model.pop());
    } else if (r < 0.72) {
      const pos = Math.floor(rnd() * (model.length + 1));
      l.insert(pos, v);
      model.splice(pos, 0, v);
    } else if (r < 0.78) {
      const limit = Math.floor(rnd() * 4);
      const fromTail = rnd() < 0.5;
      const removed = l.removeMatching(v, limit, fromTail);
      let n = 0;
      if (fromTail) {
        for (let i = model.length - 1; i >= 0 && (limit === 0 || n < limit); i--) if (model[i] === v) (model.splice(i, 1), n++);
      } else {
        for (let i = 0; i < model.length && (limit === 0 || n < limit); ) if (model[i] === v) (model.splice(i, 1), n++);
        else i++;
      }
      assert.equal(removed, n);
    } else if (r < 0.8) {
      const n = Math.floor(rnd() * 5);
      l.deleteHead(n);
      model.splice(0, n);
    } else if (r < 0.82) {
      const n = Math.floor(rnd() * 5);
      l.deleteTail(n);
      model.splice(Math.max(0, model.length - n), n);
    } else if (r < 0.9) {
      const i = Math.floor(rnd() * (model.length * 2 + 2)) - model.length - 1;
      assert.equal(l.at(i), i < 0 ? model[model.length + i] : model[i]);
    } else if (r < 0.92) {
      assert.equal(l.indexOf(v), model.indexOf(v));
    } else if (r < 0.93) {
      // bursts make the buffer grow then shrink
      for (let i = 0; i < 300; i++) (l.pushTail(v), model.push(v));
    } else if (r < 0.94) {
      const n = Math.min(model.length, 290);
      for (let i = 0; i < n; i++) assert.equal(l.popHead(), model.shift());
    }
    assert.equal(l.length, model.length);
  }
  assert.deepEqual(l.toArray(), model);
});

test('clone is a deep, independent copy; from() builds in order', () => {
  const l = ListValue.from(['a', 'b', 'c']);
  const c = l.clone();
  c.pushTail('d');
  l.popHead();
  assert.deepEqual(l.toArray(), ['b', 'c']);
  assert.deepEqual(c.toArray(), ['a', 'b', 'c', 'd']);
  assert.ok(l.memoryUsage() > 0);
  assert.ok(ListValue.from(Array.from({ length: 10000 }, () => 'x'.repeat(100))).memoryUsage() > 1_000_000);
});
