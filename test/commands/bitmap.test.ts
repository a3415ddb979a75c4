/**
 * Bitmap commands, differential against redis-server (identical replies, type and content).
 * WRONGTYPE cases need a non-string key, which reddish gets directly through an embedded
 * server next to a spawned redis-server. Propagation of these commands is covered by the
 * replica-stream test in string.test.ts.
 */
import { ListValue } from '../../src/store/list.js';
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startPair, same, type Pair, type Step } from '../helpers/differential.js';
import { RespClient, plain, type Reply } from '../helpers/resp.js';
import { startServer } from '../helpers/servers.js';
import { startServer as startEmbedded, type RunningServer } from '../../src/index.js';
import { ValueType, type RedisValue } from '../../src/store/values.js';

let pair: Pair;
let mixed: { pair: Pair; srv: RunningServer; close(): Promise<void> };

before(async () => {
  const startMixed = async () => {
    const [redis, srv] = await Promise.all([startServer('redis'), startEmbedded({ port: 0, config: { save: '' } })]);
    const [a, b] = await Promise.all([RespClient.connect(redis.port), RespClient.connect(srv.port)]);
    const close = async () => {
      a.close();
      b.close();
      await Promise.all([redis.stop(), srv.close()]);
    };
    return { pair: { redis, reddish: redis, a, b, close } as Pair, srv, close };
  };
  [pair, mixed] = await Promise.all([startPair(), startMixed()]);
});

after(async () => {
  await Promise.all([pair?.close(), mixed?.close()]);
});

async function fresh(steps: Step[], p: Pair = pair): Promise<Reply[]> {
  await same(p, [['FLUSHALL']]);
  return same(p, steps);
}

/** Deterministic pseudo-random generator so failures are reproducible. */
function rng(seed: number): (n: number) => number {
  let s = seed;
  return (n: number) => {
    s = (s * 1103515245 + 12345) & 0x7fffffff;
    return s % n;
  };
}

function randomBytes(rnd: (n: number) => number, len: number): string {
  let s = '';
  for (let i = 0; i < len; i++) {
    const k = rnd(4);
    s += String.fromCharCode(k === 0 ? 0 : k === 1 ? 0xff : rnd(256));
  }
  return s;
}

// ---------------------------------------------------------------- SETBIT / GETBIT

test('SETBIT / GETBIT basics and growth', async () => {
  await fresh([
    ['GETBIT', 'missing', '0'],
    ['GETBIT', 'missing', '4294967295'],
    ['SETBIT', 'k', '7', '1'],
    ['GET', 'k'],
    ['SETBIT', 'k', '7', '1'],
    ['SETBIT', 'k', '7', '0'],
    ['SETBIT', 'k', '0', '1'],
    ['GET', 'k'],
    ['SETBIT', 'k', '100', '1'],
    ['STRLEN', 'k'],
    ['GET', 'k'],
    ['GETBIT', 'k', '0'],
    ['GETBIT', 'k', '1'],
    ['GETBIT', 'k', '100'],
    ['GETBIT', 'k', '101'],
    ['GETBIT', 'k', '1000'],
    ['SETBIT', 'z', '20', '0'],
    ['GET', 'z'],
    ['SET', 's', 'A'],
    ['GETBIT', 's', '1'],
    ['GETBIT', 's', '7'],
    ['GETBIT', 's', '6'],
    ['SETBIT', 's', '6', '1'],
    ['GET', 's'],
    ['SET', 'n', '12'],
    ['GETBIT', 'n', '2'],
    ['SETBIT', 'n', '15', '1'],
    ['GET', 'n'],
    ['INCR', 'n'],
    ['SETBIT', 'n', '4', '0'],
    ['GET', 'n'],
    ['APPEND', 'n', 'x'],
    ['GET', 'n'],
  ]);
});

test('SETBIT / GETBIT argument errors and the 512MB limit', async () => {
  await fresh([
    ['SETBIT', 'k', '-1', '1'],
    ['SETBIT', 'k', 'x', '1'],
    ['SETBIT', 'k', '1.5', '1'],
    ['SETBIT', 'k', '4294967296', '1'],
    ['SETBIT', 'k', '9223372036854775807', '1'],
    ['SETBIT', 'k', '9223372036854775808', '1'],
    ['SETBIT', 'k', '0', '2'],
    ['SETBIT', 'k', '0', '-1'],
    ['SETBIT', 'k', '0', 'x'],
    ['SETBIT', 'k', '0', ''],
    ['SETBIT', 'k', '0', '01'],
    ['SETBIT', 'k', 'x', 'x'],
    ['SETBIT', 'k', '0'],
    ['GET', 'k'],
    ['GETBIT', 'k', '-1'],
    ['GETBIT', 'k', 'x'],
    ['GETBIT', 'k', '4294967296'],
    ['GETBIT', 'k', '#1'],
    ['GETBIT', 'k'],
    ['CONFIG', 'SET', 'proto-max-bulk-len', '1048576'],
    ['SETBIT', 'k', '8388608', '1'],
    ['GETBIT', 'k', '8388608'],
    ['GETBIT', 'k', '8388607'],
    ['SETBIT', 'k', '8388607', '1'],
    ['STRLEN', 'k'],
    ['CONFIG', 'SET', 'proto-max-bulk-len', '536870912'],
  ]);
});

test('SETBIT on many offsets stays consistent with GET', async () => {
  const rnd = rng(7);
  const steps: Step[] = [];
  for (let i = 0; i < 300; i++) steps.push(['SETBIT', 'bm', String(rnd(2000)), String(rnd(2))]);
  steps.push(['GET', 'bm'], ['STRLEN', 'bm'], ['BITCOUNT', 'bm']);
  for (let i = 0; i < 50; i++) steps.push(['GETBIT', 'bm', String(rnd(2100))]);
  await fresh(steps);
});

// ---------------------------------------------------------------- BITCOUNT

test('BITCOUNT ranges, BYTE/BIT units and errors', async () => {
  const steps: Step[] = [
    ['BITCOUNT', 'missing'],
    ['BITCOUNT', 'missing', '0'],
    ['BITCOUNT', 'missing', 'x', 'y', 'FOO'],
    ['SET', 'k', 'foobar'],
    ['SET', 'empty', ''],
    ['BITCOUNT', 'k'],
    ['BITCOUNT', 'k', '0'],
    ['BITCOUNT', 'k', '0', '0', 'BYTE', 'x'],
    ['BITCOUNT', 'k', '0', '0', 'WORD'],
    ['BITCOUNT', 'k', 'x', '0'],
    ['BITCOUNT', 'k', '0', 'x'],
    ['BITCOUNT', 'k', '-1', '-5', 'FOO'],
    ['BITCOUNT', 'k', '0', '-1', 'bit'],
    ['BITCOUNT', 'k', '0', '-1', 'Byte'],
    ['BITCOUNT', 'k', '9223372036854775807', '-9223372036854775808'],
    ['BITCOUNT', 'k', '-9223372036854775808', '9223372036854775807', 'BIT'],
    ['BITCOUNT', 'k', '-9223372036854775808', '9223372036854775807'],
    ['BITCOUNT', 'empty'],
    ['BITCOUNT', 'empty', '0', '-1'],
    ['BITCOUNT', 'empty', '0', '-1', 'BIT'],
  ];
  const idx = ['0', '1', '2', '5', '6', '7', '8', '9', '15', '40', '47', '48', '100', '-1', '-2', '-6', '-7', '-8', '-9', '-47', '-48', '-49', '-100'];
  for (const s of idx) {
    for (const e of idx) {
      steps.push(['BITCOUNT', 'k', s, e], ['BITCOUNT', 'k', s, e, 'BIT']);
    }
  }
  await fresh(steps);
});

test('BITCOUNT on random strings and random BIT ranges', async () => {
  const rnd = rng(11);
  const steps: Step[] = [];
  for (let r = 0; r < 20; r++) {
    const len = rnd(70);
    steps.push(['SET', 'r', randomBytes(rnd, len)], ['BITCOUNT', 'r']);
    for (let i = 0; i < 15; i++) {
      const span = len * 8 + 20;
      const s = rnd(span * 2) - span;
      const e = rnd(span * 2) - span;
      steps.push(['BITCOUNT', 'r', String(s), String(e), 'BIT'], ['BITCOUNT', 'r', String(s >> 3), String(e >> 3)]);
    }
  }
  // Larger strings go through the word-at-a-time path.
  steps.push(['SET', 'big', randomBytes(rnd, 100000)], ['BITCOUNT', 'big'], ['BITCOUNT', 'big', '3', '99997'], ['BITCOUNT', 'big', '13', '-13', 'BIT']);
  await fresh(steps);
});

// ---------------------------------------------------------------- BITPOS

test('BITPOS cases and errors', async () => {
  const steps: Step[] = [
    ['BITPOS', 'missing', '1'],
    ['BITPOS', 'missing', '0'],
    ['BITPOS', 'missing', '1', 'x', 'y', 'z', 'w'],
    ['BITPOS', 'missing', '2'],
    ['BITPOS', 'missing', 'x'],
    ['SET', 'k', '\xff\xf0\x00'],
    ['SET', 'ones', '\xff\xff\xff'],
    ['SET', 'zeros', '\x00\x00\x00'],
    ['SET', 'empty', ''],
    ['BITPOS', 'k', '2'],
    ['BITPOS', 'k', '-1'],
    ['BITPOS', 'k', 'x'],
    ['BITPOS', 'k', '1', 'x'],
    ['BITPOS', 'k', '1', '0', 'x'],
    ['BITPOS', 'k', '1', '0', 'x', 'FOO'],
    ['BITPOS', 'k', '1', '0', '1', 'FOO'],
    ['BITPOS', 'k', '1', '0', '1', 'BIT', 'extra'],
    ['BITPOS', 'k', '0'],
    ['BITPOS', 'k', '1'],
    ['BITPOS', 'ones', '0'],
    ['BITPOS', 'ones', '0', '0'],
    ['BITPOS', 'ones', '0', '0', '-1'],
    ['BITPOS', 'ones', '0', '0', '-1', 'BIT'],
    ['BITPOS', 'ones', '0', '3', 'BIT'],
    ['BITPOS', 'ones', '1', '3'],
    ['BITPOS', 'zeros', '1'],
    ['BITPOS', 'zeros', '1', '1'],
    ['BITPOS', 'zeros', '0', '1'],
    ['BITPOS', 'empty', '0'],
    ['BITPOS', 'empty', '1'],
    ['BITPOS', 'empty', '0', '0', '-1'],
    ['BITPOS', 'empty', '0', '0', '-1', 'BIT'],
    ['BITPOS', 'k', '1', '9223372036854775807'],
    ['BITPOS', 'k', '0', '-9223372036854775808', '9223372036854775807', 'BIT'],
    ['SET', 'n', '0'],
    ['BITPOS', 'n', '1'],
    ['BITPOS', 'n', '0'],
  ];
  const idx = ['0', '1', '3', '7', '8', '12', '15', '16', '23', '24', '30', '-1', '-2', '-8', '-9', '-17', '-24', '-25', '-40'];
  for (const key of ['k', 'ones', 'zeros']) {
    for (const bit of ['0', '1']) {
      for (const s of idx) {
        steps.push(['BITPOS', key, bit, s], ['BITPOS', key, bit, s, '-1', 'BIT']);
        for (const e of idx) steps.push(['BITPOS', key, bit, s, e], ['BITPOS', key, bit, s, e, 'BIT'], ['BITPOS', key, bit, s, e, 'byte']);
      }
    }
  }
  await fresh(steps);
});

test('BITPOS on random strings', async () => {
  const rnd = rng(5);
  const steps: Step[] = [];
  for (let r = 0; r < 25; r++) {
    const len = 1 + rnd(40);
    steps.push(['SET', 'r', randomBytes(rnd, len)], ['BITPOS', 'r', '0'], ['BITPOS', 'r', '1']);
    for (let i = 0; i < 12; i++) {
      const span = len * 8 + 16;
      const s = String(rnd(span * 2) - span);
      const e = String(rnd(span * 2) - span);
      const bit = String(rnd(2));
      steps.push(['BITPOS', 'r', bit, s, e, 'BIT'], ['BITPOS', 'r', bit, s], ['BITPOS', 'r', bit, String(Number(s) >> 3), String(Number(e) >> 3)]);
    }
  }
  const long = '\x00'.repeat(5000) + '\x01' + '\xff'.repeat(3000);
  steps.push(['SET', 'long', long], ['BITPOS', 'long', '1'], ['BITPOS', 'long', '0', '5001'], ['BITPOS', 'long', '0', '5001', '-1'], ['BITPOS', 'long', '1', '3', '-2', 'BIT']);
  await fresh(steps);
});

// ---------------------------------------------------------------- BITOP

test('BITOP AND OR XOR NOT', async () => {
  await fresh([
    ['SET', 'a', '\xff\x0f\xf0\xaa'],
    ['SET', 'b', '\x0f\xff'],
    ['SET', 'c', 'foobar-foobar-foobar-foobar-foobar-foobar'],
    ['SET', 'd', 'abcdefghijklmnopqrstuvwxyz0123456789ABCDEFGHIJ'],
    ['BITOP', 'AND', 'r', 'a', 'b'],
    ['GET', 'r'],
    ['BITOP', 'OR', 'r', 'a', 'b'],
    ['GET', 'r'],
    ['BITOP', 'XOR', 'r', 'a', 'b'],
    ['GET', 'r'],
    ['BITOP', 'NOT', 'r', 'a'],
    ['GET', 'r'],
    ['BITOP', 'and', 'r', 'c', 'd'],
    ['GET', 'r'],
    ['BITOP', 'or', 'r', 'c', 'd', 'a'],
    ['GET', 'r'],
    ['BITOP', 'xor', 'r', 'c', 'd', 'b', 'a'],
    ['GET', 'r'],
    ['BITOP', 'Not', 'r', 'd'],
    ['GET', 'r'],
    ['BITOP', 'AND', 'r', 'a', 'missing'],
    ['GET', 'r'],
    ['BITOP', 'OR', 'r', 'missing', 'a'],
    ['GET', 'r'],
    ['BITOP', 'XOR', 'r', 'a', 'a'],
    ['GET', 'r'],
    ['BITOP', 'AND', 'r', 'a'],
    ['GET', 'r'],
    ['BITOP', 'NOT', 'r', 'missing'],
    ['GET', 'r'],
    ['BITOP', 'OR', 'r', 'm1', 'm2'],
    ['GET', 'r'],
    ['BITOP', 'NOT', 'r', 'a', 'b'],
    ['BITOP', 'NAND', 'r', 'a', 'b'],
    ['BITOP', 'AND', 'r'],
    ['SET', 'e', ''],
    ['BITOP', 'OR', 'r2', 'e', 'e'],
    ['GET', 'r2'],
    ['BITOP', 'AND', 'a', 'a', 'c'],
    ['GET', 'a'],
    ['SET', 'n', '123'],
    ['BITOP', 'OR', 'n2', 'n', 'b'],
    ['GET', 'n2'],
  ]);
});

test('BITOP on random strings of many lengths', async () => {
  const rnd = rng(3);
  const steps: Step[] = [];
  for (let r = 0; r < 30; r++) {
    const k = 1 + rnd(5);
    const keys: string[] = [];
    for (let i = 0; i < k; i++) {
      const key = `s${i}`;
      keys.push(key);
      steps.push(['SET', key, randomBytes(rnd, rnd(3) === 0 ? rnd(200) : rnd(12))]);
    }
    for (const op of ['AND', 'OR', 'XOR']) steps.push(['BITOP', op, 'dst', ...keys], ['GET', 'dst']);
    steps.push(['BITOP', 'NOT', 'dst', keys[0]], ['GET', 'dst']);
  }
  await fresh(steps);
});

// ---------------------------------------------------------------- BITFIELD

test('BITFIELD GET SET INCRBY with signed and unsigned types', async () => {
  await fresh([
    ['BITFIELD', 'k'],
    ['BITFIELD', 'k', 'GET', 'u8', '0'],
    ['BITFIELD', 'k', 'SET', 'i8', '0', '-100', 'GET', 'u8', '0', 'GET', 'i8', '0'],
    ['GET', 'k'],
    ['BITFIELD', 'k', 'INCRBY', 'u2', '100', '1', 'OVERFLOW', 'SAT', 'INCRBY', 'i4', '104', '-9'],
    ['BITFIELD', 'k', 'SET', 'i64', '0', '-9223372036854775808', 'GET', 'i64', '0', 'GET', 'u63', '0', 'GET', 'u63', '1'],
    ['BITFIELD', 'k', 'SET', 'i64', '3', '9223372036854775807', 'GET', 'i64', '3', 'GET', 'i1', '3', 'GET', 'u1', '3', 'GET', 'i1', '4'],
    ['BITFIELD', 'k', 'SET', 'u63', '5', '9223372036854775807', 'GET', 'u63', '5', 'GET', 'i64', '5'],
    ['BITFIELD', 'k', 'SET', 'u8', '#1', '200', 'GET', 'u8', '8', 'SET', 'i16', '#3', '-2', 'GET', 'i16', '48'],
    ['BITFIELD', 'k', 'GET', 'u8', '#0', 'GET', 'u8', '#1', 'GET', 'u8', '#100'],
    ['GET', 'k'],
    ['STRLEN', 'k'],
    ['BITFIELD', 'k', 'get', 'i5', '1', 'set', 'u3', '7', '5', 'incrby', 'i7', '2', '100'],
    ['BITFIELD', 'k', 'INCRBY', 'i64', '0', '9223372036854775807'],
    ['BITFIELD', 'k', 'GET', 'u8', '1000000'],
    ['STRLEN', 'k'],
    ['SET', 's', 'hello'],
    ['BITFIELD', 's', 'GET', 'u8', '0', 'GET', 'i8', '8', 'GET', 'u16', '4', 'GET', 'i64', '0', 'GET', 'u63', '1', 'GET', 'i32', '30'],
    ['BITFIELD', 's', 'SET', 'u4', '0', '15'],
    ['GET', 's'],
    ['BITFIELD_RO', 's', 'GET', 'u8', '0', 'GET', 'i3', '13'],
    ['BITFIELD_RO', 'missing', 'GET', 'u8', '0'],
    ['BITFIELD_RO', 's'],
    ['BITFIELD_RO', 's', 'SET', 'u8', '0', '1'],
    ['BITFIELD_RO', 's', 'GET', 'u8', '0', 'INCRBY', 'u8', '0', '1'],
    ['BITFIELD_RO', 's', 'OVERFLOW', 'SAT', 'GET', 'u8', '0'],
    ['BITFIELD_RO', 's', 'GET', 'u64', '0'],
    ['GET', 's'],
  ]);
});

test('BITFIELD overflow modes WRAP SAT FAIL', async () => {
  const steps: Step[] = [];
  const types = ['u1', 'u2', 'u7', 'u8', 'u15', 'u31', 'u32', 'u33', 'u53', 'u62', 'u63', 'i1', 'i2', 'i7', 'i8', 'i16', 'i31', 'i32', 'i33', 'i53', 'i63', 'i64'];
  const values = ['0', '1', '-1', '2', '-2', '3', '100', '-100', '127', '128', '-128', '-129', '255', '256', '65535', '2147483647', '2147483648', '-2147483649', '4294967296', '9007199254740993', '4611686018427387904', '-4611686018427387905', '9223372036854775807', '-9223372036854775808'];
  for (const ow of ['WRAP', 'SAT', 'FAIL']) {
    for (const t of types) {
      for (const v of values) {
        steps.push(['BITFIELD', 'f', 'OVERFLOW', ow, 'SET', t, '3', v, 'GET', t, '3']);
        steps.push(['BITFIELD', 'f', 'OVERFLOW', ow, 'INCRBY', t, '3', v, 'INCRBY', t, '3', v, 'GET', t, '3']);
      }
    }
  }
  steps.push(['GET', 'f']);
  // Mode switches apply to the operations that follow them.
  steps.push(['BITFIELD', 'g', 'SET', 'u8', '0', '250', 'INCRBY', 'u8', '0', '10', 'OVERFLOW', 'SAT', 'INCRBY', 'u8', '0', '250', 'OVERFLOW', 'FAIL', 'INCRBY', 'u8', '0', '1', 'OVERFLOW', 'wrap', 'INCRBY', 'u8', '0', '1']);
  steps.push(['BITFIELD', 'h', 'OVERFLOW', 'FAIL', 'INCRBY', 'u8', '800', '256'], ['GET', 'h'], ['STRLEN', 'h']);
  await fresh(steps);
});

test('BITFIELD argument errors', async () => {
  await fresh([
    ['BITFIELD', 'k', 'GET'],
    ['BITFIELD', 'k', 'GET', 'u8'],
    ['BITFIELD', 'k', 'SET', 'u8', '0'],
    ['BITFIELD', 'k', 'INCRBY', 'u8', '0'],
    ['BITFIELD', 'k', 'FOO', 'u8', '0'],
    ['BITFIELD', 'k', 'OVERFLOW'],
    ['BITFIELD', 'k', 'OVERFLOW', 'BAD'],
    ['BITFIELD', 'k', 'OVERFLOW', 'BAD', 'GET', 'x', 'y'],
    ['BITFIELD', 'k', 'GET', 'u64', '0'],
    ['BITFIELD', 'k', 'GET', 'i65', '0'],
    ['BITFIELD', 'k', 'GET', 'i0', '0'],
    ['BITFIELD', 'k', 'GET', 'u0', '0'],
    ['BITFIELD', 'k', 'GET', 'I8', '0'],
    ['BITFIELD', 'k', 'GET', 'U8', '0'],
    ['BITFIELD', 'k', 'GET', 'x8', '0'],
    ['BITFIELD', 'k', 'GET', 'i', '0'],
    ['BITFIELD', 'k', 'GET', 'i08', '0'],
    ['BITFIELD', 'k', 'GET', 'i-8', '0'],
    ['BITFIELD', 'k', 'GET', '', '0'],
    ['BITFIELD', 'k', 'GET', 'u8', '-1'],
    ['BITFIELD', 'k', 'GET', 'u8', 'x'],
    ['BITFIELD', 'k', 'GET', 'u8', '#'],
    ['BITFIELD', 'k', 'GET', 'u8', '#-1'],
    ['BITFIELD', 'k', 'GET', 'u8', '##1'],
    ['BITFIELD', 'k', 'GET', 'u8', '4294967296'],
    ['BITFIELD', 'k', 'GET', 'u8', '4294967295'],
    ['BITFIELD', 'k', 'GET', 'u8', '#536870912'],
    ['BITFIELD', 'k', 'GET', 'u8', '#536870911'],
    ['BITFIELD', 'k', 'GET', 'i64', '#1152921504606846976'],
    ['BITFIELD', 'k', 'GET', 'i64', '#9223372036854775807'],
    ['BITFIELD', 'k', 'GET', 'u2', '#4611686018427387904'],
    ['BITFIELD', 'k', 'SET', 'u8', '0', 'x'],
    ['BITFIELD', 'k', 'SET', 'u8', '0', '1.5'],
    ['BITFIELD', 'k', 'SET', 'u8', '0', '9223372036854775808'],
    ['BITFIELD', 'k', 'INCRBY', 'u8', '0', ''],
    ['BITFIELD', 'k', 'SET', 'u8', '4294967296', '1'],
    ['BITFIELD', 'k', 'GET', 'u8', '0', 'SET', 'u8', '0', '1', 'GET'],
    ['BITFIELD', 'k', 'SET', 'u8', '0', '1', 'GET', 'u64', '0'],
    ['GET', 'k'],
    ['BITFIELD_RO', 'k', 'GET', 'u8'],
    ['BITFIELD_RO', 'k', 'FOO'],
    ['BITFIELD'],
    ['BITFIELD_RO'],
  ]);
});

test('BITFIELD on random operations', async () => {
  const rnd = rng(17);
  const steps: Step[] = [];
  const ows = ['WRAP', 'SAT', 'FAIL'];
  for (let r = 0; r < 150; r++) {
    const args: string[] = ['BITFIELD', 'rf'];
    const nops = 1 + rnd(4);
    for (let i = 0; i < nops; i++) {
      const signed = rnd(2) === 0;
      const bits = signed ? 1 + rnd(64) : 1 + rnd(63);
      const type = (signed ? 'i' : 'u') + bits;
      const off = rnd(3) === 0 ? '#' + rnd(8) : String(rnd(200));
      const op = rnd(4);
      const v = String(rnd(2) ? rnd(1000) - 500 : (rnd(2) ? '-' : '') + String(rnd(1000000)) + String(rnd(1000000)) + String(rnd(100000)));
      if (op === 0) args.push('GET', type, off);
      else if (op === 1) args.push('SET', type, off, v);
      else if (op === 2) args.push('INCRBY', type, off, v);
      else args.push('OVERFLOW', ows[rnd(3)]);
    }
    steps.push(args);
  }
  steps.push(['GET', 'rf']);
  await fresh(steps);
});

// ---------------------------------------------------------------- WRONGTYPE

test('WRONGTYPE for bitmap commands, BITOP overwrites any type', async () => {
  const p = mixed.pair;
  await same(p, [['FLUSHALL']]);
  assert.deepEqual(plain(await p.a.call('RPUSH', 'list', 'x')), 1);
  const fake: RedisValue = ListValue.from(['x']);
  mixed.srv.server.keyspace.dbs[0].set('list', fake);
  await same(p, [
    ['SETBIT', 'list', '0', '1'],
    ['SETBIT', 'list', '-1', '1'],
    ['SETBIT', 'list', '0', '5'],
    ['GETBIT', 'list', '0'],
    ['GETBIT', 'list', '-1'],
    ['BITCOUNT', 'list'],
    ['BITCOUNT', 'list', 'x', 'y'],
    ['BITPOS', 'list', '1'],
    ['BITPOS', 'list', '5'],
    ['BITPOS', 'list', '1', 'x'],
    ['SET', 's', 'abc'],
    ['BITOP', 'AND', 'dst', 's', 'list'],
    ['BITOP', 'NOT', 'dst', 'list'],
    ['GET', 'dst'],
    ['BITFIELD', 'list', 'GET', 'u8', '0'],
    ['BITFIELD', 'list', 'SET', 'u8', '0', '1'],
    ['BITFIELD', 'list', 'GET', 'u99', '0'],
    ['BITFIELD_RO', 'list', 'GET', 'u8', '0'],
    ['BITFIELD_RO', 'list', 'SET', 'u8', '0', '1'],
    ['BITOP', 'OR', 'list', 's'],
    ['GET', 'list'],
  ]);
  mixed.srv.server.keyspace.dbs[0].set('list2', fake);
  assert.deepEqual(plain(await p.a.call('RPUSH', 'list2', 'x')), 1);
  await same(p, [['BITOP', 'OR', 'list2', 'missing'], ['GET', 'list2'], ['BITCOUNT', 'list2']]);
});

test('BITOP drops the destination TTL; SETBIT/BITFIELD keep it', async () => {
  const p = mixed.pair;
  await same(p, [['FLUSHALL'], ['SET', 'dst', 'x', 'EX', '100'], ['SET', 'src', 'abc'], ['BITOP', 'OR', 'dst', 'src'], ['SET', 'b', 'x', 'EX', '100'], ['SETBIT', 'b', '100', '1'], ['BITFIELD', 'b', 'SET', 'u8', '200', '7']]);
  const db = mixed.srv.server.keyspace.dbs[0];
  assert.equal(plain(await p.a.call('TTL', 'dst')), -1);
  assert.equal(db.getExpire('dst'), undefined);
  const ttl = Number(plain(await p.a.call('TTL', 'b')));
  assert.ok(ttl > 90 && ttl <= 100);
  const mine = db.getExpire('b');
  assert.ok(mine !== undefined && mine - Date.now() > 90000);
});
