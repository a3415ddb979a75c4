/**
 * Numbers as Lua 5.1 in Redis prints and reads them: tostring and `..` use C's "%.14g"
 * (LUA_NUMBER_FMT), redis.call arguments "%.17g", and tonumber/arithmetic coercion read strings
 * with strtod (so "0x1A", " 12 ", "1e3", "inf" are numbers and "12abc" is not).
 */

/**
 * C's printf("%.<prec>g", n) as glibc prints it. NaN prints "-nan": x86 makes 0/0 and inf-inf
 * the negative NaN, and JS keeps no sign on NaN to tell the rarer positive one apart.
 */
export function formatG(n: number, prec: number): string {
  if (!Number.isFinite(n)) return Number.isNaN(n) ? '-nan' : n > 0 ? 'inf' : '-inf';
  if (n === 0) return Object.is(n, -0) ? '-0' : '0';
  const p = prec === 0 ? 1 : prec;
  const exp = roundedExponent(n, p);
  if (exp < -4 || exp >= p) {
    const [mant, e] = toExponentialHalfEven(n, p - 1).split('e');
    const m = stripZeros(mant);
    const ev = Number(e);
    return `${m}e${ev < 0 ? '-' : '+'}${String(Math.abs(ev)).padStart(2, '0')}`;
  }
  return stripZeros(toFixedHalfEven(n, p - 1 - exp));
}

/** Lua's tostring of a number. */
export function numberToString(n: number): string {
  // Integers below 2^53 print the same under %.14g only when they have at most 14 digits.
  if (Number.isInteger(n) && n > -1e14 && n < 1e14 && !Object.is(n, -0)) return String(n);
  return formatG(n, 14);
}

/** lua_Number2str for redis.call arguments in 7.0 ("%.17g"). */
export function numberToArg(n: number): string {
  if (Number.isInteger(n) && n > -1e17 && n < 1e17 && !Object.is(n, -0)) return String(n);
  return formatG(n, 17);
}

const WS = /^[\t\n\v\f\r ]*/;

/** luaO_str2d: the number a string reads as, or undefined. */
export function stringToNumber(s: string): number | undefined {
  const lead = WS.exec(s)![0].length;
  // strtod reads the "0" of "0x", and Lua's hex retry (strtoul) takes the "x" too.
  if (/^0[xX][\t\n\v\f\r ]*$/.test(s.slice(lead))) return 0;
  let i = lead;
  const m = /^[+-]?(?:0[xX](?:[0-9a-fA-F]+\.?[0-9a-fA-F]*|\.[0-9a-fA-F]+)(?:[pP][+-]?[0-9]+)?|(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?|inf(?:inity)?|nan(?:\([0-9a-zA-Z_]*\))?)/i.exec(
    s.slice(i),
  );
  if (!m) return undefined;
  const text = m[0];
  i += text.length;
  // strtod stops before an exponent marker with no digits: "1e" reads as 1 with "e" left over.
  const rest = s.slice(i);
  if (rest.length > 0 && !/^[\t\n\v\f\r ]*$/.test(rest)) return undefined;
  return parseStrtod(text);
}

function parseStrtod(text: string): number {
  let sign = 1;
  let t = text;
  if (t[0] === '+' || t[0] === '-') {
    if (t[0] === '-') sign = -1;
    t = t.slice(1);
  }
  const lower = t.toLowerCase();
  if (lower.startsWith('inf')) return sign * Infinity;
  if (lower.startsWith('nan')) return NaN;
  if (lower.startsWith('0x')) {
    const [, mant, pexp] = /^0x([0-9a-f.]*)(?:p([+-]?[0-9]+))?$/.exec(lower)!;
    const [ip, fp = ''] = mant.split('.');
    let v = 0;
    for (const ch of ip) v = v * 16 + parseInt(ch, 16);
    let scale = 1 / 16;
    for (const ch of fp) {
      v += parseInt(ch, 16) * scale;
      scale /= 16;
    }
    return sign * v * Math.pow(2, pexp ? Number(pexp) : 0);
  }
  return sign * Number(t);
}

function stripZeros(s: string): string {
  if (!s.includes('.')) return s;
  s = s.replace(/0+$/, '');
  return s.endsWith('.') ? s.slice(0, -1) : s;
}

/** The decimal exponent of n once rounded to p significant digits (what %g decides with). */
function roundedExponent(n: number, p: number): number {
  return Number(toExponentialHalfEven(n, p - 1).split('e')[1]);
}

/**
 * JS rounds exact ties away from zero; glibc rounds them to even. A tie needs the double's exact
 * expansion to end in 5 right after the last kept digit, which the 100-digit form shows.
 */
function toExponentialHalfEven(n: number, digits: number): string {
  const s = n.toExponential(digits);
  if (digits >= 100) return s;
  const exact = n.toExponential(100);
  const [mant] = exact.split('e');
  const frac = mant.replace('-', '').split('.')[1];
  if (frac[digits] !== '5' || !/^0*$/.test(frac.slice(digits + 1))) return s;
  // A tie: keep the truncated digits when the last one is even.
  const truncated = mant.slice(0, mant.indexOf('.') + (digits === 0 ? 0 : digits + 1));
  const last = truncated.replace('.', '').slice(-1);
  if (Number(last) % 2 === 0) return `${truncated}e${exact.split('e')[1]}`;
  return s;
}

function toFixedHalfEven(n: number, digits: number): string {
  const s = n.toFixed(digits);
  if (digits > 100) return s;
  const exactDigits = Math.min(100, digits + 30);
  const exact = n.toFixed(exactDigits);
  const dot = exact.indexOf('.');
  const frac = exact.slice(dot + 1);
  if (frac[digits] !== '5' || !/^0*$/.test(frac.slice(digits + 1))) return s;
  const truncated = exact.slice(0, digits === 0 ? dot : dot + 1 + digits);
  const last = truncated.replace('.', '').slice(-1);
  return Number(last) % 2 === 0 ? truncated : s;
}
