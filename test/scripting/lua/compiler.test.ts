/**
 * The compiler against Redis's Lua over generated programs: random expressions (coercions,
 * metamethod-free operators, error texts with the names Lua gives operands) and random statement
 * sequences (assignments, loops, closures, varargs, multiple results).
 */
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import type { LuaWasmEngine } from 'lua-redis-wasm';
import { LuaEngine } from '../../../src/scripting/lua/engine.js';
import { createOracle, oracleSyntaxCheck, runOracle, runOurs } from './core-oracle.js';
import { prng } from '../../helpers/prng.js';

let oracle: LuaWasmEngine;
let engine: LuaEngine;

before(async () => {
  oracle = await createOracle();
  engine = new LuaEngine({ syntaxCheck: oracleSyntaxCheck(oracle) });
});

const PRELUDE = `local a, b, c, d, e, s = 3, "7", nil, "x", 2.5, " 0x10 "
local t = {1, 2, x = 3, y = "4", z = {w = 5}}
local u = true
local function f(...) return ... end
local function g() return 1, "2", nil end
local function show(v) local ty = type(v) if ty == 'table' or ty == 'function' then return ty end return tostring(v) end
`;

const LEAVES = ['a', 'b', 'c', 'd', 'e', 's', 't', 'u', 't.x', 't.y', 't.q', 't.z.w', 't[1]', 't[2]', 't[3]', 't.z', 'f', '0', '1', '-1', '2', '0.5', '1e300', '-0', '"10"', '"abc"', '""', '"0x1F"', '" 3 "', '"1e1"', 'nil', 'true', 'false', '(g())', 'g()', 'f(a, b)', '#t', '#b', '#d', 'KEYS[1]', 'ARGV[2]', 'KEYS[9]'];
const BINOPS = ['+', '-', '*', '/', '%', '^', '..', '==', '~=', '<', '<=', '>', '>=', 'and', 'or'];
const UNOPS = ['-', 'not ', '#'];

function genExpr(rnd: () => number, depth: number): string {
  const r = rnd();
  if (depth <= 0 || r < 0.3) return LEAVES[Math.floor(rnd() * LEAVES.length)];
  if (r < 0.45) return `${UNOPS[Math.floor(rnd() * UNOPS.length)]}${genExpr(rnd, depth - 1)}`;
  if (r < 0.55) return `(${genExpr(rnd, depth - 1)})`;
  if (r < 0.6) return `f(${genExpr(rnd, depth - 1)}, ${genExpr(rnd, depth - 1)})`;
  if (r < 0.63) return `{${genExpr(rnd, depth - 1)}, ${genExpr(rnd, depth - 1)}}`;
  const op = BINOPS[Math.floor(rnd() * BINOPS.length)];
  const nl = rnd() < 0.1 ? '\n' : ' ';
  return `${genExpr(rnd, depth - 1)} ${op}${nl}${genExpr(rnd, depth - 1)}`;
}

function compare(src: string, failures: string[]): void {
  const expected = runOracle(oracle, src, ['k1', 'k2'], ['a1', '5']);
  const actual = runOurs(engine, src, ['k1', 'k2'], ['a1', '5']);
  try {
    assert.deepStrictEqual(actual, expected);
  } catch {
    if (failures.length < 15) failures.push(`${JSON.stringify(src)}\n   ours:   ${JSON.stringify(actual)}\n   oracle: ${JSON.stringify(expected)}`);
    else failures.push('');
  }
}

test('random expressions: values and error texts as Redis Lua', () => {
  const rnd = prng(12345);
  const failures: string[] = [];
  const N = 3000;
  for (let i = 0; i < N; i++) {
    const expr = genExpr(rnd, 4);
    compare(`${PRELUDE}return {pcall(function() return show(${expr}) end)}`, failures);
  }
  assert.equal(failures.length, 0, `${failures.length}/${N} differ:\n${failures.filter(Boolean).join('\n')}`);
});

test('random expressions as conditions', () => {
  const rnd = prng(777);
  const failures: string[] = [];
  const N = 1000;
  for (let i = 0; i < N; i++) {
    const expr = genExpr(rnd, 3);
    compare(`${PRELUDE}return {pcall(function() if ${expr} then return 'yes' else return 'no' end end)}`, failures);
    const expr2 = genExpr(rnd, 3);
    compare(`${PRELUDE}return {pcall(function() local n = 0 while ${expr2} do n = n + 1 if n > 3 then break end end return n end)}`, failures);
  }
  assert.equal(failures.length, 0, `${failures.length}/${2 * N} differ:\n${failures.filter(Boolean).join('\n')}`);
});

/** Random statement sequences over a few locals; the final state is returned. */
function genBlock(rnd: () => number, depth: number, vars: string[]): string {
  const out: string[] = [];
  const n = 1 + Math.floor(rnd() * 4);
  const pick = () => vars[Math.floor(rnd() * vars.length)];
  const val = () => {
    const r = rnd();
    if (r < 0.3) return String(Math.floor(rnd() * 10) - 3);
    if (r < 0.45) return `${pick()} + ${Math.floor(rnd() * 5)}`;
    if (r < 0.55) return 'h()';
    if (r < 0.65) return '...';
    if (r < 0.75) return `(${pick()} or 0) * 2`;
    if (r < 0.85) return `${pick()} .. ""`;
    return pick();
  };
  for (let i = 0; i < n; i++) {
    const r = rnd();
    if (r < 0.25) out.push(`${pick()}, ${pick()} = ${val()}, ${val()}`);
    else if (r < 0.35) out.push(`local ${pick()} = ${val()}`);
    else if (r < 0.45 && depth > 0) out.push(`for i = ${Math.floor(rnd() * 3)}, ${Math.floor(rnd() * 4)} do ${genBlock(rnd, depth - 1, [...vars, 'i'])} end`);
    else if (r < 0.55 && depth > 0) out.push(`if ${pick()} then ${genBlock(rnd, depth - 1, vars)} else ${genBlock(rnd, depth - 1, vars)} end`);
    else if (r < 0.65 && depth > 0) out.push(`do local ${pick()} = ${val()} ${genBlock(rnd, depth - 1, vars)} end`);
    else if (r < 0.72) out.push(`fs[#fs + 1] = function() return ${pick()} end`);
    else if (r < 0.8) out.push(`log[#log + 1] = tostring(${pick()})`);
    else if (r < 0.86 && depth > 0) out.push(`for k, v in ipairs({${val()}, ${val()}}) do log[#log + 1] = k .. ':' .. tostring(v) end`);
    else if (r < 0.9) out.push(`log[#log + 1] = select('#', ${val()}, ${val()})`);
    else out.push(`${pick()} = (${pick()} or 1) - 1`);
  }
  return out.join('\n');
}

test('random statement sequences: state, closures and varargs as Redis Lua', () => {
  const rnd = prng(4242);
  const failures: string[] = [];
  const N = 1500;
  for (let i = 0; i < N; i++) {
    const body = genBlock(rnd, 3, ['x', 'y', 'z']);
    const src = `local function h() return 7, 8, 9 end
local log, fs = {}, {}
local function run(...)
local x, y, z = 1, 2, 3
${body}
for _, fn in ipairs(fs) do log[#log + 1] = tostring(fn()) end
log[#log + 1] = tostring(x) .. ',' .. tostring(y) .. ',' .. tostring(z)
end
local ok, err = pcall(run, 'v1', 'v2')
if not ok then log[#log + 1] = err end
return log`;
    compare(src, failures);
  }
  assert.equal(failures.length, 0, `${failures.length}/${N} differ:\n${failures.filter(Boolean).join('\n')}`);
});
