/**
 * used_memory as Redis accounts it: the figures of reddish and redis-server for the same small
 * datasets (within 1.5×), MEMORY USAGE per type and encoding, the figure shrinking when keys
 * go, MEMORY STATS reply types, and the CONFIG SET maxmemory warning.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, hasRedisServer, type SpawnedServer } from '../helpers/servers.js';
import { RespClient, plain, type Reply } from '../helpers/resp.js';
import { generate } from '../../src/lab/datagen.js';

const skip = !hasRedisServer() && 'redis-server not installed';

function field(info: string, name: string): number {
  const m = new RegExp(`^${name}:(\\d+)`, 'm').exec(info);
  assert.ok(m, `${name} in INFO`);
  return Number(m[1]);
}

async function used(c: RespClient): Promise<{ used: number; startup: number }> {
  const info = plain(await c.call('INFO', 'memory')) as string;
  return { used: field(info, 'used_memory'), startup: field(info, 'used_memory_startup') };
}

/** `proto:name:type` for each field of a MEMORY STATS reply (a RESP3 map or a RESP2 flat array), nested maps included. */
function shape(r: Reply, prefix: string): string[] {
  const pairs: [Reply, Reply][] = r.t === 'map' ? r.v : r.t === 'array' ? Array.from({ length: r.v.length / 2 }, (_, j) => [r.v[2 * j], r.v[2 * j + 1]] as [Reply, Reply]) : [];
  const out: string[] = [];
  for (const [k, v] of pairs) {
    const name = `${prefix}:${(k as { v: string }).v}`;
    out.push(`${name}:${v.t}`);
    if (v.t === 'map' || v.t === 'array') out.push(...shape(v, name));
  }
  return out;
}

function within(a: number, b: number, ratio: number, what: string): void {
  assert.ok(a <= b * ratio && b <= a * ratio, `${what}: reddish ${a} vs redis ${b} (more than ${ratio}× apart)`);
}

async function pair(args: string[] = []): Promise<{ servers: SpawnedServer[]; clients: RespClient[] }> {
  const servers = [await startServer('reddish', args), await startServer('redis', args)];
  const clients = [await RespClient.connect(servers[0].port), await RespClient.connect(servers[1].port)];
  return { servers, clients };
}

async function stop(p: { servers: SpawnedServer[]; clients: RespClient[] }): Promise<void> {
  for (const c of p.clients) c.close();
  for (const s of p.servers) await s.stop();
}

test('used_memory of datagen datasets (5,000 keys of each type) is within 1.5x of Redis', { skip }, async () => {
  const p = await pair();
  try {
    const [rd, rs] = p.clients;
    for (const type of ['hash', 'string', 'list', 'set', 'sorted']) {
      const figures: number[] = [];
      for (let i = 0; i < 2; i++) {
        await p.clients[i].call('FLUSHALL');
        const before = await used(p.clients[i]);
        await generate({ type, qty: 5000, prefix: 'session', port: p.servers[i].port, seed: 7 });
        const after = await used(p.clients[i]);
        figures.push(after.used - before.used);
        if (i === 0) assert.ok(after.startup < 1024 * 1024, 'a startup baseline like Redis (under 1 MB)');
      }
      within(figures[0], figures[1], 1.5, `${type}: memory the dataset added`);
    }
    // The totals too (baseline included), with the last dataset loaded.
    within((await used(rd)).used, (await used(rs)).used, 1.5, 'used_memory');
  } finally {
    await stop(p);
  }
});

test('used_memory of DEBUG POPULATE and of mixed encodings with TTLs is within 1.5x of Redis', { skip }, async () => {
  const p = await pair(['--enable-debug-command', 'yes']);
  try {
    const deltas: number[][] = [[], []];
    for (let i = 0; i < 2; i++) {
      const c = p.clients[i];
      const b0 = (await used(c)).used;
      await c.call('DEBUG', 'POPULATE', '20000', 'key', '10');
      deltas[i].push((await used(c)).used - b0);
      await c.call('FLUSHALL');
      const b1 = (await used(c)).used;
      let batch = '';
      const cmds: string[][] = [];
      for (let k = 0; k < 300; k++) {
        cmds.push(['SADD', `ints:${k}`, ...Array.from({ length: 20 }, (_, j) => String(j * 1000 + k))]);
        cmds.push(['ZADD', `lpz:${k}`, ...Array.from({ length: 10 }, (_, j) => [String(j * 1.5), `member-${j}`]).flat()]);
        cmds.push(['SET', `raw:${k}`, 'x'.repeat(200), 'EX', '1000']);
        cmds.push(['SET', `int:${k}`, String(100000 + k)]);
        cmds.push(['RPUSH', `list:${k}`, ...Array.from({ length: 30 }, (_, j) => `element number ${j}`)]);
      }
      for (let k = 0; k < 5; k++) {
        cmds.push(['ZADD', `bigz:${k}`, ...Array.from({ length: 500 }, (_, j) => [String(j), `zmember:${j}`]).flat()]);
        cmds.push(['HSET', `bigh:${k}`, ...Array.from({ length: 1000 }, (_, j) => [`field:${j}`, `value:${j}`]).flat()]);
        cmds.push(['SADD', `bigs:${k}`, ...Array.from({ length: 1000 }, (_, j) => `m${j}`)]);
      }
      for (const cmd of cmds) batch += `*${cmd.length}\r\n` + cmd.map((a) => `$${Buffer.byteLength(a)}\r\n${a}\r\n`).join('');
      await c.sendMany(batch, cmds.length);
      deltas[i].push((await used(c)).used - b1);
    }
    within(deltas[0][0], deltas[1][0], 1.5, 'DEBUG POPULATE 20000');
    within(deltas[0][1], deltas[1][1], 1.5, 'mixed encodings');
  } finally {
    await stop(p);
  }
});

test('MEMORY USAGE per type and encoding is within 1.5x of Redis, and ignores the expiry', { skip }, async () => {
  const p = await pair();
  try {
    const setup: string[][] = [
      ['SET', 'int', '12345'],
      ['SET', 'embstr', 'hello world'],
      ['SET', 'raw', 'r'.repeat(100)],
      ['SET', 'big', 'b'.repeat(5000)],
      ['APPEND', 'appended', 'a'.repeat(300)],
      ['HSET', 'hlp', 'f1', 'v1', 'f2', 'v2', 'f3', '3'],
      ['HSET', 'hht', ...Array.from({ length: 600 }, (_, j) => [`field${j}`, `value${j}`]).flat()],
      ['SADD', 'sint', '1', '2', '3', '70000'],
      ['SADD', 'sht', ...Array.from({ length: 300 }, (_, j) => `member${j}`)],
      ['ZADD', 'zlp', '1', 'a', '2.5', 'b', '3', 'c'],
      ['ZADD', 'zsl', ...Array.from({ length: 300 }, (_, j) => [String(j), `member${j}`]).flat()],
      ['RPUSH', 'lsmall', 'a', 'b', 'c', '1', '2'],
      ['RPUSH', 'lbig', ...Array.from({ length: 3000 }, (_, j) => `list element ${j}`)],
    ];
    const keys = setup.map((s) => s[1]);
    const sizes: number[][] = [[], []];
    for (let i = 0; i < 2; i++) {
      const c = p.clients[i];
      for (const s of setup) await c.call(...s);
      for (const k of keys) sizes[i].push(plain(await c.call('MEMORY', 'USAGE', k, 'SAMPLES', '0')) as number);
      // 7.0 does not count the key's entry in the expires dict.
      const before = plain(await c.call('MEMORY', 'USAGE', 'raw')) as number;
      await c.call('EXPIRE', 'raw', '1000');
      assert.equal(plain(await c.call('MEMORY', 'USAGE', 'raw')), before, `${i ? 'redis' : 'reddish'}: an expiry adds nothing`);
    }
    for (let j = 0; j < keys.length; j++) within(sizes[0][j], sizes[1][j], 1.5, `MEMORY USAGE ${keys[j]}`);
    // Encodings agree, so the figures describe the same structures.
    for (const k of keys) assert.equal(plain(await p.clients[0].call('OBJECT', 'ENCODING', k)), plain(await p.clients[1].call('OBJECT', 'ENCODING', k)), k);
  } finally {
    await stop(p);
  }
});

test('used_memory shrinks when keys go: DEL, UNLINK, expiry, FLUSHALL', async () => {
  const s = await startServer('reddish', ['--enable-debug-command', 'yes']);
  const c = await RespClient.connect(s.port);
  try {
    const empty = (await used(c)).used;
    assert.ok(empty < 1024 * 1024, `an empty instance uses under 1 MB (${empty})`);
    let batch = '';
    for (let i = 0; i < 10000; i++) batch += `*4\r\n$4\r\nHSET\r\n$${`h:${i}`.length}\r\nh:${i}\r\n$5\r\nfield\r\n$10\r\nvalue-${String(i).padStart(4, '0')}\r\n`;
    await c.sendMany(batch, 10000);
    const full = (await used(c)).used;
    assert.ok(full - empty > 500_000, `10,000 hashes take room (${full - empty})`);
    batch = '';
    for (let i = 0; i < 5000; i++) batch += `*2\r\n$3\r\nDEL\r\n$${`h:${i}`.length}\r\nh:${i}\r\n`;
    await c.sendMany(batch, 5000);
    const half = (await used(c)).used;
    assert.ok(half < full - (full - empty) * 0.4, `DEL of half the keys frees about half (${full} -> ${half})`);
    await c.call('UNLINK', 'h:5000', 'h:5001');
    assert.ok((await used(c)).used < half, 'UNLINK frees');
    // Active expiry would free the key before the lazy path is measured.
    assert.equal(plain(await c.call('DEBUG', 'SET-ACTIVE-EXPIRE', '0')), 'OK');
    // A key large enough that client-buffer resizing between two INFO calls cannot hide it.
    await c.call('SET', 'lazy', 'x'.repeat(100_000), 'PX', '1');
    await new Promise((r) => setTimeout(r, 20));
    const beforeExpiry = (await used(c)).used;
    assert.equal(plain(await c.call('EXISTS', 'lazy')), 0);
    const afterExpiry = (await used(c)).used;
    assert.ok(afterExpiry < beforeExpiry - 90_000, `a lazily expired key is freed (${beforeExpiry} -> ${afterExpiry})`);
    await c.call('DEBUG', 'SET-ACTIVE-EXPIRE', '1');
    // An in-place edit moves the figure both ways.
    await c.call('HSET', 'h:7000', 'more', 'x'.repeat(1000));
    const grown = (await used(c)).used;
    await c.call('HDEL', 'h:7000', 'more');
    assert.ok((await used(c)).used < grown - 900, 'HDEL of a big field frees it');
    await c.call('FLUSHALL');
    const after = (await used(c)).used;
    assert.ok(after - empty < 64 * 1024, `FLUSHALL brings used_memory back to the empty figure (${empty} -> ${after})`);
    const info = plain(await c.call('INFO', 'memory')) as string;
    assert.ok(field(info, 'used_memory_peak') >= full, 'the peak remembers the high point');
    assert.ok(field(info, 'used_memory_rss') > after, 'used_memory_rss is the process');
    assert.match(info, /^reddish_v8_heap_used:\d+/m);
  } finally {
    c.close();
    await s.stop();
  }
});

test('DEBUG RELOAD NOFLUSH MERGE onto the same dataset leaves used_memory where it was', async () => {
  const s = await startServer('reddish', ['--enable-debug-command', 'yes']);
  const c = await RespClient.connect(s.port);
  try {
    await c.call('DEBUG', 'POPULATE', '5000', 'key', '100');
    await c.call('HSET', 'h', 'f', 'v');
    await c.call('EXPIRE', 'h', '1000');
    const before = (await used(c)).used;
    assert.equal(plain(await c.call('DEBUG', 'RELOAD', 'NOFLUSH', 'MERGE')), 'OK');
    const after = (await used(c)).used;
    // The replaced values are no longer counted: the same keys cost the same (client buffers aside).
    assert.ok(Math.abs(after - before) < 16 * 1024, `used_memory ${before} -> ${after}`);
    assert.equal(plain(await c.call('DBSIZE')), 5001);
    assert.ok((plain(await c.call('TTL', 'h')) as number) > 0);
  } finally {
    c.close();
    await s.stop();
  }
});

test('MEMORY STATS: same fields, same reply types as Redis (RESP2 and RESP3)', { skip }, async () => {
  const p = await pair();
  try {
    const shapes: string[][] = [[], []];
    for (let i = 0; i < 2; i++) {
      const c = p.clients[i];
      await c.call('SET', 'k', 'v');
      await c.call('SET', 'e', 'v', 'EX', '100');
      for (const proto of ['2', '3']) {
        await c.call('HELLO', proto);
        shapes[i].push(...shape(await c.call('MEMORY', 'STATS'), proto));
      }
    }
    assert.deepEqual(shapes[0], shapes[1]);
    assert.ok(shapes[0].some((s) => s.includes('overhead.hashtable.slot-to-keys')));
  } finally {
    await stop(p);
  }
});

test('CONFIG SET maxmemory below the current usage logs Redis\'s WARNING', { skip }, async () => {
  const p = await pair();
  try {
    const re = /WARNING: the new maxmemory value set via CONFIG SET \((\d+)\) is smaller than the current memory usage \((\d+)\)\. This will result in key eviction and\/or the inability to accept new write commands depending on the maxmemory-policy\./;
    for (let i = 0; i < 2; i++) {
      await p.clients[i].call('CONFIG', 'SET', 'maxmemory', '100000');
      const line = await p.servers[i].waitForLog(re);
      const m = re.exec(line)!;
      assert.equal(m[1], '100000');
      assert.ok(Number(m[2]) > 100000 && Number(m[2]) < 2 * 1024 * 1024, `usage in the warning is used_memory (${m[2]})`);
    }
  } finally {
    await stop(p);
  }
});

test('maxmemory under 1MB in the configuration: Redis\'s startup WARNING', { skip }, async () => {
  for (const kind of ['reddish', 'redis'] as const) {
    const s = await startServer(kind, ['--maxmemory', '500000']);
    try {
      await s.waitForLog(/WARNING: You specified a maxmemory value that is less than 1MB \(current value is 500000 bytes\)\. Are you sure this is what you really want\?/);
    } finally {
      await s.stop();
    }
  }
});
