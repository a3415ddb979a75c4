/**
 * bit (LuaBitOp) against the oracle: every function over random doubles (huge, negative,
 * fractional, halves, NaN/inf), numeric strings and wrong types, plus tohex's width argument.
 */
import { describe, it, before } from 'node:test';
import assert from 'node:assert/strict';
import { bitLibrary } from '../../../src/scripting/lua/lib-bit.js';
import { LuaTable } from '../../../src/scripting/lua/table.js';
import type { LuaValue } from '../../../src/scripting/lua/types.js';
import { prng } from '../../helpers/prng.js';
import { compare, libMap, num, runJs, runOracle, str, nil, bool, tbl, type Call, type Gen } from './lib-harness.js';

const lib = libMap(bitLibrary());
const FNS = ['tobit', 'bnot', 'band', 'bor', 'bxor', 'lshift', 'rshift', 'arshift', 'rol', 'ror', 'bswap', 'tohex'];

function randomNumber(r: () => number): number {
  switch (Math.floor(r() * 10)) {
    case 0:
      return Math.floor(r() * 64) - 32;
    case 1:
      return Math.floor((r() - 0.5) * 2 ** 33);
    case 2:
      return (Math.floor(r() * 2000) - 1000) + 0.5;
    case 3:
      return (r() - 0.5) * 2 ** Math.floor(r() * 80);
    case 4: {
      // Any bit pattern: subnormals, huge, NaN, inf.
      const b = new Uint32Array([Math.floor(r() * 2 ** 32), Math.floor(r() * 2 ** 32)]);
      return new Float64Array(b.buffer)[0];
    }
    case 5:
      return [0, -0, 2 ** 31, -(2 ** 31), 2 ** 32, 2 ** 32 - 1, 2 ** 51, 2 ** 52, 2 ** 53, 2 ** 63, -(2 ** 63), 2.5, -2.5, 3.5, 0.5, -0.5, 1e300, Infinity, -Infinity, NaN][Math.floor(r() * 20)];
    case 6:
      return Math.floor(r() * 2 ** 53) * (r() < 0.5 ? -1 : 1);
    case 7:
      return (Math.floor(r() * 2 ** 20) + r()) * 2 ** Math.floor(r() * 40);
    default:
      return Math.floor(r() * 2 ** 32) - 2 ** 31;
  }
}

function randomArg(r: () => number): Gen {
  const x = r();
  if (x < 0.85) return num(randomNumber(r));
  // No "0x": the oracle's C library reads it as 0, glibc (redis-server) refuses it (number.test.ts).
  if (x < 0.93) return str([' 12 ', '0x1F', '1e3', '-7.5', ' 0x10 ', '4294967296', 'inf', '8'][Math.floor(r() * 8)]);
  return [nil, bool(true), str('abc'), tbl([]), str('')][Math.floor(r() * 5)];
}

describe('bit library', () => {
  let calls: Call[] = [];
  before(() => {
    const r = prng(0xb17);
    calls = [];
    for (let i = 0; i < 6000; i++) {
      const fn = FNS[Math.floor(r() * FNS.length)];
      let n: number;
      if (fn === 'band' || fn === 'bor' || fn === 'bxor') n = Math.floor(r() * 5);
      else if (fn === 'tohex') n = r() < 0.3 ? 1 : 2;
      else if (['lshift', 'rshift', 'arshift', 'rol', 'ror'].includes(fn)) n = 2;
      else n = r() < 0.05 ? 0 : 1;
      const args: Gen[] = [];
      for (let j = 0; j < n; j++) {
        if ((fn === 'tohex' || j === 1) && j === 1 && r() < 0.7) args.push(num(Math.floor(r() * 24) - 12));
        else args.push(randomArg(r));
      }
      calls.push({ lib: 'bit', fn, args });
    }
  });

  it('matches the oracle over 6000 random calls', async () => {
    const bad: string[] = [];
    for (let i = 0; i < calls.length; i += 500) {
      const batch = calls.slice(i, i + 500);
      bad.push(...compare(batch, batch.map((c) => runJs(lib, c)), await runOracle(batch), true));
    }
    assert.deepEqual(bad.slice(0, 10), []);
  });

  it('registers its functions in lua_bit.c order', () => {
    assert.deepEqual(
      bitLibrary().map(([k]) => k),
      FNS,
    );
  });

  it("pairs() over the table luaL_register builds (presized to 12) visits Redis's order", () => {
    const lib = bitLibrary();
    const t = new LuaTable(0, lib.length);
    for (const [k, v] of lib) t.setStr(k, v);
    const o: LuaValue[] = [];
    for (let e = t.next(undefined); e !== undefined; e = t.next(e[0])) o.push(e[0]);
    assert.deepEqual(o, 'band rshift bor bnot bswap bxor tobit ror lshift tohex rol arshift'.split(' '));
  });

  it('tohex edge widths', async () => {
    const cases: Call[] = [0, 1, 8, 9, -1, -8, -9, 100, -100, 2 ** 31 - 1, -(2 ** 31), 2 ** 32].map((w) => ({ lib: 'bit', fn: 'tohex', args: [num(0x12345678), num(w)] }));
    cases.push({ lib: 'bit', fn: 'tohex', args: [num(-1), nil] });
    cases.push({ lib: 'bit', fn: 'tohex', args: [] });
    assert.deepEqual(compare(cases, cases.map((c) => runJs(lib, c)), await runOracle(cases), true), []);
  });
});
