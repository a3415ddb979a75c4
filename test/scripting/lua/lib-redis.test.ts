/**
 * The `redis` table of the compiled engine (lib-redis.ts) against redis-server 7.0: argument
 * checks and error texts of each function, the values they return, math.random's sequence, and
 * what FUNCTION libraries see while loading and when called.
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startScriptPair, sameAll, ev, evk, type ScriptPair } from '../harness.js';

let p: ScriptPair;
before(async () => {
  p = await startScriptPair();
});
after(() => p?.close());

/** A script that returns {ok, err} of a pcall'd call, so raised error tables show as their text. */
const caught = (call: string) => ev(`local ok, e = pcall(function() return ${call} end) if ok then return {'ok', e} end return {'err', e}`);

describe('redis.* argument checks and results', () => {
  it('redis.log', async () => {
    await sameAll(p, [
      ev('redis.log(redis.LOG_WARNING, "lua-redis test", 1, 2.5) return 1'),
      ev('redis.log(redis.LOG_DEBUG, "below the level") return 1'),
      ev('redis.log("3", "level as a string") return 1'),
      ev('return redis.log(1)'),
      ev("return redis.log('x', 'y')"),
      ev('return redis.log(7, "y")'),
      ev('return redis.log(-1, "y")'),
      ev('return redis.log({}, "y")'),
      caught('redis.log()'),
      caught("redis.log('a', 'b')"),
      ev('return {redis.LOG_DEBUG, redis.LOG_VERBOSE, redis.LOG_NOTICE, redis.LOG_WARNING}'),
    ]);
  });

  it('redis.setresp, redis.set_repl and the REPL_* values', async () => {
    await sameAll(p, [
      ev('return redis.setresp()'),
      ev('return redis.setresp(2, 3)'),
      ev('return redis.setresp(4)'),
      ev("return redis.setresp('3')"),
      ev("redis.setresp('3') return redis.call('hgetall', 'nokey')"),
      ev('return redis.setresp({})'),
      ev('return redis.set_repl()'),
      ev('return redis.set_repl(8)'),
      ev('return redis.set_repl(redis.REPL_ALL)'),
      ev("return redis.set_repl('x')"),
      caught('redis.set_repl(1, 2)'),
      ev('return {redis.REPL_NONE, redis.REPL_AOF, redis.REPL_SLAVE, redis.REPL_REPLICA, redis.REPL_ALL}'),
    ]);
  });

  it('redis.sha1hex, error_reply, status_reply', async () => {
    await sameAll(p, [
      ev("return redis.sha1hex('')"),
      ev("return redis.sha1hex('abc')"),
      ev('return redis.sha1hex(12.5)'),
      ev('return redis.sha1hex(ARGV[1])', '\x00\xff binary'),
      ev('return redis.sha1hex()'),
      ev("return redis.sha1hex('a', 'b')"),
      ev("return redis.error_reply('My Error')"),
      ev("return redis.error_reply('-CODE with code')"),
      ev("return redis.error_reply('-NOSPACE')"),
      ev("return redis.error_reply('')"),
      ev("return redis.error_reply('x\\r\\n')"),
      ev("return redis.error_reply('with\\0nul')"),
      ev('return redis.error_reply(1)'),
      ev('return redis.error_reply()'),
      ev("local t = redis.error_reply('E x') return t.err"),
      ev("return redis.status_reply('FINE')"),
      ev("return redis.status_reply('a\\r\\nb')"),
      ev('return redis.status_reply(2)'),
      ev("return redis.status_reply('a', 'b')"),
      ev("local t = redis.status_reply('S') return t.ok"),
    ]);
  });

  it('redis.call / redis.pcall argument conversion and errors', async () => {
    await sameAll(p, [
      ev("return redis.call('echo', 3.5)"),
      ev("return redis.call('echo', 1e20)"),
      ev("return redis.call('echo', 0.1)"),
      ev("return redis.call('echo', -0.0)"),
      ev("return redis.call('echo', 2^63)"),
      ev("return redis.call('echo', true)"),
      ev("return redis.call('echo', nil)"),
      ev("return redis.call('echo', {})"),
      ev('return redis.call()'),
      ev('return redis.pcall()'),
      ev("return redis.pcall('echo', {})"),
      ev("local t = redis.pcall('nosuch') return {t.err, tostring(t.ignore_error_stats_update)}"),
      ev("local t = redis.pcall('echo') return {t.err, tostring(t.ignore_error_stats_update)}"),
      ev("local ok, e = pcall(redis.call, 'echo', {}) return {tostring(ok), e}"),
      ev("local ok, e = pcall(redis.call, 'nosuch') return {tostring(ok), e}"),
      ev("local ok, e = xpcall(function() return redis.call('nosuch') end, function(e) return type(e) end) return {tostring(ok), e}"),
      ev("local ok, e = pcall(error, {err = 'E1'}) return {tostring(ok), e}"),
      ev("local ok, e = pcall(error, {err = 5}) return {tostring(ok), e}"),
      ev("local ok, e = pcall(error, 'plain') return {tostring(ok), e}"),
      ev("local ok, a, b = pcall(function() return 1, 2 end) return {tostring(ok), a, b}"),
      evk("redis.call('set', KEYS[1], 'v') return redis.call('incr', KEYS[1])", ['lr:str']),
      evk("return redis.pcall('incr', KEYS[1])", ['lr:str']),
      ev("\n\nlocal x = 1\nredis.call('nosuch')"),
      ev("local function f()\n  return redis.call('nosuch')\nend\n\nreturn f()"),
    ]);
  });

  it('debugger entries, acl_check_cmd, version', async () => {
    await sameAll(p, [
      ev('return redis.breakpoint()'),
      ev('return redis.debug(1, 2)'),
      ev('return redis.replicate_commands()'),
      ev("return redis.acl_check_cmd('get', 'x')"),
      ev("return redis.acl_check_cmd('nosuch')"),
      ev('return redis.acl_check_cmd()'),
      ev("return redis.acl_check_cmd('get', {})"),
      ev('return type(redis.REDIS_VERSION_NUM)'),
      // Field order as 7.0 fills the table (pairs follows Lua's hash layout).
      ev("local s = '' for k in pairs(redis) do s = s .. k .. ' ' end return s"),
      ev('redis.call = 1'),
      ev("redis.nope = 1"),
      ev('return redis.nope'),
    ]);
  });

  it('math.random follows redisLrand48 across scripts; randomseed resets it', async () => {
    await sameAll(
      p,
      [
        ev('math.randomseed(42) return {tostring(math.random()), math.random(10), math.random(5, 7)}'),
        ev('return {tostring(math.random()), math.random(100)}'),
        ev('math.randomseed(-7) return {math.random(1000000), math.random(-5, 5)}'),
        ev("math.randomseed('9') return math.random(3)"),
        ev('return math.random(0)'),
        ev('return math.random(5, 4)'),
        ev('return math.random(1, 2, 3)'),
        ev("return math.random('x')"),
        ev('return math.randomseed()'),
      ],
      { resp: [2] },
    );
  });
});

describe('FUNCTION libraries on the compiled engine', () => {
  it('load-time API, registration errors, calls', async () => {
    const lib = (name: string, body: string) => ['FUNCTION', 'LOAD', 'REPLACE', `#!lua name=${name}\n${body}`];
    await sameAll(
      p,
      [
        ['FUNCTION', 'FLUSH'],
        lib('l1', "local n = 0\nredis.register_function('lr_count', function(keys, args) n = n + 1 return {n, keys[1], args[1]} end)"),
        ['FCALL', 'lr_count', 1, 'k', 'a'],
        ['FCALL', 'lr_count', 0],
        lib('l2', "redis.register_function{function_name = 'lr_ro', callback = function() return redis.call('get', 'x') end, flags = {'no-writes'}, description = 'd'}"),
        ['FCALL_RO', 'lr_ro', 0],
        lib('l3', "redis.call('get', 'x')"),
        lib('l4', 'local x = y'),
        lib('l5', "redis.register_function('bad name', function() end)"),
        lib('l6', "redis.register_function('a', function() end)\nredis.register_function('A', function() end)"),
        lib('l7', "redis.register_function{function_name = 'z', callback = function() end, flags = {'nope'}}"),
        lib('l8', "redis.register_function{function_name = 'z', callback = 1}"),
        lib('l9', "redis.register_function{function_name = 'z', other = 1}"),
        lib('l10', "redis.register_function('z')"),
        lib('l11', "redis.register_function(1, function() end, 3)"),
        lib('l12', "redis.register_function{callback = function() end}"),
        lib('l13', "redis.register_function({function_name = 'x'})"),
        lib('l14', "redis.register_function('x')"),
        lib('l15', "redis.register_function('lr_count', function() end)"),
        lib('l16', 'return 1'),
        lib('l17', "redis.log(redis.LOG_DEBUG, 'loading') redis.register_function('lr_env', function() return {type(string), type(redis.call), type(KEYS)} end)"),
        ['FCALL', 'lr_env', 0],
        lib('l18', "redis.register_function('lr_err', function()\n  return redis.call('nosuch')\nend)\nredis.register_function('lr_err2', function()\n  error('boom')\nend)"),
        ['FCALL', 'lr_err', 0],
        ['FCALL', 'lr_err2', 0],
        lib('l19', "redis.register_function('lr_regcall', function() return redis.register_function('q', function() end) end)"),
        ['FCALL', 'lr_regcall', 0],
        lib('l20', "local s = '' for k in pairs(redis) do s = s .. k .. ' ' end"),
        lib('l21', "redis.register_function('lr_pairs', function() local s = '' for k in pairs(redis) do s = s .. k .. ' ' end return s end)"),
        ['FCALL', 'lr_pairs', 0],
        ['FUNCTION', 'FLUSH'],
      ],
      { resp: [2] },
    );
  });

  it('a library body that never ends stops at the load time limit', async () => {
    const code = '#!lua name=lr_loop\nlocal a = 1 while true do a = a + 1 end';
    const [ra, rb] = await Promise.all([p.a.call('FUNCTION', 'LOAD', code), p.b.call('FUNCTION', 'LOAD', code)]);
    assert.deepEqual(rb, ra);
  });
});
