/**
 * The libraries a 7.0 script sees, compared with redis-server: cjson, cmsgpack (also reading
 * what msgpackr writes), bit, struct, redis.sha1hex/log, the PRNG reseeded per script, the
 * number formatting of Lua 5.1, unpack's limit and the redis.* constants and helpers.
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { Packr } from 'msgpackr';
import { startScriptPair, sameAll, ev, ret, type ScriptPair } from './harness.js';
import { expectLog } from '../helpers/servers.js';

let p: ScriptPair;
before(async () => {
  p = await startScriptPair(['--loglevel', 'verbose']);
});
after(() => p?.close());

const R2: { resp: 2[] } = { resp: [2] };

describe('cjson', () => {
  it('encode', async () => {
    await sameAll(p, [
      ret("cjson.encode({1, 2, 3})"),
      ret("cjson.encode({})"),
      ret("cjson.encode({a = 1})"),
      ret("cjson.encode({a = {b = {c = {1, 'x', true, false}}}})"),
      ret("cjson.encode('a/b\\\\c\"d\\n\\t\\0e')"),
      ret("cjson.encode(3.14159265358979)"),
      ret("cjson.encode(0.1)"),
      ret("cjson.encode(1e100)"),
      ret("cjson.encode(123456789012345678)"),
      ret("cjson.encode(1/3)"),
      ret("cjson.encode(-0.0)"),
      ret("cjson.encode(100)"),
      ret("cjson.encode(cjson.null)"),
      ret("cjson.encode({cjson.null, 1})"),
      ret("cjson.encode({[1] = 'a', [3] = 'c'})"),
      ret("cjson.encode({[1] = 'a', [20] = 'c'})"),
      ret("cjson.encode({[1] = 'a', b = 'c'})"),
      ret("cjson.encode({[2] = 'x'})"),
      ret("cjson.encode('\\200\\255')"),
      ev("return cjson.encode(1/0)"),
      ev("return cjson.encode(0/0)"),
      ev("return cjson.encode(function() end)"),
      ev("local t = {} t[1] = t return cjson.encode(t)"),
      ev("return cjson.encode({[true] = 1})"),
      ev("local t = {} local cur = t for i = 1, 1100 do cur[1] = {} cur = cur[1] end return cjson.encode(t)"),
    ], R2);
  });

  it('decode', async () => {
    await sameAll(p, [
      ret("cjson.decode('[1,2,3]')"),
      ret("cjson.decode('{\"a\":{\"b\":[1,2,{\"c\":\"d\"}]}}').a.b[3].c"),
      ret("cjson.decode('[1.5, 2.9, -3.9, 1e3]')"),
      ret("tostring(cjson.decode('1.5'))"),
      ret("tostring(cjson.decode('12345678901234567890'))"),
      ret("type(cjson.decode('null'))"),
      ret("cjson.decode('null') == cjson.null"),
      ret("tostring(cjson.decode('[null]')[1] == cjson.null)"),
      ret("cjson.decode('\"a\\\\/b\\\\u00e9\\\\n\"')"),
      ret("cjson.decode('\"\\\\ud83d\\\\ude00\"')"),
      ret("type(cjson.decode('{}'))"),
      ret("cjson.encode(cjson.decode('{\"x\":[],\"y\":{}}'))"),
      ret("cjson.decode('true')"),
      ret("cjson.decode('false')"),
      ev("return cjson.decode('[1,2')"),
      ev("return cjson.decode('{\"a\":}')"),
      ev("return cjson.decode('')"),
      ev("return cjson.decode('nul')"),
      ev("return cjson.decode('[1,]')"),
      ev("return cjson.decode('\"\\\\x\"')"),
      ev("return cjson.decode(ARGV[1])", '{"k":"' + 'v'.repeat(50) + '","n":[1,2,3],"o":{"p":null}}'),
      ev("return cjson.encode(cjson.decode(ARGV[1]))", '{"z":1}'),
      ev("return cjson.decode(5)"),
      ev("return cjson.decode()"),
      ret("cjson.encode_keep_buffer ~= nil"),
      ret("type(cjson.encode_sparse_array)"),
      ret("type(cjson.decode_invalid_numbers)"),
      ret("type(cjson.encode_max_depth)"),
      ret("cjson.encode_number_precision(5) and cjson.encode(3.14159265358979)"),
      ret("cjson.encode(3.14159265358979)"),
    ], R2);
  });
});

describe('cmsgpack', () => {
  it('pack and unpack round trips', async () => {
    await sameAll(p, [
      ret("cmsgpack.pack(1, -1, 127, 128, 255, 256, 65535, 65536, -32, -33, -128, -129, 2^31, 2^32, -2^31 - 1, 2^53)"),
      ret("cmsgpack.pack('', 'abc', string.rep('x', 31), string.rep('y', 32), string.rep('z', 256), string.rep('w', 65536))"),
      ret("cmsgpack.pack(1.5, -0.25, 1/3, 1e15, -1e15)"),
      ret("cmsgpack.pack({1, 2, 3}, {a = 1}, {}, true, false, nil)"),
      ret("cmsgpack.pack({1, 2, nil, 4})"),
      ret("cmsgpack.pack({[1] = 'a', [3] = 'c'})"),
      ret("{cmsgpack.unpack(cmsgpack.pack(1, 'two', {3, 4}, true))}"),
      ret("cmsgpack.unpack(cmsgpack.pack({a = {b = {c = 'deep'}}})).a.b.c"),
      ret("tostring(cmsgpack.unpack(cmsgpack.pack(1.5)))"),
      ret("tostring(cmsgpack.unpack(cmsgpack.pack(2^53)))"),
      ret("select('#', cmsgpack.unpack(cmsgpack.pack(1, 2, 3)))"),
      ret("{cmsgpack.unpack_one(cmsgpack.pack(1, 2, 3))}"),
      ret("{cmsgpack.unpack_one(cmsgpack.pack(1, 2, 3), 2)}"),
      ret("{cmsgpack.unpack_limit(cmsgpack.pack(1, 2, 3), 2)}"),
      ret("type(cmsgpack.unpack(cmsgpack.pack(nil)))"),
      ret("{cmsgpack.unpack('')}"),
      ev("return {cmsgpack.unpack('\\193')}"),
      ev("return {cmsgpack.unpack('\\145')}"),
      ev("return cmsgpack.pack()"),
      ev("return cmsgpack.unpack()"),
      ev("return cmsgpack.pack(function() end)"),
      ev("local t = {} t[1] = t return #cmsgpack.pack(t)"),
    ], R2);
  });

  it('unpacks what msgpackr writes', async () => {
    const packr = new Packr({ useRecords: false, encodeUndefinedAsNil: true });
    const values: unknown[] = [
      { name: 'job', data: { x: 1, y: [1, 2, 3] }, opts: { attempts: 3, delay: 0, backoff: { type: 'fixed', delay: 1000 } } },
      [1, -1, 255, 65536, 2 ** 32, -(2 ** 40), 1.5, 'str', null, true, false],
      'x'.repeat(300),
      { nested: { deeper: { deepest: [null, undefined, 'z'] } } },
      1700000000000,
      -0.5,
    ];
    const steps = values.map((v) => ev("local v = cmsgpack.unpack(ARGV[1]) return cjson.encode(v)", packr.pack(v).toString('latin1')));
    steps.push(...values.map((v) => ev("return cmsgpack.pack(cmsgpack.unpack(ARGV[1]))", packr.pack(v).toString('latin1'))));
    await sameAll(p, steps, R2);
  });
});

describe('bit, struct, sha1hex', () => {
  it('bit', async () => {
    await sameAll(p, [
      ret("{bit.tobit(0xffffffff), bit.tobit(2^32 + 1), bit.tobit(-1), bit.tobit(1.5)}"),
      ret("{bit.band(0xff, 0x0f), bit.band(-1, 0x7fffffff, 0xffff), bit.bor(1, 2, 4), bit.bxor(5, 3), bit.bnot(0)}"),
      ret("{bit.lshift(1, 31), bit.lshift(1, 32), bit.rshift(-1, 28), bit.arshift(-256, 4), bit.rshift(0x80000000, 31)}"),
      ret("{bit.rol(0x12345678, 8), bit.ror(0x12345678, 8), bit.bswap(0x12345678)}"),
      ret("{bit.tohex(255), bit.tohex(-1), bit.tohex(255, 4), bit.tohex(255, -4), bit.tohex(0x12345678, 2)}"),
      ev("return bit.band('x')"),
      ev("return bit.tobit()"),
    ], R2);
  });

  it('struct', async () => {
    await sameAll(p, [
      ret("struct.pack('>I2', 258)"),
      ret("struct.pack('<i4', -2)"),
      ret("struct.pack('bBhHfd', -1, 255, -2, 65535, 1.5, 2.25)"),
      ret("struct.pack('>i4', 2^31 - 1)"),
      ret("struct.pack('s', 'abc')"),
      ret("struct.pack('c3', 'abcdef')"),
      ret("{struct.unpack('>I2', '\\1\\2')}"),
      ret("{struct.unpack('<i4c2s', struct.pack('<i4c2s', -5, 'xy', 'str'))}"),
      ret("{struct.unpack('d', struct.pack('d', 1.25))}"),
      ret("{struct.unpack('>I2', '\\0\\1\\0\\2', 3)}"),
      ret("{struct.size('i4'), struct.size('bhd'), struct.size('!8bd'), struct.size('c10')}"),
      ev("return struct.pack('z')"),
      ev("return struct.unpack('>I4', 'ab')"),
      ev("return struct.size('s')"),
      ev("return struct.pack('i17', 1)"),
    ], R2);
  });

  it('redis.sha1hex', async () => {
    await sameAll(p, [
      ret("redis.sha1hex('')"),
      ret("redis.sha1hex('abc')"),
      ret("redis.sha1hex(ARGV[1])", 'bin\x00\xff'),
      ret("redis.sha1hex(12)"),
      ev("return redis.sha1hex()"),
      ev("return redis.sha1hex({})"),
    ], R2);
  });
});

describe('the Lua 5.1 runtime', () => {
  it('math.random is the same sequence in every script', async () => {
    await sameAll(p, [
      ret("{math.random(100), math.random(100), math.random(1, 1000000), math.floor(math.random() * 1e9)}"),
      ret("{math.random(100), math.random(100), math.random(1, 1000000), math.floor(math.random() * 1e9)}"),
      ev("math.randomseed(42) return {math.random(100), math.random(100)}"),
      ret("{math.random(100), math.random(100)}"),
      ev("return math.random(0)"),
      ev("return math.random(2, 1)"),
      ev("return math.random(1, 2, 3)"),
    ], R2);
  });

  it('number formatting and conversions', async () => {
    await sameAll(p, [
      ret("tostring(10/2)"),
      ret("tostring(1/3)"),
      ret("tostring(2^53)"),
      ret("tostring(2^63)"),
      ret("tostring(math.floor(1.7e12))"),
      ret("tostring(-0.0)"),
      ret("tostring(1/0)"),
      ret("tostring(0/0) == tostring(0/0)"),
      ret("1e15 .. ''"),
      ret("123456789012345 .. ''"),
      ret("tonumber('0x10')"),
      ret("tonumber('  12  ')"),
      ret("tonumber('1e2')"),
      ret("tostring(tonumber('abc'))"),
      ret("tonumber('10', 2)"),
      ret("tonumber('zz', 36)"),
      ret("tostring(tonumber(''))"),
      ret("string.format('%d', 3.7)"),
      ret("string.format('%d', 2^31)"),
      ret("string.format('%d', 1724268294000)"),
      ret("string.format('%5.2f|%-5s|%05d|%x|%X|%o|%e|%g|%q|%c%%', 3.14159, 'ab', 42, 255, 255, 8, 12345.678, 0.0001, 'a\\nb\\0', 65)"),
      ret("string.format('%s %s %s', 1, 1.5, 2^53)"),
      ret("string.format('%10.3s|', 'abcdef')"),
      ret("tostring(1724268294 * 1000)"),
      ret("tostring(2000000000 + 2000000000)"),
      ret("'\\x41'"),
      ret("#'\\x41'"),
      ret("string.rep('ab', 3, ',')"),
      ret("{string.byte('abc', 1, -1)}"),
      ret("string.char(104, 105)"),
      ret("{string.find('hello world', 'o w')}"),
      ret("{string.find('a.b', '.', 1, true)}"),
      ret("{string.match('key:123:x', '(%a+):(%d+)')}"),
      ret("string.gsub('hello', 'l', 'L')"),
      ret("select('#', string.gsub('hello', 'l', 'L'))"),
      ret("(string.gsub('abc', '%w', '%0%0'))"),
      ret("table.concat({1, 2, 3}, '-')"),
      ret("table.getn({1, 2, 3})"),
      ret("table.maxn({[1] = 1, [10] = 2})"),
      ret("math.mod(7, 3)"),
      ret("math.fmod(-7, 3)"),
      ret("math.pow(2, 10)"),
      ret("math.log10(1000)"),
      ret("tostring(math.huge)"),
      ret("tostring(math.pi)"),
      ret("type(string.gfind)"),
      ret("type(table.setn)"),
      ret("type(table.unpack)"),
      ret("type(math.ldexp)"),
      ret("_VERSION"),
      ev("local t = {} for i = 1, 10 do t[i] = i end table.sort(t, function(a, b) return a > b end) return t"),
      ev("local co = coroutine.create(function(a) local b = coroutine.yield(a + 1) return b * 2 end) local _, x = coroutine.resume(co, 1) local _, y = coroutine.resume(co, 10) return {x, y, coroutine.status(co)}"),
      ev("return 7 % -3"),
      ev("return -7 % 3"),
      ev("return tostring(2^0.5)"),
      ev("return {select(2, 'a', 'b', 'c')}"),
      ev("return select(-1, 'a', 'b')"),
      ev("local s = 0 for i = 10, 1, -3 do s = s + i end return s"),
      ev("return #{1, 2, 3, nil, 5}"),
      ev("return string.len(string.rep('x', 1000000))"),
      ev("return #tostring({}) > 0"),
      ev("return gcinfo() > 0"),
      ev("return collectgarbage('count') > 0"),
      ev("return type(newproxy(true))"),
    ], R2);
  });

  it('unpack and its limit', async () => {
    await sameAll(p, [
      ret("{unpack({1, 2, 3})}"),
      ret("select('#', unpack({1, 2, 3}, 2))"),
      ret("{unpack({1, 2, 3}, 2, 3)}"),
      ret("select('#', unpack({}, 1, 3))"),
      ev("local t = {} for i = 1, 7000 do t[i] = i end return select('#', unpack(t))"),
      ev("local t = {} for i = 1, 7999 do t[i] = i end return select('#', unpack(t))"),
      ev("local t = {} for i = 1, 8000 do t[i] = i end return select('#', unpack(t))"),
      ev("local t = {} for i = 1, 8100 do t[i] = i end return select('#', unpack(t))"),
      ev("local t = {} for i = 1, 100000 do t[i] = i end return select('#', unpack(t))"),
      ev("local t = {} for i = 1, 7000 do t[i] = 'k' .. i end return redis.call('del', unpack(t))"),
      ev("local t = {} for i = 1, 100000 do t[i] = 'k' .. i end return redis.call('del', unpack(t))"),
      ev("return string.char(unpack({65, 66, 67}))"),
      ev("local t = {} for i = 1, 300 do t[i] = 65 end return #string.char(unpack(t))"),
    ], R2);
  });

  it('redis.* constants and helpers', async () => {
    await sameAll(p, [
      ret("{redis.LOG_DEBUG, redis.LOG_VERBOSE, redis.LOG_NOTICE, redis.LOG_WARNING}"),
      ret("{redis.REPL_NONE, redis.REPL_AOF, redis.REPL_SLAVE, redis.REPL_REPLICA, redis.REPL_ALL}"),
      ret("type(redis.REDIS_VERSION)"),
      ret("type(redis.REDIS_VERSION_NUM)"),
      ret("redis.replicate_commands()"),
      ret("type(redis.replicate_commands())"),
      ret("redis.breakpoint()"),
      ret("redis.debug('x')"),
      ret("redis.set_repl(redis.REPL_ALL)"),
      ev("return redis.set_repl(99)"),
      ev("return redis.set_repl()"),
      ev("return redis.set_repl('x')"),
      ret("redis.acl_check_cmd('get', 'k')"),
      ret("redis.acl_check_cmd('set', 'k', 'v')"),
      ev("return redis.acl_check_cmd('nosuch')"),
      ev("return redis.acl_check_cmd()"),
      ev("return redis.acl_check_cmd('get')"),
      ret("redis.log(redis.LOG_WARNING, 'hello from lua')"),
      ev("return redis.log(redis.LOG_WARNING)"),
      ev("return redis.log()"),
      ev("return redis.log(99, 'x')"),
      ev("return redis.log('x', 'y')"),
      ret("redis.log(redis.LOG_NOTICE, 'a', 'b', 3)"),
      ev("return redis.log(redis.LOG_NOTICE, {})"),
    ], R2);
  });

  it('REDIS_VERSION and REDIS_VERSION_NUM agree with INFO server', async () => {
    for (const c of [p.a, p.b]) {
      const info = ((await c.call('INFO', 'server')) as { v: string }).v;
      const version = /redis_version:(\S+)/.exec(info)![1];
      const [maj, min, patch] = version.split('.').map(Number);
      const r = (await c.call('EVAL', 'return {redis.REDIS_VERSION, redis.REDIS_VERSION_NUM}', 0)) as { v: { v: string }[] };
      assert.deepEqual(r.v.map((x) => x.v), [version, String((maj << 16) | (min << 8) | patch)]);
    }
  });

  it('redis.log writes the message to the log at its level', async () => {
    await p.a.call('EVAL', "redis.log(redis.LOG_WARNING, 'lua-warning-line') redis.log(redis.LOG_DEBUG, 'lua-debug-line') redis.log(redis.LOG_NOTICE, 'lua', 'multi', 'args')", 0);
    await p.b.call('EVAL', "redis.log(redis.LOG_WARNING, 'lua-warning-line') redis.log(redis.LOG_DEBUG, 'lua-debug-line') redis.log(redis.LOG_NOTICE, 'lua', 'multi', 'args')", 0);
    for (const s of [p.redis, p.reddish]) {
      await expectLog(s, /^\d+:M \d\d \w{3} \d{4} [\d:.]+ # lua-warning-line$/, /^\d+:M \d\d \w{3} \d{4} [\d:.]+ \* lua multi args$/);
      // LOG_DEBUG is below the server's verbose level.
      assert.doesNotMatch(s.output(), /lua-debug-line/);
    }
  });
});

describe('former differences of the wasm VM (x86-64 sizes on the compiled engine)', () => {
  it("struct's longs, i8 past 32 bits, cmsgpack's int/float choice for 1e300", async () => {
    await sameAll(p, [ev("return struct.size('lL')"), ev("return struct.pack('>i8', 2^40) == '\\0\\0\\1\\0\\0\\0\\0\\0'"), ev('return cmsgpack.pack(1e300):byte(1)')], { resp: [2] });
  });
});
