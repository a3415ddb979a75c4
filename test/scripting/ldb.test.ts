/**
 * The Lua debugger (SCRIPT DEBUG YES|SYNC|NO) against redis-server 7.0: whole debugging sessions
 * are replayed on both servers and their transcripts (every reply the client reads, up to the
 * EVAL's own reply and the closed connection) must match, as must redis-cli's --ldb-sync-mode
 * and --ldb output. YES sessions must leave the dataset (and a replica) exactly as it was.
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { writeFileSync, mkdtempSync, readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { RespClient, plain, type Reply } from '../helpers/resp.js';
import { startServer, type SpawnedServer } from '../helpers/servers.js';

let redis: SpawnedServer;
let reddish: SpawnedServer;
before(async () => {
  [redis, reddish] = await Promise.all([startServer('redis'), startServer('reddish')]);
});
after(async () => {
  await Promise.all([redis?.stop(), reddish?.stop()]);
});

/** Function addresses differ between processes (Lua prints pointers). */
function norm(v: unknown): unknown {
  if (typeof v === 'string') return v.replace(/(function|userdata)@0x[0-9a-f]+/g, '$1@ADDR');
  if (Array.isArray(v)) return v.map(norm);
  if (v !== null && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, norm(x)]));
  return v;
}

/** A reply that was sent without a command of its own (it may already be parsed). */
function nextReply(c: RespClient): Promise<Reply> {
  const r = c.unclaimed.shift();
  return r !== undefined ? Promise.resolve(r) : c.send('');
}

function isEnd(r: Reply): boolean {
  if (r.t !== 'array' || r.v.length === 0) return false;
  const last = r.v[r.v.length - 1];
  return last.t === 'simple' && last.v === '<endsession>';
}

/**
 * One session: SCRIPT DEBUG <mode>, EVAL, then each debugger command (an array of arguments).
 * Every reply is recorded; once the session ends, the EVAL's reply and whether the server closed
 * the connection follow.
 */
async function transcript(port: number, script: string, evalArgs: string[], commands: string[][], mode = 'sync', setup: string[][] = []): Promise<unknown[]> {
  const c = await RespClient.connect(port);
  const out: unknown[] = [];
  try {
    for (const s of setup) out.push(plain(await c.call(...s)));
    out.push(plain(await c.call('script', 'debug', mode)));
    let r = await c.call('eval', script, ...evalArgs);
    out.push(plain(r));
    if (r.t === 'error') return out;
    for (let i = 0; ; i++) {
      if (isEnd(r)) {
        // The EVAL's reply follows the logs, then the server closes the connection.
        out.push(plain(await nextReply(c)));
        await c.waitClose();
        out.push('closed');
        return out;
      }
      if (i >= commands.length) break;
      r = await c.call(...commands[i]);
      out.push(plain(r));
    }
    return out;
  } finally {
    c.close();
  }
}

async function sameSession(script: string, evalArgs: string[], commands: string[][], mode = 'sync', setup: string[][] = []): Promise<unknown[]> {
  const a = norm(await transcript(redis.port, script, evalArgs, commands, mode, setup)) as unknown[];
  const b = norm(await transcript(reddish.port, script, evalArgs, commands, mode, setup)) as unknown[];
  assert.deepStrictEqual(b, a);
  return a;
}

const cmds = (...lines: string[]): string[][] => lines.map((l) => l.split(' '));

async function both<T>(fn: (c: RespClient) => Promise<T>): Promise<[T, T]> {
  const [a, b] = await Promise.all([RespClient.connect(redis.port), RespClient.connect(reddish.port)]);
  try {
    return [await fn(a), await fn(b)];
  } finally {
    a.close();
    b.close();
  }
}

const BASIC = `local a = 1
local t = {1,2,3}
redis.call('set', KEYS[1], ARGV[1])
local function f(x)
  local y = x * 2
  return y
end
a = f(a)
redis.debug('hi', a, t)
return redis.call('get', KEYS[1])`;

describe('SCRIPT DEBUG SYNC sessions (same transcript as redis-server)', () => {
  it('steps, lists, sets breakpoints, prints and evaluates', async () => {
    const t = await sameSession(
      BASIC,
      ['1', 'ldb:basic', 'bar'],
      cmds('s', 's', 'foo', 'b 5', 'b', 'b -5', 'b 0', 'b x 99 0x1 +3 -0', 'l', 'l 2 1', 'l 0', 'l 100 2', 'w', 'm', 'm 10', 'm 0', 'm -3', 'm 1 2', 'p', 'p t', 'p KEYS', 'p ARGV', 'p nosuch', 'p a t', 't', 'e a', 'e x=1', 'e error("x")', 'e 1+', 'e', 'e 1, 2', 'e {1,2,nil,4}', 'e {[1]=1,[3]=3}', 'e "\\0\\255\\t\\"\\\\"', 'e 1e20', 'e 0.1', 'e 123456789', 'e -0', 'e 1/0', 'e function() end', 'r get ldb:basic', 'r', 'r set', 'r nosuch x', 'r incr ldb:basic', 'h', 's', 's', 'p', 't', 's', 's', 's', 'print', 'trace', 'c'),
    );
    assert.ok(t.length > 40);
  });

  it('logs redis.call while stepping, errors, redis.breakpoint(), reply trimming and the final error', async () => {
    const script = `local x = redis.pcall('incr', 'ldb:k')
redis.breakpoint()
local y = 2
redis.call('set', 'ldb:k', string.rep('x', 300))
local z = redis.call('get', 'ldb:k')
return redis.call('nosuch')`;
    await sameSession(script, ['0'], cmds('s', 's', 's', 's', 'p', 'p z', 's', 's'), 'sync', [['set', 'ldb:k', 'text']]);
    await sameSession(script, ['0'], cmds('c', 'c'), 'sync', [['set', 'ldb:k', 'text']]);
  });

  it('abort ends the script with an error at the current line', async () => {
    await sameSession(BASIC, ['1', 'ldb:abort', 'v'], cmds('s', 's', 'a'));
    await sameSession(BASIC, ['1', 'ldb:abort', 'v'], cmds('abort'));
  });

  it('loops, nested functions, pcall, tail calls: stops, traces and locals (loop counters included)', async () => {
    const script = `local s = 0
for i = 1, 2 do
  s = s + i
end
for k, v in pairs({x=1}) do
  s = s + v
end
local function g(n)
  if n > 0 then return g(n - 1) end
  return n
end
local r = pcall(function() return g(1) end)
local function h(a, b)
  local c = a + b
  redis.debug(c)
  return c
end
s = h(s, 1)
local w = 0
while w < 2 do
  w = w + 1
end
repeat
  w = w - 1
until w == 0
if w == 0 then
  s = s + 1
elseif w == 1 then
  s = 0
end
return {s, r, w}`;
    const steps = Array.from({ length: 60 }, (_, i) => (i % 3 === 1 ? ['p'] : i % 3 === 2 ? ['t'] : ['s']));
    await sameSession(script, ['0'], steps);
  });

  it('calls and table constructors spread over several lines stop on each of their lines', async () => {
    const script = `redis.call('set',
  KEYS[1],
  ARGV[1])
local t = {
  a = 1,
  b = KEYS[1],
  redis.call('get',
    KEYS[1]),
}
local f = function(x)
  return x
end
local y = f(
  t.a)
return redis.call('get', KEYS[1])`;
    const steps = Array.from({ length: 40 }, (_, i) => (i % 2 === 1 ? ['p'] : ['s']));
    await sameSession(script, ['1', 'ldb:multi', 'v'], steps);
  });

  it('conditions, concatenations, calls and return tables spread over lines; do blocks; break', async () => {
    const script = `local key = KEYS[1]
local count = tonumber(ARGV[1] or "3")
local res = {}
if count > 2 and
   key ~= nil then
  res[#res + 1] = "big"
elseif count > 1 then
  res[#res + 1] = "medium"
else
  res[#res + 1] = "small"
end
for i = 1, count do
  if i == 2 then
    break
  end
  local s = "item:" ..
    i
  res[#res + 1] = s
end
local function add(a,
                   b)
  return a + b
end
local total = add(1,
  2)
local msg = string.format("%s=%d",
  key, total)
do
  local inner = 1
  total = total + inner
end
local j = 0
while j < 2 and
      total > 0 do
  j = j + 1
end
return {
  res[1],
  msg,
  total,
}`;
    const steps = Array.from({ length: 120 }, (_, i) => (i % 2 === 1 ? ['p'] : ['s']));
    await sameSession(script, ['1', 'ldb:big', '3'], steps);
  });

  it('iterators, metamethods, methods and pcall: the names trace gives, and their locals', async () => {
    const script = `local function iter(s, c)
  if c < 2 then return c + 1 end
end
for i in iter, nil, 0 do
  redis.debug(i)
end
local t = setmetatable({}, {__index = function(t, k)
  return k
end})
local v = t.x
local obj = {}
function obj:m(a)
  return a
end
local r = obj:m(1)
local ok, err = pcall(function()
  error('inside')
end)
redis.debug()
redis.debug(nil, 1, {}, {a={1,{2}}}, 'x')
redis.breakpoint()
local n = tonumber('12')
redis.call('incr', KEYS[1])
return 1`;
    const steps = Array.from({ length: 90 }, (_, i) => (i % 3 === 1 ? ['t'] : i % 3 === 2 ? ['p'] : ['s']));
    await sameSession(script, ['1', 'ldb:iter'], steps, 'sync', [['set', 'ldb:iter', 'notint']]);
  });

  it('breakpoints and continue, including one inside a function and redis.debug() while continuing', async () => {
    await sameSession(BASIC, ['1', 'ldb:bp', 'v'], cmds('b 5 9', 'c', 'p', 'p x', 't', 'c', 'b', 'c'));
  });

  it('removing a breakpoint keeps 7.0 bookkeeping of the rest', async () => {
    await sameSession(BASIC, ['1', 'ldb:bp2', 'v'], cmds('b 3 5 8 9', 'b -3', 'b', 'b -5', 'b', 'b 2', 'b', 'c', 'c', 'c', 'c'));
  });

  it('values: nested tables, strings with bytes, and the depth limit', async () => {
    const script = `local nested = {a={b={c={d={e={f={g={h={i={j={k={l=1}}}}}}}}}}}
local mixed = {1, 2, x = 'y', [10] = true}
local s = 'a\\nb\\r\\0\\255"'
local n = {1.5, -0.25, 1e300, 2^53}
return 1`;
    await sameSession(script, ['0'], cmds('s', 's', 's', 's', 's', 'p', 'm 0', 'p nested', 'p mixed', 'c'));
  });

  it('RESP3 replies in the log, long commands, and the redis command with many arguments', async () => {
    const script = `redis.setresp(3)
redis.call('hset', 'ldb:h', 'f', 'v')
local m = redis.call('hgetall', 'ldb:h')
redis.call('sadd', 'ldb:s', 'a')
local s = redis.call('smembers', 'ldb:s')
redis.call('del', 'ldb:h', 'ldb:s', 'a', 'b', 'c', 'd', 'e', 'f', 'g', 'h', 'i', 'j', 'k')
local d = redis.call('debug', 'protocol', 'double')
return 1`;
    const many = ['redis', ...Array.from({ length: 100 }, () => 'test')];
    await sameSession(script, ['0'], [...cmds('s', 's', 's', 's', 's', 's', 's'), many, ['r', 'ping'], ['r', 'debug', 'protocol', 'null'], ['c']]);
  });

  it('the protocol of debugger commands: NULs in names, and bad input ending the script', async () => {
    await sameSession('return 1', ['0'], [['hello\0world'], ['hello\0'], ['\0hello'], ['\0hello\0'], ['s\0x'], ['c']]);
  });

  it('a time limit reached while continuing stops the script', async () => {
    const script = `local i = 0
while true do i = i + 1 end`;
    const setup = [['config', 'set', 'busy-reply-threshold', '200']];
    const [a, b] = await Promise.all([transcript(redis.port, script, ['0'], cmds('c', 'a'), 'sync', setup), transcript(reddish.port, script, ['0'], cmds('c', 'a'), 'sync', setup)]);
    assert.deepStrictEqual(norm(b), norm(a));
    await both((c) => c.call('config', 'set', 'busy-reply-threshold', '5000'));
  });
});

describe("SCRIPT DEBUG SYNC over BullMQ's scripts", () => {
  it('stepping through each script (with trace and print) gives the same transcript', async () => {
    const require = createRequire(import.meta.url);
    let dir: string;
    try {
      dir = dirname(require.resolve('bullmq/dist/cjs/scripts/index.js'));
    } catch {
      return; // bullmq is not installed
    }
    const files = readdirSync(dir).filter((f) => /^[a-zA-Z]+-\d+\.js$/.test(f));
    assert.ok(files.length > 40);
    // Stream IDs carry the time.
    const stamp = (v: unknown): unknown => JSON.parse(JSON.stringify(norm(v)).replace(/\d{13}-\d+/g, 'ID'));
    for (const f of files) {
      const script = Object.values(require(join(dir, f)) as Record<string, { content?: string; keys?: number }>)[0];
      if (!script?.content) continue;
      const keys = script.keys ?? 0;
      const args = [String(keys), ...Array.from({ length: keys }, (_, i) => `bull:q:${i}`), 'bull:q:', '1', 'a', 'b', '0', '10'];
      const steps = Array.from({ length: 300 }, (_, i) => (i % 3 === 2 ? ['p'] : i % 3 === 1 ? ['t'] : ['s']));
      const a = await transcript(redis.port, script.content, args, steps, 'sync', [['flushall']]);
      const b = await transcript(reddish.port, script.content, args, steps, 'sync', [['flushall']]);
      assert.deepStrictEqual(stamp(b), stamp(a), f);
    }
  });
});

describe('SCRIPT DEBUG SYNC over the Lua corpus of test/scripting/lua', () => {
  it('stepping through each script (with trace and print) gives the same transcript', async () => {
    const { CORPUS } = await import('./lua/corpus.js');
    // Known differences (see the README): operators and index chains spread over lines, a long
    // string spanning lines, and xpcall's handler, which Lua runs before the failed frame unwinds.
    const known = (src: string) =>
      /xpcall/.test(src) || /(\+|-|\*|\/|\.\.|\band|\bor)\s*\n|\n\s*(and\b|or\b|\+|\.\.|\[|\.[a-z])|\[\[[^\]]*\n/.test(src);
    let compared = 0;
    for (const src of CORPUS) {
      if (/coroutine|getfenv|setfenv|string\.dump|while true|repeat\s+until false/.test(src) || known(src)) continue;
      const steps = Array.from({ length: 80 }, (_, i) => (i % 3 === 2 ? ['p'] : i % 3 === 1 ? ['t'] : ['s']));
      // The session only: what the EVAL answers is the engine's business (test/scripting/lua).
      const session = (t: unknown[]) => (t[t.length - 1] === 'closed' ? t.slice(0, -2) : t);
      const a = session(await transcript(redis.port, src, ['2', 'k1', 'k2', 'a1', '5'], [...steps, ['a']]));
      const b = session(await transcript(reddish.port, src, ['2', 'k1', 'k2', 'a1', '5'], [...steps, ['a']]));
      assert.deepStrictEqual(norm(b), norm(a), src);
      compared++;
    }
    assert.ok(compared > 350, `${compared} scripts compared`);
  });
});

describe('SCRIPT DEBUG: modes, refusals and session ends', () => {
  it('errors before the script runs still go through a session that ends at once', async () => {
    await sameSession('return 1', ['x'], []);
    await sameSession('return 1', ['5'], []);
    await sameSession('return +', ['0'], []);
    await sameSession('#!lua flags=no-writes\nreturn redis.call("set","x","y")', ['0'], cmds('s', 's'));
  });

  it('SCRIPT DEBUG replies, EVALSHA in debug mode, FCALL is not debugged, MULTI and scripts', async () => {
    const [a, b] = await both(async (c) => {
      const out: unknown[] = [];
      const call = async (...args: string[]) => out.push(plain(await c.call(...args)));
      await call('script', 'debug', 'maybe');
      await call('script', 'debug', 'no');
      await call('script', 'debug', 'yes');
      await call('script', 'debug', 'sync');
      await call('evalsha', 'a65a2d1696af864463277708cea0689d5c8ee115', '0');
      await call('evalsha', 'abc', '0');
      await call('evalsha_ro', 'a65a2d1696af864463277708cea0689d5c8ee115', '0');
      await call('function', 'load', 'replace', "#!lua name=ldblib\nredis.register_function('ldbf', function() return redis.call('ping') end)");
      await call('fcall', 'ldbf', '0');
      await call('script', 'debug', 'no');
      await call('eval', "return redis.call('script', 'debug', 'yes')", '0');
      await call('multi');
      await call('script', 'debug', 'yes');
      await call('exec');
      await call('eval', 'return 7', '0');
      out.push(plain(await c.call('function', 'delete', 'ldblib')));
      return out;
    });
    assert.deepStrictEqual(b, a);
  });

  it('a pipelined SCRIPT DEBUG is refused', async () => {
    const [a, b] = await both((c) => c.sendMany('PING\r\nSCRIPT DEBUG SYNC\r\nSCRIPT DEBUG NO\r\n', 3));
    assert.deepStrictEqual(b, a);
  });

  it('a client that leaves mid-session lets the script finish (SYNC keeps its writes)', async () => {
    const script = `redis.call('set', 'ldb:left', '1')
redis.call('incr', 'ldb:left')
redis.breakpoint()
redis.call('incr', 'ldb:left')
return 1`;
    for (const port of [redis.port, reddish.port]) {
      const c = await RespClient.connect(port);
      await c.call('del', 'ldb:left');
      await c.call('script', 'debug', 'sync');
      await c.call('eval', script, '0');
      c.close();
      const d = await RespClient.connect(port);
      assert.deepStrictEqual(plain(await d.call('get', 'ldb:left')), '3');
      d.close();
    }
  });

  it('the server logs the session start and end', async () => {
    await reddish.waitForLog(/Redis synchronous debugging eval session started/);
    await reddish.waitForLog(/Redis synchronous debugging eval session ended/);
  });

  it('scripts on the fallback Lua VM are refused clearly and leave debug mode (reddish only)', async () => {
    const c = await RespClient.connect(reddish.port);
    try {
      assert.deepStrictEqual(plain(await c.call('script', 'debug', 'sync')), 'OK');
      const r = plain(await c.call('eval', 'local co = coroutine.create(function() end) return 1', '0')) as { error: string };
      assert.match(r.error, /^ERR This script cannot be debugged: it runs on the fallback Lua VM/);
      assert.deepStrictEqual(plain(await c.call('eval', 'return 2', '0')), 2);
    } finally {
      c.close();
    }
  });

  it('DEBUG SET-DISABLE-DENY-SCRIPTS lets scripts run noscript commands', async () => {
    const [a, b] = await both(async (c) => {
      const out: unknown[] = [];
      out.push(plain(await c.call('eval', "return redis.call('script', 'exists', 'x')", '0')));
      out.push(plain(await c.call('debug', 'set-disable-deny-scripts', '1')));
      out.push(plain(await c.call('eval', "return redis.call('script', 'exists', 'x')", '0')));
      out.push(plain(await c.call('debug', 'set-disable-deny-scripts', '0')));
      out.push(plain(await c.call('eval', "return redis.call('script', 'exists', 'x')", '0')));
      out.push(plain(await c.call('debug', 'set-disable-deny-scripts')));
      return out;
    });
    assert.deepStrictEqual(b, a);
  });
});

describe('SCRIPT DEBUG YES: the dataset is rolled back', () => {
  const script = `redis.call('set', 'ldb:y:new', 'v')
redis.call('del', 'ldb:y:str')
redis.call('rpush', 'ldb:y:list', 'c', 'd')
redis.call('hset', 'ldb:y:hash', 'f2', 'x', 'f1', 'changed')
redis.call('zadd', 'ldb:y:zset', 5, 'm')
redis.call('expire', 'ldb:y:ttl', 1000)
redis.call('persist', 'ldb:y:vol')
redis.call('xadd', 'ldb:y:stream', '*', 'f', 'v')
redis.call('sadd', 'ldb:y:set', 'z')
redis.call('select', 1)
redis.call('set', 'ldb:y:db1', 'x')
redis.call('select', 0)
redis.call('swapdb', 0, 1)
redis.call('flushall')
redis.call('set', 'ldb:y:after', 'flush')
return 'done'`;
  const setup = [
    ['flushall'],
    ['set', 'ldb:y:str', 'old'],
    ['rpush', 'ldb:y:list', 'a', 'b'],
    ['hset', 'ldb:y:hash', 'f1', 'v1'],
    ['zadd', 'ldb:y:zset', '1', 'm'],
    ['set', 'ldb:y:ttl', '1'],
    ['set', 'ldb:y:vol', '1', 'EX', '5000'],
    ['xadd', 'ldb:y:stream', '1-1', 'a', 'b'],
    ['sadd', 'ldb:y:set', 'a'],
  ];

  it('writes, deletes, in-place changes, SWAPDB and FLUSHALL are undone (digest before == after)', async () => {
    for (const s of [redis, reddish]) {
      const c = await RespClient.connect(s.port);
      for (const cmd of setup) await c.call(...cmd);
      const before = plain(await c.call('debug', 'digest'));
      const keysBefore = plain(await c.call('dbsize'));
      c.close();
      const t = await transcript(s.port, script, ['0'], cmds('c'), 'yes', [['debug', 'set-disable-deny-scripts', '1']]);
      assert.deepStrictEqual(t.slice(-2), ['done', 'closed'], `${s.kind}: ${JSON.stringify(t)}`);
      const d = await RespClient.connect(s.port);
      assert.deepStrictEqual(plain(await d.call('debug', 'digest')), before, s.kind);
      assert.deepStrictEqual(plain(await d.call('dbsize')), keysBefore, s.kind);
      assert.deepStrictEqual(plain(await d.call('ttl', 'ldb:y:ttl')), -1);
      assert.deepStrictEqual(plain(await d.call('select', '1')), 'OK');
      assert.deepStrictEqual(plain(await d.call('dbsize')), 0);
      // A YES session's script is cached only by Redis's forked child.
      assert.deepStrictEqual(plain(await d.call('script', 'exists', sha1(script))), [0], s.kind);
      await d.call('debug', 'set-disable-deny-scripts', '0');
      d.close();
    }
  });

  it('the transcript of a YES session matches, and abort rolls back too', async () => {
    const small = `redis.call('set', 'ldb:y2', 'x')
return redis.call('get', 'ldb:y2')`;
    await sameSession(small, ['0'], cmds('s', 's', 'p'), 'yes');
    await sameSession(small, ['0'], cmds('s', 's', 'a'), 'yes');
    const [a, b] = await both((c) => c.call('exists', 'ldb:y2'));
    assert.deepStrictEqual(plain(b), plain(a));
    assert.deepStrictEqual(plain(b), 0);
  });

  it('a client blocked on a key the session pushed to stays blocked (the push never happened)', async () => {
    const results = [];
    for (const s of [redis, reddish]) {
      const blocked = await RespClient.connect(s.port);
      const c = await RespClient.connect(s.port);
      await c.call('del', 'ldb:y:q');
      const popped = blocked.call('blpop', 'ldb:y:q', '0');
      await new Promise((res) => setTimeout(res, 100));
      const t = await transcript(s.port, "redis.call('rpush', 'ldb:y:q', 'from-session') return 1", ['0'], cmds('c'), 'yes');
      await c.call('rpush', 'ldb:y:q', 'after');
      results.push([t.slice(-2), plain(await popped), plain(await c.call('llen', 'ldb:y:q'))]);
      blocked.close();
      c.close();
    }
    assert.deepStrictEqual(results[1], results[0]);
    assert.deepStrictEqual(results[1][1], ['ldb:y:q', 'after']);
  });

  it('nothing reaches a replica', async () => {
    const replica = await startServer('reddish', ['--replicaof', '127.0.0.1', String(reddish.port)]);
    try {
      const c = await RespClient.connect(reddish.port);
      await c.call('set', 'ldb:repl', 'before');
      const r = await RespClient.connect(replica.port);
      for (let i = 0; i < 100; i++) {
        const v = plain(await r.call('get', 'ldb:repl'));
        if (v === 'before') break;
        await new Promise((res) => setTimeout(res, 100));
      }
      const offset = (s: unknown) => Number(/master_repl_offset:(\d+)/.exec(String(s))![1]);
      const off1 = offset(plain(await c.call('info', 'replication')));
      c.close();
      await transcript(reddish.port, "redis.call('set', 'ldb:repl', 'during') redis.call('set', 'ldb:repl2', 'x') return 1", ['0'], cmds('c'), 'yes');
      const c2 = await RespClient.connect(reddish.port);
      const off2 = offset(plain(await c2.call('info', 'replication')));
      // Only the replication PINGs (14 bytes each, every 10 s) may have gone out meanwhile.
      assert.ok((off2 - off1) % 14 === 0, `offset moved by ${off2 - off1}`);
      await c2.call('set', 'ldb:repl3', 'after');
      for (let i = 0; i < 100; i++) {
        if (plain(await r.call('get', 'ldb:repl3')) === 'after') break;
        await new Promise((res) => setTimeout(res, 100));
      }
      assert.deepStrictEqual(plain(await r.call('get', 'ldb:repl')), 'before');
      assert.deepStrictEqual(plain(await r.call('exists', 'ldb:repl2')), 0);
      assert.deepStrictEqual(plain(await c2.call('debug', 'digest')), plain(await r.call('debug', 'digest')));
      c2.close();
      r.close();
    } finally {
      await replica.stop();
    }
  });
});

function sha1(s: string): string {
  return createHash('sha1').update(Buffer.from(s, 'latin1')).digest('hex');
}

describe('redis-cli --ldb-sync-mode and --ldb (commands piped on stdin)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'ldb-cli-'));
  const file = join(dir, 'script.lua');
  writeFileSync(file, BASIC);

  function cli(port: number, args: string[], input: string): Promise<string> {
    return new Promise((resolve, reject) => {
      const p = spawn('redis-cli', ['-p', String(port), ...args], { stdio: ['pipe', 'pipe', 'pipe'] });
      let out = '';
      p.stdout.on('data', (d) => (out += d));
      p.stderr.on('data', (d) => (out += d));
      const t = setTimeout(() => {
        p.kill('SIGKILL');
        reject(new Error('redis-cli did not finish: ' + out));
      }, 20000);
      p.on('exit', () => {
        clearTimeout(t);
        resolve(out.replace(/function@0x[0-9a-f]+/g, 'function@ADDR'));
      });
      p.stdin.end(input);
    });
  }

  it('redis-cli is available', () => {
    assert.equal(spawnSync('redis-cli', ['--version']).status, 0);
  });

  for (const [name, flag] of [
    ['--ldb-sync-mode', '--ldb-sync-mode'],
    ['--ldb (YES)', '--ldb'],
  ]) {
    it(`${name}: the same console output`, async () => {
      const input = 'step\nstep\nstep\nprint\nlist\nbreak 6\ncontinue\ntrace\nprint x\neval 1+1\nredis get ldb:cli\nhelp\nrestart\nstep\ncontinue\n';
      for (const s of [redis, reddish]) {
        const c = await RespClient.connect(s.port);
        await c.call('del', 'ldb:cli');
        c.close();
      }
      const a = await cli(redis.port, [flag, '--eval', file, 'ldb:cli', ',', 'bar'], input);
      const b = await cli(reddish.port, [flag, '--eval', file, 'ldb:cli', ',', 'bar'], input);
      assert.equal(b, a);
      assert.match(a, flag === '--ldb' ? /dataset changes rolled back/ : /Lua debugging session ended\)/);
      const [x, y] = await both((c) => c.call('get', 'ldb:cli'));
      assert.deepStrictEqual(plain(y), plain(x));
      assert.deepStrictEqual(plain(y), flag === '--ldb' ? null : 'bar');
    });
  }
});
