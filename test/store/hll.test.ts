/**
 * HLL building blocks in isolation: the two MurmurHash64A paths agree, registers pack as Redis
 * packs them, and a sparse HLL edited register by register converts to the same dense registers.
 * (Byte-for-byte agreement with redis-server is in test/commands/hyperloglog.test.ts.)
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { prng } from '../helpers/prng.js';
import {
  DENSE_SIZE,
  HDR_SIZE,
  REGISTERS,
  count,
  denseGet,
  denseSetReg,
  newSparse,
  patIndex,
  patLenString,
  patLenU64,
  sparseBytes,
  sparseLoad,
  sparseSet,
  sparseToDense,
  PROMOTE,
} from '../../src/store/hll.js';

test('patLenU64 (helper multiplies) and patLenString (inlined multiplies) agree', () => {
  const rnd = prng(1);
  const b = Buffer.alloc(8);
  for (let i = 0; i < 50000; i++) {
    const lo = Math.floor(rnd() * 2 ** 32);
    const hi = Math.floor(rnd() * 2 ** 32);
    b.writeUInt32LE(lo, 0);
    b.writeUInt32LE(hi, 4);
    const a = patLenU64(hi, lo);
    const ai = patIndex;
    const c = patLenString(b.latin1Slice(0, 8));
    assert.equal(c, a);
    assert.equal(patIndex, ai);
    assert.ok(a >= 1 && a <= 51);
  }
});

test('dense registers: 6 bits each, independent of their neighbours', () => {
  const rnd = prng(2);
  const d = Buffer.alloc(DENSE_SIZE);
  const want = new Uint8Array(REGISTERS);
  for (let i = 0; i < REGISTERS; i++) {
    want[i] = Math.floor(rnd() * 64);
    denseSetReg(d, HDR_SIZE, i, want[i]);
  }
  for (let i = 0; i < REGISTERS; i++) assert.equal(denseGet(d, HDR_SIZE, i), want[i]);
});

test('sparse edits and their dense conversion hold the same registers and count', () => {
  const rnd = prng(3);
  const fresh = newSparse();
  sparseLoad(fresh, fresh.length);
  const want = new Uint8Array(REGISTERS);
  for (let n = 0; n < 400; n++) {
    const reg = Math.floor(rnd() * REGISTERS);
    const val = 1 + Math.floor(rnd() * 32);
    const r = sparseSet(reg, val, 1 << 20);
    assert.notEqual(r, PROMOTE);
    assert.equal(r, val > want[reg] ? 1 : 0);
    if (val > want[reg]) want[reg] = val;
  }
  const sp = Buffer.from(sparseBytes());
  const d = sparseToDense(sp, sp.length)!;
  assert.ok(d);
  for (let i = 0; i < REGISTERS; i++) assert.equal(denseGet(d, HDR_SIZE, i), want[i]);
  assert.equal(count(sp, sp.length), count(d, DENSE_SIZE));
  // Values above 32 cannot be sparse.
  assert.equal(sparseSet(0, 33, 1 << 20), PROMOTE);
});
