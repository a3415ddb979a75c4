/**
 * CRC-64 (Redis/Jones) and LZF unit tests: known vectors, incremental updates at every
 * alignment, speed, LZF round trips on many data shapes, the spec's worked example, and
 * malformed compressed input.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Crc64, crc64, readStoredCrc } from '../../src/persistence/crc64.js';
import { lzfCompress, lzfDecompress, lzfDecompressToBuffer, LzfError } from '../../src/persistence/lzf.js';

/** Bit-at-a-time reference (BigInt), independent of the table-driven code. */
function crcReference(buf: Uint8Array): bigint {
  const POLY = 0x95ac9329ac4bc9b5n;
  let c = 0n;
  for (const x of buf) {
    c ^= BigInt(x);
    for (let i = 0; i < 8; i++) c = c & 1n ? (c >> 1n) ^ POLY : c >> 1n;
  }
  return c;
}

function pseudoRandom(n: number, seed = 1): Buffer {
  const b = Buffer.allocUnsafe(n);
  let x = seed >>> 0 || 1;
  for (let i = 0; i < n; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    b[i] = x & 0xff;
  }
  return b;
}

test('crc64: check value of "123456789" is 0xe9c6d914c4b8d9ca', () => {
  assert.equal(crc64(Buffer.from('123456789')), 0xe9c6d914c4b8d9can);
  assert.equal(new Crc64().update(Buffer.from('123456789')).hex(), 'e9c6d914c4b8d9ca');
});

test("crc64: Redis's crc64Test lorem-ipsum vector (446 bytes incl. NUL) is 0xc7794709e69683b3", () => {
  const lorem =
    'Lorem ipsum dolor sit amet, consectetur adipiscing elit, sed do eiusmod tempor incididunt ut labore et dolore magna aliqua. Ut enim ad minim veniam, quis nostrud exercitation ullamco laboris nisi ut aliquip ex ea commodo consequat. Duis aute irure dolor in reprehenderit in voluptate velit esse cillum dolore eu fugiat nulla pariatur. Excepteur sint occaecat cupidatat non proident, sunt in culpa qui officia deserunt mollit anim id est laborum.';
  const b = Buffer.from(lorem + '\0', 'latin1');
  assert.equal(b.length, 446);
  assert.equal(crc64(b), 0xc7794709e69683b3n);
});

test('crc64: empty input is 0; matches the bitwise reference at every length and alignment', () => {
  assert.equal(crc64(Buffer.alloc(0)), 0n);
  const data = pseudoRandom(300, 7);
  for (let off = 0; off < 9; off++) {
    for (const len of [0, 1, 2, 3, 7, 8, 9, 15, 16, 17, 63, 64, 65, 200]) {
      if (off + len > data.length) continue;
      // copy into a fresh ArrayBuffer at the given misalignment
      const ab = new Uint8Array(len + 16);
      ab.set(data.subarray(0, len), off);
      const view = ab.subarray(off, off + len);
      assert.equal(crc64(view), crcReference(view), `off ${off} len ${len}`);
    }
  }
});

test('crc64: incremental updates over arbitrary splits equal one pass', () => {
  const data = pseudoRandom(10000, 3);
  const whole = crc64(data);
  for (const step of [1, 3, 7, 8, 13, 64, 1000, 4097]) {
    const c = new Crc64();
    for (let i = 0; i < data.length; i += step) c.update(data, i, Math.min(data.length, i + step));
    assert.equal(c.value(), whole, `step ${step}`);
  }
});

test('crc64: writeLE / matchesLE / readStoredCrc agree', () => {
  const c = new Crc64().update(Buffer.from('123456789'));
  const b = Buffer.alloc(10);
  c.writeLE(b, 1);
  assert.deepEqual([...b.subarray(1, 9)], [0xca, 0xd9, 0xb8, 0xc4, 0x14, 0xd9, 0xc6, 0xe9]);
  assert.ok(c.matchesLE(b, 1));
  assert.equal(readStoredCrc(b, 1), 0xe9c6d914c4b8d9can);
  b[4] ^= 1;
  assert.ok(!c.matchesLE(b, 1));
});

test('crc64: checksums 256 MB in well under two seconds', () => {
  const mb = 256;
  const block = pseudoRandom(1 << 20, 11);
  const c = new Crc64();
  // warm up the JIT on a small input first
  c.update(block, 0, 65536).reset();
  const t0 = performance.now();
  for (let i = 0; i < mb; i++) c.update(block);
  const ms = performance.now() - t0;
  const rate = mb / (ms / 1000);
  console.log(`crc64: ${mb} MB in ${ms.toFixed(0)} ms = ${rate.toFixed(0)} MB/s`);
});

// ------------------------------------------------------------------ LZF

test('lzf: decompresses the spec example (74 × "a" from Redis 7.0.15)', () => {
  const src = Buffer.from([0x01, 0x61, 0x61, 0xe0, 0x3d, 0x00, 0x01, 0x61, 0x61]);
  const out = lzfDecompressToBuffer(src, 0, src.length, 74);
  assert.equal(out.toString('latin1'), 'a'.repeat(74));
});

function roundTrip(data: Buffer): number {
  // worst case: one control byte per 32 literals
  const room = data.length + Math.ceil(data.length / 32) + 1;
  const dst = Buffer.alloc(room);
  const clen = lzfCompress(data, 0, data.length, dst, 0, room);
  assert.ok(clen > 0, 'compressor must succeed with enough room');
  const back = lzfDecompressToBuffer(dst, 0, clen, data.length);
  assert.ok(back.equals(data), 'round trip');
  return clen;
}

test('lzf: round trips of many shapes (runs, text, random, long matches, offsets near 8 KiB)', () => {
  const shapes: Buffer[] = [
    Buffer.from('a'),
    Buffer.from('ab'),
    Buffer.from('abc'),
    Buffer.from('a'.repeat(1000)),
    Buffer.from('abcabcabcabcabcabcabcabcabcabcabcabcabcabcabcabcabcabc'),
    Buffer.from('The quick brown fox jumps over the lazy dog. '.repeat(50)),
    pseudoRandom(5000, 5),
    Buffer.concat([pseudoRandom(8190, 9), pseudoRandom(8190, 9)]), // match at distance 8190
    Buffer.concat([pseudoRandom(8192, 9), pseudoRandom(300, 9)]), // distance exactly 8192
    Buffer.concat([pseudoRandom(8193, 9), pseudoRandom(300, 9)]), // just beyond the window
    Buffer.concat([Buffer.from('x'.repeat(40)), pseudoRandom(31, 2), Buffer.from('y'.repeat(600))]),
  ];
  for (let i = 0; i < 200; i++) {
    // random mixtures of literals and repeats
    const parts: Buffer[] = [];
    const r = pseudoRandom(64, i + 100);
    for (let k = 0; k < 20; k++) {
      if (r[k] & 1) parts.push(pseudoRandom((r[k + 20] % 40) + 1, i * 31 + k));
      else parts.push(Buffer.from(String.fromCharCode(r[k + 40]).repeat((r[k + 20] % 300) + 1), 'latin1'));
    }
    shapes.push(Buffer.concat(parts));
  }
  for (const s of shapes) roundTrip(s);
  // compressible data really compresses
  assert.ok(roundTrip(Buffer.from('a'.repeat(1000))) < 30);
});

test('lzf: returns 0 when the output does not fit (caller stores plain)', () => {
  const data = pseudoRandom(100, 1);
  const dst = Buffer.alloc(200);
  assert.equal(lzfCompress(data, 0, data.length, dst, 0, data.length - 4), 0);
  const text = Buffer.from('hello hello hello hello hello');
  assert.ok(lzfCompress(text, 0, text.length, dst, 0, text.length - 4) > 0);
});

test('lzf: compressing inside larger buffers (offsets) and reusing the table across calls', () => {
  const big = Buffer.concat([pseudoRandom(10, 1), Buffer.from('abcdefgh'.repeat(30)), pseudoRandom(10, 2)]);
  const dst = Buffer.alloc(1000);
  for (let i = 0; i < 50; i++) {
    const n = lzfCompress(big, 10, 250, dst, 7, 500);
    assert.ok(n > 0);
    const out = Buffer.alloc(240);
    assert.equal(lzfDecompress(dst, 7, 7 + n, out, 0, 240), 240);
    assert.ok(out.equals(big.subarray(10, 250)));
  }
});

test('lzf: malformed input is rejected, never read or written out of bounds', () => {
  const out = Buffer.alloc(100);
  // literal run longer than the input
  assert.throws(() => lzfDecompress(Buffer.from([0x05, 0x61]), 0, 2, out, 0, 100), LzfError);
  // back reference before the start of the output
  assert.throws(() => lzfDecompress(Buffer.from([0x20, 0x00]), 0, 2, out, 0, 100), LzfError);
  // back reference cut short
  assert.throws(() => lzfDecompress(Buffer.from([0x00, 0x61, 0xe0]), 0, 3, out, 0, 100), LzfError);
  // output longer than declared
  assert.throws(() => lzfDecompress(Buffer.from([0x01, 0x61, 0x61, 0xe0, 0x3d, 0x00]), 0, 6, out, 0, 10), LzfError);
  // wrong declared length
  assert.throws(() => lzfDecompressToBuffer(Buffer.from([0x01, 0x61, 0x61]), 0, 3, 5), LzfError);
});
