/**
 * Blob encodings: listpack (decode + build, every integer width, every string/backlen size),
 * ziplist, intset and zipmap decoders on byte sequences from the spec and on hand-built blobs,
 * and rejection of malformed blobs.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  canonicalInt,
  encodeIntset,
  encodeListpack,
  EncodingError,
  intsetToStrings,
  listpackToStrings,
  listpackToValues,
  ListpackBuilder,
  ziplistToStrings,
  ziplistToValues,
  zipmapToStrings,
} from '../../src/persistence/encodings.js';
import { ziplist, zipmap } from './legacy-blobs.js';

const hex = (s: string): Buffer => Buffer.from(s.replace(/[^0-9a-f]/gi, ''), 'hex');

function lpStrings(b: Buffer): string[] {
  const out: string[] = [];
  listpackToStrings(b, 0, b.length, out);
  return out;
}

test('canonicalInt follows string2ll', () => {
  assert.equal(canonicalInt('0'), 0);
  assert.equal(canonicalInt('-1'), -1);
  assert.equal(canonicalInt('9007199254740993'), 9007199254740993n);
  assert.equal(canonicalInt('9223372036854775807'), 9223372036854775807n);
  assert.equal(canonicalInt('-9223372036854775808'), -9223372036854775808n);
  for (const bad of ['', '-', '-0', '01', '+1', ' 1', '1 ', '1.0', '1e3', '9223372036854775808', '-9223372036854775809', 'x', '12a']) {
    assert.equal(canonicalInt(bad), null, JSON.stringify(bad));
  }
});

test('listpack: the spec example (Redis 7.0.15 l:small) decodes and re-encodes byte for byte', () => {
  const bytes = hex('1a000000 0600 816102 816202 0101 dfff02 c12c02 f270110104 ff');
  assert.deepEqual(lpStrings(bytes), ['a', 'b', '1', '-1', '300', '70000']);
  assert.deepEqual(listpackToValues(bytes, 0, bytes.length), ['a', 'b', 1, -1, 300, 70000]);
  assert.ok(encodeListpack(['a', 'b', '1', '-1', '300', '70000']).equals(bytes));
});

test('listpack: every integer width and string length class round trips', () => {
  const ints: (number | bigint)[] = [
    0, 1, 127, 128, -1, -4096, 4095, 4096, -4097, 32767, -32768, 32768, -32769, 8388607, -8388608, 8388608, -8388609,
    2147483647, -2147483648, 2147483648, -2147483649, 2 ** 53 - 1, -(2 ** 53 - 1), 9007199254740993n, 9223372036854775807n,
    -9223372036854775808n,
  ];
  const strs = ['', 'x', 'y'.repeat(63), 'z'.repeat(64), 'w'.repeat(127), 'v'.repeat(4095), 'u'.repeat(4096), 't'.repeat(20000), 's'.repeat(70000), '01', '-0', '+1', ' 1', '\x00\xff\x80'];
  const items = [...ints.map((v) => String(v)), ...strs];
  const lp = encodeListpack(items);
  assert.deepEqual(lpStrings(lp), items);
  const vals = listpackToValues(lp, 0, lp.length);
  for (let i = 0; i < ints.length; i++) {
    const v = vals[i];
    assert.equal(typeof v === 'bigint' ? v : BigInt(v as number), BigInt(ints[i]), `int ${ints[i]}`);
  }
  for (let i = 0; i < strs.length; i++) assert.equal(vals[ints.length + i], strs[i]);
  // integer-looking text is stored with integer encodings (Redis does the same)
  assert.equal(encodeListpack(['12345']).length, 6 + 3 + 1 + 1);
});

test('listpack: builder reuse and count beyond 65535 (header says unknown)', () => {
  const b = new ListpackBuilder(16);
  for (let round = 0; round < 2; round++) {
    b.reset();
    for (let i = 0; i < 70000; i++) b.add(i % 2 ? 'a' : String(i));
    const n = b.finish();
    const blob = Buffer.from(b.buf.subarray(0, n));
    assert.equal(blob.readUInt16LE(4), 65535);
    const out = lpStrings(blob);
    assert.equal(out.length, 70000);
    assert.equal(out[69998], '69998');
    assert.equal(out[69999], 'a');
  }
});

test('listpack: malformed blobs are rejected with an offset inside the blob', () => {
  const good = encodeListpack(['abc', '5', 'hello world']);
  const bad = (mutate: (b: Buffer) => Buffer, why: RegExp) => {
    const b = mutate(Buffer.from(good));
    assert.throws(
      () => lpStrings(b),
      (e: unknown) => e instanceof EncodingError && why.test(e.message) && typeof e.blobOffset === 'number',
    );
  };
  bad((b) => (b.writeUInt32LE(b.length + 1, 0), b), /header says/);
  bad((b) => (b.writeUInt16LE(2, 4), b), /elements/);
  bad((b) => ((b[b.length - 1] = 0), b), /0xFF/);
  bad((b) => ((b[10] = 9), b), /backlen|past the end|overrun/); // corrupt backlen of "abc"
  bad((b) => ((b[6] = 0xf5), b), /invalid listpack encoding/);
  bad((b) => ((b[6] = 0x80 | 40), b), /past the end/); // string longer than the blob
  bad((b) => b.subarray(0, 5), /too short/);
});

// ------------------------------------------------------------------ ziplist

test('ziplist: the spec example (Redis 6.2.16 h:small) decodes', () => {
  const bytes = hex('19000000 16000000 0400 00 02 6631 04 02 7631 04 02 6632 04 f3 ff');
  const out: string[] = [];
  assert.equal(ziplistToStrings(bytes, 0, bytes.length, out), 4);
  assert.deepEqual(out, ['f1', 'v1', 'f2', '2']);
});

test('ziplist: every entry encoding, 2-byte and 5-byte prevlen, long strings', () => {
  const long300 = 'L'.repeat(300);
  const long20000 = 'M'.repeat(20000);
  const zl = ziplist([
    'a',
    { int: 0, enc: 'imm' },
    { int: 12, enc: 'imm' },
    { int: -128, enc: 'fe' },
    { int: 127, enc: 'fe' },
    { int: -32768, enc: 'c0' },
    { int: -8388608, enc: 'f0' },
    { int: 8388607, enc: 'f0' },
    { int: -2147483648, enc: 'd0' },
    { int: 9223372036854775807n, enc: 'e0' },
    long300, // 14-bit length; the next entry needs a 5-byte prevlen
    'after-long',
    long20000, // 32-bit length
    'end',
  ]);
  const out: string[] = [];
  ziplistToStrings(zl, 0, zl.length, out);
  assert.deepEqual(out, ['a', '0', '12', '-128', '127', '-32768', '-8388608', '8388607', '-2147483648', '9223372036854775807', long300, 'after-long', long20000, 'end']);
  const vals = ziplistToValues(zl, 0, zl.length);
  assert.equal(vals[9], 9223372036854775807n);
  assert.equal(vals[3], -128);
});

test('ziplist: malformed blobs are rejected', () => {
  const good = ziplist(['abc', 'def', { int: 5, enc: 'imm' }]);
  const check = (b: Buffer, why: RegExp) =>
    assert.throws(
      () => ziplistToStrings(b, 0, b.length, []),
      (e: unknown) => e instanceof EncodingError && why.test(e.message),
    );
  const b1 = Buffer.from(good);
  b1.writeUInt16LE(7, 8);
  check(b1, /entries/);
  const b2 = Buffer.from(good);
  b2.writeUInt32LE(10, 4);
  check(b2, /tail/);
  const b3 = Buffer.from(good);
  b3[15] = 9; // prevlen of the second entry
  check(b3, /prevlen/);
  const b4 = Buffer.from(good);
  b4[11] = 0x90; // invalid string-class encoding
  check(b4, /encoding|past the end|overrun/);
});

// ------------------------------------------------------------------ intset

test('intset: the spec example and width 8; encoder picks the smallest width', () => {
  const bytes = hex('02000000 03000000 0100 0200 0300');
  const out: string[] = [];
  assert.equal(intsetToStrings(bytes, 0, bytes.length, out), 2);
  assert.deepEqual(out, ['1', '2', '3']);
  assert.ok(encodeIntset([3, 1, 2]).equals(bytes));
  const wide = encodeIntset([1, -70000, 5000000000]);
  assert.equal(wide.readUInt32LE(0), 8);
  const o2: string[] = [];
  intsetToStrings(wide, 0, wide.length, o2);
  assert.deepEqual(o2, ['-70000', '1', '5000000000']);
  assert.equal(encodeIntset([70000]).readUInt32LE(0), 4);
  const big = encodeIntset([9223372036854775807n, -9223372036854775808n]);
  const o3: string[] = [];
  intsetToStrings(big, 0, big.length, o3);
  assert.deepEqual(o3, ['-9223372036854775808', '9223372036854775807']);
});

test('intset: malformed blobs are rejected', () => {
  const check = (b: Buffer, why: RegExp) =>
    assert.throws(
      () => intsetToStrings(b, 0, b.length, []),
      (e: unknown) => e instanceof EncodingError && why.test(e.message),
    );
  check(hex('03000000 01000000 010000'), /encoding/);
  check(hex('02000000 03000000 0100 0200'), /does not match/);
  check(hex('02000000 02000000 0200 0100'), /ascending/);
  check(hex('02000000 02000000 0200 0200'), /ascending/);
});

// ------------------------------------------------------------------ zipmap

test('zipmap: pairs with free padding and 5-byte lengths; zmlen 254 means count by walking', () => {
  const longv = 'V'.repeat(300);
  const zm = zipmap([
    ['f1', 'v1'],
    ['f2', 'value-with-free', 3],
    ['long', longv],
  ]);
  const out: string[] = [];
  assert.equal(zipmapToStrings(zm, 0, zm.length, out), 3);
  assert.deepEqual(out, ['f1', 'v1', 'f2', 'value-with-free', 'long', longv]);
  const many: [string, string][] = [];
  for (let i = 0; i < 300; i++) many.push([`k${i}`, `v${i}`]);
  const zm2 = zipmap(many, 254);
  const o2: string[] = [];
  assert.equal(zipmapToStrings(zm2, 0, zm2.length, o2), 300);
  assert.equal(o2[599], 'v299');
});

test('zipmap: malformed blobs are rejected', () => {
  const zm = zipmap([['a', 'b']]);
  assert.throws(() => zipmapToStrings(zm, 0, zm.length - 1, []), EncodingError); // no end marker
  const wrongCount = zipmap([['a', 'b']], 2);
  assert.throws(() => zipmapToStrings(wrongCount, 0, wrongCount.length, []), /header says/);
  const trailing = Buffer.concat([zm, Buffer.from([0])]);
  assert.throws(() => zipmapToStrings(trailing, 0, trailing.length, []), /after the zipmap end/);
});
