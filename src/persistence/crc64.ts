/**
 * CRC-64 as used by RDB files and DUMP payloads: the "Jones" polynomial 0xad93d23594c935a9,
 * reflected input and output, initial value 0, no final xor. In LSB-first form the polynomial
 * constant is 0x95ac9329ac4bc9b5. Check value: crc64("123456789") = 0xe9c6d914c4b8d9ca.
 *
 * The 64-bit register is kept as two unsigned 32-bit halves (lo, hi) so the hot loop never
 * touches BigInt. Bulk input is processed eight bytes at a time ("slicing by 8"): eight tables,
 * where table k gives the effect of a byte followed by k zero bytes, let one step fold a whole
 * 64-bit word into the register with eight lookups instead of eight dependent steps.
 */

const POLY_LO = 0xac4bc9b5;
const POLY_HI = 0x95ac9329;

/** Low / high halves of the eight 256-entry tables, table k at [k*256, k*256+256). */
const TL = new Int32Array(8 * 256);
const TH = new Int32Array(8 * 256);

(function buildTables(): void {
  for (let b = 0; b < 256; b++) {
    let lo = b;
    let hi = 0;
    for (let i = 0; i < 8; i++) {
      const carry = lo & 1;
      lo = ((lo >>> 1) | (hi << 31)) >>> 0;
      hi = hi >>> 1;
      if (carry) {
        lo = (lo ^ POLY_LO) >>> 0;
        hi = (hi ^ POLY_HI) >>> 0;
      }
    }
    TL[b] = lo;
    TH[b] = hi;
  }
  for (let k = 1; k < 8; k++) {
    for (let b = 0; b < 256; b++) {
      const plo = TL[(k - 1) * 256 + b];
      const phi = TH[(k - 1) * 256 + b];
      // one more zero byte: shift right by 8 and fold the byte that fell out
      const idx = plo & 0xff;
      TL[k * 256 + b] = ((plo >>> 8) | (phi << 24)) ^ TL[idx];
      TH[k * 256 + b] = (phi >>> 8) ^ TH[idx];
    }
  }
})();

/**
 * Folds bytes [start, end) of `buf` into the register (lo, hi) and returns the new register
 * packed in the module-level result slots (to avoid allocating a pair per call).
 */
let resLo = 0;
let resHi = 0;

function update(lo: number, hi: number, buf: Uint8Array, start: number, end: number): void {
  let i = start;
  // byte-wise until the input is 4-byte aligned (so we can read 32-bit words through a view)
  const abs = buf.byteOffset + i;
  let head = (4 - (abs & 3)) & 3;
  if (head > end - i) head = end - i;
  for (const stop = i + head; i < stop; i++) {
    const idx = (lo ^ buf[i]) & 0xff;
    lo = ((lo >>> 8) | (hi << 24)) ^ TL[idx];
    hi = (hi >>> 8) ^ TH[idx];
  }
  const words = (end - i) >>> 3;
  if (words > 0) {
    const w = new Int32Array(buf.buffer, buf.byteOffset + i, words * 2);
    const n = words * 2;
    for (let j = 0; j < n; j += 2) {
      const a = lo ^ w[j];
      const b = hi ^ w[j + 1];
      const i7 = 7 * 256 + (a & 0xff);
      const i6 = 6 * 256 + ((a >>> 8) & 0xff);
      const i5 = 5 * 256 + ((a >>> 16) & 0xff);
      const i4 = 4 * 256 + (a >>> 24);
      const i3 = 3 * 256 + (b & 0xff);
      const i2 = 2 * 256 + ((b >>> 8) & 0xff);
      const i1 = 256 + ((b >>> 16) & 0xff);
      const i0 = b >>> 24;
      lo = TL[i7] ^ TL[i6] ^ TL[i5] ^ TL[i4] ^ TL[i3] ^ TL[i2] ^ TL[i1] ^ TL[i0];
      hi = TH[i7] ^ TH[i6] ^ TH[i5] ^ TH[i4] ^ TH[i3] ^ TH[i2] ^ TH[i1] ^ TH[i0];
    }
    i += words * 8;
  }
  for (; i < end; i++) {
    const idx = (lo ^ buf[i]) & 0xff;
    lo = ((lo >>> 8) | (hi << 24)) ^ TL[idx];
    hi = (hi >>> 8) ^ TH[idx];
  }
  resLo = lo >>> 0;
  resHi = hi >>> 0;
}

/** An incremental CRC-64 (Redis/Jones) register. */
export class Crc64 {
  lo = 0;
  hi = 0;

  /** Folds `buf[start, end)` into the checksum. */
  update(buf: Uint8Array, start = 0, end = buf.length): this {
    if (end > start) {
      update(this.lo, this.hi, buf, start, end);
      this.lo = resLo;
      this.hi = resHi;
    }
    return this;
  }

  reset(): this {
    this.lo = 0;
    this.hi = 0;
    return this;
  }

  /** The checksum as an unsigned 64-bit BigInt. */
  value(): bigint {
    return (BigInt(this.hi) << 32n) | BigInt(this.lo);
  }

  /** The checksum as 16 lowercase hex digits. */
  hex(): string {
    return this.hi.toString(16).padStart(8, '0') + this.lo.toString(16).padStart(8, '0');
  }

  /** Stores the checksum as 8 little-endian bytes at `off` (the RDB trailer layout). */
  writeLE(buf: Uint8Array, off: number): void {
    let lo = this.lo;
    let hi = this.hi;
    for (let i = 0; i < 4; i++) {
      buf[off + i] = lo & 0xff;
      lo >>>= 8;
    }
    for (let i = 4; i < 8; i++) {
      buf[off + i] = hi & 0xff;
      hi >>>= 8;
    }
  }

  /** True if the 8 little-endian bytes at `off` hold this checksum. */
  matchesLE(buf: Uint8Array, off: number): boolean {
    return readU32LE(buf, off) === this.lo && readU32LE(buf, off + 4) === this.hi;
  }
}

function readU32LE(buf: Uint8Array, off: number): number {
  return (buf[off] | (buf[off + 1] << 8) | (buf[off + 2] << 16) | (buf[off + 3] << 24)) >>> 0;
}

/** CRC-64 of `buf[start, end)` as an unsigned BigInt (convenience; use Crc64 for streams). */
export function crc64(buf: Uint8Array, start = 0, end = buf.length): bigint {
  return new Crc64().update(buf, start, end).value();
}

/** Reads an 8-byte little-endian stored checksum as an unsigned BigInt. */
export function readStoredCrc(buf: Uint8Array, off: number): bigint {
  return (BigInt(readU32LE(buf, off + 4)) << 32n) | BigInt(readU32LE(buf, off));
}
