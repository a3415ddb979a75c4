/**
 * Conversions between Redis replies and Lua values, as 7.0's script_lua.c does them:
 * - a command's reply (RESP bytes written to the script client) becomes a Lua value
 *   (nil bulk → false, status → {ok=}, error → {err=}, RESP3 types under redis.setresp(3));
 * - the script's return value becomes the caller's reply in the caller's protocol.
 */
import type { ReplyValue } from 'lua-redis-wasm';
import type { ReplyWriter } from '../protocol/reply-writer.js';
import { NULL_MARK, REPLY_MARK } from './lua-vm.js';

const NULL_BUF = Buffer.from(NULL_MARK, 'latin1');

const CR = 13;

/**
 * Parses one RESP2/RESP3 reply at `pos`; returns the value and the position after it.
 * `forLua`: a RESP3 null becomes the marker the prelude turns into nil (a command's reply to a
 * script); otherwise it stays null (a script's result crossing from the Lua thread).
 */
export function readReply(buf: Buffer, pos: number, forLua = true): [ReplyValue, number] {
  const type = buf[pos];
  const lineEnd = buf.indexOf(CR, pos);
  const line = buf.latin1Slice(pos + 1, lineEnd);
  let next = lineEnd + 2;
  switch (type) {
    case 0x2b: // + status
      return [{ ok: Buffer.from(line, 'latin1') }, next];
    case 0x2d: // - error
      return [{ err: Buffer.from(line, 'latin1') }, next];
    case 0x3a: {
      // : integer
      const n = Number(line);
      return [Number.isSafeInteger(n) ? n : BigInt(line), next];
    }
    case 0x24: // $ bulk
    case 0x3d: {
      // = verbatim
      const len = Number(line);
      if (len < 0) return [null, next];
      const data = buf.subarray(next, next + len);
      next += len + 2;
      if (type === 0x3d) {
        return [{ verbatim_string: { format: Buffer.from(data.subarray(0, 3)), string: Buffer.from(data.subarray(4)) } }, next];
      }
      return [Buffer.from(data), next];
    }
    case 0x2a: // * array
    case 0x7e: // ~ set
    case 0x3e: {
      // > push
      const n = Number(line);
      if (n < 0) return [null, next];
      const items: ReplyValue[] = new Array(n);
      for (let i = 0; i < n; i++) [items[i], next] = readReply(buf, next, forLua);
      return [type === 0x7e ? { set: items } : items, next];
    }
    case 0x25: {
      // % map
      const n = Number(line);
      const pairs: [ReplyValue, ReplyValue][] = new Array(n);
      for (let i = 0; i < n; i++) {
        let k: ReplyValue, v: ReplyValue;
        [k, next] = readReply(buf, next, forLua);
        [v, next] = readReply(buf, next, forLua);
        pairs[i] = [k, v];
      }
      return [{ map: pairs }, next];
    }
    case 0x5f: // _ null (RESP3): nil in Lua, unlike RESP2's null bulk (false)
      return [forLua ? { ok: NULL_BUF } : null, next];
    case 0x2c: // , double
      return [{ double: parseDouble(line) }, next];
    case 0x23: // # boolean
      return [line === 't', next];
    case 0x28: // ( big number
      return [{ big_number: Buffer.from(line, 'latin1') }, next];
    default:
      throw new Error(`unexpected reply type byte ${type} in a script call`);
  }
}

function parseDouble(s: string): number {
  if (s === 'inf') return Infinity;
  if (s === '-inf') return -Infinity;
  if (s === 'nan') return NaN;
  return Number(s);
}

function isObject(v: ReplyValue): v is Exclude<ReplyValue, null | number | bigint | boolean | Buffer | ReplyValue[]> {
  return typeof v === 'object' && v !== null && !Buffer.isBuffer(v) && !Array.isArray(v);
}

/** Renders an error reply value as Redis's wire text ("CODE message"). */
export function errorText(v: { err: Buffer; code?: Buffer }): string {
  const msg = v.err.latin1Slice(0, v.err.length);
  return v.code ? `${v.code.latin1Slice(0, v.code.length)} ${msg}` : msg;
}

/**
 * Writes a script's return value as the caller's reply. Returns the error texts it wrote
 * (for INFO errorstats), since a script may return an error reply without failing.
 */
export function writeScriptReply(w: ReplyWriter, v: ReplyValue, errors: string[]): void {
  if (v === null) return w.nil();
  if (typeof v === 'number' || typeof v === 'bigint') return w.int(v);
  if (typeof v === 'boolean') return w.bool(v);
  if (Buffer.isBuffer(v)) return w.bulkBuffer(v);
  if (Array.isArray(v)) {
    if (v.length >= 2 && Buffer.isBuffer(v[0]) && v[0].latin1Slice(0, v[0].length) === REPLY_MARK) return writeTagged(w, v, errors);
    w.array(v.length);
    for (const x of v) writeScriptReply(w, x, errors);
    return;
  }
  if (!isObject(v)) return w.nil();
  if ('err' in v) {
    // 7.0 replies with the text as the script gave it (no code added), on one line.
    const text = errorText(v).replace(/[\r\n]/g, ' ');
    errors.push(text);
    return w.error(text);
  }
  if ('ok' in v) return w.simple(v.ok.latin1Slice(0, v.ok.length).replace(/[\r\n]/g, ' '));
  if ('double' in v) return w.double(v.double);
  if ('big_number' in v) return w.bigNumber(v.big_number.latin1Slice(0, v.big_number.length));
  if ('verbatim_string' in v) {
    const s = v.verbatim_string;
    return w.verbatim(s.string.latin1Slice(0, s.string.length), s.format.latin1Slice(0, s.format.length));
  }
  if ('map' in v) {
    w.map(v.map.length);
    for (const [k, x] of v.map) {
      writeScriptReply(w, k, errors);
      writeScriptReply(w, x, errors);
    }
    return;
  }
  if ('set' in v) {
    w.set(v.set.length);
    for (const x of v.set) writeScriptReply(w, x, errors);
    return;
  }
  w.nil();
}

const str = (b: ReplyValue): string => (Buffer.isBuffer(b) ? b.latin1Slice(0, b.length) : String(b));

/** A RESP3 reply table the script returned, as lua-vm's __enc tagged it. */
function writeTagged(w: ReplyWriter, v: ReplyValue[], errors: string[]): void {
  switch (str(v[1])) {
    case 'double': {
      // Formatted by Lua with %.17g, as addReplyDouble does.
      const s = str(v[2]);
      if (w.resp === 3) return w.raw(',' + s + '\r\n');
      return w.bulk(s);
    }
    case 'big_number':
      return w.bigNumber(str(v[2]).replace(/[\r\n]/g, ' '));
    case 'verbatim':
      return w.verbatim(str(v[3]), str(v[2]));
    case 'map': {
      w.map((v.length - 2) / 2);
      for (let i = 2; i < v.length; i++) writeScriptReply(w, v[i], errors);
      return;
    }
    case 'set': {
      w.set(v.length - 2);
      for (let i = 2; i < v.length; i++) writeScriptReply(w, v[i], errors);
      return;
    }
  }
  w.nil();
}
