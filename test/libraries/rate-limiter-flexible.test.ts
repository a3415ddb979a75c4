/**
 * rate-limiter-flexible 11 used unchanged: RateLimiterRedis consumes with an EVAL script
 * (SET NX EX + INCRBY + PTTL), blocks with MULTI SET EX/PTTL; with ioredis (defineCommand:
 * EVALSHA, then EVAL on NOSCRIPT) and with node-redis (useRedisPackage: EVAL).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { RateLimiterRedis, RateLimiterMemory, RateLimiterRes } from 'rate-limiter-flexible';
import { createClient } from 'redis';
import { perServer, T, uniq, ioredis } from './common.js';

type Client = { store: unknown; raw: (...args: string[]) => Promise<unknown>; close: () => Promise<void> };

const clients: Record<string, (port: number) => Promise<Client>> = {
  ioredis: async (port) => {
    const c = ioredis(port, { maxRetriesPerRequest: 1 });
    return { store: c, raw: (...a) => c.call(a[0], ...a.slice(1)), close: async () => void c.disconnect() };
  },
  'node-redis': async (port) => {
    const c = createClient({ socket: { host: '127.0.0.1', port, reconnectStrategy: false } });
    c.on('error', () => undefined);
    await c.connect();
    return { store: c, raw: (...a) => c.sendCommand(a), close: async () => void c.destroy() };
  },
};

perServer('rate-limiter-flexible', ({ port }) => {
  for (const [lib, make] of Object.entries(clients)) {
    const opts = (keyPrefix: string, c: Client, extra: { points: number; duration: number; [k: string]: unknown }) => ({
      storeClient: c.store,
      keyPrefix,
      ...(lib === 'node-redis' ? { useRedisPackage: true } : {}),
      ...extra,
    });

    test(`${lib}: consume until blocked, msBeforeNext, get/delete`, T, async (t) => {
      const c = await make(port());
      t.after(() => c.close());
      const prefix = uniq('rl');
      const rl = new RateLimiterRedis(opts(prefix, c, { points: 3, duration: 10 }));
      const r1 = await rl.consume('user');
      assert.equal(r1.consumedPoints, 1);
      assert.equal(r1.remainingPoints, 2);
      assert.equal(r1.isFirstInDuration, true);
      assert.ok(r1.msBeforeNext > 0 && r1.msBeforeNext <= 10000, `msBeforeNext ${r1.msBeforeNext}`);
      const r2 = await rl.consume('user', 2);
      assert.equal(r2.consumedPoints, 3);
      assert.equal(r2.remainingPoints, 0);
      assert.equal(r2.isFirstInDuration, false);
      const blocked = await rl.consume('user').then(
        () => assert.fail('the fourth point should be refused'),
        (e: unknown) => e,
      );
      assert.ok(blocked instanceof RateLimiterRes, `rejected with ${blocked}`);
      assert.equal(blocked.consumedPoints, 4);
      assert.equal(blocked.remainingPoints, 0);
      assert.ok(blocked.msBeforeNext > 0 && blocked.msBeforeNext <= 10000);
      // The key is the prefix and the name, an integer with the duration as its TTL.
      assert.equal(await c.raw('GET', `${prefix}:user`), '4');
      const pttl = Number(await c.raw('PTTL', `${prefix}:user`));
      assert.ok(pttl > 0 && pttl <= 10000, `PTTL ${pttl}`);
      const got = await rl.get('user');
      assert.equal(got!.consumedPoints, 4);
      assert.equal(await rl.get('nobody'), null);
      assert.equal(await rl.delete('user'), true);
      assert.equal(await rl.delete('user'), false);
      assert.equal((await rl.consume('user')).consumedPoints, 1);
    });

    test(`${lib}: penalty, reward and blockDuration`, T, async (t) => {
      const c = await make(port());
      t.after(() => c.close());
      const prefix = uniq('rl-pr');
      const rl = new RateLimiterRedis(opts(prefix, c, { points: 5, duration: 10, blockDuration: 30 }));
      assert.equal((await rl.consume('k')).consumedPoints, 1);
      assert.equal((await rl.penalty('k', 3)).consumedPoints, 4);
      assert.equal((await rl.reward('k', 2)).consumedPoints, 2);
      assert.equal((await rl.consume('k', 3)).remainingPoints, 0);
      // Over the limit: blocked for blockDuration (the key rewritten with SET EX in a MULTI).
      const over = await rl.consume('k').catch((e: unknown) => e);
      assert.ok(over instanceof RateLimiterRes);
      assert.ok(over.msBeforeNext > 10000 && over.msBeforeNext <= 30000, `blocked for ${over.msBeforeNext}`);
      const ttl = Number(await c.raw('TTL', `${prefix}:k`));
      assert.ok(ttl > 10 && ttl <= 30, `TTL ${ttl}`);
      // block() sets the key outright.
      const b = await rl.block('other', 20);
      assert.ok(b.msBeforeNext > 10000 && b.msBeforeNext <= 20000);
      assert.ok(Number(await c.raw('GET', `${prefix}:other`)) > 5);
    });

    test(`${lib}: without an insurance limiter a server error rejects with that error`, T, async (t) => {
      const c = await make(port());
      t.after(() => c.close());
      const prefix = uniq('rl-err');
      const rl = new RateLimiterRedis(opts(prefix, c, { points: 5, duration: 10 }));
      // A value INCRBY refuses: the script fails inside the server.
      await c.raw('SET', `${prefix}:bad`, 'not-a-number');
      const err = await rl.consume('bad').catch((e: unknown) => e);
      assert.ok(err instanceof Error, `rejected with ${err}`);
      assert.ok(!(err instanceof RateLimiterRes));
      assert.match(err.message, /ERR value is not an integer or out of range/);
      // With an insurance limiter, the same failure is answered from memory instead.
      const insured = new RateLimiterRedis(opts(prefix, c, { points: 5, duration: 10, insuranceLimiter: new RateLimiterMemory({ points: 1, duration: 10 }) }));
      assert.equal((await insured.consume('bad')).remainingPoints, 0);
      assert.ok((await insured.consume('bad').catch((e: unknown) => e)) instanceof RateLimiterRes);
      // rejectIfRedisNotReady: a closed client fails fast with the library's own error.
      const closed = await make(port());
      await closed.close();
      const notReady = new RateLimiterRedis(opts(prefix, closed, { points: 5, duration: 10, rejectIfRedisNotReady: true }));
      await assert.rejects(notReady.consume('x'), /Redis connection is not ready/);
    });
  }
});
