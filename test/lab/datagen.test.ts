/**
 * reddish datagen against a spawned redis-server and a spawned reddish: counts, key and value
 * shapes per type, --seed reproducibility, the closing line, exit codes.
 */
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { spawnServer, hasRedisServer, freePort, ROOT, type SpawnedServer } from '../../src/lab/processes.js';
import { generate, previewRecords, LOREM_WORDS, Xoshiro128, parseRedisUrl, DatagenError } from '../../src/lab/datagen.js';
import { parseCount, parseSize, UsageError } from '../../src/lab/units.js';

const CLI = join(ROOT, 'dist', 'src', 'bin', 'reddish.js');
const UUID = '[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}';
const WORDS = new Set(LOREM_WORDS);

function runCli(args: string[], timeoutMs = 30000): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const p = spawn(process.execPath, [CLI, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    p.stdout.on('data', (d) => (stdout += d));
    p.stderr.on('data', (d) => (stderr += d));
    const t = setTimeout(() => {
      p.kill('SIGKILL');
      reject(new Error(`reddish ${args.join(' ')} timed out:\n${stdout}\n${stderr}`));
    }, timeoutMs);
    p.on('exit', (code) => {
      clearTimeout(t);
      resolve({ code, stdout, stderr });
    });
  });
}

async function allKeys(r: Redis): Promise<string[]> {
  const keys: string[] = [];
  let cursor = '0';
  for (let i = 0; i < 100000; i++) {
    const [next, batch] = await r.scan(cursor, 'COUNT', 1000);
    keys.push(...batch);
    cursor = next;
    if (cursor === '0') break;
  }
  return keys.sort();
}

/** Every key with its value, for comparing two datasets. */
async function dump(r: Redis): Promise<Map<string, unknown>> {
  const out = new Map<string, unknown>();
  for (const k of await allKeys(r)) {
    const type = await r.type(k);
    if (type === 'hash') out.set(k, await r.hgetall(k));
    else if (type === 'string') out.set(k, await r.get(k));
    else if (type === 'list') out.set(k, await r.lrange(k, 0, -1));
    else if (type === 'set') out.set(k, (await r.smembers(k)).sort());
    else if (type === 'zset') out.set(k, await r.zrange(k, 0, -1, 'WITHSCORES'));
  }
  return out;
}

test('units: counts and sizes', () => {
  assert.equal(parseCount('2000000'), 2000000);
  assert.equal(parseCount('2m'), 2000000);
  assert.equal(parseCount('500k'), 500000);
  assert.equal(parseCount('2e6'), 2000000);
  assert.equal(parseCount('1_000_000'), 1000000);
  assert.throws(() => parseCount('abc'), UsageError);
  assert.throws(() => parseCount('-5'), UsageError);
  assert.throws(() => parseCount('1.5'), UsageError);
  assert.equal(parseSize('3mb'), 3 * 1024 * 1024);
  assert.equal(parseSize('3m'), 3000000);
  assert.equal(parseSize('64kb'), 65536);
  assert.equal(parseSize('1.5kb'), 1536);
  assert.throws(() => parseSize('3 parsecs'), UsageError);
});

test('records: shapes per type, seeded and reproducible', () => {
  const hashes = previewRecords({ type: 'hash', prefix: 'session', seed: 1 }, 2000);
  const counts = new Set<number>();
  for (const r of hashes) {
    assert.equal(r[0], 'HMSET');
    assert.match(r[1], new RegExp(`^session:${UUID}$`));
    const n = (r.length - 2) / 2;
    counts.add(n);
    for (let i = 0; i < n; i++) {
      assert.equal(r[2 + 2 * i], `field_${i}`);
      assert.ok(WORDS.has(r[3 + 2 * i]), r[3 + 2 * i]);
    }
  }
  assert.deepEqual([...counts].sort((a, b) => a - b), [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
  assert.deepEqual(previewRecords({ type: 'hash', prefix: 'session', seed: 1 }, 2000), hashes);
  assert.notDeepEqual(previewRecords({ type: 'hash', prefix: 'session', seed: 2 }, 10), hashes.slice(0, 10));
  assert.equal(new Set(hashes.map((r) => r[1])).size, hashes.length);

  const [s] = previewRecords({ type: 'string', seed: 3 }, 1);
  assert.equal(s[0], 'SET');
  assert.match(s[1], new RegExp(`^${UUID}$`));
  assert.equal(s.length, 3);
  const words = s[2].split(' ');
  assert.ok(words.length >= 1 && words.length <= 10 && words.every((w) => WORDS.has(w)));

  for (const [type, cmd] of [
    ['list', 'LPUSH'],
    ['lpush', 'LPUSH'],
    ['set', 'SADD'],
    ['sadd', 'SADD'],
  ]) {
    for (const r of previewRecords({ type, prefix: 'p', seed: 4 }, 50)) {
      assert.equal(r[0], cmd);
      assert.ok(r.length >= 3 && r.length <= 12);
      assert.ok(r.slice(2).every((w) => WORDS.has(w)));
    }
  }
  for (const type of ['sorted', 'zadd']) {
    for (const r of previewRecords({ type, prefix: 'p', seed: 5 }, 50)) {
      assert.equal(r[0], 'ZADD');
      for (let i = 2; i < r.length; i += 2) {
        const score = Number(r[i]);
        assert.ok(score >= 0 && score < 10, r[i]);
        assert.ok(WORDS.has(r[i + 1]));
      }
    }
  }
  assert.throws(() => previewRecords({ type: 'SET' }, 1), UsageError);
  assert.throws(() => previewRecords({ type: 'geo' }, 1), UsageError);
});

test('PRNG: uniform enough for the word count', () => {
  const rng = new Xoshiro128('x');
  const hist = new Array(10).fill(0);
  for (let i = 0; i < 100000; i++) hist[Math.floor(rng.float() * 10)]++;
  for (const h of hist) assert.ok(h > 9500 && h < 10500, String(hist));
});

test('redis:// URLs', () => {
  assert.deepEqual(parseRedisUrl('redis://127.0.0.1:7000'), { host: '127.0.0.1', port: 7000 });
  assert.deepEqual(parseRedisUrl('redis://:s%40cret@localhost/2'), { host: 'localhost', port: 6379, password: 's@cret', db: 2 });
  assert.deepEqual(parseRedisUrl('redis://bob:pw@[::1]:7001'), { host: '::1', port: 7001, username: 'bob', password: 'pw' });
  assert.throws(() => parseRedisUrl('http://x'), UsageError);
  assert.throws(() => parseRedisUrl('redis://x/abc'), UsageError);
});

const kinds: ('redis' | 'reddish')[] = hasRedisServer() ? ['redis', 'reddish'] : ['reddish'];

for (const kind of kinds) {
  describe(`datagen against ${kind}`, () => {
    let srv: SpawnedServer;
    let r: Redis;
    before(async () => {
      srv = await spawnServer(kind);
      r = new Redis({ port: srv.port, host: '127.0.0.1', lazyConnect: true, maxRetriesPerRequest: 1 });
      await r.connect();
    });
    after(async () => {
      r?.disconnect();
      await srv?.stop();
    });

    test('CLI: hash records, counts, shapes, closing line', async () => {
      await r.flushall();
      const res = await runCli(['datagen', 'hash', '3000', 'session', '-p', String(srv.port), '--seed', 'case2']);
      assert.equal(res.code, 0, res.stderr);
      assert.match(res.stdout, new RegExp(`^3000 records of type hash were generated and inserted \\[HMSET\\] into 127\\.0\\.0\\.1:${srv.port} in \\d+ms\\.\\n$`));
      assert.equal(res.stderr, '');
      assert.equal(await r.dbsize(), 3000);
      const keys = await allKeys(r);
      const fieldCounts = new Set<number>();
      for (const k of keys.slice(0, 400)) {
        assert.match(k, new RegExp(`^session:${UUID}$`));
        assert.equal(await r.type(k), 'hash');
        const h = await r.hgetall(k);
        const fields = Object.keys(h).sort((a, b) => Number(a.slice(6)) - Number(b.slice(6)));
        assert.ok(fields.length >= 1 && fields.length <= 10);
        fieldCounts.add(fields.length);
        assert.deepEqual(fields, Array.from({ length: fields.length }, (_, i) => `field_${i}`));
        for (const v of Object.values(h)) assert.ok(WORDS.has(v), v);
      }
      assert.ok(fieldCounts.size >= 8, `field counts seen: ${[...fieldCounts]}`);
      // the keys are exactly the seed's
      const expected = previewRecords({ type: 'hash', prefix: 'session', seed: 'case2' }, 3000).map((a) => a[1]);
      assert.deepEqual(keys, expected.sort());
    });

    test('CLI: --seed reproduces the dataset; another seed does not', async () => {
      await r.flushall();
      const a = await runCli(['datagen', 'hash', '500', 'session', '-p', String(srv.port), '--seed', '42', '-n', '1']);
      const b = await runCli(['datagen', 'hash', '500', 'session', '--url', `redis://127.0.0.1:${srv.port}/2`, '--seed', '42']);
      const c = await runCli(['datagen', '500', 'hash', 'session', '-p', String(srv.port), '--seed', '43', '-n', '3']);
      for (const x of [a, b, c]) assert.equal(x.code, 0, x.stderr);
      assert.match(c.stdout, /^500 records of type hash were generated/);
      const dbs: Map<string, unknown>[] = [];
      for (const db of [1, 2, 3]) {
        await r.select(db);
        dbs.push(await dump(r));
      }
      await r.select(0);
      assert.equal(dbs[0].size, 500);
      assert.deepEqual(dbs[0], dbs[1]);
      assert.equal([...dbs[2].keys()].filter((k) => dbs[0].has(k)).length, 0);
    });

    test('API: every type, prefix or none', async () => {
      await r.flushall();
      const cases: [string, string, string | undefined][] = [
        ['string', 'string', 's'],
        ['list', 'list', 'l'],
        ['lpush', 'list', 'l2'],
        ['set', 'set', 'st'],
        ['sadd', 'set', 'st2'],
        ['sorted', 'zset', 'z'],
        ['zadd', 'zset', 'z2'],
        ['hash', 'hash', 'h'],
        ['hmset', 'hash', undefined],
      ];
      for (const [type, redisType, prefix] of cases) {
        const res = await generate({ type, qty: 200, prefix, port: srv.port, seed: type });
        assert.equal(res.records, 200);
        assert.ok(res.ms >= 0);
        const keys = (await allKeys(r)).filter((k) => (prefix ? k.startsWith(`${prefix}:`) : new RegExp(`^${UUID}$`).test(k)));
        assert.equal(keys.length, 200, type);
        for (const k of keys.slice(0, 30)) {
          assert.equal(await r.type(k), redisType, `${type} ${k}`);
          if (redisType === 'string') {
            const words = (await r.get(k))!.split(' ');
            assert.ok(words.length >= 1 && words.length <= 10 && words.every((w) => WORDS.has(w)));
          } else if (redisType === 'list') {
            const n = await r.llen(k);
            assert.ok(n >= 1 && n <= 10);
          } else if (redisType === 'set') {
            const m = await r.smembers(k);
            assert.ok(m.length >= 1 && m.length <= 10 && m.every((w) => WORDS.has(w)));
          } else if (redisType === 'zset') {
            const z = await r.zrange(k, 0, -1, 'WITHSCORES');
            for (let i = 0; i < z.length; i += 2) {
              assert.ok(WORDS.has(z[i]));
              assert.ok(Number(z[i + 1]) >= 0 && Number(z[i + 1]) < 10);
            }
          }
        }
      }
      assert.equal(await r.dbsize(), 200 * cases.length);
    });

    test('API: --rate throttles; small windows still complete; qty 0', async () => {
      await r.flushall();
      const t0 = performance.now();
      const res = await generate({ type: 'string', qty: 300, prefix: 'rate', port: srv.port, rate: 1000 });
      const ms = performance.now() - t0;
      assert.equal(res.records, 300);
      // Throttled: never faster than the rate (a loaded machine may make it slower).
      assert.ok(ms >= 250, `300 keys at 1000/s took ${ms} ms`);
      const w1 = await generate({ type: 'hash', qty: 500, prefix: 'w1', port: srv.port, window: 1 });
      assert.equal(w1.records, 500);
      const progress: number[] = [];
      const big = await generate({ type: 'hash', qty: 20000, prefix: 'big', port: srv.port, window: 64, progressIntervalMs: 0, onProgress: (d) => progress.push(d) });
      assert.equal(big.records, 20000);
      assert.equal(progress.at(-1), 20000);
      assert.ok(progress.every((v, i) => i === 0 || v >= progress[i - 1]));
      const zero = await generate({ type: 'hash', qty: 0, port: srv.port });
      assert.equal(zero.records, 0);
      assert.equal(await r.dbsize(), 300 + 500 + 20000);
    });

    test('errors: bad database, error replies, exit codes', async () => {
      const bad = await runCli(['datagen', 'hash', '10', '-p', String(srv.port), '-n', '99']);
      assert.equal(bad.code, 1);
      assert.match(bad.stderr, /SELECT failed: .*(out of range|invalid)/i);
      // an error reply in the middle of the data: OOM with maxmemory 1 byte
      await r.config('SET', 'maxmemory', '1');
      try {
        await assert.rejects(generate({ type: 'hash', qty: 1000, port: srv.port, prefix: 'oom' }), (e: unknown) => e instanceof DatagenError && /OOM/.test(e.message));
        const cli = await runCli(['datagen', 'hash', '1000', 'oom', '-p', String(srv.port)]);
        assert.equal(cli.code, 1);
        assert.match(cli.stderr, /HMSET failed after \d+ records: OOM/);
      } finally {
        await r.config('SET', 'maxmemory', '0');
      }
    });
  });
}

describe('datagen CLI argument and connection errors', () => {
  test('unknown type, bad qty, bad options: exit 2', async () => {
    const t = await runCli(['datagen', 'geo', '10']);
    assert.equal(t.code, 2);
    assert.match(t.stderr, /valid redis types are; string \[SET\], list \[LPUSH\], set \[SADD\], sorted\[ZADD\] and hash \[HMSET\]/);
    const q = await runCli(['datagen', 'hash', 'many']);
    assert.equal(q.code, 2);
    assert.match(q.stderr, /invalid qty 'many'/);
    const p = await runCli(['datagen', 'hash', '10', '-p', '70000']);
    assert.equal(p.code, 2);
    assert.match(p.stderr, /invalid port/);
    const m = await runCli(['datagen', 'hash']);
    assert.equal(m.code, 2);
    assert.match(m.stderr, /missing required argument 'qty'/);
    const o = await runCli(['datagen', 'hash', '10', '--bogus']);
    assert.equal(o.code, 2);
    assert.match(o.stderr, /unknown option '--bogus'/);
    const u = await runCli(['datagen', 'hash', '10', '--url', 'http://nope']);
    assert.equal(u.code, 2);
    assert.match(u.stderr, /unsupported URL scheme/);
    const h = await runCli(['datagen', '--help']);
    assert.equal(h.code, 0);
    assert.match(h.stdout, /Usage: reddish datagen \[options\] <type> <qty> \[prefix\]/);
  });

  test('unreachable server: exit 1 with a clear message', async () => {
    const port = await freePort();
    const res = await runCli(['datagen', 'hash', '10', 'x', '-p', String(port)]);
    assert.equal(res.code, 1);
    assert.match(res.stderr, new RegExp(`Could not connect to Redis at 127\\.0\\.0\\.1:${port}: Connection refused`));
    await assert.rejects(generate({ type: 'hash', qty: 1, port }), DatagenError);
  });
});
