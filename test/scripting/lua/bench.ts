/**
 * Dev-loop micro-benchmark (not a test): µs per run of small scripts and of BullMQ's scripts on
 * the compiled engine, next to the wasm Lua (lua-redis-wasm) running the same text, both with a
 * trivial redis.call. Run: node dist/test/scripting/lua/bench.js [script.js ...]
 */
import { readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { LuaWasmEngine } from 'lua-redis-wasm';
import { LuaEngine } from '../../../src/scripting/lua/engine.js';
import { LuaTable } from '../../../src/scripting/lua/table.js';
import type { LuaValue } from '../../../src/scripting/lua/types.js';

function fakeReply(cmd: string): LuaValue {
  switch (cmd.toUpperCase()) {
    case 'EXISTS':
    case 'HSETNX':
    case 'INCR':
    case 'XADD':
    case 'LPUSH':
    case 'RPUSH':
    case 'HMSET':
    case 'SET':
      return 1;
    case 'GET':
    case 'HGET':
      return 'v';
    case 'LLEN':
    case 'ZCARD':
    case 'SCARD':
      return 3;
    default:
      return false;
  }
}

const redis = new LuaTable();
const hmget = (n: number): LuaTable => {
  const t = new LuaTable();
  for (let i = 1; i <= n; i++) t.setInt(i, false);
  return t;
};
redis.setStr('call', (...args: LuaValue[]) => [String(args[0]).toUpperCase() === 'HMGET' ? hmget(args.length - 2) : fakeReply(String(args[0]))]);
redis.setStr('pcall', (...args: LuaValue[]) => [fakeReply(String(args[0]))]);
redis.readonly = true;
const engine = new LuaEngine({ globals: [['redis', redis]] });

const wasm = await LuaWasmEngine.create({
  profile: 'redis-7.0',
  limits: { maxFuel: 0xffffffff },
  host: {
    redisCall: (args: Buffer[]) => {
      if (args[0].toString().toUpperCase() === 'HMGET') return args.slice(2).map(() => null);
      const r = fakeReply(args[0].toString());
      return typeof r === 'number' ? r : typeof r === 'string' ? Buffer.from(r) : null;
    },
    redisPcall: (args: Buffer[]) => {
      const r = fakeReply(args[0].toString());
      return typeof r === 'number' ? r : typeof r === 'string' ? Buffer.from(r) : null;
    },
    log() {},
  },
} as unknown as Parameters<typeof LuaWasmEngine.create>[0]);

function best(f: () => void, n: number): number {
  for (let i = 0; i < n / 10; i++) f();
  let min = Infinity;
  for (let rep = 0; rep < 5; rep++) {
    const t0 = process.hrtime.bigint();
    for (let i = 0; i < n; i++) f();
    min = Math.min(min, Number(process.hrtime.bigint() - t0) / 1000 / n);
  }
  return min;
}

function bench(name: string, src: string, keys: string[], argv: string[], n: number): void {
  const c = engine.compile(src);
  if (!c.ok) {
    console.log(name, 'not compiled', JSON.stringify(c));
    return;
  }
  let outcome = 'ok';
  try {
    engine.run(c.chunk, keys, argv);
  } catch (e) {
    outcome = `error: ${String((e as { value?: unknown }).value).slice(0, 60)}`;
  }
  const ours = best(() => {
    try {
      engine.run(c.chunk, keys, argv);
    } catch {
      /* measured either way */
    }
  }, n);
  const kb = keys.map((k) => Buffer.from(k));
  const ab = argv.map((a) => Buffer.from(a));
  const theirs = best(() => {
    wasm.evalWithArgs(src, kb, ab);
  }, Math.max(200, n / 20));
  console.log(`${name.padEnd(34)} compiled ${ours.toFixed(2).padStart(8)} µs   wasm ${theirs.toFixed(2).padStart(8)} µs   (${outcome})`);
}

bench("redis.call('GET', KEYS[1])", "return redis.call('GET', KEYS[1])", ['k'], [], 200000);
bench('return 1', 'return 1', [], [], 200000);
bench('loop: 100 additions', 'local s = 0 for i = 1, 100 do s = s + i * 2 end return s', [], [], 100000);
bench('table: 100 sets + ipairs', 'local t = {} for i = 1, 100 do t[i] = i end local s = 0 for _, v in ipairs(t) do s = s + v end return s', [], [], 50000);
bench('string: 20 concatenations', "local s = '' for i = 1, 20 do s = s .. i end return s", [], [], 100000);

// addStandardJob with the arguments BullMQ sends (msgpack arrays/maps packed by cmsgpack here).
{
  const pack = (engine.globals.getStr('cmsgpack') as LuaTable).getStr('pack') as (...a: LuaValue[]) => LuaValue[];
  const arr = (items: LuaValue[]) => {
    const t = new LuaTable();
    items.forEach((v, i) => t.setInt(i + 1, v));
    return t;
  };
  const opts = new LuaTable();
  opts.setStr('attempts', 3);
  opts.setStr('removeOnComplete', true);
  const args = pack(arr(['bull:q:', '', 'job-name', 1700000000000]))[0] as string;
  const packedOpts = pack(opts)[0] as string;
  const require0 = createRequire(import.meta.url);
  const dir0 = require0.resolve('bullmq/package.json').replace(/package\.json$/, 'dist/esm/scripts/');
  const mod = (await import(dir0 + 'addStandardJob-9.js')) as Record<string, { content?: string }>;
  const script = Object.values(mod).find((v) => v && typeof v.content === 'string');
  const jobKeys = ['wait', 'paused', 'meta', 'id', 'completed', 'delayed', 'active', 'events', 'marker'].map((k) => `bull:q:${k}`);
  if (script?.content) bench('bullmq addStandardJob-9 (real args)', script.content, jobKeys, [args, '{"x":1}', packedOpts], 20000);
}

const require = createRequire(import.meta.url);
const dir = require.resolve('bullmq/package.json').replace(/package\.json$/, 'dist/esm/scripts/');
const wanted = process.argv.slice(2);
const files = readdirSync(dir).filter((f) => f.endsWith('.js') && f !== 'index.js' && (wanted.length === 0 || wanted.includes(f)));
const keys = Array.from({ length: 16 }, (_, i) => `bull:q:${i}`);
const argv = ['1', '1700000000000', 'token', '30000', 'bull:q:', 'x', 'y', 'z', '0'];
for (const f of files.slice(0, wanted.length ? files.length : 12)) {
  const mod = (await import(dir + f)) as Record<string, { content?: string }>;
  const script = Object.values(mod).find((v) => v && typeof v.content === 'string');
  if (script?.content) bench(`bullmq ${f}`, script.content, keys, argv, 20000);
}
