/**
 * Numbers as Lua 5.1 in Redis prints and reads them: tostring and `..` use C's "%.14g"
 * (LUA_NUMBER_FMT), redis.call arguments "%.17g", and tonumber/arithmetic coercion read strings
 * with strtod (so "0x1A", " 12 ", "1e3", "inf" are numbers and "12abc" is not). string.format's
 * %e/%f/%g/%d/%x... are printed here too, as glibc's printf prints them on x86-64.
 *
 * JS's toExponential/toFixed round the exact binary value correctly but send exact ties away
 * from zero, where glibc rounds them to even; a tie is only possible when the double's exact
 * decimal expansion ends exactly one digit past the cut, which its lowest set bit tells cheaply.
 */

const f64 = new Float64Array(1);
const u32 = new Uint32Array(f64.buffer);

/** e such that x = m * 2^e with m odd (x finite, non-zero). */
function lowBitExponent(x: number): number {
  f64[0] = x;
  const lo = u32[0];
  const hi = u32[1];
  const biased = (hi >>> 20) & 0x7ff;
  const e = biased === 0 ? -1074 : biased - 1075;
  if (lo !== 0) return e + 31 - Math.clz32(lo & -lo);
  const h = (hi & 0xfffff) | (biased === 0 ? 0 : 0x100000);
  return e + 32 + 31 - Math.clz32(h & -h);
}

/** Rounds a digit string to n digits, half to even on an exact tie. Returns [digits, carried]. */
function roundDigits(d: string, n: number): [string, boolean] {
  if (d.length <= n) return [d.padEnd(n, '0'), false];
  const next = d.charCodeAt(n);
  let up = next > 53;
  if (next === 53) {
    up = true;
    let rest0 = true;
    for (let i = n + 1; i < d.length; i++) if (d.charCodeAt(i) !== 48) { rest0 = false; break; }
    if (rest0) up = n > 0 && (d.charCodeAt(n - 1) & 1) === 1;
  }
  let kept = d.slice(0, n);
  if (!up) return [kept, false];
  const chars = kept.split('');
  let i = n - 1;
  while (i >= 0 && chars[i] === '9') chars[i--] = '0';
  if (i < 0) return [('1' + chars.join('')).slice(0, Math.max(n, 1)), true];
  chars[i] = String.fromCharCode(chars[i].charCodeAt(0) + 1);
  kept = chars.join('');
  return [kept, false];
}

/** The exact decimal digits of a non-negative integral double (no leading zeros; "0" for 0). */
function integerDigits(x: number): string {
  return x < 1e21 ? x.toFixed(0) : BigInt(x).toString();
}

/**
 * x (> 0, finite) rounded to `sig` significant digits (1..100) half to even: the digits and the
 * decimal exponent of the first one.
 */
export function significant(x: number, sig: number): [string, number] {
  if (Number.isInteger(x)) {
    const d = integerDigits(x);
    const [r, carried] = roundDigits(d, sig);
    return [r, d.length - 1 + (carried ? 1 : 0)];
  }
  const s = x.toExponential(sig - 1);
  const ei = s.indexOf('e');
  let digits = sig === 1 ? s.slice(0, 1) : s[0] + s.slice(2, ei);
  let exp = +s.slice(ei + 1);
  const low = lowBitExponent(x);
  // A tie needs the exact expansion to end (in a 5) one digit past the kept ones.
  if ((low === exp - sig || low === exp - 1 - sig) && sig < 101) {
    const t = x.toExponential(sig);
    const ti = t.indexOf('e');
    const te = +t.slice(ti + 1);
    if (low === te - sig && t.charCodeAt(ti - 1) === 53) {
      const exact = t[0] + t.slice(2, ti - 1);
      if ((exact.charCodeAt(exact.length - 1) & 1) === 0) {
        digits = exact;
        exp = te;
      }
    }
  }
  return [digits, exp];
}

/** x (>= 0, finite) with `prec` (0..100) digits after the point, half to even, as C's %.<prec>f. */
export function fixed(x: number, prec: number): string {
  if (x >= 1e21) return integerDigits(x) + (prec > 0 ? '.' + '0'.repeat(prec) : '');
  const s = x.toFixed(prec);
  if (Number.isInteger(x) || prec >= 100 || x === 0) return s;
  if (lowBitExponent(x) !== -(prec + 1)) return s;
  // An exact tie: JS rounded away from zero; glibc keeps the even neighbour.
  const t = x.toFixed(prec + 1);
  const truncated = t.slice(0, prec === 0 ? -2 : -1);
  const lastKept = truncated.charCodeAt(truncated.length - 1);
  return (lastKept & 1) === 0 ? truncated : s;
}

/** C's "%.<prec>g" as glibc prints it (no flags). NaN prints "-nan" (see formatFloat). */
export function formatG(n: number, prec: number): string {
  if (!Number.isFinite(n)) return Number.isNaN(n) ? '-nan' : n > 0 ? 'inf' : '-inf';
  if (n === 0) return Object.is(n, -0) ? '-0' : '0';
  const body = gBody(n < 0 ? -n : n, prec === 0 ? 1 : prec, false);
  return n < 0 ? '-' + body : body;
}

/** %g of x > 0 with precision p >= 1; `alt` is the '#' flag (keep trailing zeros). */
function gBody(x: number, p: number, alt: boolean): string {
  const [d, exp] = significant(x, p);
  if (exp < -4 || exp >= p) {
    let m = d.length > 1 ? d[0] + '.' + d.slice(1) : alt ? d + '.' : d;
    if (!alt) m = stripZeros(m);
    return m + expSuffix(exp, 'e');
  }
  let s: string;
  if (exp >= 0) {
    const ip = d.slice(0, exp + 1);
    const fp = d.slice(exp + 1);
    s = fp.length > 0 || alt ? ip + '.' + fp : ip;
  } else {
    s = '0.' + '0'.repeat(-exp - 1) + d;
  }
  return alt ? s : stripZeros(s);
}

function expSuffix(exp: number, e: string): string {
  const a = exp < 0 ? -exp : exp;
  return e + (exp < 0 ? '-' : '+') + (a < 10 ? '0' + a : String(a));
}

/** Lua's tostring of a number. */
export function numberToString(n: number): string {
  // Integers below 10^14 print the same under %.14g: the common case of `..` stays cheap.
  if (Number.isInteger(n) && n > -1e14 && n < 1e14 && !Object.is(n, -0)) return String(n);
  const a = n < 0 ? -n : n;
  if (a >= 1e-4 && a < 1e13) {
    // Short decimals (0.5, 3.14, 99.99): when m/10^k reads back as exactly this double and m has
    // at most 14 digits, %.14g prints that decimal (the double is within half an ulp of it, far
    // below half a unit of the 14th digit), so its digits come from integer arithmetic.
    let p = 10;
    for (let k = 1; k <= 8; k++, p *= 10) {
      const m = Math.round(a * p);
      if (m >= 1e14) break;
      if (m / p === a) {
        let d = String(m);
        if (d.length <= k) d = '0'.repeat(k - d.length + 1) + d;
        let end = d.length;
        while (d.charCodeAt(end - 1) === 48) end--;
        const point = d.length - k;
        const text = end > point ? d.slice(0, point) + '.' + d.slice(point, end) : d.slice(0, point);
        return n < 0 ? '-' + text : text;
      }
    }
  }
  return formatG(n, 14);
}

/** lua_Number2str for redis.call arguments in 7.0 ("%.17g"). */
export function numberToArg(n: number): string {
  // Up to 2^53 String() prints the exact integer; beyond, it prints the shortest round-trip text.
  if (Number.isInteger(n) && n > -9007199254740992 && n < 9007199254740992 && !Object.is(n, -0)) return String(n);
  const a = n < 0 ? -n : n;
  if (a >= 1e-4 && a < 1e15 && Number.isFinite(a)) {
    // A double with few binary fraction digits (1.5, 0.375) is a short exact decimal: with
    // at most 17 significant digits %.17g prints exactly it.
    const e = lowBitExponent(a);
    if (e >= -20) {
      const m = a * 2 ** -e * 5 ** -e; // exact: the double times 10^-e, an integer below 2^53
      if (m < 9007199254740992) {
        const text = shortDecimal(m, -e);
        if (text !== undefined) return n < 0 ? '-' + text : text;
      }
    }
  }
  return formatG(n, 17);
}

/** m / 10^k (m an integer, k >= 1) in %g's fixed style when it has at most 17 digits. */
function shortDecimal(m: number, k: number): string | undefined {
  let d = String(m);
  if (d.length <= k) d = '0'.repeat(k - d.length + 1) + d;
  let start = 0;
  while (start < d.length - 1 && d.charCodeAt(start) === 48) start++;
  if (d.length - start > 17) return undefined;
  let end = d.length;
  while (d.charCodeAt(end - 1) === 48) end--;
  const point = d.length - k;
  return end > point ? d.slice(0, point) + '.' + d.slice(point, end) : d.slice(0, point);
}

function stripZeros(s: string): string {
  if (!s.includes('.')) return s;
  let end = s.length;
  while (s.charCodeAt(end - 1) === 48) end--;
  if (s.charCodeAt(end - 1) === 46) end--;
  return s.slice(0, end);
}

// ── reading ─────────────────────────────────────────────────────────────────────────────────

const NUMBER_TEXT =
  /^[\t\n\v\f\r ]*([+-]?(?:0[xX](?:[0-9a-fA-F]+\.?[0-9a-fA-F]*|\.[0-9a-fA-F]+)(?:[pP][+-]?[0-9]+)?|(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?|[iI][nN][fF](?:[iI][nN][iI][tT][yY])?|[nN][aA][nN](?:\([0-9a-zA-Z_]*\))?))[\t\n\v\f\r ]*$/;

/**
 * luaO_str2d: the number a string reads as, or undefined. The string is read as a C string (up
 * to its first NUL byte), by glibc's strtod, then only whitespace may follow.
 */
export function stringToNumber(s: string): number | undefined {
  const nul = s.indexOf('\0');
  if (nul >= 0) s = s.slice(0, nul);
  // Fast paths: plain decimal integers, then "-12", "3.25" (Number() reads those as strtod does).
  const len = s.length;
  if (len > 0 && len < 16) {
    let v = 0;
    let i = 0;
    for (; i < len; i++) {
      const c = s.charCodeAt(i);
      if (c < 48 || c > 57) break;
      v = v * 10 + (c - 48);
    }
    if (i === len) return v;
  }
  if (len > 0 && len < 40) {
    let i = s.charCodeAt(0) === 45 ? 1 : 0;
    let digits = 0;
    let dots = 0;
    for (; i < len; i++) {
      const c = s.charCodeAt(i);
      if (c >= 48 && c <= 57) digits++;
      else if (c === 46 && dots === 0) dots++;
      else break;
    }
    if (i === len && digits > 0) return Number(s);
  }
  const m = NUMBER_TEXT.exec(s);
  if (m === null) return undefined;
  return parseStrtod(m[1]);
}

function parseStrtod(text: string): number {
  let neg = false;
  let t = text;
  const c0 = t.charCodeAt(0);
  if (c0 === 43 || c0 === 45) {
    neg = c0 === 45;
    t = t.slice(1);
  }
  let v: number;
  const c1 = t.charCodeAt(0) | 32;
  if (c1 === 105 /* i */) v = Infinity;
  else if (c1 === 110 /* n */) v = NaN;
  else if (t.length > 1 && (t.charCodeAt(1) | 32) === 120) v = parseHex(t.slice(2));
  else v = Number(t);
  return neg ? -v : v;
}

/** A hexadecimal float body ("1A.8p-3") read exactly, rounded once as strtod does. */
function parseHex(body: string): number {
  const pi = body.search(/[pP]/);
  const mant = pi < 0 ? body : body.slice(0, pi);
  let exp = pi < 0 ? 0 : Number(body.slice(pi + 1));
  const dot = mant.indexOf('.');
  const digits = dot < 0 ? mant : mant.slice(0, dot) + mant.slice(dot + 1);
  if (dot >= 0) exp -= 4 * (mant.length - dot - 1);
  const m = BigInt('0x' + (digits.replace(/^0+/, '') || '0'));
  if (m === 0n) return 0;
  if (!Number.isFinite(exp) || exp > 5000) return Infinity;
  if (exp < -5000 - digits.length * 4) return 0;
  // Keep 64+ significant bits plus a sticky bit, then let one scaled conversion round.
  const bits = m.toString(2).length;
  let mm = m;
  let e = exp;
  if (bits > 64) {
    const shift = BigInt(bits - 64);
    const sticky = (mm & ((1n << shift) - 1n)) !== 0n ? 1n : 0n;
    mm = (mm >> shift) | sticky;
    e += bits - 64;
  }
  return scaleBinary(mm, e);
}

/** mm * 2^e correctly rounded (mm < 2^65 with a sticky low bit). */
function scaleBinary(mm: bigint, e: number): number {
  const bits = mm.toString(2).length;
  const top = bits + e; // value in [2^(top-1), 2^top)
  if (top > 1024) return Infinity;
  // Bits the double keeps: 53, fewer in the subnormal range (lowest bit weight 2^-1074).
  const keep = Math.min(53, top + 1074);
  if (keep <= 0) {
    // Below half the smallest subnormal, or a tie/over-half case at 2^-1075.
    return keep === 0 && mm > 1n << BigInt(bits - 1) ? 5e-324 : 0;
  }
  let drop = bits - keep;
  let r = mm;
  let re = e;
  if (drop > 0) {
    const half = 1n << BigInt(drop - 1);
    const rem = r & ((1n << BigInt(drop)) - 1n);
    r >>= BigInt(drop);
    if (rem > half || (rem === half && (r & 1n) === 1n)) r += 1n;
    re += drop;
  }
  // r has at most 54 bits and re keeps the product in range: two exact steps.
  const rv = Number(r);
  if (re > 900) return rv * 2 ** 900 * 2 ** (re - 900);
  if (re < -900) return rv * 2 ** -900 * 2 ** (re + 900);
  return rv * 2 ** re;
}

// ── string.format's numeric conversions (glibc printf on x86-64) ─────────────────────────

/** A conversion spec's flags as bits. */
export const F_MINUS = 1;
export const F_PLUS = 2;
export const F_SPACE = 4;
export const F_HASH = 8;
export const F_ZERO = 16;

function pad(sign: string, body: string, flags: number, width: number, zeroOk: boolean): string {
  const len = sign.length + body.length;
  if (len >= width) return sign + body;
  if (flags & F_MINUS) return sign + body + ' '.repeat(width - len);
  if (zeroOk && flags & F_ZERO) return sign + '0'.repeat(width - len) + body;
  return ' '.repeat(width - len) + sign + body;
}

/** %e %E %f %g %G of x; prec < 0 means none given (6). */
export function formatFloat(x: number, conv: string, flags: number, width: number, prec: number): string {
  const upper = conv === 'E' || conv === 'G';
  let neg = x < 0 || Object.is(x, -0);
  let body: string;
  let finite = true;
  if (Number.isNaN(x)) {
    // x86's default NaN (0/0, inf-inf) has the sign bit set; JS keeps no NaN sign.
    neg = true;
    body = upper ? 'NAN' : 'nan';
    finite = false;
  } else if (!Number.isFinite(x)) {
    body = upper ? 'INF' : 'inf';
    finite = false;
  } else {
    const a = neg ? -x : x;
    const p = prec < 0 ? 6 : prec;
    const alt = (flags & F_HASH) !== 0;
    switch (conv) {
      case 'f':
        body = fixed(a, p);
        if (alt && p === 0) body += '.';
        break;
      case 'e':
      case 'E': {
        let d: string;
        let exp: number;
        if (a === 0) {
          d = '0'.repeat(p + 1);
          exp = 0;
        } else [d, exp] = significant(a, p + 1);
        body = d[0] + (p > 0 || alt ? '.' : '') + d.slice(1) + expSuffix(exp, conv === 'E' ? 'E' : 'e');
        break;
      }
      default: {
        const gp = p === 0 ? 1 : p;
        if (a === 0) body = alt ? '0.' + '0'.repeat(gp - 1) : '0';
        else body = gBody(a, gp, alt);
        if (upper) body = body.toUpperCase();
      }
    }
  }
  const sign = neg ? '-' : flags & F_PLUS ? '+' : flags & F_SPACE ? ' ' : '';
  return pad(sign, body, flags, width, finite);
}

const TWO63 = 9223372036854775808;

/** (long)x as x86-64 converts it (cvttsd2si): out of range and NaN give LONG_MIN. */
export function toLong(x: number): number {
  if (!(x >= -TWO63 && x < TWO63)) return -TWO63;
  return Math.trunc(x);
}

/** (unsigned long)x as gcc compiles it on x86-64, as a bigint in [0, 2^64). */
export function toUnsignedLong(x: number): bigint {
  if (x >= TWO63) {
    const t = x - TWO63;
    return t < TWO63 ? BigInt(Math.trunc(t)) + (1n << 63n) : 0n;
  }
  const l = toLong(x);
  return l < 0 ? BigInt(l) + (1n << 64n) : BigInt(l);
}

/** %d %i (signed) and %o %u %x %X (unsigned) of x, with flags, width and precision. */
export function formatInteger(x: number, conv: string, flags: number, width: number, prec: number): string {
  let sign = '';
  let digits: string;
  let prefix = '';
  if (conv === 'd' || conv === 'i') {
    const v = toLong(x);
    const a = v < 0 ? -v : v;
    digits = a < 9007199254740992 ? String(a) : BigInt(a).toString();
    sign = v < 0 ? '-' : flags & F_PLUS ? '+' : flags & F_SPACE ? ' ' : '';
  } else {
    let u: number | bigint;
    if (x >= 0 && x < 9007199254740992) u = Math.trunc(x);
    else u = toUnsignedLong(x);
    const radix = conv === 'o' ? 8 : conv === 'u' ? 10 : 16;
    digits = u.toString(radix);
    if (conv === 'X') digits = digits.toUpperCase();
    const zero = digits === '0';
    if (flags & F_HASH) {
      if (conv === 'x' && !zero) prefix = '0x';
      else if (conv === 'X' && !zero) prefix = '0X';
    }
  }
  if (prec >= 0) {
    if (prec === 0 && digits === '0') digits = '';
    if (digits.length < prec) digits = '0'.repeat(prec - digits.length) + digits;
  }
  // %#o makes the first digit a 0 (also when the precision erased a zero value).
  if (conv === 'o' && flags & F_HASH && digits.charCodeAt(0) !== 48) digits = '0' + digits;
  return pad(sign + prefix, digits, flags, width, prec < 0);
}
