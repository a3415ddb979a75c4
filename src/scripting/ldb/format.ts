/**
 * How the Lua debugger shows things (eval.c 7.0): Lua values as ldbCatStackValue writes them,
 * command replies as ldbRedisProtocolToHuman reads the RESP bytes, and strings quoted the way
 * sdscatrepr quotes them.
 */
import { LuaTable } from '../lua/table.js';
import { LuaUserdata, type LuaValue } from '../lua/types.js';
import { formatG } from '../lua/number.js';
import { catRepr as repr } from '../../util/repr.js';

/** Stand-ins for the addresses Lua prints with %p: one per object, stable for the process. */
const addresses = new WeakMap<object, string>();
let nextAddress = 0x7f3a5c000000;

function addressOf(o: object): string {
  let a = addresses.get(o);
  if (a === undefined) {
    nextAddress += 0x40;
    a = '0x' + nextAddress.toString(16);
    addresses.set(o, a);
  }
  return a;
}

/** LDB_MAX_VALUES_DEPTH (LUA_MINSTACK / 2). */
const MAX_DEPTH = 10;

/** ldbCatStackValue: a Lua value as the debugger prints it. */
export function luaRepr(v: LuaValue, level = 0): string {
  if (level++ === MAX_DEPTH) return '<max recursion level reached! Nested table?>';
  switch (typeof v) {
    case 'string':
      return repr(v);
    case 'boolean':
      return v ? 'true' : 'false';
    case 'number':
      return formatG(v, 6);
    case 'undefined':
      return 'nil';
    case 'function':
      return `"function@${addressOf(v)}"`;
  }
  if (v instanceof LuaTable) {
    // Two renderings at once (as an array, and with keys); the array one is kept when every
    // key, in traversal order, was the next index from 1.
    let expected = 1;
    let isArray = true;
    const asArray: string[] = [];
    const withKeys: string[] = [];
    for (let e = v.next(undefined); e !== undefined; e = v.next(e[0])) {
      if (isArray && (typeof e[0] !== 'number' || e[0] !== expected)) isArray = false;
      const value = luaRepr(e[1], level);
      asArray.push(value);
      withKeys.push(`[${luaRepr(e[0], level)}]=${value}`);
      expected++;
    }
    return '{' + (isArray ? asArray : withKeys).join('; ') + '}';
  }
  if (v instanceof LuaUserdata) return `"userdata@${addressOf(v)}"`;
  return '"<unknown-lua-type>"';
}

/** ldbRedisProtocolToHuman: one RESP reply from `at`, appended to out[0]; returns the offset after it. */
export function respToHuman(buf: Buffer, at: number, out: string[]): number {
  const type = buf[at];
  const eol = buf.indexOf('\r\n', at, 'latin1');
  const line = buf.latin1Slice(at + 1, eol);
  let p = eol + 2;
  switch (type) {
    case 0x3a: // ':'
      out[0] += line;
      return p;
    case 0x24: {
      // '$'
      const len = Number(line);
      if (len === -1) {
        out[0] += 'NULL';
        return p;
      }
      out[0] += repr(buf.latin1Slice(p, p + len));
      return p + len + 2;
    }
    case 0x2b: // '+'
    case 0x2d: // '-'
      out[0] += repr(buf.latin1Slice(at, eol));
      return p;
    case 0x2a: {
      // '*'
      const n = Number(line);
      if (n === -1) {
        out[0] += 'NULL';
        return p;
      }
      out[0] += '[';
      for (let j = 0; j < n; j++) {
        p = respToHuman(buf, p, out);
        if (j !== n - 1) out[0] += ',';
      }
      out[0] += ']';
      return p;
    }
    case 0x7e: {
      // '~'
      const n = Number(line);
      out[0] += '~(';
      for (let j = 0; j < n; j++) {
        p = respToHuman(buf, p, out);
        if (j !== n - 1) out[0] += ',';
      }
      out[0] += ')';
      return p;
    }
    case 0x25: {
      // '%'
      const n = Number(line);
      out[0] += '{';
      for (let j = 0; j < n; j++) {
        p = respToHuman(buf, p, out);
        out[0] += ' => ';
        p = respToHuman(buf, p, out);
        if (j !== n - 1) out[0] += ',';
      }
      out[0] += '}';
      return p;
    }
    case 0x5f: // '_'
      out[0] += '(null)';
      return p;
    case 0x23: // '#'
      out[0] += line === 't' ? '#true' : '#false';
      return p;
    case 0x2c: // ','
      out[0] += '(double) ' + line;
      return p;
    default: {
      // Types the 7.0 debugger does not render (verbatim, big number, ...): skipped whole.
      if (type === 0x3d) {
        const len = Number(line);
        return p + len + 2;
      }
      return p;
    }
  }
}
