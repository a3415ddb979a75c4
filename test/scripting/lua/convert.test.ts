/**
 * convert.ts without a server: RESP replies into Lua values (every RESP2/RESP3 type), Lua values
 * into replies (both caller protocols, the script's own protocol for booleans), redis.call
 * argument conversion, and the error-table wording of luaPushErrorBuff.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ARGS_NONE, ARGS_TYPE, cursor, errorTableText, luaArgsToArgv, respToLua, writeLuaReply, type ReplyErrors } from '../../../src/scripting/lua/convert.js';
import { LuaTable } from '../../../src/scripting/lua/table.js';
import type { LuaValue } from '../../../src/scripting/lua/types.js';
import { ReplyWriter } from '../../../src/protocol/reply-writer.js';

/** A Lua value as plain JS for comparisons: tables become objects of their entries. */
function plain(v: LuaValue): unknown {
  if (!(v instanceof LuaTable)) return v;
  const out: Record<string, unknown> = {};
  for (let e = v.next(undefined); e !== undefined; e = v.next(e[0])) out[String(e[0])] = plain(e[1]);
  return out;
}

function read(resp: string): unknown {
  const buf = Buffer.from(resp + '+after\r\n', 'latin1');
  const v = respToLua(buf, 0);
  assert.equal(buf.latin1Slice(cursor.pos), '+after\r\n', `cursor after ${JSON.stringify(resp)}`);
  return plain(v);
}

function table(entries: [LuaValue, LuaValue][]): LuaTable {
  const t = new LuaTable();
  for (const [k, v] of entries) t.set(k, v);
  return t;
}

function write(v: LuaValue, resp: 2 | 3, scriptResp = 2): { out: string; errors: ReplyErrors } {
  const w = new ReplyWriter();
  w.resp = resp;
  const errors: ReplyErrors = { texts: [], counted: [] };
  writeLuaReply(w, v, scriptResp, errors);
  return { out: w.buf.latin1Slice(0, w.len), errors };
}

describe('RESP → Lua (redisProtocolToLuaType)', () => {
  it('RESP2 types', () => {
    assert.equal(read('$3\r\nabc\r\n'), 'abc');
    assert.equal(read('$0\r\n\r\n'), '');
    assert.equal(read('$4\r\na\r\nb\r\n'), 'a\r\nb');
    assert.equal(read('$-1\r\n'), false);
    assert.equal(read('*-1\r\n'), false);
    assert.equal(read(':42\r\n'), 42);
    assert.equal(read(':-7\r\n'), -7);
    assert.equal(read(':9223372036854775807\r\n'), 9223372036854775807);
    assert.deepEqual(read('+OK\r\n'), { ok: 'OK' });
    assert.deepEqual(read('-WRONGTYPE Operation against a key\r\n'), { err: 'WRONGTYPE Operation against a key', ignore_error_stats_update: true });
    assert.deepEqual(read('*3\r\n:1\r\n$-1\r\n$1\r\nx\r\n'), { 1: 1, 2: false, 3: 'x' });
    assert.deepEqual(read('*0\r\n'), {});
    assert.deepEqual(read('*2\r\n*1\r\n:1\r\n*0\r\n'), { 1: { 1: 1 }, 2: {} });
  });

  it('RESP3 types', () => {
    assert.equal(read('_\r\n'), undefined);
    assert.equal(read('#t\r\n'), true);
    assert.equal(read('#f\r\n'), false);
    assert.deepEqual(read(',1.5\r\n'), { double: 1.5 });
    assert.deepEqual(read(',inf\r\n'), { double: Infinity });
    assert.deepEqual(read(',-inf\r\n'), { double: -Infinity });
    assert.deepEqual(read('(12345678901234567890\r\n'), { big_number: '12345678901234567890' });
    assert.deepEqual(read('=9\r\ntxt:hello\r\n'), { verbatim_string: { string: 'hello', format: 'txt' } });
    assert.deepEqual(read('%2\r\n$1\r\na\r\n:1\r\n$1\r\nb\r\n_\r\n'), { map: { a: 1 } });
    assert.deepEqual(read('~2\r\n$1\r\na\r\n:3\r\n'), { set: { a: true, 3: true } });
    assert.deepEqual(read('*3\r\n:1\r\n_\r\n:3\r\n'), { 1: 1, 3: 3 });
    assert.deepEqual(read('>2\r\n$1\r\na\r\n$1\r\nb\r\n'), { 1: 'a', 2: 'b' });
    // Attributes are read past; the reply after them is the value.
    assert.equal(read('|1\r\n$3\r\nkey\r\n$3\r\nval\r\n:5\r\n'), 5);
  });

  it('error replies keep their code; a bare message gets ERR; CR/LF trimmed', () => {
    assert.equal(errorTableText('-ERR x'), 'ERR x');
    assert.equal(errorTableText('-NOPE'), 'ERR NOPE');
    assert.equal(errorTableText('plain text'), 'ERR plain text');
    assert.equal(errorTableText('-CODE  two spaces\r\n'), 'CODE  two spaces');
    assert.equal(errorTableText('\r\nmsg\n'), 'ERR msg');
  });
});

describe('Lua → reply (luaReplyToRedisReply)', () => {
  it('scalars', () => {
    assert.equal(write('x', 2).out, '$1\r\nx\r\n');
    assert.equal(write(3.9, 2).out, ':3\r\n');
    assert.equal(write(-3.9, 2).out, ':-3\r\n');
    assert.equal(write(-0.5, 2).out, ':0\r\n');
    assert.equal(write(2 ** 63, 2).out, ':-9223372036854775808\r\n');
    assert.equal(write(NaN, 2).out, ':-9223372036854775808\r\n');
    assert.equal(write(2 ** 62, 2).out, ':4611686018427387904\r\n');
    assert.equal(write(undefined, 2).out, '$-1\r\n');
    assert.equal(write(undefined, 3).out, '_\r\n');
    assert.equal(write(() => [], 2).out, '$-1\r\n');
  });

  it('booleans follow the script protocol, nulls the caller protocol', () => {
    assert.equal(write(true, 2, 2).out, ':1\r\n');
    assert.equal(write(false, 2, 2).out, '$-1\r\n');
    assert.equal(write(false, 3, 2).out, '_\r\n');
    assert.equal(write(true, 3, 3).out, '#t\r\n');
    assert.equal(write(false, 2, 3).out, ':0\r\n');
  });

  it('tables: arrays up to the first nil, ok/err, RESP3 shapes', () => {
    assert.equal(write(table([[1, 'a'], [2, 2], [4, 'skipped']]), 2).out, '*2\r\n$1\r\na\r\n:2\r\n');
    assert.equal(write(table([['ok', 'a\r\nb']]), 2).out, '+a  b\r\n');
    const e = write(table([['err', 'MY err\nx']]), 2);
    assert.equal(e.out, '-MY err x\r\n');
    assert.deepEqual(e.errors, { texts: ['MY err x'], counted: [false] });
    const counted = write(table([['err', 'E x'], ['ignore_error_stats_update', true]]), 2);
    assert.deepEqual(counted.errors.counted, [true]);
    assert.equal(write(table([['double', 1.5]]), 2).out, '$3\r\n1.5\r\n');
    assert.equal(write(table([['double', 0.1]]), 3).out, ',0.10000000000000001\r\n');
    assert.equal(write(table([['double', -Infinity]]), 3).out, ',-inf\r\n');
    assert.equal(write(table([['big_number', '1\r\n2']]), 3).out, '(1  2\r\n');
    assert.equal(write(table([['big_number', '12']]), 2).out, '$2\r\n12\r\n');
    const verbatim = table([['verbatim_string', table([['format', 'mk'], ['string', 'hi']])]]);
    assert.equal(write(verbatim, 3).out, '=6\r\nmk :hi\r\n');
    assert.equal(write(verbatim, 2).out, '$2\r\nhi\r\n');
    assert.equal(write(table([['map', table([['a', 1]])]]), 3).out, '%1\r\n$1\r\na\r\n:1\r\n');
    assert.equal(write(table([['map', table([['a', 1]])]]), 2).out, '*2\r\n$1\r\na\r\n:1\r\n');
    assert.equal(write(table([['set', table([['a', true]])]]), 3).out, '~1\r\n$1\r\na\r\n');
    // err wins over ok, ok over the array part
    assert.equal(write(table([[1, 'x'], ['ok', 'S'], ['err', 'E']]), 2).out, '-E\r\n');
    assert.equal(write(table([[1, 'x'], ['ok', 'S']]), 2).out, '+S\r\n');
  });

  it('a cyclic table stops at the Lua stack limit as 7.0 does', () => {
    const t = new LuaTable();
    t.setInt(1, t);
    const { out, errors } = write(t, 2);
    assert.equal(out.split('*1\r\n').length - 1, 7995);
    assert.ok(out.endsWith('-ERR reached lua stack limit\r\n'));
    assert.deepEqual(errors.texts, ['ERR reached lua stack limit']);
  });
});

describe('redis.call arguments', () => {
  it('strings as they are, numbers as %.17g, anything else refused', () => {
    assert.deepEqual(luaArgsToArgv(['SET', 'k', 1.5]), ['SET', 'k', '1.5']);
    assert.deepEqual(luaArgsToArgv(['ECHO', 0.1]), ['ECHO', '0.10000000000000001']);
    assert.deepEqual(luaArgsToArgv(['ECHO', 1e20]), ['ECHO', '1e+20']);
    assert.deepEqual(luaArgsToArgv(['ECHO', 3]), ['ECHO', '3']);
    assert.equal(luaArgsToArgv([]), ARGS_NONE);
    assert.equal(luaArgsToArgv(['ECHO', true]), ARGS_TYPE);
    assert.equal(luaArgsToArgv(['ECHO', undefined]), ARGS_TYPE);
    assert.equal(luaArgsToArgv(['ECHO', new LuaTable()]), ARGS_TYPE);
  });
});
