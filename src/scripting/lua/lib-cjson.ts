/**
 * The `cjson` library as Redis 7.0 bundles it (Lua CJSON 2.1.0 with fpconv and strbuf). Each
 * library instance keeps its own configuration (encode_max_depth and friends change it for every
 * later script of the same Lua state, as in Redis, where the settings live in a C struct and the
 * read-only library table does not protect them); cjson.new() makes another instance.
 *
 * Encoding walks tables raw: a table whose keys are all positive integers is an array (nil holes
 * become null) unless it is excessively sparse; any other table is an object in next() order.
 * Numbers print with "%.<precision>g" (14 by default). Decoding builds tables with the same
 * sequence of raw sets as lua_cjson.c, so pairs() over them visits keys in Redis's order.
 * Strings are bytes: escapes are produced per byte and \u escapes decode to UTF-8 bytes.
 */
import { formatG } from './number.js';
import { checkInteger, checkString } from './lib-argcheck.js';
import { LuaTable } from './table.js';
import { ArgError, LibError, LuaUserdata, typeName, type LuaFunction, type LuaValue } from './types.js';

/** cjson.null: Lua CJSON's NULL light userdata (every instance shares it; decode returns it). */
export const CJSON_NULL = new LuaUserdata('cjson.null');

/** LUAI_MAXCSTACK: lua_checkstack refuses to grow a C function's frame past this many slots. */
const MAX_C_STACK = 8000;
const INT_MAX = 2147483647;

interface Config {
  sparseConvert: number;
  sparseRatio: number;
  sparseSafe: number;
  encodeMaxDepth: number;
  /** 0 off (error), 1 on ("inf", "nan"), 2 null. */
  encodeInvalidNumbers: number;
  encodeNumberPrecision: number;
  encodeKeepBuffer: number;
  decodeInvalidNumbers: number;
  decodeMaxDepth: number;
}

function defaultConfig(): Config {
  return {
    sparseConvert: 0,
    sparseRatio: 2,
    sparseSafe: 10,
    encodeMaxDepth: 1000,
    encodeInvalidNumbers: 0,
    encodeNumberPrecision: 14,
    encodeKeepBuffer: 1,
    decodeInvalidNumbers: 1,
    decodeMaxDepth: 1000,
  };
}

// ---------------------------------------------------------------- encoding

const ESCAPES: string[] = [];
for (let i = 0; i < 256; i++) ESCAPES.push(String.fromCharCode(i));
for (let i = 0; i < 32; i++) ESCAPES[i] = '\\u' + i.toString(16).padStart(4, '0');
ESCAPES[8] = '\\b';
ESCAPES[9] = '\\t';
ESCAPES[10] = '\\n';
ESCAPES[12] = '\\f';
ESCAPES[13] = '\\r';
ESCAPES[0x22] = '\\"';
ESCAPES[0x2f] = '\\/';
ESCAPES[0x5c] = '\\\\';
ESCAPES[0x7f] = '\\u007f';
const NEEDS_ESCAPE = /[\x00-\x1f"\/\\\x7f]/;

function encodeString(s: string): string {
  if (!NEEDS_ESCAPE.test(s)) return '"' + s + '"';
  let out = '"';
  let start = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x20 || c === 0x22 || c === 0x2f || c === 0x5c || c === 0x7f) {
      if (i > start) out += s.slice(start, i);
      out += ESCAPES[c];
      start = i + 1;
    }
  }
  if (start < s.length) out += s.slice(start);
  return out + '"';
}

class EncodeError extends LibError {}

function exception(v: LuaValue, reason: string): LibError {
  return new EncodeError(`Cannot serialise ${typeName(v)}: ${reason}`);
}

const POW10 = [1, 10, 100, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14];

function encodeNumber(cfg: Config, n: number): string {
  const prec = cfg.encodeNumberPrecision;
  // Integers with at most `prec` digits print the same under %g.
  if (Number.isInteger(n) && n < POW10[prec] && n > -POW10[prec] && (n !== 0 || 1 / n > 0)) return String(n);
  if (cfg.encodeInvalidNumbers === 0) {
    if (!Number.isFinite(n)) throw exception(n, 'must not be NaN or Inf');
  } else if (cfg.encodeInvalidNumbers === 1) {
    if (n !== n) return 'nan';
  } else if (!Number.isFinite(n)) {
    return 'null';
  }
  return formatG(n, prec);
}

/** (int)k as x86's cvttsd2si gives it: out-of-range values become INT_MIN. */
function cInt(k: number): number {
  return k >= -2147483648 && k < 2147483648 ? Math.trunc(k) : -2147483648;
}

/** lua_array_length: the array size, or -1 for an object. */
function arrayLength(cfg: Config, t: LuaTable): number {
  let max = 0;
  let items = 0;
  for (let e = t.next(undefined); e !== undefined; e = t.next(e[0])) {
    const k = e[0];
    if (typeof k === 'number' && k !== 0 && Math.floor(k) === k && k >= 1) {
      if (k > max) max = cInt(k);
      items++;
      continue;
    }
    return -1;
  }
  if (cfg.sparseRatio > 0 && max > Math.imul(items, cfg.sparseRatio) && max > cfg.sparseSafe) {
    if (!cfg.sparseConvert) throw exception(t, 'excessively sparse array');
    return -1;
  }
  return max;
}

/** json_append_data. `top` is the C frame's slot count with the value on top (lua_checkstack). */
function encodeValue(cfg: Config, v: LuaValue, depth: number, top: number): string {
  switch (typeof v) {
    case 'string':
      return encodeString(v);
    case 'number':
      return encodeNumber(cfg, v);
    case 'boolean':
      return v ? 'true' : 'false';
    case 'undefined':
      return 'null';
    default:
      if (v instanceof LuaTable) return encodeTable(cfg, v, depth + 1, top);
      if (v === CJSON_NULL) return 'null';
      throw exception(v, 'type not supported');
  }
}

function encodeTable(cfg: Config, t: LuaTable, depth: number, top: number): string {
  if (depth > cfg.encodeMaxDepth || top + 3 > MAX_C_STACK) {
    throw new EncodeError(`Cannot serialise, excessive nesting (${depth})`);
  }
  const len = arrayLength(cfg, t);
  if (len > 0) {
    let out = '[';
    for (let i = 1; i <= len; i++) {
      if (i > 1) out += ',';
      out += encodeValue(cfg, t.getInt(i), depth, top + 1);
    }
    return out + ']';
  }
  let out = '{';
  let comma = false;
  for (let e = t.next(undefined); e !== undefined; e = t.next(e[0])) {
    if (comma) out += ',';
    else comma = true;
    const k = e[0];
    if (typeof k === 'number') out += '"' + encodeNumber(cfg, k) + '":';
    else if (typeof k === 'string') out += encodeString(k) + ':';
    else throw exception(k, 'table key must be a number or string');
    out += encodeValue(cfg, e[1], depth, top + 2);
  }
  return out + '}';
}

// ---------------------------------------------------------------- decoding

const T_OBJ_BEGIN = 0;
const T_OBJ_END = 1;
const T_ARR_BEGIN = 2;
const T_ARR_END = 3;
const T_STRING = 4;
const T_NUMBER = 5;
const T_BOOLEAN = 6;
const T_NULL = 7;
const T_COLON = 8;
const T_COMMA = 9;
const T_END = 10;
const T_WHITESPACE = 11;
const T_ERROR = 12;
const T_UNKNOWN = 13;
const TOKEN_NAMES = [
  'T_OBJ_BEGIN',
  'T_OBJ_END',
  'T_ARR_BEGIN',
  'T_ARR_END',
  'T_STRING',
  'T_NUMBER',
  'T_BOOLEAN',
  'T_NULL',
  'T_COLON',
  'T_COMMA',
  'T_END',
  'T_WHITESPACE',
  'T_ERROR',
  'T_UNKNOWN',
];

const CH2TOKEN = new Uint8Array(256).fill(T_ERROR);
CH2TOKEN[0x7b] = T_OBJ_BEGIN;
CH2TOKEN[0x7d] = T_OBJ_END;
CH2TOKEN[0x5b] = T_ARR_BEGIN;
CH2TOKEN[0x5d] = T_ARR_END;
CH2TOKEN[0x2c] = T_COMMA;
CH2TOKEN[0x3a] = T_COLON;
CH2TOKEN[0] = T_END;
for (const c of ' \t\n\r') CH2TOKEN[c.charCodeAt(0)] = T_WHITESPACE;
for (const c of 'fiInNt"+-0123456789') CH2TOKEN[c.charCodeAt(0)] = T_UNKNOWN;

const ESCAPE2CHAR = new Array<string | undefined>(256).fill(undefined);
ESCAPE2CHAR[0x22] = '"';
ESCAPE2CHAR[0x5c] = '\\';
ESCAPE2CHAR[0x2f] = '/';
ESCAPE2CHAR[0x62] = '\b';
ESCAPE2CHAR[0x74] = '\t';
ESCAPE2CHAR[0x6e] = '\n';
ESCAPE2CHAR[0x66] = '\f';
ESCAPE2CHAR[0x72] = '\r';
ESCAPE2CHAR[0x75] = 'u';

function hexDigit(c: number): number {
  if (c >= 0x30 && c <= 0x39) return c - 0x30;
  c |= 0x20;
  if (c >= 0x61 && c <= 0x66) return c - 0x61 + 10;
  return -1;
}

function isDigit(c: number): boolean {
  return c >= 0x30 && c <= 0x39;
}

/** The letters of s at p, lower-cased, compared with word (strncasecmp). */
function startsWithNoCase(s: string, p: number, word: string): boolean {
  for (let i = 0; i < word.length; i++) if ((s.charCodeAt(p + i) | 0x20) !== word.charCodeAt(i)) return false;
  return true;
}

/**
 * glibc's strtod in the C locale, reading from s[p] (s ends with a NUL): the value and the index
 * after the text it took, or end === p when it took nothing.
 */
export function strtod(s: string, p: number): { value: number; end: number } {
  let i = p;
  let neg = false;
  const c0 = s.charCodeAt(i);
  if (c0 === 0x2b || c0 === 0x2d) {
    neg = c0 === 0x2d;
    i++;
  }
  const c = s.charCodeAt(i);
  if ((c | 0x20) === 0x69 && startsWithNoCase(s, i, 'inf')) {
    i += startsWithNoCase(s, i, 'infinity') ? 8 : 3;
    return { value: neg ? -Infinity : Infinity, end: i };
  }
  if ((c | 0x20) === 0x6e && startsWithNoCase(s, i, 'nan')) {
    i += 3;
    if (s.charCodeAt(i) === 0x28) {
      let j = i + 1;
      for (;;) {
        const d = s.charCodeAt(j);
        if (isDigit(d) || ((d | 0x20) >= 0x61 && (d | 0x20) <= 0x7a) || d === 0x5f) j++;
        else break;
      }
      if (s.charCodeAt(j) === 0x29) i = j + 1;
    }
    return { value: NaN, end: i };
  }
  if (c === 0x30 && (s.charCodeAt(i + 1) | 0x20) === 0x78) {
    const r = hexFloat(s, i + 2);
    if (r !== undefined) return { value: neg ? -r.value : r.value, end: r.end };
    // "0x" without hex digits: strtod takes the "0" alone.
    return { value: neg ? -0 : 0, end: i + 1 };
  }
  const start = i;
  let digits = 0;
  while (isDigit(s.charCodeAt(i))) {
    i++;
    digits++;
  }
  if (s.charCodeAt(i) === 0x2e) {
    i++;
    while (isDigit(s.charCodeAt(i))) {
      i++;
      digits++;
    }
  }
  if (digits === 0) return { value: 0, end: p };
  if ((s.charCodeAt(i) | 0x20) === 0x65) {
    let j = i + 1;
    const e = s.charCodeAt(j);
    if (e === 0x2b || e === 0x2d) j++;
    if (isDigit(s.charCodeAt(j))) {
      while (isDigit(s.charCodeAt(j))) j++;
      i = j;
    }
  }
  const v = Number(s.slice(start, i));
  return { value: neg ? -v : v, end: i };
}

function hexFloat(s: string, i: number): { value: number; end: number } | undefined {
  let mant = 0n;
  let digits = 0;
  let fracDigits = 0;
  while (hexDigit(s.charCodeAt(i)) >= 0 && s.charCodeAt(i) !== 0) {
    mant = mant * 16n + BigInt(hexDigit(s.charCodeAt(i)));
    i++;
    digits++;
  }
  if (s.charCodeAt(i) === 0x2e) {
    const save = i;
    i++;
    while (hexDigit(s.charCodeAt(i)) >= 0) {
      mant = mant * 16n + BigInt(hexDigit(s.charCodeAt(i)));
      i++;
      digits++;
      fracDigits++;
    }
    if (digits === 0) i = save;
  }
  if (digits === 0) return undefined;
  let exp = 0;
  if ((s.charCodeAt(i) | 0x20) === 0x70) {
    let j = i + 1;
    let eneg = false;
    const e = s.charCodeAt(j);
    if (e === 0x2b || e === 0x2d) {
      eneg = e === 0x2d;
      j++;
    }
    if (isDigit(s.charCodeAt(j))) {
      let ev = 0;
      while (isDigit(s.charCodeAt(j))) {
        if (ev < 100000) ev = ev * 10 + (s.charCodeAt(j) - 0x30);
        j++;
      }
      exp = eneg ? -ev : ev;
      i = j;
    }
  }
  exp -= 4 * fracDigits;
  let value: number;
  if (mant === 0n) value = 0;
  else {
    // Scale in two steps so that neither the mantissa nor the power overflows on its own.
    const bits = mant.toString(2).length;
    const shift = bits > 64 ? bits - 64 : 0;
    const top = Number(mant >> BigInt(shift));
    value = top * Math.pow(2, exp + shift);
    if (!Number.isFinite(value) || value === 0) value = top * Math.pow(2, (exp + shift) >> 1) * Math.pow(2, (exp + shift) - ((exp + shift) >> 1));
  }
  return { value, end: i };
}

class Decoder {
  readonly s: string;
  p = 0;
  depth = 0;
  // The current token (json_token_t).
  type = T_END;
  index = 0;
  str = '';
  num = 0;
  bool = false;
  err = '';

  constructor(
    json: string,
    readonly cfg: Config,
  ) {
    // Lua strings end with a NUL, which the C parser reads as the end token.
    this.s = json + '\0';
  }

  setError(msg: string): void {
    this.type = T_ERROR;
    this.index = this.p;
    this.err = msg;
  }

  /** json_is_invalid_number: JSON forbids what strtod would still take. */
  isInvalidNumber(): boolean {
    const s = this.s;
    let p = this.p;
    if (s.charCodeAt(p) === 0x2b) return true;
    if (s.charCodeAt(p) === 0x2d) p++;
    const c = s.charCodeAt(p);
    if (c === 0x30) {
      const c2 = s.charCodeAt(p + 1);
      return (c2 | 0x20) === 0x78 || isDigit(c2);
    }
    if (c <= 0x39) return false;
    return startsWithNoCase(s, p, 'inf') || startsWithNoCase(s, p, 'nan');
  }

  numberToken(): void {
    const r = strtod(this.s, this.p);
    this.type = T_NUMBER;
    this.num = r.value;
    if (r.end === this.p) this.setError('invalid number');
    else this.p = r.end;
  }

  stringToken(): void {
    const s = this.s;
    let p = this.p + 1;
    let out = '';
    let start = p;
    for (;;) {
      const ch = s.charCodeAt(p);
      if (ch === 0x22) break;
      if (ch === 0) {
        this.p = p;
        this.setError('unexpected end of string');
        return;
      }
      if (ch !== 0x5c) {
        p++;
        continue;
      }
      if (p > start) out += s.slice(start, p);
      const esc = ESCAPE2CHAR[s.charCodeAt(p + 1)];
      if (esc === 'u') {
        const n = this.unicodeEscape(p);
        if (n === 0) {
          this.p = p;
          this.setError('invalid unicode escape code');
          return;
        }
        out += this.pending;
        p = n;
        start = p;
        continue;
      }
      if (esc === undefined) {
        this.p = p;
        this.setError('invalid escape code');
        return;
      }
      out += esc;
      p += 2;
      start = p;
    }
    if (p > start) out += s.slice(start, p);
    this.p = p + 1;
    this.type = T_STRING;
    this.str = out;
  }

  /** The \uXXXX (or surrogate pair) at p as UTF-8 appended to this.str; 0 when invalid. */
  private unicodeEscape(p: number): number {
    const s = this.s;
    let cp = this.hex4(p + 2);
    if (cp < 0) return 0;
    let len = 6;
    if ((cp & 0xf800) === 0xd800) {
      if (cp & 0x400) return 0;
      if (s.charCodeAt(p + 6) !== 0x5c || s.charCodeAt(p + 7) !== 0x75) return 0;
      const low = this.hex4(p + 8);
      if (low < 0 || (low & 0xfc00) !== 0xdc00) return 0;
      cp = (((cp & 0x3ff) << 10) | (low & 0x3ff)) + 0x10000;
      len = 12;
    }
    this.pending = utf8(cp);
    return p + len;
  }

  pending = '';

  private hex4(p: number): number {
    let v = 0;
    for (let i = 0; i < 4; i++) {
      const d = hexDigit(this.s.charCodeAt(p + i));
      if (d < 0) return -1;
      v = (v << 4) | d;
    }
    return v;
  }

  nextToken(): void {
    const s = this.s;
    let ch: number;
    let type: number;
    for (;;) {
      ch = s.charCodeAt(this.p);
      type = CH2TOKEN[ch];
      if (type !== T_WHITESPACE) break;
      this.p++;
    }
    this.type = type;
    this.index = this.p;
    if (type === T_ERROR) {
      this.setError('invalid token');
      return;
    }
    if (type === T_END) return;
    if (type !== T_UNKNOWN) {
      this.p++;
      return;
    }
    if (ch === 0x22) {
      this.stringToken();
      return;
    }
    if (ch === 0x2d || isDigit(ch)) {
      if (!this.cfg.decodeInvalidNumbers && this.isInvalidNumber()) {
        this.setError('invalid number');
        return;
      }
      this.numberToken();
      return;
    }
    if (s.startsWith('true', this.p)) {
      this.type = T_BOOLEAN;
      this.bool = true;
      this.p += 4;
      return;
    }
    if (s.startsWith('false', this.p)) {
      this.type = T_BOOLEAN;
      this.bool = false;
      this.p += 5;
      return;
    }
    if (s.startsWith('null', this.p)) {
      this.type = T_NULL;
      this.p += 4;
      return;
    }
    if (this.cfg.decodeInvalidNumbers && this.isInvalidNumber()) {
      this.numberToken();
      return;
    }
    this.setError('invalid token');
  }

  /** The current token's type (a call, so TypeScript does not narrow it across nextToken). */
  tok(): number {
    return this.type;
  }

  parseError(expected: string): LibError {
    const found = this.type === T_ERROR ? this.err : TOKEN_NAMES[this.type];
    return new LibError(`Expected ${expected} but found ${found} at character ${this.index + 1}`);
  }

  descend(top: number, slots: number): void {
    this.depth++;
    if (this.depth <= this.cfg.decodeMaxDepth && top + slots <= MAX_C_STACK) return;
    throw new LibError(`Found too many nested data structures (${this.depth}) at character ${this.p}`);
  }

  /** json_process_value for the current token; `top` is the frame's slot count before the push. */
  value(top: number): LuaValue {
    switch (this.type) {
      case T_STRING:
        return this.str;
      case T_NUMBER:
        return this.num;
      case T_BOOLEAN:
        return this.bool;
      case T_OBJ_BEGIN:
        return this.object(top);
      case T_ARR_BEGIN:
        return this.array(top);
      case T_NULL:
        return CJSON_NULL;
      default:
        throw this.parseError('value');
    }
  }

  object(top: number): LuaTable {
    this.descend(top, 3);
    const t = new LuaTable();
    this.nextToken();
    if (this.tok() === T_OBJ_END) {
      this.depth--;
      return t;
    }
    for (;;) {
      if (this.tok() !== T_STRING) throw this.parseError('object key string');
      const key = this.str;
      this.nextToken();
      if (this.tok() !== T_COLON) throw this.parseError('colon');
      this.nextToken();
      const v = this.value(top + 2);
      t.set(key, v);
      this.nextToken();
      if (this.tok() === T_OBJ_END) {
        this.depth--;
        return t;
      }
      if (this.tok() !== T_COMMA) throw this.parseError('comma or object end');
      this.nextToken();
    }
  }

  array(top: number): LuaTable {
    this.descend(top, 2);
    const t = new LuaTable();
    this.nextToken();
    if (this.tok() === T_ARR_END) {
      this.depth--;
      return t;
    }
    for (let i = 1; ; i++) {
      t.setInt(i, this.value(top + 1));
      this.nextToken();
      if (this.tok() === T_ARR_END) {
        this.depth--;
        return t;
      }
      if (this.tok() !== T_COMMA) throw this.parseError('comma or array end');
      this.nextToken();
    }
  }
}

function utf8(cp: number): string {
  if (cp <= 0x7f) return String.fromCharCode(cp);
  if (cp <= 0x7ff) return String.fromCharCode((cp >> 6) | 0xc0, (cp & 0x3f) | 0x80);
  if (cp <= 0xffff) return String.fromCharCode((cp >> 12) | 0xe0, ((cp >> 6) & 0x3f) | 0x80, (cp & 0x3f) | 0x80);
  return String.fromCharCode((cp >> 18) | 0xf0, ((cp >> 12) & 0x3f) | 0x80, ((cp >> 6) & 0x3f) | 0x80, (cp & 0x3f) | 0x80);
}

// ---------------------------------------------------------------- configuration

/** json_arg_init: at most n arguments. */
function argInit(args: LuaValue[], n: number): void {
  if (args.length > n) throw new ArgError(n + 1, 'found too many arguments');
}

function integerOption(args: LuaValue[], i: number, get: () => number, set: (v: number) => void, min: number, max: number): number {
  if (args[i] !== undefined) {
    // luaL_checkinteger's 64-bit value lands in a C int.
    const value = checkInteger(args, i) | 0;
    if (!(min <= value && value <= max)) throw new ArgError(1, `expected integer between ${min} and ${max}`);
    set(value);
  }
  return get();
}

const BOOL_OPTIONS = ['off', 'on'];

function enumOption(args: LuaValue[], i: number, get: () => number, set: (v: number) => void, options: string[] = BOOL_OPTIONS): LuaValue {
  const v = args[i];
  if (v !== undefined) {
    if (typeof v === 'boolean') set(v ? 1 : 0);
    else {
      const name = checkString(args, i);
      const k = options.indexOf(name);
      if (k < 0) throw new ArgError(i + 1, `invalid option '${name}'`);
      set(k);
    }
  }
  const s = get();
  return s === 0 || s === 1 ? s === 1 : options[s];
}

function instance(): Array<[string, LuaValue]> {
  const cfg = defaultConfig();

  const encode: LuaFunction = (...args) => {
    if (args.length !== 1) throw new ArgError(1, 'expected 1 argument');
    return [encodeValue(cfg, args[0], 0, 1)];
  };

  const decode: LuaFunction = (...args) => {
    if (args.length !== 1) throw new ArgError(1, 'expected 1 argument');
    const json = checkString(args, 0);
    if (json.length >= 2 && (json.charCodeAt(0) === 0 || json.charCodeAt(1) === 0)) {
      throw new LibError('JSON parser does not support UTF-16 or UTF-32');
    }
    const d = new Decoder(json, cfg);
    d.nextToken();
    const v = d.value(1);
    d.nextToken();
    if (d.tok() !== T_END) throw d.parseError('the end');
    return [v];
  };

  const encodeSparseArray: LuaFunction = (...args) => {
    argInit(args, 3);
    return [
      enumOption(args, 0, () => cfg.sparseConvert, (v) => (cfg.sparseConvert = v)),
      integerOption(args, 1, () => cfg.sparseRatio, (v) => (cfg.sparseRatio = v), 0, INT_MAX),
      integerOption(args, 2, () => cfg.sparseSafe, (v) => (cfg.sparseSafe = v), 0, INT_MAX),
    ];
  };
  const encodeMaxDepth: LuaFunction = (...args) => {
    argInit(args, 1);
    return [integerOption(args, 0, () => cfg.encodeMaxDepth, (v) => (cfg.encodeMaxDepth = v), 1, INT_MAX)];
  };
  const decodeMaxDepth: LuaFunction = (...args) => {
    argInit(args, 1);
    return [integerOption(args, 0, () => cfg.decodeMaxDepth, (v) => (cfg.decodeMaxDepth = v), 1, INT_MAX)];
  };
  const encodeNumberPrecision: LuaFunction = (...args) => {
    argInit(args, 1);
    return [integerOption(args, 0, () => cfg.encodeNumberPrecision, (v) => (cfg.encodeNumberPrecision = v), 1, 14)];
  };
  const encodeKeepBuffer: LuaFunction = (...args) => {
    argInit(args, 1);
    return [enumOption(args, 0, () => cfg.encodeKeepBuffer, (v) => (cfg.encodeKeepBuffer = v))];
  };
  const encodeInvalidNumbers: LuaFunction = (...args) => {
    argInit(args, 1);
    return [enumOption(args, 0, () => cfg.encodeInvalidNumbers, (v) => (cfg.encodeInvalidNumbers = v), ['off', 'on', 'null'])];
  };
  const decodeInvalidNumbers: LuaFunction = (...args) => {
    argInit(args, 1);
    return [enumOption(args, 0, () => cfg.decodeInvalidNumbers, (v) => (cfg.decodeInvalidNumbers = v))];
  };
  const newInstance: LuaFunction = () => [cjsonTable()];

  return [
    ['encode', encode],
    ['decode', decode],
    ['encode_sparse_array', encodeSparseArray],
    ['encode_max_depth', encodeMaxDepth],
    ['decode_max_depth', decodeMaxDepth],
    ['encode_number_precision', encodeNumberPrecision],
    ['encode_keep_buffer', encodeKeepBuffer],
    ['encode_invalid_numbers', encodeInvalidNumbers],
    ['decode_invalid_numbers', decodeInvalidNumbers],
    ['new', newInstance],
    ['null', CJSON_NULL],
    ['_NAME', 'cjson'],
    ['_VERSION', '2.1.0'],
  ];
}

/**
 * A fresh cjson instance (its own configuration): the fields in the order lua_cjson_new sets them
 * on a table made by lua_newtable (not presized).
 */
export function cjsonLibrary(): Array<[string, LuaValue]> {
  return instance();
}

/** A fresh instance's table, built as Redis builds it (grown from empty, field by field). */
export function cjsonTable(): LuaTable {
  const t = new LuaTable();
  for (const [k, v] of instance()) t.setStr(k, v);
  return t;
}
