/**
 * HyperLogLog representation, byte-compatible with Redis 7.0: a 16-byte header ("HYLL", the
 * encoding byte, three reserved bytes, the cached cardinality as 8 little-endian bytes whose top
 * bit marks it stale) followed by either 16384 dense 6-bit registers (LSB first) or a sparse
 * run-length stream of ZERO (00xxxxxx), XZERO (01xxxxxx xxxxxxxx) and VAL (1vvvvvxx) opcodes.
 *
 * Everything works on Buffers with plain integer arithmetic; the 64-bit MurmurHash64A runs on
 * 32-bit halves because BigInt would cost far more than the hashing itself.
 */

export const HDR_SIZE = 16;
export const REGISTERS = 16384;
const P = 14;
const Q = 64 - P;
const INDEX_MASK = REGISTERS - 1;
const BITS = 6;
const REG_MAX = 63;
export const DENSE_SIZE = HDR_SIZE + ((REGISTERS * BITS + 7) >> 3);
export const DENSE = 0;
export const SPARSE = 1;
const MAX_ENCODING = 1;

const VAL_MAX_VALUE = 32;
const VAL_MAX_LEN = 4;
const ZERO_MAX_LEN = 64;
const XZERO_MAX_LEN = 16384;
const ALPHA_INF = 0.72134752044448170368; // 0.5 / ln(2)

// ---------------------------------------------------------------- hashing

// MurmurHash64A's multiplier, as 32-bit halves and 16-bit limbs of the low half.
const M_HI = 0xc6a4a793 | 0;
const M_LO = 0x5bd1e995 | 0;
const M_L0 = 0xe995;
const M_L1 = 0x5bd1;
const SEED = 0xadc83b19 | 0;

// Results of the 64-bit helpers (module state avoids allocating a pair per call).
let rHi = 0;
let rLo = 0;

/** (hi:lo) × M mod 2^64 into rHi:rLo. The low product needs all 64 bits, so it goes by 16-bit limbs. */
function mulM(hi: number, lo: number): void {
  const a0 = lo & 0xffff;
  const a1 = lo >>> 16;
  const p00 = a0 * M_L0;
  const p01 = a0 * M_L1;
  const p10 = a1 * M_L0;
  const p11 = a1 * M_L1;
  const mid = (p00 >>> 16) + (p01 & 0xffff) + (p10 & 0xffff);
  rLo = (mid << 16) | (p00 & 0xffff);
  rHi = (p11 + (p01 >>> 16) + (p10 >>> 16) + (mid >>> 16) + Math.imul(hi, M_LO) + Math.imul(lo, M_HI)) | 0;
}

/** Register index of the last patLen call. */
export let patIndex = 0;

/**
 * Redis's hllPatLen on the hash (hHi:hLo): sets patIndex to the low 14 bits and returns the
 * position of the first 1 bit above them (1-based), at most Q+1.
 */
function patFromHash(hHi: number, hLo: number): number {
  patIndex = hLo & INDEX_MASK;
  const lo = (hLo >>> P) | (hHi << (32 - P));
  if (lo !== 0) return 32 - Math.clz32(lo & -lo);
  const hi = (hHi >>> P) | (1 << (Q - 32));
  return 64 - Math.clz32(hi & -hi);
}

/** MurmurHash64A's finalisation after the tail: h ^= h>>47; h *= m; h ^= h>>47. Returns the pattern. */
function finish(hHi: number, hLo: number): number {
  hLo ^= hHi >>> 15;
  mulM(hHi, hLo);
  hHi = rHi;
  hLo = rLo ^ (rHi >>> 15);
  return patFromHash(hHi, hLo);
}

/**
 * hllPatLen of a latin1 string (one char per byte, as arguments arrive). This is the PFADD hot
 * path, so each 64-bit multiplication by M is written out inline (a call per multiply through
 * module state costs about twice as much): the low 32x32 product goes by 16-bit limbs, the
 * cross terms only matter modulo 2^32 so Math.imul does them.
 */
export function patLenString(s: string): number {
  const len = s.length;
  let a0 = len & 0xffff;
  let a1 = len >>> 16;
  let p00 = a0 * M_L0;
  let p01 = a0 * M_L1;
  let p10 = a1 * M_L0;
  let p11 = a1 * M_L1;
  let mid = (p00 >>> 16) + (p01 & 0xffff) + (p10 & 0xffff);
  let hLo = ((mid << 16) | (p00 & 0xffff)) ^ SEED;
  let hHi = (p11 + (p01 >>> 16) + (p10 >>> 16) + (mid >>> 16) + Math.imul(len, M_HI)) | 0;
  let lo: number;
  let hi: number;
  const end = len - (len & 7);
  let i = 0;
  for (; i < end; i += 8) {
    lo = s.charCodeAt(i) | (s.charCodeAt(i + 1) << 8) | (s.charCodeAt(i + 2) << 16) | (s.charCodeAt(i + 3) << 24);
    hi = s.charCodeAt(i + 4) | (s.charCodeAt(i + 5) << 8) | (s.charCodeAt(i + 6) << 16) | (s.charCodeAt(i + 7) << 24);
    // k *= m
    a0 = lo & 0xffff;
    a1 = lo >>> 16;
    p00 = a0 * M_L0;
    p01 = a0 * M_L1;
    p10 = a1 * M_L0;
    p11 = a1 * M_L1;
    mid = (p00 >>> 16) + (p01 & 0xffff) + (p10 & 0xffff);
    let kLo = (mid << 16) | (p00 & 0xffff);
    const kHi = (p11 + (p01 >>> 16) + (p10 >>> 16) + (mid >>> 16) + Math.imul(hi, M_LO) + Math.imul(lo, M_HI)) | 0;
    // k ^= k >> 47; k *= m
    kLo ^= kHi >>> 15;
    a0 = kLo & 0xffff;
    a1 = kLo >>> 16;
    p00 = a0 * M_L0;
    p01 = a0 * M_L1;
    p10 = a1 * M_L0;
    p11 = a1 * M_L1;
    mid = (p00 >>> 16) + (p01 & 0xffff) + (p10 & 0xffff);
    lo = (mid << 16) | (p00 & 0xffff);
    hi = (p11 + (p01 >>> 16) + (p10 >>> 16) + (mid >>> 16) + Math.imul(kHi, M_LO) + Math.imul(kLo, M_HI)) | 0;
    // h ^= k; h *= m
    hLo ^= lo;
    hHi ^= hi;
    a0 = hLo & 0xffff;
    a1 = hLo >>> 16;
    p00 = a0 * M_L0;
    p01 = a0 * M_L1;
    p10 = a1 * M_L0;
    p11 = a1 * M_L1;
    mid = (p00 >>> 16) + (p01 & 0xffff) + (p10 & 0xffff);
    lo = (mid << 16) | (p00 & 0xffff);
    hHi = (p11 + (p01 >>> 16) + (p10 >>> 16) + (mid >>> 16) + Math.imul(hHi, M_LO) + Math.imul(hLo, M_HI)) | 0;
    hLo = lo;
  }
  const tail = len & 7;
  if (tail !== 0) {
    if (tail >= 7) hHi ^= s.charCodeAt(i + 6) << 16;
    if (tail >= 6) hHi ^= s.charCodeAt(i + 5) << 8;
    if (tail >= 5) hHi ^= s.charCodeAt(i + 4);
    if (tail >= 4) hLo ^= s.charCodeAt(i + 3) << 24;
    if (tail >= 3) hLo ^= s.charCodeAt(i + 2) << 16;
    if (tail >= 2) hLo ^= s.charCodeAt(i + 1) << 8;
    hLo ^= s.charCodeAt(i);
    a0 = hLo & 0xffff;
    a1 = hLo >>> 16;
    p00 = a0 * M_L0;
    p01 = a0 * M_L1;
    p10 = a1 * M_L0;
    p11 = a1 * M_L1;
    mid = (p00 >>> 16) + (p01 & 0xffff) + (p10 & 0xffff);
    lo = (mid << 16) | (p00 & 0xffff);
    hHi = (p11 + (p01 >>> 16) + (p10 >>> 16) + (mid >>> 16) + Math.imul(hHi, M_LO) + Math.imul(hLo, M_HI)) | 0;
    hLo = lo;
  }
  // h ^= h >> 47; h *= m; h ^= h >> 47
  hLo ^= hHi >>> 15;
  a0 = hLo & 0xffff;
  a1 = hLo >>> 16;
  p00 = a0 * M_L0;
  p01 = a0 * M_L1;
  p10 = a1 * M_L0;
  p11 = a1 * M_L1;
  mid = (p00 >>> 16) + (p01 & 0xffff) + (p10 & 0xffff);
  lo = (mid << 16) | (p00 & 0xffff);
  hHi = (p11 + (p01 >>> 16) + (p10 >>> 16) + (mid >>> 16) + Math.imul(hHi, M_LO) + Math.imul(hLo, M_HI)) | 0;
  return patFromHash(hHi, lo ^ (hHi >>> 15));
}

/** hllPatLen of an 8-byte element given as little-endian halves (PFSELFTEST's uint64 elements). */
export function patLenU64(hi: number, lo: number): number {
  mulM(0, 8);
  let hHi = rHi;
  let hLo = rLo ^ SEED;
  mulM(hi, lo);
  const k2Hi = rHi;
  const k2Lo = rLo ^ (rHi >>> 15);
  mulM(k2Hi, k2Lo);
  mulM(hHi ^ rHi, hLo ^ rLo);
  hHi = rHi;
  hLo = rLo;
  return finish(hHi, hLo);
}

// ---------------------------------------------------------------- header

/** True when `b[0, len)` passes Redis's isHLLObjectOrReply checks (magic, encoding, dense length). */
export function isValidHll(b: Uint8Array, len: number): boolean {
  if (len < HDR_SIZE) return false;
  if (b[0] !== 72 || b[1] !== 89 || b[2] !== 76 || b[3] !== 76) return false; // "HYLL"
  const enc = b[4];
  if (enc > MAX_ENCODING) return false;
  if (enc === DENSE && len !== DENSE_SIZE) return false;
  return true;
}

export function cacheValid(b: Uint8Array): boolean {
  return (b[15] & 0x80) === 0;
}

export function invalidateCache(b: Uint8Array): void {
  b[15] |= 0x80;
}

/** The cached cardinality (valid cache: below 2^63), as a number when exact, else a bigint. */
export function readCard(b: Uint8Array): number | bigint {
  const lo = (b[8] | (b[9] << 8) | (b[10] << 16) | (b[11] << 24)) >>> 0;
  const hi = (b[12] | (b[13] << 8) | (b[14] << 16) | (b[15] << 24)) >>> 0;
  if (hi < 0x200000) return hi * 0x100000000 + lo;
  return (BigInt(hi) << 32n) | BigInt(lo);
}

/** Stores a count() result in the header (CARD_OVERFLOW as C's llroundl leaves it: 2^63). */
export function writeCard(b: Uint8Array, card: number): void {
  if (card === CARD_OVERFLOW) {
    b.fill(0, 8, 15);
    b[15] = 0x80;
    return;
  }
  const lo = card % 0x100000000;
  const hi = (card - lo) / 0x100000000;
  b[8] = lo & 0xff;
  b[9] = (lo >>> 8) & 0xff;
  b[10] = (lo >>> 16) & 0xff;
  b[11] = lo >>> 24;
  b[12] = hi & 0xff;
  b[13] = (hi >>> 8) & 0xff;
  b[14] = (hi >>> 16) & 0xff;
  b[15] = (hi >>> 24) & 0xff;
}

/**
 * A fresh sparse HLL: header plus XZERO opcodes covering every register (a single one, as
 * XZERO spans 16384).
 */
export function newSparse(): Buffer {
  const n = HDR_SIZE + Math.ceil(REGISTERS / XZERO_MAX_LEN) * 2;
  const b = Buffer.alloc(n);
  b.write('HYLL', 0, 'latin1');
  b[4] = SPARSE;
  let p = HDR_SIZE;
  for (let left = REGISTERS; left > 0; ) {
    const run = Math.min(left, XZERO_MAX_LEN);
    b[p++] = ((run - 1) >> 8) | 0x40;
    b[p++] = (run - 1) & 0xff;
    left -= run;
  }
  return b;
}

// ---------------------------------------------------------------- dense

/** Register `reg` of dense registers starting at `off`. */
export function denseGet(b: Uint8Array, off: number, reg: number): number {
  const bit = reg * BITS;
  const i = off + (bit >>> 3);
  const fb = bit & 7;
  // With fb <= 2 the six bits are all in the first byte (the last register is such a one).
  if (fb <= 2) return (b[i] >>> fb) & REG_MAX;
  return ((b[i] >>> fb) | (b[i + 1] << (8 - fb))) & REG_MAX;
}

export function denseSetReg(b: Uint8Array, off: number, reg: number, val: number): void {
  const bit = reg * BITS;
  const i = off + (bit >>> 3);
  const fb = bit & 7;
  b[i] = (b[i] & ~(REG_MAX << fb)) | (val << fb);
  if (fb > 2) {
    const fb8 = 8 - fb;
    b[i + 1] = (b[i + 1] & ~(REG_MAX >>> fb8)) | (val >>> fb8);
  }
}

/** hllDenseSet: raises register `reg` of a dense HLL to `count`; 1 when it changed. */
export function denseSet(b: Uint8Array, reg: number, count: number): number {
  if (count > denseGet(b, HDR_SIZE, reg)) {
    denseSetReg(b, HDR_SIZE, reg, count);
    return 1;
  }
  return 0;
}

/** hllDenseAdd of a string element. */
export function denseAdd(b: Uint8Array, ele: string): number {
  const count = patLenString(ele);
  return denseSet(b, patIndex, count);
}

function denseHisto(b: Uint8Array, off: number, histo: Float64Array): void {
  for (let i = off, end = off + (REGISTERS * BITS) / 8; i < end; i += 3) {
    const b0 = b[i];
    const b1 = b[i + 1];
    const b2 = b[i + 2];
    histo[b0 & 63]++;
    histo[((b0 >>> 6) | (b1 << 2)) & 63]++;
    histo[((b1 >>> 4) | (b2 << 4)) & 63]++;
    histo[b2 >>> 2]++;
  }
}

// ---------------------------------------------------------------- sparse

/**
 * Length of an XZERO opcode at p. An XZERO cut short by the end of the string reads its second
 * byte from past the end, as Redis does: `tail` is what Redis's buffer holds there (its sds
 * terminator, 0, unless an edit of such a cut opcode left a byte there; see sparseSet).
 */
function xzeroLen(b: Uint8Array, p: number, end: number, tail: number): number {
  return (((b[p] & 0x3f) << 8) | (p + 1 < end ? b[p + 1] : tail)) + 1;
}

/**
 * hllSparseToDense: the dense form of sparse bytes b[0, len) (header copied, encoding switched),
 * or null when the opcodes do not cover exactly 16384 registers.
 */
export function sparseToDense(b: Uint8Array, len: number, tail = 0): Buffer | null {
  const d = Buffer.alloc(DENSE_SIZE);
  for (let i = 0; i < HDR_SIZE; i++) d[i] = b[i];
  d[4] = DENSE;
  const ok = walkSparse(b, HDR_SIZE, len, tail, (idx, run, val) => {
    for (let k = 0; k < run; k++) denseSetReg(d, HDR_SIZE, idx + k, val);
  });
  return ok ? d : null;
}

/**
 * Walks the sparse opcodes in b[start, end), calling onVal for each VAL run (first register,
 * run length, value); zero runs are only counted. False when the opcodes do not cover exactly
 * 16384 registers; the walk stops at the first opcode running past the last register (Redis's
 * fix for CVE-2025-32023), before that opcode is applied.
 */
function walkSparse(b: Uint8Array, start: number, end: number, tail: number, onVal: (idx: number, run: number, val: number) => void): boolean {
  let idx = 0;
  let p = start;
  while (p < end) {
    const op = b[p];
    let run: number;
    if ((op & 0xc0) === 0) {
      run = (op & 0x3f) + 1;
      p++;
    } else if ((op & 0xc0) === 0x40) {
      run = xzeroLen(b, p, end, tail);
      p += 2;
    } else {
      run = (op & 3) + 1;
      if (run + idx > REGISTERS) return false;
      onVal(idx, run, ((op >>> 2) & 0x1f) + 1);
      p++;
    }
    if (run + idx > REGISTERS) return false;
    idx += run;
  }
  return idx === REGISTERS;
}

/**
 * The sparse HLL being edited: Redis edits its sds in place with a few spare bytes; here the
 * bytes are copied into this growable scratch buffer, edited, and written back once.
 */
let sp = Buffer.alloc(4096);
/** Length of the sparse HLL in `sp`. */
let spLen = 0;
/** The byte Redis would have just past the end of the edited HLL (see xzeroLen). */
let spTail = 0;

export function sparseLoad(src: Uint8Array, len: number, tail = 0): void {
  if (sp.length < len + 8) sp = Buffer.alloc(Math.max(len + 8, sp.length * 2));
  sp.set(src.subarray(0, len), 0);
  sp.fill(0, len, len + 8);
  spLen = len;
  spTail = tail;
}

/** The byte past the end of the edited HLL, to keep with the value. */
export function sparseTail(): number {
  return spTail;
}

/** The edited sparse HLL (a view of the scratch buffer, valid until the next load). */
export function sparseBytes(): Buffer {
  return sp.subarray(0, spLen);
}

export const PROMOTE = 2;

/** The opcodes replacing a split one. */
const seq = new Uint8Array(5);

/** Appends a ZERO or XZERO run of `len` registers to seq at n; returns the new n. */
function putZeros(n: number, len: number): number {
  if (len > ZERO_MAX_LEN) {
    seq[n] = ((len - 1) >> 8) | 0x40;
    seq[n + 1] = (len - 1) & 0xff;
    return n + 2;
  }
  seq[n] = len - 1;
  return n + 1;
}

function valOp(val: number, len: number): number {
  return ((val - 1) << 2) | (len - 1) | 0x80;
}

/**
 * hllSparseSet on the scratch HLL: raises register `index` to `count`. Returns 1 (changed),
 * 0 (already at least that), -1 (corrupted) or PROMOTE when Redis would convert to dense first
 * (value over 32, or growing past `maxBytes`); then the scratch is unchanged.
 */
export function sparseSet(index: number, count: number, maxBytes: number): number {
  if (count > VAL_MAX_VALUE) return PROMOTE;
  if (sp.length < spLen + 8) {
    const n = Buffer.alloc(sp.length * 2 + 8);
    sp.copy(n, 0, 0, spLen);
    sp = n;
  }
  const b = sp;
  let end = spLen;
  let p = HDR_SIZE;
  let first = 0;
  let prev = -1;
  let span = 0;
  let oplen = 1;
  while (p < end) {
    const op = b[p];
    oplen = 1;
    if ((op & 0xc0) === 0) span = (op & 0x3f) + 1;
    else if (op & 0x80) span = (op & 3) + 1;
    else {
      span = xzeroLen(b, p, end, spTail);
      oplen = 2;
    }
    if (index <= first + span - 1) break;
    prev = p;
    p += oplen;
    first += span;
  }
  if (span === 0 || p >= end) return -1;

  const op = b[p];
  const isZero = (op & 0xc0) === 0;
  const isXzero = (op & 0xc0) === 0x40;
  const isVal = (op & 0x80) !== 0;
  const runlen = isZero ? (op & 0x3f) + 1 : isXzero ? xzeroLen(b, p, end, spTail) : (op & 3) + 1;
  const next = p + (isXzero ? 2 : 1);

  let updated = false;
  if (isVal) {
    const old = ((op >>> 2) & 0x1f) + 1;
    if (old >= count) return 0;
    if (runlen === 1) {
      b[p] = valOp(count, 1);
      updated = true;
    }
  }
  if (!updated && isZero && runlen === 1) {
    b[p] = valOp(count, 1);
    updated = true;
  }
  if (!updated) {
    // Split the opcode into up to three: before, the register, after (at most 5 bytes).
    const last = first + span - 1;
    let n = 0;
    if (isVal) {
      const cur = ((op >>> 2) & 0x1f) + 1;
      if (index !== first) seq[n++] = valOp(cur, index - first);
      seq[n++] = valOp(count, 1);
      if (index !== last) seq[n++] = valOp(cur, last - index);
    } else {
      if (index !== first) n = putZeros(n, index - first);
      seq[n++] = valOp(count, 1);
      if (index !== last) n = putZeros(n, last - index);
    }
    const delta = n - (isXzero ? 2 : 1);
    if (delta > 0 && spLen + delta > maxBytes) return PROMOTE;
    if (delta !== 0 && next < end) b.copyWithin(next + delta, next, end);
    for (let k = 0; k < n; k++) b[p + k] = seq[k];
    end += delta;
    spLen = end;
    // Redis sets the terminator at the new length and then copies the new opcodes: when the
    // split opcode was an XZERO cut short, the last new byte lands past the end and stays there.
    spTail = p + n > end ? seq[n - 1] : 0;
  }

  // Merge adjacent VAL opcodes of equal value, looking at up to five opcodes from `prev`.
  p = prev >= 0 ? prev : HDR_SIZE;
  let scan = 5;
  while (p < end && scan-- > 0) {
    const o = b[p];
    if ((o & 0xc0) === 0x40) {
      p += 2;
      continue;
    }
    if ((o & 0xc0) === 0) {
      p++;
      continue;
    }
    if (p + 1 < end && b[p + 1] & 0x80) {
      const o2 = b[p + 1];
      const v1 = ((o >>> 2) & 0x1f) + 1;
      const v2 = ((o2 >>> 2) & 0x1f) + 1;
      if (v1 === v2) {
        const len = (o & 3) + 1 + (o2 & 3) + 1;
        if (len <= VAL_MAX_LEN) {
          b[p + 1] = valOp(v1, len);
          b.copyWithin(p, p + 1, end + 1);
          end--;
          spLen = end;
          spTail = 0;
          continue;
        }
      }
    }
    p++;
  }
  invalidateCache(b);
  return 1;
}

function sparseHisto(b: Uint8Array, start: number, end: number, histo: Float64Array, tail: number): boolean {
  let vals = 0;
  const ok = walkSparse(b, start, end, tail, (_idx, run, val) => {
    histo[val] += run;
    vals += run;
  });
  histo[0] += REGISTERS - vals;
  return ok;
}

// ---------------------------------------------------------------- merging and counting

/**
 * hllMerge: raises max[i] to register i of the HLL in b[0, len). False when a sparse HLL does
 * not cover exactly 16384 registers.
 */
export function mergeInto(max: Uint8Array, b: Uint8Array, len: number, tail = 0): boolean {
  if (b[4] === DENSE) {
    let r = 0;
    for (let i = HDR_SIZE, end = HDR_SIZE + (REGISTERS * BITS) / 8; i < end; i += 3) {
      const b0 = b[i];
      const b1 = b[i + 1];
      const b2 = b[i + 2];
      let v = b0 & 63;
      if (v > max[r]) max[r] = v;
      v = ((b0 >>> 6) | (b1 << 2)) & 63;
      if (v > max[r + 1]) max[r + 1] = v;
      v = ((b1 >>> 4) | (b2 << 4)) & 63;
      if (v > max[r + 2]) max[r + 2] = v;
      v = b2 >>> 2;
      if (v > max[r + 3]) max[r + 3] = v;
      r += 4;
    }
    return true;
  }
  return walkSparse(b, HDR_SIZE, len, tail, (idx, run, val) => {
    for (let k = idx; k < idx + run; k++) if (val > max[k]) max[k] = val;
  });
}

function sigma(x: number): number {
  if (x === 1) return Infinity;
  let zPrime: number;
  let y = 1;
  let z = x;
  do {
    x *= x;
    zPrime = z;
    z += x * y;
    y += y;
  } while (zPrime !== z);
  return z;
}

function tau(x: number): number {
  if (x === 0 || x === 1) return 0;
  let zPrime: number;
  let y = 1;
  let z = 1 - x;
  do {
    x = Math.sqrt(x);
    zPrime = z;
    y *= 0.5;
    const t = 1 - x;
    z -= t * t * y;
  } while (zPrime !== z);
  return z / 3;
}

/**
 * What C's llroundl gives for an estimate that is infinite or beyond int64 (registers crafted
 * to all be above Q+1): the 2^63 bit pattern, which reads back as a stale cache.
 */
export const CARD_OVERFLOW = -1;

const histo = new Float64Array(64);

/** Ertl's estimator over the register histogram (Redis 7.0's hllCount). */
function estimate(): number {
  const m = REGISTERS;
  let z = m * tau((m - histo[Q + 1]) / m);
  for (let j = Q; j >= 1; j--) {
    z += histo[j];
    z *= 0.5;
  }
  z += m * sigma(histo[0] / m);
  const e = (ALPHA_INF * m * m) / z;
  if (!(e < 9223372036854775807)) return CARD_OVERFLOW;
  return Math.round(e);
}

/**
 * hllCount of the HLL in b[0, len): the estimate, CARD_OVERFLOW, or null for a sparse HLL that
 * does not cover exactly 16384 registers.
 */
export function count(b: Uint8Array, len: number, tail = 0): number | null {
  histo.fill(0);
  if (b[4] === DENSE) denseHisto(b, HDR_SIZE, histo);
  else if (!sparseHisto(b, HDR_SIZE, len, histo, tail)) return null;
  return estimate();
}

/** hllCount of one byte per register (PFCOUNT of several keys). */
export function countRaw(regs: Uint8Array): number {
  histo.fill(0);
  for (let i = 0; i < REGISTERS; i++) histo[regs[i]]++;
  return estimate();
}

/** PFDEBUG DECODE's text of a sparse HLL. */
export function decodeSparse(b: Uint8Array, len: number, tail = 0): string {
  const parts: string[] = [];
  let p = HDR_SIZE;
  while (p < len) {
    const op = b[p];
    if ((op & 0xc0) === 0) {
      parts.push(`z:${(op & 0x3f) + 1}`);
      p++;
    } else if ((op & 0xc0) === 0x40) {
      parts.push(`Z:${xzeroLen(b, p, len, tail)}`);
      p += 2;
    } else {
      parts.push(`v:${((op >>> 2) & 0x1f) + 1},${(op & 3) + 1}`);
      p++;
    }
  }
  return parts.join(' ');
}
