/**
 * Lua 5.1's string library (lstrlib.c) as Redis 7.0.15 ships it: the same results, argument
 * rules and error texts. Library functions take their Lua arguments as JS arguments
 * (`arguments.length` is Lua's top, so "got no value" and "got nil" are told apart) and return
 * the array of their results.
 */
import { LuaTable } from './table.js';
import { ArgError, LibError, typeError, typeName, type LuaFunction, type LuaValue } from './types.js';
import { index } from './meta.js';
import { F_HASH, F_MINUS, F_PLUS, F_SPACE, F_ZERO, formatFloat, formatInteger, numberToString, stringToNumber } from './number.js';
import { MatchState, hasSpecials, plainFind, program } from './lua-pattern.js';

/**
 * The longest string the library builds. C Lua would try to allocate whatever string.rep asks
 * for (Redis then dies on OOM); here an absurd size is refused up front, before allocating,
 * with Lua 5.2's text for the same case. 512 MB is Redis's largest bulk string, and V8 cannot
 * hold a longer string anyway (its limit is just under 2^29 characters).
 */
export const MAX_STRING = Math.min(512 * 1024 * 1024, (1 << 29) - 24);
const TOO_LARGE = 'resulting string too large';

/** LUAI_MAXCSTACK: how many values a C function may push (string.byte's limit). */
const MAX_C_STACK = 8000;

const ms = new MatchState();

// ── argument checks (lauxlib.c) ─────────────────────────────────────────────────────────────

/** luaL_checklstring: strings, and numbers converted as tostring does. */
function checkString(v: LuaValue, n: number, argc: number): string {
  if (typeof v === 'string') return v;
  if (typeof v === 'number') return numberToString(v);
  throw typeError(n, 'string', v, n <= argc);
}

/** luaL_checknumber: numbers, and strings that read as numbers. */
function checkNumber(v: LuaValue, n: number, argc: number): number {
  if (typeof v === 'number') return v;
  if (typeof v === 'string') {
    const d = stringToNumber(v);
    if (d !== undefined) return d;
  }
  throw typeError(n, 'number', v, n <= argc);
}

const TWO63 = 9223372036854775808;

/** lua_tointeger's (ptrdiff_t) cast on x86-64: out of range and NaN give PTRDIFF_MIN. */
function toInteger(d: number): number {
  return d >= -TWO63 && d < TWO63 ? Math.trunc(d) : -TWO63;
}

/** luaL_checkinteger. */
function checkInteger(v: LuaValue, n: number, argc: number): number {
  return toInteger(typeof v === 'number' ? v : checkNumber(v, n, argc));
}

/** luaL_optinteger. */
function optInteger(v: LuaValue, n: number, argc: number, def: number): number {
  return v === undefined ? def : checkInteger(v, n, argc);
}

/** luaL_checkint: the integer cut to C's int (its low 32 bits). */
function checkInt(v: LuaValue, n: number, argc: number): number {
  const d = typeof v === 'number' ? v : checkNumber(v, n, argc);
  return d >= -TWO63 && d < TWO63 ? d | 0 : 0;
}

/** posrelat: a relative string position (negative counts from the end) made absolute. */
function posrelat(pos: number, len: number): number {
  if (pos < 0) pos += len + 1;
  return pos >= 0 ? pos : 0;
}

// ── the simple functions ────────────────────────────────────────────────────────────────────

function str_len(s: LuaValue): LuaValue[] {
  return [checkString(s, 1, arguments.length).length];
}

function str_sub(s: LuaValue, i: LuaValue, j: LuaValue): LuaValue[] {
  const argc = arguments.length;
  const str = checkString(s, 1, argc);
  const l = str.length;
  let start = posrelat(checkInteger(i, 2, argc), l);
  let end = posrelat(optInteger(j, 3, argc, -1), l);
  if (start < 1) start = 1;
  if (end > l) end = l;
  return [start <= end ? (start === 1 && end === l ? str : str.slice(start - 1, end)) : ''];
}

function str_reverse(s: LuaValue): LuaValue[] {
  const str = checkString(s, 1, arguments.length);
  let out = '';
  for (let i = str.length - 1; i >= 0; i--) out += str[i];
  return [out];
}

const ASCII_ONLY = /^[\x00-\x7f]*$/;

function str_lower(s: LuaValue): LuaValue[] {
  const str = checkString(s, 1, arguments.length);
  // C-locale tolower: only A-Z change (JS would also fold latin1 letters such as 0xC0).
  return [ASCII_ONLY.test(str) ? str.toLowerCase() : str.replace(/[A-Z]+/g, (m) => m.toLowerCase())];
}

function str_upper(s: LuaValue): LuaValue[] {
  const str = checkString(s, 1, arguments.length);
  return [ASCII_ONLY.test(str) ? str.toUpperCase() : str.replace(/[a-z]+/g, (m) => m.toUpperCase())];
}

function str_rep(s: LuaValue, n: LuaValue): LuaValue[] {
  const argc = arguments.length;
  const str = checkString(s, 1, argc);
  const count = checkInt(n, 2, argc);
  if (count <= 0 || str.length === 0) return [''];
  if (str.length * count > MAX_STRING) throw new LibError(TOO_LARGE);
  return [str.repeat(count)];
}

function str_byte(s: LuaValue, i: LuaValue, j: LuaValue): LuaValue[] {
  const argc = arguments.length;
  const str = checkString(s, 1, argc);
  const l = str.length;
  let posi = posrelat(optInteger(i, 2, argc, 1), l);
  let pose = posrelat(optInteger(j, 3, argc, posi), l);
  if (posi <= 0) posi = 1;
  if (pose > l) pose = l;
  if (posi > pose) return [];
  const n = pose - posi + 1;
  // luaL_checkstack: the arguments plus the results must fit LUAI_MAXCSTACK slots.
  if (n + argc > MAX_C_STACK) throw new LibError('stack overflow (string slice too long)');
  const out = new Array<LuaValue>(n);
  for (let k = 0; k < n; k++) out[k] = str.charCodeAt(posi - 1 + k);
  return out;
}

function str_char(...args: LuaValue[]): LuaValue[] {
  const argc = args.length;
  let out = '';
  for (let i = 0; i < argc; i++) {
    const c = checkInt(args[i], i + 1, argc);
    if (c < 0 || c > 255) throw new ArgError(i + 1, 'invalid value');
    out += String.fromCharCode(c);
  }
  return [out];
}

/**
 * string.dump. Compiled scripts have no Lua bytecode to dump; the engine runs scripts that name
 * string.dump on the wasm Lua instead, so this only answers what C Lua answers for functions it
 * cannot dump (its C functions): the argument check, then "unable to dump given function".
 */
function str_dump(f: LuaValue): LuaValue[] {
  if (typeof f !== 'function') throw typeError(1, 'function', f, arguments.length >= 1);
  throw new LibError('unable to dump given function');
}

// ── pattern functions ───────────────────────────────────────────────────────────────────────

function findAux(find: boolean, argc: number, s: LuaValue, p: LuaValue, init: LuaValue, plain: LuaValue): LuaValue[] {
  const src = checkString(s, 1, argc);
  let pat = checkString(p, 2, argc);
  const l1 = src.length;
  let start = posrelat(optInteger(init, 3, argc, 1), l1) - 1;
  if (start < 0) start = 0;
  else if (start > l1) start = l1;
  if (find && ((plain !== undefined && plain !== false) || !hasSpecials(pat))) {
    const at = plainFind(src, pat, start);
    if (at >= 0) return [at + 1, at + pat.length];
    return [undefined];
  }
  let anchor = false;
  if (pat.charCodeAt(0) === 94 /* ^ */) {
    anchor = true;
    pat = pat.slice(1);
  }
  const prog = program(pat);
  let s1 = start;
  do {
    if (!anchor) {
      s1 = MatchState.skip(src, s1, prog);
      if (s1 > l1) break;
    }
    const e = ms.match(src, s1, prog);
    if (e >= 0) {
      if (find) {
        if (ms.level === 0) return [s1 + 1, e];
        const out: LuaValue[] = [s1 + 1, e];
        for (let i = 0; i < ms.level; i++) out.push(ms.capture(i, s1, e));
        return out;
      }
      return ms.captures(s1, e, true);
    }
  } while (s1++ < l1 && !anchor);
  return [undefined];
}

function str_find(s: LuaValue, p: LuaValue, init: LuaValue, plain: LuaValue): LuaValue[] {
  return findAux(true, arguments.length, s, p, init, plain);
}

function str_match(s: LuaValue, p: LuaValue, init: LuaValue): LuaValue[] {
  return findAux(false, arguments.length, s, p, init, undefined);
}

function gmatch(s: LuaValue, p: LuaValue): LuaValue[] {
  const argc = arguments.length;
  const src = checkString(s, 1, argc);
  const pat = checkString(p, 2, argc);
  const prog = program(pat);
  let pos = 0;
  // gmatch_aux: no '^' anchor in 5.1's gmatch (a leading '^' is an ordinary character).
  const iter: LuaFunction = () => {
    const len = src.length;
    for (let at = pos; at <= len; at++) {
      at = MatchState.skip(src, at, prog);
      if (at > len) break;
      const e = ms.match(src, at, prog);
      if (e >= 0) {
        pos = e === at ? e + 1 : e;
        return ms.captures(at, e, true);
      }
    }
    return [];
  };
  return [iter];
}

/** The pieces of a gsub replacement string: literal text, or a capture index (-1: whole match). */
function parseReplacement(r: string): (string | number)[] {
  const parts: (string | number)[] = [];
  let lit = '';
  const l = r.length;
  for (let i = 0; i < l; i++) {
    const c = r.charCodeAt(i);
    if (c !== 37) {
      lit += r[i];
      continue;
    }
    i++;
    // A '%' ending the string escapes the C string's terminating NUL.
    const d = i < l ? r.charCodeAt(i) : 0;
    if (d < 48 || d > 57) lit += String.fromCharCode(d);
    else {
      if (lit) parts.push(lit);
      lit = '';
      parts.push(d === 48 ? -1 : d - 49);
    }
  }
  if (lit) parts.push(lit);
  return parts;
}

function str_gsub(s: LuaValue, p: LuaValue, repl: LuaValue, n: LuaValue): LuaValue[] {
  const argc = arguments.length;
  const src = checkString(s, 1, argc);
  let pat = checkString(p, 2, argc);
  const srcl = src.length;
  const maxS = n === undefined ? srcl + 1 : checkInt(n, 4, argc);
  let anchor = false;
  if (pat.charCodeAt(0) === 94) {
    anchor = true;
    pat = pat.slice(1);
  }
  let kind: number;
  let parts: (string | number)[] | undefined;
  let literal = '';
  if (typeof repl === 'string' || typeof repl === 'number') {
    const r = typeof repl === 'string' ? repl : numberToString(repl);
    if (r.indexOf('%') < 0) {
      kind = 0;
      literal = r;
    } else {
      kind = 1;
      parts = parseReplacement(r);
    }
  } else if (typeof repl === 'function') kind = 2;
  else if (repl instanceof LuaTable) kind = 3;
  else throw new ArgError(3, 'string/function/table expected');
  const prog = program(pat);
  let out = '';
  let count = 0;
  let at = 0;
  const skipping = !anchor && prog.first !== null;
  while (count < maxS) {
    if (skipping) {
      const next = MatchState.skip(src, at, prog);
      if (next > at) {
        const stop = next > srcl ? srcl : next;
        out += src.slice(at, stop);
        at = stop;
        if (next > srcl) break;
      }
    }
    const e = ms.match(src, at, prog);
    if (e >= 0) {
      count++;
      // add_value
      let piece: string;
      if (kind === 0) piece = literal;
      else if (kind === 1) {
        piece = '';
        for (let k = 0; k < parts!.length; k++) {
          const part = parts![k];
          if (typeof part === 'string') piece += part;
          else if (part === -1) piece += src.slice(at, e);
          else {
            const cap = ms.capture(part, at, e);
            piece += typeof cap === 'string' ? cap : numberToString(cap);
          }
        }
      } else {
        let v: LuaValue;
        if (kind === 2) v = (repl as LuaFunction)(...ms.captures(at, e, true))[0];
        else v = index(repl, ms.capture(0, at, e));
        if (v === undefined || v === false) piece = src.slice(at, e);
        else if (typeof v === 'string') piece = v;
        else if (typeof v === 'number') piece = numberToString(v);
        else throw new LibError(`invalid replacement value (a ${typeName(v)})`);
      }
      if (out.length + piece.length > MAX_STRING) throw new LibError(TOO_LARGE);
      out += piece;
    }
    if (e >= 0 && e > at) at = e;
    else if (at < srcl) out += src[at++];
    else break;
    if (anchor) break;
  }
  if (at < srcl) {
    if (out.length + (srcl - at) > MAX_STRING) throw new LibError(TOO_LARGE);
    out += at === 0 ? src : src.slice(at);
  }
  return [out, count];
}

// ── format ──────────────────────────────────────────────────────────────────────────────────

/** %q: a string literal Lua reads back as the same bytes. */
function addQuoted(s: string): string {
  let out = '"';
  let from = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    let rep: string | undefined;
    if (c === 34) rep = '\\"';
    else if (c === 92) rep = '\\\\';
    else if (c === 10) rep = '\\\n';
    else if (c === 13) rep = '\\r';
    else if (c === 0) rep = '\\000';
    if (rep !== undefined) {
      out += s.slice(from, i) + rep;
      from = i + 1;
    }
  }
  return out + s.slice(from) + '"';
}

/** A C string's text: up to its first NUL (what sprintf and strlen see). */
function cString(s: string): string {
  const nul = s.indexOf('\0');
  return nul < 0 ? s : s.slice(0, nul);
}

function padText(body: string, flags: number, width: number): string {
  if (body.length >= width) return body;
  const fill = ' '.repeat(width - body.length);
  return flags & F_MINUS ? body + fill : fill + body;
}

function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}

function str_format(...args: LuaValue[]): LuaValue[] {
  const top = args.length;
  const fmt = checkString(args[0], 1, top);
  const fl = fmt.length;
  let arg = 1; // 1-based Lua index of the last argument consumed
  let out = '';
  let i = 0;
  while (i < fl) {
    const pct = fmt.indexOf('%', i);
    if (pct < 0) {
      out += i === 0 ? fmt : fmt.slice(i);
      break;
    }
    if (pct > i) out += fmt.slice(i, pct);
    i = pct + 1;
    if (fmt.charCodeAt(i) === 37) {
      out += '%';
      i++;
      continue;
    }
    if (++arg > top) throw new ArgError(arg, 'no value');
    // scanformat
    let flags = 0;
    const flagStart = i;
    for (;;) {
      const c = fmt.charCodeAt(i);
      if (c === 45) flags |= F_MINUS;
      else if (c === 43) flags |= F_PLUS;
      else if (c === 32) flags |= F_SPACE;
      else if (c === 35) flags |= F_HASH;
      else if (c === 48) flags |= F_ZERO;
      else break;
      i++;
    }
    if (i - flagStart >= 6) throw new LibError('invalid format (repeated flags)');
    let width = 0;
    if (isDigit(fmt.charCodeAt(i))) {
      width = fmt.charCodeAt(i++) - 48;
      if (isDigit(fmt.charCodeAt(i))) width = width * 10 + fmt.charCodeAt(i++) - 48;
    }
    let prec = -1;
    if (fmt.charCodeAt(i) === 46) {
      i++;
      prec = 0;
      if (isDigit(fmt.charCodeAt(i))) {
        prec = fmt.charCodeAt(i++) - 48;
        if (isDigit(fmt.charCodeAt(i))) prec = prec * 10 + fmt.charCodeAt(i++) - 48;
      }
    }
    if (isDigit(fmt.charCodeAt(i))) throw new LibError('invalid format (width or precision too long)');
    // Past the end, C reads the terminating NUL as the conversion.
    const conv = i < fl ? fmt[i] : '\0';
    i++;
    const v = args[arg - 1];
    switch (conv) {
      case 'd':
      case 'i':
      case 'o':
      case 'u':
      case 'x':
      case 'X': {
        const d = checkNumber(v, arg, top);
        if (flags === 0 && width === 0 && prec < 0 && conv === 'd' && Number.isInteger(d) && d > -9007199254740992 && d < 9007199254740992) {
          out += String(d);
          break;
        }
        out += formatInteger(d, conv, flags, width, prec);
        break;
      }
      case 'e':
      case 'E':
      case 'f':
      case 'g':
      case 'G':
        out += formatFloat(checkNumber(v, arg, top), conv, flags, width, prec);
        break;
      case 'c': {
        const d = checkNumber(v, arg, top);
        // (int) cast, then printf's unsigned char; a NUL ends the item as strlen sees it.
        const c = (d >= -2147483648 && d < 2147483648 ? d | 0 : 0) & 255;
        out += cString(padText(String.fromCharCode(c), flags, width));
        break;
      }
      case 'q':
        out += addQuoted(checkString(v, arg, top));
        break;
      case 's': {
        const s = checkString(v, arg, top);
        if (prec < 0 && s.length >= 100) {
          out += s;
          break;
        }
        let body = cString(s);
        if (prec >= 0 && body.length > prec) body = body.slice(0, prec);
        out += padText(body, flags, width);
        break;
      }
      default:
        // lua_pushfstring's %c of a NUL adds nothing (it is pushed as a C string).
        throw new LibError(`invalid option '%${conv === '\0' ? '' : conv}' to 'format'`);
    }
  }
  return [out];
}

/** The string library in lstrlib.c's luaL_Reg order (it shapes pairs() over `string`). */
export function stringLibrary(): Array<[string, LuaValue]> {
  return [
    ['byte', str_byte],
    ['char', str_char],
    ['dump', str_dump],
    ['find', str_find],
    ['format', str_format],
    // LUA_COMPAT_GFIND: luaopen_string then points gfind at gmatch itself.
    ['gfind', gmatch],
    ['gmatch', gmatch],
    ['gsub', str_gsub],
    ['len', str_len],
    ['lower', str_lower],
    ['match', str_match],
    ['rep', str_rep],
    ['reverse', str_reverse],
    ['sub', str_sub],
    ['upper', str_upper],
  ];
}
