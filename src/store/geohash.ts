/**
 * Geohash arithmetic of Redis's GEO commands: 52-bit interleaved scores (26 bits of latitude on
 * the even bits, 26 of longitude on the odd bits, latitude range -85.05112878..85.05112878),
 * the 9-box area search, and the haversine distance with Redis's earth radius.
 *
 * Everything observable (scores, decoded coordinates, distances stored by STOREDIST) should equal
 * redis-server's bit for bit, so the float operations follow the same order as Redis's. sin, cos
 * and asin are correctly rounded here (V8's fdlibm ports are off by one bit for a few percent of
 * inputs); glibc's are too except near halfway cases, so about 0.3% of distances still differ
 * from Redis's in their last bit (visible only in STOREDIST scores).
 */

export const GEO_STEP_MAX = 26;
export const GEO_LAT_MIN = -85.05112878;
export const GEO_LAT_MAX = 85.05112878;
export const GEO_LONG_MIN = -180;
export const GEO_LONG_MAX = 180;
export const EARTH_RADIUS_IN_METERS = 6372797.560856;
const MERCATOR_MAX = 20037726.37;
const D_R = Math.PI / 180.0;

// ---------------------------------------------------------------- double-double math

const SPLITTER = 134217729; // 2^27 + 1
/**
 * Results of the double-double helpers: [0] hi, [1] lo, then sin hi/lo, cos hi/lo and the
 * error bounds of the fast sin/cos (absolute; 0 for the accurate path). A typed
 * array keeps them unboxed (module variables holding doubles would allocate on every store).
 */
const D = new Float64Array(8);

function twoSum(a: number, b: number): void {
  const s = a + b;
  const bb = s - a;
  D[0] = s;
  D[1] = a - (s - bb) + (b - bb);
}

function twoProd(a: number, b: number): void {
  const p = a * b;
  let t = SPLITTER * a;
  const ah = t - (t - a);
  const al = a - ah;
  t = SPLITTER * b;
  const bh = t - (t - b);
  const bl = b - bh;
  D[0] = p;
  D[1] = ah * bh - p + ah * bl + al * bh + al * bl;
}

/** (ah, al) + (bh, bl) into D[0]/D[1], normalised. */
function ddAdd(ah: number, al: number, bh: number, bl: number): void {
  twoSum(ah, bh);
  const sh = D[0];
  const sl = D[1] + al + bl;
  const h = sh + sl;
  D[1] = sl - (h - sh);
  D[0] = h;
}

/** (ah, al) * (bh, bl) into D[0]/D[1]. */
function ddMul(ah: number, al: number, bh: number, bl: number): void {
  twoProd(ah, bh);
  const ph = D[0];
  const pl = D[1] + (ah * bl + al * bh);
  const h = ph + pl;
  D[1] = pl - (h - ph);
  D[0] = h;
}

/** (ah, al) / d for a double d, into D[0]/D[1]. */
function ddDivD(ah: number, al: number, d: number): void {
  const q1 = ah / d;
  twoProd(q1, d);
  const rem = ah - D[0] - D[1] + al;
  const q2 = rem / d;
  const h = q1 + q2;
  D[1] = q2 - (h - q1);
  D[0] = h;
}

// pi/2 split in 33-bit pieces (the products by k < 2^20 are exact) plus a tail.
const PIO2_1 = 1.57079632673412561417e0;
const PIO2_2 = 6.0771005063039659766e-11;
const PIO2_3 = 2.0222662487111664558e-21;
const PIO2_3T = 8.47842766036889956997e-32;
const INV_PIO2 = 6.36619772367581382433e-1;


/** sin and cos of (xh, xl) by their Taylor series (slow; used to build the table below). */
function sinCosSeries(xh: number, xl: number): void {
  ddMul(xh, xl, xh, xl);
  const x2h = D[0];
  const x2l = D[1];
  let th = xh;
  let tl = xl;
  let sh = xh;
  let sl = xl;
  for (let k = 1; k < 40; k++) {
    ddMul(th, tl, x2h, x2l);
    ddDivD(D[0], D[1], -(2 * k) * (2 * k + 1));
    th = D[0];
    tl = D[1];
    if (th === 0 || Math.abs(th) < 1e-40) break;
    ddAdd(sh, sl, th, tl);
    sh = D[0];
    sl = D[1];
  }
  D[2] = sh;
  D[3] = sl;
  th = 1;
  tl = 0;
  let ch = 1;
  let cl = 0;
  for (let k = 1; k < 40; k++) {
    ddMul(th, tl, x2h, x2l);
    ddDivD(D[0], D[1], -(2 * k - 1) * (2 * k));
    th = D[0];
    tl = D[1];
    if (th === 0 || Math.abs(th) < 1e-40) break;
    ddAdd(ch, cl, th, tl);
    ch = D[0];
    cl = D[1];
  }
  D[4] = ch;
  D[5] = cl;
}

// sin/cos of k/64 (k = 0..52) in double-double: the series then only runs on |r| <= 1/128.
const TABLE_STEP = 64;
const TAB_SH: number[] = [];
const TAB_SL: number[] = [];
const TAB_CH: number[] = [];
const TAB_CL: number[] = [];
for (let k = 0; k <= 52; k++) {
  sinCosSeries(k / TABLE_STEP, 0);
  TAB_SH.push(D[2]);
  TAB_SL.push(D[3]);
  TAB_CH.push(D[4]);
  TAB_CL.push(D[5]);
}
// 1/n! for the short series, in double-double.
const INV_FACT_H: number[] = [1];
const INV_FACT_L: number[] = [0];
for (let n = 1; n <= 16; n++) {
  ddDivD(INV_FACT_H[n - 1], INV_FACT_L[n - 1], n);
  INV_FACT_H.push(D[0]);
  INV_FACT_L.push(D[1]);
}

/** sin and cos of (xh, xl), 0 <= x <= ~pi/4 + tiny, from the table and a short series. */
function sinCosSmall(xh: number, xl: number): void {
  let neg = false;
  if (xh < 0) {
    neg = true;
    xh = -xh;
    xl = -xl;
  }
  const k = Math.round(xh * TABLE_STEP);
  twoSum(xh - k / TABLE_STEP, xl);
  const r0 = D[0];
  const r1 = D[1];
  ddMul(r0, r1, r0, r1);
  const r2h = D[0];
  const r2l = D[1];
  // Horner in -r2: S = r * (1/1! - r2/3! + r2^2/5! ...), C = 1/0! - r2/2! + r2^2/4! ...
  let ph = INV_FACT_H[13];
  let pl = INV_FACT_L[13];
  for (let n = 11; n >= 1; n -= 2) {
    ddMul(ph, pl, r2h, r2l);
    ph = D[0];
    pl = D[1];
    ddAdd(INV_FACT_H[n], INV_FACT_L[n], -ph, -pl);
    ph = D[0];
    pl = D[1];
  }
  ddMul(ph, pl, r0, r1);
  const sh = D[0];
  const sl = D[1];
  let qh = INV_FACT_H[14];
  let ql = INV_FACT_L[14];
  for (let n = 12; n >= 0; n -= 2) {
    ddMul(qh, ql, r2h, r2l);
    qh = D[0];
    ql = D[1];
    ddAdd(INV_FACT_H[n], INV_FACT_L[n], -qh, -ql);
    qh = D[0];
    ql = D[1];
  }
  const ch = qh;
  const cl = ql;
  // sin(a + r) = sin a cos r + cos a sin r; cos(a + r) = cos a cos r - sin a sin r.
  ddMul(TAB_SH[k], TAB_SL[k], ch, cl);
  let ah = D[0];
  let al = D[1];
  ddMul(TAB_CH[k], TAB_CL[k], sh, sl);
  ddAdd(ah, al, D[0], D[1]);
  D[2] = neg ? -D[0] : D[0];
  D[3] = neg ? -D[1] : D[1];
  ddMul(TAB_CH[k], TAB_CL[k], ch, cl);
  ah = D[0];
  al = D[1];
  ddMul(TAB_SH[k], TAB_SL[k], sh, sl);
  ddAdd(ah, al, -D[0], -D[1]);
  D[4] = D[0];
  D[5] = D[1];
}

const S3 = -1 / 6;
const S5 = 1 / 120;
const S7 = -1 / 5040;
const S9 = 1 / 362880;
const C4 = 1 / 24;
const C6 = -1 / 720;
const C8 = 1 / 40320;

/**
 * Fast sin/cos of (xh, xl), |x| <= ~pi/4 + tiny: table value plus a series whose small terms
 * are summed in plain doubles. D[2..5] get hi/lo like sinCosSmall, D[6]/D[7] an absolute error
 * bound for sin/cos (measured error is about 16 times smaller), so a caller can tell whether
 * rounding hi+lo is certain and otherwise take the accurate path.
 */
function sinCosFast(xh: number, xl: number): void {
  let neg = false;
  if (xh < 0) {
    neg = true;
    xh = -xh;
    xl = -xl;
  }
  const k = Math.round(xh * TABLE_STEP);
  let sinHi: number, sinLo: number, cosHi: number, cosLo: number, sinB: number, cosB: number;
  if (k === 0) {
    const x2 = xh * xh;
    const ts = xh * x2 * (S3 + x2 * (S5 + x2 * (S7 + x2 * S9)));
    const small = xl + ts;
    sinHi = xh + small;
    sinLo = small - (sinHi - xh);
    sinB = Math.abs(xh) * 2 ** -62;
    twoProd(xh, xh);
    const p = D[0];
    const q = D[1];
    const cs = -q / 2 - xh * xl + p * p * (C4 + p * (C6 + p * C8));
    twoSum(1, -p / 2);
    const h = D[0];
    const l = D[1] + cs;
    cosHi = h + l;
    cosLo = l - (cosHi - h);
    cosB = 2 ** -70;
  } else {
    const r0 = xh - k / TABLE_STEP;
    const r1 = xl;
    const r2 = r0 * r0;
    const tc = -(r2 * 0.5 + r0 * r1) + r2 * r2 * (C4 + r2 * (C6 + r2 * C8));
    const ts = r0 * r2 * (S3 + r2 * (S5 + r2 * (S7 + r2 * S9)));
    const sh = TAB_SH[k];
    const sl = TAB_SL[k];
    const ch = TAB_CH[k];
    const cl = TAB_CL[k];
    const rs = r1 + ts;
    // sin(a + r) = sin a + cos a * r0 + (sin a * (cos r - 1) + cos a * (sin r - r0) + ...)
    twoProd(ch, r0);
    let p1 = D[0];
    let p2 = D[1];
    twoSum(sh, p1);
    let s1 = D[0];
    let small = D[1] + p2 + sl + sh * tc + ch * rs + cl * r0;
    sinHi = s1 + small;
    sinLo = small - (sinHi - s1);
    // cos(a + r) = cos a - sin a * r0 + (cos a * (cos r - 1) - sin a * (sin r - r0) + ...)
    twoProd(-sh, r0);
    p1 = D[0];
    p2 = D[1];
    twoSum(ch, p1);
    s1 = D[0];
    small = D[1] + p2 + cl + ch * tc - sh * rs - sl * r0;
    cosHi = s1 + small;
    cosLo = small - (cosHi - s1);
    sinB = 2 ** -64;
    cosB = 2 ** -64;
  }
  D[2] = neg ? -sinHi : sinHi;
  D[3] = neg ? -sinLo : sinLo;
  D[4] = cosHi;
  D[5] = cosLo;
  D[6] = sinB;
  D[7] = cosB;
}

/** Quadrant of the last reduction. */
let quadrant = 0;

/**
 * Reduces x by multiples of pi/2 and computes sin/cos of the rest (fast or accurate); false
 * when |x| is too big for the reduction.
 */
function sinCosReduced(x: number, fast: boolean): boolean {
  if (Math.abs(x) <= 0.7853981633974483) {
    quadrant = 0;
    if (fast) sinCosFast(x, 0);
    else sinCosSmall(x, 0);
    return true;
  }
  const k = Math.round(x * INV_PIO2);
  if (Math.abs(k) >= 1 << 20) return false;
  // r = x - k*pi/2, every product exact.
  twoSum(x, -k * PIO2_1);
  let h = D[0];
  let l = D[1];
  ddAdd(h, l, -k * PIO2_2, 0);
  h = D[0];
  l = D[1];
  ddAdd(h, l, -k * PIO2_3, 0);
  h = D[0];
  l = D[1];
  ddAdd(h, l, -k * PIO2_3T, 0);
  quadrant = ((k % 4) + 4) % 4;
  if (fast) sinCosFast(D[0], D[1]);
  else sinCosSmall(D[0], D[1]);
  return true;
}

/** hi + lo rounded, or NaN when an error of `bound` could change the rounding. */
function roundIfSure(hi: number, lo: number, bound: number): number {
  const b = bound * 1.0001;
  const y1 = hi + (lo + b);
  return y1 === hi + (lo - b) ? y1 : NaN;
}

/** sin(x) of the last reduction (by quadrant), fast-path result or NaN. */
function pickSin(): number {
  switch (quadrant) {
    case 0:
      return roundIfSure(D[2], D[3], D[6]);
    case 1:
      return roundIfSure(D[4], D[5], D[7]);
    case 2:
      return -roundIfSure(D[2], D[3], D[6]);
    default:
      return -roundIfSure(D[4], D[5], D[7]);
  }
}

function pickCos(): number {
  switch (quadrant) {
    case 0:
      return roundIfSure(D[4], D[5], D[7]);
    case 1:
      return -roundIfSure(D[2], D[3], D[6]);
    case 2:
      return -roundIfSure(D[4], D[5], D[7]);
    default:
      return roundIfSure(D[2], D[3], D[6]);
  }
}

/** sin(x), correctly rounded (glibc's is too, in all but rare near-halfway cases). */
export function sin(x: number): number {
  if (!Number.isFinite(x)) return NaN;
  if (x === 0) return x;
  if (!sinCosReduced(x, true)) return Math.sin(x);
  const y = pickSin();
  if (y === y) return y;
  sinCosReduced(x, false);
  D[6] = D[7] = 0;
  return pickSin();
}

/** cos(x), correctly rounded. */
export function cos(x: number): number {
  if (!Number.isFinite(x)) return NaN;
  if (x === 0) return 1;
  if (!sinCosReduced(x, true)) return Math.cos(x);
  const y = pickCos();
  if (y === y) return y;
  sinCosReduced(x, false);
  D[6] = D[7] = 0;
  return pickCos();
}

/** The accurate path alone (tests compare the fast path with it). */
export function sinCosAccurate(x: number): [number, number] {
  if (!sinCosReduced(x, false)) return [Math.sin(x), Math.cos(x)];
  D[6] = D[7] = 0;
  return [pickSin(), pickCos()];
}

/** asin(z), correctly rounded: one Newton step in double-double from V8's estimate. */
export function asin(z: number): number {
  if (!(z >= -1 && z <= 1)) return NaN;
  if (z === 0 || z === 1 || z === -1) return Math.asin(z);
  const y0 = Math.asin(z);
  for (let pass = 0; pass < 2; pass++) {
    const fast = pass === 0;
    sinCosReduced(y0, fast);
    if (!fast) D[6] = D[7] = 0;
    // y0 is within [-pi/2, pi/2]: quadrant 0 or +-1.
    let sh: number, sl: number, ch: number, cl: number, sb: number, cb: number;
    if (quadrant === 0) {
      sh = D[2];
      sl = D[3];
      ch = D[4];
      cl = D[5];
      sb = D[6];
      cb = D[7];
    } else if (quadrant === 1) {
      sh = D[4];
      sl = D[5];
      ch = -D[2];
      cl = -D[3];
      sb = D[7];
      cb = D[6];
    } else {
      sh = -D[4];
      sl = -D[5];
      ch = D[2];
      cl = D[3];
      sb = D[7];
      cb = D[6];
    }
    ddAdd(z, 0, -sh, -sl);
    const c = ch + cl;
    const corr = (D[0] + D[1]) / c;
    if (!fast) return y0 + corr;
    const ac = Math.abs(c);
    const bound = (sb + Math.abs(corr) * cb) / ac + Math.abs(corr) * 2 ** -50 + (corr * corr) / ac;
    const y = roundIfSure(y0, corr, bound);
    if (y === y) return y;
  }
  return NaN;
}

// ---------------------------------------------------------------- encoding

export interface HashBits {
  bits: bigint;
  step: number;
}

export interface Area {
  hash: HashBits;
  latMin: number;
  latMax: number;
  lonMin: number;
  lonMax: number;
}

const M64 = (1n << 64n) - 1n;
const EVEN64 = 0x5555555555555555n;
const ODD64 = 0xaaaaaaaaaaaaaaaan;

/** Spreads the low 16 bits of v to the even bits of a 32-bit word. */
function spread16(v: number): number {
  v &= 0xffff;
  v = (v | (v << 8)) & 0x00ff00ff;
  v = (v | (v << 4)) & 0x0f0f0f0f;
  v = (v | (v << 2)) & 0x33333333;
  v = (v | (v << 1)) & 0x55555555;
  return v >>> 0;
}

/** Gathers the even bits of a 32-bit word into 16 bits. */
function squeeze32(v: number): number {
  v &= 0x55555555;
  v = (v | (v >>> 1)) & 0x33333333;
  v = (v | (v >>> 2)) & 0x0f0f0f0f;
  v = (v | (v >>> 4)) & 0x00ff00ff;
  v = (v | (v >>> 8)) & 0x0000ffff;
  return v;
}

/** Latitude bits (lat) on the even positions, longitude bits on the odd ones (32-bit inputs). */
function interleave(lat: number, lon: number): bigint {
  const lo = (spread16(lat) | (spread16(lon) << 1)) >>> 0;
  const hi = (spread16(lat >>> 16) | (spread16(lon >>> 16) << 1)) >>> 0;
  return (BigInt(hi) << 32n) | BigInt(lo);
}

/** [lat, lon] 32-bit halves of a 64-bit interleaved value given as two 32-bit words. */
function deinterleaveWords(hi: number, lo: number): [number, number] {
  const lat = (squeeze32(lo) | (squeeze32(hi) << 16)) >>> 0;
  const lon = (squeeze32(lo >>> 1) | (squeeze32(hi >>> 1) << 16)) >>> 0;
  return [lat, lon];
}

function deinterleave(bits: bigint): [number, number] {
  return deinterleaveWords(Number((bits >> 32n) & 0xffffffffn), Number(bits & 0xffffffffn));
}

/**
 * Redis's geohashEncode over the given ranges; null when the point is outside them (the
 * offsets are truncated to integers like C's conversion to uint32).
 */
export function encode(lonMin: number, lonMax: number, latMin: number, latMax: number, longitude: number, latitude: number, step: number): HashBits | null {
  if (step > 32 || step === 0) return null;
  if (longitude > GEO_LONG_MAX || longitude < GEO_LONG_MIN || latitude > GEO_LAT_MAX || latitude < GEO_LAT_MIN) return null;
  if (latitude < latMin || latitude > latMax || longitude < lonMin || longitude > lonMax) return null;
  let latOffset = (latitude - latMin) / (latMax - latMin);
  let lonOffset = (longitude - lonMin) / (lonMax - lonMin);
  const scale = 2 ** step;
  latOffset *= scale;
  lonOffset *= scale;
  return { bits: interleave(Math.trunc(latOffset) >>> 0, Math.trunc(lonOffset) >>> 0), step };
}

export function encodeWGS84(longitude: number, latitude: number, step: number): HashBits | null {
  return encode(GEO_LONG_MIN, GEO_LONG_MAX, GEO_LAT_MIN, GEO_LAT_MAX, longitude, latitude, step);
}

/** The hash shifted to 52 bits (a sorted set score before conversion to double). */
export function align52(h: HashBits): bigint {
  return BigInt.asUintN(64, h.bits << BigInt(52 - h.step * 2));
}

function isZero(h: HashBits): boolean {
  return h.bits === 0n && h.step === 0;
}

function decodeLatLon(lat: number, lon: number, step: number): Area {
  const scale = 2 ** step;
  const latScale = GEO_LAT_MAX - GEO_LAT_MIN;
  const lonScale = GEO_LONG_MAX - GEO_LONG_MIN;
  return {
    hash: { bits: 0n, step },
    latMin: GEO_LAT_MIN + ((lat * 1.0) / scale) * latScale,
    latMax: GEO_LAT_MIN + (((lat + 1) * 1.0) / scale) * latScale,
    lonMin: GEO_LONG_MIN + ((lon * 1.0) / scale) * lonScale,
    lonMax: GEO_LONG_MIN + (((lon + 1) * 1.0) / scale) * lonScale,
  };
}

/** geohashDecode over the WGS84 ranges (null for a zeroed hash). */
export function decode(h: HashBits): Area | null {
  if (isZero(h)) return null;
  const [lat, lon] = deinterleave(h.bits);
  const a = decodeLatLon(lat, lon, h.step);
  a.hash = h;
  return a;
}

function areaCenter(a: Area): [number, number] {
  let x = (a.lonMin + a.lonMax) / 2;
  if (x > GEO_LONG_MAX) x = GEO_LONG_MAX;
  if (x < GEO_LONG_MIN) x = GEO_LONG_MIN;
  let y = (a.latMin + a.latMax) / 2;
  if (y > GEO_LAT_MAX) y = GEO_LAT_MAX;
  if (y < GEO_LAT_MIN) y = GEO_LAT_MIN;
  return [x, y];
}

const TWO32 = 4294967296;

/**
 * The 64-bit integer C gets from `(uint64_t)score` on x86-64 (scores of ordinary sorted sets
 * can be negative, fractional or huge), as two 32-bit words.
 */
function scoreWords(score: number): [number, number] {
  if (score >= 0 && score < 2 ** 53) {
    const t = Math.trunc(score);
    const hi = Math.floor(t / TWO32);
    return [hi, t - hi * TWO32];
  }
  let v: bigint;
  if (score < 2 ** 63) {
    // cvttsd2si: out of the int64 range it yields INT64_MIN.
    v = score < -(2 ** 63) ? -(2n ** 63n) : BigInt(Math.trunc(score));
  } else {
    const rest = score - 2 ** 63;
    v = (rest >= 2 ** 63 ? -(2n ** 63n) : BigInt(Math.trunc(rest))) ^ -(2n ** 63n);
  }
  v = BigInt.asUintN(64, v);
  return [Number(v >> 32n), Number(v & 0xffffffffn)];
}

/** [longitude, latitude] of a sorted set score (Redis's decodeGeohash, which never fails). */
export function decodeScore(score: number): [number, number] {
  const [hi, lo] = scoreWords(score);
  const [lat, lon] = deinterleaveWords(hi, lo);
  return areaCenter(decodeLatLon(lat, lon, GEO_STEP_MAX));
}

/** The 52-bit score of a point (GEOADD), as the integer string ZADD receives. */
export function scoreOf(longitude: number, latitude: number): string {
  return align52(encodeWGS84(longitude, latitude, GEO_STEP_MAX)!).toString();
}

const BASE32 = '0123456789bcdefghjkmnpqrstuvwxyz';

/** The standard 11-character geohash of a score (re-encoded over latitude -90..90). */
export function geohashString(score: number): string {
  const [x, y] = decodeScore(score);
  // Redis ignores the encoder's failure (the point is always in range here).
  const h = encode(-180, 180, -90, 90, x, y, 26);
  const bits = h ? h.bits : 0n;
  let s = '';
  for (let i = 0; i < 11; i++) {
    const idx = i === 10 ? 0 : Number((bits >> BigInt(52 - (i + 1) * 5)) & 0x1fn);
    s += BASE32[idx];
  }
  return s;
}

// ---------------------------------------------------------------- neighbours

function moveX(h: HashBits, d: number): HashBits {
  if (d === 0) return h;
  let x = h.bits & ODD64;
  const y = h.bits & EVEN64;
  const shift = BigInt(64 - h.step * 2);
  const zz = EVEN64 >> shift;
  if (d > 0) x = x + (zz + 1n);
  else {
    x = x | zz;
    x = x - (zz + 1n);
  }
  x = BigInt.asUintN(64, x) & (ODD64 >> shift);
  return { bits: x | y, step: h.step };
}

function moveY(h: HashBits, d: number): HashBits {
  if (d === 0) return h;
  const x = h.bits & ODD64;
  let y = h.bits & EVEN64;
  const shift = BigInt(64 - h.step * 2);
  const zz = ODD64 >> shift;
  if (d > 0) y = y + (zz + 1n);
  else {
    y = y | zz;
    y = y - (zz + 1n);
  }
  y = BigInt.asUintN(64, y) & (EVEN64 >> shift);
  return { bits: x | y, step: h.step };
}

const ZERO: HashBits = { bits: 0n, step: 0 };

export interface Neighbors {
  north: HashBits;
  south: HashBits;
  east: HashBits;
  west: HashBits;
  northEast: HashBits;
  northWest: HashBits;
  southEast: HashBits;
  southWest: HashBits;
}

function neighbors(h: HashBits): Neighbors {
  return {
    east: moveX(h, 1),
    west: moveX(h, -1),
    south: moveY(h, -1),
    north: moveY(h, 1),
    northWest: moveY(moveX(h, -1), 1),
    northEast: moveY(moveX(h, 1), 1),
    southEast: moveY(moveX(h, 1), -1),
    southWest: moveY(moveX(h, -1), -1),
  };
}

// ---------------------------------------------------------------- shapes and distances

export interface Shape {
  circular: boolean;
  /** Center: longitude, latitude. */
  x: number;
  y: number;
  /** Meters per unit. */
  conversion: number;
  radius: number;
  width: number;
  height: number;
  /** minLon, minLat, maxLon, maxLat (filled by searchAreas). */
  bounds: [number, number, number, number];
}

export function estimateStepsByRadius(rangeMeters: number, lat: number): number {
  if (rangeMeters === 0) return 26;
  let step = 1;
  while (rangeMeters < MERCATOR_MAX) {
    rangeMeters *= 2;
    step++;
  }
  step -= 2;
  if (lat > 66 || lat < -66) {
    step--;
    if (lat > 80 || lat < -80) step--;
  }
  if (step < 1) step = 1;
  if (step > 26) step = 26;
  return step;
}

function boundingBox(s: Shape): void {
  const height = s.conversion * (s.circular ? s.radius : s.height / 2);
  const width = s.conversion * (s.circular ? s.radius : s.width / 2);
  const latDelta = height / EARTH_RADIUS_IN_METERS / D_R;
  const lonDeltaTop = width / EARTH_RADIUS_IN_METERS / cos((s.y + latDelta) * D_R) / D_R;
  const lonDeltaBottom = width / EARTH_RADIUS_IN_METERS / cos((s.y - latDelta) * D_R) / D_R;
  const southern = s.y < 0;
  s.bounds[0] = southern ? s.x - lonDeltaBottom : s.x - lonDeltaTop;
  s.bounds[2] = southern ? s.x + lonDeltaBottom : s.x + lonDeltaTop;
  s.bounds[1] = s.y - latDelta;
  s.bounds[3] = s.y + latDelta;
}

/**
 * The center box and its 8 neighbours covering the shape (geohashCalculateAreasByShapeWGS84),
 * in Redis's search order, zeroed (null) where a box cannot hold matches.
 */
export function searchAreas(s: Shape): (HashBits | null)[] {
  boundingBox(s);
  const [minLon, minLat, maxLon, maxLat] = s.bounds;
  let radiusMeters = s.circular ? s.radius : Math.sqrt((s.width / 2) * (s.width / 2) + (s.height / 2) * (s.height / 2));
  radiusMeters *= s.conversion;
  let steps = estimateStepsByRadius(radiusMeters, s.y);
  // Redis ignores encode failures: the center is always in range.
  let hash = encodeWGS84(s.x, s.y, steps) ?? { bits: 0n, step: 0 };
  let nb = neighbors(hash);
  let area = decode(hash);
  let decrease = false;
  {
    const north = decode(nb.north);
    const south = decode(nb.south);
    const east = decode(nb.east);
    const west = decode(nb.west);
    if (north && north.latMax < maxLat) decrease = true;
    if (south && south.latMin > minLat) decrease = true;
    if (east && east.lonMax < maxLon) decrease = true;
    if (west && west.lonMin > minLon) decrease = true;
  }
  if (steps > 1 && decrease) {
    steps--;
    hash = encodeWGS84(s.x, s.y, steps) ?? { bits: 0n, step: 0 };
    nb = neighbors(hash);
    area = decode(hash);
  }
  if (steps >= 2 && area) {
    if (area.latMin < minLat) nb.south = nb.southWest = nb.southEast = ZERO;
    if (area.latMax > maxLat) nb.north = nb.northEast = nb.northWest = ZERO;
    if (area.lonMin < minLon) nb.west = nb.southWest = nb.northWest = ZERO;
    if (area.lonMax > maxLon) nb.east = nb.southEast = nb.northEast = ZERO;
  }
  return [hash, nb.north, nb.south, nb.east, nb.west, nb.northEast, nb.northWest, nb.southEast, nb.southWest].map((h) => (isZero(h) ? null : h));
}

/** Score range [min, max) of the members inside a box, as doubles. */
export function boxScores(h: HashBits): [number, number] {
  const min = align52(h);
  const max = align52({ bits: h.bits + 1n, step: h.step });
  return [Number(min), Number(max)];
}

export function latDistance(lat1: number, lat2: number): number {
  return EARTH_RADIUS_IN_METERS * Math.abs(lat2 * D_R - lat1 * D_R);
}

/** Haversine distance in meters between two points, in Redis's float operation order. */
export function distance(lon1: number, lat1: number, lon2: number, lat2: number): number {
  const lon1r = lon1 * D_R;
  const lon2r = lon2 * D_R;
  const v = sin((lon2r - lon1r) / 2);
  if (v === 0.0) return latDistance(lat1, lat2);
  const lat1r = lat1 * D_R;
  const lat2r = lat2 * D_R;
  const u = sin((lat2r - lat1r) / 2);
  const a = u * u + cos(lat1r) * cos(lat2r) * v * v;
  return 2.0 * EARTH_RADIUS_IN_METERS * asin(Math.sqrt(a));
}

/**
 * Decodes a score and checks it against the shape: the distance to the center, or -1 when
 * the point is outside. `xy` receives the decoded coordinates.
 */
export function withinShape(s: Shape, score: number, xy: [number, number]): number {
  const [x, y] = decodeScore(score);
  xy[0] = x;
  xy[1] = y;
  if (s.circular) {
    const d = distance(s.x, s.y, x, y);
    return d > s.radius * s.conversion ? -1 : d;
  }
  const widthM = s.width * s.conversion;
  const heightM = s.height * s.conversion;
  if (latDistance(y, s.y) > heightM / 2) return -1;
  if (distance(x, y, s.x, y) > widthM / 2) return -1;
  return distance(s.x, s.y, x, y);
}

// ---------------------------------------------------------------- number formatting

const F64 = new Float64Array(1);
const U64 = new BigUint64Array(F64.buffer);

/**
 * C's printf("%.<digits>f") of a double: the exact binary value rounded half to even (glibc),
 * including "inf"/"-inf"/"nan".
 */
export function formatFixed(d: number, digits: number): string {
  if (Number.isNaN(d)) return d < 0 ? '-nan' : 'nan';
  if (d === Infinity) return 'inf';
  if (d === -Infinity) return '-inf';
  F64[0] = d;
  const bits = U64[0];
  const neg = bits >> 63n === 1n;
  const expBits = Number((bits >> 52n) & 0x7ffn);
  let mant = bits & ((1n << 52n) - 1n);
  let exp: number;
  if (expBits === 0) exp = -1074;
  else {
    mant |= 1n << 52n;
    exp = expBits - 1075;
  }
  const p10 = 10n ** BigInt(digits);
  let q: bigint;
  if (exp >= 0) q = (mant << BigInt(exp)) * p10;
  else {
    const num = mant * p10;
    const den = 1n << BigInt(-exp);
    q = num / den;
    const rem2 = (num % den) * 2n;
    if (rem2 > den || (rem2 === den && (q & 1n) === 1n)) q += 1n;
  }
  let s = q.toString();
  if (digits > 0) {
    if (s.length <= digits) s = '0'.repeat(digits - s.length + 1) + s;
    s = s.slice(0, s.length - digits) + '.' + s.slice(s.length - digits);
  }
  return (neg ? '-' : '') + s;
}

/** Redis's ld2string(LD_STR_HUMAN) for a double: %.17Lf with trailing zeros (and dot) removed. */
export function formatHuman(d: number): string {
  if (d === Infinity) return 'inf';
  if (d === -Infinity) return '-inf';
  let s = formatFixed(d, 17);
  if (s.includes('.')) {
    s = s.replace(/0+$/, '');
    if (s.endsWith('.')) s = s.slice(0, -1);
  }
  if (s === '-0') s = '0';
  return s;
}

/** llrint: round half to even. */
function rint(x: number): number {
  const f = Math.floor(x);
  const diff = x - f;
  if (diff < 0.5) return f;
  if (diff > 0.5) return f + 1;
  return f % 2 === 0 ? f : f + 1;
}

/** fixedpoint_d2string(d, 4): distances with 4 decimals, rounded by llrint. */
export function formatDistance(d: number): string {
  if (d === 0) return '0.0000';
  const v = rint(d * 10000);
  const neg = v < 0;
  let s = BigInt(Math.abs(v)).toString();
  if (s.length <= 4) s = '0'.repeat(5 - s.length) + s;
  return (neg ? '-' : '') + s.slice(0, -4) + '.' + s.slice(-4);
}
