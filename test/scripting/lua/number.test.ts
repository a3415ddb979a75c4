/**
 * number.ts against redis-server (x86-64 glibc, the ground truth for printf/strtod) and the wasm
 * oracle: tostring's %.14g over doubles of every magnitude (ties included), and what tonumber
 * reads over strings from a grammar of strtod's syntax and near misses.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { prng } from '../../helpers/prng.js';
import { hasRedisServer } from '../../helpers/servers.js';
import { N, S, redisForFile, assertAgree, fuzzCases, FUZZ_SCALE, FUZZ_SEED, type Case } from './string-oracle.js';
import { formatG, numberToArg, numberToString, stringToNumber } from '../../../src/scripting/lua/number.js';

const redis = redisForFile();

type Rnd = () => number;
const pick = <T>(r: Rnd, xs: readonly T[]): T => xs[Math.floor(r() * xs.length)];
const int = (r: Rnd, lo: number, hi: number) => lo + Math.floor(r() * (hi - lo + 1));

function double(r: Rnd): number {
  const k = r();
  if (k < 0.1) return pick(r, [0, -0, Infinity, -Infinity, 5e-324, 1.7976931348623157e308, 2 ** 53, 1e14, 1e14 - 1, -1e14, 1e15, 1e16, 1e21, 0.1, 1 / 3, 2 ** -1022]);
  if (k < 0.3) return int(r, -1e6, 1e6) / 10 ** int(r, 0, 8);
  if (k < 0.5) {
    // Exact ties at the 15th significant digit (glibc rounds them to even).
    const m = int(r, 1e14, 1e15 - 1) * 10 + 5;
    return m * 2 ** -int(r, 1, 8);
  }
  if (k < 0.65) return (r() < 0.5 ? -1 : 1) * 2 ** int(r, -1074, 1023) * (1 + int(r, 0, 255) / 256);
  if (k < 0.8) return (r() - 0.5) * 10 ** int(r, -30, 30);
  if (k < 0.9) return (r() < 0.5 ? -1 : 1) * int(r, 1, 2 ** 30) * 2 ** int(r, -60, 60);
  const f64 = new Float64Array(1);
  const u32 = new Uint32Array(f64.buffer);
  u32[0] = Math.floor(r() * 2 ** 32);
  u32[1] = Math.floor(r() * 2 ** 32);
  return Number.isNaN(f64[0]) ? 1 : f64[0];
}

const PIECES = ['0', '1', '9', '12', '0x', '0X', 'a', 'F', 'f', '.', 'e', 'E', 'p', 'P', '+', '-', ' ', '\t', '\n', '\v', '\f', '\r', 'inf', 'INF', 'infinity', 'nan', 'NaN', 'nan(1)', '(', ')', 'x', '\0', '5', '00', '7e3', '1e400', '0x1p', '1e-400'];

function numericText(r: Rnd): string {
  let s = '';
  const n = int(r, 1, 6);
  for (let i = 0; i < n; i++) s += pick(r, PIECES);
  return s;
}

async function compare(name: string, cases: Case[], against: 'oracle' | 'redis'): Promise<void> {
  await assertAgree(name, cases, against === 'oracle' ? 'oracle' : redis());
}

const gen = fuzzCases;

test('tostring of numbers agrees with redis-server (%.14g, ties to even)', { skip: !hasRedisServer() }, async () => {
  await compare('tostring/redis', gen(11, 30000, (r) => ({ fn: 'tostring', args: [N(double(r))] })), 'redis');
});

test('tostring of numbers agrees with the oracle', async () => {
  await compare('tostring/oracle', gen(12, 20000, (r) => ({ fn: 'tostring', args: [N(double(r))] })), 'oracle');
});

test('tonumber of strings agrees with redis-server (glibc strtod)', { skip: !hasRedisServer() }, async () => {
  await compare('tonumber/redis', gen(13, 30000, (r) => ({ fn: 'tonumber', args: [S(numericText(r))] })), 'redis');
});

test('%.17g of doubles agrees with redis-server', { skip: !hasRedisServer() }, async () => {
  const cases = gen(14, 20000, (r) => ({ fn: 'format', args: [S('%.17g|%.16g|%.15g'), N(double(r)), N(double(r)), N(double(r))] }));
  await compare('%.17g/redis', cases, 'redis');
});

test('the fast paths of tostring and redis.call arguments print what %.14g / %.17g print', () => {
  const r = prng(15 + FUZZ_SEED * 1000);
  for (let i = 0; i < 200000 * FUZZ_SCALE; i++) {
    const x = i % 3 === 0 ? int(r, -1e6, 1e6) / 2 ** int(r, 0, 20) : i % 3 === 1 ? int(r, -1e6, 1e6) / 10 ** int(r, 0, 9) : double(r);
    assert.equal(numberToString(x), formatG(x, 14), `tostring ${x}`);
    assert.equal(numberToArg(x), formatG(x, 17), `arg ${x}`);
  }
});

test('fixed cases', () => {
  assert.equal(numberToString(0.1), '0.1');
  assert.equal(numberToString(-0), '-0');
  assert.equal(numberToString(1e14), '1e+14');
  assert.equal(numberToString(123456789012345), '1.2345678901234e+14');
  assert.equal(numberToString(2 ** 63), '9.2233720368548e+18');
  assert.equal(numberToString(NaN), '-nan');
  assert.equal(numberToString(-Infinity), '-inf');
  assert.equal(numberToArg(0.1), '0.10000000000000001');
  assert.equal(numberToArg(2 ** 60), '1.152921504606847e+18');
  assert.equal(numberToArg(2 ** 56), '72057594037927936');
  assert.equal(formatG(2.5, 1), '2');
  assert.equal(formatG(0.125, 2), '0.12');
  assert.equal(stringToNumber(' 0x10 '), 16);
  assert.equal(stringToNumber('0x'), undefined);
  assert.equal(stringToNumber('1e'), undefined);
  assert.equal(stringToNumber('12\0junk'), 12);
  assert.equal(stringToNumber('0x1p-1074'), 5e-324);
  assert.equal(stringToNumber('0x1.fffffffffffff8p0'), 2);
  assert.equal(stringToNumber('0xffffffffffffffffff'), 2 ** 72);
});
