/**
 * Lua 5.1's math library (lmathlib.c) as Redis 7.0.15 registers it: the functions in luaL_Reg
 * order (which shapes pairs() over `math`), then pi, huge and mod (LUA_COMPAT_MOD: mod is fmod),
 * with Redis's math.random/randomseed on redisLrand48 in place of the C library's.
 */
import { stringToNumber } from './number.js';
import { LibError, typeError, ArgError, type LuaFunction, type LuaValue } from './types.js';

/** The generator behind math.random: what redisLrand48()/redisSrand48() give Redis's scripts. */
export interface LuaRandom {
  /** redisLrand48() % REDIS_LRAND48_MAX: an integer in [0, 2^31 - 1). */
  next(): number;
  /** redisSrand48(n) for the int n. */
  seed(n: number): void;
  /**
   * False outside a script invocation (e.g. while FUNCTION LOAD runs a library's body): Redis
   * then refuses math.random/randomseed. Absent: always inside.
   */
  active?(): boolean;
}

/**
 * redisLrand48 (rand.c): x = (0x5DEECE66D * x + 0xB) mod 2^48, the top 31 bits returned. The state
 * is two 24-bit halves so the product stays exact in doubles (no BigInt on this path).
 */
export class Lrand48 implements LuaRandom {
  private hi = 0x1234ab;
  private lo = 0xcd330e;

  seed(v: number): void {
    // SEED(X0, LOW(v), HIGH(v)): x = HIGH(v) << 32 | LOW(v) << 16 | 0x330E
    const low = v & 0xffff;
    const high = (v >>> 16) & 0xffff;
    this.hi = (high << 8) | (low >>> 8);
    this.lo = ((low & 0xff) << 16) | 0x330e;
  }

  next(): number {
    const A_HI = 0x5de;
    const A_LO = 0xece66d;
    const p0 = this.lo * A_LO + 0xb;
    const carry = Math.floor(p0 / 0x1000000);
    const lo = p0 - carry * 0x1000000;
    const hi = (this.hi * A_LO + this.lo * A_HI + carry) % 0x1000000;
    this.hi = hi;
    this.lo = lo;
    // x >> 17 (31 bits), then % REDIS_LRAND48_MAX as redis_math_random does.
    return ((hi * 128 + (lo >>> 17)) % 2147483647) | 0;
  }
}

/** luaL_checknumber: numbers, and strings that read as numbers. */
function checkNumber(v: LuaValue, narg: number, nargs: number): number {
  if (typeof v === 'number') return v;
  if (typeof v === 'string') {
    const n = stringToNumber(v);
    if (n !== undefined) return n;
  }
  throw typeError(narg, 'number', v, narg <= nargs);
}

/**
 * luaL_checkint: lua_tointeger's (lua_Integer)d on x86-64 (truncation; NaN and values beyond
 * 2^63 give INT64_MIN), then the cast to int keeping the low 32 bits.
 */
export function toCInt(d: number): number {
  if (!(Math.abs(d) < 9223372036854775808)) return 0;
  return d | 0;
}

function checkInt(v: LuaValue, narg: number, nargs: number): number {
  return toCInt(checkNumber(v, narg, nargs));
}

const RADIANS_PER_DEGREE = Math.PI / 180;

/** One-argument functions: the number fast path first, the checks only when it is not one. */
function unary(op: (x: number) => number): LuaFunction {
  return function (this: void, x?: LuaValue): LuaValue[] {
    if (typeof x === 'number') return [op(x)];
    return [op(checkNumber(x, 1, arguments.length))];
  };
}

function binary(op: (x: number, y: number) => number): LuaFunction {
  return function (this: void, x?: LuaValue, y?: LuaValue): LuaValue[] {
    const n = arguments.length;
    return [op(checkNumber(x, 1, n), checkNumber(y, 2, n))];
  };
}

/** C's modf: integral and fractional parts, both with x's sign (modf(-3) is -3, -0). */
function modf(x: number): [number, number] {
  if (x === Infinity || x === -Infinity) return [x, x > 0 ? 0 : -0];
  const ip = Math.trunc(x);
  let fp = x - ip;
  if (fp === 0 && (x < 0 || Object.is(x, -0))) fp = -0;
  return [ip, fp];
}

/** C's frexp: x = m * 2^e with 0.5 <= |m| < 1 (0, inf and NaN come back with e = 0). */
export function frexp(x: number): [number, number] {
  if (x === 0 || !Number.isFinite(x)) return [x, 0];
  let e = 0;
  let m = Math.abs(x);
  if (m < 2.2250738585072014e-308) {
    // Subnormal: scale into the normal range first (exact).
    m *= 2 ** 64;
    e -= 64;
  }
  const f = new Float64Array([m]);
  const u = new Uint32Array(f.buffer);
  const be = (u[1] >>> 20) & 0x7ff;
  e += be - 1022;
  u[1] = (u[1] & 0x800fffff) | (1022 << 20);
  return [x < 0 ? -f[0] : f[0], e];
}

/** C's ldexp: x * 2^e rounded once. */
export function ldexp(x: number, e: number): number {
  if (x === 0 || !Number.isFinite(x)) return x;
  const [m, ex] = frexp(x);
  const k = ex + e;
  if (k > 1024) return x > 0 ? Infinity : -Infinity;
  if (k >= -1021) return m * 2 ** (k - 1) * 2;
  if (k < -1080) return x > 0 ? 0 : -0;
  // Subnormal result: one rounding, in the last multiplication.
  return m * 2 ** (k + 60) * 2 ** -60;
}

/** C's pow where it differs from Math.pow: pow(1, y) and pow(-1, +-inf) are 1. */
export function cPow(x: number, y: number): number {
  if (x === 1) return 1;
  if (x === -1 && (y === Infinity || y === -Infinity)) return 1;
  return Math.pow(x, y);
}

// The common ones are written out, so each keeps its own type feedback.
function floor(this: void, x?: LuaValue): LuaValue[] {
  if (typeof x === 'number') return [Math.floor(x)];
  return [Math.floor(checkNumber(x, 1, arguments.length))];
}

function ceil(this: void, x?: LuaValue): LuaValue[] {
  if (typeof x === 'number') return [Math.ceil(x)];
  return [Math.ceil(checkNumber(x, 1, arguments.length))];
}

function abs(this: void, x?: LuaValue): LuaValue[] {
  if (typeof x === 'number') return [Math.abs(x)];
  return [Math.abs(checkNumber(x, 1, arguments.length))];
}

function sqrt(this: void, x?: LuaValue): LuaValue[] {
  if (typeof x === 'number') return [Math.sqrt(x)];
  return [Math.sqrt(checkNumber(x, 1, arguments.length))];
}

function max(this: void): LuaValue[] {
  const n = arguments.length;
  let d = checkNumber(arguments[0] as LuaValue, 1, n);
  for (let i = 1; i < n; i++) {
    const v = checkNumber(arguments[i] as LuaValue, i + 1, n);
    if (v > d) d = v;
  }
  return [d];
}

function min(this: void): LuaValue[] {
  const n = arguments.length;
  let d = checkNumber(arguments[0] as LuaValue, 1, n);
  for (let i = 1; i < n; i++) {
    const v = checkNumber(arguments[i] as LuaValue, i + 1, n);
    if (v < d) d = v;
  }
  return [d];
}

export function mathLibrary(rand: LuaRandom): Array<[string, LuaValue]> {
  const random: LuaFunction = function (this: void, ...args: LuaValue[]): LuaValue[] {
    if (rand.active && !rand.active()) throw new LibError('math.random can only be called inside a script invocation');
    const r = rand.next() / 2147483647;
    const n = args.length;
    switch (n) {
      case 0:
        return [r];
      case 1: {
        const u = checkInt(args[0], 1, n);
        if (!(1 <= u)) throw new ArgError(1, 'interval is empty');
        return [Math.floor(r * u) + 1];
      }
      case 2: {
        const l = checkInt(args[0], 1, n);
        const u = checkInt(args[1], 2, n);
        if (!(l <= u)) throw new ArgError(2, 'interval is empty');
        // u-l+1 is C int arithmetic (wraps past 2^31).
        return [Math.floor(r * ((u - l + 1) | 0)) + l];
      }
      default:
        throw new LibError('wrong number of arguments');
    }
  };
  const randomseed: LuaFunction = function (this: void, s?: LuaValue): LuaValue[] {
    if (rand.active && !rand.active()) throw new LibError('math.randomseed can only be called inside a script invocation');
    rand.seed(checkInt(s, 1, arguments.length));
    return [];
  };
  const fmod = binary((x, y) => x % y);
  return [
    ['abs', abs],
    ['acos', unary(Math.acos)],
    ['asin', unary(Math.asin)],
    ['atan2', binary(Math.atan2)],
    ['atan', unary(Math.atan)],
    ['ceil', ceil],
    ['cosh', unary(Math.cosh)],
    ['cos', unary(Math.cos)],
    ['deg', unary((x) => x / RADIANS_PER_DEGREE)],
    ['exp', unary(Math.exp)],
    ['floor', floor],
    ['fmod', fmod],
    [
      'frexp',
      function (this: void, x?: LuaValue): LuaValue[] {
        return frexp(checkNumber(x, 1, arguments.length));
      },
    ],
    [
      'ldexp',
      function (this: void, x?: LuaValue, e?: LuaValue): LuaValue[] {
        const n = arguments.length;
        const m = checkNumber(x, 1, n);
        return [ldexp(m, checkInt(e, 2, n))];
      },
    ],
    ['log10', unary(Math.log10)],
    ['log', unary(Math.log)],
    ['max', max as LuaFunction],
    ['min', min as LuaFunction],
    [
      'modf',
      function (this: void, x?: LuaValue): LuaValue[] {
        return modf(checkNumber(x, 1, arguments.length));
      },
    ],
    ['pow', binary(cPow)],
    ['rad', unary((x) => x * RADIANS_PER_DEGREE)],
    ['random', random],
    ['randomseed', randomseed],
    ['sinh', unary(Math.sinh)],
    ['sin', unary(Math.sin)],
    ['sqrt', sqrt],
    ['tanh', unary(Math.tanh)],
    ['tan', unary(Math.tan)],
    ['pi', Math.PI],
    ['huge', Infinity],
    ['mod', fmod],
  ];
}
