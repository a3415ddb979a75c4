/**
 * INCRBYFLOAT arithmetic. Redis computes it in C's `long double`, which on x86-64 is the x87
 * 80-bit extended format (64-bit significand, 15-bit exponent), parses operands with strtold
 * and prints the result with "%.17Lf" minus trailing zeros. Reproducing its replies byte for
 * byte needs the same precision, so this module models that format exactly with BigInt:
 *
 *   value = (-1)^neg × m × 2^e,   2^63 ≤ m < 2^64 for normal numbers, e ≥ EMIN
 *
 * Every operation is computed exactly and rounded once to nearest, ties to even, as the FPU
 * does in its default mode.
 */

/** A finite extended-precision value; zero has m = 0. */
export interface Ext {
  neg: boolean;
  m: bigint;
  e: number;
}

/** Outcome of parsing or adding: a finite value, an infinity, or null for "not a number / invalid". */
export type ExtResult = Ext | 'inf' | '-inf' | null;

const TWO63 = 1n << 63n;
const TWO64 = 1n << 64n;
/** Exponent of the smallest subnormal unit, 2^-16445. */
const EMIN = -16445;
/** Largest exponent of a finite value: (2^64 - 1) × 2^16320 is the format's maximum. */
const EMAX = 16320;
const TEN17 = 10n ** 17n;

function bitLength(n: bigint): number {
  // n > 0. toString(16) is linear and fast in V8; refine with the top digit.
  const hex = n.toString(16);
  return (hex.length - 1) * 4 + (32 - Math.clz32(parseInt(hex[0], 16)));
}

/**
 * Rounds the exact positive value num × 2^shift / den to the format. Returns a zero Ext when it
 * underflows to zero and an infinity when it overflows.
 */
function round(neg: boolean, num: bigint, den: bigint, shift: number): Ext | 'inf' | '-inf' {
  let e = bitLength(num) - bitLength(den) + shift - 64;
  let q = 0n;
  let r = 0n;
  let d = den;
  for (let pass = 0; pass < 3; pass++) {
    if (e < EMIN) e = EMIN;
    const s = shift - e;
    let n = num;
    d = den;
    if (s >= 0) n <<= BigInt(s);
    else d <<= BigInt(-s);
    q = n / d;
    r = n - q * d;
    if (q < TWO64) break;
    e++;
  }
  const twice = r << 1n;
  if (twice > d || (twice === d && (q & 1n) === 1n)) q++;
  if (q === TWO64) {
    q = TWO63;
    e++;
  }
  if (q === 0n) return { neg, m: 0n, e: 0 };
  if (e > EMAX) return neg ? '-inf' : 'inf';
  return { neg, m: q, e };
}

function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}

function hexVal(c: number): number {
  if (c >= 48 && c <= 57) return c - 48;
  if (c >= 97 && c <= 102) return c - 87;
  if (c >= 65 && c <= 70) return c - 55;
  return -1;
}

/** Reads a decimal exponent's digits starting at i; returns [value clamped to ±1e9, next index] or null. */
function readExponent(s: string, i: number): [number, number] | null {
  let sign = 1;
  const c = s.charCodeAt(i);
  if (c === 43 || c === 45) {
    if (c === 45) sign = -1;
    i++;
  }
  const start = i;
  let v = 0;
  while (i < s.length && isDigit(s.charCodeAt(i))) {
    if (v < 1e9) v = v * 10 + (s.charCodeAt(i) - 48);
    i++;
  }
  if (i === start) return null;
  return [sign * Math.min(v, 1e9), i];
}

/**
 * strtold as Redis's string2ld uses it: the whole string must be consumed, no leading space,
 * no NaN, and a result that overflows or underflows to zero is rejected. Returns null when the
 * text is not a valid float, 'inf'/'-inf' for infinities.
 */
export function parseExt(s: string): ExtResult {
  const n = s.length;
  if (n === 0 || n >= 5 * 1024) return null;
  let i = 0;
  let neg = false;
  let c = s.charCodeAt(0);
  if (c === 43 || c === 45) {
    neg = c === 45;
    i = 1;
  }
  if (i >= n) return null;
  c = s.charCodeAt(i);
  if (c === 105 || c === 73) {
    const rest = s.slice(i).toLowerCase();
    if (rest === 'inf' || rest === 'infinity') return neg ? '-inf' : 'inf';
    return null;
  }
  if (c === 48 && i + 1 < n && (s.charCodeAt(i + 1) | 32) === 120) return parseHex(s, i + 2, neg);
  // Decimal: digits [. digits] [e exp]
  let digits = '';
  let sawDigit = false;
  let fracLen = 0;
  while (i < n && isDigit(s.charCodeAt(i))) {
    digits += s[i];
    sawDigit = true;
    i++;
  }
  if (i < n && s.charCodeAt(i) === 46) {
    i++;
    while (i < n && isDigit(s.charCodeAt(i))) {
      digits += s[i];
      fracLen++;
      sawDigit = true;
      i++;
    }
  }
  if (!sawDigit) return null;
  let exp = 0;
  if (i < n && (s.charCodeAt(i) | 32) === 101) {
    const r = readExponent(s, i + 1);
    if (r === null) return null; // "1e" leaves "e" unparsed
    exp = r[0];
    i = r[1];
  }
  if (i !== n) return null;
  // Strip leading zeros to find the significant digits.
  let z = 0;
  while (z < digits.length && digits.charCodeAt(z) === 48) z++;
  if (z === digits.length) return { neg, m: 0n, e: 0 };
  const sig = digits.slice(z);
  const exp10 = exp - fracLen;
  const magnitude = sig.length + exp10; // value in [10^(magnitude-1), 10^magnitude)
  if (magnitude > 4934) return null; // overflow (ERANGE, HUGE_VAL)
  if (magnitude < -4960) return null; // underflow to zero (ERANGE)
  let num = BigInt(sig);
  let den = 1n;
  if (exp10 >= 0) num *= 10n ** BigInt(exp10);
  else den = 10n ** BigInt(-exp10);
  const r = round(neg, num, den, 0);
  if (typeof r === 'string' || r.m === 0n) return null;
  return r;
}

function parseHex(s: string, i: number, neg: boolean): ExtResult {
  const n = s.length;
  let hex = '';
  let fracDigits = 0;
  let saw = false;
  while (i < n && hexVal(s.charCodeAt(i)) >= 0) {
    hex += s[i];
    saw = true;
    i++;
  }
  if (i < n && s.charCodeAt(i) === 46) {
    i++;
    while (i < n && hexVal(s.charCodeAt(i)) >= 0) {
      hex += s[i];
      fracDigits++;
      saw = true;
      i++;
    }
  }
  if (!saw) return null; // "0x" alone: strtold stops after the 0
  let exp = 0;
  if (i < n && (s.charCodeAt(i) | 32) === 112) {
    const r = readExponent(s, i + 1);
    if (r === null) return null;
    exp = r[0];
    i = r[1];
  }
  if (i !== n) return null;
  const num = BigInt('0x' + hex);
  if (num === 0n) return { neg, m: 0n, e: 0 };
  const shift = exp - 4 * fracDigits;
  const top = bitLength(num) + shift;
  if (top > 16400) return null;
  if (top < -16500) return null;
  const r = round(neg, num, 1n, shift);
  if (typeof r === 'string' || r.m === 0n) return null;
  return r;
}

/** a + b rounded to the format; 'inf'/'-inf' on overflow. */
export function addExt(a: Ext, b: Ext): Ext | 'inf' | '-inf' {
  if (a.m === 0n) return b.m === 0n ? { neg: a.neg && b.neg, m: 0n, e: 0 } : b;
  if (b.m === 0n) return a;
  const emin = Math.min(a.e, b.e);
  let x = a.m << BigInt(a.e - emin);
  let y = b.m << BigInt(b.e - emin);
  if (a.neg) x = -x;
  if (b.neg) y = -y;
  const sum = x + y;
  if (sum === 0n) return { neg: false, m: 0n, e: 0 };
  return sum < 0n ? round(true, -sum, 1n, emin) : round(false, sum, 1n, emin);
}

/** printf("%.17Lf") with trailing zeros (and a trailing dot) removed, and "-0" printed as "0". */
export function formatExt(v: Ext): string {
  let out: string;
  if (v.m === 0n) return '0';
  if (v.e >= 0) {
    out = (v.m << BigInt(v.e)).toString();
  } else {
    const s = BigInt(-v.e);
    const x = v.m * TEN17;
    let q = x >> s;
    const r = x - (q << s);
    const half = 1n << (s - 1n);
    if (r > half || (r === half && (q & 1n) === 1n)) q++;
    let str = q.toString();
    if (str.length < 18) str = '0'.repeat(18 - str.length) + str;
    const intPart = str.slice(0, str.length - 17);
    let end = str.length;
    while (end > intPart.length && str.charCodeAt(end - 1) === 48) end--;
    out = end === intPart.length ? intPart : intPart + '.' + str.slice(intPart.length, end);
  }
  if (v.neg) {
    if (out === '0') return '0';
    return '-' + out;
  }
  return out;
}
