import { test } from 'node:test';
import assert from 'node:assert/strict';
import { LuaEngine, chunkId, ScriptAbort } from '../../../src/scripting/lua/engine.js';
import { R, argErrorMessage, errorValue, luaError, LevelError } from '../../../src/scripting/lua/runtime.js';
import { LuaTable } from '../../../src/scripting/lua/table.js';
import { ArgError, LibError, LuaError } from '../../../src/scripting/lua/types.js';

test('chunk ids as luaO_chunkid writes them', () => {
  assert.equal(chunkId('@user_script'), 'user_script');
  assert.equal(chunkId('=stdin'), 'stdin');
  assert.equal(chunkId('return 1'), '[string "return 1"]');
  assert.equal(chunkId('x = 1\ny = 2'), '[string "x = 1..."]');
  assert.equal(chunkId('a'.repeat(80)), `[string "${'a'.repeat(43)}..."]`);
});

test('constructor sizes round through luaO_int2fb', () => {
  assert.deepEqual(R.constructorSizes(3, 17), [3, 18]);
  assert.deepEqual(R.constructorSizes(100, 0), [104, 0]);
});

test("bad-argument texts follow the call site's name and kind", () => {
  const e = new ArgError(2, 'number expected, got nil');
  assert.equal(argErrorMessage(e, { chunk: 'user_script', line: 1, name: 'rep', method: false }), "bad argument #2 to 'rep' (number expected, got nil)");
  assert.equal(argErrorMessage(e, { chunk: 'user_script', line: 1, name: 'rep', method: true }), "bad argument #1 to 'rep' (number expected, got nil)");
  assert.equal(argErrorMessage(new ArgError(1, 'x'), { chunk: 'user_script', line: 1, name: 'rep', method: true }), "calling 'rep' on bad self (x)");
  assert.equal(argErrorMessage(e, undefined), "bad argument #2 to '?' (number expected, got nil)");
});

test('frame errors: positions added once, levels counted per frame', () => {
  const pos = { chunk: 'user_script', line: 7, name: undefined, method: false };
  const a = R.frameError(new LibError('boom'), pos) as LuaError;
  assert.ok(a instanceof LuaError);
  assert.equal(a.value, 'user_script:7: boom');
  assert.equal(R.frameError(a, { ...pos, line: 9 }), a);
  const lv = new LevelError('up', 2);
  assert.equal(R.frameError(lv, pos), lv);
  const b = R.frameError(lv, { ...pos, line: 3 }) as LuaError;
  assert.equal(b.value, 'user_script:3: up');
  assert.equal((b as LuaError & { position?: { line: number } }).position?.line, 7);
  assert.equal(errorValue(new LevelError(5, 1)), 5);
  assert.equal(luaError('x').message, 'x');
  assert.ok(luaError('x') instanceof LuaError);
});

test('run: KEYS/ARGV per run, globals read-only, errors as LuaError values', () => {
  const e = new LuaEngine();
  const c = e.compile('return {KEYS[1], ARGV[2], #KEYS}');
  assert.ok(c.ok);
  const [t] = e.run(c.chunk, ['a'], ['x', 'y']) as [LuaTable];
  assert.deepEqual([t.getInt(1), t.getInt(2), t.getInt(3)], ['a', 'y', 1]);
  const [u] = e.run(c.chunk, [], []) as [LuaTable];
  assert.deepEqual([u.getInt(1), u.getInt(2), u.getInt(3)], [undefined, undefined, 0]);
  assert.ok(e.globals.readonly);
  const bad = e.compile("error({code = 1})");
  assert.ok(bad.ok);
  assert.throws(
    () => e.run(bad.chunk, [], []),
    (x: unknown) => x instanceof LuaError && x.value instanceof LuaTable && x.value.getStr('code') === 1,
  );
});

test('call(f, args) runs a Lua function with the hook installed', () => {
  const e = new LuaEngine();
  const c = e.compile('return function(a, b) while true do end end');
  assert.ok(c.ok);
  const [f] = e.run(c.chunk, [], []);
  let n = 0;
  e.setHook(() => {
    if (++n > 2) throw new ScriptAbort('timeout');
  });
  assert.throws(() => e.call(f as (...a: unknown[]) => unknown[] as never, [1, 2]), ScriptAbort);
});

test('compile with another environment: globals come from it', () => {
  const e = new LuaEngine();
  const env = new LuaTable();
  env.setStr('x', 42);
  const c = e.compile('return x, KEYS', '@user_function', env);
  assert.ok(c.ok);
  assert.deepEqual(e.call(c.chunk, []), [42, undefined]);
  const d = e.compile('y = 1 return y', '@user_function', env);
  assert.ok(d.ok);
  assert.deepEqual(e.call(d.chunk, []), [1]);
  assert.equal(env.getStr('y'), 1);
});
