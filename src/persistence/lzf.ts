/**
 * LZF, the byte-oriented LZ77 variant RDB files use for compressed strings (an RDB string whose
 * first byte is 0xC3). Token format (see docs/spec rdb.md section 7.3):
 *
 *   000LLLLL                      literal run: copy the next LLLLL+1 (1..32) input bytes
 *   LLLOOOOO [EEEEEEEE] oooooooo  back reference, LLL != 0: length LLL (+E when LLL = 7) + 2
 *                                 bytes copied from (out - ((OOOOO << 8 | o) + 1)), byte by
 *                                 byte so overlapping references repeat a pattern
 *
 * The compressor is a greedy single-pass matcher with a 64 K-entry table of the last position of
 * every 3-byte prefix hash; the output is valid for Redis's decompressor (it need not be byte-for-
 * byte what Redis writes). The table is never cleared between calls: entries are stamped with a
 * running base so stale ones from earlier inputs are recognised and ignored.
 */

export class LzfError extends Error {}

const HLOG = 16;
const HSIZE = 1 << HLOG;
const MAX_LIT = 32;
const MAX_OFF = 1 << 13; // 8192
const MAX_REF = (1 << 8) + (1 << 3); // 264

const htab = new Int32Array(HSIZE);
let htabBase = 0;

/**
 * Decompresses src[start, end) into out[outStart, outStart + outLen). Returns the number of bytes
 * produced; throws LzfError on a malformed stream or when the output would not fit. The caller
 * checks that the result equals the expected uncompressed length.
 */
export function lzfDecompress(src: Uint8Array, start: number, end: number, out: Uint8Array, outStart: number, outLen: number): number {
  let ip = start;
  let op = outStart;
  const outEnd = outStart + outLen;
  while (ip < end) {
    const ctrl = src[ip++];
    if (ctrl < 32) {
      const n = ctrl + 1;
      if (ip + n > end) throw new LzfError('literal run past the end of the compressed data');
      if (op + n > outEnd) throw new LzfError('output longer than the declared length');
      for (let k = 0; k < n; k++) out[op + k] = src[ip + k];
      ip += n;
      op += n;
    } else {
      let len = ctrl >>> 5;
      if (len === 7) {
        if (ip >= end) throw new LzfError('back reference truncated');
        len += src[ip++];
      }
      if (ip >= end) throw new LzfError('back reference truncated');
      const ref = op - (((ctrl & 0x1f) << 8) | src[ip++]) - 1;
      if (ref < outStart) throw new LzfError('back reference before the start of the output');
      len += 2;
      if (op + len > outEnd) throw new LzfError('output longer than the declared length');
      for (let k = 0; k < len; k++) out[op + k] = out[ref + k];
      op += len;
    }
  }
  return op - outStart;
}

/** Decompresses into a new Buffer of exactly `ulen` bytes (throws if the sizes disagree). */
export function lzfDecompressToBuffer(src: Uint8Array, start: number, end: number, ulen: number): Buffer {
  const out = Buffer.allocUnsafe(ulen);
  const n = lzfDecompress(src, start, end, out, 0, ulen);
  if (n !== ulen) throw new LzfError(`decompressed ${n} bytes, expected ${ulen}`);
  return out;
}

/**
 * Compresses src[start, end) into dst starting at dstStart, using at most `dstMax` bytes.
 * Returns the compressed length, or 0 when the output does not fit (the caller then stores the
 * data uncompressed, as Redis does when compression does not save at least a few bytes).
 */
export function lzfCompress(src: Uint8Array, start: number, end: number, dst: Uint8Array, dstStart: number, dstMax: number): number {
  const len = end - start;
  if (len <= 0) return 0;
  const dstEnd = Math.min(dstStart + dstMax, dst.length);
  if (htabBase + len + 2 >= 0x7fffffff) {
    htab.fill(0);
    htabBase = 0;
  }
  // stored value = base + relative position + 1; anything <= base is from an earlier call
  const base = htabBase;
  htabBase += len + 1;
  const htab_ = htab;

  let ip = start;
  let op = dstStart;
  let lit = 0;
  let litPos = op++; // reserved control byte of the current literal run
  const matchLimit = end - 2; // a match needs 3 bytes
  const shift = 32 - HLOG;
  // rolling 3-byte window: v holds the bytes at ip, ip+1 (and ip+2 once shifted in)
  let v = len > 1 ? (src[ip] << 8) | src[ip + 1] : 0;

  while (ip < matchLimit) {
    v = ((v << 8) | src[ip + 2]) & 0xffffff;
    const h = Math.imul(v, 0x9e3779b1) >>> shift;
    const stored = htab_[h];
    htab_[h] = base + (ip - start) + 1;
    if (stored > base) {
      const ref = stored - base - 1 + start;
      const off = ip - ref - 1;
      if (off < MAX_OFF && src[ref] === (v >>> 16) && src[ref + 1] === ((v >>> 8) & 0xff) && src[ref + 2] === (v & 0xff)) {
        let maxLen = end - ip;
        if (maxLen > MAX_REF) maxLen = MAX_REF;
        let mlen = 3;
        while (mlen < maxLen && src[ref + mlen] === src[ip + mlen]) mlen++;
        // close the pending literal run (or drop its unused control byte)
        if (lit > 0) dst[litPos] = lit - 1;
        else op--;
        const l = mlen - 2;
        if (l < 7) {
          if (op + 2 > dstEnd) return 0;
          dst[op++] = (off >>> 8) | (l << 5);
        } else {
          if (op + 3 > dstEnd) return 0;
          dst[op++] = (off >>> 8) | (7 << 5);
          dst[op++] = l - 7;
        }
        dst[op++] = off & 0xff;
        lit = 0;
        litPos = op++;
        ip += mlen;
        if (ip < matchLimit) {
          // remember the two positions just before the match end, so runs keep matching
          let p = ip - 2;
          htab_[Math.imul((src[p] << 16) | (src[p + 1] << 8) | src[p + 2], 0x9e3779b1) >>> shift] = base + (p - start) + 1;
          p++;
          htab_[Math.imul((src[p] << 16) | (src[p + 1] << 8) | src[p + 2], 0x9e3779b1) >>> shift] = base + (p - start) + 1;
          v = (src[ip] << 8) | src[ip + 1];
        }
        continue;
      }
    }
    if (op >= dstEnd) return 0;
    dst[op++] = src[ip++];
    if (++lit === MAX_LIT) {
      dst[litPos] = MAX_LIT - 1;
      lit = 0;
      litPos = op++;
    }
  }
  while (ip < end) {
    if (op >= dstEnd) return 0;
    dst[op++] = src[ip++];
    if (++lit === MAX_LIT) {
      dst[litPos] = MAX_LIT - 1;
      lit = 0;
      litPos = op++;
    }
  }
  if (lit > 0) dst[litPos] = lit - 1;
  else op--;
  if (op > dstEnd) return 0;
  return op - dstStart;
}
