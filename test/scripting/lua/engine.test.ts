import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import type { LuaWasmEngine } from 'lua-redis-wasm';
import { LuaEngine, ScriptAbort } from '../../../src/scripting/lua/engine.js';
import { LuaError } from '../../../src/scripting/lua/types.js';
import { createOracle, oracleSyntaxCheck, runOracle, runOurs } from './oracle.js';
import { CORPUS } from './corpus.js';

let oracle: LuaWasmEngine;
let engine: LuaEngine;

before(async () => {
  oracle = await createOracle();
  engine = new LuaEngine({ syntaxCheck: oracleSyntaxCheck(oracle) });
});

test('fixed corpus: same replies and error texts as Redis Lua', () => {
  const failures: string[] = [];
  for (const src of CORPUS) {
    const expected = runOracle(oracle, src, ['k1', 'k2'], ['a1', 'a2']);
    const actual = runOurs(engine, src, ['k1', 'k2'], ['a1', 'a2']);
    try {
      assert.deepStrictEqual(actual, expected);
    } catch {
      failures.push(`${JSON.stringify(src)}\n   ours:   ${JSON.stringify(actual)}\n   oracle: ${JSON.stringify(expected)}`);
    }
  }
  assert.equal(failures.length, 0, `${failures.length}/${CORPUS.length} differ:\n${failures.join('\n')}`);
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
