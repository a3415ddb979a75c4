import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import type { LuaWasmEngine } from 'lua-redis-wasm';
import { LuaEngine, ScriptAbort } from '../../../src/scripting/lua/engine.js';
import { LibError, LuaError } from '../../../src/scripting/lua/types.js';
import { createOracle, oracleSyntaxCheck, runOracle, runOurs } from './core-oracle.js';
import { CORPUS } from './corpus.js';

let oracle: LuaWasmEngine;
let engine: LuaEngine;

before(async () => {
  oracle = await createOracle();
  engine = new LuaEngine({ syntaxCheck: oracleSyntaxCheck(oracle) });
});

test('fixed corpus: same replies and error texts as Redis Lua', () => {
  const failures: string[] = [];
  const fallbacks: string[] = [];
  for (const src of CORPUS) {
    const expected = runOracle(oracle, src, ['k1', 'k2'], ['a1', 'a2']);
    const actual = runOurs(engine, src, ['k1', 'k2'], ['a1', 'a2']);
    if (actual !== null && typeof actual === 'object' && 'fallback' in actual) {
      fallbacks.push(src);
      continue;
    }
    try {
      assert.deepStrictEqual(actual, expected);
    } catch {
      failures.push(`${JSON.stringify(src)}\n   ours:   ${JSON.stringify(actual)}\n   oracle: ${JSON.stringify(expected)}`);
    }
  }
  assert.equal(failures.length, 0, `${failures.length}/${CORPUS.length} differ:\n${failures.join('\n')}`);
  // Only scripts naming string.dump run elsewhere (the wasm fallback).
  assert.deepEqual(fallbacks, ['return string.dump == nil']);
});

test('the hook runs in loops and its ScriptAbort passes through pcall', () => {
  const c = engine.compile('local n = 0 while true do pcall(function() n = n + 1 end) end');
  assert.ok(c.ok);
  let ticks = 0;
  engine.setHook(() => {
    if (++ticks === 5) throw new ScriptAbort('killed');
  });
  try {
    assert.throws(() => engine.run(c.chunk, [], []), ScriptAbort);
  } finally {
    engine.setHook(undefined);
  }
  assert.equal(ticks, 5);
});

test('deep recursion is a Lua error, not a crash', () => {
  const c = engine.compile('local function f(n) return f(n + 1) + 1 end return f(1)');
  assert.ok(c.ok);
  assert.throws(() => engine.run(c.chunk, [], []), (e: unknown) => e instanceof LuaError && /stack overflow/.test(String(e.value)));
});

test('syntax errors are Lua\'s own texts', () => {
  const c = engine.compile('return +');
  assert.deepEqual(c, { ok: false, error: "user_script:1: unexpected symbol near '+'" });
});

test("BullMQ's scripts all compile (none needs the fallback)", async () => {
  const { readdirSync } = await import('node:fs');
  const { createRequire } = await import('node:module');
  const require = createRequire(import.meta.url);
  const dir = require.resolve('bullmq/package.json').replace(/package\.json$/, 'dist/esm/scripts/');
  const files = readdirSync(dir).filter((f) => f.endsWith('.js') && f !== 'index.js');
  assert.ok(files.length > 40);
  const refused: string[] = [];
  for (const f of files) {
    const mod = (await import(dir + f)) as Record<string, { content?: string }>;
    const script = Object.values(mod).find((v) => v && typeof v.content === 'string');
    assert.ok(script, f);
    const r = engine.compile(script.content!);
    if (!r.ok) refused.push(`${f}: ${JSON.stringify(r)}`);
  }
  assert.deepEqual(refused, []);
});

test('Lua 5.1 limits and ambiguities go to the fallback when no syntax check is given', () => {
  const bare = new LuaEngine();
  const locals = Array.from({ length: 201 }, (_, i) => `local v${i} = ${i}`).join('\n');
  assert.deepEqual(bare.compile(locals), { ok: false, fallback: true, why: 'more than 200 local variables' });
  const amb = bare.compile('local f = 1\nlocal g = f\n(f)(1)');
  assert.ok(!amb.ok && 'fallback' in amb && /ambiguous syntax/.test(amb.why));
  const r = bare.compile('return +');
  assert.ok(!r.ok && 'fallback' in r);
  const ups = Array.from({ length: 61 }, (_, i) => `local u${i} = ${i}`).join('\n') + '\nreturn function() return ' + Array.from({ length: 61 }, (_, i) => `u${i}`).join(' + ') + ' end';
  // 61 locals in the main function are fine; 61 upvalues in the inner one are not.
  assert.deepEqual(bare.compile(ups), { ok: false, fallback: true, why: 'more than 60 upvalues' });
});

test("pairs() order over the globals and the libraries is Redis Lua's", async () => {
  const { LuaTable } = await import('../../../src/scripting/lua/table.js');
  const withRedis = new LuaEngine({ globals: [['redis', new LuaTable()]] });
  const keysOf = (expr: string) => {
    const src = `local t = {} for k in pairs(${expr}) do t[#t + 1] = k end return table.concat(t, ' ')`;
    const c = withRedis.compile(src);
    assert.ok(c.ok);
    return { ours: withRedis.run(c.chunk, [], [])[0], oracle: runOracle(oracle, src) };
  };
  for (const lib of ['string', 'math', 'table', 'bit', 'struct', 'cmsgpack']) {
    const { ours, oracle: expected } = keysOf(lib);
    assert.equal(ours, expected, lib);
  }
  // The globals: the oracle has no __redis__err__handler (Redis has it, third).
  const { ours, oracle: expected } = keysOf('_G');
  const want = (expected as string).split(' ');
  want.splice(2, 0, '__redis__err__handler');
  assert.equal(ours, want.join(' '));
});

test("BullMQ's scripts give the same replies as Redis Lua with a scripted redis.call", async () => {
  const { readdirSync } = await import('node:fs');
  const { createRequire } = await import('node:module');
  const { LuaWasmEngine } = await import('lua-redis-wasm');
  const { LuaTable } = await import('../../../src/scripting/lua/table.js');
  const { toShape, fromOracleReply } = await import('./core-oracle.js');
  // The same deterministic replies on both sides: by command name.
  const reply = (cmd: string): number | string | null | 'HMGET' => {
    switch (cmd.toUpperCase()) {
      case 'EXISTS':
      case 'HSETNX':
      case 'INCR':
      case 'SET':
      case 'ZADD':
      case 'LPUSH':
      case 'RPUSH':
        return 1;
      case 'GET':
      case 'HGET':
        return 'v';
      case 'LLEN':
      case 'ZCARD':
      case 'SCARD':
        return 3;
      case 'HMGET':
        return 'HMGET';
      default:
        return null;
    }
  };
  const redis = new LuaTable();
  const call = (...args: unknown[]) => {
    // redis.call's own argument check (lib-redis's job): only that both sides refuse is compared.
    if (args.some((a) => typeof a !== 'string' && typeof a !== 'number')) throw new LibError('command-arg-type');
    const r = reply(String(args[0]));
    if (r === 'HMGET') {
      const t = new LuaTable();
      for (let i = 1; i <= args.length - 2; i++) t.setInt(i, false);
      return [t];
    }
    return [r === null ? false : r];
  };
  redis.setStr('call', call);
  redis.setStr('pcall', call);
  const ours = new LuaEngine({ globals: [['redis', redis]] });
  const hostCall = (args: Buffer[]) => {
    const r = reply(args[0].toString());
    if (r === 'HMGET') return args.slice(2).map(() => null);
    return typeof r === 'string' ? Buffer.from(r) : r;
  };
  const wasm = await LuaWasmEngine.create({
    profile: 'redis-7.0',
    limits: { maxFuel: 0xffffffff },
    host: { redisCall: hostCall, redisPcall: hostCall, log() {} },
  } as unknown as Parameters<typeof LuaWasmEngine.create>[0]);
  const require = createRequire(import.meta.url);
  const dir = require.resolve('bullmq/package.json').replace(/package\.json$/, 'dist/esm/scripts/');
  const keys = Array.from({ length: 16 }, (_, i) => `bull:q:${i}`);
  const argSets = [
    ['1', '1700000000000', 'token', '30000', 'bull:q:', 'x', 'y', 'z', '0', '', '', ''],
    ['bull:q:', '', '', '5', '10', 'completed', 'true', '1', '0', '', '', ''],
  ];
  const failures: string[] = [];
  let runs = 0;
  for (const f of readdirSync(dir).filter((x) => x.endsWith('.js') && x !== 'index.js')) {
    const mod = (await import(dir + f)) as Record<string, { content?: string }>;
    const src = Object.values(mod).find((v) => v && typeof v.content === 'string')!.content!;
    const c = ours.compile(src);
    assert.ok(c.ok, f);
    for (const argv of argSets) {
      runs++;
      let actual: unknown;
      try {
        const r = ours.run(c.chunk, keys, argv);
        actual = toShape(r[r.length - 1]);
      } catch (e) {
        actual = { err: String((e as LuaError).value) };
      }
      let expected: unknown;
      try {
        expected = fromOracleReply(wasm.evalWithArgs(src, keys.map((k) => Buffer.from(k)), argv.map((a) => Buffer.from(a))));
      } catch (e) {
        expected = { err: `THROW ${(e as Error).message}` };
      }
      if ((expected as { err?: string } | null)?.err === 'command-arg-type') {
        expected = { err: 'command-arg-type' };
        const text = (actual as { err?: string } | null)?.err ?? '';
        if (text.endsWith('command-arg-type')) actual = expected;
      }
      try {
        assert.deepStrictEqual(actual, expected);
      } catch {
        failures.push(`${f} ${JSON.stringify(argv.slice(0, 3))}\n   ours:   ${JSON.stringify(actual)}\n   oracle: ${JSON.stringify(expected)}`);
      }
    }
  }
  assert.ok(runs > 80);
  assert.equal(failures.length, 0, failures.join('\n'));
});
