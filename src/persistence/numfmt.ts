/**
 * Number formatting that must match the C library byte for byte where RDB files and DEBUG
 * DIGEST depend on it.
 */

/**
 * C printf("%.17g", x): 17 significant digits, trailing zeros removed, exponent form when the
 * decimal exponent is < -4 or >= 17 (at least two exponent digits), "inf"/"-inf"/"nan".
 * Rounding is to nearest with ties to even on the exact binary value, like glibc.
 */
export function formatG17(x: number): string {
  if (Number.isNaN(x)) return x < 0 ? '-nan' : 'nan';
  if (x === Infinity) return 'inf';
  if (x === -Infinity) return '-inf';
  if (x === 0) return Object.is(x, -0) ? '-0' : '0';
  const neg = x < 0;
  const a = neg ? -x : x;
  // 17 significant digits: d.dddddddddddddddde±x
  let exp = a.toExponential(16);
  const tie = tieDigits(a);
  if (tie !== null) exp = tie;
  const ePos = exp.indexOf('e');
  let digits = exp[0] + exp.slice(2, ePos); // 17 digits
  const e = Number(exp.slice(ePos + 1));
  let out: string;
  if (e < -4 || e >= 17) {
    digits = digits.replace(/0+$/, '');
    const mant = digits.length > 1 ? digits[0] + '.' + digits.slice(1) : digits;
    const ae = Math.abs(e);
    out = mant + 'e' + (e < 0 ? '-' : '+') + (ae < 10 ? '0' + ae : String(ae));
  } else if (e >= 0) {
    const intPart = digits.slice(0, e + 1);
    const frac = digits.slice(e + 1).replace(/0+$/, '');
    out = frac.length > 0 ? intPart + '.' + frac : intPart;
  } else {
    const frac = ('0'.repeat(-e - 1) + digits).replace(/0+$/, '');
    out = '0.' + frac;
  }
  return neg ? '-' + out : out;
}

/**
 * JS rounds exact ties away from zero (toExponential picks the larger n); C rounds them to
 * even. A tie at the 17th digit means the exact decimal expansion has exactly 18 significant
 * digits ending in 5. Returns the corrected exponential string, or null when there is no tie.
 */
function tieDigits(a: number): string | null {
  const p = a.toPrecision(100);
  // normalise to digits + exponent
  let mant = p;
  let e10 = 0;
  const ei = p.indexOf('e');
  if (ei >= 0) {
    mant = p.slice(0, ei);
    e10 = Number(p.slice(ei + 1));
  }
  const dot = mant.indexOf('.');
  const intDigits = dot >= 0 ? mant.slice(0, dot) : mant;
  const fracDigits = dot >= 0 ? mant.slice(dot + 1) : '';
  let all = intDigits + fracDigits;
  // position of the decimal point relative to the start of `all`
  let pointPos = intDigits.length + e10;
  const lead = all.search(/[1-9]/);
  if (lead < 0) return null;
  all = all.slice(lead);
  pointPos -= lead;
  if (all.length < 18) return null;
  if (all[17] !== '5') return null;
  for (let i = 18; i < all.length; i++) if (all[i] !== '0') return null;
  // exact tie: round the 17 digits half to even
  const d17 = all.slice(0, 17);
  const lastDigit = d17.charCodeAt(16) - 48;
  let digits = d17;
  let exp = pointPos - 1;
  if (lastDigit % 2 === 1) {
    // round up
    const up = (BigInt(d17) + 1n).toString();
    if (up.length > 17) {
      digits = up.slice(0, 17);
      exp += 1;
    } else {
      digits = up;
    }
  }
  return `${digits[0]}.${digits.slice(1)}e${exp >= 0 ? '+' : '-'}${Math.abs(exp)}`;
}

const LLONG_HALF = 4611686018427387903; // (double)(LLONG_MAX / 2)

/**
 * How Redis 7.0 stores a zset score inside a listpack: an integer when the double is integral
 * and |d| <= LLONG_MAX/2 (returns number or bigint), otherwise the text of d2string ("inf",
 * "-inf", or %.17g).
 */
export function listpackScore(d: number): number | bigint | string {
  if (Number.isInteger(d) && d >= -LLONG_HALF && d <= LLONG_HALF) {
    if (d === 0) return 0;
    return Number.isSafeInteger(d) ? d : BigInt(d);
  }
  if (d === Infinity) return 'inf';
  if (d === -Infinity) return '-inf';
  return formatG17(d);
}
