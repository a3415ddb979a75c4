/**
 * SHA-1 (FIPS 180-4) for many short inputs, as DEBUG DIGEST needs: two hashes per element.
 * A plain-JS implementation working in a preallocated block buffer avoids the per-call setup
 * cost of node:crypto, which dominates for inputs of a few bytes.
 */

const W = new Int32Array(80);
let pad = new Uint8Array(128);

/**
 * SHA-1 of src[start, end) written as 20 bytes into out[outOff, outOff + 20).
 * `out` may alias `src`: the input is copied into an internal padded buffer first.
 */
export function sha1Into(src: Uint8Array, start: number, end: number, out: Uint8Array, outOff: number): void {
  const len = end - start;
  // message + 0x80 + zero padding + 8-byte big-endian bit length, rounded to 64 bytes
  const total = ((len + 8) >>> 6) * 64 + 64;
  if (pad.length < total) pad = new Uint8Array(total * 2);
  const m = pad;
  if (len < 64) {
    for (let i = 0; i < len; i++) m[i] = src[start + i];
  } else {
    m.set(src.subarray(start, end), 0);
  }
  m[len] = 0x80;
  m.fill(0, len + 1, total - 8);
  const bits = len * 8;
  const hiBits = Math.floor(bits / 4294967296);
  m[total - 8] = hiBits >>> 24;
  m[total - 7] = (hiBits >>> 16) & 0xff;
  m[total - 6] = (hiBits >>> 8) & 0xff;
  m[total - 5] = hiBits & 0xff;
  m[total - 4] = (bits >>> 24) & 0xff;
  m[total - 3] = (bits >>> 16) & 0xff;
  m[total - 2] = (bits >>> 8) & 0xff;
  m[total - 1] = bits & 0xff;

  let h0 = 0x67452301;
  let h1 = 0xefcdab89 | 0;
  let h2 = 0x98badcfe | 0;
  let h3 = 0x10325476;
  let h4 = 0xc3d2e1f0 | 0;
  const w = W;
  for (let blk = 0; blk < total; blk += 64) {
    for (let t = 0; t < 16; t++) {
      const p = blk + t * 4;
      w[t] = (m[p] << 24) | (m[p + 1] << 16) | (m[p + 2] << 8) | m[p + 3];
    }
    for (let t = 16; t < 80; t++) {
      const x = w[t - 3] ^ w[t - 8] ^ w[t - 14] ^ w[t - 16];
      w[t] = (x << 1) | (x >>> 31);
    }
    let a = h0;
    let b = h1;
    let c = h2;
    let d = h3;
    let e = h4;
    let t = 0;
    for (; t < 20; t++) {
      const tmp = (((a << 5) | (a >>> 27)) + ((b & c) | (~b & d)) + e + w[t] + 0x5a827999) | 0;
      e = d;
      d = c;
      c = (b << 30) | (b >>> 2);
      b = a;
      a = tmp;
    }
    for (; t < 40; t++) {
      const tmp = (((a << 5) | (a >>> 27)) + (b ^ c ^ d) + e + w[t] + 0x6ed9eba1) | 0;
      e = d;
      d = c;
      c = (b << 30) | (b >>> 2);
      b = a;
      a = tmp;
    }
    for (; t < 60; t++) {
      const tmp = (((a << 5) | (a >>> 27)) + ((b & c) | (b & d) | (c & d)) + e + w[t] + 0x8f1bbcdc) | 0;
      e = d;
      d = c;
      c = (b << 30) | (b >>> 2);
      b = a;
      a = tmp;
    }
    for (; t < 80; t++) {
      const tmp = (((a << 5) | (a >>> 27)) + (b ^ c ^ d) + e + w[t] + 0xca62c1d6) | 0;
      e = d;
      d = c;
      c = (b << 30) | (b >>> 2);
      b = a;
      a = tmp;
    }
    h0 = (h0 + a) | 0;
    h1 = (h1 + b) | 0;
    h2 = (h2 + c) | 0;
    h3 = (h3 + d) | 0;
    h4 = (h4 + e) | 0;
  }
  put32(out, outOff, h0);
  put32(out, outOff + 4, h1);
  put32(out, outOff + 8, h2);
  put32(out, outOff + 12, h3);
  put32(out, outOff + 16, h4);
}

function put32(out: Uint8Array, p: number, h: number): void {
  out[p] = h >>> 24;
  out[p + 1] = (h >>> 16) & 0xff;
  out[p + 2] = (h >>> 8) & 0xff;
  out[p + 3] = h & 0xff;
}

/** SHA-1 of a byte array as 40 hex digits (tests, convenience). */
export function sha1Hex(data: Uint8Array): string {
  const out = new Uint8Array(20);
  sha1Into(data, 0, data.length, out, 0);
  return Buffer.from(out).toString('hex');
}
