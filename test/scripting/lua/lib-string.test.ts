/**
 * The string library against real Lua: random patterns from a grammar, random subjects (all
 * bytes), random argument shapes and formats, compared with the wasm oracle (Redis's own Lua)
 * and, where the wasm build differs from x86-64 (64-bit %d, C casts), with redis-server itself.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { hasRedisServer } from '../../helpers/servers.js';
import { B, FN, N, NIL, S, TBL, runJs, redisForFile, assertAgree, fuzzCases, type Arg, type Case } from './string-oracle.js';
import { stringLibrary, MAX_STRING } from '../../../src/scripting/lua/lib-string.js';
import type { LuaFunction } from '../../../src/scripting/lua/types.js';

const lib = Object.fromEntries(stringLibrary()) as Record<string, LuaFunction>;

const redis = redisForFile();

// ── generators ──────────────────────────────────────────────────────────────────────────────

type Rnd = () => number;
const pick = <T>(r: Rnd, xs: readonly T[]): T => xs[Math.floor(r() * xs.length)];
const int = (r: Rnd, lo: number, hi: number) => lo + Math.floor(r() * (hi - lo + 1));

const SUBJECT_CHARS = ['a', 'a', 'b', 'b', 'c', '(', ')', '1', '2', ' ', ' ', '%', '.', '-', '[', ']', '^', '$', '\0', '\xff', '\xe9', 'A', 'Z', '\n', '_', ','];

function subject(r: Rnd, max = 14): string {
  const n = int(r, 0, max);
  let s = '';
  for (let i = 0; i < n; i++) s += pick(r, SUBJECT_CHARS);
  return s;
}

const CLASSES = 'acdlpsuwxzACDLPSUWXZq.%'.split('');

function setItem(r: Rnd): string {
  switch (int(r, 0, 5)) {
    case 0:
      return pick(r, ['a', 'b', '1', ' ', '(', '^', '.', '\xff', '\0']);
    case 1:
      return pick(r, ['a-c', '0-9', 'b-a', ' -/', '\x80-\xff', '--a']);
    case 2:
      return '%' + pick(r, CLASSES);
    case 3:
      return pick(r, [']', '-', '%]', '%-']);
    default:
      return pick(r, ['a', 'b', 'c']);
  }
}

function set(r: Rnd): string {
  let s = '[';
  if (r() < 0.3) s += '^';
  const n = int(r, 1, 3);
  for (let i = 0; i < n; i++) s += setItem(r);
  return s + ']';
}

function single(r: Rnd): string {
  switch (int(r, 0, 7)) {
    case 0:
    case 1:
      return pick(r, ['a', 'b', 'c', '1', ' ', '\xff', '\0']);
    case 2:
      return '.';
    case 3:
    case 4:
      return '%' + pick(r, CLASSES);
    case 5:
      return '%' + pick(r, ['(', ')', '.', '%', '-', '[', ']', '^', '$', '*', '+', '?']);
    default:
      return set(r);
  }
}

function item(r: Rnd, depth: number): string {
  const k = r();
  if (k < 0.55) {
    const q = r();
    return single(r) + (q < 0.15 ? '*' : q < 0.27 ? '+' : q < 0.37 ? '-' : q < 0.45 ? '?' : '');
  }
  if (k < 0.7 && depth < 3) return '(' + seq(r, depth + 1, 3) + ')';
  if (k < 0.74) return '()';
  if (k < 0.79) return '%b' + pick(r, ['()', 'ab', '[]', 'aa']);
  if (k < 0.84) return '%f' + set(r);
  if (k < 0.9) return '%' + int(r, 1, 3);
  if (k < 0.92) return pick(r, ['%', '[a', '(', ')', '%b(', '%fa', '%0', '[%', '[]', '[^]']);
  return single(r);
}

function seq(r: Rnd, depth: number, max: number): string {
  const n = int(r, 1, max);
  let s = '';
  for (let i = 0; i < n; i++) s += item(r, depth);
  return s;
}

function pattern(r: Rnd): string {
  let p = (r() < 0.2 ? '^' : '') + seq(r, 0, 5);
  if (r() < 0.15) p += '$';
  return p;
}

function initArg(r: Rnd): Arg[] {
  const k = r();
  if (k < 0.5) return [];
  if (k < 0.6) return [NIL];
  if (k < 0.9) return [N(int(r, -16, 16))];
  return [pick(r, [N(1e10), N(-1e10), N(2.7), N(-0.5), S('3'), S(' 2 '), S('x'), N(NaN), N(Infinity)])];
}

function replacement(r: Rnd): Arg {
  const k = r();
  if (k < 0.4) {
    let s = '';
    const n = int(r, 0, 5);
    for (let i = 0; i < n; i++) s += pick(r, ['x', '-', '%0', '%1', '%2', '%3', '%%', '%a', '%', '\0', '<', '>']);
    return S(s);
  }
  if (k < 0.5) return N(pick(r, [7, 1.5, -0]));
  if (k < 0.8) return FN(pick(r, ['cat', 'none', 'no', 'len', 'tbl', 'second']));
  if (k < 0.95) return TBL(pick(r, ['t1', 't2']));
  return pick(r, [B(true), NIL]);
}

function patternCase(r: Rnd, maxSubject = 14): Case {
  const s = r() < 0.9 ? S(subject(r, maxSubject)) : N(pick(r, [12.5, -3, 1e100]));
  const p = S(pattern(r));
  switch (int(r, 0, 4)) {
    case 0:
      return { fn: 'find', args: [s, p, ...initArg(r)] };
    case 1: {
      const init = initArg(r);
      return { fn: 'find', args: [s, p, ...(init.length ? init : [N(1)]), pick(r, [B(true), B(false), NIL, N(0)])] };
    }
    case 2:
      return { fn: 'match', args: [s, p, ...initArg(r)] };
    case 3:
      return { fn: 'gmatch', args: [s, p] };
    default: {
      const args = [s, p, replacement(r)];
      if (r() < 0.3) args.push(pick(r, [N(0), N(1), N(2), N(-1), N(2.9), NIL, S('1')]));
      return { fn: 'gsub', args };
    }
  }
}

const NUMS = [0, -0, 1, -1, 2, 3, 7, 10, 255, 256, -255, 65, 0.5, 1.5, 2.5, -2.5, 0.125, 0.25, 0.375, 1e21, 1e22, 1e-5, 1e-4, 123456789, 2 ** 31, -(2 ** 31), 2 ** 32, 2 ** 53, 2 ** 63, -(2 ** 63), 2 ** 64, 1e300, 5e-324, 1 / 3, -2 / 3, 0.1, 3.14159, 99.5, 9.995, 0.05, 1e15, 123.456, NaN, Infinity, -Infinity, 1e100, 2.675, 0.045, 1234.5];

function randomNumber(r: Rnd): number {
  const k = r();
  if (k < 0.35) return pick(r, NUMS);
  if (k < 0.5) return int(r, -1000, 1000);
  if (k < 0.65) return int(r, -1000, 1000) / pick(r, [2, 4, 8, 16, 10, 100, 1000]);
  if (k < 0.8) return (r() - 0.5) * 10 ** int(r, -20, 25);
  if (k < 0.9) {
    // Exact decimal ties (x.5 at some position) that glibc rounds to even.
    return (int(r, 0, 100000) + 0.5) / 10 ** int(r, 0, 4);
  }
  return (r() < 0.5 ? -1 : 1) * 2 ** int(r, -1074, 1023) * (1 + int(r, 0, 15) / 16);
}

const noNaN = (v: number) => (Number.isNaN(v) ? 1 : v);

function formatSpec(r: Rnd): string {
  let s = '%';
  const nf = r() < 0.6 ? 0 : int(r, 1, r() < 0.05 ? 7 : 3);
  for (let i = 0; i < nf; i++) s += pick(r, ['-', '+', ' ', '#', '0']);
  if (r() < 0.5) s += String(int(r, 0, r() < 0.1 ? 99 : 20));
  if (r() < 0.5) s += '.' + (r() < 0.15 ? '' : String(int(r, 0, r() < 0.1 ? 99 : 20)));
  if (r() < 0.02) s += '123';
  return s;
}

function formatCase(r: Rnd): Case {
  const n = int(r, 1, 3);
  let fmt = '';
  const args: Arg[] = [];
  for (let i = 0; i < n; i++) {
    if (r() < 0.3) fmt += pick(r, ['x', ' ', '%%', '\0', '|']);
    const conv = pick(r, ['d', 'i', 'u', 'o', 'x', 'X', 'e', 'E', 'f', 'g', 'G', 'c', 's', 's', 'q', 'f', 'g', 'd', 'y', 'l']);
    fmt += formatSpec(r) + conv;
    const k = r();
    if (k < 0.03) continue; // missing argument
    if (conv === 's' || conv === 'q') args.push(k < 0.8 ? S(subject(r, r() < 0.1 ? 120 : 12)) : N(noNaN(randomNumber(r))));
    // NaN is left out: tonumber('nan') is a positive NaN that glibc prints "nan", while JS keeps
    // no NaN sign and prints x86's usual 0/0 ("-nan").
    else args.push(k < 0.9 ? N(noNaN(randomNumber(r))) : pick(r, [S('12'), S('0x10'), S(' 1e2 '), S('abc'), NIL, B(true)]));
  }
  if (r() < 0.05) fmt += '%';
  return { fn: 'format', args: [S(fmt), ...args] };
}

function simpleCase(r: Rnd): Case {
  const s = r() < 0.9 ? S(subject(r, 10)) : N(pick(r, [12, -1.5, 1e15]));
  const idx = (): Arg => (r() < 0.85 ? N(int(r, -14, 14)) : pick(r, [NIL, S('2'), S('x'), N(2.5), N(-0.5), N(1e10), N(-1e10), N(NaN), N(2 ** 32 + 1)]));
  const fn = pick(r, ['sub', 'sub', 'byte', 'byte', 'char', 'rep', 'len', 'lower', 'upper', 'reverse']);
  const args: Arg[] = fn === 'char' ? [] : [s];
  const extra = fn === 'sub' || fn === 'byte' ? int(r, 0, 2) : fn === 'char' ? int(r, 0, 4) : fn === 'rep' ? 1 : 0;
  for (let i = 0; i < extra; i++) {
    if (fn === 'char') args.push(r() < 0.9 ? N(int(r, -2, 258)) : pick(r, [S('65'), S('a'), N(65.7), NIL]));
    else if (fn === 'rep') args.push(r() < 0.9 ? N(int(r, -2, 5)) : pick(r, [S('3'), NIL, N(2.9), N(-(2 ** 32) + 2)]));
    else args.push(idx());
  }
  if (r() < 0.05) args.length = Math.max(0, args.length - 1);
  return { fn, args };
}

/**
 * The wasm oracle is a 32-bit build (ptrdiff_t and long are 32 bits, float-to-int casts
 * saturate): numeric arguments outside the int32 range behave as on x86-64 only in
 * redis-server, so the oracle does not judge them.
 */
function int32Safe(c: Case): boolean {
  return c.args.every((a, i) => i === 0 || a.t !== 'n' || (a.v > -(2 ** 31) && a.v < 2 ** 31));
}

async function compare(name: string, cases: Case[], against: 'oracle' | 'redis'): Promise<void> {
  if (against === 'oracle') cases = cases.filter(int32Safe);
  await assertAgree(name, cases, against === 'oracle' ? 'oracle' : redis());
}

const gen = fuzzCases;

// ── tests ───────────────────────────────────────────────────────────────────────────────────

test('patterns: find/match/gmatch/gsub over random patterns and subjects agree with the oracle', async () => {
  await compare('patterns', gen(1, 40000, patternCase), 'oracle');
});

test('patterns over long subjects (deeper backtracking) agree with the oracle', async () => {
  await compare('patterns/long', gen(7, 8000, (r) => patternCase(r, 80)), 'oracle');
});

test('patterns agree with redis-server too', { skip: !hasRedisServer() }, async () => {
  await compare('patterns/redis', gen(2, 10000, patternCase), 'redis');
});

test('sub/byte/char/rep/len/lower/upper/reverse agree with the oracle', async () => {
  await compare('simple', gen(3, 20000, simpleCase), 'oracle');
});

test('simple functions agree with redis-server (64-bit casts)', { skip: !hasRedisServer() }, async () => {
  await compare('simple/redis', gen(4, 5000, simpleCase), 'redis');
});

test('format agrees with redis-server over random specs and numbers', { skip: !hasRedisServer() }, async () => {
  await compare('format/redis', gen(5, 30000, formatCase), 'redis');
});

test('format agrees with the oracle where the wasm build is not 32-bit', async () => {
  // The oracle's long is 32 bits: integer conversions of large values differ from x86-64.
  // musl also lacks glibc's "%#.2g of 99.5 is 1.e+02" quirk (see EDGE_GLIBC).
  const cases = gen(6, 20000, formatCase).filter((c) => {
    const f = (c.args[0] as { v: string }).v;
    return !/%[-+ #0]*\d*(\.\d*)?[diouxXc]/.test(f) && !/%[-+ 0]*#[-+ #0]*\d*(\.\d*)?[gG]/.test(f);
  });
  await compare('format/oracle', cases, 'oracle');
});

const EDGE: Case[] = [
  { fn: 'find', args: [S('abc'), S(''), N(10)] },
  { fn: 'find', args: [S('abc'), S(''), N(4)] },
  { fn: 'find', args: [S('abc'), S('c'), N(-1)] },
  { fn: 'find', args: [S('a.b'), S('.'), N(1), B(true)] },
  { fn: 'find', args: [S('a\0b(c'), S('\0b('), N(1)] },
  { fn: 'find', args: [S('a\0b(c'), S('b\0('), N(1)] },
  { fn: 'find', args: [S('x'), S('x%')] },
  { fn: 'find', args: [S('abc'), S('x%')] },
  { fn: 'match', args: [S('abc'), S('[a')] },
  { fn: 'match', args: [S('abc'), S('(a')] },
  { fn: 'match', args: [S('abc'), S('a)')] },
  { fn: 'match', args: [S('abc'), S('%1')] },
  { fn: 'match', args: [S('abc'), S('(a)%2')] },
  { fn: 'match', args: [S('aa'), S('(a)%1')] },
  { fn: 'match', args: [S('abc'), S('%b')] },
  { fn: 'match', args: [S('abc'), S('%ba')] },
  { fn: 'match', args: [S('abc'), S('%fa')] },
  { fn: 'match', args: [S('abc'), S('%f[%a')] },
  { fn: 'match', args: [S('x'), S('()()()()()()()()()()()()()()()()()()()()()()()()()()()()()()()()()')] },
  { fn: 'match', args: [S('x'), S('()()()()()()()()()()()()()()()()()()()()()()()()()()()()()()()()')] },
  { fn: 'match', args: [S('hello world'), S('^(%w+)')] },
  { fn: 'gmatch', args: [S('^a^a'), S('^a')] },
  { fn: 'gmatch', args: [S('abc'), S('')] },
  { fn: 'gmatch', args: [S('k=v, a=b'), S('(%w+)=(%w+)')] },
  { fn: 'gsub', args: [S('abc'), S(''), S('-')] },
  { fn: 'gsub', args: [S('abc'), S('b'), S('%')] },
  { fn: 'gsub', args: [S('abc'), S('b'), S('%2')] },
  { fn: 'gsub', args: [S('abc'), S('(b)'), S('%2')] },
  { fn: 'gsub', args: [S('abc'), S('(b)'), S('[%0%1%%]')] },
  { fn: 'gsub', args: [S('abc'), S('()b'), S('%1')] },
  { fn: 'gsub', args: [S('abc'), S('%w'), S('x'), N(2)] },
  { fn: 'gsub', args: [S('abc'), S('^%w'), S('x')] },
  { fn: 'gsub', args: [S('abc'), S('%w'), TBL('t1')] },
  { fn: 'gsub', args: [S('x'), S('%w'), TBL('t2')] },
  { fn: 'gsub', args: [S('abc'), S('%w'), FN('tbl')] },
  { fn: 'gsub', args: [S('abc'), S('%w'), B(true)] },
  { fn: 'gsub', args: [S('abc'), S('%w')] },
  { fn: 'gsub', args: [S('abc'), S('%w'), NIL, S('x')] },
  { fn: 'format', args: [S('%d')] },
  { fn: 'format', args: [S('%y'), N(1)] },
  { fn: 'format', args: [S('%------d'), N(1)] },
  { fn: 'format', args: [S('%-----d|'), N(1)] },
  { fn: 'format', args: [S('%100d'), N(1)] },
  { fn: 'format', args: [S('%.100d'), N(1)] },
  { fn: 'format', args: [S('%q'), S('a\nb\r\0c"\\\x01\xff')] },
  { fn: 'format', args: [S('%s'), S('x'.repeat(150) + '\0y')] },
  { fn: 'format', args: [S('%.3s'), S('x'.repeat(150))] },
  { fn: 'format', args: [S('%5s|%-5s|'), S('ab'), S('cd')] },
  { fn: 'format', args: [S('%c%c%c'), N(76), N(117), N(97)] },
  { fn: 'format', args: [S('%d'), N(3.99)] },
  { fn: 'format', args: [S('%d'), N(-3.99)] },
  { fn: 'format', args: [S('%d'), S('0x10')] },
  { fn: 'format', args: [S('%d'), S('z')] },
  { fn: 'format', args: [S('%s'), TBL('t1')] },
  { fn: 'format', args: [S('%5.1f|%-8.3e|%+g'), N(2.25), N(12345.678), N(1e-10)] },
  { fn: 'format', args: [S('%%d'), N(1)] },
  { fn: 'format', args: [S('abc%')] },
  { fn: 'format', args: [S('abc%'), N(1)] },
  { fn: 'format', args: [S('%5')] },
  { fn: 'byte', args: [S('x'.repeat(7997)), N(1), N(-1)] },
  { fn: 'byte', args: [S('x'.repeat(7998)), N(1), N(-1)] },
  { fn: 'byte', args: [S('x'.repeat(7998)), N(1), N(-1), NIL] },
  { fn: 'char', args: [N(256)] },
  { fn: 'char', args: [N(-1)] },
  { fn: 'char', args: [N(2 ** 32 + 65)] },
  { fn: 'char', args: [] },
  { fn: 'rep', args: [S('ab'), N(3)] },
  { fn: 'rep', args: [S('ab')] },
  { fn: 'rep', args: [] },
  { fn: 'rep', args: [S(''), N(1000)] },
  { fn: 'sub', args: [S('hello'), N(2)] },
  { fn: 'sub', args: [S('hello')] },
  { fn: 'sub', args: [S('hello'), N(-3), N(-2)] },
  { fn: 'sub', args: [S('hello'), N(2 ** 53), N(-(2 ** 63))] },
  { fn: 'lower', args: [S('AbC\xc0\xe9Z')] },
  { fn: 'upper', args: [S('aBc\xe0\xe9z')] },
  { fn: 'len', args: [N(-1.5)] },
  { fn: 'reverse', args: [S('ab\0c')] },
  { fn: 'reverse', args: [S('ab\0c\xff\x80'.repeat(30))] },
  { fn: 'lower', args: [S('ABC\xc0\xe9Z'.repeat(30))] },
  { fn: 'dump', args: [] },
  { fn: 'dump', args: [S('x')] },
  { fn: 'dump', args: [FN('cat')] },
  { fn: 'gfind', args: [S('a b'), S('%a')] },
];

/** Where glibc (redis-server) and the oracle's musl printf differ; redis-server is the truth. */
const EDGE_GLIBC: Case[] = [
  // glibc's '#' with %g keeps no fraction digit when rounding carries into exponent style.
  { fn: 'format', args: [S('%#.2g|%#.3g|%#.2g|%#.3G|%#.1g|%#.2g'), N(99.5), N(999.6), N(995), N(99.95), N(9.5), N(0.0995)] },
];

test('edge cases agree with redis-server', { skip: !hasRedisServer() }, async () => {
  // string.dump of a Lua function: Redis returns bytecode, which a compiler to JS cannot make.
  const cases = [...EDGE, ...EDGE_GLIBC].filter((c) => !(c.fn === 'dump' && c.args[0]?.t === 'f'));
  await compare('edge/redis', cases, 'redis');
});

test('edge cases agree with the oracle', async () => {
  const cases = EDGE.filter((c) => !(c.fn === 'dump' && c.args[0]?.t === 'f') && !(c.fn === 'char' && c.args.length === 1 && c.args[0].t === 'n' && c.args[0].v > 2 ** 31));
  await compare('edge/oracle', cases, 'oracle');
});

test('dump refuses functions it cannot dump as Lua refuses C functions', () => {
  assert.deepEqual(runJs({ fn: 'dump', args: [FN('cat')] }), ['err', 'eunable to dump given function']);
});

test('gfind is gmatch; the library keeps lstrlib.c registration order', () => {
  const entries = stringLibrary();
  assert.deepEqual(
    entries.map(([k]) => k),
    ['byte', 'char', 'dump', 'find', 'format', 'gfind', 'gmatch', 'gsub', 'len', 'lower', 'match', 'rep', 'reverse', 'sub', 'upper'],
  );
  assert.equal(lib.gfind, lib.gmatch);
});

test('long patterns and subjects do not overflow the JS stack', () => {
  const n = 200000;
  const s = 'a'.repeat(n);
  assert.deepEqual(lib.match(s, 'a?'.repeat(n) + '$'), [s]);
  assert.deepEqual(lib.find(s, '(' + 'a-'.repeat(1000) + ')$'), [1, n, s]);
  assert.deepEqual(lib.gsub(s, 'a', 'b')[1], n);
  assert.deepEqual(lib.match(s + 'b', '.-b'), [s + 'b']);
});

test('rep refuses absurd sizes before allocating', () => {
  assert.throws(() => lib.rep('abc', 2 ** 31 - 1), /resulting string too large/);
  assert.throws(() => lib.rep('x', MAX_STRING + 1), /resulting string too large/);
  assert.deepEqual(lib.rep('', 2 ** 31 - 1), ['']);
  assert.deepEqual(lib.rep('ab', 2 ** 32 + 2), ['abab']);
});
