/** The consumer-group PEL (chunked, sorted by ID) against a plain model under random operations. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Consumer, Pel, type Nack } from '../../src/store/stream-group.js';

/** A small deterministic PRNG so a failure reproduces. */
function rng(seed: number): () => number {
  let x = seed >>> 0 || 1;
  return () => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return (x >>> 0) / 4294967296;
  };
}

const owner = new Consumer('c', 0);
const nack = (id: bigint): Nack => ({ id, consumer: owner, deliveryTime: 0, deliveryCount: 1 });
const sorted = (m: Map<bigint, Nack>) => [...m.keys()].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));

function check(pel: Pel, model: Map<bigint, Nack>): void {
  const ids = sorted(model);
  assert.equal(pel.size, model.size);
  assert.deepEqual(pel.ids(), ids);
  if (ids.length > 0) {
    assert.equal(pel.first(), ids[0]);
    assert.equal(pel.last(), ids[ids.length - 1]);
  }
}

test('Pel: appends, out-of-order inserts, replacements and deletes keep ID order', () => {
  for (const seed of [1, 2, 3, 4]) {
    const r = rng(seed);
    const pel = new Pel();
    const model = new Map<bigint, Nack>();
    let next = 1000n;
    for (let op = 0; op < 6000; op++) {
      const p = r();
      if (p < 0.45) {
        // A delivery: above every ID so far (ms or seq steps).
        next += r() < 0.5 ? 1n : 1n << 64n;
        const n = nack(next);
        pel.set(n);
        model.set(next, n);
      } else if (p < 0.65) {
        // XCLAIM of an older ID (maybe already pending: replaced).
        const id = BigInt(Math.floor(r() * Number(next & 0xffffn))) + (r() < 0.5 ? 0n : next >> 1n);
        const n = nack(id);
        pel.set(n);
        model.set(id, n);
        assert.equal(pel.get(id), n);
      } else if (p < 0.95 && model.size > 0) {
        const ids = sorted(model);
        const id = ids[Math.floor(r() * ids.length)];
        assert.equal(pel.delete(id), true);
        model.delete(id);
        assert.equal(pel.get(id), undefined);
        assert.equal(pel.delete(id), false);
      } else {
        const id = BigInt(Math.floor(r() * Number(next & 0xffffffn)));
        assert.equal(pel.get(id), model.get(id));
        assert.equal(pel.has(id), model.has(id));
        if (!pel.mayHave(id)) assert.equal(model.has(id), false);
      }
      if (op % 500 === 0) check(pel, model);
    }
    check(pel, model);
  }
});

test('Pel: range() bounds, and iterating while NACKs are deleted or inserted', () => {
  const pel = new Pel();
  for (let i = 1n; i <= 1000n; i++) pel.set(nack(i * 10n));
  assert.deepEqual(
    [...pel.range(95n, 130n)].map((n) => n.id),
    [100n, 110n, 120n, 130n],
  );
  assert.deepEqual([...pel.range(10001n, 20000n)], []);
  assert.equal([...pel.range(0n, (1n << 128n) - 1n)].length, 1000);
  // Delete every visited NACK (XAUTOCLAIM of deleted entries): nothing is skipped.
  const seen: bigint[] = [];
  for (const n of pel.range(0n, 5000n)) {
    seen.push(n.id);
    pel.delete(n.id);
  }
  assert.equal(seen.length, 500);
  assert.deepEqual(seen, Array.from({ length: 500 }, (_, i) => BigInt(i + 1) * 10n));
  assert.equal(pel.first(), 5010n);
  // Inserting below and beside the cursor while iterating: goes on after the last ID yielded.
  const seen2: bigint[] = [];
  for (const n of pel.range(5010n, 5100n)) {
    seen2.push(n.id);
    pel.set(nack(n.id - 5n));
    pel.set(nack(n.id + 5n));
  }
  assert.deepEqual(
    seen2,
    Array.from({ length: 19 }, (_, i) => 5010n + BigInt(i) * 5n),
  );
});
