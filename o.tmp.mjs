import { LuaWasmEngine } from 'lua-redis-wasm';
const o = await LuaWasmEngine.create({ profile: 'redis-7.0', limits: { maxFuel: 0xffffffff }, host: { redisCall: () => ({ ok: Buffer.from('OK') }), redisPcall: () => ({ ok: Buffer.from('OK') }), log() {} } });
const show = (r) => JSON.stringify(r, (k, v) => (v && v.type === 'Buffer' ? Buffer.from(v.data).toString('latin1') : v));
for (const src of process.argv.slice(2)) console.log(show(o.evalWithArgs(src, [], [])));
