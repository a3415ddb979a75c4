/**
 * Lua values ⇄ Redis replies, as 7.0's script_lua.c converts them for the compiled engine:
 *
 *   command reply (RESP bytes of the script client) ──respToLua──▶ Lua value
 *   Lua value returned by the script ──writeLuaReply──▶ the caller's reply
 *   redis.call(...) arguments ──luaArgsToArgv──▶ argv strings (or the error 7.0 raises)
 *
 * Strings stay latin1 JS strings on both sides, so no Buffer is made per value.
 */
import type { ReplyWriter } from '../../protocol/reply-writer.js';
import { formatG, numberToArg } from './number.js';
import { LuaTable } from './table.js';
import type { LuaValue } from './types.js';

const CR = 13;

/** A failed conversion of redis.call arguments: the text of the error table 7.0 pushes. */
export const ARGS_NONE = 'Please specify at least one argument for this redis lib call';
export const ARGS_TYPE = 'Lua redis lib command arguments must be strings or integers';

/**
 * luaPushErrorBuff: "-CODE msg" keeps its code, a bare "msg" gets ERR; the message loses CR/LF
 * at both ends. The result is the `err` field of the table a script sees.
 */
export function errorTableText(text: string): string {
  let code = 'ERR';
  let msg = text;
  if (text.charCodeAt(0) === 0x2d) {
    const sp = text.indexOf(' ');
    if (sp < 0) msg = text.slice(1);
    else {
      code = text.slice(1, sp);
      msg = text.slice(sp + 1);
    }
  }
  return code + ' ' + trimCrLf(msg);
}

function trimCrLf(s: string): string {
  let a = 0;
  let b = s.length;
  while (a < b && (s.charCodeAt(a) === 13 || s.charCodeAt(a) === 10)) a++;
  while (b > a && (s.charCodeAt(b - 1) === 13 || s.charCodeAt(b - 1) === 10)) b--;
  return a === 0 && b === s.length ? s : s.slice(a, b);
}

/** {err = <text as luaPushErrorBuff words it>}, optionally marked as already counted in errorstats. */
export function errorTable(text: string, alreadyCounted: boolean): LuaTable {
  const t = new LuaTable();
  t.setStr('err', errorTableText(text));
  if (alreadyCounted) t.setStr('ignore_error_stats_update', true);
  return t;
}

/**
 * redis.call's arguments as argv (numbers as "%.17g"); a string is the error text when one is
 * neither a string nor a number (7.0 checks after converting, so the count comes first).
 */
export function luaArgsToArgv(args: LuaValue[]): string[] | string {
  const n = args.length;
  if (n === 0) return ARGS_NONE;
  const argv = new Array<string>(n);
  for (let i = 0; i < n; i++) {
    const a = args[i];
    if (typeof a === 'string') argv[i] = a;
    else if (typeof a === 'number') argv[i] = numberToArg(a);
    else return ARGS_TYPE;
  }
  return argv;
}

/** Where respToLua stopped: the position after the reply it read. */
export const cursor = { pos: 0 };

/**
 * One RESP2/RESP3 reply at `pos` of `buf` as 7.0's redisProtocolToLuaType makes it: status
 * {ok=}, error {err=, ignore_error_stats_update=true}, integer number, bulk string, RESP2 null
 * bulk/array false, RESP3 null nil, map {map={k=v}}, set {set={k=true}}, double {double=},
 * big number {big_number=}, verbatim {verbatim_string={string=, format=}}, boolean, attributes
 * skipped. Sets `cursor.pos` past it.
 */
export function respToLua(buf: Buffer, pos: number): LuaValue {
  const type = buf[pos];
  let end = pos + 1;
  while (buf[end] !== CR) end++;
  const next = end + 2;
  switch (type) {
    case 0x24: {
      // $ bulk
      const len = readInt(buf, pos + 1, end);
      if (len < 0) {
        cursor.pos = next;
        return false;
      }
      cursor.pos = next + len + 2;
      return buf.latin1Slice(next, next + len);
    }
    case 0x3a: // : integer
      cursor.pos = next;
      return readInt(buf, pos + 1, end);
    case 0x2b: {
      // + status
      cursor.pos = next;
      const t = new LuaTable();
      t.setStr('ok', buf.latin1Slice(pos + 1, end));
      return t;
    }
    case 0x2d: {
      // - error
      cursor.pos = next;
      return errorTable('-' + buf.latin1Slice(pos + 1, end), true);
    }
    case 0x2a: // * array
    case 0x3e: {
      // > push
      const n = readInt(buf, pos + 1, end);
      cursor.pos = next;
      if (n < 0) return false;
      const t = new LuaTable();
      let p = next;
      for (let i = 1; i <= n; i++) {
        const v = respToLua(buf, p);
        p = cursor.pos;
        if (v !== undefined) t.setInt(i, v);
      }
      cursor.pos = p;
      return t;
    }
    case 0x25: // % map: {map={k=v}}
    case 0x7e: {
      // ~ set: {set={k=true}}
      const isMap = type === 0x25;
      const n = readInt(buf, pos + 1, end);
      const outer = new LuaTable();
      const inner = new LuaTable();
      let p = next;
      for (let i = 0; i < n; i++) {
        const k = respToLua(buf, p);
        const v = isMap ? respToLua(buf, cursor.pos) : true;
        p = cursor.pos;
        // lua_settable with a nil key raises in C; a RESP3 null key is not something commands send.
        if (k !== undefined && !(typeof k === 'number' && Number.isNaN(k))) inner.set(k, v);
      }
      cursor.pos = p;
      outer.setStr(isMap ? 'map' : 'set', inner);
      return outer;
    }
    case 0x5f: // _ null
      cursor.pos = next;
      return undefined;
    case 0x23: // # boolean
      cursor.pos = next;
      return buf[pos + 1] === 0x74;
    case 0x2c: {
      // , double
      cursor.pos = next;
      const t = new LuaTable();
      t.setStr('double', parseDouble(buf.latin1Slice(pos + 1, end)));
      return t;
    }
    case 0x28: {
      // ( big number
      cursor.pos = next;
      const t = new LuaTable();
      t.setStr('big_number', buf.latin1Slice(pos + 1, end));
      return t;
    }
    case 0x3d: {
      // = verbatim: "fmt:text"
      const len = readInt(buf, pos + 1, end);
      cursor.pos = next + len + 2;
      const t = new LuaTable();
      const v = new LuaTable();
      v.setStr('string', buf.latin1Slice(next + 4, next + len));
      v.setStr('format', buf.latin1Slice(next, next + 3));
      t.setStr('verbatim_string', v);
      return t;
    }
    case 0x7c: {
      // | attribute: not shown to scripts; the reply that follows is
      const n = readInt(buf, pos + 1, end);
      let p = next;
      for (let i = 0; i < 2 * n; i++) {
        respToLua(buf, p);
        p = cursor.pos;
      }
      return respToLua(buf, p);
    }
    default:
      throw new Error(`unexpected reply type byte ${type} in a script call`);
  }
}

function readInt(buf: Buffer, start: number, end: number): number {
  let i = start;
  let neg = false;
  if (buf[i] === 0x2d) {
    neg = true;
    i++;
  }
  let n = 0;
  for (; i < end; i++) n = n * 10 + (buf[i] - 48);
  // Past 2^53 the digit loop rounds differently from strtod: read the text.
  if (n > 9007199254740991) n = Number(buf.latin1Slice(neg ? start + 1 : start, end));
  return neg ? -n : n;
}

function parseDouble(s: string): number {
  if (s === 'inf') return Infinity;
  if (s === '-inf') return -Infinity;
  if (s === 'nan' || s === '-nan') return NaN;
  return Number(s);
}

/** The errors a script's reply carried, for INFO errorstats (those marked counted are skipped there). */
export interface ReplyErrors {
  texts: string[];
  /** Parallel to texts: the error came from a command inside the script and was counted then. */
  counted: boolean[];
}

/** lua_checkstack(4) in luaReplyToRedisReply fails past this stack depth (LUAI_MAXCSTACK). */
const STACK_LIMIT = 7998;

/**
 * luaReplyToRedisReply: the script's value as the caller's reply. `scriptResp` is the protocol
 * the script chose with redis.setresp (it decides what booleans become). 7.0 recurses with one
 * Lua stack slot per array level (three or four per map level) and answers "reached lua stack
 * limit" past LUAI_MAXCSTACK; this walks with its own stack (a cyclic table nests 8000 deep),
 * counting the same slots.
 */
export function writeLuaReply(w: ReplyWriter, v: LuaValue, scriptResp: number, errors: ReplyErrors): void {
  if (!(v instanceof LuaTable)) return writeScalar(w, v, scriptResp);
  // Pending values in reverse order, each with its stack depth.
  const values: LuaValue[] = [v];
  const depths: number[] = [0];
  while (values.length > 0) {
    const x = values.pop();
    const depth = depths.pop()!;
    if (depth + 4 > STACK_LIMIT) {
      errors.texts.push('ERR reached lua stack limit');
      errors.counted.push(false);
      w.error('ERR reached lua stack limit');
      continue;
    }
    if (!(x instanceof LuaTable)) {
      writeScalar(w, x, scriptResp);
      continue;
    }
    const children = writeTableHead(w, x, errors);
    if (children === null) continue;
    // children: [value, depth, value, depth, ...] in reply order
    for (let i = children.length - 2; i >= 0; i -= 2) {
      values.push(children[i]);
      depths.push(depth + (children[i + 1] as number));
    }
  }
}

function writeScalar(w: ReplyWriter, v: LuaValue, scriptResp: number): void {
  switch (typeof v) {
    case 'string':
      return w.bulk(v);
    case 'number':
      return writeInteger(w, v);
    case 'boolean':
      if (scriptResp === 2) {
        if (v) w.raw(':1\r\n');
        else w.nil();
      } else w.bool(v);
      return;
    default:
      return w.nil();
  }
}

/** (long long) of a double as x86-64 converts: out of range and NaN give INT64_MIN. */
function writeInteger(w: ReplyWriter, n: number): void {
  if (n >= -9223372036854775808 && n < 9223372036854775808) {
    const t = Math.trunc(n);
    if (Number.isSafeInteger(t)) return w.int(t === 0 ? 0 : t);
    return w.int(BigInt(t));
  }
  w.raw(':-9223372036854775808\r\n');
}

/**
 * Writes a table's reply, or the header of an aggregate one: then returns its elements with
 * the stack slots each adds (array 1; map key 4, value 3; set member 3), else null.
 */
function writeTableHead(w: ReplyWriter, t: LuaTable, errors: ReplyErrors): LuaValue[] | null {
  const err = t.getStr('err');
  if (typeof err === 'string') {
    const counted = t.getStr('ignore_error_stats_update') === true;
    const text = err.includes('\r') || err.includes('\n') ? err.replace(/[\r\n]/g, ' ') : err;
    errors.texts.push(text);
    errors.counted.push(counted);
    w.error(text);
    return null;
  }
  const ok = t.getStr('ok');
  if (typeof ok === 'string') {
    w.simple(ok.includes('\r') || ok.includes('\n') ? ok.replace(/[\r\n]/g, ' ') : ok);
    return null;
  }
  const dbl = t.getStr('double');
  if (typeof dbl === 'number') {
    writeDouble(w, dbl);
    return null;
  }
  const big = t.getStr('big_number');
  if (typeof big === 'string') {
    w.bigNumber(big.replace(/[\r\n]/g, ' '));
    return null;
  }
  const verb = t.getStr('verbatim_string');
  if (verb instanceof LuaTable) {
    const format = verb.getStr('format');
    const text = verb.getStr('string');
    if (typeof format === 'string' && typeof text === 'string') {
      writeVerbatim(w, text, format);
      return null;
    }
  }
  const map = t.getStr('map');
  if (map instanceof LuaTable) {
    const out: LuaValue[] = [];
    for (let e = map.next(undefined); e !== undefined; e = map.next(e[0])) out.push(e[0], 4, e[1], 3);
    w.map(out.length / 4);
    return out;
  }
  const set = t.getStr('set');
  if (set instanceof LuaTable) {
    const out: LuaValue[] = [];
    for (let e = set.next(undefined); e !== undefined; e = set.next(e[0])) out.push(e[0], 3);
    w.set(out.length / 2);
    return out;
  }
  const out: LuaValue[] = [];
  for (let i = 1; ; i++) {
    const x = t.getInt(i);
    if (x === undefined) break;
    out.push(x, 1);
  }
  w.array(out.length / 2);
  return out;
}

/** addReplyDouble: "%.17g", inf/-inf spelled out; a bulk string in RESP2. */
function writeDouble(w: ReplyWriter, d: number): void {
  const s = d === Infinity ? 'inf' : d === -Infinity ? '-inf' : formatG(d, 17);
  if (w.resp === 3) w.raw(',' + s + '\r\n');
  else w.bulk(s);
}

/** addReplyVerbatim: the first three bytes of the format (C string: up to a NUL), space-padded. */
function writeVerbatim(w: ReplyWriter, text: string, format: string): void {
  if (w.resp !== 3) return w.bulk(text);
  const nul = format.indexOf('\0');
  const f = (nul < 0 ? format : format.slice(0, nul)).slice(0, 3).padEnd(3, ' ');
  w.raw('=' + (text.length + 4) + '\r\n' + f + ':');
  w.raw(text);
  w.raw('\r\n');
}
